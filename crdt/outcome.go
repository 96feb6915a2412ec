package crdt

import "lienthong/schema"

// Outcome is what became of one op offered to a node.
type Outcome uint8

const (
	Applied   Outcome = iota + 1 // accepted and committed
	Duplicate                    // already held (accepted, rejected or parked)
	Parked                       // waiting for causal deps
	Rejected                     // quarantined with a reason
)

func (o Outcome) String() string {
	switch o {
	case Applied:
		return "applied"
	case Duplicate:
		return "duplicate"
	case Parked:
		return "parked"
	case Rejected:
		return "rejected"
	}
	return "unknown"
}

// Result is what happened to one op.
type Result struct {
	ID      schema.OpID
	Ledger  schema.LedgerID
	Outcome Outcome
	Err     error // the *crdt.RejectError or *crdt.MissingError
}

// ApplyStats counts what a call to Apply did, including ops it woke or re-judged.
type ApplyStats struct {
	Applied, Duplicates, Parked, Rejected, Woken, Rebuilt int
}

// Add accumulates o into t.
func (t *ApplyStats) Add(o ApplyStats) {
	t.Applied += o.Applied
	t.Duplicates += o.Duplicates
	t.Parked += o.Parked
	t.Rejected += o.Rejected
	t.Woken += o.Woken
	t.Rebuilt += o.Rebuilt
}
