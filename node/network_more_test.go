package node_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"lienthong/crdt"
	"lienthong/internal/p2p"
	"lienthong/internal/replica"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
)

func TestOfflineNodeCatchesUp(t *testing.T) {
	if testing.Short() {
		t.Skip("libp2p network test")
	}
	tree := testkit.NewTree(100)
	root := startSite(t, tree, "root", tree.Root, "")
	grass := startSite(t, tree, "grassroots", tree.Grassroots, "", root)
	cell1 := startSite(t, tree, "cell1", tree.Cell1, "", grass)
	grassDir := grass.dir
	grass.stop()
	var ids []schema.LedgerID
	for i := range 1000 {
		if i%50 == 0 {
			id, err := cell1.node.CreateMember("", map[string]string{"name": "Bùi Thị Thu", "sex": "F"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
			continue
		}
		if _, err := cell1.node.SetFields(ids[len(ids)-1], map[string]string{"phone": "09" + string(rune('0'+i%10)) + "1234567"}); err != nil {
			t.Fatal(err)
		}
	}
	grass = startSite(t, tree, "grassroots", tree.Grassroots, grassDir, root, cell1)
	eventually(t, "the grassroots committee and the province catch up with 1000 writes", func() bool {
		for _, id := range ids {
			a, err1 := cell1.st.Ledger(id)
			b, err2 := grass.st.Ledger(id)
			c, err3 := root.st.Ledger(id)
			if err1 != nil || err2 != nil || err3 != nil || len(a.History) != len(b.History) || len(a.History) != len(c.History) {
				return false
			}
		}
		return true
	})
}

// TestCatchUpLogsProgress: a pull that takes several rounds logs how far it
// got and what is left while it runs.
func TestCatchUpLogsProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("libp2p network test")
	}
	tree := testkit.NewTree(100)
	var served lockedBuffer
	grass := startSiteIn(t, tree, "grassroots", tree.Grassroots, "", func(o *node.NetOptions) {
		o.ProgressLog = time.Nanosecond
		o.Logger = slog.New(slog.NewTextHandler(&served, nil))
	})
	in := make([]node.MemberInput, 12000) // several groups of batches
	for i := range in {
		in[i].Fields = map[string]string{"name": "Đỗ Thị Hằng", "sex": "F", "card": fmt.Sprintf("%08d", 10000000+i)}
	}
	if _, err := grass.node.Import(in, nil); err != nil {
		t.Fatal(err)
	}
	var log lockedBuffer
	root := startSiteIn(t, tree, "root", tree.Root, "", func(o *node.NetOptions) {
		o.Bootstrap = []string{grass.net.Addrs()[0]}
		o.ProgressLog = time.Nanosecond
		o.Logger = slog.New(slog.NewTextHandler(&log, nil))
	})
	eventually(t, "the province catches up with 12000 members", func() bool {
		return root.st.Seq() >= grass.st.Seq()
	})
	progress := regexp.MustCompile(`msg=syncing peer=\S+ received=[1-9]\d* bytes=[1-9]\d* pending=[1-9]\d* pending_bytes_about=[1-9]\d*`)
	if !progress.MatchString(log.String()) {
		t.Fatalf("no progress of the catch-up in the log:\n%s", log.String())
	}
	serving := regexp.MustCompile(`msg="serving sync" peer=\S+ sent=[1-9]\d* bytes=[1-9]\d* position=[1-9]\d* pending=[1-9]\d*`)
	if !serving.MatchString(served.String()) {
		t.Fatalf("no progress of the catch-up in the serving node's log:\n%s", served.String())
	}
}

