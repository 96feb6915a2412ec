package node_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"lienthong/crdt"
	"lienthong/internal/calendar"
	"lienthong/internal/report"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
)

// Alerts are kept between calls, and recomputed as soon as the state, the
// date or the rules change; what a caller does to its answer does not
// reach the next caller.
func TestAlertsFollowTheState(t *testing.T) {
	tree := testkit.NewTree(100)
	st, err := store.Open(t.TempDir(), store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.Ingest(envelopesOf(tree.Charters), "setup"); err != nil {
		t.Fatal(err)
	}
	opts := node.DefaultOptions()
	opts.Now = func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC) }
	n, err := node.New(st, tree.Cell1, opts)
	if err != nil {
		t.Fatal(err)
	}
	today, cfg := n.TodayDate(), report.DefaultConfig()
	fullDue := func(at calendar.Date, cfg report.Config) int {
		t.Helper()
		as, err := n.Alerts(at, cfg)
		if err != nil {
			t.Fatal(err)
		}
		c := 0
		for _, a := range as {
			if a.Rule == report.RuleMembershipFullDue {
				c++
			}
		}
		return c
	}
	add := func(name, admitted string) schema.LedgerID {
		id, err := n.CreateMember("", map[string]string{"name": name, "sex": "F", "born": "1990-02-03", "admitted": admitted})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a := add("Vi Thị Hoa", "2025-12-10") // probation ends 2026-12-10
	if got := fullDue(today, cfg); got != 1 {
		t.Fatalf("%d full-membership alerts, want 1", got)
	}
	as, _ := n.Alerts(today, cfg)
	as[0].Detail = "changed by a caller"
	if again, _ := n.Alerts(today, cfg); again[0].Detail == "changed by a caller" {
		t.Fatal("a caller's change to its answer reached the next caller")
	}
	add("Hà Thị Mai", "2025-12-05")
	if got := fullDue(today, cfg); got != 2 {
		t.Fatalf("after a second member: %d alerts, want 2", got)
	}
	if _, err := n.Move(a, schema.MovementBody{Type: schema.MoveFull, Date: "2026-11-28"}); err != nil {
		t.Fatal(err)
	}
	if got := fullDue(today, cfg); got != 1 {
		t.Fatalf("after a member became full: %d alerts, want 1", got)
	}
	if got := fullDue(today.AddDays(-200), cfg); got != 0 {
		t.Fatalf("200 days earlier: %d alerts, want 0", got)
	}
	longer := cfg
	longer.ProbationMonths = 24
	if got := fullDue(today, longer); got != 0 {
		t.Fatalf("with a 24-month probation: %d alerts, want 0", got)
	}
	if got := fullDue(today, cfg); got != 1 {
		t.Fatalf("back to the rules and the day: %d alerts, want 1", got)
	}
}

