package cli

import (
	"fmt"
	"io"

	"github.com/biornn/biornn/rnn/results/recordfile"
	ucli "github.com/urfave/cli/v2"
)

// benchCommand is the parent of the benchmarks: "kernels" (compute kernels,
// cli/bench_kernels.go) and "train" (training epochs, cli/bench_train.go).
// Without a subcommand it prints its help; an unknown one is a usage error
// (commandGroupAction), and usage errors of its subcommands point at
// 'biornn bench kernels --help' (commandName).
func benchCommand() *ucli.Command {
	return &ucli.Command{
		Name:        "bench",
		Usage:       "measure performance",
		Subcommands: benchSubcommands(),
	}
}

// The output flags every benchmark shares: records go to stdout as a table
// or a JSON list, and optionally to a Parquet file.
var (
	jsonFlag       = &ucli.BoolFlag{Name: "json", Usage: "print the records as a JSON list instead of a table"}
	recordsOutFlag = &ucli.StringFlag{Name: "out", Usage: "also write the records to this Parquet file (zstd)"}
)

// writeRecords writes a benchmark's records as --out and --json ask, else
// prints them with table. Errors start with the command's name.
func writeRecords[T any](c *ucli.Context, cmd string, recs []T, table func(io.Writer) error) error {
	if out := c.String("out"); out != "" {
		if err := recordfile.WriteParquet(out, recs); err != nil {
			return fmt.Errorf("%s: --out: %w", cmd, err)
		}
	}
	var err error
	if c.Bool("json") {
		err = recordfile.WriteJSON(c.App.Writer, recs)
	} else {
		err = table(c.App.Writer)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	return nil
}
