package sim

import (
	"errors"
	"fmt"
	"time"

	"lienthong/crdt"
	"lienthong/schema"
)

// step is a workflow op a committee may write on its view of a ledger.
type step struct {
	what string
	body any
}

// workflow has a committee that holds a ledger take one of the workflow
// steps its view allows: on the home side, introduce the member to a
// residence committee, issue, extend or cancel a transfer, grant or end an
// exemption or a leave, rate; on the residence side, accept the member,
// record attendance and comments; at a transfer's destination, record the
// presentation and accept the member (an official transfer moves the
// records there); at a leave's destination, comment. These change who the
// ledger's stakeholders are.
func (w *Network) workflow() error {
	id := w.pickLedger()
	var steps []step
	s, _ := w.actor(id, func(s *site, l *crdt.Ledger) bool {
		steps = w.steps(s, l)
		return len(steps) > 0
	})
	if s == nil {
		w.stats.Skipped++
		return nil
	}
	st := steps[w.rng.IntN(len(steps))]
	op, err := s.node.Write(id, st.body)
	switch {
	case errors.Is(err, crdt.ErrInvalid):
		w.stats.Declined++
		w.logf("seed %d round %d: %s: %s of %s declined: %v", w.cfg.Seed, w.round, s, st.what, id, err)
		return nil
	case err != nil:
		return fmt.Errorf("sim: %s: %s of %s: %w", s, st.what, id, err)
	}
	w.stats.Workflow++
	return w.record(s, id, op)
}

