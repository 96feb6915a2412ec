package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/dgraph-io/badger/v4"

	"lienthong/crdt"
	"lienthong/schema"
)

// maxOpsPerTxn bounds one Badger transaction; larger inputs commit in
// several transactions, each complete in itself. A chunk that Badger finds
// too big is retried in halves.
var maxOpsPerTxn = 2000 // tests make chunks small

// Apply authorises and applies verified ops. fresh marks ops this node just
// signed: they skip duplicate checks, and a rejected one is returned without
// being recorded, so a refused local write leaves no trace. Everything an op changes commits
// with it; when Apply returns nil, every applied op is durable.
func (s *Store) Apply(ops []*schema.Decoded, origin string, fresh bool) ([]crdt.Result, crdt.ApplyStats, error) {
	return s.apply(ops, nil, origin, fresh, nil, true).Wait()
}

// ApplyAsync is Apply that returns once the ops are processed and handed to
// Badger, before they are durable: the caller can prepare its next ops
// while these are written and synced, and the next call is processed in the
// meantime too. Wait on the result for the outcomes; they are durable once
// Wait returns. Ops of one caller land in the order of its calls; a failed
// call fails those after it that were processed on top of it.
func (s *Store) ApplyAsync(ops []*schema.Decoded, origin string, fresh bool) *Pending {
	return s.apply(ops, nil, origin, fresh, nil, false)
}

// Pending is the outcome of an ApplyAsync call.
type Pending struct {
	s       *Store
	done    chan struct{}
	results []crdt.Result
	stats   crdt.ApplyStats
	err     error
	// then, if set, completes the results once the call is done.
	then     func(*Pending)
	thenOnce sync.Once
}

func (s *Store) newPending() *Pending { return &Pending{s: s, done: make(chan struct{})} }

func (p *Pending) finish(err error) {
	select {
	case <-p.done:
	default:
		p.err = err
		close(p.done)
	}
}

// Wait waits until every op of the call is durable (or the call failed)
// and returns what Apply would have.
func (p *Pending) Wait() ([]crdt.Result, crdt.ApplyStats, error) {
	select {
	case <-p.done:
	default:
		s := p.s
		s.mu.Lock()
		for s.inflight != nil && !p.isDone() {
			if err := s.land(); err != nil {
				s.abort(p, err)
			}
		}
		s.mu.Unlock()
		<-p.done
	}
	if p.then != nil {
		p.thenOnce.Do(func() { p.then(p) })
	}
	return p.results, p.stats, p.err
}

func (p *Pending) isDone() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Checkpoint is a position in a peer's feed to record with applied ops.
type Checkpoint struct {
	Peer string
	Seq  uint64
}

// land waits for the chunk in flight, takes in what it did and hands its
// results to its call's Pending. Called with s.mu held.
func (s *Store) land() error {
	b := s.inflight
	if b == nil {
		return nil
	}
	s.inflight = nil
	if s.nextTxn != nil {
		// Opened to see b through the overlay, which goes with b.
		s.nextTxn.Discard()
		s.nextTxn = nil
	}
	if err := <-b.landed; err != nil {
		err = fmt.Errorf("committing ops: %w", err)
		b.pending.finish(err)
		return err
	}
	b.publish()
	s.counts.tally(b.results)
	s.counts.noteAhead(b.ahead, s.opts.Logger)
	p := b.pending
	p.results = append(p.results, b.results...)
	p.stats.Add(b.stats)
	if b.final {
		p.finish(nil)
	}
	return nil
}

// abort ends call p with err: it lands what is in flight, drops the
// transaction opened for the next chunk and, if anything did not commit,
// reloads the in-memory indexes that processing changed ahead of the
// commit. A chunk that fails to land fails its own call (see land) as well
// as p.
func (s *Store) abort(p *Pending, err error) *Pending {
	if lerr := s.land(); lerr != nil {
		err = errors.Join(err, lerr)
	}
	if lerr := s.loadWaiting(); lerr != nil {
		err = errors.Join(err, lerr)
	}
	p.finish(err)
	return p
}

