// Command sync measures replication between two committee nodes over libp2p
// on loopback (real hosts, TCP on 127.0.0.1, Noise, yamux, no mDNS):
// catch-up of a fresh node, reconnecting after a few new ops among many,
// and live propagation of single writes.
//
//	go run ./scripts/bench/sync [-quick | -full] [-n N] [-base N] [-samples N] [-dir D] [-keep]
//
// It prints a table, then one line of JSON with every figure.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"lienthong/crdt"
	"lienthong/internal/p2p"
	"lienthong/internal/replica"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
	"lienthong/scripts/bench/internal/benchkit"
)

// settleLimit bounds the wait for Badger's background compactions.
const settleLimit = 4 * time.Minute

// Targets.
const (
	targetReconnect      = 100 * time.Millisecond
	targetReconnectBytes = 10 << 10
	targetLiveP99        = 250 * time.Millisecond
	targetCatchUp        = 40_000.0 // ops/s
)

type config struct {
	n, base, samples int
	reconnects       int
	quick, full      bool
	nodePath         bool
	dir              string
	keep             bool
	seed             uint64
	cpuprofile       string
	catchProfile     string
	catchTrace       string
	reconnProfile    string
}

// pullFigures is what one pull by the measuring client cost.
type pullFigures struct {
	Ops           int     `json:"ops"`
	HeldBefore    uint64  `json:"ops_held_before"`
	Ms            float64 `json:"ms"`
	ConnectMs     float64 `json:"connect_ms"`
	OpsPerSec     float64 `json:"ops_per_s,omitempty"`
	CPUPerOp      float64 `json:"cpu_us_per_op"`  // both nodes, all goroutines
	Cores         float64 `json:"core_share"`     // of every core, over the pull
	Bytes         int64   `json:"bytes"`          // replica.Stats.Bytes: frames received
	Sent          int64   `json:"request_bytes"`  // frames the client wrote
	EnvelopeBytes int64   `json:"envelope_bytes"` // the ops themselves
	Overhead      int64   `json:"bytes_beyond_envelopes"`
	BytesPerOp    float64 `json:"bytes_per_op,omitempty"`
	SameState     bool    `json:"same_state_hash"`
	// Resumes counts pulls cut off and resumed from the checkpoint.
	Resumes int      `json:"resumes"`
	Errors  []string `json:"resume_errors,omitempty"`
	// Speed is the machine gauge around a catch-up.
	Speed *benchkit.Speed `json:"machine_speed,omitempty"`
}

// nodeFigures is a catch-up through node.Network on both sides.
type nodeFigures struct {
	Ops         int     `json:"ops"`
	Ms          float64 `json:"ms_until_all_held"`
	OpsPerSec   float64 `json:"ops_per_s"`
	SyncOnceMs  float64 `json:"sync_once_ms"`
	PullBytes   int64   `json:"sync_once_pull_bytes"`
	ServedPulls int     `json:"pulls_served_by_a"`
	ServedOps   int64   `json:"ops_served_by_a"`
	ServedBytes int64   `json:"bytes_served_by_a"`
	Duplicates  int     `json:"duplicates_in_sync_once_pull"`
	Checkpoint  uint64  `json:"checkpoint_after"` // B's checkpoint on A's feed
	AHead       uint64  `json:"a_feed_head"`
	SameState   bool    `json:"same_state_hash"`
}

type liveFigures struct {
	Samples    int              `json:"samples"`
	Missed     int              `json:"missed"`
	EndToEnd   benchkit.Latency `json:"from_write_call"`
	AfterWrite benchkit.Latency `json:"from_write_return"`
	LocalWrite benchkit.Latency `json:"local_write"`
	SameState  bool             `json:"same_state_hash"`
}

type verifyFigures struct {
	Ed25519Us     float64 `json:"ed25519_verify_us"`
	DecodeSingle  float64 `json:"decode_verify_single_signed_us_per_op"`
	DecodeBatched float64 `json:"decode_verify_batch_signed_us_per_op"`
	BatchOps      int     `json:"batch_signed_ops_measured"`
}

