package tabular

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"

	"lienthong/schema"
)

// checkRead reads data to the end and checks every promise Reader makes
// about what it returns.
func checkRead(t *testing.T, data []byte, format Format) {
	r, err := NewReader(bytes.NewReader(data), format, ReadOptions{})
	if err != nil {
		return
	}
	defer r.Close()
	last := r.Progress().Rows
	for {
		row, err := r.Next()
		var bad *BadRowError
		switch {
		case err == io.EOF:
			return
		case errors.As(err, &bad):
			if len(bad.Errors) == 0 || int64(bad.Line) <= last {
				t.Fatalf("bad row %d after row %d: %v", bad.Line, last, bad)
			}
			last = int64(bad.Line)
			continue
		case err != nil:
			return
		}
		if int64(row.Line) <= last {
			t.Fatalf("row %d after row %d", row.Line, last)
		}
		last = int64(row.Line)
		if _, ok := row.Fields["name"]; !ok {
			t.Fatalf("row %d has no name: %v", row.Line, row.Fields)
		}
		for k, v := range row.Fields {
			if err := schema.ValidateField(k, v); err != nil {
				t.Fatalf("row %d: %v", row.Line, err)
			}
		}
		if row.ID != "" {
			if id, err := schema.ParseLedgerID(row.ID); err != nil || id.String() != row.ID {
				t.Fatalf("row %d: id %q", row.Line, row.ID)
			}
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"Họ và tên,Ngày sinh,Giới tính\nNguyễn Văn A,02/09/1958,Nam\n",
		"\uFEFFSTT;HO VA TEN;So the dang vien;id\n1;Trần Thị B;1234567;0f1e2d3c4b5a69788796a5b4c3d2e1f0\n2;;x;\n",
		"sep=;\nHọ tên;Ngày vào Đảng\n\"Lê \"\"Văn\"\" C\";45839\n",
		"name,born,card\nA,31/02/1970,1\n\"B,1970-01-01\n",
		"Họ và tên\tSĐT\r\nPhạm D\t912345678\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Add(writeAll(f, CSV, WriteOptions{}, members))
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, data, CSV) })
}

func FuzzReadXLSX(f *testing.F) {
	f.Add(writeAll(f, XLSX, WriteOptions{}, members))
	f.Add(writeAll(f, XLSX, WriteOptions{Fields: []string{"name", "born"}}, members[:1]))
	x := excelize.NewFile()
	x.SetCellValue("Sheet1", "A1", "Họ và tên")
	x.SetCellValue("Sheet1", "B1", "Ngày sinh")
	x.SetCellValue("Sheet1", "A3", "Nguyễn Văn A")
	x.SetCellValue("Sheet1", "B3", 21430)
	var buf bytes.Buffer
	x.Write(&buf)
	x.Close()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, data, XLSX) })
}

// FuzzReadXLSXSheet fuzzes the worksheet XML inside a valid workbook, which
// mutations of a whole .xlsx file rarely reach past the zip checksums.
func FuzzReadXLSXSheet(f *testing.F) {
	const sheetPath = "xl/worksheets/sheet1.xml"
	template := writeAll(f, XLSX, WriteOptions{}, members)
	f.Add(zipEntry(f, template, sheetPath))
	f.Add([]byte(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c><c r="B1" t="inlineStr"><is><t>Ngày sinh</t></is></c></row>` +
		`<row r="3"><c r="B3"><v>21430</v></c><c r="A3" t="inlineStr"><is><t>Nguyễn Văn A</t></is></c></row>` +
		`</sheetData></worksheet>`))
	f.Fuzz(func(t *testing.T, sheet []byte) {
		data := rewriteZip(t, template, sheetPath, func([]byte) []byte { return sheet })
		checkRead(t, data, XLSX)
	})
}

func zipEntry(t testing.TB, data []byte, name string) []byte {
	var out []byte
	rewriteZip(t, data, name, func(b []byte) []byte { out = b; return b })
	return out
}
