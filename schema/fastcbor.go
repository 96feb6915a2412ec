package schema

import (
	"bytes"
	"encoding/binary"
	"math"
	"unicode/utf8"

	"lienthong/internal/cborx"
)

// Hand-written encoding and decoding of the envelope, the op and the two
// bodies every bulk write and catch-up carries (member create, member set).
//
// fastMarshal writes exactly the bytes the general encoder writes, or
// declines (for shapes it does not cover, such as a nil slice the general
// encoder writes as null). fastUnmarshal accepts only input in canonical
// form, of exactly the expected shape and within the decoder's limits, and
// gives exactly the value the strict general decoder gives for it; it
// declines everything else, which the general decoder then accepts or
// rejects as before. So the set of accepted messages, and what they mean,
// are the general decoder's; fastcbor_test.go and FuzzFastDecode check both
// halves against it.

func fastMarshal(v any) ([]byte, bool) {
	switch v := v.(type) {
	case *Envelope:
		return marshalEnvelope(v)
	case *Op:
		return marshalOp(v)
	case *MemberCreateBody:
		if v.Fields == nil {
			return nil, false
		}
		buf := make([]byte, 0, 3+cborx.TextSize(string(v.Home))+cborx.StringMapSize(v.Fields))
		buf = cborx.AppendText(append(buf, cborx.Map|2, 1), string(v.Home))
		return cborx.AppendStringMapIn(append(buf, 2), v.Fields, canonicalFieldNames), true
	case *MemberSetBody:
		if v.Fields == nil {
			return nil, false
		}
		buf := make([]byte, 0, 2+cborx.StringMapSize(v.Fields))
		return cborx.AppendStringMapIn(append(buf, cborx.Map|1, 1), v.Fields, canonicalFieldNames), true
	}
	return nil, false
}

// canonicalFieldNames are the member record's field names in the order a
// canonical encoding writes map keys.
var canonicalFieldNames = func() []string {
	names := FieldNames()
	cborx.CanonicalOrder(names)
	return names
}()

func marshalOp(op *Op) ([]byte, bool) {
	if op.Body == nil {
		return nil, false
	}
	// The map's head and its keys take a byte each.
	n, pairs := 6+cborx.BytesSize(op.Ledger[:])+cborx.TextSize(string(op.Author))+
		cborx.HeadSize(uint64(op.HLC))+cborx.HeadSize(uint64(op.Kind))+cborx.BytesSize(op.Body), byte(5)
	if len(op.Deps) > 0 {
		n += 1 + cborx.HeadSize(uint64(len(op.Deps))) + len(op.Deps)*(2+len(OpID{}))
		pairs++
	}
	buf := make([]byte, 0, n)
	buf = cborx.AppendBytes(append(buf, cborx.Map|pairs, 1), op.Ledger[:])
	buf = cborx.AppendText(append(buf, 2), string(op.Author))
	if len(op.Deps) > 0 {
		buf = cborx.AppendHead(append(buf, 3), cborx.Array, uint64(len(op.Deps)))
		for i := range op.Deps {
			buf = cborx.AppendBytes(buf, op.Deps[i][:])
		}
	}
	buf = cborx.AppendHead(append(buf, 4), cborx.Uint, uint64(op.HLC))
	buf = cborx.AppendHead(append(buf, 5), cborx.Uint, uint64(op.Kind))
	return cborx.AppendBytes(append(buf, 6), op.Body), true
}

func marshalEnvelope(env *Envelope) ([]byte, bool) {
	if env.Op == nil || env.Sig == nil || (env.Proof != nil && env.Proof.Path == nil) {
		return nil, false
	}
	n, pairs := 3+cborx.BytesSize(env.Op)+cborx.BytesSize(env.Sig), byte(2)
	if p := env.Proof; p != nil {
		// Its key, its map's head and the map's three keys.
		n += 5 + cborx.HeadSize(uint64(p.Index)) + cborx.HeadSize(uint64(p.Size)) +
			cborx.HeadSize(uint64(len(p.Path))) + len(p.Path)*34
		pairs++
	}
	buf := make([]byte, 0, n)
	buf = cborx.AppendBytes(append(buf, cborx.Map|pairs, 1), env.Op)
	buf = cborx.AppendBytes(append(buf, 2), env.Sig)
	if p := env.Proof; p != nil {
		buf = cborx.AppendHead(append(buf, 3, cborx.Map|3, 1), cborx.Uint, uint64(p.Index))
		buf = cborx.AppendHead(append(buf, 2), cborx.Uint, uint64(p.Size))
		buf = cborx.AppendHead(append(buf, 3), cborx.Array, uint64(len(p.Path)))
		for i := range p.Path {
			buf = cborx.AppendBytes(buf, p.Path[i][:])
		}
	}
	return buf, true
}

