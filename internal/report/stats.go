package report

import (
	"iter"
	"slices"

	"lienthong/crdt"
	"lienthong/internal/calendar"
	"lienthong/schema"
)

// Statistics are the figures of a committee's subtree: one row per unit in
// tree order, and their total.
type Statistics struct {
	Scope schema.CommitteeID `json:"scope"`
	From  calendar.Date      `json:"from"`
	To    calendar.Date      `json:"to"`
	// RatingYear is the year of To: the ratings counted.
	RatingYear int         `json:"rating_year"`
	Units      []UnitStats `json:"units"`
	Total      UnitStats   `json:"total"`
}

// UnitStats are the figures of one committee, for the members homed at it
// (not below it: a superior's figures are the sum of its rows).
type UnitStats struct {
	Committee schema.CommitteeID `json:"committee,omitempty"`
	Name      string             `json:"name"`
	Level     string             `json:"level,omitempty"`
	Parent    schema.CommitteeID `json:"parent,omitempty"`
	Depth     int                `json:"depth"` // 0 for the scope
	Revoked   bool               `json:"revoked,omitempty"`

	// Official counts the members homed here whose status is not left,
	// exempt ones included.
	Official int `json:"official"`
	// Temporary counts the members here on an accepted temporary transfer
	// running on To (not in the official headcount).
	Temporary    int `json:"temporary"`
	Probationary int `json:"probationary"`
	// Exempt counts the official members exempt on To; ExemptionRate is
	// Exempt / Official.
	Exempt        int     `json:"exempt"`
	ExemptionRate float64 `json:"exemption_rate"`

	Movements Movements    `json:"movements"`
	Ratings   RatingCounts `json:"ratings"`
}

// Movements count the changes dated in [From, To], at the unit the member
// was homed in on the day.
type Movements struct {
	Admitted       int `json:"admitted"`
	Full           int `json:"full"`
	TransferredIn  int `json:"transferred_in"`  // official transfers accepted here
	TransferredOut int `json:"transferred_out"` // official transfers accepted elsewhere
	TemporaryIn    int `json:"temporary_in"`
	TemporaryOut   int `json:"temporary_out"`
	Died           int `json:"died"`
	Removed        int `json:"removed"`
	Expelled       int `json:"expelled"`
	Resigned       int `json:"resigned"`
}

// RatingCounts count the ratings of the year by level, at the unit the
// member was homed in when rated; Unrated counts the official members
// homed here who need a rating (not exempt at the year's end) and have
// none.
type RatingCounts struct {
	Excellent    int `json:"excellent"`
	Good         int `json:"good"`
	Fulfilled    int `json:"fulfilled"`
	NotFulfilled int `json:"not_fulfilled"`
	Unrated      int `json:"unrated"`
}

// add adds sign × o.
func (m *Movements) add(o Movements, sign int) {
	m.Admitted += sign * o.Admitted
	m.Full += sign * o.Full
	m.TransferredIn += sign * o.TransferredIn
	m.TransferredOut += sign * o.TransferredOut
	m.TemporaryIn += sign * o.TemporaryIn
	m.TemporaryOut += sign * o.TemporaryOut
	m.Died += sign * o.Died
	m.Removed += sign * o.Removed
	m.Expelled += sign * o.Expelled
	m.Resigned += sign * o.Resigned
}

func (m *Movements) count(kind string) {
	switch kind {
	case schema.MoveAdmitted:
		m.Admitted++
	case schema.MoveFull:
		m.Full++
	case schema.MoveDied:
		m.Died++
	case schema.MoveRemoved:
		m.Removed++
	case schema.MoveExpelled:
		m.Expelled++
	case schema.MoveResigned:
		m.Resigned++
	}
}

func (r *RatingCounts) count(level string) {
	switch level {
	case schema.RatingExcellent:
		r.Excellent++
	case schema.RatingGood:
		r.Good++
	case schema.RatingFulfilled:
		r.Fulfilled++
	case schema.RatingNotFulfilled:
		r.NotFulfilled++
	}
}

// add adds sign × o's counts.
func (u *UnitStats) add(o *UnitStats, sign int) {
	u.Official += sign * o.Official
	u.Temporary += sign * o.Temporary
	u.Probationary += sign * o.Probationary
	u.Exempt += sign * o.Exempt
	u.Movements.add(o.Movements, sign)
	u.Ratings.Excellent += sign * o.Ratings.Excellent
	u.Ratings.Good += sign * o.Ratings.Good
	u.Ratings.Fulfilled += sign * o.Ratings.Fulfilled
	u.Ratings.NotFulfilled += sign * o.Ratings.NotFulfilled
	u.Ratings.Unrated += sign * o.Ratings.Unrated
}

func (u *UnitStats) rate() {
	u.ExemptionRate = 0
	if u.Official > 0 {
		u.ExemptionRate = float64(u.Exempt) / float64(u.Official)
	}
}

// Stats computes the figures of scope's subtree: headcounts as the ledgers
// stand (status, home), read on day to for dated periods (exemptions,
// temporary transfers); movements dated in [from, to]; ratings for the year
// of to.
func Stats(dir *crdt.Directory, ledgers iter.Seq[*crdt.Ledger], scope schema.CommitteeID, from, to calendar.Date) Statistics {
	return fill(NewStatsBook(dir, scope, from, to), ledgers).Stats()
}

