package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"lienthong/internal/store"
	"lienthong/schema"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lienthong-cli-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "lienthong")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic(fmt.Sprintf("building the binary: %v\n%s", err, out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "LIENTHONG_DIR=")
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// ok runs a command that must succeed.
func ok(t *testing.T, args ...string) string {
	t.Helper()
	r := run(t, args...)
	if r.code != 0 {
		t.Fatalf("lienthong %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fails runs a command that must fail with a message containing want.
func fails(t *testing.T, want string, args ...string) {
	t.Helper()
	r := run(t, args...)
	if r.code == 0 {
		t.Fatalf("lienthong %s succeeded, want failure", strings.Join(args, " "))
	}
	if !strings.Contains(r.stderr, want) {
		t.Fatalf("lienthong %s: stderr %q does not mention %q", strings.Join(args, " "), r.stderr, want)
	}
}

func jsonOf(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
}

func idOf(t *testing.T, s string) string {
	var v struct{ ID string }
	jsonOf(t, s, &v)
	if v.ID == "" {
		t.Fatalf("no id in %s", s)
	}
	return v.ID
}

func TestCommitteesAndMembers(t *testing.T) {
	d := t.TempDir()
	prov, cell := filepath.Join(d, "prov"), filepath.Join(d, "cell")
	rootID := idOf(t, ok(t, "init", "--dir", prov, "--name", "Tỉnh ủy Hà Nam", "--level", "province", "--kind", "mixed", "--root", "--json"))
	if got := strings.TrimSpace(ok(t, "id", "--dir", prov)); got != rootID {
		t.Fatalf("id = %q, init said %q", got, rootID)
	}
	cellID := idOf(t, ok(t, "init", "--dir", cell, "--name", "Chi bộ Phòng Kỹ thuật", "--level", "cell", "--json"))
	ok(t, "committee", "admit", "--dir", prov, "--id", cellID, "--name", "Chi bộ Phòng Kỹ thuật", "--level", "cell")
	var cs []map[string]any
	jsonOf(t, ok(t, "committee", "list", "--dir", prov, "--json"), &cs)
	if len(cs) != 2 || cs[1]["id"] != cellID || cs[1]["parent"] != rootID {
		t.Fatalf("committee list: %v", cs)
	}
	fails(t, "--id", "committee", "admit", "--dir", prov, "--id", "nonsense", "--name", "X", "--level", "cell")

	m := idOf(t, ok(t, "member", "add", "--dir", prov, "--name", "Nguyễn Văn An", "--sex", "M", "--born", "1980-05-12",
		"--card", "01234567", "--citizen-id", "035080001234", "--admitted", "2005-03-26", "--full", "2006-03-26", "--home", cellID, "--json"))
	ok(t, "member", "set", "--dir", prov, m, "phone=0912345678", "address=Số 5, phố Hàng Bài")
	fails(t, "card", "member", "set", "--dir", prov, m, "card=123")
	fails(t, "nickname", "member", "set", "--dir", prov, m, "nickname=An")
	fails(t, "citizen_id", "member", "add", "--dir", prov, "--name", "X", "--citizen-id", "12")
	fails(t, "not found", "member", "show", "--dir", prov, strings.Repeat("ab", 16))
	var show struct {
		Fields  map[string]string
		Home    string
		Status  string
		History []map[string]any
	}
	jsonOf(t, ok(t, "member", "show", "--dir", prov, m, "--json"), &show)
	if show.Fields["phone"] != "0912345678" || show.Home != cellID || show.Status != schema.StatusFull || len(show.History) != 2 {
		t.Fatalf("member show: %+v", show)
	}
	var hist []map[string]any
	jsonOf(t, ok(t, "member", "history", "--dir", prov, m, "--json"), &hist)
	if len(hist) != 2 || hist[1]["kind"] != "member.set" || hist[1]["author"] != rootID {
		t.Fatalf("history: %v", hist)
	}
	op := hist[1]["op"].(string)
	ok(t, "member", "correct", "--dir", prov, m, "--op", op, "--reason", "ghi nhầm số điện thoại", "phone=0912345679")
	ok(t, "movement", "add", "--dir", prov, m, "--type", "died", "--at", "2026-01-15", "--reason", "bệnh")
	var list []map[string]any
	jsonOf(t, ok(t, "member", "list", "--dir", prov, "--json"), &list)
	if len(list) != 1 || list[0]["status"] != schema.StatusLeft {
		t.Fatalf("member list: %v", list)
	}
	h1 := strings.TrimSpace(ok(t, "state-hash", "--dir", prov))
	if len(h1) != 64 {
		t.Fatalf("state-hash %q", h1)
	}
	ok(t, "committee", "revoke", "--dir", prov, "--id", cellID, "--reason", "sáp nhập")
	if h2 := strings.TrimSpace(ok(t, "state-hash", "--dir", prov)); h2 == h1 {
		t.Fatal("revocation did not change the state hash")
	}
	fails(t, "revoked", "member", "add", "--dir", prov, "--name", "Lê Thị B", "--home", cellID)
	fails(t, "init", "member", "list", "--dir", filepath.Join(d, "nothing"))
	if r := run(t, "member", "set", "--dir", prov, m); r.code != 2 {
		t.Fatalf("missing arguments: exit %d, want 2 (usage)", r.code)
	}
}

// TestPlainOutputIsTheID: without --json, the commands that print an ID
// print it alone on standard output, so a script can take it with
// ID=$(lienthong …); what to do next goes to standard error.
func TestPlainOutputIsTheID(t *testing.T) {
	d := t.TempDir()
	prov, cell := filepath.Join(d, "prov"), filepath.Join(d, "cell")
	for _, c := range []struct {
		dir  string
		args []string
		hint string
	}{
		{prov, []string{"--name", "Huyện ủy Kim Bảng", "--level", "district", "--root"}, "new network rooted at Huyện ủy Kim Bảng"},
		{cell, []string{"--name", "Chi bộ Thôn 3", "--level", "cell"}, "ask the parent committee to admit this ID"},
	} {
		r := run(t, append([]string{"init", "--dir", c.dir}, c.args...)...)
		if r.code != 0 {
			t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
		}
		id := strings.TrimSuffix(r.stdout, "\n")
		if strings.ContainsAny(id, " \n") || id != strings.TrimSpace(ok(t, "id", "--dir", c.dir)) {
			t.Fatalf("init printed %q, not the ID alone", r.stdout)
		}
		if !strings.Contains(r.stderr, c.hint) {
			t.Fatalf("init: stderr %q does not say %q", r.stderr, c.hint)
		}
	}
	m := strings.TrimSuffix(ok(t, "member", "add", "--dir", prov, "--name", "Đinh Thị Lan", "--sex", "F", "--born", "1972-04-30"), "\n")
	if strings.ContainsAny(m, " \n") {
		t.Fatalf("member add printed %q, not the ID alone", m)
	}
	var shown struct{ ID string }
	jsonOf(t, ok(t, "member", "show", "--dir", prov, m, "--json"), &shown)
	if shown.ID != m {
		t.Fatalf("member show %s gave member %q", m, shown.ID)
	}
}

// TestMemberListPrintsWhatItHolds: member list, built row by row, prints
// an empty array or a standard indented JSON array (HTML characters left
// as they are) sorted by given name, and a table with a count.
func TestMemberListPrintsWhatItHolds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	ok(t, "init", "--dir", dir, "--name", "Huyện ủy Kim Bảng", "--level", "district", "--root")
	if out := ok(t, "member", "list", "--dir", dir, "--json"); out != "[]\n" {
		t.Fatalf("empty list: %q", out)
	}
	for _, m := range [][]string{
		{"Trần Văn Bình", "1970-01-02", "--field", "address=Số 5 <ngõ 3> & chợ"},
		{"Nguyễn Thị An", "1980-03-04"},
		{"Lê Văn Ánh", "1990-05-06"},
	} {
		ok(t, append([]string{"member", "add", "--dir", dir, "--name", m[0], "--sex", "M", "--born", m[1]}, m[2:]...)...)
	}
	out := ok(t, "member", "list", "--dir", dir, "--json")
	var again bytes.Buffer
	if err := json.Indent(&again, []byte(out), "", "  "); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if again.String() != out {
		t.Fatalf("not the standard indented form:\n%s", out)
	}
	if !strings.Contains(out, "<ngõ 3> & chợ") {
		t.Fatalf("HTML characters escaped:\n%s", out)
	}
	var ms []struct{ Fields map[string]string }
	jsonOf(t, out, &ms)
	var names []string
	for _, m := range ms {
		names = append(names, m.Fields["name"])
	}
	if want := []string{"Nguyễn Thị An", "Lê Văn Ánh", "Trần Văn Bình"}; !slices.Equal(names, want) {
		t.Fatalf("order %q, want %q", names, want)
	}
	table := ok(t, "member", "list", "--dir", dir)
	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "ID ") || !strings.Contains(lines[1], "Nguyễn Thị An") || lines[4] != "3 members" {
		t.Fatalf("table:\n%s", table)
	}
}

// TestDatesThatCannotBe: a birth, admission or full-membership date in the
// future, an admission not after the birth or full membership before the
// admission is refused, naming the field, by member add and set and by
// import (as a row error); nothing is written.
func TestDatesThatCannotBe(t *testing.T) {
	d := t.TempDir()
	dir := filepath.Join(d, "ward")
	ok(t, "init", "--dir", dir, "--name", "Đảng ủy phường Trúc Bạch", "--level", "commune", "--root")
	fails(t, "field born", "member", "add", "--dir", dir, "--name", "Mai Văn Tư", "--sex", "M", "--born", "2090-01-01")
	fails(t, "field admitted", "member", "add", "--dir", dir, "--name", "Mai Văn Tư", "--sex", "M", "--born", "1990-01-01", "--admitted", "1985-01-01")
	fails(t, "field full", "member", "add", "--dir", dir, "--name", "Mai Văn Tư", "--sex", "M", "--born", "1990-01-01", "--admitted", "2015-01-01", "--full", "2014-01-01")
	m := strings.TrimSpace(ok(t, "member", "add", "--dir", dir, "--name", "Mai Văn Tư", "--sex", "M", "--born", "1990-01-01", "--admitted", "2015-01-01"))
	before := ok(t, "state-hash", "--dir", dir)
	fails(t, "before the admission date 2015-01-01", "member", "set", "--dir", dir, m, "full=2014-12-31")
	fails(t, "a date in the future", "member", "set", "--dir", dir, m, "full=2099-01-01")
	if after := ok(t, "state-hash", "--dir", dir); after != before {
		t.Fatal("a refused write changed the store")
	}
	ok(t, "member", "set", "--dir", dir, m, "full=2016-01-01")
	fails(t, "field date=\"2099-05-01\": a date in the future", "movement", "add", "--dir", dir, m, "--type", "died", "--at", "2099-05-01", "--reason", "bệnh")

	csv := "Họ và tên,Ngày sinh,Giới tính,Ngày vào Đảng,Ngày chính thức\n" +
		"Tạ Thị Một,02/02/1970,Nữ,03/03/1995,03/03/1996\n" +
		"Tạ Thị Hai,02/02/1970,Nữ,03/03/1995,03/03/1994\n" +
		"Tạ Thị Ba,02/02/2099,Nữ,,\n"
	in := filepath.Join(d, "register.csv")
	os.WriteFile(in, []byte(csv), 0o600)
	r := run(t, "import", "--dir", dir, in, "--json")
	var rep struct {
		Created  int
		Rejected []struct {
			Line   int
			Column int
			Field  string
		}
	}
	jsonOf(t, r.stdout, &rep)
	if r.code == 0 || rep.Created != 1 || len(rep.Rejected) != 2 ||
		rep.Rejected[0].Line != 3 || rep.Rejected[0].Field != "full" || rep.Rejected[0].Column != 5 ||
		rep.Rejected[1].Line != 4 || rep.Rejected[1].Field != "born" || rep.Rejected[1].Column != 2 {
		t.Fatalf("import: exit %d, %+v", r.code, rep)
	}
	// A row naming a member held here, its dates judged against the record;
	// the rows refused come in row order, whatever refused them.
	held := filepath.Join(d, "held.csv")
	os.WriteFile(held, []byte("id,Họ và tên,Giới tính,Ngày chính thức\n"+
		m+",Mai Văn Tư,Nam,31/12/2014\n"+
		",Mai Văn Năm,X,\n"), 0o600)
	r = run(t, "import", "--dir", dir, held, "--json")
	rep.Rejected = nil
	jsonOf(t, r.stdout, &rep)
	if r.code == 0 || len(rep.Rejected) != 2 || rep.Rejected[0].Line != 2 || rep.Rejected[0].Field != "full" || rep.Rejected[0].Column != 4 ||
		rep.Rejected[1].Line != 3 || rep.Rejected[1].Field != "sex" {
		t.Fatalf("import of a held member's row: exit %d, %+v\n%s", r.code, rep, r.stderr)
	}
	// A row with the ID of a member this node does not hold is a new
	// member, its dates judged as such.
	foreign := filepath.Join(d, "other-network.csv")
	os.WriteFile(foreign, []byte("id,Họ và tên,Ngày sinh,Giới tính,Ngày vào Đảng\n"+
		"00112233445566778899aabbccddeeff,Tạ Văn Bốn,02/02/1990,Nam,01/01/1989\n"+
		"ffeeddccbbaa99887766554433221100,Tạ Văn Năm,02/02/1990,Nam,01/01/2015\n"), 0o600)
	r = run(t, "import", "--dir", dir, foreign, "--json")
	rep.Rejected = nil
	jsonOf(t, r.stdout, &rep)
	if r.code == 0 || rep.Created != 1 || len(rep.Rejected) != 1 || rep.Rejected[0].Line != 2 || rep.Rejected[0].Field != "admitted" {
		t.Fatalf("import of rows with foreign IDs: exit %d, %+v\n%s", r.code, rep, r.stderr)
	}
}

// TestImportTwice: a register imported again updates the members its rows
// name by card number instead of creating them twice; a card number held
// here by somebody else, or twice in one file, is a row error.
func TestImportTwice(t *testing.T) {
	d := t.TempDir()
	dir := filepath.Join(d, "ward")
	ok(t, "init", "--dir", dir, "--name", "Đảng ủy phường Ngọc Hà", "--level", "commune", "--root")
	in := filepath.Join(d, "register.csv")
	os.WriteFile(in, []byte("Họ và tên,Ngày sinh,Giới tính,Số thẻ đảng viên,Số điện thoại\n"+
		"Kiều Thị Nga,08/03/1985,Nữ,01234567,0912000111\n"+
		"Quách Văn Long,1979-12-01,Nam,12345680,\n"), 0o600)
	var rep struct {
		Created, Updated int
		Matched          int `json:"matched_by_card"`
		Rejected         []struct {
			Line  int
			Field string
		}
	}
	jsonOf(t, ok(t, "import", "--dir", dir, in, "--json"), &rep)
	if rep.Created != 2 || rep.Matched != 0 {
		t.Fatalf("first import: %+v", rep)
	}
	// Again, with a phone number changed and the name spaced and cased
	// otherwise: the same two members, one updated.
	os.WriteFile(in, []byte("Họ và tên,Ngày sinh,Giới tính,Số thẻ đảng viên,Số điện thoại\n"+
		"Kiều Thị Nga,08/03/1985,Nữ,01234567,0912000222\n"+
		"quách  văn long,1979-12-01,Nam,12345680,\n"), 0o600)
	jsonOf(t, ok(t, "import", "--dir", dir, in, "--json"), &rep)
	var ms []struct{ Fields map[string]string }
	jsonOf(t, ok(t, "member", "list", "--dir", dir, "--json"), &ms)
	if rep.Created != 0 || rep.Matched != 2 || rep.Updated != 2 || len(ms) != 2 {
		t.Fatalf("second import: %+v, %d members", rep, len(ms))
	}
	for _, m := range ms {
		if m.Fields["card"] == "01234567" && m.Fields["phone"] != "0912000222" {
			t.Fatalf("the matched member was not updated: %v", m.Fields)
		}
	}
	// member add and set refuse a card another member has.
	before := ok(t, "state-hash", "--dir", dir)
	fails(t, "already has this card number", "member", "add", "--dir", dir, "--name", "Tô Văn Ba", "--sex", "M", "--born", "1990-01-01", "--card", "01234567")
	other := strings.TrimSpace(ok(t, "member", "add", "--dir", dir, "--name", "Tô Văn Ba", "--sex", "M", "--born", "1990-01-01"))
	fails(t, "Kiều Thị Nga", "member", "set", "--dir", dir, other, "card=01234567")
	ok(t, "member", "set", "--dir", dir, other, "card=07654321")
	// A row that names its member by id and gives it another's card.
	var listed []struct {
		ID     string
		Fields map[string]string
	}
	jsonOf(t, ok(t, "member", "list", "--dir", dir, "--json"), &listed)
	var longID string
	for _, m := range listed {
		if m.Fields["card"] == "12345680" {
			longID = m.ID
		}
	}
	os.WriteFile(in, []byte("id,Họ và tên,Số thẻ đảng viên\n"+longID+",Quách Văn Long,01234567\n"), 0o600)
	r := run(t, "import", "--dir", dir, in)
	if r.code == 0 || !strings.Contains(r.stdout, "Kiều Thị Nga") {
		t.Fatalf("a row giving its member another's card: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A card held here by another name, and one card on two rows.
	before = ok(t, "state-hash", "--dir", dir)
	os.WriteFile(in, []byte("Họ và tên,Ngày sinh,Giới tính,Số thẻ đảng viên\n"+
		"Lò Văn Sai,1979-12-01,Nam,12345680\n"+
		"Hà Thị Một,1990-01-01,Nữ,55555555\n"+
		"Hà Thị Hai,1990-01-01,Nữ,55555555\n"), 0o600)
	r = run(t, "import", "--dir", dir, in, "--json")
	rep.Rejected = nil
	jsonOf(t, r.stdout, &rep)
	if r.code == 0 || rep.Created != 1 || len(rep.Rejected) != 2 ||
		rep.Rejected[0].Line != 2 || rep.Rejected[0].Field != "card" || rep.Rejected[1].Line != 4 || rep.Rejected[1].Field != "card" {
		t.Fatalf("third import: exit %d, %+v", r.code, rep)
	}
	if ok(t, "state-hash", "--dir", dir) == before {
		t.Fatal("the good row of the third import was not applied")
	}
}

func TestImportExportRoundTrip(t *testing.T) {
	d := t.TempDir()
	prov := filepath.Join(d, "prov")
	ok(t, "init", "--dir", prov, "--name", "Đảng ủy phường Ba Đình", "--level", "commune", "--root")
	csv := "STT,Họ và tên,Ngày sinh,Giới tính,Số thẻ đảng viên,Số CCCD\n" +
		"1,Nguyễn Thị Mai,08/03/1985,Nữ,01234567,001185001234\n" +
		"2,Trần Văn Bình,1979-12-01,Nam,1234568,\n" +
		"3,Lê Văn Sai,31/02/1980,Nam,,\n" +
		"4,Phạm Thị Hạnh,01/01/1990,nữ,abc,\n"
	in := filepath.Join(d, "so-dang-vien.csv")
	os.WriteFile(in, []byte(csv), 0o600)
	r := run(t, "import", "--dir", prov, in, "--json")
	if r.code == 0 {
		t.Fatal("import with bad rows exited 0")
	}
	var rep struct {
		Rows, Created int
		Rejected      []struct {
			Line  int
			Field string
		}
	}
	jsonOf(t, r.stdout, &rep)
	if rep.Created != 2 || len(rep.Rejected) != 2 || rep.Rejected[0].Line != 4 || rep.Rejected[0].Field != "born" || rep.Rejected[1].Line != 5 || rep.Rejected[1].Field != "card" {
		t.Fatalf("import report: %+v\n%s", rep, r.stderr)
	}
	for _, format := range []string{"csv", "xlsx"} {
		out := filepath.Join(d, "export."+format)
		ok(t, "export", "--dir", prov, "--format", format, "--out", out)
		other := filepath.Join(d, "other-"+format)
		ok(t, "init", "--dir", other, "--name", "Đảng ủy phường Kim Mã", "--level", "commune", "--root")
		ok(t, "import", "--dir", other, out)
		var a, b []map[string]any
		jsonOf(t, ok(t, "member", "list", "--dir", prov, "--json"), &a)
		jsonOf(t, ok(t, "member", "list", "--dir", other, "--json"), &b)
		if len(a) != 2 || len(b) != 2 {
			t.Fatalf("%s: %d and %d members", format, len(a), len(b))
		}
		for i := range a {
			fa, _ := json.Marshal(a[i]["fields"])
			fb, _ := json.Marshal(b[i]["fields"])
			if string(fa) != string(fb) {
				t.Fatalf("%s round trip changed fields:\n%s\n%s", format, fa, fb)
			}
		}
		// Importing the export back into its source changes nothing.
		before := ok(t, "state-hash", "--dir", prov)
		ok(t, "import", "--dir", prov, out)
		if after := ok(t, "state-hash", "--dir", prov); after != before {
			t.Fatalf("%s: re-importing the export changed the store", format)
		}
	}
	fails(t, ".csv", "import", "--dir", prov, filepath.Join(d, "register.ods"))
}

func TestLockedStoreSaysSo(t *testing.T) {
	d := t.TempDir()
	prov := filepath.Join(d, "prov")
	rootID := idOf(t, ok(t, "init", "--dir", prov, "--name", "Tỉnh ủy", "--level", "province", "--root", "--json"))
	st, err := store.Open(filepath.Join(prov, "store"), store.DefaultOptions(schema.CommitteeID(rootID)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fails(t, "locked", "member", "list", "--dir", prov)
}

// startServe runs 'serve' and returns its first address.
func startServe(t *testing.T, dir string) string {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--dir", dir, "--listen", "/ip4/127.0.0.1/tcp/0", "--http", "127.0.0.1:0", "--no-mdns", "--json")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Error("serve did not stop on SIGINT")
		}
	})
	var info struct {
		ID    string
		Addrs []string
	}
	// The first line is the whole object: a supervisor may read by line.
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &info)
	}
	if err != nil || len(info.Addrs) == 0 {
		t.Fatalf("serve printed no addresses on its first line %q: %v", line, err)
	}
	return info.Addrs[0]
}

func TestServeSyncAndBundles(t *testing.T) {
	if testing.Short() {
		t.Skip("starts daemons")
	}
	d := t.TempDir()
	prov, cell := filepath.Join(d, "prov"), filepath.Join(d, "cell")
	ok(t, "init", "--dir", prov, "--name", "Đảng ủy Công ty Điện lực", "--level", "grassroots", "--root")
	cellID := idOf(t, ok(t, "init", "--dir", cell, "--name", "Chi bộ Phòng Kỹ thuật", "--level", "cell", "--json"))
	fails(t, "join", "member", "list", "--dir", cell)
	ok(t, "committee", "admit", "--dir", prov, "--id", cellID, "--name", "Chi bộ Phòng Kỹ thuật", "--level", "cell")
	provAddr := startServe(t, prov)
	join := filepath.Join(d, "join.json")
	ok(t, "committee", "invite", "--dir", prov, "--id", cellID, "--out", join) // through the daemon
	ok(t, "join", "--dir", cell, join)
	// The cell works offline, then syncs once without a daemon of its own.
	m := idOf(t, ok(t, "member", "add", "--dir", cell, "--name", "Võ Thị Sáu", "--sex", "F", "--born", "1990-01-01", "--json"))
	var st struct {
		Received int
		Sent     int
	}
	jsonOf(t, ok(t, "sync", "--dir", cell, "--peer", provAddr, "--json"), &st)
	if st.Sent != 1 {
		t.Fatalf("sync sent %d ops, want the 1 member create", st.Sent)
	}
	var show map[string]any
	jsonOf(t, ok(t, "member", "show", "--dir", prov, m, "--json"), &show) // through the daemon
	var peers []map[string]any
	jsonOf(t, ok(t, "peers", "--dir", prov, "--json"), &peers)
	if len(peers) != 1 || peers[0]["peer"] != cellID {
		t.Fatalf("peers: %v", peers)
	}
	// A bundle carried by hand: the province writes, exports for the cell.
	ok(t, "member", "set", "--dir", prov, m, "phone=0912345678")
	bundle := filepath.Join(d, "for-cell.bundle")
	ok(t, "bundle", "export", "--dir", prov, "--for", cellID, "--out", bundle)
	ok(t, "bundle", "import", "--dir", cell, bundle)
	ok(t, "bundle", "import", "--dir", cell, bundle) // twice is harmless
	jsonOf(t, ok(t, "member", "show", "--dir", cell, m, "--json"), &show)
	if show["fields"].(map[string]any)["phone"] != "0912345678" {
		t.Fatalf("bundle did not carry the change: %v", show["fields"])
	}
	// The province writes while the cell is away; the next sync brings the
	// op and says so, whichever pull of the session fetched it.
	ok(t, "member", "set", "--dir", prov, m, "phone=0987654321")
	// (The op the bundle brought comes again, as a duplicate: the cell's
	// position in the province's feed is from before the bundle.)
	var again struct{ Received, Applied, Duplicates, Sent int }
	jsonOf(t, ok(t, "sync", "--dir", cell, "--peer", provAddr, "--json"), &again)
	if again.Applied != 1 || again.Received != again.Applied+again.Duplicates || again.Sent != 0 {
		t.Fatalf("sync after one change at the province: %+v, want 1 applied, 0 sent", again)
	}
	jsonOf(t, ok(t, "member", "show", "--dir", cell, m, "--json"), &show)
	if show["fields"].(map[string]any)["phone"] != "0987654321" {
		t.Fatalf("sync did not bring the change: %v", show["fields"])
	}
	raw, _ := os.ReadFile(bundle)
	os.WriteFile(bundle, raw[:len(raw)-10], 0o600)
	fails(t, "cut short", "bundle", "import", "--dir", cell, bundle)
	if a, b := ok(t, "state-hash", "--dir", prov), ok(t, "state-hash", "--dir", cell); a != b {
		t.Fatalf("state hashes differ: %s vs %s", a, b)
	}
}

func TestConfigFileRules(t *testing.T) {
	d := t.TempDir()
	prov := filepath.Join(d, "prov")
	ok(t, "init", "--dir", prov, "--name", "Tỉnh ủy", "--level", "province", "--root")
	cfgPath := filepath.Join(prov, "config.json")
	raw, _ := os.ReadFile(cfgPath)
	var cfg map[string]any
	jsonOf(t, string(raw), &cfg)
	cfg["rules"] = map[string]int{"exemption_rate_pct": 12}
	b, _ := json.Marshal(cfg)
	os.WriteFile(cfgPath, b, 0o600)
	fails(t, "exemption_rate_percent", "alerts", "--dir", prov)
	cfg["rules"] = map[string]int{"exemption_rate_percent": 12}
	cfg["holidays"] = []string{"2026-13-01"}
	b, _ = json.Marshal(cfg)
	os.WriteFile(cfgPath, b, 0o600)
	fails(t, "2026-13-01", "alerts", "--dir", prov)
	cfg["holidays"] = []string{"2026-12-31"}
	b, _ = json.Marshal(cfg)
	os.WriteFile(cfgPath, b, 0o600)
	ok(t, "alerts", "--dir", prov, "--at", "2026-12-15", "--json")
}

// valueLogBytes sums what the store's value-log files hold beyond their
// headers (a file of 20 bytes holds nothing).
func valueLogBytes(t *testing.T, dir string) int64 {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "store", "*.vlog"))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() > 20 {
			n += info.Size()
		}
	}
	return n
}