type result struct {
	Config struct {
		N       int    `json:"n"`
		Base    int    `json:"base"`
		Samples int    `json:"samples"`
		Cores   int    `json:"cores"`
		Seed    uint64 `json:"seed"`
		Load    string `json:"load_start"`
	} `json:"config"`
	ImportN     float64      `json:"a_import_members_per_s"`
	CatchUp     pullFigures  `json:"catch_up"`
	NodePath    *nodeFigures `json:"catch_up_node_path,omitempty"`
	Grow        *pullFigures `json:"catch_up_growth,omitempty"`
	Reconnect   pullFigures  `json:"reconnect"` // the median round, once compactions settled
	ReconnectMs []float64    `json:"reconnect_rounds_ms"`
	// ReconnectBusy is the median round right after the catch-up.
	ReconnectBusy   pullFigures   `json:"reconnect_right_after_catch_up"`
	ReconnectBusyMs []float64     `json:"reconnect_right_after_catch_up_rounds_ms"`
	Settled         bool          `json:"compactions_settled"`
	SettleSec       float64       `json:"compaction_wait_s"`
	ReconnectNone   pullFigures   `json:"reconnect_nothing_new"`
	Live            liveFigures   `json:"live"`
	Verify          verifyFigures `json:"verify"`
	TotalSec        float64       `json:"total_s"`
	LoadEnd         string        `json:"load_end"`
}

func main() {
	var c config
	flag.IntVar(&c.n, "n", 10_000, "ops a fresh node catches up")
	flag.IntVar(&c.base, "base", 100_000, "ops A holds when 100 new ones are written while B is away")
	flag.IntVar(&c.samples, "samples", 300, "live propagation samples")
	flag.IntVar(&c.reconnects, "reconnects", 5, "reconnect rounds (100 new ops each); the median is shown")
	flag.BoolVar(&c.quick, "quick", false, "10k catch-up, reconnect among 10k, 100 live samples")
	flag.BoolVar(&c.full, "full", false, "catch-up of 1,000,000 ops and reconnect among them")
	flag.BoolVar(&c.nodePath, "node-path", true, "also time the catch-up through node.Network.SyncOnce (skipped above 100k ops)")
	flag.StringVar(&c.dir, "dir", "", "where to make the temporary store directories (default: the system's)")
	flag.BoolVar(&c.keep, "keep", false, "keep the store directories")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the sample members")
	flag.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.StringVar(&c.catchProfile, "catchup-cpuprofile", "", "write a CPU profile of the first catch-up alone to this file")
	flag.StringVar(&c.reconnProfile, "reconnect-cpuprofile", "", "write a CPU profile of the reconnect rounds once compactions settled to this file")
	flag.StringVar(&c.catchTrace, "catchup-trace", "", "write an execution trace of the first catch-up alone to this file (go tool trace)")
	flag.Parse()
	switch {
	case c.quick && c.full:
		fmt.Fprintln(os.Stderr, "sync: -quick and -full exclude each other")
		os.Exit(2)
	case c.quick:
		c.n, c.base, c.samples = 10_000, 10_000, 100
	case c.full:
		c.n, c.base = 1_000_000, 1_000_000
	}
	if c.n < 1 || c.base < c.n || c.samples < 1 || c.reconnects < 1 {
		fmt.Fprintln(os.Stderr, "sync: want -n ≥ 1, -base ≥ n, -samples ≥ 1 and -reconnects ≥ 1")
		os.Exit(2)
	}
	if c.cpuprofile != "" {
		stop, err := benchkit.StartCPUProfile(c.cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sync:", err)
			os.Exit(1)
		}
		defer stop()
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "sync:", err)
		os.Exit(1)
	}
}

func netOptions(logger *slog.Logger, bootstrap ...string) node.NetOptions {
	o := node.DefaultNetOptions()
	o.Listen = []string{"/ip4/127.0.0.1/tcp/0"}
	o.MDNS = false
	o.Bootstrap = bootstrap
	o.Logger = logger
	return o
}