// apply is Apply; folds, if not nil, are the ops folded ahead (Verify).
// Before its serial pass, each chunk folds on every core the creates not
// folded against its directory already (see foldNew). cp, if not nil, is
// recorded in the transaction of the
// last chunk, so the position never runs ahead of the ops. With wait, it
// returns once every chunk has landed; without, the last chunk is left in
// flight (see ApplyAsync).
//
// Chunks are pipelined: while Badger writes and syncs one chunk, the next is
// processed in a transaction opened before that write, which sees the
// chunk in flight through its record of writes (the overlay). A chunk that
// needs to scan keys cannot see the overlay that way: it waits for the chunk
// in flight and starts again.
func (s *Store) apply(ops []*schema.Decoded, folds []*folded, origin string, fresh bool, cp *Checkpoint, wait bool) *Pending {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.newPending()
	p.results = make([]crdt.Result, 0, len(ops))
	// pipelined: a chunk may be processed while the one before it lands.
	pipelined := !wait || len(ops) > maxOpsPerTxn
	// Chunks of one call are of equal size, so that processing one takes
	// about as long as Badger takes to write the one before: a short last
	// chunk would leave the writer idle while the next call's first chunk
	// is processed.
	chunks := (len(ops) + maxOpsPerTxn - 1) / maxOpsPerTxn
	size := (len(ops) + max(chunks, 1) - 1) / max(chunks, 1)
	txn := s.nextTxn // opened before the chunk in flight was submitted
	s.nextTxn = nil
	if len(ops) == 0 {
		if txn != nil {
			txn.Discard()
		}
		// A checkpoint alone is written once the ops before it have landed.
		err := s.land()
		if err == nil && cp != nil {
			err = s.SetCheckpoint(cp.Peer, cp.Seq)
		}
		if err != nil {
			return s.abort(p, err)
		}
		p.finish(nil)
		return p
	}
	for start := 0; start < len(ops); {
		chunk := dirChunk(ops[start:min(start+size, len(ops))])
		last := start+len(chunk) == len(ops)
		if txn == nil {
			// A transaction opened now would not see the chunk in flight
			// through the overlay, nor (until it lands) in Badger.
			if err := s.land(); err != nil {
				return s.abort(p, err)
			}
			txn = s.db.NewTransaction(true)
		}
		// An op writes about seven keys (state, feed entry, op record,
		// index keys), three of them read back.
		txn.Grow(8 * len(chunk))
		b := s.newBatch(origin, txn, s.inflight, pipelined, 3*len(chunk))
		txn = nil
		b.results = make([]crdt.Result, 0, len(chunk))
		var ahead []*folded
		if folds != nil {
			ahead = folds[start : start+len(chunk)]
		}
		chunkFolds := b.foldNew(chunk, fresh, ahead)
		for i, d := range chunk {
			r := b.process(d, fresh, chunkFolds[i])
			r.Ledger = d.Op.Ledger
			b.results = append(b.results, r)
		}
		err := b.drain()
		if err == nil && cp != nil && last {
			var seq [8]byte
			binary.BigEndian.PutUint64(seq[:], cp.Seq)
			b.set(cat(pCheckpoint, []byte(cp.Peer)), seq[:])
		}
		if err == nil {
			err = b.prepare()
		}
		if err != nil {
			b.txn.Discard()
			if errors.Is(err, errNeedsScan) && s.inflight != nil {
				// Start the chunk again once the one in flight has landed.
				if err := s.land(); err != nil {
					return s.abort(p, err)
				}
				if lerr := s.loadWaiting(); lerr != nil {
					return s.abort(p, lerr)
				}
				continue
			}
			if errors.Is(err, badger.ErrTxnTooBig) && len(chunk) > 1 {
				// Nothing of this chunk was written: retry it smaller.
				if err := s.land(); err != nil {
					return s.abort(p, err)
				}
				if lerr := s.loadWaiting(); lerr != nil {
					return s.abort(p, lerr)
				}
				size = max(1, len(chunk)/2)
				continue
			}
			return s.abort(p, err)
		}
		if err := s.land(); err != nil {
			b.txn.Discard()
			return s.abort(p, err)
		}
		if pipelined && !(last && wait) {
			// Opened before b is submitted, so it does not wait for b.
			txn = s.db.NewTransaction(true)
		}
		b.pending, b.final = p, last
		b.submit()
		s.inflight = b
		start += len(chunk)
	}
	if wait {
		if txn != nil {
			txn.Discard()
		}
		if err := s.land(); err != nil {
			return s.abort(p, err)
		}
	} else {
		s.nextTxn = txn
	}
	return p
}

// dirChunk cuts chunk after its first run of directory ops that member ops
// follow: those are folded ahead (foldNew) against the directory the chunk
// starts with, which the run changes. A catch-up's first batch holds the
// network's charters, then members.
func dirChunk(chunk []*schema.Decoded) []*schema.Decoded {
	for i := 0; i+1 < len(chunk); i++ {
		if chunk[i].Op.Ledger.IsDirectory() && !chunk[i+1].Op.Ledger.IsDirectory() {
			return chunk[:i+1]
		}
	}
	return chunk
}

// errNeedsScan: a pipelined chunk needs a key scan, which cannot see the
// chunk in flight.
var errNeedsScan = errors.New("store: a scan must wait for the chunk in flight")

type entry struct {
	l *crdt.Ledger
	// fold, if set and still for l, is l encoded ahead (see foldNew).
	fold    *folded
	had     bool      // stored before this batch
	oldHash crdt.Hash // contribution of the stored state
	oldIdx  [][]byte  // index keys of the stored state
	// oldNamed are the committees the stored state names.
	oldNamed []schema.CommitteeID
	dirty    bool
}

type batch struct {
	s       *Store
	txn     *badger.Txn
	origin  string
	dir     *crdt.Directory
	dirty   bool // directory changed
	ledgers map[schema.LedgerID]*entry
	seq     uint64
	hash    crdt.Hash
	queue   []*schema.Decoded
	stats   crdt.ApplyStats
	err     error
	// touchedWaiting: s.waiting was changed and must be reloaded if the
	// batch does not commit.
	touchedWaiting bool
	originTag      [8]byte
	// origins are the origin tags of ops that did not arrive in this
	// batch (woken from parking, accepted again after quarantine): the
	// feed keeps where an op came from, so it is not sent back there.
	origins map[schema.OpID][8]byte
	// quarDelta counts the quarantined ops this batch adds (or, negative,
	// releases) per ledger; Store.quarantined takes it at submit.
	quarDelta map[schema.LedgerID]int
	// now is the wall clock when the batch began, in ms, and ahead the
	// ops applied whose authors' clocks ran ahead of it (see noteClock).
	now   int64
	ahead map[schema.CommitteeID]aheadNote

	// writes records what the batch sets (nil value) and deletes, when the
	// next chunk may be processed while this one commits: its overlay.
	writes map[string]written
	// overlay is the writes of the chunk in flight, which this batch's
	// transaction (opened before that chunk was submitted) does not see.
	overlay map[string]written

	// changed are the member ledgers whose state the batch writes or
	// removes, for the change log.
	changed []schema.LedgerID

	results []crdt.Result
	landed  chan error
	// pending is the call the batch belongs to; final marks its last chunk.
	pending *Pending
	final   bool
}

