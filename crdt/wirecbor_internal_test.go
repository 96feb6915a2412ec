package crdt

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"lienthong/schema"
)

// WireCBOR returns the stored form of l as the hand-written encoder writes
// it and as schema.Marshal writes it, for the comparisons in
// wirecbor_test.go (which folds ledgers with testkit, which imports crdt).
func WireCBOR(l *Ledger) (got, want []byte, err error) {
	w, err := l.wire()
	if err != nil {
		return nil, nil, err
	}
	if got, err = w.appendCBOR(nil); err != nil {
		return nil, nil, err
	}
	if want, err = schema.Marshal(w); err != nil {
		return nil, nil, err
	}
	return got, want, nil
}

// checkWire fails t unless w.appendCBOR writes what schema.Marshal does,
// appended to an empty buffer and to one holding other bytes.
func checkWire(t *testing.T, name string, w *wireLedger) {
	t.Helper()
	want, err := schema.Marshal(w)
	if err != nil {
		t.Fatalf("%s: Marshal: %v", name, err)
	}
	got, err := w.appendCBOR(nil)
	if err != nil {
		t.Fatalf("%s: appendCBOR: %v", name, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: appendCBOR differs from Marshal %s", name, firstDiff(got, want))
	}
	if handOnly := len(w.Residence)+len(w.Transfers)+len(w.Exempt)+len(w.Leaves)+len(w.Ratings)+len(w.Inactive) == 0 &&
		!slices.ContainsFunc(w.Events, func(e wireEvent) bool { return e.Movement != nil }); handOnly && w.sizeHint() != len(want) {
		t.Fatalf("%s: size hint %d for %d bytes", name, w.sizeHint(), len(want))
	}
	prefix := []byte{0xde, 0xad, 0xbe, 0xef}
	got, err = w.appendCBOR(prefix[:len(prefix):len(prefix)])
	if err != nil || !bytes.Equal(got[:len(prefix)], prefix) || !bytes.Equal(got[len(prefix):], want) {
		t.Fatalf("%s: appendCBOR to a non-empty buffer: %v", name, err)
	}
}

// firstDiff describes where two encodings part.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	ctx := func(b []byte) []byte { return b[max(0, i-8):min(len(b), i+8)] }
	return fmt.Sprintf("at byte %d of %d/%d: got …%x…, want …%x…", i, len(got), len(want), ctx(got), ctx(want))
}

// Ints on either side of every head size.
var edgeInts = []int{0, 1, 23, 24, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64,
	-1, -23, -24, -25, -256, -257, -65536, -65537, -math.MaxUint32 - 1, -math.MaxUint32 - 2, math.MinInt64}

var edgeHLCs = []schema.HLC{0, 23, 24, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1, math.MaxUint64,
	schema.MakeHLC(1_700_000_000_000, 3)}

var edgeKinds = []schema.Kind{0, 1, 23, 24, 255, 256, 65535, schema.KindMemberCreate, schema.KindRating}

// Strings on either side of every length head size, non-ASCII included.
var edgeStrings = func() []string {
	out := []string{"", "a", "Trần Thị Mai", "Đảng ủy phường Lê Hồng Phong", "ễ", "\x00", "\xff\xfe"}
	for _, n := range []int{23, 24, 255, 256, 65535, 65536, 70_000} {
		out = append(out, strings.Repeat("x", n))
	}
	// Multi-byte text around the boundaries too: "ệ" is 3 bytes.
	for _, n := range []int{7, 8, 85, 86, 21845, 21846} {
		out = append(out, strings.Repeat("ệ", n))
	}
	return out
}()

// Map keys whose length-first order differs from plain string order, and
// keys of several head sizes.
var edgeKeys = []string{"", "a", "b", "aa", "ab", "ba", "z", "zz", "home", "name", "phone", "Z", "é", "ê", "ễ", "address",
	strings.Repeat("k", 23), strings.Repeat("k", 24), strings.Repeat("j", 24), strings.Repeat("k", 255), strings.Repeat("k", 256),
	strings.Repeat("k", 65536)}

