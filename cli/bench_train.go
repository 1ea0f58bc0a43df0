package cli

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/biornn/biornn/rnn"
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
			&ucli.StringFlag{Name: "activation", Value: string(rnn.ActivationTanh), Usage: "the recurrent nonlinearity: " + strings.Join(rnnNames(rnn.Activations()), ", ")},
			&ucli.IntFlag{Name: "trials", Value: 500, Usage: "trials (80% training, 20% validation)"},
			&ucli.IntFlag{Name: "batch", Value: 128, Usage: "mini-batch size"},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "run seed (network build, data and initialisation)"},
			&ucli.StringFlag{Name: "data-dir", Usage: "folder with the connectome files (overrides the global --data-dir)"},
			jsonFlag, recordsOutFlag,
			&ucli.BoolFlag{Name: "quiet", Usage: "no progress lines on stderr"},
			&ucli.StringFlag{Name: "cpuprofile", Usage: "write a CPU profile of the benchmark (warm-up included) to this file, for go tool pprof"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usagef("bench train: unexpected arguments %q (networks go in --network; flags go before arguments)", c.Args().Slice())
			}
			cfg := trainbench.Config{
				Networks:         splitList(c.StringSlice("network")),
				Impls:            splitList(c.StringSlice("impl")),
				Paths:            typed[rnn.Path](splitList(c.StringSlice("path"))),
				Threads:          c.IntSlice("threads"),
				Epochs:           c.Int("epochs"),
				Warmup:           c.Int("warmup"),
				DataDir:          lookupString(c, "data-dir"),
				Task:             rnn.Task(c.String("task")),
				NBack:            c.Int("nback"),
				TrialLength:      c.Int("trial-length"),
				MNISTDir:         c.String("mnist-dir"),
				PatternLength:    c.Int("pattern-length"),
				Activation:       rnn.Activation(c.String("activation")),
				Trials:           c.Int("trials"),
				BatchSize:        c.Int("batch"),
				Seed:             c.Uint64("seed"),
				Scaling:          c.Bool("scaling"),
				NeuronsPerRegion: c.IntSlice("neurons-per-region"),
				Densities:        c.Float64Slice("density"),
			}
			if len(cfg.Impls) == 0 {
				if k := lookupString(c, "kernels"); k != "" {
					cfg.Impls = []string{k}
				}
			}
			if cfg.Task == rnn.TaskPicLatentMem {
				cfg.MNISTDir = mnistDir(cfg.MNISTDir, cfg.DataDir)
			}
			if err := checkOutFile("out", c.String("out")); err != nil {
				return err
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
			stop, err := startCPUProfile(c.String("cpuprofile"))
			if err != nil {
				return err
			}
			recs, err := trainbench.Run(c.Context, cfg, progress)
			if perr := stop(); err == nil && perr != nil {
				return perr
			}
			if err != nil {
				return fmt.Errorf("bench train: %w", benchFieldError(err, map[string]string{
					"Impls": "impl", "Paths": "path", "Threads": "threads", "Epochs": "epochs", "Warmup": "warmup",
					"Activation": "activation", "NeuronsPerRegion": "neurons-per-region", "Densities": "density"},
					map[string]string{"connectome": "network", "pattern_length": "pattern-length", "n_back": "nback", "batch_size": "batch",
						"trial_length": "trial-length", "trials": "trials", "lr": "lr", "task": "task", "mnist_dir": "mnist-dir"}))
			}
			return writeRecords(c, "bench train", recs, func(w io.Writer) error { return trainbench.WriteTable(w, recs) })
		},
	}
}

// startCPUProfile starts a CPU profile into path (none if path is empty) and
// returns the function that stops it and closes the file.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	if err := checkOutFile("cpuprofile", path); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}, nil
}