// written is a recorded write: a value, or a deletion.
type written struct {
	v   []byte
	del bool
}

// newBatch starts a batch on txn, which records about size writes for the
// overlay if record. after is the batch in flight, if any:
// this one continues from its feed position, hash and directory, and sees
// its writes through the overlay.
func (s *Store) newBatch(origin string, txn *badger.Txn, after *batch, record bool, size int) *batch {
	b := &batch{s: s, txn: txn, origin: origin, dir: s.dir.Load(),
		ledgers: map[schema.LedgerID]*entry{}, seq: s.seq, hash: s.hash, originTag: OriginTag(origin),
		now: time.Now().UnixMilli()}
	if after != nil {
		b.dir, b.seq, b.hash, b.overlay = after.dir, after.seq, after.hash, after.writes
	}
	if record {
		b.writes = make(map[string]written, size)
	}
	return b
}

func (b *batch) fail(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

// keyString is k as a map key without a copy. Every key the batch writes
// is built for that write and never changed after (or is a constant), as
// Badger requires of keys it is given too.
func keyString(k []byte) string {
	if len(k) == 0 {
		return ""
	}
	return unsafe.String(&k[0], len(k))
}

// readBack reports whether a batch may read key k back with get or has:
// ledger states, ops, quarantined and parked ops, feed entries. Only those
// writes are recorded for the overlay. Index, new-ledger, stake and other
// keys are only ever scanned, and a scan waits for the chunk in flight.
func readBack(k []byte) bool {
	if len(k) < 2 || k[1] != '/' {
		return false
	}
	switch k[0] {
	case 'l', 'o', 'q', 'p', 'f':
		return true
	}
	return false
}

func (b *batch) set(k, v []byte) {
	b.s.notePresent(k)
	if b.writes != nil && readBack(k) {
		b.writes[keyString(k)] = written{v: v}
	}
	b.fail(b.txn.Set(k, v))
}

func (b *batch) del(k []byte) {
	if b.writes != nil && readBack(k) {
		b.writes[keyString(k)] = written{del: true}
	}
	b.fail(b.txn.Delete(k))
}

// get reads a key as this batch sees it: its own writes, then those of the
// chunk in flight, then the store.
func (b *batch) get(k []byte) ([]byte, error) {
	if b.overlay != nil && !readBack(k) {
		return nil, fmt.Errorf("store: key %q read in a pipelined chunk, whose overlay does not record it", k)
	}
	if b.overlay != nil {
		if _, mine := b.writes[string(k)]; !mine {
			if w, ok := b.overlay[string(k)]; ok {
				if w.del {
					return nil, ErrNotFound
				}
				return w.v, nil
			}
		}
	}
	if !b.s.mayHave(k) {
		return nil, ErrNotFound
	}
	return get(b.txn, k)
}

func (b *batch) has(k []byte) bool {
	if b.overlay != nil && !readBack(k) {
		b.fail(fmt.Errorf("store: key %q looked up in a pipelined chunk, whose overlay does not record it", k))
		return false
	}
	if b.overlay != nil {
		if _, mine := b.writes[string(k)]; !mine {
			if w, ok := b.overlay[string(k)]; ok {
				return !w.del
			}
		}
	}
	if !b.s.mayHave(k) {
		return false
	}
	ok, err := has(b.txn, k)
	b.fail(err)
	return ok
}

// scan reports whether the batch may scan keys; if not (the chunk in
// flight is invisible to scans), it fails the batch with errNeedsScan.
func (b *batch) scan() bool {
	if len(b.overlay) > 0 {
		b.fail(errNeedsScan)
		return false
	}
	return true
}

// writableDir copies the directory on first change, so readers of s.dir
// never see a half-applied batch.
func (b *batch) writableDir() *crdt.Directory {
	if !b.dirty {
		b.dir = b.dir.Clone()
		b.dirty = true
	}
	return b.dir
}

// newLedger is ledger for a ledger known not to be stored yet.
func (b *batch) newLedger(id schema.LedgerID) *entry {
	if e, ok := b.ledgers[id]; ok {
		return e
	}
	e := &entry{l: crdt.NewLedger(id)}
	b.ledgers[id] = e
	return e
}

func (b *batch) ledger(id schema.LedgerID) *entry {
	if e, ok := b.ledgers[id]; ok {
		return e
	}
	e := &entry{l: crdt.NewLedger(id)}
	raw, err := b.get(ledgerKey(id))
	switch {
	case err == nil:
		l, derr := crdt.DecodeLedger(raw)
		if derr != nil {
			b.fail(fmt.Errorf("ledger %s: %w", id, derr))
			break
		}
		e.l, e.had = l, true
		e.oldHash = crdt.Contribution(id, crdt.StateHash(raw))
		e.oldIdx = indexKeys(l)
		e.oldNamed = l.Named()
	case !errors.Is(err, ErrNotFound):
		b.fail(err)
	}
	b.ledgers[id] = e
	return e
}

// encodedState is a changed ledger state as prepare writes it.
type encodedState struct {
	raw     []byte    // the state encoded
	contrib crdt.Hash // what it adds to the store's hash (if created)
	idx     [][]byte  // its index keys
}

func encodeState(l *crdt.Ledger) (encodedState, error) {
	raw, err := l.Encode()
	if err != nil {
		return encodedState{}, fmt.Errorf("encoding ledger %s: %w", l.ID, err)
	}
	st := encodedState{raw: raw, idx: indexKeys(l)}
	if l.Created() {
		st.contrib = crdt.Contribution(l.ID, crdt.StateHash(raw))
	}
	return st, nil
}

// folded is the state of a ledger new here after its create op alone,
// worked out ahead of the serial pass over a chunk (see foldNew).
type folded struct {
	encodedState
	dir *crdt.Directory // the directory the op was judged against
	l   *crdt.Ledger
	// taken: a batch holds l, and ops after this one may have changed it
	// (a chunk processed again after a failed attempt folds afresh).
	taken bool
}

// current reports whether f is still the state of e: e holds f's ledger,
// and no op was applied to it since (an op adds to the DAG; a fold again
// makes another ledger).
func (f *folded) current(e *entry) bool {
	return f != nil && e.l == f.l && len(f.l.DAG.Ops) == 1
}

// foldNew folds, on every core, each create op of a ledger that is
// certainly not stored into its new ledger, and encodes it (see fold).
// ahead, if not nil, holds the ops folded already (by Verify): those
// folded against the batch's directory are kept, the rest folded again (a
// batch verified before directory ops ahead of it landed was folded
// against the directory before them).
func (b *batch) foldNew(ops []*schema.Decoded, fresh bool, ahead []*folded) []*folded {
	out := make([]*folded, len(ops))
	var todo []int // a fork and join for nothing would keep the serial pass waiting
	for i, d := range ops {
		if ahead != nil && ahead[i] != nil && ahead[i].dir == b.dir {
			out[i] = ahead[i]
		} else if d.Op.Kind == schema.KindMemberCreate {
			todo = append(todo, i)
		}
	}
	parallel(len(todo), func(j int) { out[todo[j]] = b.s.fold(b.dir, ops[todo[j]], fresh) })
	return out
}

// fold folds create op d, if its ledger is certainly not stored (this node
// drew a fresh op's ID; of others, the presence filter says so), into the
// new ledger's state against dir, and encodes it; nil for other ops. Most
// of a bulk import's or a catch-up's work per op is then done on every
// core and while the op is in cache: the serial pass (process) takes the
// fold where the ledger is still new and the directory still dir, which
// makes it the same as applying the op there, crdt.Apply being a pure
// function of the directory, the ledger and the op. Safe for concurrent
// use.
func (s *Store) fold(dir *crdt.Directory, d *schema.Decoded, fresh bool) *folded {
	if d.Op.Kind != schema.KindMemberCreate || d.Op.Ledger.IsDirectory() ||
		!fresh && s.mayHave(ledgerKey(d.Op.Ledger)) {
		return nil
	}
	l := crdt.NewLedger(d.Op.Ledger)
	if crdt.Apply(dir, l, d) != nil {
		return nil // judged again in the serial pass, which records why
	}
	st, err := encodeState(l)
	if err != nil {
		return nil
	}
	return &folded{encodedState: st, dir: dir, l: l}
}

// process applies d; f, if not nil, is d folded ahead (see foldNew).
func (b *batch) process(d *schema.Decoded, fresh bool, f *folded) crdt.Result {
	if b.err != nil {
		return crdt.Result{ID: d.ID, Err: b.err}
	}
	if !fresh {
		switch {
		case b.isParked(d.ID), b.has(opKey(d.ID)):
			b.stats.Duplicates++
			return crdt.Result{ID: d.ID, Outcome: crdt.Duplicate}
		case b.hasQuarantined(d.Op.Ledger) && b.has(quarKey(d.ID)):
			b.stats.Duplicates++
			return crdt.Result{ID: d.ID, Outcome: crdt.Duplicate, Err: errors.New("already rejected")}
		}
	}
	var err error
	var e *entry
	if d.Op.Ledger.IsDirectory() {
		err = crdt.ApplyDirectory(b.writableDir(), d)
	} else {
		if fresh && d.Op.Kind == schema.KindMemberCreate {
			// This node just drew the ledger's ID at random: nothing to read.
			e = b.newLedger(d.Op.Ledger)
		} else {
			e = b.ledger(d.Op.Ledger)
		}
		if f != nil && !f.taken && f.dir == b.dir && !e.had && !e.l.Created() {
			e.l, e.fold, f.taken = f.l, f, true // what crdt.Apply would make of e.l and d
			e.dirty = true
		} else if err = crdt.Apply(b.dir, e.l, d); err == nil {
			e.dirty = true
		}
	}
	var rej *crdt.RejectError
	var miss *crdt.MissingError
	switch {
	case err == nil:
		if e != nil {
			b.noteClock(&e.l.DAG, d)
		}
		b.accept(d)
		b.stats.Applied++
		if b.quarantinedAfter(d.Op.Ledger, crdt.KeyOf(d)) {
			// The op changes the state before ops rejected earlier: judge
			// them again, as a fold of every op would.
			b.rebuild(d.Op.Ledger, nil)
		}
		if d.Op.Ledger.IsDirectory() {
			b.reevaluate(d)
		}
		return crdt.Result{ID: d.ID, Outcome: crdt.Applied}
	case errors.Is(err, crdt.ErrDuplicate):
		b.stats.Duplicates++
		return crdt.Result{ID: d.ID, Outcome: crdt.Duplicate}
	case errors.Is(err, crdt.ErrOutOfOrder):
		return b.rebuild(d.Op.Ledger, d)
	case errors.As(err, &miss):
		for _, m := range miss.Missing {
			if b.hasQuarantined(d.Op.Ledger) && b.has(quarKey(m)) {
				rej = &crdt.RejectError{Op: d.ID, Kind: d.Op.Kind, Author: d.Op.Author, Err: crdt.ErrInvalid,
					Reason: fmt.Sprintf("depends on op %s, which was rejected", m.Short())}
				b.quarantine(d, rej)
				return crdt.Result{ID: d.ID, Outcome: crdt.Rejected, Err: rej}
			}
		}
		if len(b.s.waiting) >= maxWaitingDeps {
			// A peer sending ops whose deps never come cannot fill the disk:
			// refuse to park more (not recorded; the op can come again).
			return crdt.Result{ID: d.ID, Outcome: crdt.Rejected, Err: fmt.Errorf("%w: %d missing deps are awaited already; sync the ops they need first", crdt.ErrInvalid, len(b.s.waiting))}
		}
		b.park(d, miss.Missing)
		return crdt.Result{ID: d.ID, Outcome: crdt.Parked, Err: err}
	case errors.As(err, &rej):
		if !fresh {
			b.quarantine(d, rej)
		}
		return crdt.Result{ID: d.ID, Outcome: crdt.Rejected, Err: rej}
	default:
		b.fail(err)
		return crdt.Result{ID: d.ID, Err: err}
	}
}

// aheadNote counts the ops of one author whose clocks ran ahead, and by how
// much at most.
type aheadNote struct {
	ops  uint64
	lead time.Duration
}

// noteClock records d if its author's clock ran ahead when it was written:
// its wall time is more than schema.MaxClockLead past now, and past the clocks of its
// deps (an op written after an op from the future takes a clock just past
// that one, which is no fault of its author's).
func (b *batch) noteClock(g *crdt.DAG, d *schema.Decoded) {
	ms := d.Op.HLC.Millis()
	lead := time.Duration(ms-b.now) * time.Millisecond
	if lead <= schema.MaxClockLead {
		return
	}
	for _, dep := range d.Op.Deps {
		if m, ok := g.Get(dep); ok && m.HLC.Millis() >= ms {
			return
		}
	}
	if b.ahead == nil {
		b.ahead = map[schema.CommitteeID]aheadNote{}
	}
	a := b.ahead[d.Op.Author]
	a.ops++
	a.lead = max(a.lead, lead)
	b.ahead[d.Op.Author] = a
}

// accept records an applied op: its bytes, the feed, the author index, and
// wakes ops parked on it.
func (b *batch) accept(d *schema.Decoded) {
	b.seq++
	var pos [8]byte
	binary.BigEndian.PutUint64(pos[:], b.seq)
	b.set(opKey(d.ID), pos[:])
	tag, ok := b.origins[d.ID]
	if !ok {
		tag = b.originTag
	}
	b.set(feedKey(b.seq), feedValue(d.ID, d.Op.Ledger, tag, d.Envelope))
	b.wake(d.ID)
}

// unaccept takes back an accepted op (to quarantine it): its record goes,
// and its feed entry keeps its place without the envelope, so the op is not
// served from there any more.
func (b *batch) unaccept(d *schema.Decoded) {
	pos, err := b.get(opKey(d.ID))
	if err != nil || len(pos) != 8 {
		b.fail(fmt.Errorf("taking back op %s: its record: %w", d.ID.Short(), cmp.Or(err, errCorrupt)))
		return
	}
	seq := binary.BigEndian.Uint64(pos)
	v, err := b.get(feedKey(seq))
	if err != nil {
		b.fail(fmt.Errorf("taking back op %s: feed entry %d: %w", d.ID.Short(), seq, err))
		return
	}
	if len(v) > feedHead {
		b.set(feedKey(seq), v[:feedHead:feedHead])
	}
	b.del(opKey(d.ID))
}

func (b *batch) quarantine(d *schema.Decoded, rej *crdt.RejectError) {
	q := Quarantined{Envelope: d.Envelope, Reason: rej.Reason, Origin: b.origin, Ledger: d.Op.Ledger, Author: d.Op.Author, Kind: d.Op.Kind}
	raw, err := schema.Marshal(&q)
	b.fail(err)
	b.set(quarKey(d.ID), raw)
	b.set(quarLedgerKey(d.Op.Ledger, d.ID), quarLedgerValue(d.Op.HLC))
	b.countQuarantined(d.Op.Ledger, 1)
	b.stats.Rejected++
}

// quarLedgerValue is the value of a qx/ key: the op's clock, so that the
// quarantined ops of a ledger can be placed in fold order without reading
// them.
func quarLedgerValue(hlc schema.HLC) []byte {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], uint64(hlc))
	return v[:]
}

