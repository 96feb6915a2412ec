package report_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"lienthong/internal/calendar"
	"lienthong/internal/report"
	"lienthong/schema"
)

func day(tb testing.TB, s string) calendar.Date {
	tb.Helper()
	d, err := calendar.ParseISO(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

var cfg = report.DefaultConfig()

func alertsOn(tb testing.TB, n *network, scope schema.CommitteeID, on string) []report.Alert {
	tb.Helper()
	as := report.Alerts(n.dir, slices.Values(n.ledgers()), scope, day(tb, on), cfg)
	if !slices.IsSortedFunc(as, func(a, b report.Alert) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return strings.Compare(a.Rule, b.Rule)
	}) {
		tb.Fatalf("alerts on %s not sorted by due date and rule", on)
	}
	return as
}

func pick(as []report.Alert, rule string) []report.Alert {
	var out []report.Alert
	for _, a := range as {
		if a.Rule == rule {
			out = append(out, a)
		}
	}
	return out
}

func actors(as []report.Alert) []schema.CommitteeID {
	var out []schema.CommitteeID
	for _, a := range as {
		out = append(out, a.Acting)
	}
	slices.Sort(out)
	return out
}

func sorted(cs ...schema.CommitteeID) []schema.CommitteeID {
	out := slices.Clone(cs)
	slices.Sort(out)
	return out
}

func dump(as []report.Alert) string {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "\n  %s %s %s acting=%s due=%s: %s", a.Rule, a.Severity, a.MemberName, a.ActingName, a.Due, a.Detail)
	}
	return b.String()
}

// TestTransferPresentationAcrossTet: a letter issued on 10 February 2026,
// just before Tết (16–20 February), is due on 31 March: 30 working days
// skipping the weekends and the five days of Tết. The alert fires on
// 1 April, for the destination, the sending cell and its superior, and not
// on 31 March.
func TestTransferPresentationAcrossTet(t *testing.T) {
	n, tree, _ := newNetwork(t)
	cal, err := calendar.New(calendar.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for d := day(t, "2026-02-16"); !d.After(day(t, "2026-02-20")); d = d.AddDays(1) {
		if cal.IsWorkingDay(d) {
			t.Fatalf("%s is a working day; the test assumes Tết 2026 on 16–20 February", d)
		}
	}
	due := cal.AddWorkingDays(day(t, "2026-02-10"), 30)
	if due != day(t, "2026-03-31") {
		t.Fatalf("30 working days after 10/02/2026 is %s, want 2026-03-31", due)
	}
	m := n.member(tree.Cell1, map[string]string{"name": "Trần Văn Bình"})
	m.rate(2025, 80, "2025-12-20")
	letter := m.issue(schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: tree.Commune.ID(), Date: "2026-02-10", Card: "01234567"})

	if got := pick(alertsOn(t, n, tree.Root.ID(), "2026-03-31"), report.RuleTransferPresentation); len(got) != 0 {
		t.Fatalf("on the due day: %s", dump(got))
	}
	got := pick(alertsOn(t, n, tree.Root.ID(), "2026-04-01"), report.RuleTransferPresentation)
	if want := sorted(tree.Commune.ID(), tree.Cell1.ID(), tree.Grassroots.ID()); !slices.Equal(actors(got), want) {
		t.Fatalf("the day after: acting %v, want destination, home and its parent %v%s", actors(got), want, dump(got))
	}
	for _, a := range got {
		if a.Due != due || a.Severity != report.SeverityOverdue || a.Ref != letter.String() || a.Member != m.id ||
			a.Home != tree.Cell1.ID() || a.HomeName != "Chi bộ Phòng Kỹ thuật" || !strings.Contains(a.Detail, "hạn 31/03/2026") {
			t.Fatalf("alert %+v", a)
		}
	}
	// Each committee sees what it must do; a committee with no part sees
	// nothing.
	for _, c := range []struct {
		scope schema.CommitteeID
		want  []schema.CommitteeID
	}{
		{tree.Commune.ID(), []schema.CommitteeID{tree.Commune.ID()}},
		{tree.Cell1.ID(), []schema.CommitteeID{tree.Cell1.ID()}},
		{tree.Grassroots.ID(), sorted(tree.Cell1.ID(), tree.Grassroots.ID())},
		{tree.Cell2.ID(), nil},
	} {
		got := pick(alertsOn(t, n, c.scope, "2026-04-01"), report.RuleTransferPresentation)
		if !slices.Equal(actors(got), c.want) {
			t.Errorf("scope %s: acting %v, want %v", c.scope.Short(), actors(got), c.want)
		}
	}
	// Presented, late: the letter alert stops.
	m.present(letter, "2026-04-02")
	if got := pick(alertsOn(t, n, tree.Root.ID(), "2026-04-03"), report.RuleTransferPresentation); len(got) != 0 {
		t.Fatalf("after presentation: %s", dump(got))
	}
}

