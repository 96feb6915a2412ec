package sim

import (
	"errors"
	"fmt"
	"time"
)

// Stats is what a run did.
type Stats struct {
	Seed    uint64
	Nodes   int
	Ledgers int // member ledgers opened
	Ops     int // legitimate writes, accepted where they were made
	Skipped int // writes not made: no committee allowed to make them held the ledger yet
	Refused int // unauthorised writes refused by the writer's own node
	Forged  int // ops offered by rogue peers (none may be accepted)
	// Workflow steps taken (they are among Ops), and steps the writer's own
	// node declined as invalid against its view.
	Workflow, Declined int

	Syncs       int // pulls, rogue ones included
	Cut         int // pulls cut in the middle
	Fetched     int // whole ledgers fetched because ops waited for deps
	Transferred int // ops received in pulls (duplicates included)
	Bytes       int64

	Bundles      int // bundles exported
	BundlesLost  int
	BundleOps    int // ops read from imported bundles
	BundleErrors int // imports that reported damage or rejections

	Restarts   int
	Revoked    int // cells revoked
	Refusals   int // pulls a server refused: the client was revoked
	HealRounds int // sync rounds after healing, until nothing changed

	// At the end, over every node: ops waiting for deps (forged ones
	// waiting for forged ones), and ops rejected.
	Parked, Quarantined int
	// Stranded counts ops valid in the naive model that never reached
	// their ledger's home (see Config.AllowStranded).
	Stranded int

	Elapsed time.Duration
}

func (s Stats) String() string {
	return fmt.Sprintf("seed %d: %d nodes, %d ledgers, %d ops (%d workflow steps, %d declined, %d refused, %d forged, %d skipped), "+
		"%d syncs (%d cut, %d ledgers fetched), %d ops transferred (%.1f MB), "+
		"%d bundles (%d lost, %d ops, %d damaged or partly rejected), %d restarts, %d revoked (%d refused syncs), healed in %d rounds, "+
		"%d parked and %d quarantined at the end, %d stranded, %v",
		s.Seed, s.Nodes, s.Ledgers, s.Ops, s.Workflow, s.Declined, s.Refused, s.Forged, s.Skipped,
		s.Syncs, s.Cut, s.Fetched, s.Transferred, float64(s.Bytes)/1e6,
		s.Bundles, s.BundlesLost, s.BundleOps, s.BundleErrors, s.Restarts, s.Revoked, s.Refusals, s.HealRounds,
		s.Parked, s.Quarantined, s.Stranded, s.Elapsed.Round(time.Millisecond))
}

// Run plays cfg.Rounds rounds, then heals every link and syncs until
// nothing changes. It does not check convergence: call Check.
func (w *Network) Run() (Stats, error) {
	t0 := time.Now()
	defer func() { w.stats.Elapsed = time.Since(t0) }()
	for w.round = 0; w.round < w.cfg.Rounds; w.round++ {
		if err := w.step(); err != nil {
			return w.stats, fmt.Errorf("seed %d, round %d: %w", w.cfg.Seed, w.round, err)
		}
	}
	if err := w.heal(); err != nil {
		return w.stats, fmt.Errorf("seed %d, healing: %w", w.cfg.Seed, err)
	}
	w.stats.Elapsed = time.Since(t0)
	return w.stats, nil
}

// step is one round: links go down and come back, nodes restart, the
// committees write, bundles are carried, and live links sync.
func (w *Network) step() error {
	w.clock += 3_600_000
	w.partition()
	for _, s := range w.sites {
		if w.rng.Float64() < w.cfg.RestartRate {
			if err := w.restart(s); err != nil {
				return err
			}
		}
	}
	for range w.cfg.Writes {
		w.clock += w.rng.Int64N(5_000)
		if err := w.write(); err != nil {
			return err
		}
	}
	if w.cfg.Rounds > 0 && w.rng.IntN(w.cfg.Rounds) < w.cfg.Revocations {
		if err := w.revoke(); err != nil {
			return err
		}
	}
	for range w.cfg.Bundles {
		if err := w.exportBundle(); err != nil {
			return err
		}
	}
	w.deliverBundles(false)
	return w.syncs()
}

