package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"lienthong/crdt"
	"lienthong/internal/p2p"
	"lienthong/internal/replica"
	"lienthong/internal/store"
	"lienthong/schema"
)

// NetOptions configure a node's networking.
type NetOptions struct {
	Listen    []string // multiaddrs (p2p.DefaultListen when empty)
	Bootstrap []string // full multiaddrs of peers to keep connected (the superior office)
	MDNS      bool
	// RelayService: offer circuit relay v2 to others (superior offices).
	RelayService bool
	// AntiEntropy is the period of the background pull from every
	// connected peer and of reconnecting to bootstrap peers.
	AntiEntropy time.Duration
	// SyncTimeout is how long a sync stream may stay silent (no frame read
	// or written) before it is cut; a long catch-up that keeps moving is
	// never cut.
	SyncTimeout time.Duration
	// ProgressLog is how often a pull still running logs its progress
	// (ops and bytes received, feed entries pending).
	ProgressLog time.Duration
	Logger      *slog.Logger
}

// DefaultNetOptions returns the defaults of the daemon.
func DefaultNetOptions() NetOptions {
	return NetOptions{MDNS: true, AntiEntropy: 30 * time.Second, SyncTimeout: 2 * time.Minute, ProgressLog: 5 * time.Second}
}

// ErrRelayedOnly: a peer is connected only through a circuit relay and no
// direct connection could be made. Sync runs over direct connections only:
// a relayed connection is limited (relay v2 cuts it after 2 minutes or 128
// KiB each way by default) and spends the relaying office's bandwidth; it
// serves to find the peer and to coordinate hole punching. The node dials
// the peer's announced addresses when such a connection opens and on every
// pull; until one answers, or hole punching succeeds, ledgers travel through
// a superior both sites sync with.
var ErrRelayedOnly = errors.New("connected only through a relay; sync needs a direct connection")

// directDial bounds an attempt to replace a relayed connection with a
// direct one (and so how long Close may wait for one).
const directDial = 5 * time.Second

// PeerStatus is what the node knows of a peer's sync.
type PeerStatus struct {
	ID        string   `json:"peer"`
	Name      string   `json:"name,omitempty"`
	Connected bool     `json:"connected"`
	Syncing   bool     `json:"syncing"`
	LastSync  string   `json:"last_sync,omitempty"`
	Pending   uint64   `json:"pending"` // feed entries of the peer still to scan, as last seen
	Received  uint64   `json:"received"`
	Sent      uint64   `json:"sent"`
	BytesIn   uint64   `json:"bytes_in"`  // since the node started
	BytesOut  uint64   `json:"bytes_out"` // since the node started
	LastError string   `json:"last_error,omitempty"`
	Addrs     []string `json:"addrs,omitempty"`
}

type peerState struct {
	// pulling serialises pulls from the peer: a pull on connect and a
	// SyncOnce must not both fetch (and checkpoint) the same ops.
	pulling           sync.Mutex
	syncing, again    bool
	progress          replica.Progress
	lastErr           error
	sent              uint64
	bytesIn, bytesOut uint64
	// collect, while SyncOnce calls with the peer run, add up what every
	// pull from it brings: the pull on connect may fetch what SyncOnce's own
	// pull then finds already here.
	collect []*replica.Stats
}

// Network runs a node's replication: the libp2p host, the sync server, a
// pull per peer on connect, on notice and periodically, and notices to
// connected peers after every commit. It owns its goroutines; Close stops
// them and the host.
type Network struct {
	node   *Node
	st     *store.Store
	host   *p2p.Host
	opts   NetOptions
	server *replica.Server
	log    *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	peers  map[peer.ID]*peerState
	served map[peer.ID]chan uint64 // SyncOnce waiting for a peer's pull: positions served

	// dialing is held (read) during direct dials and (write) by Close
	// around closing the host: libp2p v0.51 dereferences a nil transport
	// when its swarm closes while a dial that skips relays picks addresses.
	dialing sync.RWMutex

	// closing is set (under mu) when Close begins: no goroutine Close
	// waits for starts after that.
	closing   bool
	closeOnce sync.Once
}

