package store_test

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"lienthong/internal/store"
	"lienthong/schema"
)

// TestNewLedgersByOrigin: the ledgers first held in a range, except those
// one origin brought, whether the range is since the store was opened
// (answered from memory when only that origin brought any) or before.
func TestNewLedgersByOrigin(t *testing.T) {
	s, dir, opts, tree := diskStore(t)
	author, hlc := tree.Grassroots, tree.LastHLC()
	create := func(s *store.Store, origin string, n int) []schema.LedgerID {
		t.Helper()
		var ids []schema.LedgerID
		for i := range n {
			hlc++
			var id schema.LedgerID
			id[0], id[1], id[2] = 0x7a, byte(hlc>>8), byte(hlc)
			d := memberCreate(author, id, hlc, map[string]string{
				"name": fmt.Sprintf("Lê Thị %s %d", origin, i), "sex": "F", "born": "1990-02-03",
			})
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
	s, err := store.Open(dir, opts)
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

// TestNewLedgersReadsBothRecordForms: a batch records the ledgers it first
// held in one record; stores written before kept a record per ledger. Both
// are read, an origin's own are left out, the limit holds, and a damaged
// record is an error.
func TestNewLedgersReadsBothRecordForms(t *testing.T) {
	s, dir, opts, tree := diskStore(t)
	author, hlc := tree.Grassroots, tree.LastHLC()
	create := func(origin string, n int) []schema.LedgerID {
		t.Helper()
		var ids []schema.LedgerID
		var envs [][]byte
		for i := range n {
			hlc++
			var id schema.LedgerID
			id[0], id[1], id[2] = 0x6b, byte(hlc>>8), byte(hlc)
			envs = append(envs, memberCreate(author, id, hlc, map[string]string{
				"name": fmt.Sprintf("Đỗ Văn %s %d", origin, i), "sex": "M", "born": "1970-06-07",
			}).Envelope)
			ids = append(ids, id)
		}
		res, _, err := s.Ingest(envs, origin)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
		}
		return ids
	}
	fromA, fromB := create("peer-a", 5), create("peer-b", 3)
	head := s.Seq()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Records in the older form: two ledgers from peer-c, one from peer-a.
	older := func(seq uint64, id schema.LedgerID, origin string) (k, v []byte) {
		k = make([]byte, 2+8+16)
		copy(k, "n/")
		binary.BigEndian.PutUint64(k[2:], seq)
		copy(k[10:], id[:])
		tag := store.OriginTag(origin)
		return k, tag[:]
	}
	fromC := []schema.LedgerID{{0x71, 1}, {0x71, 2}}
	rawUpdate(t, dir, func(txn *badger.Txn) error {
		for i, c := range []struct {
			id     schema.LedgerID
			origin string
		}{{fromC[0], "peer-c"}, {fromC[1], "peer-c"}, {schema.LedgerID{0x71, 3}, "peer-a"}} {
			if err := txn.Set(older(head-uint64(i), c.id, c.origin)); err != nil {
				return err
			}
		}
		return nil
	})
	var err error
	if s, err = store.Open(dir, opts); err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	for _, c := range []struct {
		origin string
		want   []schema.LedgerID
	}{
		{"peer-a", slices.Concat(fromB, fromC)},
		{"peer-b", slices.Concat(fromA, fromC, []schema.LedgerID{{0x71, 3}})},
	} {
		got, err := s.NewLedgers(0, head, c.origin, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if !sameLedgers(got, c.want) {
			t.Fatalf("NewLedgers(all, except %s) = %d ledgers, want %d", c.origin, len(got), len(c.want))
		}
		if got, err := s.NewLedgers(0, head, c.origin, 4); err != nil || len(got) != 4 {
			t.Fatalf("NewLedgers limited to 4: %d ledgers, %v", len(got), err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// A record cut short.
	rawUpdate(t, dir, func(txn *badger.Txn) error {
		k := make([]byte, 10)
		copy(k, "n/")
		binary.BigEndian.PutUint64(k[2:], head-5)
		return txn.Set(k, make([]byte, 8+7))
	})
	if s, err = store.Open(dir, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := s.NewLedgers(0, head, "peer-a", 1000); err == nil || !strings.Contains(err.Error(), "new-ledger record") {
		t.Fatalf("a damaged record: %v, want an error naming it", err)
	}
}
