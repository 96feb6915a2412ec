package schema

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// OpID identifies an op: the SHA-256 of its signed bytes.
type OpID [32]byte

func (id OpID) String() string { return hex.EncodeToString(id[:]) }

// Short is the first 12 hex digits, enough for people to tell ops apart.
func (id OpID) Short() string { return hex.EncodeToString(id[:6]) }

// Compare orders op IDs bytewise.
func (id OpID) Compare(o OpID) int { return bytes.Compare(id[:], o[:]) }

// ParseOpID parses the 64-digit hex form of an op ID.
func ParseOpID(s string) (OpID, error) {
	var id OpID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("op ID %q: want 64 hex digits", s)
	}
	copy(id[:], b)
	return id, nil
}

// IDOf returns the ID of the op whose signed bytes are opBytes.
func IDOf(opBytes []byte) OpID { return sha256.Sum256(opBytes) }

// LedgerID identifies a replicated document: a member ledger, or the directory.
type LedgerID [16]byte

// DirectoryLedger is the ledger that holds charters and revocations.
var DirectoryLedger LedgerID

func (id LedgerID) String() string { return hex.EncodeToString(id[:]) }

// IsDirectory reports whether id names the directory ledger.
func (id LedgerID) IsDirectory() bool { return id == DirectoryLedger }

// ParseLedgerID parses the 32-digit hex form of a ledger ID.
func ParseLedgerID(s string) (LedgerID, error) {
	var id LedgerID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("ledger ID %q: want 32 hex digits", s)
	}
	copy(id[:], b)
	return id, nil
}

// CommitteeID is a committee's libp2p peer ID in its text form (12D3KooW…):
// the same Ed25519 key authenticates the transport and signs ops.
type CommitteeID string

// validIDs caches committee IDs already checked: a node meets few
// committees, and decoding a peer ID costs more than the rest of an op.
var validIDs struct {
	sync.Mutex
	m map[string]struct{}
}

const validIDsLimit = 1 << 16

// ParseCommitteeID checks that s is a peer ID with an embedded Ed25519 key.
func ParseCommitteeID(s string) (CommitteeID, error) {
	validIDs.Lock()
	_, ok := validIDs.m[s]
	validIDs.Unlock()
	if ok {
		return CommitteeID(s), nil
	}
	id, err := parseCommitteeID(s)
	if err != nil {
		return "", err
	}
	validIDs.Lock()
	if validIDs.m == nil || len(validIDs.m) >= validIDsLimit {
		validIDs.m = map[string]struct{}{}
	}
	validIDs.m[s] = struct{}{}
	validIDs.Unlock()
	return id, nil
}

func parseCommitteeID(s string) (CommitteeID, error) {
	pid, err := peer.Decode(s)
	if err != nil {
		return "", fmt.Errorf("committee ID %q is not a peer ID: %w", s, err)
	}
	pub, err := pid.ExtractPublicKey()
	if err != nil {
		return "", fmt.Errorf("committee ID %q does not embed a public key: %w", s, err)
	}
	if _, err := rawEd25519(pub); err != nil {
		return "", fmt.Errorf("committee ID %q: %w", s, err)
	}
	if pid.String() != s {
		return "", fmt.Errorf("committee ID %q is not in canonical form (%s)", s, pid)
	}
	return CommitteeID(s), nil
}

// PeerID returns the libp2p peer ID.
func (c CommitteeID) PeerID() (peer.ID, error) { return peer.Decode(string(c)) }

// Short is a shortened form for people: the last 8 characters.
func (c CommitteeID) Short() string {
	if len(c) <= 8 {
		return string(c)
	}
	return "…" + string(c[len(c)-8:])
}

// HLC is a hybrid logical clock: milliseconds since the Unix epoch in the high
// 48 bits, a logical counter in the low 16.
type HLC uint64

const hlcLogicalBits = 16

// MaxClockLead is how far past a computer's own clock an op's clock may be
// before it is taken for the work of a wrong clock, at either end.
const MaxClockLead = 5 * time.Minute

// MakeHLC builds an HLC from a wall time in ms and a logical counter.
func MakeHLC(ms int64, logical uint16) HLC {
	return HLC(uint64(ms)<<hlcLogicalBits | uint64(logical))
}

// Millis is the wall-clock part in ms since the Unix epoch.
func (h HLC) Millis() int64 { return int64(uint64(h) >> hlcLogicalBits) }

// Next returns a clock value greater than both last and every value in seen,
// taking the physical time nowMs into account. It is pure: callers pass time.
func (h HLC) Next(nowMs int64, seen ...HLC) HLC {
	max := h
	for _, s := range seen {
		if s > max {
			max = s
		}
	}
	wall := MakeHLC(nowMs, 0)
	if wall > max {
		return wall
	}
	return max + 1
}

// Kind names what an op does. Kinds are stable numbers on the wire.
type Kind uint16

const (
	KindCharter       Kind = 1
	KindRevocation    Kind = 2
	KindMemberCreate  Kind = 10
	KindMemberSet     Kind = 11
	KindMemberCorrect Kind = 12
	KindMovement      Kind = 13
)

// Op is the unit of replication and audit. Its canonical encoding is what the
// author signs; its ID is the hash of that encoding.
type Op struct {
	Ledger LedgerID    `cbor:"1,keyasint"`
	Author CommitteeID `cbor:"2,keyasint"`
	Deps   []OpID      `cbor:"3,keyasint,omitempty"`
	HLC    HLC         `cbor:"4,keyasint"`
	Kind   Kind        `cbor:"5,keyasint"`
	Body   []byte      `cbor:"6,keyasint"` // canonical CBOR of the kind's body
}

