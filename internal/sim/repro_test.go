package sim

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"lienthong/crdt"
	"lienthong/internal/replica"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
)

// Reproductions of what the simulation found, reduced to a few nodes.

// miniNet is the testkit tree with one in-memory node per committee.
type miniNet struct {
	tree  *testkit.Tree
	clock time.Time
	st    map[*schema.Signer]*store.Store
	nodes map[*schema.Signer]*node.Node
}

func newMiniNet(t *testing.T) *miniNet {
	t.Helper()
	tree := testkit.NewTree(schema.MakeHLC(start.UnixMilli()-86_400_000, 0))
	m := &miniNet{tree: tree, clock: start, st: map[*schema.Signer]*store.Store{}, nodes: map[*schema.Signer]*node.Node{}}
	for _, s := range []*schema.Signer{tree.Root, tree.Grassroots, tree.Cell1, tree.Cell2, tree.Commune, tree.ResCell} {
		st, err := store.Open("", store.Options{Root: tree.Root.ID(), InMemory: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if _, _, err := st.Apply(tree.Charters, "join", false); err != nil {
			t.Fatal(err)
		}
		n, err := node.New(st, s, node.Options{Now: func() time.Time { m.clock = m.clock.Add(time.Second); return m.clock }, Rand: bytes.NewReader(bytes.Repeat([]byte{byte(len(m.st) + 1)}, 1<<10))})
		if err != nil {
			t.Fatal(err)
		}
		m.st[s], m.nodes[s] = st, n
	}
	return m
}

// pull has client pull from server over a pipe; wrap, if not nil, wraps
// the client's end.
func (m *miniNet) pull(t *testing.T, client, server *schema.Signer, wrap func(net.Conn) io.ReadWriter) (replica.Stats, error) {
	t.Helper()
	a, b := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&replica.Server{Store: m.st[server]}).Serve(context.Background(), b, client.ID())
		b.Close()
	}()
	var rw io.ReadWriter = a
	if wrap != nil {
		rw = wrap(a)
	}
	st, err := (&replica.Client{Store: m.st[client], Self: client.ID()}).Pull(context.Background(), rw, server.ID())
	a.Close()
	<-done
	return st, err
}

// dropAfterWrites fails every read once the client has written n requests:
// the connection drops while the answer to the n-th is on its way.
type dropAfterWrites struct {
	net.Conn
	n int
}

func (c *dropAfterWrites) Write(p []byte) (int, error) {
	c.n--
	return c.Conn.Write(p)
}

func (c *dropAfterWrites) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errCut
	}
	return c.Conn.Read(p)
}

// transferToCommune has Cell1 open a member's ledger, lets the province
// hold it, has the commune pull from the province (nothing in its scope
// yet), then has Cell1 issue a transfer to the commune and the province
// receive it: the commune is now a stakeholder and the province's feed
// holds one op for it that it lacks the rest of the ledger for. It returns
// the ledger and how far the commune had pulled the province's feed.
func transferToCommune(t *testing.T, m *miniNet) (schema.LedgerID, uint64) {
	t.Helper()
	tr := m.tree
	id := member(t, m.nodes[tr.Cell1], "Phạm Thị Lan", "F")
	m.pulls(t, [][2]*schema.Signer{{tr.Grassroots, tr.Cell1}, {tr.Root, tr.Grassroots}, {tr.Commune, tr.Root}}...)
	if _, err := m.st[tr.Commune].Ledger(id); err == nil {
		t.Fatal("the commune holds the ledger before it is a stakeholder")
	}
	served := m.st[tr.Root].Seq()
	write(t, m.nodes[tr.Cell1], id, &schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: tr.Commune.ID(), Date: "2026-01-02"})
	m.pulls(t, [][2]*schema.Signer{{tr.Grassroots, tr.Cell1}, {tr.Root, tr.Grassroots}}...)
	return id, served
}

