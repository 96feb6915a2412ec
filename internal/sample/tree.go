package sample

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"lienthong/schema"
)

// Streams of the PCG source, so that a tree and its members drawn from the
// same seed are independent.
const (
	streamTree    = 0x74726565 // "tree"
	streamMembers = 0x6d656d62 // "memb"
)

// Committee is one party organisation of a generated tree.
type Committee struct {
	Name  string // as its seal reads: "Chi bộ Tổ dân phố 5", "Đảng ủy phường Tân Phú"
	Place string // what it is named after: "Tổ dân phố 5", "phường Tân Phú", "Trường THPT Chu Văn An"
	Level string // one of schema.DefaultLevels
	Kind  string // schema.CommitteeWorkplace, CommitteeResidential or CommitteeMixed
	// Parent is the index of the superior committee in Tree.Committees, or
	// -1 for the top office.
	Parent int
}

// Tree is a generated committee tree.
type Tree struct {
	// Province places the tree: one of ProvinceNames. Members' addresses,
	// birthplaces and citizen IDs derive from it.
	Province string
	// Committees in charter order: the top office first, and every parent
	// before its children.
	Committees []Committee
}

// Homes returns the indexes of the committees members belong to: those
// with no subordinate committee, normally the cells.
func (t *Tree) Homes() []int {
	hasChild := make([]bool, len(t.Committees))
	for _, c := range t.Committees {
		if c.Parent >= 0 && c.Parent < len(hasChild) {
			hasChild[c.Parent] = true
		}
	}
	var out []int
	for i, h := range hasChild {
		if !h {
			out = append(out, i)
		}
	}
	return out
}

// Children returns the indexes of the committees whose parent is i.
func (t *Tree) Children(i int) []int {
	var out []int
	for j, c := range t.Committees {
		if c.Parent == i {
			out = append(out, j)
		}
	}
	return out
}

// SmallTree returns the fixed tree of the demo: a city office with one
// workplace grassroots committee of two cells and one ward committee of one
// residential cell. Each call returns a fresh copy.
func SmallTree() *Tree {
	return &Tree{
		Province: "Hà Nội",
		Committees: []Committee{
			{Name: "Thành ủy Hà Nội", Place: "thành phố Hà Nội", Level: LevelProvince, Kind: schema.CommitteeMixed, Parent: -1},
			{Name: "Đảng ủy Trường THPT Phan Đình Phùng", Place: "Trường THPT Phan Đình Phùng", Level: LevelGrassroots, Kind: schema.CommitteeWorkplace, Parent: 0},
			{Name: "Chi bộ Tổ Toán - Tin", Place: "Tổ Toán - Tin", Level: LevelCell, Kind: schema.CommitteeWorkplace, Parent: 1},
			{Name: "Chi bộ Tổ Ngữ văn", Place: "Tổ Ngữ văn", Level: LevelCell, Kind: schema.CommitteeWorkplace, Parent: 1},
			{Name: "Đảng ủy phường Ba Đình", Place: "phường Ba Đình", Level: LevelCommune, Kind: schema.CommitteeResidential, Parent: 0},
			{Name: "Chi bộ Tổ dân phố 5", Place: "Tổ dân phố 5", Level: LevelCell, Kind: schema.CommitteeResidential, Parent: 4},
		},
	}
}

// NewTree generates a committee tree shaped by opts from seed.
func NewTree(seed uint64, opts Options) (*Tree, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(seed, streamTree))
	p := lookupProvince(opts.Province)
	if p == nil {
		p = one(r, currentProvinces)
	}
	b := &treeBuilder{r: r, p: p, opts: opts, used: map[string]bool{}}
	b.t = &Tree{Province: p.name}
	b.top()
	for range opts.Communes {
		b.commune()
	}
	for range opts.Workplaces {
		b.workplace()
	}
	return b.t, nil
}

type treeBuilder struct {
	r    *rand.Rand
	p    *province
	opts Options
	t    *Tree
	used map[string]bool // names of communes and grassroots committees

	area       string  // the top office's area: "tỉnh Nghệ An", "huyện Yên Thành"
	short      string  // its bare name: "Nghệ An", "Yên Thành"
	urbanShare float64 // share of wards among communes
	town       string  // what an urban commune is called: phường or thị trấn
}

func (b *treeBuilder) add(c Committee) int {
	b.t.Committees = append(b.t.Committees, c)
	return len(b.t.Committees) - 1
}

func (b *treeBuilder) top() {
	p, r := b.p, b.r
	b.town = "phường"
	if b.opts.Top == LevelProvince {
		name := "Tỉnh ủy " + p.name
		b.area, b.short, b.urbanShare = "tỉnh "+p.name, p.name, 0.25
		switch {
		case p.name == "Hồ Chí Minh":
			name, b.area, b.urbanShare = "Thành ủy Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh", 0.7
		case p.city:
			name, b.area, b.urbanShare = "Thành ủy "+p.name, "thành phố "+p.name, 0.6
		}
		b.add(Committee{Name: name, Place: b.area, Level: LevelProvince, Kind: schema.CommitteeMixed, Parent: -1})
		return
	}
	b.short = place(r)
	var prefix string
	switch x := r.Float64(); {
	case p.city && x < 0.6:
		prefix, b.area, b.urbanShare = "Quận ủy ", "quận "+b.short, 1
	case x < 0.8:
		prefix, b.area, b.urbanShare, b.town = "Huyện ủy ", "huyện "+b.short, 0.1, "thị trấn"
	default:
		prefix, b.area, b.urbanShare = "Thị ủy ", "thị xã "+b.short, 0.6
	}
	b.used[b.short] = true
	b.add(Committee{Name: prefix + b.short, Place: b.area, Level: LevelDistrict, Kind: schema.CommitteeMixed, Parent: -1})
}

