package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"lienthong/internal/calendar"
	"lienthong/schema"
)

// dateFlag parses --at/--from/--to (YYYY-MM-DD or dd/mm/yyyy); empty is def.
func dateFlag(name, v string, def calendar.Date) (calendar.Date, error) {
	if v == "" {
		return def, nil
	}
	d, err := calendar.Parse(v)
	if err != nil {
		return d, usagef("--%s %q: want a date as YYYY-MM-DD or dd/mm/yyyy", name, v)
	}
	return d, nil
}

func (a *app) alertsCmd() *cobra.Command {
	var at string
	c := &cobra.Command{
		Use:   "alerts --dir D [--at YYYY-MM-DD] [--json]",
		Short: "Everything due or overdue for this committee and its subtree",
		Long: "Everything due or overdue for this committee and its subtree, with the rule, the member, the due date\n" +
			"and the committee that must act. The rules' numbers can be changed in the config file's \"rules\"\n" +
			"object: " + ruleNames() + ".",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withNode(func(s *session) error {
				day, err := dateFlag("at", at, s.node.TodayDate())
				if err != nil {
					return err
				}
				as, err := s.node.Alerts(day, s.rules)
				if err != nil {
					return err
				}
				var b strings.Builder
				tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "Hạn\tMức\tQuy định\tĐảng viên\tĐơn vị phải làm\tNội dung")
				for _, x := range as {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", x.Due.FormatDMY(), x.Severity, x.Rule, x.MemberName, x.ActingName, x.Detail)
				}
				tw.Flush()
				fmt.Fprintf(&b, "%d alerts on %s\n", len(as), day.FormatDMY())
				return a.emit(as, b.String())
			})
		},
	}
	c.Flags().StringVar(&at, "at", "", "look at this day (default today)")
	return c
}

func (a *app) reconcileCmd() *cobra.Command {
	var with, at string
	c := &cobra.Command{
		Use:   "reconcile --dir D [--with COMMITTEE_ID] [--at YYYY-MM-DD] [--json]",
		Short: "Reconcile member lists with subordinates or the superior, as held here",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var wid schema.CommitteeID
			if with != "" {
				var err error
				if wid, err = schema.ParseCommitteeID(with); err != nil {
					return usagef("--with: %v", err)
				}
			}
			return a.withNode(func(s *session) error {
				day, err := dateFlag("at", at, s.node.TodayDate())
				if err != nil {
					return err
				}
				if wid != "" {
					if _, ok := s.store.Directory().Current(wid); !ok {
						return fmt.Errorf("committee %s is not in the directory", wid)
					}
				}
				ds, err := s.node.Reconcile(wid, day, s.rules)
				if err != nil {
					return err
				}
				var b strings.Builder
				for _, d := range ds {
					fmt.Fprintf(&b, "%-32s %s  %s\n", d.Kind, d.CommitteeName, d.Detail)
				}
				fmt.Fprintf(&b, "%d discrepancies\n", len(ds))
				return a.emit(ds, b.String())
			})
		},
	}
	c.Flags().StringVar(&with, "with", "", "a subordinate (its subtree only) or the superior committee")
	c.Flags().StringVar(&at, "at", "", "as of this day (default today)")
	return c
}

func (a *app) statsCmd() *cobra.Command {
	var from, to string
	c := &cobra.Command{
		Use:   "stats --dir D [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]",
		Short: "Headcounts, movements, exemption rates and ratings by unit",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withNode(func(s *session) error {
				today := s.node.TodayDate()
				end, err := dateFlag("to", to, today)
				if err != nil {
					return err
				}
				start, err := dateFlag("from", from, calendar.NewDate(end.Year, 1, 1))
				if err != nil {
					return err
				}
				if end.Before(start) {
					return usagef("--to %s is before --from %s", end, start)
				}
				st, err := s.node.Stats(start, end)
				if err != nil {
					return err
				}
				var b strings.Builder
				tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "Đơn vị\tChính thức\tTạm thời\tDự bị\tMiễn\tTỉ lệ miễn\tKết nạp\tChuyển đến\tChuyển đi")
				for _, u := range append(st.Units, st.Total) {
					fmt.Fprintf(tw, "%s%s\t%d\t%d\t%d\t%d\t%.1f%%\t%d\t%d\t%d\n", strings.Repeat("  ", u.Depth), u.Name, u.Official, u.Temporary,
						u.Probationary, u.Exempt, 100*u.ExemptionRate, u.Movements.Admitted, u.Movements.TransferredIn, u.Movements.TransferredOut)
				}
				tw.Flush()
				return a.emit(st, b.String())
			})
		},
	}
	c.Flags().StringVar(&from, "from", "", "start of the period for movements (default 1 January)")
	c.Flags().StringVar(&to, "to", "", "end of the period (default today)")
	return c
}
