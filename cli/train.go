package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
	"github.com/biornn/biornn/rnn/sweep"
	"github.com/schollz/progressbar/v3"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func trainCommand() *ucli.Command {
	flags := append(constructionFlags(),
		&ucli.StringFlag{Name: "strategy", Value: "bio-random", Usage: "bio-random, bio-rank, bio-weights, or a control: permute, rewire, shuffle, erdos-renyi"},
		&ucli.StringFlag{Name: "orientation", Value: "target", Usage: "target (W_hh = W_bio^T) or paper (W_hh = W_bio, as the paper's code)"},
		&ucli.StringFlag{Name: "task", Value: "seq_mem", Usage: "seq_mem, nback_mem or pic_latent_mem"},
		&ucli.IntFlag{Name: "pattern-length", Value: 3, Usage: "seq_mem: values to remember (L)"},
		&ucli.IntFlag{Name: "n-back", Value: 2, Usage: "nback_mem, pic_latent_mem: n"},
		&ucli.IntFlag{Name: "trial-length", Value: 5, Usage: "nback_mem, pic_latent_mem: items per trial (L)"},
		&ucli.IntFlag{Name: "trials", Usage: "trials (80% training, 20% validation)", DefaultText: "500 for seq_mem, 1000 (500 matching, 500 not) for the n-back tasks"},
		&ucli.IntFlag{Name: "batch-size", Value: 128, Usage: "mini-batch size"},
		&ucli.IntFlag{Name: "epochs", Value: 500, Usage: "training epochs"},
		&ucli.IntFlag{Name: "patience", Usage: "stop after this many epochs without a new minimum validation loss", DefaultText: "never"},
		&ucli.StringFlag{Name: "optimizer", Value: "adam", Usage: "adam, rmsprop or sgd"},
		&ucli.Float64Flag{Name: "lr", Usage: "learning rate", DefaultText: "1e-3 for adam, 1e-2 otherwise"},
		&ucli.StringFlag{Name: "activation", Value: "tanh", Usage: "tanh or relu"},
		&ucli.StringFlag{Name: "init", Value: "default", Usage: "initialisation: default (PyTorch's), xavier or he"},
		&ucli.Float64Flag{Name: "spectral-radius", Value: 1, Usage: "bio-weights (and --control-weights weights): rescale the recurrent weights to this spectral radius"},
		&ucli.StringFlag{Name: "control-weights", Value: "random", Usage: "controls: recurrent weights random, rank (rank-mapped to the null model's weights) or weights (the null model's weights)"},
		&ucli.Float64Flag{Name: "momentum", Usage: "sgd momentum"},
		&ucli.Float64Flag{Name: "weight-decay", Usage: "L2 weight decay"},
		&ucli.Float64Flag{Name: "clip-norm", Usage: "clip the gradient norm to this value", DefaultText: "no clipping"},
		&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed; derives the build, data and init seeds that are not set"},
		&ucli.Uint64Flag{Name: "build-seed", Usage: "seed of the network construction and null model", DefaultText: "derived from --seed"},
		&ucli.Uint64Flag{Name: "data-seed", Usage: "seed of the task's trials", DefaultText: "derived from --seed"},
		&ucli.Uint64Flag{Name: "init-seed", Usage: "seed of the initial weights and the batch order", DefaultText: "derived from --seed"},
		&ucli.IntFlag{Name: "threads", Value: runtime.NumCPU(), DefaultText: "one per core", Usage: "threads for this run (results do not depend on it)"},
		&ucli.StringFlag{Name: "kernels", Usage: "compute kernels (overrides the global --kernels)"},
		&ucli.StringFlag{Name: "path", Value: "auto", Usage: "recurrent product: auto, sparse or dense"},
		&ucli.StringFlag{Name: "mnist-dir", EnvVars: []string{"BIORNN_MNIST"}, Usage: "pic_latent_mem: folder with mnist_latent_50d.npy and mnist_labels.npy (default: $BIORNN_MNIST, else mnist-latent inside, else beside, the data folder)"},
		&ucli.StringFlag{Name: "out", Value: "results", Usage: "results folder (Parquet dataset: OUT/runs, OUT/epochs)"},
		&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the final summary"},
	)
	return &ucli.Command{
		Name:  "train",
		Usage: "train one network on a working-memory task and add it to a results folder",
		Description: "Defaults follow the paper: macaque, 4 neurons per region, bio topology with random weights,\n" +
			"seq_mem with L = 3, 500 trials in batches of 128, 500 epochs, Adam, tanh.",
		Flags:  flags,
		Action: trainAction,
	}
}

