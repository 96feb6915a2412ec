package node

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"sync"

	"lienthong/crdt"
	"lienthong/internal/vnname"
	"lienthong/schema"
)

// memberRow is what a search and the sort need of a member.
type memberRow struct {
	id     schema.LedgerID
	key    vnname.Key
	text   string // name, card number, citizen ID and ID, lower-cased
	status string
	home   schema.CommitteeID
}

// memberRows is the sorted list of every member's row. It follows the
// store through its change log: after a change, only the ledgers changed
// are read again.
type memberRows struct {
	mu      sync.Mutex
	version uint64 // the store's LedgerVersion the rows reflect
	built   bool
	rows    []memberRow // by given name, then ledger ID
}

// FindMembers lists the members held here whose name, card number,
// citizen ID or ID contains q (any case), with status and home (empty:
// any), sorted by given name (Vietnamese collation), from offset and at
// most limit of them (limit < 0: all).
//
// The members page asks this as a clerk types. Reading every ledger takes
// seconds at a province's size, so the sorted rows are kept until the
// store's state changes, and only the members of the page are read.
func (n *Node) FindMembers(q, status, home string, offset, limit int) ([]*Member, error) {
	rows, err := n.memberRows()
	if err != nil {
		return nil, err
	}
	q = strings.ToLower(strings.TrimSpace(q))
	out := []*Member{}
	skipped := 0
	for i := range rows {
		r := &rows[i]
		if (status != "" && r.status != status) || (home != "" && string(r.home) != home) || (q != "" && !strings.Contains(r.text, q)) {
			continue
		}
		if skipped < offset {
			skipped++
			continue
		}
		if limit >= 0 && len(out) >= limit {
			break
		}
		l, err := n.store.Ledger(r.id)
		if errors.Is(err, ErrNotFound) {
			continue // gone since the rows were made
		}
		if err != nil {
			return nil, err
		}
		out = append(out, n.View(l, false))
	}
	return out, nil
}

// memberRows returns the rows for the store's current state, bringing
// them up to date first. The caller must not modify them: a later call
// makes new rows rather than change those it handed out.
func (n *Node) memberRows() ([]memberRow, error) {
	c := &n.rows
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.built {
		ids, now, ok := n.store.LedgersChangedSince(c.version)
		// Past half of them, one scan costs less than reading each changed ledger.
		if ok && len(ids) <= len(c.rows)/2 {
			if len(ids) > 0 {
				rows, err := n.updateRows(c.rows, ids)
				if err != nil {
					return nil, err
				}
				c.rows = rows
			}
			c.version = now
			return c.rows, nil
		}
	}
	// The version is read before the ledgers: rows made from ledgers
	// newer than it are read again at the next change, which is harmless.
	version := n.store.LedgerVersion()
	var rows []memberRow
	err := n.store.EachLedger(func(l *crdt.Ledger) bool {
		rows = append(rows, rowOf(l))
		return true
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, compareRows)
	c.version, c.built, c.rows = version, true, rows
	return rows, nil
}

// updateRows returns new sorted rows: old, with the rows of the changed
// ledgers made again from their current state (and dropped for a ledger
// no longer held).
func (n *Node) updateRows(old []memberRow, changed []schema.LedgerID) ([]memberRow, error) {
	redo := make(map[schema.LedgerID]bool, len(changed))
	fresh := make([]memberRow, 0, len(changed))
	for _, id := range changed {
		redo[id] = true
		l, err := n.store.Ledger(id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		fresh = append(fresh, rowOf(l))
	}
	slices.SortFunc(fresh, compareRows)
	rows := make([]memberRow, 0, len(old)+len(fresh))
	i := 0
	for _, r := range old {
		if redo[r.id] {
			continue
		}
		for i < len(fresh) && compareRows(fresh[i], r) < 0 {
			rows = append(rows, fresh[i])
			i++
		}
		rows = append(rows, r)
	}
	return append(rows, fresh[i:]...), nil
}

func rowOf(l *crdt.Ledger) memberRow {
	name := l.Field("name")
	return memberRow{
		id:     l.ID,
		key:    vnname.KeyOf(name),
		text:   strings.ToLower(name + " " + l.Field("card") + " " + l.Field("citizen_id") + " " + l.ID.String()),
		status: l.Status,
		home:   l.HomeCommittee(),
	}
}

// compareRows orders rows by given name (then middle and family name) and
// then by ledger ID, the order of the store's scan.
func compareRows(a, b memberRow) int {
	if c := a.key.Compare(b.key); c != 0 {
		return c
	}
	return bytes.Compare(a.id[:], b.id[:])
}
