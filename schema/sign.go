package schema

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"math/bits"
	"sync"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Domain separation for the two things a committee key signs.
var (
	opSigContext    = []byte("lienthong/op/v1\x00")
	batchSigContext = []byte("lienthong/batch/v1\x00")
)

// MaxBatch bounds the ops of one SignBatch call, and so the size a proof may
// claim for its tree (and its depth) when verified.
const MaxBatch = 1 << 16

func rawEd25519(pub crypto.PubKey) (ed25519.PublicKey, error) {
	if pub.Type() != crypto.Ed25519 {
		return nil, fmt.Errorf("key type %s, want Ed25519", pub.Type())
	}
	raw, err := pub.Raw()
	if err != nil {
		return nil, err
	}
	return ed25519.PublicKey(raw), nil
}

// Signer signs ops with a committee's key. It is safe for concurrent use.
type Signer struct {
	id   CommitteeID
	priv ed25519.PrivateKey
	key  crypto.PrivKey
}

// NewSigner wraps a libp2p Ed25519 private key.
func NewSigner(key crypto.PrivKey) (*Signer, error) {
	if key.Type() != crypto.Ed25519 {
		return nil, fmt.Errorf("committee key is %s, want Ed25519", key.Type())
	}
	raw, err := key.Raw()
	if err != nil {
		return nil, err
	}
	pid, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &Signer{id: CommitteeID(pid.String()), priv: ed25519.PrivateKey(raw), key: key}, nil
}

// ID is the committee ID of the key.
func (s *Signer) ID() CommitteeID { return s.id }

// Key is the libp2p private key, for the transport.
func (s *Signer) Key() crypto.PrivKey { return s.key }

// Sign encodes op and returns its envelope bytes and ID.
func (s *Signer) Sign(op *Op) ([]byte, OpID, error) {
	opBytes, err := Marshal(op)
	if err != nil {
		return nil, OpID{}, err
	}
	sig := ed25519.Sign(s.priv, append(append([]byte{}, opSigContext...), opBytes...))
	env, err := Marshal(&Envelope{Op: opBytes, Sig: sig})
	if err != nil {
		return nil, OpID{}, err
	}
	return env, IDOf(opBytes), nil
}

// SignBatch signs ops under Merkle roots of treeSize ops each; each envelope
// carries its proof. It costs one signature per tree.
func (s *Signer) SignBatch(ops []*Op) ([][]byte, []OpID, error) {
	if len(ops) == 0 {
		return nil, nil, nil
	}
	if len(ops) > MaxBatch {
		return nil, nil, fmt.Errorf("batch of %d ops, limit %d", len(ops), MaxBatch)
	}
	envs := make([][]byte, 0, len(ops))
	ids := make([]OpID, 0, len(ops))
	for lo := 0; lo < len(ops); lo += treeSize {
		e, id, err := s.signTree(ops[lo:min(lo+treeSize, len(ops))])
		if err != nil {
			return nil, nil, err
		}
		envs, ids = append(envs, e...), append(ids, id...)
	}
	return envs, ids, nil
}

// treeSize is how many ops one Merkle root covers. Each op carries a path of
// log2(treeSize) hashes, and a receiver verifies one signature per tree:
// 256 keeps proofs at 8 hashes (264 bytes) for 0.3 µs of verification per
// op.
const treeSize = 256

func (s *Signer) signTree(ops []*Op) ([][]byte, []OpID, error) {
	opBytes := make([][]byte, len(ops))
	leaves := make([][32]byte, len(ops))
	ids := make([]OpID, len(ops))
	for i, op := range ops {
		b, err := Marshal(op)
		if err != nil {
			return nil, nil, err
		}
		opBytes[i] = b
		ids[i] = IDOf(b)
		leaves[i] = leafHash(ids[i])
	}
	levels := merkleLevels(leaves)
	root := levels[len(levels)-1][0]
	sig := ed25519.Sign(s.priv, append(append([]byte{}, batchSigContext...), root[:]...))
	envs := make([][]byte, len(ops))
	for i := range ops {
		p := &Proof{Index: uint32(i), Size: uint32(len(ops)), Path: merklePath(levels, i)}
		env, err := Marshal(&Envelope{Op: opBytes[i], Sig: sig, Proof: p})
		if err != nil {
			return nil, nil, err
		}
		envs[i] = env
	}
	return envs, ids, nil
}

// Proof places one op in a signed batch: its leaf index, the batch size and
// the sibling hashes from the leaf up to the root.
type Proof struct {
	Index uint32     `cbor:"1,keyasint"`
	Size  uint32     `cbor:"2,keyasint"`
	Path  [][32]byte `cbor:"3,keyasint"`
}

func leafHash(id OpID) [32]byte {
	var b [33]byte
	b[0] = 0
	copy(b[1:], id[:])
	return sha256.Sum256(b[:])
}

func nodeHash(l, r [32]byte) [32]byte {
	var b [65]byte
	b[0] = 1
	copy(b[1:], l[:])
	copy(b[33:], r[:])
	return sha256.Sum256(b[:])
}