// StatsBook keeps what Stats counts, ledger by ledger, for one directory,
// scope and period: after a change to a few ledgers, putting those again
// gives the figures of the whole set without reading the others.
type StatsBook struct {
	st       Statistics
	rows     map[schema.CommitteeID]*UnitStats // into st.Units
	from, to calendar.Date
	per      map[schema.LedgerID][]counted
}

// counted is what one ledger counts for at one unit.
type counted struct {
	unit schema.CommitteeID
	u    UnitStats
}

// NewStatsBook returns an empty book for scope's subtree over [from, to].
func NewStatsBook(dir *crdt.Directory, scope schema.CommitteeID, from, to calendar.Date) *StatsBook {
	b := &StatsBook{st: Statistics{Scope: scope, From: from, To: to, RatingYear: to.Year, Total: UnitStats{Name: "Tổng cộng"}},
		rows: map[schema.CommitteeID]*UnitStats{}, from: from, to: to, per: map[schema.LedgerID][]counted{}}
	depth := map[schema.CommitteeID]int{}
	for _, c := range newView(dir, scope).order {
		ch, _ := dir.Current(c)
		if c != scope {
			depth[c] = depth[ch.Parent] + 1
		}
		_, revoked := dir.Revocations[c]
		b.st.Units = append(b.st.Units, UnitStats{Committee: c, Name: ch.Name, Level: ch.Level, Parent: ch.Parent, Depth: depth[c], Revoked: revoked})
	}
	for i := range b.st.Units {
		b.rows[b.st.Units[i].Committee] = &b.st.Units[i]
	}
	return b
}

// Put takes l's current state in place of what the book had for it.
func (b *StatsBook) Put(l *crdt.Ledger) {
	b.Remove(l.ID)
	if !l.Created() {
		return
	}
	var cs []counted
	for _, c := range b.count(l) {
		if r, ok := b.rows[c.unit]; ok { // outside the subtree: counted nowhere
			r.add(&c.u, 1)
			cs = append(cs, c)
		}
	}
	if len(cs) > 0 {
		b.per[l.ID] = cs
	}
}

// Remove forgets ledger id (one no longer held).
func (b *StatsBook) Remove(id schema.LedgerID) {
	for _, c := range b.per[id] {
		b.rows[c.unit].add(&c.u, -1)
	}
	delete(b.per, id)
}

// Stats returns the figures of every ledger in the book. The caller owns
// them.
func (b *StatsBook) Stats() Statistics {
	st := b.st
	st.Units = slices.Clone(b.st.Units)
	for i := range st.Units {
		st.Units[i].rate()
		st.Total.add(&st.Units[i], 1)
	}
	st.Total.rate()
	return st
}

// count lists what l counts for, unit by unit: headcounts as the ledger
// stands (status, home), read on day to for dated periods (exemptions,
// temporary transfers); movements dated in [from, to]; ratings for the
// year of to.
func (b *StatsBook) count(l *crdt.Ledger) []counted {
	var cs []counted
	// row's answer is used at once: a later call may move it.
	row := func(c schema.CommitteeID) *UnitStats {
		for i := range cs {
			if cs[i].unit == c {
				return &cs[i].u
			}
		}
		cs = append(cs, counted{unit: c})
		return &cs[len(cs)-1].u
	}
	from, to := b.from, b.to
	inRange := func(d calendar.Date) bool { return !d.Before(from) && !d.After(to) }
	year := to.Year
	home := l.HomeCommittee()
	if l.Status != schema.StatusLeft {
		r := row(home)
		r.Official++
		if l.Status == schema.StatusProbationary {
			r.Probationary++
		}
		if exemptOn(l, to) != nil {
			r.Exempt++
		}
		if needsRating(l, year) && l.RatingFor(year) == nil {
			r.Ratings.Unrated++
		}
	}
	if rt := l.RatingFor(year); rt != nil {
		on, ok := date(rt.Date)
		if !ok {
			on = calendar.NewDate(year, 12, 31)
		}
		row(homeOn(l, on)).Ratings.count(rt.Level)
	}
	for _, ev := range l.History {
		if ev.Movement == nil {
			continue
		}
		if d, ok := date(ev.Movement.Date); ok && inRange(d) {
			row(homeOn(l, d)).Movements.count(ev.Movement.Type)
		}
	}
	for i := range l.Transfers {
		t := &l.Transfers[i]
		acc, ok := date(t.Accepted)
		if !ok {
			continue
		}
		dest := newHome(t)
		if t.Type == schema.TransferTemporary {
			ended, isEnded := date(t.Ended)
			if !acc.After(to) && (!isEnded || ended.After(to)) {
				row(dest).Temporary++
			}
			if inRange(acc) {
				row(dest).Movements.TemporaryIn++
				row(t.From).Movements.TemporaryOut++
			}
			continue
		}
		if inRange(acc) {
			row(dest).Movements.TransferredIn++
			row(t.From).Movements.TransferredOut++
		}
	}
	return cs
}