// TestLeaveExpiry: a leave ending 30 June warns from 31 May (30 days
// before) to 30 June, and is overdue from 1 July; an extension moves the
// days; ending it with the reviews silences it.
func TestLeaveExpiry(t *testing.T) {
	n, tree, _ := newNetwork(t)
	m := n.member(tree.Cell1, nil)
	m.rate(2025, 80, "2025-12-20")
	leave := m.leave("2026-01-15", "2026-06-30", tree.Commune)
	expect := func(on string, wantRule, wantSeverity string) {
		t.Helper()
		as := alertsOn(t, n, tree.Root.ID(), on)
		got := append(pick(as, report.RuleLeaveExpiring), pick(as, report.RuleLeaveExpired)...)
		if wantRule == "" {
			if len(got) != 0 {
				t.Fatalf("on %s: %s", on, dump(got))
			}
			return
		}
		if len(got) != 1 || got[0].Rule != wantRule || got[0].Severity != wantSeverity || got[0].Acting != tree.Cell1.ID() || got[0].Ref != leave.String() {
			t.Fatalf("on %s want %s %s, got %s", on, wantRule, wantSeverity, dump(got))
		}
	}
	expect("2026-05-30", "", "")
	expect("2026-05-31", report.RuleLeaveExpiring, report.SeverityDue)
	expect("2026-06-30", report.RuleLeaveExpiring, report.SeverityDue)
	expect("2026-07-01", report.RuleLeaveExpired, report.SeverityOverdue)
	if got := pick(alertsOn(t, n, tree.Root.ID(), "2026-07-01"), report.RuleLeaveExpired); got[0].Due != day(t, "2026-06-30") {
		t.Fatalf("due date: %s", dump(got))
	}
	// On expiry the self-review (home) and the destination's comment
	// (commune) are owed.
	if got := pick(alertsOn(t, n, tree.Root.ID(), "2026-06-30"), report.RuleLeaveReviewMissing); len(got) != 0 {
		t.Fatalf("reviews owed before expiry: %s", dump(got))
	}
	got := pick(alertsOn(t, n, tree.Root.ID(), "2026-07-01"), report.RuleLeaveReviewMissing)
	if want := sorted(tree.Cell1.ID(), tree.Commune.ID()); !slices.Equal(actors(got), want) {
		t.Fatalf("reviews owed by %v, want %v", actors(got), want)
	}

	m.extendLeave(leave, "2026-09-30", "2026-06-20")
	expect("2026-07-01", "", "")
	expect("2026-08-30", "", "")
	expect("2026-08-31", report.RuleLeaveExpiring, report.SeverityDue)
	expect("2026-10-01", report.RuleLeaveExpired, report.SeverityOverdue)

	m.selfReview(leave, "2026-09-28")
	got = pick(alertsOn(t, n, tree.Root.ID(), "2026-10-01"), report.RuleLeaveReviewMissing)
	if len(got) != 1 || got[0].Acting != tree.Commune.ID() {
		t.Fatalf("after the self-review: %s", dump(got))
	}
	m.leaveComment(leave, "2026-09-29")
	m.endLeave(leave, "2026-09-30")
	for _, on := range []string{"2026-09-30", "2026-10-01", "2027-01-01"} {
		as := alertsOn(t, n, tree.Root.ID(), on)
		if got := append(append(pick(as, report.RuleLeaveExpiring), pick(as, report.RuleLeaveExpired)...), pick(as, report.RuleLeaveReviewMissing)...); len(got) != 0 {
			t.Fatalf("ended leave on %s: %s", on, dump(got))
		}
	}
}

