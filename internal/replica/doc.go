// Package replica is the sync protocol between committees' nodes, and the
// offline bundle format. It is independent of the transport: it runs over
// any reliable byte stream (a libp2p stream, an in-memory pipe in the
// simulation, a file for bundles).
//
// Protocol (one request per exchange, several exchanges per stream):
//
//	client → server  Request{Kind: Pull, From: checkpoint}
//	server → client  Batch{Ops, Next, Head} ... Batch{Done: true}
//	client → server  Request{Kind: Fetch, Ledgers: [...]}   (ledgers whose ops parked)
//	server → client  Batch{Ops} ... Batch{Done: true}
//	client → server  Request{Kind: Ack, Seq: position}      (applied: the peer holds this much)
//	client → server  Request{Kind: Notify, Seq: head}       (live push: "pull from me")
//
// The server sends the ops of its change feed after the client's checkpoint
// that lie in the client's scope (the directory, and member ledgers the
// client is a stakeholder of), in feed order, which is causal order. The
// client applies each batch, then records its checkpoint, so an interrupted
// sync resumes where it stopped and reconnecting costs what changed, not
// what exists. Frames are length-prefixed CBOR with a size limit; a peer
// that breaks the protocol gets an error and the stream is closed.
package replica
