package metrics_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"lienthong/internal/metrics"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
)

// TestMetricsCountOpsAndClocksAhead scrapes a node's metrics after it applied
// an op dated a year ahead of its clock.
func TestMetricsCountOpsAndClocksAhead(t *testing.T) {
	tree := testkit.NewTree(100)
	opts := store.DefaultOptions(tree.Root.ID())
	opts.InMemory, opts.SyncWrites = true, false
	st, err := store.Open("", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	envs := make([][]byte, 0, len(tree.Charters)+1)
	for _, d := range tree.Charters {
		envs = append(envs, d.Envelope)
	}
	home := tree.Grassroots
	hlc := schema.MakeHLC(time.Now().AddDate(1, 0, 0).UnixMilli(), 0)
	d := testkit.Sign(home, testkit.Op(home, schema.LedgerID{0xd1}, hlc, nil, &schema.MemberCreateBody{
		Home: home.ID(), Fields: map[string]string{"name": "Vũ Thị Mai", "sex": "F", "born": "1985-09-02"}}))
	envs = append(envs, d.Envelope)
	if _, _, err := st.Ingest(envs, "peer"); err != nil {
		t.Fatal(err)
	}
	n, err := node.New(st, tree.Root, node.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	metrics.Handler(metrics.Sources{Node: n, Store: st}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`lienthong_ops_total{outcome="applied",reason=""} 7`,
		`lienthong_ops_clock_ahead_total{author="` + string(home.ID()) + `"} 1`,
		`lienthong_feed_seq 7`,
		`lienthong_store_bytes{part="lsm"}`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", body)
	}
}