// StartNetwork starts replication for node n over st.
func StartNetwork(n *Node, st *store.Store, opts NetOptions) (*Network, error) {
	if opts.AntiEntropy <= 0 {
		opts.AntiEntropy = DefaultNetOptions().AntiEntropy
	}
	if opts.SyncTimeout <= 0 {
		opts.SyncTimeout = DefaultNetOptions().SyncTimeout
	}
	if opts.ProgressLog <= 0 {
		opts.ProgressLog = DefaultNetOptions().ProgressLog
	}
	if opts.Logger == nil {
		opts.Logger = n.opts.Logger
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Network{node: n, st: st, opts: opts, log: opts.Logger, ctx: ctx, cancel: cancel, peers: map[peer.ID]*peerState{}, served: map[peer.ID]chan uint64{}}
	w.server = &replica.Server{Store: st, Logger: opts.Logger, OnNotify: w.onNotify, OnServed: w.onServed, ProgressLog: opts.ProgressLog}
	// The host dials relays and may accept peers before p2p.New returns;
	// pulls wait until w.host is set.
	started := make(chan struct{})
	host, err := p2p.New(p2p.Options{
		Key: n.signer.Key(), Listen: opts.Listen, Allow: w.allow, MDNS: opts.MDNS,
		RelayService: opts.RelayService, Relays: relayInfos(opts.Bootstrap),
		OnConnect: func(p peer.ID) {
			<-started
			w.schedule(p)
		}, Logger: opts.Logger,
	})
	if err != nil {
		cancel()
		close(started)
		return nil, err
	}
	w.host = host
	close(started)
	host.Handle(replica.ProtocolID, w.handle)
	changes := st.Subscribe()
	w.wg.Add(2)
	go w.notifyLoop(changes)
	go w.antiEntropyLoop()
	return w, nil
}

// relayInfos lists the bootstrap peers, each once with all its addresses,
// as the relays to hold a slot with.
func relayInfos(addrs []string) []peer.AddrInfo {
	var out []peer.AddrInfo
	for _, a := range addrs {
		pi, err := peer.AddrInfoFromString(a)
		if err != nil {
			continue
		}
		if i := slices.IndexFunc(out, func(o peer.AddrInfo) bool { return o.ID == pi.ID }); i >= 0 {
			out[i].Addrs = append(out[i].Addrs, pi.Addrs...)
			continue
		}
		out = append(out, *pi)
	}
	return out
}

// allow admits peers with a valid, unrevoked charter chain. The gater calls
// it from the moment the host starts, before w.host is set.
func (w *Network) allow(p peer.ID) bool {
	id := schema.CommitteeID(p.String())
	if id == w.node.ID() {
		return true
	}
	return w.st.Directory().ActiveAt(id, crdt.Now) == nil
}

// Host is the libp2p host.
func (w *Network) Host() *p2p.Host { return w.host }

// Addrs lists the node's full multiaddrs.
func (w *Network) Addrs() []string { return w.host.Addrs() }

func (w *Network) handle(s network.Stream) {
	// Close waits for the handler: the store may be closed right after,
	// and a sync served from a closed store would crash the process.
	if !w.enter() {
		s.Reset()
		return
	}
	defer w.wg.Done()
	defer s.Close()
	p := schema.CommitteeID(s.Conn().RemotePeer().String())
	if s.Conn().Stat().Limited {
		w.log.Debug("refusing sync over a relayed connection", "peer", p.Short())
		s.Reset()
		return
	}
	if err := w.server.Serve(w.ctx, idle(s, w.opts.SyncTimeout), p); err != nil {
		w.logFailure("sync request failed", p, err)
		s.Reset()
	}
}

func (w *Network) onNotify(p schema.CommitteeID, _ uint64) {
	if pid, err := p.PeerID(); err == nil {
		w.schedule(pid)
	}
}

func (w *Network) onServed(p schema.CommitteeID, seq uint64, ops int, bytes int64) {
	pid, err := p.PeerID()
	if err != nil {
		return
	}
	w.mu.Lock()
	w.state(pid).sent += uint64(ops)
	w.state(pid).bytesOut += uint64(bytes)
	if ch, ok := w.served[pid]; ok {
		select {
		case ch <- seq:
		default:
		}
	}
	w.mu.Unlock()
	w.st.UpdatePeer(string(p), func(r *store.PeerRecord) {
		r.Sent += uint64(ops)
		r.Served = max(r.Served, seq)
	})
	w.log.Info("served sync", "peer", p.Short(), "ops", ops, "bytes", bytes, "position", seq)
}

func (w *Network) state(p peer.ID) *peerState {
	ps, ok := w.peers[p]
	if !ok {
		ps = &peerState{}
		w.peers[p] = ps
	}
	return ps
}

// schedule runs a pull from p now, or again right after the running one.
func (w *Network) schedule(p peer.ID) {
	if p == w.host.ID() || w.ctx.Err() != nil {
		return
	}
	w.mu.Lock()
	ps := w.state(p)
	if ps.syncing {
		ps.again = true
		w.mu.Unlock()
		return
	}
	ps.syncing = true
	w.mu.Unlock()
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for {
			_, err := w.pull(w.ctx, p)
			w.mu.Lock()
			ps.lastErr = err
			if !ps.again || w.ctx.Err() != nil {
				ps.syncing = false
				w.mu.Unlock()
				return
			}
			ps.again = false
			w.mu.Unlock()
		}
	}()
}

