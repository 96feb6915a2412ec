package replica

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"lienthong/crdt"
	"lienthong/internal/store"
	"lienthong/schema"
)

// Notifier is told when a peer says it has new ops.
type Notifier func(peer schema.CommitteeID, seq uint64)

// Server answers sync requests from peers.
type Server struct {
	Store    *store.Store
	OnNotify Notifier // may be nil
	Logger   *slog.Logger
	// OnServed is called when the peer acknowledges a pull, with the feed
	// position it now holds (for bundles: "what that committee already
	// has") and what the pull carried.
	OnServed func(peer schema.CommitteeID, seq uint64, ops int, bytes int64)
	// ProgressLog is how often a pull still being served logs its progress
	// (0: every 5 s).
	ProgressLog time.Duration
}

// Serve answers requests on rw from peer until the stream ends. The
// transport has authenticated peer.
func (s *Server) Serve(ctx context.Context, rw io.ReadWriter, peer schema.CommitteeID) error {
	if err := s.Store.Directory().ActiveAt(peer, crdt.Now); err != nil {
		return fmt.Errorf("refusing sync from %s: %w", peer, err)
	}
	r := bufio.NewReaderSize(rw, 64<<10)
	w := bufio.NewWriterSize(rw, 256<<10)
	var last pullStats
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var req Request
		if _, err := readFrame(r, &req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		var err error
		switch req.Kind {
		case KindPull:
			last, err = s.servePull(ctx, w, peer, req.From, req.Stake)
		case KindAck:
			if s.OnServed != nil {
				s.OnServed(peer, min(req.Seq, last.head), last.ops, last.bytes)
			}
			last = pullStats{}
		case KindFetch:
			err = s.serveFetch(ctx, w, peer, req.Ledgers)
		case KindNotify:
			if s.OnNotify != nil {
				s.OnNotify(peer, req.Seq)
			}
		default:
			writeFrame(w, &Batch{Done: true, Err: fmt.Sprintf("unknown request kind %d", req.Kind)})
			return fmt.Errorf("%w: unknown request kind %d from %s", ErrProtocol, req.Kind, peer)
		}
		if err != nil {
			return err
		}
	}
}

// scope decides which ledgers a peer may receive, caching per request.
type scope struct {
	dir   *crdt.Directory
	rd    *store.Reader
	peer  schema.CommitteeID
	cache map[schema.LedgerID]*verdict
}

type verdict struct {
	in bool // the peer is a stakeholder now
	// closed: not now, but a workflow ended; the peer may hold the ops up
	// to a point (see crdt.HoldsUpTo). It is the whole state: finding that
	// point reads its ops.
	closed *crdt.Ledger
	known  bool     // up and holds are computed
	up     crdt.Key // the peer may hold the ops up to here
	holds  bool     // there is such a point
}

func newScope(st *store.Store, rd *store.Reader, peer schema.CommitteeID) *scope {
	return &scope{dir: st.Directory(), rd: rd, peer: peer, cache: map[schema.LedgerID]*verdict{}}
}

func (sc *scope) ledger(id schema.LedgerID) *verdict {
	if sc.peer == sc.dir.Root {
		// The root is a superior of every home: nothing to read.
		return &verdict{in: true}
	}
	if v, hit := sc.cache[id]; hit {
		return v
	}
	v := &verdict{}
	// The part of the state that names stakeholders is enough to decide,
	// except for a ledger whose workflows ended.
	if l, err := sc.rd.LedgerScope(id); err == nil {
		v.in = crdt.IsStakeholder(sc.dir, l, sc.peer)
		if !v.in && l.HasClosed() {
			if whole, err := sc.rd.Ledger(id); err == nil {
				v.closed = whole
			}
		}
	}
	if len(sc.cache) > 1<<16 {
		clear(sc.cache)
	}
	sc.cache[id] = v
	return v
}

// allows reports whether the peer may have every op of ledger id.
func (sc *scope) allows(id schema.LedgerID) bool {
	return id.IsDirectory() || sc.ledger(id).in
}

// upTo returns how far into a ledger it is no stakeholder of the peer may
// hold ops, if at all.
func (sc *scope) upTo(v *verdict) (crdt.Key, bool, error) {
	if !v.known {
		l := v.closed
		up, holds, err := crdt.HoldsUpTo(sc.dir, l, sc.peer, nil, func() ([]*schema.Decoded, error) {
			var ops []*schema.Decoded
			for _, m := range l.DAG.Ops {
				if !crdt.EndsStake(m.Kind) {
					continue
				}
				env, err := sc.rd.Op(m.ID)
				if err != nil {
					return nil, fmt.Errorf("op %s of ledger %s: %w", m.ID.Short(), l.ID, err)
				}
				d, err := schema.DecodeStored(env)
				if err != nil {
					return nil, err
				}
				ops = append(ops, d)
			}
			return ops, nil
		})
		if err != nil {
			return crdt.Key{}, false, err
		}
		v.known, v.up, v.holds = true, up, holds
	}
	return v.up, v.holds, nil
}

