// Command biornn builds, trains and compares bio-instantiated recurrent
// neural networks. See 'biornn help' and the README.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/biornn/biornn/cli"
)

func main() {
	// Ctrl-C or SIGTERM (e.g. a cluster's time limit) cancels the context:
	// training stops between mini-batches and a sweep stops handing out
	// runs, so every file already written stays complete.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cli.NewApp().RunContext(ctx, os.Args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "biornn:", err)
	}
	stop()
	os.Exit(cli.ExitCode(err))
}