func run(c config) error {
	start := time.Now()
	var r result
	r.Config.N, r.Config.Base, r.Config.Samples, r.Config.Cores, r.Config.Seed = c.n, c.base, c.samples, runtime.NumCPU(), c.seed
	r.Config.Load = benchkit.LoadAverage()
	base, err := os.MkdirTemp(c.dir, "lienthong-bench-sync-")
	if err != nil {
		return err
	}
	if c.keep {
		benchkit.Progress("stores kept in %s", base)
	} else {
		defer os.RemoveAll(base)
	}
	ctx := context.Background()
	tree := testkit.NewTree(100)

	// A: the grassroots committee, holding the members.
	a, err := benchkit.OpenSite(tree, tree.Grassroots, filepath.Join(base, "a"))
	if err != nil {
		return err
	}
	defer a.Close()
	benchkit.Progress("A imports %d members", c.n)
	t0 := time.Now()
	gen, err := importMembers(a, c.seed, c.n)
	if err != nil {
		return err
	}
	r.ImportN = float64(c.n) / (time.Since(t0) - gen).Seconds()
	served := &servedLog{}
	aNet, err := node.StartNetwork(a.Node, a.Store, netOptions(slog.New(served)))
	if err != nil {
		return err
	}
	defer aNet.Close()
	aAddr := aNet.Addrs()[0]

	// B: the province, a superior of every member; it starts with the
	// directory only.
	b, err := benchkit.OpenSite(tree, tree.Root, filepath.Join(base, "b"))
	if err != nil {
		return err
	}
	defer b.Close()
	cl, err := newClient(b, aNet.Host(), aAddr)
	if err != nil {
		return err
	}
	defer cl.close()

	benchkit.Progress("B catches up %d ops", c.n)
	speed := benchkit.Speed{BeforeUs: benchkit.MeasureSpeed()}
	var stops []func()
	if c.catchProfile != "" {
		stop, err := benchkit.StartCPUProfile(c.catchProfile)
		if err != nil {
			return err
		}
		stops = append(stops, stop)
	}
	if c.catchTrace != "" {
		stop, err := benchkit.StartTrace(c.catchTrace)
		if err != nil {
			return err
		}
		stops = append(stops, stop)
	}
	r.CatchUp, err = cl.pull(ctx, a)
	for _, stop := range stops {
		stop()
	}
	if err != nil {
		return err
	}
	speed.AfterUs = benchkit.MeasureSpeed()
	r.CatchUp.Speed = &speed
	if r.CatchUp.Ops != c.n {
		return fmt.Errorf("catch-up brought %d ops, want %d", r.CatchUp.Ops, c.n)
	}

	if c.nodePath && c.n <= 100_000 {
		benchkit.Progress("a fresh B catches up %d ops through node.Network.SyncOnce", c.n)
		f, err := nodePath(ctx, tree, filepath.Join(base, "b2"), a, aAddr, served, c.n)
		if err != nil {
			return err
		}
		r.NodePath = &f
	}

	if c.base > c.n {
		benchkit.Progress("A imports %d more members; B catches up", c.base-c.n)
		if _, err := importMembers(a, c.seed+1, c.base-c.n); err != nil {
			return err
		}
		speed := benchkit.Speed{BeforeUs: benchkit.MeasureSpeed()}
		g, err := cl.pull(ctx, a)
		if err != nil {
			return err
		}
		speed.AfterUs = benchkit.MeasureSpeed()
		g.Speed = &speed
		r.Grow = &g
	}

	benchkit.Progress("reconnect: 100 new ops among %d while B is away", a.Store.Seq())
	ids, err := a.Store.LedgerIDs(store.IndexHome, string(a.Who.ID()))
	if err != nil {
		return err
	}
	rng := mrand.New(mrand.NewPCG(c.seed, 42))
	var single []schema.OpID
	// reconnect runs the rounds: B away, 100 new ops at A, B pulls.
	reconnect := func() (median pullFigures, all []float64, err error) {
		var rounds []pullFigures
		for range c.reconnects {
			if err := cl.disconnect(); err != nil {
				return median, nil, err
			}
			for range 100 {
				id, err := a.Node.SetFields(ids[rng.IntN(len(ids))], map[string]string{"phone": fmt.Sprintf("09%08d", rng.IntN(100_000_000))})
				if err != nil {
					return median, nil, err
				}
				single = append(single, id)
			}
			f, err := cl.pull(ctx, a)
			if err != nil {
				return median, nil, err
			}
			if f.Ops != 100 {
				return median, nil, fmt.Errorf("reconnect brought %d ops, want 100", f.Ops)
			}
			rounds = append(rounds, f)
			all = append(all, f.Ms)
		}
		slices.SortFunc(rounds, func(x, y pullFigures) int { return cmp.Compare(x.Ms, y.Ms) })
		return rounds[len(rounds)/2], all, nil
	}
	// Right after the catch-up both stores are compacting what they just
	// took in (a gigabyte at a million ops), which competes for the disk.
	if r.ReconnectBusy, r.ReconnectBusyMs, err = reconnect(); err != nil {
		return err
	}
	benchkit.Progress("waiting for Badger's compactions to settle on both nodes (at most %s)", settleLimit)
	t0 = time.Now()
	r.Settled = benchkit.WaitCompactions(a.Store.DB(), settleLimit) && benchkit.WaitCompactions(b.Store.DB(), settleLimit-time.Since(t0))
	r.SettleSec = time.Since(t0).Seconds()
	stopProfile := func() {}
	if c.reconnProfile != "" {
		if stopProfile, err = benchkit.StartCPUProfile(c.reconnProfile); err != nil {
			return err
		}
	}
	r.Reconnect, r.ReconnectMs, err = reconnect()
	stopProfile()
	if err != nil {
		return err
	}
	if err := cl.disconnect(); err != nil {
		return err
	}
	if r.ReconnectNone, err = cl.pull(ctx, a); err != nil {
		return err
	}
	cl.close()

	benchkit.Progress("live propagation: %d single writes with both networks running", c.samples)
	if r.Live, err = live(a, b, aAddr, ids, c.samples, rng, &single); err != nil {
		return err
	}

	benchkit.Progress("signature verification cost")
	if r.Verify, err = verifyCost(a.Store, single); err != nil {
		return err
	}
	r.TotalSec = time.Since(start).Seconds()
	r.LoadEnd = benchkit.LoadAverage()
	report(c, &r)
	return nil
}

