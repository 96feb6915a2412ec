package sample

import (
	"math/rand/v2"
	"strings"
)

// employerKind says what a member's workplace field holds.
type employerKind int

const (
	empNone      employerKind = iota // no workplace: retired, farming, self-employed
	empOwn                           // the organisation of the member's workplace cell
	empCompany                       // a company
	empFactory                       // a company or an industrial park
	empHousehold                     // a household business, or none
	empSchool                        // a school of the commune the member lives in
	empCommune                       // the People's Committee of that commune
	empClinic                        // a health station or regional hospital
	empBar                           // the province's bar association
)

type occupation struct {
	name     string
	edu      *weighted[string]
	employer employerKind
}

var (
	eduHigher = newWeighted(entry[string]{"Đại học", 55}, entry[string]{"Thạc sĩ", 33}, entry[string]{"Tiến sĩ", 12})
	eduGrad   = newWeighted(entry[string]{"Đại học", 72}, entry[string]{"Thạc sĩ", 22}, entry[string]{"Cao đẳng", 6})
	eduMid    = newWeighted(entry[string]{"Đại học", 40}, entry[string]{"Cao đẳng", 35}, entry[string]{"Trung cấp", 25})
	eduBasic  = newWeighted(entry[string]{"12/12", 55}, entry[string]{"Trung cấp", 25}, entry[string]{"9/12", 12}, entry[string]{"Cao đẳng", 8})
	eduFarm   = newWeighted(entry[string]{"9/12", 45}, entry[string]{"12/12", 45}, entry[string]{"Trung cấp", 10})
	eduRetire = newWeighted(entry[string]{"12/12", 30}, entry[string]{"Đại học", 28}, entry[string]{"Trung cấp", 22},
		entry[string]{"9/12", 12}, entry[string]{"Cao đẳng", 5}, entry[string]{"Thạc sĩ", 3})
)

func occ(name string, edu *weighted[string], e employerKind, w uint32) entry[*occupation] {
	return entry[*occupation]{&occupation{name, edu, e}, w}
}

// Occupations of members of workplace cells, by the kind of workplace.
var occupationsAt = map[workplaceKind]*weighted[*occupation]{
	wkSchool: newWeighted(occ("Giáo viên", eduGrad, empOwn, 80), occ("Nhân viên văn phòng", eduMid, empOwn, 8),
		occ("Kế toán", eduMid, empOwn, 5), occ("Cán bộ quản lý giáo dục", eduGrad, empOwn, 7)),
	wkCollege: newWeighted(occ("Giảng viên", eduHigher, empOwn, 75), occ("Chuyên viên", eduGrad, empOwn, 20),
		occ("Kế toán", eduMid, empOwn, 5)),
	wkHospital: newWeighted(occ("Bác sĩ", eduHigher, empOwn, 38), occ("Điều dưỡng", eduMid, empOwn, 32),
		occ("Dược sĩ", eduGrad, empOwn, 8), occ("Kỹ thuật viên y tế", eduMid, empOwn, 10),
		occ("Hộ sinh", eduMid, empOwn, 5), occ("Chuyên viên", eduGrad, empOwn, 7)),
	wkEnterprise: newWeighted(occ("Kỹ sư", eduGrad, empOwn, 25), occ("Công nhân", eduBasic, empOwn, 35),
		occ("Kế toán", eduMid, empOwn, 10), occ("Nhân viên kinh doanh", eduMid, empOwn, 15),
		occ("Quản lý doanh nghiệp", eduGrad, empOwn, 5), occ("Lái xe", eduBasic, empOwn, 5),
		occ("Nhân viên văn phòng", eduMid, empOwn, 5)),
	wkAgency: newWeighted(occ("Công chức", eduGrad, empOwn, 45), occ("Chuyên viên", eduGrad, empOwn, 30),
		occ("Viên chức", eduMid, empOwn, 10), occ("Kế toán", eduMid, empOwn, 8),
		occ("Thanh tra viên", eduGrad, empOwn, 4), occ("Lái xe", eduBasic, empOwn, 3)),
	wkClinic: newWeighted(occ("Bác sĩ", eduHigher, empOwn, 20), occ("Y sĩ", eduMid, empOwn, 35),
		occ("Điều dưỡng", eduMid, empOwn, 30), occ("Hộ sinh", eduMid, empOwn, 15)),
	wkPolice:  newWeighted(occ("Sĩ quan Công an", eduMid, empOwn, 85), occ("Hạ sĩ quan Công an", eduBasic, empOwn, 15)),
	wkMilitia: newWeighted(occ("Công chức", eduMid, empOwn, 40), occ("Quân nhân", eduBasic, empOwn, 60)),
	wkCommune: newWeighted(occ("Công chức", eduGrad, empOwn, 70), occ("Viên chức", eduMid, empOwn, 15), occ("Cán bộ đoàn thể", eduMid, empOwn, 15)),
}