// pull runs one sync from a connected peer.
func (w *Network) pull(ctx context.Context, p peer.ID) (replica.Stats, error) {
	w.mu.Lock()
	ps := w.state(p)
	w.mu.Unlock()
	ps.pulling.Lock()
	defer ps.pulling.Unlock()
	if w.host.IsRelayed(p) {
		err := w.connectDirect(p)
		if err == nil && !w.host.IsConnected(p) {
			err = errors.New("no direct connection resulted")
		}
		if err != nil {
			return replica.Stats{}, fmt.Errorf("peer %s: %w (dialing its own addresses: %v)", schema.CommitteeID(p.String()).Short(), ErrRelayedOnly, err)
		}
	}
	openCtx, cancel := context.WithTimeout(ctx, w.opts.SyncTimeout)
	s, err := w.host.Open(openCtx, p, replica.ProtocolID)
	cancel()
	if err != nil {
		if !w.host.IsConnected(p) && ctx.Err() == nil {
			// The peer's gater closes a connection once it knows who
			// dialed: libp2p then says only "connection failed".
			err = fmt.Errorf("peer %s closed the connection (%w): it refuses a committee its directory does not hold chartered, or holds revoked; check 'committee list' on both sides, or whether it is shutting down",
				schema.CommitteeID(p.String()).Short(), err)
		}
		return replica.Stats{}, err
	}
	defer s.Close()
	short := schema.CommitteeID(p.String()).Short()
	logged := time.Now()
	c := &replica.Client{Store: w.st, Self: w.node.ID(), Progress: func(pr replica.Progress) {
		w.mu.Lock()
		w.state(p).progress = pr
		w.mu.Unlock()
		if pr.Remaining > 0 && time.Since(logged) >= w.opts.ProgressLog {
			// A long catch-up says how it goes: done, and what is left of
			// the peer's feed (an upper bound of the ops to come: entries
			// out of this node's scope are skipped).
			logged = time.Now()
			args := []any{"peer", short, "received", pr.Received, "bytes", pr.Bytes, "pending", pr.Remaining}
			if pr.Received > 0 {
				args = append(args, "pending_bytes_about", pr.Bytes/int64(pr.Received)*int64(pr.Remaining))
			}
			w.log.Info("syncing", args...)
		}
	}}
	st, err := c.Pull(ctx, idle(s, w.opts.SyncTimeout), schema.CommitteeID(p.String()))
	w.mu.Lock()
	w.state(p).bytesIn += uint64(st.Bytes)
	for _, c := range w.state(p).collect {
		c.Merge(st)
	}
	w.mu.Unlock()
	if err != nil {
		s.Reset()
		w.logFailure("sync failed", schema.CommitteeID(p.String()), err)
		return st, err
	}
	if st.Received > 0 || st.Rejected > 0 {
		w.log.Info("synced", "peer", short, "received", st.Received,
			"applied", st.Applied, "rejected", st.Rejected, "bytes", st.Bytes, "elapsed", st.Elapsed)
	}
	w.st.UpdatePeer(p.String(), func(r *store.PeerRecord) { r.Addrs = w.host.PeerAddrs(p) })
	return st, nil
}

// connectDirect dials the addresses p announced, skipping relays. Its
// context is not the network's: a dial in progress ends on its own (within
// directDial) before Close closes the host.
func (w *Network) connectDirect(p peer.ID) error {
	w.dialing.RLock()
	defer w.dialing.RUnlock()
	if err := w.ctx.Err(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), directDial)
	defer cancel()
	return w.host.ConnectDirect(ctx, p)
}

