package cli

import (
	"io"
	"strings"
	"time"

	"github.com/biornn/biornn/kernels/kbench"
	"github.com/biornn/biornn/rnn"
	ucli "github.com/urfave/cli/v2"
)

// benchKernelsCommand is `biornn bench kernels`: it times every kernel and
// implementation over a grid of batch sizes, network sizes and densities and
// prints a table, a JSON list (--json) or writes Parquet (--out).
func benchKernelsCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "kernels",
		Usage: "time the compute kernels (useful GFLOP/s and share of one core's FP32 peak)",
		Description: "Runs each kernel (" + strings.Join(kbench.Kernels, ", ") + ") and implementation over batch x hidden x density.\n" +
			"Useful flops are 2 x kept weights x batch per call, so sparse and dense paths compare at the same shape;\n" +
			"spmmsddmm, the fused backward kernel (spmm's product and sddmm's weight gradient in one pass over the CSR),\n" +
			"does two products and counts 4 x kept weights x batch, so it compares directly with spmm + sddmm.\n" +
			"List flags take comma lists or repeat: --batch 1,16 --batch 128.",
		Flags: append([]ucli.Flag{
			&ucli.IntSliceFlag{Name: "batch", Usage: "batch sizes (default 1,16,128)"},
			&ucli.IntSliceFlag{Name: "hidden", Usage: "numbers of neurons (default 116,220,512,1024,4096)"},
			&ucli.Float64SliceFlag{Name: "density", Usage: "shares of kept weights in (0,1] (default 0.02,0.1,0.5,1)"},
			&ucli.StringSliceFlag{Name: "impl", Aliases: []string{"kernels"}, Usage: "implementations to time (default: all on this CPU)"},
			&ucli.StringSliceFlag{Name: "kernel", Usage: "kernels to time: " + strings.Join(kbench.Kernels, ",") + " (default all)"},
			&ucli.DurationFlag{Name: "target", Value: 25 * time.Millisecond, Usage: "time spent on each measurement"},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the random matrices"},
			jsonFlag, recordsOutFlag,
		}, settingFlags(isMaxMemory)...),
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usagef("bench kernels: unexpected arguments %q (flags go before arguments)", c.Args().Slice())
			}
			var budget rnn.RunSpec // --max-memory goes through the settings table
			if err := applySettingFlags(c, &budget, isMaxMemory); err != nil {
				return err
			}
			cfg := kbench.Config{
				Batches:   c.IntSlice("batch"),
				Hidden:    c.IntSlice("hidden"),
				Densities: c.Float64Slice("density"),
				Impls:     splitList(c.StringSlice("impl")),
				Kernels:   splitList(c.StringSlice("kernel")),
				Target:    c.Duration("target"),
				Seed:      c.Uint64("seed"),
				MaxMemory: budget.MaxMemory,
			}
			if err := checkOutFile("out", c.String("out")); err != nil {
				return err
			}
			peak, recs, err := kbench.Run(c.Context, cfg)
			if err != nil {
				return benchFieldError(err, map[string]string{
					"Batches": "batch", "Hidden": "hidden", "Densities": "density", "Impls": "impl", "Kernels": "kernel"}, nil)
			}
			return writeRecords(c, "bench kernels", recs, func(w io.Writer) error { return kbench.WriteTable(w, peak, recs) })
		},
	}
}

// isMaxMemory keeps the max_memory setting: the budget the benchmark's
// matrices are checked against.
func isMaxMemory(s *rnn.Setting) bool { return s.Key == "max_memory" }
