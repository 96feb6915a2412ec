package replica

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"lienthong/crdt"
	"lienthong/internal/store"
	"lienthong/schema"
)

// Progress reports a running sync with one peer.
type Progress struct {
	Peer      schema.CommitteeID
	Received  int    // ops received so far
	Bytes     int64  // bytes received so far
	Position  uint64 // how far into the peer's feed we hold everything
	Head      uint64 // the peer's feed head when the pull began
	Remaining uint64 // feed entries still to scan on the peer
}

// Stats is what one sync did.
type Stats struct {
	Peer     schema.CommitteeID `json:"peer"`
	From     uint64             `json:"from"`
	To       uint64             `json:"to"`
	Received int                `json:"received"`
	Applied  int                `json:"applied"`
	Dupes    int                `json:"duplicates"`
	Parked   int                `json:"parked"`
	Rejected int                `json:"rejected"`
	Fetched  int                `json:"fetched_ledgers"`
	Bytes    int64              `json:"bytes"`
	Elapsed  time.Duration      `json:"elapsed_ns"`
	Reasons  []string           `json:"reasons,omitempty"` // rejection reasons (first few)

	// gained and stake are what the end of a pull said: the ledgers the
	// server knows we became a stakeholder of, through which position.
	gained []schema.LedgerID
	stake  uint64
}

// Merge adds the counts of a later exchange with the same peer to st: the
// span runs from st's first position to o's last.
func (st *Stats) Merge(o Stats) {
	if st.Peer == "" {
		*st = o
		st.Reasons = slices.Clone(o.Reasons)
		return
	}
	st.From, st.To = min(st.From, o.From), max(st.To, o.To)
	st.Received += o.Received
	st.Applied += o.Applied
	st.Dupes += o.Dupes
	st.Parked += o.Parked
	st.Rejected += o.Rejected
	st.Fetched += o.Fetched
	st.Bytes += o.Bytes
	st.Elapsed += o.Elapsed
	for _, r := range o.Reasons {
		if len(st.Reasons) < 10 {
			st.Reasons = append(st.Reasons, r)
		}
	}
}

func (st *Stats) add(res []crdt.Result, a crdt.ApplyStats) {
	st.Applied += a.Applied
	st.Dupes += a.Duplicates
	st.Parked += a.Parked
	st.Rejected += a.Rejected
	for _, r := range res {
		if r.Outcome == crdt.Rejected && r.Err != nil && len(st.Reasons) < 10 {
			st.Reasons = append(st.Reasons, r.Err.Error())
		}
	}
}

// maxFetchTotal bounds the ledgers one sync fetches whole.
const maxFetchTotal = 16 * MaxFetchLedgers

// Client pulls from peers into a store.
type Client struct {
	Store *store.Store
	// Self is this node's committee: ops of ledgers it is not a stakeholder
	// of are refused.
	Self     schema.CommitteeID
	Progress func(Progress) // may be nil
}