// steps lists the workflow steps s may take on its view l.
func (w *Network) steps(s *site, l *crdt.Ledger) []step {
	today := w.now(s).Format(schema.DateLayout)
	var out []step
	add := func(what string, body any) { out = append(out, step{what, body}) }
	tagged := func(k schema.Kind, b schema.Body) schema.Tagged { return schema.Tagged{Kind: k, Body: b} }
	r := l.ActiveResidence()
	t := l.OpenTransfer()
	v := l.OpenLeave()
	if w.homeSide(s, l) {
		if r == nil {
			if res := w.pick(w.communes, l); res != nil {
				add("residence introduction", &schema.ResidenceIntroBody{Residence: res.id, Address: w.address(), Date: today})
			}
		} else {
			add("comment request", &schema.CommentRequestBody{Ref: r.Intro, Year: 2025, Date: today})
			add("residence end", tagged(schema.KindResidenceEnd, &schema.EndBody{Ref: r.Intro, Date: today, Reason: "chuyển nơi cư trú"}))
		}
		if t == nil {
			if dest := w.pick(w.sites, l); dest != nil {
				b := &schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: dest.id, Date: today, LetterLine: fmt.Sprint(1 + w.rng.IntN(300))}
				if w.rng.IntN(3) == 0 {
					b.Type, b.Until = schema.TransferTemporary, addMonths(today, 6)
				}
				add("transfer issue", b)
			}
		} else {
			add("transfer cancellation", tagged(schema.KindTransferEnd, &schema.EndBody{Ref: t.Issue, Date: later(today, t.Date), Reason: "hủy giấy giới thiệu"}))
			if t.Type == schema.TransferTemporary {
				add("transfer extension", tagged(schema.KindTransferExtend, &schema.ExtendBody{Ref: t.Issue, Until: addMonths(t.CurrentUntil(), 2), Date: today}))
			}
		}
		if e := l.ExemptOn(today); e == nil {
			add("exemption", &schema.ExemptionBody{Type: schema.ExemptTemporary, Category: schema.ExemptCategories[w.rng.IntN(len(schema.ExemptCategories))],
				From: today, Until: addMonths(today, 6), Decider: "Chi ủy"})
		} else if e.Ended == "" {
			add("exemption end", tagged(schema.KindExemptionEnd, &schema.EndBody{Ref: e.Op, Date: later(today, e.From)}))
		}
		if v == nil {
			b := &schema.LeaveBody{From: today, Until: addMonths(today, 4), Place: "Thành phố Hồ Chí Minh", Reason: "làm ăn xa"}
			if dest := w.pick(w.sites, l); dest != nil && w.rng.IntN(2) == 0 {
				b.Destination = dest.id
			}
			add("leave", b)
		} else {
			add("leave self-review", tagged(schema.KindLeaveSelfReview, &schema.ReviewBody{Ref: v.Op, Date: today, Text: "Hoàn thành công việc được giao"}))
			add("leave end", tagged(schema.KindLeaveEnd, &schema.EndBody{Ref: v.Op, Date: later(today, v.From)}))
			if until := addMonths(v.CurrentUntil(), 1); schema.MonthsBetween(v.From, until) < 11 {
				add("leave extension", tagged(schema.KindLeaveExtend, &schema.ExtendBody{Ref: v.Op, Until: until, Date: today}))
			}
		}
		score := 40 + w.rng.IntN(61)
		add("rating", &schema.RatingBody{Year: 2025, Score: score, Level: schema.LevelForScore(score), Date: today})
		add("inactive month", &schema.InactiveBody{Month: "2025-12"})
	}
	if r != nil && (w.under(s, r.Residence) || r.Cell != "" && w.under(s, r.Cell)) {
		if r.Accepted == "" {
			if w.under(s, r.Residence) {
				cell := r.Residence
				if kids := w.children[w.byID[r.Residence].idx]; len(kids) > 0 {
					cell = w.sites[kids[w.rng.IntN(len(kids))]].id
				}
				add("residence acceptance", &schema.ResidenceAcceptBody{Ref: r.Intro, Date: today, Cell: cell})
			}
		} else {
			status := []string{schema.AttendPresent, schema.AttendPresent, schema.AttendAbsent}[w.rng.IntN(3)]
			add("attendance", &schema.AttendanceBody{Ref: r.Intro, Meeting: today, Status: status})
			add("residence comment", &schema.ResidenceCommentBody{Ref: r.Intro, Year: 2025, Date: today, Fulfilled: true, Text: "Gương mẫu chấp hành chủ trương, chính sách nơi cư trú"})
		}
		add("residence end", tagged(schema.KindResidenceEnd, &schema.EndBody{Ref: r.Intro, Date: today, Reason: "thôi sinh hoạt nơi cư trú"}))
	}
	if t != nil && (w.under(s, t.Destination) || t.Cell != "" && w.under(s, t.Cell)) {
		date := later(today, t.Date)
		if t.Accepted == "" {
			if t.Presented == "" {
				add("transfer presentation", tagged(schema.KindTransferPresent, &schema.TransferStepBody{Ref: t.Issue, Date: date}))
			}
			var cell schema.CommitteeID
			if kids := w.children[w.byID[t.Destination].idx]; len(kids) > 0 {
				cell = w.sites[kids[w.rng.IntN(len(kids))]].id
			}
			add("transfer acceptance", tagged(schema.KindTransferAccept, &schema.TransferStepBody{Ref: t.Issue, Date: date, Cell: cell}))
		}
		add("transfer end", tagged(schema.KindTransferEnd, &schema.EndBody{Ref: t.Issue, Date: date, Reason: "kết thúc sinh hoạt tạm thời"}))
	}
	for i := range l.Leaves {
		if lv := &l.Leaves[i]; lv.Destination != "" && w.under(s, lv.Destination) {
			add("leave comment", tagged(schema.KindLeaveComment, &schema.ReviewBody{Ref: lv.Op, Date: today, Text: "Chấp hành tốt quy định nơi làm việc"}))
		}
	}
	return out
}

// pick draws a committee among from that is neither on the home side of
// l nor below its home committee, nor revoked; nil if it finds none.
func (w *Network) pick(from []*site, l *crdt.Ledger) *site {
	for range 64 {
		c := from[w.rng.IntN(len(from))]
		if !w.revoked[c.idx] && !w.homeSide(c, l) && !w.belowHome(c, l) {
			return c
		}
	}
	return nil
}

// belowHome reports whether c is below the home committee of l.
func (w *Network) belowHome(c *site, l *crdt.Ledger) bool {
	for _, v := range l.Home {
		if h, ok := w.byID[schema.CommitteeID(v.V)]; ok && h != c && w.isAncestor(h.idx, c.idx) {
			return true
		}
	}
	return false
}

func (w *Network) address() string {
	for range 8 {
		if a := w.members[w.rng.IntN(len(w.members))].Fields["address"]; a != "" {
			return a
		}
	}
	return "Số 1, đường Trần Phú"
}

func addMonths(date string, n int) string {
	t, err := time.Parse(schema.DateLayout, date)
	if err != nil {
		return date
	}
	return t.AddDate(0, n, 0).Format(schema.DateLayout)
}

func later(a, b string) string { return max(a, b) }