// TestExemptionRateAbove10Percent: in a unit of 101 members (one more back
// from an exemption, one exempt who left and is not counted), 10 exempt is
// under 10% and gives no alert; 11 is above, at the unit and at the
// committees above it, which hold no other member.
func TestExemptionRateAbove10Percent(t *testing.T) {
	for _, c := range []struct {
		exempt int
		want   bool
	}{{10, false}, {11, true}} {
		t.Run(fmt.Sprint(c.exempt), func(t *testing.T) {
			n, tree, _ := newNetwork(t)
			for i := range 100 {
				m := n.member(tree.Cell2, map[string]string{"name": fmt.Sprintf("Đảng viên %03d", i)})
				if i < c.exempt {
					if i%2 == 0 {
						m.exempt(schema.ExemptPermanent, "age", "2024-01-01", "")
					} else {
						m.exempt(schema.ExemptTemporary, "health", "2026-01-01", "2026-12-31")
					}
				}
			}
			gone := n.member(tree.Cell2, nil)
			gone.exempt(schema.ExemptPermanent, "age", "2024-01-01", "")
			gone.move(schema.MoveDied, "2026-02-01")
			back := n.member(tree.Cell2, nil)
			op := back.exempt(schema.ExemptTemporary, "treatment", "2025-01-01", "2026-12-31")
			back.endExemption(op, "2026-03-01")

			got := pick(alertsOn(t, n, tree.Root.ID(), "2026-06-01"), report.RuleExemptionRateHigh)
			if !c.want {
				if len(got) != 0 {
					t.Fatalf("%d of 101 exempt: %s", c.exempt, dump(got))
				}
				return
			}
			if want := sorted(tree.Cell2.ID(), tree.Grassroots.ID(), tree.Root.ID()); !slices.Equal(actors(got), want) {
				t.Fatalf("%d of 101 exempt: alerts at %v, want %v%s", c.exempt, actors(got), want, dump(got))
			}
			for _, a := range got {
				if a.Member != (schema.LedgerID{}) || a.Home != a.Acting || !strings.Contains(a.Detail, fmt.Sprintf("%d/101", c.exempt)) {
					t.Fatalf("unit alert %+v", a)
				}
			}
		})
	}
}

// TestExemptionRateBoundary checks the boundary exactly: 10 of 100 is not
// above 10%, 11 of 100 is.
func TestExemptionRateBoundary(t *testing.T) {
	for _, c := range []struct{ exempt, want int }{{10, 0}, {11, 1}} {
		n, tree, _ := newNetwork(t)
		for i := range 100 {
			m := n.member(tree.Cell2, map[string]string{"name": fmt.Sprintf("Đảng viên %03d", i)})
			if i < c.exempt {
				m.exempt(schema.ExemptPermanent, "health", "2025-05-01", "")
			}
		}
		got := pick(alertsOn(t, n, tree.Cell2.ID(), "2026-06-01"), report.RuleExemptionRateHigh)
		if len(got) != c.want {
			t.Fatalf("%d of 100 exempt: %d alerts, want %d%s", c.exempt, len(got), c.want, dump(got))
		}
		if c.want == 1 && !strings.Contains(got[0].Detail, "11/100 (11,0%)") {
			t.Fatalf("detail %q", got[0].Detail)
		}
	}
}

// ruleCase is one rule checked on a scripted member: it fires on fires
// (with the acting committees, severity and due date given) and not on
// quiet; then, after fix, not on fires either.
type ruleCase struct {
	name     string
	rule     string
	script   func(n *network, tree *netTree) *script
	quiet    []string
	fires    string
	acting   func(tree *netTree) []schema.CommitteeID
	severity string
	due      string
	scope    func(tree *netTree) schema.CommitteeID // default: the root
	fix      func(m *script, tree *netTree)
}

type netTree struct {
	root, grassroots, cell1, cell2, commune, resCell *schema.Signer
}

func newCase(t *testing.T) (*network, *netTree) {
	n, tree, resCell := newNetwork(t)
	return n, &netTree{tree.Root, tree.Grassroots, tree.Cell1, tree.Cell2, tree.Commune, resCell}
}

