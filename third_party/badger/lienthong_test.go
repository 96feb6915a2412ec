package badger

// Tests of the changes made for lienthong (README.md, changes 6 and 7).

import (
	"bytes"
	"fmt"
	"testing"
)

func openForTest(t *testing.T) *DB {
	t.Helper()
	opt := DefaultOptions(t.TempDir()).
		WithValueLogFileSize(1 << 20).
		WithValueThreshold(64).
		WithLogger(nil)
	db, err := Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func value(i int) []byte { return bytes.Repeat([]byte{byte('a' + i%26)}, 1000) }

// fill writes n values of 1,000 bytes, about n KB of value log.
func fill(t *testing.T, db *DB, prefix string, n int) {
	t.Helper()
	for i := 0; i < n; i += 100 {
		wb := db.NewWriteBatch()
		for j := i; j < i+100 && j < n; j++ {
			if err := wb.Set([]byte(fmt.Sprintf("%s%06d", prefix, j)), value(j)); err != nil {
				t.Fatal(err)
			}
		}
		if err := wb.Flush(); err != nil {
			t.Fatal(err)
		}
	}
}

// A value-log rewrite moves the live values of a file and deletes it. A
// reader that took the value's pointer before the move reads it from where
// it went; upstream returned an empty value and no error.
func TestValueReadAfterItsFileIsRewritten(t *testing.T) {
	db := openForTest(t)
	key, want := []byte("k000000"), value(0)
	fill(t, db, "k", 1500) // the first file, and half of the second
	txn := db.NewTransaction(false)
	defer txn.Discard()
	item, err := txn.Get(key)
	if err != nil {
		t.Fatal(err)
	}
	var vp valuePointer
	vp.Decode(item.vptr)
	db.vlog.filesLock.RLock()
	lf := db.vlog.filesMap[vp.Fid]
	max := db.vlog.maxFid
	db.vlog.filesLock.RUnlock()
	if lf == nil || vp.Fid >= max {
		t.Fatalf("the value is in file %d of %d; want it in an earlier file than the last", vp.Fid, max)
	}
	if err := db.vlog.rewrite(lf); err != nil {
		t.Fatal(err)
	}
	db.vlog.filesLock.RLock()
	_, still := db.vlog.filesMap[vp.Fid]
	db.vlog.filesLock.RUnlock()
	if still {
		t.Fatalf("file %d is still there after its rewrite", vp.Fid)
	}
	got, err := item.ValueCopy(nil)
	if err != nil {
		t.Fatalf("reading a value whose file was rewritten: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes (%.10q), want the %d written", len(got), got, len(want))
	}
	// A value of a later version of the key, written after the rewrite,
	// does not stand in for the version the reader holds.
	if err := db.Update(func(txn *Txn) error { return txn.Set(key, value(1)) }); err != nil {
		t.Fatal(err)
	}
	if got, err := item.ValueCopy(nil); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("after a newer version: read %.10q (%v), want %.10q", got, err, want)
	}
}

// A value that cannot be read is an error, not an empty value.
func TestUnreadableValueIsAnError(t *testing.T) {
	db := openForTest(t)
	fill(t, db, "k", 1500)
	txn := db.NewTransaction(false)
	defer txn.Discard()
	item, err := txn.Get([]byte("k000000"))
	if err != nil {
		t.Fatal(err)
	}
	var vp valuePointer
	vp.Decode(item.vptr)
	// The file goes away with nothing moved out of it, as a file lost would.
	db.vlog.filesLock.Lock()
	lf := db.vlog.filesMap[vp.Fid]
	delete(db.vlog.filesMap, vp.Fid)
	db.vlog.filesLock.Unlock()
	defer func() {
		db.vlog.filesLock.Lock()
		db.vlog.filesMap[vp.Fid] = lf
		db.vlog.filesLock.Unlock()
	}()
	got, err := item.ValueCopy(nil)
	if err == nil {
		t.Fatalf("read %d bytes and no error from a file that is gone", len(got))
	}
}

// Open returns once the read watermark has taken in the last version, so a
// compaction right after it may drop overwritten versions.
func TestOpenTakesInTheReadWatermark(t *testing.T) {
	dir := t.TempDir()
	opt := DefaultOptions(dir).WithLogger(nil)
	for round := 0; round < 20; round++ {
		db, err := Open(opt)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(func(txn *Txn) error { return txn.Set([]byte("k"), value(round)) }); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if db, err = Open(opt); err != nil {
			t.Fatal(err)
		}
		got, max := db.orc.discardAtOrBelow(), db.MaxVersion()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if got < max {
			t.Fatalf("round %d: right after Open, versions at or below %d may be dropped; want %d", round, got, max)
		}
	}
}
