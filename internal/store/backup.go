package store

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dgraph-io/badger/v4"

	"lienthong/crdt"
	"lienthong/schema"
)

// Backup writes a consistent snapshot of the whole store to w while the
// store keeps serving: every committed op is in it with its state, or not
// at all.
func (s *Store) Backup(w io.Writer) error {
	_, err := s.db.Backup(w, 0)
	return err
}

// Restore loads a backup into an empty store directory at path.
func Restore(path string, r io.Reader) error {
	if entries, err := os.ReadDir(path); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty: restore into a fresh data directory, or move the old store aside first", path)
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return err
	}
	db, err := badger.Open(badgerOptions(path, Options{SyncWrites: true}))
	if err != nil {
		return err
	}
	if err := db.Load(r, 256); err != nil {
		db.Close()
		return fmt.Errorf("loading the backup: %w (is it a lienthong backup file?)", err)
	}
	return db.Close()
}

// RecomputeHash folds the store-wide state hash again from every stored
// state, to check it against the one kept incrementally.
func (s *Store) RecomputeHash() (crdt.Hash, error) {
	var h crdt.Hash
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pLedger, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var id schema.LedgerID
			k := it.Item().Key()
			if len(k) != len(pLedger)+len(id) {
				return errors.New("corrupt ledger key")
			}
			copy(id[:], k[len(pLedger):])
			err := it.Item().Value(func(v []byte) error {
				h = h.Xor(crdt.Contribution(id, crdt.StateHash(v)))
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return h, err
}