// TestBundleCarriesTheLedgersItsReceiverGained: a bundle for a committee
// that became a stakeholder of a ledger since the exporter last served it
// carries the ledger whole, not only the ops after that point.
func TestBundleCarriesTheLedgersItsReceiverGained(t *testing.T) {
	m := newMiniNet(t)
	tr := m.tree
	id, served := transferToCommune(t, m)
	var buf bytes.Buffer
	if _, err := replica.ExportBundle(&buf, m.st[tr.Root], replica.ExportOptions{From: tr.Root.ID(), For: tr.Commune.ID(), Since: served, Now: start}); err != nil {
		t.Fatal(err)
	}
	if is, err := replica.ImportBundle(&buf, m.st[tr.Commune], tr.Commune.ID()); err != nil || is.Parked != 0 {
		t.Fatalf("bundle import: %+v, %v; want nothing parked", is, err)
	}
	got, err := m.st[tr.Commune].Ledger(id)
	if err != nil {
		t.Fatalf("the commune (destination of an open transfer) lacks the ledger after the province's bundle: %v", err)
	}
	if want, _ := m.st[tr.Root].Ledger(id); len(got.DAG.Ops) != len(want.DAG.Ops) {
		t.Fatalf("the commune holds %d ops of the ledger, the province %d", len(got.DAG.Ops), len(want.DAG.Ops))
	}
}

