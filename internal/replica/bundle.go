package replica

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"lienthong/crdt"
	"lienthong/internal/store"
	"lienthong/schema"
)

// BundleFormat names the offline bundle format.
const BundleFormat = "lienthong-bundle-1"

// BundleHeader opens a bundle.
type BundleHeader struct {
	Format  string             `cbor:"1,keyasint"`
	From    schema.CommitteeID `cbor:"2,keyasint"`
	For     schema.CommitteeID `cbor:"3,keyasint,omitempty"` // empty with --all
	Root    schema.CommitteeID `cbor:"4,keyasint"`
	Created int64              `cbor:"5,keyasint"` // unix ms
	Since   uint64             `cbor:"6,keyasint,omitempty"`
}

// BundleTrailer closes a bundle: the number of ops and the SHA-256 of their
// envelopes in order. Without it the bundle was cut short.
type BundleTrailer struct {
	Count uint64   `cbor:"1,keyasint"`
	Sum   [32]byte `cbor:"2,keyasint"`
	Head  uint64   `cbor:"3,keyasint"` // exporter's feed head
}

// bundleFrame is one frame of a bundle after the header: a batch of ops or
// the trailer.
type bundleFrame struct {
	Ops     [][]byte       `cbor:"1,keyasint,omitempty"`
	Trailer *BundleTrailer `cbor:"2,keyasint,omitempty"`
}

// ExportOptions choose what a bundle holds.
type ExportOptions struct {
	From schema.CommitteeID
	// For is the committee the bundle is for: only ledgers it is a
	// stakeholder of (and the directory), minus ops that came from it.
	For schema.CommitteeID
	// Since is the feed position the receiver is known to hold (0: all).
	Since uint64
	Now   time.Time
}

// ExportStats reports an export.
type ExportStats struct {
	Ops   int   `json:"ops"`
	Bytes int64 `json:"bytes"`
	Head  uint64
}

// ExportBundle writes the ops in scope after opts.Since.
func ExportBundle(w io.Writer, st *store.Store, opts ExportOptions) (ExportStats, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	var es ExportStats
	head := st.Seq()
	n, err := writeFrame(bw, &BundleHeader{Format: BundleFormat, From: opts.From, For: opts.For, Root: st.Directory().Root, Created: opts.Now.UnixMilli(), Since: opts.Since})
	if err != nil {
		return es, err
	}
	es.Bytes += int64(n)
	sum := sha256.New()
	origin := store.OriginTag(string(opts.For))
	var batch [][]byte
	size := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := writeFrame(bw, &bundleFrame{Ops: batch})
		es.Bytes += int64(n)
		batch, size = nil, 0
		return err
	}
	add := func(env []byte) error {
		sum.Write(env)
		batch = append(batch, env)
		size += len(env)
		es.Ops++
		if size >= batchBytes || len(batch) >= batchOps {
			return flush()
		}
		return nil
	}
	// Ledgers the receiver became a stakeholder of, as far as this node
	// knows, after opts.Since: their earlier ops were left out of what it
	// was given before. They go first and whole.
	var whole map[schema.OpID]bool
	if opts.For != "" && opts.Since > 0 && opts.Since <= head {
		rd := st.NewReader()
		sc := newScope(st, rd, opts.For)
		err := wholeLedgers(st, rd, sc, opts.Since, head, func(id schema.OpID, env []byte) error {
			if whole == nil {
				whole = map[schema.OpID]bool{}
			}
			whole[id] = true
			return add(env)
		})
		rd.Close()
		if err != nil {
			return es, err
		}
	}
	cur := opts.Since
	for cur < head {
		rd := st.NewReader()
		sc := newScope(st, rd, opts.For)
		var entries []store.FeedEntry
		if err := st.Feed(cur, func(e store.FeedEntry) bool {
			if e.Seq > head {
				return false
			}
			if e.Envelope != nil && (opts.For == "" || e.Origin != origin && !whole[e.ID] && (sc.allows(e.Ledger) || sc.ledger(e.Ledger).closed != nil)) {
				e.Envelope = slices.Clone(e.Envelope) // a candidate: kept past the call
			} else {
				e.Envelope = nil
			}
			entries = append(entries, e)
			return len(entries) < feedChunk
		}); err != nil {
			rd.Close()
			return es, err
		}
		if len(entries) == 0 {
			rd.Close()
			break
		}
		for _, e := range entries {
			if e.Envelope == nil {
				continue
			}
			if opts.For != "" {
				ok, err := sc.allowsOp(e.Ledger, e.ID)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					rd.Close()
					return es, err
				}
				if !ok {
					continue
				}
			}
			if err := add(e.Envelope); err != nil {
				rd.Close()
				return es, err
			}
		}
		rd.Close()
		cur = entries[len(entries)-1].Seq
	}
	if err := flush(); err != nil {
		return es, err
	}
	tr := &BundleTrailer{Count: uint64(es.Ops), Head: head}
	copy(tr.Sum[:], sum.Sum(nil))
	n, err = writeFrame(bw, &bundleFrame{Trailer: tr})
	es.Bytes += int64(n)
	es.Head = head
	return es, err
}

