package replica

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"slices"
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
	for {
		var f bundleFrame
		if _, err := readFrame(br, &f); err != nil {
			if rerr := retry(); rerr != nil {
				return is, rerr
			}
			if errors.Is(err, io.EOF) {
				return is, fmt.Errorf("%w: cut short after %d ops (no trailer); the %d ops before were applied", ErrBundleDamaged, is.Ops, is.Applied)
			}
			return is, fmt.Errorf("%w after %d ops: %v; the ops before were applied", ErrBundleDamaged, is.Ops, err)
		}
		if f.Trailer != nil {
			if err := retry(); err != nil {
				return is, err
			}
			var got [32]byte
			copy(got[:], sum.Sum(nil))
			if f.Trailer.Count != uint64(is.Ops) || f.Trailer.Sum != got {
				return is, fmt.Errorf("%w: the trailer says %d ops, %d were read (or their checksum differs)", ErrBundleDamaged, f.Trailer.Count, is.Ops)
			}
			if is.Rejected > 0 {
				first := "see the node's quarantine"
				if len(is.Reasons) > 0 {
					first = is.Reasons[0]
				}
				return is, fmt.Errorf("%w: %d ops were rejected (first: %s)", ErrBundleDamaged, is.Rejected, first)
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

func errOr(err error, s string) string {
	if err != nil {
		return err.Error()
	}
	return s
}
