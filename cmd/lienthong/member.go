package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"lienthong/internal/vnname"
	"lienthong/node"
	"lienthong/schema"
)

func (a *app) memberCmd() *cobra.Command {
	c := &cobra.Command{Use: "member", Short: "Add, change, show and list members"}
	c.AddCommand(a.memberAddCmd(), a.memberSetCmd(), a.memberCorrectCmd(), a.memberShowCmd(),
		a.memberListCmd(), a.memberHistoryCmd(), a.memberInactiveCmd())
	return c
}

func parseLedger(s string) (schema.LedgerID, error) {
	id, err := schema.ParseLedgerID(s)
	if err != nil {
		return id, usagef("%v (member IDs are printed by 'member add' and 'member list')", err)
	}
	return id, nil
}

func (a *app) memberAddCmd() *cobra.Command {
	var name, sex, born, card, citizen, admitted, full, home string
	var extra []string
	c := &cobra.Command{
		Use:   "add --dir D --name NAME --sex M|F --born YYYY-MM-DD [--card 8DIGITS] [--citizen-id 12DIGITS] [--admitted DATE] [--full DATE] [--home ID] [--field FIELD=VALUE]...",
		Short: "Create a member ledger; prints its ID",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fields, err := parseAssignments(extra)
			if err != nil {
				return err
			}
			for k, v := range map[string]string{"name": name, "sex": sex, "born": born, "card": card,
				"citizen_id": citizen, "admitted": admitted, "full": full} {
				if v != "" {
					fields[k] = v
				}
			}
			var homeID schema.CommitteeID
			if home != "" {
				if homeID, err = schema.ParseCommitteeID(home); err != nil {
					return usagef("--home: %v", err)
				}
			}
			return a.withNode(func(s *session) error {
				id, err := s.node.CreateMember(homeID, fields)
				if err != nil {
					return err
				}
				return a.emit(map[string]any{"id": id.String()}, id.String())
			})
		},
	}
	f := c.Flags()
	f.StringVar(&name, "name", "", "full name (Họ và tên)")
	f.StringVar(&sex, "sex", "", "M or F")
	f.StringVar(&born, "born", "", "date of birth, YYYY-MM-DD")
	f.StringVar(&card, "card", "", "party card number, 8 digits")
	f.StringVar(&citizen, "citizen-id", "", "citizen ID, 12 digits")
	f.StringVar(&admitted, "admitted", "", "admission date, YYYY-MM-DD")
	f.StringVar(&full, "full", "", "full membership date, YYYY-MM-DD")
	f.StringVar(&home, "home", "", "home committee ID (default: this committee)")
	f.StringArrayVar(&extra, "field", nil, "other record field as FIELD=VALUE (repeatable): "+strings.Join(schema.FieldNames(), ", "))
	return c
}

func (a *app) memberSetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set --dir D ID FIELD=VALUE...",
		Short: "Write record fields of a member (an empty VALUE clears the field)",
		Args:  minArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseLedger(args[0])
			if err != nil {
				return err
			}
			fields, err := parseAssignments(args[1:])
			if err != nil {
				return err
			}
			if err := schema.ValidateFields(fields); err != nil {
				return err
			}
			return a.withNode(func(s *session) error {
				op, err := s.node.SetFields(id, fields)
				if err != nil {
					return err
				}
				return a.emit(map[string]any{"id": id.String(), "op": op.String()}, "recorded as op "+op.Short())
			})
		},
	}
}

func (a *app) memberCorrectCmd() *cobra.Command {
	var opHex, reason string
	c := &cobra.Command{
		Use:   "correct --dir D ID --op OPID --reason R FIELD=VALUE...",
		Short: "Correct what an earlier op wrote (also resolves a conflict on those fields)",
		Args:  minArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseLedger(args[0])
			if err != nil {
				return err
			}
			target, err := schema.ParseOpID(opHex)
			if err != nil {
				return usagef("--op: %v ('member history' lists the ops)", err)
			}
			fields, err := parseAssignments(args[1:])
			if err != nil {
				return err
			}
			b := &schema.MemberCorrectBody{Target: target, Fields: fields, Reason: reason}
			if err := b.Validate(); err != nil {
				return err
			}
			return a.withNode(func(s *session) error {
				op, err := s.node.Correct(id, target, fields, reason)
				if err != nil {
					return err
				}
				return a.emit(map[string]any{"id": id.String(), "op": op.String()}, "correction recorded as op "+op.Short())
			})
		},
	}
	c.Flags().StringVar(&opHex, "op", "", "the op being corrected (64 hex digits)")
	c.Flags().StringVar(&reason, "reason", "", "why the correction is made")
	return c
}

func (a *app) memberShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show --dir D ID [--json]",
		Short: "Show a member: record, conflicts, home, status and history",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseLedger(args[0])
			if err != nil {
				return err
			}
			return a.withNode(func(s *session) error {
				m, err := s.node.Member(id)
				if err != nil {
					return err
				}
				return a.emit(m, showMember(m))
			})
		},
	}
}