// Occupations of members of residential cells.
var (
	occupationsUrban = newWeighted(
		occ("Kinh doanh", eduBasic, empHousehold, 22), occ("Nhân viên văn phòng", eduMid, empCompany, 22),
		occ("Lao động tự do", eduBasic, empNone, 14), occ("Công nhân", eduBasic, empFactory, 10),
		occ("Kỹ sư", eduGrad, empCompany, 10), occ("Giáo viên", eduGrad, empSchool, 6),
		occ("Bác sĩ", eduHigher, empClinic, 3), occ("Luật sư", eduGrad, empBar, 2),
		occ("Công chức", eduGrad, empCommune, 6), occ("Hưu trí", eduRetire, empNone, 5))
	occupationsRural = newWeighted(
		occ("Nông dân", eduFarm, empNone, 38), occ("Công nhân", eduBasic, empFactory, 14),
		occ("Kinh doanh", eduBasic, empHousehold, 12), occ("Lao động tự do", eduBasic, empNone, 10),
		occ("Giáo viên", eduGrad, empSchool, 7), occ("Công chức", eduGrad, empCommune, 7),
		occ("Nhân viên văn phòng", eduMid, empCompany, 5), occ("Y sĩ", eduMid, empClinic, 2))
	occupationsRetiredUrban = newWeighted(
		occ("Hưu trí", eduRetire, empNone, 88), occ("Kinh doanh", eduBasic, empHousehold, 7),
		occ("Nội trợ", eduBasic, empNone, 5))
	occupationsRetiredRural = newWeighted(
		occ("Hưu trí", eduRetire, empNone, 60), occ("Nông dân", eduFarm, empNone, 35),
		occ("Nội trợ", eduFarm, empNone, 5))
)

var (
	theoryCadre   = newWeighted(entry[string]{"Sơ cấp", 45}, entry[string]{"Trung cấp", 38}, entry[string]{"Cao cấp", 12}, entry[string]{"Cử nhân", 5})
	theoryMember  = newWeighted(entry[string]{"Sơ cấp", 78}, entry[string]{"Trung cấp", 18}, entry[string]{"Cao cấp", 4})
	phonePrefixes = []string{"032", "033", "034", "035", "036", "037", "038", "039", "070", "076",
		"077", "078", "079", "081", "082", "083", "084", "085", "086", "088", "089", "090",
		"091", "093", "094", "096", "097", "098", "099", "056", "058", "059"}
	badgeYears = []int{90, 85, 80, 75, 70, 65, 60, 55, 50, 45, 40, 30}
)

// oldSchooling rewrites a general-education level in the ten-year system
// the north used for people born before 1965.
func oldSchooling(edu string) string {
	switch edu {
	case "12/12":
		return "10/10"
	case "9/12":
		return "7/10"
	}
	return edu
}

// kindOfWorkplace guesses the kind of an organisation from its name, so
// that hand-built trees get sensible occupations too.
func kindOfWorkplace(name string) workplaceKind {
	switch {
	case strings.HasPrefix(name, "Trường Cao đẳng"), strings.HasPrefix(name, "Trường Đại học"),
		strings.HasPrefix(name, "Trung tâm Giáo dục"):
		return wkCollege
	case strings.HasPrefix(name, "Trường"):
		return wkSchool
	case strings.HasPrefix(name, "Bệnh viện"), strings.HasPrefix(name, "Trung tâm Y tế"):
		return wkHospital
	case strings.HasPrefix(name, "Trạm Y tế"):
		return wkClinic
	case strings.HasPrefix(name, "Công an"):
		return wkPolice
	case strings.HasPrefix(name, "Ban Chỉ huy Quân sự"):
		return wkMilitia
	case strings.HasPrefix(name, "Cơ quan Ủy ban nhân dân xã"), strings.HasPrefix(name, "Cơ quan Ủy ban nhân dân phường"),
		strings.HasPrefix(name, "Cơ quan Ủy ban nhân dân thị trấn"):
		return wkCommune
	case strings.Contains(name, "Công ty"):
		return wkEnterprise
	}
	return wkAgency
}

// writeEmployer appends a workplace for a member of a residential cell in
// the given commune ("phường Tân Phú") of province p.
func writeEmployer(b []byte, r *rand.Rand, e employerKind, commune string, p *province) []byte {
	short := commune
	if i := strings.IndexByte(commune, ' '); i >= 0 {
		short = commune[i+1:]
		if strings.HasPrefix(commune, "thị trấn ") {
			short = commune[len("thị trấn "):]
		}
	}
	switch e {
	case empCompany:
		b = append(b, companyForms.pick(r)...)
		b = append(b, ' ')
		b = append(b, one(r, companyTrades)...)
		b = append(b, ' ')
		return writePlace(b, r)
	case empFactory:
		if chance(r, 0.4) {
			b = append(b, "Khu công nghiệp "...)
			return writePlace(b, r)
		}
		b = append(b, "Công ty "...)
		b = append(b, one(r, companyTrades)...)
		b = append(b, ' ')
		return writePlace(b, r)
	case empHousehold:
		if chance(r, 0.3) {
			b = append(b, "Hộ kinh doanh cá thể"...)
		}
		return b
	case empSchool:
		b = append(b, one(r, localSchools)...)
		return append(b, short...)
	case empCommune:
		b = append(b, "Ủy ban nhân dân "...)
		return append(b, commune...)
	case empClinic:
		if chance(r, 0.5) {
			b = append(b, "Trạm Y tế "...)
			return append(b, commune...)
		}
		b = append(b, "Bệnh viện Đa khoa khu vực "...)
		return writePlace(b, r)
	case empBar:
		b = append(b, "Đoàn Luật sư "...)
		return append(b, p.name...)
	}
	return b
}

var localSchools = []string{"Trường Mầm non ", "Trường Tiểu học ", "Trường THCS "}
