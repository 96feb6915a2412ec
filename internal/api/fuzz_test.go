package api_test

import (
	"bytes"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"lienthong/schema"
)

// FuzzWrites sends any body to every endpoint that writes: the answer is a
// success or a 4xx naming what is wrong (never a 5xx, never a panic), and
// a refused request changes nothing.
func FuzzWrites(f *testing.F) {
	var targets []string // the write endpoints, all POST
	f.Add(uint8(0), uint8(0), []byte(`{"fields":{"name":"Đỗ Thị Lan","sex":"F"}}`))
	f.Add(uint8(1), uint8(0), []byte(`{"fields":{"phone":"0912345678"}}`))
	f.Add(uint8(2), uint8(0), []byte(`{"target":"00","fields":{"phone":""},"reason":"x"}`))
	f.Add(uint8(3), uint8(3), []byte(`{"type":"full","date":"2024-02-30"}`))
	f.Add(uint8(3), uint8(9), []byte(`{"residence":"12D3KooW","address":"Số 5","date":"2024-01-01"}`))
	f.Add(uint8(4), uint8(0), []byte(`{"id":"x","name":"","level":"cell"}`))
	f.Add(uint8(5), uint8(0), []byte(`{}`))
	f.Add(uint8(6), uint8(0), []byte("Họ và tên,Giới tính\nA,F\n"))
	f.Add(uint8(0), uint8(0), []byte(`[`))
	s, n, _ := newServer(f)
	id, err := n.CreateMember("", map[string]string{"name": "Hà Văn Kiên", "sex": "M", "born": "1980-05-06"})
	if err != nil {
		f.Fatal(err)
	}
	for path, item := range s.Document()["paths"].(map[string]any) {
		// /api/cli runs the daemon's CLI, which this server has none of.
		if _, ok := item.(map[string]any)["post"]; ok && strings.HasPrefix(path, "/api/") && path != "/api/cli" {
			targets = append(targets, path)
		}
	}
	slices.Sort(targets) // a seed means the same endpoint in every run
	kinds := schema.Kinds()
	h := s.Handler()
	f.Fuzz(func(t *testing.T, which, kind uint8, body []byte) {
		path := strings.NewReplacer("{id}", id.String(), "{kind}", kinds[int(kind)%len(kinds)].String()).Replace(targets[int(which)%len(targets)])
		if strings.HasSuffix(path, "/import") {
			path += "?format=csv"
		}
		before := n.StateHash()
		req := httptest.NewRequest("POST", path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch code := rec.Code; {
		case code == 503 && path == "/api/sync":
			// This server runs no network to sync over: its answer says so.
		case code >= 500:
			t.Fatalf("POST %s with %q: %d %s", path, body, code, rec.Body.String())
		case code >= 400 && n.StateHash() != before && !strings.HasSuffix(path, "/import"):
			t.Fatalf("POST %s with %q: refused (%d) but the state changed", path, body, code)
		case code >= 400 && !bytes.Contains(rec.Body.Bytes(), []byte(`"error"`)):
			t.Fatalf("POST %s: %d without an error message: %s", path, code, rec.Body.String())
		}
	})
}

// FuzzReads sends any query to every endpoint that reads: the answer is a
// success or a 4xx naming what is wrong, never a 5xx or a panic.
func FuzzReads(f *testing.F) {
	f.Add(uint8(0), "q=Lan&status=full&offset=0&limit=10")
	f.Add(uint8(1), "at=2026-02-29")
	f.Add(uint8(2), "format=xlsx")
	f.Add(uint8(3), "limit=-1&offset=99999999999999999999")
	f.Add(uint8(4), "home=12D3KooW&q=%ff%fe")
	s, n, _ := newServer(f)
	id, err := n.CreateMember("", map[string]string{"name": "Hà Văn Kiên", "sex": "M", "born": "1980-05-06"})
	if err != nil {
		f.Fatal(err)
	}
	var paths []string
	for path, item := range s.Document()["paths"].(map[string]any) {
		if _, ok := item.(map[string]any)["get"]; ok && strings.HasPrefix(path, "/api/") {
			paths = append(paths, path)
		}
	}
	slices.Sort(paths)
	h := s.Handler()
	f.Fuzz(func(t *testing.T, which uint8, query string) {
		path := strings.NewReplacer("{id}", id.String()).Replace(paths[int(which)%len(paths)])
		if strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '#' }) {
			return // not in a request line a server takes
		}
		u := path + "?" + query
		req := httptest.NewRequest("GET", path, nil)
		req.URL.RawQuery = query
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("GET %s: %d %s", u, rec.Code, rec.Body.String())
		}
	})
}
