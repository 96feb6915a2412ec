package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"lienthong/crdt"
	"lienthong/schema"
)

// TestEachIndexed: the card index lists every card number held with its
// ledger, in order of card number, and the walk stops when asked to.
func TestEachIndexed(t *testing.T) {
	s, _, _, tree := diskStore(t)
	defer s.Close()
	author := tree.Grassroots
	want := map[string]schema.LedgerID{}
	var envs [][]byte
	for i := range 30 {
		var id schema.LedgerID
		id[0], id[1] = 0xca, byte(i)
		fields := map[string]string{"name": "Đoàn Thị Lụa", "sex": "F"}
		if i%3 != 0 { // some members have no card
			card := fmt.Sprintf("%08d", 90000000-i*7)
			fields["card"] = card
			want[card] = id
		}
		envs = append(envs, memberCreate(author, id, tree.LastHLC()+schema.HLC(i+1), fields).Envelope)
	}
	if res, _, err := s.Ingest(envs, "local"); err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	var cards []string
	got := map[string]schema.LedgerID{}
	if err := s.EachIndexed("card", func(card string, id schema.LedgerID) bool {
		cards = append(cards, card)
		got[card] = id
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || !slices.IsSorted(cards) {
		t.Fatalf("card index: %d entries (sorted: %v), want %d", len(got), slices.IsSorted(cards), len(want))
	}
	for card, id := range want {
		if got[card] != id {
			t.Fatalf("card %s: ledger %s, want %s", card, got[card], id)
		}
	}
	n := 0
	s.EachIndexed("card", func(string, schema.LedgerID) bool { n++; return n < 5 })
	if n != 5 {
		t.Fatalf("the walk went on to %d entries after fn said stop at 5", n)
	}
	// Other indexes are other prefixes: none of their values is a card.
	s.EachIndexed("home", func(v string, _ schema.LedgerID) bool {
		if !strings.HasPrefix(v, "12D3KooW") {
			t.Fatalf("home index value %q", v)
		}
		return true
	})
}

// LedgerCount counts the member ledgers EachLedger visits, not the
// directory, without reading their states.
func TestLedgerCount(t *testing.T) {
	s, _, _, tree := diskStore(t)
	defer s.Close()
	if n, err := s.LedgerCount(); err != nil || n != 0 {
		t.Fatalf("a store holding only the directory counts %d members (%v)", n, err)
	}
	var envs [][]byte
	for i := range 25 {
		var id schema.LedgerID
		id[0], id[1] = 0xcb, byte(i)
		envs = append(envs, memberCreate(tree.Grassroots, id, tree.LastHLC()+schema.HLC(i+1), map[string]string{"name": "Lường Văn Pản", "sex": "M"}).Envelope)
	}
	if res, _, err := s.Ingest(envs, "local"); err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	visited := 0
	if err := s.EachLedger(func(*crdt.Ledger) bool { visited++; return true }); err != nil {
		t.Fatal(err)
	}
	if n, err := s.LedgerCount(); err != nil || n != 25 || visited != 25 {
		t.Fatalf("LedgerCount %d (%v), EachLedger visited %d, want 25", n, err, visited)
	}
}
