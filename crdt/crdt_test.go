package crdt_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"

	"lienthong/crdt"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

func mustDir(t *testing.T, tree *testkit.Tree, extra ...*schema.Decoded) *crdt.Directory {
	t.Helper()
	dir, errs := crdt.RebuildDirectory(tree.Root.ID(), append(tree.Charters, extra...))
	if len(errs) > 0 {
		t.Fatalf("directory: %v", errs)
	}
	return dir
}

var ledgerA = schema.LedgerID{0xa}

func create(tree *testkit.Tree, author *schema.Signer, home schema.CommitteeID, hlc schema.HLC) *schema.Decoded {
	return testkit.Sign(author, testkit.Op(author, ledgerA, hlc, nil, &schema.MemberCreateBody{Home: home, Fields: map[string]string{"name": "Trần Thị Mai", "sex": "F"}}))
}

func set(author *schema.Signer, hlc schema.HLC, deps []schema.OpID, k, v string) *schema.Decoded {
	return testkit.Sign(author, testkit.Op(author, ledgerA, hlc, deps, &schema.MemberSetBody{Fields: map[string]string{k: v}}))
}

func TestConcurrentWritesStayVisibleUntilResolved(t *testing.T) {
	tree := testkit.NewTree(100)
	dir := mustDir(t, tree)
	c := create(tree, tree.Cell1, tree.Cell1.ID(), 1000)
	a := set(tree.Cell1, 1010, []schema.OpID{c.ID}, "phone", "0911111111")
	b := set(tree.Grassroots, 1005, []schema.OpID{c.ID}, "phone", "0922222222")
	l, errs := crdt.Rebuild(dir, ledgerA, []*schema.Decoded{a, c, b})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := l.Fields.Get("phone")
	if len(r) != 2 || !r.Conflict() {
		t.Fatalf("want a conflict of two values, got %+v", r)
	}
	if r.Winner() != "0911111111" {
		t.Fatalf("winner = %q, want the later clock's value", r.Winner())
	}
	if got := l.Conflicts(); len(got) != 1 || got[0] != "phone" {
		t.Fatalf("Conflicts() = %v", got)
	}
	// A write that saw both values resolves the conflict.
	res := set(tree.Grassroots, 1020, l.DAG.Heads, "phone", "0933333333")
	if err := crdt.Apply(dir, l, res); err != nil {
		t.Fatal(err)
	}
	if r := l.Fields.Get("phone"); len(r) != 1 || r.Winner() != "0933333333" {
		t.Fatalf("after resolving write: %+v", r)
	}
	if len(l.History) != 4 {
		t.Fatalf("history has %d entries, want 4", len(l.History))
	}
}

func TestCorrectionResolvesConflict(t *testing.T) {
	tree := testkit.NewTree(100)
	dir := mustDir(t, tree)
	c := create(tree, tree.Cell1, tree.Cell1.ID(), 1000)
	a := set(tree.Cell1, 1010, []schema.OpID{c.ID}, "card", "01234567")
	b := set(tree.Grassroots, 1011, []schema.OpID{c.ID}, "card", "07654321")
	l, _ := crdt.Rebuild(dir, ledgerA, []*schema.Decoded{c, a, b})
	if !l.Fields.Get("card").Conflict() {
		t.Fatal("want a conflict on card")
	}
	// The correction saw only a, yet it supersedes every value of the field
	// that sorts before it.
	fix := testkit.Sign(tree.Cell1, testkit.Op(tree.Cell1, ledgerA, 1020, []schema.OpID{a.ID},
		&schema.MemberCorrectBody{Target: b.ID, Fields: map[string]string{"card": "01234567"}, Reason: "số thẻ ghi nhầm"}))
	if err := crdt.Apply(dir, l, fix); err != nil {
		t.Fatal(err)
	}
	if r := l.Fields.Get("card"); len(r) != 1 || r.Winner() != "01234567" {
		t.Fatalf("after correction: %+v", r)
	}
	if ev := l.History[len(l.History)-1]; ev.Target != b.ID || ev.Reason == "" {
		t.Fatalf("correction event %+v", ev)
	}
}

