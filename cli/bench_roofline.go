package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/biornn/biornn/kernels/roofline"
	ucli "github.com/urfave/cli/v2"
)

// benchRooflineCommand is `biornn bench roofline`: every kernel the training
// engine calls, at the shapes of training, against its roofline bound (FMA
// peak or the measured bandwidth of the level its working set lives in).
func benchRooflineCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "roofline",
		Usage: "put each hot kernel against its bound: FMA peak or measured L1/L2/L3/DRAM read bandwidth",
		Description: "Measures one core's FP32 FMA peak and the streaming read bandwidth at L1-, L2-, L3- and DRAM-sized\n" +
			"working sets (1 and 2 threads), then times every kernel the training engine calls (" + strings.Join(roofline.Kernels, ", ") + ")\n" +
			"at the paper's three networks (macaque, marmoset, human: their real masks) and random CSRs of 10,000 neurons\n" +
			"at 10% and 100,000 at 0.1% density, with chunks of 64 trials and seq_mem's inputs and output.\n" +
			"The bound of a call is the longest of its flops at the peak and, per level, the bytes that must cross into\n" +
			"it at its bandwidth; share = bound time / achieved (median) time. With --threads 2 every thread runs its\n" +
			"own chunk on the shared weights, as the engine does (Adam runs on one thread in the engine: not repeated).\n" +
			"List flags take comma lists or repeat: --size macaque,10k --threads 1.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "impl", Aliases: []string{"kernels"}, Usage: "kernel implementation (default: --kernels / $BIORNN_KERNELS, else the best this CPU runs)"},
			&ucli.IntSliceFlag{Name: "threads", Usage: "thread counts, 1 and/or 2 (default 1,2)"},
			&ucli.StringSliceFlag{Name: "size", Usage: "network sizes: macaque, marmoset, human, 10k, 100k (default all)"},
			&ucli.StringSliceFlag{Name: "kernel", Usage: "kernels: " + strings.Join(roofline.Kernels, ",") + " (default all)"},
			&ucli.BoolFlag{Name: "quick", Usage: "short probes and few repetitions (for tests; figures are rougher)"},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the random matrices and values"},
			&ucli.BoolFlag{Name: "quiet", Usage: "no progress lines on stderr"},
			jsonFlag, recordsOutFlag,
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usagef("bench roofline: unexpected arguments %q (flags go before arguments)", c.Args().Slice())
			}
			cfg := roofline.Config{
				Impl:    c.String("impl"),
				Threads: c.IntSlice("threads"),
				Sizes:   splitList(c.StringSlice("size")),
				Kernels: splitList(c.StringSlice("kernel")),
				Quick:   c.Bool("quick"),
				Seed:    c.Uint64("seed"),
			}
			if cfg.Impl == "" {
				cfg.Impl = lookupString(c, "kernels")
			}
			if err := checkOutFile("out", c.String("out")); err != nil {
				return err
			}
			if !c.Bool("quiet") {
				cfg.Progress = func(msg string) { fmt.Fprintln(c.App.ErrWriter, "bench roofline:", msg) }
			}
			mach, recs, err := roofline.Run(c.Context, cfg)
			if err != nil {
				var fe *roofline.FieldError
				if errors.As(err, &fe) {
					flag := map[string]string{"Impl": "impl", "Threads": "threads", "Sizes": "size", "Kernels": "kernel"}[fe.Field]
					return usagef("bench roofline: --%s: %v", flag, fe.Err)
				}
				return fmt.Errorf("bench roofline: %w", err)
			}
			return writeRecords(c, "bench roofline", recs, func(w io.Writer) error { return roofline.WriteTable(w, mach, recs) })
		},
	}
}