// importMembers imports n sample members at a, in chunks, and returns the
// time spent generating them.
func importMembers(a *benchkit.Site, seed uint64, n int) (time.Duration, error) {
	done, last := 0, time.Now()
	return benchkit.EachChunk(seed, n, 50_000, a.Who.ID(), func(in []node.MemberInput) error {
		_, err := a.Node.Import(in, nil)
		if done += len(in); done%100_000 == 0 && done < n {
			benchkit.Progress("  A holds %d ops, last 100000 at %.0f ops/s; %s", a.Store.Seq(), 100_000/time.Since(last).Seconds(), benchkit.LSM(a.Store.DB()))
			last = time.Now()
		}
		return err
	})
}

// client pulls into B from A over a libp2p stream, with a bare host: no
// sync server, no pull on connect, nothing else running.
type client struct {
	site  *benchkit.Site
	host  *p2p.Host
	a     *p2p.Host // A's host, to see the connection closed on its side too
	peer  peer.ID
	addr  string
	store *store.Store
}

func newClient(b *benchkit.Site, aHost *p2p.Host, aAddr string) (*client, error) {
	pi, err := peer.AddrInfoFromString(aAddr)
	if err != nil {
		return nil, err
	}
	h, err := p2p.New(p2p.Options{
		Key: b.Who.Key(), Listen: []string{"/ip4/127.0.0.1/tcp/0"},
		Allow: func(p peer.ID) bool {
			return b.Store.Directory().ActiveAt(schema.CommitteeID(p.String()), crdt.Now) == nil
		},
	})
	if err != nil {
		return nil, err
	}
	return &client{site: b, host: h, a: aHost, peer: pi.ID, addr: aAddr, store: b.Store}, nil
}

func (c *client) close() { c.host.Close() }

