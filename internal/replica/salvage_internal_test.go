package replica

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"lienthong/schema"
)

// TestSalvageOps cuts a frame of ops at every length and damages it at
// every byte: what salvageOps returns is always the ops of the frame from
// the first, each whole, and a cut keeps every op that lies before it.
func TestSalvageOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var ops [][]byte
	for _, n := range []int{0, 1, 23, 24, 255, 256, 300, 70000} { // every CBOR length form
		op := make([]byte, n)
		for i := range op {
			op[i] = byte(rng.IntN(256))
		}
		ops = append(ops, op)
	}
	frame, err := schema.Marshal(&bundleFrame{Ops: ops})
	if err != nil {
		t.Fatal(err)
	}
	if got := salvageOps(frame); !sameOps(got, ops) {
		t.Fatalf("a whole frame gives %d ops, want %d", len(got), len(ops))
	}
	// ends[i]: the length of frame up to the end of op i.
	ends := make([]int, len(ops))
	for i, op := range ops {
		from := 0
		if i > 0 {
			from = ends[i-1]
		}
		ends[i] = from + bytes.Index(frame[from:], op) + len(op)
		if len(op) == 0 {
			ends[i] = from + bytes.IndexByte(frame[from:], 0x40) + 1
		}
	}
	for cut := range len(frame) {
		whole := 0
		for _, e := range ends {
			if e <= cut {
				whole++
			}
		}
		if got := salvageOps(frame[:cut]); !sameOps(got, ops[:whole]) {
			t.Fatalf("cut at %d of %d: %d ops, want the %d before the cut", cut, len(frame), len(got), whole)
		}
	}
	// Damage past the frame's map and array heads (3 bytes here) leaves the
	// ops before it as they were.
	for i := 3; i < len(frame); i += 1 + i/2000 { // every byte of the small ops, a sample of the large one
		damaged := bytes.Clone(frame)
		damaged[i] ^= byte(1 + rng.IntN(255))
		before := 0
		for _, e := range ends {
			if e <= i {
				before++
			}
		}
		got := salvageOps(damaged)
		if len(got) < before || !sameOps(got[:before], ops[:before]) {
			t.Fatalf("damage at byte %d: %d ops salvaged, want at least the %d before it, unchanged", i, len(got), before)
		}
	}
	for i := range 3 {
		damaged := bytes.Clone(frame)
		damaged[i] ^= 0xff
		salvageOps(damaged) // must not panic
	}
}

func sameOps(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