// logFailure logs a failed exchange: a peer breaking the protocol or
// sending what is refused is a warning; a stream that broke because a peer
// went offline, or because this node is stopping, is routine.
func (w *Network) logFailure(msg string, p schema.CommitteeID, err error) {
	if w.ctx.Err() != nil {
		return
	}
	if errors.Is(err, replica.ErrProtocol) {
		w.log.Warn(msg, "peer", p.Short(), "err", err)
		return
	}
	w.log.Debug(msg, "peer", p.Short(), "err", err)
}

// notifyLoop tells connected peers about new ops, and drops peers that the
// directory no longer admits.
func (w *Network) notifyLoop(changes <-chan store.Change) {
	defer w.wg.Done()
	defer w.st.Unsubscribe(changes)
	for {
		select {
		case <-w.ctx.Done():
			return
		case c := <-changes:
			if c.Directory {
				for _, p := range w.host.Connected() {
					if !w.allow(p) {
						w.log.Warn("disconnecting a peer the directory no longer admits", "peer", p)
						w.host.ClosePeer(p)
					}
				}
			}
			for _, p := range w.host.Connected() {
				w.wg.Add(1)
				go func(p peer.ID) {
					defer w.wg.Done()
					w.notify(p, c.Seq)
				}(p)
			}
		}
	}
}

func (w *Network) notify(p peer.ID, seq uint64) {
	if !w.host.IsConnected(p) {
		return // relayed only: the pull it would start cannot run
	}
	ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
	defer cancel()
	s, err := w.host.Open(ctx, p, replica.ProtocolID)
	if err != nil {
		return
	}
	defer s.Close()
	s.SetDeadline(time.Now().Add(10 * time.Second))
	replica.Notify(s, seq)
}

// antiEntropyLoop reconnects to bootstrap and remembered peers and pulls
// from everyone connected, periodically.
func (w *Network) antiEntropyLoop() {
	defer w.wg.Done()
	w.reconnect()
	t := time.NewTicker(w.opts.AntiEntropy)
	defer t.Stop()
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-t.C:
			w.reconnect()
			for _, p := range w.host.Connected() {
				w.schedule(p)
			}
		}
	}
}

func (w *Network) reconnect() {
	addrs := slices.Clone(w.opts.Bootstrap)
	if recs, err := w.st.Peers(); err == nil {
		for id, r := range recs {
			pid, err := peer.Decode(id)
			if err != nil || w.host.IsConnected(pid) || !w.allow(pid) {
				continue
			}
			w.host.AddAddrs(pid, r.Addrs)
			addrs = append(addrs, "/p2p/"+id)
		}
	}
	for _, a := range addrs {
		ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
		if pi, err := peer.AddrInfoFromString(a); err == nil && w.host.IsConnected(pi.ID) {
			cancel()
			continue
		}
		if _, err := w.connectAny(ctx, a); err != nil {
			w.log.Debug("peer not reachable", "addr", a, "err", err)
		}
		cancel()
	}
}

func (w *Network) connectAny(ctx context.Context, addr string) (peer.ID, error) {
	if pi, err := peer.AddrInfoFromString(addr); err == nil && len(pi.Addrs) == 0 {
		return pi.ID, w.host.Libp2p().Connect(ctx, *pi)
	}
	return w.host.Connect(ctx, addr)
}