// The alerts and statistics the node keeps member by member, following the
// store's change log, are at every step those of reading every member
// again: member alerts, and the unit rules whose tallies a change moves.
func TestAlertsFollowEachMember(t *testing.T) {
	tree := testkit.NewTree(100)
	_, st := newNode(t, t.TempDir(), tree, tree.Grassroots)
	opts := node.DefaultOptions()
	opts.Now = func() time.Time { return time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC) }
	n, err := node.New(st, tree.Grassroots, opts)
	if err != nil {
		t.Fatal(err)
	}
	at, cfg := n.TodayDate(), report.DefaultConfig()
	rules, kinds := map[string]int{}, map[string]int{}
	check := func(step string, at calendar.Date) {
		t.Helper()
		got, err := n.Alerts(at, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var ledgers []*crdt.Ledger
		if err := st.EachLedger(func(l *crdt.Ledger) bool { ledgers = append(ledgers, l); return true }); err != nil {
			t.Fatal(err)
		}
		want := report.Alerts(st.Directory(), slices.Values(ledgers), n.ID(), at, cfg)
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if !bytes.Equal(gj, wj) {
			t.Fatalf("%s: the node's alerts differ from reading every member:\n got %s\nwant %s", step, gj, wj)
		}
		counts, err := n.AlertCounts(at, cfg)
		if err != nil {
			t.Fatal(err)
		}
		listed := map[report.AlertKind]int{}
		for _, a := range got {
			rules[a.Rule]++
			listed[report.AlertKind{Rule: a.Rule, Severity: a.Severity}]++
		}
		if !maps.Equal(counts, listed) {
			t.Fatalf("%s: the node counts %v alerts by rule and severity; it lists %v", step, counts, listed)
		}
		// The statistics are kept the same way.
		from := calendar.NewDate(at.Year, 1, 1)
		stats, err := n.Stats(from, at)
		if err != nil {
			t.Fatal(err)
		}
		gj, _ = json.Marshal(stats)
		wj, _ = json.Marshal(report.Stats(st.Directory(), slices.Values(ledgers), n.ID(), from, at))
		if !bytes.Equal(gj, wj) {
			t.Fatalf("%s: the node's statistics differ from reading every member:\n got %s\nwant %s", step, gj, wj)
		}
		// And the reconciliation.
		disc, err := n.Reconcile("", at, cfg)
		if err != nil {
			t.Fatal(err)
		}
		gj, _ = json.Marshal(disc)
		wj, _ = json.Marshal(report.Reconcile(st.Directory(), slices.Values(ledgers), n.ID(), "", at, cfg))
		if wj = bytes.ReplaceAll(wj, []byte("null"), []byte("[]")); !bytes.Equal(gj, wj) {
			t.Fatalf("%s: the node's reconciliation differs from reading every member:\n got %s\nwant %s", step, gj, wj)
		}
		for _, d := range disc {
			kinds[d.Kind]++
		}
	}
	write := func(id schema.LedgerID, body any) {
		t.Helper()
		if _, err := n.Write(id, body); err != nil {
			t.Fatal(err)
		}
	}
	var cell1, cell2 []schema.LedgerID
	for i := range 12 {
		home, list := tree.Cell1.ID(), &cell1
		if i%3 == 0 {
			home, list = tree.Cell2.ID(), &cell2
		}
		fields := map[string]string{"name": fmt.Sprintf("Đặng Thị Hoa %d", i), "sex": "F",
			"born": "1990-02-03", "admitted": fmt.Sprintf("2025-12-%02d", 1+i)}
		if i < 3 {
			fields["citizen_id"] = "001190012345" // one person entered three times
		}
		id, err := n.CreateMember(home, fields)
		if err != nil {
			t.Fatal(err)
		}
		*list = append(*list, id)
	}
	check("twelve members on probation", at)
	for _, id := range cell2[:2] {
		write(id, &schema.ExemptionBody{Type: schema.ExemptTemporary, Category: "health", From: "2026-09-01", Until: "2027-03-01", Decider: "Chi bộ"})
	}
	check("half a cell exempt", at)
	for i, id := range cell1[:5] {
		level, score := schema.RatingExcellent, 92
		if i == 0 {
			level, score = schema.RatingGood, 80
		}
		write(id, &schema.RatingBody{Year: 2026, Score: score, Level: level, Date: "2026-12-03"})
	}
	check("four excellent for one good", at)
	if _, err := n.Move(cell1[1], schema.MovementBody{Type: schema.MoveRemoved, Date: "2026-12-04", Reason: "Tự ý bỏ sinh hoạt"}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Move(cell2[0], schema.MovementBody{Type: schema.MoveFull, Date: "2026-12-04"}); err != nil {
		t.Fatal(err)
	}
	check("one removed, one full", at)
	if _, err := n.SetFields(cell1[2], map[string]string{"name": "Đặng Thị Hương"}); err != nil {
		t.Fatal(err)
	}
	check("a member renamed", at)
	check("another day", at.AddDays(40))
	check("back to the day", at)
	if kinds[report.KindMemberDuplicate] == 0 {
		t.Error("no duplicate citizen ID found at any step: the test does not exercise it")
	}
	for _, r := range []string{report.RuleMembershipFullDue, report.RuleExemptionRateHigh, report.RuleRatingQuota, report.RuleRatingMissing} {
		if rules[r] == 0 {
			t.Errorf("no %s alert at any step: the test does not exercise it", r)
		}
	}
}
