package node

import (
	"fmt"

	"lienthong/crdt"
	"lienthong/schema"
)

// Write appends a workflow op with body (a *schema.XBody, or a schema.Tagged
// for body types several kinds share) to a member's ledger. The body is
// validated first; the policy then decides whether this committee may write
// it, and a refusal leaves nothing behind.
func (n *Node) Write(id schema.LedgerID, body any) (schema.OpID, error) {
	b, ok := schema.Unwrap(body).(schema.Body)
	if !ok {
		return schema.OpID{}, fmt.Errorf("%T is not an op body", body)
	}
	if err := b.Validate(); err != nil {
		return schema.OpID{}, err
	}
	return n.writeLedger(id, body)
}

// Ledger returns a member's ledger state.
func (n *Node) Ledger(id schema.LedgerID) (*crdt.Ledger, error) {
	l, err := n.store.Ledger(id)
	if err != nil {
		return nil, fmt.Errorf("member %s: %w", id, ErrNotFound)
	}
	return l, nil
}