// wholeLedgers calls fn for every op of the ledgers the scope's committee
// gained a stake in after position since (see gainedStakes).
func wholeLedgers(st *store.Store, rd *store.Reader, sc *scope, since, head uint64, fn func(schema.OpID, []byte) error) error {
	gained, _, err := gainedStakes(st, sc, since, head, maxFetchTotal)
	if err != nil {
		return err
	}
	for _, id := range gained {
		l, err := rd.Ledger(id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		for _, m := range l.DAG.Ops {
			env, err := rd.Op(m.ID)
			if err != nil {
				return fmt.Errorf("op %s of ledger %s: %w", m.ID.Short(), id, err)
			}
			if err := fn(m.ID, env); err != nil {
				return err
			}
		}
	}
	return nil
}

// ImportStats reports an import.
type ImportStats struct {
	Header   BundleHeader `json:"-"`
	Ops      int          `json:"ops"`
	Applied  int          `json:"applied"`
	Dupes    int          `json:"duplicates"`
	Parked   int          `json:"parked"`
	Rejected int          `json:"rejected"`
	Reasons  []string     `json:"reasons,omitempty"`
}

// maxParkedKept bounds the parked ops an import keeps in memory to try
// again with ops set aside as out of scope.
const maxParkedKept = 100_000

// ErrBundleDamaged: the bundle is truncated or tampered with; the valid ops
// before the damage were applied.
var ErrBundleDamaged = errors.New("bundle damaged")

// ErrOpsRejected: the bundle is whole, as its exporter wrote it, but this
// node refused some of its ops (out of its scope, from a revoked committee,
// …); the others were applied.
var ErrOpsRejected = errors.New("ops rejected")

// ImportBundle verifies and applies a bundle exactly like network input, for
// the node of committee self. Ops before any damage are kept. The ops are
// recorded as coming from the exporter, so they are not sent back to it.
func ImportBundle(r io.Reader, st *store.Store, self schema.CommitteeID) (ImportStats, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	var is ImportStats
	if _, err := readFrame(br, &is.Header); err != nil || is.Header.Format != BundleFormat {
		return is, fmt.Errorf("not a lienthong bundle (%v)", errOr(err, "wrong format marker"))
	}
	if is.Header.Root != st.Directory().Root {
		return is, fmt.Errorf("the bundle is from the network rooted at %s, not this one (%s)", is.Header.Root, st.Directory().Root)
	}
	origin := string(is.Header.From)
	sum := sha256.New()
	// Ops refused as out of scope are tried again once the rest of the
	// file is in: an op forwarded by a superior can come in an earlier
	// frame than the op that makes this committee a stakeholder (which then
	// parks, waiting for it). They are tried with the parked ops of the
	// same ledgers, so the scope check sees both.
	var later [][]byte
	var laterIDs []schema.LedgerID
	var laterErr []error
	parked := map[schema.LedgerID][][]byte{}
	kept := 0
	tally := func(res []crdt.Result, a crdt.ApplyStats, envs [][]byte, again bool) {
		is.Applied += a.Applied
		if !again {
			is.Dupes += a.Duplicates
			is.Parked += a.Parked
		}
		for i, x := range res {
			switch {
			case x.Outcome == crdt.Parked && !again && kept < maxParkedKept:
				parked[x.Ledger] = append(parked[x.Ledger], envs[i])
				kept++
			case x.Outcome != crdt.Rejected:
			case errors.Is(x.Err, store.ErrOutOfScope):
				later = append(later, envs[i])
				laterIDs = append(laterIDs, x.Ledger)
				laterErr = append(laterErr, x.Err)
			default:
				is.Rejected++
				if x.Err != nil && len(is.Reasons) < 10 {
					is.Reasons = append(is.Reasons, x.Err.Error())
				}
			}
		}
	}
	// retry applies the ops set aside for as long as that brings any in,
	// then counts the rest as rejected.
	retry := func() error {
		for len(later) > 0 {
			envs := later
			with := map[schema.LedgerID]bool{}
			for _, id := range laterIDs {
				if !with[id] {
					with[id] = true
					envs = append(envs, parked[id]...)
				}
			}
			later, laterIDs, laterErr = nil, nil, nil
			res, a, err := st.IngestScoped(envs, origin, self)
			if err != nil {
				return err
			}
			tally(res, a, envs, true)
			if a.Applied == 0 {
				break
			}
		}
		for _, err := range laterErr {
			is.Rejected++
			if len(is.Reasons) < 10 {
				is.Reasons = append(is.Reasons, err.Error())
			}
		}
		later, laterIDs, laterErr = nil, nil, nil
		return nil
	}
	// damage is the first frame that did not decode; the frames after it
	// are still read, their length prefixes being intact.
	var damage error
	for {
		var f bundleFrame
		err := readBundleFrame(br, &f)
		if err != nil && len(f.Ops) > 0 {
			// The whole ops of a frame cut or broken part way.
			res, a, aerr := st.IngestScoped(f.Ops, origin, self)
			if aerr != nil {
				return is, aerr
			}
			is.Ops += len(f.Ops)
			tally(res, a, f.Ops, false)
		}
		var broken *brokenFrameError
		if errors.As(err, &broken) {
			if damage == nil {
				damage = fmt.Errorf("%w (after %d ops)", err, is.Ops-len(f.Ops))
			}
			continue
		}
		if err != nil {
			if rerr := retry(); rerr != nil {
				return is, rerr
			}
			if errors.Is(err, io.EOF) {
				err = fmt.Errorf("cut short after %d ops (no trailer)", is.Ops)
			}
			if damage != nil {
				err = fmt.Errorf("%v; %w", damage, err)
			}
			return is, fmt.Errorf("%w: %v; %s before were applied", ErrBundleDamaged, err, opsCount(is.Applied, "valid op"))
		}
		if f.Trailer != nil {
			if err := retry(); err != nil {
				return is, err
			}
			var got [32]byte
			copy(got[:], sum.Sum(nil))
			var what string
			switch {
			case damage != nil:
				what = damage.Error()
			case f.Trailer.Count != uint64(is.Ops):
				what = fmt.Sprintf("the trailer lists %d ops, the file holds %d", f.Trailer.Count, is.Ops)
			case f.Trailer.Sum != got:
				what = "the ops differ from those the exporter wrote (their checksum does not match the trailer's)"
			}
			var rejected string
			if is.Rejected > 0 {
				first := "see the node's quarantine"
				if len(is.Reasons) > 0 {
					first = is.Reasons[0]
				}
				rejected = fmt.Sprintf("%s rejected (first: %s)", opsCount(is.Rejected, "op"), first)
				if is.Header.For != "" && is.Header.For != self {
					rejected += fmt.Sprintf("; the bundle was made for committee %s, not this one", is.Header.For)
				}
			}
			switch {
			case what != "":
				return is, fmt.Errorf("%w: %s; %s applied", ErrBundleDamaged, strings.TrimSuffix(what+"; "+rejected, "; "), opsCount(is.Applied, "valid op"))
			case rejected != "":
				return is, fmt.Errorf("%w: %s; %s applied", ErrOpsRejected, rejected, opsCount(is.Applied, "other op"))
			}
			return is, nil
		}
		for _, env := range f.Ops {
			sum.Write(env)
		}
		res, a, err := st.IngestScoped(f.Ops, origin, self)
		if err != nil {
			return is, err
		}
		is.Ops += len(f.Ops)
		tally(res, a, f.Ops, false)
	}
}

// opsCount is "1 op was", "2 ops were".
func opsCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun + " was"
	}
	return fmt.Sprintf("%d %ss were", n, noun)
}

