package schema_test

import (
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"lienthong/internal/testkit"
	"lienthong/schema"
)

func sampleOp(s *schema.Signer, hlc schema.HLC) *schema.Op {
	return testkit.Op(s, schema.LedgerID{1, 2, 3}, hlc, nil, &schema.MemberCreateBody{Home: s.ID(), Fields: map[string]string{"name": "Hoàng Thị Lan", "card": "01234567"}})
}

func TestSignVerifyRoundTrip(t *testing.T) {
	s := testkit.Signer("a")
	env, id, err := s.Sign(sampleOp(s, 42))
	if err != nil {
		t.Fatal(err)
	}
	d, err := schema.Decode(env, schema.NewVerifier())
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != id || d.Op.HLC != 42 || d.Op.Author != s.ID() {
		t.Fatalf("decoded %+v", d.Op)
	}
	if b := d.Body.(*schema.MemberCreateBody); b.Fields["name"] != "Hoàng Thị Lan" {
		t.Fatalf("body %+v", b)
	}
	// The same op signed again has the same bytes and ID (canonical
	// encoding, deterministic Ed25519).
	env2, id2, _ := s.Sign(sampleOp(s, 42))
	if id2 != id || string(env2) != string(env) {
		t.Fatal("signing is not deterministic")
	}
}

func TestWrongAuthorKeyFails(t *testing.T) {
	a, b := testkit.Signer("a"), testkit.Signer("b")
	op := sampleOp(a, 1)
	op.Author = b.ID() // claims to be b, signed by a
	env, _, _ := a.Sign(op)
	if _, err := schema.Decode(env, schema.NewVerifier()); !errors.Is(err, schema.ErrBadSignature) {
		t.Fatalf("got %v, want ErrBadSignature", err)
	}
}

func TestBatchProofs(t *testing.T) {
	s := testkit.Signer("a")
	for _, n := range []int{1, 2, 3, 7, 8, 100} {
		ops := make([]*schema.Op, n)
		for i := range ops {
			ops[i] = sampleOp(s, schema.HLC(i+1))
		}
		envs, ids, err := s.SignBatch(ops)
		if err != nil {
			t.Fatal(err)
		}
		v := schema.NewVerifier()
		for i, env := range envs {
			d, err := schema.Decode(env, v)
			if err != nil {
				t.Fatalf("n=%d op %d: %v", n, i, err)
			}
			if d.ID != ids[i] {
				t.Fatalf("n=%d op %d: ID mismatch", n, i)
			}
		}
		if n < 2 {
			continue
		}
		// Moving a proof to another op of the batch must fail.
		e0, _ := schema.DecodeEnvelope(envs[0])
		e1, _ := schema.DecodeEnvelope(envs[1])
		e0.Proof = e1.Proof
		swapped, _ := schema.Marshal(e0)
		if _, err := schema.Decode(swapped, schema.NewVerifier()); err == nil {
			t.Fatalf("n=%d: an op verified with another op's proof", n)
		}
		// The same with a verifier that has seen the whole batch, and an
		// op of the batch with its signature altered.
		if _, err := schema.Decode(swapped, v); err == nil {
			t.Fatalf("n=%d: an op verified with another op's proof by a verifier that knows the batch", n)
		}
		e1.Sig = append([]byte(nil), e1.Sig...)
		e1.Sig[5] ^= 1
		altered, _ := schema.Marshal(e1)
		if _, err := schema.Decode(altered, v); err == nil {
			t.Fatalf("n=%d: an op with its signature altered verified by a verifier that knows the batch", n)
		}
	}
}

