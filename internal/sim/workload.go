package sim

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"lienthong/crdt"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// write makes one random write somewhere in the network. A committee
// writes what its own view of a ledger allows it to: such writes must be
// accepted where they are made (workflow steps may be declined as invalid
// against that view, for instance a date before the step they follow).
// Unauthorised writes must be refused by the writer's own node, and forged
// ops rejected wherever they are offered.
func (w *Network) write() error {
	switch x := w.rng.IntN(100); {
	case x < 20 || len(w.ledgers) == 0:
		return w.create()
	case x < 45:
		return w.set()
	case x < 52:
		return w.correct()
	case x < 56:
		return w.move()
	case x < 84:
		return w.workflow()
	case x < 92:
		return w.refused()
	default:
		return w.forge()
	}
}

// pickLedger draws a ledger, recent ones more often, so that ledgers get
// concurrent writes while their earlier ops are still travelling.
func (w *Network) pickLedger() schema.LedgerID {
	if n := len(w.ledgers); n > 32 && w.rng.IntN(2) == 0 {
		return w.ledgers[n-32+w.rng.IntN(32)]
	}
	return w.ledgers[w.rng.IntN(len(w.ledgers))]
}

// under reports whether s is committee c or one of its superiors.
func (w *Network) under(s *site, c schema.CommitteeID) bool {
	t, ok := w.byID[c]
	return ok && w.isAncestor(s.idx, t.idx)
}

// homeSide reports whether, in view l, s holds the member's records or is
// a superior of the committee that does.
func (w *Network) homeSide(s *site, l *crdt.Ledger) bool {
	for _, v := range l.Home {
		if w.under(s, schema.CommitteeID(v.V)) {
			return true
		}
	}
	return false
}

// actor picks a committee that holds ledger id and for which ok holds of
// its view, among the committees the ledger has ever named and their
// superiors, the home side first more often than not; nil if none.
func (w *Network) actor(id schema.LedgerID, ok func(*site, *crdt.Ledger) bool) (*site, *crdt.Ledger) {
	cands := w.eligible[id]
	first := 0
	if w.rng.IntN(100) >= 40 {
		first = w.rng.IntN(len(cands))
	}
	for k := range cands {
		s := w.sites[cands[(first+k)%len(cands)]]
		if knowsRevoked(s) {
			continue
		}
		if l, err := s.st.Ledger(id); err == nil && ok(s, l) {
			return s, l
		}
	}
	return nil, nil
}

// name records that ledger id names committee c: c and its superiors may
// come to hold it.
func (w *Network) name(id schema.LedgerID, c schema.CommitteeID) {
	s, ok := w.byID[c]
	if !ok {
		return
	}
	for _, i := range s.chain {
		if !slices.Contains(w.eligible[id], i) {
			w.eligible[id] = append(w.eligible[id], i)
		}
	}
}

// record adds an op written at s to the naive model.
func (w *Network) record(s *site, ledger schema.LedgerID, op schema.OpID) error {
	env, err := s.st.Op(op)
	if err != nil {
		return fmt.Errorf("sim: %s wrote op %s but does not hold it: %w", s, op.Short(), err)
	}
	d, err := schema.DecodeStored(env)
	if err != nil {
		return err
	}
	w.ops[ledger] = append(w.ops[ledger], d)
	w.stats.Ops++
	for _, c := range namedBy(d.Body) {
		w.name(ledger, c)
	}
	return nil
}

// namedBy lists the committees an op body brings into a ledger.
func namedBy(body any) []schema.CommitteeID {
	switch b := body.(type) {
	case *schema.MemberCreateBody:
		return []schema.CommitteeID{b.Home}
	case *schema.ResidenceIntroBody:
		return []schema.CommitteeID{b.Residence}
	case *schema.ResidenceAcceptBody:
		return []schema.CommitteeID{b.Cell}
	case *schema.TransferIssueBody:
		return []schema.CommitteeID{b.Destination}
	case *schema.TransferStepBody:
		if b.Cell != "" {
			return []schema.CommitteeID{b.Cell}
		}
	case *schema.LeaveBody:
		if b.Destination != "" {
			return []schema.CommitteeID{b.Destination}
		}
	}
	return nil
}

