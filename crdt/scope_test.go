package crdt_test

import (
	"testing"

	"lienthong/crdt"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// TestHoldsUpTo: an official transfer ends the stake of the sending side at
// its acceptance; the sending side and its superiors may hold the ops up
// to it, a write of the old home concurrent with the acceptance (sorting
// before it) included, not the ops after it, unless the old home or a
// subordinate writes after it: then up to that write.
func TestHoldsUpTo(t *testing.T) {
	tree := testkit.NewTree(100)
	dir := mustDir(t, tree)
	c := create(tree, tree.Cell1, tree.Cell1.ID(), 1000)
	issue := testkit.Sign(tree.Cell1, testkit.Op(tree.Cell1, ledgerA, 1010, []schema.OpID{c.ID},
		&schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: tree.ResCell.ID(), Date: "2026-01-02"}))
	concurrent := set(tree.Cell1, 1020, []schema.OpID{issue.ID}, "phone", "0911111111")
	accept := testkit.Sign(tree.ResCell, testkit.Op(tree.ResCell, ledgerA, 1030, []schema.OpID{issue.ID},
		schema.Tagged{Kind: schema.KindTransferAccept, Body: &schema.TransferStepBody{Ref: issue.ID, Date: "2026-01-05"}}))
	later := set(tree.ResCell, 1040, []schema.OpID{accept.ID, concurrent.ID}, "phone", "0922222222")
	ops := []*schema.Decoded{c, issue, concurrent, accept, later}
	l, errs := crdt.Rebuild(dir, ledgerA, ops)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if l.HomeCommittee() != tree.ResCell.ID() {
		t.Fatalf("home %s, want the destination", l.HomeCommittee())
	}
	loads := 0
	closing := func() ([]*schema.Decoded, error) { loads++; return ops, nil }
	for _, c := range []*schema.Signer{tree.Cell1, tree.Grassroots} {
		if crdt.IsStakeholder(dir, l, c.ID()) {
			t.Fatalf("%s is still a stakeholder", c.ID())
		}
		up, ok, err := crdt.HoldsUpTo(dir, l, c.ID(), nil, closing)
		if err != nil || !ok || up != crdt.KeyOf(accept) {
			t.Fatalf("%s holds up to %v %v %v, want the acceptance", c.ID(), up, ok, err)
		}
		if up.Less(crdt.KeyOf(concurrent)) || !up.Less(crdt.KeyOf(later)) {
			t.Fatal("the concurrent write must sort before the acceptance, the later one after")
		}
	}
	// A write of the old home after the acceptance (an attempt the fold
	// rejects, here) is carried by its superiors.
	after := set(tree.Cell1, 1050, []schema.OpID{later.ID}, "phone", "0933333333")
	if up, ok, err := crdt.HoldsUpTo(dir, l, tree.Grassroots.ID(), []*schema.Decoded{after}, closing); err != nil || !ok || up != crdt.KeyOf(after) {
		t.Fatalf("the grassroots committee holds up to %v %v %v, want its cell's last write", up, ok, err)
	}
	before := loads
	if _, ok, err := crdt.HoldsUpTo(dir, l, tree.Cell2.ID(), nil, closing); ok || err != nil {
		t.Fatalf("a committee never named holds ops: %v %v", ok, err)
	}
	if loads != before {
		t.Fatal("the closing ops were loaded for a committee the state never named")
	}
}