func TestAuthorization(t *testing.T) {
	tree := testkit.NewTree(100)
	stranger := testkit.Signer("stranger")
	rev := testkit.Sign(tree.Grassroots, testkit.Op(tree.Grassroots, schema.DirectoryLedger, 1500, tree.Heads(),
		&schema.RevocationBody{ID: tree.Cell2.ID(), Reason: "sáp nhập", Date: "2025-09-01"}))
	dir := mustDir(t, tree, rev)
	c := create(tree, tree.Cell1, tree.Cell1.ID(), 1000)
	c2 := testkit.Sign(tree.Cell2, testkit.Op(tree.Cell2, schema.LedgerID{0xb}, 1400, nil, &schema.MemberCreateBody{Home: tree.Cell2.ID(), Fields: map[string]string{"name": "Lê Văn Hải"}}))
	cases := []struct {
		name string
		l    schema.LedgerID
		d    *schema.Decoded
		want error
	}{
		{"unknown key", ledgerA, set(stranger, 1100, []schema.OpID{c.ID}, "phone", "0912345678"), crdt.ErrUnauthorized},
		{"residence committee is not home", ledgerA, set(tree.Commune, 1100, []schema.OpID{c.ID}, "phone", "0912345678"), crdt.ErrUnauthorized},
		{"sibling cell is not home", ledgerA, set(tree.Cell2, 1100, []schema.OpID{c.ID}, "phone", "0912345678"), crdt.ErrUnauthorized},
		{"revoked committee after revocation", schema.LedgerID{0xb}, testkit.Sign(tree.Cell2, testkit.Op(tree.Cell2, schema.LedgerID{0xb}, 1600, []schema.OpID{c2.ID}, &schema.MemberSetBody{Fields: map[string]string{"phone": "0912345678"}})), crdt.ErrUnauthorized},
		{"create for unknown home", schema.LedgerID{0xc}, testkit.Sign(tree.Root, testkit.Op(tree.Root, schema.LedgerID{0xc}, 1100, nil, &schema.MemberCreateBody{Home: stranger.ID(), Fields: map[string]string{"name": "X"}})), crdt.ErrInvalid},
		{"clock not after deps", ledgerA, set(tree.Cell1, 999, []schema.OpID{c.ID}, "phone", "0912345678"), crdt.ErrInvalid},
		{"correction of foreign op", ledgerA, testkit.Sign(tree.Cell1, testkit.Op(tree.Cell1, ledgerA, 1100, []schema.OpID{c.ID}, &schema.MemberCorrectBody{Target: schema.OpID{1}, Fields: map[string]string{"phone": "0912345678"}, Reason: "x"})), crdt.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var l *crdt.Ledger
			if tc.l == ledgerA {
				l, _ = crdt.Rebuild(dir, ledgerA, []*schema.Decoded{c})
			} else if tc.l == (schema.LedgerID{0xb}) {
				l, _ = crdt.Rebuild(dir, tc.l, []*schema.Decoded{c2})
			} else {
				l = crdt.NewLedger(tc.l)
			}
			before, _ := l.Encode()
			err := crdt.Apply(dir, l, tc.d)
			if errors.Is(err, crdt.ErrOutOfOrder) {
				// Sorts before the ledger's ops: the fold judges it.
				_, errs := crdt.Rebuild(dir, l.ID, []*schema.Decoded{c, tc.d})
				if len(errs) != 1 {
					t.Fatalf("fold gave %v, want one rejection", errs)
				}
				err = errs[0]
			}
			var rej *crdt.RejectError
			if !errors.As(err, &rej) || !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want a *RejectError wrapping %v", err, tc.want)
			}
			if rej.Reason == "" {
				t.Fatal("rejection has no reason")
			}
			after, _ := l.Encode()
			if string(before) != string(after) {
				t.Fatal("a rejected op changed the state")
			}
		})
	}
	// Ops of the revoked committee from before its revocation stand.
	l, errs := crdt.Rebuild(dir, schema.LedgerID{0xb}, []*schema.Decoded{c2})
	if len(errs) > 0 || !l.Created() {
		t.Fatalf("an op written before the revocation was rejected: %v", errs)
	}
}

