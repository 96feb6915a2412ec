package store

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// presenceKeys returns n distinct op keys drawn from seed.
func presenceKeys(seed uint64, n int) [][]byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	keys := make([][]byte, n)
	for i := range keys {
		var id [32]byte
		for j := 0; j < 32; j += 8 {
			binary.LittleEndian.PutUint64(id[j:], rng.Uint64())
		}
		keys[i] = cat(pOp, id[:])
	}
	return keys
}

// TestPresenceFalsePositives fills filters to the number of keys they are
// sized for: every key added is reported, and keys never added are
// reported as maybe there at about the rate the sizing promises.
func TestPresenceFalsePositives(t *testing.T) {
	for _, size := range []int{1 << 10, 1 << 15, 1 << 18} {
		p := newPresence(size)
		in := presenceKeys(1, int(p.limit))
		for _, k := range in {
			p.add(k)
		}
		for i, k := range in {
			if !p.mayHave(k) {
				t.Fatalf("filter for %d keys: key %d added, reported absent", size, i)
			}
		}
		out := presenceKeys(2, 200_000)
		fp := 0
		for _, k := range out {
			if p.mayHave(k) {
				fp++
			}
		}
		rate := float64(fp) / float64(len(out))
		t.Logf("filter of %d bits with %d keys: %.3f%% false positives", p.mask+1, p.keys.Load(), 100*rate)
		if rate > 0.01 {
			t.Errorf("filter of %d bits with %d keys: %.2f%% false positives, want under 1%%", p.mask+1, p.keys.Load(), 100*rate)
		}
	}
}

// BenchmarkPresence asks a filter of a store with a million ops (two
// million keys) about keys it does not hold, and adds new ones.
func BenchmarkPresence(b *testing.B) {
	p := newPresence(1 << 21)
	for _, k := range presenceKeys(1, 1<<21) {
		p.add(k)
	}
	absent := presenceKeys(2, 1<<16)
	b.Run("absent", func(b *testing.B) {
		i := 0
		for b.Loop() {
			p.mayHave(absent[i&(len(absent)-1)])
			i++
		}
	})
	b.Run("add", func(b *testing.B) {
		i := 0
		for b.Loop() {
			p.add(absent[i&(len(absent)-1)])
			i++
		}
	})
}
