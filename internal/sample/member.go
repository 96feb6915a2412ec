package sample

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"lienthong/schema"
)

// ErrInvalidTree is wrapped by the errors of trees members cannot be
// generated for.
var ErrInvalidTree = errors.New("sample: invalid tree")

// Member is a generated party member.
type Member struct {
	// Fields is the record keyed by schema field names. A field with no
	// value (a probationary member's card and full-membership date, an
	// unused temporary address) is absent.
	Fields map[string]string
	// Home is the index in Tree.Committees of the cell the member belongs to.
	Home int
	// Residence is, for a member of a workplace cell registered where they
	// live (a 213 member), the index of the residence committee: the
	// commune or ward whose cell covers their address. Otherwise -1.
	Residence int
	// ResidenceCell is the index of that residential cell, the one the
	// residence committee would assign, or -1.
	ResidenceCell int
}

// Probationary reports whether the member is still on probation: admitted
// within the 12 months before the reference date, so without a
// full-membership date or a card.
func (m Member) Probationary() bool {
	_, full := m.Fields["full"]
	return !full
}

// Field indexes into fieldNames, in register order.
const (
	fName = iota
	fSex
	fBorn
	fBirthplace
	fHometown
	fEthnicity
	fReligion
	fCitizenID
	fAddress
	fTempAddress
	fPhone
	fOccupation
	fWorkplace
	fEducation
	fTheory
	fCard
	fProfile
	fRegisterLine
	fAdmitted
	fFull
	fBadge
	numFields
)

// fieldNames are the schema field names the generator fills.
var fieldNames = [numFields]string{"name", "sex", "born", "birthplace", "hometown",
	"ethnicity", "religion", "citizen_id", "address", "temp_address", "phone",
	"occupation", "workplace", "education", "theory", "card", "profile",
	"register_line", "admitted", "full", "badge"}

// minFull is the number of full members a cell needs.
const minFull = 3

// maxAge is the age of the oldest members generated.
const maxAge = 85

