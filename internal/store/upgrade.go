package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"

	"github.com/dgraph-io/badger/v4"
)

// upgradeChunk bounds the feed entries moved in one transaction.
const upgradeChunk = 1000

// upgrade brings a store written by an earlier version to the current
// layout, in steps that each commit: an upgrade cut short resumes on the
// next open. Format 1 (no m/format key) kept envelopes under o/<id> and
// feed entries of 56 bytes; format 2 moves the envelopes into the feed.
func upgrade(db *badger.DB, log *slog.Logger) error {
	var format uint64 = 1
	err := db.View(func(txn *badger.Txn) error {
		b, err := get(txn, kFormat)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(b) != 8 {
			return fmt.Errorf("corrupt store format record")
		}
		format = binary.BigEndian.Uint64(b)
		return nil
	})
	if err != nil {
		return err
	}
	if format == storeFormat {
		return nil
	}
	if format > storeFormat {
		return fmt.Errorf("the store was written by a newer lienthong (layout %d, this one knows %d): run the newer version", format, storeFormat)
	}
	var from uint64
	moved := 0
	for {
		n, last, err := moveEnvelopes(db, from)
		if err != nil {
			return fmt.Errorf("upgrading the store layout (at feed position %d): %w", from, err)
		}
		if last == 0 {
			break
		}
		moved += n
		from = last
		if moved > 0 && moved%100_000 < n {
			log.Info("upgrading the store layout", "ops", moved)
		}
	}
	if moved > 0 {
		log.Info("store layout upgraded", "ops", moved)
	}
	return db.Update(func(txn *badger.Txn) error {
		var v [8]byte
		binary.BigEndian.PutUint64(v[:], storeFormat)
		return txn.Set(kFormat, v[:])
	})
}

// moveEnvelopes moves the envelopes of up to upgradeChunk feed entries
// after position from into their entries. It returns how many it moved and
// the last position it looked at (0: none left).
func moveEnvelopes(db *badger.DB, from uint64) (int, uint64, error) {
	txn := db.NewTransaction(true)
	defer txn.Discard()
	type entry struct {
		seq uint64
		v   []byte
	}
	var entries []entry
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pFeed, PrefetchValues: true, PrefetchSize: 256})
	for it.Seek(feedKey(from + 1)); it.Valid() && len(entries) < upgradeChunk; it.Next() {
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			it.Close()
			return 0, 0, err
		}
		entries = append(entries, entry{binary.BigEndian.Uint64(it.Item().Key()[len(pFeed):]), v})
	}
	it.Close()
	if len(entries) == 0 {
		return 0, 0, nil
	}
	moved := 0
	for _, e := range entries {
		if len(e.v) != feedHeader {
			continue // moved already
		}
		var id [32]byte
		copy(id[:], e.v[:32])
		ok := opKey(id)
		env, err := get(txn, ok)
		switch {
		case errors.Is(err, ErrNotFound):
			// Quarantined after it entered the feed: the entry goes too.
			if err := txn.Delete(feedKey(e.seq)); err != nil {
				return 0, 0, err
			}
			continue
		case err != nil:
			return 0, 0, err
		}
		seq := make([]byte, 8)
		binary.BigEndian.PutUint64(seq, e.seq)
		if err := txn.Set(feedKey(e.seq), cat(e.v, env)); err != nil {
			return 0, 0, err
		}
		if err := txn.Set(ok, seq); err != nil {
			return 0, 0, err
		}
		moved++
	}
	if err := txn.Commit(); err != nil {
		return 0, 0, err
	}
	return moved, entries[len(entries)-1].seq, nil
}
