package tabular

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format Format
		opts   WriteOptions
	}{
		{"csv", CSV, WriteOptions{}},
		{"csv semicolon", CSV, WriteOptions{Comma: ';'}},
		{"xlsx", XLSX, WriteOptions{}},
		{"xlsx some fields", XLSX, WriteOptions{Fields: []string{"name", "born", "card", "phone", "temp_address", "badge"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := writeAll(t, tc.format, tc.opts, members)
			res := readAll(t, data, tc.format)
			if len(res.bad) != 0 || len(res.warnings) != 0 {
				t.Fatalf("bad rows %v, warnings %q", res.bad, res.warnings)
			}
			if len(res.rows) != len(members) {
				t.Fatalf("read %d rows; want %d", len(res.rows), len(members))
			}
			for i, got := range res.rows {
				want := members[i].Fields
				if tc.opts.Fields != nil {
					want = maps.Clone(want)
					maps.DeleteFunc(want, func(k, _ string) bool { return !slices.Contains(tc.opts.Fields, k) })
				}
				if got.ID != members[i].ID || !maps.Equal(got.Fields, want) {
					t.Errorf("row %d:\n got %q %v\nwant %q %v", i, got.ID, got.Fields, members[i].ID, want)
				}
				if got.Line != i+2 {
					t.Errorf("row %d has line %d; want %d", i, got.Line, i+2)
				}
			}
		})
	}
}

func TestCSVOutput(t *testing.T) {
	data := writeAll(t, CSV, WriteOptions{Fields: []string{"name", "phone", "badge"}}, members[1:3])
	want := "\uFEFFid,STT,Họ và tên,Số điện thoại,Huy hiệu Đảng\r\n" +
		"a1b2c3d4e5f60718293a4b5c6d7e8f90,1,Trần Thị Ngọc Ánh,'+84 905 123 456,\r\n" +
		",2,Đặng Thị Ưng Hoà,,'=1+1\r\n"
	if string(data) != want {
		t.Errorf("CSV =\n%q\nwant\n%q", data, want)
	}
}

// The .xlsx file is one a spreadsheet opens: excelize reads it back with the
// sheet name, header, a real date cell shown as dd/mm/yyyy and identifiers as
// text.
func TestXLSXOutput(t *testing.T) {
	data := writeAll(t, XLSX, WriteOptions{}, members)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != SheetName {
		t.Fatalf("sheets = %q", got)
	}
	cell := func(ref string) string {
		v, err := f.GetCellValue(SheetName, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for ref, want := range map[string]string{
		"A1": "id", "B1": "STT", "C1": "Họ và tên", "E1": "Ngày sinh",
		"A2": members[0].ID, "B2": "1", "C2": "Nguyễn Văn Hùng", "E2": "02/09/1958",
		"R2": "01234567", "J2": "034058001234", "P2": "12/12",
	} {
		if got := cell(ref); got != want {
			t.Errorf("%s = %q; want %q", ref, got, want)
		}
	}
	if typ, _ := f.GetCellType(SheetName, "E2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("date cell type = %v; want a number", typ)
	}
	style, _ := f.GetCellStyle(SheetName, "C1")
	if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
		t.Errorf("header style = %+v, %v; want bold", s, err)
	}
	if w, _ := f.GetColWidth(SheetName, "C"); w != colWidths["name"] {
		t.Errorf("name column width = %v", w)
	}
}

// A register made in Excel by a clerk: title-less header without
// diacritics, real date cells in a US display format, numbers that lost
// their leading zeros, a gap in the rows, formulas, and a second sheet.
func TestXLSXClerkWorkbook(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	us := "m/d/yyyy"
	dateStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &us})
	set := func(ref string, v any) {
		if err := f.SetCellValue(sheet, ref, v); err != nil {
			t.Fatal(err)
		}
	}
	for i, h := range []string{"STT", "HO VA TEN", "Gioi tinh", "Ngay sinh", "So the dang vien", "So CCCD", "Dien thoai", "Ghi chu"} {
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		set(ref, h)
	}
	set("A2", 1)
	set("B2", "Hoàng Văn Thái")
	set("C2", "NAM")
	set("D2", time.Date(1958, 9, 2, 0, 0, 0, 0, time.UTC))
	f.SetCellStyle(sheet, "D2", "D2", dateStyle)
	set("E2", 1234567)
	set("F2", 34058001234)
	set("G2", 912345678)
	set("H2", "bí thư")
	// Row 3 and 4 are missing; row 5 has a formula for the row number.
	f.SetCellFormula(sheet, "A5", "A2+1")
	set("B5", "Vi Thị Mai")
	set("C5", "Nữ")
	set("D5", "1/13/1970") // typed as text the US way: not a Vietnamese date
	set("A6", 3)
	set("B6", "Bế Văn Đàn")
	set("D6", 25000.0) // a serial without date format: 1968-06-11
	f.NewSheet("Ghi chú")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	res := readAll(t, buf.Bytes(), XLSX)
	want := []Row{
		{Line: 2, Fields: map[string]string{"name": "Hoàng Văn Thái", "sex": "M", "born": "1958-09-02", "card": "01234567", "citizen_id": "034058001234", "phone": "0912345678"}},
		{Line: 6, Fields: map[string]string{"name": "Bế Văn Đàn", "born": "1968-06-11"}},
	}
	if !equalRows(res.rows, want) {
		t.Errorf("rows = %+v\nwant %+v", res.rows, want)
	}
	if len(res.bad) != 1 || res.bad[0].Line != 5 || res.bad[0].Errors[0].Field != "born" || res.bad[0].Errors[0].Column != 4 {
		t.Errorf("bad = %+v", res.bad)
	}
	joined := strings.Join(res.warnings, "\n")
	if !strings.Contains(joined, "«Ghi chu»") || !strings.Contains(joined, "2 sheets") {
		t.Errorf("warnings = %q", res.warnings)
	}
}

