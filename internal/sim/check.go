package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"lienthong/crdt"
	"lienthong/internal/store"
	"lienthong/schema"
)

// expected is what every stakeholder of a ledger must hold: the state at
// its home node, which is the naive model's.
type expected struct {
	raw      []byte
	l        *crdt.Ledger
	home     *site
	stake    map[int]bool // stakeholders now, by site index
	eligible map[int]bool // committees the ledger ever named, and their superiors
	holders  map[int]bool
	gone     bool // the fold rejects its create
}

// Check verifies convergence after Run:
//   - every node holds the same directory (but revoked cells, which nobody
//     syncs with any more);
//   - the home node of every member ledger (the home its final state
//     names, which official transfers change, or its nearest superior not
//     revoked) holds the state of the naive model: the fold of every op
//     written anywhere for that ledger;
//   - every stakeholder of a ledger (the committees its state names and
//     their superiors, but revoked cells) holds it with byte-identical
//     state; a node that is
//     no stakeholder holds it only if some op once named it or a
//     subordinate (it keeps what it had when its stake ended);
//   - the state each node holds of each ledger is the fold of the ops it
//     holds for it, accepted and rejected, under its own directory;
//   - no node accepted a forged op or holds a ledger a forger opened;
//   - every node's store-wide state hash is the combination of the states
//     it holds.
//
// It returns the first difference found, with both states.
func (w *Network) Check() error {
	if err := w.check(); err != nil {
		return fmt.Errorf("seed %d: %w", w.cfg.Seed, err)
	}
	return nil
}

func (w *Network) check() error {
	w.stats.Stranded = 0
	dirRaw, err := w.dir.Encode()
	if err != nil {
		return err
	}
	for _, s := range w.sites {
		if w.revoked[s.idx] {
			continue // it may never learn of its revocation: nobody syncs with it
		}
		got, err := s.st.Directory().Encode()
		if err != nil {
			return err
		}
		if !bytes.Equal(got, dirRaw) {
			d := s.st.Directory()
			return fmt.Errorf("%s holds a different directory: %d committees, %d ops, heads %v; want %d, %d, %v",
				s, len(d.Charters), len(d.DAG.Ops), shorts(d.DAG.Heads), len(w.dir.Charters), len(w.dir.DAG.Ops), shorts(w.dir.DAG.Heads))
		}
	}

	want := make(map[schema.LedgerID]*expected, len(w.ledgers))
	for _, id := range w.ledgers {
		model, _ := crdt.Rebuild(w.dir, id, w.ops[id])
		if !model.Created() {
			// Opened by a revoked cell after its revocation (it did not
			// know): no node that knows may hold it.
			want[id] = &expected{l: model, gone: true}
			continue
		}
		modelRaw, err := model.Encode()
		if err != nil {
			return err
		}
		// The partial decoding that scope checks use says the same.
		sc, err := crdt.DecodeScope(id, modelRaw)
		if err != nil {
			return err
		}
		if !slices.Equal(sc.Named(), model.Named()) || sc.HasClosed() != model.HasClosed() {
			return fmt.Errorf("ledger %s: its state decoded for scope names %v (closed %v), the whole state %v (closed %v)", id, sc.Named(), sc.HasClosed(), model.Named(), model.HasClosed())
		}
		home, ok := w.byID[model.HomeCommittee()]
		if !ok {
			return fmt.Errorf("ledger %s: the naive model names home %q, which has no node\n%s", id, model.HomeCommittee(), w.describe(model))
		}
		for _, i := range home.chain {
			if !w.revoked[i] {
				home = w.sites[i] // a revoked home's parent keeps its records
				break
			}
		}
		l, err := home.st.Ledger(id)
		if err != nil {
			return fmt.Errorf("ledger %s: its home committee %s does not hold it (%v)\nthe naive model:\n%s", id, home, err, w.describe(model))
		}
		raw, err := l.Encode()
		if err != nil {
			return err
		}
		if !bytes.Equal(raw, modelRaw) && w.cfg.AllowStranded {
			if n := w.stranded(home, model); n > 0 {
				// Some op the model accepts never reached the home node:
				// compare the stakeholders with each other only.
				w.stats.Stranded += n
				modelRaw = raw
			}
		}
		if !bytes.Equal(raw, modelRaw) {
			return fmt.Errorf("ledger %s at its home committee %s differs from the naive model%s\nat home:\n%s\nthe naive model (every op written anywhere):\n%s",
				id, home, w.opsDiff(l, model), w.describe(l), w.describe(model))
		}
		e := &expected{raw: raw, l: l, home: home, stake: map[int]bool{}, eligible: map[int]bool{}, holders: map[int]bool{}}
		for _, c := range crdt.Stakeholders(w.dir, l) {
			s, ok := w.byID[c]
			if !ok {
				return fmt.Errorf("ledger %s names committee %s, which has no node", id, c)
			}
			if !w.revoked[s.idx] {
				e.stake[s.idx] = true
			}
		}
		for _, i := range w.eligible[id] {
			e.eligible[i] = true
		}
		for _, i := range home.chain {
			if !e.stake[i] && !w.revoked[i] {
				return fmt.Errorf("ledger %s: %s is a superior of its home %s but not a stakeholder", id, w.sites[i], home)
			}
		}
		want[id] = e
	}

	w.stats.Parked, w.stats.Quarantined = 0, 0
	for _, s := range w.sites {
		if err := w.checkSite(s, want, dirRaw); err != nil {
			return err
		}
	}
	for _, id := range w.ledgers {
		e := want[id]
		if e.gone {
			continue
		}
		for _, i := range sortedKeys(e.stake) {
			if !e.holders[i] {
				return fmt.Errorf("ledger %s: stakeholder %s does not hold it (home %s)\nat home:\n%s", id, w.sites[i], e.home, w.describe(e.l))
			}
		}
	}

	for _, s := range w.sites {
		for _, id := range w.forged {
			_, err := s.st.Op(id)
			if err == nil {
				return fmt.Errorf("%s accepted forged op %s", s, id.Short())
			}
			if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%s: reading op %s: %w", s, id.Short(), err)
			}
		}
		for _, id := range w.forgedLedgers {
			if _, err := s.st.Ledger(id); err == nil {
				return fmt.Errorf("%s holds ledger %s, opened by a forger", s, id)
			}
		}
	}
	return nil
}