func TestAppendCBOREdgeCases(t *testing.T) {
	cases := map[string]*wireLedger{}
	add := func(name string, w *wireLedger) { cases[name] = w }

	add("empty", &wireLedger{})
	add("id only", &wireLedger{ID: schema.LedgerID{0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xfe}})
	add("status", &wireLedger{Status: schema.StatusFull})
	add("empty non-nil slices are left out", &wireLedger{Authors: []schema.CommitteeID{}, Ops: []wireOp{}, Heads: []int{},
		Home: []wireValue{}, Fields: []wireField{}, Events: []wireEvent{}, Residence: []ResidenceLink{}, Transfers: []Transfer{},
		Exempt: []Exemption{}, Leaves: []Leave{}, Ratings: []Rating{}, Inactive: []Inactive{}})

	for _, n := range edgeInts {
		add(fmt.Sprintf("int %d", n), &wireLedger{
			Ops:    []wireOp{{Author: n, Deps: []int{n, 0, n}}},
			Heads:  []int{n},
			Home:   []wireValue{{V: "x", Op: n}},
			Fields: []wireField{{Name: "f", Values: []wireValue{{Op: n}}}},
			Events: []wireEvent{{Target: n}},
		})
	}
	for _, h := range edgeHLCs {
		add(fmt.Sprintf("hlc %d", h), &wireLedger{Ops: []wireOp{{HLC: h, ID: schema.OpID{1, 2, 3}}}})
	}
	for _, k := range edgeKinds {
		add(fmt.Sprintf("kind %d", k), &wireLedger{Ops: []wireOp{{Kind: k}}})
	}
	for i, s := range edgeStrings {
		add(fmt.Sprintf("string %d (%d bytes)", i, len(s)), &wireLedger{
			Authors: []schema.CommitteeID{schema.CommitteeID(s)},
			Home:    []wireValue{{V: s}},
			Fields:  []wireField{{Name: s, Values: []wireValue{{V: s, Op: 1}}}},
			Status:  s,
			Events:  []wireEvent{{Reason: s, Changes: map[string]string{"k": s}, Detail: map[string]string{s: s}}},
		})
	}
	add("nil and empty deps and values", &wireLedger{
		Ops:    []wireOp{{Deps: nil}, {Deps: []int{}}, {Deps: []int{0}}},
		Fields: []wireField{{Name: "a", Values: nil}, {Name: "b", Values: []wireValue{}}},
	})
	add("whole without changes", &wireLedger{Events: []wireEvent{{Whole: true}, {}, {Whole: true, Changes: map[string]string{}}}})
	all := map[string]string{}
	for i, k := range edgeKeys {
		all[k] = edgeStrings[i%len(edgeStrings)]
	}
	add("map key order", &wireLedger{Events: []wireEvent{{Changes: all, Detail: all}}})
	big := map[string]string{}
	for i := range 300 {
		big[fmt.Sprintf("k%d", i*7919%1000)] = fmt.Sprint(i)
	}
	add("map of 300 keys", &wireLedger{Events: []wireEvent{{Changes: big, Whole: true, Target: 300, Reason: "ghi nhầm", Detail: big}}})
	add("movements", &wireLedger{Events: []wireEvent{
		{Movement: &schema.MovementBody{}},
		{Movement: &schema.MovementBody{Type: schema.MoveFull, Date: "2025-10-01"}},
		{Movement: &schema.MovementBody{Type: schema.MoveExpelled, Date: "2025-10-01", Reason: "vi phạm kỷ luật", Decision: "123-QĐ/TU"},
			Changes: map[string]string{"a": "b"}, Whole: true, Target: 2, Reason: "r", Detail: map[string]string{"x": "y"}},
	}})
	op := schema.OpID{9, 9, 9}
	add("workflows", &wireLedger{
		ID: schema.LedgerID{1}, Status: schema.StatusProbationary,
		Residence: []ResidenceLink{{Intro: op, Home: "h", Residence: "r", Address: "Số 5, phố Hàng Bài", Date: "2026-01-01",
			ExemptActivity: true, ExemptCategory: "age", Accepted: "2026-01-02", Cell: "c", Ended: "2026-02-01", EndReason: EndedByTransfer,
			Attendance: []Attendance{{Op: op, Meeting: "2026-01-05", Status: schema.AttendAbsent, Reason: "ốm"}},
			Requests:   []Request{{Op: op, Year: 2025, Date: "2026-01-06"}},
			Comments:   []Comment{{Op: op, Year: 2025, Fulfilled: true, Text: "Gương mẫu", Author: "r"}}}, {}},
		Transfers: []Transfer{{TransferIssueBody: schema.TransferIssueBody{Type: schema.TransferTemporary, Destination: "d", Date: "2026-01-01",
			Until: "2026-06-01", Study: true}, Issue: op, From: "h", Extensions: []Extension{{Op: op, Until: "2026-08-01"}}}, {}},
		Exempt:   []Exemption{{ExemptionBody: schema.ExemptionBody{Type: schema.ExemptPermanent, Category: "age", From: "2026-01-01"}, Op: op}, {}},
		Leaves:   []Leave{{LeaveBody: schema.LeaveBody{From: "2026-01-01", Until: "2026-05-01", Itinerant: true}, Op: op, Ended: "2026-03-01"}, {}},
		Ratings:  []Rating{{RatingBody: schema.RatingBody{Year: 2025, Score: 95, Level: schema.RatingExcellent, Comment: op}, Op: op}, {}},
		Inactive: []Inactive{{InactiveBody: schema.InactiveBody{Month: "2025-12", Valid: true, Reason: "ốm"}, Op: op}, {}},
	})
	// Many fields, ops and events: array heads past 23, 255 and 65535.
	for _, n := range []int{23, 24, 255, 256, 65536} {
		w := &wireLedger{ID: schema.LedgerID{byte(n)}, Status: "full"}
		for i := range n {
			w.Authors = append(w.Authors, schema.CommitteeID(fmt.Sprintf("committee-%d", i)))
			w.Ops = append(w.Ops, wireOp{ID: schema.OpID{byte(i), byte(i >> 8)}, HLC: schema.HLC(i) << 16, Author: i, Kind: schema.Kind(i), Deps: []int{i - 1}})
			w.Heads = append(w.Heads, i)
			w.Home = append(w.Home, wireValue{V: "home", Op: i})
			w.Fields = append(w.Fields, wireField{Name: fmt.Sprintf("f%06d", i), Values: []wireValue{{V: fmt.Sprint(i), Op: i}}})
			w.Events = append(w.Events, wireEvent{Changes: map[string]string{"n": fmt.Sprint(i)}, Target: i})
		}
		add(fmt.Sprintf("%d of everything", n), w)
	}
	for name, w := range cases {
		checkWire(t, name, w)
	}
	t.Logf("%d hand-built cases", len(cases))
}

