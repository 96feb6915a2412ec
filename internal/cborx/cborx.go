// Package cborx writes and reads the canonical CBOR that schema.Marshal
// produces (RFC 8949 core deterministic encoding), by hand, for the few
// shapes that every op and state has. It is a speed path only: what it
// writes is byte for byte what the reflection-based encoder writes, and a
// reader built on it accepts only input in that canonical form, leaving
// everything else to the strict general decoder.
//
// The rules of the canonical form it relies on:
//
//   - keyasint structs are maps keyed by small ints in ascending order
//     (their encoded keys sort bytewise in that order), omitempty fields
//     left out when empty;
//   - every head (ints, lengths) takes the shortest form;
//   - [N]byte arrays are byte strings;
//   - map keys sort bytewise by their encoding: for text strings, shorter
//     first, then bytewise.
package cborx

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"
	"strings"
)

// CBOR major types and simple values.
const (
	Uint   byte = 0x00
	NegInt byte = 0x20
	Bytes  byte = 0x40
	Text   byte = 0x60
	Array  byte = 0x80
	Map    byte = 0xa0
	True   byte = 0xf5
	Null   byte = 0xf6
)

// AppendHead appends a head of major type t with argument n, shortest form.
func AppendHead(buf []byte, t byte, n uint64) []byte {
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

// AppendInt appends a signed integer.
func AppendInt(buf []byte, n int) []byte {
	if n < 0 {
		return AppendHead(buf, NegInt, uint64(-1-n))
	}
	return AppendHead(buf, Uint, uint64(n))
}

// AppendText appends a text string.
func AppendText(buf []byte, s string) []byte {
	return append(AppendHead(buf, Text, uint64(len(s))), s...)
}

// AppendBytes appends a byte string.
func AppendBytes(buf []byte, b []byte) []byte {
	return append(AppendHead(buf, Bytes, uint64(len(b))), b...)
}

// AppendStringMap appends m with its keys in canonical order; keys is
// scratch space, returned for reuse.
func AppendStringMap(buf []byte, m map[string]string, keys []string) ([]byte, []string) {
	keys = keys[:0]
	for k := range m {
		keys = append(keys, k)
	}
	// Encoded text strings sort bytewise as shorter first, then bytewise:
	// a longer string's head is never smaller than a shorter one's, and
	// equal heads mean equal lengths.
	CanonicalOrder(keys)
	buf = AppendHead(buf, Map, uint64(len(keys)))
	for _, k := range keys {
		buf = AppendText(AppendText(buf, k), m[k])
	}
	return buf, keys
}

// CanonicalOrder sorts keys as a canonical encoding orders them: shorter
// first, then bytewise.
func CanonicalOrder(keys []string) {
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
	})
}

// AppendStringMapIn is AppendStringMap for a map whose keys are usually
// among known, which is in canonical order (see CanonicalOrder): it
// writes the keys in that order without sorting them, and sorts only if
// the map has a key outside it.
func AppendStringMapIn(buf []byte, m map[string]string, known []string) []byte {
	start, n := len(buf), 0
	buf = AppendHead(buf, Map, uint64(len(m)))
	for _, k := range known {
		if v, ok := m[k]; ok {
			buf = AppendText(AppendText(buf, k), v)
			n++
		}
	}
	if n != len(m) {
		buf, _ = AppendStringMap(buf[:start], m, nil)
	}
	return buf
}

// HeadSize is the length of a head with argument n.
func HeadSize(n uint64) int {
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

// IntSize is the length of a signed integer.
func IntSize(n int) int {
	if n < 0 {
		return HeadSize(uint64(-1 - n))
	}
	return HeadSize(uint64(n))
}

// TextSize is the length of a text string.
func TextSize(s string) int { return HeadSize(uint64(len(s))) + len(s) }

// BytesSize is the length of a byte string.
func BytesSize(b []byte) int { return HeadSize(uint64(len(b))) + len(b) }

// StringMapSize is the length of m's encoding.
func StringMapSize(m map[string]string) int {
	n := HeadSize(uint64(len(m)))
	for k, v := range m {
		n += TextSize(k) + TextSize(v)
	}
	return n
}
