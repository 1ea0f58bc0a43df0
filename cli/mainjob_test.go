package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn/results"
)

// TestMainJobPlainClone runs the README's main job as a new user would:
// no data folder, an empty home, no ../shared needed. The built-in
// connectomes are used (and recorded), the summary table is printed once,
// and --report writes the report and its plots.
func TestMainJobPlainClone(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv(connectome.DataEnv, "")
	dir := t.TempDir()
	out, plots := filepath.Join(dir, "results"), filepath.Join(dir, "plots")
	stdout, _ := mustRun(t, "sweep", "--preset", "paper-seqmem", "--quick", "--quiet", "--out", out, "--report", plots)
	if n := strings.Count(stdout, "min val loss: median"); n != 1 {
		t.Errorf("summary table printed %d times:\n%s", n, stdout)
	}
	runs, _, err := results.Read(out)
	if err != nil || len(runs) != 10 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	for _, r := range runs {
		if r.ConnectomeSource != connectome.BuiltinSource || r.ConnectomeName != "macaque" {
			t.Fatalf("run %s: connectome %s from %q", r.RunID, r.ConnectomeName, r.ConnectomeSource)
		}
	}
	for _, f := range []string{"report.md", "report.csv", "loss_macaque_seq_mem_L3_adam_lr0.0001_tanh.png"} {
		if st, err := os.Stat(filepath.Join(plots, f)); err != nil || st.Size() == 0 {
			t.Errorf("--report did not write %s: %v", f, err)
		}
	}
}

// TestDataDirRecorded: a data set in --data-dir replaces the built-in one
// and the run records the folder; a wrong checksum there is an error
// naming the file and both hashes.
func TestDataDirRecorded(t *testing.T) {
	data := t.TempDir()
	for _, f := range []string{"C_Macaque_Normalized.npy", "ND_Macaque_Normalized.npy", "Names_Macaque_Normalized.lst"} {
		b, err := os.ReadFile(filepath.Join(dataFolder, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	mustRun(t, append([]string{"--data-dir", data, "train", "--out", out, "--seed", "2"}, tinyTrain...)...)
	runs, _, err := results.Read(out)
	if err != nil || len(runs) != 1 || runs[0].ConnectomeSource != data {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	p := filepath.Join(data, "C_Macaque_Normalized.npy")
	b, _ := os.ReadFile(p)
	b[len(b)-1] ^= 1
	os.WriteFile(p, b, 0o644)
	_, _, err = run(t, append([]string{"--data-dir", data, "train", "--out", out, "--seed", "3"}, tinyTrain...)...)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "SHA-256 mismatch") {
		t.Fatalf("corrupt data-dir file: %v", err)
	}
}

// TestMNISTDataCommands: without the picture task's stimuli the error names
// both ways to get them; 'data import' of a folder of latents puts them
// where 'train' finds them; 'data path' reports them.
func TestMNISTDataCommands(t *testing.T) {
	t.Setenv("BIORNN_MNIST", "")
	data := t.TempDir()
	_, _, err := run(t, "--data-dir", data, "train", "--task", "pic_latent_mem", "--epochs", "1")
	for _, want := range []string{"biornn data fetch mnist-latent", "biornn data import DIR"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing latents: %v does not name %q", err, want)
		}
	}
	if _, _, err := run(t, "--data-dir", data, "data", "fetch", "pictures"); ExitCode(err) != ExitUsage {
		t.Errorf("data fetch of an unknown set: %v", err)
	}
	needShared(t, sharedMNIST)
	out, _ := mustRun(t, "--data-dir", data, "data", "import", sharedMNIST)
	if !strings.Contains(out, "MNIST latents") {
		t.Errorf("data import: %s", out)
	}
	_, stderr := mustRun(t, "--data-dir", data, "data", "path")
	if !strings.Contains(stderr, "MNIST latents (pic_latent_mem): ok") {
		t.Errorf("data path: %s", stderr)
	}
	res := t.TempDir()
	mustRun(t, append([]string{"--data-dir", data, "train", "--task", "pic_latent_mem", "--out", res}, tinyTrain...)...)
}
