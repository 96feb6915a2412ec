package testkit

import (
	"math/rand/v2"
	"slices"

	"lienthong/crdt"
	"lienthong/schema"
)

// History is a random set of ops written by several committees with partial,
// diverging views of each other's work, as offline sites produce them.
type History struct {
	Tree    *Tree
	Dir     []*schema.Decoded // charters, then a revocation if any
	Members []*schema.Decoded // member ledger ops
}

// All returns every op, directory first.
func (h *History) All() []*schema.Decoded { return slices.Concat(h.Dir, h.Members) }

type writer struct {
	s     *schema.Signer
	clock schema.HLC
	skew  int64
	known map[schema.LedgerID][]*schema.Decoded
}

var fieldPool = map[string][]string{
	"phone":      {"0912345678", "0987654321", "0903111222"},
	"address":    {"Số 5, phố Hàng Bài, Hà Nội", "Số 12, ngõ 45, Trần Hưng Đạo", "Thôn Đông, xã Yên Sở"},
	"occupation": {"Kỹ sư", "Giáo viên", "Kế toán", "Bác sĩ"},
	"card":       {"01234567", "07654321", "09999999"},
	"workplace":  {"Công ty Điện lực", "Trường THPT Chu Văn An"},
}

var fieldNames = func() []string {
	ks := make([]string, 0, len(fieldPool))
	for k := range fieldPool {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}()

// RandomHistory generates about steps ops over up to ledgers member ledgers.
// With revoke, Grassroots revokes Cell2 at a random point.
func RandomHistory(rng *rand.Rand, ledgers, steps int, revoke bool) *History {
	tree := NewTree(schema.MakeHLC(1_700_000_000_000, 0))
	h := &History{Tree: tree, Dir: slices.Clone(tree.Charters)}
	dir, _ := crdt.RebuildDirectory(tree.Root.ID(), h.Dir)
	base := tree.LastHLC().Millis()
	ws := []*writer{}
	for _, s := range []*schema.Signer{tree.Cell1, tree.Cell2, tree.Grassroots, tree.Root, tree.Commune} {
		ws = append(ws, &writer{s: s, clock: tree.LastHLC(), skew: rng.Int64N(2000) - 1000, known: map[schema.LedgerID][]*schema.Decoded{}})
	}
	var ids []schema.LedgerID
	now := base
	revokeAt := -1
	if revoke {
		revokeAt = rng.IntN(steps)
	}
	for step := 0; step < steps; step++ {
		now += rng.Int64N(50)
		if step == revokeAt {
			g := ws[2]
			g.clock = g.clock.Next(now+g.skew, tree.LastHLC())
			d := Sign(g.s, Op(g.s, schema.DirectoryLedger, g.clock, tree.Heads(), &schema.RevocationBody{ID: tree.Cell2.ID(), Reason: "giải thể", Date: "2025-09-01"}))
			h.Dir = append(h.Dir, d)
			continue
		}
		w := ws[rng.IntN(len(ws))]
		switch r := rng.IntN(10); {
		case r < 2 || len(ids) == 0:
			if len(ids) >= ledgers {
				continue
			}
			var id schema.LedgerID
			for i := range id {
				id[i] = byte(rng.Uint32())
			}
			home := tree.Cell1.ID()
			if rng.IntN(3) == 0 {
				home = tree.Cell2.ID()
			}
			w.clock = w.clock.Next(now + w.skew)
			d := Sign(w.s, Op(w.s, id, w.clock, nil, &schema.MemberCreateBody{Home: home, Fields: map[string]string{"name": "Nguyễn Văn An", "sex": "M"}}))
			ids = append(ids, id)
			w.known[id] = append(w.known[id], d)
			h.Members = append(h.Members, d)
		case r < 4:
			o := ws[rng.IntN(len(ws))]
			for id, ops := range o.known {
				w.known[id] = mergeOps(w.known[id], ops)
			}
		default:
			id := ids[rng.IntN(len(ids))]
			if len(w.known[id]) == 0 {
				continue
			}
			l, _ := crdt.Rebuild(dir, id, w.known[id])
			if !l.Created() {
				continue
			}
			w.clock = w.clock.Next(now+w.skew, l.DAG.Last().HLC)
			var body any
			field := fieldNames[rng.IntN(len(fieldNames))]
			val := fieldPool[field][rng.IntN(len(fieldPool[field]))]
			switch rng.IntN(6) {
			case 0:
				target := l.DAG.Ops[rng.IntN(len(l.DAG.Ops))].ID
				body = &schema.MemberCorrectBody{Target: target, Fields: map[string]string{field: val}, Reason: "ghi nhầm"}
			case 1:
				mv := schema.MovementTypes[rng.IntN(len(schema.MovementTypes))]
				body = &schema.MovementBody{Type: mv, Date: "2025-10-01", Reason: "theo quyết định"}
			default:
				body = &schema.MemberSetBody{Fields: map[string]string{field: val}}
			}
			d := Sign(w.s, Op(w.s, id, w.clock, slices.Clone(l.DAG.Heads), body))
			w.known[id] = append(w.known[id], d)
			h.Members = append(h.Members, d)
		}
	}
	return h
}

func mergeOps(a, b []*schema.Decoded) []*schema.Decoded {
	seen := map[schema.OpID]bool{}
	for _, d := range a {
		seen[d.ID] = true
	}
	for _, d := range b {
		if !seen[d.ID] {
			a = append(a, d)
			seen[d.ID] = true
		}
	}
	return a
}

// Expected folds the history from scratch: the naive model every
// incremental path must agree with. It returns the state hash per ledger
// (absent: no accepted create) and the directory.
func (h *History) Expected() (map[schema.LedgerID]crdt.Hash, *crdt.Directory) {
	dir, _ := crdt.RebuildDirectory(h.Tree.Root.ID(), h.Dir)
	byLedger := map[schema.LedgerID][]*schema.Decoded{}
	for _, d := range h.Members {
		byLedger[d.Op.Ledger] = append(byLedger[d.Op.Ledger], d)
	}
	out := map[schema.LedgerID]crdt.Hash{}
	for id, ops := range byLedger {
		l, _ := crdt.Rebuild(dir, id, ops)
		if !l.Created() {
			continue
		}
		raw, err := l.Encode()
		if err != nil {
			panic(err)
		}
		out[id] = crdt.StateHash(raw)
	}
	return out, dir
}

// StoreHash combines per-ledger hashes and the directory the way a store
// does, for comparison with Store.StateHash.
func StoreHash(ledgers map[schema.LedgerID]crdt.Hash, dir *crdt.Directory) crdt.Hash {
	var h crdt.Hash
	for id, lh := range ledgers {
		h = h.Xor(crdt.Contribution(id, lh))
	}
	raw, err := dir.Encode()
	if err != nil {
		panic(err)
	}
	return h.Xor(crdt.Contribution(schema.DirectoryLedger, crdt.StateHash(raw)))
}