// partition cuts tree links and takes nodes offline for a few rounds.
func (w *Network) partition() {
	for _, s := range w.sites[1:] {
		if w.rng.Float64() < w.cfg.PartitionRate {
			w.links.cutUntil[s.idx] = max(w.links.cutUntil[s.idx], w.round+1+w.rng.IntN(4))
		}
	}
	for _, s := range w.sites {
		if w.rng.Float64() < w.cfg.IsolateRate {
			w.links.offlineUntil[s.idx] = max(w.links.offlineUntil[s.idx], w.round+2+w.rng.IntN(4))
		}
	}
}

type pullPair struct{ client, server int }

// syncs runs the round's pulls over live links in random order: each
// direction of a tree link with SyncRate, and ExtraLinks pairs off the
// tree (siblings, or any two nodes) both ways.
func (w *Network) syncs() error {
	var pulls []pullPair
	for _, s := range w.sites[1:] {
		if !w.links.treeLink(s.idx, s.parent, w.round) {
			continue
		}
		if w.rng.Float64() < w.cfg.SyncRate {
			pulls = append(pulls, pullPair{s.idx, s.parent})
		}
		if w.rng.Float64() < w.cfg.SyncRate {
			pulls = append(pulls, pullPair{s.parent, s.idx})
		}
	}
	for range w.cfg.ExtraLinks {
		a := w.rng.IntN(len(w.sites))
		b := w.rng.IntN(len(w.sites))
		if p := w.sites[a].parent; p >= 0 && w.rng.IntN(2) == 0 {
			sibs := w.children[p]
			b = sibs[w.rng.IntN(len(sibs))]
		}
		if a != b && w.links.online(a, w.round) && w.links.online(b, w.round) {
			pulls = append(pulls, pullPair{a, b}, pullPair{b, a})
		}
	}
	w.rng.Shuffle(len(pulls), func(i, j int) { pulls[i], pulls[j] = pulls[j], pulls[i] })
	for _, p := range pulls {
		var cut int64
		if w.rng.Float64() < w.cfg.CutRate {
			cut = 1 + w.rng.Int64N(16<<10)
		}
		if _, err := w.pull(w.sites[p.client], w.sites[p.server], cut); err != nil && !errors.Is(err, errCut) && !errors.Is(err, errRefused) {
			return err
		}
	}
	return nil
}

// heal brings every link up, delivers the bundles still being carried, and
// syncs every tree link both ways, in random order, until a whole round
// changes nothing.
func (w *Network) heal() error {
	w.links.heal()
	w.deliverBundles(true)
	depth := 0
	for _, s := range w.sites {
		depth = max(depth, len(s.chain))
	}
	limit := 4*depth + 20
	for {
		before := w.totalSeq()
		var pulls []pullPair
		for _, s := range w.sites[1:] {
			pulls = append(pulls, pullPair{s.idx, s.parent}, pullPair{s.parent, s.idx})
		}
		w.rng.Shuffle(len(pulls), func(i, j int) { pulls[i], pulls[j] = pulls[j], pulls[i] })
		for _, p := range pulls {
			if _, err := w.pull(w.sites[p.client], w.sites[p.server], 0); err != nil && !errors.Is(err, errRefused) {
				return err
			}
		}
		w.stats.HealRounds++
		if w.totalSeq() == before {
			return nil
		}
		if w.stats.HealRounds >= limit {
			return fmt.Errorf("still changing after %d sync rounds over every tree link", limit)
		}
	}
}

func (w *Network) totalSeq() uint64 {
	var n uint64
	for _, s := range w.sites {
		n += s.st.Seq()
	}
	return n
}
