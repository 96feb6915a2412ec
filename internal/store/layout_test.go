package store_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"lienthong/internal/store"
	"lienthong/schema"
)

// TestOlderLayoutIsUpgradedOnOpen rewrites a store into the layout that
// kept envelopes under their ops' keys (with the first entries already
// moved, as a migration cut short leaves it, and an op accepted twice, as
// a quarantine and a later acceptance leave it), reopens it, and checks
// that every op is read and served as before.
func TestOlderLayoutIsUpgradedOnOpen(t *testing.T) {
	for _, inline := range []bool{false, true} {
		t.Run(fmt.Sprintf("inline=%v", inline), func(t *testing.T) { testUpgrade(t, inline) })
	}
}

// testUpgrade runs the upgrade in a process that keeps values inline, or
// not: either way the envelopes go to the value log.
func testUpgrade(t *testing.T, inline bool) {
	s, dir, opts, tree := diskStore(t)
	author, hlc := tree.Grassroots, tree.LastHLC()
	var batch []*schema.Decoded
	for i := range 2500 {
		hlc++
		var id schema.LedgerID
		binary.BigEndian.PutUint64(id[:], uint64(hlc))
		batch = append(batch, memberCreate(author, id, hlc, map[string]string{
			"name": fmt.Sprintf("Phạm Thị %d", i), "sex": "F", "born": "1979-11-12",
			// Long enough that the envelope goes to the value log.
			"address":   fmt.Sprintf("Số %d, ngõ 12, đường Nguyễn Trãi, phường Thanh Xuân Trung, quận Thanh Xuân, thành phố Hà Nội", i),
			"workplace": "Công ty cổ phần Xây dựng và Phát triển hạ tầng đô thị số 3, chi nhánh phía Bắc",
			"hometown":  "Xã Nghĩa Hưng, huyện Nghĩa Đàn, tỉnh Nghệ An",
		}))
	}
	if _, _, err := s.Ingest(envelopes(batch), "peer"); err != nil {
		t.Fatal(err)
	}
	want := map[schema.OpID][]byte{}
	for _, d := range append(append([]*schema.Decoded(nil), tree.Charters...), batch...) {
		want[d.ID] = d.Envelope
	}
	hash, head := s.StateHash(), s.Seq()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// The older layout, from entry 1200 on.
	const movedUpTo = 1200
	twice := batch[2000].ID // accepted again at head+1
	rawUpdate(t, dir, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("f/")})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			seq := binary.BigEndian.Uint64(it.Item().Key()[2:])
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			var id schema.OpID
			copy(id[:], v[:32])
			if seq <= movedUpTo {
				continue
			}
			if err := txn.Set(it.Item().KeyCopy(nil), v[:56]); err != nil {
				return err
			}
			if err := txn.Set(append([]byte("o/"), id[:]...), want[id]); err != nil {
				return err
			}
			if id == twice {
				var k [10]byte
				copy(k[:], "f/")
				binary.BigEndian.PutUint64(k[2:], head+1)
				if err := txn.Set(k[:], v[:56]); err != nil {
					return err
				}
			}
		}
		var h [8]byte
		binary.BigEndian.PutUint64(h[:], head+1)
		if err := txn.Set([]byte("m/seq"), h[:]); err != nil {
			return err
		}
		return txn.Delete([]byte("m/layout"))
	})

	var envBytes int
	for _, env := range want {
		envBytes += len(env)
	}
	opts.InlineValues = inline
	for round := range 2 { // the second open finds nothing to do
		before := vlogBytes(t, dir)
		s, err := store.Open(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.StateHash(); got != hash {
			t.Fatalf("round %d: state hash %s, want %s", round, got, hash)
		}
		served := map[schema.OpID]uint64{}
		err = s.Feed(0, func(e store.FeedEntry) bool {
			if e.Envelope == nil {
				if e.ID != twice || e.Seq == head+1 {
					t.Errorf("round %d: feed entry %d (op %s) has no envelope", round, e.Seq, e.ID.Short())
				}
				return true
			}
			if !bytes.Equal(e.Envelope, want[e.ID]) {
				t.Errorf("round %d: feed entry %d: not op %s's envelope", round, e.Seq, e.ID.Short())
			}
			if _, dup := served[e.ID]; dup {
				t.Errorf("round %d: op %s served at entries %d and %d", round, e.ID.Short(), served[e.ID], e.Seq)
			}
			served[e.ID] = e.Seq
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(served) != len(want) || served[twice] != head+1 {
			t.Fatalf("round %d: %d ops served, want %d; op accepted twice served at %d, want %d", round, len(served), len(want), served[twice], head+1)
		}
		rd := s.NewReader()
		for id, env := range want {
			got, err := rd.Op(id)
			if err != nil || !bytes.Equal(got, env) {
				t.Fatalf("round %d: op %s: %v, or not its envelope", round, id.Short(), err)
			}
		}
		rd.Close()
		ops, err := s.LedgerOps(batch[1700].Op.Ledger)
		if err != nil || len(ops) != 1 || !bytes.Equal(ops[0], batch[1700].Envelope) {
			t.Fatalf("round %d: ledger ops: %v (%d)", round, err, len(ops))
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if grew := vlogBytes(t, dir) - before; round == 0 && grew < int64(envBytes)/2 {
			t.Fatalf("the upgrade added %d bytes to the value log for %d bytes of envelopes moved: they went to the tree", grew, envBytes)
		}
	}
}
