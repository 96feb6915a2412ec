// Command lienthong is the one binary of a committee's node: CLI
// subcommands, the daemon and the demo.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// A daemon holds the store: run the command inside it.
	if code, ok := forward(os.Args[1:], os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	app := newApp(os.Stdout, os.Stderr)
	code := exitCode(app.root.ExecuteContext(ctx), os.Stderr)
	stop()
	os.Exit(code)
}