func cellOne(tr *netTree) []schema.CommitteeID { return []schema.CommitteeID{tr.cell1.ID()} }

// rated opens a member of Cell1 rated for 2025, so that rating.missing
// stays quiet in 2026 before December.
func rated(n *network, tr *netTree, fields map[string]string) *script {
	m := n.member(tr.cell1, fields)
	m.rate(2025, 85, "2025-12-15")
	return m
}

func TestRules(t *testing.T) {
	cal, _ := calendar.New(calendar.DefaultOptions())
	cases := []ruleCase{
		{
			name: "transfer started late without a reason", rule: report.RuleTransferStartLate,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				m.issue(schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: tr.cell2.ID(), Date: "2026-01-20", MovedOn: "2025-10-01"})
				return m
			},
			fires: "2026-01-21", acting: cellOne, severity: report.SeverityOverdue,
			due: cal.AddWorkingDays(day(t, "2025-10-01"), 60).String(),
			fix: func(m *script, tr *netTree) {
				m.acceptTransfer(m.st.Transfers[0].Issue, "2026-01-22", nil)
			},
		},
		{
			name: "transfer started late with a reason", rule: report.RuleTransferStartLate,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				m.issue(schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: tr.cell2.ID(), Date: "2026-01-20", MovedOn: "2025-10-01", LateReason: "đảng viên ốm dài ngày"})
				return m
			},
			quiet: []string{"2026-01-21"},
		},
		{
			name: "transfer started in time", rule: report.RuleTransferStartLate,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				m.issue(schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: tr.cell2.ID(), Date: "2025-12-20", MovedOn: "2025-10-01"})
				return m
			},
			quiet: []string{"2026-01-21"},
		},
		{
			name: "temporary transfer expired", rule: report.RuleTransferTemporaryExpired,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				op := m.issue(schema.TransferIssueBody{Type: schema.TransferTemporary, Destination: tr.commune.ID(), Date: "2025-09-01", Until: "2026-03-01"})
				m.acceptTransfer(op, "2025-09-05", tr.resCell)
				return m
			},
			quiet: []string{"2026-03-01"}, fires: "2026-03-02", severity: report.SeverityOverdue, due: "2026-03-01",
			acting: func(tr *netTree) []schema.CommitteeID { return sorted(tr.cell1.ID(), tr.commune.ID()) },
			fix: func(m *script, tr *netTree) {
				m.extendTransfer(m.st.Transfers[0].Issue, "2026-08-01", "2026-02-20")
			},
		},
		{
			name: "away for 12 months in all", rule: report.RuleLeavePromptTransfer,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				first := m.leave("2025-01-10", "2025-11-30", nil)
				m.selfReview(first, "2025-12-01")
				m.endLeave(first, "2025-11-30")
				m.leave("2025-12-20", "2026-06-30", nil)
				return m
			},
			// 324 + 192 days; 366 reached 150 days before 30 June.
			fires: "2026-01-05", acting: cellOne, severity: report.SeverityDue, due: "2026-01-31",
			fix: func(m *script, tr *netTree) {
				m.endLeave(m.st.Leaves[1].Op, "2026-01-04")
			},
		},
		{
			name: "leaves with a gap do not add up", rule: report.RuleLeavePromptTransfer,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				first := m.leave("2025-01-10", "2025-10-31", nil)
				m.selfReview(first, "2025-11-01")
				m.endLeave(first, "2025-10-31")
				m.leave("2025-12-20", "2026-06-30", nil)
				return m
			},
			quiet: []string{"2026-01-05"},
		},
		{
			name: "temporary exemption expired", rule: report.RuleExemptionExpired,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				m.exempt(schema.ExemptTemporary, "health", "2025-06-01", "2026-02-28")
				return m
			},
			quiet: []string{"2026-02-28"}, fires: "2026-03-01", acting: cellOne, severity: report.SeverityOverdue, due: "2026-02-28",
			fix: func(m *script, tr *netTree) { m.endExemption(m.st.Exemptions[0].Op, "2026-03-01") },
		},
		{
			name: "residence introduction not accepted", rule: report.RuleResidenceNotAccepted,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				m.intro(tr.commune, "2026-03-02", false)
				return m
			},
			quiet:    []string{cal.AddWorkingDays(day(t, "2026-03-02"), 30).String()},
			fires:    cal.AddWorkingDays(day(t, "2026-03-02"), 30).AddDays(1).String(),
			acting:   func(tr *netTree) []schema.CommitteeID { return []schema.CommitteeID{tr.commune.ID()} },
			severity: report.SeverityOverdue, due: cal.AddWorkingDays(day(t, "2026-03-02"), 30).String(),
			scope: func(tr *netTree) schema.CommitteeID { return tr.commune.ID() },
			fix: func(m *script, tr *netTree) {
				m.acceptResidence(m.st.Residence[0].Intro, "2026-04-20", tr.resCell)
			},
		},
		{
			name: "no residence meeting for 6 months", rule: report.RuleResidenceNoMeeting,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				in := m.intro(tr.commune, "2025-09-01", false)
				m.acceptResidence(in, "2025-09-10", tr.resCell)
				m.attend(in, "2025-10-15", schema.AttendPresent)
				return m
			},
			quiet: []string{"2026-04-15"}, fires: "2026-04-16", severity: report.SeverityOverdue, due: "2026-04-15",
			acting: func(tr *netTree) []schema.CommitteeID { return []schema.CommitteeID{tr.resCell.ID()} },
			scope:  func(tr *netTree) schema.CommitteeID { return tr.commune.ID() },
			fix: func(m *script, tr *netTree) {
				m.attend(m.st.Residence[0].Intro, "2026-04-10", schema.AttendAbsent)
			},
		},
		{
			name: "no residence meeting, exempt from residence activity", rule: report.RuleResidenceNoMeeting,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				in := m.intro(tr.commune, "2025-09-01", true)
				m.acceptResidence(in, "2025-09-10", tr.resCell)
				return m
			},
			quiet: []string{"2026-04-16"},
		},
		{
			name: "absences from residence meetings", rule: report.RuleResidenceAbsences,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				in := m.intro(tr.commune, "2025-09-01", false)
				m.acceptResidence(in, "2025-09-10", tr.resCell)
				m.attend(in, "2025-12-10", schema.AttendAbsent) // last year
				m.attend(in, "2026-01-10", schema.AttendAbsent)
				m.attend(in, "2026-02-10", schema.AttendExcused)
				m.attend(in, "2026-03-10", schema.AttendAbsent)
				m.attend(in, "2026-04-10", schema.AttendAbsent)
				m.attend(in, "2026-05-10", schema.AttendPresent)
				return m
			},
			quiet: []string{"2026-04-09"}, fires: "2026-04-10", acting: cellOne, severity: report.SeverityDue, due: "2026-04-10",
			fix: func(m *script, tr *netTree) {
				// The absence of 10 April is corrected: excused.
				m.attend(m.st.Residence[0].Intro, "2026-04-10", schema.AttendExcused)
			},
		},
		{
			name: "comment request missing", rule: report.RuleResidenceRequestMissing,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				in := m.intro(tr.commune, "2025-09-01", false)
				m.acceptResidence(in, "2025-09-10", tr.resCell)
				m.attend(in, "2026-09-10", schema.AttendPresent)
				return m
			},
			quiet: []string{"2026-09-30"}, fires: "2026-10-01", acting: cellOne, severity: report.SeverityDue, due: "2026-10-31",
			fix: func(m *script, tr *netTree) { m.request(m.st.Residence[0].Intro, 2026, "2026-09-25") },
		},
		{
			name: "comment request missing, overdue from November", rule: report.RuleResidenceRequestMissing,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				in := m.intro(tr.commune, "2025-09-01", false)
				m.acceptResidence(in, "2025-09-10", tr.resCell)
				m.attend(in, "2026-09-10", schema.AttendPresent)
				return m
			},
			fires: "2026-11-01", acting: cellOne, severity: report.SeverityOverdue, due: "2026-10-31",
		},
		{
			name: "comment request, exempt from residence activity", rule: report.RuleResidenceRequestMissing,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				in := m.intro(tr.commune, "2025-09-01", true)
				m.acceptResidence(in, "2025-09-10", tr.resCell)
				return m
			},
			quiet: []string{"2026-10-01", "2026-11-15"},
		},
		{
			name: "comment missing from November", rule: report.RuleResidenceCommentMissing,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				in := m.intro(tr.commune, "2025-09-01", false)
				m.acceptResidence(in, "2025-09-10", tr.resCell)
				m.attend(in, "2026-09-10", schema.AttendPresent)
				return m
			},
			quiet: []string{"2026-10-31"}, fires: "2026-11-01", severity: report.SeverityDue, due: "2026-11-30",
			acting: func(tr *netTree) []schema.CommitteeID { return []schema.CommitteeID{tr.commune.ID()} },
			scope:  func(tr *netTree) schema.CommitteeID { return tr.commune.ID() },
			fix:    func(m *script, tr *netTree) { m.comment(m.st.Residence[0].Intro, 2026, "2026-11-01") },
		},
		{
			name: "comment missing once requested", rule: report.RuleResidenceCommentMissing,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				in := m.intro(tr.commune, "2025-09-01", false)
				m.acceptResidence(in, "2025-09-10", tr.resCell)
				m.attend(in, "2026-09-10", schema.AttendPresent)
				m.request(in, 2026, "2026-09-15")
				return m
			},
			quiet: []string{"2026-09-14"}, fires: "2026-09-15", severity: report.SeverityDue, due: "2026-11-30",
			acting: func(tr *netTree) []schema.CommitteeID { return []schema.CommitteeID{tr.commune.ID()} },
		},
		{
			name: "comment missing in December", rule: report.RuleResidenceCommentMissing,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				in := m.intro(tr.commune, "2025-09-01", false)
				m.acceptResidence(in, "2025-09-10", tr.resCell)
				m.attend(in, "2026-11-10", schema.AttendPresent)
				m.request(in, 2026, "2026-09-15")
				m.comment(in, 2025, "2025-11-20") // last year's does not count
				return m
			},
			fires: "2026-12-01", severity: report.SeverityOverdue, due: "2026-11-30",
			acting: func(tr *netTree) []schema.CommitteeID { return []schema.CommitteeID{tr.commune.ID()} },
		},
		{
			name: "probation ends", rule: report.RuleMembershipFullDue,
			script: func(n *network, tr *netTree) *script {
				return rated(n, tr, map[string]string{"admitted": "2025-06-15", "full": ""})
			},
			quiet: []string{"2026-05-15"}, fires: "2026-05-16", acting: cellOne, severity: report.SeverityDue, due: "2026-06-15",
			fix: func(m *script, tr *netTree) { m.move(schema.MoveFull, "2026-05-20") },
		},
		{
			name: "probation overdue", rule: report.RuleMembershipFullDue,
			script: func(n *network, tr *netTree) *script {
				return rated(n, tr, map[string]string{"admitted": "2025-06-15", "full": ""})
			},
			fires: "2026-06-16", acting: cellOne, severity: report.SeverityOverdue, due: "2026-06-15",
		},
		{
			name: "three months inactive", rule: report.RuleInactivityRemoval,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				m.inactive("2025-11", false) // last year
				m.inactive("2026-01", false)
				m.inactive("2026-02", true)
				m.inactive("2026-03", false)
				m.inactive("2026-05", false)
				return m
			},
			quiet: []string{"2026-04-30"}, fires: "2026-05-01", acting: cellOne, severity: report.SeverityDue, due: "2026-05-31",
			fix: func(m *script, tr *netTree) { m.inactive("2026-03", true) },
		},
		{
			name: "inactive months under an exemption", rule: report.RuleInactivityRemoval,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				m.exempt(schema.ExemptTemporary, "treatment", "2026-02-15", "2026-04-10")
				for _, mo := range []string{"2026-01", "2026-02", "2026-03", "2026-04"} {
					m.inactive(mo, false)
				}
				return m
			},
			quiet: []string{"2026-06-01"},
		},
		{
			name: "rating missing in December", rule: report.RuleRatingMissing,
			script: func(n *network, tr *netTree) *script { return rated(n, tr, nil) },
			quiet:  []string{"2026-11-30"}, fires: "2026-12-01", acting: cellOne, severity: report.SeverityDue, due: "2026-12-31",
			fix: func(m *script, tr *netTree) { m.rate(2026, 92, "2026-12-01") },
		},
		{
			name: "rating for last year missing", rule: report.RuleRatingMissing,
			script: func(n *network, tr *netTree) *script { return n.member(tr.cell1, nil) },
			fires:  "2026-03-01", acting: cellOne, severity: report.SeverityOverdue, due: "2025-12-31",
			fix: func(m *script, tr *netTree) { m.rate(2025, 60, "2026-03-01") },
		},
		{
			name: "exempt members are not rated", rule: report.RuleRatingMissing,
			script: func(n *network, tr *netTree) *script {
				m := rated(n, tr, nil)
				m.exempt(schema.ExemptPermanent, "age", "2026-05-01", "")
				return m
			},
			quiet: []string{"2026-12-01"},
		},
		{
			name: "members admitted after the year are not rated for it", rule: report.RuleRatingMissing,
			script: func(n *network, tr *netTree) *script {
				return n.member(tr.cell1, map[string]string{"admitted": "2026-01-10", "full": ""})
			},
			quiet: []string{"2026-03-01"},
		},
		{
			name: "members who left get no alert", rule: report.RuleRatingMissing,
			script: func(n *network, tr *netTree) *script {
				m := n.member(tr.cell1, nil)
				m.leave("2026-01-01", "2026-03-01", nil)
				m.move(schema.MoveDied, "2026-02-01")
				return m
			},
			quiet: []string{"2026-03-01", "2026-12-05"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, tr := newCase(t)
			m := c.script(n, tr)
			scope := tr.root.ID()
			if c.scope != nil {
				scope = c.scope(tr)
			}
			for _, on := range c.quiet {
				if got := pick(alertsOn(t, n, scope, on), c.rule); len(got) != 0 {
					t.Fatalf("quiet on %s, got %s", on, dump(got))
				}
			}
			if c.fires == "" {
				return
			}
			got := pick(alertsOn(t, n, scope, c.fires), c.rule)
			if want := sorted(c.acting(tr)...); !slices.Equal(actors(got), want) {
				t.Fatalf("on %s: acting %v, want %v%s", c.fires, actors(got), want, dump(got))
			}
			for _, a := range got {
				if a.Severity != c.severity || a.Due.String() != c.due || a.Member != m.id || a.Detail == "" || a.ActingName == "" {
					t.Fatalf("on %s: got %s, want severity %s due %s", c.fires, dump(got), c.severity, c.due)
				}
			}
			if c.fix == nil {
				return
			}
			c.fix(m, tr)
			if got := pick(alertsOn(t, n, scope, c.fires), c.rule); len(got) != 0 {
				t.Fatalf("after the fix, on %s: %s", c.fires, dump(got))
			}
		})
	}
}

