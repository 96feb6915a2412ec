package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"lienthong/internal/api"
	"lienthong/internal/report"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
)

const token = "0123456789abcdef0123456789abcdef"

func newServer(t testing.TB) (*api.Server, *node.Node, *httptest.Server) {
	t.Helper()
	tree := testkit.NewTree(100)
	opts := store.DefaultOptions(tree.Root.ID())
	opts.InMemory, opts.SyncWrites = true, false
	st, err := store.Open("", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	envs := make([][]byte, len(tree.Charters))
	for i, d := range tree.Charters {
		envs[i] = d.Envelope
	}
	st.Ingest(envs, "join")
	n, _ := node.New(st, tree.Cell1, node.DefaultOptions())
	s := api.New(api.Options{Token: token, Node: n, Backup: st.Backup, Metrics: http.NotFoundHandler()})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, n, ts
}

func call(t *testing.T, ts *httptest.Server, method, path, tok, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return resp.StatusCode, m
}

// concrete fills path parameters with plausible values.
func concrete(path, member string) string {
	r := strings.NewReplacer("{id}", member, "{kind}", "movement")
	return r.Replace(path)
}

func TestEveryEndpointNeedsTheToken(t *testing.T) {
	s, n, ts := newServer(t)
	id, _ := n.CreateMember("", map[string]string{"name": "Hà Văn Kiên"})
	doc := s.Document()
	count := 0
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			if op.(map[string]any)["security"] == nil {
				continue
			}
			count++
			for _, tok := range []string{"", "wrong-token"} {
				code, body := call(t, ts, strings.ToUpper(method), concrete(path, id.String()), tok, "{}")
				if code != http.StatusUnauthorized || body["error"] == "" {
					t.Errorf("%s %s with token %q: %d %v, want 401 with an error", method, path, tok, code, body)
				}
			}
		}
	}
	if count < 15 {
		t.Fatalf("only %d guarded endpoints documented", count)
	}
	if code, _ := call(t, ts, "GET", "/healthz", "", ""); code != http.StatusOK {
		t.Fatalf("healthz without token: %d", code)
	}
}

