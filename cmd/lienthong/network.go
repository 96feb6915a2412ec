package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/spf13/cobra"

	"lienthong/crdt"
	"lienthong/internal/store"
	"lienthong/node"
	"lienthong/schema"
)

// withNetwork runs fn with the node's network: the daemon's, or one started
// for this command (on loopback-free random ports, no mDNS).
func (a *app) withNetwork(fn func(*session) error) error {
	return a.withBulkNode(func(s *session) error {
		if s.net != nil {
			return fn(s)
		}
		opts := node.DefaultNetOptions()
		opts.MDNS = false
		opts.Listen = []string{"/ip4/0.0.0.0/tcp/0"}
		opts.AntiEntropy = time.Hour
		w, err := node.StartNetwork(s.node, s.store, opts)
		if err != nil {
			return err
		}
		defer w.Close()
		s2 := *s
		s2.net = w
		return fn(&s2)
	})
}

func (a *app) syncCmd() *cobra.Command {
	var peerAddr string
	var wait time.Duration
	c := &cobra.Command{
		Use:   "sync --dir D --peer MULTIADDR",
		Short: "Sync once with a peer (both ways) and exit",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if peerAddr == "" {
				return usagef("--peer MULTIADDR is required (a full address ending in /p2p/PEER_ID; 'lienthong serve' prints it)")
			}
			return a.withNetwork(func(s *session) error {
				stop := a.syncProgress(s.net, peerAddr)
				st, sent, err := s.net.SyncOnce(cmd.Context(), peerAddr, wait)
				stop()
				if err != nil {
					return err
				}
				out := map[string]any{"peer": st.Peer, "received": st.Received, "applied": st.Applied,
					"duplicates": st.Dupes, "rejected": st.Rejected, "parked": st.Parked, "bytes": st.Bytes,
					"sent": sent, "elapsed_ms": st.Elapsed.Milliseconds(), "from": st.From, "to": st.To, "reasons": st.Reasons}
				human := fmt.Sprintf("synced with %s in %s: received %s (%d applied, %d already held, %d rejected, %d waiting), %d bytes; sent %s",
					st.Peer.Short(), st.Elapsed.Round(time.Millisecond), count(st.Received, "op"), st.Applied, st.Dupes, st.Rejected, st.Parked, st.Bytes, count(int(sent), "op"))
				for _, r := range st.Reasons {
					human += "\n  rejected: " + r
				}
				return a.emit(out, human)
			})
		},
	}
	c.Flags().StringVar(&peerAddr, "peer", "", "the peer's full multiaddr")
	c.Flags().DurationVar(&wait, "wait", 10*time.Second, "how long to wait for the peer to pull from us")
	return c
}

// syncProgress draws a progress bar of a running sync on a terminal; the
// returned function stops it.
func (a *app) syncProgress(w *node.Network, addr string) func() {
	pi, err := peer.AddrInfoFromString(addr)
	bar := a.progressBar(-1, "sync")
	if err != nil || bar == nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p := w.Progress(pi.ID)
				if p.Head > 0 {
					bar.ChangeMax64(int64(p.Head))
					bar.Set64(int64(p.Position))
					bar.Describe(fmt.Sprintf("sync: %d ops, %d KB", p.Received, p.Bytes>>10))
				}
			}
		}
	}()
	return func() {
		close(done)
		bar.Finish()
	}
}

func (a *app) peersCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "peers --dir D [--json]",
		Short: "List peers: connected, last sync, pending",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withNode(func(s *session) error {
				var ps []node.PeerStatus
				if s.net != nil {
					ps = s.net.Peers()
				} else {
					recs, err := s.store.Peers()
					if err != nil {
						return err
					}
					dir := s.store.Directory()
					for id, r := range recs {
						p := node.PeerStatus{ID: id, Received: r.Received, Sent: r.Sent, Addrs: r.Addrs}
						if ch, ok := dir.Current(schema.CommitteeID(id)); ok {
							p.Name = ch.Name
						}
						if r.LastSync > 0 {
							p.LastSync = time.UnixMilli(r.LastSync).UTC().Format(time.RFC3339)
						}
						ps = append(ps, p)
					}
				}
				if ps == nil {
					ps = []node.PeerStatus{}
				}
				var b strings.Builder
				for _, p := range ps {
					state := "offline"
					if p.Connected {
						state = "connected"
					}
					if p.Syncing {
						state = "syncing"
					}
					fmt.Fprintf(&b, "%-9s %s %s  last sync %s  pending %d  received %d  sent %d\n", state, p.ID, p.Name, orDash(p.LastSync), p.Pending, p.Received, p.Sent)
				}
				if len(ps) == 0 {
					b.WriteString("no peers yet\n")
				}
				return a.emit(ps, b.String())
			})
		},
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (a *app) tokenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "token --dir D",
		Short: "Print the operator's API token",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := a.openDir()
			if err != nil {
				return err
			}
			tok, err := d.Token()
			if err != nil {
				return err
			}
			return a.emit(map[string]any{"token": tok}, tok)
		},
	}
}

