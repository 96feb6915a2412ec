package tabular

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"lienthong/schema"
)

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{
		"danh-sach.csv": CSV, "DANH SACH.CSV": CSV, "chi bo 3.xlsx": XLSX, "x.XLSX": XLSX,
	} {
		got, err := FormatOf(name)
		if err != nil || got != want {
			t.Errorf("FormatOf(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	for _, name := range []string{"a.xls", "a.ods", "a.txt", "a", "a.json"} {
		_, err := FormatOf(name)
		if err == nil || !strings.Contains(err.Error(), ".xlsx") || !strings.Contains(err.Error(), "CSV") {
			t.Errorf("FormatOf(%q) = %v; want an error naming the accepted formats", name, err)
		}
	}
}

func TestHeaderMapping(t *testing.T) {
	for _, tc := range []struct{ header, field string }{
		{"Họ và tên", "name"}, {"HỌ VÀ TÊN", "name"}, {"Ho va ten", "name"}, {"họ và tên ", "name"},
		{"  HO  VA\nTEN ", "name"}, {"name", "name"}, {"Họ tên", "name"}, {"Full name", "name"},
		{"Họ và tên (*)", "name"}, {"Họ và tên:", "name"},
		{"Ngày sinh", "born"}, {"NGAY THANG NAM SINH", "born"}, {"Ngày sinh (dd/mm/yyyy)", "born"}, {"DOB", "born"},
		{"Giới tính", "sex"}, {"gioi tinh", "sex"},
		{"Số CCCD", "citizen_id"}, {"CCCD", "citizen_id"}, {"Số căn cước công dân", "citizen_id"}, {"citizen_id", "citizen_id"},
		{"SĐT", "phone"}, {"sdt", "phone"}, {"Điện thoại", "phone"},
		{"Số thẻ đảng viên", "card"}, {"SO THE DV", "card"},
		{"Ngày vào Đảng", "admitted"}, {"ngày kết nạp", "admitted"}, {"NGÀY CHÍNH THỨC", "full"},
		{"Đơn vị công tác", "workplace"}, {"Lý luận chính trị", "theory"},
		{"ID", IDColumn}, {" id ", IDColumn},
	} {
		target, ok := lookupHeader(tc.header)
		got := ""
		switch {
		case !ok:
			got = "(unknown)"
		case target.kind == colID:
			got = IDColumn
		default:
			got = target.field
		}
		if got != tc.field {
			t.Errorf("header %q maps to %s; want %s", tc.header, got, tc.field)
		}
	}
	for _, h := range []string{"STT", "Số TT", "số thứ tự", "TT"} {
		if target, ok := lookupHeader(h); !ok || target.kind != colRowNumber {
			t.Errorf("header %q is not the row-number column", h)
		}
	}
	for _, h := range []string{"Ghi chú", "Họ", "Ngày", ""} {
		if _, ok := lookupHeader(h); ok {
			t.Errorf("header %q should be unknown", h)
		}
	}
}

// Every spelling of every field must lead to that field alone.
func TestHeaderIndexUnambiguous(t *testing.T) {
	owner := make(map[string]string)
	claim := func(spelling, who string) {
		k := fold(spelling)
		if prev, ok := owner[k]; ok && prev != who {
			t.Errorf("header %q (folded %q) names both %s and %s", spelling, k, prev, who)
		}
		owner[k] = who
	}
	for _, f := range schema.Fields {
		claim(f.Name, f.Name)
		claim(f.Label, f.Name)
		for _, a := range f.Aliases {
			claim(a, f.Name)
		}
	}
	claim(IDColumn, IDColumn)
	for _, s := range rowNumberHeaders {
		claim(s, "row number")
	}
}

// dateFields must list exactly the schema fields that hold dates.
func TestDateFieldsMatchSchema(t *testing.T) {
	for _, f := range schema.Fields {
		isDate := schema.ValidateField(f.Name, "2000-01-31") == nil && schema.ValidateField(f.Name, "2000-02-30") != nil
		if isDate != dateFields[f.Name] {
			t.Errorf("field %s: holds dates %v, in dateFields %v", f.Name, isDate, dateFields[f.Name])
		}
	}
	for f := range digitWidths {
		if err := schema.ValidateField(f, strings.Repeat("0", digitWidths[f])); err != nil {
			t.Errorf("digitWidths[%s]: %v", f, err)
		}
	}
}

func TestUnknownColumnsWarn(t *testing.T) {
	res := readAll(t, []byte("STT,Họ và tên,Ghi chú,Chức vụ,Ngày sinh\n1,Nguyễn Văn A,chuyển đi,Bí thư,02/09/1958\n"), CSV)
	if len(res.rows) != 1 || !maps.Equal(res.rows[0].Fields, map[string]string{"name": "Nguyễn Văn A", "born": "1958-09-02"}) {
		t.Fatalf("rows = %+v", res.rows)
	}
	if len(res.warnings) != 1 || !strings.Contains(res.warnings[0], "«Ghi chú»") || !strings.Contains(res.warnings[0], "«Chức vụ»") {
		t.Errorf("warnings = %q; want one naming both unknown columns", res.warnings)
	}
	want := []Column{{"STT", ""}, {"Họ và tên", "name"}, {"Ghi chú", ""}, {"Chức vụ", ""}, {"Ngày sinh", "born"}}
	if !slices.Equal(res.columns, want) {
		t.Errorf("columns = %+v; want %+v", res.columns, want)
	}
}

func TestHeaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		want      []string // substrings of the error
	}{
		{"missing name", "STT,Ngày sinh,Giới tính\n1,02/09/1958,Nam\n", []string{"no column for the member's name", "«Họ và tên»"}},
		{"title row first", "DANH SÁCH ĐẢNG VIÊN CHI BỘ 3\nHọ và tên\n", []string{"no column for the member's name", "row 1"}},
		{"duplicate field", "Họ và tên,Ngày sinh,HO TEN\n", []string{"A «Họ và tên»", "C «HO TEN»", "(name)"}},
		{"duplicate id", "id,Họ và tên,ID\n", []string{"A «id»", "C «ID»"}},
		{"empty", "\n\n", []string{"no rows"}},
		{"legacy encoding", "H\xe4 v\xe0 t\xean,Ng\xe0y sinh\n", []string{"not UTF-8", "CSV UTF-8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tryReadAll([]byte(tc.csv), CSV)
			if !errors.Is(err, ErrHeader) {
				t.Fatalf("err = %v; want ErrHeader", err)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestNormalizeDate(t *testing.T) {
	for in, want := range map[string]string{
		"02/09/1958": "1958-09-02", "2/9/1958": "1958-09-02", "02-09-1958": "1958-09-02", "02.09.1958": "1958-09-02",
		"1958-09-02": "1958-09-02", "1958-9-2": "1958-09-02", "1958/09/02": "1958-09-02",
		"1958-09-02 00:00:00": "1958-09-02", "1958-09-02T00:00:00Z": "1958-09-02", "02/09/1958 0:00": "1958-09-02",
		"21430": "1958-09-02", "21430.75": "1958-09-02", "1": "1900-01-01", "59": "1900-02-28", "61": "1900-03-01",
		"29/02/2000": "2000-02-29", "31/12/2200": "2200-12-31",
	} {
		got, reason := normalizeDate(in, false)
		if got != want || reason != "" {
			t.Errorf("normalizeDate(%q) = %q, %q; want %q", in, got, reason, want)
		}
	}
	if got, _ := normalizeDate("19968", true); got != "1958-09-02" {
		t.Errorf("1904 serial 19968 = %q; want 1958-09-02", got)
	}
	for in, reason := range map[string]string{
		"31/02/1970": "no such day", "13/13/1970": "no such day", "29/02/1900": "no such day",
		"1970": "only a year", "02/09/58": "not a date", "2 tháng 9 năm 1958": "not a date",
		"60": "not a date", "0": "not a date", "abc": "not a date", "9999999": "not a date",
	} {
		got, r := normalizeDate(in, false)
		if got != "" || !strings.Contains(r, reason) || !strings.Contains(r, "dd/mm/yyyy") {
			t.Errorf("normalizeDate(%q) = %q, %q; want a reason with %q", in, got, r, reason)
		}
	}
}

func TestSerialRoundTrip(t *testing.T) {
	for d := epoch1900.AddDate(0, 0, 2); d.Year() <= 2200; d = d.AddDate(0, 0, 1) {
		n := dateToSerial(d)
		got, ok := serialToDate(float64(n), false)
		if !ok || !got.Equal(d) {
			t.Fatalf("%s → serial %d → %s, %v", d.Format(schema.DateLayout), n, got, ok)
		}
	}
	// Fixed points from Excel.
	for date, serial := range map[string]int{"1900-01-01": 1, "1900-02-28": 59, "1900-03-01": 61, "1958-09-02": 21430, "2025-07-01": 45839} {
		d, _ := parseDate(date)
		if got := dateToSerial(d); got != serial {
			t.Errorf("serial of %s = %d; want %d", date, got, serial)
		}
	}
}

func TestNormalizeValues(t *testing.T) {
	for _, tc := range []struct{ field, in, want string }{
		{"sex", "Nam", "M"}, {"sex", "NAM", "M"}, {"sex", "nữ", "F"}, {"sex", "NỮ", "F"}, {"sex", "Nu", "F"},
		{"sex", "n\u0075\u0303", "F"}, {"sex", "M", "M"}, {"sex", "f", "F"}, {"sex", "Male", "M"}, {"sex", "FEMALE", "F"},
		{"card", "1234567", "01234567"}, {"card", "98765", "00098765"}, {"card", "01234567", "01234567"},
		{"card", "1234567.0", "01234567"}, {"card", "123456789", "123456789"}, {"card", "12a", "12a"},
		{"citizen_id", "34058001234", "034058001234"}, {"citizen_id", "1.234567890E+11", "123456789000"},
		{"citizen_id", "3.4058001234E+10", "034058001234"},
		{"phone", "912345678", "0912345678"}, {"phone", "0912345678", "0912345678"}, {"phone", "84912345678", "84912345678"},
		{"name", "Nguyễn Văn A", "Nguyễn Văn A"}, {"register_line", "1234567", "1234567"},
	} {
		got, reason := normalize(tc.field, tc.in, false)
		if got != tc.want || reason != "" {
			t.Errorf("normalize(%s, %q) = %q, %q; want %q", tc.field, tc.in, got, reason, tc.want)
		}
	}
	if _, reason := normalize("sex", "Khác", false); !strings.Contains(reason, "Nam") {
		t.Errorf("sex «Khác»: reason %q", reason)
	}
	// Decomposed text (as some input methods type it) is stored composed.
	if got := cleanValue("  Nguye\u0302\u0303n\u00a0"); got != "Nguyễn" {
		t.Errorf("cleanValue = %q", got)
	}
}

func TestBadRowsAreReportedAndSkipped(t *testing.T) {
	file := "STT,Họ và tên,Giới tính,Ngày sinh,Số thẻ đảng viên,id\n" +
		"1,Nguyễn Văn An,Nam,02/09/1958,1234567,\n" +
		"2,Trần Thị Bình,Khác,31/02/1970,12345678901,\n" + // three bad cells
		",,,,,\n" + // blank
		"4,Lê Văn Cường,nam,1970-01-15,,xyz\n" + // bad id
		"5,,Nữ,01/01/1980,,\n" + // no name
		"6,Phạm Thị Dung,Nữ,15/5/1975,00123456,ABCDEF0123456789ABCDEF0123456789\n"
	res := readAll(t, []byte(file), CSV)
	wantRows := []Row{
		{Line: 2, Fields: map[string]string{"name": "Nguyễn Văn An", "sex": "M", "born": "1958-09-02", "card": "01234567"}},
		{Line: 7, ID: "abcdef0123456789abcdef0123456789", Fields: map[string]string{"name": "Phạm Thị Dung", "sex": "F", "born": "1975-05-15", "card": "00123456"}},
	}
	if !equalRows(res.rows, wantRows) {
		t.Errorf("rows = %+v\nwant %+v", res.rows, wantRows)
	}
	type cell struct {
		line, col    int
		field, label string
	}
	var got []cell
	for _, b := range res.bad {
		for _, e := range b.Errors {
			if e.Line != b.Line || e.Reason == "" {
				t.Errorf("bad error %+v in row %d", e, b.Line)
			}
			got = append(got, cell{e.Line, e.Column, e.Field, e.Label})
		}
	}
	want := []cell{
		{3, 3, "sex", "Giới tính"}, {3, 4, "born", "Ngày sinh"}, {3, 5, "card", "Số thẻ đảng viên"},
		{5, 6, "id", ""},
		{6, 2, "name", "Họ và tên"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors = %+v\nwant %+v", got, want)
	}
	msg := res.bad[0].Error()
	for _, s := range []string{"row 3, column D «Ngày sinh» (born) \"31/02/1970\"", "no such day", "«Giới tính» (sex)"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q does not contain %q", msg, s)
		}
	}
}

func equalRows(a, b []Row) bool {
	return slices.EqualFunc(a, b, func(x, y Row) bool {
		return x.Line == y.Line && x.ID == y.ID && maps.Equal(x.Fields, y.Fields)
	})
}

func TestCSVVariants(t *testing.T) {
	want := map[string]string{"name": "Nguyễn Thị Hồng Nhung", "born": "1990-03-08", "address": "Số 5, Đường Láng; Hà Nội"}
	plain := "Họ và tên,Ngày sinh,Địa chỉ thường trú\r\nNguyễn Thị Hồng Nhung,08/03/1990,\"Số 5, Đường Láng; Hà Nội\"\r\n"
	utf16 := func(s string) []byte {
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for name, data := range map[string][]byte{
		"comma":         []byte(plain),
		"bom":           []byte("\uFEFF" + plain),
		"semicolon":     []byte("\uFEFFHọ và tên;Ngày sinh;Địa chỉ thường trú\nNguyễn Thị Hồng Nhung;08/03/1990;\"Số 5, Đường Láng; Hà Nội\"\n"),
		"tab utf-16":    utf16("Họ và tên\tNgày sinh\tĐịa chỉ thường trú\r\nNguyễn Thị Hồng Nhung\t08/03/1990\t\"Số 5, Đường Láng; Hà Nội\"\r\n"),
		"sep line":      []byte("sep=;\r\nHọ và tên;Ngày sinh;Địa chỉ thường trú\r\nNguyễn Thị Hồng Nhung;08/03/1990;\"Số 5, Đường Láng; Hà Nội\"\r\n"),
		"blank lead":    []byte("\n\nHọ và tên,Ngày sinh,Địa chỉ thường trú\nNguyễn Thị Hồng Nhung,08/03/1990,\"Số 5, Đường Láng; Hà Nội\"\n"),
		"no final EOL":  []byte("Họ và tên,Ngày sinh,Địa chỉ thường trú\nNguyễn Thị Hồng Nhung,08/03/1990,\"Số 5, Đường Láng; Hà Nội\""),
		"quoted header": []byte("\"Họ và tên\";\"Ngày sinh\";\"Địa chỉ thường trú\"\n\"Nguyễn Thị Hồng Nhung\";\"08/03/1990\";\"Số 5, Đường Láng; Hà Nội\"\n"),
	} {
		t.Run(name, func(t *testing.T) {
			res := readAll(t, data, CSV)
			if len(res.rows) != 1 || len(res.bad) != 0 || !maps.Equal(res.rows[0].Fields, want) {
				t.Fatalf("rows = %+v, bad = %v", res.rows, res.bad)
			}
			wantLine := 2
			switch name {
			case "sep line":
				wantLine = 3
			case "blank lead":
				wantLine = 4
			}
			if res.rows[0].Line != wantLine {
				t.Errorf("line = %d; want %d", res.rows[0].Line, wantLine)
			}
		})
	}
}

// Row numbers are those Excel shows: a cell with line breaks is one row.
func TestCSVLineNumbers(t *testing.T) {
	file := "Họ và tên,Nơi tạm trú\n" +
		"A,\"Thôn 1\nXã 2\nHuyện 3\"\n" +
		"\n" +
		"B,x\n" +
		"C,\"dòng 1\r\ndòng 2\"\n" +
		"D,y\n"
	res := readAll(t, []byte(file), CSV)
	var lines []int
	for _, r := range res.rows {
		lines = append(lines, r.Line)
	}
	if want := []int{2, 4, 5, 6}; !slices.Equal(lines, want) {
		t.Errorf("lines = %v; want %v", lines, want)
	}
}

func TestCSVBrokenQuotes(t *testing.T) {
	file := "Họ và tên,Ngày sinh\n" +
		"A,01/01/1970\n" +
		"Nguyễn Văn \"Tèo\",02/02/1970\n" + // bare quotes
		"\"C\"x,03/03/1970\n" + // text after a closing quote
		"D,04/04/1970\n" +
		"\"E,05/05/1970\n" + // never closed
		"F,06/06/1970\n"
	res := readAll(t, []byte(file), CSV)
	var names []string
	for _, r := range res.rows {
		names = append(names, r.Fields["name"])
	}
	if want := []string{"A", "D"}; !slices.Equal(names, want) {
		t.Errorf("names = %q; want %q", names, want)
	}
	var lines []int
	for _, b := range res.bad {
		lines = append(lines, b.Line)
		if !strings.Contains(b.Error(), "quotes") {
			t.Errorf("error %q does not explain the quotes", b)
		}
	}
	if want := []int{3, 4, 6}; !slices.Equal(lines, want) {
		t.Errorf("bad rows at %v; want %v", lines, want)
	}
}

func TestExtraCellsWarn(t *testing.T) {
	res := readAll(t, []byte("Họ và tên\nA,ghi chú\nB\nC,x\n"), CSV)
	if len(res.rows) != 3 {
		t.Fatalf("rows = %+v", res.rows)
	}
	if len(res.warnings) != 1 || !strings.Contains(res.warnings[0], "column B") {
		t.Errorf("warnings = %q", res.warnings)
	}
}

func TestFormulaEscape(t *testing.T) {
	for _, v := range []string{"=1+1", "+84 912", "-", "@x", "'", "''", "'=", "a'", "=", "'a"} {
		if got := unescapeCell(escapeCell(v)); got != v {
			t.Errorf("%q → %q → %q", v, escapeCell(v), got)
		}
		if e := escapeCell(v); e != "" && strings.IndexByte("=+-@", e[0]) >= 0 {
			t.Errorf("escapeCell(%q) = %q starts a formula", v, e)
		}
	}
}

func TestProgress(t *testing.T) {
	var b strings.Builder
	b.WriteString("Họ và tên,Ngày sinh\n")
	for range 1000 {
		b.WriteString("Nguyễn Văn A,01/01/1970\n")
	}
	data := []byte(b.String())
	r, err := NewReader(bytes.NewReader(data), CSV, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if p := r.Progress(); p.TotalBytes != int64(len(data)) || p.Rows != 1 {
		t.Errorf("progress after header = %+v", p)
	}
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	p := r.Progress()
	if p.Bytes != int64(len(data)) || p.Rows != 1001 || p.Fraction() != 1 {
		t.Errorf("progress at end = %+v, fraction %v", p, p.Fraction())
	}
	if (Progress{}).Fraction() != -1 {
		t.Error("unknown progress should be -1")
	}
}
