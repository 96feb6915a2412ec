package store

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"

	"lienthong/crdt"
	"lienthong/schema"
)

// ErrLocked: another process holds the store.
var ErrLocked = errors.New("store is locked by another process")

// ErrNotFound: no such ledger or op (the node's contract error).
var ErrNotFound = crdt.ErrNotFound

// Options configure a store.
type Options struct {
	// Root is the network's trust root, pinned at init or join.
	Root schema.CommitteeID
	// InMemory keeps everything in memory (tests).
	InMemory bool
	// SyncWrites makes every commit durable before Apply returns.
	SyncWrites bool
	Logger     *slog.Logger
	// InlineValues keeps every value in the LSM tree. For processes that
	// write a few ops and exit (one CLI command): each process that writes
	// to the value log starts a file of its own, which stays, open in every
	// later process, as long as the ops in it.
	InlineValues bool
	// ValueLogFileSize caps one value-log file (0: 64 MiB). Opening a store
	// reads the last file through, so it bounds the time of a reopen.
	ValueLogFileSize int64
	// GCInterval is how often the value log is swept for space left by
	// rewritten states (0: every 10 minutes; negative: never).
	GCInterval time.Duration
}

// DefaultOptions returns durable settings.
func DefaultOptions(root schema.CommitteeID) Options {
	return Options{Root: root, SyncWrites: true, Logger: slog.New(slog.DiscardHandler)}
}

