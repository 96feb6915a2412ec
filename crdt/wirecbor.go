package crdt

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"

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

// CBOR major types and simple values.
const (
	cborUint   byte = 0x00
	cborNegInt byte = 0x20
	cborBytes  byte = 0x40
	cborText   byte = 0x60
	cborArray  byte = 0x80
	cborMap    byte = 0xa0
	cborTrue   byte = 0xf5
	cborNull   byte = 0xf6
)

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

// appendHead appends a head of major type t with argument n, shortest form.
func appendHead(buf []byte, t byte, n uint64) []byte {
	switch {
	case n < 24:
		return append(buf, t|byte(n))
	case n <= math.MaxUint8:
		return append(buf, t|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(buf, t|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(buf, t|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(buf, t|27), n)
}

func appendInt(buf []byte, n int) []byte {
	if n < 0 {
		return appendHead(buf, cborNegInt, uint64(-1-n))
	}
	return appendHead(buf, cborUint, uint64(n))
}

func appendText(buf []byte, s string) []byte {
	return append(appendHead(buf, cborText, uint64(len(s))), s...)
}

func appendBytes(buf []byte, b []byte) []byte {
	return append(appendHead(buf, cborBytes, uint64(len(b))), b...)
}

// appendStringMap appends m with its keys in core deterministic order;
// keys is scratch space, returned for reuse.
func appendStringMap(buf []byte, m map[string]string, keys []string) ([]byte, []string) {
	keys = keys[:0]
	for k := range m {
		keys = append(keys, k)
	}
	// Encoded text strings sort bytewise as shorter first, then bytewise:
	// a longer string's head is never smaller than a shorter one's, and
	// equal heads mean equal lengths.
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
	})
	buf = appendHead(buf, cborMap, uint64(len(keys)))
	for _, k := range keys {
		buf = appendText(appendText(buf, k), m[k])
	}
	return buf, keys
}

// appendMarshaled appends the key and schema.Marshal's encoding of v.
func appendMarshaled(buf []byte, key int, v any) ([]byte, error) {
	b, err := schema.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(appendInt(buf, key), b...), nil
}

func appendValues(buf []byte, vs []wireValue) []byte {
	if vs == nil {
		return append(buf, cborNull)
	}
	buf = appendHead(buf, cborArray, uint64(len(vs)))
	for i := range vs {
		buf = append(buf, cborArray|2)
		buf = appendInt(appendText(buf, vs[i].V), vs[i].Op)
	}
	return buf
}

func appendInts(buf []byte, ns []int) []byte {
	if ns == nil {
		return append(buf, cborNull)
	}
	buf = appendHead(buf, cborArray, uint64(len(ns)))
	for _, n := range ns {
		buf = appendInt(buf, n)
	}
	return buf
}

// headSize is the length of a head with argument n.
func headSize(n uint64) int {
	switch {
	case n < 24:
		return 1
	case n <= math.MaxUint8:
		return 2
	case n <= math.MaxUint16:
		return 3
	case n <= math.MaxUint32:
		return 5
	}
	return 9
}

func intSize(n int) int {
	if n < 0 {
		return headSize(uint64(-1 - n))
	}
	return headSize(uint64(n))
}

func textSize(s string) int { return headSize(uint64(len(s))) + len(s) }

func valuesSize(vs []wireValue) int {
	if vs == nil {
		return 1
	}
	n := headSize(uint64(len(vs)))
	for i := range vs {
		n += 1 + textSize(vs[i].V) + intSize(vs[i].Op)
	}
	return n
}

func intsSize(ns []int) int {
	if ns == nil {
		return 1
	}
	n := headSize(uint64(len(ns)))
	for _, x := range ns {
		n += intSize(x)
	}
	return n
}

func stringMapSize(m map[string]string) int {
	n := 1 + headSize(uint64(len(m)))
	for k, v := range m {
		n += textSize(k) + textSize(v)
	}
	return n
}

// sizeHint is the length of w's encoding if w has no workflow records or
// movements (which schema.Marshal encodes), and a guess otherwise, so that
// one allocation holds it.
func (w *wireLedger) sizeHint() int {
	n := 1 + 1 + 1 + 16 // map head (at most 14 pairs), ID
	if len(w.Authors) > 0 {
		n += 1 + headSize(uint64(len(w.Authors)))
		for _, a := range w.Authors {
			n += textSize(string(a))
		}
	}
	if len(w.Ops) > 0 {
		n += 1 + headSize(uint64(len(w.Ops)))
		for i := range w.Ops {
			o := &w.Ops[i]
			n += 1 + 2 + len(o.ID) + headSize(uint64(o.HLC)) + intSize(o.Author) + headSize(uint64(o.Kind)) + intsSize(o.Deps)
		}
	}
	if len(w.Heads) > 0 {
		n += 1 + intsSize(w.Heads)
	}
	if len(w.Home) > 0 {
		n += 1 + valuesSize(w.Home)
	}
	if len(w.Fields) > 0 {
		n += 1 + headSize(uint64(len(w.Fields)))
		for i := range w.Fields {
			n += 1 + textSize(w.Fields[i].Name) + valuesSize(w.Fields[i].Values)
		}
	}
	if w.Status != "" {
		n += 1 + textSize(w.Status)
	}
	if len(w.Events) > 0 {
		n += 1 + headSize(uint64(len(w.Events)))
		for i := range w.Events {
			e := &w.Events[i]
			n++ // map head: at most 6 pairs
			if len(e.Changes) > 0 {
				n += stringMapSize(e.Changes)
			}
			if e.Whole {
				n += 2
			}
			if m := e.Movement; m != nil {
				n += 16 + len(m.Type) + len(m.Date) + len(m.Reason) + len(m.Decision)
			}
			if e.Target != 0 {
				n += 1 + intSize(e.Target)
			}
			if e.Reason != "" {
				n += 1 + textSize(e.Reason)
			}
			if len(e.Detail) > 0 {
				n += stringMapSize(e.Detail)
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
	buf = appendHead(buf, cborMap, uint64(pairs))
	buf = appendBytes(appendInt(buf, keyLedgerID), w.ID[:])
	if len(w.Authors) > 0 {
		buf = appendHead(appendInt(buf, keyLedgerAuthors), cborArray, uint64(len(w.Authors)))
		for _, a := range w.Authors {
			buf = appendText(buf, string(a))
		}
	}
	if len(w.Ops) > 0 {
		buf = appendHead(appendInt(buf, keyLedgerOps), cborArray, uint64(len(w.Ops)))
		for i := range w.Ops {
			o := &w.Ops[i]
			buf = appendBytes(append(buf, cborArray|5), o.ID[:])
			buf = appendHead(buf, cborUint, uint64(o.HLC))
			buf = appendInt(buf, o.Author)
			buf = appendHead(buf, cborUint, uint64(o.Kind))
			buf = appendInts(buf, o.Deps)
		}
	}
	if len(w.Heads) > 0 {
		buf = appendInts(appendInt(buf, keyLedgerHeads), w.Heads)
	}
	if len(w.Home) > 0 {
		buf = appendValues(appendInt(buf, keyLedgerHome), w.Home)
	}
	if len(w.Fields) > 0 {
		buf = appendHead(appendInt(buf, keyLedgerFields), cborArray, uint64(len(w.Fields)))
		for i := range w.Fields {
			f := &w.Fields[i]
			buf = appendText(append(buf, cborArray|2), f.Name)
			buf = appendValues(buf, f.Values)
		}
	}
	if w.Status != "" {
		buf = appendText(appendInt(buf, keyLedgerStatus), w.Status)
	}
	if len(w.Events) > 0 {
		var scratch [16]string
		keys := scratch[:0]
		buf = appendHead(appendInt(buf, keyLedgerEvents), cborArray, uint64(len(w.Events)))
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
	buf = appendHead(buf, cborMap, uint64(pairs))
	if len(e.Changes) > 0 {
		buf, keys = appendStringMap(appendInt(buf, keyEventChanges), e.Changes, keys)
	}
	if e.Whole {
		buf = append(appendInt(buf, keyEventWhole), cborTrue)
	}
	if e.Movement != nil {
		var err error
		if buf, err = appendMarshaled(buf, keyEventMovement, e.Movement); err != nil {
			return nil, keys, fmt.Errorf("encoding a movement: %w", err)
		}
	}
	if e.Target != 0 {
		buf = appendInt(appendInt(buf, keyEventTarget), e.Target)
	}
	if e.Reason != "" {
		buf = appendText(appendInt(buf, keyEventReason), e.Reason)
	}
	if len(e.Detail) > 0 {
		buf, keys = appendStringMap(appendInt(buf, keyEventDetail), e.Detail, keys)
	}
	return buf, keys, nil
}