// TestCommandsKeepSmallWritesInline: a command that writes a few ops and
// exits keeps them in the LSM tree (a value-log file per such command would
// stay, and stay open, as long as the ops); an import, which may write
// many, puts its large values in the value log as the daemon does.
func TestCommandsKeepSmallWritesInline(t *testing.T) {
	d := filepath.Join(t.TempDir(), "ward")
	ok(t, "init", "--dir", d, "--name", "Đảng ủy phường Lê Hồng Phong", "--level", "commune", "--root")
	address := "Số 12, ngõ 34, phố Trần Hưng Đạo, phường Lê Hồng Phong, thành phố Phủ Lý, tỉnh Hà Nam"
	for i := range 4 {
		m := idOf(t, ok(t, "member", "add", "--dir", d, "--name", fmt.Sprintf("Trần Thị Lan %d", i), "--sex", "F", "--born", "1988-04-20",
			"--card", fmt.Sprintf("0123456%d", i), "--citizen-id", fmt.Sprintf("03518800123%d", i), "--json"))
		ok(t, "member", "set", "--dir", d, m, "address="+address, "temp_address="+address, "workplace=Công ty Điện lực Hà Nam, số 1 đường Biên Hòa")
	}
	if n := valueLogBytes(t, d); n != 0 {
		t.Fatalf("single commands left %d bytes in value-log files", n)
	}
	var csv strings.Builder
	csv.WriteString("Họ và tên,Ngày sinh,Giới tính,Nơi thường trú,Nơi tạm trú,Nơi làm việc\n")
	for i := range 50 {
		fmt.Fprintf(&csv, "Nguyễn Văn Hải %d,1975-01-%02d,Nam,%q,%q,Công ty Điện lực Hà Nam\n", i, 1+i%28, address, address)
	}
	in := filepath.Join(t.TempDir(), "register.csv")
	if err := os.WriteFile(in, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ok(t, "import", "--dir", d, in)
	if n := valueLogBytes(t, d); n == 0 {
		t.Fatal("the import wrote nothing to the value log")
	}
	var list []map[string]any
	jsonOf(t, ok(t, "member", "list", "--dir", d, "--json"), &list)
	if len(list) != 54 {
		t.Fatalf("%d members, want 54", len(list))
	}
}

// TestJoinRefusesAFileThatDoesNotCharterIt: a join file whose directory
// verifies but does not charter this committee (here, its charter taken
// out), or whose ops do not verify, is refused and leaves no store behind;
// the right file then joins.
func TestJoinRefusesAFileThatDoesNotCharterIt(t *testing.T) {
	d := t.TempDir()
	prov, cell := filepath.Join(d, "prov"), filepath.Join(d, "cell")
	ok(t, "init", "--dir", prov, "--name", "Đảng ủy xã Tân Lập", "--level", "commune", "--root")
	cellID := idOf(t, ok(t, "init", "--dir", cell, "--name", "Chi bộ thôn 3", "--level", "cell", "--json"))
	ok(t, "committee", "admit", "--dir", prov, "--id", cellID, "--name", "Chi bộ thôn 3", "--level", "cell")
	good := filepath.Join(d, "join.json")
	ok(t, "committee", "invite", "--dir", prov, "--id", cellID, "--out", good)
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	var jf map[string]any
	jsonOf(t, string(raw), &jf)
	dir := jf["directory"].([]any)
	if len(dir) < 2 {
		t.Fatalf("join file directory has %d ops", len(dir))
	}
	write := func(name string, change func(map[string]any)) string {
		var c map[string]any
		jsonOf(t, string(raw), &c)
		change(c)
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	uncharted := write("uncharted.json", func(c map[string]any) { c["directory"] = dir[:len(dir)-1] })
	forged := write("forged.json", func(c map[string]any) {
		env, _ := base64.StdEncoding.DecodeString(dir[len(dir)-1].(string))
		env[len(env)-1] ^= 1 // the signature's last byte
		c["directory"] = append(append([]any{}, dir[:len(dir)-1]...), base64.StdEncoding.EncodeToString(env))
	})
	for _, f := range []struct{ file, want string }{{uncharted, "does not charter this committee"}, {forged, "does not verify"}} {
		fails(t, f.want, "join", "--dir", cell, f.file)
		if _, err := os.Stat(filepath.Join(cell, "store")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a refused join file (%s) left a store behind: %v", filepath.Base(f.file), err)
		}
		fails(t, "join", "member", "list", "--dir", cell)
	}
	ok(t, "join", "--dir", cell, good)
	ok(t, "member", "list", "--dir", cell)
}

// TestDemoRemovesItsNetwork: the demo without --dir runs a network that
// converges, and removes it when it stops; with --dir it keeps it.
func TestDemoRemovesItsNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo network")
	}
	tmp := t.TempDir()
	cmd := exec.Command(binary, "demo", "--members", "8", "--duration", "15s")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "LIENTHONG_DIR=", "TMPDIR="+tmp)
	if err := cmd.Run(); err != nil {
		t.Fatalf("demo: %v\n%s%s", err, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "converged in") || !strings.Contains(out.String(), "removed the demo network in "+tmp) {
		t.Fatalf("demo output:\n%s%s", out.String(), errb.String())
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "lienthong-demo-*")); len(left) > 0 {
		t.Fatalf("the demo left %v behind", left)
	}
	kept := filepath.Join(tmp, "kept")
	r := run(t, "demo", "--dir", kept, "--members", "8", "--duration", "3s")
	if r.code != 0 || strings.Contains(r.stdout, "removed") || !strings.Contains(r.stdout, "kept there for the next run") {
		t.Fatalf("demo --dir: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(kept, "0-province", "key")); err != nil {
		t.Fatalf("demo --dir did not keep its network: %v", err)
	}
	if r := run(t, "demo", "--dir", kept, "--duration", "3s"); r.code != 0 || !strings.Contains(r.stdout, "the network kept in "+kept) {
		t.Fatalf("demo --dir again: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
