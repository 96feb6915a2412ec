package crdt_test

import (
	"testing"

	"lienthong/crdt"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// TestStakeEnd: an official transfer ends the stake of the sending side at
// its acceptance; a write of the old home concurrent with the acceptance
// but sorting before it was written while the sending side had a stake, a
// write after the acceptance was not.
func TestStakeEnd(t *testing.T) {
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
	load := func() ([]*schema.Decoded, error) { loads++; return ops, nil }
	for _, c := range []*schema.Signer{tree.Cell1, tree.Grassroots} {
		if crdt.IsStakeholder(dir, l, c.ID()) {
			t.Fatalf("%s is still a stakeholder", c.ID())
		}
		end, ok, err := crdt.StakeEnd(dir, l, c.ID(), load)
		if err != nil || !ok || end != crdt.KeyOf(accept) {
			t.Fatalf("stake end of %s: %v %v %v, want the acceptance", c.ID(), end, ok, err)
		}
		if end.Less(crdt.KeyOf(concurrent)) || !end.Less(crdt.KeyOf(later)) {
			t.Fatal("the concurrent write must sort before the end, the later one after")
		}
	}
	before := loads
	if _, ok, err := crdt.StakeEnd(dir, l, tree.Cell2.ID(), load); ok || err != nil {
		t.Fatalf("a committee never named had a stake: %v %v", ok, err)
	}
	if loads != before {
		t.Fatal("the ops were loaded for a committee the state never named")
	}
}
