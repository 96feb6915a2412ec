package store_test

import (
	"testing"

	"github.com/dgraph-io/badger/v4"

	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// diskStore opens a store in a fresh directory (writes not synced) with a
// committee tree's charters in it. The caller closes it.
func diskStore(t *testing.T) (s *store.Store, dir string, opts store.Options, tree *testkit.Tree) {
	t.Helper()
	tree = testkit.NewTree(100)
	dir = t.TempDir()
	opts = store.DefaultOptions(tree.Root.ID())
	opts.SyncWrites = false
	s, err := store.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Ingest(envelopes(tree.Charters), "join"); err != nil {
		s.Close()
		t.Fatal(err)
	}
	return s, dir, opts, tree
}

// memberCreate is author's signed create of member ledger id at hlc.
func memberCreate(author *schema.Signer, id schema.LedgerID, hlc schema.HLC, fields map[string]string) *schema.Decoded {
	return testkit.Sign(author, testkit.Op(author, id, hlc, nil, &schema.MemberCreateBody{Home: author.ID(), Fields: fields}))
}

// rawUpdate runs fn in one transaction on the closed store in dir, through
// Badger itself: for tests that lay records out as older versions did, or
// damage them.
func rawUpdate(t *testing.T, dir string, fn func(txn *badger.Txn) error) {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(fn)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}