// TestAbsencesAreForTheHome: the home committee is the one told of
// absences; the residence committee's scope does not list it.
func TestAbsencesAreForTheHome(t *testing.T) {
	n, tr := newCase(t)
	m := rated(n, tr, nil)
	in := m.intro(tr.commune, "2025-09-01", false)
	m.acceptResidence(in, "2025-09-10", tr.resCell)
	for _, d := range []string{"2026-01-10", "2026-02-10", "2026-03-10"} {
		m.attend(in, d, schema.AttendAbsent)
	}
	if got := pick(alertsOn(t, n, tr.commune.ID(), "2026-03-20"), report.RuleResidenceAbsences); len(got) != 0 {
		t.Fatalf("residence scope: %s", dump(got))
	}
	if got := pick(alertsOn(t, n, tr.grassroots.ID(), "2026-03-20"), report.RuleResidenceAbsences); len(got) != 1 || !strings.Contains(got[0].Detail, "3 lần trong năm 2026") {
		t.Fatalf("home's superior scope: %s", dump(got))
	}
}

func TestRatingQuota(t *testing.T) {
	for _, c := range []struct{ excellent, want int }{{2, 0}, {3, 1}} {
		n, tr := newCase(t)
		for i := range 10 {
			n.member(tr.cell2, map[string]string{"name": fmt.Sprintf("Khá %d", i)}).rate(2026, 80, "2026-12-10")
		}
		for i := range c.excellent {
			n.member(tr.cell2, map[string]string{"name": fmt.Sprintf("Xuất sắc %d", i)}).rate(2026, 95, "2026-12-10")
		}
		// Another unit's ratings do not count for Cell2.
		for i := range 5 {
			n.member(tr.cell1, map[string]string{"name": fmt.Sprintf("Ô %d", i)}).rate(2026, 70, "2026-12-10")
		}
		got := pick(alertsOn(t, n, tr.cell2.ID(), "2026-12-15"), report.RuleRatingQuota)
		if len(got) != c.want {
			t.Fatalf("%d excellent for 10 good: %s", c.excellent, dump(got))
		}
		if c.want == 1 && (got[0].Acting != tr.cell2.ID() || got[0].Due != day(t, "2026-12-31") || !strings.Contains(got[0].Detail, "3 đảng viên hoàn thành xuất sắc")) {
			t.Fatalf("quota alert %s", dump(got))
		}
		// At the grassroots committee, 3 of 15 good is 20%: not above.
		if got := pick(alertsOn(t, n, tr.grassroots.ID(), "2026-12-15"), report.RuleRatingQuota); len(got) != c.want {
			t.Fatalf("grassroots scope: %s", dump(got))
		}
		for _, a := range alertsOn(t, n, tr.grassroots.ID(), "2026-12-15") {
			if a.Rule == report.RuleRatingQuota && a.Acting == tr.grassroots.ID() {
				t.Fatalf("grassroots at exactly 20%%: %s", dump([]report.Alert{a}))
			}
		}
	}
}

