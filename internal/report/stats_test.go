package report_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"lienthong/internal/report"
	"lienthong/schema"
)

func TestStats(t *testing.T) {
	n, tr := newCase(t)
	// Cell1: five members.
	a := n.member(tr.cell1, map[string]string{"name": "A"})
	a.rate(2026, 95, "2026-12-10")
	b := n.member(tr.cell1, map[string]string{"name": "B", "admitted": "2026-02-03", "full": ""})
	b.move(schema.MoveAdmitted, "2026-02-03")
	c := n.member(tr.cell1, map[string]string{"name": "C"})
	c.exempt(schema.ExemptPermanent, "age", "2026-01-10", "")
	d := n.member(tr.cell1, map[string]string{"name": "D"})
	d.rate(2026, 40, "2026-12-10")
	d.move(schema.MoveDied, "2026-12-12")
	e := n.member(tr.cell1, map[string]string{"name": "E"})
	e.rate(2026, 80, "2026-03-01") // rated at Cell1, then moved
	letter := e.issue(schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: tr.grassroots.ID(), Date: "2026-04-01"})
	e.acceptTransfer(letter, "2026-04-10", tr.cell2)
	// Cell2: one member of its own, away on a temporary transfer to the
	// residence cell; one older official transfer in from Cell1.
	f := n.member(tr.cell2, map[string]string{"name": "F"})
	f.rate(2026, 60, "2026-12-10")
	tmp := f.issue(schema.TransferIssueBody{Type: schema.TransferTemporary, Destination: tr.commune.ID(), Date: "2026-06-01", Until: "2026-12-31"})
	f.acceptTransfer(tmp, "2026-06-05", tr.resCell)
	g := n.member(tr.cell1, map[string]string{"name": "G"})
	old := g.issue(schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: tr.cell2.ID(), Date: "2025-05-01"})
	g.acceptTransfer(old, "2025-05-10", nil)

	st := report.Stats(n.dir, slices.Values(n.ledgers()), tr.grassroots.ID(), day(t, "2026-01-01"), day(t, "2026-12-31"))
	if len(st.Units) != 3 || st.Units[0].Committee != tr.grassroots.ID() || st.Units[0].Depth != 0 || st.Units[1].Depth != 1 {
		t.Fatalf("units %+v", st.Units)
	}
	// Children by name: "Chi bộ Phòng Kế toán" (Cell2) before "Chi bộ Phòng Kỹ thuật" (Cell1).
	cell2, cell1 := st.Units[1], st.Units[2]
	if cell2.Committee != tr.cell2.ID() || cell1.Committee != tr.cell1.ID() {
		t.Fatalf("order %s, %s", cell2.Name, cell1.Name)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %+v, want %+v", name, got, want)
		}
	}
	check("cell1 official", cell1.Official, 3) // A, B, C (D died, E moved)
	check("cell1 probationary", cell1.Probationary, 1)
	check("cell1 exempt", cell1.Exempt, 1)
	check("cell1 rate", cell1.ExemptionRate, 1.0/3)
	check("cell1 movements", cell1.Movements, report.Movements{Admitted: 1, TransferredOut: 1, Died: 1})
	// A excellent, D not fulfilled (died after), E good (rated at Cell1);
	// B, admitted in February, is owed a rating; C is exempt and is not.
	check("cell1 ratings", cell1.Ratings, report.RatingCounts{Excellent: 1, Good: 1, NotFulfilled: 1, Unrated: 1})
	check("cell2 official", cell2.Official, 3) // E, F, G
	check("cell2 movements", cell2.Movements, report.Movements{TransferredIn: 1, TemporaryOut: 1})
	check("cell2 ratings", cell2.Ratings, report.RatingCounts{Fulfilled: 1, Unrated: 1}) // G unrated
	check("grassroots official", st.Units[0].Official, 0)
	check("total official", st.Total.Official, 6)
	check("total exempt rate", st.Total.ExemptionRate, 1.0/6)
	check("total movements", st.Total.Movements, report.Movements{Admitted: 1, TransferredIn: 1, TransferredOut: 1, TemporaryOut: 1, Died: 1})

	// The residence cell hosts F on a temporary transfer, outside its
	// official headcount.
	res := report.Stats(n.dir, slices.Values(n.ledgers()), tr.commune.ID(), day(t, "2026-01-01"), day(t, "2026-12-31"))
	if len(res.Units) != 2 || res.Units[1].Temporary != 1 || res.Units[1].Official != 0 || res.Units[1].Movements.TemporaryIn != 1 {
		t.Fatalf("commune %+v", res.Units)
	}
	// On a day after the temporary transfer ended it no longer counts.
	f.endTransfer(tmp, "2026-09-01")
	res = report.Stats(n.dir, slices.Values(n.ledgers()), tr.commune.ID(), day(t, "2026-09-01"), day(t, "2026-10-01"))
	if res.Units[1].Temporary != 0 {
		t.Fatalf("after the end: %+v", res.Units[1])
	}

	raw, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"exemption_rate":`, `"transferred_out":1`, `"not_fulfilled":1`, `"rating_year":2026`, `"from":"2026-01-01"`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("JSON lacks %s: %s", key, raw)
		}
	}
}
