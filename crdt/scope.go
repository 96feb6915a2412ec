package crdt

import (
	"math"
	"slices"

	"lienthong/schema"
)

// Now is the clock to ask the directory about "as things stand".
const Now = schema.HLC(math.MaxUint64)

// Named lists the committees a ledger's current state names: its home (every
// concurrent value), and those its open workflows name (residence committee
// and cell, transfer and leave destinations). With their
// ancestors they are the ledger's stakeholders.
func (l *Ledger) Named() []schema.CommitteeID {
	var out []schema.CommitteeID
	for _, v := range l.Home {
		out = append(out, schema.CommitteeID(v.V))
	}
	out = append(out, l.namedByWorkflows()...)
	slices.Sort(out)
	return slices.Compact(out)
}

// IsStakeholder reports whether committee c may hold ledger l: c is a
// committee l names, or a superior of one, in the directory as it stands.
func IsStakeholder(dir *Directory, l *Ledger, c schema.CommitteeID) bool {
	for _, n := range l.Named() {
		if dir.IsAncestorAt(c, n, Now) {
			return true
		}
	}
	return false
}

// Stakeholders lists every committee that may hold ledger l.
func Stakeholders(dir *Directory, l *Ledger) []schema.CommitteeID {
	var out []schema.CommitteeID
	for _, n := range l.Named() {
		chain, _ := dir.Chain(n, Now)
		out = append(out, chain...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Closes lists the committees whose stake in l an op of this kind and body
// ends (the sending side of an accepted official transfer, the other side
// of a link, leave or temporary transfer that ends). They still receive that
// op, so each side learns how the workflow ended.
func Closes(l *Ledger, body any) []schema.CommitteeID {
	ref, ok := refOf(body)
	if !ok {
		return nil
	}
	var out []schema.CommitteeID
	if t := l.transfer(ref); t != nil {
		out = append(out, t.From, t.Destination)
		if t.Cell != "" {
			out = append(out, t.Cell)
		}
		// An accepted official transfer ends the residence link too.
		for i := range l.Residence {
			if r := &l.Residence[i]; r.EndReason == EndedByTransfer && r.Ended == t.Accepted {
				out = append(out, r.Residence)
				if r.Cell != "" {
					out = append(out, r.Cell)
				}
			}
		}
	}
	if r := l.residence(ref); r != nil {
		out = append(out, r.Residence)
		if r.Cell != "" {
			out = append(out, r.Cell)
		}
	}
	if v := l.leave(ref); v != nil && v.Destination != "" {
		out = append(out, v.Destination)
	}
	return out
}

// HasClosed reports whether any workflow of l has ended, so that Closes may
// name committees that are no longer stakeholders.
func (l *Ledger) HasClosed() bool {
	for i := range l.Transfers {
		if !l.Transfers[i].Open() {
			return true
		}
	}
	for i := range l.Residence {
		if !l.Residence[i].Active() {
			return true
		}
	}
	for i := range l.Leaves {
		if l.Leaves[i].Ended != "" {
			return true
		}
	}
	return false
}

// EndsStake reports whether an op of kind k can end a committee's stake: an
// accepted transfer moves the home (and ends a residence link), and the
// ends of residence links, transfers and leaves.
func EndsStake(k schema.Kind) bool {
	switch k {
	case schema.KindTransferAccept, schema.KindTransferEnd, schema.KindResidenceEnd, schema.KindLeaveEnd:
		return true
	}
	return false
}

// onceNamed reports whether c is, or is a superior of, a committee that l
// names now or named once: a former home (the sending side of a transfer),
// the other side of an ended link, transfer or leave.
func (l *Ledger) onceNamed(dir *Directory, c schema.CommitteeID) bool {
	var named []schema.CommitteeID
	for _, v := range l.Home {
		named = append(named, schema.CommitteeID(v.V))
	}
	for i := range l.Residence {
		r := &l.Residence[i]
		named = append(named, r.Home, r.Residence, r.Cell)
	}
	for i := range l.Transfers {
		t := &l.Transfers[i]
		named = append(named, t.From, t.Destination, t.Cell)
	}
	for i := range l.Leaves {
		named = append(named, l.Leaves[i].Destination)
	}
	for _, n := range named {
		if n != "" && dir.IsAncestorAt(c, n, Now) {
			return true
		}
	}
	return false
}

// HoldsUpTo is, for a committee c that is not a stakeholder of ledger l
// now, the fold key up to which c may hold l's ops: the last op that c or a
// subordinate wrote, or that ended a stake of c's (see Closes). Every
// committee's superiors up to the network root carry its writes toward the
// ledger's stakeholders (the root is one), whether or not they are
// stakeholders themselves, so they hold what those writes follow; and a
// committee learns how its stake ended, with the ops written concurrently
// with that end which sort before it. ok is false when no op qualifies.
// extra are ops not (yet) in l to count as well (their authors only).
// closing returns the ops of l that can end a stake, with their bodies; it
// is called only when l's state leaves their verdict open.
func HoldsUpTo(dir *Directory, l *Ledger, c schema.CommitteeID, extra []*schema.Decoded, closing func() ([]*schema.Decoded, error)) (up Key, ok bool, err error) {
	under := map[schema.CommitteeID]bool{}
	by := func(a schema.CommitteeID) bool {
		u, seen := under[a]
		if !seen {
			u = dir.IsAncestorAt(c, a, Now)
			under[a] = u
		}
		return u
	}
	raise := func(k Key) {
		if !ok || up.Less(k) {
			up, ok = k, true
		}
	}
	for i := len(l.DAG.Ops) - 1; i >= 0; i-- {
		if m := &l.DAG.Ops[i]; by(m.Author) {
			raise(Key{HLC: m.HLC, ID: m.ID})
			break
		}
	}
	for _, d := range extra {
		if by(d.Op.Author) {
			raise(KeyOf(d))
		}
	}
	var last Key
	found := false
	for i := len(l.DAG.Ops) - 1; i >= 0 && !found; i-- {
		if m := &l.DAG.Ops[i]; EndsStake(m.Kind) {
			last, found = Key{HLC: m.HLC, ID: m.ID}, true
		}
	}
	if !found || ok && !up.Less(last) || !l.onceNamed(dir, c) {
		return up, ok, nil
	}
	ops, err := closing()
	if err != nil {
		return up, ok, err
	}
	for _, d := range ops {
		if _, in := l.DAG.Get(d.ID); !in || !EndsStake(d.Op.Kind) || ok && !up.Less(KeyOf(d)) {
			continue
		}
		for _, n := range Closes(l, d.Body) {
			if dir.IsAncestorAt(c, n, Now) {
				raise(KeyOf(d))
				break
			}
		}
	}
	return up, ok, nil
}
