package crdt

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"lienthong/schema"
)

// The stored form of a ledger state says everything the Ledger type holds
// once. An op's ID, clock, author and kind are kept in the op table; register
// values, history entries, heads and deps refer to ops by their position in
// it, and authors by their position in a table of the ledger's authors.
// History entries of field writes leave out the values that a register still
// holds from that op. A member created with fifteen fields thus stores each
// value once instead of three times, with the 52-character author once.

type wireLedger struct {
	ID        schema.LedgerID      `cbor:"1,keyasint"`
	Authors   []schema.CommitteeID `cbor:"2,keyasint,omitempty"`
	Ops       []wireOp             `cbor:"3,keyasint,omitempty"`
	Heads     []int                `cbor:"4,keyasint,omitempty"`
	Home      []wireValue          `cbor:"5,keyasint,omitempty"`
	Fields    []wireField          `cbor:"6,keyasint,omitempty"` // sorted by name
	Status    string               `cbor:"7,keyasint,omitempty"`
	Events    []wireEvent          `cbor:"8,keyasint,omitempty"`
	Residence []ResidenceLink      `cbor:"9,keyasint,omitempty"`
	Transfers []Transfer           `cbor:"10,keyasint,omitempty"`
	Exempt    []Exemption          `cbor:"11,keyasint,omitempty"`
	Leaves    []Leave              `cbor:"12,keyasint,omitempty"`
	Ratings   []Rating             `cbor:"13,keyasint,omitempty"`
	Inactive  []Inactive           `cbor:"14,keyasint,omitempty"`
}

type wireOp struct {
	_      struct{} `cbor:",toarray"`
	ID     schema.OpID
	HLC    schema.HLC
	Author int
	Kind   schema.Kind
	Deps   []int
}

type wireField struct {
	_      struct{} `cbor:",toarray"`
	Name   string
	Values []wireValue
}

type wireValue struct {
	_  struct{} `cbor:",toarray"`
	V  string
	Op int
}

// wireEvent is a history entry less what its op (same position) says.
// Changes holds the values no register still shows from the op, unless
// Whole: then it holds them all.
type wireEvent struct {
	Changes  map[string]string    `cbor:"1,keyasint,omitempty"`
	Whole    bool                 `cbor:"2,keyasint,omitempty"`
	Movement *schema.MovementBody `cbor:"3,keyasint,omitempty"`
	Target   int                  `cbor:"4,keyasint,omitempty"` // position + 1; 0 for none
	Reason   string               `cbor:"5,keyasint,omitempty"`
	Detail   map[string]string    `cbor:"6,keyasint,omitempty"`
}

// writesFields reports whether the history of an op of kind k lists the
// field values it wrote, each also written to the field's register.
func writesFields(k schema.Kind) bool {
	return k == schema.KindMemberCreate || k == schema.KindMemberSet || k == schema.KindMemberCorrect
}

// register returns the stored values of field k ("home" for the home
// register).
func (w *wireLedger) register(k string) []wireValue {
	if k == "home" {
		return w.Home
	}
	i, ok := slices.BinarySearchFunc(w.Fields, k, func(f wireField, k string) int { return strings.Compare(f.Name, k) })
	if !ok {
		return nil
	}
	return w.Fields[i].Values
}

// eachShown calls f with every register value that a history entry need
// not repeat: values of ops that write fields, "home" only for creates.
func (w *wireLedger) eachShown(f func(k string, v wireValue)) {
	for _, fl := range w.Fields {
		if fl.Name == "home" {
			continue
		}
		for _, v := range fl.Values {
			if writesFields(w.Ops[v.Op].Kind) {
				f(fl.Name, v)
			}
		}
	}
	for _, v := range w.Home {
		if w.Ops[v.Op].Kind == schema.KindMemberCreate {
			f("home", v)
		}
	}
}

// createdScratch holds what wireCreated makes, for one Encode: the wire form
// is thrown away once encoded, and a bulk import or a catch-up encodes a
// created ledger for every op.
type createdScratch struct {
	w       wireLedger
	backing []wireValue
	fields  []wireField
	authors [1]schema.CommitteeID
	ops     [1]wireOp
	heads   [1]int
	events  [1]wireEvent
}

var createdScratches = sync.Pool{New: func() any { return new(createdScratch) }}

