package node

import (
	"errors"
	"sync"

	"lienthong/crdt"
	"lienthong/internal/calendar"
	"lienthong/internal/report"
	"lienthong/schema"
)

// MemberCount is the number of members this node holds. It reads no
// state: a status page or a metrics scrape can ask it at any size.
func (n *Node) MemberCount() (int, error) { return n.store.LedgerCount() }

// Alerts lists what is due or overdue on date at, for this committee and
// its subtree.
//
// Every open UI asks for the alerts each minute, and finding them reads
// every member (seconds at a province's size). So the node keeps them
// member by member (report.AlertBook) and follows the store's change log
// (see keptBook).
func (n *Node) Alerts(at calendar.Date, cfg report.Config) (out []report.Alert, err error) {
	err = n.withAlerts(at, cfg, func(b *report.AlertBook) { out = b.Alerts() })
	return out, err
}

// AlertCounts counts what Alerts lists on date at, by rule and severity.
// The menu of every open UI asks it each minute, and the metrics on every
// scrape.
func (n *Node) AlertCounts(at calendar.Date, cfg report.Config) (out map[report.AlertKind]int, err error) {
	err = n.withAlerts(at, cfg, func(b *report.AlertBook) { out = b.Counts() })
	return out, err
}

// withAlerts calls fn with the alert book for at and cfg, up to date.
func (n *Node) withAlerts(at calendar.Date, cfg report.Config, fn func(*report.AlertBook)) error {
	n.alerts.mu.Lock()
	defer n.alerts.mu.Unlock()
	b, err := n.alerts.bring(n, alertsKey{at: at, cfg: cfg}, func() *report.AlertBook { return report.NewAlertBook(n.store.Directory(), n.ID(), at, cfg) })
	if err == nil {
		fn(b)
	}
	return err
}

type alertsKey struct {
	at  calendar.Date
	cfg report.Config
}

// Stats gives headcounts, movements, exemption rates and ratings by unit
// of this committee's subtree over [from, to], kept member by member as
// the alerts are.
func (n *Node) Stats(from, to calendar.Date) (report.Statistics, error) {
	n.stats.mu.Lock()
	defer n.stats.mu.Unlock()
	b, err := n.stats.bring(n, [2]calendar.Date{from, to}, func() *report.StatsBook { return report.NewStatsBook(n.store.Directory(), n.ID(), from, to) })
	if err != nil {
		return report.Statistics{}, err
	}
	return b.Stats(), nil
}

// ledgerBook is what a node keeps ledger by ledger: report.AlertBook,
// report.StatsBook.
type ledgerBook interface {
	Put(*crdt.Ledger)
	Remove(schema.LedgerID)
}

// keptBook is a ledgerBook kept between calls, with what it depends on:
// the directory (the store replaces it on each change), the caller's key
// (the day, the rules, the period) and the version of the store's change
// log it reflects. The caller holds mu.
type keptBook[B ledgerBook, K comparable] struct {
	mu      sync.Mutex
	book    B
	made    bool
	dir     *crdt.Directory
	key     K
	version uint64
	held    int // ledgers read to make the book
}

// bring returns the book for key, up to date: the one kept, after putting
// again the ledgers changed since it was (or removing those gone), or a
// new one filled from every ledger when the directory or the key changed,
// or most ledgers did.
func (k *keptBook[B, K]) bring(n *Node, key K, newBook func() B) (B, error) {
	dir := n.store.Directory()
	if k.made && k.dir == dir && k.key == key {
		ids, now, ok := n.store.LedgersChangedSince(k.version)
		// Past half of them, one scan costs less than reading each changed ledger.
		if ok && len(ids) <= k.held/2 {
			for _, id := range ids {
				l, err := n.store.Ledger(id)
				switch {
				case errors.Is(err, ErrNotFound):
					k.book.Remove(id)
				case err != nil:
					k.made = false
					return k.book, err
				default:
					k.book.Put(l)
				}
			}
			k.version = now
			return k.book, nil
		}
	}
	// The version is read before the ledgers: a ledger read newer than it
	// is read again at the next change, which is harmless.
	version := n.store.LedgerVersion()
	book, held := newBook(), 0
	err := n.store.EachLedger(func(l *crdt.Ledger) bool {
		book.Put(l)
		held++
		return true
	})
	if err != nil {
		k.made = false
		return book, err
	}
	k.book, k.made, k.dir, k.key, k.version, k.held = book, true, dir, key, version, held
	return book, nil
}

// TodayDate is the node's current date.
func (n *Node) TodayDate() calendar.Date { return calendar.DateOf(n.opts.Now()) }

// Reconcile lists the discrepancies in this committee's subtree (or, with
// a subordinate's ID, in that subordinate's) as held on this node, kept
// member by member as the alerts are.
func (n *Node) Reconcile(with schema.CommitteeID, at calendar.Date, cfg report.Config) ([]report.Discrepancy, error) {
	n.reconcile.mu.Lock()
	defer n.reconcile.mu.Unlock()
	b, err := n.reconcile.bring(n, reconcileKey{with: with, at: at, cfg: cfg}, func() *report.ReconcileBook {
		return report.NewReconcileBook(n.store.Directory(), n.ID(), with, at, cfg)
	})
	if err != nil {
		return nil, err
	}
	out := b.Discrepancies()
	if out == nil {
		out = []report.Discrepancy{}
	}
	return out, nil
}

type reconcileKey struct {
	with schema.CommitteeID
	at   calendar.Date
	cfg  report.Config
}
