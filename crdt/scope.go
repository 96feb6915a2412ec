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