// quarantinedAfter reports whether ledger id has quarantined ops that sort
// after fold key k: an op applied at k changes the state before them, so
// their verdicts may change. No I/O for a ledger without quarantined ops.
func (b *batch) quarantinedAfter(id schema.LedgerID, k crdt.Key) bool {
	if !b.hasQuarantined(id) || !b.scan() {
		return false
	}
	prefix := quarLedgerPrefix(id)
	it := b.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		q := crdt.Key{HLC: schema.HLC(^uint64(0))} // no clock recorded: assume after
		copy(q.ID[:], item.Key()[len(prefix):])
		b.fail(item.Value(func(v []byte) error {
			if len(v) == 8 {
				q.HLC = schema.HLC(binary.BigEndian.Uint64(v))
			}
			return nil
		}))
		if k.Less(q) {
			return true
		}
	}
	return false
}

// isParked reports whether op id is parked, from the store's in-memory copy
// of the parked-op index.
func (b *batch) isParked(id schema.OpID) bool {
	_, ok := b.s.parked[id]
	return ok
}

// hasQuarantined reports whether ledger id has quarantined ops, from the
// store's count and this batch's changes to it. (An iterator over a write
// transaction sorts the batch's pending writes: probing every ledger that
// way would cost a bulk batch time quadratic in its size.)
func (b *batch) hasQuarantined(id schema.LedgerID) bool {
	return b.s.quarantined[id]+b.quarDelta[id] > 0
}