func TestConfigValidate(t *testing.T) {
	if err := report.DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	c := report.DefaultConfig()
	c.AbsenceThreshold = 0
	c.RatingFrom = report.MonthDay{Month: time.February, Day: 30}
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "absence_threshold") || !strings.Contains(err.Error(), "rating_from") {
		t.Fatalf("Validate() = %v", err)
	}
}

// TestConfigNumbers: the numbers are the config's, not constants.
func TestConfigNumbers(t *testing.T) {
	n, tr := newCase(t)
	m := rated(n, tr, nil)
	m.issue(schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: tr.cell2.ID(), Date: "2026-02-10"})
	c := report.DefaultConfig()
	c.TransferPresentDays = 40
	cal, _ := calendar.New(calendar.DefaultOptions())
	due := cal.AddWorkingDays(day(t, "2026-02-10"), 40)
	if got := pick(report.Alerts(n.dir, slices.Values(n.ledgers()), tr.root.ID(), due, c), report.RuleTransferPresentation); len(got) != 0 {
		t.Fatalf("on the 40th working day: %s", dump(got))
	}
	if got := pick(report.Alerts(n.dir, slices.Values(n.ledgers()), tr.root.ID(), due.AddDays(1), c), report.RuleTransferPresentation); len(got) != 3 {
		t.Fatalf("after the 40th working day: %s", dump(got))
	}
	// A calendar with an extra day off moves the deadline by a working day.
	opts := calendar.DefaultOptions()
	opts.ExtraHolidays = []calendar.Date{day(t, "2026-03-02")}
	c.Calendar, _ = calendar.New(opts)
	if got := pick(report.Alerts(n.dir, slices.Values(n.ledgers()), tr.root.ID(), due.AddDays(1), c), report.RuleTransferPresentation); len(got) != 0 {
		t.Fatalf("with an extra day off: %s", dump(got))
	}
}

// TestZeroConfig: the functions do not validate their config; a zero one
// (no calendar, every number 0) must not panic.
func TestZeroConfig(t *testing.T) {
	w := reconcileScenario(t)
	for _, on := range []string{"2026-01-01", "2026-12-31"} {
		report.Alerts(w.n.dir, slices.Values(w.n.ledgers()), w.tr.root.ID(), day(t, on), report.Config{})
		report.Reconcile(w.n.dir, slices.Values(w.n.ledgers()), w.tr.root.ID(), "", day(t, on), report.Config{})
	}
}
