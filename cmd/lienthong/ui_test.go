package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lienthong/internal/datadir"
	"lienthong/internal/sample"
	"lienthong/internal/store"
	"lienthong/node"
	"lienthong/schema"
)

// TestClerksDesk drives the web UI of real nodes in headless Chromium: a
// clerk of the workplace cell adds a member and introduces them to the
// ward; the ward's clerk accepts them into the residence cell, whose clerk
// records a meeting and writes the annual comment; the workplace clerk sees
// the comment arrive; the printed introduction letter carries the record;
// the member list keeps Vietnamese name order; the English switch works.
// Screenshots of the pages go to LIENTHONG_SCREENSHOTS (default
// $TMPDIR/lienthong-ui-screens).
func TestClerksDesk(t *testing.T) {
	chrome := findChromium()
	if chrome == "" {
		t.Skip("no Chromium found (looked for chromium, chromium-browser, google-chrome, headless-shell); install Debian's chromium to run the browser tests")
	}
	shots := os.Getenv("LIENTHONG_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "lienthong-ui-screens")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	nodes := startUINetwork(t)
	// The demo tree: 0 city office, 1 school committee, 2 and 3 its cells,
	// 4 the ward committee, 5 its residence cell.
	work, ward, resCell := nodes[2], nodes[4], nodes[5]
	wardID, resCellID := string(ward.live.sess.node.ID()), string(resCell.live.sess.node.ID())

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", chrome, err)
	}

	// Each clerk has a browser of their own (cookies and settings apart),
	// as on the office PCs.
	clerk := newClerk(t, bctx, "work", work, shots)
	wardClerk := newClerk(t, bctx, "ward", ward, shots)
	cellClerk := newClerk(t, bctx, "cell", resCell, shots)
	defer clerk.checkConsole()
	defer wardClerk.checkConsole()
	defer cellClerk.checkConsole()

	// The workplace cell's clerk adds a member.
	clerk.login()
	clerk.shot("01-members")
	clerk.click(`a[data-action="new-member"]`)
	clerk.waitPage("members/new")
	form := `form[data-form="new-member"] `
	for _, f := range []struct{ name, value string }{
		{"name", "Hoàng Minh Tuấn"},
		{"born", "12/03/1985"},
		{"birthplace", "xã Đông Linh, Hà Nội"},
		{"hometown", "xã Đông Linh, Hà Nội"},
		{"ethnicity", "Kinh"},
		{"religion", "Không"},
		{"citizen_id", "001085012345"},
		{"address", "Số 12, ngõ 45, phố Đội Cấn, tổ dân phố 5, phường Ba Đình, Hà Nội"},
		{"phone", "0912345678"},
		{"occupation", "Giáo viên"},
		{"workplace", "Trường THPT Phan Đình Phùng"},
		{"card", "12345678"},
		{"profile", "123456HN"},
		{"register_line", "131"},
		{"admitted", "19/05/2008"},
		{"full", "19/05/2009"},
	} {
		clerk.typeIn(form+`[name="`+f.name+`"]`, f.value)
	}
	clerk.set(form+`select[name="sex"]`, "M")
	clerk.shot("02-add-member")
	clerk.click(form + `button[type="submit"]`)
	clerk.waitPage("member/:id")
	memberID := clerk.eval(`location.hash.split('/')[2]`)
	if len(memberID) != 32 {
		t.Fatalf("after adding the member the page is %q", memberID)
	}
	clerk.waitText(`[data-member-name]`, "Hoàng Minh Tuấn")

	// ... and introduces them to the ward (Mẫu 1-213), then asks for the
	// year's residence comment (Mẫu 3-213).
	clerk.step("residence.intro", func() { clerk.set(`form[data-kind="residence.intro"] select[name="residence"]`, wardID) })
	clerk.waitFor(`li[data-kind="residence.intro"]`)
	clerk.step("residence.comment_request", nil)
	clerk.waitFor(`li[data-kind="residence.comment_request"]`)
	clerk.shot("03-member-introduced")

	// The printed introduction letter carries the record.
	clerk.navigate("/print.html#intro/" + memberID)
	clerk.waitJS(`document.getElementById('doc').dataset.ready === 'intro'`)
	letter := map[string]string{
		"name":      "Hoàng Minh Tuấn",
		"sex":       "Nam",
		"born":      "12/03/1985",
		"admitted":  "19/05/2008",
		"full":      "19/05/2009",
		"cell":      "Chi bộ Tổ Toán - Tin",
		"address":   "Số 12, ngõ 45, phố Đội Cấn, tổ dân phố 5, phường Ba Đình, Hà Nội",
		"residence": "Đảng ủy phường Ba Đình",
		"exempt":    "☒ Không",
	}
	for f, want := range letter {
		if got := clerk.eval(`document.querySelector('[data-f="` + f + `"]').textContent`); !strings.Contains(got, want) {
			t.Errorf("introduction letter: %s is %q, want %q", f, got, want)
		}
	}
	if head := clerk.eval(`document.querySelector('.head').textContent`); !strings.Contains(head, "ĐẢNG CỘNG SẢN VIỆT NAM") || !strings.Contains(head, "CHI BỘ TỔ TOÁN - TIN") {
		t.Errorf("introduction letter header: %q", head)
	}
	clerk.shot("04-print-introduction-letter")

	// The ward's clerk sees the introduction arrive and accepts the member
	// into the residence cell.
	wardClerk.login()
	wardClerk.pollPage("residence", `#res-pending tr[data-member="`+memberID+`"]`)
	wardClerk.shot("05-ward-residence-pending")
	accept := `form[data-accept="` + memberID + `"] `
	wardClerk.set(accept+`select[name="cell"]`, resCellID)
	wardClerk.click(accept + `button[type="submit"]`)
	wardClerk.waitFor(`#res-registered tr[data-member="` + memberID + `"]`)

	// The residence cell's clerk records a meeting and writes the comment.
	cellClerk.login()
	cellClerk.pollPage("residence", `#res-sheet tr[data-member="`+memberID+`"]`)
	if !cellClerk.evalBool(`document.querySelector('input[name="att-` + memberID + `"][value="present"]').checked`) {
		t.Error("attendance sheet: the member is not marked present by default")
	}
	cellClerk.click(`form[data-form="attendance"] button[type="submit"]`)
	cellClerk.waitText(`#res-registered tr[data-member="`+memberID+`"]`, "1/1")
	comment := "Đồng chí gương mẫu chấp hành chủ trương của Đảng, chính sách, pháp luật của Nhà nước; tham gia đầy đủ sinh hoạt tổ dân phố."
	commentForm := `form[data-comment-form="` + memberID + `"] `
	cellClerk.set(commentForm+`select[name="fulfilled"]`, "1")
	cellClerk.typeIn(commentForm+`textarea[name="text"]`, comment)
	cellClerk.shot("06-cell-residence-comment")
	cellClerk.click(commentForm + `button[type="submit"]`)
	cellClerk.waitJS(`!document.querySelector('#res-to-write tr[data-member="` + memberID + `"]')`)
	cellClerk.shot("07-cell-residence-done")

	// The workplace clerk's member page shows the comment when it arrives.
	clerk.navigate("/#/member/" + memberID)
	clerk.waitPage("member/:id")
	clerk.waitJS(`(document.querySelector('[data-comment] .comment-text')?.textContent || '') === ` + jsString(comment))
	if got := clerk.eval(`document.querySelector('[data-residence]').textContent`); !strings.Contains(got, "Chi bộ Tổ dân phố 5") || !strings.Contains(got, "Có mặt") {
		t.Errorf("member page residence section lacks the cell or the attendance: %q", got)
	}
	clerk.shot("08-member-comment-arrived")
	clerk.open("residence")
	clerk.waitFor(`#res-received tr[data-member="` + memberID + `"]`)
	clerk.shot("09-work-residence")

	// A conflict: the school's committee, offline, and the cell write the
	// member's phone without seeing each other. The cell's clerk sees both
	// values and keeps one.
	school := nodes[1]
	schoolAddrs := school.live.sess.net.Addrs()
	school.live.stop()
	apiPost(t, work, "/api/members/"+memberID+"/fields", map[string]any{"fields": map[string]string{"phone": "0912000111"}})
	writeOffline(t, school.path, memberID, map[string]string{"phone": "0988000222"})
	school.live = restartNode(t, school, schoolAddrs, nodes[0])
	clerk.navigate("/#/member/" + memberID)
	clerk.waitPage("member/:id")
	clerk.waitFor(`[data-conflict="phone"]`)
	alts := clerk.eval(`[...document.querySelectorAll('[data-conflict="phone"] .alt .val')].map((v) => v.textContent).join(' ')`)
	if !strings.Contains(alts, "0912000111") || !strings.Contains(alts, "0988000222") {
		t.Errorf("the conflict shows %q, want both phone numbers", alts)
	}
	clerk.shot("10-member-conflict")
	i := clerk.eval(`String([...document.querySelectorAll('[data-conflict="phone"] .alt')].findIndex((a) => a.querySelector('.val').textContent === '0912000111'))`)
	clerk.click(`[data-conflict="phone"] [data-alt="` + i + `"] button[data-choose]`)
	clerk.waitJS(`!document.querySelector('[data-conflict]') && document.querySelector('tr[data-field="phone"] td')?.textContent === '0912000111'`)
	clerk.waitFor(`li[data-kind="member.correct"]`)

	// Vietnamese name order: given name first, a < ă < â, tones after.
	for _, name := range []string{"Khúc Thừa Đức", "Khúc Thừa Ấn", "Khúc Thừa Bình", "Khúc Thừa Ánh", "Khúc Thừa Ân"} {
		apiPost(t, work, "/api/members", map[string]any{"fields": map[string]string{"name": name}})
	}
	want := []string{"Khúc Thừa Ánh", "Khúc Thừa Ân", "Khúc Thừa Ấn", "Khúc Thừa Bình", "Khúc Thừa Đức"}
	clerk.open("members?q=" + "kh%C3%BAc%20th%E1%BB%ABa")
	clerk.waitJS(`document.querySelectorAll('[data-list] tbody tr').length === 5`)
	var got []string
	clerk.evalJSON(`[...document.querySelectorAll('[data-list] tbody tr a[data-member-link]')].map((a) => a.textContent)`, &got)
	if !slices.Equal(got, want) {
		t.Errorf("member list order\n got %q\nwant %q", got, want)
	}
	var sorted []string
	clerk.evalJSON(`import('/js/util.js').then((u) => u.sortByName(['Khúc Thừa Đức', 'Khúc Thừa Ấn', 'Khúc Thừa Bình', 'Khúc Thừa Ánh', 'Khúc Thừa Ân'], (x) => x))`, &sorted)
	if !slices.Equal(sorted, want) {
		t.Errorf("client-side sort\n got %q\nwant %q", sorted, want)
	}
	clerk.shot("11-members-vietnamese-order")
	clerk.open("members")
	clerk.waitJS(`document.querySelectorAll('[data-list] tbody tr').length > 5`)
	if bad := clerk.eval(`import('/js/util.js').then((u) => {
		const names = [...document.querySelectorAll('[data-list] tbody tr a[data-member-link]')].map((a) => a.textContent);
		for (let i = 1; i < names.length; i++) if (u.compareNames(names[i - 1], names[i]) > 0) return names[i - 1] + ' > ' + names[i];
		return '';
	})`); bad != "" {
		t.Errorf("the API's order and Intl.Collator('vi') disagree: %s", bad)
	}

	// Both dictionaries hold the same keys.
	if diff := clerk.eval(`import('/js/i18n.js').then(({ vi, en }) => {
		const a = Object.keys(vi), b = Object.keys(en);
		return [...a.filter((k) => !(k in en)), ...b.filter((k) => !(k in vi))].join(' ');
	})`); diff != "" {
		t.Errorf("keys in one dictionary only: %s", diff)
	}

	// The menu counts the alerts from their summary; the alerts page lists
	// them, and filters them on the node.
	clerk.open("alerts")
	clerk.waitJS(`document.querySelector('a[data-nav="alerts"] .count') !== null`)
	count, rows := clerk.eval(`document.querySelector('a[data-nav="alerts"] .count').textContent`), clerk.eval(`String(document.querySelectorAll('main tr[data-rule]').length)`)
	if count == "0" || count != rows {
		t.Errorf("alerts: the menu counts %s, the page lists %s", count, rows)
	}
	bySeverity := 0
	for _, sev := range []string{"overdue", "due"} {
		clerk.open("alerts?severity=" + sev)
		if got := clerk.eval(`[...document.querySelectorAll('main tr[data-rule] .badge')].filter((b) => !b.classList.contains('` + sev + `')).map((b) => b.textContent).join(' ')`); got != "" {
			t.Errorf("alerts filtered to %s show: %s", sev, got)
		}
		n, _ := strconv.Atoi(clerk.eval(`String(document.querySelectorAll('main tr[data-rule]').length)`))
		bySeverity += n
	}
	if strconv.Itoa(bySeverity) != count {
		t.Errorf("alerts: %d overdue and due, the menu counts %s", bySeverity, count)
	}

	// The other pages, in Vietnamese.
	for _, p := range []struct{ route, file string }{
		{"alerts", "12-alerts"}, {"transfers", "13-transfers"}, {"exemptions", "14-exemptions"},
		{"leaves", "15-leaves"}, {"ratings", "16-ratings"}, {"reconcile", "17-reconcile"},
		{"stats", "18-stats"}, {"committees", "19-committees"}, {"peers", "20-peers"},
	} {
		clerk.open(p.route)
		clerk.shot(p.file)
	}

	// Import a register with a bad row: the good rows are created, the bad
	// one is reported with its line.
	csvPath := filepath.Join(t.TempDir(), "danh-sach.csv")
	register := "Họ và tên,Giới tính,Ngày sinh,Số thẻ đảng viên\nLò Văn Páo,M,03/02/1990,\nHà Thị Xuân,F,04/03/1991,87654321\nĐinh Sai Ngày,M,31/02/1990,\n"
	if err := os.WriteFile(csvPath, []byte(register), 0o644); err != nil {
		t.Fatal(err)
	}
	clerk.open("io")
	if err := chromedp.Do(clerk.ctx, chromedp.SetUploadFiles(chromedp.CSS(`form[data-form="import"] input[type="file"]`), []string{csvPath})); err != nil {
		clerk.fail("choosing the register file", err)
	}
	clerk.click(`form[data-form="import"] button[type="submit"]`)
	clerk.waitText(`form[data-form="import"]`, "lập mới 2")
	if got := clerk.eval(`document.querySelector('form[data-form="import"] table')?.textContent || ''`); !strings.Contains(got, "31/02/1990") {
		t.Errorf("import report: the bad row is not listed: %q", got)
	}
	clerk.shot("21-import-export")
	clerk.navigate("/print.html#comment-request/" + memberID)
	clerk.waitJS(`document.getElementById('doc').dataset.ready === 'comment-request'`)
	if got := clerk.eval(`document.querySelector('[data-f="comment"]')?.textContent || ''`); got != comment {
		t.Errorf("comment request form: the residence comment is %q", got)
	}
	clerk.shot("22-print-comment-request")
	clerk.navigate("/print.html#register/" + memberID)
	clerk.waitJS(`document.getElementById('doc').dataset.ready === 'register'`)
	clerk.shot("23-print-register-page")

	// English, remembered across a reload; then back to Vietnamese.
	clerk.navigate("/#/members")
	clerk.waitPage("members")
	clerk.click(`#lang-en`)
	clerk.waitJS(`document.querySelector('a[data-nav="members"]').textContent === 'Members' && document.querySelector('main h1').textContent === 'Members'`)
	clerk.navigate("/#/member/" + memberID)
	clerk.waitPage("member/:id")
	if lang := clerk.eval(`document.documentElement.lang`); lang != "en" {
		t.Errorf("after a reload the language is %q, want en", lang)
	}
	clerk.waitText(`main`, "Member record")
	clerk.shot("24-member-english")
	clerk.click(`#lang-vi`)
	clerk.waitText(`main`, "Lý lịch đảng viên")
}

