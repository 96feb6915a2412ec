package store_test

import (
	"testing"

	"lienthong/crdt"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// TestFoldsAheadYieldToWhatLandsFirst: Verify folds the creates of ledgers
// new here against the directory and the store as they are then. An op
// that lands between Verify and ApplyVerified (a revocation of the author,
// the same ledger created by another op) makes those folds stale, and the
// store then judges the ops as if nothing had been folded: the outcomes and
// the state hash are those of the naive fold.
func TestFoldsAheadYieldToWhatLandsFirst(t *testing.T) {
	tree := testkit.NewTree(100)
	at := tree.LastHLC()
	create := func(s, home *schema.Signer, id schema.LedgerID, hlc schema.HLC, name string) *schema.Decoded {
		return testkit.Sign(s, testkit.Op(s, id, hlc, nil, &schema.MemberCreateBody{Home: home.ID(), Fields: map[string]string{"name": name}}))
	}
	revoke := testkit.Sign(tree.Grassroots, testkit.Op(tree.Grassroots, schema.DirectoryLedger, at+1, tree.Heads(),
		&schema.RevocationBody{ID: tree.Cell2.ID(), Reason: "sáp nhập", Date: "2025-09-01"}))
	var a, b, c schema.LedgerID
	a[0], b[0], c[0] = 1, 2, 3
	byCell2 := create(tree.Cell2, tree.Cell2, a, at+10, "Đỗ Thị Hằng")
	mine := create(tree.Grassroots, tree.Cell1, b, at+20, "Lò Văn Pó")
	theirs := create(tree.Grassroots, tree.Cell1, b, at+15, "Lò Văn Páo")
	plain := create(tree.Grassroots, tree.Cell1, c, at+30, "Hà Thị Nguyệt")
	verified := []*schema.Decoded{byCell2, mine, plain}

	cases := []struct {
		name  string
		first *schema.Decoded // lands between Verify and ApplyVerified
		want  []crdt.Outcome  // of verified
	}{
		{"author revoked", revoke, []crdt.Outcome{crdt.Rejected, crdt.Applied, crdt.Applied}},
		{"ledger created by another op", theirs, []crdt.Outcome{crdt.Applied, crdt.Rejected, crdt.Applied}},
	}
	for _, tc := range cases {
		for _, async := range []bool{false, true} {
			s := openMem(t, tree.Root.ID())
			if _, _, err := s.Ingest(envelopes(tree.Charters), "peer"); err != nil {
				t.Fatal(err)
			}
			v := s.Verify(envelopes(verified))
			if _, _, err := s.Ingest([][]byte{tc.first.Envelope}, "peer"); err != nil {
				t.Fatal(err)
			}
			var res []crdt.Result
			var err error
			if async {
				res, _, err = s.ApplyVerifiedAsync(v, "peer", "", nil).Wait()
			} else {
				res, _, err = s.ApplyVerified(v, "peer", "", nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range res {
				if r.Outcome != tc.want[i] {
					t.Fatalf("%s: op %d %v (%v), want %v", tc.name, i, r.Outcome, r.Err, tc.want[i])
				}
			}
			h := &testkit.History{Tree: tree, Dir: tree.Charters, Members: append([]*schema.Decoded{tc.first}, verified...)}
			if tc.first == revoke {
				h.Dir, h.Members = append(tree.Charters[:len(tree.Charters):len(tree.Charters)], revoke), verified
			}
			if got, want := s.StateHash(), testkit.StoreHash(h.Expected()); got != want {
				t.Fatalf("%s: state hash %s, want %s (the naive fold)", tc.name, got, want)
			}
		}
	}
}
