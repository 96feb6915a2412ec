package schema

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// The hand-written paths are checked against the general encoder and the
// strict general decoder: same bytes out, and for any input the fast
// decoder accepts, the general decoder accepts it too and gives the same
// value.

func randText(rng *rand.Rand) string {
	alphabet := []string{"a", "z", "0", "ă", "Đ", "ệ", "ỹ", " ", "-", "🙂"}
	n := rng.IntN(4)
	switch n {
	case 0:
		n = rng.IntN(3)
	case 1:
		n = 20 + rng.IntN(10) // around the one-byte length boundary
	case 2:
		n = 250 + rng.IntN(20) // around the two-byte length boundary
	default:
		n = rng.IntN(40)
	}
	var b strings.Builder
	for range n {
		b.WriteString(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func randUint(rng *rand.Rand, max uint64) uint64 {
	bounds := []uint64{0, 1, 23, 24, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1, math.MaxUint64}
	if rng.IntN(3) == 0 {
		v := bounds[rng.IntN(len(bounds))]
		return min(v, max)
	}
	return min(rng.Uint64()>>rng.IntN(64), max)
}

// randFields draws field maps with the record's field names (written
// without sorting), random names (sorted), or both.
func randFields(rng *rand.Rand) map[string]string {
	m := map[string]string{}
	names := FieldNames()
	mix := rng.IntN(3)
	for range rng.IntN(20) {
		k := randText(rng)
		if mix == 0 || mix == 1 && rng.IntN(10) > 0 {
			k = names[rng.IntN(len(names))]
		}
		m[k] = randText(rng)
	}
	return m
}

func randOp(rng *rand.Rand) *Op {
	op := &Op{Author: CommitteeID(randText(rng)), HLC: HLC(randUint(rng, math.MaxUint64)), Kind: Kind(randUint(rng, math.MaxUint16))}
	copy(op.Ledger[:], randBytes(rng, 16))
	for range rng.IntN(4) {
		var d OpID
		copy(d[:], randBytes(rng, 32))
		op.Deps = append(op.Deps, d)
	}
	if rng.IntN(10) == 0 {
		op.Deps = []OpID{} // empty, left out like nil
	}
	op.Body = randBytes(rng, rng.IntN(300))
	return op
}

func randEnvelope(rng *rand.Rand) *Envelope {
	env := &Envelope{Op: randBytes(rng, rng.IntN(700)), Sig: randBytes(rng, []int{0, 64, 3}[rng.IntN(3)])}
	if rng.IntN(2) == 0 {
		p := &Proof{Index: uint32(randUint(rng, math.MaxUint32)), Size: uint32(randUint(rng, math.MaxUint32)), Path: [][32]byte{}}
		for range rng.IntN(12) {
			var h [32]byte
			copy(h[:], randBytes(rng, 32))
			p.Path = append(p.Path, h)
		}
		env.Proof = p
	}
	return env
}

// randValue returns a random value of a covered type.
func randValue(rng *rand.Rand) any {
	switch rng.IntN(4) {
	case 0:
		return randOp(rng)
	case 1:
		return randEnvelope(rng)
	case 2:
		return &MemberCreateBody{Home: CommitteeID(randText(rng)), Fields: randFields(rng)}
	}
	return &MemberSetBody{Fields: randFields(rng)}
}

func newOf(v any) any { return reflect.New(reflect.TypeOf(v).Elem()).Interface() }

// generalDecode decodes data into a new value of v's type with the general
// decoder alone.
func generalDecode(data []byte, v any) (any, error) {
	out := newOf(v)
	return out, decMode.Unmarshal(data, out)
}

func TestFastMarshalIsTheGeneralEncoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		v := randValue(rng)
		want, err := encMode.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := fastMarshal(v)
		if !ok {
			t.Fatalf("case %d: fast encoder declined %#v", i, v)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("case %d: %T\nfast    %x\ngeneral %x", i, v, got, want)
		}
		if cap(got) != len(got) {
			t.Fatalf("case %d: %T of %d bytes written into a buffer of %d: sized wrong, it was grown or is too big", i, v, len(got), cap(got))
		}
	}
}

func TestFastMarshalDeclinesNull(t *testing.T) {
	for _, v := range []any{&Op{}, &Envelope{Op: []byte{1}}, &Envelope{Op: []byte{1}, Sig: []byte{}, Proof: &Proof{}}, &MemberCreateBody{}, &MemberSetBody{}} {
		if b, ok := fastMarshal(v); ok {
			t.Errorf("fast encoder wrote %x for %#v, whose nil slice or map the general encoder writes as null", b, v)
		}
		want, err := encMode.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Marshal(v); err != nil || !bytes.Equal(got, want) {
			t.Errorf("Marshal(%#v) = %x, %v; want %x", v, got, err, want)
		}
	}
}

func TestFastUnmarshalAgreesWithTheGeneralDecoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	accepted, mutants := 0, 0
	for i := range 20000 {
		v := randValue(rng)
		data, err := encMode.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out := newOf(v)
		if !fastUnmarshal(data, out) {
			t.Fatalf("case %d: fast decoder declined the canonical encoding of %#v: %x", i, v, data)
		}
		want, err := generalDecode(data, v)
		if err != nil {
			t.Fatalf("case %d: general decoder: %v", i, err)
		}
		if !reflect.DeepEqual(out, want) {
			t.Fatalf("case %d: fast %#v, general %#v", i, out, want)
		}
		// Damaged and altered forms: whatever the fast decoder accepts,
		// the general one accepts with the same meaning.
		for range 8 {
			m := mutate(rng, data)
			mutants++
			got := newOf(v)
			if !fastUnmarshal(m, got) {
				if !reflect.DeepEqual(got, newOf(v)) {
					t.Fatalf("case %d: declined %x but changed the target", i, m)
				}
				continue
			}
			accepted++
			want, err := generalDecode(m, v)
			if err != nil {
				t.Fatalf("case %d: fast decoder accepted %x, general decoder rejects it: %v", i, m, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("case %d: %x: fast %#v, general %#v", i, m, got, want)
			}
		}
	}
	t.Logf("%d of %d altered inputs accepted, each as the general decoder reads it", accepted, mutants)
}

func mutate(rng *rand.Rand, data []byte) []byte {
	m := append([]byte(nil), data...)
	switch rng.IntN(6) {
	case 0: // flip a bit
		if len(m) > 0 {
			m[rng.IntN(len(m))] ^= 1 << rng.IntN(8)
		}
	case 1: // set a byte
		if len(m) > 0 {
			m[rng.IntN(len(m))] = byte(rng.Uint32())
		}
	case 2: // cut
		m = m[:rng.IntN(len(m)+1)]
	case 3: // insert
		i := rng.IntN(len(m) + 1)
		m = append(m[:i], append([]byte{byte(rng.Uint32())}, m[i:]...)...)
	case 4: // trailing byte
		m = append(m, byte(rng.Uint32()))
	case 5: // delete
		if len(m) > 0 {
			i := rng.IntN(len(m))
			m = append(m[:i], m[i+1:]...)
		}
	}
	return m
}

// TestFastUnmarshalLeavesNonCanonicalInputToTheGeneralDecoder: forms the
// fast decoder declines get the general decoder's verdict, acceptance or a
// strict rejection.
func TestFastUnmarshalLeavesNonCanonicalInputToTheGeneralDecoder(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		into any
		ok   bool // the general decoder's verdict
	}{
		{"set body, key in a longer head than needed", []byte{0xa1, 0x18, 0x01, 0xa1, 0x61, 'a', 0x61, 'b'}, &MemberSetBody{}, true},
		{"set body, field names out of order", []byte{0xa1, 0x01, 0xa2, 0x61, 'b', 0x61, 'x', 0x61, 'a', 0x61, 'y'}, &MemberSetBody{}, true},
		{"set body, a field name twice", []byte{0xa1, 0x01, 0xa2, 0x61, 'a', 0x61, 'x', 0x61, 'a', 0x61, 'y'}, &MemberSetBody{}, false},
		{"set body, indefinite-length map", []byte{0xa1, 0x01, 0xbf, 0x61, 'a', 0x61, 'x', 0xff}, &MemberSetBody{}, false},
		{"set body, invalid UTF-8", []byte{0xa1, 0x01, 0xa1, 0x61, 'a', 0x61, 0xff}, &MemberSetBody{}, false},
		{"set body, unknown key", []byte{0xa2, 0x01, 0xa0, 0x02, 0x00}, &MemberSetBody{}, false},
		{"set body, trailing byte", []byte{0xa1, 0x01, 0xa0, 0x00}, &MemberSetBody{}, false},
		{"set body, tagged", []byte{0xc1, 0xa1, 0x01, 0xa0}, &MemberSetBody{}, false},
		{"create body, fields null", []byte{0xa2, 0x01, 0x60, 0x02, 0xf6}, &MemberCreateBody{}, true},
		{"op, ledger of 3 bytes", []byte{0xa5, 0x01, 0x43, 1, 2, 3, 0x02, 0x60, 0x04, 0x01, 0x05, 0x01, 0x06, 0x40}, &Op{}, true},
		{"op, kind beyond 16 bits", []byte{0xa5, 0x01, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x60, 0x04, 0x01, 0x05, 0x1a, 0, 1, 0, 0, 0x06, 0x40}, &Op{}, false},
		{"op, empty deps written out", []byte{0xa6, 0x01, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x60, 0x03, 0x80, 0x04, 0x01, 0x05, 0x01, 0x06, 0x40}, &Op{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if fastUnmarshal(c.data, newOf(c.into)) {
				t.Fatalf("fast decoder accepted %x", c.data)
			}
			want, werr := generalDecode(c.data, c.into)
			got := newOf(c.into)
			err := Unmarshal(c.data, got)
			if (err == nil) != c.ok || (werr == nil) != c.ok {
				t.Fatalf("Unmarshal: %v, general decoder: %v; want accepted=%v", err, werr, c.ok)
			}
			if err == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("Unmarshal gave %#v, general decoder %#v", got, want)
			}
		})
	}
}