// findChromium returns the browser to drive, or "" when there is none.
func findChromium() string {
	if p := os.Getenv("LIENTHONG_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startUINetwork starts the demo's six committee nodes with a few sample
// members each, with their API and UI on loopback, and waits until they
// have synced.
func startUINetwork(t *testing.T) []*demoNode {
	t.Helper()
	dir := t.TempDir()
	tree := sample.SmallTree()
	if err := setupDemo(dir, tree, 6, 7); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	nodes := make([]*demoNode, len(tree.Committees))
	t.Cleanup(func() {
		for i := len(nodes) - 1; i >= 0; i-- {
			if nodes[i] != nil && nodes[i].live != nil {
				nodes[i].live.stop()
			}
		}
	})
	for i, c := range tree.Committees {
		dn := &demoNode{c: c, path: filepath.Join(dir, slug(i, c))}
		f := serveFlags{listen: []string{"/ip4/127.0.0.1/tcp/0"}, http: "127.0.0.1:0", noMDNS: true}
		if c.Parent >= 0 {
			f.bootstrap = nodes[c.Parent].live.sess.net.Addrs()
		}
		live, err := startLive(dn.path, f, log)
		if err != nil {
			t.Fatalf("starting %s: %v", c.Name, err)
		}
		dn.live = live
		nodes[i] = dn
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		held, ok := demoConverged(nodes)
		if ok && directoryComplete(nodes) {
			return nodes
		}
		if time.Now().After(deadline) {
			t.Fatalf("the network did not sync: nodes hold %v members", held)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// writeOffline writes record fields on a stopped node's store, as a clerk
// of an office that is offline would.
func writeOffline(t *testing.T, path, member string, fields map[string]string) {
	t.Helper()
	d, err := datadir.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := d.OpenStore(store.DefaultOptions(d.Config.Root))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := node.New(st, d.Signer, node.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	id, err := schema.ParseLedgerID(member)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.SetFields(id, fields); err != nil {
		t.Fatal(err)
	}
}

// restartNode starts a stopped node again on its former libp2p addresses,
// so that the nodes that bootstrap from it find it.
func restartNode(t *testing.T, dn *demoNode, addrs []string, parent *demoNode) *liveNode {
	t.Helper()
	var listen []string
	for _, a := range addrs {
		a, _, _ = strings.Cut(a, "/p2p/")
		listen = append(listen, a)
	}
	f := serveFlags{listen: listen, http: "127.0.0.1:0", noMDNS: true, bootstrap: parent.live.sess.net.Addrs()}
	live, err := startLive(dn.path, f, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("restarting %s: %v", dn.c.Name, err)
	}
	return live
}

func apiPost(t *testing.T, n *demoNode, path string, body any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", n.live.url+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+n.live.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&e)
		t.Fatalf("POST %s: %s: %s", path, resp.Status, e.Error)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// uiClerk is one clerk's browser on one node's UI.
type uiClerk struct {
	t       *testing.T
	ctx     context.Context
	name    string
	node    *demoNode
	shots   string
	console <-chan string
}

const uiWait = 25 * time.Second

func newClerk(t *testing.T, browser context.Context, name string, n *demoNode, shots string) *uiClerk {
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening %s's browser: %v", name, err)
	}
	// Uncaught exceptions in the page fail the test.
	errs := make(chan string, 64)
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() {
				select {
				case errs <- fmt.Sprintf("%s:%d %s", m.URL, m.Line+1, m):
				default:
				}
			}
		}
	}()
	return &uiClerk{t: t, ctx: ctx, name: name, node: n, shots: shots, console: errs}
}

func (c *uiClerk) checkConsole() {
	for {
		select {
		case m := <-c.console:
			c.t.Errorf("%s: uncaught exception in the page: %s", c.name, m)
		default:
			return
		}
	}
}

func (c *uiClerk) fail(what string, err error) {
	c.t.Helper()
	c.shot("failed-" + c.name)
	c.t.Fatalf("%s: %s: %v", c.name, what, err)
}

// login opens the node's link with its token, as the operator hands it out.
func (c *uiClerk) login() {
	c.t.Helper()
	c.navigate("/?token=" + c.node.live.token)
	c.waitPage("members")
}

func (c *uiClerk) navigate(path string) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, chromedp.Navigate(c.node.live.url+path)); err != nil {
		c.fail("opening "+path, err)
	}
}

// open goes to a route of the UI and waits until the page is drawn.
func (c *uiClerk) open(route string) {
	c.t.Helper()
	c.eval(`(() => {
		const main = document.getElementById('main');
		main.dataset.ready = '';
		const next = '#/' + ` + jsString(route) + `;
		if (location.hash === next) window.dispatchEvent(new HashChangeEvent('hashchange')); else location.hash = next;
		return '';
	})()`)
	path, _, _ := strings.Cut(route, "?")
	c.waitPage(path)
}

// waitPage waits until the route's page has been drawn.
func (c *uiClerk) waitPage(route string) {
	c.t.Helper()
	c.waitJS(`(() => { const m = document.getElementById('main'); return !!m && !!m.dataset.ready && m.dataset.page === ` + jsString(route) + ` && !m.querySelector(':scope > .error-box'); })()`)
}

// pollPage reopens a page until sel shows on it: what another committee
// sent is on its way.
func (c *uiClerk) pollPage(route, sel string) {
	c.t.Helper()
	deadline := time.Now().Add(uiWait)
	for {
		c.open(route)
		if c.evalBool(`!!document.querySelector(` + jsString(sel) + `)`) {
			return
		}
		if time.Now().After(deadline) {
			c.fail("waiting for "+sel+" on "+route, context.DeadlineExceeded)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func (c *uiClerk) waitJS(expr string) {
	c.t.Helper()
	if _, err := chromedp.Run(c.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(uiWait), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		c.fail("waiting for "+expr, err)
	}
}

func (c *uiClerk) waitFor(sel string) {
	c.t.Helper()
	c.waitJS(`!!document.querySelector(` + jsString(sel) + `)`)
}

func (c *uiClerk) waitText(sel, text string) {
	c.t.Helper()
	c.waitJS(`(document.querySelector(` + jsString(sel) + `)?.textContent || '').includes(` + jsString(text) + `)`)
}

func (c *uiClerk) click(sel string) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		c.fail("clicking "+sel, err)
	}
}

// typeIn types text into an empty field as a clerk would.
func (c *uiClerk) typeIn(sel, text string) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible)); err != nil {
		c.fail("typing into "+sel, err)
	}
}