// allowsOp reports whether the peer may have op id of ledger lid: any op of
// a ledger it holds a stake in; of a ledger it holds none in now, the ops up
// to the last one that it or a subordinate wrote or that ended its stake.
func (sc *scope) allowsOp(lid schema.LedgerID, id schema.OpID) (bool, error) {
	if sc.allows(lid) {
		return true, nil
	}
	v := sc.ledger(lid)
	if v.closed == nil {
		return false, nil
	}
	m, ok := v.closed.DAG.Get(id)
	if !ok {
		return false, nil // not accepted (any more)
	}
	up, holds, err := sc.upTo(v)
	return holds && !up.Less(crdt.Key{HLC: m.HLC, ID: m.ID}), err
}

// prefix returns how many of a ledger's ops, in fold order, the peer may
// have: all of them (-1), those up to the point allowsOp names, or none.
func (sc *scope) prefix(id schema.LedgerID) (int, error) {
	if sc.allows(id) {
		return -1, nil
	}
	v := sc.ledger(id)
	if v.closed == nil {
		return 0, nil
	}
	up, holds, err := sc.upTo(v)
	if err != nil || !holds {
		return 0, err
	}
	n := 0
	for n < len(v.closed.DAG.Ops) && !up.Less(crdt.Key{HLC: v.closed.DAG.Ops[n].HLC, ID: v.closed.DAG.Ops[n].ID}) {
		n++
	}
	return n, nil
}

// gainedStakes lists the ledgers whose stakeholders grew to include the
// peer at feed positions in (after, head] and that the peer may hold now:
// its pulls skipped their earlier ops. It stops before a position where
// the list would pass limit, and returns the position through which the
// list is complete.
func gainedStakes(st *store.Store, sc *scope, after, head uint64, limit int) ([]schema.LedgerID, uint64, error) {
	var out []schema.LedgerID
	seen := map[schema.LedgerID]bool{}
	through := head
	err := st.StakeChanges(after, head, func(c store.StakeChange) bool {
		if seen[c.Ledger] || !sc.gained(c) {
			return true
		}
		if len(out) >= limit {
			through = c.Seq - 1
			return false
		}
		seen[c.Ledger] = true
		out = append(out, c.Ledger)
		return true
	})
	return out, through, err
}

// gained reports whether a stake change made the peer a stakeholder of a
// ledger it may hold now.
func (sc *scope) gained(c store.StakeChange) bool {
	was, now := false, false
	for _, n := range c.Before {
		was = was || sc.dir.IsAncestorAt(sc.peer, n, crdt.Now)
	}
	for _, n := range c.Added {
		now = now || sc.dir.IsAncestorAt(sc.peer, n, crdt.Now)
	}
	return now && !was && sc.allows(c.Ledger)
}

// frameFits reports whether ops fit in one frame with room to spare.
func frameFits(ops [][]byte) bool {
	total := 0
	for _, op := range ops {
		total += len(op) + 8
	}
	return total < MaxFrame/2
}

// prefixOps reads the first n ops of a member ledger in fold order (n < 0:
// all of them).
func prefixOps(rd *store.Reader, id schema.LedgerID, n int) ([][]byte, error) {
	l, err := rd.Ledger(id)
	if err != nil {
		return nil, err
	}
	ops := l.DAG.Ops
	if n >= 0 && n < len(ops) {
		ops = ops[:n]
	}
	envs := make([][]byte, 0, len(ops))
	for _, m := range ops {
		env, err := rd.Op(m.ID)
		if err != nil {
			return nil, fmt.Errorf("op %s of ledger %s: %w", m.ID.Short(), id, err)
		}
		envs = append(envs, env)
	}
	return envs, nil
}

// feedChunk is how many feed entries one read snapshot covers.
const feedChunk = 8192

// pullStats is what one served pull carried, reported on the peer's ack.
type pullStats struct {
	head  uint64
	ops   int
	bytes int64
}

