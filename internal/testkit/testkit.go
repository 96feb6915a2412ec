// Package testkit builds deterministic committees and signed ops for tests,
// simulations and benchmarks. Keys derive from names, so a test that fails
// fails the same way every run.
package testkit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"

	"github.com/libp2p/go-libp2p/core/crypto"

	"lienthong/schema"
)

// Signer returns the committee signer whose key derives from name.
func Signer(name string) *schema.Signer {
	seed := sha256.Sum256([]byte("lienthong test key " + name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	key, err := crypto.UnmarshalEd25519PrivateKey(priv)
	if err != nil {
		panic(err)
	}
	s, err := schema.NewSigner(key)
	if err != nil {
		panic(err)
	}
	return s
}

// Sign signs op and returns it decoded, as a receiver would see it.
func Sign(s *schema.Signer, op *schema.Op) *schema.Decoded {
	env, _, err := s.Sign(op)
	if err != nil {
		panic(err)
	}
	d, err := schema.DecodeStored(env)
	if err != nil {
		panic(fmt.Sprintf("signed op does not decode: %v", err))
	}
	return d
}

// Op builds an op with body on a ledger.
func Op(author *schema.Signer, ledger schema.LedgerID, hlc schema.HLC, deps []schema.OpID, body any) *schema.Op {
	kind, err := schema.KindOf(body)
	if err != nil {
		panic(err)
	}
	raw, err := schema.Marshal(schema.Unwrap(body))
	if err != nil {
		panic(err)
	}
	return &schema.Op{Ledger: ledger, Author: author.ID(), Deps: deps, HLC: hlc, Kind: kind, Body: raw}
}

// Tree is a small committee tree: a province root with a workplace
// grassroots committee and two cells under it, and a residential commune
// with a residence cell.
type Tree struct {
	Root, Grassroots, Cell1, Cell2, Commune, ResCell *schema.Signer
	// Charters, in order, as signed directory ops.
	Charters []*schema.Decoded
}

// NewTree builds the tree with clocks starting at base.
func NewTree(base schema.HLC) *Tree {
	t := &Tree{Root: Signer("root"), Grassroots: Signer("grassroots"), Cell1: Signer("cell1"), Cell2: Signer("cell2"), Commune: Signer("commune"), ResCell: Signer("residence cell")}
	var deps []schema.OpID
	h := base
	add := func(author *schema.Signer, b *schema.CharterBody) {
		h++
		d := Sign(author, Op(author, schema.DirectoryLedger, h, deps, b))
		deps = []schema.OpID{d.ID}
		t.Charters = append(t.Charters, d)
	}
	add(t.Root, &schema.CharterBody{ID: t.Root.ID(), Name: "Tỉnh ủy Hà Nam", Level: "province", Kind: schema.CommitteeMixed, IssuedAt: "2025-07-01"})
	add(t.Root, &schema.CharterBody{ID: t.Grassroots.ID(), Name: "Đảng ủy Công ty Điện lực", Level: "grassroots", Parent: t.Root.ID(), Kind: schema.CommitteeWorkplace, IssuedAt: "2025-07-01"})
	add(t.Grassroots, &schema.CharterBody{ID: t.Cell1.ID(), Name: "Chi bộ Phòng Kỹ thuật", Level: "cell", Parent: t.Grassroots.ID(), Kind: schema.CommitteeWorkplace, IssuedAt: "2025-07-01"})
	add(t.Grassroots, &schema.CharterBody{ID: t.Cell2.ID(), Name: "Chi bộ Phòng Kế toán", Level: "cell", Parent: t.Grassroots.ID(), Kind: schema.CommitteeWorkplace, IssuedAt: "2025-07-01"})
	add(t.Root, &schema.CharterBody{ID: t.Commune.ID(), Name: "Đảng ủy phường Lê Hồng Phong", Level: "commune", Parent: t.Root.ID(), Kind: schema.CommitteeResidential, IssuedAt: "2025-07-01"})
	add(t.Commune, &schema.CharterBody{ID: t.ResCell.ID(), Name: "Chi bộ Tổ dân phố 3", Level: "cell", Parent: t.Commune.ID(), Kind: schema.CommitteeResidential, IssuedAt: "2025-07-01"})
	return t
}

// Heads returns the directory heads after the charters.
func (t *Tree) Heads() []schema.OpID { return []schema.OpID{t.Charters[len(t.Charters)-1].ID} }

// LastHLC is the clock of the last charter.
func (t *Tree) LastHLC() schema.HLC { return t.Charters[len(t.Charters)-1].Op.HLC }
