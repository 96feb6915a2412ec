package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strings"

	"lienthong/crdt"
	"lienthong/internal/calendar"
	"lienthong/schema"
)

// Rule identifiers: stable, for filters and translations.
const (
	RuleTransferPresentation     = "transfer.presentation_overdue"
	RuleTransferStartLate        = "transfer.start_late"
	RuleTransferTemporaryExpired = "transfer.temporary_expired"
	RuleLeaveExpiring            = "leave.expiring"
	RuleLeaveExpired             = "leave.expired"
	RuleLeaveReviewMissing       = "leave.review_missing"
	RuleLeavePromptTransfer      = "leave.prompt_transfer"
	RuleExemptionRateHigh        = "exemption.rate_high"
	RuleExemptionExpired         = "exemption.expired"
	RuleResidenceNotAccepted     = "residence.not_accepted"
	RuleResidenceNoMeeting       = "residence.no_meeting"
	RuleResidenceAbsences        = "residence.absences"
	RuleResidenceRequestMissing  = "residence.request_missing"
	RuleResidenceCommentMissing  = "residence.comment_missing"
	RuleMembershipFullDue        = "membership.full_due"
	RuleInactivityRemoval        = "inactivity.removal_proposal"
	RuleRatingMissing            = "rating.missing"
	RuleRatingQuota              = "rating.quota"
)

// Rules lists every rule identifier, sorted.
var Rules = func() []string {
	r := []string{
		RuleTransferPresentation, RuleTransferStartLate, RuleTransferTemporaryExpired,
		RuleLeaveExpiring, RuleLeaveExpired, RuleLeaveReviewMissing, RuleLeavePromptTransfer,
		RuleExemptionRateHigh, RuleExemptionExpired,
		RuleResidenceNotAccepted, RuleResidenceNoMeeting, RuleResidenceAbsences,
		RuleResidenceRequestMissing, RuleResidenceCommentMissing,
		RuleMembershipFullDue, RuleInactivityRemoval, RuleRatingMissing, RuleRatingQuota,
	}
	slices.Sort(r)
	return r
}()

// Severities.
const (
	SeverityDue     = "due"     // the deadline is near, today, or the item is owed now
	SeverityOverdue = "overdue" // the deadline has passed
)

// Alert is one item a committee must act on.
type Alert struct {
	Rule       string          `json:"rule"`
	Severity   string          `json:"severity"`
	Member     schema.LedgerID `json:"-"` // zero for an alert about a unit
	MemberName string          `json:"member_name,omitempty"`
	// Home is the member's home committee; for an alert about a unit, the
	// unit.
	Home     schema.CommitteeID `json:"home"`
	HomeName string             `json:"home_name"`
	// Due is the deadline: the item is late from the day after.
	Due calendar.Date `json:"due"`
	// Acting is the committee that must act.
	Acting     schema.CommitteeID `json:"acting"`
	ActingName string             `json:"acting_name"`
	// Detail says what is owed, in Vietnamese, for clerks.
	Detail string `json:"detail"`
	// Ref is the op ID of the workflow item (the letter, the leave, ...);
	// empty for an alert about a unit.
	Ref string `json:"ref,omitempty"`
}

// MarshalJSON writes Member as its hex ID (omitted for a unit alert).
func (a Alert) MarshalJSON() ([]byte, error) {
	type plain Alert
	return json.Marshal(struct {
		plain
		Member string `json:"member,omitempty"`
	}{plain(a), ledgerText(a.Member)})
}

func ledgerText(id schema.LedgerID) string {
	if id == (schema.LedgerID{}) {
		return ""
	}
	return id.String()
}

func compareAlerts(a, b Alert) int {
	return cmp.Or(
		a.Due.Compare(b.Due),
		strings.Compare(a.Rule, b.Rule),
		bytes.Compare(a.Member[:], b.Member[:]), // as their hex, without making it
		strings.Compare(string(a.Home), string(b.Home)),
		strings.Compare(string(a.Acting), string(b.Acting)),
		strings.Compare(a.Ref, b.Ref),
		strings.Compare(a.Detail, b.Detail),
	)
}

