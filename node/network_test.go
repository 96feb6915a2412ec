package node_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"lienthong/crdt"
	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
)

// site is one committee's running node in a test network.
type site struct {
	name string
	node *node.Node
	st   *store.Store
	net  *node.Network
	dir  string
	who  *schema.Signer
}

func startSite(t *testing.T, tree *testkit.Tree, name string, who *schema.Signer, dir string, bootstrap ...*site) *site {
	t.Helper()
	return startSiteIn(t, tree, name, who, dir, func(o *node.NetOptions) {
		for _, b := range bootstrap {
			o.Bootstrap = append(o.Bootstrap, b.net.Addrs()[0])
		}
	})
}

// startSiteIn starts a committee node on loopback with its store in dir (a
// new temporary one if empty), its network options adjusted by set.
func startSiteIn(t *testing.T, tree *testkit.Tree, name string, who *schema.Signer, dir string, set func(*node.NetOptions)) *site {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	st, err := store.Open(dir, store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Ingest(envelopesOf(tree.Charters), "join"); err != nil {
		t.Fatal(err)
	}
	n, err := node.New(st, who, node.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	opts := node.DefaultNetOptions()
	opts.Listen = []string{"/ip4/127.0.0.1/tcp/0"}
	opts.MDNS = false
	opts.AntiEntropy = 500 * time.Millisecond
	set(&opts)
	w, err := node.StartNetwork(n, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	s := &site{name: name, node: n, st: st, net: w, dir: dir, who: who}
	t.Cleanup(s.stop)
	return s
}

func (s *site) stop() {
	s.net.Close()
	s.st.Close()
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func has(s *site, id schema.LedgerID) bool {
	_, err := s.st.Ledger(id)
	return err == nil
}

func TestMemberReachesSuperiorsOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("libp2p network test")
	}
	tree := testkit.NewTree(100)
	root := startSite(t, tree, "root", tree.Root, "")
	grass := startSite(t, tree, "grassroots", tree.Grassroots, "", root)
	cell1 := startSite(t, tree, "cell1", tree.Cell1, "", grass)
	cell2 := startSite(t, tree, "cell2", tree.Cell2, "", grass)
	commune := startSite(t, tree, "commune", tree.Commune, "", root)

	id, err := cell1.node.CreateMember("", map[string]string{"name": "Nguyễn Thị Hồng", "sex": "F"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the member reaches the grassroots committee and the province", func() bool { return has(grass, id) && has(root, id) })
	// Give the others every chance (three anti-entropy rounds) to receive
	// it wrongly.
	time.Sleep(1500 * time.Millisecond)
	for _, s := range []*site{cell2, commune} {
		if has(s, id) {
			t.Fatalf("%s received a member it is not a stakeholder of", s.name)
		}
	}
	l1, _ := cell1.st.Ledger(id)
	lr, _ := root.st.Ledger(id)
	r1, _ := l1.Encode()
	rr, _ := lr.Encode()
	if string(r1) != string(rr) {
		t.Fatal("ledger state differs between the cell and the province")
	}
}

func TestConcurrentEditsConvergeWithConflict(t *testing.T) {
	if testing.Short() {
		t.Skip("libp2p network test")
	}
	tree := testkit.NewTree(100)
	root := startSite(t, tree, "root", tree.Root, "")
	grass := startSite(t, tree, "grassroots", tree.Grassroots, "", root)
	cell1 := startSite(t, tree, "cell1", tree.Cell1, "", grass)
	id, err := cell1.node.CreateMember("", map[string]string{"name": "Lê Văn Tám", "sex": "M"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the member reaches the grassroots committee", func() bool { return has(grass, id) })
	// Cut the cell off, edit on both sides, reconnect.
	cell1.stop()
	if _, err := grass.node.SetFields(id, map[string]string{"phone": "0911111111"}); err != nil {
		t.Fatal(err)
	}
	cell1 = startSite(t, tree, "cell1", tree.Cell1, cell1.dir)
	if _, err := cell1.node.SetFields(id, map[string]string{"phone": "0922222222"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, _, err := cell1.net.SyncOnce(ctx, grass.net.Addrs()[0], 10*time.Second); err != nil {
		t.Fatal(err)
	}
	ledgerHash := func(s *site) string {
		l, err := s.st.Ledger(id)
		if err != nil {
			return ""
		}
		raw, _ := l.Encode()
		return crdt.StateHash(raw).String()
	}
	eventually(t, "all three hold the same ledger state", func() bool {
		a := ledgerHash(cell1)
		return a != "" && a == ledgerHash(grass) && a == ledgerHash(root)
	})
	m, _ := root.node.Member(id)
	if len(m.Conflicts["phone"]) != 2 {
		t.Fatalf("want the phone conflict visible at the province, got %+v", m.Conflicts)
	}
}

func TestUnknownPeerIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("libp2p network test")
	}
	tree := testkit.NewTree(100)
	root := startSite(t, tree, "root", tree.Root, "")
	stranger := testkit.Signer("stranger")
	st, err := store.Open(t.TempDir(), store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.Ingest(envelopesOf(tree.Charters), "join")
	n, _ := node.New(st, stranger, node.DefaultOptions())
	opts := node.DefaultNetOptions()
	opts.Listen = []string{"/ip4/127.0.0.1/tcp/0"}
	opts.MDNS = false
	w, err := node.StartNetwork(n, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The root is chartered, so the stranger dials it; the root's gater
	// refuses the stranger after the handshake, before any protocol.
	_, _, err = w.SyncOnce(ctx, root.net.Addrs()[0], time.Second)
	if err == nil {
		t.Fatal("a peer with no charter synced with the province")
	}
	if root.net.Host().IsConnected(w.Host().ID()) {
		t.Fatal("the province kept a connection to an unchartered peer")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("refusal took the whole timeout: %v", err)
	}
}
