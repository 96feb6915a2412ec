package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"lienthong/crdt"
	"lienthong/schema"
)

// ErrOutOfScope: a ledger this node is not a stakeholder of.
var ErrOutOfScope = errors.New("ledger out of scope")

// Ingest decodes, verifies and applies envelopes from the network or a
// bundle. An envelope that does not decode or verify is rejected without
// touching state. Verification runs on every core.
func (s *Store) Ingest(envs [][]byte, origin string) ([]crdt.Result, crdt.ApplyStats, error) {
	return s.IngestScoped(envs, origin, "")
}

// IngestScoped is Ingest for a node that holds only the ledgers committee
// scope is a stakeholder of: member ops of other ledgers are rejected (and
// not recorded), unless the ops in this call make scope a stakeholder.
func (s *Store) IngestScoped(envs [][]byte, origin string, scope schema.CommitteeID) ([]crdt.Result, crdt.ApplyStats, error) {
	return s.ApplyVerified(s.Verify(envs), origin, scope, nil)
}

// Verified is what Verify makes of envelopes, for ApplyVerified: each op
// decoded and verified, or refused with its reason, and each create op of a
// ledger not held here folded into its new state. The folding is the bulk
// of applying such an op, and so runs on every core where the ops are
// verified, ahead of the store's serial pass, which takes a fold where it
// still holds (see foldNew).
type Verified struct {
	ops     []*schema.Decoded // nil where refused
	results []crdt.Result     // why, where refused
	folds   []*folded         // nil where not folded
}

// Len is the number of envelopes v holds, refused ones included.
func (v *Verified) Len() int { return len(v.ops) }

// Add appends the envelopes of o, to be applied together with v's after them.
func (v *Verified) Add(o *Verified) {
	v.ops = append(v.ops, o.ops...)
	v.results = append(v.results, o.results...)
	v.folds = append(v.folds, o.folds...)
}

// Verify decodes and verifies envelopes on every core, and folds the
// create ops of ledgers new here. Safe to call while the store applies
// other ops.
func (s *Store) Verify(envs [][]byte) *Verified {
	v := &Verified{results: make([]crdt.Result, len(envs)), folds: make([]*folded, len(envs))}
	v.ops = s.decodeAll(envs, v.results, v.folds)
	return v
}

// ApplyVerified is the rest of IngestScoped, for ops from Verify: it returns
// a result for each envelope, refused ones included. cp, if not nil, is
// recorded with the last of them.
func (s *Store) ApplyVerified(v *Verified, origin string, scope schema.CommitteeID, cp *Checkpoint) ([]crdt.Result, crdt.ApplyStats, error) {
	return s.applyVerified(v, origin, scope, cp, true).Wait()
}

// ApplyVerifiedAsync is ApplyVerified that returns before the ops are
// durable, as ApplyAsync does; Wait returns what ApplyVerified would.
func (s *Store) ApplyVerifiedAsync(v *Verified, origin string, scope schema.CommitteeID, cp *Checkpoint) *Pending {
	return s.applyVerified(v, origin, scope, cp, false)
}

// applyVerified is ApplyVerified (wait) or ApplyVerifiedAsync.
func (s *Store) applyVerified(v *Verified, origin string, scope schema.CommitteeID, cp *Checkpoint, wait bool) *Pending {
	decoded, results := v.ops, v.results
	var st crdt.ApplyStats
	if scope != "" && scope != s.Directory().Root {
		s.landTouching(decoded)
		s.filterScope(decoded, results, scope)
	}
	var ok []*schema.Decoded
	var folds []*folded
	var where []int
	var refused []crdt.Result
	for i, d := range decoded {
		if d != nil {
			ok = append(ok, d)
			folds = append(folds, v.folds[i])
			where = append(where, i)
		} else {
			if results[i].Outcome == crdt.Duplicate {
				st.Duplicates++
			} else {
				st.Rejected++
			}
			refused = append(refused, results[i])
		}
	}
	s.counts.tally(refused)
	p := s.apply(ok, folds, origin, false, cp, wait)
	p.then = func(p *Pending) {
		for j, r := range p.results {
			results[where[j]] = r
		}
		p.results = results
		p.stats.Rejected += st.Rejected
		p.stats.Duplicates += st.Duplicates
	}
	return p
}

// landTouching waits for the chunk in flight if it changes the directory
// or a ledger of ops: the scope check reads them as committed.
func (s *Store) landTouching(ops []*schema.Decoded) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.inflight
	if b == nil {
		return
	}
	touches := b.dirty
	for _, d := range ops {
		if touches {
			break
		}
		if d != nil {
			_, touches = b.ledgers[d.Op.Ledger]
		}
	}
	if touches {
		if err := s.land(); err != nil {
			s.abort(s.newPending(), err) // fails the call it belongs to
		}
	}
}

