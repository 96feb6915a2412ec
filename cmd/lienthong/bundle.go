package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"lienthong/internal/replica"
	"lienthong/internal/store"
	"lienthong/schema"
)

func (a *app) bundleCmd() *cobra.Command {
	c := &cobra.Command{Use: "bundle", Short: "Carry ops by hand: export a file for a committee, import one"}
	c.AddCommand(a.bundleExportCmd(), a.bundleImportCmd())
	return c
}

func (a *app) bundleExportCmd() *cobra.Command {
	var forID, out string
	var all bool
	c := &cobra.Command{
		Use:   "export --dir D --for COMMITTEE_ID --out FILE [--all]",
		Short: "Write the ops a committee lacks (as far as this node knows; --all: everything in its scope)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cid, err := schema.ParseCommitteeID(forID)
			if err != nil {
				return usagef("--for: %v", err)
			}
			if out == "" {
				return usagef("--out FILE is required")
			}
			return a.withNode(func(s *session) error {
				if _, ok := s.store.Directory().Current(cid); !ok {
					return fmt.Errorf("committee %s is not in this node's directory", cid)
				}
				var since uint64
				if !all {
					if rec, err := s.store.Peer(string(cid)); err == nil {
						since = rec.Served
					} else if !errors.Is(err, store.ErrNotFound) {
						return err
					}
				}
				var es replica.ExportStats
				err := writeFile(a.path(out), func(w io.Writer) (err error) {
					es, err = replica.ExportBundle(w, s.store, replica.ExportOptions{From: s.node.ID(), For: cid, Since: since, Now: time.Now()})
					return err
				})
				if err != nil {
					return err
				}
				return a.emit(map[string]any{"file": out, "for": cid, "ops": es.Ops, "bytes": es.Bytes, "since": since, "head": es.Head},
					fmt.Sprintf("%s for %s written to %s (%d bytes; feed positions %d to %d)", count(es.Ops, "op"), cid.Short(), out, es.Bytes, since, es.Head))
			})
		},
	}
	c.Flags().StringVar(&forID, "for", "", "the committee that will import the bundle")
	c.Flags().StringVar(&out, "out", "", "bundle file to write")
	c.Flags().BoolVar(&all, "all", false, "everything in that committee's scope, not only what it lacks")
	return c
}

func (a *app) bundleImportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import --dir D FILE",
		Short: "Verify and apply a bundle (safe to import twice or out of order)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(a.path(args[0]))
			if err != nil {
				return err
			}
			defer f.Close()
			return a.withBulkNode(func(s *session) error {
				is, err := replica.ImportBundle(f, s.store, s.node.ID())
				if err != nil && is.Ops == 0 {
					return err // no op read: the error says it all
				}
				out := map[string]any{"file": args[0], "from": is.Header.From, "ops": is.Ops, "applied": is.Applied,
					"duplicates": is.Dupes, "parked": is.Parked, "rejected": is.Rejected, "reasons": is.Reasons}
				human := fmt.Sprintf("%s: %s read, %d applied, %d already held, %d waiting for earlier ops, %d rejected",
					args[0], count(is.Ops, "op"), is.Applied, is.Dupes, is.Parked, is.Rejected)
				if err != nil {
					out["error"] = err.Error()
				}
				if eerr := a.emit(out, human); eerr != nil {
					return eerr
				}
				return err
			})
		},
	}
}
