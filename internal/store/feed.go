package store

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"lienthong/crdt"
	"lienthong/schema"
)

// FeedEntry is one accepted op in the change feed.
type FeedEntry struct {
	Seq    uint64
	ID     schema.OpID
	Ledger schema.LedgerID
	Origin [8]byte // OriginTag of where the op came from
	// Envelope is the op's envelope, or nil if the op was quarantined
	// after it entered the feed. Feed passes it valid only during the
	// call: copy it to keep it.
	Envelope []byte
}

// OriginTag is a short tag of an op's origin (a peer ID, "local", a file),
// kept in the feed so that a node does not send a peer back its own ops.
func OriginTag(origin string) [8]byte {
	h := sha256.Sum256([]byte(origin))
	var t [8]byte
	copy(t[:], h[:8])
	return t
}

// A feed entry (f/ key) holds the op ID, ledger ID and origin tag, then the
// op's envelope, which is cut off if the op is quarantined later. An op's
// own key (o/) holds its feed position. A node serves its feed in order, so
// the envelopes are read in the order they were written, from the value
// log, instead of each looked up by op ID in the LSM tree: at a million
// ops, those lookups were a fifth of a catch-up's CPU time.
const feedHead = 32 + 16 + 8

func feedValue(id schema.OpID, ledger schema.LedgerID, tag [8]byte, env []byte) []byte {
	return cat(id[:], ledger[:], tag[:], env)
}

func parseFeedValue(seq uint64, v []byte) (FeedEntry, error) {
	if len(v) < feedHead {
		return FeedEntry{}, fmt.Errorf("corrupt feed entry %d: %d bytes", seq, len(v))
	}
	e := FeedEntry{Seq: seq}
	copy(e.ID[:], v[:32])
	copy(e.Ledger[:], v[32:48])
	copy(e.Origin[:], v[48:feedHead])
	if len(v) > feedHead {
		e.Envelope = v[feedHead:]
	}
	return e, nil
}

// Feed calls fn for feed entries after seq from, in order, until fn returns
// false or the feed ends. It reads one consistent snapshot.
func (s *Store) Feed(from uint64, fn func(FeedEntry) bool) error {
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pFeed})
		defer it.Close()
		for it.Seek(feedKey(from + 1)); it.Valid(); it.Next() {
			item := it.Item()
			seq := binary.BigEndian.Uint64(item.Key()[len(pFeed):])
			more := true
			err := item.Value(func(v []byte) error {
				e, err := parseFeedValue(seq, v)
				if err == nil {
					more = fn(e)
				}
				return err
			})
			if err != nil || !more {
				return err
			}
		}
		return nil
	})
}

// opEnvelope reads an accepted op's envelope through get: its feed
// position, then its feed entry.
func opEnvelope(get func([]byte) ([]byte, error), id schema.OpID) ([]byte, error) {
	pos, err := get(opKey(id))
	if err != nil {
		return nil, err
	}
	if len(pos) != 8 {
		return nil, fmt.Errorf("corrupt op record %s: %d bytes", id.Short(), len(pos))
	}
	seq := binary.BigEndian.Uint64(pos)
	v, err := get(feedKey(seq))
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("op %s: feed entry %d missing: %w", id.Short(), seq, errCorrupt)
	}
	if err != nil {
		return nil, err
	}
	e, err := parseFeedValue(seq, v)
	if err != nil {
		return nil, err
	}
	if e.ID != id || e.Envelope == nil {
		return nil, fmt.Errorf("op %s: feed entry %d holds op %s: %w", id.Short(), seq, e.ID.Short(), errCorrupt)
	}
	return e.Envelope, nil
}

// errCorrupt marks a store whose records disagree.
var errCorrupt = errors.New("store records disagree; restore from a backup")

// Reader reads several things from one consistent snapshot. Close it.
type Reader struct {
	txn *badger.Txn
}

// NewReader opens a read snapshot.
func (s *Store) NewReader() *Reader { return &Reader{txn: s.db.NewTransaction(false)} }

// Close releases the snapshot.
func (r *Reader) Close() { r.txn.Discard() }

