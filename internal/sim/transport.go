package sim

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"lienthong/internal/replica"
	"lienthong/schema"
)

// syncTimeout bounds one simulated sync; a sync that takes longer hangs.
const syncTimeout = 2 * time.Minute

// errCut is what a cut connection returns to the client.
var errCut = errors.New("connection cut")

// errRefused: the server refused a revoked client.
var errRefused = errors.New("sync refused")

// cutConn delivers at most left bytes to the reader, then fails: the
// connection dropped in the middle of a sync.
type cutConn struct {
	net.Conn
	left int64
}

func (c *cutConn) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errCut
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.Conn.Read(p)
	c.left -= int64(n)
	return n, err
}

// pull runs one sync: client pulls from server over an in-memory pipe,
// through the real replica client and server. cutAfter > 0 cuts the
// connection after that many bytes reached the client. A cut sync returns
// errCut, and one the server refused because it knows the client is
// revoked errRefused.
func (w *Network) pull(client, server *site, cutAfter int64) (replica.Stats, error) {
	if err := w.joined(client, server); err != nil {
		return replica.Stats{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), syncTimeout)
	defer cancel()
	a, b := net.Pipe()
	deadline := time.Now().Add(syncTimeout)
	a.SetDeadline(deadline)
	b.SetDeadline(deadline)
	srv := &replica.Server{Store: server.st, OnServed: func(peer schema.CommitteeID, seq uint64, _ int, _ int64) {
		k := [2]int{client.idx, server.idx}
		w.served[k] = max(w.served[k], seq)
	}}
	done := make(chan error, 1)
	go func() {
		err := srv.Serve(ctx, b, client.id)
		b.Close()
		done <- err
	}()
	var rw io.ReadWriter = a
	cc := &cutConn{Conn: a, left: cutAfter}
	if cutAfter > 0 {
		rw = cc
	}
	cl := &replica.Client{Store: client.st, Self: client.id}
	st, err := cl.Pull(ctx, rw, server.id)
	a.Close()
	serr := <-done
	w.stats.Syncs++
	w.stats.Transferred += st.Received
	w.stats.Bytes += st.Bytes
	w.stats.Fetched += st.Fetched
	if cutAfter > 0 && cc.left <= 0 && err != nil {
		w.stats.Cut++
		return st, errCut
	}
	if err != nil && refuses(server, client) {
		w.stats.Refusals++
		return st, errRefused
	}
	if err != nil {
		return st, fmt.Errorf("sim: %s pulling from %s: %w", client, server, err)
	}
	if serr != nil {
		return st, fmt.Errorf("sim: %s serving %s: %w", server, client, serr)
	}
	return st, nil
}

// joined records, before the first sync of client from server, that client
// holds server's feed up to the end of the directory they joined with.
func (w *Network) joined(client, server *site) error {
	k := [2]int{client.idx, server.idx}
	if w.paired[k] {
		return nil
	}
	w.paired[k] = true
	cp, err := client.st.Checkpoint(string(server.id))
	if err != nil || cp > 0 {
		return err
	}
	return client.st.SetCheckpoint(string(server.id), uint64(len(w.charters)))
}

// rogue answers a pull from client with ops of its choosing, as a node
// running modified software would: every op it offers, whatever the
// request, and nothing else.
func (w *Network) rogue(client *site, rogueID schema.CommitteeID, envs [][]byte) (replica.Stats, error) {
	ctx, cancel := context.WithTimeout(context.Background(), syncTimeout)
	defer cancel()
	a, b := net.Pipe()
	deadline := time.Now().Add(syncTimeout)
	a.SetDeadline(deadline)
	b.SetDeadline(deadline)
	done := make(chan error, 1)
	go func() {
		done <- serveRogue(b, envs)
		b.Close()
	}()
	cl := &replica.Client{Store: client.st, Self: client.id}
	st, err := cl.Pull(ctx, a, rogueID)
	a.Close()
	<-done
	w.stats.Syncs++
	if err != nil {
		return st, fmt.Errorf("sim: %s pulling from a rogue peer: %w", client, err)
	}
	return st, nil
}

// serveRogue speaks the sync wire format (length-prefixed CBOR frames):
// a pull gets envs in one batch, a fetch gets nothing.
func serveRogue(rw io.ReadWriter, envs [][]byte) error {
	r := bufio.NewReader(rw)
	for {
		size, err := binary.ReadUvarint(r)
		if err != nil {
			return nil // the client is done
		}
		if size > replica.MaxFrame {
			return fmt.Errorf("request of %d bytes", size)
		}
		raw := make([]byte, size)
		if _, err := io.ReadFull(r, raw); err != nil {
			return err
		}
		var req replica.Request
		if err := schema.Unmarshal(raw, &req); err != nil {
			return err
		}
		switch req.Kind {
		case replica.KindPull:
			if err := writeFrame(rw, &replica.Batch{Ops: envs}); err != nil {
				return err
			}
			if err := writeFrame(rw, &replica.Batch{Done: true}); err != nil {
				return err
			}
		default:
			if err := writeFrame(rw, &replica.Batch{Done: true}); err != nil {
				return err
			}
		}
	}
}

func writeFrame(w io.Writer, v any) error {
	b, err := schema.Marshal(v)
	if err != nil {
		return err
	}
	frame := binary.AppendUvarint(nil, uint64(len(b)))
	_, err = w.Write(append(frame, b...))
	return err
}

// linkState is which links are down: tree links (a child and its parent,
// keyed by the child) and whole nodes gone offline, each until a round.
type linkState struct {
	cutUntil     []int // by child
	offlineUntil []int
}

func newLinkState(n int) linkState {
	return linkState{cutUntil: make([]int, n), offlineUntil: make([]int, n)}
}

func (l *linkState) online(i, round int) bool { return round >= l.offlineUntil[i] }

// treeLink reports whether child can talk with its parent.
func (l *linkState) treeLink(child, parent, round int) bool {
	return round >= l.cutUntil[child] && l.online(child, round) && l.online(parent, round)
}

func (l *linkState) heal() {
	clear(l.cutUntil)
	clear(l.offlineUntil)
}
