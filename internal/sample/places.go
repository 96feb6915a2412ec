package sample

import (
	"math/rand/v2"
	"strconv"
)

// Syllables of Sino-Vietnamese place names; two of them make a commune,
// ward, district or village name (Tân Phú, Hòa Bình, Yên Thịnh).
var (
	placeFirst = []string{"Tân", "Hòa", "Phú", "An", "Đông", "Tây", "Nam", "Bắc",
		"Vĩnh", "Thanh", "Hưng", "Minh", "Quang", "Yên", "Kim", "Đức", "Phúc",
		"Long", "Thái", "Bình", "Hải", "Xuân", "Nghĩa", "Hồng", "Thịnh", "Thuận",
		"Cát", "Mỹ", "Lộc", "Trung", "Sơn", "Thủy", "Thành", "Phong", "Khánh",
		"Tiên", "Hiệp", "Quỳnh", "Diễn", "Tam", "Cẩm", "Gia", "Hương", "Ngọc",
		"Lạc", "Tường", "Định", "Phước"}
	placeSecond = []string{"Phú", "Hòa", "Bình", "Lộc", "Thịnh", "Hưng", "An",
		"Lợi", "Thành", "Sơn", "Hải", "Long", "Lạc", "Tiến", "Phong", "Xuân",
		"Mỹ", "Trung", "Thuận", "Tân", "Khánh", "Phúc", "Đông", "Tây", "Yên",
		"Định", "Hà", "Lâm", "Thạnh", "Vinh", "Quang", "Hợp", "Lập", "Nghĩa",
		"Đức", "Thọ", "Kiều", "Linh", "Hồng", "Dương", "Minh", "Điền"}
	// Directions and positions that split a place in two (Tân Phú Đông).
	placeSuffix = []string{"Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ"}
)

// writePlace appends a two-syllable place name.
func writePlace(b []byte, r *rand.Rand) []byte {
	a := one(r, placeFirst)
	c := one(r, placeSecond)
	for c == a {
		c = one(r, placeSecond)
	}
	b = append(b, a...)
	b = append(b, ' ')
	return append(b, c...)
}

func place(r *rand.Rand) string { return string(writePlace(nil, r)) }

// Streets, named the way Vietnamese towns name them.
var streets = []string{"Trần Hưng Đạo", "Lê Lợi", "Nguyễn Trãi", "Lý Thường Kiệt",
	"Quang Trung", "Hai Bà Trưng", "Lê Duẩn", "Nguyễn Du", "Phan Chu Trinh",
	"Phan Bội Châu", "Hoàng Diệu", "Điện Biên Phủ", "Nguyễn Văn Cừ", "Trường Chinh",
	"Võ Thị Sáu", "Nguyễn Thị Minh Khai", "Lê Thánh Tông", "Bà Triệu", "Hùng Vương",
	"Tôn Đức Thắng", "Nguyễn Chí Thanh", "Trần Phú", "Lạc Long Quân", "Ngô Quyền",
	"Đinh Tiên Hoàng", "Lý Thái Tổ", "Chu Văn An", "Nguyễn Huệ", "Lê Hồng Phong",
	"Hoàng Văn Thụ", "Nguyễn Thái Học", "Phạm Ngũ Lão", "Lê Văn Sỹ", "Cách Mạng Tháng Tám",
	"Nguyễn Đình Chiểu", "Trần Quốc Toản", "Lê Quý Đôn", "Phạm Văn Đồng", "Võ Nguyên Giáp",
	"Hàm Nghi", "Lý Tự Trọng", "Nguyễn Công Trứ", "Yết Kiêu", "Tuệ Tĩnh", "Kim Đồng",
	"Hoàng Hoa Thám", "Lê Lai", "Nguyễn Khuyến", "Tô Hiến Thành", "Trần Nhân Tông",
	"Minh Khai", "Giải Phóng", "Độc Lập", "Thống Nhất", "30 Tháng 4", "Hòa Bình"}

// People schools are named after.
var schoolNames = []string{"Chu Văn An", "Lê Quý Đôn", "Nguyễn Trãi", "Trần Phú",
	"Lương Thế Vinh", "Nguyễn Du", "Lê Hồng Phong", "Phan Đình Phùng", "Hoàng Văn Thụ",
	"Nguyễn Huệ", "Trần Nhân Tông", "Nguyễn Bỉnh Khiêm", "Lý Thường Kiệt", "Phan Bội Châu",
	"Trần Hưng Đạo", "Nguyễn Đình Chiểu", "Lê Lợi", "Quang Trung", "Ngô Quyền",
	"Huỳnh Thúc Kháng", "Võ Thị Sáu", "Nguyễn Thị Minh Khai", "Lê Thánh Tông", "Tô Hiệu",
	"Hùng Vương", "Nguyễn Văn Cừ", "Phan Châu Trinh", "Nguyễn Khuyến", "Lê Văn Hưu",
	"Trần Quốc Tuấn", "Hàn Thuyên", "Lương Văn Tụy", "Phan Huy Chú", "Mạc Đĩnh Chi",
	"Nguyễn Tất Thành", "Kim Liên", "Yên Hòa", "Việt Đức"}