func (b *batch) countQuarantined(id schema.LedgerID, n int) {
	if b.quarDelta == nil {
		b.quarDelta = map[schema.LedgerID]int{}
	}
	b.quarDelta[id] += n
}

func (b *batch) unquarantine(d *schema.Decoded) {
	b.del(quarKey(d.ID))
	b.del(quarLedgerKey(d.Op.Ledger, d.ID))
	b.countQuarantined(d.Op.Ledger, -1)
}

// maxWaitingDeps bounds the missing deps a store waits for, and so the ops
// it keeps parked.
const maxWaitingDeps = 1 << 20

func (b *batch) park(d *schema.Decoded, missing []schema.OpID) {
	tag, ok := b.origins[d.ID]
	if !ok {
		tag = b.originTag
	}
	b.set(parkKey(d.ID), cat(tag[:], d.Envelope)) // origin tag, then the op
	b.s.parked[d.ID] = struct{}{}
	b.touchedWaiting = true
	for _, m := range missing {
		b.set(waitKey(m, d.ID), nil)
		b.s.waiting[m] = append(b.s.waiting[m], d.ID)
	}
	b.stats.Parked++
}

// wake queues the ops parked on dep.
func (b *batch) wake(dep schema.OpID) {
	ids, ok := b.s.waiting[dep]
	if !ok {
		return
	}
	delete(b.s.waiting, dep)
	b.touchedWaiting = true
	for _, id := range ids {
		b.del(waitKey(dep, id))
		raw, err := b.get(parkKey(id))
		if errors.Is(err, ErrNotFound) {
			continue // woken through another dep already
		}
		if err != nil {
			b.fail(err)
			return
		}
		if len(raw) < 8 {
			b.fail(fmt.Errorf("parked op %s: corrupt record", id.Short()))
			return
		}
		d, err := schema.DecodeStored(raw[8:])
		if err != nil {
			b.fail(fmt.Errorf("parked op %s: %w", id.Short(), err))
			return
		}
		b.setOrigin(d.ID, [8]byte(raw[:8]))
		b.del(parkKey(id))
		delete(b.s.parked, id)
		for _, dd := range d.Op.Deps {
			if dd != dep {
				b.del(waitKey(dd, id))
				b.s.waiting[dd] = slices.DeleteFunc(b.s.waiting[dd], func(x schema.OpID) bool { return x == id })
				if len(b.s.waiting[dd]) == 0 {
					delete(b.s.waiting, dd)
				}
			}
		}
		b.queue = append(b.queue, d)
		b.stats.Woken++
	}
}

