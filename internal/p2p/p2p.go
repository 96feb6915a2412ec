// Package p2p is a committee node's libp2p host: TCP and QUIC with Noise,
// a connection gater that admits only chartered committees, resource
// limits, mDNS on the office LAN, bootstrap peers, circuit relay v2 and hole
// punching. It knows nothing of ops; node runs the sync protocol over the
// streams it opens and accepts.
package p2p

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

// MDNSService is the mDNS service name of lienthong nodes.
const MDNSService = "lienthong"

// Options configure a host.
type Options struct {
	Key    crypto.PrivKey
	Listen []string // multiaddrs; DefaultListen when empty
	// Allow decides whether a peer may connect at all (a valid, unrevoked
	// charter chain). It runs before any protocol.
	Allow func(peer.ID) bool
	// MDNS enables discovery on the LAN.
	MDNS bool
	// RelayService makes this node a circuit relay v2 for others (superior
	// offices).
	RelayService bool
	// Relays are peers to reserve relay slots with when behind NAT.
	Relays []peer.AddrInfo
	// OnConnect is called (in its own goroutine) when a peer connects.
	OnConnect func(peer.ID)
	Logger    *slog.Logger
}

// DefaultListen listens on every interface, TCP and QUIC, on random ports.
var DefaultListen = []string{"/ip4/0.0.0.0/tcp/0", "/ip4/0.0.0.0/udp/0/quic-v1"}

// Host is a running libp2p host.
type Host struct {
	h      host.Host
	opts   Options
	mdns   mdns.Service
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// gater refuses every peer Allow refuses, at dial and after the secure
// handshake (when the remote key is known), before any stream.
type gater struct{ allow func(peer.ID) bool }

func (g gater) InterceptPeerDial(p peer.ID) bool                                { return g.allow(p) }
func (g gater) InterceptAddrDial(peer.ID, ma.Multiaddr) bool                    { return true }
func (g gater) InterceptAccept(network.ConnMultiaddrs) bool                     { return true }
func (g gater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }
func (g gater) InterceptSecured(_ network.Direction, p peer.ID, _ network.ConnMultiaddrs) bool {
	return g.allow(p)
}

// limits bound what one peer can make the node hold.
func limits() rcmgr.ConcreteLimitConfig {
	peerLimits := rcmgr.ResourceLimits{
		Streams: 64, StreamsInbound: 32, StreamsOutbound: 32,
		Conns: 8, ConnsInbound: 4, ConnsOutbound: 4,
		Memory: 64 << 20,
	}
	return rcmgr.PartialLimitConfig{PeerDefault: peerLimits}.Build(rcmgr.DefaultLimits.AutoScale())
}

// New starts a host.
func New(opts Options) (*Host, error) {
	if opts.Key == nil || opts.Allow == nil {
		return nil, errors.New("p2p: Key and Allow are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	listen := opts.Listen
	if len(listen) == 0 {
		listen = DefaultListen
	}
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(limits()))
	if err != nil {
		return nil, err
	}
	lo := []libp2p.Option{
		libp2p.Identity(opts.Key),
		libp2p.ListenAddrStrings(listen...),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(quic.NewTransport),
		libp2p.ConnectionGater(gater{allow: opts.Allow}),
		libp2p.ResourceManager(rm),
		libp2p.EnableHolePunching(),
		libp2p.DisableMetrics(),
	}
	if opts.RelayService {
		lo = append(lo, libp2p.EnableRelayService())
	}
	if len(opts.Relays) > 0 {
		lo = append(lo, libp2p.EnableAutoRelayWithStaticRelays(opts.Relays))
	}
	h, err := libp2p.New(lo...)
	if err != nil {
		return nil, fmt.Errorf("starting libp2p host: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Host{h: h, opts: opts, cancel: cancel}
	if opts.OnConnect != nil {
		h.Network().Notify(&network.NotifyBundle{ConnectedF: func(_ network.Network, c network.Conn) {
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				opts.OnConnect(c.RemotePeer())
			}()
		}})
	}
	if opts.MDNS {
		p.mdns = mdns.NewMdnsService(h, MDNSService, &notifee{p: p, ctx: ctx})
		if err := p.mdns.Start(); err != nil {
			opts.Logger.Warn("mDNS discovery not started", "err", err)
			p.mdns = nil
		}
	}
	return p, nil
}

type notifee struct {
	p   *Host
	ctx context.Context
}

func (n *notifee) HandlePeerFound(pi peer.AddrInfo) {
	if pi.ID == n.p.h.ID() || !n.p.opts.Allow(pi.ID) {
		return
	}
	ctx, cancel := context.WithTimeout(n.ctx, 10*time.Second)
	defer cancel()
	if err := n.p.h.Connect(ctx, pi); err != nil {
		n.p.opts.Logger.Debug("mDNS peer not reachable", "peer", pi.ID, "err", err)
	}
}

// ID is the host's peer ID.
func (p *Host) ID() peer.ID { return p.h.ID() }

// Libp2p exposes the underlying host.
func (p *Host) Libp2p() host.Host { return p.h }

// Addrs lists the host's full addresses (with /p2p/ID).
func (p *Host) Addrs() []string {
	addrs, err := peer.AddrInfoToP2pAddrs(&peer.AddrInfo{ID: p.h.ID(), Addrs: p.h.Addrs()})
	if err != nil {
		return nil
	}
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}

// Connect dials a peer given a full multiaddr (with /p2p/ID).
func (p *Host) Connect(ctx context.Context, addr string) (peer.ID, error) {
	pi, err := peer.AddrInfoFromString(addr)
	if err != nil {
		return "", fmt.Errorf("address %q: %w (want a multiaddr ending in /p2p/PEER_ID)", addr, err)
	}
	if err := p.h.Connect(ctx, *pi); err != nil {
		return pi.ID, fmt.Errorf("connecting to %s: %w", pi.ID, err)
	}
	return pi.ID, nil
}

// Handle registers a stream handler.
func (p *Host) Handle(proto string, fn func(network.Stream)) {
	p.h.SetStreamHandler(protocol.ID(proto), fn)
}

// Open opens a stream to a connected (or known) peer.
func (p *Host) Open(ctx context.Context, id peer.ID, proto string) (network.Stream, error) {
	return p.h.NewStream(ctx, id, protocol.ID(proto))
}

// Connected lists the peers with an open connection.
func (p *Host) Connected() []peer.ID { return p.h.Network().Peers() }

// IsConnected reports whether a connection to id is open.
func (p *Host) IsConnected(id peer.ID) bool {
	return p.h.Network().Connectedness(id) == network.Connected
}

// ClosePeer drops every connection to a peer (e.g. after its revocation).
func (p *Host) ClosePeer(id peer.ID) error { return p.h.Network().ClosePeer(id) }

// PeerAddrs lists the addresses known for a peer.
func (p *Host) PeerAddrs(id peer.ID) []string {
	var out []string
	for _, a := range p.h.Peerstore().Addrs(id) {
		out = append(out, a.String())
	}
	return out
}

// AddAddrs remembers addresses for a peer.
func (p *Host) AddAddrs(id peer.ID, addrs []string) {
	for _, s := range addrs {
		if a, err := ma.NewMultiaddr(s); err == nil {
			p.h.Peerstore().AddAddr(id, a, time.Hour)
		}
	}
}

// Close stops discovery and the host; it is idempotent.
func (p *Host) Close() error {
	var err error
	p.once.Do(func() {
		p.cancel()
		if p.mdns != nil {
			p.mdns.Close()
		}
		err = p.h.Close()
		p.wg.Wait()
	})
	return err
}
