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
