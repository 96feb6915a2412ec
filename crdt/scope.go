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

// endsStake reports whether an op of kind k can end a committee's stake: an
// accepted transfer moves the home (and ends a residence link), and the
// ends of residence links, transfers and leaves. Between two such ops the
// committees a ledger names only grow.
func endsStake(k schema.Kind) bool {
	switch k {
	case schema.KindTransferAccept, schema.KindTransferEnd, schema.KindResidenceEnd, schema.KindLeaveEnd:
		return true
	}
	return false
}

// LastStakeEnd returns the fold key of the last applied op that can end a
// committee's stake. A committee that is not a stakeholder now had no stake
// in any op sorting after it.
func (l *Ledger) LastStakeEnd() (Key, bool) {
	for i := len(l.DAG.Ops) - 1; i >= 0; i-- {
		if m := &l.DAG.Ops[i]; endsStake(m.Kind) {
			return Key{HLC: m.HLC, ID: m.ID}, true
		}
	}
	return Key{}, false
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

// StakeEnd is, for a committee c that is not a stakeholder of ledger l now,
// the fold key of the op that ended its last stake: the last op before
// which c was a stakeholder. c may hold every op of l that sorts at or
// before it, those written concurrently with the end of its stake
// included: they were written while it was one. ok is false when c never
// was a stakeholder. ops returns l's accepted ops (the fold of what it
// returns must be l); it is called only when l's state leaves the question
// open.
func StakeEnd(dir *Directory, l *Ledger, c schema.CommitteeID, ops func() ([]*schema.Decoded, error)) (end Key, ok bool, err error) {
	if _, closed := l.LastStakeEnd(); !closed || !l.onceNamed(dir, c) {
		return Key{}, false, nil
	}
	all, err := ops()
	if err != nil {
		return Key{}, false, err
	}
	folded := NewLedger(l.ID)
	fold(all, func(d *schema.Decoded) error {
		was := folded.Created() && IsStakeholder(dir, folded, c)
		if err := Apply(dir, folded, d); err != nil {
			return err
		}
		if was {
			end, ok = KeyOf(d), true
		}
		return nil
	})
	return end, ok, nil
}