// Names of the villages of rural communes in the north and centre.
var villageNames = []string{"Đông", "Đoài", "Nam", "Bắc", "Trung", "Thượng", "Hạ",
	"Tiền", "Hậu", "Nội", "Ngoại", "Đình", "Chùa", "Giữa", "Cầu", "Chợ"}

// Village names of the northern mountains (bản) and of the Central
// Highlands (buôn, plei).
var (
	banNames  = []string{"Nà Phìn", "Na Sầm", "Pác Bó", "Co Muông", "Huổi Lèng", "Nà Hẩu", "Khuổi Nậm", "Bó Củng", "Phiêng Luông", "Nà Ngần", "Lũng Cú", "Tả Phìn", "Nậm Cang", "Hua Tát", "Pá Khoang"}
	buonNames = []string{"Buôn Ako Dhông", "Buôn Kô Sier", "Buôn Tơng Jú", "Buôn Đôn", "Buôn Trấp", "Plei Ốp", "Plei Phun", "Làng Kon Klor", "Buôn Cuôr Đăng", "Buôn Ea Kmar"}
)

// cellStyle is how a commune names its residential cells.
type cellStyle int

const (
	cellsTDP    cellStyle = iota // Tổ dân phố N (northern and central wards)
	cellsKhuPho                  // Khu phố N (southern wards)
	cellsThon                    // Thôn Đông, Thôn Tân Phú (northern villages)
	cellsXom                     // Xóm N (north-central villages)
	cellsAp                      // Ấp Tân Phú (southern hamlets)
	cellsBan                     // Bản Nà Phìn (northern mountains)
	cellsBuon                    // Buôn Kô Sier (Central Highlands)
)

// residentialCellPlace names the k-th residential cell (from 0) of a commune,
// its place without "Chi bộ", avoiding names in used.
func residentialCellPlace(r *rand.Rand, style cellStyle, k int, used map[string]bool) string {
	var s string
	for try := 0; try < 20; try++ {
		switch style {
		case cellsTDP:
			return "Tổ dân phố " + strconv.Itoa(k+1)
		case cellsKhuPho:
			return "Khu phố " + strconv.Itoa(k+1)
		case cellsXom:
			return "Xóm " + strconv.Itoa(k+1)
		case cellsThon:
			if try < 5 && chance(r, 0.6) {
				s = "Thôn " + one(r, villageNames)
			} else {
				s = "Thôn " + place(r)
			}
		case cellsAp:
			s = "Ấp " + place(r)
		case cellsBan:
			if chance(r, 0.7) {
				s = "Bản " + one(r, banNames)
			} else {
				s = "Thôn " + place(r)
			}
		case cellsBuon:
			if chance(r, 0.6) {
				s = one(r, buonNames)
			} else {
				s = "Thôn " + strconv.Itoa(k+1)
			}
		}
		if !used[s] {
			return s
		}
	}
	return s + " " + strconv.Itoa(k+1)
}

// workplaceKind is the sort of organisation a workplace committee serves.
type workplaceKind int

const (
	wkSchool workplaceKind = iota
	wkCollege
	wkHospital
	wkEnterprise
	wkAgency
	wkClinic // a commune health station
	wkPolice // commune police
	wkMilitia
	wkCommune // the commune's People's Committee and mass organisations
)

