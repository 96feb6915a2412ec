package node_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
)

// mdnsChildEnv makes the test binary act as one machine of
// TestMDNSDiscoveryOnLAN; the value is the role.
const mdnsChildEnv = "LIENTHONG_MDNS_CHILD"

// The LAN of TestMDNSDiscoveryOnLAN: two network namespaces joined by a
// veth pair, nothing else in them, nothing routed out of the machine.
const (
	lanA, lanB = "10.213.0.1", "10.213.0.2"
	probeGroup = "239.255.77.77:47777"
)

// TestMDNSDiscoveryOnLAN: two committee nodes on one LAN, with mDNS on and
// no bootstrap peer, find each other and sync. Each runs in its own process
// in its own network namespace, the two joined by a veth pair, as two
// machines on an office LAN. The test needs root and the ip command, and
// skips without them or when multicast does not cross the pair.
func TestMDNSDiscoveryOnLAN(t *testing.T) {
	if testing.Short() {
		t.Skip("libp2p network test in network namespaces")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces")
	}
	ipCmd, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("needs the ip command (iproute2) to create network namespaces")
	}
	tag := fmt.Sprint(os.Getpid() % 10000000)
	nsA, nsB := "lienthong-mdns-"+tag+"-a", "lienthong-mdns-"+tag+"-b"
	vA, vB := "ltm"+tag+"a", "ltm"+tag+"b"
	ip := func(args ...string) error {
		out, err := exec.Command(ipCmd, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
		}
		return nil
	}
	t.Cleanup(func() {
		ip("netns", "del", nsA) // takes the veth pair with it
		ip("netns", "del", nsB)
	})
	for _, step := range [][]string{
		{"netns", "add", nsA},
		{"netns", "add", nsB},
		{"link", "add", vA, "type", "veth", "peer", "name", vB},
		{"link", "set", vA, "netns", nsA},
		{"link", "set", vB, "netns", nsB},
		{"-n", nsA, "addr", "add", lanA + "/24", "dev", vA},
		{"-n", nsB, "addr", "add", lanB + "/24", "dev", vB},
		{"-n", nsA, "link", "set", "lo", "up"},
		{"-n", nsB, "link", "set", "lo", "up"},
		{"-n", nsA, "link", "set", vA, "up"},
		{"-n", nsB, "link", "set", vB, "up"},
		// For the probe's plain socket; mDNS picks its interfaces itself.
		{"-n", nsA, "route", "add", "224.0.0.0/4", "dev", vA},
		{"-n", nsB, "route", "add", "224.0.0.0/4", "dev", vB},
	} {
		if err := ip(step...); err != nil {
			t.Skipf("cannot build a LAN of network namespaces here: %v", err)
		}
	}
	shared := t.TempDir()
	child := func(ns, role string, extra ...string) *exec.Cmd {
		cmd := exec.Command(ipCmd, "netns", "exec", ns, os.Args[0], "-test.run=^TestMDNSChild$")
		cmd.Env = append(os.Environ(), mdnsChildEnv+"="+role, "LIENTHONG_MDNS_SHARED="+shared)
		cmd.Env = append(cmd.Env, extra...)
		return cmd
	}

	// Does multicast cross the pair at all?
	recv := child(nsB, "probe-recv", "LIENTHONG_MDNS_IF="+vB)
	var recvOut bytes.Buffer
	recv.Stdout, recv.Stderr = &recvOut, &recvOut
	if err := recv.Start(); err != nil {
		t.Fatal(err)
	}
	send := child(nsA, "probe-send", "LIENTHONG_MDNS_IF="+vA)
	sendOut, _ := send.CombinedOutput()
	if err := recv.Wait(); err != nil || !strings.Contains(recvOut.String(), "probe received") {
		t.Skipf("multicast does not cross the veth pair here: receiver %v: %s; sender: %s", err, recvOut.String(), sendOut)
	}

	// The cell writes a member; the grassroots committee, a stakeholder,
	// must find the cell by mDNS alone and pull it.
	cell := child(nsA, "cell", "LIENTHONG_MDNS_DIR="+t.TempDir())
	var cellOut bytes.Buffer
	cell.Stdout, cell.Stderr = &cellOut, &cellOut
	stop, err := cell.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cell.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stop.Close()
		done := make(chan error, 1)
		go func() { done <- cell.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the cell's process: %v\n%s", err, cellOut.String())
			}
		case <-time.After(10 * time.Second):
			cell.Process.Kill()
			t.Errorf("the cell's process did not stop\n%s", cellOut.String())
		}
	}()
	grass := child(nsB, "grassroots", "LIENTHONG_MDNS_DIR="+t.TempDir())
	out, err := grass.CombinedOutput()
	if err != nil {
		t.Fatalf("the grassroots committee did not sync with the cell by mDNS: %v\n%s\ncell:\n%s", err, out, cellOut.String())
	}
	t.Logf("grassroots: %s", bytes.TrimSpace(out))
	if !strings.Contains(string(out), "synced over /ip4/"+lanA+"/") {
		t.Fatalf("the grassroots committee synced, but not over the LAN: %s", out)
	}
}