// TestAppendCBORRandomWire compares the encoders on random stored forms,
// including values no fold produces (negative positions, nil registers).
func TestAppendCBORRandomWire(t *testing.T) {
	const n = 5000
	rng := rand.New(rand.NewPCG(7, 11))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	words := []string{"", "a", "Nguyễn Văn An", "Số 12, ngõ 45, Trần Hưng Đạo", "0912345678", "Kỹ sư", "home", "name", "z", "aa", "ab"}
	str := func() string {
		if rng.IntN(50) == 0 {
			return pick(edgeStrings)
		}
		return pick(words)
	}
	num := func() int {
		switch rng.IntN(4) {
		case 0:
			return edgeInts[rng.IntN(len(edgeInts))]
		case 1:
			return int(rng.Uint64())
		}
		return rng.IntN(300)
	}
	count := func(max int) int {
		if rng.IntN(4) == 0 {
			return 0
		}
		return rng.IntN(max)
	}
	strMap := func() map[string]string {
		switch rng.IntN(4) {
		case 0:
			return nil
		case 1:
			return map[string]string{}
		}
		m := map[string]string{}
		for range 1 + rng.IntN(12) {
			k := pick(words)
			if rng.IntN(5) == 0 {
				k = pick(edgeKeys)
			}
			m[k] = str()
		}
		return m
	}
	values := func() []wireValue {
		if rng.IntN(6) == 0 {
			return nil
		}
		vs := make([]wireValue, count(4))
		for i := range vs {
			vs[i] = wireValue{V: str(), Op: num()}
		}
		return vs
	}
	for i := range n {
		w := &wireLedger{Status: pick([]string{"", schema.StatusProbationary, schema.StatusFull, schema.StatusLeft})}
		for j := range w.ID {
			w.ID[j] = byte(rng.Uint32())
		}
		for range count(5) {
			w.Authors = append(w.Authors, schema.CommitteeID(str()))
		}
		for range count(20) {
			o := wireOp{HLC: schema.HLC(rng.Uint64() >> rng.IntN(64)), Author: num(), Kind: schema.Kind(rng.IntN(1 << rng.IntN(17)))}
			for j := range o.ID {
				o.ID[j] = byte(rng.Uint32())
			}
			if rng.IntN(3) > 0 {
				o.Deps = []int{}
				for range count(5) {
					o.Deps = append(o.Deps, num())
				}
			}
			w.Ops = append(w.Ops, o)
		}
		for range count(4) {
			w.Heads = append(w.Heads, num())
		}
		w.Home = values()
		for range count(8) {
			w.Fields = append(w.Fields, wireField{Name: str(), Values: values()})
		}
		for range count(20) {
			e := wireEvent{Changes: strMap(), Whole: rng.IntN(3) == 0, Reason: str(), Detail: strMap()}
			if rng.IntN(3) == 0 {
				e.Target = num()
			}
			if rng.IntN(8) == 0 {
				e.Movement = &schema.MovementBody{Type: pick(schema.MovementTypes), Date: "2025-10-01", Reason: str(), Decision: str()}
			}
			w.Events = append(w.Events, e)
		}
		if rng.IntN(10) == 0 {
			w.Residence = []ResidenceLink{{Address: str(), Attendance: []Attendance{{Meeting: str()}}}}
			w.Transfers = []Transfer{{TransferIssueBody: schema.TransferIssueBody{Type: str()}, Cell: schema.CommitteeID(str())}}
			w.Exempt = []Exemption{{Ended: str()}}
			w.Leaves = []Leave{{LeaveBody: schema.LeaveBody{Place: str()}}}
			w.Ratings = []Rating{{RatingBody: schema.RatingBody{Year: num(), Score: num()}}}
			w.Inactive = []Inactive{{InactiveBody: schema.InactiveBody{Reason: str()}}}
		}
		checkWire(t, fmt.Sprintf("random ledger %d", i), w)
	}
	t.Logf("%d random stored forms", n)
}

// StoredForm is a ledger's stored form, for benchmarks of its encoders.
type StoredForm struct{ w *wireLedger }

// StoredFormOf returns the stored form of l.
func StoredFormOf(l *Ledger) (StoredForm, error) {
	w, err := l.wire()
	return StoredForm{w}, err
}

// Marshal encodes s by reflection, as Encode did before appendCBOR.
func (s StoredForm) Marshal() ([]byte, error) { return schema.Marshal(s.w) }

// Append encodes s by hand, as Encode does.
func (s StoredForm) Append(buf []byte) ([]byte, error) { return s.w.appendCBOR(buf) }

// EncodeByMarshal is Encode as it was before appendCBOR.
func EncodeByMarshal(l *Ledger) ([]byte, error) {
	s, err := StoredFormOf(l)
	if err != nil {
		return nil, err
	}
	return s.Marshal()
}