// Envelope carries an op's signed bytes and the signature over them. With a
// Proof, Sig signs the Merkle root of a batch of ops and Proof places this op
// in that batch, so that a receiver verifies one signature per batch.
type Envelope struct {
	Op    []byte `cbor:"1,keyasint"`
	Sig   []byte `cbor:"2,keyasint"`
	Proof *Proof `cbor:"3,keyasint,omitempty"`
}

// Errors returned by decoding and verification. They are contracts: callers
// match them with errors.Is.
var (
	ErrTooLarge     = errors.New("message too large")
	ErrMalformed    = errors.New("malformed op")
	ErrBadSignature = errors.New("signature does not verify")
	ErrUnknownKind  = errors.New("unknown op kind")
)

// Decoded is an op that passed decoding and signature verification.
type Decoded struct {
	ID       OpID
	Op       Op
	Envelope []byte // exactly as received: what is stored and forwarded
	Body     any    // decoded body, one of the *Body types
}

// DecodeEnvelope decodes the outer envelope without verifying it.
func DecodeEnvelope(data []byte) (*Envelope, error) { return decodeEnvelope(data, Unmarshal) }

func decodeEnvelope(data []byte, unmarshal func([]byte, any) error) (*Envelope, error) {
	if len(data) > MaxEnvelopeSize {
		return nil, fmt.Errorf("%w: envelope of %d bytes, limit %d", ErrTooLarge, len(data), MaxEnvelopeSize)
	}
	var env Envelope
	if err := unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("%w: envelope: %v", ErrMalformed, err)
	}
	if len(env.Op) == 0 {
		return nil, fmt.Errorf("%w: envelope has no op", ErrMalformed)
	}
	return &env, nil
}

// DecodeOp decodes and checks the structure of signed op bytes: known kind,
// bounded deps, a body that decodes strictly and validates. It does not check
// the signature.
func DecodeOp(opBytes []byte) (*Op, any, error) { return decodeOp(opBytes, Unmarshal) }

func decodeOp(opBytes []byte, unmarshal func([]byte, any) error) (*Op, any, error) {
	var op Op
	if err := unmarshal(opBytes, &op); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !op.Kind.Known() {
		return nil, nil, fmt.Errorf("%w %d", ErrUnknownKind, op.Kind)
	}
	if len(op.Deps) > MaxDeps {
		return nil, nil, fmt.Errorf("%w: %d deps, limit %d", ErrMalformed, len(op.Deps), MaxDeps)
	}
	if _, err := ParseCommitteeID(string(op.Author)); err != nil {
		return nil, nil, fmt.Errorf("%w: author: %v", ErrMalformed, err)
	}
	if op.HLC == 0 {
		return nil, nil, fmt.Errorf("%w: zero clock", ErrMalformed)
	}
	if op.Ledger.IsDirectory() != (op.Kind == KindCharter || op.Kind == KindRevocation) {
		return nil, nil, fmt.Errorf("%w: %s op on ledger %s", ErrMalformed, op.Kind, op.Ledger)
	}
	body, err := DecodeBody(op.Kind, op.Body)
	if err != nil {
		return nil, nil, err
	}
	return &op, body, nil
}

// Decode decodes an envelope, verifies its signature with v and decodes the
// op. The returned Decoded keeps data as the envelope bytes.
func Decode(data []byte, v *Verifier) (*Decoded, error) {
	env, err := DecodeEnvelope(data)
	if err != nil {
		return nil, err
	}
	op, body, err := DecodeOp(env.Op)
	if err != nil {
		return nil, err
	}
	id := IDOf(env.Op)
	if err := v.Verify(op.Author, env, id); err != nil {
		return nil, err
	}
	return &Decoded{ID: id, Op: *op, Envelope: data, Body: body}, nil
}

// DecodeNew is Decode for a receiver that may hold the op already: when
// known(id) says it does, the op is neither decoded further nor verified
// (its ID is the hash of the op bytes, so it is the op held, whatever the
// signature) and DecodeNew returns nil, the ID and no error.
func DecodeNew(data []byte, v SignatureVerifier, known func(OpID) bool) (*Decoded, OpID, error) {
	// The Decoded keeps data as its envelope: the op's bytes and body can
	// be cut from it.
	env, err := decodeEnvelope(data, unmarshalInPlace)
	if err != nil {
		return nil, OpID{}, err
	}
	id := IDOf(env.Op)
	if known(id) {
		return nil, id, nil
	}
	op, body, err := decodeOp(env.Op, unmarshalInPlace)
	if err != nil {
		return nil, id, err
	}
	if err := v.Verify(op.Author, env, id); err != nil {
		return nil, id, err
	}
	return &Decoded{ID: id, Op: *op, Envelope: data, Body: body}, id, nil
}

// DecodeStored decodes an envelope this node stored after verifying it; the
// signature is not checked again.
func DecodeStored(data []byte) (*Decoded, error) {
	var env Envelope
	if err := UnmarshalState(data, &env); err != nil {
		return nil, fmt.Errorf("%w: stored envelope: %v", ErrMalformed, err)
	}
	op, body, err := DecodeOp(env.Op)
	if err != nil {
		return nil, err
	}
	return &Decoded{ID: IDOf(env.Op), Op: *op, Envelope: data, Body: body}, nil
}

// MarshalText writes the hex form (JSON, logs).
func (id OpID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText reads the hex form.
func (id *OpID) UnmarshalText(b []byte) error {
	v, err := ParseOpID(string(b))
	*id = v
	return err
}
