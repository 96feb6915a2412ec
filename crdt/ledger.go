package crdt

import (
	"slices"
	"strings"

	"lienthong/schema"
)

// Value is one value of a multi-value register, with the op that wrote it.
type Value struct {
	V      string             `cbor:"1,keyasint"`
	HLC    schema.HLC         `cbor:"2,keyasint"`
	Author schema.CommitteeID `cbor:"3,keyasint"`
	Op     schema.OpID        `cbor:"4,keyasint"`
}

// wins orders register values: the winner has the highest clock, then
// author, then op ID.
func (v Value) wins(o Value) bool {
	if v.HLC != o.HLC {
		return v.HLC > o.HLC
	}
	if v.Author != o.Author {
		return v.Author > o.Author
	}
	return v.Op.Compare(o.Op) > 0
}

// Register is a multi-value register: the values no later write has
// superseded, winner first. More than one value is a conflict.
type Register []Value

// FieldRegister is the register of one record field.
type FieldRegister struct {
	Name string
	Register
}

// Fields are a ledger's record field registers, sorted by name. A field
// never written, or cleared with no conflict left, has none. (A sorted
// slice rather than a map: a member has about fifteen fields, and a ledger
// is built for every op a catch-up brings and every member a report reads.)
type Fields []FieldRegister

// sortedFieldNames are the schema's field names in name order.
var sortedFieldNames = slices.Sorted(slices.Values(schema.FieldNames()))

// find returns where field name is, or would be.
func (fs Fields) find(name string) (int, bool) {
	return slices.BinarySearchFunc(fs, name, func(f FieldRegister, name string) int { return strings.Compare(f.Name, name) })
}

// Get returns the register of field name; nil if it has none.
func (fs Fields) Get(name string) Register {
	if i, ok := fs.find(name); ok {
		return fs[i].Register
	}
	return nil
}

// Names lists the fields that have a register, sorted.
func (fs Fields) Names() []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// set gives field name register r.
func (fs *Fields) set(name string, r Register) {
	i, ok := fs.find(name)
	if ok {
		(*fs)[i].Register = r
		return
	}
	*fs = slices.Insert(*fs, i, FieldRegister{Name: name, Register: r})
}

// remove drops field name's register.
func (fs *Fields) remove(name string) {
	if i, ok := fs.find(name); ok {
		*fs = slices.Delete(*fs, i, i+1)
	}
}

// Winner is the value shown; "" when the register is empty.
func (r Register) Winner() string {
	if len(r) == 0 {
		return ""
	}
	return r[0].V
}

// Conflict reports whether concurrent values are outstanding.
func (r Register) Conflict() bool {
	if len(r) < 2 {
		return false
	}
	for _, v := range r[1:] {
		if v.V != r[0].V {
			return true
		}
	}
	return false
}

// write supersedes the values that the writer saw (or all of them, for a
// correction) and adds the new one.
func (r Register) write(g *DAG, v Value, deps []schema.OpID, all bool) Register {
	out := r[:0:0]
	for _, old := range r {
		if all || g.Precedes(old.Op, deps) {
			continue
		}
		out = append(out, old)
	}
	out = append(out, v)
	slices.SortFunc(out, func(a, b Value) int {
		if a.wins(b) {
			return -1
		}
		if b.wins(a) {
			return 1
		}
		return 0
	})
	return out
}

// Event is one entry of a member's history: immutable, appended in fold
// order.
type Event struct {
	Op     schema.OpID        `cbor:"1,keyasint"`
	HLC    schema.HLC         `cbor:"2,keyasint"`
	Author schema.CommitteeID `cbor:"3,keyasint"`
	Kind   schema.Kind        `cbor:"4,keyasint"`
	// Changes are the field values the op wrote ("home" included on create).
	Changes map[string]string `cbor:"5,keyasint,omitempty"`
	// Movement, for movement ops.
	Movement *schema.MovementBody `cbor:"6,keyasint,omitempty"`
	// Target and Reason, for corrections.
	Target schema.OpID `cbor:"7,keyasint,omitempty"`
	Reason string      `cbor:"8,keyasint,omitempty"`
	// Detail summarises a workflow op's body.
	Detail map[string]string `cbor:"9,keyasint,omitempty"`
}

