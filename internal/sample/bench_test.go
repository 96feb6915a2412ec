package sample

import "testing"

func BenchmarkEachMember(b *testing.B) {
	o := ScaledOptions(1_000_000)
	tr, err := NewTree(1, o)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		err := EachMember(1, tr, 100_000, o, func(int, Member) bool { n++; return true })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "members/s")
}

func BenchmarkNewTree(b *testing.B) {
	o := ScaledOptions(1_000_000)
	for b.Loop() {
		if _, err := NewTree(1, o); err != nil {
			b.Fatal(err)
		}
	}
}