// Alerts lists every due or overdue item on day at for scope and the
// committees below it, sorted by due date, rule and member.
//
// A ledger is considered when its home, or a committee its open workflows
// name, is scope or below it; an alert is kept when the committee that must
// act is scope or below it. So a superior sees what its subordinates owe,
// and a cell does not see what its superior owes. Members whose status is
// left get no alerts: what they still hold open is a reconciliation matter
// (see Reconcile). Unit rules (exemption.rate_high, rating.quota) are
// evaluated for every committee of the subtree over the members homed at
// it or below.
//
// ledgers is read once, one ledger at a time: a caller can feed them from
// the store without holding them all.
func Alerts(dir *crdt.Directory, ledgers iter.Seq[*crdt.Ledger], scope schema.CommitteeID, at calendar.Date, cfg Config) []Alert {
	return fill(NewAlertBook(dir, scope, at, cfg), ledgers).Alerts()
}

// fill puts every ledger of ledgers into book, one at a time.
func fill[B interface{ Put(*crdt.Ledger) }](book B, ledgers iter.Seq[*crdt.Ledger]) B {
	for l := range ledgers {
		if l != nil {
			book.Put(l)
		}
	}
	return book
}

// AlertBook keeps what Alerts finds, ledger by ledger, for one directory,
// scope, day and rules: the alerts about each member and what it counts
// for the unit rules. After a change to a few ledgers, putting those again
// gives the alerts of the whole set without reading the others.
type AlertBook struct {
	a    *alerter
	year int
	per  map[schema.LedgerID]booked
	// ids holds each committee ID of the directory once: what the book
	// keeps names a committee with it, not with a copy read from a ledger.
	ids    map[schema.CommitteeID]schema.CommitteeID
	exempt map[schema.CommitteeID]counts // members, exempt: by home
	rated  map[schema.CommitteeID]counts // ratings of year by level: by home then
}

// booked is what one ledger contributes.
type booked struct {
	alerts               []Alert
	exemptHome, rateHome schema.CommitteeID
	exempt, rated        counts
	countsExempt, rates  bool
}

// NewAlertBook returns an empty book for scope on day at (see Alerts).
func NewAlertBook(dir *crdt.Directory, scope schema.CommitteeID, at calendar.Date, cfg Config) *AlertBook {
	a := &alerter{dir: dir, cfg: cfg, cal: cfg.calendar(), at: at, in: newView(dir, scope)}
	b := &AlertBook{a: a, year: a.ratingYear(), per: map[schema.LedgerID]booked{},
		exempt: map[schema.CommitteeID]counts{}, rated: map[schema.CommitteeID]counts{},
		ids: make(map[schema.CommitteeID]schema.CommitteeID, len(dir.Charters))}
	for id := range dir.Charters {
		b.ids[id] = id
	}
	return b
}

// Len is the number of ledgers the book holds something for.
func (b *AlertBook) Len() int { return len(b.per) }

// Put takes l's current state in place of what the book had for it.
func (b *AlertBook) Put(l *crdt.Ledger) {
	b.Remove(l.ID)
	if !l.Created() {
		return
	}
	var e booked
	var home schema.CommitteeID
	if home, e.rated, e.rates = countRating(l, b.year); e.rates {
		e.rateHome = b.intern(home)
		add(b.rated, e.rateHome, e.rated, 1)
	}
	if l.Status != schema.StatusLeft {
		home, e.exempt = countExempt(l, b.a.at)
		e.exemptHome, e.countsExempt = b.intern(home), true
		add(b.exempt, e.exemptHome, e.exempt, 1)
		if b.a.in.holds(l) {
			a := b.a
			a.out = nil
			a.transfers(l)
			a.leaves(l)
			a.exemptions(l)
			a.residence(l)
			a.probation(l)
			a.inactivity(l)
			a.rating(l)
			for i := range a.out {
				a.out[i].Home, a.out[i].Acting = b.intern(a.out[i].Home), b.intern(a.out[i].Acting)
			}
			e.alerts, a.out = slices.Clip(a.out), nil
		}
	}
	if e.rates || e.countsExempt || len(e.alerts) > 0 {
		b.per[l.ID] = e
	}
}

