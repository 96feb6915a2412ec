package sim

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"lienthong/crdt"
	"lienthong/internal/sample"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
)

// Config shapes one simulated run. Everything the run does derives from
// Seed and these numbers.
type Config struct {
	Seed uint64
	// Nodes is the least number of committees: the tree generated from the
	// seed is grown until it has at least this many, one node each.
	Nodes int
	// Rounds of writes, partitions, restarts, bundles and syncs before the
	// network heals.
	Rounds int
	// Writes per round, over the whole network.
	Writes int
	// DiskNodes is how many nodes keep their store on disk under Dir, and
	// really close and reopen it when they restart. The others keep theirs
	// in memory; their restart drops the node's in-memory state only.
	DiskNodes int
	Dir       string

	// Chances per round (0 to 1).
	PartitionRate float64 // a tree link goes down for 1 to 4 rounds
	IsolateRate   float64 // a node goes offline for 2 to 5 rounds
	RestartRate   float64 // a node restarts
	SyncRate      float64 // a live link syncs (each direction separately)
	CutRate       float64 // a sync is cut after a random number of bytes
	// ExtraLinks is how many pairs of nodes off the tree (siblings or any
	// two) sync in a round, in both directions.
	ExtraLinks int
	// Bundles is how many offline bundles are exported in a round; each is
	// carried for 0 to 3 rounds, sometimes lost or cut short.
	Bundles int
	// Revocations is how many cells their parents revoke during the run.
	Revocations int
	// AllowStranded lets Check pass a ledger some of whose ops, valid in
	// the naive model, never reached its home node (a committee whose stake
	// ended wrote them concurrently with the op that ended it, and no
	// stakeholder will take them from it): its stakeholders are then
	// compared with each other only, and the ops counted in
	// Stats.Stranded.
	AllowStranded bool

	// Logf, if not nil, receives progress lines.
	Logf func(format string, args ...any)
}

// Defaults of Config.
const (
	DefaultNodes         = 200
	DefaultRounds        = 10
	DefaultDiskNodes     = 3
	DefaultPartitionRate = 0.15
	DefaultIsolateRate   = 0.02
	DefaultRestartRate   = 0.03
	DefaultSyncRate      = 0.8
	DefaultCutRate       = 0.05
)

// DefaultConfig returns a run of DefaultNodes committees for seed. Dir must
// be set before New when DiskNodes > 0.
func DefaultConfig(seed uint64) Config {
	return Config{
		Seed:          seed,
		Nodes:         DefaultNodes,
		Rounds:        DefaultRounds,
		Writes:        DefaultNodes / 2,
		DiskNodes:     DefaultDiskNodes,
		PartitionRate: DefaultPartitionRate,
		IsolateRate:   DefaultIsolateRate,
		RestartRate:   DefaultRestartRate,
		SyncRate:      DefaultSyncRate,
		CutRate:       DefaultCutRate,
		ExtraLinks:    DefaultNodes / 20,
		Bundles:       2,
		Revocations:   2,
	}
}

