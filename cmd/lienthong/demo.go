package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/spf13/cobra"

	"lienthong/internal/datadir"
	"lienthong/internal/sample"
	"lienthong/internal/store"
	"lienthong/node"
	"lienthong/schema"
)

func (a *app) demoCmd() *cobra.Command {
	var members int
	var seed uint64
	c := &cobra.Command{
		Use:   "demo [--dir D] [--members N] [--seed S]",
		Short: "Create a sample committee store with realistic Vietnamese members",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := a.dir
			if dir == "" {
				tmp, err := os.MkdirTemp("", "lienthong-demo-")
				if err != nil {
					return err
				}
				dir = tmp
			}
			return a.runDemo(dir, members, seed)
		},
	}
	c.Flags().IntVar(&members, "members", 300, "sample members to create")
	c.Flags().Uint64Var(&seed, "seed", 1, "seed of the sample data")
	return c
}

func (a *app) runDemo(path string, members int, seed uint64) error {
	start := time.Now()
	tree := sample.SmallTree()
	top := tree.Committees[0]
	d, err := datadir.Create(path, datadir.Config{Name: top.Name, Level: top.Level, Kind: top.Kind})
	if err != nil {
		return err
	}
	d.Config.Root = d.Signer.ID()
	if err := d.SaveConfig(); err != nil {
		return err
	}
	st, err := d.OpenStore(store.DefaultOptions(d.Config.Root))
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := node.New(st, d.Signer, node.DefaultOptions())
	if err != nil {
		return err
	}
	if _, err := n.InitRoot(top.Name, top.Level, top.Kind); err != nil {
		return err
	}
	// The sample committees' keys; in a real network each committee makes
	// its own with 'lienthong init' and its parent admits it.
	ids := []schema.CommitteeID{d.Signer.ID()}
	for _, c := range tree.Committees[1:] {
		key, _, err := crypto.GenerateEd25519Key(nil)
		if err != nil {
			return err
		}
		s, err := schema.NewSigner(key)
		if err != nil {
			return err
		}
		ids = append(ids, s.ID())
		if _, err := n.Admit(s.ID(), c.Name, c.Level, c.Kind); err != nil {
			return err
		}
	}
	ms, err := sample.Members(seed, tree, members, sample.DefaultOptions())
	if err != nil {
		return err
	}
	in := make([]node.MemberInput, len(ms))
	for i, m := range ms {
		in[i] = node.MemberInput{Home: ids[m.Home], Fields: m.Fields}
	}
	stats, err := n.Import(in, nil)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "lienthong demo: data directory %s\n", path)
	fmt.Fprintf(&b, "network root: %s (%s)\n", top.Name, d.Signer.ID())
	for _, c := range n.Committees() {
		fmt.Fprintf(&b, "  %s%s (%s)\n", strings.Repeat("  ", c.Depth), c.Name, c.Level)
	}
	fmt.Fprintf(&b, "%d sample members created in %s\n", stats.Created, time.Since(start).Round(time.Millisecond))
	list, _ := n.Members()
	for _, m := range list[:min(5, len(list))] {
		fmt.Fprintf(&b, "  %s  %-28s %s  %s\n", m.ID, m.Fields["name"], m.Fields["born"], m.HomeName)
	}
	fmt.Fprintf(&b, "state hash %s\n", n.StateHash())
	fmt.Fprintf(&b, "try: lienthong member list --dir %s\n", path)
	return a.emit(map[string]any{"dir": path, "root": d.Signer.ID(), "members": stats.Created, "state_hash": n.StateHash().String()}, b.String())
}
