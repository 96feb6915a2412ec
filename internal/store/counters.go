package store

import (
	"errors"
	"sync"

	"lienthong/crdt"
	"lienthong/schema"
)

// counters count what became of the ops offered to the store, for metrics.
type counters struct {
	mu sync.Mutex
	m  map[string]uint64
}

// RejectClass names the class of a rejection, for metrics and logs.
func RejectClass(err error) string {
	switch {
	case errors.Is(err, crdt.ErrUnauthorized):
		return "unauthorized"
	case errors.Is(err, ErrOutOfScope):
		return "out_of_scope"
	case errors.Is(err, schema.ErrBadSignature):
		return "bad_signature"
	case errors.Is(err, schema.ErrTooLarge):
		return "too_large"
	case errors.Is(err, schema.ErrUnknownKind):
		return "unknown_kind"
	case errors.Is(err, schema.ErrMalformed):
		return "malformed"
	case errors.Is(err, crdt.ErrInvalid):
		return "invalid"
	}
	return "other"
}

func (c *counters) tally(res []crdt.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]uint64{}
	}
	for _, r := range res {
		switch r.Outcome {
		case crdt.Rejected:
			c.m["rejected:"+RejectClass(r.Err)]++
		case 0:
		default:
			c.m[r.Outcome.String()]++
		}
	}
}

// Outcomes returns how many ops were applied, duplicate, parked, and
// rejected by class ("rejected:unauthorized", ...) since the store opened.
func (s *Store) Outcomes() map[string]uint64 {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	out := make(map[string]uint64, len(s.counts.m))
	for k, v := range s.counts.m {
		out[k] = v
	}
	return out
}

// Size returns the bytes the store takes on disk (LSM tree and value log).
func (s *Store) Size() (lsm, vlog int64) { return s.db.Size() }
