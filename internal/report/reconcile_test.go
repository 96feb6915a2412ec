package report_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"lienthong/crdt"
	"lienthong/internal/report"
	"lienthong/schema"
)

type reconcileWorld struct {
	n       *network
	tr      *netTree
	dropped *schema.Signer // chartered, then revoked
	by      map[string]schema.LedgerID
}

// reconcileScenario scripts one member per discrepancy kind, named after
// the kind, and a clean member.
func reconcileScenario(t *testing.T) *reconcileWorld {
	n, tr := newCase(t)
	w := &reconcileWorld{n: n, tr: tr, by: map[string]schema.LedgerID{}}
	w.dropped = n.charter(tr.grassroots, "dropped cell", "Chi bộ Phòng Vật tư", "cell", schema.CommitteeWorkplace)
	add := func(name string, home *schema.Signer, fields map[string]string) *script {
		f := map[string]string{"name": name}
		for k, v := range fields {
			f[k] = v
		}
		m := n.member(home, f)
		w.by[name] = m.id
		return m
	}
	clean := add("clean", tr.cell1, map[string]string{"card": "10000001", "citizen_id": "001080000001"})
	clean.rate(2025, 80, "2025-12-10")

	left := add("left", tr.cell1, nil)
	in := left.intro(tr.commune, "2025-10-01", false)
	left.acceptResidence(in, "2025-10-05", tr.resCell)
	left.leave("2026-01-05", "2026-05-31", nil)
	left.issue(schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: tr.cell2.ID(), Date: "2026-02-02"})
	left.move(schema.MoveDied, "2026-02-20")

	prob := add("probationary", tr.cell1, map[string]string{"admitted": "2025-03-01", "full": ""})
	prob.set(map[string]string{"full": "2026-03-01"})

	exempt := add("rated while exempt", tr.cell2, nil)
	exempt.rate(2025, 75, "2025-12-15")
	exempt.exempt(schema.ExemptPermanent, "health", "2025-06-01", "")

	// An official transfer ends the residence link (crdt), so a member who
	// moved leaves no link behind: no residence.home_changed.
	moved := add("moved", tr.cell1, nil)
	in = moved.intro(tr.commune, "2025-09-01", false)
	moved.acceptResidence(in, "2025-09-05", tr.resCell)
	letter := moved.issue(schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: tr.cell2.ID(), Date: "2026-01-05"})
	moved.acceptTransfer(letter, "2026-01-15", nil)

	stuck := add("stuck", tr.cell1, nil)
	letter = stuck.issue(schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: tr.commune.ID(), Date: "2026-01-05"})
	stuck.present(letter, "2026-01-10")

	leave := add("leave expired", tr.cell2, nil)
	leave.leave("2025-10-01", "2026-02-28", nil)

	pending := add("not accepted", tr.cell2, nil)
	pending.intro(tr.commune, "2026-01-05", false)

	add("card A", tr.cell1, map[string]string{"card": "22222222"})
	add("card B", tr.resCell, map[string]string{"card": "22222222"})
	add("twin A", tr.cell1, map[string]string{"citizen_id": "001080999999"})
	add("twin B", tr.cell2, map[string]string{"citizen_id": "001080999999"})
	gone := add("twin gone", tr.cell2, map[string]string{"citizen_id": "001080999999"})
	gone.move(schema.MoveResigned, "2025-05-01")

	add("revoked home", w.dropped, nil)
	n.revoke(tr.grassroots, w.dropped, "2026-01-31")
	return w
}

func (w *reconcileWorld) names(ids []schema.LedgerID) []string {
	var out []string
	for _, id := range ids {
		for name, x := range w.by {
			if x == id {
				out = append(out, name)
			}
		}
	}
	return out
}

// summary lists "kind: members @ committee" lines, sorted.
func (w *reconcileWorld) summary(ds []report.Discrepancy) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s: %s @ %s", d.Kind, strings.Join(w.names(d.Members), ", "), d.CommitteeName))
	}
	slices.Sort(out)
	return out
}