// intern returns the directory's copy of committee ID c, or c.
func (b *AlertBook) intern(c schema.CommitteeID) schema.CommitteeID {
	if k, ok := b.ids[c]; ok {
		return k
	}
	return c
}

// Remove forgets ledger id (one no longer held).
func (b *AlertBook) Remove(id schema.LedgerID) {
	e, ok := b.per[id]
	if !ok {
		return
	}
	delete(b.per, id)
	if e.rates {
		add(b.rated, e.rateHome, e.rated, -1)
	}
	if e.countsExempt {
		add(b.exempt, e.exemptHome, e.exempt, -1)
	}
}

// Alerts returns the alerts of every ledger in the book and of the units,
// sorted by due date, rule and member. The caller owns the slice; the
// book keeps no copy of it.
func (b *AlertBook) Alerts() []Alert {
	n := 0
	for _, e := range b.per {
		n += len(e.alerts)
	}
	out := make([]Alert, 0, n)
	for _, e := range b.per {
		out = append(out, e.alerts...)
	}
	a := b.a
	a.out = out
	a.exemptionRates(b.exempt)
	a.ratingQuotas(b.rated, b.year)
	out, a.out = a.out, nil
	slices.SortFunc(out, compareAlerts)
	return out
}

// AlertKind is an alert's rule and severity.
type AlertKind struct{ Rule, Severity string }

// Counts counts what Alerts would list by rule and severity, without
// copying or sorting them.
func (b *AlertBook) Counts() map[AlertKind]int {
	out := map[AlertKind]int{}
	tally := func(as []Alert) {
		for i := range as {
			out[AlertKind{as[i].Rule, as[i].Severity}]++
		}
	}
	for _, e := range b.per {
		tally(e.alerts)
	}
	a := b.a
	a.out = nil
	a.exemptionRates(b.exempt)
	a.ratingQuotas(b.rated, b.year)
	tally(a.out)
	a.out = nil
	return out
}

// add adds sign × c to byHome[home], dropping a tally that comes to zero.
func add(byHome map[schema.CommitteeID]counts, home schema.CommitteeID, c counts, sign int) {
	t := byHome[home]
	for i := range t {
		t[i] += sign * c[i]
	}
	if t == (counts{}) {
		delete(byHome, home)
		return
	}
	byHome[home] = t
}

type alerter struct {
	dir *crdt.Directory
	cfg Config
	cal *calendar.Calendar
	at  calendar.Date
	in  *view
	out []Alert
}

// add records an alert about member l (nil for a unit alert about home)
// if the acting committee is in scope.
func (a *alerter) add(l *crdt.Ledger, home schema.CommitteeID, rule, severity string, due calendar.Date, acting schema.CommitteeID, ref schema.OpID, detail string) {
	if !a.in.has(acting) {
		return
	}
	al := Alert{Rule: rule, Severity: severity, Home: home, HomeName: nameOf(a.dir, home), Due: due,
		Acting: acting, ActingName: nameOf(a.dir, acting), Detail: detail}
	if l != nil {
		al.Member, al.MemberName = l.ID, l.Field("name")
	}
	if ref != (schema.OpID{}) {
		al.Ref = ref.String()
	}
	a.out = append(a.out, al)
}

func (a *alerter) member(l *crdt.Ledger, rule, severity string, due calendar.Date, acting schema.CommitteeID, ref schema.OpID, detail string) {
	a.add(l, l.HomeCommittee(), rule, severity, due, acting, ref, detail)
}

