package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportOpensInLibreOffice: the .xlsx that export writes opens in
// LibreOffice Calc (headless), which reads every member back with the
// values as written: Vietnamese text, card numbers with their leading zero,
// dates as dates. The files LibreOffice saves from it, as .xlsx and as CSV,
// import into a new node with the same records.
func TestExportOpensInLibreOffice(t *testing.T) {
	soffice := ""
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			soffice = p
			break
		}
	}
	if soffice == "" {
		t.Skip("no LibreOffice found (soffice); install Debian's libreoffice-calc-nogui to run this test")
	}
	if testing.Short() {
		t.Skip("starts LibreOffice")
	}
	d := t.TempDir()
	src := filepath.Join(d, "src")
	ok(t, "init", "--dir", src, "--name", "Đảng ủy xã Tân Phú", "--level", "commune", "--root")
	register := "Họ và tên,Giới tính,Ngày sinh,Nơi sinh,Dân tộc,Số CCCD,Số điện thoại,Số thẻ đảng viên,Số lý lịch,Ngày vào Đảng,Ngày chính thức,Huy hiệu Đảng,Nơi thường trú\n" +
		"Nguyễn Thị Ánh Tuyết,Nữ,08/03/1985,\"Xã Tân Phú, huyện Đồng Phú\",Kinh,001185001234,0912345678,01234567,012345HN,01/02/2010,01/02/2011,,\"Số 8, ngõ 12; \"\"Khu A\"\"\"\n" +
		"Hoàng A Tủa,Nam,1961-12-31,Mường Tè,H'Mông,011061000077,,00000042,000123LC,1990-05-19,1991-05-19,30 năm tuổi Đảng,Bản Pa Vệ Sủ\n" +
		"Đặng Văn Ơn,Nam,29/02/1996,,Kinh,,0977000111,,,,,,\n"
	in := filepath.Join(d, "so-dang-vien.csv")
	if err := os.WriteFile(in, []byte(register), 0o600); err != nil {
		t.Fatal(err)
	}
	ok(t, "import", "--dir", src, in)
	xlsx := filepath.Join(d, "export.xlsx")
	ok(t, "export", "--dir", src, "--format", "xlsx", "--out", xlsx)
	want := fieldsByName(t, src)
	if len(want) != 3 {
		t.Fatalf("the source holds %d members, want 3", len(want))
	}

	// LibreOffice converts the export to CSV and to its own .xlsx.
	out := filepath.Join(d, "lo")
	for _, filter := range []string{
		"csv:Text - txt - csv (StarCalc):44,34,76,1", // comma, double quote, UTF-8, first line
		"xlsx:Calc MS Excel 2007 XML",
	} {
		cmd := exec.Command(soffice, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(d, "lo-profile"),
			"--convert-to", filter, "--outdir", out, xlsx)
		cmd.Env = append(os.Environ(), "HOME="+d)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("LibreOffice could not convert the export (%s): %v\n%s", filter, err, b)
		}
	}
	csvOut, err := os.ReadFile(filepath.Join(out, "export.csv"))
	if err != nil {
		t.Fatalf("LibreOffice wrote no CSV: %v", err)
	}
	// What LibreOffice read, cell by cell: the text as written, the card
	// number's leading zeros kept.
	for _, cell := range []string{`"Nguyễn Thị Ánh Tuyết"`, `"01234567"`, `"00000042"`, `"Số 8, ngõ 12; ""Khu A"""`, `"H'Mông"`, `"30 năm tuổi Đảng"`} {
		if !strings.Contains(string(csvOut), cell) {
			t.Errorf("LibreOffice did not read the cell %s:\n%s", cell, csvOut)
		}
	}

	for _, file := range []string{"export.csv", "export.xlsx"} {
		dst := filepath.Join(d, "dst-"+file)
		ok(t, "init", "--dir", dst, "--name", "Đảng ủy xã Tân Lợi", "--level", "commune", "--root")
		ok(t, "import", "--dir", dst, filepath.Join(out, file))
		got := fieldsByName(t, dst)
		for name, w := range want {
			g, found := got[name]
			if !found {
				t.Errorf("%s from LibreOffice: %s missing", file, name)
				continue
			}
			if gj, wj := mustJSON(t, g), mustJSON(t, w); gj != wj {
				t.Errorf("%s from LibreOffice: %s\n got %s\nwant %s", file, name, gj, wj)
			}
		}
	}
}

// fieldsByName returns each member's record fields by name.
func fieldsByName(t *testing.T, dir string) map[string]map[string]string {
	t.Helper()
	var ms []struct {
		Fields map[string]string
	}
	jsonOf(t, ok(t, "member", "list", "--dir", dir, "--json"), &ms)
	out := map[string]map[string]string{}
	for _, m := range ms {
		out[m.Fields["name"]] = m.Fields
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
