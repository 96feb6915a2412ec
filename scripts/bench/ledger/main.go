// Command ledger measures a committee node's local store on disk: durable
// single writes, bulk import, and reopening a store of a million ops.
//
//	go run ./scripts/bench/ledger [-quick] [-members N] [-ops N] [-writes N] [-dir D] [-keep]
//
// It prints a table, then one line of JSON with every figure.
package main

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"lienthong/crdt"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
	"lienthong/scripts/bench/internal/benchkit"
)

// Targets.
const (
	targetWriteP99   = 2 * time.Millisecond
	targetImportRate = 30_000.0
	targetReopen     = time.Second
)

// settleLimit bounds the wait for Badger's background compactions.
const settleLimit = 2 * time.Minute

type config struct {
	members, ops, writes int
	dir                  string
	keep, quick          bool
	seed                 uint64
	cpuprofile           string
	blockprofile         string
	memprofile           string
	trace                string
}

// writeFigures are the figures of a run of single writes.
type writeFigures struct {
	Writes    int               `json:"writes"`
	OpsPerSec float64           `json:"ops_per_s"`
	All       benchkit.Latency  `json:"latency"`
	Create    benchkit.Latency  `json:"create_latency"`
	Set       benchkit.Latency  `json:"set_latency"`
	ids       []schema.LedgerID // members created
}

// probe is what a fresh process measures when it reopens the store.
type probe struct {
	OpenMs    float64 `json:"open_ms"`
	ReadMs    float64 `json:"read_ms"`
	RSSBefore int64   `json:"rss_before_bytes"`
	RSSAfter  int64   `json:"rss_after_bytes"`
	Seq       uint64  `json:"seq"`
}

type result struct {
	Config struct {
		Members int    `json:"members"`
		Ops     int    `json:"ops"`
		Writes  int    `json:"writes"`
		Cores   int    `json:"cores"`
		Seed    uint64 `json:"seed"`
		Load    string `json:"load_start"`
	} `json:"config"`
	WritesFresh    writeFigures   `json:"single_writes_fresh"`
	ImportMembers  int            `json:"import_members"`
	ImportSec      float64        `json:"import_s"`
	ImportRate     float64        `json:"import_members_per_s"`
	ImportCPU      float64        `json:"import_cpu_us_per_member"`
	ImportCores    float64        `json:"import_core_share"`
	GenRate        float64        `json:"sample_members_per_s"`
	ImportSpeed    benchkit.Speed `json:"import_machine_speed"`
	BuildOps       uint64         `json:"build_ops"`
	BuildSec       float64        `json:"build_s"`
	BuildRate      float64        `json:"build_ops_per_s"`
	CloseMs        float64        `json:"close_ms"`
	DiskBytes      int64          `json:"disk_apparent_bytes"`
	DiskAllocated  int64          `json:"disk_allocated_bytes"`
	BytesPerOp     float64        `json:"disk_bytes_per_op"`
	RSSBefore      int64          `json:"rss_before_reopen_bytes"`
	RSSAfter       int64          `json:"rss_after_reopen_bytes"`
	ReopenMs       float64        `json:"reopen_ms"`
	ReadMemberMs   float64        `json:"read_member_ms"`
	ReadWarmMs     float64        `json:"read_member_warm_ms"`
	SameState      bool           `json:"same_state_after_reopen"`
	EnvelopeBytes  float64        `json:"envelope_bytes_per_op"`
	StateBytes     float64        `json:"state_bytes_per_member"`
	WritesReopened writeFigures   `json:"single_writes_reopened"`
	LSMReopen      string         `json:"lsm_at_reopen"`
	SettleSec      float64        `json:"compaction_wait_s"`
	Settled        bool           `json:"compactions_settled"`
	LSMSettled     string         `json:"lsm_settled"`
	WritesSettled  writeFigures   `json:"single_writes_after_compactions"`
	Fresh          probe          `json:"fresh_process_reopen"`
	TotalSec       float64        `json:"total_s"`
	LoadEnd        string         `json:"load_end"`
}

