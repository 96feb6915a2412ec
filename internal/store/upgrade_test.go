package store_test

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// A store in the first layout (envelopes under o/<id>, feed entries of 56
// bytes, no format record) opens in the current one with the same ops,
// feed and state; an entry whose op was quarantined since goes.
func TestUpgradeMovesEnvelopesIntoTheFeed(t *testing.T) {
	tree := testkit.NewTree(100)
	dir := t.TempDir()
	s, err := store.Open(dir, store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		t.Fatal(err)
	}
	ops := slices.Clone(tree.Charters)
	for i := range 2500 {
		id := schema.LedgerID{byte(i), byte(i >> 8), 1}
		create := testkit.Sign(tree.Cell1, testkit.Op(tree.Cell1, id, tree.LastHLC()+schema.HLC(2*i+1)<<16, nil,
			&schema.MemberCreateBody{Home: tree.Cell1.ID(), Fields: map[string]string{"name": "Hà Thị Mai", "sex": "F"}}))
		ops = append(ops, create)
		if i%3 == 0 {
			ops = append(ops, testkit.Sign(tree.Grassroots, testkit.Op(tree.Grassroots, id, tree.LastHLC()+schema.HLC(2*i+2)<<16, []schema.OpID{create.ID},
				&schema.MemberSetBody{Fields: map[string]string{"phone": "0912345678"}})))
		}
	}
	if _, st, err := s.Ingest(envelopes(ops), "peer"); err != nil || st.Applied != len(ops) {
		t.Fatalf("%+v %v", st, err)
	}
	hash, seq := s.StateHash(), s.Seq()
	type fed struct {
		id  schema.OpID
		env []byte
	}
	var want []fed
	if err := s.Feed(0, func(e store.FeedEntry) bool {
		want = append(want, fed{e.ID, e.Envelope})
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(want) < 2000 {
		t.Fatalf("only %d ops accepted", len(want))
	}
	// Rewrite it in the first layout, plus a feed entry of an op that is
	// no longer accepted.
	db := s.DB()
	err = db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete([]byte("m/format")); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wb := db.NewWriteBatch()
	for i, f := range want {
		k := make([]byte, 10)
		copy(k, "f/")
		binary.BigEndian.PutUint64(k[2:], uint64(i+1))
		var old []byte
		if err := db.View(func(txn *badger.Txn) error {
			item, err := txn.Get(k)
			if err != nil {
				return err
			}
			old, err = item.ValueCopy(nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := wb.Set(k, old[:56]); err != nil {
			t.Fatal(err)
		}
		if err := wb.Set(append([]byte("o/"), f.id[:]...), f.env); err != nil {
			t.Fatal(err)
		}
	}
	gone := make([]byte, 10)
	copy(gone, "f/")
	binary.BigEndian.PutUint64(gone[2:], seq+1)
	if err := wb.Set(gone, bytes.Repeat([]byte{7}, 56)); err != nil {
		t.Fatal(err)
	}
	if err := wb.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := store.Open(dir, store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.StateHash() != hash || s2.Seq() != seq {
		t.Fatal("state hash or feed position changed in the upgrade")
	}
	var got []fed
	if err := s2.Feed(0, func(e store.FeedEntry) bool {
		got = append(got, fed{e.ID, e.Envelope})
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("feed after the upgrade: %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].id != want[i].id || !bytes.Equal(got[i].env, want[i].env) {
			t.Fatalf("feed entry %d differs after the upgrade", i+1)
		}
		env, err := s2.Op(want[i].id)
		if err != nil || !bytes.Equal(env, want[i].env) {
			t.Fatalf("op %d after the upgrade: %v", i+1, err)
		}
	}
	if got, err := s2.RecomputeHash(); err != nil || got != hash {
		t.Fatalf("recomputed hash after the upgrade: %v", err)
	}
}