// TestBatchVouchesOnlyForItsSigner: a batch signed by one committee that
// holds an op naming another as author does not make that op verify, even
// once the batch's other ops have.
func TestBatchVouchesOnlyForItsSigner(t *testing.T) {
	a, b := testkit.Signer("a"), testkit.Signer("b")
	ops := []*schema.Op{sampleOp(a, 1), sampleOp(a, 2), sampleOp(b, 3), sampleOp(a, 4)}
	envs, _, err := a.SignBatch(ops)
	if err != nil {
		t.Fatal(err)
	}
	v := schema.NewVerifier()
	for _, i := range []int{0, 1, 3} {
		if _, err := schema.Decode(envs[i], v); err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
	if _, err := schema.Decode(envs[2], v); !errors.Is(err, schema.ErrBadSignature) {
		t.Fatalf("an op naming b as author, in a batch a signed: %v, want a bad signature", err)
	}
}

func TestStrictDecoder(t *testing.T) {
	cases := map[string][]byte{
		"duplicate map key": {0xa2, 0x01, 0x40, 0x01, 0x40},
		"indefinite map":    {0xbf, 0x01, 0x40, 0xff},
		"trailing bytes":    {0xa0, 0x00},
		"tag":               {0xc1, 0x00},
		"empty":             {},
	}
	for name, b := range cases {
		if _, err := schema.DecodeEnvelope(b); !errors.Is(err, schema.ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
}

func TestValidateField(t *testing.T) {
	good := map[string]string{"card": "01234567", "citizen_id": "001203004005", "born": "1980-02-29", "sex": "F", "profile": "012345HN", "name": "Lý Thị Ngọc"}
	for k, v := range good {
		if err := schema.ValidateField(k, v); err != nil {
			t.Errorf("%s=%q: %v", k, v, err)
		}
	}
	bad := map[string]string{"card": "1234567", "citizen_id": "12345678901", "born": "1981-02-29", "sex": "Nam", "profile": "12345HN", "name": "", "nickname": "x"}
	for k, v := range bad {
		err := schema.ValidateField(k, v)
		var fe *schema.FieldError
		if !errors.As(err, &fe) || fe.Field != k {
			t.Errorf("%s=%q: got %v, want a FieldError naming %s", k, v, err, k)
		}
	}
}

func TestHLCNext(t *testing.T) {
	h := schema.MakeHLC(1000, 0)
	if n := h.Next(2000); n != schema.MakeHLC(2000, 0) {
		t.Fatalf("wall ahead: %d", n)
	}
	if n := h.Next(500); n != h+1 {
		t.Fatalf("wall behind: got %d want %d", n, h+1)
	}
	seen := schema.MakeHLC(3000, 5)
	if n := h.Next(2000, seen); n != seen+1 {
		t.Fatalf("seen ahead: got %d", n)
	}
}

func FuzzDecode(f *testing.F) {
	s := testkit.Signer("fuzz")
	env, _, _ := s.Sign(sampleOp(s, 7))
	f.Add(env)
	envs, _, _ := s.SignBatch([]*schema.Op{sampleOp(s, 1), sampleOp(s, 2), sampleOp(s, 3)})
	f.Add(envs[2])
	f.Add([]byte{0xa0})
	v := schema.NewVerifier()
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := schema.Decode(data, v)
		if err != nil {
			return
		}
		if d.ID != schema.IDOf(mustEnv(t, data).Op) {
			t.Fatal("ID is not the hash of the signed bytes")
		}
		if _, err := schema.DecodeBody(d.Op.Kind, d.Op.Body); err != nil {
			t.Fatalf("accepted op has an invalid body: %v", err)
		}
	})
}

func mustEnv(t *testing.T, data []byte) *schema.Envelope {
	env, err := schema.DecodeEnvelope(data)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// TestFieldChecksMatchTheirPatterns holds the hand-written checks of the
// patterned fields to the patterns they implement, on random strings drawn
// from the characters that matter and on edge cases.
func TestFieldChecksMatchTheirPatterns(t *testing.T) {
	patterns := map[string]*regexp.Regexp{
		"card":       regexp.MustCompile(`^[0-9]{8}$`),
		"citizen_id": regexp.MustCompile(`^[0-9]{12}$`),
		"profile":    regexp.MustCompile(`^[0-9]{6}[A-Za-zĐđ]{1,3}$`),
		"phone":      regexp.MustCompile(`^\+?[0-9 .-]{8,15}$`),
	}
	alphabet := []string{"0", "1", "9", "a", "Z", "Đ", "đ", "Ă", "+", " ", ".", "-", "x", "/", "١"}
	edge := []string{"", "+", "++12345678", "+12345678", "1234567", "123456789012345", "1234567890123456",
		"+1234567890123456", "012345Đđ", "012345abcd", "012345", "01234567", "001203004005", "0012030040051"}
	rng := rand.New(rand.NewPCG(7, 11))
	for field, re := range patterns {
		cases := append([]string(nil), edge...)
		for range 20000 {
			var b strings.Builder
			n := rng.IntN(18)
			digits := rng.IntN(3) == 0
			for j := range n {
				if digits && j < 12 {
					b.WriteByte(byte('0' + rng.IntN(10)))
					continue
				}
				b.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
			cases = append(cases, strings.TrimSpace(b.String()))
		}
		accepted := 0
		for _, v := range cases {
			if v == "" {
				continue // empty clears a field; no pattern applies
			}
			want := re.MatchString(v)
			got := schema.ValidateField(field, v) == nil
			if got != want {
				t.Fatalf("%s=%q: check accepts %v, pattern %v", field, v, got, want)
			}
			if got {
				accepted++
			}
		}
		if accepted == 0 {
			t.Errorf("%s: no case accepted; the cases do not exercise the check", field)
		}
	}
	// Dates: what time.Parse accepts, in the years 1900 to 2200.
	digits := "0123456789"
	cases := []string{"1900-01-01", "2200-12-31", "1899-12-31", "2201-01-01", "2024-02-29", "2023-02-29",
		"2023-04-31", "2023-00-10", "2023-13-01", "2023-01-00", "2023-1-01", "2023-01-1", "20230101", "2023/01/01", " 2023-01-01", "२०२३-01-01"}
	for range 50000 {
		b := []byte("2000-01-01")
		for j := range b {
			if rng.IntN(4) == 0 {
				b[j] = digits[rng.IntN(10)]
			}
		}
		if rng.IntN(50) == 0 {
			b[rng.IntN(len(b))] = "-x/ "[rng.IntN(4)]
		}
		cases = append(cases, string(b))
	}
	accepted := 0
	for _, v := range cases {
		tm, err := time.Parse(schema.DateLayout, v)
		want := err == nil && tm.Year() >= 1900 && tm.Year() <= 2200
		got := schema.ValidateField("born", v) == nil
		if got != want {
			t.Fatalf("born=%q: check accepts %v, time.Parse and the year range %v", v, got, want)
		}
		if got {
			accepted++
		}
	}
	if accepted < 1000 {
		t.Errorf("dates: %d of %d cases accepted; the cases do not exercise the check", accepted, len(cases))
	}
}

// decodeWith is schema.Decode through any SignatureVerifier (a session).
func decodeWith(env []byte, v schema.SignatureVerifier) error {
	d, err := schema.DecodeEnvelope(env)
	if err != nil {
		return err
	}
	op, _, err := schema.DecodeOp(d.Op)
	if err != nil {
		return err
	}
	return v.Verify(op.Author, d, schema.IDOf(d.Op))
}

// TestSessionVouchesOnlyForItsTree: a session that verified one op of a
// batch takes its neighbours on the strength of that op's path, and refuses
// what a fresh verifier refuses: a proof with any hash changed, at any
// level, another op's proof or index, another signature.
func TestSessionVouchesOnlyForItsTree(t *testing.T) {
	s, other := testkit.Signer("a"), testkit.Signer("b")
	tamper := func(env []byte, f func(*schema.Envelope)) []byte {
		e, err := schema.DecodeEnvelope(env)
		if err != nil {
			t.Fatal(err)
		}
		f(e)
		b, err := schema.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, n := range []int{2, 3, 7, 8, 100, 300} {
		ops := make([]*schema.Op, n)
		for i := range ops {
			ops[i] = sampleOp(s, schema.HLC(i+1))
		}
		envs, _, err := s.SignBatch(ops)
		if err != nil {
			t.Fatal(err)
		}
		// Every op verifies after every other (pairs sampled for large n).
		rng := rand.New(rand.NewPCG(uint64(n), 1))
		for k := 0; k < 400; k++ {
			i, j := rng.IntN(n), rng.IntN(n)
			sess := schema.NewVerifier().Session()
			if err := decodeWith(envs[i], sess); err != nil {
				t.Fatalf("n=%d op %d: %v", n, i, err)
			}
			if err := decodeWith(envs[j], sess); err != nil {
				t.Fatalf("n=%d op %d after %d: %v", n, j, i, err)
			}
			// Each hash of j's proof changed, after i: refused.
			e, _ := schema.DecodeEnvelope(envs[j])
			for h := range e.Proof.Path {
				bad := tamper(envs[j], func(e *schema.Envelope) { e.Proof.Path[h][h%32] ^= 1 })
				if err := decodeWith(envs[i], sess); err != nil {
					t.Fatal(err)
				}
				if err := decodeWith(bad, sess); err == nil {
					t.Fatalf("n=%d: op %d with hash %d of its proof changed verified after op %d", n, j, h, i)
				}
			}
			if i == j {
				continue
			}
			// j's op with i's proof, and i's op with j's: refused.
			ei, _ := schema.DecodeEnvelope(envs[i])
			swapped := tamper(envs[j], func(e *schema.Envelope) { e.Proof = ei.Proof })
			if err := decodeWith(swapped, sess); err == nil {
				t.Fatalf("n=%d: op %d verified with the proof of op %d", n, j, i)
			}
			moved := tamper(envs[j], func(e *schema.Envelope) { e.Proof.Index = ei.Proof.Index })
			if err := decodeWith(envs[i], sess); err != nil {
				t.Fatal(err)
			}
			if err := decodeWith(moved, sess); err == nil {
				t.Fatalf("n=%d: op %d verified at the index of op %d", n, j, i)
			}
			// Another size: refused where a fresh verifier refuses it (a
			// size whose tree has the same shape along the path leads to
			// the same root, and is taken by both).
			resized := tamper(envs[j], func(e *schema.Envelope) { e.Proof.Size++ })
			if err := decodeWith(envs[i], sess); err != nil {
				t.Fatal(err)
			}
			fresh := decodeWith(resized, schema.NewVerifier())
			if err := decodeWith(resized, sess); (err == nil) != (fresh == nil) {
				t.Fatalf("n=%d: op %d in a tree of another size: session says %v, a fresh verifier %v", n, j, err, fresh)
			}
			resig := tamper(envs[j], func(e *schema.Envelope) { e.Sig = append([]byte(nil), e.Sig...); e.Sig[3] ^= 1 })
			if err := decodeWith(envs[i], sess); err != nil {
				t.Fatal(err)
			}
			if err := decodeWith(resig, sess); err == nil {
				t.Fatalf("n=%d: op %d verified with its signature changed", n, j)
			}
		}
		// An op of this batch naming another author is not vouched for.
		forged := sampleOp(other, 1)
		fenvs, _, _ := s.SignBatch([]*schema.Op{ops[0], forged})
		sess := schema.NewVerifier().Session()
		if err := decodeWith(fenvs[0], sess); err != nil {
			t.Fatal(err)
		}
		if err := decodeWith(fenvs[1], sess); !errors.Is(err, schema.ErrBadSignature) {
			t.Fatalf("an op naming b, in a batch a signed, after its neighbour: %v, want a bad signature", err)
		}
	}
}

// BenchmarkVerifyBatch verifies the ops of batch-signed trees in order, as
// a catch-up receives them: through the verifier, and through a session.
func BenchmarkVerifyBatch(b *testing.B) {
	s := testkit.Signer("a")
	ops := make([]*schema.Op, 4096)
	for i := range ops {
		ops[i] = sampleOp(s, schema.HLC(i+1))
	}
	envs, _, err := s.SignBatch(ops)
	if err != nil {
		b.Fatal(err)
	}
	type parsed struct {
		env    *schema.Envelope
		author schema.CommitteeID
		id     schema.OpID
	}
	ps := make([]parsed, len(envs))
	for i, e := range envs {
		env, _ := schema.DecodeEnvelope(e)
		ps[i] = parsed{env, s.ID(), schema.IDOf(env.Op)}
	}
	for name, v := range map[string]func() schema.SignatureVerifier{
		"verifier": func() schema.SignatureVerifier { return schema.NewVerifier() },
		"session":  func() schema.SignatureVerifier { return schema.NewVerifier().Session() },
	} {
		b.Run(name, func(b *testing.B) {
			ver := v()
			i := 0
			for b.Loop() {
				p := ps[i%len(ps)]
				if err := ver.Verify(p.author, p.env, p.id); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// TestDecodedTextIsValidUTF8: a decoded body's fields are not checked for
// UTF-8 again, so the decoding must refuse text that is not, on the fast
// path (canonical input) and the general one (input in another order).
func TestDecodedTextIsValidUTF8(t *testing.T) {
	home := testkit.Signer("a").ID()
	text := func(s string) []byte { return append([]byte{0x60 | byte(len(s))}, s...) }
	body := func(first, second [2]string) []byte {
		b := []byte{0xa2, 0x01}
		b = append(b, 0x78, byte(len(home)))
		b = append(b, home...)
		b = append(b, 0x02, 0xa2)
		for _, kv := range [][2]string{first, second} {
			b = append(append(b, text(kv[0])...), text(kv[1])...)
		}
		return b
	}
	good := body([2]string{"sex", "F"}, [2]string{"name", "Lò Thị Ơn"})
	if _, err := schema.DecodeBody(schema.KindMemberCreate, good); err != nil {
		t.Fatalf("a valid body: %v", err)
	}
	for name, raw := range map[string][]byte{
		"canonical":     body([2]string{"sex", "F"}, [2]string{"name", "L\xffn"}),
		"out of order":  body([2]string{"name", "L\xffn"}, [2]string{"sex", "F"}),
		"invalid key":   body([2]string{"se\xff", "F"}, [2]string{"name", "Lò"}),
		"truncated run": body([2]string{"sex", "F"}, [2]string{"name", "L\xe1\xbb"}),
	} {
		if _, err := schema.DecodeBody(schema.KindMemberCreate, raw); !errors.Is(err, schema.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}
