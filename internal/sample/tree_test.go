package sample

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"lienthong/schema"
)

func levelRank(t *testing.T, level string) int {
	t.Helper()
	i := slices.Index(schema.DefaultLevels, level)
	if i < 0 {
		t.Fatalf("level %q is not in schema.DefaultLevels %v", level, schema.DefaultLevels)
	}
	return i
}

// checkTree checks the invariants every tree must keep, generated or fixed.
func checkTree(t *testing.T, tr *Tree) {
	t.Helper()
	if len(tr.Committees) == 0 {
		t.Fatal("empty tree")
	}
	if lookupProvince(tr.Province) == nil {
		t.Errorf("province %q is not known", tr.Province)
	}
	children := make([]int, len(tr.Committees))
	for i, c := range tr.Committees {
		if i == 0 {
			if c.Parent != -1 {
				t.Errorf("top committee %q has parent %d, want -1", c.Name, c.Parent)
			}
		} else if c.Parent < 0 || c.Parent >= i {
			t.Errorf("committee %d %q has parent %d: want an earlier committee", i, c.Name, c.Parent)
			continue
		}
		if err := schema.ValidateLevel(c.Level); err != nil {
			t.Errorf("committee %q: %v", c.Name, err)
		}
		if err := schema.ValidateCommitteeKind(c.Kind); err != nil {
			t.Errorf("committee %q: %v", c.Name, err)
		}
		if c.Name == "" || len(c.Name) > 256 || strings.TrimSpace(c.Name) != c.Name {
			t.Errorf("committee %d has a bad name %q", i, c.Name)
		}
		if words := strings.Fields(c.Place); len(words) == 0 || !strings.HasSuffix(c.Name, words[len(words)-1]) {
			t.Errorf("committee %q has place %q, which its name does not mention", c.Name, c.Place)
		}
		if c.Parent >= 0 {
			children[c.Parent]++
			p := tr.Committees[c.Parent]
			if levelRank(t, c.Level) <= levelRank(t, p.Level) {
				t.Errorf("committee %q (%s) is under %q (%s): levels must descend", c.Name, c.Level, p.Name, p.Level)
			}
			if p.Level == LevelCell {
				t.Errorf("cell %q has a subordinate %q", p.Name, c.Name)
			}
		}
	}
	for i, c := range tr.Committees {
		if c.Level == LevelCell {
			if c.Parent < 0 {
				t.Errorf("cell %q has no parent", c.Name)
			}
			if !strings.HasPrefix(c.Name, "Chi bộ ") {
				t.Errorf("cell %q is not named Chi bộ", c.Name)
			}
		}
		if c.Kind == schema.CommitteeMixed && c.Level != LevelCell {
			kinds := map[string]bool{}
			for _, j := range tr.Children(i) {
				kinds[tr.Committees[j].Kind] = true
			}
			if i > 0 && !(kinds[schema.CommitteeWorkplace] && kinds[schema.CommitteeResidential]) {
				t.Errorf("mixed committee %q has children of kinds %v", c.Name, kinds)
			}
		}
	}
}

func TestTreeShape(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Options)
	}{
		{"default", func(*Options) {}},
		{"district", func(o *Options) { o.Top = LevelDistrict }},
		{"city", func(o *Options) { o.Province = "Hồ Chí Minh" }},
		{"mountain district", func(o *Options) { o.Top, o.Province = LevelDistrict, "Lào Cai" }},
		{"highlands", func(o *Options) { o.Province = "Đắk Lắk" }},
		{"no workplace cells", func(o *Options) { o.WorkplaceCellsPerCommune = 0 }},
		{"grassroots cells", func(o *Options) { o.CellsPerWorkplace = 0 }},
		{"only workplaces", func(o *Options) { o.Communes = 0 }},
		{"large", func(o *Options) { *o = ScaledOptions(300_000) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			tc.edit(&o)
			for seed := range uint64(4) {
				tr, err := NewTree(seed, o)
				if err != nil {
					t.Fatal(err)
				}
				checkTree(t, tr)
				if o.Province != "" && tr.Province != o.Province {
					t.Errorf("province %q, want %q", tr.Province, o.Province)
				}
				top := tr.Committees[0]
				if top.Level != o.Top {
					t.Errorf("top %q is at level %s, want %s", top.Name, top.Level, o.Top)
				}
				counts := map[string]int{}
				names := map[string]bool{}
				cellNames := map[[2]string]bool{}
				for _, c := range tr.Committees {
					counts[c.Level]++
					if c.Level == LevelCell {
						key := [2]string{tr.Committees[c.Parent].Name, c.Name}
						if cellNames[key] {
							t.Errorf("two cells %q under %q", c.Name, key[0])
						}
						cellNames[key] = true
						continue
					}
					if names[c.Name] {
						t.Errorf("two committees named %q", c.Name)
					}
					names[c.Name] = true
				}
				if counts[LevelCommune] != o.Communes || counts[LevelGrassroots] != o.Workplaces || counts[o.Top] != 1 {
					t.Errorf("levels %v: want %d communes, %d workplaces and one %s", counts, o.Communes, o.Workplaces, o.Top)
				}
				for _, h := range tr.Homes() {
					c := tr.Committees[h]
					if o.CellsPerWorkplace > 0 && c.Level != LevelCell {
						t.Errorf("%q (%s) has no cells", c.Name, c.Level)
					}
				}
			}
		})
	}
}

