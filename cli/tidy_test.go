package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn"
)

// train --quiet prints the summary line and nothing else; without it, on a
// non-terminal, about ten plain progress lines (every tenth of the run plus
// the first and last epoch).
func TestTrainQuietAndProgressLines(t *testing.T) {
	args := []string{"--data-dir", dataFolder, "train", "--out", t.TempDir(), "--trials", "40", "--batch-size", "16",
		"--neurons", "1", "--epochs", "20"}
	stdout, stderr := mustRun(t, append(args, "--quiet")...)
	if stderr != "" {
		t.Errorf("--quiet wrote to stderr:\n%s", stderr)
	}
	if lines := strings.Split(strings.TrimSpace(stdout), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "run ") {
		t.Errorf("--quiet stdout is not one summary line:\n%s", stdout)
	}
	_, stderr = mustRun(t, args...)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 11 || !strings.HasPrefix(lines[0], "epoch 0/20 ") || !strings.HasPrefix(lines[10], "epoch 20/20 ") {
		t.Errorf("want 11 progress lines (epochs 0, 2, ..., 20), got %d:\n%s", len(lines), stderr)
	}
}

// The trainer's errors name RunSpec fields; build and train show the flags.
func TestBuildTrainErrorsNameFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"build", "--connectome", "nosuch"}, `--connectome "nosuch": unknown connectome`},
		{[]string{"build", "--neurons-file", filepath.Join(dir, "none.txt")}, "--neurons-file: "},
		{[]string{"train", "--strategy", "nosuch", "--epochs", "1"}, `--strategy "nosuch": expected one of`},
	} {
		_, _, err := run(t, append([]string{"--data-dir", dataFolder}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "RunSpec") {
			t.Errorf("biornn %s: err %v, want one containing %q and no RunSpec", strings.Join(c.args, " "), err, c.want)
		}
	}
}

// Output files whose folder is missing are refused before any work, naming
// the flag; nothing is written.
func TestOutputFolderCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	for _, args := range [][]string{
		{"build", "--out", filepath.Join(missing, "w.npy")},
		{"build", "--regions-out", filepath.Join(missing, "r.npy")},
		{"report", "--csv", filepath.Join(missing, "r.csv"), dir},
		{"report", "--markdown", filepath.Join(missing, "r.md"), dir},
		{"bench", "kernels", "--hidden", "8", "--out", filepath.Join(missing, "k.parquet")},
		{"bench", "train", "--network", "macaque", "--out", filepath.Join(missing, "t.parquet")},
		{"bench", "train", "--network", "macaque", "--cpuprofile", filepath.Join(missing, "cpu.prof")},
	} {
		stdout, _, err := run(t, append([]string{"--data-dir", dataFolder}, args...)...)
		if err == nil || ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "--") {
			t.Errorf("biornn %s: err %v (exit %d), want a usage error naming the flag", strings.Join(args, " "), err, ExitCode(err))
		}
		if stdout != "" {
			t.Errorf("biornn %s printed results before failing:\n%s", strings.Join(args, " "), stdout)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a refused output created its folder")
	}
	// A stray argument is a usage error (bench kernels used to ignore it).
	for _, args := range [][]string{{"bench", "kernels", "spmm"}, {"bench", "train", "macaque"}} {
		if _, _, err := run(t, args...); ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "unexpected arguments") {
			t.Errorf("biornn %s: err %v (exit %d), want a usage error", strings.Join(args, " "), err, ExitCode(err))
		}
	}
}

// A sweep whose data cannot be read stops before the first run, naming the
// config key, and creates no results folder.
func TestSweepChecksDataBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, edit, want string }{
		{"connectome", `connectome = ["nosuch"]`, `grid.connectome = "nosuch": unknown connectome`},
		{"data dir", "connectome = [\"macaque\"]\n[fixed]\ndata_dir = \"" + filepath.ToSlash(filepath.Join(dir, "nodata")) + "\"", "grid.connectome = \"macaque\": data folder " + filepath.Join(dir, "nodata")},
		{"neurons file", "connectome = [\"macaque\"]\n[fixed]\nneurons_file = \"" + filepath.ToSlash(filepath.Join(dir, "none.txt")) + "\"", "fixed.neurons_file: "},
	} {
		cfg := filepath.Join(dir, "c.toml")
		text := "repetitions = 2\n[grid]\nstrategy = [\"bio-random\", \"permute\"]\n" + c.edit + "\n"
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "res-"+strings.ReplaceAll(c.name, " ", "-"))
		_, stderr, err := run(t, "--data-dir", dataFolder, "sweep", "--out", out, cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), cfg) {
			t.Errorf("%s: err %v, want one naming %s and %q", c.name, err, cfg, c.want)
		}
		if strings.Contains(stderr, "FAILED") {
			t.Errorf("%s: runs were started:\n%s", c.name, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: the results folder was created", c.name)
		}
	}
}

func TestReportMissingFolder(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	if _, _, err := run(t, "report", missing); err == nil || !strings.Contains(err.Error(), missing+" does not exist") {
		t.Errorf("missing folder: %v", err)
	}
}

// The picture data are found inside the data folder, else beside it (the
// layout ../shared/{connectomes,mnist-latent}), and the flag wins.
func TestMNISTDirInsideOrBeside(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "connectomes")
	beside := filepath.Join(root, "mnist-latent")
	inside := filepath.Join(data, "mnist-latent")
	if got := mnistDir("", data); got != inside {
		t.Errorf("no data anywhere: %s, want %s (for the message)", got, inside)
	}
	put := func(dir string) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "mnist_latent_50d.npy"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put(beside)
	if got := mnistDir("", data); got != beside {
		t.Errorf("beside: %s, want %s", got, beside)
	}
	put(inside)
	if got := mnistDir("", data); got != inside {
		t.Errorf("inside and beside: %s, want %s", got, inside)
	}
	if got := mnistDir("/x", data); got != "/x" {
		t.Errorf("flag: %s", got)
	}
	// The shared layout itself: train finds the pictures with --data-dir only.
	needShared(t, sharedMNIST)
	if got := mnistDir("", sharedData); got != filepath.Clean(sharedMNIST) {
		t.Errorf("shared layout: %s, want %s", got, sharedMNIST)
	}
}

// A Problem from the trainer names the flag, and the original error stays
// reachable.
func TestSettingErrorNamesTheFlag(t *testing.T) {
	base := &rnn.Problem{Key: "lr", Value: "-1", Want: "a finite number > 0"}
	err := settingError(base)
	if err.Error() != "--lr -1: expected a finite number > 0" || !errors.Is(err, base) {
		t.Errorf("settingError: %q (Is base: %v)", err, errors.Is(err, base))
	}
	plain := errors.New("no setting")
	if settingError(plain) != plain {
		t.Error("an error without a setting was changed")
	}
}

// The benchmarks' Config errors name the flags too.
func TestBenchErrorsNameFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "kernels", "--hidden", "8", "--density", "2"}, "--density: 2: expected"},
		{[]string{"bench", "kernels", "--hidden", "8", "--batch", "0"}, "--batch: 0: expected"},
		{[]string{"bench", "kernels", "--hidden", "8", "--kernel", "nosuch"}, `--kernel: unknown kernel "nosuch"`},
		{[]string{"bench", "train", "--path", "nosuch"}, `--path: "nosuch": expected`},
		{[]string{"bench", "train", "--network", "nosuch", "--epochs", "1"}, `--network "nosuch": unknown connectome`},
	} {
		_, _, err := run(t, append([]string{"--data-dir", dataFolder}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "RunSpec") {
			t.Errorf("biornn %s: err %v, want one containing %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}
