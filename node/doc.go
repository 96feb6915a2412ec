// Package node owns a committee's running node: it signs local writes,
// hands ops to the Store and answers queries. It declares the narrow
// interfaces it needs (Store); cmd wires real implementations in.
//
// Local write path: build op (deps = the ledger's heads, HLC after them and
// after the node's clock) → sign → authorise and apply → commit op, state and
// indexes in one transaction → reply. A write the policy refuses returns a
// *crdt.RejectError and leaves nothing behind.
//
// Node is safe for concurrent use; local writes are serialised so that each
// sees the heads the previous one left.
package node
