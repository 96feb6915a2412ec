package crdt

import (
	"slices"

	"lienthong/schema"
)

// Key is the total order of the fold: clock, then op ID.
type Key struct {
	HLC schema.HLC  `cbor:"1,keyasint"`
	ID  schema.OpID `cbor:"2,keyasint"`
}

// KeyOf returns the fold key of an op.
func KeyOf(d *schema.Decoded) Key { return Key{HLC: d.Op.HLC, ID: d.ID} }

// Less orders keys.
func (k Key) Less(o Key) bool {
	if k.HLC != o.HLC {
		return k.HLC < o.HLC
	}
	return k.ID.Compare(o.ID) < 0
}

// OpMeta is what the state keeps of each applied op: enough to walk the
// causal DAG and to list the history.
type OpMeta struct {
	ID     schema.OpID        `cbor:"1,keyasint"`
	HLC    schema.HLC         `cbor:"2,keyasint"`
	Author schema.CommitteeID `cbor:"3,keyasint"`
	Kind   schema.Kind        `cbor:"4,keyasint"`
	Deps   []schema.OpID      `cbor:"5,keyasint,omitempty"`
}

// DAG is the causal graph of one ledger's applied ops, in fold order. It
// builds a lookup index on first use, so one DAG must not be read from
// several goroutines at once (ledger states are decoded per use).
type DAG struct {
	Ops   []OpMeta      `cbor:"1,keyasint"`
	Heads []schema.OpID `cbor:"2,keyasint"`

	index map[schema.OpID]int // built on demand; not part of the state
}

func (g *DAG) idx() map[schema.OpID]int {
	if g.index == nil || len(g.index) != len(g.Ops) {
		g.index = make(map[schema.OpID]int, len(g.Ops))
		for i := range g.Ops {
			g.index[g.Ops[i].ID] = i
		}
	}
	return g.index
}

// smallDAG is the most ops a DAG finds one in by scanning them rather than
// by its index: most ledgers hold a handful of ops, and building a map for
// each costs more than every scan of it.
const smallDAG = 16

// find returns the position of an applied op.
func (g *DAG) find(id schema.OpID) (int, bool) {
	if len(g.Ops) <= smallDAG {
		for i := range g.Ops {
			if g.Ops[i].ID == id {
				return i, true
			}
		}
		return 0, false
	}
	i, ok := g.idx()[id]
	return i, ok
}

// Get returns the metadata of an applied op.
func (g *DAG) Get(id schema.OpID) (*OpMeta, bool) {
	i, ok := g.find(id)
	if !ok {
		return nil, false
	}
	return &g.Ops[i], true
}

// Last is the fold key of the last applied op (zero when empty).
func (g *DAG) Last() Key {
	if len(g.Ops) == 0 {
		return Key{}
	}
	m := g.Ops[len(g.Ops)-1]
	return Key{HLC: m.HLC, ID: m.ID}
}

// checkDeps verifies that every dep is applied and that the op's clock is
// after theirs.
func (g *DAG) checkDeps(d *schema.Decoded) error {
	var missing []schema.OpID
	for i, dep := range d.Op.Deps {
		if slices.Contains(d.Op.Deps[:i], dep) {
			return reject(d, ErrInvalid, "dep %s listed twice", dep.Short())
		}
		m, ok := g.Get(dep)
		if !ok {
			missing = append(missing, dep)
			continue
		}
		if m.HLC >= d.Op.HLC {
			return reject(d, ErrInvalid, "clock %d is not after dep %s (clock %d)", d.Op.HLC, dep.Short(), m.HLC)
		}
	}
	if len(missing) > 0 {
		return &MissingError{Op: d.ID, Missing: missing}
	}
	return nil
}

func (g *DAG) add(d *schema.Decoded) {
	g.Ops = append(g.Ops, OpMeta{ID: d.ID, HLC: d.Op.HLC, Author: d.Op.Author, Kind: d.Op.Kind, Deps: d.Op.Deps})
	if g.index != nil {
		g.index[d.ID] = len(g.Ops) - 1
	}
	heads := g.Heads[:0:0]
	for _, h := range g.Heads {
		if !slices.Contains(d.Op.Deps, h) {
			heads = append(heads, h)
		}
	}
	heads = append(heads, d.ID)
	slices.SortFunc(heads, func(a, b schema.OpID) int { return a.Compare(b) })
	g.Heads = heads
}

// Precedes reports whether op a is in the causal past of an op with the given
// deps (a is one of them or an ancestor of one). Clocks only grow along the
// DAG, so the walk stops at ops older than a.
func (g *DAG) Precedes(a schema.OpID, deps []schema.OpID) bool {
	am, ok := g.Get(a)
	if !ok {
		return false
	}
	stack := append([]schema.OpID(nil), deps...)
	visited := map[schema.OpID]bool{}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == a {
			return true
		}
		if visited[id] {
			continue
		}
		visited[id] = true
		m, ok := g.Get(id)
		if !ok || m.HLC <= am.HLC {
			continue
		}
		stack = append(stack, m.Deps...)
	}
	return false
}
