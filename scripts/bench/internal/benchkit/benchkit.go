// Package benchkit holds what the benchmark programs under scripts/bench
// share: a committee's store and node set up on the testkit tree, streamed
// sample members, latency percentiles, process and disk figures, and the
// table and JSON they print.
package benchkit

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dgraph-io/badger/v4"

	"lienthong/internal/sample"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
)

// Site is one committee's store and node.
type Site struct {
	Dir   string
	Store *store.Store
	Node  *node.Node
	Who   *schema.Signer
}

// Envelopes returns the envelopes of decoded ops.
func Envelopes(ds []*schema.Decoded) [][]byte {
	out := make([][]byte, len(ds))
	for i, d := range ds {
		out[i] = d.Envelope
	}
	return out
}

// OpenSite opens (or creates) a durable store in dir for committee who of
// tree, makes sure it holds the tree's charters, and starts a node on it.
func OpenSite(tree *testkit.Tree, who *schema.Signer, dir string) (*Site, error) {
	st, err := store.Open(dir, store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		return nil, err
	}
	if _, _, err := st.Ingest(Envelopes(tree.Charters), "join"); err != nil {
		st.Close()
		return nil, fmt.Errorf("charters: %w", err)
	}
	n, err := node.New(st, who, node.DefaultOptions())
	if err != nil {
		st.Close()
		return nil, err
	}
	return &Site{Dir: dir, Store: st, Node: n, Who: who}, nil
}

// Close closes the site's store.
func (s *Site) Close() error { return s.Store.Close() }

// EachChunk streams n realistic members from internal/sample, all homed at
// home, to fn in chunks of up to size. Generation time is returned apart
// from the time fn spends.
func EachChunk(seed uint64, n, size int, home schema.CommitteeID, fn func([]node.MemberInput) error) (gen time.Duration, err error) {
	opts := sample.ScaledOptions(max(n, 1))
	t, err := sample.NewTree(seed, opts)
	if err != nil {
		return 0, err
	}
	buf := make([]node.MemberInput, 0, size)
	var inFn time.Duration
	start := time.Now()
	flush := func() bool {
		t0 := time.Now()
		err = fn(buf)
		inFn += time.Since(t0)
		buf = make([]node.MemberInput, 0, size)
		return err == nil
	}
	gerr := sample.EachMember(seed, t, n, opts, func(_ int, m sample.Member) bool {
		buf = append(buf, node.MemberInput{Home: home, Fields: m.Fields})
		if len(buf) == size {
			return flush()
		}
		return true
	})
	if gerr != nil {
		return 0, gerr
	}
	if err == nil && len(buf) > 0 {
		flush()
	}
	return time.Since(start) - inFn, err
}

// Members returns n realistic members homed at home.
func Members(seed uint64, n int, home schema.CommitteeID) ([]node.MemberInput, time.Duration, error) {
	var out []node.MemberInput
	gen, err := EachChunk(seed, n, max(n, 1), home, func(c []node.MemberInput) error {
		out = c
		return nil
	})
	return out, gen, err
}

// Latency summarises a set of latencies.
type Latency struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean_ms"`
	P50  float64 `json:"p50_ms"`
	P90  float64 `json:"p90_ms"`
	P99  float64 `json:"p99_ms"`
	Max  float64 `json:"max_ms"`
}

// Summarise computes percentiles (nearest rank) of ds.
func Summarise(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) float64 {
		i := int(p*float64(len(s))+0.999999) - 1
		return Ms(s[min(max(i, 0), len(s)-1)])
	}
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Latency{N: len(s), Mean: Ms(sum / time.Duration(len(s))), P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: Ms(s[len(s)-1])}
}

// String prints the percentiles in milliseconds.
func (l Latency) String() string {
	return fmt.Sprintf("p50 %.3f  p90 %.3f  p99 %.3f  max %.3f ms (n=%d)", l.P50, l.P90, l.P99, l.Max, l.N)
}

// Ms is d in milliseconds.
func Ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Round keeps a few significant digits for the JSON line.
func Round(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 5, 64), 64)
	return v
}

// RSS returns the process's resident set size (VmRSS) and its peak (VmHWM)
// in bytes.
func RSS() (rss, peak int64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1, -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		for _, k := range []struct {
			name string
			v    *int64
		}{{"VmRSS:", &rss}, {"VmHWM:", &peak}} {
			if rest, ok := strings.CutPrefix(line, k.name); ok {
				fs := strings.Fields(rest)
				if len(fs) > 0 {
					kb, _ := strconv.ParseInt(fs[0], 10, 64)
					*k.v = kb << 10
				}
			}
		}
	}
	return rss, peak
}

// CPUTime is the CPU time (user and system) this process has used so far.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// CPUPerOp is the CPU time per op spent since before (a CPUTime reading),
// in microseconds, and what share of every core that was over elapsed.
func CPUPerOp(before, elapsed time.Duration, ops int) (usPerOp, coreShare float64) {
	used := CPUTime() - before
	if ops > 0 {
		usPerOp = float64(used) / float64(time.Microsecond) / float64(ops)
	}
	if elapsed > 0 {
		coreShare = float64(used) / float64(elapsed) / float64(runtime.NumCPU())
	}
	return usPerOp, coreShare
}

// ReferenceVerifyUs is what one Ed25519 verification costs on the machine
// the throughput targets were set for, as the replication issue gives it.
const ReferenceVerifyUs = 43.0

