package replica_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"lienthong/crdt"
	"lienthong/internal/replica"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
)

func memStore(t *testing.T, tree *testkit.Tree) *store.Store {
	t.Helper()
	opts := store.DefaultOptions(tree.Root.ID())
	opts.InMemory, opts.SyncWrites = true, false
	st, err := store.Open("", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	envs := make([][]byte, len(tree.Charters))
	for i, d := range tree.Charters {
		envs[i] = d.Envelope
	}
	if _, _, err := st.Ingest(envs, "join"); err != nil {
		t.Fatal(err)
	}
	return st
}

// cellWithMembers writes n members and some edits at a cell.
func cellWithMembers(t *testing.T, tree *testkit.Tree, n int) *store.Store {
	st := memStore(t, tree)
	nd, err := node.New(st, tree.Cell1, node.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		id, err := nd.CreateMember("", map[string]string{"name": "Lương Thị Hoa", "sex": "F"})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := nd.SetFields(id, map[string]string{"phone": "0912345678"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return st
}

func export(t *testing.T, st *store.Store, tree *testkit.Tree, since uint64) []byte {
	var buf bytes.Buffer
	if _, err := replica.ExportBundle(&buf, st, replica.ExportOptions{From: tree.Cell1.ID(), For: tree.Grassroots.ID(), Since: since, Now: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBundleRoundTripIsIdempotent(t *testing.T) {
	tree := testkit.NewTree(100)
	src := cellWithMembers(t, tree, 40)
	b := export(t, src, tree, 0)
	dst := memStore(t, tree)
	for round := range 2 {
		is, err := replica.ImportBundle(bytes.NewReader(b), dst, tree.Grassroots.ID())
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if round == 1 && is.Applied != 0 {
			t.Fatalf("second import applied %d ops", is.Applied)
		}
	}
	if dst.StateHash() != src.StateHash() {
		t.Fatal("state differs after importing the bundle")
	}
}

func TestBundlesOutOfOrder(t *testing.T) {
	tree := testkit.NewTree(100)
	src := cellWithMembers(t, tree, 10)
	first := export(t, src, tree, 0)
	mid := src.Seq()
	nd, _ := node.New(src, tree.Cell1, node.DefaultOptions())
	var id schema.LedgerID
	src.EachLedger(func(l *crdt.Ledger) bool { id = l.ID; return false })
	for range 5 {
		if _, err := nd.SetFields(id, map[string]string{"occupation": "Giáo viên"}); err != nil {
			t.Fatal(err)
		}
	}
	second := export(t, src, tree, mid)
	dst := memStore(t, tree)
	is, err := replica.ImportBundle(bytes.NewReader(second), dst, tree.Grassroots.ID())
	if err != nil {
		t.Fatal(err)
	}
	if is.Parked != 5 {
		t.Fatalf("later bundle first: %d parked, want 5 waiting for the earlier bundle", is.Parked)
	}
	if _, err := replica.ImportBundle(bytes.NewReader(first), dst, tree.Grassroots.ID()); err != nil {
		t.Fatal(err)
	}
	if dst.StateHash() != src.StateHash() {
		t.Fatal("state differs after importing bundles out of order")
	}
}

func TestDamagedBundleKeepsWhatCameBefore(t *testing.T) {
	tree := testkit.NewTree(100)
	src := cellWithMembers(t, tree, 3000) // several frames
	b := export(t, src, tree, 0)

	dst := memStore(t, tree)
	cut := b[:len(b)*2/3]
	is, err := replica.ImportBundle(bytes.NewReader(cut), dst, tree.Grassroots.ID())
	if !errors.Is(err, replica.ErrBundleDamaged) {
		t.Fatalf("truncated bundle: got %v", err)
	}
	if is.Applied == 0 {
		t.Fatal("nothing kept from before the cut")
	}
	acc, _, _, _ := dst.Counts()
	if acc != is.Applied+len(tree.Charters) {
		t.Fatalf("store holds %d ops, import says %d applied", acc, is.Applied)
	}

	// A byte flipped inside one op: that op is rejected, the others stand,
	// and the import says so.
	tampered := append([]byte(nil), b...)
	tampered[len(b)/2] ^= 0x40
	dst2 := memStore(t, tree)
	is, err = replica.ImportBundle(bytes.NewReader(tampered), dst2, tree.Grassroots.ID())
	if !errors.Is(err, replica.ErrBundleDamaged) {
		t.Fatalf("tampered bundle: got %v", err)
	}
	if is.Applied == 0 {
		t.Fatalf("tampered bundle: nothing kept (%+v)", is)
	}
}

func TestBundleFromAnotherNetworkIsRefused(t *testing.T) {
	tree := testkit.NewTree(100)
	src := cellWithMembers(t, tree, 1)
	b := export(t, src, tree, 0)
	other := testkit.NewTree(100)
	other.Root = testkit.Signer("another root")
	opts := store.DefaultOptions(other.Root.ID())
	opts.InMemory, opts.SyncWrites = true, false
	dst, err := store.Open("", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := replica.ImportBundle(bytes.NewReader(b), dst, tree.Grassroots.ID()); err == nil {
		t.Fatal("a bundle of another network was imported")
	}
	if dst.Seq() != 0 {
		t.Fatal("the refused bundle changed the store")
	}
}
