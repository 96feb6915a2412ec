// Package p2p is a committee node's libp2p host: TCP and QUIC with Noise,
// a connection gater that admits only chartered committees, resource
// limits, mDNS on the office LAN, bootstrap peers, circuit relay v2 and hole
// punching. It knows nothing of ops; node runs the sync protocol over the
// streams it opens and accepts.
//
// Relaying does not wait for AutoNAT. No committee node runs the AutoNAT
// service and the gater keeps every other peer out, so AutoNAT never
// reports reachability; libp2p starts a relay service only once the host is
// found public, and looks for relay slots only once reachability is
// reported. So a host offering relay service declares itself publicly
// reachable, and a host given relays declares itself behind NAT and holds a
// reservation with each of them that offers the service. libp2p announces
// circuit addresses only through relays' public addresses, and then leaves
// the host's own public addresses out of what it announces (not its
// private, LAN ones); Addrs still lists them.
//
// Hole punching (DCUtR) is enabled on every host, but libp2p registers
// /libp2p/dcutr and punches only once the host has a public address of its
// own or observed by peers; loopback and private (10/8, 172.16/12,
// 192.168/16) addresses never count.
package p2p

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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
	"github.com/libp2p/go-libp2p/p2p/host/autorelay"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	relayv2 "github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/relay"
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
	// RelayService makes this node a circuit relay v2 for chartered
	// committees (superior offices); the host declares itself publicly
	// reachable.
	RelayService bool
	// Relays are peers to reserve relay slots with (those that offer relay
	// service); unless RelayService is set, the host declares itself behind
	// NAT.
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

// relayACL lets only chartered committees reserve slots and relay to each
// other. The gater already keeps others from connecting at all; this also
// covers a committee revoked while connected.
type relayACL struct{ allow func(peer.ID) bool }

func (a relayACL) AllowReserve(p peer.ID, _ ma.Multiaddr) bool { return a.allow(p) }
func (a relayACL) AllowConnect(src peer.ID, _ ma.Multiaddr, dst peer.ID) bool {
	return a.allow(src) && a.allow(dst)
}

// relayRetry is how soon a reservation that failed (the superior offline,
// or not offering relay service) is tried again.
const relayRetry = time.Minute

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
	switch {
	case opts.RelayService:
		lo = append(lo, libp2p.ForceReachabilityPublic(),
			libp2p.EnableRelayService(relayv2.WithACL(relayACL{allow: opts.Allow})))
	case len(opts.Relays) > 0:
		lo = append(lo, libp2p.ForceReachabilityPrivate(),
			libp2p.EnableAutoRelayWithStaticRelays(opts.Relays, autorelay.WithBackoff(relayRetry)))
	}
	h, err := libp2p.New(lo...)
	if err != nil {
		return nil, fmt.Errorf("starting libp2p host: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Host{h: h, opts: opts, cancel: cancel}
	if opts.OnConnect != nil {
		call := func(id peer.ID) {
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				opts.OnConnect(id)
			}()
		}
		h.Network().Notify(&network.NotifyBundle{ConnectedF: func(_ network.Network, c network.Conn) { call(c.RemotePeer()) }})
		// Relays are dialled as the host starts, maybe before Notify.
		for _, id := range h.Network().Peers() {
			call(id)
		}
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

// mdnsYield is how long the host with the greater ID leaves a peer found by
// mDNS to dial it before dialing itself.
const mdnsYield = 2 * time.Second

// HandlePeerFound dials a chartered peer found on the LAN. Two hosts often
// find each other at the same moment (one's query crosses the other's
// announcement); dialing each other at once from their listening ports
// (TCP port reuse) makes one TCP simultaneous open on which both Noise
// handshakes fail, and mDNS reports the peer only once. So the host with
// the smaller ID dials at once and the other only if no connection has
// come by mdnsYield.
func (n *notifee) HandlePeerFound(pi peer.AddrInfo) {
	self := n.p.h.ID()
	if pi.ID == self || !n.p.opts.Allow(pi.ID) {
		return
	}
	if pi.ID < self {
		t := time.NewTimer(mdnsYield)
		defer t.Stop()
		select {
		case <-n.ctx.Done():
			return
		case <-t.C:
		}
		if n.p.h.Network().Connectedness(pi.ID) == network.Connected {
			return
		}
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

// Addrs lists the host's direct addresses (with /p2p/ID): where it
// listens, public ones included, never circuit addresses.
func (p *Host) Addrs() []string {
	var direct []ma.Multiaddr
	if h, ok := p.h.(interface{ AllAddrs() []ma.Multiaddr }); ok {
		direct = h.AllAddrs()
	} else {
		direct = p.h.Addrs()
	}
	direct = slices.DeleteFunc(slices.Clone(direct), func(a ma.Multiaddr) bool {
		_, err := a.ValueForProtocol(ma.P_CIRCUIT)
		return err == nil
	})
	addrs, err := peer.AddrInfoToP2pAddrs(&peer.AddrInfo{ID: p.h.ID(), Addrs: direct})
	if err != nil || len(direct) == 0 {
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

// IsConnected reports whether a direct connection to id is open.
func (p *Host) IsConnected(id peer.ID) bool {
	return p.h.Network().Connectedness(id) == network.Connected
}

// IsRelayed reports whether every open connection to id goes through a
// relay: a limited connection, on which libp2p opens no stream unless told
// to.
func (p *Host) IsRelayed(id peer.ID) bool {
	return p.h.Network().Connectedness(id) == network.Limited
}

// ConnectDirect dials the addresses id announced, skipping relays, even
// though a relayed connection to it is open. It must not run while the
// host closes: libp2p v0.51 dereferences a nil transport when its swarm
// closes while such a dial picks addresses.
func (p *Host) ConnectDirect(ctx context.Context, id peer.ID) error {
	return p.h.Connect(network.WithForceDirectDial(ctx, "a direct connection"), peer.AddrInfo{ID: id})
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