// SyncOnce connects to addr, pulls from the peer, tells it to pull from us,
// and waits (up to wait) until it holds everything we had. It returns what
// was received and the number of ops the peer took from us.
func (w *Network) SyncOnce(ctx context.Context, addr string, wait time.Duration) (replica.Stats, uint64, error) {
	pi, err := peer.AddrInfoFromString(addr)
	if err != nil {
		return replica.Stats{}, 0, fmt.Errorf("address %q: %w (want a multiaddr ending in /p2p/PEER_ID)", addr, err)
	}
	pid := pi.ID
	if !w.allow(pid) {
		return replica.Stats{}, 0, fmt.Errorf("peer %s is not a chartered committee of this network", pid)
	}
	// Listen for the peer's pulls before connecting: it pulls on connect.
	// What arrives is counted from now on, whichever pull brings it.
	start := time.Now()
	served := make(chan uint64, 64)
	received := &replica.Stats{}
	w.mu.Lock()
	w.served[pid] = served
	ps := w.state(pid)
	before := ps.sent
	ps.collect = append(ps.collect, received)
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.served, pid)
		ps.collect = slices.DeleteFunc(ps.collect, func(c *replica.Stats) bool { return c == received })
		w.mu.Unlock()
	}()
	if _, err := w.host.Connect(ctx, addr); err != nil {
		if ctx.Err() == nil {
			err = fmt.Errorf("%w\n(is the peer's node running, with 'lienthong serve', and listening at that address? its 'serve' prints its addresses)", err)
		}
		return replica.Stats{}, 0, err
	}
	own, err := w.pull(ctx, pid)
	w.mu.Lock()
	st := *received
	w.mu.Unlock()
	if st.Peer == "" {
		st = own
	}
	st.Elapsed = time.Since(start)
	if err != nil {
		return st, 0, err
	}
	head := w.st.Seq()
	w.notify(pid, head)
	timeout := time.After(wait)
wait:
	for {
		select {
		case seq := <-served:
			if seq >= head {
				break wait
			}
		case <-timeout:
			break wait
		case <-ctx.Done():
			return st, 0, ctx.Err()
		}
	}
	w.mu.Lock()
	sent := w.state(pid).sent - before
	w.mu.Unlock()
	return st, sent, nil
}

// Peers reports every peer known: connected ones and remembered ones.
func (w *Network) Peers() []PeerStatus {
	recs, _ := w.st.Peers()
	dir := w.st.Directory()
	ids := map[peer.ID]bool{}
	for _, p := range w.host.Connected() {
		ids[p] = true
	}
	for id := range recs {
		if pid, err := peer.Decode(id); err == nil {
			ids[pid] = true
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []PeerStatus
	for pid := range ids {
		rec := recs[pid.String()]
		ps := PeerStatus{ID: pid.String(), Connected: w.host.IsConnected(pid), Received: rec.Received, Sent: rec.Sent, Addrs: rec.Addrs}
		if ch, ok := dir.Current(schema.CommitteeID(pid.String())); ok {
			ps.Name = ch.Name
		}
		if rec.LastSync > 0 {
			ps.LastSync = time.UnixMilli(rec.LastSync).UTC().Format(time.RFC3339)
		}
		if st, ok := w.peers[pid]; ok {
			ps.Syncing = st.syncing
			ps.Pending = st.progress.Remaining
			ps.BytesIn, ps.BytesOut = st.bytesIn, st.bytesOut
			if st.lastErr != nil {
				ps.LastError = st.lastErr.Error()
			}
		}
		out = append(out, ps)
	}
	slices.SortFunc(out, func(a, b PeerStatus) int { return compareStrings(a.ID, b.ID) })
	return out
}

// Close stops replication and the host; it is idempotent.
func (w *Network) Close() error {
	var err error
	w.closeOnce.Do(func() {
		w.mu.Lock()
		w.closing = true
		w.mu.Unlock()
		w.cancel()
		w.dialing.Lock()
		err = w.host.Close()
		w.dialing.Unlock()
		w.wg.Wait()
	})
	return err
}

// enter counts a goroutine that Close waits for, unless Close has begun.
func (w *Network) enter() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closing {
		return false
	}
	w.wg.Add(1)
	return true
}

// Progress returns the latest progress of the sync with a peer.
func (w *Network) Progress(p peer.ID) replica.Progress {
	w.mu.Lock()
	defer w.mu.Unlock()
	if ps, ok := w.peers[p]; ok {
		return ps.progress
	}
	return replica.Progress{}
}

// idleStream cuts a stream that stays silent too long: each read and write
// pushes its deadline back.
type idleStream struct {
	network.Stream
	limit time.Duration
}

func idle(s network.Stream, limit time.Duration) *idleStream {
	return &idleStream{Stream: s, limit: limit}
}

func (s *idleStream) Read(p []byte) (int, error) {
	s.Stream.SetReadDeadline(time.Now().Add(s.limit))
	return s.Stream.Read(p)
}

func (s *idleStream) Write(p []byte) (int, error) {
	s.Stream.SetWriteDeadline(time.Now().Add(s.limit))
	return s.Stream.Write(p)
}
