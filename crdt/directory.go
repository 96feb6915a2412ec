package crdt

import (
	"errors"
	"fmt"
	"slices"

	"lienthong/schema"
)

// Charter is one charter as applied: the body with the op that carried it.
type Charter struct {
	schema.CharterBody `cbor:"1,keyasint"`
	Op                 schema.OpID        `cbor:"2,keyasint"`
	HLC                schema.HLC         `cbor:"3,keyasint"`
	Author             schema.CommitteeID `cbor:"4,keyasint"`
}

// Revocation is a revocation as applied.
type Revocation struct {
	schema.RevocationBody `cbor:"1,keyasint"`
	Op                    schema.OpID        `cbor:"2,keyasint"`
	HLC                   schema.HLC         `cbor:"3,keyasint"`
	Author                schema.CommitteeID `cbor:"4,keyasint"`
}

// Directory is the replicated directory of committees: charters forming a
// tree under the network root, and revocations. Charters and revocations take
// effect at their clock, so questions about the directory are asked at a
// clock ("at" arguments): the answer depends only on directory ops that sort
// before it.
type Directory struct {
	Root schema.CommitteeID `cbor:"1,keyasint"`
	DAG  DAG                `cbor:"2,keyasint"`
	// Charters per committee, in fold order; the last one at or before a
	// clock is the one in force then.
	Charters map[schema.CommitteeID][]Charter `cbor:"3,keyasint"`
	// Revocations per committee: the first one applied.
	Revocations map[schema.CommitteeID]Revocation `cbor:"4,keyasint"`
}

// NewDirectory returns the empty directory of a network whose trust root is
// root.
func NewDirectory(root schema.CommitteeID) *Directory {
	return &Directory{Root: root, Charters: map[schema.CommitteeID][]Charter{}, Revocations: map[schema.CommitteeID]Revocation{}}
}

// Clone returns a deep copy (the directory is small).
func (dir *Directory) Clone() *Directory {
	c := NewDirectory(dir.Root)
	c.DAG.Ops = slices.Clone(dir.DAG.Ops)
	c.DAG.Heads = slices.Clone(dir.DAG.Heads)
	for k, v := range dir.Charters {
		c.Charters[k] = slices.Clone(v)
	}
	for k, v := range dir.Revocations {
		c.Revocations[k] = v
	}
	return c
}

// CharterAt returns the charter of c in force at clock at.
func (dir *Directory) CharterAt(c schema.CommitteeID, at schema.HLC) (*Charter, bool) {
	hist := dir.Charters[c]
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].HLC <= at {
			return &hist[i], true
		}
	}
	return nil, false
}

// Current returns the charter of c in force now (after every applied op).
func (dir *Directory) Current(c schema.CommitteeID) (*Charter, bool) {
	hist := dir.Charters[c]
	if len(hist) == 0 {
		return nil, false
	}
	return &hist[len(hist)-1], true
}

// RevokedAt returns the revocation of c in force at clock at, if any.
func (dir *Directory) RevokedAt(c schema.CommitteeID, at schema.HLC) (*Revocation, bool) {
	r, ok := dir.Revocations[c]
	if !ok || r.HLC > at {
		return nil, false
	}
	return &r, true
}

// maxDepth bounds chain walks; charters cannot form cycles, this is a guard.
const maxDepth = 64

// Chain returns c and its ancestors up to the root as they stood at clock at.
func (dir *Directory) Chain(c schema.CommitteeID, at schema.HLC) ([]schema.CommitteeID, error) {
	var chain []schema.CommitteeID
	for cur := c; ; {
		ch, ok := dir.CharterAt(cur, at)
		if !ok {
			if cur == c {
				return chain, fmt.Errorf("committee %s has no charter in the directory", c)
			}
			return chain, fmt.Errorf("committee %s: ancestor %s has no charter", c, cur)
		}
		chain = append(chain, cur)
		if ch.Parent == "" {
			if cur != dir.Root {
				return chain, fmt.Errorf("committee %s: chain ends at %s, not the network root", c, cur)
			}
			return chain, nil
		}
		if len(chain) > maxDepth {
			return chain, fmt.Errorf("committee %s: chain longer than %d", c, maxDepth)
		}
		cur = ch.Parent
	}
}

// ActiveAt checks that c has a charter chain to the root at clock at and that
// neither c nor any ancestor is revoked by then.
func (dir *Directory) ActiveAt(c schema.CommitteeID, at schema.HLC) error {
	chain, err := dir.Chain(c, at)
	if err != nil {
		return err
	}
	for _, a := range chain {
		if r, ok := dir.RevokedAt(a, at); ok {
			if a == c {
				return fmt.Errorf("committee %s was revoked on %s", c, r.Date)
			}
			return fmt.Errorf("committee %s: its superior %s was revoked on %s", c, a, r.Date)
		}
	}
	return nil
}

// IsAncestorAt reports whether anc is c or one of c's superiors at clock at.
func (dir *Directory) IsAncestorAt(anc, c schema.CommitteeID, at schema.HLC) bool {
	chain, _ := dir.Chain(c, at)
	return slices.Contains(chain, anc)
}

