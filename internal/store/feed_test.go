package store_test

import (
	"fmt"
	"testing"

	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// TestNewLedgersByOrigin: the ledgers first held in a range, except those
// one origin brought, whether the range is since the store was opened
// (answered from memory when only that origin brought any) or before.
func TestNewLedgersByOrigin(t *testing.T) {
	tree := testkit.NewTree(100)
	dir := t.TempDir()
	opts := store.DefaultOptions(tree.Root.ID())
	opts.SyncWrites = false
	s, err := store.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Ingest(envelopes(tree.Charters), "join"); err != nil {
		t.Fatal(err)
	}
	author, hlc := tree.Grassroots, tree.LastHLC()
	create := func(s *store.Store, origin string, n int) []schema.LedgerID {
		t.Helper()
		var ids []schema.LedgerID
		for i := range n {
			hlc++
			var id schema.LedgerID
			id[0], id[1], id[2] = 0x7a, byte(hlc>>8), byte(hlc)
			d := testkit.Sign(author, testkit.Op(author, id, hlc, nil, &schema.MemberCreateBody{Home: author.ID(), Fields: map[string]string{
				"name": fmt.Sprintf("Lê Thị %s %d", origin, i), "sex": "F", "born": "1990-02-03",
			}}))
			res, _, err := s.Ingest([][]byte{d.Envelope}, origin)
			if err != nil || res[0].Err != nil {
				t.Fatalf("create: %v %v", err, res[0].Err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	check := func(s *store.Store, after uint64, origin string, want []schema.LedgerID) {
		t.Helper()
		got, err := s.NewLedgers(after, s.Seq(), origin, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if !sameLedgers(got, want) {
			t.Fatalf("NewLedgers(%d, %d, %q) = %d ledgers, want %d", after, s.Seq(), origin, len(got), len(want))
		}
	}
	before := s.Seq()
	fromA := create(s, "peer-a", 5)
	check(s, before, "peer-a", nil)
	check(s, before, "peer-b", fromA)
	mid := s.Seq()
	fromB := create(s, "peer-b", 3)
	check(s, before, "peer-a", fromB)
	check(s, mid, "peer-a", fromB)
	check(s, before, "peer-b", fromA)
	check(s, mid, "peer-b", nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// After a reopen the range before it is read from the store.
	s, err = store.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check(s, before, "peer-a", fromB)
	check(s, before, "peer-b", fromA)
	reopened := s.Seq()
	more := create(s, "peer-a", 2)
	check(s, reopened, "peer-a", nil)
	check(s, reopened, "peer-b", more)
	check(s, mid, "peer-b", more)
}

func sameLedgers(a, b []schema.LedgerID) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[schema.LedgerID]int{}
	for _, id := range a {
		seen[id]++
	}
	for _, id := range b {
		if seen[id] == 0 {
			return false
		}
		seen[id]--
	}
	return true
}
