package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"lienthong/crdt"
	"lienthong/internal/calendar"
	"lienthong/schema"
)

// view is a committee's subtree in the directory as it stands (the
// current charters, revoked committees included).
type view struct {
	dir *crdt.Directory
	// order lists the subtree in tree order: each committee before its
	// children, children by name (Vietnamese collation) then ID.
	order []schema.CommitteeID
	in    map[schema.CommitteeID]bool
}

// newView indexes the directory once: the directory's own Subtree asks
// every charter for each committee's children.
func newView(dir *crdt.Directory, root schema.CommitteeID) *view {
	v := &view{dir: dir, in: map[schema.CommitteeID]bool{}}
	if _, ok := dir.Current(root); !ok {
		return v
	}
	kids := map[schema.CommitteeID][]schema.CommitteeID{}
	for id, hist := range dir.Charters {
		if p := hist[len(hist)-1].Parent; p != "" && p != id {
			kids[p] = append(kids[p], id)
		}
	}
	coll := collate.New(language.Vietnamese)
	var walk func(c schema.CommitteeID)
	walk = func(c schema.CommitteeID) {
		if v.in[c] {
			return
		}
		v.in[c] = true
		v.order = append(v.order, c)
		ks := kids[c]
		slices.SortFunc(ks, func(a, b schema.CommitteeID) int {
			if c := coll.CompareString(nameOf(dir, a), nameOf(dir, b)); c != 0 {
				return c
			}
			return strings.Compare(string(a), string(b))
		})
		for _, k := range ks {
			walk(k)
		}
	}
	walk(root)
	return v
}

// has reports whether c is the root of the view or below it.
func (v *view) has(c schema.CommitteeID) bool { return v.in[c] }

// holds reports whether a ledger is in the view: its home (any concurrent
// value) or a committee its open workflows name is in it.
func (v *view) holds(l *crdt.Ledger) bool {
	for _, c := range l.Named() {
		if v.in[c] {
			return true
		}
	}
	return false
}

func nameOf(dir *crdt.Directory, c schema.CommitteeID) string {
	if ch, ok := dir.Current(c); ok {
		return ch.Name
	}
	return ""
}

func parentOf(dir *crdt.Directory, c schema.CommitteeID) schema.CommitteeID {
	if ch, ok := dir.Current(c); ok {
		return ch.Parent
	}
	return ""
}

// label names a committee for clerks: its name, or its short ID when the
// directory has no charter for it.
func label(dir *crdt.Directory, c schema.CommitteeID) string {
	if n := nameOf(dir, c); n != "" {
		return n
	}
	return "đơn vị " + c.Short()
}

// date parses a state date; ok is false for an empty or malformed one.
func date(s string) (calendar.Date, bool) {
	if s == "" {
		return calendar.Date{}, false
	}
	d, err := calendar.ParseISO(s)
	return d, err == nil
}

// addMonths adds n months, keeping the day or clamping it to the month's
// last day (31 August + 6 months is 28 or 29 February).
func addMonths(d calendar.Date, n int) calendar.Date {
	m := int(d.Month) - 1 + n
	y := d.Year + m/12
	m %= 12
	if m < 0 {
		m += 12
		y--
	}
	out := calendar.NewDate(y, time.Month(m+1), d.Day)
	for !out.IsValid() && out.Day > 28 {
		out.Day--
	}
	return out
}

func dmy(d calendar.Date) string { return d.FormatDMY() }

// percent formats a share for people, with a decimal comma: "11,0%".
func percent(num, den int) string {
	if den == 0 {
		return "0%"
	}
	s := fmt.Sprintf("%.1f%%", float64(num)*100/float64(den))
	return strings.Replace(s, ".", ",", 1)
}

func maxDate(a, b calendar.Date) calendar.Date {
	if a.After(b) {
		return a
	}
	return b
}

// span is a closed interval of days; an open span has no end.
type span struct {
	from, to calendar.Date
	open     bool
}

func (s span) overlaps(from, to calendar.Date) bool {
	if s.from.After(to) {
		return false
	}
	return s.open || !s.to.Before(from)
}

// exemptionSpan is the days an exemption is in force, as
// crdt.Exemption.CoversDate reads it: from From, through Until for a
// temporary one, up to the day before it was ended.
func exemptionSpan(e *crdt.Exemption) (span, bool) {
	from, ok := date(e.From)
	if !ok {
		return span{}, false
	}
	s := span{from: from, open: true}
	if e.Type == schema.ExemptTemporary {
		until, ok := date(e.Until)
		if !ok {
			return span{}, false
		}
		s.to, s.open = until, false
	}
	if ended, ok := date(e.Ended); ok {
		last := ended.AddDays(-1)
		if s.open || last.Before(s.to) {
			s.to, s.open = last, false
		}
	}
	if !s.open && s.to.Before(s.from) {
		return span{}, false
	}
	return s, true
}

// exemptDuring reports whether an exemption is in force on some day of
// [from, to].
func exemptDuring(l *crdt.Ledger, from, to calendar.Date) bool {
	for i := range l.Exemptions {
		if s, ok := exemptionSpan(&l.Exemptions[i]); ok && s.overlaps(from, to) {
			return true
		}
	}
	return false
}

func exemptOn(l *crdt.Ledger, d calendar.Date) *crdt.Exemption { return l.ExemptOn(d.String()) }

// createdHome is the home the ledger was opened with.
func createdHome(l *crdt.Ledger) schema.CommitteeID {
	for _, ev := range l.History {
		if ev.Kind == schema.KindMemberCreate {
			return schema.CommitteeID(ev.Changes["home"])
		}
	}
	return l.HomeCommittee()
}

// newHome is where an accepted official transfer moved the records.
func newHome(t *crdt.Transfer) schema.CommitteeID {
	if t.Cell != "" {
		return t.Cell
	}
	return t.Destination
}

// homeOn is the member's home on day d: the home the ledger was opened
// with, moved by each official transfer accepted on or before d. When no
// transfer was accepted after d it is the home register's winner.
func homeOn(l *crdt.Ledger, d calendar.Date) schema.CommitteeID {
	type move struct {
		on calendar.Date
		to schema.CommitteeID
	}
	var moves []move
	later := false
	for i := range l.Transfers {
		t := &l.Transfers[i]
		acc, ok := date(t.Accepted)
		if t.Type != schema.TransferOfficial || !ok {
			continue
		}
		if acc.After(d) {
			later = true
			continue
		}
		moves = append(moves, move{acc, newHome(t)})
	}
	if !later {
		return l.HomeCommittee()
	}
	slices.SortStableFunc(moves, func(a, b move) int { return a.on.Compare(b.on) })
	h := createdHome(l)
	for _, m := range moves {
		h = m.to
	}
	return h
}