func (b *batch) setOrigin(id schema.OpID, tag [8]byte) {
	if b.origins == nil {
		b.origins = map[schema.OpID][8]byte{}
	}
	b.origins[id] = tag
}

// drain processes woken ops until none are left.
func (b *batch) drain() error {
	for len(b.queue) > 0 && b.err == nil {
		d := b.queue[0]
		b.queue = b.queue[1:]
		b.process(d, false, nil)
	}
	return b.err
}

// loadOps returns a ledger's accepted ops (from its DAG) and quarantined ops.
func (b *batch) loadOps(id schema.LedgerID, dag *crdt.DAG) (accepted, quarantined []*schema.Decoded) {
	for _, m := range dag.Ops {
		raw, err := opEnvelope(b.get, m.ID)
		if err != nil {
			b.fail(fmt.Errorf("op %s of ledger %s: %w", m.ID.Short(), id, err))
			return
		}
		d, err := schema.DecodeStored(raw)
		if err != nil {
			b.fail(err)
			return
		}
		accepted = append(accepted, d)
	}
	if !b.hasQuarantined(id) {
		return accepted, nil
	}
	if !b.scan() {
		return nil, nil
	}
	prefix := quarLedgerPrefix(id)
	it := b.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	var qids []schema.OpID
	noClock := map[schema.OpID]bool{}
	for it.Rewind(); it.Valid(); it.Next() {
		var q schema.OpID
		copy(q[:], it.Item().Key()[len(prefix):])
		qids = append(qids, q)
		b.fail(it.Item().Value(func(v []byte) error {
			if len(v) != 8 {
				noClock[q] = true
			}
			return nil
		}))
	}
	it.Close()
	for _, q := range qids {
		raw, err := b.get(quarKey(q))
		if err != nil {
			b.fail(err)
			return
		}
		var rec Quarantined
		if err := schema.UnmarshalState(raw, &rec); err != nil {
			b.fail(err)
			return
		}
		d, err := schema.DecodeStored(rec.Envelope)
		if err != nil {
			continue // malformed ops never become valid
		}
		if noClock[q] {
			// Recorded without its clock: add it (see quarantinedAfter).
			b.set(quarLedgerKey(id, q), quarLedgerValue(d.Op.HLC))
		}
		b.setOrigin(d.ID, OriginTag(rec.Origin))
		quarantined = append(quarantined, d)
	}
	return accepted, quarantined
}

