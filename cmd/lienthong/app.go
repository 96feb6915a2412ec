package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"lienthong/internal/datadir"
	"lienthong/internal/report"
	"lienthong/internal/store"
	"lienthong/node"
)

// app holds what every command shares: global flags and output streams.
type app struct {
	root     *cobra.Command
	out, err io.Writer
	dir      string
	json     bool
	cwd      string // working directory of the caller, for relative paths
	// live is the daemon's open node when a command runs inside the daemon.
	live *session
	// bulk marks a command that may write many ops (import, bundle import,
	// sync): its store puts large values in the value log, as the daemon's
	// does. Other commands write a few ops and keep them inline (see
	// store.Options.InlineValues).
	bulk bool
}

// usageError marks a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

func newApp(out, errw io.Writer) *app {
	a := &app{out: out, err: errw}
	a.root = &cobra.Command{
		Use:           "lienthong",
		Short:         "Peer-to-peer registry of party members kept by their committees",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	a.root.SetOut(out)
	a.root.SetErr(errw)
	a.root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usagef("%v (see '%s --help')", err, c.CommandPath())
	})
	pf := a.root.PersistentFlags()
	pf.StringVar(&a.dir, "dir", os.Getenv("LIENTHONG_DIR"), "data directory of the node (or set LIENTHONG_DIR)")
	pf.BoolVar(&a.json, "json", false, "print machine-readable JSON")
	a.root.AddCommand(
		a.initCmd(), a.idCmd(), a.committeeCmd(), a.memberCmd(), a.movementCmd(),
		a.importCmd(), a.exportCmd(), a.stateHashCmd(), a.demoCmd(), a.serveCmd(),
		a.syncCmd(), a.peersCmd(), a.tokenCmd(), a.joinCmd(), a.bundleCmd(),
		a.residenceCmd(), a.transferCmd(), a.exemptionCmd(), a.leaveCmd(), a.ratingCmd(),
		a.backupCmd(), a.restoreCmd(), a.alertsCmd(), a.reconcileCmd(), a.statsCmd(),
	)
	return a
}

// needDir checks --dir.
func (a *app) needDir() error {
	if a.dir == "" {
		return usagef("no data directory: pass --dir DIR or set LIENTHONG_DIR")
	}
	return nil
}

// openDir opens the data directory named by --dir (key and config only).
func (a *app) openDir() (*datadir.Dir, error) {
	if err := a.needDir(); err != nil {
		return nil, err
	}
	return datadir.Open(a.dir)
}

// session is an opened node for one command, or the daemon's.
type session struct {
	dir   *datadir.Dir
	store *store.Store
	node  *node.Node
	net   *node.Network // nil unless the network runs
	rules report.Config // alert rules from the config file
}

func (s *session) Close() error { return s.store.Close() }

// open opens the node in --dir.
func (a *app) open() (*session, error) {
	d, err := a.openDir()
	if err != nil {
		return nil, err
	}
	rules, err := reportConfig(d.Config)
	if err != nil {
		return nil, err
	}
	so := store.DefaultOptions(d.Config.Root)
	so.InlineValues = !a.bulk
	st, err := d.OpenStore(so)
	if err != nil {
		return nil, err
	}
	n, err := node.New(st, d.Signer, node.DefaultOptions())
	if err != nil {
		st.Close()
		return nil, err
	}
	return &session{dir: d, store: st, node: n, rules: rules}, nil
}

// withBulkNode is withNode for a command that may write many ops. Without
// a daemon, it ends with a sweep of at most one value-log file (see
// store.SweepOnce): only a daemon sweeps periodically, and a site that runs
// none would otherwise keep every old state its imports and syncs rewrote.
func (a *app) withBulkNode(fn func(*session) error) error {
	a.bulk = true
	if a.live != nil {
		return fn(a.live)
	}
	return a.withNode(func(s *session) error {
		err := fn(s)
		if _, serr := s.store.SweepOnce(); serr != nil {
			fmt.Fprintf(a.err, "note: %v; the next command, or 'serve', sweeps again\n", serr)
		}
		return err
	})
}

// withNode runs fn on the opened node (or the daemon's) and closes it.
func (a *app) withNode(fn func(*session) error) error {
	if a.live != nil {
		return fn(a.live)
	}
	s, err := a.open()
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// emit prints v as JSON with --json, else the human text.
func (a *app) emit(v any, human string) error {
	if a.json {
		enc := json.NewEncoder(a.out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	}
	if human != "" && !strings.HasSuffix(human, "\n") {
		human += "\n"
	}
	_, err := io.WriteString(a.out, human)
	return err
}

// emitLine is emit for a command that goes on running (serve): with
// --json, v goes on one line, so that a supervising program can read the
// output line by line as well as with a JSON decoder.
func (a *app) emitLine(v any, human string) error {
	if !a.json {
		return a.emit(v, human)
	}
	enc := json.NewEncoder(a.out)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// count is "1 row", "2 rows": n and noun, plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// parseAssignments parses FIELD=VALUE arguments.
func parseAssignments(args []string) (map[string]string, error) {
	out := make(map[string]string, len(args))
	for _, arg := range args {
		k, v, ok := strings.Cut(arg, "=")
		if !ok || k == "" {
			return nil, usagef("%q is not FIELD=VALUE", arg)
		}
		if _, dup := out[k]; dup {
			return nil, usagef("field %s given twice", k)
		}
		out[k] = v
	}
	return out, nil
}

// path resolves a file argument against the caller's working directory (a
// command forwarded to a daemon runs in the daemon's process).
func (a *app) path(p string) string {
	if a.cwd == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(a.cwd, p)
}

// Argument validators that report mistakes as usage errors (exit status 2).
func noArgs(c *cobra.Command, args []string) error { return asUsage(cobra.NoArgs(c, args)) }

func exactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error { return asUsage(cobra.ExactArgs(n)(c, args)) }
}

func minArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error { return asUsage(cobra.MinimumNArgs(n)(c, args)) }
}

func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return usagef("%v", err)
}