// severity is due up to and on the deadline, overdue after it.
func (a *alerter) severity(due calendar.Date) string {
	if a.at.After(due) {
		return SeverityOverdue
	}
	return SeverityDue
}

func actingOnce(cs ...schema.CommitteeID) []schema.CommitteeID {
	var out []schema.CommitteeID
	for _, c := range cs {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func (a *alerter) transfers(l *crdt.Ledger) {
	for i := range l.Transfers {
		t := &l.Transfers[i]
		if t.Ended != "" {
			continue
		}
		issued, ok := date(t.Date)
		if !ok {
			continue
		}
		kind := "chính thức"
		if t.Type == schema.TransferTemporary {
			kind = "tạm thời"
		}
		// The letter is presented within the limit: the destination, the
		// sending side and its superior are told when it is not.
		if t.Presented == "" && t.Accepted == "" {
			due := a.cal.AddWorkingDays(issued, a.cfg.TransferPresentDays)
			if a.at.After(due) {
				detail := fmt.Sprintf("Giấy giới thiệu sinh hoạt đảng %s đến %s (cấp ngày %s) chưa được xuất trình; hạn %s",
					kind, label(a.dir, t.Destination), dmy(issued), dmy(due))
				for _, c := range actingOnce(t.Destination, t.From, parentOf(a.dir, t.From)) {
					a.member(l, RuleTransferPresentation, SeverityOverdue, due, c, t.Issue, detail)
				}
			}
		}
		// The procedure started within the limit of the move, or the
		// reason is recorded.
		if moved, ok := date(t.MovedOn); ok && t.Open() && t.LateReason == "" {
			due := a.cal.AddWorkingDays(moved, a.cfg.TransferStartDays)
			if issued.After(due) {
				a.member(l, RuleTransferStartLate, SeverityOverdue, due, t.From, t.Issue,
					fmt.Sprintf("Giấy giới thiệu cấp ngày %s, quá %d ngày làm việc kể từ ngày %s (hạn %s), chưa ghi lý do chậm",
						dmy(issued), a.cfg.TransferStartDays, dmy(moved), dmy(due)))
			}
		}
		// A temporary transfer past its end is ended or extended.
		if until, ok := date(t.CurrentUntil()); ok && t.Type == schema.TransferTemporary && a.at.After(until) {
			detail := fmt.Sprintf("Chuyển sinh hoạt đảng tạm thời đến %s đã hết hạn ngày %s nhưng chưa kết thúc hoặc gia hạn",
				label(a.dir, t.Destination), dmy(until))
			for _, c := range actingOnce(t.From, t.Destination) {
				a.member(l, RuleTransferTemporaryExpired, SeverityOverdue, until, c, t.Issue, detail)
			}
		}
	}
}

func (a *alerter) leaves(l *crdt.Ledger) {
	for i := range l.Leaves {
		v := &l.Leaves[i]
		end, ok := date(v.CurrentUntil())
		if !ok {
			continue
		}
		home := l.HomeCommittee()
		if v.Ended == "" {
			switch {
			case a.at.After(end):
				a.member(l, RuleLeaveExpired, SeverityOverdue, end, home, v.Op,
					fmt.Sprintf("Thời hạn đi làm ăn xa đã hết ngày %s nhưng chưa kết thúc hoặc gia hạn", dmy(end)))
			case !a.at.Before(end.AddDays(-a.cfg.LeaveWarnDays)):
				a.member(l, RuleLeaveExpiring, SeverityDue, end, home, v.Op,
					fmt.Sprintf("Thời hạn đi làm ăn xa kết thúc ngày %s: xem xét gia hạn hoặc kết thúc", dmy(end)))
			}
		}
		// On expiry or end the member owes a self-review and, with a party
		// organisation at the destination, its comment.
		due, owed := end, a.at.After(end)
		if ended, ok := date(v.Ended); ok {
			if ended.Before(due) {
				due = ended
			}
			owed = !a.at.Before(due)
		}
		if !owed {
			continue
		}
		if len(v.SelfReviews) == 0 {
			a.member(l, RuleLeaveReviewMissing, a.severity(due), due, home, v.Op,
				fmt.Sprintf("Chưa có bản tự kiểm điểm của đảng viên sau thời gian đi làm ăn xa (kết thúc %s)", dmy(due)))
		}
		if v.Destination != "" && len(v.Comments) == 0 {
			a.member(l, RuleLeaveReviewMissing, a.severity(due), due, v.Destination, v.Op,
				fmt.Sprintf("Chưa có nhận xét của %s về đảng viên đi làm ăn xa (kết thúc %s)", label(a.dir, v.Destination), dmy(due)))
		}
	}
	a.leaveTotal(l)
}

// leaveTotal prompts a transfer when the open leave and the leaves it
// continues add up to LeaveMaxMonths or more.
func (a *alerter) leaveTotal(l *crdt.Ledger) {
	open := l.OpenLeave()
	if open == nil {
		return
	}
	type period struct{ from, to calendar.Date }
	var ps []period
	for i := range l.Leaves {
		v := &l.Leaves[i]
		from, ok1 := date(v.From)
		to, ok2 := date(v.CurrentUntil())
		if ended, ok := date(v.Ended); ok && ended.Before(to) {
			to = ended
		}
		if ok1 && ok2 && !to.Before(from) {
			ps = append(ps, period{from, to})
		}
	}
	slices.SortFunc(ps, func(x, y period) int { return x.from.Compare(y.from) })
	openFrom, ok := date(open.From)
	if !ok {
		return
	}
	// Walk back from the open leave through leaves that end close enough
	// before the next one starts.
	k := slices.IndexFunc(ps, func(p period) bool { return p.from == openFrom })
	if k < 0 {
		return
	}
	first := k
	for first > 0 && ps[first].from.Sub(ps[first-1].to) <= a.cfg.LeaveChainGapDays {
		first--
	}
	days := 0
	for _, p := range ps[first : k+1] {
		days += p.to.Sub(p.from)
	}
	// Months as schema.MonthsBetween counts them, 365.2425/12 days each: a
	// span of limit days or more is LeaveMaxMonths or more.
	limit := (a.cfg.LeaveMaxMonths*3652425 + 119999) / 120000
	if days < limit {
		return
	}
	due := ps[k].to.AddDays(limit - days)
	months := float64(days) * 12 / 365.2425
	a.member(l, RuleLeavePromptTransfer, a.severity(due), due, l.HomeCommittee(), open.Op,
		fmt.Sprintf("Đi làm ăn xa tổng cộng %s tháng (từ %s đến %s), từ %d tháng trở lên: hướng dẫn đảng viên chuyển sinh hoạt đảng",
			strings.Replace(fmt.Sprintf("%.1f", months), ".", ",", 1), dmy(ps[first].from), dmy(ps[k].to), a.cfg.LeaveMaxMonths))
}

func (a *alerter) exemptions(l *crdt.Ledger) {
	for i := range l.Exemptions {
		e := &l.Exemptions[i]
		if e.Type != schema.ExemptTemporary || e.Ended != "" {
			continue
		}
		until, ok := date(e.Until)
		if !ok || !a.at.After(until) {
			continue
		}
		a.member(l, RuleExemptionExpired, SeverityOverdue, until, l.HomeCommittee(), e.Op,
			fmt.Sprintf("Tạm miễn công tác và sinh hoạt đảng (%s) hết hạn ngày %s nhưng chưa có quyết định kết thúc hoặc gia hạn",
				categoryVI(e.Category), dmy(until)))
	}
}

// exemptionRates flags each unit of the subtree where more than
// ExemptionRatePercent of the members homed at it or below (status not
// left) are exempt on day at; byHome counts them (members, exempt) by
// home.
func (a *alerter) exemptionRates(byHome map[schema.CommitteeID]counts) {
	totals := rollUp(a.dir, byHome)
	for _, u := range a.in.order {
		members, exempt := totals[u][0], totals[u][1]
		if members == 0 || exempt*100 <= a.cfg.ExemptionRatePercent*members {
			continue
		}
		a.add(nil, u, RuleExemptionRateHigh, SeverityDue, a.at, u, schema.OpID{},
			fmt.Sprintf("Tỷ lệ đảng viên được miễn công tác và sinh hoạt đảng %d/%d (%s), trên %d%%: rà soát, động viên đảng viên đủ sức khỏe trở lại sinh hoạt",
				exempt, members, percent(exempt, members), a.cfg.ExemptionRatePercent))
	}
}

func (a *alerter) residence(l *crdt.Ledger) {
	r := l.ActiveResidence()
	if r == nil {
		return
	}
	introduced, ok := date(r.Date)
	if !ok {
		return
	}
	accepted, isAccepted := date(r.Accepted)
	if r.Accepted == "" {
		due := a.cal.AddWorkingDays(introduced, a.cfg.ResidenceAcceptDays)
		if a.at.After(due) {
			a.member(l, RuleResidenceNotAccepted, SeverityOverdue, due, r.Residence, r.Intro,
				fmt.Sprintf("Giấy giới thiệu đảng viên về nơi cư trú (Mẫu 1-213) ngày %s chưa được %s tiếp nhận; hạn %s",
					dmy(introduced), label(a.dir, r.Residence), dmy(due)))
		}
		return
	}
	if !isAccepted {
		return
	}
	year := a.at.Year
	// Absences without reason in the calendar year, the last record of each
	// meeting counting.
	status := map[calendar.Date]string{}
	for _, rec := range r.Attendance {
		if d, ok := date(rec.Meeting); ok && !d.After(a.at) {
			status[d] = rec.Status
		}
	}
	var absences []calendar.Date
	var last calendar.Date
	for d, s := range status {
		if d.After(last) {
			last = d
		}
		if d.Year == year && s == schema.AttendAbsent {
			absences = append(absences, d)
		}
	}
	slices.SortFunc(absences, calendar.Date.Compare)
	if n, k := len(absences), max(a.cfg.AbsenceThreshold, 1); n >= k {
		a.member(l, RuleResidenceAbsences, SeverityDue, absences[k-1], l.HomeCommittee(), r.Intro,
			fmt.Sprintf("Vắng sinh hoạt nơi cư trú không có lý do %d lần trong năm %d (lần gần nhất %s): %s thông báo cho cấp ủy nơi công tác",
				n, year, dmy(absences[n-1]), label(a.dir, r.Residence)))
	}
	if r.ExemptActivity {
		return
	}
	cellOrResidence := r.Residence
	if r.Cell != "" {
		cellOrResidence = r.Cell
	}
	since := maxDate(accepted, last)
	if due := addMonths(since, a.cfg.MeetingMonths); a.at.After(due) {
		what := "tiếp nhận"
		if last == since {
			what = "sinh hoạt gần nhất"
		}
		a.member(l, RuleResidenceNoMeeting, SeverityOverdue, due, cellOrResidence, r.Intro,
			fmt.Sprintf("Không có ghi nhận dự sinh hoạt nơi cư trú từ ngày %s (%s); hạn %s", dmy(since), what, dmy(due)))
	}
	// The annual comment: asked for by the home from RequestFrom, written
	// by the residence side from CommentFrom or from the request.
	commentFrom, ratingFrom := a.cfg.CommentFrom.In(year), a.cfg.RatingFrom.In(year)
	requested := calendar.Date{}
	for _, q := range r.Requests {
		if d, ok := date(q.Date); ok && q.Year == year && (requested.IsZero() || d.Before(requested)) {
			requested = d
		}
	}
	if requested.IsZero() && !a.at.Before(a.cfg.RequestFrom.In(year)) {
		due := commentFrom.AddDays(-1)
		a.member(l, RuleResidenceRequestMissing, a.severity(due), due, l.HomeCommittee(), r.Intro,
			fmt.Sprintf("Chưa gửi phiếu xin ý kiến nhận xét (Mẫu 3-213) năm %d tới %s", year, label(a.dir, r.Residence)))
	}
	commented := slices.ContainsFunc(r.Comments, func(c crdt.Comment) bool { return c.Year == year })
	owedFrom := commentFrom
	if !requested.IsZero() && requested.Before(owedFrom) {
		owedFrom = requested
	}
	if !commented && !a.at.Before(owedFrom) {
		due := ratingFrom.AddDays(-1)
		a.member(l, RuleResidenceCommentMissing, a.severity(due), due, r.Residence, r.Intro,
			fmt.Sprintf("Chưa có nhận xét năm %d của cấp ủy nơi cư trú về đảng viên (hạn %s, trước khi đánh giá, xếp loại)", year, dmy(due)))
	}
}

func (a *alerter) probation(l *crdt.Ledger) {
	if l.Status != schema.StatusProbationary {
		return
	}
	admitted, ok := date(l.Field("admitted"))
	if !ok {
		return
	}
	due := addMonths(admitted, a.cfg.ProbationMonths)
	if a.at.Before(due.AddDays(-a.cfg.ProbationWarnDays)) {
		return
	}
	a.member(l, RuleMembershipFullDue, a.severity(due), due, l.HomeCommittee(), schema.OpID{},
		fmt.Sprintf("Hết thời gian dự bị ngày %s (kết nạp ngày %s): xét công nhận đảng viên chính thức", dmy(due), dmy(admitted)))
}

// inactivity counts, per calendar year up to at, the months recorded without
// activity or dues and without a valid reason, outside any exemption; the
// last record of a month counts.
func (a *alerter) inactivity(l *crdt.Ledger) {
	type rec struct {
		valid bool
		op    schema.OpID
	}
	months := map[calendar.Date]rec{}
	for _, m := range l.Inactive {
		d, ok := date(m.Month + "-01")
		if !ok || d.After(a.at) {
			continue
		}
		months[d] = rec{m.Valid, m.Op}
	}
	byYear := map[int][]calendar.Date{}
	for d, r := range months {
		if r.valid || exemptDuring(l, d, addMonths(d, 1).AddDays(-1)) {
			continue
		}
		byYear[d.Year] = append(byYear[d.Year], d)
	}
	k := max(a.cfg.InactiveMonths, 1)
	for year, ms := range byYear {
		if len(ms) < k {
			continue
		}
		slices.SortFunc(ms, calendar.Date.Compare)
		nth := ms[k-1]
		due := addMonths(nth, 1).AddDays(-1)
		names := make([]string, len(ms))
		for i, m := range ms {
			names[i] = fmt.Sprintf("%02d/%d", int(m.Month), m.Year)
		}
		a.member(l, RuleInactivityRemoval, SeverityDue, due, l.HomeCommittee(), months[nth].op,
			fmt.Sprintf("%d tháng trong năm %d không sinh hoạt hoặc không đóng đảng phí, không có lý do chính đáng (%s): xem xét đề nghị xóa tên",
				len(ms), year, strings.Join(names, ", ")))
	}
}

// needsRating reports whether the member should be rated for year: not
// exempt at the year's end and admitted by then.
func needsRating(l *crdt.Ledger, year int) bool {
	end := calendar.NewDate(year, 12, 31)
	if exemptOn(l, end) != nil {
		return false
	}
	if adm, ok := date(l.Field("admitted")); ok && adm.After(end) {
		return false
	}
	return true
}

// rating flags a member not rated for the year: from RatingFrom for the
// current year, and before it for the year before.
func (a *alerter) rating(l *crdt.Ledger) {
	year, sev := a.ratingYear(), SeverityDue
	if year < a.at.Year {
		sev = SeverityOverdue
	}
	if !needsRating(l, year) || l.RatingFor(year) != nil {
		return
	}
	a.member(l, RuleRatingMissing, sev, calendar.NewDate(year, 12, 31), l.HomeCommittee(), schema.OpID{},
		fmt.Sprintf("Chưa đánh giá, xếp loại chất lượng đảng viên năm %d", year))
}

// ratingYear is the year whose ratings are being decided on day at: the
// current year from RatingFrom, the year before until then.
func (a *alerter) ratingYear() int {
	if a.at.Before(a.cfg.RatingFrom.In(a.at.Year)) {
		return a.at.Year - 1
	}
	return a.at.Year
}

// ratingQuotas flags each unit of the subtree where, for the year being
// rated, the members rated excellent are more than ExcellentPercentOfGood
// of those rated good. A rating counts for the unit the member was homed
// in on the day it was decided, and at every unit above; byHome counts
// them so (countRating).
func (a *alerter) ratingQuotas(byHome map[schema.CommitteeID]counts, year int) {
	totals := rollUp(a.dir, byHome)
	for _, u := range a.in.order {
		excellent, good := totals[u][0], totals[u][1]
		if excellent == 0 || excellent*100 <= a.cfg.ExcellentPercentOfGood*good {
			continue
		}
		a.add(nil, u, RuleRatingQuota, SeverityDue, calendar.NewDate(year, 12, 31), u, schema.OpID{},
			fmt.Sprintf("Năm %d: %d đảng viên hoàn thành xuất sắc nhiệm vụ, vượt %d%% của %d đảng viên hoàn thành tốt nhiệm vụ",
				year, excellent, a.cfg.ExcellentPercentOfGood, good))
	}
}

// countExempt is what l counts for under its home: one member, and one
// exempt if it is exempt on day at.
func countExempt(l *crdt.Ledger, at calendar.Date) (home schema.CommitteeID, c counts) {
	c[0] = 1
	if exemptOn(l, at) != nil {
		c[1] = 1
	}
	return l.HomeCommittee(), c
}

// countRating is what l's rating of year, if it has one, counts for: one
// at its level (in the order of schema.RatingLevels) under the home it had
// on the day the rating was decided. A rating decided stays counted if
// the member leaves later.
func countRating(l *crdt.Ledger, year int) (home schema.CommitteeID, c counts, ok bool) {
	r := l.RatingFor(year)
	if r == nil {
		return "", c, false
	}
	on, ok := date(r.Date)
	if !ok {
		on = calendar.NewDate(year, 12, 31)
	}
	if i := slices.Index(schema.RatingLevels, r.Level); i >= 0 {
		c[i] = 1
	}
	return homeOn(l, on), c, true
}

// counts is a small tally per committee.
type counts [4]int

// rollUp adds each committee's tally to it and to every committee above it.
func rollUp(dir *crdt.Directory, byHome map[schema.CommitteeID]counts) map[schema.CommitteeID]counts {
	out := map[schema.CommitteeID]counts{}
	for h, c := range byHome {
		chain, err := dir.Chain(h, crdt.Now)
		if err != nil {
			continue
		}
		for _, u := range chain {
			t := out[u]
			for i := range t {
				t[i] += c[i]
			}
			out[u] = t
		}
	}
	return out
}

var categoriesVI = map[string]string{
	"age": "tuổi cao", "health": "sức khỏe", "treatment": "điều trị bệnh", "abroad": "ra nước ngoài",
	"maternity": "thai sản", "mobile_work": "công việc lưu động", "other": "lý do khác",
}

func categoryVI(c string) string {
	if s, ok := categoriesVI[c]; ok {
		return s
	}
	return c
}
