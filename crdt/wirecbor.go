package crdt

import (
	"fmt"
	"slices"

	"lienthong/internal/cborx"
	"lienthong/schema"
)

// A hand-written encoder of wireLedger. It writes exactly the bytes that
// schema.Marshal (RFC 8949 core deterministic encoding) writes for the
// struct: state hashes are hashes of these bytes, so any difference would
// keep nodes from converging. The rules it follows:
//
//   - keyasint structs are maps keyed by small ints in ascending order
//     (their encoded keys sort bytewise in that order), omitempty fields
//     left out when empty;
//   - toarray structs are arrays of every field in order;
//   - every head (ints, lengths) takes the shortest form;
//   - [N]byte arrays are byte strings;
//   - nil slices that are not omitted are null, empty ones empty arrays;
//   - map keys sort bytewise by their encoding: for text strings, shorter
//     first, then bytewise.
//
// Workflow records (residence links, transfers, exemptions, leaves, ratings,
// inactive months) and movements are rare and nested deeply; they are
// encoded by schema.Marshal and appended, CBOR being compositional.

// Keys of wireLedger (see its struct tags).
const (
	keyLedgerID = iota + 1
	keyLedgerAuthors
	keyLedgerOps
	keyLedgerHeads
	keyLedgerHome
	keyLedgerFields
	keyLedgerStatus
	keyLedgerEvents
	keyLedgerResidence
	keyLedgerTransfers
	keyLedgerExempt
	keyLedgerLeaves
	keyLedgerRatings
	keyLedgerInactive
)

// Keys of wireEvent.
const (
	keyEventChanges = iota + 1
	keyEventWhole
	keyEventMovement
	keyEventTarget
	keyEventReason
	keyEventDetail
)

// appendMarshaled appends the key and schema.Marshal's encoding of v.
func appendMarshaled(buf []byte, key int, v any) ([]byte, error) {
	b, err := schema.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(cborx.AppendInt(buf, key), b...), nil
}

func appendValues(buf []byte, vs []wireValue) []byte {
	if vs == nil {
		return append(buf, cborx.Null)
	}
	buf = cborx.AppendHead(buf, cborx.Array, uint64(len(vs)))
	for i := range vs {
		buf = append(buf, cborx.Array|2)
		buf = cborx.AppendInt(cborx.AppendText(buf, vs[i].V), vs[i].Op)
	}
	return buf
}

func appendInts(buf []byte, ns []int) []byte {
	if ns == nil {
		return append(buf, cborx.Null)
	}
	buf = cborx.AppendHead(buf, cborx.Array, uint64(len(ns)))
	for _, n := range ns {
		buf = cborx.AppendInt(buf, n)
	}
	return buf
}

func valuesSize(vs []wireValue) int {
	if vs == nil {
		return 1
	}
	n := cborx.HeadSize(uint64(len(vs)))
	for i := range vs {
		n += 1 + cborx.TextSize(vs[i].V) + cborx.IntSize(vs[i].Op)
	}
	return n
}

func intsSize(ns []int) int {
	if ns == nil {
		return 1
	}
	n := cborx.HeadSize(uint64(len(ns)))
	for _, x := range ns {
		n += cborx.IntSize(x)
	}
	return n
}

// sizeHint is the length of w's encoding if w has no workflow records or
// movements (which schema.Marshal encodes), and a guess otherwise, so that
// one allocation holds it.
func (w *wireLedger) sizeHint() int {
	n := 1 + 1 + 1 + 16 // map head (at most 14 pairs), ID
	if len(w.Authors) > 0 {
		n += 1 + cborx.HeadSize(uint64(len(w.Authors)))
		for _, a := range w.Authors {
			n += cborx.TextSize(string(a))
		}
	}
	if len(w.Ops) > 0 {
		n += 1 + cborx.HeadSize(uint64(len(w.Ops)))
		for i := range w.Ops {
			o := &w.Ops[i]
			n += 1 + 2 + len(o.ID) + cborx.HeadSize(uint64(o.HLC)) + cborx.IntSize(o.Author) + cborx.HeadSize(uint64(o.Kind)) + intsSize(o.Deps)
		}
	}
	if len(w.Heads) > 0 {
		n += 1 + intsSize(w.Heads)
	}
	if len(w.Home) > 0 {
		n += 1 + valuesSize(w.Home)
	}
	if len(w.Fields) > 0 {
		n += 1 + cborx.HeadSize(uint64(len(w.Fields)))
		for i := range w.Fields {
			n += 1 + cborx.TextSize(w.Fields[i].Name) + valuesSize(w.Fields[i].Values)
		}
	}
	if w.Status != "" {
		n += 1 + cborx.TextSize(w.Status)
	}
	if len(w.Events) > 0 {
		n += 1 + cborx.HeadSize(uint64(len(w.Events)))
		for i := range w.Events {
			e := &w.Events[i]
			n++ // map head: at most 6 pairs
			if len(e.Changes) > 0 {
				n += 1 + cborx.StringMapSize(e.Changes)
			}
			if e.Whole {
				n += 2
			}
			if m := e.Movement; m != nil {
				n += 16 + len(m.Type) + len(m.Date) + len(m.Reason) + len(m.Decision)
			}
			if e.Target != 0 {
				n += 1 + cborx.IntSize(e.Target)
			}
			if e.Reason != "" {
				n += 1 + cborx.TextSize(e.Reason)
			}
			if len(e.Detail) > 0 {
				n += 1 + cborx.StringMapSize(e.Detail)
			}
		}
	}
	// Workflow records: a guess.
	n += 256 * (len(w.Residence) + len(w.Transfers) + len(w.Exempt) + len(w.Leaves) + len(w.Ratings) + len(w.Inactive))
	return n
}

