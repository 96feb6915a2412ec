package tabular

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// result is everything a Reader gives for one file.
type result struct {
	rows     []Row
	bad      []*BadRowError
	warnings []string
	columns  []Column
}

// readAll reads a whole file, failing the test on a final error.
func readAll(t testing.TB, data []byte, format Format) result {
	t.Helper()
	res, err := tryReadAll(data, format)
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	return res
}

func tryReadAll(data []byte, format Format) (result, error) {
	r, err := NewReader(bytes.NewReader(data), format, ReadOptions{})
	if err != nil {
		return result{}, err
	}
	defer r.Close()
	res := result{columns: r.Columns()}
	for {
		row, err := r.Next()
		var bad *BadRowError
		switch {
		case err == io.EOF:
			res.warnings = r.Warnings()
			return res, nil
		case errors.As(err, &bad):
			res.bad = append(res.bad, bad)
		case err != nil:
			return res, err
		default:
			res.rows = append(res.rows, row)
		}
	}
}

// writeAll writes rows in format and returns the file.
func writeAll(t testing.TB, format Format, opts WriteOptions, rows []Row) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, format, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// members is a realistic register with the letters and shapes clerks'
// files have: every Vietnamese diacritic family, multi-line addresses,
// international phone numbers, text that looks like a date or a formula,
// and the edges of Excel's date system.
var members = []Row{
	{ID: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", Fields: map[string]string{
		"name": "Nguyễn Văn Hùng", "sex": "M", "born": "1958-09-02",
		"birthplace": "Xã Đông Hưng, huyện Đông Hưng, tỉnh Thái Bình", "hometown": "Thái Bình",
		"ethnicity": "Kinh", "religion": "Không", "citizen_id": "034058001234",
		"address": "Số 12 ngõ 34 phố Hàng Bạc, phường Hoàn Kiếm, Hà Nội", "phone": "0912345678",
		"occupation": "Cán bộ hưu trí", "education": "12/12", "theory": "Trung cấp",
		"card": "01234567", "profile": "012345HN", "register_line": "15",
		"admitted": "1980-05-19", "full": "1981-05-19", "badge": "40 năm tuổi Đảng",
	}},
	{ID: "a1b2c3d4e5f60718293a4b5c6d7e8f90", Fields: map[string]string{
		"name": "Trần Thị Ngọc Ánh", "sex": "F", "born": "1985-12-31", "hometown": "Quảng Ngãi",
		"ethnicity": "Kinh", "religion": "Phật giáo", "citizen_id": "051185000078",
		"temp_address": "Thôn 3\nxã Ea Kao, TP Buôn Ma Thuột, Đắk Lắk", "phone": "+84 905 123 456",
		"workplace": "Trường THPT Lê Quý Đôn", "card": "00098765", "profile": "123456ĐN",
		"admitted": "2010-03-26",
	}},
	{Fields: map[string]string{
		"name": "Đặng Thị Ưng Hoà", "sex": "F", "occupation": "'Giáo viên'", "badge": "=1+1",
		"workplace": "-", "religion": "@Công giáo",
	}},
	{ID: "ffffffffffffffffffffffffffffffff", Fields: map[string]string{
		"name": "Lò Văn Páo", "ethnicity": "Thái", "born": "1900-02-28", "admitted": "1900-03-01",
		"full": "2200-12-31", "phone": "02083 812 345", "address": "Bản Áng, Mộc Châu, Sơn La",
	}},
}
