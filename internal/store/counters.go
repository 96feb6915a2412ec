package store

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"lienthong/crdt"
	"lienthong/schema"
)

// counters count what became of the ops offered to the store, for metrics.
type counters struct {
	mu sync.Mutex
	m  map[string]uint64
	// ahead counts, by author, the ops whose clocks ran ahead of this
	// computer's; warned is when each author was last logged.
	ahead  map[schema.CommitteeID]uint64
	warned map[schema.CommitteeID]time.Time
}

// clockWarnEvery bounds how often one author's clock is logged.
const clockWarnEvery = time.Hour

// noteAhead counts the ops of a landed batch whose authors' clocks ran
// ahead, and logs each author at most once in clockWarnEvery.
func (c *counters) noteAhead(notes map[schema.CommitteeID]aheadNote, log *slog.Logger) {
	if len(notes) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ahead == nil {
		c.ahead, c.warned = map[schema.CommitteeID]uint64{}, map[schema.CommitteeID]time.Time{}
	}
	now := time.Now()
	for author, n := range notes {
		c.ahead[author] += n.ops
		if now.Sub(c.warned[author]) < clockWarnEvery {
			continue
		}
		c.warned[author] = now
		log.Warn("ops dated ahead of this computer's clock: check the date, time and time zone of that committee's computer, or of this one",
			"author", string(author), "ops", n.ops, "ahead", n.lead.Round(time.Second).String())
	}
}

// ClockAhead returns, by author, how many ops applied since the store
// opened carried a clock more than five minutes past this computer's (and
// past the ops they follow): a sign that the author's clock, or this one,
// is wrong.
func (s *Store) ClockAhead() map[schema.CommitteeID]uint64 {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	out := make(map[schema.CommitteeID]uint64, len(s.counts.ahead))
	for k, v := range s.counts.ahead {
		out[k] = v
	}
	return out
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
