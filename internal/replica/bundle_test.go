package replica_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"lienthong/crdt"
	"lienthong/internal/replica"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
)

func memStore(t testing.TB, tree *testkit.Tree) *store.Store {
	t.Helper()
	opts := store.DefaultOptions(tree.Root.ID())
	opts.InMemory, opts.SyncWrites = true, false
	st, err := store.Open("", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	envs := make([][]byte, len(tree.Charters))
	for i, d := range tree.Charters {
		envs[i] = d.Envelope
	}
	if _, _, err := st.Ingest(envs, "join"); err != nil {
		t.Fatal(err)
	}
	return st
}

// cellWithMembers writes n members and some edits at a cell.
func cellWithMembers(t testing.TB, tree *testkit.Tree, n int) *store.Store {
	st := memStore(t, tree)
	nd, err := node.New(st, tree.Cell1, node.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		id, err := nd.CreateMember("", map[string]string{"name": "Lương Thị Hoa", "sex": "F"})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := nd.SetFields(id, map[string]string{"phone": "0912345678"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return st
}

func export(t testing.TB, st *store.Store, tree *testkit.Tree, since uint64) []byte {
	var buf bytes.Buffer
	if _, err := replica.ExportBundle(&buf, st, replica.ExportOptions{From: tree.Cell1.ID(), For: tree.Grassroots.ID(), Since: since, Now: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBundleRoundTripIsIdempotent(t *testing.T) {
	tree := testkit.NewTree(100)
	src := cellWithMembers(t, tree, 40)
	b := export(t, src, tree, 0)
	dst := memStore(t, tree)
	for round := range 2 {
		is, err := replica.ImportBundle(bytes.NewReader(b), dst, tree.Grassroots.ID())
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if round == 1 && is.Applied != 0 {
			t.Fatalf("second import applied %d ops", is.Applied)
		}
	}
	if dst.StateHash() != src.StateHash() {
		t.Fatal("state differs after importing the bundle")
	}
}

func TestBundlesOutOfOrder(t *testing.T) {
	tree := testkit.NewTree(100)
	src := cellWithMembers(t, tree, 10)
	first := export(t, src, tree, 0)
	mid := src.Seq()
	nd, _ := node.New(src, tree.Cell1, node.DefaultOptions())
	var id schema.LedgerID
	src.EachLedger(func(l *crdt.Ledger) bool { id = l.ID; return false })
	for range 5 {
		if _, err := nd.SetFields(id, map[string]string{"occupation": "Giáo viên"}); err != nil {
			t.Fatal(err)
		}
	}
	second := export(t, src, tree, mid)
	dst := memStore(t, tree)
	is, err := replica.ImportBundle(bytes.NewReader(second), dst, tree.Grassroots.ID())
	if err != nil {
		t.Fatal(err)
	}
	if is.Parked != 5 {
		t.Fatalf("later bundle first: %d parked, want 5 waiting for the earlier bundle", is.Parked)
	}
	if _, err := replica.ImportBundle(bytes.NewReader(first), dst, tree.Grassroots.ID()); err != nil {
		t.Fatal(err)
	}
	if dst.StateHash() != src.StateHash() {
		t.Fatal("state differs after importing bundles out of order")
	}
}

// bundleOps lists the ops of a bundle, each with the offset in b of its
// first byte and of the byte after it.
func bundleOps(t *testing.T, b []byte) (ops [][]byte, starts, ends []int) {
	t.Helper()
	for pos := 0; pos < len(b); {
		size, n := binary.Uvarint(b[pos:])
		if n <= 0 {
			t.Fatalf("bad frame header at %d", pos)
		}
		body := b[pos+n : pos+n+int(size)]
		var f struct {
			Ops [][]byte `cbor:"1,keyasint,omitempty"`
		}
		schema.Unmarshal(body, &f) // the header and trailer have no ops
		at := pos + n
		for _, op := range f.Ops {
			i := bytes.Index(b[at:], op)
			ops, starts, ends = append(ops, op), append(starts, at+i), append(ends, at+i+len(op))
			at += i + len(op)
		}
		pos += n + int(size)
	}
	return ops, starts, ends
}

func TestDamagedBundleKeepsWhatCameBefore(t *testing.T) {
	tree := testkit.NewTree(100)
	src := cellWithMembers(t, tree, 3000) // several frames
	b := export(t, src, tree, 0)
	ops, starts, ends := bundleOps(t, b)
	charters := len(tree.Charters) // held already: duplicates

	// Cut in the middle of a frame: every op that lies whole before the
	// cut is applied, those of the cut frame too.
	for _, at := range []int{len(b) * 2 / 3, len(b) - 40, ends[len(ops)/3] + 1} {
		dst := memStore(t, tree)
		whole := 0
		for _, e := range ends {
			if e <= at {
				whole++
			}
		}
		is, err := replica.ImportBundle(bytes.NewReader(b[:at]), dst, tree.Grassroots.ID())
		if !errors.Is(err, replica.ErrBundleDamaged) || !strings.Contains(err.Error(), "cut short") {
			t.Fatalf("bundle cut at %d of %d bytes: got %v", at, len(b), err)
		}
		if is.Ops != whole || is.Applied+is.Dupes != whole || is.Dupes != charters || is.Rejected != 0 {
			t.Fatalf("bundle cut at %d: %+v, want the %d whole ops before the cut applied or held", at, is, whole)
		}
		acc, _, _, _ := dst.Counts()
		if acc != is.Applied+charters {
			t.Fatalf("store holds %d ops, import says %d applied", acc, is.Applied)
		}
	}

	// A byte flipped inside one op: that op is rejected, the others stand,
	// and the import says so.
	tampered := append([]byte(nil), b...)
	k := len(ops) / 2
	tampered[(starts[k]+ends[k])/2] ^= 0x40
	dst := memStore(t, tree)
	is, err := replica.ImportBundle(bytes.NewReader(tampered), dst, tree.Grassroots.ID())
	if !errors.Is(err, replica.ErrBundleDamaged) || !strings.Contains(err.Error(), "1 op was rejected") {
		t.Fatalf("tampered bundle: got %v", err)
	}
	// (An op that depends on the changed one waits for it.)
	if is.Rejected != 1 || is.Dupes != charters || is.Applied+is.Parked != len(ops)-charters-1 || is.Parked > 1 {
		t.Fatalf("tampered bundle: %+v, want all but the changed op applied", is)
	}

	// The length of an op in the middle of a frame made wrong: the frame no
	// longer decodes. The ops before it in that frame and every other frame
	// are applied.
	broken := append([]byte(nil), b...)
	broken[starts[k]-1] = 0xff // the last byte of the op's length
	dst = memStore(t, tree)
	is, err = replica.ImportBundle(bytes.NewReader(broken), dst, tree.Grassroots.ID())
	if !errors.Is(err, replica.ErrBundleDamaged) || !strings.Contains(err.Error(), "does not decode") {
		t.Fatalf("bundle with a broken frame: got %v", err)
	}
	lost := 0
	for i := k; i < len(ops) && sameFrame(b, starts[k], starts[i]); i++ {
		lost++
	}
	// (The wrong length makes the op, and what follows it, malformed.)
	if is.Applied+is.Dupes+is.Parked != len(ops)-lost || is.Parked > 1 || is.Rejected > 2 {
		t.Fatalf("bundle with a broken frame: %+v, want the %d ops outside the broken part applied", is, len(ops)-lost)
	}
}

// sameFrame: no frame boundary lies between offsets a and z of bundle b.
func sameFrame(b []byte, a, z int) bool {
	for pos := 0; pos < len(b); {
		size, n := binary.Uvarint(b[pos:])
		end := pos + n + int(size)
		if a < end {
			return z < end
		}
		pos = end
	}
	return false
}

// TestBundleForAnotherCommittee: a whole bundle imported by a committee it
// was not made for applies what is in that committee's scope; the rest is
// refused as out of scope, and the error says so, not that the file is
// damaged.
func TestBundleForAnotherCommittee(t *testing.T) {
	tree := testkit.NewTree(100)
	src := cellWithMembers(t, tree, 10)
	b := export(t, src, tree, 0) // for the grassroots committee
	other := memStore(t, tree)
	is, err := replica.ImportBundle(bytes.NewReader(b), other, tree.Cell2.ID())
	if !errors.Is(err, replica.ErrOpsRejected) || errors.Is(err, replica.ErrBundleDamaged) ||
		!strings.Contains(err.Error(), "made for committee "+string(tree.Grassroots.ID())) {
		t.Fatalf("bundle for another committee: %v", err)
	}
	if is.Applied != 0 || is.Rejected != 15 {
		t.Fatalf("bundle for another committee: %+v, want its 15 member ops refused", is)
	}
}

func TestBundleFromAnotherNetworkIsRefused(t *testing.T) {
	tree := testkit.NewTree(100)
	src := cellWithMembers(t, tree, 1)
	b := export(t, src, tree, 0)
	other := testkit.NewTree(100)
	other.Root = testkit.Signer("another root")
	opts := store.DefaultOptions(other.Root.ID())
	opts.InMemory, opts.SyncWrites = true, false
	dst, err := store.Open("", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := replica.ImportBundle(bytes.NewReader(b), dst, tree.Grassroots.ID()); err == nil {
		t.Fatal("a bundle of another network was imported")
	}
	if dst.Seq() != 0 {
		t.Fatal("the refused bundle changed the store")
	}
}

// A bundle in feed order can bring a member's ops before the op that makes
// the receiver a stakeholder, in an earlier frame: here the create of a
// member of a workplace cell, then many ops, then its introduction to the
// residence commune the bundle is for. The commune ends with the member.
func TestBundleScopeGrantedInALaterFrame(t *testing.T) {
	tree := testkit.NewTree(100)
	st := memStore(t, tree)
	cell, err := node.New(st, tree.Cell1, node.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	commune, err := node.New(st, tree.Commune, node.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	id, err := cell.CreateMember("", map[string]string{"name": "Trịnh Văn Hùng", "sex": "M", "born": "1984-03-02"})
	if err != nil {
		t.Fatal(err)
	}
	// Enough of the commune's own members to fill more than one frame.
	for range 4200 {
		if _, err := commune.CreateMember("", map[string]string{"name": "Lê Thị Thu", "sex": "F", "occupation": "Hưu trí, nguyên cán bộ phường"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cell.Write(id, &schema.ResidenceIntroBody{Residence: tree.Commune.ID(), Address: "Số 8, ngõ 12, phố Lê Hồng Phong", Date: "2026-01-05"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := replica.ExportBundle(&buf, st, replica.ExportOptions{From: tree.Root.ID(), For: tree.Commune.ID(), Now: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	dst := memStore(t, tree)
	is, err := replica.ImportBundle(bytes.NewReader(buf.Bytes()), dst, tree.Commune.ID())
	if err != nil {
		t.Fatalf("import: %v (%+v)", err, is)
	}
	l, err := dst.Ledger(id)
	if err != nil {
		t.Fatalf("the introduced member is missing at the commune: %v", err)
	}
	if len(l.DAG.Ops) != 2 || len(l.Residence) != 1 {
		t.Fatalf("member at the commune: %d ops, %d residence links; want the create and the introduction", len(l.DAG.Ops), len(l.Residence))
	}
	if is.Rejected != 0 || is.Applied != 4202 {
		t.Fatalf("import stats %+v: want 4202 applied, none rejected", is)
	}
}