// set chooses the value of a select.
func (c *uiClerk) set(sel, value string) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, chromedp.SetValue(chromedp.CSS(sel), value, chromedp.NodeVisible)); err != nil {
		c.fail("setting "+sel, err)
	}
	if got := c.eval(`document.querySelector(` + jsString(sel) + `).value`); got != value {
		c.t.Fatalf("%s: %s has no option %q", c.name, sel, value)
	}
}

// step opens a workflow step's form on the member page, lets fill adjust
// it, and records it.
func (c *uiClerk) step(kind string, fill func()) {
	c.t.Helper()
	c.click(`details[data-action="` + kind + `"] > summary`)
	form := `form[data-kind="` + kind + `"]`
	c.waitFor(form)
	if fill != nil {
		fill()
	}
	c.click(form + ` button[type="submit"]`)
	// The page is drawn again once the node has recorded the step; a
	// refusal stays under the form.
	c.waitJS(`!document.querySelector(` + jsString(form) + `) || !!document.querySelector(` + jsString(form+" .form-error") + `)`)
	if msg := c.eval(`document.querySelector('.form-error')?.textContent || ''`); msg != "" {
		c.shot("failed-" + c.name)
		c.t.Fatalf("%s: %s refused: %s", c.name, kind, msg)
	}
}

func (c *uiClerk) eval(expr string) string {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		c.fail("evaluating "+expr, err)
	}
	return v
}

func (c *uiClerk) evalBool(expr string) bool {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		c.fail("evaluating "+expr, err)
	}
	return v
}

func (c *uiClerk) evalJSON(expr string, out any) {
	c.t.Helper()
	raw, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err == nil {
		err = json.Unmarshal(raw, out)
	}
	if err != nil {
		c.fail("evaluating "+expr, err)
	}
}

// shot saves a screenshot of the whole page.
func (c *uiClerk) shot(name string) {
	c.t.Helper()
	buf, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Logf("%s: screenshot %s: %v", c.name, name, err)
		return
	}
	path := filepath.Join(c.shots, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		c.t.Errorf("saving %s: %v", path, err)
		return
	}
	c.t.Logf("screenshot %s", path)
}