// rebuild folds a ledger again from its accepted and quarantined ops plus
// extra (nil when re-judging after a directory change), and records every
// changed verdict.
func (b *batch) rebuild(id schema.LedgerID, extra *schema.Decoded) crdt.Result {
	b.stats.Rebuilt++
	var oldDAG *crdt.DAG
	var e *entry
	if id.IsDirectory() {
		oldDAG = &b.dir.DAG
	} else {
		e = b.ledger(id)
		oldDAG = &e.l.DAG
	}
	accepted, quarantined := b.loadOps(id, oldDAG)
	if b.err != nil {
		return crdt.Result{Err: b.err}
	}
	all := slices.Concat(accepted, quarantined)
	if extra != nil {
		all = append(all, extra)
	}
	var newDAG *crdt.DAG
	var errs []error
	if id.IsDirectory() {
		var dir *crdt.Directory
		dir, errs = crdt.RebuildDirectory(b.dir.Root, all)
		b.dir, b.dirty = dir, true
		newDAG = &dir.DAG
	} else {
		var l *crdt.Ledger
		l, errs = crdt.Rebuild(b.dir, id, all)
		e.l, e.dirty = l, true
		newDAG = &l.DAG
	}
	reasons := map[schema.OpID]*crdt.RejectError{}
	for _, err := range errs {
		var rej *crdt.RejectError
		if errors.As(err, &rej) {
			reasons[rej.Op] = rej
		}
	}
	wasAccepted := map[schema.OpID]bool{}
	for _, d := range accepted {
		wasAccepted[d.ID] = true
	}
	res := crdt.Result{Outcome: crdt.Applied}
	var changed []*schema.Decoded // directory ops whose verdict changed
	for _, d := range all {
		_, now := newDAG.Get(d.ID)
		was := wasAccepted[d.ID]
		switch {
		case now && !was:
			if d != extra {
				b.unquarantine(d)
				changed = append(changed, d)
			} else {
				b.stats.Applied++
			}
			b.accept(d)
		case !now && was:
			b.unaccept(d)
			b.quarantine(d, reasonFor(d, reasons))
			changed = append(changed, d)
		case !now && d == extra:
			rej := reasonFor(d, reasons)
			b.quarantine(d, rej)
			res = crdt.Result{ID: d.ID, Outcome: crdt.Rejected, Err: rej}
		}
	}
	if extra != nil {
		res.ID = extra.ID
		changed = append(changed, extra)
	}
	if id.IsDirectory() && len(changed) > 0 {
		b.reevaluate(changed...)
	}
	return res
}

func reasonFor(d *schema.Decoded, reasons map[schema.OpID]*crdt.RejectError) *crdt.RejectError {
	if r, ok := reasons[d.ID]; ok {
		return r
	}
	return &crdt.RejectError{Op: d.ID, Kind: d.Op.Kind, Author: d.Op.Author, Err: crdt.ErrInvalid, Reason: "not accepted when the ledger was folded again"}
}

// reevaluate re-judges the member ledgers directory ops can affect: those
// homed at, written to by, or naming in a workflow the committees they
// charter or revoke or anyone below them (see indexKeys), and those with
// quarantined ops (a new charter may make them valid).
func (b *batch) reevaluate(ops ...*schema.Decoded) {
	if !b.scan() {
		return
	}
	subjects := map[schema.CommitteeID]bool{}
	for _, d := range ops {
		switch body := d.Body.(type) {
		case *schema.CharterBody:
			subjects[body.ID] = true
		case *schema.RevocationBody:
			subjects[body.ID] = true
		}
	}
	var under []schema.CommitteeID
	for subject := range subjects {
		under = append(under, b.dir.Subtree(subject)...)
	}
	slices.Sort(under)
	under = slices.Compact(under)
	targets := map[schema.LedgerID]bool{}
	for _, c := range under {
		for _, index := range []string{IndexAuthor, IndexHome} {
			prefix := indexPrefix(index, string(c))
			it := b.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
			for it.Rewind(); it.Valid(); it.Next() {
				var id schema.LedgerID
				copy(id[:], it.Item().Key()[len(prefix):])
				targets[id] = true
			}
			it.Close()
		}
	}
	for id := range b.ledgers { // indexes of this batch are written at commit
		targets[id] = true
	}
	for id := range b.s.quarantined {
		if !id.IsDirectory() && b.hasQuarantined(id) {
			targets[id] = true
		}
	}
	for id := range b.quarDelta {
		if !id.IsDirectory() && b.hasQuarantined(id) {
			targets[id] = true
		}
	}
	ids := make([]schema.LedgerID, 0, len(targets))
	for id := range targets {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, c schema.LedgerID) int { return slices.Compare(a[:], c[:]) })
	for _, id := range ids {
		b.rebuild(id, nil)
	}
}

