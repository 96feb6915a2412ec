package node

import (
	"iter"
	"slices"
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
// The answer is kept until the store's state, the date or the rules
// change: every open UI asks for the alerts each minute, and computing
// them reads every member (seconds at a province's size).
func (n *Node) Alerts(at calendar.Date, cfg report.Config) ([]report.Alert, error) {
	// The hash is read before the ledgers: an answer computed from ledgers
	// newer than it is filed under a hash the store has already left.
	hash := n.store.StateHash()
	if out, ok := n.alerts.get(hash, at, cfg); ok {
		return out, nil
	}
	var err error
	out := report.Alerts(n.store.Directory(), n.eachLedger(&err), n.ID(), at, cfg)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []report.Alert{}
	}
	n.alerts.put(hash, at, cfg, out)
	return slices.Clone(out), nil
}

// alertsCache holds the last alerts computed, with what they depend on.
type alertsCache struct {
	mu   sync.Mutex
	hash crdt.Hash
	at   calendar.Date
	cfg  report.Config
	out  []report.Alert // nil: none kept
}

func (c *alertsCache) get(hash crdt.Hash, at calendar.Date, cfg report.Config) ([]report.Alert, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.out == nil || c.hash != hash || c.at != at || c.cfg != cfg {
		return nil, false
	}
	return slices.Clone(c.out), true
}

func (c *alertsCache) put(hash crdt.Hash, at calendar.Date, cfg report.Config, out []report.Alert) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hash, c.at, c.cfg, c.out = hash, at, cfg, out
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