// release returns sc to the pool without what it refers to.
func (sc *createdScratch) release() {
	clear(sc.backing[:cap(sc.backing)])
	clear(sc.fields[:cap(sc.fields)])
	sc.w, sc.authors, sc.ops, sc.events = wireLedger{}, [1]schema.CommitteeID{}, [1]wireOp{}, [1]wireEvent{}
	createdScratches.Put(sc)
}

// wireCreated is wire for the commonest state, a member's ledger holding
// only the op that created it, without the searches a longer ledger needs.
// It reports false for a ledger of any other shape, or one whose parts do
// not agree: wire then says what is wrong with it. The wire form it returns
// lives in sc.
func (l *Ledger) wireCreated(sc *createdScratch) (*wireLedger, bool) {
	if len(l.DAG.Ops) != 1 || len(l.History) != 1 || len(l.DAG.Heads) != 1 {
		return nil, false
	}
	m, ev := &l.DAG.Ops[0], &l.History[0]
	if m.Kind != schema.KindMemberCreate || len(m.Deps) > 0 || l.DAG.Heads[0] != m.ID ||
		ev.Op != m.ID || ev.HLC != m.HLC || ev.Author != m.Author || ev.Kind != m.Kind || ev.Target != (schema.OpID{}) {
		return nil, false
	}
	sc.authors[0], sc.ops[0] = m.Author, wireOp{ID: m.ID, HLC: m.HLC, Kind: m.Kind}
	sc.w = wireLedger{ID: l.ID, Status: l.Status, Residence: l.Residence, Transfers: l.Transfers,
		Exempt: l.Exemptions, Leaves: l.Leaves, Ratings: l.Ratings, Inactive: l.Inactive,
		Authors: sc.authors[:], Ops: sc.ops[:], Heads: sc.heads[:]}
	w := &sc.w
	// Every value is the op's; each shown one the history entry names
	// (with the same value) counts as matched.
	backing := slices.Grow(sc.backing[:0], len(l.Home)+len(l.Fields))
	shown, matched := 0, 0
	take := func(k string, r Register) bool {
		for _, v := range r {
			if v.Op != m.ID || v.HLC != m.HLC || v.Author != m.Author {
				return false
			}
			backing = append(backing, wireValue{V: v.V})
			shown++
			if x, ok := ev.Changes[k]; ok && x == v.V {
				matched++
			}
		}
		return true
	}
	defer func() { sc.backing = backing[:0] }()
	if !take("home", l.Home) {
		return nil, false
	}
	w.Home = backing[:len(backing):len(backing)]
	w.Fields = slices.Grow(sc.fields[:0], len(l.Fields))
	defer func() { sc.fields = w.Fields[:0] }()
	for i, f := range l.Fields {
		if i > 0 && l.Fields[i-1].Name >= f.Name {
			return nil, false // out of order: wire says so
		}
		lo := len(backing)
		if !take(f.Name, f.Register) {
			return nil, false
		}
		w.Fields = append(w.Fields, wireField{Name: f.Name, Values: backing[lo:len(backing):len(backing)]})
	}
	if matched != shown || matched != len(ev.Changes) {
		// A history entry that says more than the registers show: the
		// general form sorts it out.
		return nil, false
	}
	sc.events[0] = wireEvent{Movement: ev.Movement, Reason: ev.Reason, Detail: ev.Detail}
	w.Events = sc.events[:]
	return w, true
}