func (a *app) committeeInviteCmd() *cobra.Command {
	var id, out string
	var addrs []string
	c := &cobra.Command{
		Use:   "invite --dir P --id ID --out FILE [--addr MULTIADDR]...",
		Short: "Write the join file for a committee this one admitted",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cid, err := schema.ParseCommitteeID(id)
			if err != nil {
				return usagef("--id: %v", err)
			}
			if out == "" {
				return usagef("--out FILE is required")
			}
			return a.withNode(func(s *session) error {
				if len(addrs) == 0 {
					if s.net != nil {
						addrs = s.net.Addrs()
					} else {
						addrs = s.dir.Config.Addrs
					}
				}
				jf, err := s.node.Invite(cid, addrs)
				if err != nil {
					return err
				}
				b, err := json.MarshalIndent(jf, "", "  ")
				if err != nil {
					return err
				}
				if err := os.WriteFile(a.path(out), append(b, '\n'), 0o600); err != nil {
					return err
				}
				human := fmt.Sprintf("join file for %s written to %s (%d directory ops, %d bootstrap addresses)", cid, out, len(jf.Directory), len(jf.Bootstrap))
				if len(jf.Bootstrap) == 0 {
					human += "\nnote: no addresses of this node are known yet; run 'serve' once or pass --addr"
				}
				return a.emit(map[string]any{"file": out, "committee": cid, "bootstrap": jf.Bootstrap}, human)
			})
		},
	}
	c.Flags().StringVar(&id, "id", "", "the admitted committee's ID")
	c.Flags().StringVar(&out, "out", "", "join file to write")
	c.Flags().StringArrayVar(&addrs, "addr", nil, "address the new committee should dial (default: this node's)")
	return c
}

func (a *app) joinCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "join --dir D FILE",
		Short: "Join the network with the join file from the parent committee",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := a.openDir()
			if err != nil {
				return err
			}
			raw, err := os.ReadFile(a.path(args[0]))
			if err != nil {
				return err
			}
			var jf node.JoinFile
			if err := json.Unmarshal(raw, &jf); err != nil || jf.Format != node.JoinFormat {
				return fmt.Errorf("%s is not a lienthong join file", args[0])
			}
			if jf.Committee != string(d.Signer.ID()) {
				return fmt.Errorf("this join file is for committee %s, not this one (%s): ask the parent for the right file", jf.Committee, d.Signer.ID())
			}
			root, err := schema.ParseCommitteeID(jf.Root)
			if err != nil {
				return fmt.Errorf("join file: root: %w", err)
			}
			if d.Config.Root != "" && d.Config.Root != root {
				return fmt.Errorf("this node already belongs to the network rooted at %s", d.Config.Root)
			}
			envs := make([][]byte, len(jf.Directory))
			for i, e := range jf.Directory {
				if envs[i], err = base64.StdEncoding.DecodeString(e); err != nil {
					return fmt.Errorf("join file: directory op %d: %w", i+1, err)
				}
			}
			// The file is checked in memory first: one that does not verify
			// or does not charter this committee leaves the store as it was.
			if err := checkJoin(root, envs, jf.Issuer, d.Signer.ID()); err != nil {
				return err
			}
			so := store.DefaultOptions(root)
			so.InlineValues = true // the directory: a few ops
			st, err := store.Open(d.StorePath(), so)
			if err != nil {
				return err
			}
			defer st.Close()
			// Recorded as coming from the issuer, so they are not sent back.
			if _, _, err := st.Ingest(envs, jf.Issuer); err != nil {
				return err
			}
			d.Config.Root = root
			d.Config.Bootstrap = appendNew(d.Config.Bootstrap, jf.Bootstrap...)
			if err := d.SaveConfig(); err != nil {
				return err
			}
			ch, _ := st.Directory().Current(d.Signer.ID())
			return a.emit(map[string]any{"id": d.Signer.ID(), "root": root, "name": ch.Name, "bootstrap": d.Config.Bootstrap},
				fmt.Sprintf("joined the network as %s (%s); start the node with 'lienthong serve --dir %s'", ch.Name, d.Signer.ID(), a.dir))
		},
	}
}

// checkJoin applies a join file's directory ops to an empty store in
// memory and fails unless every one verifies and the directory charters
// self.
func checkJoin(root schema.CommitteeID, envs [][]byte, issuer string, self schema.CommitteeID) error {
	so := store.DefaultOptions(root)
	so.InMemory, so.SyncWrites = true, false
	st, err := store.Open("", so)
	if err != nil {
		return err
	}
	defer st.Close()
	res, _, err := st.Ingest(envs, issuer)
	if err != nil {
		return err
	}
	for _, r := range res {
		if r.Outcome == crdt.Rejected {
			return fmt.Errorf("join file: a directory op does not verify: %v", r.Err)
		}
	}
	if err := st.Directory().ActiveAt(self, crdt.Now); err != nil {
		return fmt.Errorf("the join file does not charter this committee: %w", err)
	}
	return nil
}

func appendNew(list []string, add ...string) []string {
	for _, x := range add {
		found := false
		for _, y := range list {
			found = found || x == y
		}
		if !found {
			list = append(list, x)
		}
	}
	return list
}
