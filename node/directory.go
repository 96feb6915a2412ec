package node

import (
	"fmt"
	"slices"

	"lienthong/schema"
)

// InitRoot writes the network root's own charter: this node becomes the root
// of a new network.
func (n *Node) InitRoot(name, level, kind string) (schema.OpID, error) {
	if n.store.Directory().Root != n.ID() {
		return schema.OpID{}, fmt.Errorf("this store's network root is %s, not this committee", n.store.Directory().Root)
	}
	return n.writeDirectory(&schema.CharterBody{ID: n.ID(), Name: name, Level: level, Kind: kind, IssuedAt: n.Today()})
}

// Admit charters a child committee under this one.
func (n *Node) Admit(id schema.CommitteeID, name, level, kind string) (schema.OpID, error) {
	b := &schema.CharterBody{ID: id, Name: name, Level: level, Parent: n.ID(), Kind: kind, IssuedAt: n.Today()}
	if err := b.Validate(); err != nil {
		return schema.OpID{}, err
	}
	return n.writeDirectory(b)
}

// Revoke revokes a committee below this one.
func (n *Node) Revoke(id schema.CommitteeID, reason string) (schema.OpID, error) {
	b := &schema.RevocationBody{ID: id, Reason: reason, Date: n.Today()}
	if err := b.Validate(); err != nil {
		return schema.OpID{}, err
	}
	return n.writeDirectory(b)
}

// Committee is a committee as the directory shows it now.
type Committee struct {
	ID        schema.CommitteeID `json:"id"`
	Name      string             `json:"name"`
	Level     string             `json:"level"`
	Kind      string             `json:"kind"`
	Parent    schema.CommitteeID `json:"parent,omitempty"`
	IssuedAt  string             `json:"issued_at"`
	Revoked   bool               `json:"revoked"`
	RevokedOn string             `json:"revoked_on,omitempty"`
	Depth     int                `json:"depth"`
}

// Committee returns one committee.
func (n *Node) Committee(id schema.CommitteeID) (*Committee, error) {
	dir := n.store.Directory()
	ch, ok := dir.Current(id)
	if !ok {
		return nil, fmt.Errorf("committee %s: %w in the directory", id, ErrNotFound)
	}
	c := &Committee{ID: id, Name: ch.Name, Level: ch.Level, Kind: ch.Kind, Parent: ch.Parent, IssuedAt: ch.IssuedAt}
	if r, ok := dir.Revocations[id]; ok {
		c.Revoked, c.RevokedOn = true, r.Date
	}
	for p := ch.Parent; p != "" && c.Depth < 64; c.Depth++ {
		pc, ok := dir.Current(p)
		if !ok {
			break
		}
		p = pc.Parent
	}
	return c, nil
}

// Committees lists the directory in tree order (each committee after its
// parent, siblings by name).
func (n *Node) Committees() []Committee {
	dir := n.store.Directory()
	out := []Committee{}
	var walk func(id schema.CommitteeID)
	seen := map[schema.CommitteeID]bool{}
	walk = func(id schema.CommitteeID) {
		if seen[id] {
			return
		}
		seen[id] = true
		c, err := n.Committee(id)
		if err != nil {
			return
		}
		out = append(out, *c)
		kids := dir.Children(id)
		slices.SortFunc(kids, func(a, b schema.CommitteeID) int {
			ca, _ := dir.Current(a)
			cb, _ := dir.Current(b)
			return compareStrings(ca.Name, cb.Name)
		})
		for _, k := range kids {
			walk(k)
		}
	}
	if _, ok := dir.Current(dir.Root); ok {
		walk(dir.Root)
	}
	for _, id := range dir.Committees() { // orphans, if any, last
		walk(id)
	}
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