func main() {
	var c config
	var probeDir, probeMember string
	flag.IntVar(&c.members, "members", 100_000, "members in the bulk import")
	flag.IntVar(&c.ops, "ops", 1_000_000, "ops in the store that is reopened")
	flag.IntVar(&c.writes, "writes", 1000, "single writes per run (a quarter creates, the rest field updates)")
	flag.StringVar(&c.dir, "dir", "", "where to make the temporary store directory (default: the system's)")
	flag.BoolVar(&c.keep, "keep", false, "keep the store directory")
	flag.BoolVar(&c.quick, "quick", false, "small sizes, for a smoke run")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the sample members")
	flag.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.StringVar(&c.blockprofile, "blockprofile", "", "write a profile of where goroutines block to this file")
	flag.StringVar(&c.memprofile, "memprofile", "", "write a profile of the whole run's allocations to this file")
	flag.StringVar(&c.trace, "trace", "", "write an execution trace of the whole run to this file (go tool trace)")
	flag.StringVar(&probeDir, "probe", "", "internal: reopen the store in this directory, print figures as JSON")
	flag.StringVar(&probeMember, "probe-member", "", "internal: the member -probe reads")
	flag.Parse()
	if probeDir != "" {
		if err := runProbe(probeDir, probeMember); err != nil {
			fmt.Fprintln(os.Stderr, "probe:", err)
			os.Exit(1)
		}
		return
	}
	if c.quick {
		c.members, c.ops, c.writes = 5_000, 20_000, 200
	}
	if c.writes < 4 || c.members < 1 || c.ops < c.members+c.writes {
		fmt.Fprintln(os.Stderr, "ledger: want -writes ≥ 4, -members ≥ 1 and -ops ≥ members + writes")
		os.Exit(2)
	}
	if c.cpuprofile != "" {
		stop, err := benchkit.StartCPUProfile(c.cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ledger:", err)
			os.Exit(1)
		}
		defer stop()
	}
	if c.blockprofile != "" {
		stop, err := benchkit.StartBlockProfile(c.blockprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ledger:", err)
			os.Exit(1)
		}
		defer stop()
	}
	if c.memprofile != "" {
		stop, err := benchkit.StartMemProfile(c.memprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ledger:", err)
			os.Exit(1)
		}
		defer stop()
	}
	if c.trace != "" {
		stop, err := benchkit.StartTrace(c.trace)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ledger:", err)
			os.Exit(1)
		}
		defer stop()
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "ledger:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	start := time.Now()
	var r result
	r.Config.Members, r.Config.Ops, r.Config.Writes, r.Config.Cores, r.Config.Seed = c.members, c.ops, c.writes, runtime.NumCPU(), c.seed
	r.Config.Load = benchkit.LoadAverage()
	base, err := os.MkdirTemp(c.dir, "lienthong-bench-ledger-")
	if err != nil {
		return err
	}
	if c.keep {
		benchkit.Progress("store kept in %s", base)
	} else {
		defer os.RemoveAll(base)
	}
	path := filepath.Join(base, "store")
	tree := testkit.NewTree(100)
	who := tree.Grassroots
	site, err := benchkit.OpenSite(tree, who, path)
	if err != nil {
		return err
	}
	defer func() { site.Close() }()

	benchkit.Progress("single writes on a fresh store (%d)", c.writes)
	creates, _, err := benchkit.Members(c.seed+1, c.writes/4, who.ID())
	if err != nil {
		return err
	}
	if r.WritesFresh, err = singleWrites(site.Node, creates, c.writes, nil); err != nil {
		return err
	}

	benchkit.Progress("bulk import of %d members", c.members)
	in, gen, err := benchkit.Members(c.seed, c.members, who.ID())
	if err != nil {
		return err
	}
	r.GenRate = float64(c.members) / gen.Seconds()
	r.ImportSpeed.BeforeUs = benchkit.MeasureSpeed()
	t0, cpu0 := time.Now(), benchkit.CPUTime()
	st, err := site.Node.Import(in, nil)
	if err != nil {
		return err
	}
	el := time.Since(t0)
	in = nil
	r.ImportMembers, r.ImportSec, r.ImportRate = st.Created, el.Seconds(), float64(st.Created)/el.Seconds()
	r.ImportCPU, r.ImportCores = benchkit.CPUPerOp(cpu0, el, st.Created)
	r.ImportSpeed.AfterUs = benchkit.MeasureSpeed()

	have := site.Store.Seq()
	rest := c.ops - int(have)
	benchkit.Progress("building the store up to %d ops (%d more members)", c.ops, rest)
	t0 = time.Now()
	var genRest time.Duration
	if rest > 0 {
		last, lastN := time.Now(), 0
		genRest, err = benchkit.EachChunk(c.seed+2, rest, 50_000, who.ID(), func(chunk []node.MemberInput) error {
			_, err := site.Node.Import(chunk, nil)
			lastN += len(chunk)
			if lastN >= 100_000 {
				benchkit.Progress("  %d ops, last %d at %.0f ops/s; %s", site.Store.Seq(), lastN, float64(lastN)/time.Since(last).Seconds(), benchkit.LSM(site.Store.DB()))
				last, lastN = time.Now(), 0
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	build := time.Since(t0) - genRest
	r.BuildOps = site.Store.Seq()
	r.BuildSec = build.Seconds()
	if rest > 0 {
		r.BuildRate = float64(rest) / build.Seconds()
	}
	hash, seq := site.Store.StateHash(), site.Store.Seq()
	probeID := r.WritesFresh.ids[0]

	t0 = time.Now()
	if err := site.Close(); err != nil {
		return err
	}
	r.CloseMs = benchkit.Ms(time.Since(t0))
	if r.DiskBytes, r.DiskAllocated, err = benchkit.DirSize(path); err != nil {
		return err
	}
	r.BytesPerOp = float64(r.DiskBytes) / float64(seq)

	benchkit.Progress("reopening the store of %d ops", seq)
	benchkit.ReleaseMemory()
	r.RSSBefore, _ = benchkit.RSS()
	t0 = time.Now()
	s2, err := store.Open(path, store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		return err
	}
	r.ReopenMs = benchkit.Ms(time.Since(t0))
	r.RSSAfter, _ = benchkit.RSS()
	r.LSMReopen = benchkit.LSM(s2.DB())
	n2, err := node.New(s2, who, node.DefaultOptions())
	if err != nil {
		s2.Close()
		return err
	}
	site = &benchkit.Site{Dir: path, Store: s2, Node: n2, Who: who}
	t0 = time.Now()
	if _, err := n2.Member(probeID); err != nil {
		return err
	}
	r.ReadMemberMs = benchkit.Ms(time.Since(t0))
	t0 = time.Now()
	if _, err := n2.Member(probeID); err != nil {
		return err
	}
	r.ReadWarmMs = benchkit.Ms(time.Since(t0))
	r.SameState = s2.StateHash() == hash && s2.Seq() == seq
	if r.EnvelopeBytes, r.StateBytes, err = sizes(s2, 1000); err != nil {
		return err
	}

	benchkit.Progress("single writes on the reopened store (%d)", c.writes)
	if r.WritesReopened, err = singleWrites(n2, nil, c.writes, r.WritesFresh.ids); err != nil {
		return err
	}
	benchkit.Progress("waiting for Badger's compactions to settle (at most %s)", settleLimit)
	t0 = time.Now()
	settled := benchkit.WaitCompactions(s2.DB(), settleLimit)
	r.SettleSec, r.Settled, r.LSMSettled = time.Since(t0).Seconds(), settled, benchkit.LSM(s2.DB())
	benchkit.Progress("single writes after that (%d)", c.writes)
	if r.WritesSettled, err = singleWrites(n2, nil, c.writes, r.WritesFresh.ids); err != nil {
		return err
	}
	if err := site.Close(); err != nil {
		return err
	}

	benchkit.Progress("reopening in a fresh process")
	if r.Fresh, err = freshProbe(path, probeID); err != nil {
		return err
	}
	r.TotalSec = time.Since(start).Seconds()
	r.LoadEnd = benchkit.LoadAverage()
	report(c, &r)
	return nil
}

// singleWrites makes writes signed ops one at a time: a create for each of
// creates, then field updates spread over the members created (or over
// existing, when creates is empty).
func singleWrites(n *node.Node, creates []node.MemberInput, writes int, existing []schema.LedgerID) (writeFigures, error) {
	f := writeFigures{Writes: writes}
	var all, cr, set []time.Duration
	rng := rand.New(rand.NewPCG(7, uint64(writes)))
	start := time.Now()
	for _, m := range creates {
		t0 := time.Now()
		id, err := n.CreateMember(m.Home, m.Fields)
		d := time.Since(t0)
		if err != nil {
			return f, err
		}
		f.ids = append(f.ids, id)
		all, cr = append(all, d), append(cr, d)
	}
	targets := f.ids
	if len(targets) == 0 {
		targets = existing
	}
	for i := len(creates); i < writes; i++ {
		id := targets[rng.IntN(len(targets))]
		fields := map[string]string{"phone": fmt.Sprintf("09%08d", rng.IntN(100_000_000))}
		if i%3 == 0 {
			fields["temp_address"] = fmt.Sprintf("Số %d, ngõ %d, phố Trần Hưng Đạo", 1+rng.IntN(200), 1+rng.IntN(90))
		}
		t0 := time.Now()
		_, err := n.SetFields(id, fields)
		d := time.Since(t0)
		if err != nil {
			return f, err
		}
		all, set = append(all, d), append(set, d)
	}
	f.OpsPerSec = float64(writes) / time.Since(start).Seconds()
	f.All, f.Create, f.Set = benchkit.Summarise(all), benchkit.Summarise(cr), benchkit.Summarise(set)
	return f, nil
}

// sizes returns the mean size of an op envelope and of a member's state
// over the first n members of st that a bulk import made: a ledger of one
// batch-signed create. (Ledger IDs begin with their creation time, so the
// first ledgers in key order are those of the single writes before the
// import.)
func sizes(st *store.Store, n int) (envelope, state float64, err error) {
	var ops, members, envBytes, stateBytes int
	err = st.EachLedger(func(l *crdt.Ledger) bool {
		if len(l.DAG.Ops) != 1 {
			return true
		}
		env, e := st.Op(l.DAG.Ops[0].ID)
		if e == nil {
			var decoded *schema.Envelope
			if decoded, e = schema.DecodeEnvelope(env); e == nil && decoded.Proof == nil {
				return true // a single write
			}
		}
		raw, e2 := l.Encode()
		if e = cmp.Or(e, e2); e != nil {
			err = e
			return false
		}
		members++
		stateBytes += len(raw)
		ops++
		envBytes += len(env)
		return members < n
	})
	if err != nil || members == 0 {
		return 0, 0, err
	}
	return float64(envBytes) / float64(ops), float64(stateBytes) / float64(members), nil
}

// runProbe reopens the store at path in this (fresh) process and reads
// member.
func runProbe(path, member string) error {
	var p probe
	id, err := schema.ParseLedgerID(member)
	if err != nil {
		return err
	}
	p.RSSBefore, _ = benchkit.RSS()
	tree := testkit.NewTree(100)
	t0 := time.Now()
	st, err := store.Open(path, store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		return err
	}
	defer st.Close()
	p.OpenMs = benchkit.Ms(time.Since(t0))
	p.RSSAfter, _ = benchkit.RSS()
	p.Seq = st.Seq()
	t0 = time.Now()
	if _, err := st.Ledger(id); err != nil {
		return err
	}
	p.ReadMs = benchkit.Ms(time.Since(t0))
	return json.NewEncoder(os.Stdout).Encode(p)
}

func freshProbe(path string, member schema.LedgerID) (probe, error) {
	var p probe
	exe, err := os.Executable()
	if err != nil {
		return p, err
	}
	out, err := exec.Command(exe, "-probe", path, "-probe-member", member.String()).Output()
	if err != nil {
		return p, fmt.Errorf("reopening in a fresh process: %w", err)
	}
	return p, json.Unmarshal(out, &p)
}

func report(c config, r *result) {
	var t benchkit.Table
	w := func(title string, f writeFigures) {
		t.Section(title)
		t.Info("signed ops/s (one at a time, synced)", fmt.Sprintf("%.0f", f.OpsPerSec))
		t.Add("latency, all writes", f.All.String(), "p99 < 2 ms", f.All.P99 < benchkit.Ms(targetWriteP99))
		if f.Create.N > 0 {
			t.Info("latency, CreateMember", f.Create.String())
		}
		t.Info("latency, SetFields", f.Set.String())
	}
	w(fmt.Sprintf("Single writes, fresh store (%d writes, SyncWrites)", c.writes), r.WritesFresh)
	t.Section(fmt.Sprintf("Bulk import (node.Import, %d realistic members)", r.ImportMembers))
	t.Add("members/s", fmt.Sprintf("%.0f  (%.2f s)", r.ImportRate, r.ImportSec), "≥ 30000/s", r.ImportRate >= targetImportRate)
	t.Info("CPU per member (all goroutines)", fmt.Sprintf("%.0f µs, cores %.0f%% busy; %.0f µs is the most for 30000/s on %d cores", r.ImportCPU, 100*r.ImportCores, float64(runtime.NumCPU())*1e6/targetImportRate, runtime.NumCPU()))
	t.Info("sample generation, for reference", fmt.Sprintf("%.0f members/s (not included)", r.GenRate))
	t.Info("machine speed around the import", r.ImportSpeed.String())
	t.Section(fmt.Sprintf("Store of %d ops: build, close, reopen", r.BuildOps))
	t.Info("build by import, ops/s", fmt.Sprintf("%.0f  (%.1f s)", r.BuildRate, r.BuildSec))
	t.Info("close", fmt.Sprintf("%.0f ms", r.CloseMs))
	t.Info("on disk (apparent / allocated)", fmt.Sprintf("%.1f MiB / %.1f MiB, %.0f B/op", benchkit.MiB(r.DiskBytes), benchkit.MiB(r.DiskAllocated), r.BytesPerOp))
	t.Add("reopen (store.Open)", fmt.Sprintf("%.1f ms", r.ReopenMs), "< 1 s", r.ReopenMs < benchkit.Ms(targetReopen))
	t.Info("RSS before → after reopen", fmt.Sprintf("%.1f MiB → %.1f MiB (+%.1f MiB)", benchkit.MiB(r.RSSBefore), benchkit.MiB(r.RSSAfter), benchkit.MiB(r.RSSAfter-r.RSSBefore)))
	t.Info("read one member after reopen", fmt.Sprintf("%.3f ms (again: %.3f ms)", r.ReadMemberMs, r.ReadWarmMs))
	t.Info("same state hash and feed after reopen", fmt.Sprint(r.SameState))
	t.Info("mean op envelope / member state", fmt.Sprintf("%.0f B / %.0f B (first 1000 imported members)", r.EnvelopeBytes, r.StateBytes))
	t.Info("fresh process: open / RSS before → after", fmt.Sprintf("%.1f ms / %.1f MiB → %.1f MiB", r.Fresh.OpenMs, benchkit.MiB(r.Fresh.RSSBefore), benchkit.MiB(r.Fresh.RSSAfter)))
	t.Info("fresh process: read one member", fmt.Sprintf("%.3f ms", r.Fresh.ReadMs))
	w(fmt.Sprintf("Single writes, reopened store of %d ops, right after reopening", r.BuildOps), r.WritesReopened)
	t.Info("LSM at reopen", r.LSMReopen)
	settled := fmt.Sprintf("after %.1f s", r.SettleSec)
	if !r.Settled {
		settled = fmt.Sprintf("not settled after %.0f s", r.SettleSec)
	}
	w(fmt.Sprintf("Single writes, same store, once compactions settled (%s)", settled), r.WritesSettled)
	t.Info("LSM then", r.LSMSettled)
	t.Section("Run")
	t.Info("total time", fmt.Sprintf("%.1f s on %d cores", r.TotalSec, r.Config.Cores))
	t.Info("load average at start / end", r.Config.Load+" / "+r.LoadEnd)
	t.Print(os.Stdout)
	fmt.Println()
	benchkit.PrintJSON(os.Stdout, r)
}
