package crdt

import (
	"crypto/sha256"
	"fmt"

	"lienthong/schema"
)

// Hash is a state hash.
type Hash [32]byte

func (h Hash) String() string { return fmt.Sprintf("%x", h[:]) }

// Encode returns the canonical bytes of a ledger state: what is stored and
// hashed.
// (see encoding.go for its form).
func (l *Ledger) Encode() ([]byte, error) {
	sc := createdScratches.Get().(*createdScratch)
	defer sc.release()
	w, ok := l.wireCreated(sc)
	if !ok {
		var err error
		if w, err = l.wire(); err != nil {
			return nil, err
		}
	}
	// Byte for byte what schema.Marshal(w) gives, without reflection.
	return w.appendCBOR(nil)
}

// DecodeLedger decodes stored ledger state.
func DecodeLedger(b []byte) (*Ledger, error) {
	var w wireLedger
	if err := schema.UnmarshalState(b, &w); err != nil {
		return nil, fmt.Errorf("decoding ledger state: %w", err)
	}
	l, err := w.ledger()
	if err != nil {
		return nil, fmt.Errorf("decoding ledger state: %w", err)
	}
	return l, nil
}

// Encode returns the canonical bytes of the directory state.
func (dir *Directory) Encode() ([]byte, error) { return schema.Marshal(dir) }

// DecodeDirectory decodes stored directory state.
func DecodeDirectory(b []byte) (*Directory, error) {
	var dir Directory
	if err := schema.UnmarshalState(b, &dir); err != nil {
		return nil, fmt.Errorf("decoding directory state: %w", err)
	}
	if dir.Charters == nil {
		dir.Charters = map[schema.CommitteeID][]Charter{}
	}
	if dir.Revocations == nil {
		dir.Revocations = map[schema.CommitteeID]Revocation{}
	}
	return &dir, nil
}

// StateHash hashes canonical state bytes.
func StateHash(encoded []byte) Hash { return sha256.Sum256(encoded) }

// Contribution is what one ledger adds to a store-wide hash: the hash of its
// ID and state hash. The store-wide hash is the XOR of the contributions, so
// it is independent of order and updated in O(1) per applied op.
func Contribution(id schema.LedgerID, h Hash) Hash {
	var b [16 + 32]byte
	copy(b[:16], id[:])
	copy(b[16:], h[:])
	return sha256.Sum256(b[:])
}

// Xor combines hashes.
func (h Hash) Xor(o Hash) Hash {
	for i := range h {
		h[i] ^= o[i]
	}
	return h
}