// indexKeys lists the index entries of a ledger state. The author index
// names the committees involved in the ledger other than its home (the home
// index names that one): those that wrote to it and those its workflows
// name. With the home index, it finds every ledger a committee's charter or
// revocation may change.
func indexKeys(l *crdt.Ledger) [][]byte {
	var keys [][]byte
	for _, v := range l.Fields.Get("card") {
		keys = append(keys, indexKey(IndexCard, v.V, l.ID))
	}
	for _, v := range l.Home {
		keys = append(keys, indexKey(IndexHome, v.V, l.ID))
	}
	var involved []schema.CommitteeID
	add := func(c schema.CommitteeID) {
		if slices.Contains(involved, c) {
			return
		}
		involved = append(involved, c)
		if !slices.ContainsFunc(l.Home, func(v crdt.Value) bool { return v.V == string(c) }) {
			keys = append(keys, indexKey(IndexAuthor, string(c), l.ID))
		}
	}
	for _, m := range l.DAG.Ops {
		add(m.Author)
	}
	for _, c := range l.Mentioned() {
		add(c)
	}
	if l.Status != "" {
		keys = append(keys, indexKey(IndexStatus, l.Status, l.ID))
	}
	return keys
}

// prepare writes the batch's states, indexes, feed position and hash into
// its transaction.
func (b *batch) prepare() error {
	if b.err != nil {
		return b.err
	}
	encoded, err := b.encodeDirty()
	if err != nil {
		return err
	}
	var fresh []schema.LedgerID // ledgers first held here
	for id, e := range b.ledgers {
		if !e.dirty {
			continue
		}
		st := encoded[id]
		if e.fold.current(e) {
			st = &e.fold.encodedState
		}
		if e.had || e.l.Created() {
			b.changed = append(b.changed, id)
		}
		if e.had {
			b.hash = b.hash.Xor(e.oldHash)
		}
		if e.l.Created() {
			b.set(ledgerKey(id), st.raw)
			b.hash = b.hash.Xor(st.contrib)
			if !e.had {
				fresh = append(fresh, id)
			} else {
				b.recordStake(id, e.oldNamed, e.l.Named())
			}
		} else if e.had {
			b.del(ledgerKey(id))
		}
		for _, k := range e.oldIdx {
			if !containsKey(st.idx, k) {
				b.del(k)
			}
		}
		for _, k := range st.idx {
			if !containsKey(e.oldIdx, k) {
				b.set(k, nil)
			}
		}
	}
	if len(fresh) > 0 {
		slices.SortFunc(fresh, func(a, b schema.LedgerID) int { return bytes.Compare(a[:], b[:]) })
		v := make([]byte, 0, len(b.originTag)+len(fresh)*len(schema.LedgerID{}))
		v = append(v, b.originTag[:]...)
		for _, id := range fresh {
			v = append(v, id[:]...)
		}
		b.set(newLedgersKey(b.seq), v)
		b.s.noteNewLedger(b.originTag, b.seq)
	}
	if b.dirty {
		raw, err := b.dir.Encode()
		if err != nil {
			return err
		}
		old, err := b.get(ledgerKey(schema.DirectoryLedger))
		if err == nil {
			b.hash = b.hash.Xor(crdt.Contribution(schema.DirectoryLedger, crdt.StateHash(old)))
		}
		b.set(ledgerKey(schema.DirectoryLedger), raw)
		b.hash = b.hash.Xor(crdt.Contribution(schema.DirectoryLedger, crdt.StateHash(raw)))
	}
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], b.seq)
	b.set(kSeq, seq[:])
	b.set(kHash, b.hash[:])
	return b.err
}

// submit commits the prepared transaction in the background; landed
// receives the outcome. The count of quarantined ops is taken in now, for
// the next chunk (apply reloads it if the commit fails).
func (b *batch) submit() {
	for id, n := range b.quarDelta {
		if c := b.s.quarantined[id] + n; c > 0 {
			b.s.quarantined[id] = c
		} else {
			delete(b.s.quarantined, id)
		}
	}
	b.landed = make(chan error, 1)
	b.txn.CommitWith(func(err error) { b.landed <- err })
}

// publish makes a landed batch visible: feed position, hash, directory,
// and a signal to subscribers.
func (b *batch) publish() {
	changed := b.seq != b.s.seq || b.dirty
	b.s.seq, b.s.hash = b.seq, b.hash
	b.s.changes.record(b.changed)
	if b.dirty {
		b.s.dir.Store(b.dir)
	}
	if changed {
		b.s.signal(b.dirty)
	}
}

// encodeDirty encodes the changed ledger states not folded ahead, on every
// core when there are many.
func (b *batch) encodeDirty() (map[schema.LedgerID]*encodedState, error) {
	var dirty []*crdt.Ledger
	for _, e := range b.ledgers {
		if e.dirty && !e.fold.current(e) {
			dirty = append(dirty, e.l)
		}
	}
	sts := make([]encodedState, len(dirty))
	errs := make([]error, len(dirty))
	parallel(len(dirty), func(i int) { sts[i], errs[i] = encodeState(dirty[i]) })
	out := make(map[schema.LedgerID]*encodedState, len(dirty))
	for i, l := range dirty {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[l.ID] = &sts[i]
	}
	return out, nil
}

// parallel calls f(0) … f(n-1), spread over GOMAXPROCS goroutines when n is
// large enough to be worth it.
func parallel(n int, f func(i int)) {
	parallelRanges(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f(i)
		}
	})
}

// parallelRanges splits 0…n-1 into one range per goroutine (one range when
// n is small) and calls f with each.
func parallelRanges(n int, f func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < 64 || workers == 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	per := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += per {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, min(lo+per, n))
	}
	wg.Wait()
}

func containsKey(keys [][]byte, k []byte) bool {
	for _, x := range keys {
		if string(x) == string(k) {
			return true
		}
	}
	return false
}
