package node

import (
	"errors"
	"iter"
	"sync"

	"lienthong/crdt"
	"lienthong/internal/calendar"
	"lienthong/internal/report"
	"lienthong/schema"
)

// eachLedger yields the member ledgers held here one at a time, as the
// store reads them, so that a report over a province's members does not
// hold them all; *err receives the error that ended the walk, if any.
func (n *Node) eachLedger(err *error) iter.Seq[*crdt.Ledger] {
	return func(yield func(*crdt.Ledger) bool) { *err = n.store.EachLedger(yield) }
}

// MemberCount is the number of members this node holds. It reads no
// state: a status page or a metrics scrape can ask it at any size.
func (n *Node) MemberCount() (int, error) { return n.store.LedgerCount() }

// Alerts lists what is due or overdue on date at, for this committee and
// its subtree.
//
// Every open UI asks for the alerts each minute, and finding them reads
// every member (seconds at a province's size). So the node keeps them
// member by member (report.AlertBook) and follows the store's change log:
// after a change, only the members changed are read again. The directory,
// the date or the rules changing makes them again from every member.
func (n *Node) Alerts(at calendar.Date, cfg report.Config) ([]report.Alert, error) {
	c := &n.alerts
	c.mu.Lock()
	defer c.mu.Unlock()
	dir := n.store.Directory()
	if c.book != nil && c.dir == dir && c.at == at && c.cfg == cfg {
		ids, now, ok := n.store.LedgersChangedSince(c.version)
		// Past half of them, one scan costs less than reading each changed ledger.
		if ok && len(ids) <= max(c.book.Len(), c.held)/2 {
			for _, id := range ids {
				l, err := n.store.Ledger(id)
				switch {
				case errors.Is(err, ErrNotFound):
					c.book.Remove(id)
				case err != nil:
					return nil, err
				default:
					c.book.Put(l)
				}
			}
			c.version = now
			return c.book.Alerts(), nil
		}
	}
	// The version is read before the ledgers: a ledger read newer than it
	// is read again at the next change, which is harmless.
	version := n.store.LedgerVersion()
	book := report.NewAlertBook(dir, n.ID(), at, cfg)
	held := 0
	err := n.store.EachLedger(func(l *crdt.Ledger) bool {
		book.Put(l)
		held++
		return true
	})
	if err != nil {
		c.book = nil
		return nil, err
	}
	c.book, c.dir, c.at, c.cfg, c.version, c.held = book, dir, at, cfg, version, held
	return book.Alerts(), nil
}

// alertsCache is the alerts kept by member, with what they depend on.
type alertsCache struct {
	mu      sync.Mutex
	book    *report.AlertBook // nil: none kept
	dir     *crdt.Directory   // the store's directory, replaced on each change
	at      calendar.Date
	cfg     report.Config
	version uint64 // the store's LedgerVersion the book reflects
	held    int    // ledgers read to make the book
}

// TodayDate is the node's current date.
func (n *Node) TodayDate() calendar.Date { return calendar.DateOf(n.opts.Now()) }

// Reconcile lists the discrepancies in this committee's subtree (or, with
// a subordinate's ID, in that subordinate's) as held on this node.
func (n *Node) Reconcile(with schema.CommitteeID, at calendar.Date, cfg report.Config) ([]report.Discrepancy, error) {
	var err error
	out := report.Reconcile(n.store.Directory(), n.eachLedger(&err), n.ID(), with, at, cfg)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []report.Discrepancy{}
	}
	return out, nil
}

// Stats gives headcounts, movements, exemption rates and ratings by unit.
func (n *Node) Stats(from, to calendar.Date) (report.Statistics, error) {
	var err error
	st := report.Stats(n.store.Directory(), n.eachLedger(&err), n.ID(), from, to)
	if err != nil {
		return report.Statistics{}, err
	}
	return st, nil
}