// unique returns the first of the names made by try that is not used yet,
// or the last one with a number after it, and marks it used.
func (b *treeBuilder) unique(try func(attempt int) string) string {
	var s string
	for i := range 40 {
		if s = try(i); !b.used[s] {
			b.used[s] = true
			return s
		}
	}
	for n := 2; ; n++ {
		if x := s + " " + strconv.Itoa(n); !b.used[x] {
			b.used[x] = true
			return x
		}
	}
}

func (b *treeBuilder) commune() {
	r, p := b.r, b.p
	urban := chance(r, b.urbanShare)
	kindWord := "xã"
	if urban {
		kindWord = b.town
	}
	name := b.unique(func(i int) string {
		if i >= 20 {
			return kindWord + " " + place(r) + " " + one(r, placeSuffix)
		}
		return kindWord + " " + place(r)
	})
	short := name[len(kindWord)+1:]
	ci := b.add(Committee{Name: "Đảng ủy " + name, Place: name, Level: LevelCommune, Kind: schema.CommitteeResidential, Parent: 0})

	var style cellStyle
	switch {
	case urban && p.south():
		style = cellsKhuPho
	case urban:
		style = cellsTDP
	case p.region == regionSouth:
		style = cellsAp
	case p.region == regionMountain:
		style = cellsBan
	case p.region == regionHigh:
		style = cellsBuon
	case p.region == regionCentral && chance(r, 0.5):
		style = cellsXom
	default:
		style = cellsThon
	}
	used := map[string]bool{}
	for k := range max(1, around(r, b.opts.CellsPerCommune)) {
		pl := residentialCellPlace(r, style, k, used)
		used[pl] = true
		b.add(Committee{Name: "Chi bộ " + pl, Place: pl, Level: LevelCell, Kind: schema.CommitteeResidential, Parent: ci})
	}

	n := around(r, b.opts.WorkplaceCellsPerCommune)
	if n == 0 {
		return
	}
	b.t.Committees[ci].Kind = schema.CommitteeMixed
	units := []string{"Trường Mầm non " + short, "Trường Tiểu học " + short, "Trường THCS " + short,
		"Trạm Y tế " + name, "Công an " + name, "Ban Chỉ huy Quân sự " + name,
		"Cơ quan Ủy ban nhân dân " + name}
	r.Shuffle(len(units), func(i, j int) { units[i], units[j] = units[j], units[i] })
	for k := range n {
		pl := units[k%len(units)]
		if k >= len(units) {
			pl += " " + strconv.Itoa(k/len(units)+1)
		}
		b.add(Committee{Name: "Chi bộ " + pl, Place: pl, Level: LevelCell, Kind: schema.CommitteeWorkplace, Parent: ci})
	}
}

func (b *treeBuilder) workplace() {
	r := b.r
	wk := workplaceKinds.pick(r)
	var party string
	name := b.unique(func(i int) string {
		k := wk
		if i >= 10 { // the first kind is crowded: try others
			k = workplaceKinds.pick(r)
		}
		party = "Đảng ủy "
		if k == wkEnterprise || k == wkAgency {
			party = "Đảng bộ "
		}
		wk = k
		return b.workplaceName(k)
	})
	gi := b.add(Committee{Name: party + name, Place: name, Level: LevelGrassroots, Kind: schema.CommitteeWorkplace, Parent: 0})
	used := map[string]bool{}
	for k := range around(r, b.opts.CellsPerWorkplace) {
		pl := unitPlace(r, wk, k, used)
		used[pl] = true
		b.add(Committee{Name: "Chi bộ " + pl, Place: pl, Level: LevelCell, Kind: schema.CommitteeWorkplace, Parent: gi})
	}
}

func (b *treeBuilder) workplaceName(k workplaceKind) string {
	r := b.r
	switch k {
	case wkSchool:
		switch x := r.Float64(); {
		case x < 0.05 && b.opts.Top == LevelProvince:
			return "Trường THPT Chuyên " + b.short
		case x < 0.6:
			return "Trường THPT " + one(r, schoolNames)
		}
		return "Trường THPT " + place(r)
	case wkCollege:
		if b.opts.Top == LevelDistrict {
			return "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên " + b.area
		}
		return "Trường Cao đẳng " + one(r, collegeFields) + " " + b.short
	case wkHospital:
		if b.opts.Top == LevelDistrict {
			if chance(r, 0.5) {
				return "Trung tâm Y tế " + b.area
			}
			return "Bệnh viện Đa khoa " + b.area
		}
		switch x := r.Float64(); {
		case x < 0.3:
			return "Bệnh viện Đa khoa " + b.area
		case x < 0.6:
			return "Bệnh viện Đa khoa khu vực " + place(r)
		default:
			return "Bệnh viện " + one(r, hospitalFields) + " " + b.area
		}
	case wkAgency:
		agencies := provinceAgencies
		if b.opts.Top == LevelDistrict {
			agencies = districtAgencies
		}
		a := one(r, agencies)
		if s, ok := strings.CutSuffix(a, " tỉnh"); ok {
			return s + " " + b.area
		}
		if s, ok := strings.CutSuffix(a, " huyện"); ok {
			return s + " " + b.area
		}
		return a
	}
	where := b.short
	if chance(r, 0.4) {
		where = place(r)
	}
	return companyForms.pick(r) + " " + one(r, companyTrades) + " " + where
}
