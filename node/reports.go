package node

import (
	"iter"

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
func (n *Node) Alerts(at calendar.Date, cfg report.Config) ([]report.Alert, error) {
	var err error
	out := report.Alerts(n.store.Directory(), n.eachLedger(&err), n.ID(), at, cfg)
	if err != nil {
		return nil, err
	}
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