// disconnect closes every connection to A and waits until A sees it (A
// would otherwise dial back to notify B of its next write).
func (c *client) disconnect() error {
	if err := c.host.ClosePeer(c.peer); err != nil {
		return err
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.host.IsConnected(c.peer) || c.a.IsConnected(c.host.ID()) {
		if time.Now().After(deadline) {
			return errors.New("the connection to A does not close")
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// counter counts the bytes through a stream.
type counter struct {
	rw        io.ReadWriter
	read, wrt int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.rw.Read(p)
	c.read += int64(n)
	return n, err
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.rw.Write(p)
	c.wrt += int64(n)
	return n, err
}

// maxResumes bounds how often a pull that was cut off (A ends a sync
// stream after its SyncTimeout) is resumed from B's checkpoint.
const maxResumes = 5

// pull connects if needed, runs replica pulls from A until one completes
// (resuming from the checkpoint when A cuts a stream off) and checks that B
// then holds what A holds.
func (c *client) pull(ctx context.Context, a *benchkit.Site) (pullFigures, error) {
	var f pullFigures
	ctx, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	seq0 := c.store.Seq()
	f.HeldBefore = seq0
	t0, cpu0 := time.Now(), benchkit.CPUTime()
	next := seq0 + 100_000
	cl := &replica.Client{Store: c.store, Self: c.site.Who.ID(), Progress: func(replica.Progress) {
		if held := c.store.Seq(); held >= next {
			benchkit.Progress("  B holds %d ops, %.0f ops/s so far; %s", held, float64(held-seq0)/time.Since(t0).Seconds(), benchkit.LSM(c.store.DB()))
			next += 100_000
		}
	}}
	for attempt := 0; ; attempt++ {
		if !c.host.IsConnected(c.peer) {
			if _, err := c.host.Connect(ctx, c.addr); err != nil {
				return f, err
			}
		}
		s, err := c.host.Open(ctx, c.peer, replica.ProtocolID)
		if err != nil {
			return f, err
		}
		if attempt == 0 {
			f.ConnectMs = benchkit.Ms(time.Since(t0))
		}
		cw := &counter{rw: s}
		held := c.store.Seq()
		st, err := cl.Pull(ctx, cw, schema.CommitteeID(c.peer.String()))
		s.Close()
		f.Bytes, f.Sent = f.Bytes+cw.read, f.Sent+cw.wrt
		if err != nil {
			if attempt < maxResumes && c.store.Seq() > held {
				f.Resumes++
				f.Errors = append(f.Errors, fmt.Sprintf("after %.0f s, holding %d ops: %v", time.Since(t0).Seconds(), c.store.Seq(), err))
				benchkit.Progress("  pull cut off (%v); resuming from the checkpoint", err)
				continue
			}
			return f, err
		}
		if st.Rejected > 0 {
			return f, fmt.Errorf("%d ops rejected: %v", st.Rejected, st.Reasons)
		}
		if cw.read != st.Bytes {
			return f, fmt.Errorf("stream carried %d bytes, the pull counted %d", cw.read, st.Bytes)
		}
		break
	}
	el := time.Since(t0)
	f.Ms = benchkit.Ms(el)
	f.Ops = int(c.store.Seq() - seq0)
	if f.Ops > 0 {
		f.OpsPerSec = float64(f.Ops) / el.Seconds()
	}
	f.CPUPerOp, f.Cores = benchkit.CPUPerOp(cpu0, el, f.Ops)
	var err error
	if f.EnvelopeBytes, err = envelopeBytes(c.store, seq0); err != nil {
		return f, err
	}
	f.Overhead = f.Bytes + f.Sent - f.EnvelopeBytes
	if f.Ops > 0 {
		f.BytesPerOp = float64(f.Bytes+f.Sent) / float64(f.Ops)
	}
	f.SameState = c.store.StateHash() == a.Store.StateHash()
	return f, nil
}

// envelopeBytes sums the envelopes of the ops st accepted after seq.
func envelopeBytes(st *store.Store, seq uint64) (int64, error) {
	var n int64
	err := st.Feed(seq, func(e store.FeedEntry) bool {
		n += int64(len(e.Envelope))
		return true
	})
	return n, err
}

// servedLog is a slog handler that keeps A's "served sync" records: how
// many pulls A served, with how many ops and bytes.
type servedLog struct {
	mu    sync.Mutex
	pulls int
	ops   int64
	bytes int64
}

func (l *servedLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *servedLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *servedLog) WithGroup(string) slog.Handler            { return l }

func (l *servedLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "served sync" {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pulls++
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "ops":
			l.ops += a.Value.Int64()
		case "bytes":
			l.bytes += a.Value.Int64()
		}
		return true
	})
	return nil
}

func (l *servedLog) snapshot() (pulls int, ops, bytes int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pulls, l.ops, l.bytes
}

// nodePath times a fresh province node catching up through its own
// node.Network and SyncOnce, as the CLI does it.
func nodePath(ctx context.Context, tree *testkit.Tree, dir string, a *benchkit.Site, aAddr string, served *servedLog, n int) (nodeFigures, error) {
	f := nodeFigures{Ops: n}
	b, err := benchkit.OpenSite(tree, tree.Root, dir)
	if err != nil {
		return f, err
	}
	defer b.Close()
	bNet, err := node.StartNetwork(b.Node, b.Store, netOptions(nil))
	if err != nil {
		return f, err
	}
	defer bNet.Close()
	want := b.Store.Seq() + uint64(n)
	changes := b.Store.Subscribe()
	defer b.Store.Unsubscribe(changes)
	p0, o0, by0 := served.snapshot()
	type syncResult struct {
		st  replica.Stats
		err error
		el  time.Duration
	}
	done := make(chan syncResult, 1)
	t0 := time.Now()
	go func() {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
		st, _, err := bNet.SyncOnce(ctx, aAddr, 2*time.Second)
		done <- syncResult{st, err, time.Since(t0)}
	}()
	var res *syncResult
	for b.Store.Seq() < want {
		select {
		case <-changes:
		case s := <-done:
			if s.err != nil {
				return f, s.err
			}
			res = &s
		case <-time.After(10 * time.Minute):
			return f, errors.New("node-path catch-up timed out")
		}
	}
	el := time.Since(t0)
	if res == nil {
		s := <-done
		if s.err != nil {
			return f, s.err
		}
		res = &s
	}
	// Let pulls started on connect finish before reading A's log.
	time.Sleep(500 * time.Millisecond)
	p1, o1, by1 := served.snapshot()
	f.Ms, f.OpsPerSec = benchkit.Ms(el), float64(n)/el.Seconds()
	f.SyncOnceMs, f.PullBytes, f.Duplicates = benchkit.Ms(res.el), res.st.Bytes, res.st.Dupes
	f.ServedPulls, f.ServedOps, f.ServedBytes = p1-p0, o1-o0, by1-by0
	f.SameState = b.Store.StateHash() == a.Store.StateHash()
	f.AHead = a.Store.Seq()
	pi, err := peer.AddrInfoFromString(aAddr)
	if err != nil {
		return f, err
	}
	f.Checkpoint, err = b.Store.Checkpoint(pi.ID.String())
	return f, err
}

// live runs both networks and measures how long single writes at A take
// to reach B's store.
func live(a, b *benchkit.Site, aAddr string, ids []schema.LedgerID, samples int, rng *mrand.Rand, written *[]schema.OpID) (liveFigures, error) {
	var f liveFigures
	bNet, err := node.StartNetwork(b.Node, b.Store, netOptions(nil, aAddr))
	if err != nil {
		return f, err
	}
	defer bNet.Close()
	changes := b.Store.Subscribe()
	defer b.Store.Unsubscribe(changes)
	arrived := func(id schema.OpID, limit time.Duration) bool {
		deadline := time.Now().Add(limit)
		for {
			if env, err := b.Store.Op(id); err == nil && env != nil {
				return true
			}
			if time.Now().After(deadline) {
				return false
			}
			select {
			case <-changes:
			case <-time.After(2 * time.Millisecond):
			}
		}
	}
	write := func() (schema.OpID, error) {
		return a.Node.SetFields(ids[rng.IntN(len(ids))], map[string]string{"phone": fmt.Sprintf("09%08d", rng.IntN(100_000_000))})
	}
	// Connect and warm up: the first write waits for the connection.
	for range 5 {
		id, err := write()
		if err != nil {
			return f, err
		}
		*written = append(*written, id)
		if !arrived(id, 30*time.Second) {
			return f, errors.New("live: B never received a warm-up write")
		}
	}
	time.Sleep(time.Second)
	var e2e, after, local []time.Duration
	for range samples {
		t0 := time.Now()
		id, err := write()
		t1 := time.Now()
		if err != nil {
			return f, err
		}
		*written = append(*written, id)
		if !arrived(id, 10*time.Second) {
			f.Missed++
			continue
		}
		t2 := time.Now()
		e2e, after, local = append(e2e, t2.Sub(t0)), append(after, t2.Sub(t1)), append(local, t1.Sub(t0))
		time.Sleep(time.Duration(2+rng.IntN(8)) * time.Millisecond)
	}
	f.Samples = samples
	f.EndToEnd, f.AfterWrite, f.LocalWrite = benchkit.Summarise(e2e), benchkit.Summarise(after), benchkit.Summarise(local)
	f.SameState = b.Store.StateHash() == a.Store.StateHash()
	return f, nil
}

// verifyCost measures signature checks: a bare Ed25519 verification, the
// decode-and-verify of single-signed ops (the live writes), and of
// batch-signed ops (an import), per op.
func verifyCost(st *store.Store, single []schema.OpID) (verifyFigures, error) {
	var f verifyFigures
	f.Ed25519Us = benchkit.VerifyUs(250 * time.Millisecond)

	var envs [][]byte
	for _, id := range single {
		env, err := st.Op(id)
		if err != nil {
			return f, err
		}
		envs = append(envs, env)
	}
	v := schema.NewVerifier()
	t0 := time.Now()
	for _, env := range envs {
		if _, err := schema.Decode(env, v); err != nil {
			return f, err
		}
	}
	f.DecodeSingle = float64(time.Since(t0).Microseconds()) / float64(len(envs))

	envs = envs[:0]
	err := st.Feed(0, func(e store.FeedEntry) bool {
		if e.Ledger.IsDirectory() || e.Envelope == nil {
			return true
		}
		envs = append(envs, slices.Clone(e.Envelope))
		return len(envs) < 10_000
	})
	if err != nil {
		return f, err
	}
	v = schema.NewVerifier()
	t0 = time.Now()
	for _, env := range envs {
		if _, err := schema.Decode(env, v); err != nil {
			return f, err
		}
	}
	f.DecodeBatched = float64(time.Since(t0).Microseconds()) / float64(len(envs))
	f.BatchOps = len(envs)
	return f, nil
}

func roundsString(ms []float64) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%.1f", m)
	}
	return strings.Join(parts, ", ") + " ms"
}