func TestBadInputNamesTheField(t *testing.T) {
	_, n, ts := newServer(t)
	id, _ := n.CreateMember("", map[string]string{"name": "Hà Văn Kiên"})
	m := "/api/members/" + id.String()
	cases := []struct {
		method, path, body, field string
		status                    int
	}{
		{"POST", "/api/members", `{"fields":{"name":"X","card":"12"}}`, "card", 400},
		{"POST", "/api/members", `{"fields":{"sex":"M"}}`, "name", 400},
		{"POST", "/api/members", `{"home":"nobody","fields":{"name":"X"}}`, "home", 400},
		{"POST", "/api/members", `not json`, "body", 400},
		{"POST", "/api/members", `{"fields":{"name":"X"},"extra":1}`, "body", 400},
		{"GET", "/api/members/xyz", "", "id", 400},
		{"GET", "/api/members?limit=-3", "", "limit", 400},
		{"GET", "/api/members?has=loans", "", "has", 400},
		{"GET", "/api/members?under=nobody", "", "under", 400},
		{"GET", "/api/members?ids=" + id.String() + ",zz", "", "ids", 400},
		{"GET", "/api/members?ids=" + strings.Repeat(id.String()+",", 1000) + id.String(), "", "ids", 400},
		{"POST", m + "/fields", `{"fields":{"born":"1990-02-30"}}`, "born", 400},
		{"POST", m + "/fields", `{"fields":{"nickname":"K"}}`, "nickname", 400},
		{"POST", m + "/correct", `{"op":"zz","fields":{"phone":"0912345678"},"reason":"x"}`, "op", 400},
		{"POST", m + "/steps/nonsense", `{}`, "kind", 400},
		{"POST", m + "/steps/charter", `{}`, "kind", 400},
		{"POST", m + "/steps/member.create", `{}`, "kind", 400},
		{"POST", m + "/steps/movement", `{"type":"vanished"}`, "type", 400},
		{"POST", m + "/steps/residence.intro", `{"residence":"nobody","address":"x"}`, "residence", 400},
		{"POST", m + "/steps/rating", `{"year":2025,"score":95,"level":"good"}`, "level", 400},
		{"POST", m + "/steps/exemption.grant", `{"type":"temporary","category":"health"}`, "until", 400},
		{"GET", "/api/alerts?at=31-31-2026", "", "at", 400},
		{"GET", "/api/alerts?severity=late", "", "severity", 400},
		{"GET", "/api/alerts?rule=membership.full_due,transfer", "", "rule", 400},
		{"GET", "/api/alerts?limit=ten", "", "limit", 400},
		{"GET", "/api/alerts/summary?at=2026-02-30", "", "at", 400},
		{"GET", "/api/export?format=pdf", "", "format", 400},
		{"POST", "/api/committees", `{"id":"x","name":"Chi bộ","level":"cell"}`, "id", 400},
	}
	before := n.StateHash()
	for _, c := range cases {
		code, body := call(t, ts, c.method, c.path, token, c.body)
		if code != c.status || body["field"] != c.field || body["error"] == "" {
			t.Errorf("%s %s %s: %d %v, want %d naming field %q", c.method, c.path, c.body, code, body, c.status, c.field)
		}
	}
	if n.StateHash() != before {
		t.Fatal("bad input changed the state")
	}
	if code, _ := call(t, ts, "GET", "/api/members/"+strings.Repeat("ab", 16), token, ""); code != http.StatusNotFound {
		t.Fatalf("unknown member: %d, want 404", code)
	}
	// A step the member's ledger does not allow as it stands: 409, with
	// the reason.
	for path, want := range map[string]string{
		m + "/steps/residence.accept": "no active residence link",
		m + "/steps/transfer.accept":  "no transfer in flight",
		m + "/steps/exemption.end":    "no exemption in force",
		m + "/steps/leave.extend":     "no open away-work leave",
	} {
		code, body := call(t, ts, "POST", path, token, `{}`)
		if msg, _ := body["error"].(string); code != http.StatusConflict || !strings.Contains(msg, want) {
			t.Errorf("POST %s: %d %v, want 409 saying %q", path, code, body, want)
		}
	}
	if n.StateHash() != before {
		t.Fatal("a step refused changed the state")
	}
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	s, _, ts := newServer(t)
	mux := s.Handler().(*http.ServeMux)
	doc := s.Document()
	documented := map[string]bool{}
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			pattern := strings.ToUpper(method) + " " + path
			documented[pattern] = true
			req := httptest.NewRequest(strings.ToUpper(method), concrete(path, strings.Repeat("ab", 16)), nil)
			if _, got := mux.Handler(req); got != pattern {
				t.Errorf("documented %s is served by %q", pattern, got)
			}
		}
	}
	// Every route the mux knows under /api/ is documented: probe the
	// method and path combinations the UI and scripts use.
	for _, probe := range []string{"GET /api/members", "POST /api/members", "GET /api/members/{id}", "GET /api/openapi.json", "POST /api/cli", "GET /healthz", "GET /api/backup", "GET /api/export", "POST /api/import"} {
		if !documented[probe] {
			t.Errorf("%s is served but not documented", probe)
		}
	}
	// And the document is what /api/openapi.json serves.
	resp, err := ts.Client().Get(ts.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var served map[string]any
	json.NewDecoder(resp.Body).Decode(&served)
	a, _ := json.Marshal(served["paths"])
	b, _ := json.Marshal(doc["paths"])
	if !bytes.Equal(a, b) {
		t.Fatal("the served document differs from the route table's")
	}
}