// TestMDNSChild is one machine of TestMDNSDiscoveryOnLAN, run in a network
// namespace by it.
func TestMDNSChild(t *testing.T) {
	role := os.Getenv(mdnsChildEnv)
	if role == "" {
		t.Skip("a helper process of TestMDNSDiscoveryOnLAN")
	}
	shared := os.Getenv("LIENTHONG_MDNS_SHARED")
	memberFile := filepath.Join(shared, "member")
	switch role {
	case "probe-recv", "probe-send":
		ifi, err := net.InterfaceByName(os.Getenv("LIENTHONG_MDNS_IF"))
		if err != nil {
			t.Fatal(err)
		}
		group, _ := net.ResolveUDPAddr("udp4", probeGroup)
		if role == "probe-recv" {
			c, err := net.ListenMulticastUDP("udp4", ifi, group)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			os.WriteFile(filepath.Join(shared, "probe-ready"), nil, 0o644)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 64)
			if _, _, err := c.ReadFromUDP(buf); err != nil {
				t.Fatal(err)
			}
			fmt.Println("probe received")
			return
		}
		addrs, err := ifi.Addrs()
		if err != nil || len(addrs) == 0 {
			t.Fatalf("no address on %s: %v", ifi.Name, err)
		}
		local := &net.UDPAddr{IP: addrs[0].(*net.IPNet).IP}
		c, err := net.DialUDP("udp4", local, group)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for i := 0; i < 50; i++ {
			if _, err := os.Stat(filepath.Join(shared, "probe-ready")); err == nil {
				c.Write([]byte("probe"))
			}
			time.Sleep(100 * time.Millisecond)
		}
		return
	}

	tree := testkit.NewTree(100)
	who := map[string]*schema.Signer{"cell": tree.Cell1, "grassroots": tree.Grassroots}[role]
	st, err := store.Open(os.Getenv("LIENTHONG_MDNS_DIR"), store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.Ingest(envelopesOf(tree.Charters), "join"); err != nil {
		t.Fatal(err)
	}
	n, err := node.New(st, who, node.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	opts := node.DefaultNetOptions()
	opts.Listen = []string{"/ip4/0.0.0.0/tcp/0"}
	opts.MDNS = true
	opts.AntiEntropy = 500 * time.Millisecond
	// Shown by the parent only when the test fails.
	opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w, err := node.StartNetwork(n, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	switch role {
	case "cell":
		id, err := n.CreateMember("", map[string]string{"name": "Lương Thị Hoa", "sex": "F"})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(memberFile+".tmp", []byte(id.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(memberFile+".tmp", memberFile); err != nil {
			t.Fatal(err)
		}
		os.Stdin.Read(make([]byte, 1)) // until the test closes stdin
	case "grassroots":
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var id schema.LedgerID
		for {
			if raw, err := os.ReadFile(memberFile); err == nil {
				if id, err = schema.ParseLedgerID(string(raw)); err != nil {
					t.Fatal(err)
				}
				break
			}
			if ctx.Err() != nil {
				t.Fatal("the cell never wrote its member")
			}
			time.Sleep(20 * time.Millisecond)
		}
		cellID, err := tree.Cell1.ID().PeerID()
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := st.Ledger(id); err == nil {
				break
			} else if !errors.Is(err, store.ErrNotFound) {
				t.Fatal(err)
			}
			if ctx.Err() != nil {
				ps := w.Host().Libp2p().Peerstore()
				t.Fatalf("the member never arrived; addresses %v, peers %+v, the cell's known addresses %v", w.Addrs(), w.Peers(), ps.Addrs(cellID))
			}
			time.Sleep(20 * time.Millisecond)
		}
		for _, c := range w.Host().Libp2p().Network().ConnsToPeer(cellID) {
			fmt.Println("synced over", c.RemoteMultiaddr())
		}
	default:
		t.Fatalf("unknown role %q", role)
	}
}
