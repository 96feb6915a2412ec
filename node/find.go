package node

import (
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

// memberRows is the sorted list of every member's row, kept until the
// store's state changes.
type memberRows struct {
	mu    sync.Mutex
	hash  crdt.Hash
	built bool
	rows  []memberRow // by given name, then ledger ID
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

// memberRows returns the rows for the store's current state, making them
// if the state changed since they were made. The caller must not modify
// them.
func (n *Node) memberRows() ([]memberRow, error) {
	c := &n.rows
	c.mu.Lock()
	defer c.mu.Unlock()
	// The hash is read before the ledgers: rows made from ledgers newer
	// than it are filed under a hash the store has already left.
	hash := n.store.StateHash()
	if c.built && c.hash == hash {
		return c.rows, nil
	}
	var rows []memberRow
	err := n.store.EachLedger(func(l *crdt.Ledger) bool {
		name := l.Field("name")
		rows = append(rows, memberRow{
			id:     l.ID,
			key:    vnname.KeyOf(name),
			text:   strings.ToLower(name + " " + l.Field("card") + " " + l.Field("citizen_id") + " " + l.ID.String()),
			status: l.Status,
			home:   l.HomeCommittee(),
		})
		return true
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rows, func(a, b memberRow) int { return a.key.Compare(b.key) })
	c.hash, c.built, c.rows = hash, true, rows
	return rows, nil
}
