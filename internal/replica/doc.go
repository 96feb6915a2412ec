// Package replica is the sync protocol between committees' nodes, and the
// offline bundle format. It is independent of the transport: it runs over
// any reliable byte stream (a libp2p stream, an in-memory pipe in the
// simulation, a file for bundles).
//
// Protocol (one request per exchange, several exchanges per stream):
//
//	client → server  Request{Kind: Pull, From: checkpoint, Stake: position}
//	server → client  Batch{Ops, Next, Head} ... Batch{Done: true, Fetch, Stake}
//	client → server  Request{Kind: Fetch, Ledgers: [...]}   (ledgers to fetch whole)
//	server → client  Batch{Ops} ... Batch{Done: true}
//	client → server  Request{Kind: Ack, Seq: position}      (applied: the peer holds this much)
//	client → server  Request{Kind: Notify, Seq: head}       (live push: "pull from me")
//
// The server sends the ops of its change feed after the client's checkpoint
// that lie in the client's scope, in feed order, which is causal order: the
// directory, every op of the member ledgers the client is a stakeholder of,
// and of a ledger it is no stakeholder of now, the ops that sort up to the
// last one that the client or a subordinate wrote or that ended a stake of
// the client's (a committee's superiors carry its writes toward the
// ledger's stakeholders, and a committee learns how its stake ended). The
// client applies each batch, then records its checkpoint, so an interrupted
// sync resumes where it stopped and reconnecting costs what changed, not
// what exists. Frames are length-prefixed CBOR with a size limit; a peer
// that breaks the protocol gets an error and the stream is closed.
//
// The feed cannot bring the ops a server skipped while the client was not
// a stakeholder. So the end of a pull lists (Fetch) the ledgers whose
// stakeholders, in the server's view, grew to include the client after the
// position the client asked from (Stake: where its last pull whose fetches
// all succeeded ended); the client fetches those whole, with the ledgers
// whose ops wait for deps and those it first held since its last pull from
// that server.
package replica