func (c *Config) validate() error {
	var errs []error
	if c.Nodes < 2 {
		errs = append(errs, fmt.Errorf("nodes is %d: want 2 or more", c.Nodes))
	}
	if c.Rounds < 0 || c.Writes < 0 || c.ExtraLinks < 0 || c.Bundles < 0 || c.DiskNodes < 0 || c.Revocations < 0 {
		errs = append(errs, errors.New("rounds, writes, extra links, bundles, revocations and disk nodes must not be negative"))
	}
	if c.DiskNodes > 0 && c.Dir == "" {
		errs = append(errs, errors.New("disk nodes need a directory (Config.Dir)"))
	}
	for _, r := range []float64{c.PartitionRate, c.IsolateRate, c.RestartRate, c.SyncRate, c.CutRate} {
		if !(r >= 0 && r <= 1) {
			errs = append(errs, fmt.Errorf("rate %v: want 0 to 1", r))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("sim: invalid config: %w", errors.Join(errs...))
	}
	return nil
}

// start is the simulated time when members start being written; charters
// are a day older.
var start = sample.DefaultReference

// Network is a simulated network of committee nodes. It is driven from one
// goroutine: writes, bundles and syncs happen one at a time in an order
// drawn from the seed, so a run is reproducible.
type Network struct {
	cfg      Config
	rng      *rand.Rand
	tree     *sample.Tree
	opts     sample.Options
	sites    []*site
	byID     map[schema.CommitteeID]*site
	homes    []int   // indexes of the committees members belong to (cells)
	communes []*site // communes and wards: residence committees
	root     schema.CommitteeID

	charters []*schema.Decoded
	dirOps   []*schema.Decoded // charters, then revocations
	dir      *crdt.Directory   // the directory folded from dirOps
	revoked  map[int]bool      // committees revoked during the run

	clock int64 // simulated time, ms since the Unix epoch
	round int

	// The naive model: every op accepted where it was written, per ledger.
	ledgers []schema.LedgerID // in order of creation
	ops     map[schema.LedgerID][]*schema.Decoded
	// eligible lists, per ledger, the committees any op written named and
	// their superiors: those that may hold the ledger at some point.
	eligible map[schema.LedgerID][]int
	// forged ops, which no node may accept, and the ledgers they open.
	forged        []schema.OpID
	forgedLedgers []schema.LedgerID

	members []sample.Member // pool of record values
	links   linkState
	bundles []*bundle
	// served[client][server]: how far into the server's feed the client has
	// pulled to the end, as the server knows it (the Since of a bundle).
	served map[[2]int]uint64
	// sentBundle[to][from]: the feed head of the last bundle exported.
	sentBundle map[[2]int]uint64
	// paired[client][server]: client has pulled from server before.
	paired   map[[2]int]bool
	children [][]int

	stats Stats
}

// site is one committee's node.
type site struct {
	idx    int
	c      sample.Committee
	parent int   // index of the parent committee, -1 at the root
	chain  []int // itself and its ancestors, up to the root
	signer *schema.Signer
	id     schema.CommitteeID
	skew   int64 // ms the node's clock is ahead of simulated time
	rand   *rand.ChaCha8
	path   string // on-disk store, "" in memory
	st     *store.Store
	node   *node.Node
}

func (s *site) String() string { return fmt.Sprintf("%s (#%d, %s)", s.c.Name, s.idx, s.id.Short()) }

// New builds the committee tree of cfg.Seed and opens one node per
// committee, each holding the whole directory.
func New(cfg Config) (*Network, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	tree, opts, err := buildTree(cfg.Seed, cfg.Nodes)
	if err != nil {
		return nil, err
	}
	w := &Network{
		cfg:        cfg,
		rng:        rand.New(rand.NewPCG(cfg.Seed, 0x73696d)),
		tree:       tree,
		opts:       opts,
		byID:       map[schema.CommitteeID]*site{},
		homes:      tree.Homes(),
		clock:      start.UnixMilli(),
		ops:        map[schema.LedgerID][]*schema.Decoded{},
		eligible:   map[schema.LedgerID][]int{},
		served:     map[[2]int]uint64{},
		sentBundle: map[[2]int]uint64{},
		paired:     map[[2]int]bool{},
		revoked:    map[int]bool{},
	}
	w.stats.Seed = cfg.Seed
	for i, c := range tree.Committees {
		s := &site{idx: i, c: c, parent: c.Parent, signer: testkit.Signer(fmt.Sprint(cfg.Seed, i))}
		s.id = s.signer.ID()
		for j := i; j >= 0; j = tree.Committees[j].Parent {
			s.chain = append(s.chain, j)
		}
		seed := sha256.Sum256(fmt.Appendf(nil, "lienthong sim %d node %d", cfg.Seed, i))
		s.rand = rand.NewChaCha8(seed)
		w.sites = append(w.sites, s)
		w.byID[s.id] = s
		if c.Level == sample.LevelCommune {
			w.communes = append(w.communes, s)
		}
	}
	w.root = w.sites[0].id
	w.children = make([][]int, len(w.sites))
	for _, s := range w.sites[1:] {
		w.children[s.parent] = append(w.children[s.parent], s.idx)
	}
	w.charters = charters(tree, w.sites, start.UnixMilli()-24*3600*1000)
	w.dirOps = append([]*schema.Decoded(nil), w.charters...)
	w.dir, _ = crdt.RebuildDirectory(w.root, w.dirOps)
	if got := len(w.dir.Committees()); got != len(w.sites) {
		return nil, fmt.Errorf("sim: the directory holds %d committees, want %d", got, len(w.sites))
	}
	// Clocks: most nodes are within seconds of each other, a few are
	// minutes off either way.
	for _, s := range w.sites {
		s.skew = w.rng.Int64N(10_000) - 5_000
		if w.rng.IntN(20) == 0 {
			s.skew = w.rng.Int64N(1_200_000) - 600_000
		}
	}
	disk := w.rng.Perm(len(w.sites))[:min(cfg.DiskNodes, len(w.sites))]
	for _, i := range disk {
		w.sites[i].path = filepath.Join(cfg.Dir, fmt.Sprintf("node-%04d", i))
	}
	err = each(w.sites, func(s *site) error {
		if err := w.open(s); err != nil {
			return err
		}
		return w.join(s)
	})
	if err != nil {
		w.Close()
		return nil, err
	}
	pool := max(64, cfg.Rounds*cfg.Writes/2)
	if w.members, err = sample.Members(cfg.Seed, tree, pool, opts); err != nil {
		w.Close()
		return nil, err
	}
	w.links = newLinkState(len(w.sites))
	w.stats.Nodes = len(w.sites)
	return w, nil
}

// joinChunk is how many charters a joining node applies per transaction.
// The store re-judges ledgers after every directory op, opening Badger
// iterators on the write transaction, and each such iterator sorts the
// transaction's pending writes: a whole directory in one transaction costs
// time quadratic in its size.
const joinChunk = 32

// join gives s the whole directory, as if it had joined and synced it. Every
// node's change feed then starts with the same charters in the same order,
// so every node also records that it holds every peer's feed that far: the
// first sync between two nodes does not send the directory again.
func (w *Network) join(s *site) error {
	for lo := 0; lo < len(w.charters); lo += joinChunk {
		res, _, err := s.st.Apply(w.charters[lo:min(lo+joinChunk, len(w.charters))], "join", false)
		if err != nil {
			return fmt.Errorf("sim: %s joining: %w", s, err)
		}
		for _, r := range res {
			if r.Outcome != crdt.Applied {
				return fmt.Errorf("sim: %s joining: charter %s %s: %v", s, r.ID.Short(), r.Outcome, r.Err)
			}
		}
	}
	return nil
}

// open opens s's store (a fresh one in memory, or the one on disk) and a
// node on it.
func (w *Network) open(s *site) error {
	opts := store.Options{Root: w.root, InMemory: s.path == "", SyncWrites: false}
	st, err := store.Open(s.path, opts)
	if err != nil {
		return fmt.Errorf("sim: opening the store of %s: %w", s, err)
	}
	s.st = st
	return w.startNode(s)
}

// startNode starts s's node on its store with the simulated clock: a new
// process, with no state but the store's.
func (w *Network) startNode(s *site) error {
	n, err := node.New(s.st, s.signer, node.Options{
		Now:    func() time.Time { return time.UnixMilli(w.clock + s.skew).UTC() },
		Rand:   s.rand,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return err
	}
	s.node = n
	return nil
}

// now is the time on s's clock.
func (w *Network) now(s *site) time.Time { return time.UnixMilli(w.clock + s.skew).UTC() }

// restart restarts s: a node on disk closes and reopens its store; one in
// memory keeps its store and loses the rest.
func (w *Network) restart(s *site) error {
	w.stats.Restarts++
	if s.path == "" {
		return w.startNode(s)
	}
	if err := s.st.Close(); err != nil {
		return fmt.Errorf("sim: closing the store of %s: %w", s, err)
	}
	return w.open(s)
}

// Close closes every store.
func (w *Network) Close() error {
	return each(w.sites, func(s *site) error {
		if s.st == nil {
			return nil
		}
		return s.st.Close()
	})
}

// each calls fn for every site, on as many goroutines as there are
// processors: opening, joining and closing hundreds of stores are
// independent of each other.
func each(sites []*site, fn func(*site) error) error {
	workers := min(runtime.GOMAXPROCS(0), len(sites))
	errs := make([]error, len(sites))
	var wg sync.WaitGroup
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := k; i < len(sites); i += workers {
				errs[i] = fn(sites[i])
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Stats returns what the run did so far.
func (w *Network) Stats() Stats { return w.stats }

// isAncestor reports whether committee a is b or one of b's superiors.
func (w *Network) isAncestor(a, b int) bool { return slices.Contains(w.sites[b].chain, a) }

func (w *Network) logf(format string, args ...any) { w.cfg.Logf(format, args...) }
