// Package sim is a deterministic simulation of a network of committee
// nodes, for convergence at scale (DESIGN.md section 8).
//
// # The model
//
// A committee tree is generated from the seed with internal/sample (a
// province office, communes and wards with their residential and
// workplace cells, workplace grassroots committees with theirs), grown
// until it has Config.Nodes committees. Each committee's key derives from
// the seed and its index (testkit.Signer), its charter is signed by its
// parent (the root's by itself), and every node starts holding the whole
// directory, as if it had joined: its change feed starts with the same
// charters as every other node's, so each records that it already holds
// every peer's feed that far.
//
// Each committee runs a real node.Node on a real store.Store: Badger in
// memory, or on disk under Config.Dir for Config.DiskNodes of them. Nodes
// read a simulated clock (each node's skewed by up to seconds, a few by
// minutes) and draw ledger IDs from a seeded source. Nodes sync over an
// in-memory transport: one sync is net.Pipe with the real
// replica.Server.Serve on one end and the real replica.Client.Pull on the
// other, so the protocol, its scope filter, checkpoints and fetches all run
// as in production.
//
// A run is Config.Rounds rounds, then healing. In a round:
//   - tree links go down for a few rounds, and some nodes go offline;
//   - some nodes restart: a node on disk closes and reopens its store, a
//     node in memory keeps its store and loses everything else;
//   - now and then a committee revokes one of its cells: the cell's node
//     writes on while it does not know, its peers refuse to sync with it
//     once they do, and its ops after the revocation must be rejected;
//   - committees write, each from its own view of a ledger: members
//     opened at cells (sometimes by a superior), field writes, corrections
//     and movements by the home side, and workflow steps (residence links,
//     transfers that move the records, exemptions, leaves, ratings) by the
//     side each step belongs to, which change who the stakeholders are;
//   - committees try writes they may not make (a member for a cell outside
//     their subtree, a residence acceptance for the residence committee):
//     their own node must refuse them and keep no trace;
//   - rogue peers (chartered committees running modified software) answer
//     a pull with forged ops: unauthorised writes, writes signed with the
//     wrong key, ops depending on those, members they may not open;
//   - offline bundles are exported between a committee and its parent for
//     what the receiver lacks as far as the exporter knows, carried for up
//     to three rounds, imported in any order; some are lost or cut short;
//   - live links sync in random order, each direction separately: every
//     tree link, and a few pairs off the tree (siblings or any two nodes,
//     which the scope filter must keep to what they share). Some syncs are
//     cut after a random number of bytes.
//
// Healing brings every link up, delivers the bundles still being carried
// and syncs every tree link both ways, in random order, until a whole round
// changes nothing. Check then verifies (see Check) that every stakeholder
// of every ledger holds the home node's state byte for byte, that the home
// node holds the naive model's state (the fold of every op written
// anywhere), that each node's state of each ledger is the fold of the ops
// it holds, that non-stakeholders hold only ledgers that once named them,
// that no forged op was accepted anywhere, and that every node holds the
// same directory.
//
// Everything is driven from one goroutine in an order drawn from the seed
// (the only concurrency is each sync's client and server, and Badger's own
// goroutines), so a run is reproducible: the same Config gives the same
// stores, and a failure names its seed.
//
// # Limits
//
//   - Time is simulated only where the code takes it as an argument (node
//     clocks, bundle headers). Sync statistics and peer records use the
//     wall clock; they are not part of any state hash.
//   - The directory changes only by revocations of cells: no committee is
//     admitted or moved during a run. A revoked cell's own node is not
//     checked against the others (nobody syncs with it any more).
//   - The transport is reliable byte streams that may be cut; there is no
//     corruption, reordering or duplication inside a stream (the protocol
//     assumes a reliable stream). Reordering, duplication and loss of ops
//     come from bundles, cut syncs and the many paths between nodes.
//   - libp2p, the connection gater, notices and anti-entropy timers are
//     not simulated: who syncs with whom, and when, is drawn by the
//     simulation.
//   - Restarts happen between syncs, not in the middle of a commit (the
//     crash test in node covers kill -9 during writes).
//   - Every in-memory Badger allocates memtable arenas of about 10 MB that
//     count as live heap although few of their pages are touched; with
//     hundreds of nodes, run with a memory limit (the test sets one) so
//     that garbage does not grow with the heap goal.
package sim
