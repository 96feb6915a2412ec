package sample

import "math/rand/v2"

// Family names with their shares of the population, per ten thousand. The
// two names written differently in the north and the south (Hoàng/Huỳnh,
// Vũ/Võ) are resolved by region.
var familyShares = []entry[string]{
	{"Nguyễn", 3800}, {"Trần", 1100}, {"Lê", 950}, {"Phạm", 700},
	{"Hoàng", 500}, {"Phan", 450}, {"Vũ", 390}, {"Đặng", 210},
	{"Bùi", 200}, {"Đỗ", 140}, {"Hồ", 130}, {"Ngô", 130},
	{"Dương", 100}, {"Lý", 50},
	// The rest, about 11.5%.
	{"Trịnh", 110}, {"Đinh", 110}, {"Đào", 100}, {"Mai", 90},
	{"Trương", 90}, {"Lương", 80}, {"Đoàn", 80}, {"Hà", 70},
	{"Cao", 60}, {"Lâm", 50}, {"Tạ", 40}, {"Lưu", 40}, {"Chu", 40},
	{"Kiều", 30}, {"Tô", 30}, {"Quách", 20}, {"Thái", 20}, {"Tăng", 20},
	{"Khuất", 15}, {"Lại", 15}, {"Nghiêm", 15}, {"Văn", 10}, {"Lã", 10},
	{"Triệu", 10}, {"Âu", 5}, {"Khổng", 5},
}

func familyTable(south bool) *weighted[string] {
	es := make([]entry[string], len(familyShares))
	copy(es, familyShares)
	if south {
		for i := range es {
			switch es[i].item {
			case "Hoàng":
				es[i].item = "Huỳnh"
			case "Vũ":
				es[i].item = "Võ"
			}
		}
	}
	return newWeighted(es...)
}

var (
	familyNorth = familyTable(false)
	familySouth = familyTable(true)
)

// Middle names other than Văn and Thị, which writeName draws first with
// shares that fall with the year of birth; younger parents chose from a
// wider set.
var (
	maleMiddle = ranked("Hữu", "Đức", "Minh", "Quang", "Công", "Xuân", "Thành",
		"Mạnh", "Tiến", "Trọng", "Quốc", "Duy", "Anh", "Thanh", "Ngọc", "Hoàng",
		"Đình", "Bá", "Trung", "Việt", "Hải", "Tuấn", "Kim", "Gia", "Nhật", "Tất")
	femaleMiddle = ranked("Ngọc", "Thu", "Thanh", "Kim", "Phương", "Thùy",
		"Minh", "Hồng", "Mai", "Bích", "Hải", "Diệu", "Khánh", "Lan", "Hoài", "Thúy",
		"Mỹ", "Như", "Quỳnh", "Bảo", "Tuyết", "Vân", "Hương", "Cẩm")
	maleMiddleYoung = ranked("Minh", "Đức", "Quang", "Tuấn", "Hoàng", "Gia",
		"Anh", "Duy", "Quốc", "Thành", "Hữu", "Việt", "Công", "Trung", "Xuân",
		"Bảo", "Nhật", "Đăng", "Khánh", "Phúc", "Thế", "Tiến", "Mạnh")
	femaleMiddleYoung = ranked("Ngọc", "Thu", "Phương", "Thanh", "Minh",
		"Khánh", "Thùy", "Hồng", "Mai", "Bảo", "Diệu", "Quỳnh", "Hà", "Kim",
		"Lan", "Tú", "Như", "Hải", "Bích", "Vân", "Cẩm", "Tuệ")
	// Second middle names, after Văn, Thị or another middle name.
	maleSecond   = ranked("Minh", "Quang", "Đức", "Hoàng", "Anh", "Tuấn", "Thanh", "Việt")
	femaleSecond = ranked("Thu", "Ngọc", "Kim", "Minh", "Thanh", "Hồng", "Bích", "Phương", "Mai")
)