// create opens a member's ledger at a cell, written by the cell itself or,
// sometimes, by a superior.
func (w *Network) create() error {
	m := w.members[w.rng.IntN(len(w.members))]
	home := w.sites[m.Home]
	if w.revoked[home.idx] {
		w.stats.Skipped++
		return nil
	}
	s := home
	if w.rng.IntN(5) == 0 {
		s = w.sites[home.chain[w.rng.IntN(len(home.chain))]]
	}
	id, err := s.node.CreateMember(home.id, m.Fields)
	if refusedLocally(err) {
		w.stats.Skipped++
		return nil
	}
	if err != nil {
		return fmt.Errorf("sim: %s creating a member of %s: %w", s, home, err)
	}
	l, err := s.st.Ledger(id)
	if err != nil || len(l.DAG.Ops) != 1 {
		return fmt.Errorf("sim: %s created member %s but does not hold it alone (%v)", s, id, err)
	}
	w.ledgers = append(w.ledgers, id)
	w.stats.Ledgers++
	return w.record(s, id, l.DAG.Ops[0].ID)
}

// fields draws one to max field values from a generated member; now and
// then it clears an optional field instead.
func (w *Network) fields(max int) map[string]string {
	out := map[string]string{}
	if w.rng.IntN(10) == 0 {
		out[[]string{"phone", "temp_address", "badge"}[w.rng.IntN(3)]] = ""
		return out
	}
	donor := w.members[w.rng.IntN(len(w.members))].Fields
	keys := make([]string, 0, len(donor))
	for k := range donor {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for range 1 + w.rng.IntN(max) {
		k := keys[w.rng.IntN(len(keys))]
		out[k] = donor[k]
	}
	return out
}

func (w *Network) set() error {
	id := w.pickLedger()
	s, _ := w.actor(id, w.homeSide)
	if s == nil {
		w.stats.Skipped++
		return nil
	}
	op, err := s.node.SetFields(id, w.fields(3))
	if refusedLocally(err) {
		w.stats.Skipped++
		return nil
	}
	if err != nil {
		return fmt.Errorf("sim: %s setting fields of %s: %w", s, id, err)
	}
	return w.record(s, id, op)
}

// refusedLocally reports a write the node refused by the checks it makes
// of what a clerk enters: a date taken from another member that does not
// fit this one's (born after admitted, say: see schema.CheckDates), or a
// card number another member held there already has (a generated member
// drawn twice, or a donor's card). The values drawn are valid one by one,
// so no other field error can arise.
func refusedLocally(err error) bool { return errors.Is(err, schema.ErrInvalidField) }

var reasons = []string{"ghi nhầm khi nhập sổ", "sai so với lý lịch gốc", "đối chiếu thẻ đảng viên", "theo đề nghị của chi bộ"}

func (w *Network) correct() error {
	id := w.pickLedger()
	s, l := w.actor(id, w.homeSide)
	if s == nil {
		w.stats.Skipped++
		return nil
	}
	target := l.DAG.Ops[w.rng.IntN(len(l.DAG.Ops))].ID
	op, err := s.node.Correct(id, target, w.fields(1), reasons[w.rng.IntN(len(reasons))])
	if refusedLocally(err) {
		w.stats.Skipped++
		return nil
	}
	if err != nil {
		return fmt.Errorf("sim: %s correcting op %s of %s: %w", s, target.Short(), id, err)
	}
	return w.record(s, id, op)
}

var movements = []string{
	schema.MoveFull, schema.MoveFull, schema.MoveFull, schema.MoveAdmitted,
	schema.MoveDied, schema.MoveRemoved, schema.MoveExpelled, schema.MoveResigned,
}

func (w *Network) move() error {
	id := w.pickLedger()
	s, _ := w.actor(id, w.homeSide)
	if s == nil {
		w.stats.Skipped++
		return nil
	}
	m := schema.MovementBody{
		Type:     movements[w.rng.IntN(len(movements))],
		Date:     s.node.Today(),
		Reason:   "theo nghị quyết của cấp ủy",
		Decision: fmt.Sprintf("%d-QĐ/ĐU", 1+w.rng.IntN(400)),
	}
	op, err := s.node.Move(id, m)
	if err != nil {
		return fmt.Errorf("sim: %s recording a movement of %s: %w", s, id, err)
	}
	return w.record(s, id, op)
}

// outsider draws a committee that is none of the given committees nor a
// superior of one.
func (w *Network) outsider(of ...int) *site {
	for {
		z := w.sites[w.rng.IntN(len(w.sites))]
		if !slices.ContainsFunc(of, func(i int) bool { return w.isAncestor(z.idx, i) }) {
			return z
		}
	}
}

// refused has a committee write what it may not: open a member's ledger
// at a cell outside its subtree, or accept a residence introduction for
// the residence committee. Its own node must refuse, and leave no trace.
func (w *Network) refused() error {
	if len(w.ledgers) > 0 && w.rng.IntN(2) == 0 {
		id := w.pickLedger()
		s, l := w.actor(id, func(s *site, l *crdt.Ledger) bool {
			r := l.ActiveResidence()
			return r != nil && r.Accepted == "" && !w.under(s, r.Residence)
		})
		if s != nil {
			r := l.ActiveResidence()
			before := s.st.StateHash()
			_, err := s.node.Write(id, &schema.ResidenceAcceptBody{Ref: r.Intro, Date: s.node.Today(), Cell: r.Residence})
			if !errors.Is(err, crdt.ErrUnauthorized) {
				return fmt.Errorf("sim: %s accepting a residence introduction to %s: got %v, want %v", s, w.label(r.Residence), err, crdt.ErrUnauthorized)
			}
			if s.st.StateHash() != before {
				return fmt.Errorf("sim: %s: a refused write changed the state", s)
			}
			w.stats.Refused++
			return nil
		}
	}
	home := w.sites[w.homes[w.rng.IntN(len(w.homes))]]
	if w.revoked[home.idx] {
		w.stats.Skipped++
		return nil
	}
	s := w.outsider(home.idx)
	seq := s.st.Seq()
	m := w.members[w.rng.IntN(len(w.members))]
	// Without its card number, which the outsider may hold already on
	// another ledger: the write is to be refused for its home alone.
	fields := maps.Clone(m.Fields)
	delete(fields, "card")
	id, err := s.node.CreateMember(home.id, fields)
	if !errors.Is(err, crdt.ErrUnauthorized) {
		return fmt.Errorf("sim: %s opening a member of %s (not its subordinate): got %v, want %v", s, home, err, crdt.ErrUnauthorized)
	}
	if s.st.Seq() != seq {
		return fmt.Errorf("sim: %s: a refused write moved the change feed from %d to %d", s, seq, s.st.Seq())
	}
	if _, err := s.st.Ledger(id); err == nil {
		return fmt.Errorf("sim: %s holds ledger %s after refusing to open it", s, id)
	}
	w.stats.Refused++
	return nil
}

// forge has a committee with no right to a ledger offer forged ops to a
// node that holds it, as a peer running modified software would: a write
// by itself, the same write in the home committee's name but signed with
// its own key, a correction depending on its own write, a transfer of the
// member to itself, and a new member it may not open. Sometimes it offers
// them to a node that is no stakeholder.
func (w *Network) forge() error {
	id := w.pickLedger()
	s, l := w.actor(id, w.homeSide)
	if s == nil {
		w.stats.Skipped++
		return nil
	}
	home := w.byID[l.HomeCommittee()]
	z := w.outsider(w.eligible[id]...)
	hlc := l.DAG.Last().HLC.Next(w.clock + z.skew)
	deps := slices.Clone(l.DAG.Heads)
	set := &schema.MemberSetBody{Fields: map[string]string{"phone": "0900000000", "address": "Không rõ"}}
	d1 := testkit.Sign(z.signer, testkit.Op(z.signer, id, hlc, deps, set))
	op2 := testkit.Op(z.signer, id, hlc+1, deps, set)
	op2.Author = home.id
	env2, id2, err := z.signer.Sign(op2)
	if err != nil {
		return err
	}
	d3 := testkit.Sign(z.signer, testkit.Op(z.signer, id, hlc+2, []schema.OpID{d1.ID},
		&schema.MemberCorrectBody{Target: d1.ID, Fields: map[string]string{"phone": "0911111111"}, Reason: "sửa lại"}))
	d4 := testkit.Sign(z.signer, testkit.Op(z.signer, id, hlc+3, deps,
		&schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: z.id, Date: "2026-01-01"}))
	var fresh schema.LedgerID
	for i := range fresh {
		fresh[i] = byte(w.rng.Uint32())
	}
	m := w.members[w.rng.IntN(len(w.members))]
	d5 := testkit.Sign(z.signer, testkit.Op(z.signer, fresh, hlc, nil, &schema.MemberCreateBody{Home: home.id, Fields: m.Fields}))
	envs := [][]byte{d1.Envelope, env2, d3.Envelope, d4.Envelope, d5.Envelope}
	w.rng.Shuffle(len(envs), func(i, j int) { envs[i], envs[j] = envs[j], envs[i] })
	w.forged = append(w.forged, d1.ID, id2, d3.ID, d4.ID, d5.ID)
	w.forgedLedgers = append(w.forgedLedgers, fresh)
	w.stats.Forged += len(envs)
	target := s
	if w.rng.IntN(4) == 0 {
		target = w.outsider(w.eligible[id]...)
	}
	st, err := w.rogue(target, z.id, envs)
	if err != nil {
		return err
	}
	if st.Applied > 0 {
		return fmt.Errorf("sim: %s applied %d of the ops forged by %s", target, st.Applied, z)
	}
	return nil
}