// specFromFlags builds a RunSpec from the train flags.
func specFromFlags(c *ucli.Context) (rnn.RunSpec, error) {
	k, err := parseConstruction(c)
	if err != nil {
		return rnn.RunSpec{}, err
	}
	s := k.spec()
	s.Strategy, s.Orientation, s.Init = c.String("strategy"), c.String("orientation"), c.String("init")
	s.SpectralRadius, s.ControlWeights = c.Float64("spectral-radius"), c.String("control-weights")
	s.Task, s.PatternLength, s.NBack = c.String("task"), c.Int("pattern-length"), c.Int("n-back")
	s.TrialLength, s.Trials = c.Int("trial-length"), c.Int("trials")
	s.BatchSize, s.Epochs, s.Patience = c.Int("batch-size"), c.Int("epochs"), c.Int("patience")
	s.Optimizer, s.LR, s.Activation = c.String("optimizer"), c.Float64("lr"), c.String("activation")
	s.Momentum, s.WeightDecay, s.ClipNorm = c.Float64("momentum"), c.Float64("weight-decay"), c.Float64("clip-norm")
	s.Seed, s.BuildSeed = c.Uint64("seed"), c.Uint64("build-seed")
	s.DataSeed, s.InitSeed = c.Uint64("data-seed"), c.Uint64("init-seed")
	s.Threads, s.Kernels, s.Path = c.Int("threads"), lookupString(c, "kernels"), c.String("path")
	for _, f := range []struct {
		name string
		v    int
	}{{"pattern-length", s.PatternLength}, {"n-back", s.NBack}, {"trial-length", s.TrialLength},
		{"trials", s.Trials}, {"batch-size", s.BatchSize}, {"epochs", s.Epochs}, {"threads", s.Threads}} {
		if f.v < 1 && (f.name != "trials" || c.IsSet("trials")) { // unset trials: the task's default
			return s, usagef("--%s %d: expected an integer >= 1", f.name, f.v)
		}
	}
	if s.Patience < 0 {
		return s, usagef("--patience %d: expected 0 (off) or more epochs", s.Patience)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"lr", s.LR}, {"spectral-radius", s.SpectralRadius}, {"momentum", s.Momentum}, {"weight-decay", s.WeightDecay}, {"clip-norm", s.ClipNorm}} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return s, usagef("--%s %g: expected a finite value >= 0", f.name, f.v)
		}
	}
	if s.Task == rnn.TaskPicLatentMem {
		s.MNISTDir = mnistDir(c.String("mnist-dir"), k.DataDir)
		if err := checkMNIST(s.MNISTDir); err != nil {
			return s, err
		}
	}
	return s, nil
}

// checkMNIST fails early, with both ways to fix it, when the picture task's
// data are missing.
func checkMNIST(dir string) error {
	for _, f := range []string{rnn.MNISTLatentFile, rnn.MNISTLabelsFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("pic_latent_mem needs the MNIST latent vectors: %s not found in %s; %s; "+
				"or pass --mnist-dir DIR or set BIORNN_MNIST to a folder holding %s and %s",
				f, dir, connectome.MNISTGetHint, rnn.MNISTLatentFile, rnn.MNISTLabelsFile)
		}
	}
	return nil
}

// mnistDir resolves the picture task's data folder: the flag (or
// BIORNN_MNIST), else the folder mnist-latent inside the connectome data
// folder, else the one beside it (as in a checkout next to a shared data
// folder holding connectomes/ and mnist-latent/); when neither holds the
// data, the inside one, for checkMNIST's message.
func mnistDir(flag, dataDir string) string {
	if flag != "" {
		return flag
	}
	data := filepath.Clean(connectome.ResolveDataDir(dataDir))
	inside := filepath.Join(data, connectome.MNISTDirName)
	for _, d := range []string{inside, filepath.Join(filepath.Dir(data), connectome.MNISTDirName)} {
		if st, err := os.Stat(filepath.Join(d, rnn.MNISTLatentFile)); err == nil && !st.IsDir() {
			return d
		}
	}
	return inside
}

func trainAction(c *ucli.Context) error {
	if c.NArg() > 0 {
		return usagef("train takes no arguments (got %q); flags go before arguments", c.Args().Slice())
	}
	spec, err := specFromFlags(c)
	if err != nil {
		return err
	}
	full, err := rnn.Defaults(spec)
	if err != nil {
		return &UsageError{Err: flagError(c, err)} // a setting given on the command line is impossible
	}
	id := results.RunID(full)
	out := c.String("out")
	quiet := c.Bool("quiet")
	w := stderr(c)
	var onEpoch func(rnn.EpochRecord)
	var bar *progressbar.ProgressBar
	switch {
	case quiet:
	case isTerminal(w):
		bar = progressbar.NewOptions(full.Epochs+1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(fmt.Sprintf("%s %s", full.Connectome, full.Strategy)),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetWidth(30))
		onEpoch = func(e rnn.EpochRecord) {
			bar.Describe(fmt.Sprintf("%s %s epoch %d val loss %.4g", full.Connectome, full.Strategy, e.Epoch, e.ValLoss))
			bar.Add(1)
		}
	default:
		// Not a terminal (a log file, a cluster job): a plain line every
		// tenth of the run, and the first and last epoch.
		every := max(1, full.Epochs/10)
		onEpoch = func(e rnn.EpochRecord) {
			if e.Epoch%every == 0 || e.Epoch == full.Epochs {
				fmt.Fprintf(w, "epoch %d/%d train loss %.6g val loss %.6g%s (%s)\n", e.Epoch, full.Epochs,
					e.TrainLoss, e.ValLoss, accText(e.ValAccuracy), sweep.Seconds(e.Seconds))
			}
		}
	}
	res, err := rnn.Run(c.Context, full, onEpoch)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return flagError(c, err)
	}
	if err := results.Write(out, id, res, version()); err != nil {
		return err
	}
	fmt.Fprintln(stdout(c), summaryLine(id, res))
	return nil
}

func accText(a float64) string {
	if math.IsNaN(a) {
		return ""
	}
	return fmt.Sprintf(" val accuracy %.3f", a)
}

// summaryLine is train's one-line result (the sweep's per-run line with the
// network's size and the kernels used).
func summaryLine(id string, r *rnn.RunResult) string {
	s := r.Spec
	return fmt.Sprintf("run %s: %s %s %s: %s (%d neurons, %d connections, %s/%s)",
		id, s.Connectome, s.Task, s.Strategy, sweep.Outcome(r), r.Neurons, r.Connections, r.KernelSet, r.PathUsed)
}

// isTerminal reports whether w is a terminal (for the progress bar).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