// Given names, the common ones first.
var (
	maleGiven = ranked("Hùng", "Dũng", "Tuấn", "Nam", "Long", "Sơn", "Hải", "Minh",
		"Thắng", "Cường", "Quân", "Hiếu", "Huy", "Đức", "Thành", "Trung", "Tùng",
		"Hoàng", "Bình", "Phong", "Việt", "Khánh", "Vinh", "Chiến", "Hòa", "Kiên",
		"Mạnh", "Nghĩa", "Phúc", "Quang", "Thanh", "Thịnh", "Toàn", "Tú", "Lâm",
		"Lợi", "Tài", "Trí", "An", "Bảo", "Công", "Đạt", "Định", "Duy", "Giang",
		"Hậu", "Hưng", "Khoa", "Lộc", "Phương", "Quý", "Tâm", "Tân", "Thái",
		"Thông", "Tiến", "Anh", "Tuệ", "Lực", "Hiệp", "Thuận", "Trường", "Kha")
	femaleGiven = ranked("Lan", "Hương", "Mai", "Hoa", "Linh", "Trang", "Thảo",
		"Hà", "Hằng", "Huyền", "Nga", "Ngọc", "Nhung", "Phương", "Thủy", "Thúy",
		"Vân", "Yến", "Dung", "Hạnh", "Hiền", "Hồng", "Liên", "Loan", "Ly", "Nhàn",
		"Oanh", "Quyên", "Tâm", "Thanh", "Thu", "Trinh", "Uyên", "Xuân", "Anh",
		"Chi", "Diệp", "Giang", "Hải", "Hậu", "Khánh", "Lệ", "Ngân", "Nhi",
		"Quỳnh", "Tuyết", "Vy", "Bích", "Hòa", "Huệ", "Lài", "Mơ", "Thơm",
		"Tươi", "Duyên", "Hảo", "My", "Sen", "Thắm", "Châu", "Đào")
)

// nameStyle is how an ethnic group builds full names.
type nameStyle int

const (
	styleKinh     nameStyle = iota // family, middle names, given name
	styleFamily                    // Kinh pattern with the group's own family names
	styleHmong                     // family, A or Thị, Hmong given name
	styleKhmer                     // family, Khmer given name
	styleEde                       // Y or H' with the given name, clan last
	styleGiaRai                    // clan first, H' before women's names
	styleHighland                  // Kinh pattern, family names of the highlands
)

type ethnicGroup struct {
	name     string
	style    nameStyle
	families *weighted[string] // for styles that use their own
	religion *weighted[string]
}

var (
	religionKinh = newWeighted(
		entry[string]{"Không", 905}, entry[string]{"Phật giáo", 65}, entry[string]{"Công giáo", 30})
	religionKinhSouth = newWeighted(
		entry[string]{"Không", 860}, entry[string]{"Phật giáo", 85}, entry[string]{"Công giáo", 30},
		entry[string]{"Cao Đài", 15}, entry[string]{"Phật giáo Hòa Hảo", 10})
	religionNone     = newWeighted(entry[string]{"Không", 95}, entry[string]{"Phật giáo", 5})
	religionKhmer    = newWeighted(entry[string]{"Phật giáo", 80}, entry[string]{"Không", 20})
	religionHoa      = newWeighted(entry[string]{"Không", 70}, entry[string]{"Phật giáo", 30})
	religionHighland = newWeighted(entry[string]{"Không", 75}, entry[string]{"Tin Lành", 15}, entry[string]{"Công giáo", 10})
	religionCham     = newWeighted(entry[string]{"Không", 50}, entry[string]{"Bà La Môn", 35}, entry[string]{"Hồi giáo", 15})
)

