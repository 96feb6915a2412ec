package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// kLayout records the layout of the store's records. Layout 2 keeps op
// envelopes in the feed (see feedHead); layout 1, which has no record,
// kept them under their op's key.
var kLayout = []byte("m/layout")

const layoutEnvelopesInFeed = "2"

// migrateChunk is how many feed entries one transaction of the migration
// rewrites.
const migrateChunk = 1000

// layoutOutdated reports whether db holds a store in an older layout.
func layoutOutdated(db *badger.DB) (bool, error) {
	var layout []byte
	err := db.View(func(txn *badger.Txn) error {
		var err error
		layout, err = get(txn, kLayout)
		return err
	})
	switch {
	case err == nil && string(layout) == layoutEnvelopesInFeed:
		return false, nil
	case err == nil:
		return false, fmt.Errorf("store layout %q is newer than this program knows: run a newer lienthong", layout)
	case errors.Is(err, ErrNotFound):
		return true, nil
	}
	return false, err
}

// upgradeWithValueLog upgrades the store in path with the value log on,
// for a process that otherwise keeps values inline.
func upgradeWithValueLog(path string, opts Options) error {
	opts.InlineValues = false
	db, err := openBadger(path, badgerOptions(path, opts))
	if err != nil {
		return err
	}
	var seq uint64
	err = db.View(func(txn *badger.Txn) error {
		b, err := get(txn, kSeq)
		if err == nil && len(b) == 8 {
			seq = binary.BigEndian.Uint64(b)
		} else if errors.Is(err, ErrNotFound) {
			err = nil
		}
		return err
	})
	if err == nil {
		err = upgradeLayout(db, opts.Logger, seq)
	}
	return errors.Join(err, db.Close())
}

// upgradeLayout moves a layout-1 store's envelopes into its feed entries,
// in transactions of migrateChunk entries, each rewriting an entry and its
// op's record together. A migration cut short (a crash) starts again from
// the beginning and skips what it did. seq is the store's feed head, for
// the log.
func upgradeLayout(db *badger.DB, log *slog.Logger, seq uint64) error {
	outdated, err := layoutOutdated(db)
	if err != nil || !outdated {
		return err
	}
	t0 := time.Now()
	moved, from := 0, uint64(0)
	for chunks := 1; ; chunks++ {
		var n int
		var last uint64
		err := db.Update(func(txn *badger.Txn) error {
			var err error
			n, last, err = upgradeChunk(txn, from)
			return err
		})
		if err != nil {
			return fmt.Errorf("moving op envelopes into the feed after entry %d: %w", from, err)
		}
		moved += n
		if last == from {
			break
		}
		from = last
		if chunks%100 == 0 {
			log.Info("moving op envelopes into the feed", "entries", from, "of", seq)
		}
	}
	if moved > 0 {
		log.Info("op envelopes moved into the feed", "ops", moved, "took", time.Since(t0).Round(time.Millisecond))
	}
	return db.Update(func(txn *badger.Txn) error { return txn.Set(kLayout, []byte(layoutEnvelopesInFeed)) })
}

// upgradeChunk rewrites up to migrateChunk feed entries after seq from and
// returns how many envelopes it moved and the last entry it looked at.
func upgradeChunk(txn *badger.Txn, from uint64) (moved int, last uint64, err error) {
	type rewrite struct {
		seq uint64
		e   FeedEntry
	}
	var todo []rewrite
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pFeed})
	last = from
	for it.Seek(feedKey(from + 1)); it.Valid() && len(todo) < migrateChunk; it.Next() {
		item := it.Item()
		last = binary.BigEndian.Uint64(item.Key()[len(pFeed):])
		if item.ValueSize() > feedHead {
			continue // moved already
		}
		v, err := item.ValueCopy(nil)
		if err != nil {
			it.Close()
			return 0, 0, err
		}
		e, err := parseFeedValue(last, v)
		if err != nil {
			it.Close()
			return 0, 0, err
		}
		todo = append(todo, rewrite{last, e})
	}
	it.Close()
	for _, r := range todo {
		rec, err := get(txn, opKey(r.e.ID))
		if errors.Is(err, ErrNotFound) {
			continue // quarantined since it entered the feed
		}
		if err != nil {
			return 0, 0, err
		}
		env := rec
		if len(rec) == 8 {
			// Moved to an earlier entry of this op's: it was quarantined,
			// then accepted again here. The envelope moves on to this one.
			p := binary.BigEndian.Uint64(rec)
			if p >= r.seq {
				continue // this is the earlier entry, left without it
			}
			pv, err := get(txn, feedKey(p))
			if err != nil {
				return 0, 0, fmt.Errorf("feed entry %d: %w", p, err)
			}
			if len(pv) <= feedHead {
				return 0, 0, fmt.Errorf("feed entry %d of op %s has no envelope: %w", p, r.e.ID.Short(), errCorrupt)
			}
			env = pv[feedHead:]
			if err := txn.Set(feedKey(p), pv[:feedHead:feedHead]); err != nil {
				return 0, 0, err
			}
		}
		var pos [8]byte
		binary.BigEndian.PutUint64(pos[:], r.seq)
		if err := txn.Set(feedKey(r.seq), feedValue(r.e.ID, r.e.Ledger, r.e.Origin, env)); err != nil {
			return 0, 0, err
		}
		if err := txn.Set(opKey(r.e.ID), pos[:]); err != nil {
			return 0, 0, err
		}
		moved++
	}
	return moved, last, nil
}
