package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"lienthong/crdt"
	"lienthong/internal/store"
	"lienthong/schema"
)

// waitPresence waits until s has a presence filter and is not filling one.
func waitPresence(t *testing.T, s *store.Store) uint64 {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ready, filling, bits := s.PresenceFilter()
		if ready && !filling {
			return bits
		}
		if time.Now().After(deadline) {
			t.Fatalf("no presence filter after 20 s (ready %v, filling %v)", ready, filling)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestPresenceFilterCoversEveryStoredKey writes members while the filter
// is filled at open and while it grows (from a small size, several times
// over), and checks that it never denies an op or ledger the store holds,
// that it denies nearly all it does not, and that the store still tells
// duplicates from new ops, before and after a reopen.
func TestPresenceFilterCoversEveryStoredKey(t *testing.T) {
	defer store.SetPresenceMinKeys(64)()
	s, dir, opts, tree := diskStore(t)
	defer func() { s.Close() }()
	_, _, firstBits := s.PresenceFilter()
	author, hlc := tree.Grassroots, tree.LastHLC()
	rng := rand.New(rand.NewPCG(3, 5))
	var ops []*schema.Decoded
	var ledgers []schema.LedgerID
	write := func(s *store.Store, n int) {
		t.Helper()
		for n > 0 {
			k := min(n, 1+rng.IntN(40))
			var batch []*schema.Decoded
			for range k {
				hlc++
				var id schema.LedgerID
				id[0], id[1], id[2], id[3] = 0x5c, byte(hlc>>16), byte(hlc>>8), byte(hlc)
				batch = append(batch, memberCreate(author, id, hlc, map[string]string{
					"name": fmt.Sprintf("Trần Văn %d", hlc), "sex": "M", "born": "1985-04-05",
				}))
				ledgers = append(ledgers, id)
			}
			res, _, err := s.Ingest(envelopes(batch), "peer")
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.Outcome != crdt.Applied {
					t.Fatalf("create: %v %v", r.Outcome, r.Err)
				}
			}
			ops = append(ops, batch...)
			n -= k
		}
	}
	check := func(s *store.Store, stage string) {
		t.Helper()
		for _, d := range ops {
			if !s.MayHaveOp(d.ID) {
				t.Fatalf("%s: the filter denies op %s, which is stored", stage, d.ID.Short())
			}
		}
		for _, id := range ledgers {
			if !s.MayHaveLedger(id) {
				t.Fatalf("%s: the filter denies ledger %s, which is stored", stage, id)
			}
		}
		maybe := 0
		for range 10000 {
			var id schema.OpID
			for j := range id {
				id[j] = byte(rng.Uint32())
			}
			if s.MayHaveOp(id) {
				maybe++
			}
		}
		if maybe > 200 {
			t.Fatalf("%s: the filter takes %d of 10000 unknown ops for maybe stored", stage, maybe)
		}
		res, _, err := s.Ingest(envelopes(ops), "peer")
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Outcome != crdt.Duplicate {
				t.Fatalf("%s: op %d sent again: %v %v, want a duplicate", stage, i, r.Outcome, r.Err)
			}
		}
	}

	// The first filter is filled at open, before these writes. Every later
	// fill is held until they are done: they are written while the filter
	// that will replace the one in use is being filled.
	release, restore := store.HoldPresenceFills()
	defer restore()
	write(s, 1500)
	if _, filling, _ := s.PresenceFilter(); !filling {
		t.Fatal("1500 ops written and no bigger filter on its way")
	}
	release()
	bits := waitPresence(t, s)
	check(s, "after growing")
	// Each create adds an op and a ledger; the filter is sized for 12 bits
	// a key.
	if bits < 16*firstBits || bits < uint64(2*12*len(ops)) {
		t.Fatalf("the filter grew from %d to %d bits for %d ops: want it to grow with the store", firstBits, bits, len(ops))
	}
	want := s.StateHash()

	// Closed, the store saves its filter; reopened, it uses it at once.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(dir, "presence.bin")
	kept, err := os.ReadFile(saved)
	if err != nil {
		t.Fatalf("no filter saved at close: %v", err)
	}
	release, restore = store.HoldPresenceFills()
	defer restore()
	if s, err = store.Open(dir, opts); err != nil {
		t.Fatal(err)
	}
	if ready, filling, _ := s.PresenceFilter(); !ready || filling {
		t.Fatalf("reopened with a saved filter: in use %v, filling %v; want it in use at once", ready, filling)
	}
	if _, err := os.Stat(saved); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the saved filter is still there once read (%v): a crash would leave it to be read again", err)
	}
	check(s, "reopened with the saved filter")
	write(s, 100)
	check(s, "written to after reopening with the saved filter")

	// Without a saved filter (a crash), or with one saved at another state
	// or damaged, the filter is filled from the store while writes go on.
	for _, c := range []struct {
		what string
		file func(current []byte) []byte // what is left in place of the filter just saved
	}{
		{"after a crash", func([]byte) []byte { return nil }},
		{"with a filter saved before the last writes", func([]byte) []byte { return kept }},
		{"with a damaged filter", func(current []byte) []byte {
			clear(current[len(current)/4 : len(current)/2]) // a run of the filter's bits lost
			return current
		}},
	} {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		current, err := os.ReadFile(saved)
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(saved)
		if f := c.file(current); f != nil {
			if err := os.WriteFile(saved, f, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		release, restore = store.HoldPresenceFills()
		defer restore()
		if s, err = store.Open(dir, opts); err != nil {
			t.Fatal(err)
		}
		write(s, 100) // while the filter is filled from the store
		if ready, _, _ := s.PresenceFilter(); ready {
			t.Fatalf("%s: a filter is in use before its fill", c.what)
		}
		release()
		waitPresence(t, s)
		check(s, c.what)
	}
	if s.StateHash() == want {
		t.Fatal("the state hash did not change with 400 more members")
	}
}
