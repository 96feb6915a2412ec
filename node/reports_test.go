package node_test

import (
	"testing"
	"time"

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
