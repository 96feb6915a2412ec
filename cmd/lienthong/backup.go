package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"lienthong/internal/store"
)

func (a *app) backupCmd() *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "backup --dir D --out FILE",
		Short: "Write a consistent backup of the store (also while the daemon serves)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("--out FILE is required")
			}
			return a.withNode(func(s *session) error {
				path := a.path(out)
				if err := writeFile(path, s.store.Backup); err != nil {
					return fmt.Errorf("writing the backup: %w", err)
				}
				fi, _ := os.Stat(path)
				h := s.store.StateHash().String()
				return a.emit(map[string]any{"file": out, "bytes": fi.Size(), "state_hash": h, "seq": s.store.Seq()},
					fmt.Sprintf("backup written to %s (%d bytes, state hash %s)", out, fi.Size(), h))
			})
		},
	}
	c.Flags().StringVar(&out, "out", "", "backup file to write")
	return c
}

func (a *app) restoreCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "restore --dir D FILE",
		Short: "Restore the store of an initialised node from a backup (the node must not be running)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := a.openDir()
			if err != nil {
				return err
			}
			f, err := os.Open(a.path(args[0]))
			if err != nil {
				return err
			}
			defer f.Close()
			if err := store.Restore(d.StorePath(), f); err != nil {
				return err
			}
			st, err := d.OpenStore(store.DefaultOptions(d.Config.Root))
			if err != nil {
				return fmt.Errorf("the restored store does not open: %w", err)
			}
			defer st.Close()
			again, err := st.RecomputeHash()
			if err != nil {
				return err
			}
			if again != st.StateHash() {
				return fmt.Errorf("the restored store is inconsistent (state hash %s, recomputed %s)", st.StateHash(), again)
			}
			h := st.StateHash().String()
			return a.emit(map[string]any{"state_hash": h, "seq": st.Seq()}, fmt.Sprintf("restored; state hash %s", h))
		},
	}
}

// writeFile writes a file through fill, atomically: a partial file never
// takes the name, and the data is on disk when it does.
func writeFile(path string, fill func(io.Writer) error) error {
	tmp := path + ".part"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	err = fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
