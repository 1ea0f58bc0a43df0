package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/biornn/biornn/rnn/trainbench"
	ucli "github.com/urfave/cli/v2"
)

// benchTrainCommand is `biornn bench train`: the per-epoch wall time of
// whole training runs (the paper's three networks, or a scaling series up to
// ~10,000 neurons) for each kernel implementation, path and thread count.
func benchTrainCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "train",
		Usage: "time training epochs of the paper's networks (or a scaling series) per kernel set, path and thread count",
		Description: "Paper mode: macaque (116 neurons), marmoset (220) and human (228), the paper's construction,\n" +
			"seq_mem L=5, batch 128, 400/100 trials, tanh, Adam lr 1e-4. Reports the median seconds of an\n" +
			"epoch (one pass of mini-batch updates plus the validation pass) after --warmup epochs.\n" +
			"Scaling mode (--scaling): the first --network (default human) at --neurons-per-region x\n" +
			"--density, sparse path; ns/(conn*step*trial) stays flat when time follows the connections.\n" +
			"List flags take comma lists or repeat: --network macaque,human --threads 1 --threads 2.",
		Flags: []ucli.Flag{
			&ucli.StringSliceFlag{Name: "network", Usage: "macaque, marmoset, human or a connectome file (default: the three; scaling: human)"},
			&ucli.StringSliceFlag{Name: "impl", Aliases: []string{"kernels"}, Usage: "kernel implementations (default: every one this CPU runs)"},
			&ucli.StringSliceFlag{Name: "path", Usage: "sparse, dense or auto (default sparse,dense; scaling: sparse)"},
			&ucli.IntFlag{Name: "epochs", Usage: "measured epochs per combination (default 5; scaling 2)"},
			&ucli.IntFlag{Name: "warmup", Value: 1, Usage: "training epochs run first and not measured"},
			&ucli.IntSliceFlag{Name: "threads", Usage: "worker threads per run (default 1)"},
			&ucli.BoolFlag{Name: "scaling", Usage: "time a series of large sparse networks instead of the paper's three"},
			&ucli.IntSliceFlag{Name: "neurons-per-region", Usage: "scaling: neurons per region (default 25,50,100,175)"},
			&ucli.Float64SliceFlag{Name: "density", Usage: "scaling: target shares of kept recurrent weights (default 0.01,0.05)"},
			&ucli.StringFlag{Name: "task", Value: "seq_mem", Usage: "seq_mem, nback_mem or pic_latent_mem (the paper's benchmark is seq_mem)"},
			&ucli.IntFlag{Name: "pattern-length", Value: 5, Usage: "seq_mem L (T = 2L+1 steps)"},
			&ucli.IntFlag{Name: "nback", Value: 2, Usage: "n-back tasks: n"},
			&ucli.IntFlag{Name: "trial-length", Value: 5, Usage: "n-back tasks: L (T = L+1, pictures L+2)"},
			&ucli.StringFlag{Name: "mnist-dir", EnvVars: []string{"BIORNN_MNIST"}, Usage: "pic_latent_mem: folder with the MNIST latents (default: mnist-latent inside, else beside, the data folder)"},
			&ucli.StringFlag{Name: "activation", Value: "tanh", Usage: "tanh or relu"},
			&ucli.IntFlag{Name: "trials", Value: 500, Usage: "trials (80% training, 20% validation)"},
			&ucli.IntFlag{Name: "batch", Value: 128, Usage: "mini-batch size"},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "run seed (network build, data and initialisation)"},
			&ucli.StringFlag{Name: "data-dir", Usage: "folder with the connectome files (overrides the global --data-dir)"},
			&ucli.BoolFlag{Name: "json", Usage: "print the records as a JSON list instead of a table"},
			&ucli.StringFlag{Name: "out", Usage: "also write the records to this Parquet file (zstd)"},
			&ucli.BoolFlag{Name: "quiet", Usage: "no progress lines on stderr"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return fmt.Errorf("bench train: unexpected arguments %q (networks go in --network)", c.Args().Slice())
			}
			cfg := trainbench.Config{
				Networks:         benchTrainList(c.StringSlice("network")),
				Impls:            benchTrainList(c.StringSlice("impl")),
				Paths:            benchTrainList(c.StringSlice("path")),
				Threads:          c.IntSlice("threads"),
				Epochs:           c.Int("epochs"),
				Warmup:           c.Int("warmup"),
				DataDir:          benchTrainLookup(c, "data-dir"),
				Task:             c.String("task"),
				NBack:            c.Int("nback"),
				TrialLength:      c.Int("trial-length"),
				MNISTDir:         c.String("mnist-dir"),
				PatternLength:    c.Int("pattern-length"),
				Activation:       c.String("activation"),
				Trials:           c.Int("trials"),
				BatchSize:        c.Int("batch"),
				Seed:             c.Uint64("seed"),
				Scaling:          c.Bool("scaling"),
				NeuronsPerRegion: c.IntSlice("neurons-per-region"),
				Densities:        c.Float64Slice("density"),
			}
			if len(cfg.Impls) == 0 {
				if k := benchTrainLookup(c, "kernels"); k != "" {
					cfg.Impls = []string{k}
				}
			}
			if cfg.Task == "pic_latent_mem" && cfg.MNISTDir == "" && cfg.DataDir != "" {
				cfg.MNISTDir = benchTrainMNIST(cfg.DataDir)
			}
			if cfg.Warmup == 0 {
				cfg.Warmup = -1 // the flag's 0 means none; Config's 0 means the default
			}
			for _, v := range []struct {
				name string
				val  int
			}{{"epochs", cfg.Epochs}, {"pattern-length", cfg.PatternLength}, {"nback", cfg.NBack}, {"trial-length", cfg.TrialLength},
				{"trials", cfg.Trials}, {"batch", cfg.BatchSize}} {
				if v.val < 0 || (v.val == 0 && v.name != "epochs") {
					return fmt.Errorf("bench train: --%s %d: expected a positive number", v.name, v.val)
				}
			}
			if c.Int("warmup") < 0 {
				return fmt.Errorf("bench train: --warmup %d: expected >= 0", c.Int("warmup"))
			}
			if cfg.Scaling && len(cfg.Networks) == 0 {
				cfg.Networks = []string{"human"}
			}
			var progress func(trainbench.Record)
			if !c.Bool("quiet") {
				progress = func(r trainbench.Record) {
					fmt.Fprintf(c.App.ErrWriter, "%s %d neurons %d connections %s %s %d thread(s): %.2f ms/epoch (%.2f ms CPU), final val loss %.5f\n",
						r.Network, r.Neurons, r.Connections, r.Impl, r.Path, r.Threads, 1e3*r.EpochSeconds, 1e3*r.CPUSeconds, r.FinalValLoss)
				}
			}
			recs, err := trainbench.Run(c.Context, cfg, progress)
			if err != nil {
				return fmt.Errorf("bench train: %w", err)
			}
			if out := c.String("out"); out != "" {
				if err := trainbench.WriteParquet(out, recs); err != nil {
					return fmt.Errorf("bench train: %w", err)
				}
			}
			if c.Bool("json") {
				return trainbench.WriteJSON(c.App.Writer, recs)
			}
			return trainbench.WriteTable(c.App.Writer, recs)
		},
	}
}

// benchTrainMNIST returns the folder mnist-latent inside the data folder
// (the sweep's default), else the one beside it, else the inside one.
func benchTrainMNIST(dataDir string) string {
	inside := filepath.Join(dataDir, "mnist-latent")
	for _, d := range []string{inside, filepath.Join(filepath.Dir(filepath.Clean(dataDir)), "mnist-latent")} {
		if st, err := os.Stat(filepath.Join(d, "mnist_latent_50d.npy")); err == nil && !st.IsDir() {
			return d
		}
	}
	return inside
}

// benchTrainList splits comma-separated entries of a string list flag.
func benchTrainList(in []string) []string {
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

// benchTrainLookup returns a string flag from the innermost command (or the
// app) where it was set: --data-dir and --kernels also exist globally.
func benchTrainLookup(c *ucli.Context, name string) string {
	for _, cc := range c.Lineage() {
		if cc.IsSet(name) {
			return cc.String(name)
		}
	}
	return ""
}