// Children lists the committees whose current charter names parent.
func (dir *Directory) Children(parent schema.CommitteeID) []schema.CommitteeID {
	var out []schema.CommitteeID
	for id, hist := range dir.Charters {
		if hist[len(hist)-1].Parent == parent && id != parent {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Committees lists every chartered committee, sorted by ID.
func (dir *Directory) Committees() []schema.CommitteeID {
	out := make([]schema.CommitteeID, 0, len(dir.Charters))
	for id := range dir.Charters {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Subtree lists c and every committee below it now.
func (dir *Directory) Subtree(c schema.CommitteeID) []schema.CommitteeID {
	out := []schema.CommitteeID{c}
	for i := 0; i < len(out) && len(out) < 1<<20; i++ {
		out = append(out, dir.Children(out[i])...)
	}
	return out
}

// AuthorizeDirectory checks a charter or revocation against the directory.
func AuthorizeDirectory(dir *Directory, d *schema.Decoded) error {
	at := d.Op.HLC
	switch b := d.Body.(type) {
	case *schema.CharterBody:
		if b.Parent == "" {
			if b.ID != dir.Root {
				return reject(d, ErrUnauthorized, "charter of %s has no parent but %s is not the network root", b.ID, b.ID)
			}
			if d.Op.Author != dir.Root {
				return reject(d, ErrUnauthorized, "only the root signs its own charter")
			}
			if _, ok := dir.Revocations[b.ID]; ok {
				return reject(d, ErrUnauthorized, "the network root is revoked")
			}
			return nil
		}
		if b.ID == dir.Root {
			return reject(d, ErrUnauthorized, "the network root cannot be given a parent")
		}
		if d.Op.Author != b.Parent {
			return reject(d, ErrUnauthorized, "charter of %s signed by %s, not by its parent %s", b.ID, d.Op.Author, b.Parent)
		}
		if err := dir.ActiveAt(b.Parent, at); err != nil {
			return reject(d, ErrUnauthorized, "parent not active: %v", err)
		}
		if _, ok := dir.Revocations[b.ID]; ok {
			return reject(d, ErrUnauthorized, "committee %s is revoked; admit it under a new key", b.ID)
		}
		if cur, ok := dir.CharterAt(b.ID, at); ok && cur.Parent != b.Parent && !dir.IsAncestorAt(b.Parent, cur.Parent, at) {
			return reject(d, ErrUnauthorized, "committee %s belongs to %s; only it or a superior may re-charter it", b.ID, cur.Parent)
		}
		if dir.IsAncestorAt(b.ID, b.Parent, at) {
			return reject(d, ErrInvalid, "charter would make %s its own ancestor", b.ID)
		}
		return nil
	case *schema.RevocationBody:
		if b.ID == dir.Root {
			return reject(d, ErrUnauthorized, "the network root cannot be revoked")
		}
		if _, ok := dir.CharterAt(b.ID, at); !ok {
			return reject(d, ErrInvalid, "committee %s has no charter to revoke", b.ID)
		}
		if _, ok := dir.Revocations[b.ID]; ok {
			return reject(d, ErrInvalid, "committee %s is already revoked", b.ID)
		}
		if d.Op.Author == b.ID || !dir.IsAncestorAt(d.Op.Author, b.ID, at) {
			return reject(d, ErrUnauthorized, "%s is not a superior of %s", d.Op.Author, b.ID)
		}
		if err := dir.ActiveAt(d.Op.Author, at); err != nil {
			return reject(d, ErrUnauthorized, "author not active: %v", err)
		}
		return nil
	}
	return reject(d, ErrInvalid, "%s op on the directory ledger", d.Op.Kind)
}

// ApplyDirectory applies a directory op that sorts after every op already
// applied. On error the directory is unchanged.
func ApplyDirectory(dir *Directory, d *schema.Decoded) error {
	if _, ok := dir.DAG.Get(d.ID); ok {
		return ErrDuplicate
	}
	if !dir.DAG.Last().Less(KeyOf(d)) {
		return ErrOutOfOrder
	}
	if err := dir.DAG.checkDeps(d); err != nil {
		return err
	}
	if err := AuthorizeDirectory(dir, d); err != nil {
		return err
	}
	switch b := d.Body.(type) {
	case *schema.CharterBody:
		dir.Charters[b.ID] = append(dir.Charters[b.ID], Charter{CharterBody: *b, Op: d.ID, HLC: d.Op.HLC, Author: d.Op.Author})
	case *schema.RevocationBody:
		dir.Revocations[b.ID] = Revocation{RevocationBody: *b, Op: d.ID, HLC: d.Op.HLC, Author: d.Op.Author}
	}
	dir.DAG.add(d)
	return nil
}

// RebuildDirectory folds directory ops (any order, duplicates allowed) in
// fold order. Ops that are rejected, or depend on rejected or absent ops, are
// returned with their verdicts.
func RebuildDirectory(root schema.CommitteeID, ops []*schema.Decoded) (*Directory, []error) {
	dir := NewDirectory(root)
	errs := fold(ops, func(d *schema.Decoded) error { return ApplyDirectory(dir, d) })
	return dir, errs
}

// fold applies ops in fold order, skipping duplicates; ops whose deps are not
// applied (absent or rejected) are rejected.
func fold(ops []*schema.Decoded, apply func(*schema.Decoded) error) []error {
	sorted := slices.Clone(ops)
	slices.SortFunc(sorted, func(a, b *schema.Decoded) int {
		ka, kb := KeyOf(a), KeyOf(b)
		if ka == kb {
			return 0
		}
		if ka.Less(kb) {
			return -1
		}
		return 1
	})
	var errs []error
	for i, d := range sorted {
		if i > 0 && sorted[i-1].ID == d.ID {
			continue
		}
		err := apply(d)
		switch {
		case err == nil:
		case errors.Is(err, ErrMissingDeps):
			errs = append(errs, reject(d, ErrInvalid, "depends on an op that is absent or rejected: %v", err))
		default:
			errs = append(errs, err)
		}
	}
	return errs
}