// appendCBOR appends the encoding of w, byte for byte what schema.Marshal(w)
// gives, to buf.
func (w *wireLedger) appendCBOR(buf []byte) ([]byte, error) {
	buf = slices.Grow(buf, w.sizeHint())
	var err error
	pairs := 1 // ID is always present
	for _, present := range [...]bool{len(w.Authors) > 0, len(w.Ops) > 0, len(w.Heads) > 0, len(w.Home) > 0,
		len(w.Fields) > 0, w.Status != "", len(w.Events) > 0, len(w.Residence) > 0, len(w.Transfers) > 0,
		len(w.Exempt) > 0, len(w.Leaves) > 0, len(w.Ratings) > 0, len(w.Inactive) > 0} {
		if present {
			pairs++
		}
	}
	buf = cborx.AppendHead(buf, cborx.Map, uint64(pairs))
	buf = cborx.AppendBytes(cborx.AppendInt(buf, keyLedgerID), w.ID[:])
	if len(w.Authors) > 0 {
		buf = cborx.AppendHead(cborx.AppendInt(buf, keyLedgerAuthors), cborx.Array, uint64(len(w.Authors)))
		for _, a := range w.Authors {
			buf = cborx.AppendText(buf, string(a))
		}
	}
	if len(w.Ops) > 0 {
		buf = cborx.AppendHead(cborx.AppendInt(buf, keyLedgerOps), cborx.Array, uint64(len(w.Ops)))
		for i := range w.Ops {
			o := &w.Ops[i]
			buf = cborx.AppendBytes(append(buf, cborx.Array|5), o.ID[:])
			buf = cborx.AppendHead(buf, cborx.Uint, uint64(o.HLC))
			buf = cborx.AppendInt(buf, o.Author)
			buf = cborx.AppendHead(buf, cborx.Uint, uint64(o.Kind))
			buf = appendInts(buf, o.Deps)
		}
	}
	if len(w.Heads) > 0 {
		buf = appendInts(cborx.AppendInt(buf, keyLedgerHeads), w.Heads)
	}
	if len(w.Home) > 0 {
		buf = appendValues(cborx.AppendInt(buf, keyLedgerHome), w.Home)
	}
	if len(w.Fields) > 0 {
		buf = cborx.AppendHead(cborx.AppendInt(buf, keyLedgerFields), cborx.Array, uint64(len(w.Fields)))
		for i := range w.Fields {
			f := &w.Fields[i]
			buf = cborx.AppendText(append(buf, cborx.Array|2), f.Name)
			buf = appendValues(buf, f.Values)
		}
	}
	if w.Status != "" {
		buf = cborx.AppendText(cborx.AppendInt(buf, keyLedgerStatus), w.Status)
	}
	if len(w.Events) > 0 {
		var scratch [16]string
		keys := scratch[:0]
		buf = cborx.AppendHead(cborx.AppendInt(buf, keyLedgerEvents), cborx.Array, uint64(len(w.Events)))
		for i := range w.Events {
			if buf, keys, err = w.Events[i].appendCBOR(buf, keys); err != nil {
				return nil, err
			}
		}
	}
	// Boxed only when present: a slice in an interface costs an allocation.
	if len(w.Residence) > 0 {
		buf, err = appendMarshaled(buf, keyLedgerResidence, w.Residence)
	}
	if err == nil && len(w.Transfers) > 0 {
		buf, err = appendMarshaled(buf, keyLedgerTransfers, w.Transfers)
	}
	if err == nil && len(w.Exempt) > 0 {
		buf, err = appendMarshaled(buf, keyLedgerExempt, w.Exempt)
	}
	if err == nil && len(w.Leaves) > 0 {
		buf, err = appendMarshaled(buf, keyLedgerLeaves, w.Leaves)
	}
	if err == nil && len(w.Ratings) > 0 {
		buf, err = appendMarshaled(buf, keyLedgerRatings, w.Ratings)
	}
	if err == nil && len(w.Inactive) > 0 {
		buf, err = appendMarshaled(buf, keyLedgerInactive, w.Inactive)
	}
	if err != nil {
		return nil, fmt.Errorf("encoding ledger %s: %w", w.ID, err)
	}
	return buf, nil
}

// appendCBOR appends the encoding of e; keys is scratch space for sorting
// map keys, returned for reuse.
func (e *wireEvent) appendCBOR(buf []byte, keys []string) ([]byte, []string, error) {
	pairs := 0
	for _, present := range [...]bool{len(e.Changes) > 0, e.Whole, e.Movement != nil, e.Target != 0, e.Reason != "", len(e.Detail) > 0} {
		if present {
			pairs++
		}
	}
	buf = cborx.AppendHead(buf, cborx.Map, uint64(pairs))
	if len(e.Changes) > 0 {
		buf, keys = cborx.AppendStringMap(cborx.AppendInt(buf, keyEventChanges), e.Changes, keys)
	}
	if e.Whole {
		buf = append(cborx.AppendInt(buf, keyEventWhole), cborx.True)
	}
	if e.Movement != nil {
		var err error
		if buf, err = appendMarshaled(buf, keyEventMovement, e.Movement); err != nil {
			return nil, keys, fmt.Errorf("encoding a movement: %w", err)
		}
	}
	if e.Target != 0 {
		buf = cborx.AppendInt(cborx.AppendInt(buf, keyEventTarget), e.Target)
	}
	if e.Reason != "" {
		buf = cborx.AppendText(cborx.AppendInt(buf, keyEventReason), e.Reason)
	}
	if len(e.Detail) > 0 {
		buf, keys = cborx.AppendStringMap(cborx.AppendInt(buf, keyEventDetail), e.Detail, keys)
	}
	return buf, keys, nil
}
