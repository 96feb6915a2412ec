package node_test

import (
	"errors"
	"testing"
	"time"

	"lienthong/crdt"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
)

// newNode opens a real on-disk store holding tree's directory and a node
// signing as who.
func newNode(t *testing.T, dir string, tree *testkit.Tree, who *schema.Signer) (*node.Node, *store.Store) {
	t.Helper()
	st, err := store.Open(dir, store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, _, err := st.Ingest(envelopesOf(tree.Charters), "setup"); err != nil {
		t.Fatal(err)
	}
	n, err := node.New(st, who, node.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return n, st
}

func TestMemberLifecycleSurvivesRestart(t *testing.T) {
	tree := testkit.NewTree(100)
	dir := t.TempDir()
	n, st := newNode(t, dir, tree, tree.Cell1)
	id, err := n.CreateMember("", map[string]string{"name": "Phan Thị Thu Hà", "sex": "F", "born": "1985-03-08", "card": "01234567"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.SetFields(id, map[string]string{"phone": "0912345678"}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Move(id, schema.MovementBody{Type: schema.MoveFull, Date: "2025-03-08"}); err != nil {
		t.Fatal(err)
	}
	hash := n.StateHash()
	st.Close()

	n2, _ := newNode(t, dir, tree, tree.Cell1)
	if n2.StateHash() != hash {
		t.Fatal("state hash changed across restart")
	}
	m, err := n2.Member(id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Fields["phone"] != "0912345678" || m.Status != schema.StatusFull || m.Home != string(tree.Cell1.ID()) || len(m.History) != 3 {
		t.Fatalf("member after restart: %+v", m)
	}
	ids, err := n2.FindByCard("01234567")
	if err != nil || len(ids) != 1 || ids[0] != id {
		t.Fatalf("card index: %v %v", ids, err)
	}
}

func TestRefusedWriteLeavesNothing(t *testing.T) {
	tree := testkit.NewTree(100)
	home, st := newNode(t, t.TempDir(), tree, tree.Cell1)
	id, err := home.CreateMember("", map[string]string{"name": "Vũ Đức Thắng"})
	if err != nil {
		t.Fatal(err)
	}
	// The residence commune shares the store here only to try a write the
	// policy refuses.
	other, err := node.New(st, tree.Commune, node.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	before := st.StateHash()
	_, err = other.SetFields(id, map[string]string{"phone": "0912345678"})
	if !errors.Is(err, crdt.ErrUnauthorized) {
		t.Fatalf("got %v, want ErrUnauthorized", err)
	}
	if st.StateHash() != before {
		t.Fatal("refused write changed state")
	}
	if _, q, _, _ := st.Counts(); q != 0 {
		t.Fatalf("refused local write was quarantined (%d)", q)
	}
	if _, err := home.SetFields(id, map[string]string{"card": "123"}); !errors.Is(err, schema.ErrInvalidField) {
		t.Fatalf("bad card: got %v", err)
	}
	// The superior may write.
	sup, _ := node.New(st, tree.Grassroots, node.DefaultOptions())
	if _, err := sup.SetFields(id, map[string]string{"phone": "0912345678"}); err != nil {
		t.Fatalf("superior write refused: %v", err)
	}
}

func TestImportSignsInBatches(t *testing.T) {
	tree := testkit.NewTree(100)
	n, st := newNode(t, t.TempDir(), tree, tree.Cell1)
	in := make([]node.MemberInput, 4500)
	for i := range in {
		in[i] = node.MemberInput{Fields: map[string]string{"name": "Đặng Văn Bình", "sex": "M"}}
	}
	var calls []int
	stats, err := n.Import(in, func(done int) { calls = append(calls, done) })
	if err != nil {
		t.Fatal(err)
	}
	if stats.Created != 4500 || len(calls) != 3 || calls[2] != 4500 {
		t.Fatalf("stats %+v, progress %v", stats, calls)
	}
	acc, _, _, _ := st.Counts()
	if acc != 4500+len(tree.Charters) {
		t.Fatalf("%d ops stored", acc)
	}
	ms, _ := n.Members()
	// Re-importing the same rows with their IDs changes nothing.
	again := make([]node.MemberInput, len(ms))
	for i, m := range ms {
		id, _ := schema.ParseLedgerID(m.ID)
		again[i] = node.MemberInput{ID: id, Fields: m.Fields}
	}
	before := st.StateHash()
	stats, err = n.Import(again, nil)
	if err != nil || stats.Updated != 0 || st.StateHash() != before {
		t.Fatalf("re-import: %+v %v", stats, err)
	}
}

var _ node.Store = (*store.Store)(nil)

// A site whose computer clock is a year ahead writes to a member. An op
// written after it at this node sorts after it, but the node's own clock
// stays with its wall clock for every other ledger.
func TestFutureClockStaysOnItsLedger(t *testing.T) {
	tree := testkit.NewTree(100)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	st, err := store.Open(t.TempDir(), store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, _, err := st.Ingest(envelopesOf(tree.Charters), "setup"); err != nil {
		t.Fatal(err)
	}
	opts := node.DefaultOptions()
	opts.Now = func() time.Time { return now }
	n, err := node.New(st, tree.Grassroots, opts)
	if err != nil {
		t.Fatal(err)
	}
	id := schema.LedgerID{7}
	ahead := schema.MakeHLC(now.AddDate(1, 0, 0).UnixMilli(), 0)
	create := testkit.Sign(tree.Cell1, testkit.Op(tree.Cell1, id, ahead, nil,
		&schema.MemberCreateBody{Home: tree.Cell1.ID(), Fields: map[string]string{"name": "Võ Thị Sáu", "sex": "F"}}))
	if _, st, err := st.Ingest([][]byte{create.Envelope}, "cell1"); err != nil || st.Applied != 1 {
		t.Fatalf("create from the cell: %+v %v", st, err)
	}
	set, err := n.SetFields(id, map[string]string{"phone": "0987654321"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := n.Ledger(id)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := l.DAG.Get(set)
	if m == nil || m.HLC <= ahead {
		t.Fatalf("the write after the op from the future sorts before it (%v)", m)
	}
	other, err := n.CreateMember("", map[string]string{"name": "Đặng Văn Ngữ", "sex": "M"})
	if err != nil {
		t.Fatal(err)
	}
	lo, err := n.Ledger(other)
	if err != nil {
		t.Fatal(err)
	}
	got := time.UnixMilli(lo.DAG.Ops[0].HLC.Millis())
	if d := got.Sub(now); d < 0 || d > time.Second {
		t.Fatalf("a new member's op has clock %s, %s from the node's wall clock %s", got, d, now)
	}
}

// Ledger IDs begin with their creation time, so ledgers made later sort
// after those made before (their keys then cluster in the store); the rest
// is random, so IDs made in the same millisecond still differ.
func TestLedgerIDsBeginWithTheirTime(t *testing.T) {
	tree := testkit.NewTree(100)
	st, err := store.Open("", store.Options{InMemory: true, Root: tree.Root.ID()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	opts := node.DefaultOptions()
	opts.Now = func() time.Time { return clock }
	n, err := node.New(st, tree.Cell1, opts)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[schema.LedgerID]bool{}
	var prev schema.LedgerID
	for i := range 200 {
		if i%50 == 0 {
			clock = clock.Add(time.Millisecond)
		}
		id, err := n.NewLedgerID()
		if err != nil {
			t.Fatal(err)
		}
		var ms uint64
		for _, b := range id[:6] {
			ms = ms<<8 | uint64(b)
		}
		if ms != uint64(clock.UnixMilli()) {
			t.Fatalf("ID %s begins with %d, want the time %d", id, ms, clock.UnixMilli())
		}
		if seen[id] {
			t.Fatalf("ID %s made twice", id)
		}
		seen[id] = true
		if i%50 == 0 && i > 0 && string(id[:]) <= string(prev[:]) {
			t.Fatalf("ID %s made a millisecond later sorts before %s", id, prev)
		}
		prev = id
	}
}
