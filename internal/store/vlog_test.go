package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// vlogBytes is the size of the store's value-log files that hold more
// than their header.
func vlogBytes(t *testing.T, dir string) int64 {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".vlog") {
			info, err := e.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed by a sweep since the listing
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Size() > 20 {
				n += info.Size()
			}
		}
	}
	return n
}

// TestRestoredStoreKeepsValuesInTheValueLog: a restore writes the store as
// Open would, large values in the value log.
func TestRestoredStoreKeepsValuesInTheValueLog(t *testing.T) {
	tree := testkit.NewTree(100)
	dir := t.TempDir()
	opts := store.DefaultOptions(tree.Root.ID())
	opts.SyncWrites = false
	s, err := store.Open(filepath.Join(dir, "src"), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Ingest(envelopes(tree.Charters), "join"); err != nil {
		t.Fatal(err)
	}
	author, long := tree.Grassroots, strings.Repeat("Số 12, ngõ 34, phố Trần Hưng Đạo; ", 10)
	var envs [][]byte
	for i := range 20 {
		id := schema.LedgerID{0xb0, byte(i)}
		d := testkit.Sign(author, testkit.Op(author, id, tree.LastHLC()+schema.HLC(1+i), nil, &schema.MemberCreateBody{Home: author.ID(), Fields: map[string]string{
			"name": fmt.Sprintf("Hoàng Văn Nam %d", i), "sex": "M", "born": "1975-07-07", "address": strings.TrimSpace(long),
		}}))
		envs = append(envs, d.Envelope)
	}
	if _, _, err := s.Ingest(envs, "local"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	restored := filepath.Join(dir, "restored")
	if err := store.Restore(restored, &buf); err != nil {
		t.Fatal(err)
	}
	if n := vlogBytes(t, restored); n < int64(len(envs)*len(envs[0])) {
		t.Fatalf("the restored value log holds %d bytes, less than the %d ops of %d bytes", n, len(envs), len(envs[0]))
	}
	rs, err := store.Open(restored, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if rs.StateHash() != s.StateHash() {
		t.Fatal("restored store differs")
	}
}

// TestSweepReclaimsRewrittenStates: ledger states rewritten again and again
// leave their old copies in the value log; the sweep returns that space and
// every op and state is still there, across a reopen.
func TestSweepReclaimsRewrittenStates(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a few megabytes through several reopens")
	}
	t.Run("called", func(t *testing.T) { testSweep(t, sweepCalled) })
	t.Run("a file at the end of each process", func(t *testing.T) { testSweep(t, sweepOnceEach) })
	t.Run("periodic", func(t *testing.T) { testSweep(t, sweepPeriodic) })
	t.Run("while writing", func(t *testing.T) {
		if raceDetector {
			// Badger v4.9.6 reads DB.MaxVersion at the start of a value-log
			// rewrite without synchronising with its write goroutine, which
			// updates it. It is a word-sized read, and a stale value only
			// makes compaction keep more versions during the rewrite; but the
			// race detector reports it whenever a sweep overlaps a write.
			t.Skip("Badger's value-log rewrite races with its own writer (see comment); run without -race")
		}
		testSweep(t, sweepWhileWriting)
	})
}

const (
	sweepCalled = iota
	sweepPeriodic
	sweepWhileWriting // called again and again while states are written
	sweepOnceEach     // SweepOnce at the end of each of several short processes
)

// testSweep rewrites states until most of the value log is old copies, then
// sweeps it in one of the ways above.
func testSweep(t *testing.T, mode int) {
	periodic := mode == sweepPeriodic
	tree := testkit.NewTree(100)
	dir := t.TempDir()
	opts := store.DefaultOptions(tree.Root.ID())
	opts.ValueLogFileSize = 1 << 20
	opts.GCInterval = -1
	opts.SyncWrites = false
	open := func() *store.Store {
		t.Helper()
		s, err := store.Open(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	if _, _, err := s.Ingest(envelopes(tree.Charters), "join"); err != nil {
		t.Fatal(err)
	}
	author := tree.Grassroots
	const members = 60
	ledgers := make([]schema.LedgerID, members)
	heads := make([][]schema.OpID, members)
	var ops []schema.OpID
	hlc := tree.LastHLC()
	tryWrite := func(s *store.Store, i int, body any) error {
		hlc++
		d := testkit.Sign(author, testkit.Op(author, ledgers[i], hlc, heads[i], body))
		res, _, err := s.Ingest([][]byte{d.Envelope}, "local")
		if err == nil {
			err = res[0].Err
		}
		if err != nil {
			return fmt.Errorf("writing op %d of member %d: %w", len(ops), i, err)
		}
		heads[i] = []schema.OpID{d.ID}
		ops = append(ops, d.ID)
		return nil
	}
	write := func(s *store.Store, i int, body any) {
		t.Helper()
		if err := tryWrite(s, i, body); err != nil {
			t.Fatal(err)
		}
	}
	long := strings.Repeat("Số 12, ngõ 34, phố Trần Hưng Đạo, phường Lê Hồng Phong; ", 4)
	text := func(n int) string { return strings.TrimSpace(string([]rune(long)[:n])) }
	for i := range ledgers {
		ledgers[i][0], ledgers[i][1] = 0x5e, byte(i)
		write(s, i, &schema.MemberCreateBody{Home: author.ID(), Fields: map[string]string{
			"name": fmt.Sprintf("Nguyễn Văn %d", i), "sex": "M", "born": "1980-01-02", "address": text(200),
		}})
	}
	// Badger learns which values are overwritten when it compacts the tables
	// that hold them; each reopen flushes the writes since into a new level-0
	// table, and past five of them Flatten compacts them together.
	for round := range 7 {
		for i := range ledgers {
			for k := range 4 {
				write(s, i, &schema.MemberSetBody{Fields: map[string]string{
					"phone": fmt.Sprintf("09%02d%02d%04d", round, k, i), "temp_address": text(100 + round*10 + k),
				}})
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if periodic && round == 6 {
			opts.GCInterval = 20 * time.Millisecond
		}
		s = open()
	}
	want := s.StateHash()
	before := vlogBytes(t, dir)
	if err := s.DB().Flatten(1); err != nil {
		t.Fatal(err)
	}
	switch mode {
	case sweepWhileWriting:
		done := make(chan error, 1)
		go func() {
			for round := range 3 {
				for i := range ledgers {
					body := &schema.MemberSetBody{Fields: map[string]string{"phone": fmt.Sprintf("08%02d00%04d", round, i)}}
					if err := tryWrite(s, i, body); err != nil {
						done <- err
						return
					}
				}
			}
			done <- nil
		}()
		swept := 0
		for running := true; running; {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				running = false
			default:
			}
			n, err := s.CollectGarbage()
			if err != nil {
				t.Fatal(err)
			}
			swept += n
		}
		after := vlogBytes(t, dir)
		t.Logf("%d ops; value log %d → %d bytes, %d files rewritten while writing", len(ops), before, after, swept)
		if swept == 0 || after >= before*3/4 {
			t.Fatalf("the sweep rewrote %d files and left %d of %d bytes; want at least a quarter back", swept, after, before)
		}
		want = s.StateHash()
		if again, err := s.RecomputeHash(); err != nil || again != want {
			t.Fatalf("after sweeping while writing, the states fold to another hash (%v)", err)
		}
	case sweepOnceEach:
		swept := 0
		for range 20 {
			did, err := s.SweepOnce()
			if err != nil {
				t.Fatal(err)
			}
			if !did {
				break
			}
			swept++
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = open()
		}
		after := vlogBytes(t, dir)
		t.Logf("%d ops; value log %d → %d bytes, a file rewritten in each of %d processes", len(ops), before, after, swept)
		if swept < 2 || after >= before*3/4 {
			t.Fatalf("%d processes rewrote a file each and left %d of %d bytes; want at least two and a quarter back", swept, after, before)
		}
	case sweepPeriodic:
		deadline := time.Now().Add(30 * time.Second)
		for vlogBytes(t, dir) >= before*3/4 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if after := vlogBytes(t, dir); after >= before*3/4 {
			t.Fatalf("after 30 s the periodic sweep left %d of %d bytes; want at least a quarter back", after, before)
		}
	default:
		n, err := s.CollectGarbage()
		if err != nil {
			t.Fatal(err)
		}
		after := vlogBytes(t, dir)
		t.Logf("%d ops; value log %d → %d bytes, %d files rewritten", len(ops), before, after, n)
		if n == 0 || after >= before*3/4 {
			t.Fatalf("the sweep rewrote %d files and left %d of %d bytes; want at least a quarter back", n, after, before)
		}
	}
	check := func(s *store.Store) {
		t.Helper()
		if s.StateHash() != want {
			t.Fatal("state hash changed")
		}
		for _, id := range ops {
			if _, err := s.Op(id); err != nil {
				t.Fatalf("op %s: %v", id.Short(), err)
			}
		}
		for i, l := range ledgers {
			led, err := s.Ledger(l)
			if err != nil {
				t.Fatalf("member %d: %v", i, err)
			}
			if got := led.DAG.Heads; len(got) != 1 || got[0] != heads[i][0] {
				t.Fatalf("member %d: heads %v, want %v", i, got, heads[i])
			}
		}
	}
	check(s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open()
	defer s.Close()
	check(s)
}
