package p2p

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/client"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/proto"
	ma "github.com/multiformats/go-multiaddr"
)

func key(t *testing.T) crypto.PrivKey {
	t.Helper()
	k, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func anyone(peer.ID) bool { return true }

func start(t *testing.T, o Options) *Host {
	t.Helper()
	if o.Key == nil {
		o.Key = key(t)
	}
	if o.Allow == nil {
		o.Allow = anyone
	}
	o.Listen = []string{"/ip4/127.0.0.1/tcp/0"}
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func info(t *testing.T, h *Host) peer.AddrInfo {
	t.Helper()
	pi, err := peer.AddrInfoFromString(h.Addrs()[0])
	if err != nil {
		t.Fatal(err)
	}
	return *pi
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func speaks(h *Host, p protocol.ID) bool { return slices.Contains(h.h.Mux().Protocols(), p) }

func reserved(relay *Host, p peer.ID) bool {
	ti := relay.h.ConnManager().GetTagInfo(p)
	return ti != nil && ti.Tags["relay-reservation"] > 0
}

// TestRelayServiceAndReservation: a host offering relay service serves the
// hop protocol without waiting for AutoNAT (which nothing in a committee
// network answers), and a host given it as a relay reserves a slot there,
// telling OnConnect of the connection it dialled while starting. A host
// that offers no relay service does not serve the hop protocol.
func TestRelayServiceAndReservation(t *testing.T) {
	relay := start(t, Options{RelayService: true})
	plain := start(t, Options{})
	waitUntil(t, "the relay serves the hop protocol", func() bool { return speaks(relay, proto.ProtoIDv2Hop) })
	var mu sync.Mutex
	var told []peer.ID
	site := start(t, Options{Relays: []peer.AddrInfo{info(t, relay)}, OnConnect: func(id peer.ID) {
		mu.Lock()
		told = append(told, id)
		mu.Unlock()
	}})
	waitUntil(t, "the site reserves a slot at the relay", func() bool { return reserved(relay, site.ID()) })
	waitUntil(t, "OnConnect hears of the relay", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(told, relay.ID())
	})
	if speaks(plain, proto.ProtoIDv2Hop) {
		t.Fatal("a host without relay service serves the hop protocol")
	}
	for _, a := range site.Addrs() {
		if pi, err := peer.AddrInfoFromString(a); err != nil || pi.ID != site.ID() || len(pi.Addrs) != 1 || isCircuitAddr(pi.Addrs[0]) {
			t.Fatalf("Addrs lists %q", a)
		}
	}
}

func isCircuitAddr(a ma.Multiaddr) bool {
	_, err := a.ValueForProtocol(ma.P_CIRCUIT)
	return err == nil
}

// TestRelayACL: the relay service admits only peers Allow admits, also for
// peers that connected before Allow changed (a committee revoked while
// connected): no reservation for them, and no circuit to or from them.
func TestRelayACL(t *testing.T) {
	var mu sync.Mutex
	refused := map[peer.ID]bool{}
	relay := start(t, Options{RelayService: true, Allow: func(p peer.ID) bool {
		mu.Lock()
		defer mu.Unlock()
		return !refused[p]
	}})
	refuse := func(p peer.ID) {
		mu.Lock()
		refused[p] = true
		mu.Unlock()
	}
	a, b, c := start(t, Options{}), start(t, Options{}), start(t, Options{})
	ri := info(t, relay)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	waitUntil(t, "the relay serves the hop protocol", func() bool { return speaks(relay, proto.ProtoIDv2Hop) })
	for _, h := range []*Host{a, b} {
		if _, err := client.Reserve(ctx, h.h, ri); err != nil {
			t.Fatalf("reservation refused to an admitted peer: %v", err)
		}
	}
	circuit := func(to *Host) string { return relay.Addrs()[0] + "/p2p-circuit/p2p/" + to.ID().String() }
	if _, err := c.Connect(ctx, circuit(a)); err != nil {
		t.Fatalf("an admitted peer could not reach another through the relay: %v", err)
	}
	s, err := c.h.NewStream(network.WithAllowLimitedConn(ctx, "test"), a.ID(), "/ipfs/ping/1.0.0")
	if err != nil {
		t.Fatalf("no stream through the relay: %v", err)
	}
	s.Reset()

	// c stays connected to the relay but is no longer admitted.
	refuse(c.ID())
	if _, err := client.Reserve(ctx, c.h, ri); err == nil {
		t.Fatal("the relay gave a slot to a peer it no longer admits")
	}
	if _, err := c.Connect(ctx, circuit(b)); err == nil {
		t.Fatal("the relay carried a circuit from a peer it no longer admits")
	}
	// b holds a slot but is no longer admitted: a is not relayed to it.
	refuse(b.ID())
	if _, err := a.Connect(ctx, circuit(b)); err == nil {
		t.Fatal("the relay carried a circuit to a peer it no longer admits")
	}
}

// TestHolePunchingService: every host runs libp2p's hole punching service.
// libp2p registers its /libp2p/dcutr handler only once the host has a
// public address, which loopback never gives, so the service is found on
// the host itself (an unexported field of libp2p's basic host; if libp2p
// renames it, this test says so).
func TestHolePunchingService(t *testing.T) {
	h := start(t, Options{})
	v := reflect.ValueOf(h.h)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	f := v.FieldByName("hps")
	if !f.IsValid() {
		t.Fatalf("libp2p's %s has no hps field any more: find another way to see its hole punching service", v.Type())
	}
	if f.IsNil() {
		t.Fatal("the host runs no hole punching service")
	}
	if speaks(h, "/libp2p/dcutr") {
		t.Fatal("/libp2p/dcutr is registered on a loopback-only host: libp2p now punches without a public address; test the upgrade itself")
	}
}

// TestMDNSPeersDialOnce: two hosts that find each other by mDNS at the same
// moment do not dial each other at once (on a LAN, two dials between
// listening ports can meet as one TCP simultaneous open on which both
// handshakes fail): the host with the smaller ID dials, the other finds
// the connection made and does not dial.
func TestMDNSPeersDialOnce(t *testing.T) {
	a, b := start(t, Options{}), start(t, Options{})
	ia, ib := info(t, a), info(t, b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); (&notifee{p: a, ctx: ctx}).HandlePeerFound(ib) }()
	go func() { defer wg.Done(); (&notifee{p: b, ctx: ctx}).HandlePeerFound(ia) }()
	wg.Wait()
	small, large := a, b
	if b.ID() < a.ID() {
		small, large = b, a
	}
	conns := small.h.Network().ConnsToPeer(large.ID())
	if len(conns) != 1 || conns[0].Stat().Direction != network.DirOutbound {
		t.Fatalf("want one connection, dialled by the host with the smaller ID; got %d", len(conns))
	}
}
