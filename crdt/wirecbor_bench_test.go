package crdt_test

import (
	"testing"

	"lienthong/crdt"
)

// BenchmarkWireCBOR compares the reflection-based encoding of a ledger's
// stored form (schema.Marshal) with the hand-written one, on realistic
// freshly created members: the whole of Encode (the stored form built,
// then encoded) and the encoding alone.
func BenchmarkWireCBOR(b *testing.B) {
	ls := benchLedgers(b, 1000)
	forms := make([]crdt.StoredForm, len(ls))
	size := 0
	for i, l := range ls {
		var err error
		if forms[i], err = crdt.StoredFormOf(l); err != nil {
			b.Fatal(err)
		}
		raw, _ := l.Encode()
		size += len(raw)
	}
	b.Logf("%d members, %d bytes stored on average", len(ls), size/len(ls))
	run := func(name string, f func(i int) ([]byte, error)) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := f(i % len(ls)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
	run("Encode/marshal", func(i int) ([]byte, error) { return crdt.EncodeByMarshal(ls[i]) })
	run("Encode/append", func(i int) ([]byte, error) { return ls[i].Encode() })
	run("encoding/marshal", func(i int) ([]byte, error) { return forms[i].Marshal() })
	run("encoding/append", func(i int) ([]byte, error) { return forms[i].Append(nil) })
}
