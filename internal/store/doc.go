// Package store keeps a node's ops and state in Badger v4.
//
// What it owns, by key prefix:
//
//	o/<op>                 accepted op: its feed position
//	q/<op>                 quarantined (rejected) op with its reason
//	qx/<ledger>/<op>       quarantined ops by ledger (re-examined on rebuild)
//	p/<op>, pw/<dep>/<op>  parked ops waiting for causal deps
//	l/<ledger>             materialised ledger state (the directory at the zero ID)
//	f/<seq>                change feed: accepted ops in arrival order (ID, ledger, origin
//	                       tag, then the envelope bytes exactly as received; the envelope
//	                       is cut off if the op is quarantined later)
//	c/<peer>               sync checkpoint: how far into that peer's feed we hold
//	n/<seq>                the ledgers first held in the batch ending at seq, with its
//	                       origin (new stakeholders fetch them whole); n/<seq><ledger> in
//	                       stores written before
//	a/<peer>               what we know of a peer: addresses, last sync
//	x/<index>/<key>/<ledger> indexes: card, home, status, author
//	s/<seq><ledger>, k/<peer> stake changes, and how far a peer fetched them
//	m/...                  metadata: feed sequence, store-wide state hash, layout
//
// Values of 512 bytes and more live in Badger's value log (see vlog.go), so
// compactions move keys and pointers, not op envelopes; a periodic sweep
// reclaims the space of overwritten states. Serving the feed reads the
// envelopes in the order they were written (layout.go upgrades stores that
// kept them under o/). A Bloom filter over the o/ and l/ keys answers most
// "is it here?" questions without a lookup (presence.go); it is saved in
// presence.bin beside Badger's files at close.
//
// Most of applying a create of a ledger new here is done before the serial
// pass, on every core: Verify (or Apply, for a chunk) folds it into the new
// state and encodes it, and the serial pass takes that fold only where the
// ledger is still new and the directory the one it was folded against
// (apply.go, fold); the fold is the same pure crdt.Apply, so the state is
// the same either way.
//
// Invariants: every batch of ops commits with the state, indexes, feed and
// quarantine it produces in one Badger transaction, so a restart needs no
// repair and an acknowledged write survives kill -9 (writes are synced).
// Opening a store reads only the directory and metadata; it never replays
// the log. One writer at a time (Apply is serialised); reads run
// concurrently on Badger snapshots.
package store
