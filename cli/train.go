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
	"github.com/biornn/biornn/rnn/savednet"
	"github.com/biornn/biornn/rnn/sweep"
	"github.com/schollz/progressbar/v3"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func trainCommand() *ucli.Command {
	flags := append(settingFlags(func(*rnn.Setting) bool { return true }),
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

// specFromFlags builds a RunSpec from the train flags. Threads default to
// one per core on the command line; the picture task's folder is looked for
// beside the data (mnistDir).
func specFromFlags(c *ucli.Context) (rnn.RunSpec, error) {
	var s rnn.RunSpec
	if dir := c.String("init-from"); dir != "" {
		// A continued run: the saved network's settings, then the flags.
		base, err := savednet.Base(dir)
		if err != nil {
			return s, &UsageError{Err: fmt.Errorf("--init-from %s: %w", dir, err)}
		}
		s = base
	}
	if err := applySettingFlags(c, &s, func(*rnn.Setting) bool { return true }); err != nil {
		return s, err
	}
	if s.Threads == 0 {
		s.Threads = runtime.NumCPU()
	}
	if s.Task == rnn.TaskPicLatentMem {
		s.MNISTDir = mnistDir(s.MNISTDir, s.DataDir)
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

// mnistDir is connectome.ResolveMNISTDir (the flag already holds
// $BIORNN_MNIST when it is set).
func mnistDir(flag, dataDir string) string { return connectome.ResolveMNISTDir(flag, dataDir) }

func trainAction(c *ucli.Context) error {
	if c.NArg() > 0 {
		return usagef("train takes no arguments (got %q); flags go before arguments", c.Args().Slice())
	}
	if c.String("out") == "" {
		return usagef(`--out "": expected a results folder (or leave --out out for ./results)`)
	}
	spec, err := specFromFlags(c)
	if err != nil {
		return err
	}
	full, err := rnn.Defaults(spec)
	if err != nil {
		return &UsageError{Err: settingError(err)} // a setting given on the command line is impossible
	}
	id := results.RunID(full)
	out := c.String("out")
	if err := results.PrepareFolder(out); err != nil {
		return err // before training, not after it
	}
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
	res, err := savednet.Run(c.Context, full, version(), rnn.RunOptions{OnEpoch: onEpoch})
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return settingError(err)
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
