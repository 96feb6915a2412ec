package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"lienthong/internal/datadir"
	"lienthong/internal/store"
	"lienthong/node"
	"lienthong/schema"
)

func (a *app) initCmd() *cobra.Command {
	var name, level, kind string
	var root bool
	c := &cobra.Command{
		Use:   "init --dir D --name NAME --level LEVEL [--kind workplace|residential|mixed] [--root]",
		Short: "Create a committee's key and data directory (--root: start a new network)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.needDir(); err != nil {
				return err
			}
			if name == "" {
				return usagef("--name is required: the committee's name, e.g. \"Đảng ủy phường Hàng Bài\"")
			}
			if err := schema.ValidateLevel(level); err != nil {
				return usagef("--level: %v", err)
			}
			if err := schema.ValidateCommitteeKind(kind); err != nil {
				return usagef("--kind: %v", err)
			}
			d, err := datadir.Create(a.dir, datadir.Config{Name: name, Level: level, Kind: kind})
			if err != nil {
				return err
			}
			id := d.Signer.ID()
			if root {
				d.Config.Root = id
				if err := d.SaveConfig(); err != nil {
					return err
				}
				so := store.DefaultOptions(id)
				so.InlineValues = true // the root's own charter
				st, err := d.OpenStore(so)
				if err != nil {
					return err
				}
				defer st.Close()
				n, err := node.New(st, d.Signer, node.DefaultOptions())
				if err != nil {
					return err
				}
				if _, err := n.InitRoot(name, level, kind); err != nil {
					return err
				}
			}
			// Standard output carries the ID alone, for ID=$(lienthong init …);
			// what happened and what to do next go to standard error.
			if !a.json {
				if root {
					fmt.Fprintf(a.err, "new network rooted at %s (%s, %s)\n", name, level, kind)
				} else {
					fmt.Fprintln(a.err, "ask the parent committee to admit this ID, then join the network with its join file")
				}
			}
			return a.emit(map[string]any{"id": id, "root": root}, string(id))
		},
	}
	f := c.Flags()
	f.StringVar(&name, "name", "", "committee name")
	f.StringVar(&level, "level", "", "organisation level: province, district, commune, grassroots, cell, ...")
	f.StringVar(&kind, "kind", schema.CommitteeWorkplace, "committee kind: workplace, residential or mixed")
	f.BoolVar(&root, "root", false, "make this committee the root of a new network")
	return c
}

func (a *app) idCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "id --dir D",
		Short: "Print this committee's ID",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := a.openDir()
			if err != nil {
				return err
			}
			return a.emit(map[string]any{"id": d.Signer.ID(), "root": d.Config.Root}, string(d.Signer.ID()))
		},
	}
}