// brokenFrameError: a frame of a bundle came whole but does not decode.
type brokenFrameError struct{ err error }

func (e *brokenFrameError) Error() string { return "a frame does not decode: " + e.err.Error() }

// readBundleFrame reads a frame of a bundle. If the frame is cut short or
// does not decode, it fails, and f.Ops holds the ops that came whole before
// the damage: each is signed, and is verified like any other.
func readBundleFrame(r *bufio.Reader, f *bundleFrame) error {
	size, err := binary.ReadUvarint(r)
	switch {
	case errors.Is(err, io.EOF):
		return io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("frame header cut short: %w", io.EOF)
	case err != nil:
		return fmt.Errorf("frame header: %v", err)
	case size > MaxFrame:
		return fmt.Errorf("frame of %d bytes over the %d limit", size, MaxFrame)
	}
	b := make([]byte, size)
	n, err := io.ReadFull(r, b)
	if err != nil {
		f.Ops = salvageOps(b[:n])
		return fmt.Errorf("frame cut short after %d of its %d bytes: %w", n, size, io.EOF)
	}
	if err := schema.Unmarshal(b, f); err != nil {
		*f = bundleFrame{Ops: salvageOps(b)}
		return &brokenFrameError{err}
	}
	return nil
}

// salvageOps returns the ops that lie whole at the start of a damaged ops
// frame: the frame is the map {1: [op, op, …]} as writeFrame encodes it, and
// the ops are read one by one up to the first that is cut or malformed.
func salvageOps(b []byte) [][]byte {
	// head reads a CBOR item head of major type major: its argument.
	head := func(major byte) (uint64, bool) {
		if len(b) == 0 || b[0]>>5 != major {
			return 0, false
		}
		info := b[0] & 0x1f
		b = b[1:]
		if info < 24 {
			return uint64(info), true
		}
		if info > 27 {
			return 0, false
		}
		w := 1 << (info - 24)
		if len(b) < w {
			return 0, false
		}
		var v uint64
		for _, x := range b[:w] {
			v = v<<8 | uint64(x)
		}
		b = b[w:]
		return v, true
	}
	if pairs, ok := head(5); !ok || pairs < 1 {
		return nil
	}
	if key, ok := head(0); !ok || key != 1 {
		return nil
	}
	count, ok := head(4)
	if !ok {
		return nil
	}
	var ops [][]byte
	for range count {
		n, ok := head(2)
		if !ok || n > uint64(len(b)) {
			break
		}
		ops = append(ops, b[:n:n])
		b = b[n:]
	}
	return ops
}

func errOr(err error, s string) string {
	if err != nil {
		return err.Error()
	}
	return s
}