// Pull runs one sync from peer over rw: the feed after our checkpoint, then
// the whole of any ledger whose ops are still waiting for deps.
func (c *Client) Pull(ctx context.Context, rw io.ReadWriter, peer schema.CommitteeID) (Stats, error) {
	start := time.Now()
	from, err := c.Store.Checkpoint(string(peer))
	if err != nil {
		return Stats{}, err
	}
	rec, err := c.Store.Peer(string(peer))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Stats{}, err
	}
	// Where the server is to list the ledgers it learned we became a
	// stakeholder of: after the last pull whose fetches all succeeded.
	stake, ok, err := c.Store.StakeSeq(string(peer))
	if err != nil {
		return Stats{}, err
	}
	if !ok || stake > from {
		stake = from
	}
	localSeq := c.Store.Seq()
	st := Stats{Peer: peer, From: from, To: from}
	r := bufio.NewReaderSize(rw, 256<<10)
	w := bufio.NewWriterSize(rw, 16<<10)
	if _, err := writeFrame(w, &Request{Kind: KindPull, From: from, Stake: stake}); err != nil {
		return st, err
	}
	waiting := map[schema.LedgerID]bool{}
	err = c.receive(ctx, r, peer, &st, waiting, true)
	if err == nil {
		// Ledgers with ops still waiting for deps, whether they parked in
		// this pull or earlier (a bundle, a cut sync): fetch them whole.
		parked, perr := c.Store.ParkedLedgers(maxFetchTotal)
		if perr != nil {
			return st, perr
		}
		clear(waiting)
		for _, id := range parked {
			waiting[id] = true
		}
		// Ledgers we became a stakeholder of since the last pull from this
		// peer: the peer skipped their ops while we were not one, before
		// our checkpoint. Fetch them whole (not on a first pull: it started
		// from the beginning of the peer's feed).
		if from > 0 {
			fresh, ferr := c.Store.NewLedgers(rec.LocalSeq, localSeq, string(peer), maxFetchTotal)
			if ferr != nil {
				return st, ferr
			}
			for _, id := range fresh {
				waiting[id] = true
			}
		}
		// Ledgers the peer learned we became a stakeholder of after it had
		// skipped their ops for us: fetch them whole.
		for _, id := range st.gained {
			waiting[id] = true
		}
	}
	if err == nil && len(waiting) > 0 {
		ids := make([]schema.LedgerID, 0, len(waiting))
		for id := range waiting {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b schema.LedgerID) int { return slices.Compare(a[:], b[:]) })
		for len(ids) > 0 && err == nil {
			n := min(len(ids), MaxFetchLedgers)
			if _, err = writeFrame(w, &Request{Kind: KindFetch, Ledgers: ids[:n]}); err != nil {
				break
			}
			st.Fetched += n
			err = c.receive(ctx, r, peer, &st, map[schema.LedgerID]bool{}, false)
			ids = ids[n:]
		}
	}
	if err == nil {
		// Tell the server what we now hold: it counts this peer as served.
		_, err = writeFrame(w, &Request{Kind: KindAck, Seq: st.To})
	}
	st.Elapsed = time.Since(start)
	if err == nil {
		err = c.Store.UpdatePeer(string(peer), func(p *store.PeerRecord) {
			p.LastSync = time.Now().UnixMilli()
			p.Received += uint64(st.Received)
			p.LocalSeq = localSeq
		})
	}
	if err == nil && st.stake > 0 {
		err = c.Store.SetStakeSeq(string(peer), st.stake)
	}
	return st, err
}

// frame is one batch as read and verified ahead of being applied.
type frame struct {
	b   Batch
	n   int
	v   *store.Verified // nil if the batch has no ops
	err error
	// verified is closed once v is set.
	verified chan struct{}
}

// ready reports whether f's ops are verified, without waiting.
func (f *frame) ready() bool {
	select {
	case <-f.verified:
		return true
	default:
		return false
	}
}

// verifyAhead is how many batches are verified at once: each on every
// core, so that a core one batch leaves idle takes up the next.
const verifyAhead = 3

// groupOps bounds the ops of consecutive batches applied together, in one
// transaction.
const groupOps = 4096