// Store is a node's Badger store. It is safe for concurrent use.
type Store struct {
	db     *badger.DB
	path   string // "" in memory
	opts   Options
	verify *schema.Verifier

	// dir is the directory as the last landed batch left it: read without
	// the lock (by Verify, while a call holds it), written with it.
	dir  atomic.Pointer[crdt.Directory]
	mu   sync.Mutex // serialises writers; guards the fields below
	seq  uint64
	hash crdt.Hash
	// waiting maps a missing dep to the parked ops that wait for it: a copy
	// of the pw/ keys, so that applying an op needs no scan.
	waiting map[schema.OpID][]schema.OpID
	// parked holds the IDs of the parked ops (the p/ keys), so that a
	// duplicate check needs no lookup for them.
	parked map[schema.OpID]struct{}
	// quarantined counts the quarantined ops per ledger (the qx/ keys), so
	// that applying an op need not probe the index for ledgers without.
	quarantined map[schema.LedgerID]int
	// inflight is the chunk handed to Badger and not yet landed, and
	// nextTxn the transaction opened before it was, for the next chunk
	// (see apply).
	inflight *batch
	nextTxn  *badger.Txn

	subsMu sync.Mutex
	subs   []chan Change

	counts counters
	// changes are the member ledgers the last batches changed.
	changes changeLog

	// newLedgerSeq holds, for each origin that brought ledgers first held
	// here since the store was opened (at openSeq), the last feed position
	// it did: so NewLedgers need not scan a range whose new ledgers all
	// came from the origin it leaves out (see NewLedgers).
	newLedgerSeq map[[8]byte]uint64
	openSeq      uint64

	gcStop chan struct{}
	gcDone chan struct{}

	// present, once loaded or filled, tells which ops and ledgers are
	// certainly not stored (see presence.go); filling is the filter being filled, which
	// every key written is added to as well, and growing is set while a
	// bigger one is on its way.
	present      atomic.Pointer[presence]
	filling      *presence
	growing      bool
	presenceStop chan struct{}
	presenceWG   sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// badgerOptions are the Badger settings of a store in path.
func badgerOptions(path string, opts Options) badger.Options {
	bo := badger.DefaultOptions(path).
		WithLogger(nil).
		WithSyncWrites(opts.SyncWrites).
		WithDetectConflicts(false).
		WithNumVersionsToKeep(1).
		WithMetricsEnabled(false).
		// Table indexes and bloom filters live in a bounded cache rather
		// than all in memory: a node's RSS stays flat as its store grows.
		WithIndexCacheSize(64 << 20)
	if opts.InMemory {
		return bo.WithInMemory(true).WithDir("").WithValueDir("").WithMemTableSize(8 << 20).WithBlockCacheSize(1 << 20)
	}
	// Values of valueThreshold bytes and more (op envelopes, most ledger
	// states) go to the value log, written once, and the LSM tree keeps a
	// pointer to them. Compactions then move keys and pointers instead of
	// every op again at each level: at a million ops they rewrote 1.3 GB
	// several times over, which slowed bulk writes and held single durable
	// writes up behind their I/O for tens of milliseconds. The cost is
	// space: the value log is not compressed, and a rewritten state leaves
	// its old copy there until the sweep (startGC) reclaims it.
	bo = bo.WithValueLogFileSize(cmp.Or(opts.ValueLogFileSize, defaultValueLogFileSize)).
		// The value log is written once, and read seldom soon after: its
		// synced pages are dropped from the page cache, and the next
		// writes take them (see third_party/badger/README.md, change 5).
		WithDropSyncedValueLog(true)
	if !opts.InlineValues {
		bo = bo.WithValueThreshold(valueThreshold)
	}
	return bo
}

// Open opens (or creates) the store in path.
func Open(path string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	bo := badgerOptions(path, opts)
	if !opts.InMemory {
		if err := os.MkdirAll(path, 0o700); err != nil {
			return nil, fmt.Errorf("creating store directory: %w", err)
		}
		if err := removeEmptyLogs(path, opts.Logger); err != nil {
			return nil, err
		}
	}
	db, err := openBadger(path, bo)
	if err != nil {
		return nil, err
	}
	if opts.InlineValues {
		// An upgrade rewrites every envelope: it goes to the value log
		// whatever this process keeps inline.
		outdated, err := layoutOutdated(db)
		if err == nil && outdated {
			db.Close()
			err = upgradeWithValueLog(path, opts)
			if err == nil {
				db, err = openBadger(path, bo)
			}
			if err != nil {
				return nil, err
			}
		} else if err != nil {
			db.Close()
			return nil, fmt.Errorf("reading store metadata: %w", err)
		}
	}
	s := &Store{db: db, opts: opts, verify: schema.NewVerifier()}
	dir := crdt.NewDirectory(opts.Root)
	if !opts.InMemory {
		s.path = path
	}
	err = db.View(func(txn *badger.Txn) error {
		if b, err := get(txn, ledgerKey(schema.DirectoryLedger)); err == nil {
			if dir, err = crdt.DecodeDirectory(b); err != nil {
				return err
			}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if b, err := get(txn, kSeq); err == nil && len(b) == 8 {
			s.seq = binary.BigEndian.Uint64(b)
		}
		if b, err := get(txn, kHash); err == nil && len(b) == 32 {
			copy(s.hash[:], b)
		}
		return nil
	})
	if err == nil {
		err = upgradeLayout(db, opts.Logger, s.seq)
	}
	if err == nil {
		err = s.loadWaiting()
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("reading store metadata: %w", err)
	}
	if dir.Root != opts.Root && opts.Root != "" {
		db.Close()
		return nil, fmt.Errorf("store belongs to the network rooted at %s, not %s", dir.Root, opts.Root)
	}
	s.dir.Store(dir)
	s.openSeq, s.newLedgerSeq = s.seq, map[[8]byte]uint64{}
	s.presenceStop = make(chan struct{})
	if p := s.loadPresence(path); p != nil {
		s.present.Store(p)
	} else {
		s.startPresence(int(2 * s.seq)) // an op and a ledger per feed position at most
	}
	s.startGC()
	return s, nil
}

func openBadger(path string, bo badger.Options) (*badger.DB, error) {
	db, err := badger.Open(bo)
	if err != nil {
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return nil, fmt.Errorf("%w (%s): stop the other lienthong process using this directory, or run the command against the running daemon", ErrLocked, filepath.Clean(path))
		}
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	return db, nil
}

// removeEmptyLogs deletes zero-length memtable and value-log files. Badger
// creates such a file, then sizes and maps it; a process killed in between
// leaves it empty, and Badger then refuses to open ("Create a new file").
// An empty log holds no write, so removing it loses nothing.
func removeEmptyLogs(path string, log *slog.Logger) error {
	entries, err := os.ReadDir(path)
	if err != nil {
		return fmt.Errorf("reading store directory: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".mem") || strings.HasSuffix(name, ".vlog")) {
			continue
		}
		info, err := e.Info()
		if err != nil || info.Size() != 0 {
			continue
		}
		if err := os.Remove(filepath.Join(path, name)); err != nil {
			return fmt.Errorf("removing the empty log %s left by a crash: %w", name, err)
		}
		log.Warn("removed an empty log file left by a crash", "file", name)
	}
	return nil
}

// loadWaiting reads the parked-op index (what each missing dep wakes, and
// the parked ops) and the count of quarantined ops per ledger into memory.
func (s *Store) loadWaiting() error {
	s.waiting = map[schema.OpID][]schema.OpID{}
	s.parked = map[schema.OpID]struct{}{}
	s.quarantined = map[schema.LedgerID]int{}
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pWaiting, PrefetchValues: false})
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()[len(pWaiting):]
			var dep, id schema.OpID
			copy(dep[:], k[:32])
			copy(id[:], k[32:])
			s.waiting[dep] = append(s.waiting[dep], id)
			s.parked[id] = struct{}{}
		}
		it.Close()
		it = txn.NewIterator(badger.IteratorOptions{Prefix: pQuarLedger, PrefetchValues: false})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var id schema.LedgerID
			copy(id[:], it.Item().Key()[len(pQuarLedger):])
			s.quarantined[id]++
		}
		return nil
	})
}

