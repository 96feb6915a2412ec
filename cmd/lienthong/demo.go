package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"lienthong/crdt"
	"lienthong/internal/datadir"
	"lienthong/internal/sample"
	"lienthong/internal/store"
	"lienthong/node"
	"lienthong/schema"
)

func (a *app) demoCmd() *cobra.Command {
	var members int
	var seed uint64
	var duration time.Duration
	var httpBase int
	c := &cobra.Command{
		Use:   "demo [--dir D] [--members N] [--seed S] [--duration D]",
		Short: "Run a small network of committee nodes on loopback with sample members",
		Long: "Start, in one process, a real network on loopback: a provincial office, a workplace grassroots\n" +
			"committee with two cells, a residential ward committee with a residence cell, each a node with its\n" +
			"own store syncing over libp2p. With --dir the network's data is kept between runs.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := a.dir
			if dir == "" {
				// A network of its own, removed when the demo stops.
				tmp, err := os.MkdirTemp("", "lienthong-demo-")
				if err != nil {
					return err
				}
				dir = tmp
				defer func() {
					if err := os.RemoveAll(tmp); err != nil {
						fmt.Fprintf(a.err, "lienthong demo: removing %s: %v\n", tmp, err)
						return
					}
					fmt.Fprintf(a.out, "removed the demo network in %s\n", tmp)
				}()
			}
			ctx := cmd.Context()
			if duration > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, duration)
				defer cancel()
			}
			return a.runDemo(ctx, dir, a.dir == "", members, seed, httpBase)
		},
	}
	c.Flags().IntVar(&members, "members", 120, "sample members per cell")
	c.Flags().Uint64Var(&seed, "seed", 1, "seed of the sample data")
	c.Flags().DurationVar(&duration, "duration", 0, "stop after this long (default: run until Ctrl-C)")
	c.Flags().IntVar(&httpBase, "http-port", 0, "first HTTP port of the nodes' UIs (default: any free port)")
	return c
}

// demoNode is one committee of the demo network.
type demoNode struct {
	c    sample.Committee
	path string
	live *liveNode
}

func slug(i int, c sample.Committee) string { return fmt.Sprintf("%d-%s", i, c.Level) }

// setupDemo creates the committees' data directories, charters and sample
// members, the way committees would with init, admit, invite, join and
// import.
func setupDemo(path string, tree *sample.Tree, perCell int, seed uint64) error {
	dirs := make([]*datadir.Dir, len(tree.Committees))
	for i, c := range tree.Committees {
		d, err := datadir.Create(filepath.Join(path, slug(i, c)), datadir.Config{Name: c.Name, Level: c.Level, Kind: c.Kind})
		if err != nil {
			return err
		}
		dirs[i] = d
	}
	root := dirs[0].Signer.ID()
	open := func(i int) (*store.Store, *node.Node, error) {
		dirs[i].Config.Root = root
		if err := dirs[i].SaveConfig(); err != nil {
			return nil, nil, err
		}
		st, err := dirs[i].OpenStore(store.DefaultOptions(root))
		if err != nil {
			return nil, nil, err
		}
		n, err := node.New(st, dirs[i].Signer, node.DefaultOptions())
		return st, n, err
	}
	// The root charters itself; every parent admits its children and hands
	// them the directory it holds (the join file).
	stores := make([]*store.Store, len(dirs))
	nodes := make([]*node.Node, len(dirs))
	defer func() {
		for _, st := range stores {
			if st != nil {
				st.Close()
			}
		}
	}()
	for i, c := range tree.Committees {
		st, n, err := open(i)
		if err != nil {
			return err
		}
		stores[i], nodes[i] = st, n
		if c.Parent < 0 {
			if _, err := n.InitRoot(c.Name, c.Level, c.Kind); err != nil {
				return err
			}
			continue
		}
		if _, err := nodes[c.Parent].Admit(n.ID(), c.Name, c.Level, c.Kind); err != nil {
			return err
		}
		envs, err := stores[c.Parent].LedgerOps(schema.DirectoryLedger)
		if err != nil {
			return err
		}
		if _, _, err := st.Ingest(envs, "join"); err != nil {
			return err
		}
	}
	homes := tree.Homes()
	ms, err := sample.Members(seed, tree, perCell*len(homes), sample.DefaultOptions())
	if err != nil {
		return err
	}
	byHome := map[int][]node.MemberInput{}
	for _, m := range ms {
		byHome[m.Home] = append(byHome[m.Home], node.MemberInput{Fields: m.Fields})
	}
	for h, in := range byHome {
		if _, err := nodes[h].Import(in, nil); err != nil {
			return err
		}
	}
	return nil
}

