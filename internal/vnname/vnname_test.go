package vnname

import (
	"slices"
	"testing"
)

func TestCompareOrdersByGivenName(t *testing.T) {
	names := []string{"Trần Văn Đức", "Nguyễn Thị Ánh", "Lê Văn An", "Nguyễn Văn Dũng", "Phạm Thị Ân", "Bùi Văn Ấn", "Nguyễn Văn Ân"}
	slices.SortFunc(names, Compare)
	// Given name first (An < Ánh < Ân < Ấn: â is its own letter, tones
	// are secondary), then middle name (Thị < Văn), then family name.
	want := []string{"Lê Văn An", "Nguyễn Thị Ánh", "Phạm Thị Ân", "Nguyễn Văn Ân", "Bùi Văn Ấn", "Nguyễn Văn Dũng", "Trần Văn Đức"}
	if !slices.Equal(names, want) {
		t.Fatalf("sorted\n got %q\nwant %q", names, want)
	}
}

func TestParts(t *testing.T) {
	f, m, g := Parts("  Nguyễn  Thị Minh   Khai ")
	if f != "Nguyễn" || m != "Thị Minh" || g != "Khai" {
		t.Fatalf("Parts = %q %q %q", f, m, g)
	}
}

// TestKeysOrderAsCompare: sorting by keys gives Compare's order, on names
// that differ in every part, in tones and letters, and that are equal.
func TestKeysOrderAsCompare(t *testing.T) {
	names := []string{"Trần Văn Đức", "Nguyễn Thị Ánh", "Lê Văn An", "Nguyễn Văn Dũng", "Phạm Thị Ân", "Bùi Văn Ấn",
		"Nguyễn Văn Ân", "Lê Văn An", "An", "Đặng An", "Dương Văn Đức", "Nguyễn Thị Minh Khai", "Nguyễn Thị Khai",
		"nguyễn văn ân", "Ngô Văn Ăn", "Ngô Văn Ân", "Ngô Văn Ấn", "Ngô Văn Ẩn", "Ngô Văn Ẫn", "Ngô Văn Ận", "Ngô Văn Ân ", ""}
	for i, a := range names {
		for _, b := range names[i:] {
			if got, want := KeyOf(a).Compare(KeyOf(b)), Compare(a, b); got != want {
				t.Errorf("%q vs %q: keys say %d, Compare %d", a, b, got, want)
			}
		}
	}
	type member struct{ name string }
	ms := make([]member, len(names))
	for i, n := range names {
		ms[i] = member{n}
	}
	Sort(ms, func(m member) string { return m.name })
	want := slices.Clone(names)
	slices.SortStableFunc(want, Compare)
	for i := range ms {
		if ms[i].name != want[i] {
			t.Fatalf("Sort: at %d %q, want %q", i, ms[i].name, want[i])
		}
	}
}