func TestTreeNamesLookReal(t *testing.T) {
	o := DefaultOptions()
	o.Communes, o.Workplaces = 40, 80
	seen := map[string]bool{}
	for seed := range uint64(5) {
		tr, err := NewTree(seed, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range tr.Committees {
			for _, prefix := range []string{"Đảng ủy phường ", "Đảng ủy xã ", "Đảng ủy Trường THPT ",
				"Đảng ủy Bệnh viện Đa khoa ", "Đảng bộ Công ty ", "Chi bộ Khoa ", "Chi bộ Phòng ", "Chi bộ Tổ "} {
				if strings.HasPrefix(c.Name, prefix) {
					seen[prefix] = true
				}
			}
		}
	}
	if len(seen) != 8 {
		t.Errorf("names seen with prefixes %v: want all eight kinds", seen)
	}
	o.Province = "Hà Nội"
	tr, _ := NewTree(1, o)
	for _, c := range tr.Committees {
		if c.Level == LevelCell && strings.HasPrefix(c.Name, "Chi bộ Ấp") {
			t.Errorf("a northern city has a southern hamlet: %q", c.Name)
		}
	}
}

func TestTreeDeterministic(t *testing.T) {
	o := DefaultOptions()
	a, _ := NewTree(42, o)
	b, _ := NewTree(42, o)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed and options gave different trees")
	}
	c, _ := NewTree(43, o)
	if reflect.DeepEqual(a, c) {
		t.Error("seeds 42 and 43 gave the same tree")
	}
}

func TestSmallTree(t *testing.T) {
	tr := SmallTree()
	checkTree(t, tr)
	want := []struct{ level, kind string }{
		{LevelProvince, schema.CommitteeMixed},
		{LevelGrassroots, schema.CommitteeWorkplace},
		{LevelCell, schema.CommitteeWorkplace},
		{LevelCell, schema.CommitteeWorkplace},
		{LevelCommune, schema.CommitteeResidential},
		{LevelCell, schema.CommitteeResidential},
	}
	if len(tr.Committees) != len(want) {
		t.Fatalf("%d committees, want %d", len(tr.Committees), len(want))
	}
	for i, w := range want {
		if c := tr.Committees[i]; c.Level != w.level || c.Kind != w.kind {
			t.Errorf("committee %d %q is %s/%s, want %s/%s", i, c.Name, c.Level, c.Kind, w.level, w.kind)
		}
	}
	if got := tr.Homes(); !slices.Equal(got, []int{2, 3, 5}) {
		t.Errorf("homes %v, want [2 3 5]", got)
	}
	tr.Committees[0].Name = "changed"
	if SmallTree().Committees[0].Name == "changed" {
		t.Error("SmallTree shares its committees between calls")
	}
}

func TestLevelsAreSchemaLevels(t *testing.T) {
	for _, l := range []string{LevelProvince, LevelDistrict, LevelCommune, LevelGrassroots, LevelCell} {
		levelRank(t, l)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, edit := range []func(*Options){
		func(o *Options) { o.Top = "cell" },
		func(o *Options) { o.Province = "Atlantis" },
		func(o *Options) { o.Communes = -1 },
		func(o *Options) { o.Communes, o.Workplaces = 0, 0 },
		func(o *Options) { o.ProbationaryShare = 1.5 },
		func(o *Options) { o.FemaleShare = -0.1 },
		func(o *Options) { o.Reference = o.Reference.AddDate(-100, 0, 0) },
	} {
		o := DefaultOptions()
		edit(&o)
		if _, err := NewTree(1, o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("NewTree(%+v): error %v, want ErrInvalidOptions", o, err)
		}
		if err := EachMember(1, SmallTree(), 1, o, func(int, Member) bool { return true }); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("EachMember(%+v): error %v, want ErrInvalidOptions", o, err)
		}
	}
}

func TestBadTree(t *testing.T) {
	for name, edit := range map[string]func(*Tree){
		"nil":          nil,
		"province":     func(tr *Tree) { tr.Province = "Atlantis" },
		"parent":       func(tr *Tree) { tr.Committees[2].Parent = 99 },
		"self":         func(tr *Tree) { tr.Committees[2].Parent = 2 },
		"empty name":   func(tr *Tree) { tr.Committees[3].Name = "" },
		"spaced place": func(tr *Tree) { tr.Committees[3].Place = "Tổ Ngữ văn " },
		"cycle":        func(tr *Tree) { tr.Committees = tr.Committees[:2]; tr.Committees[0].Parent = 1 },
	} {
		var tr *Tree
		if edit != nil {
			tr = SmallTree()
			edit(tr)
		}
		if _, err := Members(1, tr, 10, DefaultOptions()); !errors.Is(err, ErrInvalidTree) {
			t.Errorf("%s: error %v, want ErrInvalidTree", name, err)
		}
	}
}
