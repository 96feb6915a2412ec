package node

import (
	"lienthong/crdt"
	"lienthong/internal/calendar"
	"lienthong/internal/report"
	"lienthong/schema"
)

// Ledgers returns every member ledger this node holds.
func (n *Node) Ledgers() ([]*crdt.Ledger, error) {
	var out []*crdt.Ledger
	err := n.store.EachLedger(func(l *crdt.Ledger) bool {
		out = append(out, l)
		return true
	})
	return out, err
}

// MemberCount is the number of members this node holds. It reads no
// state: a status page or a metrics scrape can ask it at any size.
func (n *Node) MemberCount() (int, error) { return n.store.LedgerCount() }

// Alerts lists what is due or overdue on date at, for this committee and
// its subtree.
func (n *Node) Alerts(at calendar.Date, cfg report.Config) ([]report.Alert, error) {
	ls, err := n.Ledgers()
	if err != nil {
		return nil, err
	}
	out := report.Alerts(n.store.Directory(), ls, n.ID(), at, cfg)
	if out == nil {
		out = []report.Alert{}
	}
	return out, nil
}

// TodayDate is the node's current date.
func (n *Node) TodayDate() calendar.Date { return calendar.DateOf(n.opts.Now()) }

// Reconcile lists the discrepancies in this committee's subtree (or, with
// a subordinate's ID, in that subordinate's) as held on this node.
func (n *Node) Reconcile(with schema.CommitteeID, at calendar.Date, cfg report.Config) ([]report.Discrepancy, error) {
	ls, err := n.Ledgers()
	if err != nil {
		return nil, err
	}
	out := report.Reconcile(n.store.Directory(), ls, n.ID(), with, at, cfg)
	if out == nil {
		out = []report.Discrepancy{}
	}
	return out, nil
}

// Stats gives headcounts, movements, exemption rates and ratings by unit.
func (n *Node) Stats(from, to calendar.Date) (report.Statistics, error) {
	ls, err := n.Ledgers()
	if err != nil {
		return report.Statistics{}, err
	}
	return report.Stats(n.store.Directory(), ls, n.ID(), from, to), nil
}
