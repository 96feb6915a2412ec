package sample

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Regions decide ethnicities, family-name spellings and the way villages and
// urban neighbourhoods are named.
const (
	regionDelta    = 'D' // Red River delta and the north-east coast
	regionMidlands = 'm' // northern midlands
	regionMountain = 'M' // northern mountains
	regionCentral  = 'C' // north-central and central coast
	regionHigh     = 'H' // Central Highlands
	regionSouth    = 'S' // south-east and Mekong delta
)

// province is one province or centrally-run city as citizen IDs code them
// (the 63 units of Circular 07/2016/TT-BCA, which IDs keep using).
type province struct {
	name    string
	code    string // first three digits of a citizen ID registered there
	region  byte
	pop     uint32 // population, hundreds of thousands, roughly
	city    bool   // centrally-run city
	current bool   // one of the 34 units since 1 July 2025
	shown   string // as the end of an address writes it; see withDisplay
}

var provinces = withDisplay([]province{
	{"Hà Nội", "001", regionDelta, 84, true, true, ""},
	{"Hà Giang", "002", regionMountain, 9, false, false, ""},
	{"Cao Bằng", "004", regionMountain, 5, false, true, ""},
	{"Bắc Kạn", "006", regionMountain, 3, false, false, ""},
	{"Tuyên Quang", "008", regionMountain, 8, false, true, ""},
	{"Lào Cai", "010", regionMountain, 7, false, true, ""},
	{"Điện Biên", "011", regionMountain, 6, false, true, ""},
	{"Lai Châu", "012", regionMountain, 5, false, true, ""},
	{"Sơn La", "014", regionMountain, 13, false, true, ""},
	{"Yên Bái", "015", regionMountain, 8, false, false, ""},
	{"Hòa Bình", "017", regionMountain, 9, false, false, ""},
	{"Thái Nguyên", "019", regionMidlands, 13, false, true, ""},
	{"Lạng Sơn", "020", regionMountain, 8, false, true, ""},
	{"Quảng Ninh", "022", regionDelta, 13, false, true, ""},
	{"Bắc Giang", "024", regionMidlands, 19, false, false, ""},
	{"Phú Thọ", "025", regionMidlands, 15, false, true, ""},
	{"Vĩnh Phúc", "026", regionDelta, 12, false, false, ""},
	{"Bắc Ninh", "027", regionDelta, 15, false, true, ""},
	{"Hải Dương", "030", regionDelta, 19, false, false, ""},
	{"Hải Phòng", "031", regionDelta, 21, true, true, ""},
	{"Hưng Yên", "033", regionDelta, 13, false, true, ""},
	{"Thái Bình", "034", regionDelta, 19, false, false, ""},
	{"Hà Nam", "035", regionDelta, 9, false, false, ""},
	{"Nam Định", "036", regionDelta, 18, false, false, ""},
	{"Ninh Bình", "037", regionDelta, 10, false, true, ""},
	{"Thanh Hóa", "038", regionCentral, 37, false, true, ""},
	{"Nghệ An", "040", regionCentral, 34, false, true, ""},
	{"Hà Tĩnh", "042", regionCentral, 13, false, true, ""},
	{"Quảng Bình", "044", regionCentral, 9, false, false, ""},
	{"Quảng Trị", "045", regionCentral, 6, false, true, ""},
	{"Huế", "046", regionCentral, 12, true, true, ""},
	{"Đà Nẵng", "048", regionCentral, 12, true, true, ""},
	{"Quảng Nam", "049", regionCentral, 15, false, false, ""},
	{"Quảng Ngãi", "051", regionCentral, 12, false, true, ""},
	{"Bình Định", "052", regionCentral, 15, false, false, ""},
	{"Phú Yên", "054", regionCentral, 9, false, false, ""},
	{"Khánh Hòa", "056", regionCentral, 12, false, true, ""},
	{"Ninh Thuận", "058", regionCentral, 6, false, false, ""},
	{"Bình Thuận", "060", regionCentral, 12, false, false, ""},
	{"Kon Tum", "062", regionHigh, 6, false, false, ""},
	{"Gia Lai", "064", regionHigh, 15, false, true, ""},
	{"Đắk Lắk", "066", regionHigh, 19, false, true, ""},
	{"Đắk Nông", "067", regionHigh, 7, false, false, ""},
	{"Lâm Đồng", "068", regionHigh, 13, false, true, ""},
	{"Bình Phước", "070", regionSouth, 10, false, false, ""},
	{"Tây Ninh", "072", regionSouth, 12, false, true, ""},
	{"Bình Dương", "074", regionSouth, 27, false, false, ""},
	{"Đồng Nai", "075", regionSouth, 32, false, true, ""},
	{"Bà Rịa - Vũng Tàu", "077", regionSouth, 12, false, false, ""},
	{"Hồ Chí Minh", "079", regionSouth, 94, true, true, ""},
	{"Long An", "080", regionSouth, 17, false, false, ""},
	{"Tiền Giang", "082", regionSouth, 18, false, false, ""},
	{"Bến Tre", "083", regionSouth, 13, false, false, ""},
	{"Trà Vinh", "084", regionSouth, 10, false, false, ""},
	{"Vĩnh Long", "086", regionSouth, 10, false, true, ""},
	{"Đồng Tháp", "087", regionSouth, 16, false, true, ""},
	{"An Giang", "089", regionSouth, 19, false, true, ""},
	{"Kiên Giang", "091", regionSouth, 17, false, false, ""},
	{"Cần Thơ", "092", regionSouth, 12, true, true, ""},
	{"Hậu Giang", "093", regionSouth, 7, false, false, ""},
	{"Sóc Trăng", "094", regionSouth, 12, false, false, ""},
	{"Bạc Liêu", "095", regionSouth, 9, false, false, ""},
	{"Cà Mau", "096", regionSouth, 12, false, true, ""},
})