func (s *Server) servePull(ctx context.Context, w *bufio.Writer, peer schema.CommitteeID, from, stake uint64) (pullStats, error) {
	head := s.Store.Seq()
	if from > head {
		// The peer's checkpoint is from another life of this store (a
		// restore): start again from zero.
		from = 0
	}
	if from == 0 || stake > head {
		stake = 0 // the pull sends everything in scope
	}
	var sent int
	var bytes int64
	cur := from
	origin := store.OriginTag(string(peer)) // never send a peer its own ops back
	every := cmp.Or(s.ProgressLog, 5*time.Second)
	logged := time.Now()
	for cur < head {
		if err := ctx.Err(); err != nil {
			return pullStats{}, err
		}
		if s.Logger != nil && time.Since(logged) >= every {
			// A long catch-up says how it goes on this side too.
			logged = time.Now()
			s.Logger.Info("serving sync", "peer", peer.Short(), "sent", sent, "bytes", bytes, "position", cur, "pending", head-cur)
		}
		rd := s.Store.NewReader()
		sc := newScope(s.Store, rd, peer)
		var entries []store.FeedEntry
		err := s.Store.Feed(cur, func(e store.FeedEntry) bool {
			if e.Seq > head {
				return false
			}
			if e.Envelope != nil && e.Origin != origin && (sc.allows(e.Ledger) || sc.ledger(e.Ledger).closed != nil) {
				e.Envelope = slices.Clone(e.Envelope) // a candidate: kept past the call
			} else {
				e.Envelope = nil
			}
			entries = append(entries, e)
			return len(entries) < feedChunk
		})
		if err != nil {
			rd.Close()
			return pullStats{}, err
		}
		if len(entries) == 0 {
			rd.Close()
			break
		}
		b := Batch{Head: head}
		size := 0
		for _, e := range entries {
			if e.Envelope != nil {
				ok, err := sc.allowsOp(e.Ledger, e.ID)
				if err == nil && ok {
					b.Ops = append(b.Ops, e.Envelope)
					size += len(e.Envelope)
				} else if err != nil && !errors.Is(err, store.ErrNotFound) {
					rd.Close()
					return pullStats{}, err
				}
			}
			b.Next = e.Seq
			if size >= batchBytes || len(b.Ops) >= batchOps {
				n, err := writeFrame(w, &b)
				if err != nil {
					rd.Close()
					return pullStats{}, err
				}
				sent += len(b.Ops)
				bytes += int64(n)
				b = Batch{Head: head}
				size = 0
			}
		}
		rd.Close()
		cur = entries[len(entries)-1].Seq
		if len(b.Ops) > 0 || b.Next > 0 {
			b.Next = cur
			n, err := writeFrame(w, &b)
			if err != nil {
				return pullStats{}, err
			}
			sent += len(b.Ops)
			bytes += int64(n)
		}
	}
	done := Batch{Done: true, Next: max(cur, head), Head: head, Stake: head}
	if stake > 0 {
		rd := s.Store.NewReader()
		var err error
		done.Fetch, done.Stake, err = gainedStakes(s.Store, newScope(s.Store, rd, peer), stake, head, maxFetchTotal)
		rd.Close()
		if err != nil {
			return pullStats{}, err
		}
	}
	n, err := writeFrame(w, &done)
	if err != nil {
		return pullStats{}, err
	}
	bytes += int64(n)
	return pullStats{head: max(cur, head), ops: sent, bytes: bytes}, nil
}

func (s *Server) serveFetch(ctx context.Context, w *bufio.Writer, peer schema.CommitteeID, ledgers []schema.LedgerID) error {
	if len(ledgers) > MaxFetchLedgers {
		writeFrame(w, &Batch{Done: true, Err: fmt.Sprintf("fetch of %d ledgers, limit %d", len(ledgers), MaxFetchLedgers)})
		return fmt.Errorf("%w: fetch of %d ledgers from %s", ErrProtocol, len(ledgers), peer)
	}
	rd := s.Store.NewReader()
	defer rd.Close()
	sc := newScope(s.Store, rd, peer)
	b := Batch{}
	size := 0
	for _, id := range ledgers {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The ledger whole to a stakeholder; to a committee that is none
		// now, its ops up to a point (see scope.allowsOp).
		n, err := sc.prefix(id)
		if err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		var envs [][]byte
		if id.IsDirectory() {
			envs, err = s.Store.LedgerOps(id)
		} else {
			envs, err = prefixOps(rd, id, n)
		}
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if n > 0 && frameFits(envs) {
			// A part of a ledger goes in one batch: the client judges which
			// of its ops it may hold by the ops in the batch.
			if len(b.Ops) > 0 {
				if _, err := writeFrame(w, &b); err != nil {
					return err
				}
				b, size = Batch{}, 0
			}
			if _, err := writeFrame(w, &Batch{Ops: envs}); err != nil {
				return err
			}
			continue
		}
		for _, env := range envs {
			b.Ops = append(b.Ops, env)
			size += len(env)
			if size >= batchBytes || len(b.Ops) >= batchOps {
				if _, err := writeFrame(w, &b); err != nil {
					return err
				}
				b, size = Batch{}, 0
			}
		}
	}
	b.Done = true
	_, err := writeFrame(w, &b)
	return err
}
