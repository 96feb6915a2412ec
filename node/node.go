package node

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"lienthong/crdt"
	"lienthong/internal/calendar"
	"lienthong/internal/report"
	"lienthong/internal/store"
	"lienthong/schema"
)

// Store is what a node needs of its storage. Implementations are safe for
// concurrent use; Apply is durable when it returns nil.
type Store interface {
	// Apply authorises and applies verified ops (see internal/store).
	Apply(ops []*schema.Decoded, origin string, fresh bool) ([]crdt.Result, crdt.ApplyStats, error)
	// ApplyAsync is Apply returning before the ops are durable: the store
	// processes the caller's next ops while these are written.
	ApplyAsync(ops []*schema.Decoded, origin string, fresh bool) *store.Pending
	// Ingest decodes, verifies and applies envelopes from outside.
	Ingest(envs [][]byte, origin string) ([]crdt.Result, crdt.ApplyStats, error)
	// Directory returns the current directory; callers must not modify it.
	Directory() *crdt.Directory
	// Ledger returns a member ledger's state (an error wrapping ErrNotFound
	// if absent). The caller owns the returned value.
	Ledger(id schema.LedgerID) (*crdt.Ledger, error)
	// Op returns an accepted op's envelope.
	Op(id schema.OpID) ([]byte, error)
	// LedgerOps returns a ledger's accepted ops in fold order.
	LedgerOps(id schema.LedgerID) ([][]byte, error)
	// LedgerIDs lists the ledgers in an index ("card", "home", "status").
	LedgerIDs(index, value string) ([]schema.LedgerID, error)
	// EachIndexed visits every entry of an index while fn is true.
	EachIndexed(index string, fn func(value string, id schema.LedgerID) bool) error
	// EachLedger visits every member ledger in ID order while fn is true.
	EachLedger(fn func(*crdt.Ledger) bool) error
	// LedgerCount is the number of member ledgers held.
	LedgerCount() (int, error)
	// StateHash is the store-wide state hash.
	StateHash() crdt.Hash
	// LedgerVersion counts the changes to member ledgers since the store
	// was opened, and LedgersChangedSince lists the ledgers changed after
	// a version, while the store remembers them (see internal/store).
	LedgerVersion() uint64
	LedgersChangedSince(since uint64) (ids []schema.LedgerID, now uint64, ok bool)
}

// ErrNotFound is returned for unknown ledgers and committees.
var ErrNotFound = crdt.ErrNotFound

// memberNotFound says that this node holds no member id, and why that may
// be so.
func memberNotFound(id schema.LedgerID) error {
	return fmt.Errorf("member %s: %w on this node (a node holds the members of its committee, its subordinates and those shared with it; 'member list' shows them)", id, ErrNotFound)
}

// Options configure a node.
type Options struct {
	// Now is the node's clock; tests pass a fixed one.
	Now func() time.Time
	// Rand is the source of ledger IDs.
	Rand   io.Reader
	Logger *slog.Logger
}

// DefaultOptions uses the system clock and crypto/rand.
func DefaultOptions() Options {
	return Options{Now: time.Now, Rand: rand.Reader, Logger: slog.New(slog.DiscardHandler)}
}

