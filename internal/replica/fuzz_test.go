package replica_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	"lienthong/crdt"
	"lienthong/internal/replica"
	"lienthong/internal/testkit"
	"lienthong/schema"
)

// stream is one side of a sync stream: what the peer sent, and a sink
// for the answers.
type stream struct {
	io.Reader
	out bytes.Buffer
}

func (s *stream) Write(p []byte) (int, error) { return s.out.Write(p) }

// frames is the wire form of several frames, as a peer writes them.
func frames(t testing.TB, vs ...any) []byte {
	var out []byte
	for _, v := range vs {
		b, err := schema.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(binary.AppendUvarint(out, uint64(len(b))), b...)
	}
	return out
}

// FuzzServe: whatever a peer sends, a server answers it or says what is
// wrong, returns, and changes nothing in its store.
func FuzzServe(f *testing.F) {
	tree := testkit.NewTree(100)
	st := cellWithMembers(f, tree, 20)
	var some schema.LedgerID
	st.EachLedger(func(l *crdt.Ledger) bool { some = l.ID; return false })
	f.Add(frames(f, &replica.Request{Kind: replica.KindPull}))
	f.Add(frames(f, &replica.Request{Kind: replica.KindPull, From: 5, Stake: 3}, &replica.Request{Kind: replica.KindAck, Seq: 40}))
	f.Add(frames(f, &replica.Request{Kind: replica.KindFetch, Ledgers: []schema.LedgerID{some, schema.DirectoryLedger}}))
	f.Add(frames(f, &replica.Request{Kind: replica.KindNotify, Seq: 1 << 40}))
	f.Add(frames(f, &replica.Request{Kind: 99}))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}) // a size over 64 bits
	f.Add([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x01})                               // 32 GiB
	srv := &replica.Server{Store: st}
	hash, seq := st.StateHash(), st.Seq()
	f.Fuzz(func(t *testing.T, in []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s := &stream{Reader: bytes.NewReader(in)}
		err := srv.Serve(ctx, s, tree.Grassroots.ID())
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Serve ran for 10 s on %d bytes", len(in))
		}
		if st.StateHash() != hash || st.Seq() != seq {
			t.Fatal("serving a peer changed the server's store")
		}
	})
}

// served is what a server holding cellWithMembers writes for reqs.
func served(t testing.TB, tree *testkit.Tree, reqs ...any) []byte {
	st := cellWithMembers(t, tree, 20)
	s := &stream{Reader: bytes.NewReader(frames(t, reqs...))}
	if err := (&replica.Server{Store: st}).Serve(context.Background(), s, tree.Grassroots.ID()); err != nil {
		t.Fatal(err)
	}
	return s.out.Bytes()
}

// FuzzPull: whatever a server answers, a pull ends with the ops it could
// verify applied or an error, and the store stays usable.
func FuzzPull(f *testing.F) {
	tree := testkit.NewTree(100)
	whole := served(f, tree, &replica.Request{Kind: replica.KindPull})
	f.Add(whole)
	f.Add(whole[:len(whole)/2])
	f.Add(served(f, tree, &replica.Request{Kind: replica.KindPull, From: 12}))
	f.Add(frames(f, &replica.Batch{Done: true, Err: "busy"}))
	f.Add(frames(f, &replica.Batch{Ops: [][]byte{{0xa1, 0x01, 0x02}}, Next: 3, Head: 9}))
	st := memStore(f, tree)
	c := &replica.Client{Store: st, Self: tree.Grassroots.ID()}
	f.Fuzz(func(t *testing.T, in []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s := &stream{Reader: bytes.NewReader(in)}
		_, err := c.Pull(ctx, s, tree.Cell1.ID())
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Pull ran for 10 s on %d bytes", len(in))
		}
		if _, _, _, err := st.Counts(); err != nil {
			t.Fatalf("the store cannot be read after it: %v", err)
		}
	})
}

// FuzzImportBundle: whatever a bundle file holds, importing it keeps the
// ops it could verify and says what was wrong with the rest.
func FuzzImportBundle(f *testing.F) {
	tree := testkit.NewTree(100)
	src := cellWithMembers(f, tree, 20)
	b := export(f, src, tree, 0)
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add(b[:40])
	f.Add(export(f, src, tree, 10))
	st := memStore(f, tree)
	f.Fuzz(func(t *testing.T, in []byte) {
		replica.ImportBundle(bytes.NewReader(in), st, tree.Grassroots.ID())
		if _, _, _, err := st.Counts(); err != nil {
			t.Fatalf("the store cannot be read after it: %v", err)
		}
	})
}
