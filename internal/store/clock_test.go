package store_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// records keeps the messages and attributes of log records.
type records struct {
	mu  sync.Mutex
	got []slog.Record
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *records) WithGroup(string) slog.Handler            { return r }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, rec)
	return nil
}

func (r *records) warnings() []slog.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []slog.Record
	for _, rec := range r.got {
		if rec.Level == slog.LevelWarn {
			out = append(out, rec)
		}
	}
	return out
}

// TestClockAheadIsCountedAndLogged: ops whose author's clock ran ahead of
// this computer's are counted by author and logged once; an op that is
// ahead only because it follows one of them is not its author's doing.
func TestClockAheadIsCountedAndLogged(t *testing.T) {
	tree := testkit.NewTree(100)
	log := &records{}
	opts := store.DefaultOptions(tree.Root.ID())
	opts.InMemory, opts.SyncWrites, opts.Logger = true, false, slog.New(log)
	s, err := store.Open("", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Ingest(envelopes(tree.Charters), "join"); err != nil {
		t.Fatal(err)
	}
	home := tree.Grassroots
	now := time.Now()
	apply := func(author *schema.Signer, id schema.LedgerID, at time.Time, logical uint16, deps []schema.OpID, body any) schema.OpID {
		t.Helper()
		d := testkit.Sign(author, testkit.Op(author, id, schema.MakeHLC(at.UnixMilli(), logical), deps, body))
		res, _, err := s.Ingest([][]byte{d.Envelope}, "peer")
		if err != nil || res[0].Err != nil {
			t.Fatalf("%v %v", err, res[0].Err)
		}
		return d.ID
	}
	create := func() *schema.MemberCreateBody {
		return &schema.MemberCreateBody{Home: home.ID(), Fields: map[string]string{"name": "Đỗ Văn Hùng", "sex": "M", "born": "1970-06-01"}}
	}
	ledger := func(b byte) schema.LedgerID { return schema.LedgerID{0xc1, b} }

	apply(home, ledger(1), now.Add(-time.Hour), 0, nil, create())
	apply(home, ledger(2), now.Add(time.Minute), 0, nil, create())
	if got := s.ClockAhead(); len(got) != 0 {
		t.Fatalf("ops within five minutes counted as ahead: %v", got)
	}
	if w := log.warnings(); len(w) != 0 {
		t.Fatalf("warned: %v", w[0].Message)
	}

	future := now.Add(400 * 24 * time.Hour)
	ahead := apply(home, ledger(3), future, 0, nil, create())
	// The province writes after it: its op takes a clock just past the
	// future one, which is not the province's clock running ahead.
	apply(tree.Root, ledger(3), future, 1, []schema.OpID{ahead}, &schema.MemberSetBody{Fields: map[string]string{"phone": "0912000111"}})
	apply(home, ledger(4), future.Add(time.Hour), 0, nil, create())

	got := s.ClockAhead()
	if len(got) != 1 || got[home.ID()] != 2 {
		t.Fatalf("clock ahead by author: %v; want 2 ops of %s alone", got, home.ID().Short())
	}
	w := log.warnings()
	if len(w) != 1 {
		t.Fatalf("%d warnings, want one for the author within the hour", len(w))
	}
	var author string
	w[0].Attrs(func(a slog.Attr) bool {
		if a.Key == "author" {
			author = a.Value.String()
		}
		return true
	})
	if author != string(home.ID()) {
		t.Fatalf("warning names %q, want %s", author, home.ID())
	}
}
