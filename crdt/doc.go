// Package crdt is the pure replicated state of lienthong: the committee
// directory and member ledgers as deterministic functions of sets of signed
// ops. It does no I/O and reads no clock or randomness.
//
// State is defined as the fold of a ledger's accepted ops in (HLC, op ID)
// order. An op's clock is strictly greater than the clocks of its causal deps,
// so that order is a topological order of the causal DAG, and any two nodes
// holding the same ops compute byte-identical state and the same state hash,
// whatever the order in which the ops arrived. Apply extends a state with an
// op that sorts after everything already applied; an op that arrives out of
// that order is handled by Rebuild, which folds the ledger again (ledgers are
// small: tens to hundreds of ops).
//
// Authorisation is part of the fold: an op is checked against the state made
// by the ops before it, and against the directory as it stood at the op's
// clock (charters and revocations take effect at their own clock). Every node
// therefore reaches the same verdict on every op. A rejected op changes
// nothing; its rejection is returned as a *RejectError with the reason.
//
// Record fields are multi-value registers: a write supersedes the values it
// causally saw; concurrent values stay visible as a conflict, the winner (the
// highest HLC, then author, then op ID) shown first, until a later op that
// saw them all writes the field again or corrects it.
package crdt