// Ledger is the state of one member ledger.
type Ledger struct {
	ID      schema.LedgerID `cbor:"1,keyasint"`
	DAG     DAG             `cbor:"2,keyasint"`
	Home    Register        `cbor:"3,keyasint"`
	Fields  Fields          `cbor:"4,keyasint"`
	Status  string          `cbor:"5,keyasint"`
	History []Event         `cbor:"6,keyasint"`

	Residence  []ResidenceLink `cbor:"7,keyasint,omitempty"`
	Transfers  []Transfer      `cbor:"8,keyasint,omitempty"`
	Exemptions []Exemption     `cbor:"9,keyasint,omitempty"`
	Leaves     []Leave         `cbor:"10,keyasint,omitempty"`
	Ratings    []Rating        `cbor:"11,keyasint,omitempty"`
	Inactive   []Inactive      `cbor:"12,keyasint,omitempty"`
}

// NewLedger returns the empty state of ledger id.
func NewLedger(id schema.LedgerID) *Ledger {
	return &Ledger{ID: id}
}

// Created reports whether the ledger has its create op.
func (l *Ledger) Created() bool { return len(l.DAG.Ops) > 0 }

// HomeCommittee is the home committee shown (the register's winner).
func (l *Ledger) HomeCommittee() schema.CommitteeID { return schema.CommitteeID(l.Home.Winner()) }

// Field returns the value shown for a record field.
func (l *Ledger) Field(name string) string { return l.Fields.Get(name).Winner() }

// Conflicts lists the fields with concurrent values, sorted.
func (l *Ledger) Conflicts() []string {
	var out []string
	for _, f := range l.Fields {
		if f.Conflict() {
			out = append(out, f.Name)
		}
	}
	if l.Home.Conflict() {
		out = append(out, "home")
	}
	slices.Sort(out)
	return out
}

// Authorize checks op d against the ledger state before it and the
// directory at d's clock, per schema.Policy.
func Authorize(dir *Directory, l *Ledger, d *schema.Decoded) error {
	at, author := d.Op.HLC, d.Op.Author
	if err := dir.ActiveAt(author, at); err != nil {
		return reject(d, ErrUnauthorized, "author: %v", err)
	}
	var homes []schema.CommitteeID
	switch b := d.Body.(type) {
	case *schema.MemberCreateBody:
		if l.Created() {
			return reject(d, ErrInvalid, "ledger %s already exists", l.ID)
		}
		if err := dir.ActiveAt(b.Home, at); err != nil {
			return reject(d, ErrInvalid, "home: %v", err)
		}
		homes = []schema.CommitteeID{b.Home}
	default:
		if !l.Created() {
			return reject(d, ErrInvalid, "ledger %s has no create op", l.ID)
		}
		for _, v := range l.Home {
			homes = append(homes, schema.CommitteeID(v.V))
		}
	}
	if c, ok := d.Body.(*schema.MemberCorrectBody); ok {
		if _, ok := l.DAG.Get(c.Target); !ok {
			return reject(d, ErrInvalid, "correction targets op %s, which is not in ledger %s", c.Target.Short(), l.ID)
		}
	}
	isHome := func() bool {
		for _, h := range homes {
			if dir.IsAncestorAt(author, h, at) {
				return true
			}
		}
		return false
	}
	role := d.Op.Kind.Role()
	var side []schema.CommitteeID
	if role != schema.RoleHome {
		var err error
		if side, err = l.sideOf(d); err != nil {
			return reject(d, ErrInvalid, "%v", err)
		}
	}
	isSide := func() bool {
		for _, c := range side {
			if dir.IsAncestorAt(author, c, at) {
				return true
			}
		}
		return false
	}
	var ok bool
	var who string
	switch role {
	case schema.RoleHome:
		ok, who = isHome(), "the home committee of member "+l.ID.String()+" or its superior"
	case schema.RoleResidence:
		ok, who = isSide(), "the residence committee named by the link, its cell or a superior"
	case schema.RoleTransferDest:
		ok, who = isSide(), "the destination named by the transfer or its superior"
	case schema.RoleLeaveDest:
		ok, who = isSide(), "the destination committee named by the leave or its superior"
	case schema.RoleHomeOrResidence, schema.RoleHomeOrTransferDest:
		ok, who = isHome() || isSide(), "on either side of it"
	default:
		return reject(d, ErrInvalid, "%s op on a member ledger", d.Op.Kind)
	}
	if !ok {
		return reject(d, ErrUnauthorized, "%s may not write %s: only %s may", author, d.Op.Kind, who)
	}
	if err := l.checkWorkflow(dir, d); err != nil {
		return reject(d, ErrInvalid, "%v", err)
	}
	return nil
}