func TestDirectoryRules(t *testing.T) {
	tree := testkit.NewTree(100)
	dir := mustDir(t, tree)
	child := testkit.Signer("new cell")
	charter := func(author *schema.Signer, parent schema.CommitteeID, hlc schema.HLC) *schema.Decoded {
		return testkit.Sign(author, testkit.Op(author, schema.DirectoryLedger, hlc, dir.DAG.Heads,
			&schema.CharterBody{ID: child.ID(), Name: "Chi bộ mới", Level: "cell", Parent: parent, Kind: schema.CommitteeWorkplace, IssuedAt: "2025-08-01"}))
	}
	for _, d := range []*schema.Decoded{
		charter(tree.Cell1, tree.Grassroots.ID(), 200),                            // signed by someone other than the parent
		charter(testkit.Signer("outsider"), testkit.Signer("outsider").ID(), 200), // parent not chartered
	} {
		if err := crdt.ApplyDirectory(dir.Clone(), d); !errors.Is(err, crdt.ErrUnauthorized) {
			t.Fatalf("got %v, want unauthorized", err)
		}
	}
	if err := crdt.ApplyDirectory(dir, charter(tree.Grassroots, tree.Grassroots.ID(), 200)); err != nil {
		t.Fatal(err)
	}
	if err := dir.ActiveAt(child.ID(), 300); err != nil {
		t.Fatal(err)
	}
	if !dir.IsAncestorAt(tree.Root.ID(), child.ID(), 300) {
		t.Fatal("root is not an ancestor of a grandchild")
	}
}

// TestFoldIsIndependentOfOrder: folding any permutation of a history, with
// duplicates, gives byte-identical state; and Apply in fold order agrees
// with Rebuild.
func TestFoldIsIndependentOfOrder(t *testing.T) {
	cases := 2000
	if testing.Short() {
		cases = 200
	}
	for seed := range cases {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		h := testkit.RandomHistory(rng, 3, 30, seed%3 == 0)
		want, _ := h.Expected()
		dirOps := append(h.Dir[:0:0], h.Dir...)
		rng.Shuffle(len(dirOps), func(i, j int) { dirOps[i], dirOps[j] = dirOps[j], dirOps[i] })
		dir, _ := crdt.RebuildDirectory(h.Tree.Root.ID(), dirOps)
		ops := append(h.Members[:0:0], h.Members...)
		for i := 0; i < len(h.Members)/4; i++ {
			ops = append(ops, h.Members[rng.IntN(len(h.Members))])
		}
		rng.Shuffle(len(ops), func(i, j int) { ops[i], ops[j] = ops[j], ops[i] })
		by := map[schema.LedgerID][]*schema.Decoded{}
		for _, d := range ops {
			by[d.Op.Ledger] = append(by[d.Op.Ledger], d)
		}
		for id, lops := range by {
			l, _ := crdt.Rebuild(dir, id, lops)
			if !l.Created() {
				if _, ok := want[id]; ok {
					t.Fatalf("seed %d: ledger %s missing after shuffled fold", seed, id)
				}
				continue
			}
			raw, _ := l.Encode()
			if crdt.StateHash(raw) != want[id] {
				t.Fatalf("seed %d: ledger %s hash differs after shuffled fold", seed, id)
			}
			// The stored form decodes to the same state.
			back, err := crdt.DecodeLedger(raw)
			if err != nil {
				t.Fatal(err)
			}
			raw2, _ := back.Encode()
			if string(raw) != string(raw2) {
				t.Fatalf("seed %d: state does not round-trip through its encoding", seed)
			}
			// Every field, history entry and op reference comes back, not
			// only the same bytes.
			j1, _ := json.Marshal(l)
			j2, _ := json.Marshal(back)
			if string(j1) != string(j2) {
				t.Fatalf("seed %d: decoded state differs:\n%s\n%s", seed, j1, j2)
			}
		}
	}
}
