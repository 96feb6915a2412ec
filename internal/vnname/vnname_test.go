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
