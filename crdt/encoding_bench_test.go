package crdt_test

import (
	"testing"

	"lienthong/crdt"
	"lienthong/internal/sample"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// benchLedgers folds n realistic sample members, one create op each.
func benchLedgers(b *testing.B, n int) []*crdt.Ledger {
	b.Helper()
	tree := testkit.NewTree(schema.MakeHLC(1_700_000_000_000, 0))
	dir, _ := crdt.RebuildDirectory(tree.Root.ID(), tree.Charters)
	o := sample.ScaledOptions(n)
	st, err := sample.NewTree(1, o)
	if err != nil {
		b.Fatal(err)
	}
	ms, err := sample.Members(1, st, n, o)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]*crdt.Ledger, 0, n)
	for i, m := range ms {
		var id schema.LedgerID
		id[0], id[1], id[2] = byte(i), byte(i>>8), 1
		d := testkit.Sign(tree.Cell1, testkit.Op(tree.Cell1, id, tree.LastHLC()+schema.HLC(i+1)<<16, nil,
			&schema.MemberCreateBody{Home: tree.Cell1.ID(), Fields: m.Fields}))
		l := crdt.NewLedger(id)
		if err := crdt.Apply(dir, l, d); err != nil {
			b.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func BenchmarkLedgerEncode(b *testing.B) {
	ls := benchLedgers(b, 1000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ls[i%len(ls)].Encode(); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// benchDecode measures decode over the stored form of realistic members.
func benchDecode(b *testing.B, decode func(id schema.LedgerID, raw []byte) error) {
	ls := benchLedgers(b, 1000)
	raws := make([][]byte, len(ls))
	for i, l := range ls {
		raws[i], _ = l.Encode()
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := decode(ls[i%len(ls)].ID, raws[i%len(raws)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkLedgerDecode(b *testing.B) {
	benchDecode(b, func(_ schema.LedgerID, raw []byte) error {
		_, err := crdt.DecodeLedger(raw)
		return err
	})
}

func BenchmarkLedgerDecodeScope(b *testing.B) {
	benchDecode(b, func(id schema.LedgerID, raw []byte) error {
		_, err := crdt.DecodeScope(id, raw)
		return err
	})
}