func (l *Ledger) wire() (*wireLedger, error) {
	if len(l.History) != len(l.DAG.Ops) {
		return nil, fmt.Errorf("ledger %s: %d history entries for %d ops", l.ID, len(l.History), len(l.DAG.Ops))
	}
	w := &wireLedger{ID: l.ID, Status: l.Status, Residence: l.Residence, Transfers: l.Transfers,
		Exempt: l.Exemptions, Leaves: l.Leaves, Ratings: l.Ratings, Inactive: l.Inactive}
	w.Ops = make([]wireOp, len(l.DAG.Ops))
	for i, m := range l.DAG.Ops {
		a := slices.Index(w.Authors, m.Author) // a ledger has few authors
		if a < 0 {
			a = len(w.Authors)
			w.Authors = append(w.Authors, m.Author)
		}
		op := wireOp{ID: m.ID, HLC: m.HLC, Author: a, Kind: m.Kind}
		for _, d := range m.Deps {
			j, ok := l.DAG.find(d)
			if !ok || j >= i {
				return nil, fmt.Errorf("ledger %s: op %s depends on %s, which sorts after it or is absent", l.ID, m.ID.Short(), d.Short())
			}
			op.Deps = append(op.Deps, j)
		}
		w.Ops[i] = op
	}
	ref := func(id schema.OpID) (int, error) {
		i, ok := l.DAG.find(id)
		if !ok {
			return 0, fmt.Errorf("ledger %s: refers to op %s, which is not applied", l.ID, id.Short())
		}
		return i, nil
	}
	// One backing array for every register's values.
	n := len(l.Home)
	for _, f := range l.Fields {
		n += len(f.Register)
	}
	backing := make([]wireValue, 0, n)
	values := func(r Register) ([]wireValue, error) {
		lo := len(backing)
		for _, v := range r {
			j, err := ref(v.Op)
			if err != nil {
				return nil, err
			}
			if m := &l.DAG.Ops[j]; m.HLC != v.HLC || m.Author != v.Author {
				return nil, fmt.Errorf("ledger %s: a value of op %s differs from the op in clock or author", l.ID, v.Op.Short())
			}
			backing = append(backing, wireValue{V: v.V, Op: j})
		}
		return backing[lo:len(backing):len(backing)], nil
	}
	for _, h := range l.DAG.Heads {
		j, err := ref(h)
		if err != nil {
			return nil, err
		}
		w.Heads = append(w.Heads, j)
	}
	var err error
	if w.Home, err = values(l.Home); err != nil {
		return nil, err
	}
	w.Fields = make([]wireField, len(l.Fields))
	for i, f := range l.Fields {
		if i > 0 && l.Fields[i-1].Name >= f.Name {
			return nil, fmt.Errorf("ledger %s: fields out of order at %q", l.ID, f.Name)
		}
		vs, err := values(f.Register)
		if err != nil {
			return nil, err
		}
		w.Fields[i] = wireField{Name: f.Name, Values: vs}
	}
	// How many values each op still shows in registers: a history entry
	// leaves out its values only if it names every one of them.
	count := make([]int, len(w.Ops))
	// matched counts, per op, the values shown that are those its history
	// entry names: when it is all of them, the entry needs no search.
	matched := make([]int, len(w.Ops))
	w.eachShown(func(k string, v wireValue) {
		count[v.Op]++
		if x, ok := l.History[v.Op].Changes[k]; ok && x == v.V {
			matched[v.Op]++
		}
	})
	w.Events = make([]wireEvent, len(l.History))
	for i, ev := range l.History {
		m := &l.DAG.Ops[i]
		if ev.Op != m.ID || ev.HLC != m.HLC || ev.Author != m.Author || ev.Kind != m.Kind {
			return nil, fmt.Errorf("ledger %s: history entry %d is not that of op %s", l.ID, i, m.ID.Short())
		}
		we := wireEvent{Changes: ev.Changes, Movement: ev.Movement, Reason: ev.Reason, Detail: ev.Detail}
		if ev.Target != (schema.OpID{}) {
			j, err := ref(ev.Target)
			if err != nil {
				return nil, err
			}
			we.Target = j + 1
		}
		if writesFields(m.Kind) && matched[i] == count[i] && matched[i] == len(ev.Changes) {
			// Every value the entry names is shown by a register.
			we.Changes = nil
		} else if writesFields(m.Kind) {
			var rest map[string]string
			covered := 0
			for k, v := range ev.Changes {
				if w.holds(k, i, v) {
					covered++
					continue
				}
				if rest == nil {
					rest = map[string]string{}
				}
				rest[k] = v
			}
			if covered == count[i] {
				we.Changes = rest
			} else {
				we.Whole = true
			}
		}
		w.Events[i] = we
	}
	return w, nil
}

// holds reports whether field k's register shows value v written by op i
// (and so restores it to op i's history entry when decoded).
func (w *wireLedger) holds(k string, i int, v string) bool {
	if k == "home" && w.Ops[i].Kind != schema.KindMemberCreate {
		return false
	}
	for _, x := range w.register(k) {
		if x.Op == i && x.V == v {
			return true
		}
	}
	return false
}

