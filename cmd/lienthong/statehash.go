package main

import (
	"github.com/spf13/cobra"
)

func (a *app) stateHashCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "state-hash --dir D",
		Short: "Print the store-wide state hash (same ops, same hash, on any node)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withNode(func(s *session) error {
				h := s.node.StateHash().String()
				return a.emit(map[string]any{"state_hash": h}, h)
			})
		},
	}
}
