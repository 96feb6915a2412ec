package sim

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	flagNodes  = flag.Int("sim.nodes", 0, "least number of committees per simulated network (0: 200, or 40 with -short)")
	flagSeeds  = flag.Int("sim.seeds", 0, "how many seeds to run (0: 3, or 2 with -short)")
	flagFirst  = flag.Uint64("sim.first", 1, "first seed")
	flagRounds = flag.Int("sim.rounds", 0, "rounds before healing (0: 10, or 5 with -short)")
	flagWrites = flag.Int("sim.writes", 0, "writes per round (0: half the number of nodes)")
	flagDisk   = flag.Int("sim.disk", -1, "nodes with an on-disk store (-1: 3, or 1 with -short)")
	flagHarsh  = flag.Bool("sim.harsh", false, "a harsher network: fewer syncs, more cut syncs, partitions, restarts, bundles and links off the tree")
	flagLog    = flag.Bool("sim.log", false, "log the events of a run (declined steps, damaged bundles)")
	flagStrand = flag.Bool("sim.stranded", false, "pass ledgers some of whose valid ops never reached home (see Config.AllowStranded)")
)

// config is the run of seed as the flags shape it.
func config(t *testing.T, seed uint64) Config {
	nodes, rounds, disk := 200, 10, 3
	if testing.Short() {
		nodes, rounds, disk = 40, 5, 1
	}
	if *flagNodes > 0 {
		nodes = *flagNodes
	}
	if *flagRounds > 0 {
		rounds = *flagRounds
	}
	if *flagDisk >= 0 {
		disk = *flagDisk
	}
	cfg := DefaultConfig(seed)
	cfg.Nodes, cfg.Rounds, cfg.DiskNodes = nodes, rounds, disk
	cfg.Writes = max(10, nodes/2)
	if *flagWrites > 0 {
		cfg.Writes = *flagWrites
	}
	cfg.ExtraLinks = max(2, nodes/20)
	if *flagHarsh {
		cfg.SyncRate, cfg.CutRate, cfg.PartitionRate, cfg.RestartRate = 0.3, 0.2, 0.3, 0.1
		cfg.Bundles, cfg.ExtraLinks = 8, max(2, nodes/5)
	}
	cfg.AllowStranded = *flagStrand
	cfg.Dir = t.TempDir()
	if *flagLog {
		cfg.Logf = t.Logf
	}
	return cfg
}

func reproduce(cfg Config) string {
	return fmt.Sprintf("reproduce with: go test ./internal/sim -run 'TestSimulationConverges' -v -sim.first=%d -sim.seeds=1 -sim.nodes=%d -sim.rounds=%d -sim.writes=%d -sim.disk=%d -sim.harsh=%v -sim.stranded=%v",
		cfg.Seed, cfg.Nodes, cfg.Rounds, cfg.Writes, cfg.DiskNodes, *flagHarsh, cfg.AllowStranded)
}

// TestSimulationConverges runs networks of a few hundred committee nodes
// through partitions, restarts, cut syncs, offline bundles and forged ops,
// heals them, and checks that every ledger converged where it must.
func TestSimulationConverges(t *testing.T) {
	seeds := 3
	if testing.Short() {
		seeds = 2
	}
	if *flagSeeds > 0 {
		seeds = *flagSeeds
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for i := range seeds {
		seed := *flagFirst + uint64(i)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			cfg := config(t, seed)
			t0, c0 := time.Now(), cpuTime()
			debug.SetMemoryLimit(math.MaxInt64)
			debug.SetGCPercent(25) // while the stores open: see limitGarbage
			w, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				w.Close()
				debug.FreeOSMemory() // give the stores' memory back between networks
			}()
			setup := time.Since(t0)
			limitGarbage()
			st, err := w.Run()
			if err != nil {
				t.Fatalf("%v\n%v\n%s", err, st, reproduce(cfg))
			}
			t1 := time.Now()
			if err := w.Check(); err != nil {
				t.Fatalf("%v\n%v\n%s", err, w.Stats(), reproduce(cfg))
			}
			t.Logf("%v; setup %v, check %v, CPU %v in all, RSS %s", w.Stats(), setup.Round(time.Millisecond), time.Since(t1).Round(time.Millisecond),
				(cpuTime() - c0).Round(time.Millisecond), rss())
		})
	}
}

// TestSimulationIsDeterministic: the same config gives the same run.
func TestSimulationIsDeterministic(t *testing.T) {
	var digests []string
	for range 2 {
		cfg := config(t, 7)
		cfg.Nodes, cfg.Rounds, cfg.Writes, cfg.ExtraLinks = 20, 4, 15, 2
		w, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		st, err := w.Run()
		if err == nil {
			err = w.Check()
		}
		d := w.Digest()
		w.Close()
		if err != nil {
			t.Fatal(err)
		}
		st.Elapsed = 0
		digests = append(digests, fmt.Sprintf("%v %s", st, d))
	}
	if digests[0] != digests[1] {
		t.Fatalf("two runs of one seed differ:\n%s\n%s", digests[0], digests[1])
	}
}

// garbage is how much memory the collector may let garbage take.
const garbage = 512 << 20

// limitGarbage bounds the memory of the process to what it uses now plus
// garbage. Each in-memory Badger allocates memtable arenas of about 10 MB
// that count as live heap though few of their pages are touched; with
// GOGC alone the heap goal grows with them, and hundreds of stores let
// garbage reach gigabytes before a collection. Call it once the stores are
// open.
func limitGarbage() {
	debug.SetGCPercent(100)
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	debug.SetMemoryLimit(int64(s[0].Value.Uint64()-s[1].Value.Uint64()) + garbage)
}

// cpuTime is the CPU time this process used so far (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rss reads the resident set size of this process (Linux), for the log.
func rss() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
