package skl

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dgraph-io/badger/v4/y"
)

// TestFingerPutsAsPut (Patched for lienthong): puts through a finger, in
// runs of ascending keys as transactions write them, with overwrites, keys
// before the finger and new levels, leave the list a plain Put leaves:
// every level in order, every key with its last value.
func TestFingerPutsAsPut(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		s := NewSkiplist(64 << 20)
		var f Finger
		want := map[string][]byte{}
		key := func() []byte {
			var k [10]byte
			k[0] = "fklox"[rng.IntN(5)]
			binary.BigEndian.PutUint64(k[2:], rng.Uint64N(1<<(8+rng.IntN(30))))
			return y.KeyWithTs(k[:], 1)
		}
		for round := 0; round < 60; round++ {
			n := 1 + rng.IntN(400)
			keys := make([][]byte, 0, n)
			for i := 0; i < n; i++ {
				if len(want) > 0 && rng.IntN(8) == 0 {
					for k := range want { // an overwrite
						keys = append(keys, []byte(k))
						break
					}
					continue
				}
				keys = append(keys, key())
			}
			if rng.IntN(4) > 0 {
				slices.SortFunc(keys, y.CompareKeys)
			}
			for i, k := range keys {
				v := []byte(fmt.Sprintf("%d.%d.%d", seed, round, i))
				s.PutFrom(&f, k, y.ValueStruct{Value: v})
				want[string(k)] = v
			}
			checkList(t, s, want)
		}
		s.DecrRef()
	}
}

func checkList(t *testing.T, s *Skiplist, want map[string][]byte) {
	t.Helper()
	for level := 0; level < int(s.getHeight()); level++ {
		var last []byte
		for n := s.getNext(s.head, level); n != nil; n = s.getNext(n, level) {
			k := n.key(s.arena)
			if last != nil && y.CompareKeys(last, k) >= 0 {
				t.Fatalf("level %d out of order: %x then %x", level, last, k)
			}
			last = k
		}
	}
	count := 0
	for n := s.getNext(s.head, 0); n != nil; n = s.getNext(n, 0) {
		count++
	}
	if count != len(want) {
		t.Fatalf("%d keys in the list, want %d", count, len(want))
	}
	for k, v := range want {
		if got := s.Get([]byte(k)); !bytes.Equal(got.Value, v) {
			t.Fatalf("key %x: %q, want %q", k, got.Value, v)
		}
	}
}

// BenchmarkSortedBatches puts batches of 14,000 keys in key order (a
// store chunk: sequential feed and ledger keys, random op keys) into a list
// that holds half a million, with and without a finger.
func BenchmarkSortedBatches(b *testing.B) {
	for _, finger := range []bool{false, true} {
		b.Run(fmt.Sprintf("finger=%v", finger), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			s := NewSkiplist(1 << 30)
			var f Finger
			seq := uint64(0)
			batch := func() [][]byte {
				keys := make([][]byte, 0, 14000)
				for i := 0; i < 2000; i++ {
					seq++
					for _, p := range "flo" {
						var k [34]byte
						k[0], k[1] = byte(p), '/'
						if p == 'o' {
							binary.BigEndian.PutUint64(k[2:], rng.Uint64())
						} else {
							binary.BigEndian.PutUint64(k[2:], seq)
						}
						keys = append(keys, y.KeyWithTs(k[:], seq))
					}
				}
				slices.SortFunc(keys, y.CompareKeys)
				return keys
			}
			put := func(keys [][]byte) {
				for _, k := range keys {
					if finger {
						s.PutFrom(&f, k, y.ValueStruct{Value: k[:8]})
					} else {
						s.Put(k, y.ValueStruct{Value: k[:8]})
					}
				}
			}
			for i := 0; i < 80; i++ {
				put(batch())
			}
			b.ResetTimer()
			n := 0
			for b.Loop() {
				b.StopTimer()
				keys := batch()
				b.StartTimer()
				put(keys)
				n += len(keys)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/key")
		})
	}
}
