package node

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"lienthong/crdt"
	"lienthong/internal/store"
	"lienthong/schema"
)

// CreateMember opens a member ledger with home (this committee when empty).
func (n *Node) CreateMember(home schema.CommitteeID, fields map[string]string) (schema.LedgerID, error) {
	if home == "" {
		home = n.ID()
	}
	b := &schema.MemberCreateBody{Home: home, Fields: fields}
	if err := b.Validate(); err != nil {
		return schema.LedgerID{}, err
	}
	if err := schema.CheckDates(nil, fields, n.opts.Now()); err != nil {
		return schema.LedgerID{}, err
	}
	if err := n.checkCard(schema.LedgerID{}, fields); err != nil {
		return schema.LedgerID{}, err
	}
	id, err := n.NewLedgerID()
	if err != nil {
		return id, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	op, err := n.build(id, nil, b)
	if err != nil {
		return id, err
	}
	_, err = n.commit(op, b)
	return id, err
}

// SetFields writes record fields of a member.
func (n *Node) SetFields(id schema.LedgerID, fields map[string]string) (schema.OpID, error) {
	b := &schema.MemberSetBody{Fields: fields}
	if err := b.Validate(); err != nil {
		return schema.OpID{}, err
	}
	if err := n.checkDates(id, fields); err != nil && !errors.Is(err, ErrNotFound) {
		return schema.OpID{}, err // (an unknown member: writeLedger says so)
	}
	if err := n.checkCard(id, fields); err != nil {
		return schema.OpID{}, err
	}
	return n.writeLedger(id, b)
}

// checkCard refuses, at a local write, a card number that another member
// held here already has: one card is one member. (Ops from other
// committees are not judged by it; 'reconcile' reports such duplicates.)
func (n *Node) checkCard(id schema.LedgerID, fields map[string]string) error {
	card := fields["card"]
	if card == "" {
		return nil
	}
	ids, err := n.FindByCard(card)
	if err != nil {
		return err
	}
	for _, other := range ids {
		if other != id {
			return n.CardTaken(card, other)
		}
	}
	return nil
}

// CardTaken is the error of a write that gives member other's card number
// to another member.
func (n *Node) CardTaken(card string, other schema.LedgerID) *schema.FieldError {
	name := ""
	if l, err := n.store.Ledger(other); err == nil {
		name = l.Field("name") + " "
	}
	return &schema.FieldError{Field: "card", Value: card,
		Reason: fmt.Sprintf("member %s(%s) here already has this card number; check the number", name, other)}
}

// checkDates is schema.CheckDates for writing fields to member id (a new
// member if id is zero), against the record as this node holds it; it
// fails with ErrNotFound if there is no such member. A value the record
// holds already is not judged again.
func (n *Node) checkDates(id schema.LedgerID, fields map[string]string) error {
	if id == (schema.LedgerID{}) {
		return schema.CheckDates(nil, fields, n.opts.Now())
	}
	if !slices.ContainsFunc(dateFields, func(k string) bool { _, ok := fields[k]; return ok }) {
		return nil
	}
	l, err := n.store.Ledger(id)
	if err != nil {
		return err
	}
	return checkDatesOf(l, fields, n.opts.Now())
}

var dateFields = []string{"born", "admitted", "full"}

// checkDatesOf is checkDates against the ledger l.
func checkDatesOf(l *crdt.Ledger, fields map[string]string, now time.Time) error {
	current := make(map[string]string, len(dateFields))
	var write map[string]string
	for _, k := range dateFields {
		current[k] = l.Field(k)
		if v, ok := fields[k]; ok && (v != current[k] || l.Fields.Get(k).Conflict()) {
			if write == nil {
				write = map[string]string{}
			}
			write[k] = v
		}
	}
	if write == nil {
		return nil
	}
	return schema.CheckDates(current, write, now)
}

// Correct corrects fields written by the op target, with a reason. It also
// resolves a conflict on those fields.
func (n *Node) Correct(id schema.LedgerID, target schema.OpID, fields map[string]string, reason string) (schema.OpID, error) {
	b := &schema.MemberCorrectBody{Target: target, Fields: fields, Reason: reason}
	if err := b.Validate(); err != nil {
		return schema.OpID{}, err
	}
	if err := n.checkDates(id, fields); err != nil && !errors.Is(err, ErrNotFound) {
		return schema.OpID{}, err // (an unknown member: writeLedger says so)
	}
	if err := n.checkCard(id, fields); err != nil {
		return schema.OpID{}, err
	}
	return n.writeLedger(id, b)
}

// Move records a movement (admitted, full, died, removed, expelled, resigned).
func (n *Node) Move(id schema.LedgerID, m schema.MovementBody) (schema.OpID, error) {
	if err := m.Validate(); err != nil {
		return schema.OpID{}, err
	}
	// A movement is recorded once it happened (or was decided): like the
	// record's dates, its date may not be in the future.
	if err := schema.CheckPast("date", m.Date, n.opts.Now()); err != nil {
		return schema.OpID{}, err
	}
	return n.writeLedger(id, &m)
}

// ImportStats reports a bulk import.
type ImportStats struct {
	Created int
	Updated int
	// Foreign counts rows whose ID this store does not hold (a register
	// exported by another network): they were created as new members.
	Foreign int
	// Refused are the inputs whose dates do not fit (see schema.CheckDates), in
	// input order; the others went in.
	Refused []ImportRefusal
	Elapsed time.Duration
}

// ImportRefusal is an input Import left out: its index and why.
type ImportRefusal struct {
	Index int
	Err   error
}

// MemberInput is one member to import: an existing ledger ID to update, or
// zero to create one.
type MemberInput struct {
	ID     schema.LedgerID
	Home   schema.CommitteeID
	Fields map[string]string
}

// importChunk is how many ops are signed under one Merkle root and committed
// in one transaction during a bulk import.
const importChunk = 2000

// Import creates or updates members in bulk: ops are signed in batches (one
// signature per batch) and committed a chunk per transaction. progress, if
// not nil, is called after each chunk with the count done.
//
// Chunks of new members are built and signed while the chunk before them
// commits. A chunk that updates members is built when everything before it
// has committed, from the state as it then stands.
func (n *Node) Import(in []MemberInput, progress func(done int)) (ImportStats, error) {
	start := n.opts.Now()
	var st ImportStats
	type job struct {
		lo, hi  int
		ds      []*schema.Decoded // nil: build when its turn comes
		refused []ImportRefusal
		err     error
	}
	jobs := make(chan job, 1)
	quit := make(chan struct{})
	defer close(quit)
	go func() {
		defer close(jobs)
		for lo := 0; lo < len(in); lo += importChunk {
			j := job{lo: lo, hi: min(lo+importChunk, len(in))}
			if onlyNew(in[j.lo:j.hi]) {
				j.ds, j.refused, j.err = n.prepareCreates(in[j.lo:j.hi], j.lo)
			}
			select {
			case jobs <- j:
			case <-quit:
				return
			}
			if j.err != nil {
				return
			}
		}
	}()
	// A chunk of creates is handed to the store while the one before it is
	// still being written: the store processes the next chunk meanwhile.
	var prev *store.Pending
	var prevJob job
	landPrev := func() error {
		if prev == nil {
			return nil
		}
		p := prev
		prev = nil
		if err := importedLanded(p); err != nil {
			return fmt.Errorf("importing rows %d to %d: %w", prevJob.lo+1, prevJob.hi, err)
		}
		st.Created += len(prevJob.ds)
		st.Refused = append(st.Refused, prevJob.refused...)
		if progress != nil {
			progress(prevJob.hi)
		}
		return nil
	}
	defer landPrev()
	for j := range jobs {
		if j.err != nil {
			if err := landPrev(); err != nil {
				return st, err
			}
			return st, fmt.Errorf("importing rows %d to %d: %w", j.lo+1, j.hi, j.err)
		}
		if j.ds != nil {
			p := n.store.ApplyAsync(j.ds, "import", true)
			if err := landPrev(); err != nil {
				return st, err
			}
			prev, prevJob = p, j
			continue
		}
		if err := landPrev(); err != nil {
			return st, err
		}
		c, u, f, r, err := n.importChunk(in[j.lo:j.hi], j.lo)
		st.Created += c
		st.Updated += u
		st.Foreign += f
		st.Refused = append(st.Refused, r...)
		if err != nil {
			return st, fmt.Errorf("importing rows %d to %d: %w", j.lo+1, j.hi, err)
		}
		if progress != nil {
			progress(j.hi)
		}
	}
	if err := landPrev(); err != nil {
		return st, err
	}
	st.Elapsed = n.opts.Now().Sub(start)
	return st, nil
}

// onlyNew reports whether every row of chunk creates a member.
func onlyNew(chunk []MemberInput) bool {
	for _, m := range chunk {
		if m.ID != (schema.LedgerID{}) {
			return false
		}
	}
	return true
}

// prepareCreates builds and signs the create ops of new members. Only IDs
// and clocks are taken under the node's lock; a create reads no state. An
// input whose dates do not fit is refused (lo is the chunk's index in the
// import); ds is never nil.
func (n *Node) prepareCreates(chunk []MemberInput, lo int) (ds []*schema.Decoded, refused []ImportRefusal, err error) {
	ops := make([]*schema.Op, 0, len(chunk))
	bodies := make([]schema.Body, 0, len(chunk))
	now := n.opts.Now()
	for i, m := range chunk {
		home := m.Home
		if home == "" {
			home = n.ID()
		}
		b := &schema.MemberCreateBody{Home: home, Fields: m.Fields}
		if err := b.Validate(); err != nil {
			return nil, nil, err
		}
		if err := schema.CheckDates(nil, m.Fields, now); err != nil {
			refused = append(refused, ImportRefusal{Index: lo + i, Err: err})
			continue
		}
		raw, err := schema.Marshal(b)
		if err != nil {
			return nil, nil, err
		}
		ops = append(ops, &schema.Op{Author: n.ID(), Kind: schema.KindMemberCreate, Body: raw})
		bodies = append(bodies, b)
	}
	if len(ops) == 0 {
		return []*schema.Decoded{}, refused, nil
	}
	n.mu.Lock()
	for _, op := range ops {
		id, err := n.NewLedgerID()
		if err != nil {
			n.mu.Unlock()
			return nil, nil, err
		}
		op.Ledger, op.HLC = id, n.nextHLC()
	}
	n.mu.Unlock()
	ds, err = n.signImported(ops, bodies)
	return ds, refused, err
}

func (n *Node) signImported(ops []*schema.Op, bodies []schema.Body) ([]*schema.Decoded, error) {
	envs, ids, err := n.signer.SignBatch(ops)
	if err != nil {
		return nil, err
	}
	ds := make([]*schema.Decoded, len(envs))
	for i, env := range envs {
		ds[i] = &schema.Decoded{ID: ids[i], Op: *ops[i], Envelope: env, Body: bodies[i]}
	}
	return ds, nil
}

// importedLanded waits until a chunk of imported creates is durable and
// checks that every op was applied.
func importedLanded(p *store.Pending) error {
	res, _, err := p.Wait()
	if err != nil {
		return err
	}
	for _, r := range res {
		if r.Outcome != crdt.Applied {
			return fmt.Errorf("op %s not applied: %v", r.ID.Short(), r.Err)
		}
	}
	return nil
}

func (n *Node) importChunk(chunk []MemberInput, lo int) (created, updated, foreign int, refused []ImportRefusal, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	ops := make([]*schema.Op, 0, len(chunk))
	bodies := make([]schema.Body, 0, len(chunk))
	now := n.opts.Now()
	for i, m := range chunk {
		var l *crdt.Ledger
		if m.ID != (schema.LedgerID{}) {
			l, err = n.store.Ledger(m.ID)
			if errors.Is(err, ErrNotFound) {
				m.ID, l = schema.LedgerID{}, nil
			} else if err != nil {
				return created, updated, foreign, refused, err
			}
		}
		if l == nil {
			home := m.Home
			if home == "" {
				home = n.ID()
			}
			b := &schema.MemberCreateBody{Home: home, Fields: m.Fields}
			if err := schema.CheckDates(nil, m.Fields, now); err != nil {
				refused = append(refused, ImportRefusal{Index: lo + i, Err: err})
				continue
			}
			id, err := n.NewLedgerID()
			if err != nil {
				return created, updated, foreign, refused, err
			}
			op, err := n.build(id, nil, b)
			if err != nil {
				return created, updated, foreign, refused, err
			}
			ops, bodies = append(ops, op), append(bodies, b)
			created++
			if chunk[i].ID != (schema.LedgerID{}) {
				foreign++
			}
			continue
		}
		changed := map[string]string{}
		for k, v := range m.Fields {
			if l.Field(k) != v || l.Fields.Get(k).Conflict() {
				changed[k] = v
			}
		}
		if len(changed) == 0 {
			continue
		}
		if err := checkDatesOf(l, changed, now); err != nil {
			refused = append(refused, ImportRefusal{Index: lo + i, Err: err})
			continue
		}
		b := &schema.MemberSetBody{Fields: changed}
		op, err := n.build(m.ID, &l.DAG, b)
		if err != nil {
			return created, updated, foreign, refused, err
		}
		ops, bodies = append(ops, op), append(bodies, b)
		updated++
	}
	ds, err := n.signImported(ops, bodies)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	if err := importedLanded(n.store.ApplyAsync(ds, "import", true)); err != nil {
		return 0, 0, 0, nil, err
	}
	return created, updated, foreign, refused, nil
}

// Member is a member as shown to people and scripts.
type Member struct {
	ID        string            `json:"id"`
	Home      string            `json:"home"`
	HomeName  string            `json:"home_name,omitempty"`
	Status    string            `json:"status"`
	Fields    map[string]string `json:"fields"`
	Conflicts map[string][]Alt  `json:"conflicts,omitempty"`
	History   []HistoryEntry    `json:"history,omitempty"`
	Heads     []string          `json:"heads,omitempty"`

	Residence  []crdt.ResidenceLink `json:"residence,omitempty"`
	Transfers  []crdt.Transfer      `json:"transfers,omitempty"`
	Exemptions []crdt.Exemption     `json:"exemptions,omitempty"`
	Leaves     []crdt.Leave         `json:"leaves,omitempty"`
	Ratings    []crdt.Rating        `json:"ratings,omitempty"`
	Inactive   []crdt.Inactive      `json:"inactive,omitempty"`
}

// Alt is one of the concurrent values of a field in conflict.
type Alt struct {
	Value  string `json:"value"`
	Author string `json:"author"`
	Op     string `json:"op"`
	Time   string `json:"time"`
}

// HistoryEntry is one op of a member's history.
type HistoryEntry struct {
	Op         string               `json:"op"`
	Kind       string               `json:"kind"`
	Author     string               `json:"author"`
	AuthorName string               `json:"author_name,omitempty"`
	Time       string               `json:"time"`
	Changes    map[string]string    `json:"changes,omitempty"`
	Movement   *schema.MovementBody `json:"movement,omitempty"`
	Corrects   string               `json:"corrects,omitempty"`
	Reason     string               `json:"reason,omitempty"`
	Detail     map[string]string    `json:"detail,omitempty"`
}

func hlcTime(h schema.HLC) string {
	return time.UnixMilli(h.Millis()).UTC().Format(time.RFC3339Nano)
}

// View turns ledger state into a Member; withHistory adds the history.
func (n *Node) View(l *crdt.Ledger, withHistory bool) *Member {
	dir := n.store.Directory()
	m := &Member{ID: l.ID.String(), Home: string(l.HomeCommittee()), Status: l.Status, Fields: make(map[string]string, len(l.Fields))}
	if ch, ok := dir.Current(l.HomeCommittee()); ok {
		m.HomeName = ch.Name
	}
	for _, f := range l.Fields {
		if w := f.Winner(); w != "" {
			m.Fields[f.Name] = w
		}
	}
	alts := func(r crdt.Register) []Alt {
		var out []Alt
		for _, v := range r {
			out = append(out, Alt{Value: v.V, Author: string(v.Author), Op: v.Op.String(), Time: hlcTime(v.HLC)})
		}
		return out
	}
	for _, k := range l.Conflicts() {
		if m.Conflicts == nil {
			m.Conflicts = map[string][]Alt{}
		}
		if k == "home" {
			m.Conflicts[k] = alts(l.Home)
		} else {
			m.Conflicts[k] = alts(l.Fields.Get(k))
		}
	}
	m.Residence, m.Transfers, m.Exemptions, m.Leaves, m.Ratings, m.Inactive = l.Residence, l.Transfers, l.Exemptions, l.Leaves, l.Ratings, l.Inactive
	if e := l.ExemptOn(n.Today()); e != nil && m.Status != schema.StatusLeft {
		m.Status = "exempt"
		if e.Type == schema.ExemptTemporary {
			m.Status = "temporarily_exempt"
		}
	}
	if withHistory {
		m.History = n.history(l)
		for _, h := range l.DAG.Heads {
			m.Heads = append(m.Heads, h.String())
		}
	}
	return m
}

func (n *Node) history(l *crdt.Ledger) []HistoryEntry {
	dir := n.store.Directory()
	out := make([]HistoryEntry, 0, len(l.History))
	for _, e := range l.History {
		h := HistoryEntry{Op: e.Op.String(), Kind: e.Kind.String(), Author: string(e.Author), Time: hlcTime(e.HLC),
			Changes: e.Changes, Movement: e.Movement, Reason: e.Reason, Detail: e.Detail}
		if e.Kind == schema.KindMemberCorrect {
			h.Corrects = e.Target.String()
		}
		if ch, ok := dir.Current(e.Author); ok {
			h.AuthorName = ch.Name
		}
		out = append(out, h)
	}
	return out
}

// Member returns one member with history.
func (n *Node) Member(id schema.LedgerID) (*Member, error) {
	l, err := n.store.Ledger(id)
	if err != nil {
		return nil, memberNotFound(id)
	}
	return n.View(l, true), nil
}

// History returns every op of a member's ledger in fold order.
func (n *Node) History(id schema.LedgerID) ([]HistoryEntry, error) {
	l, err := n.store.Ledger(id)
	if err != nil {
		return nil, memberNotFound(id)
	}
	return n.history(l), nil
}

// Members lists every member this node holds, ordered by ID.
func (n *Node) Members() ([]*Member, error) {
	var out []*Member
	err := n.EachMember(func(m *Member) bool {
		out = append(out, m)
		return true
	})
	return out, err
}

// EachMember calls fn with the view of each member held here (without
// history), in ledger order, while fn returns true. Unlike Members it
// holds one view at a time: a caller that keeps less than the view (a
// row, its JSON) lists a province's members in a fraction of the memory.
func (n *Node) EachMember(fn func(*Member) bool) error {
	return n.store.EachLedger(func(l *crdt.Ledger) bool {
		return fn(n.View(l, false))
	})
}

// CardIndex returns, for every card number held here, the ledgers whose
// card register holds it.
func (n *Node) CardIndex() (map[string][]schema.LedgerID, error) {
	out := map[string][]schema.LedgerID{}
	err := n.store.EachIndexed("card", func(card string, id schema.LedgerID) bool {
		out[card] = append(out[card], id)
		return true
	})
	return out, err
}

// FindByCard returns the ledgers whose card number register holds card.
func (n *Node) FindByCard(card string) ([]schema.LedgerID, error) {
	ids, err := n.store.LedgerIDs("card", card)
	slices.SortFunc(ids, func(a, b schema.LedgerID) int { return slices.Compare(a[:], b[:]) })
	return ids, err
}

// StateHash is the store-wide state hash.
func (n *Node) StateHash() crdt.Hash { return n.store.StateHash() }
