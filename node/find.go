package node

import (
	"bytes"
	"errors"
	"fmt"
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
	has    Workflows // the workflows the member's ledger holds items of
}

// Workflows is a set of the workflows a ledger can hold items of.
type Workflows uint8

// The workflows FindMembers can select by.
const (
	WithTransfers Workflows = 1 << iota
	WithResidence
	WithExemptions
	WithLeaves
)

var workflowNames = map[string]Workflows{
	"transfers": WithTransfers, "residence": WithResidence, "exemptions": WithExemptions, "leaves": WithLeaves,
}

// ParseWorkflows reads a comma-separated list of workflow names
// (transfers, residence, exemptions, leaves).
func ParseWorkflows(s string) (Workflows, error) {
	var out Workflows
	for _, name := range strings.Split(s, ",") {
		w, ok := workflowNames[name]
		if !ok {
			return 0, fmt.Errorf("%q is not a workflow: want transfers, residence, exemptions or leaves, comma-separated", name)
		}
		out |= w
	}
	return out, nil
}

func workflowsOf(l *crdt.Ledger) Workflows {
	var w Workflows
	if len(l.Transfers) > 0 {
		w |= WithTransfers
	}
	if len(l.Residence) > 0 {
		w |= WithResidence
	}
	if len(l.Exemptions) > 0 {
		w |= WithExemptions
	}
	if len(l.Leaves) > 0 {
		w |= WithLeaves
	}
	return w
}

// MemberFilter selects members for FindMembers; its zero value selects
// every one.
type MemberFilter struct {
	// Q: the name, card number, citizen ID or ID contains it (any case).
	Q string
	// Status and Home: the member's status and home committee are these.
	Status, Home string
	// Under: the member's home committee is this one or below it.
	Under schema.CommitteeID
	// Has: the member's ledger holds items of one of these workflows.
	Has Workflows
	// IDs: the member is one of these.
	IDs []schema.LedgerID
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

// FindMembers lists the members held here that f selects, sorted by
// given name (Vietnamese collation), from offset and at most limit of them
// (limit < 0: all).
//
// The members page asks this as a clerk types. Reading every ledger takes
// seconds at a province's size, so the sorted rows are kept and follow the
// store's changes, and only the members of the page are read.
func (n *Node) FindMembers(f MemberFilter, offset, limit int) ([]*Member, error) {
	rows, err := n.memberRows()
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(f.Q))
	var ids map[schema.LedgerID]bool
	if f.IDs != nil {
		ids = make(map[schema.LedgerID]bool, len(f.IDs))
		for _, id := range f.IDs {
			ids[id] = true
		}
	}
	var under map[schema.CommitteeID]bool
	if f.Under != "" {
		under = map[schema.CommitteeID]bool{}
		for _, c := range n.store.Directory().Subtree(f.Under) {
			under[c] = true
		}
	}
	out := []*Member{}
	skipped := 0
	for i := range rows {
		r := &rows[i]
		if (f.Status != "" && r.status != f.Status) || (f.Home != "" && string(r.home) != f.Home) || (under != nil && !under[r.home]) ||
			(f.Has != 0 && r.has&f.Has == 0) || (ids != nil && !ids[r.id]) || (q != "" && !strings.Contains(r.text, q)) {
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
		has:    workflowsOf(l),
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