func TestFastUnmarshalKeepsTheLimits(t *testing.T) {
	m := map[string]string{}
	for i := range maxItems + 1 {
		m[strings.Repeat("k", 1+i%7)+string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676))] = "v"
	}
	if len(m) != maxItems+1 {
		t.Fatalf("built %d fields", len(m))
	}
	data, err := encMode.Marshal(&MemberSetBody{Fields: m})
	if err != nil {
		t.Fatal(err)
	}
	if fastUnmarshal(data, &MemberSetBody{}) {
		t.Fatalf("fast decoder accepted a map of %d pairs, over the limit of %d", len(m), maxItems)
	}
	if err := Unmarshal(data, &MemberSetBody{}); err == nil {
		t.Fatal("a map over the limit was accepted")
	}
}

func TestFastUnmarshalNeedsAZeroTarget(t *testing.T) {
	data, err := encMode.Marshal(&MemberSetBody{Fields: map[string]string{"phone": "0912345678"}})
	if err != nil {
		t.Fatal(err)
	}
	b := &MemberSetBody{Fields: map[string]string{"name": "x"}}
	if fastUnmarshal(data, b) {
		t.Fatal("fast decoder decoded into a value that was not empty")
	}
}

// FuzzFastDecode: any input the fast decoder accepts, as any covered type,
// the general decoder accepts with the same value.
func FuzzFastDecode(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 12 {
		b, err := encMode.Marshal(randValue(rng))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	types := []any{&Envelope{}, &Op{}, &MemberCreateBody{}, &MemberSetBody{}}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, typ := range types {
			got := newOf(typ)
			if !fastUnmarshal(data, got) {
				continue
			}
			want, err := generalDecode(data, typ)
			if err != nil {
				t.Fatalf("%T: fast decoder accepted %x, general decoder rejects it: %v", typ, data, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%T: %x: fast %#v, general %#v", typ, data, got, want)
			}
			re, ok := fastMarshal(got)
			if ok && !bytes.Equal(re, data) {
				t.Fatalf("%T: accepted %x, which is not canonical (%x)", typ, data, re)
			}
		}
	})
}