func TestReconcile(t *testing.T) {
	w := reconcileScenario(t)
	tr := w.tr
	at := day(t, "2026-04-01")
	got := report.Reconcile(w.n.dir, slices.Values(w.n.ledgers()), tr.root.ID(), "", at, cfg)
	want := []string{
		"card.duplicate: card A, card B @ Tỉnh ủy Hà Nam",
		"home.revoked: revoked home @ Chi bộ Phòng Vật tư",
		"leave.expired: leave expired @ Chi bộ Phòng Kế toán",
		"member.duplicate: twin A, twin B @ Đảng ủy Công ty Điện lực",
		"residence.not_accepted: not accepted @ Đảng ủy phường Lê Hồng Phong",
		"status.left_leave_open: left @ Chi bộ Phòng Kỹ thuật",
		"status.left_residence_active: left @ Chi bộ Phòng Kỹ thuật",
		"status.left_transfer_open: left @ Chi bộ Phòng Kỹ thuật",
		"status.probationary_with_full_date: probationary @ Chi bộ Phòng Kỹ thuật",
		"status.rated_while_exempt: rated while exempt @ Chi bộ Phòng Kế toán",
		"transfer.stuck: stuck @ Chi bộ Phòng Kỹ thuật",
	}
	if s := w.summary(got); !slices.Equal(s, want) {
		t.Fatalf("got\n  %s\nwant\n  %s", strings.Join(s, "\n  "), strings.Join(want, "\n  "))
	}
	if !slices.IsSortedFunc(got, func(a, b report.Discrepancy) int { return strings.Compare(a.Kind, b.Kind) }) {
		t.Fatal("not sorted by kind")
	}
	for _, d := range got {
		if d.Detail == "" {
			t.Fatalf("%s has no detail", d.Kind)
		}
	}
	if d := got[slices.IndexFunc(got, func(d report.Discrepancy) bool { return d.Kind == report.KindTransferStuck })]; !strings.Contains(d.Detail, "đã xuất trình ngày 10/01/2026 nhưng chưa được tiếp nhận") {
		t.Fatalf("stuck transfer detail %q", d.Detail)
	}

	// Before the deadlines, nothing is stuck yet.
	early := w.summary(report.Reconcile(w.n.dir, slices.Values(w.n.ledgers()), tr.root.ID(), "", day(t, "2026-02-10"), cfg))
	for _, s := range early {
		if strings.HasPrefix(s, "transfer.stuck") || strings.HasPrefix(s, "residence.not_accepted") || strings.HasPrefix(s, "leave.expired") {
			t.Fatalf("on 10/02/2026: %s", s)
		}
	}

	// with a subordinate: only what names its subtree.
	sub := w.summary(report.Reconcile(w.n.dir, slices.Values(w.n.ledgers()), tr.root.ID(), tr.commune.ID(), at, cfg))
	wantSub := []string{
		"card.duplicate: card A, card B @ Tỉnh ủy Hà Nam",
		"residence.not_accepted: not accepted @ Đảng ủy phường Lê Hồng Phong",
		"status.left_leave_open: left @ Chi bộ Phòng Kỹ thuật",
		"status.left_residence_active: left @ Chi bộ Phòng Kỹ thuật",
		"status.left_transfer_open: left @ Chi bộ Phòng Kỹ thuật",
		"transfer.stuck: stuck @ Chi bộ Phòng Kỹ thuật",
	}
	slices.Sort(wantSub)
	if !slices.Equal(sub, wantSub) {
		t.Fatalf("with the commune:\n  %s\nwant\n  %s", strings.Join(sub, "\n  "), strings.Join(wantSub, "\n  "))
	}
	// with the superior: the scope's own subtree.
	up := w.summary(report.Reconcile(w.n.dir, slices.Values(w.n.ledgers()), tr.cell2.ID(), tr.grassroots.ID(), at, cfg))
	own := w.summary(report.Reconcile(w.n.dir, slices.Values(w.n.ledgers()), tr.cell2.ID(), "", at, cfg))
	if !slices.Equal(up, own) || len(own) == 0 {
		t.Fatalf("with the superior %v, own subtree %v", up, own)
	}
	// Cell2 sees Cell1's member whose letter names it, not Cell1's others.
	joined := strings.Join(own, "\n")
	if !strings.Contains(joined, "status.left_transfer_open: left") || strings.Contains(joined, "probationary") || strings.Contains(joined, "stuck") {
		t.Fatalf("Cell2's list:\n%s", joined)
	}
	// with an unrelated committee: nothing is shared.
	if got := report.Reconcile(w.n.dir, slices.Values(w.n.ledgers()), tr.cell1.ID(), tr.commune.ID(), at, cfg); got != nil {
		t.Fatalf("with an unrelated committee: %v", w.summary(got))
	}

	// A node whose directory lacks a home's charter flags the home.
	var ops []*schema.Decoded
	for _, d := range w.n.dirOps {
		if b, ok := d.Body.(*schema.CharterBody); ok && b.ID == tr.resCell.ID() {
			continue
		}
		ops = append(ops, d)
	}
	partial, _ := crdt.RebuildDirectory(tr.root.ID(), ops)
	found := false
	for _, s := range w.summary(report.Reconcile(partial, slices.Values(w.n.ledgers()), tr.root.ID(), "", at, cfg)) {
		if strings.HasPrefix(s, "home.not_chartered: card B") {
			found = true
		}
	}
	if !found {
		t.Fatal("no home.not_chartered for a member homed at a committee the directory does not hold")
	}

	raw, err := json.Marshal(got[0])
	if err != nil || !strings.Contains(string(raw), `"members":["`) || !strings.Contains(string(raw), `"kind":"card.duplicate"`) {
		t.Fatalf("JSON %s, %v", raw, err)
	}
}