// receive reads batches until Done, applying each and (for a pull) moving
// the checkpoint with it. A reader reads and verifies the next batches
// while the store applies the previous ones; batches that are waiting are
// applied together.
func (c *Client) receive(ctx context.Context, r *bufio.Reader, peer schema.CommitteeID, st *Stats, waiting map[schema.LedgerID]bool, pull bool) error {
	// Room for a whole group of batches (groupOps ops at batchBytes a
	// batch): the next group is read and verified in full while the store
	// applies this one.
	frames := make(chan *frame, groupOps*1024/batchBytes)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		// The reader owns the goroutines that verify: it closes frames
		// once they are done.
		var verifying sync.WaitGroup
		defer close(frames)
		defer verifying.Wait()
		slots := make(chan struct{}, verifyAhead)
		for {
			f := &frame{verified: make(chan struct{})}
			f.n, f.err = readFrame(r, &f.b)
			switch {
			case errors.Is(f.err, io.EOF):
				f.err = fmt.Errorf("%w: %s closed the stream before the end of the sync", ErrProtocol, peer)
			case f.err == nil && f.b.Err != "":
				f.err = fmt.Errorf("%s refused: %s", peer, f.b.Err)
			}
			if f.err == nil && len(f.b.Ops) > 0 {
				select {
				case slots <- struct{}{}:
				case <-stop:
					return
				}
				verifying.Go(func() {
					f.v = c.Store.Verify(f.b.Ops)
					close(f.verified)
					<-slots
				})
			} else {
				close(f.verified)
			}
			select {
			case frames <- f:
			case <-stop:
				return
			}
			if f.err != nil || f.b.Done {
				return // the stream is the caller's again
			}
		}
	}()
	var prev *applying
	var next *frame // taken from frames, not yet in a group
	defer func() {
		if prev != nil {
			// A group left in flight by a cancel: it lands all the same,
			// so count what it did.
			c.finishGroup(prev, peer, st, waiting, pull)
		}
	}()
	for {
		f := next
		if f == nil {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case f = <-frames:
			}
		}
		next = nil
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-f.verified:
		}
		group := []*frame{f}
		ops := len(f.b.Ops)
		// The batches verified already join the group; one still being
		// verified starts the next.
	more:
		for f.err == nil && !f.b.Done && ops < groupOps {
			select {
			case g := <-frames:
				if !g.ready() {
					next = g
					break more
				}
				group = append(group, g)
				ops += len(g.b.Ops)
				f = g
			default:
				break more
			}
		}
		// The group is applied while the one before it becomes durable:
		// its last chunk is left in flight, and taken in once the next
		// group is on its way (or at the end).
		g := c.startGroup(group, peer, st, pull)
		if prev != nil {
			if err := c.finishGroup(prev, peer, st, waiting, pull); err != nil {
				c.finishGroup(g, peer, st, waiting, pull) // counted; it failed on top of prev
				return err
			}
		}
		prev = g
		if g.failed != nil || g.last.b.Done {
			prev = nil
			return c.finishGroup(g, peer, st, waiting, pull)
		}
	}
}

// applying is a group of batches handed to the store.
type applying struct {
	pending *store.Pending // nil if the group had nothing to apply
	cp      *store.Checkpoint
	n       int // ops
	bytes   int64
	last    *frame
	failed  error // a batch of the group that could not be read or verified
}

// startGroup hands verified batches to the store in one go; finishGroup
// waits for them to be durable and counts what they did.
func (c *Client) startGroup(group []*frame, peer schema.CommitteeID, st *Stats, pull bool) *applying {
	var v store.Verified
	a := &applying{last: group[len(group)-1]}
	for _, f := range group {
		a.bytes += int64(f.n)
		if f.err != nil {
			a.failed = f.err
			break
		}
		if f.v != nil {
			v.Add(f.v)
		}
		a.last = f
	}
	if pull && a.last.err == nil && a.last.b.Next > st.To {
		a.cp = &store.Checkpoint{Peer: string(peer), Seq: a.last.b.Next}
	}
	if v.Len() > 0 || a.cp != nil {
		a.pending = c.Store.ApplyVerifiedAsync(&v, string(peer), c.Self, a.cp)
		a.n = v.Len()
	}
	return a
}

func (c *Client) finishGroup(a *applying, peer schema.CommitteeID, st *Stats, waiting map[schema.LedgerID]bool, pull bool) error {
	st.Bytes += a.bytes
	if a.pending != nil {
		res, stats, err := a.pending.Wait()
		if err != nil {
			return err
		}
		st.Received += a.n
		st.add(res, stats)
		for _, x := range res {
			if x.Outcome == crdt.Parked {
				waiting[x.Ledger] = true
			}
		}
		if a.cp != nil {
			st.To = a.cp.Seq
		}
	}
	last := a.last
	if c.Progress != nil {
		p := Progress{Peer: peer, Received: st.Received, Bytes: st.Bytes, Position: st.To, Head: last.b.Head}
		if last.b.Head > st.To {
			p.Remaining = last.b.Head - st.To
		}
		c.Progress(p)
	}
	if a.failed != nil {
		return a.failed
	}
	if pull && last.b.Done {
		st.gained, st.stake = last.b.Fetch, last.b.Stake
	}
	return nil
}

// Notify tells the peer on rw that we have new ops up to seq.
func Notify(rw io.Writer, seq uint64) error {
	w := bufio.NewWriter(rw)
	_, err := writeFrame(w, &Request{Kind: KindNotify, Seq: seq})
	return err
}
