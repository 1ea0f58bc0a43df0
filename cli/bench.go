package cli

import (
	ucli "github.com/urfave/cli/v2"
)

// benchCommand is the parent of the benchmarks: "kernels" (compute kernels,
// cli/bench_kernels.go) and room for "train" (whole training runs).
func benchCommand() *ucli.Command {
	return &ucli.Command{
		Name:        "bench",
		Usage:       "measure performance",
		Subcommands: benchSubcommands(),
	}
}