// checkSite checks what one node holds against want.
func (w *Network) checkSite(s *site, want map[schema.LedgerID]*expected, dirRaw []byte) error {
	quarantined, err := s.st.Quarantine(1 << 30)
	if err != nil {
		return err
	}
	rejected := map[schema.LedgerID][]*schema.Decoded{}
	for _, q := range quarantined {
		if d, err := schema.DecodeStored(q.Envelope); err == nil {
			rejected[q.Ledger] = append(rejected[q.Ledger], d)
		}
	}
	dir := s.st.Directory()
	if w.revoked[s.idx] {
		raw, err := dir.Encode()
		if err != nil {
			return err
		}
		dirRaw = raw
	}
	hash := crdt.Contribution(schema.DirectoryLedger, crdt.StateHash(dirRaw))
	var held []*crdt.Ledger
	if err := s.st.EachLedger(func(l *crdt.Ledger) bool { held = append(held, l); return true }); err != nil {
		return fmt.Errorf("%s: reading ledgers: %w", s, err)
	}
	for _, l := range held {
		raw, err := l.Encode()
		if err != nil {
			return err
		}
		hash = hash.Xor(crdt.Contribution(l.ID, crdt.StateHash(raw)))
		e, ok := want[l.ID]
		switch {
		case !ok:
			return fmt.Errorf("%s holds ledger %s, which no legitimate write opened:\n%s", s, l.ID, w.describe(l))
		case e.gone:
			if !w.revoked[s.idx] {
				return fmt.Errorf("%s holds ledger %s, whose create the fold rejects:\n%s", s, l.ID, w.describe(l))
			}
		case e.stake[s.idx]:
			if !bytes.Equal(raw, e.raw) {
				return fmt.Errorf("ledger %s differs between its home %s and stakeholder %s%s\nat home:\n%s\nat %s:\n%s",
					l.ID, e.home, s, w.opsDiff(e.l, l), w.describe(e.l), s, w.describe(l))
			}
			e.holders[s.idx] = true
		case !e.eligible[s.idx]:
			return fmt.Errorf("%s holds ledger %s, but no op ever named it or a subordinate (home %s)\n%s", s, l.ID, e.home, w.describe(l))
		}
		envs, err := s.st.LedgerOps(l.ID)
		if err != nil {
			return fmt.Errorf("%s: ops of ledger %s: %w", s, l.ID, err)
		}
		ops := slices.Clone(rejected[l.ID])
		for _, env := range envs {
			d, err := schema.DecodeStored(env)
			if err != nil {
				return fmt.Errorf("%s: op of ledger %s: %w", s, l.ID, err)
			}
			ops = append(ops, d)
		}
		fold, _ := crdt.Rebuild(dir, l.ID, ops)
		if foldRaw, _ := fold.Encode(); !bytes.Equal(foldRaw, raw) {
			return fmt.Errorf("%s: its state of ledger %s is not the fold of the ops it holds (%d accepted, %d rejected)%s\nheld:\n%s\nfolded:\n%s",
				s, l.ID, len(envs), len(rejected[l.ID]), w.opsDiff(l, fold), w.describe(l), w.describe(fold))
		}
	}
	if got := s.st.StateHash(); got != hash {
		return fmt.Errorf("%s: store-wide state hash %s, but the states it holds combine to %s", s, got, hash)
	}
	_, q, p, err := s.st.Counts()
	if err != nil {
		return err
	}
	w.stats.Quarantined += q
	w.stats.Parked += p
	return nil
}