// merkleLevels builds the tree bottom-up; an odd node is promoted unchanged.
func merkleLevels(leaves [][32]byte) [][][32]byte {
	levels := [][][32]byte{leaves}
	for cur := leaves; len(cur) > 1; {
		next := make([][32]byte, 0, (len(cur)+1)/2)
		for i := 0; i < len(cur); i += 2 {
			if i+1 < len(cur) {
				next = append(next, nodeHash(cur[i], cur[i+1]))
			} else {
				next = append(next, cur[i])
			}
		}
		levels = append(levels, next)
		cur = next
	}
	return levels
}

func merklePath(levels [][][32]byte, i int) [][32]byte {
	var path [][32]byte
	for _, lvl := range levels[:len(levels)-1] {
		sib := i ^ 1
		if sib < len(lvl) {
			path = append(path, lvl[sib])
		}
		i /= 2
	}
	return path
}

// maxDepth is the most levels above its leaves a tree of MaxBatch ops has.
const maxDepth = 16

// proofPath is a leaf's path up its batch tree: the node it passes at each
// level, leaf first and root last, and the sibling hashes it was hashed
// with.
type proofPath struct {
	nodes [maxDepth + 1][32]byte
	depth int // levels above the leaf: nodes[depth] is the root
}

// walk recomputes the batch root from a leaf and its proof, filling path.
func (p *Proof) walk(id OpID, path *proofPath) ([32]byte, error) {
	if p.Size == 0 || p.Size > MaxBatch || p.Index >= p.Size {
		return [32]byte{}, fmt.Errorf("%w: proof index %d of %d", ErrMalformed, p.Index, p.Size)
	}
	h := leafHash(id)
	i, n, used, level := p.Index, p.Size, 0, 0
	path.nodes[0] = h
	for n > 1 {
		sib := i ^ 1
		if sib < n {
			if used >= len(p.Path) {
				return h, fmt.Errorf("%w: proof too short", ErrMalformed)
			}
			if i%2 == 0 {
				h = nodeHash(h, p.Path[used])
			} else {
				h = nodeHash(p.Path[used], h)
			}
			used++
		}
		i /= 2
		n = (n + 1) / 2
		level++
		path.nodes[level] = h
	}
	if used != len(p.Path) {
		return h, fmt.Errorf("%w: proof too long", ErrMalformed)
	}
	path.depth = level
	return h, nil
}

// root recomputes the batch root from a leaf and its proof.
func (p *Proof) root(id OpID) ([32]byte, error) {
	var path proofPath
	return p.walk(id, &path)
}

// Verifier checks signatures. It caches public keys by author and the batch
// roots it has verified, so a batch costs one Ed25519 verification. It is safe
// for concurrent use; both caches are bounded.
type Verifier struct {
	mu    sync.Mutex
	keys  map[CommitteeID]ed25519.PublicKey
	roots map[rootKey]struct{}
}

type rootKey struct {
	author CommitteeID
	root   [32]byte
	sig    string
}

const verifierCacheLimit = 4096

// NewVerifier returns an empty verifier.
func NewVerifier() *Verifier {
	return &Verifier{keys: map[CommitteeID]ed25519.PublicKey{}, roots: map[rootKey]struct{}{}}
}

func (v *Verifier) key(author CommitteeID) (ed25519.PublicKey, error) {
	v.mu.Lock()
	k, ok := v.keys[author]
	v.mu.Unlock()
	if ok {
		return k, nil
	}
	pid, err := peer.Decode(string(author))
	if err != nil {
		return nil, fmt.Errorf("%w: author %q: %v", ErrMalformed, author, err)
	}
	pub, err := pid.ExtractPublicKey()
	if err != nil {
		return nil, fmt.Errorf("%w: author %q has no embedded key: %v", ErrMalformed, author, err)
	}
	k, err = rawEd25519(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: author %q: %v", ErrMalformed, author, err)
	}
	v.mu.Lock()
	if len(v.keys) >= verifierCacheLimit {
		clear(v.keys)
	}
	v.keys[author] = k
	v.mu.Unlock()
	return k, nil
}

// Verify checks env's signature by author over the op with the given ID.
func (v *Verifier) Verify(author CommitteeID, env *Envelope, id OpID) error {
	k, err := v.key(author)
	if err != nil {
		return err
	}
	if len(env.Sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: signature of %d bytes", ErrBadSignature, len(env.Sig))
	}
	if env.Proof == nil {
		msg := append(append(make([]byte, 0, len(opSigContext)+len(env.Op)), opSigContext...), env.Op...)
		if !ed25519.Verify(k, msg, env.Sig) {
			return fmt.Errorf("%w: op %s by %s", ErrBadSignature, id.Short(), author.Short())
		}
		return nil
	}
	root, err := env.Proof.root(id)
	if err != nil {
		return err
	}
	return v.verifyRoot(k, author, root, env.Sig, id)
}

