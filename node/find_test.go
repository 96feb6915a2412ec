package node_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"lienthong/crdt"
	"lienthong/internal/calendar"
	"lienthong/internal/report"
	"lienthong/internal/testkit"
	"lienthong/internal/vnname"
	"lienthong/node"
	"lienthong/schema"
)

// FindMembers answers what filtering and sorting every member's view
// would, page by page, and follows the store as it changes.
func TestFindMembers(t *testing.T) {
	tree := testkit.NewTree(100)
	n, _ := newNode(t, t.TempDir(), tree, tree.Grassroots)
	given := []string{"An", "Bình", "Ánh", "Chi", "Dũng", "Đức", "Hà", "Lan"}
	var ids []schema.LedgerID
	for i := range 40 {
		home := tree.Cell1.ID()
		if i%3 == 0 {
			home = tree.Cell2.ID()
		}
		fields := map[string]string{"name": fmt.Sprintf("Nguyễn Văn %s", given[i%len(given)]), "sex": "M", "born": "1980-01-02", "admitted": "2020-05-06"}
		if i%4 != 0 {
			fields["card"] = fmt.Sprintf("%08d", 31000000+i*37)
		}
		id, err := n.CreateMember(home, fields)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		if i%5 == 0 {
			if _, err := n.Move(id, schema.MovementBody{Type: schema.MoveFull, Date: "2021-05-06"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// What the members page did before: every view, filtered, sorted.
	want := func(q, status, home string, offset, limit int) []string {
		ms, err := n.Members()
		if err != nil {
			t.Fatal(err)
		}
		q = strings.ToLower(strings.TrimSpace(q))
		var out []*node.Member
		for _, m := range ms {
			if (status == "" || m.Status == status) && (home == "" || m.Home == home) &&
				strings.Contains(strings.ToLower(m.Fields["name"]+" "+m.Fields["card"]+" "+m.Fields["citizen_id"]+" "+m.ID), q) {
				out = append(out, m)
			}
		}
		vnname.Sort(out, func(m *node.Member) string { return m.Fields["name"] })
		offset = min(offset, len(out))
		if limit < 0 {
			limit = len(out)
		}
		var names []string
		for _, m := range out[offset:min(offset+limit, len(out))] {
			names = append(names, m.ID+" "+m.Fields["name"])
		}
		return names
	}
	check := func(q, status, home string, offset, limit int) {
		t.Helper()
		ms, err := n.FindMembers(node.MemberFilter{Q: q, Status: status, Home: home}, offset, limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.ID+" "+m.Fields["name"])
		}
		if w := want(q, status, home, offset, limit); !slices.Equal(got, w) {
			t.Fatalf("FindMembers(%q, %q, %q, %d, %d):\n got %q\nwant %q", q, status, home, offset, limit, got, w)
		}
	}
	cell2 := string(tree.Cell2.ID())
	for _, c := range []struct {
		q, status, home string
		offset, limit   int
	}{
		{"", "", "", 0, -1}, {"", "", "", 0, 7}, {"", "", "", 7, 7}, {"", "", "", 35, 10}, {"", "", "", 50, 5},
		{"bình", "", "", 0, -1}, {"  NGUYỄN VĂN Đ ", "", "", 0, -1}, {"3100", "", "", 2, 4},
		{ids[3].String()[20:], "", "", 0, -1}, {"", schema.StatusFull, "", 0, -1},
		{"", schema.StatusProbationary, cell2, 1, 3}, {"an", "", cell2, 0, -1}, {"nobody", "", "", 0, -1},
	} {
		check(c.q, c.status, c.home, c.offset, c.limit)
	}
	// A change shows at once: a rename, a new member, a movement.
	if _, err := n.SetFields(ids[0], map[string]string{"name": "Trần Thị Yến"}); err != nil {
		t.Fatal(err)
	}
	check("yến", "", "", 0, -1)
	check("", "", "", 0, -1)
	if _, err := n.CreateMember("", map[string]string{"name": "Lò Văn Ánh", "sex": "M"}); err != nil {
		t.Fatal(err)
	}
	check("ánh", "", "", 0, -1)
	if _, err := n.Move(ids[1], schema.MovementBody{Type: schema.MoveFull, Date: "2021-05-06"}); err != nil {
		t.Fatal(err)
	}
	check("", schema.StatusFull, "", 0, -1)
	// Most members renamed between two searches: the rows are made again
	// from every ledger. Then a few: only theirs are read again.
	rename := func(ids []schema.LedgerID, family string) {
		t.Helper()
		for i, id := range ids {
			if _, err := n.SetFields(id, map[string]string{"name": family + " " + given[(i+3)%len(given)]}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rename(ids[:30], "Hoàng Văn")
	check("", "", "", 0, -1)
	check("hoàng", "", "", 3, 5)
	rename(ids[28:33], "Vũ Thị")
	check("", "", "", 0, -1)
	check("vũ", "", "", 0, -1)
	check("hoàng", "", cell2, 0, -1)

	// Members with workflow items, and members by ID.
	names := func(f node.MemberFilter) []string {
		t.Helper()
		ms, err := n.FindMembers(f, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	if got := names(node.MemberFilter{Has: node.WithExemptions | node.WithLeaves}); got != nil {
		t.Fatalf("members with exemptions or leaves before any: %q", got)
	}
	if _, err := n.Write(ids[5], &schema.ExemptionBody{Type: schema.ExemptTemporary, Category: "health", From: "2026-09-01", Until: "2027-03-01", Decider: "Chi bộ"}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Write(ids[9], &schema.LeaveBody{From: "2026-01-01", Until: "2026-06-30", Place: "Bình Dương"}); err != nil {
		t.Fatal(err)
	}
	if got, want := names(node.MemberFilter{Has: node.WithExemptions}), []string{ids[5].String()}; !slices.Equal(got, want) {
		t.Fatalf("members with exemptions: %q, want %q", got, want)
	}
	both := names(node.MemberFilter{Has: node.WithExemptions | node.WithLeaves})
	if len(both) != 2 || !slices.Contains(both, ids[5].String()) || !slices.Contains(both, ids[9].String()) {
		t.Fatalf("members with exemptions or leaves: %q", both)
	}
	if got := names(node.MemberFilter{Has: node.WithTransfers | node.WithResidence}); got != nil {
		t.Fatalf("members with transfers or residence links: %q", got)
	}
	var inCell2 []string
	for _, m := range names(node.MemberFilter{}) {
		if mm, err := n.Member(mustParse(t, m)); err != nil {
			t.Fatal(err)
		} else if mm.Home == cell2 {
			inCell2 = append(inCell2, m)
		}
	}
	if got := names(node.MemberFilter{Under: tree.Cell2.ID()}); len(inCell2) == 0 || !slices.Equal(got, inCell2) {
		t.Fatalf("members under cell 2: %q, want %q", got, inCell2)
	}
	if got, all := names(node.MemberFilter{Under: tree.Grassroots.ID()}), names(node.MemberFilter{}); !slices.Equal(got, all) {
		t.Fatalf("members under the grassroots committee: %d of %d", len(got), len(all))
	}
	pick := []schema.LedgerID{ids[30], ids[2], ids[17]}
	var all []string
	for _, m := range names(node.MemberFilter{}) {
		if slices.ContainsFunc(pick, func(id schema.LedgerID) bool { return id.String() == m }) {
			all = append(all, m)
		}
	}
	if got := names(node.MemberFilter{IDs: pick}); !slices.Equal(got, all) || len(got) != 3 {
		t.Fatalf("members by ID: %q, want %q in the list's order", got, all)
	}
	if got := names(node.MemberFilter{IDs: pick, Has: node.WithExemptions}); got != nil {
		t.Fatalf("members by ID with exemptions: %q", got)
	}
	for _, bad := range []string{"", "transfer", "leaves,", "leaves,loans"} {
		if _, err := node.ParseWorkflows(bad); err == nil {
			t.Errorf("ParseWorkflows(%q) took it", bad)
		}
	}
	if w, err := node.ParseWorkflows("leaves,transfers"); err != nil || w != node.WithLeaves|node.WithTransfers {
		t.Errorf("ParseWorkflows(leaves,transfers) = %v, %v", w, err)
	}
}

func mustParse(t *testing.T, id string) schema.LedgerID {
	t.Helper()
	l, err := schema.ParseLedgerID(id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Searches and alerts asked while writes land end, once the writes are
// done, with what reading every member gives: a change that lands while
// the rows or the alerts are being brought up to date is not lost.
func TestFindMembersFollowsConcurrentWrites(t *testing.T) {
	tree := testkit.NewTree(100)
	n, st := newNode(t, t.TempDir(), tree, tree.Grassroots)
	at, cfg := calendar.NewDate(2026, 11, 28), report.DefaultConfig()
	var ids []schema.LedgerID
	for i := range 30 {
		id, err := n.CreateMember(tree.Cell1.ID(), map[string]string{"name": fmt.Sprintf("Mai Văn Bảo %d", i), "sex": "M", "admitted": "2025-12-01"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	done := make(chan error, 1)
	go func() {
		for i := range 60 {
			var err error
			switch id := ids[i%len(ids)]; i % 3 {
			case 0:
				_, err = n.SetFields(id, map[string]string{"name": fmt.Sprintf("Cao Thị Dịu %d", i)})
			case 1:
				_, err = n.CreateMember(tree.Cell2.ID(), map[string]string{"name": fmt.Sprintf("Ông Văn Ích %d", i), "sex": "M", "admitted": "2025-11-01"})
			default:
				_, err = n.Move(id, schema.MovementBody{Type: schema.MoveFull, Date: "2026-11-01"})
				if errors.Is(err, crdt.ErrInvalid) {
					err = nil // already full
				}
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for writing := true; writing; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			writing = false
		default:
		}
		if _, err := n.FindMembers(node.MemberFilter{Q: "a"}, 0, 10); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Alerts(at, cfg); err != nil {
			t.Fatal(err)
		}
	}
	got, err := n.FindMembers(node.MemberFilter{}, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	var want []*node.Member
	if err := st.EachLedger(func(l *crdt.Ledger) bool { want = append(want, n.View(l, false)); return true }); err != nil {
		t.Fatal(err)
	}
	vnname.Sort(want, func(m *node.Member) string { return m.Fields["name"] })
	line := func(ms []*node.Member) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.ID+" "+m.Fields["name"]+" "+m.Status)
		}
		return out
	}
	if g, w := line(got), line(want); !slices.Equal(g, w) {
		t.Fatalf("after concurrent writes the members page lists\n%q\nreading every member gives\n%q", g, w)
	}
	alerts, err := n.Alerts(at, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var ledgers []*crdt.Ledger
	if err := st.EachLedger(func(l *crdt.Ledger) bool { ledgers = append(ledgers, l); return true }); err != nil {
		t.Fatal(err)
	}
	want2 := report.Alerts(st.Directory(), slices.Values(ledgers), n.ID(), at, cfg)
	if g, w := fmt.Sprint(alerts), fmt.Sprint(want2); len(alerts) == 0 || g != w {
		t.Fatalf("after concurrent writes the node keeps %d alerts, reading every member gives %d:\n%s\n%s", len(alerts), len(want2), g, w)
	}
}