// Op returns an accepted op's envelope, or ErrNotFound (it may have been
// quarantined after it entered the feed).
func (r *Reader) Op(id schema.OpID) ([]byte, error) {
	return opEnvelope(func(k []byte) ([]byte, error) { return get(r.txn, k) }, id)
}

// Ledger returns a ledger's state.
func (r *Reader) Ledger(id schema.LedgerID) (*crdt.Ledger, error) {
	b, err := get(r.txn, ledgerKey(id))
	if err != nil {
		return nil, err
	}
	return crdt.DecodeLedger(b)
}

// LedgerScope reads of a ledger's state only what scope checks need: see
// crdt.DecodeScope.
func (r *Reader) LedgerScope(id schema.LedgerID) (*crdt.Ledger, error) {
	item, err := r.txn.Get(ledgerKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var l *crdt.Ledger
	err = item.Value(func(b []byte) error {
		l, err = crdt.DecodeScope(id, b)
		return err
	})
	return l, err
}

// HasOp reports whether an op is accepted, quarantined or parked here.
func (s *Store) HasOp(id schema.OpID) (bool, error) {
	var found bool
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range [][]byte{opKey(id), quarKey(id), parkKey(id)} {
			ok, err := has(txn, k)
			if err != nil {
				return err
			}
			if ok {
				found = true
				return nil
			}
		}
		return nil
	})
	return found, err
}

// LedgerOps returns the envelopes of a ledger's accepted ops in fold order
// (causal order): what a new stakeholder needs to hold the ledger.
func (s *Store) LedgerOps(id schema.LedgerID) ([][]byte, error) {
	var out [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		var dag *crdt.DAG
		if id.IsDirectory() {
			dag = &s.Directory().DAG
		} else {
			b, err := get(txn, ledgerKey(id))
			if err != nil {
				return err
			}
			l, err := crdt.DecodeLedger(b)
			if err != nil {
				return err
			}
			dag = &l.DAG
		}
		for _, m := range dag.Ops {
			env, err := opEnvelope(func(k []byte) ([]byte, error) { return get(txn, k) }, m.ID)
			if err != nil {
				return err
			}
			out = append(out, env)
		}
		return nil
	})
	return out, err
}

// Checkpoint returns how far into peer's feed this node holds everything in
// its scope (0: nothing yet).
func (s *Store) Checkpoint(peer string) (uint64, error) {
	var seq uint64
	err := s.db.View(func(txn *badger.Txn) error {
		b, err := get(txn, cat(pCheckpoint, []byte(peer)))
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(b) == 8 {
			seq = binary.BigEndian.Uint64(b)
		}
		return nil
	})
	return seq, err
}

// SetCheckpoint records how far into peer's feed this node holds everything.
func (s *Store) SetCheckpoint(peer string, seq uint64) error {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(cat(pCheckpoint, []byte(peer)), b[:])
	})
}

// PeerRecord is what a node remembers of a peer.
type PeerRecord struct {
	Addrs    []string `cbor:"1,keyasint"`
	LastSync int64    `cbor:"2,keyasint,omitempty"` // unix ms
	Received uint64   `cbor:"3,keyasint,omitempty"` // ops received in total
	Sent     uint64   `cbor:"4,keyasint,omitempty"`
	// Served is how far into our feed the peer has pulled to the end:
	// what it holds, as far as we know (the start of its next bundle).
	Served uint64 `cbor:"5,keyasint,omitempty"`
	// LocalSeq is our own feed position when the last pull from the peer
	// began: ledgers we first held after it may have ops the peer skipped
	// while we were not their stakeholder.
	LocalSeq uint64 `cbor:"6,keyasint,omitempty"`
}

// Peer returns what is remembered of a peer.
func (s *Store) Peer(id string) (PeerRecord, error) {
	var rec PeerRecord
	err := s.db.View(func(txn *badger.Txn) error {
		b, err := get(txn, cat(pPeer, []byte(id)))
		if err != nil {
			return err
		}
		return schema.UnmarshalState(b, &rec)
	})
	return rec, err
}