var (
	groupKinh     = &ethnicGroup{"Kinh", styleKinh, nil, religionKinh}
	groupKinhSth  = &ethnicGroup{"Kinh", styleKinh, nil, religionKinhSouth}
	groupTay      = &ethnicGroup{"Tày", styleFamily, ranked("Hoàng", "Nông", "Lương", "Hà", "Ma", "Lục", "Triệu", "Đàm", "Bế", "Lăng", "Nguyễn"), religionNone}
	groupNung     = &ethnicGroup{"Nùng", styleFamily, ranked("Hoàng", "Nông", "Lương", "Vi", "Lăng", "Hứa", "Chu", "Mã", "Nguyễn"), religionNone}
	groupThai     = &ethnicGroup{"Thái", styleFamily, ranked("Lò", "Cầm", "Lường", "Quàng", "Vi", "Hà", "Tòng", "Điêu", "Lộc"), religionNone}
	groupMuong    = &ethnicGroup{"Mường", styleFamily, ranked("Bùi", "Đinh", "Quách", "Hà", "Xa", "Cao", "Nguyễn"), religionNone}
	groupDao      = &ethnicGroup{"Dao", styleFamily, ranked("Triệu", "Bàn", "Đặng", "Lý", "Phùng", "Chảo"), religionNone}
	groupSanDiu   = &ethnicGroup{"Sán Dìu", styleFamily, ranked("Trần", "Lỷ", "Diệp", "Lưu", "Lam", "Hoàng"), religionNone}
	groupHmong    = &ethnicGroup{"H'Mông", styleHmong, ranked("Giàng", "Sùng", "Vàng", "Thào", "Mùa", "Lý", "Hầu", "Vừ"), religionNone}
	groupKhmer    = &ethnicGroup{"Khmer", styleKhmer, ranked("Thạch", "Sơn", "Kim", "Danh", "Lâm", "Châu", "Trà", "Huỳnh"), religionKhmer}
	groupHoa      = &ethnicGroup{"Hoa", styleFamily, ranked("Lâm", "Trương", "Quách", "Lý", "Mã", "Hứa", "Tăng", "Lưu", "Diệp", "Châu"), religionHoa}
	groupCham     = &ethnicGroup{"Chăm", styleFamily, ranked("Đàng", "Thiên", "Lộ", "Quảng", "Châu", "Thập", "Hán"), religionCham}
	groupEde      = &ethnicGroup{"Ê Đê", styleEde, ranked("Niê", "Mlô", "Êban", "Ksơr", "Byă", "Adrơng", "Hđơk", "Kbuôr"), religionHighland}
	groupGiaRai   = &ethnicGroup{"Gia Rai", styleGiaRai, ranked("Ksor", "Siu", "Rơ Mah", "Rơ Chăm", "Nay", "Kpă", "Rah Lan"), religionHighland}
	groupBaNa     = &ethnicGroup{"Ba Na", styleHighland, ranked("Đinh", "A", "Y"), religionHighland}
	groupCoTu     = &ethnicGroup{"Cơ Tu", styleHighland, ranked("Alăng", "Bhling", "Zơrâm", "Briu", "Clâu"), religionNone}
	ethnicByBirth = map[byte]*weighted[*ethnicGroup]{
		regionDelta: newWeighted(
			entry[*ethnicGroup]{groupKinh, 980}, entry[*ethnicGroup]{groupMuong, 8},
			entry[*ethnicGroup]{groupTay, 5}, entry[*ethnicGroup]{groupSanDiu, 4}, entry[*ethnicGroup]{groupHoa, 3}),
		regionMidlands: newWeighted(
			entry[*ethnicGroup]{groupKinh, 800}, entry[*ethnicGroup]{groupTay, 60}, entry[*ethnicGroup]{groupNung, 45},
			entry[*ethnicGroup]{groupMuong, 50}, entry[*ethnicGroup]{groupDao, 25}, entry[*ethnicGroup]{groupSanDiu, 20}),
		regionMountain: newWeighted(
			entry[*ethnicGroup]{groupKinh, 450}, entry[*ethnicGroup]{groupTay, 170}, entry[*ethnicGroup]{groupThai, 130},
			entry[*ethnicGroup]{groupNung, 80}, entry[*ethnicGroup]{groupMuong, 60}, entry[*ethnicGroup]{groupHmong, 60},
			entry[*ethnicGroup]{groupDao, 50}),
		regionCentral: newWeighted(
			entry[*ethnicGroup]{groupKinh, 950}, entry[*ethnicGroup]{groupThai, 20}, entry[*ethnicGroup]{groupMuong, 15},
			entry[*ethnicGroup]{groupCham, 8}, entry[*ethnicGroup]{groupCoTu, 7}),
		regionHigh: newWeighted(
			entry[*ethnicGroup]{groupKinhSth, 700}, entry[*ethnicGroup]{groupEde, 80}, entry[*ethnicGroup]{groupGiaRai, 80},
			entry[*ethnicGroup]{groupBaNa, 50}, entry[*ethnicGroup]{groupTay, 30}, entry[*ethnicGroup]{groupNung, 30},
			entry[*ethnicGroup]{groupMuong, 30}),
		regionSouth: newWeighted(
			entry[*ethnicGroup]{groupKinhSth, 910}, entry[*ethnicGroup]{groupKhmer, 60}, entry[*ethnicGroup]{groupHoa, 25},
			entry[*ethnicGroup]{groupCham, 5}),
	}
)

