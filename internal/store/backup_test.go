package store_test

import (
	"bytes"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"lienthong/crdt"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
)

// TestBackupWhileWriting takes a backup while writes go on; the restored
// store is consistent (its kept hash equals the hash folded from its states)
// and equals the source as it stood at some commit.
func TestBackupWhileWriting(t *testing.T) {
	tree := testkit.NewTree(100)
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "src"), store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.Ingest(envelopes(tree.Charters), "join")
	n, _ := node.New(st, tree.Cell1, node.DefaultOptions())
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			id, err := n.CreateMember("", map[string]string{"name": "Lâm Văn Tùng", "sex": "M"})
			if err != nil {
				t.Error(err)
				return
			}
			n.SetFields(id, map[string]string{"phone": "0912345678"})
		}
	}()
	for st.Seq() < 100 {
		runtime.Gosched()
	}
	var buf bytes.Buffer
	if err := st.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	stop.Store(true)
	wg.Wait()
	if err := store.Restore(filepath.Join(dir, "restored"), &buf); err != nil {
		t.Fatal(err)
	}
	if err := store.Restore(filepath.Join(dir, "src"), bytes.NewReader(nil)); err == nil {
		t.Fatal("restore over an existing store was allowed")
	}
	rs, err := store.Open(filepath.Join(dir, "restored"), store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	again, err := rs.RecomputeHash()
	if err != nil {
		t.Fatal(err)
	}
	if again != rs.StateHash() {
		t.Fatal("restored store is inconsistent: its kept hash differs from its states")
	}
	// Every restored ledger is the fold of the ops restored with it.
	checked := 0
	err = rs.EachLedger(func(l *crdt.Ledger) bool {
		envs, err := rs.LedgerOps(l.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ops []*schema.Decoded
		for _, e := range envs {
			d, err := schema.DecodeStored(e)
			if err != nil {
				t.Fatal(err)
			}
			ops = append(ops, d)
		}
		folded, errs := crdt.Rebuild(rs.Directory(), l.ID, ops)
		a, _ := folded.Encode()
		b, _ := l.Encode()
		if len(errs) > 0 || !bytes.Equal(a, b) {
			t.Fatalf("restored ledger %s is not the fold of its ops (%v)", l.ID, errs)
		}
		checked++
		return true
	})
	if err != nil || checked == 0 {
		t.Fatalf("checked %d ledgers: %v", checked, err)
	}
	if rs.Seq() == 0 {
		t.Fatal("restored store is empty")
	}
}