func (o *Options) validate() error {
	if o.Now == nil || o.Rand == nil {
		return errors.New("node options: Now and Rand are required (start from DefaultOptions)")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Node is one committee's node.
type Node struct {
	store  Store
	signer *schema.Signer
	opts   Options

	mu  sync.Mutex // serialises local writes; guards hlc
	hlc schema.HLC

	alerts keptBook[*report.AlertBook, alertsKey]
	stats  keptBook[*report.StatsBook, [2]calendar.Date]
	// reconcile keeps the last comparison asked for.
	reconcile keptBook[*report.ReconcileBook, reconcileKey]
	rows      memberRows
}

// New returns a node that signs with signer and keeps its data in st.
func New(st Store, signer *schema.Signer, opts Options) (*Node, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return &Node{store: st, signer: signer, opts: opts}, nil
}

// ID is this committee's ID.
func (n *Node) ID() schema.CommitteeID { return n.signer.ID() }

// Store returns the node's store.
func (n *Node) Store() Store { return n.store }

// Today is the node's current date as YYYY-MM-DD.
func (n *Node) Today() string { return n.opts.Now().Format(schema.DateLayout) }

// nextHLC returns a clock after the node's last one and after seen. Callers
// hold n.mu.
//
// A clock seen more than schema.MaxClockLead ahead of this node's wall clock
// does not carry the node's own clock. A site whose computer clock is days
// ahead writes ops with clocks in the future. An op written after one of
// them must sort after it, so it gets a clock past it; but the node's clock,
// used for every other ledger, does not follow: otherwise one wrong clock
// would carry the clocks of every committee writing after it, and then of
// everyone, into the future.
func (n *Node) nextHLC(seen ...schema.HLC) schema.HLC {
	now := n.opts.Now().UnixMilli()
	limit := schema.MakeHLC(now+schema.MaxClockLead.Milliseconds(), 0)
	var within []schema.HLC
	var beyond schema.HLC
	for _, s := range seen {
		if s > limit {
			beyond = max(beyond, s)
		} else {
			within = append(within, s)
		}
	}
	n.hlc = n.hlc.Next(now, within...)
	if beyond >= n.hlc {
		return beyond + 1 // this op only
	}
	return n.hlc
}

// build makes an unsigned op on a ledger whose state is g (nil for a new
// ledger), after validating its body. Callers hold n.mu.
func (n *Node) build(ledger schema.LedgerID, g *crdt.DAG, body any) (*schema.Op, error) {
	kind, err := schema.KindOf(body)
	if err != nil {
		return nil, err
	}
	b, ok := schema.Unwrap(body).(schema.Body)
	if !ok {
		return nil, fmt.Errorf("%T is not an op body", body)
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	raw, err := schema.Marshal(b)
	if err != nil {
		return nil, err
	}
	op := &schema.Op{Ledger: ledger, Author: n.ID(), Kind: kind, Body: raw}
	if g != nil {
		op.Deps = append([]schema.OpID(nil), g.Heads...)
		op.HLC = n.nextHLC(g.Last().HLC)
	} else {
		op.HLC = n.nextHLC()
	}
	return op, nil
}

// commit signs and applies one local op built from body (no need to decode
// what was just encoded); a refusal is returned as an error.
func (n *Node) commit(op *schema.Op, body any) (schema.OpID, error) {
	env, id, err := n.signer.Sign(op)
	if err != nil {
		return id, err
	}
	d := &schema.Decoded{ID: id, Op: *op, Envelope: env, Body: schema.Unwrap(body)}
	res, _, err := n.store.Apply([]*schema.Decoded{d}, "local", true)
	if err != nil {
		return id, err
	}
	if res[0].Outcome != crdt.Applied {
		if res[0].Err != nil {
			return id, res[0].Err
		}
		return id, fmt.Errorf("op %s not applied: %s", id.Short(), res[0].Outcome)
	}
	n.opts.Logger.Debug("applied local op", "op", id.Short(), "kind", op.Kind, "ledger", op.Ledger.String())
	return id, nil
}

// writeLedger appends an op with body to a member ledger.
func (n *Node) writeLedger(id schema.LedgerID, body any) (schema.OpID, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	l, err := n.store.Ledger(id)
	if err != nil {
		return schema.OpID{}, memberNotFound(id)
	}
	op, err := n.build(id, &l.DAG, body)
	if err != nil {
		return schema.OpID{}, err
	}
	return n.commit(op, body)
}

// writeDirectory appends a charter or revocation to the directory.
func (n *Node) writeDirectory(body any) (schema.OpID, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	dir := n.store.Directory()
	op, err := n.build(schema.DirectoryLedger, &dir.DAG, body)
	if err != nil {
		return schema.OpID{}, err
	}
	return n.commit(op, body)
}

// NewLedgerID makes a ledger ID: the time in milliseconds (48 bits, big
// endian), then 80 random bits. Ledgers created together have IDs close
// together, so the keys a bulk import or a catch-up writes under them
// (state, home and status indexes) land next to each other in Badger's
// memtable and tables instead of all over them.
func (n *Node) NewLedgerID() (schema.LedgerID, error) {
	var id schema.LedgerID
	ms := uint64(n.opts.Now().UnixMilli())
	for i := 5; i >= 0; i-- {
		id[i] = byte(ms)
		ms >>= 8
	}
	_, err := io.ReadFull(n.opts.Rand, id[6:])
	return id, err
}
