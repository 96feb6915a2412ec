package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"lienthong/internal/register"
	"lienthong/internal/tabular"
	"lienthong/node"
	"lienthong/schema"
)

// progressBar draws on stderr when it is a terminal (and not for --json).
func (a *app) progressBar(max int64, what string) *progressbar.ProgressBar {
	f, ok := a.err.(*os.File)
	if a.json || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(max, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())
}

func (a *app) importCmd() *cobra.Command {
	var home string
	c := &cobra.Command{
		Use:   "import --dir D FILE",
		Short: "Import members from a register (.csv or .xlsx with a header row)",
		Long: "Import members from a clerk's register. Headers may be the Vietnamese labels (Họ và tên, Ngày sinh,\n" +
			"Giới tính, Số thẻ đảng viên, ...) or field names. Rows with an id column update that member; others\n" +
			"create members. Bad rows are reported with their row number and skipped; good rows are kept.",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := a.path(args[0])
			format, err := tabular.FormatOf(path)
			if err != nil {
				return usagef("%v", err)
			}
			var homeID schema.CommitteeID
			if home != "" {
				if homeID, err = schema.ParseCommitteeID(home); err != nil {
					return usagef("--home: %v", err)
				}
			}
			f, err := os.Open(path)
			if err != nil {
				return fmt.Errorf("opening the register: %w", err)
			}
			defer f.Close()
			return a.withBulkNode(func(s *session) error {
				rep, err := importFile(s.node, f, format, homeID, a)
				if rep != nil {
					rep.File = args[0]
				}
				if err != nil {
					return err
				}
				var b strings.Builder
				fmt.Fprintf(&b, "%s: %s read, %s created, %d updated, %s not imported\n", args[0], count(rep.Rows, "row"), count(rep.Created, "member"), rep.Updated, count(len(rep.Rejected), "row"))
				if rep.Matched > 0 {
					fmt.Fprintf(&b, "note: %s without an id taken for the members held here with the same card number and name\n", count(rep.Matched, "row"))
				}
				for _, w := range rep.Warnings {
					fmt.Fprintf(&b, "note: %s\n", w)
				}
				for _, e := range rep.Rejected {
					fmt.Fprintf(&b, "  %s\n", e.Error())
				}
				if err := a.emit(rep, b.String()); err != nil {
					return err
				}
				if len(rep.Rejected) > 0 {
					return fmt.Errorf("%s not imported; correct the file and import it again (a row with a card number or an id updates its member; a row with neither would create it again)", count(len(rep.Rejected), "row"))
				}
				return nil
			})
		},
	}
	c.Flags().StringVar(&home, "home", "", "home committee of new members (default: this committee)")
	return c
}

func importFile(n *node.Node, r io.Reader, format tabular.Format, home schema.CommitteeID, a *app) (*register.Report, error) {
	var bar *progressbar.ProgressBar
	return register.Import(n, r, format, home, func(p tabular.Progress) {
		if bar == nil {
			switch {
			case p.TotalBytes > 0:
				bar = a.progressBar(p.TotalBytes, "import")
			case p.TotalRows > 0:
				bar = a.progressBar(p.TotalRows, "import")
			}
			if bar == nil {
				return
			}
		}
		if p.TotalBytes > 0 {
			bar.Set64(p.Bytes)
		} else {
			bar.Set64(p.Rows)
		}
	})
}

func (a *app) exportCmd() *cobra.Command {
	var format, out string
	c := &cobra.Command{
		Use:   "export --dir D --format csv|xlsx --out FILE",
		Short: "Export the members this node holds as a register (re-importable)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("--out FILE is required")
			}
			var fm tabular.Format
			switch format {
			case "csv":
				fm = tabular.CSV
			case "xlsx":
				fm = tabular.XLSX
			default:
				return usagef("--format %q: want csv or xlsx", format)
			}
			return a.withNode(func(s *session) error {
				var n int
				err := writeFile(a.path(out), func(w io.Writer) (err error) {
					n, err = register.Export(s.node, w, fm)
					return err
				})
				if err != nil {
					return fmt.Errorf("writing %s: %w", out, err)
				}
				return a.emit(map[string]any{"file": out, "members": n, "format": format},
					fmt.Sprintf("%s written to %s", count(n, "member"), out))
			})
		},
	}
	c.Flags().StringVar(&format, "format", "csv", "csv or xlsx")
	c.Flags().StringVar(&out, "out", "", "file to write")
	return c
}
