package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"lienthong/schema"
)

func (a *app) committeeCmd() *cobra.Command {
	c := &cobra.Command{Use: "committee", Short: "Admit, revoke and list committees"}
	c.AddCommand(a.committeeAdmitCmd(), a.committeeRevokeCmd(), a.committeeListCmd(), a.committeeInviteCmd())
	return c
}

func (a *app) committeeAdmitCmd() *cobra.Command {
	var id, name, level, kind string
	c := &cobra.Command{
		Use:   "admit --dir D --id ID --name NAME --level LEVEL [--kind K]",
		Short: "Charter a child committee under this one",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cid, err := schema.ParseCommitteeID(id)
			if err != nil {
				return usagef("--id: %v (the child prints its ID with 'lienthong init' or 'lienthong id')", err)
			}
			if name == "" {
				return usagef("--name is required")
			}
			return a.withNode(func(s *session) error {
				op, err := s.node.Admit(cid, name, level, kind)
				if err != nil {
					return err
				}
				return a.emit(map[string]any{"id": cid, "op": op.String()},
					fmt.Sprintf("admitted %s (%s) under %s", name, cid, s.node.ID()))
			})
		},
	}
	f := c.Flags()
	f.StringVar(&id, "id", "", "the child committee's ID")
	f.StringVar(&name, "name", "", "the child committee's name")
	f.StringVar(&level, "level", "", "its level: district, commune, grassroots, cell, ...")
	f.StringVar(&kind, "kind", schema.CommitteeWorkplace, "workplace, residential or mixed")
	return c
}

func (a *app) committeeRevokeCmd() *cobra.Command {
	var id, reason string
	c := &cobra.Command{
		Use:   "revoke --dir D --id ID [--reason R]",
		Short: "Revoke the charter of a committee below this one",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cid, err := schema.ParseCommitteeID(id)
			if err != nil {
				return usagef("--id: %v", err)
			}
			return a.withNode(func(s *session) error {
				op, err := s.node.Revoke(cid, reason)
				if err != nil {
					return err
				}
				return a.emit(map[string]any{"id": cid, "op": op.String()}, fmt.Sprintf("revoked %s", cid))
			})
		},
	}
	c.Flags().StringVar(&id, "id", "", "the committee to revoke")
	c.Flags().StringVar(&reason, "reason", "", "why (kept in the directory)")
	return c
}

func (a *app) committeeListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list --dir D [--json]",
		Short: "List the committees of the network's directory",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withNode(func(s *session) error {
				cs := s.node.Committees()
				var b strings.Builder
				for _, c := range cs {
					state := ""
					if c.Revoked {
						state = "  [revoked " + c.RevokedOn + "]"
					}
					fmt.Fprintf(&b, "%s%s  (%s, %s)  %s%s\n", strings.Repeat("  ", c.Depth), c.Name, c.Level, c.Kind, c.ID, state)
				}
				return a.emit(cs, b.String())
			})
		},
	}
}