// fastUnmarshal decodes data into v, which must point to a zero value, if
// data is the canonical encoding of one of the covered types. It reports
// whether it did; when it did not, v is unchanged.
func fastUnmarshal(data []byte, v any) bool { return fastUnmarshalFrom(reader{b: data}, v) }

// unmarshalInPlace is Unmarshal for input the caller keeps, unchanged, for
// as long as what it decodes to: byte strings the fast path reads are cut
// from data (capped, so an append to one copies) instead of copied. The op
// bytes of an envelope and the body of an op are most of them.
func unmarshalInPlace(data []byte, v any) error {
	if fastUnmarshalFrom(reader{b: data, inPlace: true}, v) {
		return nil
	}
	return decMode.Unmarshal(data, v)
}

func fastUnmarshalFrom(r reader, v any) bool {
	switch v := v.(type) {
	case *Envelope:
		if v.Op != nil || v.Sig != nil || v.Proof != nil {
			return false
		}
		var e Envelope
		if r.readEnvelope(&e) && r.done() {
			*v = e
			return true
		}
	case *Op:
		if v.Ledger != (LedgerID{}) || v.Author != "" || v.Deps != nil || v.HLC != 0 || v.Kind != 0 || v.Body != nil {
			return false
		}
		var op Op
		if r.readOp(&op) && r.done() {
			*v = op
			return true
		}
	case *MemberCreateBody:
		if v.Home != "" || v.Fields != nil {
			return false
		}
		if !r.mapOf(2) || !r.key(1) {
			return false
		}
		home, ok := r.text()
		if !ok || !r.key(2) {
			return false
		}
		fields, ok := r.stringMap()
		if ok && r.done() {
			v.Home, v.Fields = CommitteeID(home), fields
			return true
		}
	case *MemberSetBody:
		if v.Fields != nil {
			return false
		}
		if !r.mapOf(1) || !r.key(1) {
			return false
		}
		fields, ok := r.stringMap()
		if ok && r.done() {
			v.Fields = fields
			return true
		}
	}
	return false
}

// reader reads canonical CBOR; every method reports false on anything
// else (a longer head than needed, an indefinite length, a tag, a float,
// a count over the decoder's limits, input that ends early).
type reader struct {
	b   []byte
	off int
	// inPlace: byte strings are cut from b rather than copied (see
	// unmarshalInPlace).
	inPlace bool
}

func (r *reader) done() bool { return r.off == len(r.b) }

// head reads a head and returns its major type and argument.
func (r *reader) head() (byte, uint64, bool) {
	if r.off >= len(r.b) {
		return 0, 0, false
	}
	c := r.b[r.off]
	major, ai := c&0xe0, c&0x1f
	r.off++
	var n uint64
	switch {
	case ai < 24:
		return major, uint64(ai), true
	case ai == 24 && r.off+1 <= len(r.b):
		n = uint64(r.b[r.off])
		r.off++
		return major, n, n >= 24
	case ai == 25 && r.off+2 <= len(r.b):
		n = uint64(binary.BigEndian.Uint16(r.b[r.off:]))
		r.off += 2
		return major, n, n > math.MaxUint8
	case ai == 26 && r.off+4 <= len(r.b):
		n = uint64(binary.BigEndian.Uint32(r.b[r.off:]))
		r.off += 4
		return major, n, n > math.MaxUint16
	case ai == 27 && r.off+8 <= len(r.b):
		n = binary.BigEndian.Uint64(r.b[r.off:])
		r.off += 8
		return major, n, n > math.MaxUint32
	}
	return 0, 0, false
}

func (r *reader) uint(limit uint64) (uint64, bool) {
	major, n, ok := r.head()
	return n, ok && major == cborx.Uint && n <= limit
}

// key reads the int key k of a keyasint struct.
func (r *reader) key(k byte) bool {
	if r.off < len(r.b) && r.b[r.off] == k {
		r.off++
		return true
	}
	return false
}

func (r *reader) mapOf(pairs uint64) bool {
	major, n, ok := r.head()
	return ok && major == cborx.Map && n == pairs
}

