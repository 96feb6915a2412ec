package store

import (
	"sync"

	"lienthong/schema"
)

// changeLogLimit bounds the ledger IDs the change log keeps: 1 MiB of
// them. A reader that fell further behind reads every ledger again.
var changeLogLimit = 1 << 16 // tests make it small

// changeLog remembers which member ledgers the last landed batches changed
// (written or removed), numbered by version: one per such batch since the
// store was opened. What a reader keeps of every ledger, such as the rows
// of the members page, then follows the store by reading those ledgers
// alone instead of all of them.
type changeLog struct {
	mu      sync.Mutex
	version uint64
	// batches hold the changes after version oldest, oldest first.
	batches []changed
	oldest  uint64
	ids     int
}

type changed struct {
	version uint64
	ids     []schema.LedgerID
}

// record notes a landed batch's changed ledgers.
func (c *changeLog) record(ids []schema.LedgerID) {
	if len(ids) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.version++
	c.batches = append(c.batches, changed{version: c.version, ids: ids})
	c.ids += len(ids)
	drop := 0
	for c.ids > changeLogLimit && drop < len(c.batches) {
		c.ids -= len(c.batches[drop].ids)
		c.oldest = c.batches[drop].version
		drop++
	}
	if drop > 0 {
		c.batches = append(c.batches[:0], c.batches[drop:]...)
	}
}

// LedgerVersion is the number of landed batches, since the store was
// opened, that changed a member ledger. Read it before the ledgers: what
// is read after it is at least as new.
func (s *Store) LedgerVersion() uint64 {
	s.changes.mu.Lock()
	defer s.changes.mu.Unlock()
	return s.changes.version
}

// LedgersChangedSince returns the member ledgers whose state changed after
// version since (a LedgerVersion, or now from an earlier call), each once,
// and the version they bring the reader to. ok is false when the log no longer reaches back to since, or since
// is ahead of the store (a version of another store): read every ledger
// again. The ledgers may be read at any time after the call; one changed
// again meanwhile is listed again at the next call.
func (s *Store) LedgersChangedSince(since uint64) (ids []schema.LedgerID, now uint64, ok bool) {
	c := &s.changes
	c.mu.Lock()
	defer c.mu.Unlock()
	if since < c.oldest || since > c.version {
		return nil, c.version, false
	}
	seen := map[schema.LedgerID]bool{}
	for i := len(c.batches) - 1; i >= 0 && c.batches[i].version > since; i-- {
		for _, id := range c.batches[i].ids {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids, c.version, true
}
