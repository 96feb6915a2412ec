package store_test

import (
	"slices"
	"testing"

	"lienthong/crdt"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// The change log lists the member ledgers changed after a version, each
// once; what changes nothing adds no version, and a version the log no
// longer reaches, or one it never gave, asks for a full read.
func TestChangeLog(t *testing.T) {
	defer store.SetChangeLogLimit(4)()
	s, _, _, tree := diskStore(t)
	defer s.Close()
	if v := s.LedgerVersion(); v != 0 {
		t.Fatalf("version %d after the directory alone, want 0", v)
	}
	changed := func(since uint64, want ...schema.LedgerID) uint64 {
		t.Helper()
		ids, now, ok := s.LedgersChangedSince(since)
		if !ok {
			t.Fatalf("changes since %d: log does not reach back", since)
		}
		if now != s.LedgerVersion() {
			t.Fatalf("changes since %d bring the reader to %d, the store is at %d", since, now, s.LedgerVersion())
		}
		sort := func(ids []schema.LedgerID) []schema.LedgerID {
			return slices.SortedFunc(slices.Values(ids), func(a, b schema.LedgerID) int { return slices.Compare(a[:], b[:]) })
		}
		if got, w := sort(ids), sort(want); !slices.Equal(got, w) {
			t.Fatalf("changes since %d: got %v, want %v", since, got, w)
		}
		return now
	}
	apply := func(ds ...*schema.Decoded) {
		t.Helper()
		if _, _, err := s.Apply(ds, "test", false); err != nil {
			t.Fatal(err)
		}
	}
	ledger := func(b byte) schema.LedgerID { return schema.LedgerID{0xc7, b} }
	a, b := ledger(1), ledger(2)
	createA := memberCreate(tree.Cell1, a, 1000, map[string]string{"name": "Nguyễn Văn An"})
	apply(createA, memberCreate(tree.Cell1, b, 1001, map[string]string{"name": "Lê Thị Bình"}))
	v1 := changed(0, a, b)
	if v1 != 1 {
		t.Fatalf("one batch made version %d", v1)
	}
	set := testkit.Sign(tree.Cell1, testkit.Op(tree.Cell1, a, 1010, []schema.OpID{createA.ID}, &schema.MemberSetBody{Fields: map[string]string{"phone": "0912345678"}}))
	apply(set)
	v2 := changed(v1, a)
	changed(0, a, b) // a once
	changed(v2)
	// A duplicate and a rejected op change no state.
	apply(set)
	forged := testkit.Sign(tree.Cell2, testkit.Op(tree.Cell2, a, 1020, []schema.OpID{set.ID}, &schema.MemberSetBody{Fields: map[string]string{"phone": "0900000000"}}))
	if res, _, err := s.Apply([]*schema.Decoded{forged}, "test", false); err != nil || res[0].Outcome != crdt.Rejected {
		t.Fatalf("an op by a committee that is not the home: %+v, %v", res, err)
	}
	if v := s.LedgerVersion(); v != v2 {
		t.Fatalf("version %d after a duplicate and a rejection, want %d", v, v2)
	}
	// The log keeps 4 IDs: three more ledgers push out the first batch.
	for i := range 3 {
		apply(memberCreate(tree.Cell1, ledger(byte(10+i)), schema.HLC(2000+i), map[string]string{"name": "Phạm Văn Cường"}))
	}
	if _, _, ok := s.LedgersChangedSince(v1 - 1); ok {
		t.Fatal("the log still reaches a version it dropped")
	}
	changed(v2, ledger(10), ledger(11), ledger(12))
	if _, _, ok := s.LedgersChangedSince(s.LedgerVersion() + 1); ok {
		t.Fatal("a version ahead of the store is taken")
	}
}