// TestParkedOpsOfABundleAreFetchedLater: a bundle made on the belief that
// its receiver holds what an earlier, lost bundle carried brings an op
// without its deps, which parks. A later pull from the exporter must bring
// the rest of the ledger.
func TestParkedOpsOfABundleAreFetchedLater(t *testing.T) {
	m := newMiniNet(t)
	tr := m.tree
	id, _ := transferToCommune(t, m)
	lost := m.st[tr.Root].Seq() // a bundle up to here never arrived
	if _, err := m.nodes[tr.Cell1].SetFields(id, map[string]string{"phone": "0912345678"}); err != nil {
		t.Fatal(err)
	}
	m.pulls(t, [2]*schema.Signer{tr.Grassroots, tr.Cell1}, [2]*schema.Signer{tr.Root, tr.Grassroots})
	var buf bytes.Buffer
	if _, err := replica.ExportBundle(&buf, m.st[tr.Root], replica.ExportOptions{From: tr.Root.ID(), For: tr.Commune.ID(), Since: lost, Now: start}); err != nil {
		t.Fatal(err)
	}
	is, err := replica.ImportBundle(&buf, m.st[tr.Commune], tr.Commune.ID())
	if err != nil || is.Parked != 1 {
		t.Fatalf("bundle import: %+v, %v; want the new field parked", is, err)
	}
	for range 3 {
		if _, err := m.pull(t, tr.Commune, tr.Root, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.st[tr.Commune].Ledger(id); err != nil {
		t.Fatalf("after the bundle and three pulls from the province, the commune (destination of an open transfer) lacks the ledger: %v", err)
	}
}

// TestParkedOpsOfACutPullAreFetchedLater: a pull that parks an op and is
// cut before its fetch of the ledger completes keeps its checkpoint; the
// next pulls must still fetch the ledger.
func TestParkedOpsOfACutPullAreFetchedLater(t *testing.T) {
	m := newMiniNet(t)
	tr := m.tree
	id, _ := transferToCommune(t, m)
	st, err := m.pull(t, tr.Commune, tr.Root, func(c net.Conn) io.ReadWriter { return &dropAfterWrites{Conn: c, n: 2} })
	if err == nil || st.Parked != 1 {
		t.Fatalf("cut pull: %+v, %v; want the transfer op parked and the fetch cut", st, err)
	}
	for range 3 {
		if _, err := m.pull(t, tr.Commune, tr.Root, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.st[tr.Commune].Ledger(id); err != nil {
		t.Fatalf("after a cut pull and three full pulls from the province, the commune (destination of an open transfer) lacks the ledger: %v", err)
	}
}

// pulls runs pulls in order, each {client, server}.
// member creates a member at n, failing the test on error.
func member(t *testing.T, n *node.Node, name, sex string) schema.LedgerID {
	t.Helper()
	id, err := n.CreateMember("", map[string]string{"name": name, "sex": sex})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// write writes body to ledger id at n, failing the test on error.
func write(t *testing.T, n *node.Node, id schema.LedgerID, body any) schema.OpID {
	t.Helper()
	op, err := n.Write(id, body)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func (m *miniNet) pulls(t *testing.T, pairs ...[2]*schema.Signer) {
	t.Helper()
	for _, p := range pairs {
		if _, err := m.pull(t, p[0], p[1], nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWokenOpReachesThePeerThatWokeIt: an op parked at a node and woken by
// ops from another peer must still be sent to that peer. Here the residence
// cell, destination of a temporary transfer, ends the transfer; its commune,
// whose stake the end closes, receives only the end op (in a bundle from
// the residence cell, which counts on the commune holding the rest), and
// it parks; the commune then pulls from the province, which still sees the
// transfer open and sends the op the end depends on. The province, and
// through it the member's home cell, must then get the end op from the
// commune.
func TestWokenOpReachesThePeerThatWokeIt(t *testing.T) {
	m := newMiniNet(t)
	tr := m.tree
	cell := m.nodes[tr.Cell1]
	id := member(t, cell, "Vũ Văn Hùng", "M")
	write(t, cell, id, &schema.TransferIssueBody{Type: schema.TransferTemporary, Destination: tr.ResCell.ID(), Date: "2026-01-02", Until: "2026-07-02"})
	m.pulls(t, [2]*schema.Signer{tr.Grassroots, tr.Cell1}, [2]*schema.Signer{tr.Root, tr.Grassroots},
		[2]*schema.Signer{tr.Commune, tr.Root}, [2]*schema.Signer{tr.ResCell, tr.Commune})
	if _, err := m.st[tr.ResCell].Ledger(id); err != nil {
		t.Fatalf("the destination does not hold the ledger: %v", err)
	}
	if _, err := cell.SetFields(id, map[string]string{"phone": "0912345678"}); err != nil {
		t.Fatal(err)
	}
	// The province gets the new field from the grassroots committee, the
	// destination straight from the cell (a link off the tree).
	m.pulls(t, [2]*schema.Signer{tr.Grassroots, tr.Cell1}, [2]*schema.Signer{tr.Root, tr.Grassroots}, [2]*schema.Signer{tr.ResCell, tr.Cell1})
	served := m.st[tr.ResCell].Seq()
	end := write(t, m.nodes[tr.ResCell], id, schema.Tagged{Kind: schema.KindTransferEnd, Body: &schema.EndBody{Ref: firstOf(t, m.st[tr.ResCell], id, schema.KindTransferIssue), Date: "2026-03-01"}})
	var buf bytes.Buffer
	if _, err := replica.ExportBundle(&buf, m.st[tr.ResCell], replica.ExportOptions{From: tr.ResCell.ID(), For: tr.Commune.ID(), Since: served, Now: start}); err != nil {
		t.Fatal(err)
	}
	if is, err := replica.ImportBundle(&buf, m.st[tr.Commune], tr.Commune.ID()); err != nil || is.Parked != 1 {
		t.Fatalf("commune importing the destination's bundle: %+v, %v; want the end op parked", is, err)
	}
	m.pulls(t, [2]*schema.Signer{tr.Commune, tr.Root})
	if _, err := m.st[tr.Commune].Op(end); err != nil {
		t.Fatalf("the commune did not apply the end op once it had its deps: %v", err)
	}
	for range 3 {
		m.pulls(t, [2]*schema.Signer{tr.Root, tr.Commune}, [2]*schema.Signer{tr.Grassroots, tr.Root}, [2]*schema.Signer{tr.Cell1, tr.Grassroots})
	}
	for _, s := range []*schema.Signer{tr.Root, tr.Cell1} {
		if _, err := m.st[s].Op(end); err != nil {
			t.Errorf("%s never received the end of the transfer from the commune (it holds it): %v", s.ID().Short(), err)
		}
	}
}

// firstOf returns the first op of kind k in a ledger.
func firstOf(t *testing.T, st *store.Store, id schema.LedgerID, k schema.Kind) schema.OpID {
	t.Helper()
	l, err := st.Ledger(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range l.DAG.Ops {
		if m.Kind == k {
			return m.ID
		}
	}
	t.Fatalf("no %s op in ledger %s", k, id)
	return schema.OpID{}
}

// TestBundleImportWithAWokenOpRejected: a bundle brings the dep of an op
// parked earlier, and that op turns out unauthorised when woken. The import
// counts the rejection without a result carrying its reason; it must report
// it, not panic (a bundle comes from outside).
func TestBundleImportWithAWokenOpRejected(t *testing.T) {
	m := newMiniNet(t)
	tr := m.tree
	cell := m.nodes[tr.Cell1]
	id := member(t, cell, "Trịnh Thị Hằng", "F")
	m.pulls(t, [2]*schema.Signer{tr.Grassroots, tr.Cell1})
	served := m.st[tr.Cell1].Seq()
	set, err := cell.SetFields(id, map[string]string{"phone": "0912345678"})
	if err != nil {
		t.Fatal(err)
	}
	// Cell2 may not write to Cell1's member; its op waits at the
	// grassroots committee for the set it follows.
	l, _ := m.st[tr.Cell1].Ledger(id)
	forged := testkit.Sign(tr.Cell2, testkit.Op(tr.Cell2, id, l.DAG.Last().HLC+1, []schema.OpID{set}, &schema.MemberSetBody{Fields: map[string]string{"phone": "0900000000"}}))
	res, _, err := m.st[tr.Grassroots].Ingest([][]byte{forged.Envelope}, string(tr.Cell2.ID()))
	if err != nil || res[0].Outcome != crdt.Parked {
		t.Fatalf("forged op: %+v, %v; want it parked", res, err)
	}
	var buf bytes.Buffer
	if _, err := replica.ExportBundle(&buf, m.st[tr.Cell1], replica.ExportOptions{From: tr.Cell1.ID(), For: tr.Grassroots.ID(), Since: served, Now: start}); err != nil {
		t.Fatal(err)
	}
	is, err := func() (is replica.ImportStats, err error) {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("importing the bundle panicked: %v", p)
			}
		}()
		return replica.ImportBundle(&buf, m.st[tr.Grassroots], tr.Grassroots.ID())
	}()
	if is.Applied != 1 {
		t.Fatalf("import: %+v, %v; want the set applied", is, err)
	}
}

// TestNewStakeholderGetsOpsSkippedBeforeItWasOne: the province writes to a
// member's ledger; the commune pulls from the province while it is no
// stakeholder, so its checkpoint passes that op. The member's cell then
// introduces the member to the commune, which gets the ledger straight from
// the cell (a link off the tree: the two offices share a LAN). Once the
// province learns of the introduction, the commune must get the province's
// op too.
func TestNewStakeholderGetsOpsSkippedBeforeItWasOne(t *testing.T) {
	m := newMiniNet(t)
	tr := m.tree
	cell := m.nodes[tr.Cell1]
	id := member(t, cell, "Đặng Văn Tâm", "M")
	m.pulls(t, [2]*schema.Signer{tr.Grassroots, tr.Cell1}, [2]*schema.Signer{tr.Root, tr.Grassroots})
	set, err := m.nodes[tr.Root].SetFields(id, map[string]string{"occupation": "Kỹ sư"})
	if err != nil {
		t.Fatal(err)
	}
	m.pulls(t, [2]*schema.Signer{tr.Commune, tr.Root})
	write(t, cell, id, &schema.ResidenceIntroBody{Residence: tr.Commune.ID(), Address: "Số 3, ngõ 7, phố Lê Lợi", Date: "2026-01-03"})
	m.pulls(t, [2]*schema.Signer{tr.Commune, tr.Cell1})
	if _, err := m.st[tr.Commune].Ledger(id); err != nil {
		t.Fatalf("the commune did not get the ledger from the cell: %v", err)
	}
	for range 3 {
		m.pulls(t, [2]*schema.Signer{tr.Grassroots, tr.Cell1}, [2]*schema.Signer{tr.Root, tr.Grassroots}, [2]*schema.Signer{tr.Commune, tr.Root})
	}
	if _, err := m.st[tr.Root].Ledger(id); err != nil {
		t.Fatal(err)
	}
	if _, err := m.st[tr.Commune].Op(set); err != nil {
		l, _ := m.st[tr.Commune].Ledger(id)
		r, _ := m.st[tr.Root].Ledger(id)
		t.Fatalf("the commune, a stakeholder, holds %d ops of the ledger and the province %d: the province's own write never reached it (%v)", len(l.DAG.Ops), len(r.DAG.Ops), err)
	}
}

// TestRejectedOpIsJudgedAgainWhenAnEarlierOpArrives: validity of workflow
// ops depends on the state before them, so an op rejected because of an op
// that sorts before it can become valid when another op arrives that sorts
// between them. The province introduces a member to a commune; the cell's
// own earlier introduction arrives and makes the province's one invalid
// (a second active link); then the cell's end of its link arrives, which
// makes it valid again. A store holding these four ops must have the state
// of their fold, whatever the order they came in.
func TestRejectedOpIsJudgedAgainWhenAnEarlierOpArrives(t *testing.T) {
	tr := testkit.NewTree(schema.MakeHLC(start.UnixMilli()-86_400_000, 0))
	base := schema.MakeHLC(start.UnixMilli(), 0)
	sign := func(by *schema.Signer, id schema.LedgerID, hlc schema.HLC, deps []schema.OpID, k schema.Kind, body schema.Body) *schema.Decoded {
		raw, err := schema.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		return testkit.Sign(by, &schema.Op{Ledger: id, Author: by.ID(), Deps: deps, HLC: hlc, Kind: k, Body: raw})
	}
	id := schema.LedgerID{0x5e}
	create := sign(tr.Cell1, id, base+10, nil, schema.KindMemberCreate, &schema.MemberCreateBody{Home: tr.Cell1.ID(), Fields: map[string]string{"name": "Hoàng Thị Nga"}})
	late := sign(tr.Root, id, base+30, []schema.OpID{create.ID}, schema.KindResidenceIntro,
		&schema.ResidenceIntroBody{Residence: tr.Commune.ID(), Address: "Số 9, phố Hai Bà Trưng", Date: "2026-01-05"})
	intro := sign(tr.Cell1, id, base+20, []schema.OpID{create.ID}, schema.KindResidenceIntro,
		&schema.ResidenceIntroBody{Residence: tr.Commune.ID(), Address: "Số 2, ngõ 4, phố Lý Thường Kiệt", Date: "2026-01-04"})
	end := sign(tr.Cell1, id, base+21, []schema.OpID{intro.ID}, schema.KindResidenceEnd, &schema.EndBody{Ref: intro.ID, Date: "2026-01-04"})
	dir, _ := crdt.RebuildDirectory(tr.Root.ID(), tr.Charters)
	want, errs := crdt.Rebuild(dir, id, []*schema.Decoded{create, late, intro, end})
	if len(errs) > 0 {
		t.Fatalf("the fold rejects %v", errs)
	}
	wantRaw, _ := want.Encode()
	st, err := store.Open("", store.Options{Root: tr.Root.ID(), InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.Apply(tr.Charters, "join", false); err != nil {
		t.Fatal(err)
	}
	for _, batch := range [][]*schema.Decoded{{create, late}, {intro}, {end}} {
		if _, _, err := st.Apply(batch, "peer", false); err != nil {
			t.Fatal(err)
		}
	}
	l, err := st.Ledger(id)
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := l.Encode(); !bytes.Equal(raw, wantRaw) {
		_, accepted := l.DAG.Get(late.ID)
		t.Fatalf("the store holds %d ops (the province's introduction accepted: %v), the fold of the same ops %d: a rejected op was not judged again", len(l.DAG.Ops), accepted, len(want.DAG.Ops))
	}
}

// TestNewStakeholderGetsSkippedOpsOnceTheServerKnows is the test above
// with one more pull: the commune pulls from the province after getting the
// ledger from the cell but before the province learns of the introduction.
// The province then refuses the ledger (not the commune's, as it knows),
// and must still send its own op once it learns that it is.
func TestNewStakeholderGetsSkippedOpsOnceTheServerKnows(t *testing.T) {
	m := newMiniNet(t)
	tr := m.tree
	cell := m.nodes[tr.Cell1]
	id := member(t, cell, "Đặng Văn Tâm", "M")
	m.pulls(t, [2]*schema.Signer{tr.Grassroots, tr.Cell1}, [2]*schema.Signer{tr.Root, tr.Grassroots})
	set, err := m.nodes[tr.Root].SetFields(id, map[string]string{"occupation": "Kỹ sư"})
	if err != nil {
		t.Fatal(err)
	}
	m.pulls(t, [2]*schema.Signer{tr.Commune, tr.Root})
	write(t, cell, id, &schema.ResidenceIntroBody{Residence: tr.Commune.ID(), Address: "Số 3, ngõ 7, phố Lê Lợi", Date: "2026-01-03"})
	m.pulls(t, [2]*schema.Signer{tr.Commune, tr.Cell1}, [2]*schema.Signer{tr.Commune, tr.Root})
	for range 3 {
		m.pulls(t, [2]*schema.Signer{tr.Grassroots, tr.Cell1}, [2]*schema.Signer{tr.Root, tr.Grassroots}, [2]*schema.Signer{tr.Commune, tr.Root})
	}
	if _, err := m.st[tr.Commune].Op(set); err != nil {
		l, _ := m.st[tr.Commune].Ledger(id)
		r, _ := m.st[tr.Root].Ledger(id)
		t.Fatalf("the commune, a stakeholder, holds %d ops of the ledger and the province %d: the province's own write never reached it (%v)", len(l.DAG.Ops), len(r.DAG.Ops), err)
	}
}

// TestGainedLedgerIsFetchedAfterACutPull: the test above, with the pull
// that learns of the new stake cut before the ledger's fetch completes.
// The checkpoint moved past the change; the next pull must still fetch the
// ledger.
func TestGainedLedgerIsFetchedAfterACutPull(t *testing.T) {
	m := newMiniNet(t)
	tr := m.tree
	cell := m.nodes[tr.Cell1]
	id := member(t, cell, "Đặng Văn Tâm", "M")
	m.pulls(t, [2]*schema.Signer{tr.Grassroots, tr.Cell1}, [2]*schema.Signer{tr.Root, tr.Grassroots})
	set, err := m.nodes[tr.Root].SetFields(id, map[string]string{"occupation": "Kỹ sư"})
	if err != nil {
		t.Fatal(err)
	}
	m.pulls(t, [2]*schema.Signer{tr.Commune, tr.Root})
	write(t, cell, id, &schema.ResidenceIntroBody{Residence: tr.Commune.ID(), Address: "Số 3, ngõ 7, phố Lê Lợi", Date: "2026-01-03"})
	m.pulls(t, [2]*schema.Signer{tr.Commune, tr.Cell1}, [2]*schema.Signer{tr.Commune, tr.Root},
		[2]*schema.Signer{tr.Grassroots, tr.Cell1}, [2]*schema.Signer{tr.Root, tr.Grassroots})
	st, err := m.pull(t, tr.Commune, tr.Root, func(c net.Conn) io.ReadWriter { return &dropAfterWrites{Conn: c, n: 2} })
	if err == nil || st.Fetched != 1 {
		t.Fatalf("cut pull: %+v, %v; want the fetch of the ledger cut", st, err)
	}
	m.pulls(t, [2]*schema.Signer{tr.Commune, tr.Root})
	if _, err := m.st[tr.Commune].Op(set); err != nil {
		t.Fatalf("the commune, a stakeholder, never got the province's own write after a cut pull: %v", err)
	}
}

// TestOpConcurrentWithATransferReachesTheNewHome: the member's cell writes
// a field while, concurrently, the destination accepts the member's
// official transfer (the cell's write comes first by clock, so it stands).
// The cell learns of the acceptance before its grassroots committee next
// pulls from it; in the cell's view the grassroots committee has no stake
// in the member any more, yet the write must still reach the new home,
// whose only way to it goes through that committee.
func TestOpConcurrentWithATransferReachesTheNewHome(t *testing.T) {
	m := newMiniNet(t)
	tr := m.tree
	cell := m.nodes[tr.Cell1]
	id := member(t, cell, "Ngô Thị Bích", "F")
	issue := write(t, cell, id, &schema.TransferIssueBody{Type: schema.TransferOfficial, Destination: tr.ResCell.ID(), Date: "2026-01-02"})
	m.pulls(t, [2]*schema.Signer{tr.Grassroots, tr.Cell1}, [2]*schema.Signer{tr.Root, tr.Grassroots},
		[2]*schema.Signer{tr.Commune, tr.Root}, [2]*schema.Signer{tr.ResCell, tr.Commune})
	set, err := cell.SetFields(id, map[string]string{"phone": "0987654321"})
	if err != nil {
		t.Fatal(err)
	}
	write(t, m.nodes[tr.ResCell], id, schema.Tagged{Kind: schema.KindTransferAccept, Body: &schema.TransferStepBody{Ref: issue, Date: "2026-01-05"}})
	// The acceptance travels to the cell before the cell's write leaves it.
	m.pulls(t, [2]*schema.Signer{tr.Commune, tr.ResCell}, [2]*schema.Signer{tr.Root, tr.Commune},
		[2]*schema.Signer{tr.Grassroots, tr.Root}, [2]*schema.Signer{tr.Cell1, tr.Grassroots})
	for range 3 {
		m.pulls(t, [2]*schema.Signer{tr.Grassroots, tr.Cell1}, [2]*schema.Signer{tr.Root, tr.Grassroots},
			[2]*schema.Signer{tr.Commune, tr.Root}, [2]*schema.Signer{tr.ResCell, tr.Commune})
	}
	dir, _ := crdt.RebuildDirectory(tr.Root.ID(), tr.Charters)
	var ops []*schema.Decoded
	envs, _ := m.st[tr.Cell1].LedgerOps(id)
	for _, env := range envs {
		d, _ := schema.DecodeStored(env)
		ops = append(ops, d)
	}
	if l, _ := crdt.Rebuild(dir, id, ops); l.HomeCommittee() != tr.ResCell.ID() {
		t.Fatalf("the fold of the cell's ops puts the member at %s, want the destination", l.HomeCommittee().Short())
	} else if _, ok := l.DAG.Get(set); !ok {
		t.Fatal("the fold rejects the cell's write; the test no longer shows what it should")
	}
	for _, s := range []*schema.Signer{tr.Root, tr.ResCell} {
		if _, err := m.st[s].Op(set); err != nil {
			t.Errorf("%s never received the old home's write, which the fold accepts: %v", s.ID().Short(), err)
		}
	}
}

// TestWriteAfterAStakeEndedReachesHome: the destination of an away-work
// leave comments on it after the leave ended (the fold accepts that: the
// comment follows the leave, not its being open). Neither the destination
// nor its commune is a stakeholder any more, yet the comment must reach
// the member's home, whose only way to it goes through that commune: a
// committee's superiors carry its writes toward the stakeholders.
func TestWriteAfterAStakeEndedReachesHome(t *testing.T) {
	m := newMiniNet(t)
	tr := m.tree
	cell := m.nodes[tr.Cell1]
	id := member(t, cell, "Lý Văn Hải", "M")
	leave := write(t, cell, id, &schema.LeaveBody{From: "2026-01-01", Until: "2026-06-30", Destination: tr.ResCell.ID(), Place: "Bình Dương"})
	down := [][2]*schema.Signer{{tr.Grassroots, tr.Cell1}, {tr.Root, tr.Grassroots}, {tr.Commune, tr.Root}, {tr.ResCell, tr.Commune}}
	m.pulls(t, down...)
	write(t, cell, id, schema.Tagged{Kind: schema.KindLeaveEnd, Body: &schema.EndBody{Ref: leave, Date: "2026-06-30"}})
	m.pulls(t, down...)
	comment := write(t, m.nodes[tr.ResCell], id, schema.Tagged{Kind: schema.KindLeaveComment, Body: &schema.ReviewBody{Ref: leave, Date: "2026-07-02", Text: "Chấp hành tốt quy định nơi đến."}})
	for range 3 {
		m.pulls(t, [2]*schema.Signer{tr.Commune, tr.ResCell}, [2]*schema.Signer{tr.Root, tr.Commune},
			[2]*schema.Signer{tr.Grassroots, tr.Root}, [2]*schema.Signer{tr.Cell1, tr.Grassroots})
	}
	l, err := m.st[tr.ResCell].Ledger(id)
	if err != nil {
		t.Fatal(err)
	}
	if crdt.IsStakeholder(m.st[tr.ResCell].Directory(), l, tr.Commune.ID()) {
		t.Fatal("the commune is still a stakeholder; the test no longer shows what it should")
	}
	for _, s := range []*schema.Signer{tr.Root, tr.Cell1} {
		if _, err := m.st[s].Op(comment); err != nil {
			t.Errorf("%s never received the destination's comment, which the fold accepts: %v", s.ID().Short(), err)
		}
	}
}

// TestRevocationJudgesAgainTheOpsNamingTheRevoked: the member's cell
// grants an away-work leave to a residence cell, not knowing that the
// commune had revoked that cell just before (a leave may only name an
// active committee). When the revocation reaches the member's cell, the
// leave must be judged again and rejected, as the fold of the same ops
// rejects it.
func TestRevocationJudgesAgainTheOpsNamingTheRevoked(t *testing.T) {
	m := newMiniNet(t)
	tr := m.tree
	cell := m.nodes[tr.Cell1]
	id := member(t, cell, "Ma Văn Hải", "M")
	if _, err := m.nodes[tr.Commune].Revoke(tr.ResCell.ID(), "giải thể"); err != nil {
		t.Fatal(err)
	}
	write(t, cell, id, &schema.LeaveBody{From: "2026-01-01", Until: "2026-06-30", Destination: tr.ResCell.ID(), Place: "Bình Dương"})
	m.pulls(t, [2]*schema.Signer{tr.Root, tr.Commune}, [2]*schema.Signer{tr.Grassroots, tr.Root}, [2]*schema.Signer{tr.Cell1, tr.Grassroots})
	st := m.st[tr.Cell1]
	if _, ok := st.Directory().RevokedAt(tr.ResCell.ID(), crdt.Now); !ok {
		t.Fatal("the revocation did not reach the member's cell")
	}
	var ops []*schema.Decoded
	envs, _ := st.LedgerOps(id)
	for _, env := range envs {
		d, _ := schema.DecodeStored(env)
		ops = append(ops, d)
	}
	held, _ := st.Ledger(id)
	want, _ := crdt.Rebuild(st.Directory(), id, ops)
	if len(held.DAG.Ops) != len(want.DAG.Ops) {
		t.Fatalf("the member's cell accepts %d ops of the ledger, the fold of the same ops %d: the leave naming the revoked cell was not judged again", len(held.DAG.Ops), len(want.DAG.Ops))
	}
}
