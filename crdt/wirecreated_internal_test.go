package crdt

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"lienthong/schema"
)

// createdLedger builds by hand the state a member create leaves: one op,
// a register per non-empty field, the history entry naming every field
// and "home".
func createdLedger(rng *rand.Rand) *Ledger {
	var id schema.LedgerID
	var op schema.OpID
	for i := range id {
		id[i] = byte(rng.Uint32())
	}
	for i := range op {
		op[i] = byte(rng.Uint32())
	}
	m := OpMeta{ID: op, HLC: schema.HLC(rng.Uint64() >> 8), Author: schema.CommitteeID(fmt.Sprintf("author-%d", rng.IntN(3))), Kind: schema.KindMemberCreate}
	val := func(v string) Value { return Value{V: v, HLC: m.HLC, Author: m.Author, Op: m.ID} }
	home := fmt.Sprintf("home-%d", rng.IntN(3))
	l := &Ledger{ID: id, DAG: DAG{Ops: []OpMeta{m}, Heads: []schema.OpID{op}}, Home: Register{val(home)},
		Status: schema.StatusProbationary}
	changes := map[string]string{"home": home}
	for _, f := range schema.FieldNames() {
		if rng.IntN(3) == 0 {
			continue
		}
		v := fmt.Sprintf("%s %d", f, rng.IntN(1000))
		changes[f] = v
		l.Fields.set(f, Register{val(v)})
	}
	l.History = []Event{{Op: op, HLC: m.HLC, Author: m.Author, Kind: m.Kind, Changes: changes}}
	return l
}

// createdMutations change a created ledger in ways wireCreated must either
// encode as wire does or leave to wire; some make the ledger inconsistent,
// which wire reports.
var createdMutations = []struct {
	name string
	f    func(rng *rand.Rand, l *Ledger)
}{
	{"an empty value the create wrote", func(rng *rand.Rand, l *Ledger) { l.History[0].Changes["phone"] = "" }},
	{"a register value the history differs from", func(rng *rand.Rand, l *Ledger) {
		for _, f := range l.Fields {
			l.History[0].Changes[f.Name] = "other"
			return
		}
	}},
	{"history without home", func(rng *rand.Rand, l *Ledger) { delete(l.History[0].Changes, "home") }},
	{"a field the schema does not list", func(rng *rand.Rand, l *Ledger) {
		v := l.Home[0]
		v.V = "x"
		l.Fields.set("zz_unlisted", Register{v})
		l.History[0].Changes["zz_unlisted"] = "x"
	}},
	{"a value of another clock", func(rng *rand.Rand, l *Ledger) { l.Home[0].HLC++ }},
	{"a value of another op", func(rng *rand.Rand, l *Ledger) { l.Home[0].Op[0]++ }},
	{"a head that is not the op", func(rng *rand.Rand, l *Ledger) { l.DAG.Heads[0][0]++ }},
	{"two heads", func(rng *rand.Rand, l *Ledger) { l.DAG.Heads = append(l.DAG.Heads, l.DAG.Heads[0]) }},
	{"a dep", func(rng *rand.Rand, l *Ledger) { l.DAG.Ops[0].Deps = []schema.OpID{{1}} }},
	{"a set, not a create", func(rng *rand.Rand, l *Ledger) {
		l.DAG.Ops[0].Kind, l.History[0].Kind = schema.KindMemberSet, schema.KindMemberSet
	}},
	{"a history entry of another op", func(rng *rand.Rand, l *Ledger) { l.History[0].Op[1]++ }},
	{"a correction target", func(rng *rand.Rand, l *Ledger) { l.History[0].Target = l.DAG.Ops[0].ID }},
	{"no history", func(rng *rand.Rand, l *Ledger) { l.History = nil }},
	{"two values of home from the op", func(rng *rand.Rand, l *Ledger) {
		v := l.Home[0]
		v.V = "home-9"
		l.Home = append(l.Home, v)
	}},
	{"no home", func(rng *rand.Rand, l *Ledger) { l.Home = nil; delete(l.History[0].Changes, "home") }},
	{"no fields", func(rng *rand.Rand, l *Ledger) {
		l.Fields = nil
		for k := range l.History[0].Changes {
			if k != "home" {
				delete(l.History[0].Changes, k)
			}
		}
	}},
	{"a reason, a detail and a movement", func(rng *rand.Rand, l *Ledger) {
		l.History[0].Reason, l.History[0].Detail = "why", map[string]string{"a": "b"}
		l.History[0].Movement = &schema.MovementBody{Type: schema.MoveFull, Date: "2020-01-02"}
	}},
	{"a status and workflow records", func(rng *rand.Rand, l *Ledger) {
		l.Status = schema.StatusFull
		l.Residence = []ResidenceLink{{Home: "h", Residence: "r", Address: "a", Date: "2021-02-03"}}
	}},
}

// removes orders mutation i after the others if it removes what they
// change.
func removes(i int) int {
	switch createdMutations[i].name {
	case "no home", "no fields":
		return 1
	case "no history":
		return 2
	}
	return 0
}