// withDisplay fills in how addresses write each province: "Hà Nội",
// "TP. Hồ Chí Minh", "tỉnh Nghệ An".
func withDisplay(ps []province) []province {
	for i := range ps {
		p := &ps[i]
		switch {
		case p.name == "Hồ Chí Minh":
			p.shown = "TP. Hồ Chí Minh"
		case p.city:
			p.shown = p.name
		default:
			p.shown = "tỉnh " + p.name
		}
	}
	return ps
}

// byPopulation draws birthplaces and home towns of people who come from
// outside the tree's province.
var byPopulation = func() *weighted[*province] {
	es := make([]entry[*province], len(provinces))
	for i := range provinces {
		es[i] = entry[*province]{&provinces[i], provinces[i].pop}
	}
	return newWeighted(es...)
}()

// currentProvinces are the units a generated tree may be placed in when the
// options leave the province to the seed.
var currentProvinces = func() []*province {
	var out []*province
	for i := range provinces {
		if provinces[i].current {
			out = append(out, &provinces[i])
		}
	}
	return out
}()

func lookupProvince(name string) *province {
	for i := range provinces {
		if provinces[i].name == name {
			return &provinces[i]
		}
	}
	return nil
}

// ProvinceNames lists the province names Options.Province accepts: the 34
// provinces and cities of 2025 and the 29 merged into them, whose codes
// citizen IDs keep.
func ProvinceNames() []string {
	out := make([]string, len(provinces))
	for i, p := range provinces {
		out[i] = p.name
	}
	return out
}

// display is the province as the end of an address writes it.
func (p *province) display() string { return p.shown }

// abbrev is the letter suffix of profile numbers opened in the province:
// the initials of its name, at most three.
func (p *province) abbrev() string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(p.name) {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsLetter(r) || n == 3 {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
		n++
	}
	return b.String()
}

// south reports whether the province calls urban neighbourhoods khu phố,
// lanes hẻm and villages ấp, as the south does.
func (p *province) south() bool { return p.region == regionSouth || p.region == regionHigh }

// southNames reports whether the province spells family names the way the
// south and the centre from Quảng Bình down do: Huỳnh and Võ rather than
// Hoàng and Vũ. Codes run from north to south.
func (p *province) southNames() bool { return p.code >= "044" }