// decodeAll decodes and verifies in parallel; failures go to results. An op
// this store has accepted already is not verified again: its result says
// Duplicate (a peer or a bundle offers again what another brought). The
// create ops of ledgers not held here are folded into folds.
func (s *Store) decodeAll(envs [][]byte, results []crdt.Result, folds []*folded) []*schema.Decoded {
	out := make([]*schema.Decoded, len(envs))
	dir := s.Directory()
	parallelRanges(len(envs), func(lo, hi int) {
		// A read transaction is opened only if the presence filter cannot
		// answer: opening one waits for the commit in flight, and a
		// catch-up would wait on each.
		var txn *badger.Txn
		sess := s.verify.Session() // the range's ops are in order: see VerifySession
		defer func() {
			if txn != nil {
				txn.Discard()
			}
		}()
		known := func(id schema.OpID) bool {
			k := opKey(id)
			if !s.mayHave(k) {
				return false
			}
			if txn == nil {
				txn = s.db.NewTransaction(false)
			}
			ok, err := has(txn, k)
			return ok && err == nil
		}
		for i := lo; i < hi; i++ {
			d, id, err := schema.DecodeNew(envs[i], sess, known)
			switch {
			case err != nil:
				results[i] = crdt.Result{ID: id, Outcome: crdt.Rejected, Err: err}
			case d == nil:
				results[i] = crdt.Result{ID: id, Outcome: crdt.Duplicate}
			default:
				out[i] = d
				folds[i] = s.fold(dir, d, false)
			}
		}
	})
	return out
}

// filterScope drops member ops of ledgers scope is not a stakeholder of,
// judging a ledger by its stored state or, if that does not make scope a
// stakeholder, by its state with these ops folded in. Of a ledger it is no
// stakeholder of now, it keeps the ops up to the last one that scope or a
// subordinate wrote or that ended a stake of scope's (see crdt.HoldsUpTo).
func (s *Store) filterScope(decoded []*schema.Decoded, results []crdt.Result, scope schema.CommitteeID) {
	dir := s.Directory()
	if scope == dir.Root {
		return // a superior of every home: every ledger is in scope
	}
	byLedger := map[schema.LedgerID][]int{}
	for i, d := range decoded {
		if d != nil && !d.Op.Ledger.IsDirectory() {
			byLedger[d.Op.Ledger] = append(byLedger[d.Op.Ledger], i)
		}
	}
	rd := s.NewReader()
	defer rd.Close()
	for id, idx := range byLedger {
		held, err := rd.LedgerScope(id)
		if err == nil && crdt.IsStakeholder(dir, held, scope) {
			continue
		}
		if errors.Is(err, ErrNotFound) && len(idx) == 1 {
			if b, ok := decoded[idx[0]].Body.(*schema.MemberCreateBody); ok {
				// A new ledger arriving as its create alone, the common case
				// of a catch-up: its home decides. If the create is valid,
				// the fold below gives the same home; if not, the fold
				// leaves nothing to judge by and the op goes on to be
				// judged by the store either way.
				created := &crdt.Ledger{ID: id, Home: crdt.Register{{V: string(b.Home)}}}
				if crdt.IsStakeholder(dir, created, scope) {
					continue
				}
			}
		}
		ops := make([]*schema.Decoded, 0, len(idx))
		if err == nil {
			if stored, err := s.LedgerOps(id); err == nil {
				for _, env := range stored {
					if d, err := schema.DecodeStored(env); err == nil {
						ops = append(ops, d)
					}
				}
			}
		}
		for _, i := range idx {
			ops = append(ops, decoded[i])
		}
		folded, _ := crdt.Rebuild(dir, id, ops)
		if folded.Created() && crdt.IsStakeholder(dir, folded, scope) {
			continue
		}
		if !folded.Created() && err != nil {
			// Nothing to judge by yet (ops without their create): let them
			// park; a later fetch of the ledger brings the create.
			continue
		}
		var up crdt.Key
		holds := false
		if folded.Created() {
			batch := make([]*schema.Decoded, len(idx))
			for j, i := range idx {
				batch[j] = decoded[i]
			}
			up, holds, _ = crdt.HoldsUpTo(dir, folded, scope, batch, func() ([]*schema.Decoded, error) { return ops, nil })
		}
		for _, i := range idx {
			d := decoded[i]
			if holds && !up.Less(crdt.KeyOf(d)) {
				continue
			}
			results[i] = crdt.Result{ID: d.ID, Ledger: id, Outcome: crdt.Rejected,
				Err: fmt.Errorf("%w: this committee is not a stakeholder of member %s", ErrOutOfScope, id)}
			decoded[i] = nil
		}
	}
}