// stranded counts the ops the model accepts that home never received.
func (w *Network) stranded(home *site, model *crdt.Ledger) int {
	n := 0
	for _, m := range model.DAG.Ops {
		if ok, err := home.st.HasOp(m.ID); err == nil && !ok {
			n++
		}
	}
	return n
}

// Digest hashes every node's store-wide state hash and feed head: two runs
// of the same config have the same digest.
func (w *Network) Digest() crdt.Hash {
	h := sha256.New()
	for _, s := range w.sites {
		sh := s.st.StateHash()
		h.Write(sh[:])
		h.Write(binary.BigEndian.AppendUint64(nil, s.st.Seq()))
	}
	var out crdt.Hash
	copy(out[:], h.Sum(nil))
	return out
}

// opsDiff lists the ops one state has and the other lacks.
func (w *Network) opsDiff(a, b *crdt.Ledger) string {
	var sb strings.Builder
	only := func(x, y *crdt.Ledger, label string) {
		for _, m := range x.DAG.Ops {
			if _, ok := y.DAG.Get(m.ID); !ok {
				fmt.Fprintf(&sb, "\n  only %s: %s", label, w.opLine(m))
			}
		}
	}
	only(a, b, "in the first")
	only(b, a, "in the second")
	if sb.Len() == 0 {
		return "\n  (same ops; the states differ)"
	}
	return sb.String()
}

func (w *Network) opLine(m crdt.OpMeta) string {
	return fmt.Sprintf("op %s %s by %s, clock %d (%d ms +%d), deps %v", m.ID.Short(), m.Kind, w.label(m.Author),
		m.HLC, m.HLC.Millis()-start.UnixMilli(), uint64(m.HLC)&0xffff, shorts(m.Deps))
}

// describe prints a ledger state for people.
func (w *Network) describe(l *crdt.Ledger) string {
	var b strings.Builder
	raw, _ := l.Encode()
	fmt.Fprintf(&b, "  ledger %s, state hash %s\n", l.ID, crdt.StateHash(raw))
	var homes []string
	for _, v := range l.Home {
		homes = append(homes, w.label(schema.CommitteeID(v.V)))
	}
	fmt.Fprintf(&b, "  home %s, status %q, heads %v\n", strings.Join(homes, " | "), l.Status, shorts(l.DAG.Heads))
	for _, m := range l.DAG.Ops {
		fmt.Fprintf(&b, "  %s\n", w.opLine(m))
	}
	for _, f := range l.Fields {
		var vs []string
		for _, v := range f.Register {
			vs = append(vs, fmt.Sprintf("%q (op %s)", v.V, v.Op.Short()))
		}
		fmt.Fprintf(&b, "  %s = %s\n", f.Name, strings.Join(vs, " | "))
	}
	return b.String()
}

func (w *Network) label(c schema.CommitteeID) string {
	if s, ok := w.byID[c]; ok {
		return s.String()
	}
	return string(c)
}

func shorts(ids []schema.OpID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.Short()
	}
	return out
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
