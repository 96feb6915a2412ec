package sample

import "math/rand/v2"

// weighted is an immutable table of items drawn with relative weights.
type weighted[T any] struct {
	items []T
	cum   []uint32 // cum[i] is the sum of the weights of items[0..i]
}

// entry is one item with its relative weight.
type entry[T any] struct {
	item   T
	weight uint32
}

func newWeighted[T any](entries ...entry[T]) *weighted[T] {
	w := &weighted[T]{}
	var sum uint32
	for _, e := range entries {
		if e.weight == 0 {
			continue
		}
		sum += e.weight
		w.items = append(w.items, e.item)
		w.cum = append(w.cum, sum)
	}
	if sum == 0 {
		panic("sample: weighted table with no weight")
	}
	return w
}

// ranked weighs items by rank, the first most common, the way the
// frequencies of given names and middle names fall off.
func ranked(items ...string) *weighted[string] {
	es := make([]entry[string], len(items))
	for i, s := range items {
		es[i] = entry[string]{s, uint32(12000 / (i + 6))}
	}
	return newWeighted(es...)
}

// uniform weighs all items alike.
func uniform(items ...string) *weighted[string] {
	es := make([]entry[string], len(items))
	for i, s := range items {
		es[i] = entry[string]{s, 1}
	}
	return newWeighted(es...)
}

func (w *weighted[T]) pick(r *rand.Rand) T {
	x := r.Uint32N(w.cum[len(w.cum)-1])
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if w.cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return w.items[lo]
}

// one picks an element of s uniformly.
func one[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// between returns an int in [lo, hi], uniformly.
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// triangular returns an int in [lo, hi], most often near the middle.
func triangular(r *rand.Rand, lo, hi int) int {
	n := hi - lo
	return lo + (r.IntN(n+1)+r.IntN(n+1)+1)/2
}

// around returns a count near mean: uniformly in [mean/2, mean/2+mean], so
// that shapes vary while the average stays mean.
func around(r *rand.Rand, mean int) int {
	if mean <= 0 {
		return 0
	}
	return mean/2 + r.IntN(mean+1)
}