// Change tells subscribers that ops were committed.
type Change struct {
	Seq       uint64 // feed head after the commit
	Directory bool   // the directory changed
}

// Subscribe returns a channel that receives a Change after commits. Changes
// coalesce: a slow reader sees the latest, never blocks writers.
func (s *Store) Subscribe() <-chan Change {
	ch := make(chan Change, 1)
	s.subsMu.Lock()
	s.subs = append(s.subs, ch)
	s.subsMu.Unlock()
	return ch
}

// Unsubscribe stops deliveries to ch.
func (s *Store) Unsubscribe(ch <-chan Change) {
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	for i, c := range s.subs {
		if c == ch {
			s.subs = append(s.subs[:i], s.subs[i+1:]...)
			return
		}
	}
}

// signal is called by the writer, with s.mu held, after a commit.
func (s *Store) signal(dir bool) {
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	for _, ch := range s.subs {
		c := Change{Seq: s.seq, Directory: dir}
		select {
		case old := <-ch: // coalesce with the undelivered change
			c.Directory = c.Directory || old.Directory
		default:
		}
		ch <- c
	}
}

// Close closes the store; it is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.presenceStop)
		s.presenceWG.Wait()
		s.stopGC()
		s.mu.Lock()
		lerr := s.land()
		if lerr == nil && s.path != "" {
			if err := s.savePresence(s.path); err != nil {
				s.opts.Logger.Warn("presence filter not saved; it is filled from the store at the next start", "err", err)
			}
		}
		s.mu.Unlock()
		s.closeErr = errors.Join(lerr, s.db.Close())
	})
	return s.closeErr
}

// DB exposes the Badger handle for backup.
func (s *Store) DB() *badger.DB { return s.db }

// Verifier is the store's signature verifier (shared caches).
func (s *Store) Verifier() *schema.Verifier { return s.verify }

func get(txn *badger.Txn, key []byte) ([]byte, error) {
	it, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return it.ValueCopy(nil)
}

func has(txn *badger.Txn, key []byte) (bool, error) {
	_, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Directory returns a snapshot of the directory. Callers must not modify it.
func (s *Store) Directory() *crdt.Directory { return s.dir.Load() }

// StateHash is the store-wide state hash: equal on any two nodes that hold
// the same ops.
func (s *Store) StateHash() crdt.Hash {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hash
}

// Seq is the last change-feed sequence number.
func (s *Store) Seq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq
}