// Units inside a workplace, each of which may form a cell.
var unitsByKind = map[workplaceKind][]string{
	wkSchool: {"Tổ Toán - Tin", "Tổ Ngữ văn", "Tổ Ngoại ngữ", "Tổ Vật lý - Công nghệ",
		"Tổ Hóa - Sinh", "Tổ Sử - Địa - GDCD", "Tổ Thể dục - Quốc phòng", "Tổ Văn phòng"},
	wkCollege: {"Khoa Sư phạm", "Khoa Kinh tế", "Khoa Công nghệ Thông tin", "Khoa Ngoại ngữ",
		"Khoa Điều dưỡng", "Khoa Cơ khí", "Khoa Điện - Điện tử", "Khoa Lý luận chính trị",
		"Phòng Đào tạo", "Phòng Tổ chức - Hành chính", "Phòng Kế hoạch - Tài chính"},
	wkHospital: {"Khoa Nội", "Khoa Ngoại", "Khoa Sản", "Khoa Nhi", "Khoa Hồi sức tích cực",
		"Khoa Cấp cứu", "Khoa Xét nghiệm", "Khoa Chẩn đoán hình ảnh", "Khoa Dược",
		"Khoa Truyền nhiễm", "Khoa Khám bệnh", "Khoa Y học cổ truyền",
		"Phòng Kế hoạch tổng hợp", "Phòng Điều dưỡng", "Phòng Tổ chức cán bộ",
		"Phòng Tài chính - Kế toán"},
	wkEnterprise: {"Phòng Kế toán", "Phòng Kinh doanh", "Phòng Kỹ thuật", "Văn phòng Công ty",
		"Phòng Tổ chức - Hành chính", "Phân xưởng Sản xuất số 1", "Phân xưởng Sản xuất số 2",
		"Phân xưởng Cơ điện", "Đội Vận hành", "Xí nghiệp Vận tải", "Phòng Kế hoạch - Vật tư",
		"Đội Thi công số 1", "Đội Thi công số 2"},
	wkAgency: {"Văn phòng", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch - Tài chính", "Thanh tra",
		"Phòng Kế toán", "Phòng Nghiệp vụ 1", "Phòng Nghiệp vụ 2", "Phòng Pháp chế",
		"Phòng Hành chính - Quản trị", "Phòng Tổng hợp", "Phòng Quản lý chuyên ngành"},
}

// unitPlace names the k-th unit (from 0) of a workplace of kind wk.
func unitPlace(r *rand.Rand, wk workplaceKind, k int, used map[string]bool) string {
	units := unitsByKind[wk]
	for try := 0; try < 12; try++ {
		if s := one(r, units); !used[s] {
			return s
		}
	}
	for _, s := range units {
		if !used[s] {
			return s
		}
	}
	if wk == wkEnterprise {
		return "Phân xưởng số " + strconv.Itoa(k+1)
	}
	return "Tổ Công tác số " + strconv.Itoa(k+1)
}

var (
	workplaceKinds = newWeighted(
		entry[workplaceKind]{wkAgency, 30}, entry[workplaceKind]{wkSchool, 20},
		entry[workplaceKind]{wkCollege, 5}, entry[workplaceKind]{wkHospital, 15},
		entry[workplaceKind]{wkEnterprise, 30})
	collegeFields  = []string{"Y tế", "Sư phạm", "Kỹ thuật Công nghiệp", "Văn hóa Nghệ thuật", "Nông nghiệp", "Kinh tế - Kỹ thuật", "Giao thông Vận tải"}
	hospitalFields = []string{"Sản Nhi", "Phổi", "Tâm thần", "Y học cổ truyền", "Mắt", "Ung bướu", "Phục hồi chức năng", "Nội tiết"}
	companyForms   = newWeighted(
		entry[string]{"Công ty Cổ phần", 50}, entry[string]{"Công ty TNHH MTV", 30},
		entry[string]{"Công ty", 12}, entry[string]{"Tổng công ty", 8})
	companyTrades = []string{"Cấp nước", "Môi trường Đô thị", "Xây dựng", "Vận tải", "Xi măng",
		"May", "Dược phẩm", "Cơ khí", "Thương mại", "Lương thực", "Cao su", "Thủy lợi",
		"Điện lực", "Công trình Giao thông", "Xổ số Kiến thiết", "Sách và Thiết bị Trường học",
		"Lâm nghiệp", "Chế biến Thủy sản", "Đầu tư Phát triển Nhà", "Du lịch"}
	provinceAgencies = []string{"Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Tài chính", "Sở Xây dựng",
		"Sở Nông nghiệp và Môi trường", "Sở Nội vụ", "Sở Tư pháp", "Sở Công Thương",
		"Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ", "Thuế tỉnh",
		"Kho bạc Nhà nước khu vực", "Bảo hiểm xã hội tỉnh", "Báo và Phát thanh, Truyền hình tỉnh",
		"Văn phòng Ủy ban nhân dân tỉnh", "Thanh tra tỉnh", "Sở Dân tộc và Tôn giáo", "Ban Quản lý các khu công nghiệp"}
	districtAgencies = []string{"Cơ quan Ủy ban nhân dân huyện", "Cơ quan Đảng - Đoàn thể huyện",
		"Công an huyện", "Ban Chỉ huy Quân sự huyện", "Trung tâm Y tế huyện", "Phòng Giáo dục và Đào tạo",
		"Chi cục Thuế khu vực", "Kho bạc Nhà nước huyện", "Bảo hiểm xã hội huyện", "Trung tâm Văn hóa - Thể thao huyện"}
)