// VerifyUs times Ed25519 verifications of a 1 KiB message on one core for
// about d and returns the cost of one in microseconds: a gauge of how fast
// this machine runs at the moment, since a shared machine's speed drifts
// from run to run (the figures of a run are best read next to it).
func VerifyUs(d time.Duration) float64 {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return 0
	}
	msg := make([]byte, 1024)
	rand.Read(msg)
	sig := ed25519.Sign(priv, msg)
	if !ed25519.Verify(pub, msg, sig) {
		return 0 // no gauge rather than a wrong one
	}
	n, t0 := 0, time.Now()
	for time.Since(t0) < d {
		for range 50 {
			ed25519.Verify(pub, msg, sig)
		}
		n += 50
	}
	return float64(time.Since(t0)) / float64(time.Microsecond) / float64(n)
}

// Speed is the machine gauge (VerifyUs) just before and just after a timed
// phase.
type Speed struct {
	BeforeUs float64 `json:"ed25519_verify_us_before"`
	AfterUs  float64 `json:"ed25519_verify_us_after"`
}

// MeasureSpeed times the gauge for a quarter of a second.
func MeasureSpeed() float64 { return VerifyUs(250 * time.Millisecond) }

// Steady reports whether the two readings are within 15% of each other:
// if not, the machine's speed changed during the phase.
func (s Speed) Steady() bool {
	lo, hi := min(s.BeforeUs, s.AfterUs), max(s.BeforeUs, s.AfterUs)
	return lo > 0 && hi <= 1.15*lo
}

// String shows both readings against the reference.
func (s Speed) String() string {
	out := fmt.Sprintf("Ed25519 verify %.1f µs before, %.1f µs after (the targets' machine: %.0f µs)", s.BeforeUs, s.AfterUs, ReferenceVerifyUs)
	if !s.Steady() {
		out += "; the speed changed during the phase"
	}
	return out
}

// ReleaseMemory runs the collector and returns freed memory to the OS, so
// that RSS shows what is live.
func ReleaseMemory() {
	runtime.GC()
	debug.FreeOSMemory()
}

// DirSize returns the apparent size of the files under dir and the disk
// space they occupy.
func DirSize(dir string) (apparent, allocated int64, err error) {
	err = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		apparent += info.Size()
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			allocated += st.Blocks * 512
		}
		return nil
	})
	return apparent, allocated, err
}

// MiB is n bytes in mebibytes.
func MiB(n int64) float64 { return float64(n) / (1 << 20) }

// Table collects rows of figures and prints them aligned.
type Table struct {
	rows [][4]string
}

// Add adds a row: what was measured, the figure, the target ("" if none)
// and whether the target is met.
func (t *Table) Add(what, figure, target string, met bool) {
	verdict := ""
	if target != "" {
		verdict = "ok"
		if !met {
			verdict = "MISSED"
		}
	}
	t.rows = append(t.rows, [4]string{what, figure, target, verdict})
}

// Info adds a row with no target.
func (t *Table) Info(what, figure string) { t.Add(what, figure, "", true) }

// Section adds a heading row.
func (t *Table) Section(title string) { t.rows = append(t.rows, [4]string{"", "", "", title}) }

// Print writes the table to w.
func (t *Table) Print(w io.Writer) {
	var width [3]int
	for _, r := range t.rows {
		if r[0] == "" {
			continue
		}
		for i := range 3 {
			width[i] = max(width[i], len([]rune(r[i])))
		}
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", max(n-len([]rune(s)), 0)) }
	for _, r := range t.rows {
		if r[0] == "" {
			fmt.Fprintf(w, "\n%s\n", r[3])
			continue
		}
		target := ""
		if r[2] != "" {
			target = "target " + r[2] + "  " + r[3]
		}
		line := fmt.Sprintf("  %s  %s  %s", pad(r[0], width[0]), pad(r[1], width[1]), target)
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

// PrintJSON writes v as one line of JSON, with fractions kept to five
// significant digits.
func PrintJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		return err
	}
	if b, err = json.Marshal(roundAll(tree)); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func roundAll(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = roundAll(e)
		}
	case []any:
		for i, e := range x {
			x[i] = roundAll(e)
		}
	case float64:
		if x != math.Trunc(x) {
			return Round(x)
		}
	}
	return v
}

// Progress prints a progress note to stderr.
func Progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "# "+format+"\n", args...)
}

// StartCPUProfile writes a CPU profile to path until the returned function
// is called.
func StartCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// LoadAverage returns the 1, 5 and 15 minute load averages of the machine.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// LSM describes a Badger tree: tables per level and total size.
func LSM(db *badger.DB) string {
	var b strings.Builder
	var total int64
	for _, l := range db.Levels() {
		if l.NumTables > 0 {
			fmt.Fprintf(&b, "L%d:%d ", l.Level, l.NumTables)
		}
		total += l.Size
	}
	fmt.Fprintf(&b, "(%.0f MiB in tables)", MiB(total))
	return b.String()
}

// StartBlockProfile records where goroutines block, written to path when
// the returned function is called.
func StartBlockProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	runtime.SetBlockProfileRate(int(10 * time.Microsecond))
	return func() {
		pprof.Lookup("block").WriteTo(f, 0)
		runtime.SetBlockProfileRate(0)
		f.Close()
	}, nil
}

// StartMemProfile records allocations until stop, which writes them to
// path (go tool pprof -sample_index=alloc_space).
func StartMemProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	runtime.MemProfileRate = 64 << 10
	return func() {
		runtime.GC()
		pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}, nil
}

// StartTrace writes an execution trace (go tool trace) to path until stop.
func StartTrace(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		trace.Stop()
		f.Close()
	}, nil
}

// WaitCompactions waits until no level of db needs compacting, or limit
// passes; it reports whether compactions settled.
func WaitCompactions(db *badger.DB, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for {
		busy := false
		for _, l := range db.Levels() {
			if l.Score >= 1 {
				busy = true
			}
		}
		if !busy {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}