var (
	hmongMale     = uniform("Páo", "Sình", "Chứ", "Dình", "Sử", "Tủa", "Chúng", "Lử", "Pó", "Giàng")
	hmongFemale   = uniform("Mỷ", "Dua", "Say", "Súa", "Mai", "Chớ", "Dế", "Pà", "Xúa")
	khmerGiven    = uniform("Sô Phết", "Sa Rin", "Sóc Kha", "Chanh Đa", "Sà Rây", "Sa Ri", "Pho", "Sang", "Thươl", "Xà Phên", "Mol", "Sóc", "Ra Ny", "Sô Khom", "Kim Sên", "Sa Phon")
	edeMale       = uniform("Bhin", "Kông", "Jut", "Mơ", "Thuột", "Wai", "Ngông", "Blang", "Khuê", "Yơn", "Duôn")
	edeFemale     = uniform("Hen", "Bia", "Nga", "Ly", "Đim", "Wem", "Loan", "Yơn", "Xuân", "Ngăm", "Blan")
	giaRaiMale    = uniform("Plai", "Blơi", "Dơk", "Phước", "Hyun", "Thuyên", "Djuan", "Đức", "Lin")
	giaRaiFemale  = uniform("H'Bia", "H'Yên", "H'Luih", "H'Nhi", "H'Juen", "H'Lan", "H'Uyên", "H'Ngoan")
	highlandGiven = uniform("Blưu", "Thương", "Đăm", "Prông", "Rin", "Hơ", "Long", "Nhơn", "Vin")
)

// writeName appends a full name for someone of group g, sex female, born in
// the given year, to b.
func writeName(b []byte, r *rand.Rand, g *ethnicGroup, south, female bool, bornYear int) []byte {
	young := bornYear >= 1985
	switch g.style {
	case styleHmong:
		b = append(b, g.families.pick(r)...)
		if female {
			b = append(b, " Thị "...)
			return append(b, hmongFemale.pick(r)...)
		}
		b = append(b, " A "...)
		return append(b, hmongMale.pick(r)...)
	case styleKhmer:
		b = append(b, g.families.pick(r)...)
		if female && chance(r, 0.5) {
			b = append(b, " Thị"...)
		}
		b = append(b, ' ')
		return append(b, khmerGiven.pick(r)...)
	case styleEde:
		if female {
			b = append(b, "H'"...)
			b = append(b, edeFemale.pick(r)...)
		} else {
			b = append(b, "Y "...)
			b = append(b, edeMale.pick(r)...)
		}
		b = append(b, ' ')
		return append(b, g.families.pick(r)...)
	case styleGiaRai:
		b = append(b, g.families.pick(r)...)
		b = append(b, ' ')
		if female {
			return append(b, giaRaiFemale.pick(r)...)
		}
		return append(b, giaRaiMale.pick(r)...)
	case styleHighland:
		b = append(b, g.families.pick(r)...)
		if female {
			b = append(b, " Thị "...)
		} else {
			b = append(b, " Văn "...)
		}
		return append(b, highlandGiven.pick(r)...)
	case styleFamily:
		b = append(b, g.families.pick(r)...)
	default:
		if south {
			b = append(b, familySouth.pick(r)...)
		} else {
			b = append(b, familyNorth.pick(r)...)
		}
	}
	b = append(b, ' ')
	middle, second, given := maleMiddle, maleSecond, maleGiven
	plain, pPlain, pSecond := "Văn", 0.5, 0.03
	if young {
		middle, pPlain = maleMiddleYoung, 0.15
	}
	if female {
		middle, second, given = femaleMiddle, femaleSecond, femaleGiven
		plain, pPlain, pSecond = "Thị", 0.65, 0.15
		if young {
			middle, pPlain = femaleMiddleYoung, 0.3
		}
	}
	first := plain
	if !chance(r, pPlain) {
		first = middle.pick(r)
	}
	b = append(b, first...)
	last := first
	if chance(r, pSecond) {
		if s := second.pick(r); s != first {
			b = append(b, ' ')
			b = append(b, s...)
			last = s
		}
	}
	g1 := given.pick(r)
	for g1 == last || g1 == first {
		g1 = given.pick(r)
	}
	b = append(b, ' ')
	return append(b, g1...)
}
