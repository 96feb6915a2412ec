package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"lienthong/internal/api"
	"lienthong/internal/datadir"
	"lienthong/internal/metrics"
	"lienthong/internal/store"
	"lienthong/internal/ui"
	"lienthong/node"
)

// DefaultHTTP is the daemon's API and UI address unless configured.
const DefaultHTTP = "127.0.0.1:8720"

type serveFlags struct {
	listen, bootstrap []string
	http, logFormat   string
	noMDNS, relay     bool
	logLevel          string
}

func (a *app) serveCmd() *cobra.Command {
	var f serveFlags
	c := &cobra.Command{
		Use:   "serve --dir D [--listen MULTIADDR]... [--http HOST:PORT] [--bootstrap MULTIADDR]... [--no-mdns]",
		Short: "Run the node: sync with other committees over libp2p, serve the API and UI",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.needDir(); err != nil {
				return err
			}
			// The config file's settings apply where no flag says otherwise.
			if d, err := datadir.Open(a.dir); err == nil {
				if !cmd.Flags().Changed("log-format") && d.Config.LogFormat != "" {
					f.logFormat = d.Config.LogFormat
				}
				if !cmd.Flags().Changed("log-level") && d.Config.LogLevel != "" {
					f.logLevel = d.Config.LogLevel
				}
			}
			return a.serve(cmd.Context(), f)
		},
	}
	fl := c.Flags()
	fl.StringArrayVar(&f.listen, "listen", nil, "libp2p listen multiaddr (repeatable; default: all interfaces, TCP and QUIC)")
	fl.StringVar(&f.http, "http", "", "API and UI address (default "+DefaultHTTP+", or the config file's)")
	fl.StringArrayVar(&f.bootstrap, "bootstrap", nil, "peer to keep connected, e.g. the superior office (repeatable, full multiaddr with /p2p/ID)")
	fl.BoolVar(&f.noMDNS, "no-mdns", false, "do not discover peers on the LAN with mDNS")
	fl.BoolVar(&f.relay, "relay", false, "offer circuit relay v2 to committees behind NAT (superior offices)")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	return c
}

func newLogger(format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, usagef("--log-format %q: want text or json", format)
}

// liveNode is a node with its network and API running.
type liveNode struct {
	sess  *session
	http  *http.Server
	url   string
	token string
}

// startLive opens the node in dir and starts its network and HTTP API.
func startLive(dir string, f serveFlags, log *slog.Logger) (*liveNode, error) {
	d, err := datadir.Open(dir)
	if err != nil {
		return nil, err
	}
	rules, err := reportConfig(d.Config)
	if err != nil {
		return nil, err
	}
	so := store.DefaultOptions(d.Config.Root)
	so.Logger = log
	st, err := d.OpenStore(so)
	if err != nil {
		return nil, err
	}
	no := node.DefaultOptions()
	no.Logger = log
	n, err := node.New(st, d.Signer, no)
	if err != nil {
		st.Close()
		return nil, err
	}
	nopts := node.DefaultNetOptions()
	nopts.Logger = log
	nopts.Listen = firstNonEmpty(f.listen, d.Config.Listen)
	nopts.Bootstrap = append(append([]string(nil), d.Config.Bootstrap...), f.bootstrap...)
	nopts.MDNS = !f.noMDNS && (d.Config.MDNS == nil || *d.Config.MDNS)
	nopts.RelayService = f.relay || d.Config.Relay
	w, err := node.StartNetwork(n, st, nopts)
	if err != nil {
		st.Close()
		return nil, err
	}
	sess := &session{dir: d, store: st, node: n, net: w, rules: rules}
	tok, err := d.Token()
	if err != nil {
		sess.closeAll()
		return nil, err
	}
	addr := firstNonEmpty([]string{f.http}, []string{d.Config.HTTP}, []string{DefaultHTTP})[0]
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		sess.closeAll()
		return nil, fmt.Errorf("HTTP address %s: %w (choose another with --http HOST:PORT)", addr, err)
	}
	srv := api.New(api.Options{Token: tok, Node: n, Net: w, CLI: runInDaemon(sess), Logger: log, Backup: st.Backup, Report: rules, UI: ui.FS,
		Metrics: metrics.Handler(metrics.Sources{Node: n, Store: st, Net: w, Report: rules}), Health: func() map[string]any {
			return map[string]any{"id": n.ID(), "state_hash": n.StateHash().String(), "peers": len(w.Host().Connected())}
		}})
	// Keep the ports for next time, so that peers and clerks find the node
	// at the same addresses after a restart.
	d.Config.Listen = listenOf(w.Addrs())
	d.Config.HTTP = ln.Addr().String()
	d.Config.Addrs = w.Addrs()
	if err := d.SaveConfig(); err != nil {
		log.Warn("could not save the config", "err", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	live := &liveNode{sess: sess, http: hs, url: "http://" + ln.Addr().String(), token: tok}
	if err := d.WriteDaemon(datadir.Daemon{PID: os.Getpid(), HTTP: ln.Addr().String(), ID: string(n.ID()), Addrs: w.Addrs()}); err != nil {
		live.stop()
		return nil, err
	}
	return live, nil
}

func (s *session) closeAll() {
	if s.net != nil {
		s.net.Close()
	}
	s.store.Close()
}

func (l *liveNode) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l.http.Shutdown(ctx)
	l.sess.dir.RemoveDaemon()
	l.sess.closeAll()
}

func firstNonEmpty(lists ...[]string) []string {
	for _, l := range lists {
		if len(l) > 0 && l[0] != "" {
			return l
		}
	}
	return nil
}

// listenOf turns full addresses into listen addresses on every interface.
func listenOf(addrs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range addrs {
		a, _, _ = strings.Cut(a, "/p2p/")
		parts := strings.Split(a, "/")
		if len(parts) > 2 && parts[1] == "ip4" {
			parts[2] = "0.0.0.0"
		}
		l := strings.Join(parts, "/")
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

func (a *app) serve(ctx context.Context, f serveFlags) error {
	if err := a.needDir(); err != nil {
		return err
	}
	log, err := newLogger(f.logFormat, f.logLevel)
	if err != nil {
		return err
	}
	live, err := startLive(a.dir, f, log)
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return fmt.Errorf("%w; is a daemon already serving %s?", err, a.dir)
		}
		return err
	}
	defer live.stop()
	n := live.sess.node
	log.Info("serving", "id", n.ID(), "addrs", live.sess.net.Addrs(), "http", live.url)
	var b strings.Builder
	fmt.Fprintf(&b, "committee %s\n", n.ID())
	for _, ad := range live.sess.net.Addrs() {
		fmt.Fprintf(&b, "  listening on %s\n", ad)
	}
	fmt.Fprintf(&b, "  API and UI on %s\n", live.url)
	if err := a.emitLine(map[string]any{"id": n.ID(), "addrs": live.sess.net.Addrs(), "http": live.url}, b.String()); err != nil {
		return err
	}
	<-ctx.Done()
	log.Info("shutting down")
	return nil
}