// lockedBuffer is a bytes.Buffer that goroutines may write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestInterruptedSyncResumes cuts a pull over libp2p after its first batch
// and checks that the next pull starts where it stopped and that, together,
// the two pulls carried every op exactly once.
func TestInterruptedSyncResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("libp2p network test")
	}
	tree := testkit.NewTree(100)
	serverNode, serverStore := newNode(t, t.TempDir(), tree, tree.Grassroots)
	_, clientStore := newNode(t, t.TempDir(), tree, tree.Root)
	in := make([]node.MemberInput, 20000)
	for i := range in {
		in[i] = node.MemberInput{Fields: map[string]string{"name": "Hồ Văn Minh", "sex": "M"}}
	}
	if _, err := serverNode.Import(in, nil); err != nil {
		t.Fatal(err)
	}
	allow := func(peer.ID) bool { return true }
	srv, err := p2p.New(p2p.Options{Key: tree.Grassroots.Key(), Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Allow: allow})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	server := &replica.Server{Store: serverStore}
	srv.Handle(replica.ProtocolID, func(s network.Stream) {
		defer s.Close()
		server.Serve(context.Background(), s, tree.Root.ID())
	})
	cli, err := p2p.New(p2p.Options{Key: tree.Root.Key(), Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Allow: allow})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx := context.Background()
	if _, err := cli.Connect(ctx, srv.Addrs()[0]); err != nil {
		t.Fatal(err)
	}
	pull := func(cut bool) (replica.Stats, error) {
		s, err := cli.Open(ctx, srv.ID(), replica.ProtocolID)
		if err != nil {
			return replica.Stats{}, err
		}
		defer s.Close()
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		c := &replica.Client{Store: clientStore, Self: tree.Root.ID(), Progress: func(p replica.Progress) {
			if cut && p.Received > 0 {
				cancel()
				s.Reset()
			}
		}}
		return c.Pull(ctx, s, tree.Grassroots.ID())
	}
	first, err := pull(true)
	if err == nil {
		t.Fatal("the first pull was not cut")
	}
	cp, _ := clientStore.Checkpoint(string(tree.Grassroots.ID()))
	if cp == 0 || first.Received == 0 || first.Received >= 20000 {
		t.Fatalf("cut pull: checkpoint %d, received %d", cp, first.Received)
	}
	second, err := pull(false)
	if err != nil {
		t.Fatal(err)
	}
	if second.From != cp {
		t.Fatalf("second pull started at %d, want the checkpoint %d", second.From, cp)
	}
	total := 20000 + len(tree.Charters)
	if first.Received+second.Received != total || second.Dupes != 0 {
		t.Fatalf("the two pulls carried %d+%d ops (%d duplicates), want %d in all, none twice", first.Received, second.Received, second.Dupes, total)
	}
	if clientStore.StateHash() != serverStore.StateHash() {
		t.Fatal("state differs after the resumed sync")
	}
}

// TestSyncWithAPeerThatDoesNotAnswer: the error says what to check.
func TestSyncWithAPeerThatDoesNotAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("libp2p network test")
	}
	tree := testkit.NewTree(100)
	cell := startSite(t, tree, "cell1", tree.Cell1, "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err := cell.net.SyncOnce(ctx, "/ip4/127.0.0.1/tcp/1/p2p/"+string(tree.Grassroots.ID()), time.Second)
	if err == nil || !strings.Contains(err.Error(), "is the peer's node running") {
		t.Fatalf("sync with a peer that does not answer: %v", err)
	}
}

