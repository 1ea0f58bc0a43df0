package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/biornn/biornn/kernels/kbench"
	ucli "github.com/urfave/cli/v2"
)

// benchKernelsCommand is `biornn bench kernels`: it times every kernel and
// implementation over a grid of batch sizes, network sizes and densities and
// prints a table, a JSON list (--json) or writes Parquet (--out).
func benchKernelsCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "kernels",
		Usage: "time the compute kernels (useful GFLOP/s and share of one core's FP32 peak)",
		Description: "Runs each kernel (spmm, sddmm, gemm, gemmnt) and implementation over batch x hidden x density.\n" +
			"Useful flops are 2 x kept weights x batch per call, so sparse and dense paths compare at the same shape.\n" +
			"List flags take comma lists or repeat: --batch 1,16 --batch 128.",
		Flags: []ucli.Flag{
			&ucli.IntSliceFlag{Name: "batch", Usage: "batch sizes (default 1,16,128)"},
			&ucli.IntSliceFlag{Name: "hidden", Usage: "numbers of neurons (default 116,220,512,1024,4096)"},
			&ucli.Float64SliceFlag{Name: "density", Usage: "shares of kept weights in (0,1] (default 0.02,0.1,0.5,1)"},
			&ucli.StringSliceFlag{Name: "impl", Aliases: []string{"kernels"}, Usage: "implementations to time (default: all on this CPU)"},
			&ucli.StringSliceFlag{Name: "kernel", Usage: "kernels to time: " + strings.Join(kbench.Kernels, ",") + " (default all)"},
			&ucli.DurationFlag{Name: "target", Value: 25 * time.Millisecond, Usage: "time spent on each measurement"},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the random matrices"},
			&ucli.BoolFlag{Name: "json", Usage: "print the records as a JSON list instead of a table"},
			&ucli.StringFlag{Name: "out", Usage: "also write the records to this Parquet file (zstd)"},
		},
		Action: func(c *ucli.Context) error {
			cfg := kbench.Config{
				Batches:   c.IntSlice("batch"),
				Hidden:    c.IntSlice("hidden"),
				Densities: c.Float64Slice("density"),
				Impls:     splitList(c.StringSlice("impl")),
				Kernels:   splitList(c.StringSlice("kernel")),
				Target:    c.Duration("target"),
				Seed:      c.Uint64("seed"),
			}
			peak, recs, err := kbench.Run(c.Context, cfg)
			if err != nil {
				return err
			}
			if out := c.String("out"); out != "" {
				if err := kbench.WriteParquet(out, recs); err != nil {
					return err
				}
			}
			w := c.App.Writer
			if c.Bool("json") {
				return kbench.WriteJSON(w, recs)
			}
			if err := kbench.WriteTable(w, peak, recs); err != nil {
				return fmt.Errorf("bench kernels: %w", err)
			}
			return nil
		},
	}
}

// splitList splits comma-separated entries of a string list flag.
func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, f := range strings.Split(s, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}
