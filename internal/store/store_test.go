package store_test

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"lienthong/crdt"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

func openMem(t testing.TB, root schema.CommitteeID) *store.Store {
	t.Helper()
	opts := store.DefaultOptions(root)
	opts.InMemory = true
	opts.SyncWrites = false
	s, err := store.Open("", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func envelopes(ds []*schema.Decoded) [][]byte {
	out := make([][]byte, len(ds))
	for i, d := range ds {
		out[i] = d.Envelope
	}
	return out
}

// TestAnyDeliveryOrderConverges: a real store fed a random history in any
// order, in batches of any size, with duplicates, ends with the state hash of
// the naive fold.
func TestAnyDeliveryOrderConverges(t *testing.T) {
	// The pure fold is checked on thousands of histories in crdt; this runs
	// the store's incremental path (parking, rebuilds, re-judging after a
	// revocation) on real Badger.
	cases := 300
	if testing.Short() {
		cases = 50
	}
	for seed := range cases {
		rng := rand.New(rand.NewPCG(uint64(seed), 11))
		h := testkit.RandomHistory(rng, 4, 40, seed%2 == 0)
		ledgers, dir := h.Expected()
		want := testkit.StoreHash(ledgers, dir)
		all := h.All()
		for i := 0; i < len(all)/5; i++ {
			all = append(all, all[rng.IntN(len(all))])
		}
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		s := openMem(t, h.Tree.Root.ID())
		for len(all) > 0 {
			n := 1 + rng.IntN(min(len(all), 12))
			if _, _, err := s.Ingest(envelopes(all[:n]), "peer"); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			all = all[n:]
		}
		if got := s.StateHash(); got != want {
			for id, lh := range ledgers {
				l, err := s.Ledger(id)
				if err != nil {
					t.Fatalf("seed %d: ledger %s: %v", seed, id, err)
				}
				raw, _ := l.Encode()
				if crdt.StateHash(raw) != lh {
					t.Errorf("seed %d: ledger %s differs: history %d ops in store vs expected", seed, id, len(l.History))
				}
			}
			t.Fatalf("seed %d: state hash %s, want %s", seed, got, want)
		}
		checkFeedServesAccepted(t, s)
		s.Close()
	}
}

// checkFeedServesAccepted checks that the feed serves each accepted op once
// and no other: an op quarantined after it was accepted is not served from
// its old entry.
func checkFeedServesAccepted(t *testing.T, s *store.Store) {
	t.Helper()
	accepted, _, _, err := s.Counts()
	if err != nil {
		t.Fatal(err)
	}
	served := map[schema.OpID]bool{}
	rd := s.NewReader()
	defer rd.Close()
	err = s.Feed(0, func(e store.FeedEntry) bool {
		if e.Envelope == nil {
			return true
		}
		if served[e.ID] {
			t.Fatalf("op %s served twice", e.ID.Short())
		}
		served[e.ID] = true
		if env, err := rd.Op(e.ID); err != nil || !slices.Equal(env, e.Envelope) {
			t.Fatalf("feed entry %d serves op %s, which is not accepted (%v)", e.Seq, e.ID.Short(), err)
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(served) != accepted {
		t.Fatalf("the feed serves %d ops; %d are accepted", len(served), accepted)
	}
}

// TestPipelinedChunksConverge is the test above with each Ingest call split
// into many small chunks, so that every chunk is processed while the one
// before it commits: duplicates, deps, refolds and parked ops spanning
// chunks, and directory ops that need a scan (and so wait for the chunk in
// flight), must give the same state as the naive fold.
func TestPipelinedChunksConverge(t *testing.T) {
	cases := 200
	if testing.Short() {
		cases = 30
	}
	for seed := range cases {
		rng := rand.New(rand.NewPCG(uint64(seed), 13))
		chunk := 1 + rng.IntN(6)
		restore := store.SetOpsPerTxn(chunk)
		h := testkit.RandomHistory(rng, 5, 60, seed%2 == 0)
		ledgers, dir := h.Expected()
		want := testkit.StoreHash(ledgers, dir)
		all := h.All()
		for i := 0; i < len(all)/4; i++ {
			all = append(all, all[rng.IntN(len(all))])
		}
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		s := openMem(t, h.Tree.Root.ID())
		// Every third seed applies each call before the next; the others
		// hand calls over asynchronously, one still landing while the
		// next is processed, and some of them mix in synchronous calls.
		async, mixed := seed%3 != 0, seed%3 == 2
		var prev *store.Pending
		prevN := 0
		check := func(p *store.Pending, n int) {
			res, _, err := p.Wait()
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			if len(res) != n {
				t.Fatalf("seed %d: %d results for %d ops", seed, len(res), n)
			}
		}
		for len(all) > 0 {
			n := 1 + rng.IntN(min(len(all), 40))
			envs := envelopes(all[:n])
			all = all[n:]
			if !async || mixed && rng.IntN(4) == 0 {
				res, _, err := s.Ingest(envs, "peer")
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if len(res) != n {
					t.Fatalf("seed %d: %d results for %d ops", seed, len(res), n)
				}
				continue
			}
			p := s.ApplyVerifiedAsync(s.Verify(envs), "peer", "", nil)
			if prev != nil {
				check(prev, prevN)
			}
			prev, prevN = p, n
		}
		if prev != nil {
			check(prev, prevN)
		}
		if got := s.StateHash(); got != want {
			t.Fatalf("seed %d (chunks of %d): state hash %s, want %s", seed, chunk, got, want)
		}
		// What is on disk agrees with what the store keeps in memory.
		if got, err := s.RecomputeHash(); err != nil || got != want {
			t.Fatalf("seed %d: recomputed hash %s (%v), want %s", seed, got, err, want)
		}
		s.Close()
		restore()
	}
}

func TestRejectionsChangeNothing(t *testing.T) {
	tree := testkit.NewTree(100)
	s := openMem(t, tree.Root.ID())
	if _, st, err := s.Ingest(envelopes(tree.Charters), "peer"); err != nil || st.Applied != len(tree.Charters) {
		t.Fatalf("charters: %+v %v", st, err)
	}
	id := schema.LedgerID{1}
	create := testkit.Sign(tree.Cell1, testkit.Op(tree.Cell1, id, 1000, nil, &schema.MemberCreateBody{Home: tree.Cell1.ID(), Fields: map[string]string{"name": "Đỗ Thị Hằng"}}))
	if _, st, err := s.Ingest([][]byte{create.Envelope}, "peer"); err != nil || st.Applied != 1 {
		t.Fatalf("create: %+v %v", st, err)
	}
	before := s.StateHash()
	setBy := func(a *schema.Signer) []byte {
		return testkit.Sign(a, testkit.Op(a, id, 1100, []schema.OpID{create.ID}, &schema.MemberSetBody{Fields: map[string]string{"phone": "0912345678"}})).Envelope
	}
	forged := append([]byte(nil), setBy(tree.Cell1)...)
	forged[len(forged)-3] ^= 0xff // inside the signature
	env, err := schema.DecodeEnvelope(setBy(tree.Cell1))
	if err != nil {
		t.Fatal(err)
	}
	env.Op = append(env.Op[:len(env.Op)-1:len(env.Op)-1], 0xff) // body byte changed, old signature
	tampered, _ := schema.Marshal(env)
	// Validly signed, but the body sets a 3-digit card number.
	badBody, _, err := tree.Cell1.Sign(&schema.Op{Ledger: id, Author: tree.Cell1.ID(), Deps: []schema.OpID{create.ID}, HLC: 1100, Kind: schema.KindMemberSet,
		Body: []byte{0xa1, 0x01, 0xa1, 0x64, 'c', 'a', 'r', 'd', 0x63, '1', '2', '3'}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  []byte
		want error
	}{
		{"unknown key", setBy(testkit.Signer("stranger")), crdt.ErrUnauthorized},
		{"not home nor superior", setBy(tree.Commune), crdt.ErrUnauthorized},
		{"forged signature", forged, schema.ErrBadSignature},
		{"tampered op", tampered, schema.ErrMalformed},
		{"oversized", make([]byte, schema.MaxEnvelopeSize+1), schema.ErrTooLarge},
		{"garbage", []byte{0xff, 0x00, 0x13}, schema.ErrMalformed},
		{"malformed body", badBody, schema.ErrInvalidField},
		{"unknown kind", mustSign(t, tree.Cell1, &schema.Op{Ledger: id, Author: tree.Cell1.ID(), HLC: 1100, Kind: 999, Body: []byte{0xa0}}), schema.ErrUnknownKind},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, _, err := s.Ingest([][]byte{tc.env}, "peer")
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Outcome != crdt.Rejected || !errors.Is(res[0].Err, tc.want) {
				t.Fatalf("outcome %s err %v, want rejected with %v", res[0].Outcome, res[0].Err, tc.want)
			}
			if s.StateHash() != before {
				t.Fatal("state changed")
			}
		})
	}
}

func mustSign(t *testing.T, s *schema.Signer, op *schema.Op) []byte {
	t.Helper()
	env, _, err := s.Sign(op)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// TestOpensAfterCrashLeavesEmptyLog: a process killed between creating a
// memtable file and sizing it leaves an empty file; the store still opens
// and keeps what it had.
func TestOpensAfterCrashLeavesEmptyLog(t *testing.T) {
	tree := testkit.NewTree(100)
	dir := t.TempDir()
	s, err := store.Open(dir, store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		t.Fatal(err)
	}
	s.Ingest(envelopes(tree.Charters), "join")
	want := s.StateHash()
	s.Close()
	for _, name := range []string{"00099.mem", "000099.vlog"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err = store.Open(dir, store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		t.Fatalf("store does not open with an empty log file: %v", err)
	}
	defer s.Close()
	if s.StateHash() != want {
		t.Fatal("state changed")
	}
}

// TestRejectedCharterIsJudgedAgain: a charter rejected because its parent
// had none yet becomes valid when the parent's charter arrives, though that
// charter sorts after every directory op held; so does a member ledger the
// new committee opened, rejected with it.
func TestRejectedCharterIsJudgedAgain(t *testing.T) {
	tree := testkit.NewTree(100)
	s := openMem(t, tree.Root.ID())
	if _, _, err := s.Ingest(envelopes(tree.Charters), "peer"); err != nil {
		t.Fatal(err)
	}
	ward, group := testkit.Signer("ward"), testkit.Signer("group")
	wardCharter := testkit.Sign(tree.Commune, testkit.Op(tree.Commune, schema.DirectoryLedger, 200, tree.Heads(),
		&schema.CharterBody{ID: ward.ID(), Name: "Chi bộ Khu phố 2", Level: "cell", Parent: tree.Commune.ID(), Kind: schema.CommitteeResidential, IssuedAt: "2025-08-01"}))
	groupCharter := testkit.Sign(ward, testkit.Op(ward, schema.DirectoryLedger, 300, tree.Heads(),
		&schema.CharterBody{ID: group.ID(), Name: "Tổ đảng 1", Level: "cell", Parent: ward.ID(), Kind: schema.CommitteeResidential, IssuedAt: "2025-08-02"}))
	id := schema.LedgerID{7}
	create := testkit.Sign(group, testkit.Op(group, id, 400, nil, &schema.MemberCreateBody{Home: group.ID(), Fields: map[string]string{"name": "Lê Văn Bình"}}))
	for _, batch := range [][]*schema.Decoded{{groupCharter, create}, {wardCharter}} {
		if _, _, err := s.Ingest(envelopes(batch), "peer"); err != nil {
			t.Fatal(err)
		}
	}
	h := &testkit.History{Tree: tree, Dir: append(slices.Clone(tree.Charters), wardCharter, groupCharter), Members: []*schema.Decoded{create}}
	ledgers, dir := h.Expected()
	if _, ok := dir.Current(group.ID()); !ok || len(ledgers) != 1 {
		t.Fatal("the fold rejects the ops; the test no longer shows what it should")
	}
	if got, want := s.StateHash(), testkit.StoreHash(ledgers, dir); got != want {
		_, q, _, _ := s.Counts()
		t.Fatalf("state hash %s, want that of the fold %s (%d ops quarantined)", got, want, q)
	}
}

// TestStakeChangesAreRecorded: an op that makes a ledger name a committee
// it did not name is recorded at its feed position, with what the ledger
// named before; other ops are not.
func TestStakeChangesAreRecorded(t *testing.T) {
	tree := testkit.NewTree(100)
	s := openMem(t, tree.Root.ID())
	if _, _, err := s.Ingest(envelopes(tree.Charters), "peer"); err != nil {
		t.Fatal(err)
	}
	id := schema.LedgerID{9}
	create := testkit.Sign(tree.Cell1, testkit.Op(tree.Cell1, id, 1000, nil, &schema.MemberCreateBody{Home: tree.Cell1.ID(), Fields: map[string]string{"name": "Vũ Thị Lan"}}))
	set := testkit.Sign(tree.Cell1, testkit.Op(tree.Cell1, id, 1010, []schema.OpID{create.ID}, &schema.MemberSetBody{Fields: map[string]string{"phone": "0912345678"}}))
	intro := testkit.Sign(tree.Cell1, testkit.Op(tree.Cell1, id, 1020, []schema.OpID{set.ID},
		&schema.ResidenceIntroBody{Residence: tree.Commune.ID(), Address: "Số 4, phố Trần Hưng Đạo", Date: "2026-01-03"}))
	var at uint64
	for _, d := range []*schema.Decoded{create, set, intro} {
		if _, st, err := s.Ingest([][]byte{d.Envelope}, "peer"); err != nil || st.Applied != 1 {
			t.Fatalf("%s: %+v %v", d.Op.Kind, st, err)
		}
		at = s.Seq()
	}
	var got []store.StakeChange
	if err := s.StakeChanges(0, s.Seq(), func(c store.StakeChange) bool { got = append(got, c); return true }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Seq != at || got[0].Ledger != id ||
		!slices.Equal(got[0].Before, []schema.CommitteeID{tree.Cell1.ID()}) || !slices.Equal(got[0].Added, []schema.CommitteeID{tree.Commune.ID()}) {
		t.Fatalf("stake changes %+v, want the introduction's alone, at %d", got, at)
	}
	if err := s.StakeChanges(at, s.Seq(), func(store.StakeChange) bool { t.Fatal("a change after its position"); return false }); err != nil {
		t.Fatal(err)
	}
}