// UpdatePeer changes what is remembered of a peer.
func (s *Store) UpdatePeer(id string, fn func(*PeerRecord)) error {
	return s.db.Update(func(txn *badger.Txn) error {
		var rec PeerRecord
		b, err := get(txn, cat(pPeer, []byte(id)))
		if err == nil {
			if err := schema.UnmarshalState(b, &rec); err != nil {
				return err
			}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		fn(&rec)
		raw, err := schema.Marshal(&rec)
		if err != nil {
			return err
		}
		return txn.Set(cat(pPeer, []byte(id)), raw)
	})
}

// Peers lists the remembered peers.
func (s *Store) Peers() (map[string]PeerRecord, error) {
	out := map[string]PeerRecord{}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pPeer, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			b, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			var rec PeerRecord
			if err := schema.UnmarshalState(b, &rec); err != nil {
				return err
			}
			out[string(it.Item().Key()[len(pPeer):])] = rec
		}
		return nil
	})
	return out, err
}

// ParkedLedgers lists the ledgers with ops waiting for deps (at most limit),
// so that a sync can fetch them whole.
func (s *Store) ParkedLedgers(limit int) ([]schema.LedgerID, error) {
	seen := map[schema.LedgerID]bool{}
	var out []schema.LedgerID
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pParked, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid() && len(out) < limit; it.Next() {
			err := it.Item().Value(func(v []byte) error {
				if len(v) < 8 {
					return nil
				}
				env, err := schema.DecodeEnvelope(v[8:])
				if err != nil {
					return nil
				}
				var op schema.Op
				if schema.Unmarshal(env.Op, &op) != nil {
					return nil
				}
				if !seen[op.Ledger] {
					seen[op.Ledger] = true
					out = append(out, op.Ledger)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// NewLedgers lists the ledgers first held at feed positions in (after, upto]
// (at most limit), except those that came from origin.
func (s *Store) NewLedgers(after, upto uint64, origin string, limit int) ([]schema.LedgerID, error) {
	tag := OriginTag(origin)
	if !s.newLedgersFromOthers(tag, after) {
		// Typically the pull after a catch-up from origin: a million new
		// ledgers in the range, all of them its own.
		return nil, nil
	}
	var out []schema.LedgerID
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pNewLedger})
		defer it.Close()
		var start [8]byte
		binary.BigEndian.PutUint64(start[:], after+1)
		const idLen = len(schema.LedgerID{})
		for it.Seek(cat(pNewLedger, start[:])); it.Valid() && len(out) < limit; it.Next() {
			k := it.Item().Key()[len(pNewLedger):]
			if len(k) < 8 || binary.BigEndian.Uint64(k[:8]) > upto {
				break
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			ids := v[min(len(v), 8):]
			switch {
			case len(v) < 8 || len(ids)%idLen != 0 || len(k) != 8 && (len(k) != 8+idLen || len(ids) != 0):
				return fmt.Errorf("new-ledger record %x: %d bytes: %w", k, len(v), errCorrupt)
			case string(v[:8]) == string(tag[:]):
				continue
			case len(k) == 8+idLen: // one ledger, in the key
				ids = k[8:]
			}
			for ; len(ids) > 0 && len(out) < limit; ids = ids[idLen:] {
				out = append(out, schema.LedgerID(ids[:idLen]))
			}
		}
		return nil
	})
	return out, err
}

// noteNewLedger records that origin brought a ledger first held at seq.
// It is called as the batch is prepared, before it commits: a batch that
// then fails leaves a record too many, which costs a scan, never one too
// few. The caller holds s.mu.
func (s *Store) noteNewLedger(origin [8]byte, seq uint64) {
	if s.newLedgerSeq[origin] < seq {
		s.newLedgerSeq[origin] = seq
	}
}

// newLedgersFromOthers reports whether ledgers first held after position
// after may have come from an origin other than origin: false only when
// the whole range is since the store was opened and every new ledger in it
// came from origin.
func (s *Store) newLedgersFromOthers(origin [8]byte, after uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if after < s.openSeq {
		return true
	}
	for o, seq := range s.newLedgerSeq {
		if o != origin && seq > after {
			return true
		}
	}
	return false
}