// raw reads a string of major type t and returns its bytes, in place.
func (r *reader) raw(t byte) ([]byte, bool) {
	major, n, ok := r.head()
	if !ok || major != t || n > uint64(len(r.b)-r.off) {
		return nil, false
	}
	b := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return b, true
}

// bytes reads a byte string into a new slice, as the general decoder does,
// or (inPlace) cuts it from the input.
func (r *reader) bytes() ([]byte, bool) {
	b, ok := r.raw(cborx.Bytes)
	if !ok {
		return nil, false
	}
	if r.inPlace {
		return b[:len(b):len(b)], true
	}
	return append(make([]byte, 0, len(b)), b...), true
}

// array reads a byte string of exactly len(dst) bytes into dst.
func (r *reader) array(dst []byte) bool {
	b, ok := r.raw(cborx.Bytes)
	if !ok || len(b) != len(dst) {
		return false
	}
	copy(dst, b)
	return true
}

func (r *reader) text() (string, bool) {
	b, ok := r.raw(cborx.Text)
	if !ok || !utf8.Valid(b) {
		return "", false
	}
	return string(b), true
}

// stringMap reads a map of text to text whose keys are in canonical order,
// so none repeats. Keys and values are cut from one string holding the rest
// of the input: one allocation rather than two per field.
func (r *reader) stringMap() (map[string]string, bool) {
	major, n, ok := r.head()
	if !ok || major != cborx.Map || n > maxItems {
		return nil, false
	}
	rest, base := string(r.b[r.off:]), r.off
	str := func() (string, bool) {
		b, ok := r.raw(cborx.Text)
		if !ok || !utf8.Valid(b) {
			return "", false
		}
		return rest[r.off-len(b)-base : r.off-base], true
	}
	m := make(map[string]string, n)
	var last []byte
	for i := uint64(0); i < n; i++ {
		start := r.off
		k, ok := str()
		if !ok {
			return nil, false
		}
		enc := r.b[start:r.off]
		if i > 0 && bytes.Compare(last, enc) >= 0 {
			return nil, false
		}
		last = enc
		v, ok := str()
		if !ok {
			return nil, false
		}
		m[k] = v
	}
	return m, true
}

func (r *reader) readOp(op *Op) bool {
	major, pairs, ok := r.head()
	if !ok || major != cborx.Map || pairs < 5 || pairs > 6 {
		return false
	}
	if !r.key(1) || !r.array(op.Ledger[:]) || !r.key(2) {
		return false
	}
	author, ok := r.text()
	if !ok {
		return false
	}
	op.Author = CommitteeID(author)
	if pairs == 6 {
		if !r.key(3) {
			return false
		}
		major, n, ok := r.head()
		if !ok || major != cborx.Array || n == 0 || n > maxItems {
			return false
		}
		op.Deps = make([]OpID, n)
		for i := range op.Deps {
			if !r.array(op.Deps[i][:]) {
				return false
			}
		}
	}
	if !r.key(4) {
		return false
	}
	hlc, ok := r.uint(math.MaxUint64)
	if !ok || !r.key(5) {
		return false
	}
	kind, ok := r.uint(math.MaxUint16)
	if !ok || !r.key(6) {
		return false
	}
	body, ok := r.bytes()
	if !ok {
		return false
	}
	op.HLC, op.Kind, op.Body = HLC(hlc), Kind(kind), body
	return true
}

func (r *reader) readEnvelope(e *Envelope) bool {
	major, pairs, ok := r.head()
	if !ok || major != cborx.Map || pairs < 2 || pairs > 3 || !r.key(1) {
		return false
	}
	if e.Op, ok = r.bytes(); !ok || !r.key(2) {
		return false
	}
	if e.Sig, ok = r.bytes(); !ok {
		return false
	}
	if pairs == 2 {
		return true
	}
	if !r.key(3) || !r.mapOf(3) || !r.key(1) {
		return false
	}
	index, ok := r.uint(math.MaxUint32)
	if !ok || !r.key(2) {
		return false
	}
	size, ok := r.uint(math.MaxUint32)
	if !ok || !r.key(3) {
		return false
	}
	major, n, ok := r.head()
	if !ok || major != cborx.Array || n > maxItems {
		return false
	}
	p := &Proof{Index: uint32(index), Size: uint32(size), Path: make([][32]byte, n)}
	for i := range p.Path {
		if !r.array(p.Path[i][:]) {
			return false
		}
	}
	e.Proof = p
	return true
}