func (w *wireLedger) ledger() (*Ledger, error) {
	l := &Ledger{ID: w.ID, Status: w.Status, Fields: make(Fields, len(w.Fields)),
		Residence: w.Residence, Transfers: w.Transfers, Exemptions: w.Exempt, Leaves: w.Leaves,
		Ratings: w.Ratings, Inactive: w.Inactive}
	bad := func(what string, i int) error {
		return fmt.Errorf("ledger %s: %s refers to op or author %d, out of range", w.ID, what, i)
	}
	l.DAG.Ops = make([]OpMeta, len(w.Ops))
	for i, o := range w.Ops {
		if o.Author < 0 || o.Author >= len(w.Authors) {
			return nil, bad("an op", o.Author)
		}
		m := OpMeta{ID: o.ID, HLC: o.HLC, Author: w.Authors[o.Author], Kind: o.Kind}
		if len(o.Deps) > 0 {
			m.Deps = make([]schema.OpID, len(o.Deps))
			for j, d := range o.Deps {
				if d < 0 || d >= i {
					return nil, bad("a dep", d)
				}
				m.Deps[j] = w.Ops[d].ID
			}
		}
		l.DAG.Ops[i] = m
	}
	for _, h := range w.Heads {
		if h < 0 || h >= len(w.Ops) {
			return nil, bad("a head", h)
		}
		l.DAG.Heads = append(l.DAG.Heads, w.Ops[h].ID)
	}
	values := func(what string, in []wireValue) (Register, error) {
		if len(in) == 0 {
			return nil, nil
		}
		r := make(Register, len(in))
		for i, v := range in {
			if v.Op < 0 || v.Op >= len(w.Ops) {
				return nil, bad(what, v.Op)
			}
			m := &l.DAG.Ops[v.Op]
			r[i] = Value{V: v.V, HLC: m.HLC, Author: m.Author, Op: m.ID}
		}
		return r, nil
	}
	var err error
	if l.Home, err = values("home", w.Home); err != nil {
		return nil, err
	}
	for i, f := range w.Fields {
		if i > 0 && w.Fields[i-1].Name >= f.Name {
			return nil, fmt.Errorf("ledger %s: fields out of order at %q", w.ID, f.Name)
		}
		l.Fields[i].Name = f.Name
		if l.Fields[i].Register, err = values("field "+f.Name, f.Values); err != nil {
			return nil, err
		}
	}
	if len(w.Events) != len(w.Ops) {
		return nil, fmt.Errorf("ledger %s: %d history entries for %d ops", w.ID, len(w.Events), len(w.Ops))
	}
	// The values each entry left out, restored from the registers.
	var restored [][]string // per op: name, value, name, value…
	w.eachShown(func(k string, v wireValue) {
		if restored == nil {
			restored = make([][]string, len(w.Ops))
		}
		restored[v.Op] = append(restored[v.Op], k, v.V)
	})
	l.History = make([]Event, len(w.Events))
	for i, we := range w.Events {
		m := &l.DAG.Ops[i]
		ev := Event{Op: m.ID, HLC: m.HLC, Author: m.Author, Kind: m.Kind, Changes: we.Changes,
			Movement: we.Movement, Reason: we.Reason, Detail: we.Detail}
		if we.Target != 0 {
			if we.Target < 1 || we.Target > len(w.Ops) {
				return nil, bad("a correction", we.Target-1)
			}
			ev.Target = w.Ops[we.Target-1].ID
		}
		if !we.Whole && restored != nil && len(restored[i]) > 0 {
			r := restored[i]
			ev.Changes = make(map[string]string, len(r)/2+len(we.Changes))
			for k, v := range we.Changes {
				ev.Changes[k] = v
			}
			for j := 0; j < len(r); j += 2 {
				ev.Changes[r[j]] = r[j+1]
			}
		}
		l.History[i] = ev
	}
	return l, nil
}

// wireScope is the part of a stored state that says who may hold it.
type wireScope struct {
	Home      []wireValue     `cbor:"5,keyasint,omitempty"`
	Residence []ResidenceLink `cbor:"9,keyasint,omitempty"`
	Transfers []Transfer      `cbor:"10,keyasint,omitempty"`
	Leaves    []Leave         `cbor:"12,keyasint,omitempty"`
}

// DecodeScope decodes, of a stored ledger state, only what Named,
// IsStakeholder, Stakeholders and HasClosed read: the home register's
// values (without their clocks and ops) and the residence links,
// transfers and leaves. It is several times cheaper than DecodeLedger, for
// the scope check of every op a node serves. Anything else needs
// DecodeLedger.
func DecodeScope(id schema.LedgerID, b []byte) (*Ledger, error) {
	var w wireScope
	if err := schema.UnmarshalState(b, &w); err != nil {
		return nil, fmt.Errorf("decoding ledger state: %w", err)
	}
	l := &Ledger{ID: id, Residence: w.Residence, Transfers: w.Transfers, Leaves: w.Leaves}
	for _, v := range w.Home {
		l.Home = append(l.Home, Value{V: v.V})
	}
	return l, nil
}