// verifyRoot checks sig by author (key k) over a batch root, once per root.
func (v *Verifier) verifyRoot(k ed25519.PublicKey, author CommitteeID, root [32]byte, sig []byte, id OpID) error {
	rk := rootKey{author: author, root: root, sig: string(sig)}
	v.mu.Lock()
	_, ok := v.roots[rk]
	v.mu.Unlock()
	if ok {
		return nil
	}
	if !ed25519.Verify(k, append(append([]byte{}, batchSigContext...), root[:]...), sig) {
		return fmt.Errorf("%w: batch of op %s by %s", ErrBadSignature, id.Short(), author.Short())
	}
	v.mu.Lock()
	if len(v.roots) >= verifierCacheLimit {
		clear(v.roots)
	}
	v.roots[rk] = struct{}{}
	v.mu.Unlock()
	return nil
}

// SignatureVerifier checks the signature of an op's envelope: a *Verifier,
// or one of its sessions.
type SignatureVerifier interface {
	Verify(author CommitteeID, env *Envelope, id OpID) error
}

// VerifySession verifies as its Verifier does, for one goroutine at a time,
// remembering the path of the batch-signed op it verified last. The ops of
// a batch arrive in order, and two neighbours' paths meet a level or two
// above their leaves: from there up, the path of the one verified before
// vouches for the other's, which then costs two or three hashes instead of
// one per level, and no lock.
type VerifySession struct {
	v *Verifier
	// The last op verified with a proof, in the batch tree signed by
	// author with sig, of size leaves; path is its way up, siblings its
	// proof's hashes.
	ok       bool
	author   CommitteeID
	key      ed25519.PublicKey
	sig      []byte
	size     uint32
	index    uint32
	path     proofPath
	siblings [][32]byte
}

// Session starts a session of v.
func (v *Verifier) Session() *VerifySession { return &VerifySession{v: v} }

// Verify is Verifier.Verify.
func (s *VerifySession) Verify(author CommitteeID, env *Envelope, id OpID) error {
	p := env.Proof
	if p == nil {
		return s.v.Verify(author, env, id)
	}
	if s.ok && author == s.author && p.Size == s.size && p.Index < p.Size && p.Index != s.index && bytes.Equal(env.Sig, s.sig) {
		if s.vouched(p, id) {
			return nil
		}
	}
	k := s.key
	if !s.ok || author != s.author {
		var err error
		if k, err = s.v.key(author); err != nil {
			return err
		}
	}
	if len(env.Sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: signature of %d bytes", ErrBadSignature, len(env.Sig))
	}
	s.ok = false
	root, err := p.walk(id, &s.path)
	if err != nil {
		return err
	}
	if err := s.v.verifyRoot(k, author, root, env.Sig, id); err != nil {
		return err
	}
	s.remember(author, k, env.Sig, p)
	return nil
}

// vouched reports whether the path of the last op verified vouches for
// leaf id with proof p, of the same tree: hashed up to the level where the
// two paths meet, id gives the node the last path passes there, and p's
// siblings above it are the last path's. Then p leads to the root that was
// verified. It updates the session to p.
func (s *VerifySession) vouched(p *Proof, id OpID) bool {
	// Below the meeting level the two leaves' indexes differ; at and above
	// it they agree, and so do the shape of the tree there and the
	// siblings a proof holds.
	meet := bits.Len32(p.Index ^ s.index)
	var path proofPath
	h := leafHash(id)
	path.nodes[0] = h
	i, n, used := p.Index, p.Size, 0
	for level := 0; level < meet; level++ {
		if n <= 1 {
			return false // the index is past the tree; p is malformed
		}
		sib := i ^ 1
		if sib < n {
			if used >= len(p.Path) {
				return false
			}
			if i%2 == 0 {
				h = nodeHash(h, p.Path[used])
			} else {
				h = nodeHash(p.Path[used], h)
			}
			used++
		}
		i /= 2
		n = (n + 1) / 2
		path.nodes[level+1] = h
	}
	if meet > s.path.depth || h != s.path.nodes[meet] {
		return false
	}
	// The last proof's siblings above the meeting level: those it used
	// below are as many as that level's walk of its index takes.
	lastUsed := 0
	li, ln := s.index, s.size
	for level := 0; level < meet; level++ {
		if li^1 < ln {
			lastUsed++
		}
		li /= 2
		ln = (ln + 1) / 2
	}
	above := s.siblings[lastUsed:]
	if len(p.Path)-used != len(above) {
		return false
	}
	for j, x := range above {
		if p.Path[used+j] != x {
			return false
		}
	}
	copy(s.path.nodes[:meet+1], path.nodes[:meet+1])
	s.index = p.Index
	s.siblings = append(s.siblings[:0], p.Path...)
	return true
}

// remember makes p, just verified, the last path of the session.
func (s *VerifySession) remember(author CommitteeID, k ed25519.PublicKey, sig []byte, p *Proof) {
	s.ok, s.author, s.key, s.size, s.index = true, author, k, p.Size, p.Index
	s.sig = append(s.sig[:0], sig...)
	s.siblings = append(s.siblings[:0], p.Path...)
}
