package sample

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"lienthong/schema"
)

func generate(t testing.TB, seed uint64, o Options, n int) (*Tree, []Member) {
	t.Helper()
	tr, err := NewTree(seed, o)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Members(seed, tr, n, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != n {
		t.Fatalf("%d members, want %d", len(ms), n)
	}
	return tr, ms
}

func day(t testing.TB, s string) int {
	t.Helper()
	d, err := time.Parse(schema.DateLayout, s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	y, m, dd := d.Date()
	return daysFromCivil(y, int(m), dd)
}

func TestFieldNamesAreSchemaFields(t *testing.T) {
	known := schema.FieldNames()
	for _, f := range fieldNames {
		if !slices.Contains(known, f) {
			t.Errorf("generator fills %q, which schema.Fields does not have", f)
		}
	}
	for _, f := range known {
		if !slices.Contains(fieldNames[:], f) {
			t.Errorf("schema field %q is never generated", f)
		}
	}
}

// variants are option sets that exercise every region, both tree shapes
// and awkward reference dates.
func variants() map[string]Options {
	out := map[string]Options{}
	for _, p := range []string{"Hà Nội", "Nghệ An", "Hồ Chí Minh", "Sóc Trăng", "Lào Cai", "Gia Lai", "Phú Thọ", "Bà Rịa - Vũng Tàu"} {
		o := DefaultOptions()
		o.Province = p
		out[p] = o
	}
	o := DefaultOptions()
	o.Top = LevelDistrict
	out["district"] = o
	o = DefaultOptions()
	o.Reference = time.Date(2024, time.February, 29, 12, 0, 0, 0, time.UTC)
	o.ProbationaryShare = 0.3
	out["29 February"] = o
	o = DefaultOptions()
	o.Reference = time.Date(1999, time.March, 1, 0, 0, 0, 0, time.UTC)
	out["1999"] = o
	return out
}

func TestFieldsValidate(t *testing.T) {
	required := []string{"name", "sex", "born", "birthplace", "hometown", "ethnicity", "religion",
		"citizen_id", "address", "phone", "occupation", "education", "profile", "register_line", "admitted"}
	seen := map[string]bool{}
	for name, o := range variants() {
		t.Run(name, func(t *testing.T) {
			_, ms := generate(t, 11, o, 3000)
			for i, m := range ms {
				if err := schema.ValidateFields(m.Fields); err != nil {
					t.Fatalf("member %d %v: %v", i, m.Fields, err)
				}
				if err := schema.CheckDates(nil, m.Fields, o.Reference); err != nil {
					t.Fatalf("member %d %v: %v", i, m.Fields, err)
				}
				for k, v := range m.Fields {
					seen[k] = true
					if err := schema.ValidateField(k, v); err != nil {
						t.Fatalf("member %d: %v", i, err)
					}
					if v == "" {
						t.Errorf("member %d has field %s present and empty", i, k)
					}
					if strings.Contains(v, "  ") || strings.Contains(v, " ,") {
						t.Errorf("member %d: %s %q has stray spaces", i, k, v)
					}
				}
				for _, k := range required {
					if m.Fields[k] == "" {
						t.Fatalf("member %d has no %s: %v", i, k, m.Fields)
					}
				}
				if p := m.Fields["profile"]; o.Province != "" && !strings.HasSuffix(p, lookupProvince(o.Province).abbrev()) {
					t.Errorf("member %d: profile %q does not end with the province's letters", i, p)
				}
			}
		})
	}
	for _, f := range fieldNames {
		if !seen[f] {
			t.Errorf("field %s never generated", f)
		}
	}
}

// TestMemberRules checks dates, probation, cards, citizen IDs and badges
// against the rules of DOMAIN.md.
func TestMemberRules(t *testing.T) {
	for name, o := range variants() {
		t.Run(name, func(t *testing.T) {
			tr, ms := generate(t, 5, o, 5000)
			y, mo, d := o.Reference.Date()
			ref := daysFromCivil(y, int(mo), d)
			forced := minFull * len(tr.Homes()) // full members by construction
			probationary := 0
			for i, m := range ms {
				f := m.Fields
				born, admitted := day(t, f["born"]), day(t, f["admitted"])
				if age := ageAt(born, ref); age < 18 || age > 85 {
					t.Errorf("member %d born %s is %d at the reference date", i, f["born"], age)
				}
				if age := ageAt(born, admitted); age < 18 || age > 40 {
					t.Errorf("member %d born %s admitted %s at %d", i, f["born"], f["admitted"], age)
				}
				if admitted > ref {
					t.Errorf("member %d admitted %s after the reference date", i, f["admitted"])
				}
				_, hasCard := f["card"]
				full, hasFull := f["full"]
				if m.Probationary() {
					if i < forced {
						t.Errorf("member %d, one of the first %d, is probationary", i, forced)
					}
					probationary++
					if hasCard || hasFull {
						t.Errorf("probationary member %d has card %q, full %q", i, f["card"], full)
					}
					if addYears(admitted, 1) <= ref {
						t.Errorf("probationary member %d admitted %s, over a year before the reference", i, f["admitted"])
					}
					if _, ok := f["badge"]; ok {
						t.Errorf("probationary member %d has a badge", i)
					}
				} else {
					if !hasCard || !hasFull {
						t.Errorf("full member %d lacks card or full date: %v", i, f)
					}
					if want := addYears(admitted, 1); day(t, full) != want || want > ref {
						t.Errorf("member %d admitted %s has full date %s", i, f["admitted"], full)
					}
				}
				id := f["citizen_id"]
				by, _, _ := civilFromDays(born)
				digit := 0
				if by >= 2000 {
					digit = 2
				}
				if f["sex"] == schema.SexFemale {
					digit++
				}
				if want := strconv.Itoa(digit) + fmt.Sprintf("%02d", by%100); id[3:6] != want {
					t.Errorf("member %d (%s, born %s) has citizen ID %s, want %s in digits 4 to 6", i, f["sex"], f["born"], id, want)
				}
				if !slices.ContainsFunc(provinces, func(p province) bool { return p.code == id[:3] }) {
					t.Errorf("member %d citizen ID %s has no province code", i, id)
				}
				if b, ok := f["badge"]; ok {
					years, _ := strconv.Atoi(strings.Fields(b)[2])
					if ageAt(admitted, ref) < years || years < 30 {
						t.Errorf("member %d admitted %s has %q", i, f["admitted"], b)
					}
				} else if !m.Probationary() && ageAt(admitted, ref) >= 30 {
					t.Errorf("member %d admitted %s has no badge", i, f["admitted"])
				}
			}
			share := float64(probationary) / float64(len(ms)-forced)
			if d := share - o.ProbationaryShare; d < -0.02 || d > 0.02 {
				t.Errorf("%.3f probationary, want about %.3f", share, o.ProbationaryShare)
			}
		})
	}
}

func TestCardsUnique(t *testing.T) {
	o := ScaledOptions(100_000)
	tr, err := NewTree(3, o)
	if err != nil {
		t.Fatal(err)
	}
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	cards := make(map[string]int, n)
	err = EachMember(3, tr, n, o, func(i int, m Member) bool {
		c, ok := m.Fields["card"]
		if !ok {
			return true
		}
		if j, dup := cards[c]; dup {
			t.Fatalf("members %d and %d share card %s", j, i, c)
		}
		cards[c] = i
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) < n*9/10 {
		t.Errorf("%d cards for %d members", len(cards), n)
	}
}

func TestPermutation(t *testing.T) {
	for _, n := range []uint64{1, 2, 10, 1000, 4096, 5000} {
		p := newPermutation(n, n*7)
		seen := make([]bool, n)
		for x := range n {
			y := p.at(x)
			if y >= n || seen[y] {
				t.Fatalf("n=%d: %d maps to %d, out of range or taken", n, x, y)
			}
			seen[y] = true
		}
	}
}

func TestNameDistribution(t *testing.T) {
	for _, prov := range []string{"Hà Nội", "Nghệ An", "Hồ Chí Minh"} {
		t.Run(prov, func(t *testing.T) {
			o := DefaultOptions()
			o.Province = prov
			_, ms := generate(t, 99, o, 20_000)
			family := map[string]int{}
			women, thi, van, men, twoMiddle := 0, 0, 0, 0, 0
			for _, m := range ms {
				words := strings.Fields(m.Fields["name"])
				if len(words) < 2 {
					t.Fatalf("name %q has fewer than two words", m.Fields["name"])
				}
				family[words[0]]++
				if m.Fields["ethnicity"] != "Kinh" {
					continue
				}
				if len(words) < 3 {
					t.Fatalf("Kinh name %q has no middle name", m.Fields["name"])
				}
				if len(words) > 3 {
					twoMiddle++
				}
				if m.Fields["sex"] == schema.SexFemale {
					women++
					if words[1] == "Thị" {
						thi++
					}
				} else {
					men++
					if words[1] == "Văn" {
						van++
					}
				}
			}
			n := float64(len(ms))
			for _, c := range []struct {
				name   string
				lo, hi float64
			}{
				{"Nguyễn", 0.30, 0.46},
				{"Trần", 0.07, 0.15},
				{"Lê", 0.06, 0.13},
				{"Phạm", 0.04, 0.10},
			} {
				if s := float64(family[c.name]) / n; s < c.lo || s > c.hi {
					t.Errorf("%s is %.3f of names, want %.2f to %.2f", c.name, s, c.lo, c.hi)
				}
			}
			north, south := family["Hoàng"]+family["Vũ"], family["Huỳnh"]+family["Võ"]
			if prov == "Hồ Chí Minh" && south <= north || prov == "Hà Nội" && north <= south {
				t.Errorf("%s: Hoàng and Vũ %d, Huỳnh and Võ %d", prov, north, south)
			}
			if s := float64(women) / float64(women+men); s < 0.30 || s > 0.42 {
				t.Errorf("%.3f women, want about %.2f", s, DefaultFemaleShare)
			}
			if s := float64(thi) / float64(women); s < 0.3 || s > 0.8 {
				t.Errorf("%.3f of women have Thị as middle name", s)
			}
			if s := float64(van) / float64(men); s < 0.2 || s > 0.7 {
				t.Errorf("%.3f of men have Văn as middle name", s)
			}
			if twoMiddle == 0 || twoMiddle > len(ms)/5 {
				t.Errorf("%d of %d names have two middle names", twoMiddle, len(ms))
			}
		})
	}
}

func TestEthnicityAndReligion(t *testing.T) {
	o := DefaultOptions()
	o.Province = "Hà Nội"
	_, ms := generate(t, 8, o, 10_000)
	count := map[string]int{}
	for _, m := range ms {
		count["e:"+m.Fields["ethnicity"]]++
		count["r:"+m.Fields["religion"]]++
	}
	if s := float64(count["e:Kinh"]) / float64(len(ms)); s < 0.85 || s > 0.995 {
		t.Errorf("%.3f Kinh in Hà Nội", s)
	}
	if s := float64(count["r:Không"]) / float64(len(ms)); s < 0.8 || s > 0.97 {
		t.Errorf("%.3f without religion", s)
	}
	o.Province = "Sóc Trăng"
	_, ms = generate(t, 8, o, 10_000)
	khmer := 0
	for _, m := range ms {
		if m.Fields["ethnicity"] == "Khmer" {
			khmer++
		}
	}
	if khmer == 0 {
		t.Error("no Khmer members in Sóc Trăng")
	}
}

func TestDeterministic(t *testing.T) {
	o := DefaultOptions()
	_, a := generate(t, 2024, o, 2000)
	_, b := generate(t, 2024, o, 2000)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed and options gave different members")
	}
	_, c := generate(t, 2025, o, 2000)
	same := 0
	for i := range a {
		if a[i].Fields["name"] == c[i].Fields["name"] && a[i].Fields["born"] == c[i].Fields["born"] {
			same++
		}
	}
	if same > 20 {
		t.Errorf("seeds 2024 and 2025 gave %d of 2000 members with the same name and birth date", same)
	}

	// A shorter run is a prefix of a longer one, streamed or not.
	tr, _ := NewTree(2024, o)
	var streamed []Member
	err := EachMember(2024, tr, 5000, o, func(i int, m Member) bool {
		if i != len(streamed) {
			t.Fatalf("index %d after %d members", i, len(streamed))
		}
		streamed = append(streamed, m)
		return len(streamed) < 1500
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(streamed) != 1500 || !reflect.DeepEqual(streamed, a[:1500]) {
		t.Errorf("streaming 1500 of 5000 gave %d members, not a prefix of Members", len(streamed))
	}
}

func TestHomesAndCells(t *testing.T) {
	o := DefaultOptions()
	tr, ms := generate(t, 77, o, 20_000)
	homes := tr.Homes()
	full := map[int]int{}
	per := map[int]int{}
	lines := map[int]map[string]bool{}
	for i, m := range ms {
		if !slices.Contains(homes, m.Home) {
			t.Fatalf("member %d has home %d, which has subordinates", i, m.Home)
		}
		per[m.Home]++
		if !m.Probationary() {
			full[m.Home]++
		}
		if lines[m.Home] == nil {
			lines[m.Home] = map[string]bool{}
		}
		if l := m.Fields["register_line"]; lines[m.Home][l] {
			t.Errorf("register line %s used twice in %q", l, tr.Committees[m.Home].Name)
		} else {
			lines[m.Home][l] = true
		}
	}
	var res, work int
	for _, h := range homes {
		if full[h] < minFull {
			t.Errorf("%q has %d full members, want at least %d", tr.Committees[h].Name, full[h], minFull)
		}
		if tr.Committees[h].Kind == schema.CommitteeResidential {
			res += per[h]
		} else {
			work += per[h]
		}
	}
	if s := float64(work) / float64(len(ms)); s < 0.2 || s > 0.5 {
		t.Errorf("%.3f of members in workplace cells", s)
	}
}

func TestResidenceLinks(t *testing.T) {
	o := DefaultOptions()
	tr, ms := generate(t, 12, o, 20_000)
	linked, workers := 0, 0
	for i, m := range ms {
		home := tr.Committees[m.Home]
		if home.Kind != schema.CommitteeWorkplace {
			if m.Residence != -1 || m.ResidenceCell != -1 {
				t.Errorf("member %d of residential %q has residence %d/%d", i, home.Name, m.Residence, m.ResidenceCell)
			}
			if !strings.Contains(m.Fields["address"], tr.Committees[home.Parent].Place) {
				t.Errorf("member %d of %q lives at %q", i, home.Name, m.Fields["address"])
			}
			continue
		}
		workers++
		if _, ok := m.Fields["workplace"]; !ok {
			t.Errorf("member %d of workplace cell %q has no workplace", i, home.Name)
		}
		if m.Residence == -1 {
			if m.ResidenceCell != -1 {
				t.Errorf("member %d has residence cell %d but no residence", i, m.ResidenceCell)
			}
			continue
		}
		linked++
		cell := tr.Committees[m.ResidenceCell]
		if cell.Kind != schema.CommitteeResidential || cell.Level != LevelCell || cell.Parent != m.Residence {
			t.Fatalf("member %d: residence %d, cell %d %+v", i, m.Residence, m.ResidenceCell, cell)
		}
		if res := tr.Committees[m.Residence]; !strings.Contains(m.Fields["address"], res.Place) {
			t.Errorf("member %d registered with %q lives at %q", i, res.Name, m.Fields["address"])
		}
	}
	if s := float64(linked) / float64(workers); s < 0.55 || s > 0.65 {
		t.Errorf("%.3f of %d workplace members registered at residence, want about %.2f", s, workers, o.ResidenceShare)
	}
}

func TestSmallTreeMembers(t *testing.T) {
	o := DefaultOptions()
	tr := SmallTree()
	ms, err := Members(1, tr, 30, o)
	if err != nil {
		t.Fatal(err)
	}
	count := map[int]int{}
	for _, m := range ms {
		count[m.Home]++
		if m.Residence != -1 && (m.Residence != 4 || m.ResidenceCell != 5) {
			t.Errorf("residence %d/%d, want 4/5", m.Residence, m.ResidenceCell)
		}
		if m.Home == 2 && m.Fields["workplace"] != "Trường THPT Phan Đình Phùng" {
			t.Errorf("teacher works at %q", m.Fields["workplace"])
		}
	}
	if count[2] < 3 || count[3] < 3 || count[5] < 3 || len(count) != 3 {
		t.Errorf("members per home %v", count)
	}
}