// Members returns n members of the committees of t, generated from seed. It
// holds them all in memory; use EachMember for more than about 100,000.
func Members(seed uint64, t *Tree, n int, opts Options) ([]Member, error) {
	out := make([]Member, 0, min(max(n, 0), 1<<20))
	err := EachMember(seed, t, n, opts, func(_ int, m Member) bool {
		out = append(out, m)
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EachMember generates n members of the committees of t from seed and
// passes each, with its index from 0, to yield, until yield returns false.
// It holds no member after yield returns, so memory does not grow with n;
// yield owns m and may keep it.
//
// Members belong to the committees of t with no subordinate committee (the
// cells), residential cells holding more members than workplace cells. The
// first three members per cell go round-robin to the cells as full members,
// so that when n is at least three times the number of cells every cell has
// the three full members it needs. The output depends on seed, t, opts and
// nothing else: generating fewer members gives a prefix of the same
// sequence.
func EachMember(seed uint64, t *Tree, n int, opts Options, yield func(i int, m Member) bool) error {
	if err := opts.validate(); err != nil {
		return err
	}
	if n < 0 || n > maxMembers {
		return fmt.Errorf("sample: %d members: want 0 to %d", n, maxMembers)
	}
	g, err := newGenerator(seed, t, opts)
	if err != nil {
		return err
	}
	for i := range n {
		if !yield(i, g.member(i)) {
			break
		}
	}
	return nil
}

// maxMembers is how many members can have distinct 8-digit card numbers.
const maxMembers = 100_000_000

// home is what the generator knows about a committee members belong to.
type home struct {
	idx       int
	workplace bool
	wk        workplaceKind
	employer  string // the workplace field of its members
	commune   string // for residential cells: "phường Tân Phú"
	cellPlace string // for residential cells: "Tổ dân phố 5"
	urban     bool
}

type generator struct {
	r    *rand.Rand
	t    *Tree
	p    *province
	opts Options
	ref  int // reference date, in days
	// refDate is the reference date, and bornBefore[n] the last birth day
	// of those n years old on it.
	refDate    civil
	bornBefore [maxAge + 2]int
	// lastFull is the last admission day whose year of probation is over
	// by the reference date.
	lastFull int
	homes    []home
	cum      []uint64 // cumulative weights of homes
	forced   int      // members 0..forced-1 go round-robin to homes as full members
	resCell  []int    // indexes into homes of residential cells, for 213 links
	lines    []int32  // register lines used per home
	cards    permutation
	profile  permutation
	abbrev   string

	buf  []byte
	span [numFields][2]int32
}

func newGenerator(seed uint64, t *Tree, opts Options) (*generator, error) {
	if t == nil || len(t.Committees) == 0 {
		return nil, fmt.Errorf("%w: no committees", ErrInvalidTree)
	}
	p := lookupProvince(t.Province)
	if p == nil {
		return nil, fmt.Errorf("%w: province %q: want one of ProvinceNames", ErrInvalidTree, t.Province)
	}
	for i, c := range t.Committees {
		if strings.TrimSpace(c.Name) != c.Name || c.Name == "" || strings.TrimSpace(c.Place) != c.Place {
			return nil, fmt.Errorf("%w: committee %d is named %q, place %q: want a name, and no surrounding spaces", ErrInvalidTree, i, c.Name, c.Place)
		}
		if c.Parent < -1 || c.Parent >= len(t.Committees) || c.Parent == i {
			return nil, fmt.Errorf("%w: committee %d (%s) has parent %d", ErrInvalidTree, i, c.Name, c.Parent)
		}
	}
	idx := t.Homes()
	if len(idx) == 0 {
		return nil, fmt.Errorf("%w: every committee has a subordinate, so none can hold members", ErrInvalidTree)
	}
	y, m, d := opts.Reference.Date()
	g := &generator{
		r:      rand.New(rand.NewPCG(seed, streamMembers)),
		t:      t,
		p:      p,
		opts:   opts,
		ref:    daysFromCivil(y, int(m), d),
		homes:  make([]home, len(idx)),
		cum:    make([]uint64, len(idx)),
		lines:  make([]int32, len(idx)),
		abbrev: p.abbrev(),
		buf:    make([]byte, 0, 1024),
	}
	g.refDate = toCivil(g.ref)
	for n := range g.bornBefore {
		g.bornBefore[n] = g.refDate.before(n)
	}
	g.lastFull = yearsBefore(g.ref, 1)
	for addYears(g.lastFull+1, 1) <= g.ref {
		g.lastFull++
	}
	g.cards = newPermutation(maxMembers, g.r.Uint64())
	g.profile = newPermutation(1_000_000, g.r.Uint64())
	var sum uint64
	for k, i := range idx {
		c := t.Committees[i]
		h := home{idx: i, workplace: c.Kind == schema.CommitteeWorkplace}
		var w int
		if h.workplace {
			h.employer = placeOf(c)
			if c.Parent >= 0 && t.Committees[c.Parent].Kind == schema.CommitteeWorkplace {
				h.employer = placeOf(t.Committees[c.Parent])
			}
			h.wk = kindOfWorkplace(h.employer)
			w = between(g.r, 8, 40)
		} else {
			h.cellPlace = placeOf(c)
			if c.Parent >= 0 {
				h.commune = placeOf(t.Committees[c.Parent])
			} else {
				h.commune = "phường " + place(g.r) // a lone office: give it somewhere to be
			}
			h.urban = strings.HasPrefix(h.cellPlace, "Tổ dân phố") || strings.HasPrefix(h.cellPlace, "Khu phố") ||
				strings.HasPrefix(h.commune, "phường") || strings.HasPrefix(h.commune, "thị trấn")
			if c.Kind == schema.CommitteeResidential && c.Parent >= 0 {
				g.resCell = append(g.resCell, k)
			}
			w = between(g.r, 25, 90)
		}
		g.homes[k] = h
		sum += uint64(w)
		g.cum[k] = sum
	}
	g.forced = minFull * len(idx)
	return g, nil
}

// placeOf is what a committee is named after, from its Place or, in
// hand-built trees without one, from its name.
func placeOf(c Committee) string {
	if c.Place != "" {
		return c.Place
	}
	for _, p := range []string{"Chi bộ ", "Đảng ủy ", "Đảng bộ "} {
		if s, ok := strings.CutPrefix(c.Name, p); ok {
			return s
		}
	}
	return c.Name
}

func (g *generator) pickHome() int {
	x := g.r.Uint64N(g.cum[len(g.cum)-1])
	lo, hi := 0, len(g.cum)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if g.cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// set records that field f spans the bytes of the buffer from start on.
func (g *generator) set(f int, start int) {
	g.span[f] = [2]int32{int32(start), int32(len(g.buf))}
}

func (g *generator) str(f int, s string) {
	start := len(g.buf)
	g.buf = append(g.buf, s...)
	g.set(f, start)
}

func (g *generator) member(i int) Member {
	r, opts := g.r, g.opts
	g.buf = g.buf[:0]
	g.span = [numFields][2]int32{}

	var k int
	probation := false
	if i < g.forced {
		k = i % len(g.homes)
	} else {
		k = g.pickHome()
		probation = chance(r, opts.ProbationaryShare)
	}
	h := &g.homes[k]
	female := chance(r, opts.FemaleShare)
	m := Member{Home: h.idx, Residence: -1, ResidenceCell: -1}

	// Where the member was born and comes from.
	local := 0.75
	if h.workplace {
		local = 0.6
	}
	bp := g.p
	if !chance(r, local) {
		bp = byPopulation.pick(r)
	}
	grp := ethnicByBirth[bp.region].pick(r)

	born, admitted := g.dates(h, probation)
	bornYear := born.y

	start := len(g.buf)
	g.buf = writeName(g.buf, r, grp, bp.southNames(), female, bornYear)
	g.set(fName, start)
	if female {
		g.str(fSex, schema.SexFemale)
	} else {
		g.str(fSex, schema.SexMale)
	}
	start = len(g.buf)
	g.buf = appendCivil(g.buf, born)
	g.set(fBorn, start)

	start = len(g.buf)
	if bp == g.p && !h.workplace && h.commune != "" && chance(r, 0.5) {
		g.buf = append(g.buf, h.commune...)
		g.buf = append(g.buf, ", "...)
		g.buf = append(g.buf, bp.display()...)
	} else {
		g.buf = g.writeLocality(g.buf, bp, 0.2)
	}
	g.set(fBirthplace, start)
	birthplace := g.span[fBirthplace]
	start = len(g.buf)
	switch x := r.Float64(); {
	case x < 0.6:
		g.buf = append(g.buf, g.buf[birthplace[0]:birthplace[1]]...)
	case x < 0.85:
		g.buf = g.writeLocality(g.buf, bp, 0.1)
	default:
		g.buf = g.writeLocality(g.buf, byPopulation.pick(r), 0.1)
	}
	g.set(fHometown, start)

	g.str(fEthnicity, grp.name)
	g.str(fReligion, grp.religion.pick(r))

	start = len(g.buf)
	g.buf = append(g.buf, bp.code...)
	century := 0
	if bornYear >= 2000 {
		century = 2
	}
	if female {
		century++
	}
	g.buf = append(g.buf, byte('0'+century))
	g.buf = appendPadded(g.buf, bornYear%100, 2)
	g.buf = appendPadded(g.buf, r.IntN(1_000_000), 6)
	g.set(fCitizenID, start)

	g.address(h, &m)

	start = len(g.buf)
	g.buf = append(g.buf, one(r, phonePrefixes)...)
	g.buf = appendPadded(g.buf, r.IntN(10_000_000), 7)
	g.set(fPhone, start)

	age := born.yearsTo(g.refDate)
	g.work(h, female, age, bornYear, bp)

	start = len(g.buf)
	switch {
	case probation:
		if chance(r, 0.5) {
			g.buf = append(g.buf, "Sơ cấp"...)
		}
	case h.workplace:
		g.buf = append(g.buf, theoryCadre.pick(r)...)
	default:
		g.buf = append(g.buf, theoryMember.pick(r)...)
	}
	g.set(fTheory, start)

	if !probation {
		start = len(g.buf)
		g.buf = appendPadded(g.buf, int(g.cards.at(uint64(i))), 8)
		g.set(fCard, start)
	}
	start = len(g.buf)
	g.buf = appendPadded(g.buf, int(g.profile.at(uint64(i%1_000_000))), 6)
	g.buf = append(g.buf, g.abbrev...)
	g.set(fProfile, start)
	g.lines[k]++
	start = len(g.buf)
	g.buf = strconv.AppendInt(g.buf, int64(g.lines[k]), 10)
	g.set(fRegisterLine, start)

	start = len(g.buf)
	g.buf = appendCivil(g.buf, admitted)
	g.set(fAdmitted, start)
	if !probation {
		start = len(g.buf)
		g.buf = appendDate(g.buf, admitted.after(1))
		g.set(fFull, start)
		if years := admitted.yearsTo(g.refDate); years >= 30 {
			for _, b := range badgeYears {
				if years >= b {
					start = len(g.buf)
					g.buf = append(g.buf, "Huy hiệu "...)
					g.buf = strconv.AppendInt(g.buf, int64(b), 10)
					g.buf = append(g.buf, " năm tuổi Đảng"...)
					g.set(fBadge, start)
					break
				}
			}
		}
	}

	s := string(g.buf)
	count := 0
	for _, sp := range g.span {
		if sp[1] > sp[0] {
			count++
		}
	}
	m.Fields = make(map[string]string, count)
	for f, sp := range g.span {
		if sp[1] > sp[0] {
			m.Fields[fieldNames[f]] = s[sp[0]:sp[1]]
		}
	}
	return m
}

// dates draws the dates of birth and admission, in days. Probationary
// members were admitted so recently that their first year ends after the
// reference date; everyone else early enough that it ends on or before it.
// Everyone is 18 to 85 at the reference date and was admitted at 18 to 40.
func (g *generator) dates(h *home, probation bool) (born, admitted civil) {
	r := g.r
	if probation {
		admitted = toCivil(between(r, g.lastFull+1, g.ref))
		age := 18 + min(r.IntN(23), r.IntN(23))
		if h.workplace {
			age = 21 + min(r.IntN(20), r.IntN(20))
		}
		return toCivil(between(r, admitted.before(age+1)+1, admitted.before(age))), admitted
	}
	var age int
	switch {
	case h.workplace:
		age = triangular(r, 23, 60)
	case chance(r, 0.55):
		age = 60 + min(r.IntN(maxAge-59), r.IntN(maxAge-59)+r.IntN(maxAge-59)) // retired, thinning with age
	default:
		age = triangular(r, 19, 59)
	}
	born = toCivil(between(r, g.bornBefore[age+1]+1, g.bornBefore[age]))

	// Admitted at 18 to 40, on or before lastFull.
	lo := born.after(18)
	hi := min(born.after(41)-1, g.lastFull)
	at := 18 + min(r.IntN(23), r.IntN(23))
	day := between(r, born.after(at), born.after(at+1)-1)
	if day > hi {
		day = between(r, max(lo, hi-730), hi)
	}
	return born, toCivil(max(day, lo))
}

// writeLocality appends a commune or ward of province p that need not be
// in the tree: "xã Tân Phú, tỉnh Nghệ An".
func (g *generator) writeLocality(b []byte, p *province, wards float64) []byte {
	if chance(g.r, wards) {
		b = append(b, "phường "...)
	} else {
		b = append(b, "xã "...)
	}
	b = writePlace(b, g.r)
	b = append(b, ", "...)
	return append(b, p.display()...)
}

// address fills the permanent and temporary addresses, and the residence
// link of members of workplace cells.
func (g *generator) address(h *home, m *Member) {
	r := g.r
	start := len(g.buf)
	switch {
	case !h.workplace:
		g.buf = g.writeAddress(g.buf, h.urban, h.cellPlace, h.commune, g.p)
		g.set(fAddress, start)
		if chance(r, 0.03) {
			start = len(g.buf)
			g.buf = g.writeAddress(g.buf, true, "", "", byPopulation.pick(r))
			g.set(fTempAddress, start)
		}
	case h.workplace && len(g.resCell) > 0 && chance(r, g.opts.ResidenceShare):
		rc := &g.homes[g.resCell[r.IntN(len(g.resCell))]]
		m.ResidenceCell = rc.idx
		m.Residence = g.t.Committees[rc.idx].Parent
		g.buf = g.writeAddress(g.buf, rc.urban, rc.cellPlace, rc.commune, g.p)
		g.set(fAddress, start)
	case chance(r, 0.25):
		// Registered in the home town, renting near work.
		g.buf = g.writeAddress(g.buf, false, "", "", byPopulation.pick(r))
		g.set(fAddress, start)
		start = len(g.buf)
		g.buf = g.writeAddress(g.buf, true, "", "", g.p)
		g.set(fTempAddress, start)
	default:
		g.buf = g.writeAddress(g.buf, chance(r, 0.6), "", "", g.p)
		g.set(fAddress, start)
	}
}

// writeAddress appends an address in commune ("phường Tân Phú") of p:
// house, lane and street in towns ("Số 12, ngõ 45, phố Trần Hưng Đạo"),
// village in the country ("Thôn Đông"). cell, if given, is the residential
// cell's place and names the neighbourhood or village; commune "" stands
// for a ward or commune made up on the spot.
func (g *generator) writeAddress(b []byte, urban bool, cell, commune string, p *province) []byte {
	r := g.r
	if urban {
		b = append(b, "Số "...)
		b = strconv.AppendInt(b, int64(1+min(r.IntN(300), r.IntN(300))), 10)
		lane := ", ngõ "
		if p.south() {
			lane = ", hẻm "
		}
		if chance(r, 0.5) {
			b = append(b, lane...)
			b = strconv.AppendInt(b, int64(1+r.IntN(200)), 10)
			if chance(r, 0.2) {
				b = append(b, ", ngách "...)
				b = strconv.AppendInt(b, int64(1+r.IntN(60)), 10)
			}
		}
		if p.name == "Hà Nội" && chance(r, 0.6) {
			b = append(b, ", phố "...)
		} else {
			b = append(b, ", đường "...)
		}
		b = append(b, one(r, streets)...)
		if cell != "" {
			b = append(b, ", "...)
			b = appendLowerFirst(b, cell)
		}
	} else {
		switch {
		case cell != "":
			b = append(b, cell...)
		case p.south():
			b = append(b, "Ấp "...)
			b = writePlace(b, r)
		case chance(r, 0.3):
			b = append(b, "Xóm "...)
			b = strconv.AppendInt(b, int64(1+r.IntN(15)), 10)
		default:
			b = append(b, "Thôn "...)
			b = append(b, one(r, villageNames)...)
		}
	}
	b = append(b, ", "...)
	switch {
	case commune != "":
		b = append(b, commune...)
	case urban:
		b = append(b, "phường "...)
		b = writePlace(b, r)
	default:
		b = append(b, "xã "...)
		b = writePlace(b, r)
	}
	b = append(b, ", "...)
	return append(b, p.display()...)
}

// appendLowerFirst appends s with its first word in lower case, the way an
// address writes a neighbourhood: "tổ dân phố 5", "khu phố 3".
func appendLowerFirst(b []byte, s string) []byte {
	if rest, ok := strings.CutPrefix(s, "Tổ "); ok {
		b = append(b, "tổ "...)
		return append(b, rest...)
	}
	if rest, ok := strings.CutPrefix(s, "Khu "); ok {
		b = append(b, "khu "...)
		return append(b, rest...)
	}
	return append(b, s...)
}

// work fills occupation, workplace and education.
func (g *generator) work(h *home, female bool, age, bornYear int, bp *province) {
	r := g.r
	var o *occupation
	switch {
	case h.workplace:
		o = occupationsAt[h.wk].pick(r)
	case age >= 60 || female && age >= 55:
		if h.urban {
			o = occupationsRetiredUrban.pick(r)
		} else {
			o = occupationsRetiredRural.pick(r)
		}
	case h.urban:
		o = occupationsUrban.pick(r)
	default:
		o = occupationsRural.pick(r)
	}
	g.str(fOccupation, o.name)
	start := len(g.buf)
	if o.employer == empOwn {
		g.buf = append(g.buf, h.employer...)
	} else {
		g.buf = writeEmployer(g.buf, r, o.employer, h.commune, g.p)
	}
	g.set(fWorkplace, start)
	edu := o.edu.pick(r)
	if bornYear < 1965 && !bp.south() {
		edu = oldSchooling(edu)
	}
	g.str(fEducation, edu)
}