func TestRevokedCommitteeIsCutOff(t *testing.T) {
	if testing.Short() {
		t.Skip("libp2p network test")
	}
	tree := testkit.NewTree(100)
	root := startSite(t, tree, "root", tree.Root, "")
	grass := startSite(t, tree, "grassroots", tree.Grassroots, "", root)
	cell2 := startSite(t, tree, "cell2", tree.Cell2, "", grass)
	id, err := cell2.node.CreateMember("", map[string]string{"name": "Ngô Thị Lan", "sex": "F"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the member reaches the grassroots committee", func() bool { return has(grass, id) })
	// The cell goes offline, keeps writing, and meanwhile is revoked.
	cell2Dir := cell2.dir
	cell2.stop()
	if _, err := grass.node.Revoke(tree.Cell2.ID(), "giải thể chi bộ"); err != nil {
		t.Fatal(err)
	}
	cell2 = startSite(t, tree, "cell2", tree.Cell2, cell2Dir) // no bootstrap: still unaware
	late, err := cell2.node.SetFields(id, map[string]string{"phone": "0987654321"})
	if err != nil {
		t.Fatal(err)
	}
	// It can no longer connect: the grassroots gater refuses it.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := cell2.net.SyncOnce(ctx, grass.net.Addrs()[0], time.Second); err == nil {
		t.Fatal("a revoked committee synced")
	} else if !strings.Contains(err.Error(), "refuses a committee") {
		t.Fatalf("a revoked committee's sync failed with %q, which does not say why", err)
	}
	// Its late op, carried by hand, is rejected; its earlier ops stand.
	var buf bytes.Buffer
	if _, err := replica.ExportBundle(&buf, cell2.st, replica.ExportOptions{From: cell2.node.ID(), For: grass.node.ID(), Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	is, err := replica.ImportBundle(&buf, grass.st, grass.node.ID())
	if !errors.Is(err, replica.ErrOpsRejected) || errors.Is(err, replica.ErrBundleDamaged) || is.Rejected != 1 {
		t.Fatalf("import of the revoked cell's bundle: %+v, %v", is, err)
	}
	if ok, _ := grass.st.HasOp(late); !ok {
		t.Fatal("the rejected op is not in quarantine")
	}
	if _, err := grass.st.Op(late); err == nil {
		t.Fatal("an op written after the revocation was accepted")
	}
	if !has(grass, id) {
		t.Fatal("the member created before the revocation was lost")
	}
}

// writeRaw writes a frame as the sync protocol does.
func writeRaw(w io.Writer, v any) error {
	b, err := schema.Marshal(v)
	if err != nil {
		return err
	}
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(b)))
	if _, err := w.Write(hdr[:n]); err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// TestHostilePeerIsRejected: a chartered but hostile peer answers pulls with
// an out-of-scope ledger, a forged op and an oversized frame. Each is
// rejected, nothing it sent is kept, and the node goes on serving others.
func TestHostilePeerIsRejected(t *testing.T) {
	if testing.Short() {
		t.Skip("libp2p network test")
	}
	tree := testkit.NewTree(100)
	grass := startSite(t, tree, "grassroots", tree.Grassroots, "")
	cell1 := startSite(t, tree, "cell1", tree.Cell1, "", grass)

	outOfScope := testkit.Sign(tree.Commune, testkit.Op(tree.Commune, schema.LedgerID{0x77}, 5000, nil,
		&schema.MemberCreateBody{Home: tree.Commune.ID(), Fields: map[string]string{"name": "Phạm Văn Đồng"}}))
	forged := append([]byte(nil), testkit.Sign(tree.Cell2, testkit.Op(tree.Cell2, schema.LedgerID{0x78}, 5000, nil,
		&schema.MemberCreateBody{Home: tree.Cell2.ID(), Fields: map[string]string{"name": "Đinh Văn Sai"}})).Envelope...)
	forged[len(forged)-5] ^= 1
	stage := make(chan int, 3)
	evil, err := p2p.New(p2p.Options{Key: tree.Cell2.Key(), Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Allow: func(peer.ID) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	defer evil.Close()
	calls := 0
	evil.Handle(replica.ProtocolID, func(s network.Stream) {
		defer s.Close()
		r := bufio.NewReader(s)
		size, err := binary.ReadUvarint(r)
		if err != nil {
			return
		}
		io.CopyN(io.Discard, r, int64(size))
		calls++
		switch calls {
		case 1:
			writeRaw(s, &replica.Batch{Ops: [][]byte{outOfScope.Envelope, forged}, Next: 2, Head: 2, Done: true})
		default:
			var hdr [binary.MaxVarintLen64]byte
			n := binary.PutUvarint(hdr[:], 1<<40)
			s.Write(hdr[:n])
		}
		stage <- calls
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	before := grass.st.StateHash()
	if _, err := grass.net.Host().Connect(ctx, evil.Addrs()[0]); err != nil {
		t.Fatal(err)
	}
	<-stage // the pull on connect got the bad batch
	if _, _, err := grass.net.SyncOnce(ctx, evil.Addrs()[0], time.Second); err == nil || !errors.Is(err, replica.ErrProtocol) {
		t.Fatalf("oversized frame: got %v, want a protocol error", err)
	}
	if grass.st.StateHash() != before {
		t.Fatal("the hostile peer changed the state")
	}
	if ok, _ := grass.st.HasOp(outOfScope.ID); ok {
		t.Fatal("an out-of-scope ledger was stored")
	}
	// The node keeps serving honest peers.
	id, err := cell1.node.CreateMember("", map[string]string{"name": "Trịnh Văn Tốt", "sex": "M"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "an honest cell's write still arrives", func() bool { return has(grass, id) })
	if err := grass.st.Directory().ActiveAt(tree.Cell1.ID(), crdt.Now); err != nil {
		t.Fatal(err)
	}
}