// Ledger returns the state of a member ledger.
func (s *Store) Ledger(id schema.LedgerID) (*crdt.Ledger, error) {
	var l *crdt.Ledger
	err := s.db.View(func(txn *badger.Txn) error {
		b, err := get(txn, ledgerKey(id))
		if err != nil {
			return err
		}
		l, err = crdt.DecodeLedger(b)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("member ledger %s: %w", id, ErrNotFound)
	}
	return l, err
}

// Op returns the envelope of an accepted op.
func (s *Store) Op(id schema.OpID) ([]byte, error) {
	var b []byte
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		b, err = opEnvelope(func(k []byte) ([]byte, error) { return get(txn, k) }, id)
		return err
	})
	return b, err
}

// LedgerIDs lists ledgers in an index (e.g. IndexHome, a committee ID).
func (s *Store) LedgerIDs(index, value string) ([]schema.LedgerID, error) {
	var out []schema.LedgerID
	prefix := indexPrefix(index, value)
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			var id schema.LedgerID
			copy(id[:], k[len(prefix):])
			out = append(out, id)
		}
		return nil
	})
	return out, err
}

// EachIndexed calls fn for every entry of an index (e.g. IndexCard), in
// order of value, until fn returns false.
func (s *Store) EachIndexed(index string, fn func(value string, id schema.LedgerID) bool) error {
	prefix := cat(pIndex, []byte(index), []byte{'/'})
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()[len(prefix):]
			n := len(k) - len(schema.LedgerID{}) - 1 // value, 0, ledger ID
			if n < 0 || k[n] != 0 {
				return fmt.Errorf("corrupt index key %q", it.Item().Key())
			}
			var id schema.LedgerID
			copy(id[:], k[n+1:])
			if !fn(string(k[:n]), id) {
				return nil
			}
		}
		return nil
	})
}

// EachLedger calls fn for every member ledger in ID order until fn returns
// false.
func (s *Store) EachLedger(fn func(*crdt.Ledger) bool) error {
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pLedger, PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		zero := ledgerKey(schema.DirectoryLedger)
		for it.Rewind(); it.Valid(); it.Next() {
			if string(it.Item().Key()) == string(zero) {
				continue
			}
			b, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			l, err := crdt.DecodeLedger(b)
			if err != nil {
				return err
			}
			if !fn(l) {
				return nil
			}
		}
		return nil
	})
}

// LedgerCount is the number of member ledgers held, counted from their
// keys without reading a state.
func (s *Store) LedgerCount() (int, error) {
	n := 0
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pLedger})
		defer it.Close()
		zero := ledgerKey(schema.DirectoryLedger)
		for it.Rewind(); it.Valid(); it.Next() {
			if string(it.Item().Key()) != string(zero) {
				n++
			}
		}
		return nil
	})
	return n, err
}

// Quarantined is a rejected op with its verdict.
type Quarantined struct {
	Envelope []byte             `cbor:"1,keyasint"`
	Reason   string             `cbor:"2,keyasint"`
	Origin   string             `cbor:"3,keyasint,omitempty"`
	Ledger   schema.LedgerID    `cbor:"4,keyasint"`
	Author   schema.CommitteeID `cbor:"5,keyasint"`
	Kind     schema.Kind        `cbor:"6,keyasint"`
}

// Quarantine lists rejected ops (at most limit).
func (s *Store) Quarantine(limit int) ([]Quarantined, error) {
	var out []Quarantined
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pQuarantine, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid() && len(out) < limit; it.Next() {
			b, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			var q Quarantined
			if err := schema.UnmarshalState(b, &q); err != nil {
				return err
			}
			out = append(out, q)
		}
		return nil
	})
	return out, err
}

// Counts reports how many ops are accepted, quarantined and parked.
func (s *Store) Counts() (accepted, quarantined, parked int, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		for _, c := range []struct {
			p []byte
			n *int
		}{{pOp, &accepted}, {pQuarantine, &quarantined}, {pParked, &parked}} {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: c.p})
			for it.Rewind(); it.Valid(); it.Next() {
				*c.n++
			}
			it.Close()
		}
		return nil
	})
	return
}