func report(c config, r *result) {
	var t benchkit.Table
	pf := func(what string, p pullFigures) {
		t.Add(what+": time", fmt.Sprintf("%.1f ms (connect %.1f ms), %d ops, %.0f ops/s", p.Ms, p.ConnectMs, p.Ops, p.OpsPerSec), "≥ 40000 ops/s", p.OpsPerSec >= targetCatchUp)
		if p.Ops >= 1000 {
			t.Info(what+": CPU per op (A and B)", fmt.Sprintf("%.0f µs, cores %.0f%% busy; %.0f µs is the most for 40000 ops/s on %d cores", p.CPUPerOp, 100*p.Cores, float64(runtime.NumCPU())*1e6/targetCatchUp, runtime.NumCPU()))
		}
		t.Info(what+": bytes", fmt.Sprintf("%d received + %d sent, %.1f B/op; envelopes %d, beyond them %d", p.Bytes, p.Sent, p.BytesPerOp, p.EnvelopeBytes, p.Overhead))
		t.Info(what+": same state hash as A", fmt.Sprint(p.SameState))
		if p.Speed != nil {
			t.Info(what+": machine speed around it", p.Speed.String())
		}
		for _, e := range p.Errors {
			t.Info(what+": cut off and resumed", e)
		}
	}
	t.Section(fmt.Sprintf("Setup: A (grassroots) imports %d members with node.Import: %.0f members/s", c.n, r.ImportN))
	t.Section(fmt.Sprintf("Catch-up of %d ops into a fresh B (province), replica.Client.Pull over a libp2p stream", c.n))
	pf("catch-up", r.CatchUp)
	if p := r.NodePath; p != nil {
		t.Section(fmt.Sprintf("Catch-up of %d ops into another fresh B, node.Network on both sides, SyncOnce", p.Ops))
		t.Info("until B holds every op", fmt.Sprintf("%.1f ms, %.0f ops/s (SyncOnce returned after %.1f ms)", p.Ms, p.OpsPerSec, p.SyncOnceMs))
		t.Info("pulls A served / ops / bytes", fmt.Sprintf("%d / %d / %d (SyncOnce's own pull: %d bytes, %d duplicates)", p.ServedPulls, p.ServedOps, p.ServedBytes, p.PullBytes, p.Duplicates))
		t.Info("B's checkpoint on A's feed / A's feed head", fmt.Sprintf("%d / %d", p.Checkpoint, p.AHead))
		t.Info("same state hash as A", fmt.Sprint(p.SameState))
	}
	if g := r.Grow; g != nil {
		t.Section(fmt.Sprintf("Catch-up of %d more ops (B then holds %d)", g.Ops, g.HeldBefore+uint64(g.Ops)))
		pf("catch-up", *g)
	}
	t.Section(fmt.Sprintf("Reconnect after 100 new ops among %d (median of %d rounds)", r.Reconnect.HeldBefore+100, len(r.ReconnectMs)))
	t.Add("time (connect + pull)", fmt.Sprintf("%.1f ms (connect %.1f ms)", r.Reconnect.Ms, r.Reconnect.ConnectMs), "< 100 ms", r.Reconnect.Ms < benchkit.Ms(targetReconnect))
	t.Info("every round", roundsString(r.ReconnectMs))
	t.Info("compactions before these rounds", fmt.Sprintf("settled: %v, after %.1f s", r.Settled, r.SettleSec))
	t.Info("right after the catch-up (median)", fmt.Sprintf("%.1f ms; rounds %s", r.ReconnectBusy.Ms, roundsString(r.ReconnectBusyMs)))
	t.Info("bytes total (received + sent)", fmt.Sprintf("%d + %d", r.Reconnect.Bytes, r.Reconnect.Sent))
	t.Info("op envelopes", fmt.Sprintf("%d (%.0f B/op)", r.Reconnect.EnvelopeBytes, float64(r.Reconnect.EnvelopeBytes)/100))
	t.Add("bytes beyond the envelopes", fmt.Sprint(r.Reconnect.Overhead), "< 10 KB", r.Reconnect.Overhead < targetReconnectBytes)
	t.Info("same state hash as A", fmt.Sprint(r.Reconnect.SameState))
	t.Info("reconnect with nothing new", fmt.Sprintf("%.1f ms, %d + %d bytes", r.ReconnectNone.Ms, r.ReconnectNone.Bytes, r.ReconnectNone.Sent))
	t.Section(fmt.Sprintf("Live propagation, node.Network on both sides (%d single SetFields at A)", r.Live.Samples))
	t.Add("from the write call to B holding the op", r.Live.EndToEnd.String(), "p99 < 250 ms", r.Live.Missed == 0 && r.Live.EndToEnd.P99 < benchkit.Ms(targetLiveP99))
	t.Info("from the write's return", r.Live.AfterWrite.String())
	t.Info("the write at A itself", r.Live.LocalWrite.String())
	t.Info("missed (not there after 10 s)", fmt.Sprint(r.Live.Missed))
	t.Info("same state hash as A", fmt.Sprint(r.Live.SameState))
	t.Section("Signature verification, for reference")
	t.Info("Ed25519 verify (1 KiB message)", fmt.Sprintf("%.1f µs", r.Verify.Ed25519Us))
	t.Info("decode + verify, single-signed op", fmt.Sprintf("%.1f µs/op", r.Verify.DecodeSingle))
	t.Info("decode + verify, batch-signed op", fmt.Sprintf("%.1f µs/op (%d ops)", r.Verify.DecodeBatched, r.Verify.BatchOps))
	t.Section("Run")
	t.Info("total time", fmt.Sprintf("%.1f s on %d cores", r.TotalSec, r.Config.Cores))
	t.Info("load average at start / end", strings.TrimSpace(r.Config.Load)+" / "+strings.TrimSpace(r.LoadEnd))
	t.Print(os.Stdout)
	fmt.Println()
	benchkit.PrintJSON(os.Stdout, r)
}
