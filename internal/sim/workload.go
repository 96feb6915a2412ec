package sim

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"lienthong/crdt"
	"lienthong/internal/replica"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// write makes one random write somewhere in the network. Legitimate writes
// must be accepted where they are made; unauthorised ones must be refused
// there, and forged ones rejected wherever they are offered.
func (w *Network) write() error {
	switch x := w.rng.IntN(100); {
	case x < 30 || len(w.ledgers) == 0:
		return w.create()
	case x < 65:
		return w.set()
	case x < 75:
		return w.correct()
	case x < 83:
		return w.move()
	case x < 91:
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

// writer picks a committee that may write to ledger id (its home or a
// superior, the home most often) and holds it, with its view of the
// ledger; nil if none of them holds it yet.
func (w *Network) writer(id schema.LedgerID) (*site, *crdt.Ledger) {
	chain := w.sites[w.home[id]].chain
	first := 0
	if w.rng.IntN(100) >= 55 {
		first = w.rng.IntN(len(chain))
	}
	for k := range chain {
		s := w.sites[chain[(first+k)%len(chain)]]
		if l, err := s.st.Ledger(id); err == nil {
			return s, l
		}
	}
	return nil, nil
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
	return nil
}

// create opens a member's ledger at a cell, written by the cell itself or,
// sometimes, by a superior.
func (w *Network) create() error {
	m := w.members[w.rng.IntN(len(w.members))]
	home := w.sites[m.Home]
	s := home
	if w.rng.IntN(5) == 0 {
		s = w.sites[home.chain[w.rng.IntN(len(home.chain))]]
	}
	id, err := s.node.CreateMember(home.id, m.Fields)
	if err != nil {
		return fmt.Errorf("sim: %s creating a member of %s: %w", s, home, err)
	}
	l, err := s.st.Ledger(id)
	if err != nil || len(l.DAG.Ops) != 1 {
		return fmt.Errorf("sim: %s created member %s but does not hold it alone (%v)", s, id, err)
	}
	w.ledgers = append(w.ledgers, id)
	w.home[id] = home.idx
	w.stats.Ledgers++
	return w.record(s, id, l.DAG.Ops[0].ID)
}

// fields draws one to three field values from a generated member; now and
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
	s, _ := w.writer(id)
	if s == nil {
		w.stats.Skipped++
		return nil
	}
	op, err := s.node.SetFields(id, w.fields(3))
	if err != nil {
		return fmt.Errorf("sim: %s setting fields of %s: %w", s, id, err)
	}
	return w.record(s, id, op)
}

var reasons = []string{"ghi nhầm khi nhập sổ", "sai so với lý lịch gốc", "đối chiếu thẻ đảng viên", "theo đề nghị của chi bộ"}

func (w *Network) correct() error {
	id := w.pickLedger()
	s, l := w.writer(id)
	if s == nil {
		w.stats.Skipped++
		return nil
	}
	target := l.DAG.Ops[w.rng.IntN(len(l.DAG.Ops))].ID
	f := w.fields(1)
	for k, v := range f {
		if v == "" && k == "name" {
			delete(f, k)
		}
	}
	op, err := s.node.Correct(id, target, f, reasons[w.rng.IntN(len(reasons))])
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
	s, _ := w.writer(id)
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

// outsider draws a committee that is neither home nor one of its superiors.
func (w *Network) outsider(home int) *site {
	for {
		z := w.sites[w.rng.IntN(len(w.sites))]
		if !w.isAncestor(z.idx, home) {
			return z
		}
	}
}

// refused has a committee open a member's ledger at a cell outside its
// subtree: its own node must refuse, and leave no trace.
func (w *Network) refused() error {
	home := w.sites[w.homes[w.rng.IntN(len(w.homes))]]
	s := w.outsider(home.idx)
	seq := s.st.Seq()
	m := w.members[w.rng.IntN(len(w.members))]
	id, err := s.node.CreateMember(home.id, m.Fields)
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
// its own key, a correction depending on its own write, and a new member it
// may not open. Sometimes it offers them to a node that is no stakeholder.
func (w *Network) forge() error {
	id := w.pickLedger()
	s, l := w.writer(id)
	if s == nil {
		w.stats.Skipped++
		return nil
	}
	home := w.sites[w.home[id]]
	z := w.outsider(home.idx)
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
	var fresh schema.LedgerID
	for i := range fresh {
		fresh[i] = byte(w.rng.Uint32())
	}
	m := w.members[w.rng.IntN(len(w.members))]
	d4 := testkit.Sign(z.signer, testkit.Op(z.signer, fresh, hlc, nil, &schema.MemberCreateBody{Home: home.id, Fields: m.Fields}))
	envs := [][]byte{d1.Envelope, env2, d3.Envelope, d4.Envelope}
	w.rng.Shuffle(len(envs), func(i, j int) { envs[i], envs[j] = envs[j], envs[i] })
	w.forged = append(w.forged, d1.ID, id2, d3.ID, d4.ID)
	w.forgedLedgers = append(w.forgedLedgers, fresh)
	w.stats.Forged += len(envs)
	target := s
	if w.rng.IntN(4) == 0 {
		target = w.outsider(home.idx)
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

// bundle is an offline bundle being carried from one node to another.
type bundle struct {
	from, to *site
	data     []byte
	due      int // the round it arrives
}

// exportBundle has a committee write a bundle for its parent or a child:
// the ops the receiver lacks as far as the exporter knows (what it pulled,
// and the bundles sent before, assuming they arrived). Bundles arrive
// after 0 to 3 rounds, in any order; some are lost, some cut short.
func (w *Network) exportBundle() error {
	child := w.sites[1+w.rng.IntN(len(w.sites)-1)]
	from, to := child, w.sites[child.parent]
	if w.rng.IntN(2) == 0 {
		from, to = to, from
	}
	k := [2]int{to.idx, from.idx}
	since := max(w.served[k], uint64(len(w.charters))) // it joined with the directory
	if w.rng.IntN(10) < 7 {
		since = max(since, w.sentBundle[k])
	}
	var buf bytes.Buffer
	es, err := replica.ExportBundle(&buf, from.st, replica.ExportOptions{From: from.id, For: to.id, Since: since, Now: w.now(from)})
	if err != nil {
		return fmt.Errorf("sim: %s exporting a bundle for %s: %w", from, to, err)
	}
	w.sentBundle[k] = max(w.sentBundle[k], es.Head)
	w.stats.Bundles++
	data := buf.Bytes()
	switch w.rng.IntN(10) {
	case 0:
		w.stats.BundlesLost++
		return nil
	case 1:
		data = data[:w.rng.IntN(len(data))]
	}
	w.bundles = append(w.bundles, &bundle{from: from, to: to, data: data, due: w.round + w.rng.IntN(4)})
	return nil
}

// deliverBundles imports the bundles that arrive this round (all of them
// when all is set), in random order.
func (w *Network) deliverBundles(all bool) {
	var now, later []*bundle
	for _, b := range w.bundles {
		if all || b.due <= w.round {
			now = append(now, b)
		} else {
			later = append(later, b)
		}
	}
	w.bundles = later
	w.rng.Shuffle(len(now), func(i, j int) { now[i], now[j] = now[j], now[i] })
	for _, b := range now {
		is, err := replica.ImportBundle(bytes.NewReader(b.data), b.to.st, b.to.id)
		w.stats.BundleOps += is.Ops
		if err != nil {
			// Damaged bundles and ops that wait for what the bundle did
			// not carry are expected; convergence is checked at the end.
			w.stats.BundleErrors++
			w.logf("seed %d round %d: bundle %s → %s: %v", w.cfg.Seed, w.round, b.from, b.to, err)
		}
	}
}
