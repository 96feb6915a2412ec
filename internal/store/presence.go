package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"

	"lienthong/crdt"
)

// A store answers most "is this op or ledger here?" questions without a
// lookup: a node taking in a catch-up asks it of every op it receives
// (twice) and of every ledger an op names, and nearly every answer is no.
// Badger finds a missing key only after searching its memtables, whose
// skiplists hold a million keys and more: that search cost more than
// applying the op. The presence filter is a Bloom filter over the op and
// ledger keys (o/ and l/): "not there" from it is certain; "maybe" goes to
// Badger.
//
// Open loads the filter saved at the last clean close (see savePresence),
// or else fills one from a scan of the store in the background, used once
// the scan is done. Every write of those keys (batch.set) adds to it. When
// it holds more keys than it was sized for, a filter four times the size is
// filled the same way and takes its place. Keys deleted stay in the
// filter, which only costs a lookup.

const (
	presenceBitsPerKey = 12 // about 0.3% false positives with 7 probes
	presenceProbes     = 7
)

// presenceMinKeys is the fewest keys a filter is sized for.
var presenceMinKeys = 1 << 15

// presenceFillStarts is called as a filter begins to be filled (tests hold
// the fill there to write meanwhile).
var presenceFillStarts = func() {}

// presence is a Bloom filter safe for concurrent adds and queries.
type presence struct {
	salt  uint64 // random per filter: positions cannot be aimed at
	words []atomic.Uint64
	mask  uint64 // bits - 1
	keys  atomic.Int64
	limit int64 // keys it is sized for
}

func newPresence(keys int) *presence {
	keys = max(keys, presenceMinKeys)
	n := uint64(1) << bits.Len64(uint64(keys*presenceBitsPerKey-1)) // bits, a power of two
	return sizedPresence(n, rand.Uint64())
}

func sizedPresence(bits, salt uint64) *presence {
	return &presence{salt: salt, words: make([]atomic.Uint64, bits/64), mask: bits - 1, limit: int64(bits / presenceBitsPerKey)}
}

// mix is the finaliser of SplitMix64.
func mix(h uint64) uint64 {
	h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
	h = (h ^ h>>27) * 0x94d049bb133111eb
	return h ^ h>>31
}

// hash hashes k with the filter's salt. It is stable across processes, so
// a filter can be saved and loaded (see savePresence).
func (p *presence) hash(k []byte) uint64 {
	h := p.salt
	for ; len(k) >= 8; k = k[8:] {
		h = mix(h ^ binary.LittleEndian.Uint64(k))
	}
	var tail [8]byte
	copy(tail[:], k)
	return mix(h ^ binary.LittleEndian.Uint64(tail[:]) ^ uint64(len(k))<<59)
}

// probes returns k's first bit position and the step to each next one
// (double hashing).
func (p *presence) probes(k []byte) (h1, h2 uint64) {
	h := p.hash(k)
	return h, (h>>32 | h<<32) | 1
}

// add adds k and reports whether the filter now holds more keys than it
// is sized for.
func (p *presence) add(k []byte) (full bool) {
	h1, h2 := p.probes(k)
	fresh := false
	for i := uint64(0); i < presenceProbes; i++ {
		bit := (h1 + i*h2) & p.mask
		w, m := &p.words[bit/64], uint64(1)<<(bit%64)
		if w.Load()&m == 0 {
			w.Or(m)
			fresh = true
		}
	}
	if fresh {
		return p.keys.Add(1) > p.limit
	}
	return false
}

// mayHave reports false if k was never added.
func (p *presence) mayHave(k []byte) bool {
	h1, h2 := p.probes(k)
	for i := uint64(0); i < presenceProbes; i++ {
		bit := (h1 + i*h2) & p.mask
		if p.words[bit/64].Load()&(uint64(1)<<(bit%64)) == 0 {
			return false
		}
	}
	return true
}

// tracked reports whether k is a key the filter covers.
func tracked(k []byte) bool { return bytes.HasPrefix(k, pOp) || bytes.HasPrefix(k, pLedger) }

// mayHave reports false if k, an op or ledger key, is certainly not
// stored; true if it may be (and for every other key).
func (s *Store) mayHave(k []byte) bool {
	p := s.present.Load()
	return p == nil || !tracked(k) || p.mayHave(k)
}

// notePresent adds k, about to be written, to the filters. Called with
// s.mu held.
func (s *Store) notePresent(k []byte) {
	if !tracked(k) {
		return
	}
	if p := s.present.Load(); p != nil && p.add(k) {
		s.outgrown(p)
	}
	if s.filling != nil {
		s.filling.add(k)
	}
}

// outgrown starts a filter four times the size of p, which holds more
// keys than it is sized for, unless one is on its way. Called with s.mu
// held.
func (s *Store) outgrown(p *presence) {
	if s.filling != nil || s.growing || s.closing() {
		return
	}
	s.growing = true
	s.presenceWG.Add(1)
	go s.growPresence(int(p.keys.Load()) * 4)
}

func (s *Store) closing() bool {
	select {
	case <-s.presenceStop:
		return true
	default:
		return false
	}
}