// Apply applies op d to ledger l. d must sort after every op already applied
// (else ErrOutOfOrder: use Rebuild) and its deps must be applied (else a
// *MissingError). A rejected op returns a *RejectError and leaves l
// unchanged.
func Apply(dir *Directory, l *Ledger, d *schema.Decoded) error {
	if d.Op.Ledger != l.ID {
		return reject(d, ErrInvalid, "op for ledger %s applied to %s", d.Op.Ledger, l.ID)
	}
	if _, ok := l.DAG.Get(d.ID); ok {
		return ErrDuplicate
	}
	if !l.DAG.Last().Less(KeyOf(d)) {
		return ErrOutOfOrder
	}
	if err := l.DAG.checkDeps(d); err != nil {
		return err
	}
	if err := Authorize(dir, l, d); err != nil {
		return err
	}
	ev := Event{Op: d.ID, HLC: d.Op.HLC, Author: d.Op.Author, Kind: d.Op.Kind}
	val := func(s string) Value { return Value{V: s, HLC: d.Op.HLC, Author: d.Op.Author, Op: d.ID} }
	switch b := d.Body.(type) {
	case *schema.MemberCreateBody:
		l.Home = l.Home.write(&l.DAG, val(string(b.Home)), d.Op.Deps, false)
		l.setFields(b.Fields, val, d.Op.Deps, false)
		ev.Changes = withEntry(b.Fields, "home", string(b.Home))
		l.Status = schema.StatusProbationary
		if b.Fields["full"] != "" {
			l.Status = schema.StatusFull
		}
	case *schema.MemberSetBody:
		l.setFields(b.Fields, val, d.Op.Deps, false)
		ev.Changes = b.Fields
	case *schema.MemberCorrectBody:
		l.setFields(b.Fields, val, d.Op.Deps, true)
		ev.Changes, ev.Target, ev.Reason = b.Fields, b.Target, b.Reason
	case *schema.MovementBody:
		mv := *b
		ev.Movement = &mv
		l.Status = statusAfter(l.Status, b.Type)
	default:
		l.applyWorkflow(d, val)
		ev.Detail = detail(d.Body)
	}
	l.History = append(l.History, ev)
	l.DAG.add(d)
	return nil
}

func (l *Ledger) setFields(fields map[string]string, val func(string) Value, deps []schema.OpID, all bool) {
	if len(l.Fields) == 0 {
		// A new member (or one whose fields were all cleared): every
		// non-empty value starts a register, in one backing array for
		// the registers and one for the fields, taken in name order.
		fresh := make([]Value, 0, len(fields))
		l.Fields = make(Fields, 0, len(fields))
		found := 0
		for _, k := range sortedFieldNames {
			v, ok := fields[k]
			if !ok {
				continue
			}
			found++
			if v != "" {
				fresh = append(fresh, val(v))
				l.Fields = append(l.Fields, FieldRegister{Name: k, Register: fresh[len(fresh)-1 : len(fresh) : len(fresh)]})
			}
		}
		if found == len(fields) {
			return
		}
		l.Fields = l.Fields[:0] // a field the schema does not list: sort them all
		for k, v := range fields {
			if v != "" {
				l.Fields = append(l.Fields, FieldRegister{Name: k, Register: Register{val(v)}})
			}
		}
		slices.SortFunc(l.Fields, func(a, b FieldRegister) int { return strings.Compare(a.Name, b.Name) })
		return
	}
	for k, v := range fields {
		i, had := l.Fields.find(k)
		if !had {
			if v != "" {
				l.Fields = slices.Insert(l.Fields, i, FieldRegister{Name: k, Register: Register{val(v)}})
			}
			continue
		}
		r := l.Fields[i].write(&l.DAG, val(v), deps, all)
		if len(r) == 1 && r[0].V == "" {
			l.Fields = slices.Delete(l.Fields, i, i+1) // cleared, and no conflict left to show
			continue
		}
		l.Fields[i].Register = r
	}
}

// withEntry returns a copy of m with k set to v.
func withEntry(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}

// statusAfter derives the status after a movement, in fold order.
func statusAfter(cur, move string) string {
	switch move {
	case schema.MoveAdmitted:
		return schema.StatusProbationary
	case schema.MoveFull:
		if cur == schema.StatusLeft {
			return cur
		}
		return schema.StatusFull
	default:
		return schema.StatusLeft
	}
}

// Rebuild folds a ledger's ops (any order, duplicates allowed) from scratch.
// Ops that are rejected, or depend on ops that are absent or rejected, are
// returned with their verdicts; everything else is applied.
func Rebuild(dir *Directory, id schema.LedgerID, ops []*schema.Decoded) (*Ledger, []error) {
	l := NewLedger(id)
	errs := fold(ops, func(d *schema.Decoded) error { return Apply(dir, l, d) })
	return l, errs
}