// runDemo runs the network in path, which is removed afterwards if temp.
func (a *app) runDemo(ctx context.Context, path string, temp bool, perCell int, seed uint64, httpBase int) error {
	tree := sample.SmallTree()
	fresh := false
	if _, err := os.Stat(filepath.Join(path, slug(0, tree.Committees[0]), "key")); err != nil {
		fresh = true
		if err := setupDemo(path, tree, perCell, seed); err != nil {
			return fmt.Errorf("setting up the demo network: %w", err)
		}
	}
	log := slog.New(slog.NewTextHandler(a.err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	nodes := make([]*demoNode, len(tree.Committees))
	defer func() {
		for i := len(nodes) - 1; i >= 0; i-- {
			if nodes[i] != nil && nodes[i].live != nil {
				nodes[i].live.stop()
			}
		}
	}()
	for i, c := range tree.Committees {
		dn := &demoNode{c: c, path: filepath.Join(path, slug(i, c))}
		f := serveFlags{listen: []string{"/ip4/127.0.0.1/tcp/0"}, http: "127.0.0.1:0", noMDNS: true}
		if httpBase > 0 {
			f.http = fmt.Sprintf("127.0.0.1:%d", httpBase+i)
		}
		if c.Parent >= 0 {
			f.bootstrap = nodes[c.Parent].live.sess.net.Addrs()
		}
		live, err := startLive(dn.path, f, log)
		if err != nil {
			return fmt.Errorf("starting %s: %w", c.Name, err)
		}
		dn.live = live
		nodes[i] = dn
	}
	var b strings.Builder
	switch {
	case temp:
		fmt.Fprintf(&b, "lienthong demo: a new network in %s, removed when the demo stops (keep one with --dir)\n\n", path)
	case fresh:
		fmt.Fprintf(&b, "lienthong demo: a new network in %s, kept there for the next run\n\n", path)
	default:
		fmt.Fprintf(&b, "lienthong demo: the network kept in %s\n\n", path)
	}
	for i, dn := range nodes {
		n := dn.live.sess.node
		indent := strings.Repeat("  ", depth(tree, i))
		fmt.Fprintf(&b, "%s%s (%s)\n", indent, dn.c.Name, dn.c.Level)
		fmt.Fprintf(&b, "%s  id    %s\n", indent, n.ID())
		for _, ad := range dn.live.sess.net.Addrs() {
			fmt.Fprintf(&b, "%s  p2p   %s\n", indent, ad)
		}
		fmt.Fprintf(&b, "%s  data  %s\n", indent, dn.path)
		fmt.Fprintf(&b, "%s  ui    %s/?token=%s\n", indent, dn.live.url, dn.live.token)
	}
	fmt.Fprintf(&b, "\nsyncing...\n")
	if err := a.emit(nil, b.String()); err != nil && a.json {
		return err
	}
	// Report when the network has converged: every node holds what it
	// should, as its home cell sees it.
	start := time.Now()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	reported, played := false, false
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(a.out, "stopping the demo network")
			return nil
		case <-tick.C:
		}
		if reported {
			continue
		}
		counts, ok := demoConverged(nodes)
		if ok && directoryComplete(nodes) {
			if fresh && !played {
				// A year of work across the committees, then report.
				played = true
				if err := demoActivity(ctx, tree, nodes); err != nil {
					return fmt.Errorf("playing the demo's committee work: %w", err)
				}
				continue
			}
			var rep strings.Builder
			fmt.Fprintf(&rep, "converged in %s:\n", time.Since(start).Round(time.Millisecond))
			for i, dn := range nodes {
				fmt.Fprintf(&rep, "  %-40s holds %4d members, state hash %s\n", dn.c.Name, counts[i], dn.live.sess.store.StateHash().String()[:16])
			}
			fmt.Fprintf(&rep, "\nopen a ui link above: the school's cell (Tổ Toán - Tin) and the ward's residence cell\n(Tổ dân phố 5) exchange their 213 members' attendance and comments. The CLI talks to the\nrunning nodes too: lienthong member list --dir %s\nCtrl-C stops the network\n", nodes[2].path)
			fmt.Fprint(a.out, rep.String())
			reported = true
		}
	}
}

// demoConverged reports whether every member ledger is held, with the
// same state, by every node of the demo that is one of its stakeholders,
// and how many members each node holds.
func demoConverged(nodes []*demoNode) ([]int, bool) {
	byID := map[schema.CommitteeID]*demoNode{}
	for _, dn := range nodes {
		byID[dn.live.sess.node.ID()] = dn
	}
	counts := make([]int, len(nodes))
	ok := true
	for i, dn := range nodes {
		st := dn.live.sess.store
		dir := st.Directory()
		st.EachLedger(func(l *crdt.Ledger) bool {
			counts[i]++
			mine, _ := l.Encode()
			for _, c := range crdt.Stakeholders(dir, l) {
				other, there := byID[c]
				if !there || other == dn {
					continue
				}
				ol, err := other.live.sess.store.Ledger(l.ID)
				if err != nil {
					ok = false
					return false
				}
				theirs, _ := ol.Encode()
				if !bytes.Equal(mine, theirs) {
					ok = false
					return false
				}
			}
			return true
		})
	}
	return counts, ok && counts[0] > 0
}

func depth(tree *sample.Tree, i int) int {
	d := 0
	for p := tree.Committees[i].Parent; p >= 0; p = tree.Committees[p].Parent {
		d++
	}
	return d
}

func directoryComplete(nodes []*demoNode) bool {
	want := len(nodes)
	for _, dn := range nodes {
		if len(dn.live.sess.store.Directory().Committees()) != want {
			return false
		}
		if dn.live.sess.store.Directory().ActiveAt(dn.live.sess.node.ID(), crdt.Now) != nil {
			return false
		}
	}
	return true
}