// BenchmarkDecodeOp decodes a batch-signed envelope, its op and its body,
// by the fast path and by the general decoder alone.
func BenchmarkDecodeOp(b *testing.B) {
	body, _ := encMode.Marshal(&MemberCreateBody{Home: "12D3KooWGzDhFuNrq8Ff75vMJHJACtvEEZqP2vZ9XRoHTk4Bsgqd", Fields: map[string]string{
		"name": "Nguyễn Thị Thu Hằng", "sex": "F", "born": "1978-03-14", "birthplace": "Phủ Lý, Hà Nam", "hometown": "Kim Bảng, Hà Nam",
		"ethnicity": "Kinh", "religion": "Không", "citizen_id": "035178001234", "address": "Số 12, ngõ 34, phố Trần Hưng Đạo",
		"phone": "0912345678", "occupation": "Kỹ sư", "education": "12/12", "card": "01234567", "admitted": "2001-05-19", "full": "2002-05-19",
	}})
	op := &Op{Author: "12D3KooWGzDhFuNrq8Ff75vMJHJACtvEEZqP2vZ9XRoHTk4Bsgqd", HLC: 1 << 40, Kind: KindMemberCreate, Body: body}
	opBytes, _ := encMode.Marshal(op)
	env, _ := encMode.Marshal(&Envelope{Op: opBytes, Sig: make([]byte, 64), Proof: &Proof{Index: 7, Size: 256, Path: make([][32]byte, 8)}})
	run := func(b *testing.B, dec func([]byte, any) error) {
		for b.Loop() {
			var e Envelope
			var o Op
			var c MemberCreateBody
			if dec(env, &e) != nil || dec(e.Op, &o) != nil || dec(o.Body, &c) != nil {
				b.Fatal("does not decode")
			}
		}
	}
	b.Run("fast", func(b *testing.B) { run(b, Unmarshal) })
	b.Run("general", func(b *testing.B) { run(b, decMode.Unmarshal) })
}
