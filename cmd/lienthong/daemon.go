package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"lienthong/internal/api"
	"lienthong/internal/datadir"
)

// notInDaemon lists commands that must not run inside a daemon.
var notInDaemon = []string{"serve", "init", "demo", "join", "restore"}

// runInDaemon is the daemon's CLIRunner: the same command tree, bound to
// the daemon's open node.
func runInDaemon(live *session) api.CLIRunner {
	return func(ctx context.Context, args []string, cwd string) ([]byte, []byte, int) {
		var out, errb bytes.Buffer
		if len(args) > 0 && slices.Contains(notInDaemon, args[0]) {
			fmt.Fprintf(&errb, "lienthong: '%s' cannot run while the daemon serves this directory; stop it first\n", args[0])
			return nil, errb.Bytes(), 1
		}
		a := newApp(&out, &errb)
		a.live, a.cwd = live, cwd
		a.root.SetArgs(args)
		code := exitCode(a.root.ExecuteContext(ctx), &errb)
		return out.Bytes(), errb.Bytes(), code
	}
}

// exitCode prints err and returns the exit status for it.
func exitCode(err error, errw io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(errw, "lienthong:", err)
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// dirFromArgs finds --dir in the arguments (or LIENTHONG_DIR) without
// running the command.
func dirFromArgs(args []string) string {
	dir := os.Getenv("LIENTHONG_DIR")
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--dir="); ok {
			dir = v
		} else if a == "--dir" && i+1 < len(args) {
			dir = args[i+1]
		}
	}
	return dir
}

// forward runs the command in the daemon that serves its --dir, if one runs.
// ok is false when there is no daemon to talk to.
func forward(args []string, stdout, stderr io.Writer) (code int, ok bool) {
	if len(args) == 0 || slices.Contains(notInDaemon, args[0]) || slices.Contains(args, "--help") || slices.Contains(args, "-h") {
		return 0, false
	}
	dir := dirFromArgs(args)
	if dir == "" {
		return 0, false
	}
	info, running := datadir.RunningDaemon(dir)
	if !running {
		return 0, false
	}
	tok, err := datadir.ReadToken(dir)
	if err != nil {
		return 0, false
	}
	cwd, _ := os.Getwd()
	body, _ := json.Marshal(api.CLIRequest{Args: args, Cwd: cwd})
	req, err := http.NewRequest(http.MethodPost, "http://"+info.HTTP+"/api/cli", bytes.NewReader(body))
	if err != nil {
		return 0, false
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: time.Hour}
	resp, err := client.Do(req)
	if err != nil {
		return 0, false // the record is stale: run locally
	}
	defer resp.Body.Close()
	var out api.CLIResponse
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		fmt.Fprintf(stderr, "lienthong: the daemon serving %s answered %s; see its log\n", dir, resp.Status)
		return 1, true
	}
	io.WriteString(stdout, out.Stdout)
	io.WriteString(stderr, out.Stderr)
	return out.Code, true
}