func TestMembersRoundTrip(t *testing.T) {
	_, _, ts := newServer(t)
	for _, name := range []string{"Trần Văn Đức", "Lê Thị Ánh", "Phạm Văn An", "Bùi Thị Ân"} {
		if code, body := call(t, ts, "POST", "/api/members", token, `{"fields":{"name":"`+name+`","sex":"M"}}`); code != http.StatusCreated {
			t.Fatalf("create %s: %d %v", name, code, body)
		}
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/members", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ms []map[string]any
	json.NewDecoder(resp.Body).Decode(&ms)
	var names []string
	for _, m := range ms {
		names = append(names, m["fields"].(map[string]any)["name"].(string))
	}
	want := "Phạm Văn An,Lê Thị Ánh,Bùi Thị Ân,Trần Văn Đức"
	if strings.Join(names, ",") != want {
		t.Fatalf("order %v, want %s (by given name)", names, want)
	}
	id := ms[0]["id"].(string)
	if code, body := call(t, ts, "POST", "/api/members/"+id+"/steps/movement", token, `{"type":"died","date":"2026-01-15","reason":"bệnh"}`); code != 200 {
		t.Fatalf("movement step: %d %v", code, body)
	}
	code, m := call(t, ts, "GET", "/api/members/"+id, token, "")
	if code != 200 || m["status"] != "left" {
		t.Fatalf("member after movement: %d %v", code, m)
	}
}

// GET /api/alerts filters by rule (IDs and prefixes) and severity and
// pages what is left; the summary counts what the full list holds.
func TestAlertsFilterPageAndSummary(t *testing.T) {
	_, n, ts := newServer(t)
	for i, admitted := range []string{"2025-11-20", "2025-11-25", "2025-12-01", "2025-12-20", "2026-01-10"} {
		if _, err := n.CreateMember("", map[string]string{"name": fmt.Sprintf("Lê Thị Thu %d", i), "sex": "F", "born": "1995-03-04", "admitted": admitted}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(query string, out any) {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+"/api/alerts"+query, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/alerts%s: %s", query, resp.Status)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	type alert struct{ Rule, Severity, Member, Due string }
	var all []alert
	get("?at=2026-12-15", &all)
	overdue := 0
	for _, a := range all {
		if a.Severity == report.SeverityOverdue {
			overdue++
		}
	}
	if len(all) <= 5 || overdue == 0 || overdue == len(all) {
		t.Fatalf("want several alerts, some overdue, some not: %+v", all)
	}
	var sum api.AlertSummary
	get("/summary?at=2026-12-15", &sum)
	if sum.At != "2026-12-15" || sum.Total != len(all) || sum.Overdue != overdue || sum.Rules[report.RuleMembershipFullDue] != 5 {
		t.Fatalf("summary %+v for %d alerts, %d overdue", sum, len(all), overdue)
	}
	check := func(query string, want []alert) {
		t.Helper()
		var got []alert
		get(query, &got)
		if !slices.Equal(got, want) {
			t.Fatalf("GET /api/alerts%s:\n got %+v\nwant %+v", query, got, want)
		}
	}
	var full, fullOrRating, late []alert
	for _, a := range all {
		if a.Rule == report.RuleMembershipFullDue {
			full = append(full, a)
		}
		if a.Rule == report.RuleMembershipFullDue || a.Rule == report.RuleRatingMissing {
			fullOrRating = append(fullOrRating, a)
		}
		if a.Severity == report.SeverityOverdue {
			late = append(late, a)
		}
	}
	check("?at=2026-12-15&rule=membership.full_due", full)
	check("?at=2026-12-15&rule=membership.,rating.missing", fullOrRating)
	check("?at=2026-12-15&severity=overdue", late)
	check("?at=2026-12-15&offset=1&limit=2", all[1:3])
	check("?at=2026-12-15&offset=99", []alert{})
	var fullLate []alert
	for _, a := range full {
		if a.Severity == report.SeverityOverdue {
			fullLate = append(fullLate, a)
		}
	}
	check("?at=2026-12-15&rule=membership.full_due&severity=overdue&limit=1", fullLate[:1])
}