// TestWireCreatedIsWire: for created ledgers and every way of changing
// one, Encode (which tries wireCreated first) returns what the general
// form gives, or the same error; and an unchanged create takes the short
// way.
func TestWireCreatedIsWire(t *testing.T) {
	short, long := 0, 0
	for seed := range uint64(3000) {
		rng := rand.New(rand.NewPCG(seed, 0xc4ea7ed))
		l := createdLedger(rng)
		name := "a create"
		if seed%4 != 0 {
			// One change, or two; those that remove parts go last, as the
			// others change those parts.
			picks := []int{rng.IntN(len(createdMutations))}
			if i := rng.IntN(len(createdMutations)); rng.IntN(2) == 0 && i != picks[0] {
				picks = append(picks, i)
			}
			slices.SortFunc(picks, func(a, b int) int { return cmp.Compare(removes(a), removes(b)) })
			for _, i := range picks {
				createdMutations[i].f(rng, l)
				name += ", " + createdMutations[i].name
			}
		}
		fast, ok := l.wireCreated(new(createdScratch))
		general, err := l.wire()
		if !ok {
			long++
		} else {
			short++
			if err != nil {
				t.Fatalf("seed %d (%s): wireCreated encoded a ledger wire rejects: %v", seed, name, err)
			}
			got, err1 := fast.appendCBOR(nil)
			want, err2 := general.appendCBOR(nil)
			marshaled, err3 := schema.Marshal(general)
			if err1 != nil || err2 != nil || err3 != nil || !bytes.Equal(got, want) || !bytes.Equal(want, marshaled) {
				t.Fatalf("seed %d (%s): wireCreated and wire give different bytes %s (errors %v %v %v)", seed, name, firstDiff(got, want), err1, err2, err3)
			}
		}
		enc, encErr := l.Encode()
		if err != nil {
			if encErr == nil {
				t.Fatalf("seed %d (%s): Encode accepted a ledger wire rejects (%v)", seed, name, err)
			}
			continue
		}
		want, _ := general.appendCBOR(nil)
		if encErr != nil || !bytes.Equal(enc, want) {
			t.Fatalf("seed %d (%s): Encode differs from the general form: %v", seed, name, encErr)
		}
		if seed%4 == 0 && !ok {
			t.Fatalf("seed %d: an unchanged create took the general way", seed)
		}
	}
	if short < 750 || long < 750 {
		t.Fatalf("%d ledgers took the short way and %d the general one: the cases do not cover both", short, long)
	}
}

// FuzzDecodeLedger: a stored state damaged in any way is refused with an
// error, or decodes to a ledger that encodes again, to bytes that decode
// and encode to themselves; it never panics.
func FuzzDecodeLedger(f *testing.F) {
	for seed := range uint64(8) {
		rng := rand.New(rand.NewPCG(seed, 7))
		raw, err := createdLedger(rng).Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		l, err := DecodeLedger(raw)
		if err != nil {
			return
		}
		enc, err := l.Encode()
		if err != nil {
			t.Fatalf("decoded but does not encode again: %v", err)
		}
		again, err := DecodeLedger(enc)
		if err != nil {
			t.Fatalf("its encoding does not decode: %v", err)
		}
		if enc2, err := again.Encode(); err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not stable: %v %s", err, firstDiff(enc2, enc))
		}
	})
}

// TestFieldsStaySorted: whatever the fields an op writes (some the schema
// does not list, some cleared), a ledger's registers stay sorted by name.
func TestFieldsStaySorted(t *testing.T) {
	var id schema.LedgerID
	id[0] = 1
	author := schema.CommitteeID("author")
	l := NewLedger(id)
	val := func(hlc schema.HLC) func(string) Value {
		return func(v string) Value { return Value{V: v, HLC: hlc, Author: author, Op: schema.OpID{byte(hlc)}} }
	}
	writes := []map[string]string{
		{"name": "Lò Văn Pó", "zz_unlisted": "x", "phone": "", "card": "01234567"},
		{"address": "Bản Mường", "aa_unlisted": "y", "card": ""},
		{"zz_unlisted": "", "born": "1970-01-02"},
	}
	var seen []schema.OpID // each write saw those before it
	for i, fields := range writes {
		hlc := schema.HLC(i + 1)
		l.setFields(fields, val(hlc), seen, false)
		l.DAG.Ops = append(l.DAG.Ops, OpMeta{ID: schema.OpID{byte(hlc)}, HLC: hlc, Author: author, Kind: schema.KindMemberSet, Deps: slices.Clone(seen)})
		seen = append(seen, schema.OpID{byte(hlc)})
		if !slices.IsSortedFunc(l.Fields, func(a, b FieldRegister) int { return cmp.Compare(a.Name, b.Name) }) {
			t.Fatalf("after write %d: fields out of order: %v", i, l.Fields.Names())
		}
	}
	if got, want := fmt.Sprint(l.Fields.Names()), "[aa_unlisted address born name]"; got != want {
		t.Fatalf("fields %s, want %s", got, want)
	}
	if l.Field("born") != "1970-01-02" || l.Fields.Get("card") != nil || l.Fields.Get("nope") != nil {
		t.Fatalf("registers %+v", l.Fields)
	}
}