func showMember(m *node.Member) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Mã hồ sơ (ID)\t%s\n", m.ID)
	fmt.Fprintf(tw, "Chi bộ/Đảng bộ quản lý (home)\t%s %s\n", m.HomeName, m.Home)
	fmt.Fprintf(tw, "Trạng thái (status)\t%s\n", m.Status)
	for _, f := range schema.Fields {
		if v, ok := m.Fields[f.Name]; ok {
			fmt.Fprintf(tw, "%s (%s)\t%s\n", f.Label, f.Name, v)
		}
	}
	tw.Flush()
	if len(m.Conflicts) > 0 {
		keys := make([]string, 0, len(m.Conflicts))
		for k := range m.Conflicts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("\nXung đột (conflicts): resolve with 'member correct' or 'member set'\n")
		for _, k := range keys {
			for _, alt := range m.Conflicts[k] {
				fmt.Fprintf(&b, "  %s = %q  by %s at %s (op %s)\n", k, alt.Value, schema.CommitteeID(alt.Author).Short(), alt.Time, alt.Op[:12])
			}
		}
	}
	b.WriteString("\nLịch sử (history)\n")
	for _, h := range m.History {
		fmt.Fprintf(&b, "  %s  %-15s %s  %s\n", h.Time[:19], h.Kind, h.Op[:12], describe(h))
	}
	return b.String()
}

func describe(h node.HistoryEntry) string {
	var parts []string
	keys := make([]string, 0, len(h.Changes))
	for k := range h.Changes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%q", k, h.Changes[k]))
	}
	if h.Movement != nil {
		parts = append(parts, fmt.Sprintf("%s on %s", h.Movement.Type, h.Movement.Date))
		if h.Movement.Reason != "" {
			parts = append(parts, "reason: "+h.Movement.Reason)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(h.Detail)) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, h.Detail[k]))
	}
	if h.Corrects != "" {
		parts = append(parts, fmt.Sprintf("corrects %s: %s", h.Corrects[:12], h.Reason))
	}
	by := h.AuthorName
	if by == "" {
		by = schema.CommitteeID(h.Author).Short()
	}
	return strings.Join(parts, ", ") + "  — " + by
}

func (a *app) memberListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list --dir D [--json]",
		Short: "List the members this node holds (sorted by given name)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withNode(func(s *session) error {
				return a.listMembers(s.node)
			})
		},
	}
}

// listMembers prints the members n holds, sorted by given name: with
// --json an array of their views, else a table. Each view is turned into
// its JSON or its table row as it is read, and only that is kept until
// the sort, not the view (a tenth of the memory at 100,000 members).
func (a *app) listMembers(n *node.Node) error {
	type listed struct {
		name string
		out  []byte // the view's JSON (--json) or its table row
	}
	var items []listed
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ") // as an element of the array emit would print
	var encErr error
	err := n.EachMember(func(m *node.Member) bool {
		buf.Reset()
		if a.json {
			if encErr = enc.Encode(m); encErr != nil {
				return false
			}
			buf.Truncate(buf.Len() - 1) // Encode's newline
		} else {
			fmt.Fprintf(&buf, "%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Fields["name"], m.Fields["born"], m.Fields["card"], m.Status, m.HomeName)
		}
		items = append(items, listed{m.Fields["name"], bytes.Clone(buf.Bytes())})
		return true
	})
	if err = cmp.Or(err, encErr); err != nil {
		return err
	}
	vnname.Sort(items, func(it listed) string { return it.name })
	w := bufio.NewWriter(a.out)
	if a.json {
		if len(items) == 0 {
			w.WriteString("[]\n")
		} else {
			w.WriteString("[\n  ")
			for i, it := range items {
				if i > 0 {
					w.WriteString(",\n  ")
				}
				w.Write(it.out)
			}
			w.WriteString("\n]\n")
		}
		return w.Flush()
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tHọ và tên\tNgày sinh\tSố thẻ\tTrạng thái\tNơi quản lý")
	for _, it := range items {
		tw.Write(it.out)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s\n", count(len(items), "member"))
	return w.Flush()
}

func (a *app) memberHistoryCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "history --dir D ID [--json]",
		Short: "List every op of a member's ledger: kind, author, time, what changed",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseLedger(args[0])
			if err != nil {
				return err
			}
			return a.withNode(func(s *session) error {
				hs, err := s.node.History(id)
				if err != nil {
					return err
				}
				var b strings.Builder
				for _, h := range hs {
					fmt.Fprintf(&b, "%s  %-15s %s  %s\n", h.Time[:19], h.Kind, h.Op[:12], describe(h))
				}
				return a.emit(hs, b.String())
			})
		},
	}
}

func (a *app) movementCmd() *cobra.Command {
	c := &cobra.Command{Use: "movement", Short: "Record movements: admitted, full, died, removed, expelled, resigned"}
	var typ, at, reason, decision string
	add := &cobra.Command{
		Use:   "add --dir D ID --type TYPE [--at YYYY-MM-DD] [--reason R] [--decision NUMBER]",
		Short: "Record a dated movement of a member",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseLedger(args[0])
			if err != nil {
				return err
			}
			return a.withNode(func(s *session) error {
				m := schema.MovementBody{Type: typ, Date: at, Reason: reason, Decision: decision}
				if m.Date == "" {
					m.Date = s.node.Today()
				}
				op, err := s.node.Move(id, m)
				if err != nil {
					return err
				}
				return a.emit(map[string]any{"id": id.String(), "op": op.String()}, "movement recorded as op "+op.Short())
			})
		},
	}
	f := add.Flags()
	f.StringVar(&typ, "type", "", "one of "+strings.Join(schema.MovementTypes, ", "))
	f.StringVar(&at, "at", "", "date of the movement, YYYY-MM-DD (default today)")
	f.StringVar(&reason, "reason", "", "reason")
	f.StringVar(&decision, "decision", "", "number of the decision")
	c.AddCommand(add)
	return c
}