// startPresence starts filling a filter for keys keys. Called with s.mu
// held and nothing in flight: every key written before is in the snapshot
// it scans, and every key written after is added to it by notePresent.
func (s *Store) startPresence(keys int) {
	p := newPresence(keys)
	s.filling = p
	txn := s.db.NewTransaction(false)
	s.presenceWG.Add(1)
	go func() {
		defer s.presenceWG.Done()
		defer txn.Discard()
		presenceFillStarts()
		t0 := time.Now()
		n, err := fillPresence(txn, p, s.presenceStop)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.filling == p {
			s.filling = nil
		}
		switch {
		case errors.Is(err, errStopped):
			return
		case err != nil:
			s.opts.Logger.Warn("presence filter not filled; ops and ledgers are looked up in the store instead", "err", err)
			return
		}
		s.present.Store(p)
		if p.keys.Load() > p.limit {
			s.outgrown(p) // filled with more keys than it was sized for
		}
		s.opts.Logger.Debug("presence filter filled", "keys", n, "bytes", len(p.words)*8, "took", time.Since(t0).Round(time.Millisecond))
	}()
}

// growPresence replaces the full filter with one for keys keys.
func (s *Store) growPresence(keys int) {
	defer s.presenceWG.Done()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.growing = false
	if s.closing() || s.filling != nil {
		return
	}
	// What is in flight was added to the old filter only: land it, so the
	// snapshot holds it.
	if err := s.land(); err != nil {
		if lerr := s.loadWaiting(); lerr != nil {
			s.opts.Logger.Warn("reloading parked ops after a failed write", "err", lerr)
		}
		return // the filter in use stays correct; the next add tries again
	}
	s.startPresence(keys)
}

// errStopped: the store is closing.
var errStopped = errors.New("store closing")

// fillPresence adds every op and ledger key in txn's snapshot to p.
func fillPresence(txn *badger.Txn, p *presence, stop <-chan struct{}) (int, error) {
	n := 0
	for _, prefix := range [][]byte{pOp, pLedger} {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = prefix
		it := txn.NewIterator(opts)
		for it.Rewind(); it.Valid(); it.Next() {
			p.add(it.Item().Key())
			if n++; n%4096 == 0 {
				select {
				case <-stop:
					it.Close()
					return n, errStopped
				default:
				}
			}
		}
		it.Close()
	}
	return n, nil
}

// A filter is saved when the store closes and loaded when it opens again,
// instead of filled from a scan of every op and ledger key: at a million
// ops, the scan costs a second of CPU and fills Badger's block cache. The
// file names the feed position and state hash it was saved at, and is
// removed as soon as it is read: a store that was not closed cleanly, or
// was changed since, is scanned as before.

const (
	presenceFile  = "presence.bin"
	presenceMagic = "LTPRES01"
	presenceHead  = len(presenceMagic) + 8 + 32 + 8 + 8 + 8 // magic, seq, hash, salt, keys, words
)

// savePresence writes the filter in use, if any, to dir. Called with s.mu
// held and nothing in flight.
func (s *Store) savePresence(dir string) error {
	p := s.present.Load()
	if p == nil || s.filling != nil || s.opts.InMemory {
		return nil
	}
	b := make([]byte, 0, presenceHead+8*len(p.words)+4)
	b = append(b, presenceMagic...)
	b = binary.LittleEndian.AppendUint64(b, s.seq)
	b = append(b, s.hash[:]...)
	b = binary.LittleEndian.AppendUint64(b, p.salt)
	b = binary.LittleEndian.AppendUint64(b, uint64(p.keys.Load()))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(p.words)))
	for i := range p.words {
		b = binary.LittleEndian.AppendUint64(b, p.words[i].Load())
	}
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	tmp := filepath.Join(dir, presenceFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("saving the presence filter: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, presenceFile)); err != nil {
		return fmt.Errorf("saving the presence filter: %w", err)
	}
	return nil
}

// loadPresence reads the filter saved in dir and removes the file. It
// returns nil if there is none, or it is damaged, or it was saved at
// another feed position or state hash than the store has now.
func (s *Store) loadPresence(dir string) *presence {
	path := filepath.Join(dir, presenceFile)
	b, err := os.ReadFile(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			s.opts.Logger.Warn("presence filter not read; it is filled from the store instead", "err", err)
		}
		return nil
	}
	if err := os.Remove(path); err != nil {
		// Kept, it could be read again after changes it does not hold.
		s.opts.Logger.Warn("presence filter not removed after reading; it is filled from the store instead", "err", err)
		return nil
	}
	if len(b) < presenceHead+4 || string(b[:len(presenceMagic)]) != presenceMagic ||
		crc32.ChecksumIEEE(b[:len(b)-4]) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		s.opts.Logger.Warn("presence filter file damaged; it is filled from the store instead")
		return nil
	}
	r := b[len(presenceMagic):]
	seq := binary.LittleEndian.Uint64(r)
	var hash crdt.Hash
	copy(hash[:], r[8:40])
	salt := binary.LittleEndian.Uint64(r[40:])
	keys := binary.LittleEndian.Uint64(r[48:])
	words := binary.LittleEndian.Uint64(r[56:])
	body := b[presenceHead : len(b)-4]
	if seq != s.seq || hash != s.hash || words == 0 || words&(words-1) != 0 || uint64(len(body)) != 8*words {
		return nil // saved at another state, or not a filter this program writes
	}
	p := sizedPresence(words*64, salt)
	for i := range p.words {
		p.words[i].Store(binary.LittleEndian.Uint64(body[8*i:]))
	}
	p.keys.Store(int64(keys))
	return p
}