func TestXLSX1904(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	yes := true
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("Sheet1", "A1", "Họ và tên")
	f.SetCellValue("Sheet1", "B1", "Ngày vào Đảng")
	f.SetCellValue("Sheet1", "A2", "Nông Thị Xuân")
	f.SetCellValue("Sheet1", "B2", 19968) // 1958-09-02 counted from 1904
	var buf bytes.Buffer
	f.Write(&buf)
	res := readAll(t, buf.Bytes(), XLSX)
	if len(res.rows) != 1 || res.rows[0].Fields["admitted"] != "1958-09-02" {
		t.Errorf("rows = %+v, bad = %v", res.rows, res.bad)
	}
}

func TestXLSXSheetOption(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	f.NewSheet("Chi bộ 2")
	f.SetCellValue("Chi bộ 2", "A1", "Họ và tên")
	f.SetCellValue("Chi bộ 2", "A2", "Hà Văn Sơn")
	var buf bytes.Buffer
	f.Write(&buf)
	r, err := NewReader(bytes.NewReader(buf.Bytes()), XLSX, ReadOptions{Sheet: "Chi bộ 2"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	row, err := r.Next()
	if err != nil || row.Fields["name"] != "Hà Văn Sơn" {
		t.Errorf("row = %+v, %v", row, err)
	}
	_, err = NewReader(bytes.NewReader(buf.Bytes()), XLSX, ReadOptions{Sheet: "Chi bộ 9"})
	if err == nil || !strings.Contains(err.Error(), "«Chi bộ 2»") {
		t.Errorf("missing sheet: %v", err)
	}
}

func TestXLSXProgress(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	f.SetCellValue("Sheet1", "A1", "Họ và tên")
	for i := 2; i <= 51; i++ {
		f.SetCellValue("Sheet1", fmt.Sprintf("A%d", i), "Nguyễn Văn A")
	}
	var buf bytes.Buffer
	f.Write(&buf)
	// Excel records the used range; excelize leaves "A1".
	data := rewriteZip(t, buf.Bytes(), "xl/worksheets/sheet1.xml", func(b []byte) []byte {
		return bytes.Replace(b, []byte(`<dimension ref="A1">`), []byte(`<dimension ref="A1:A51">`), 1)
	})
	r, err := NewReader(bytes.NewReader(data), XLSX, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for range 24 {
		r.Next()
	}
	if p := r.Progress(); p != (Progress{Rows: 25, TotalRows: 51}) {
		t.Errorf("progress = %+v", p)
	}
	// Files written by StreamWriter do not record their size.
	r, err = NewReader(bytes.NewReader(writeAll(t, XLSX, WriteOptions{}, members)), XLSX, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if p := r.Progress(); p.Fraction() != -1 {
		t.Errorf("progress = %+v, fraction %v", p, p.Fraction())
	}
}

func TestNotXLSX(t *testing.T) {
	for name, data := range map[string][]byte{
		"csv":   []byte("Họ và tên\nA\n"),
		"xls":   append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...),
		"empty": nil,
		"zip":   []byte("PK\x03\x04garbage"),
	} {
		_, err := NewReader(bytes.NewReader(data), XLSX, ReadOptions{})
		if err == nil || !strings.Contains(err.Error(), "xlsx") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// rewriteZip returns the zip archive data with the file name changed by edit.
func rewriteZip(t testing.TB, data []byte, name string, edit func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if zf.Name == name {
			b = edit(b)
		}
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// Text that file formats treat specially survives the round trip.
func TestRoundTripOddText(t *testing.T) {
	odd := []string{
		"_x0041_", "_x005F_x0041_", "a\tb", "dòng 1\ndòng 2", "<b>&amp;</b>", "\"trích\" dẫn", "a,b;c",
		"😀 Việt Nam", "1.5E+3", "00123", "TRUE", "#N/A", "=A1", "'", "sep=;", "\uFEFFx", "x\u00a0y",
	}
	var rows []Row
	for i, v := range odd {
		rows = append(rows, Row{Fields: map[string]string{"name": fmt.Sprintf("Người %d", i), "occupation": v, "born": "1970-01-01"}})
	}
	for _, format := range []Format{CSV, XLSX} {
		res := readAll(t, writeAll(t, format, WriteOptions{}, rows), format)
		if len(res.rows) != len(rows) {
			t.Fatalf("%v: %d rows, bad %v", format, len(res.rows), res.bad)
		}
		for i, r := range res.rows {
			want := cleanValue(odd[i])
			if got := r.Fields["occupation"]; got != want {
				t.Errorf("%v: %q came back as %q", format, want, got)
			}
		}
	}
}
