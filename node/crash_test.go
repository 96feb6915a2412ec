package node_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"lienthong/internal/store"
	"lienthong/internal/testkit"
	"lienthong/node"
	"lienthong/schema"
)

// crashChildEnv makes the test binary act as a writer process.
const crashChildEnv = "LIENTHONG_CRASH_CHILD_DIR"

// TestMain lets the test binary re-execute itself as the writer child.
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	os.Exit(m.Run())
}

// crashChild writes members and field changes for ever, printing each op ID
// once Apply has returned (the write is acknowledged).
func crashChild(dir string) {
	tree := testkit.NewTree(100)
	st, err := store.Open(dir, store.DefaultOptions(tree.Root.ID()))
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	if _, _, err := st.Ingest(envelopesOf(tree.Charters), "setup"); err != nil {
		fmt.Println("charters:", err)
		os.Exit(3)
	}
	n, err := node.New(st, tree.Cell1, node.DefaultOptions())
	if err != nil {
		os.Exit(3)
	}
	out := bufio.NewWriter(os.Stdout)
	var last schema.LedgerID
	for i := 0; ; i++ {
		if i%5 == 0 {
			id, err := n.CreateMember("", map[string]string{"name": fmt.Sprintf("Nguyễn Văn Số %d", i), "sex": "M"})
			if err != nil {
				fmt.Fprintln(out, "error:", err)
				out.Flush()
				os.Exit(4)
			}
			last = id
			fmt.Fprintf(out, "L %s\n", id)
		} else {
			op, err := n.SetFields(last, map[string]string{"phone": fmt.Sprintf("09%08d", i)})
			if err != nil {
				fmt.Fprintln(out, "error:", err)
				out.Flush()
				os.Exit(4)
			}
			fmt.Fprintf(out, "O %s %s\n", last, op)
		}
		out.Flush()
	}
}

func envelopesOf(ds []*schema.Decoded) [][]byte {
	out := make([][]byte, len(ds))
	for i, d := range ds {
		out[i] = d.Envelope
	}
	return out
}

// TestKill9KeepsAcknowledgedWrites kills a writer process with SIGKILL at
// random points; every write it acknowledged is present after reopening, and
// the store opens cleanly each time.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process crash test")
	}
	rounds := 30
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	tree := testkit.NewTree(100)
	total := 0
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1<<16)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		time.Sleep(time.Duration(50+rng.IntN(250)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		var acked []string
		for l := range lines {
			acked = append(acked, l)
		}
		cmd.Wait()
		st, err := store.Open(dir, store.DefaultOptions(tree.Root.ID()))
		if err != nil {
			t.Fatalf("round %d: reopening after kill -9: %v", round, err)
		}
		for _, l := range acked {
			f := strings.Fields(l)
			switch f[0] {
			case "L":
				id, _ := schema.ParseLedgerID(f[1])
				if _, err := st.Ledger(id); err != nil {
					t.Fatalf("round %d: acknowledged member %s lost: %v", round, f[1], err)
				}
			case "O":
				op, _ := schema.ParseOpID(f[2])
				if _, err := st.Op(op); err != nil {
					t.Fatalf("round %d: acknowledged op %s lost: %v", round, f[2], err)
				}
			default:
				t.Fatalf("round %d: writer said %q", round, l)
			}
		}
		total += len(acked)
		st.Close()
	}
	if total == 0 {
		t.Fatal("the writer acknowledged nothing: the test checked nothing")
	}
	t.Logf("%d rounds, %d acknowledged writes checked", rounds, total)
}
