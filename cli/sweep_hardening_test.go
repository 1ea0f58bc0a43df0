package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/biornn/biornn/rnn/results"
)

// TestSweepEmptyFlags: an empty --out, --report or report flag, and a
// worker count below 1, are usage errors instead of writing into the
// current folder or being taken for the default.
func TestSweepEmptyFlags(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "s.toml")
	os.WriteFile(cfg, []byte("[fixed]\nepochs = 1\ntrials = 20\n"), 0o644)
	for _, args := range [][]string{
		{"sweep", "--out", "", cfg},
		{"sweep", "--out", t.TempDir(), "--report", "", cfg},
		{"sweep", "--out", t.TempDir(), "--workers", "-1", cfg},
		{"sweep", "--out", t.TempDir(), "--workers", "0", cfg},
		{"report", "--plots", "", t.TempDir()},
		{"report", "--csv", "", t.TempDir()},
		{"report", ""},
	} {
		_, _, err := run(t, args...)
		if _, ok := err.(*UsageError); !ok {
			t.Errorf("biornn %q: err = %v, want a usage error", args, err)
		}
	}
	if m, _ := filepath.Glob("runs"); len(m) > 0 {
		t.Error("a runs folder appeared in the current folder")
	}
}

// TestSweepEditedConnectome: a sweep over a connectome file resumes while the
// file is unchanged, and trains new runs when it was edited (the run ids hold
// the file's contents).
func TestSweepEditedConnectome(t *testing.T) {
	dir := t.TempDir()
	net := filepath.Join(dir, "net.csv")
	os.WriteFile(net, []byte("0,1,1\n1,0,1\n1,1,0\n"), 0o644)
	cfg := filepath.Join(dir, "s.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[grid]\nconnectome = [%q]\nstrategy = [\"bio-random\", \"permute\"]\n[fixed]\nepochs = 2\ntrials = 20\nbatch_size = 10\n", net)), 0o644)
	out := filepath.Join(dir, "res")
	sweep := func() string {
		_, stderr := mustRun(t, "sweep", "--quiet", "--no-report", "--out", out, "--workers", "2", cfg)
		return stderr
	}
	if s := sweep(); !strings.Contains(s, "2 new, 0 already done") {
		t.Fatalf("first sweep: %s", s)
	}
	if s := sweep(); !strings.Contains(s, "0 new, 2 already done") {
		t.Fatalf("resume with the file unchanged: %s", s)
	}
	os.WriteFile(net, []byte("0,2,1\n1,0,1\n1,1,0\n"), 0o644)
	later := time.Now().Add(time.Hour)
	os.Chtimes(net, later, later)
	if s := sweep(); !strings.Contains(s, "2 new, 0 already done") {
		t.Fatalf("resume after editing the connectome: %s", s)
	}
	runs, _, err := results.Read(out)
	if err != nil || len(runs) != 4 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	sums := map[string]int{}
	for _, r := range runs {
		sums[r.ConnectomeSHA256]++
	}
	if len(sums) != 2 {
		t.Errorf("connectome checksums %v: want two versions of the file, two runs each", sums)
	}
}

// concurrentSweep is a small grid for TestConcurrentSweeps.
const concurrentSweep = `
name = "concurrent"
repetitions = 4
[grid]
connectome = ["macaque"]
strategy = ["bio-random", "permute"]
pattern_length = [3, 5]
[fixed]
trials = 60
epochs = 5
batch_size = 30
neurons_per_region = 2
`

// TestConcurrentSweeps: four processes sweep the same grid into one folder
// at once. None fails, every run is there exactly once, and nothing is left
// behind (no temporary file, no claim).
func TestConcurrentSweeps(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("process checks are Unix-only")
	}
	data, err := filepath.Abs(dataFolder)
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	cfg, out := filepath.Join(dir, "c.toml"), filepath.Join(dir, "res")
	os.WriteFile(cfg, []byte(concurrentSweep), 0o644)
	const total = 16
	var wg sync.WaitGroup
	outputs := make([]bytes.Buffer, 4)
	errs := make([]error, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "--data-dir", data, "sweep", "--out", out, "--workers", "2", "--no-report", cfg)
			cmd.Stdout, cmd.Stderr = &outputs[i], &outputs[i]
			errs[i] = cmd.Run()
		}()
	}
	wg.Wait()
	newRuns := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outputs[i].String())
		}
		var n, done, failed int
		for _, l := range strings.Split(outputs[i].String(), "\n") {
			if _, e := fmt.Sscanf(l[strings.Index(l, ":")+1:], " 16 runs: %d new, %d already done, %d failed", &n, &done, &failed); e == nil {
				newRuns += n
			}
		}
	}
	if newRuns != total {
		t.Errorf("the processes trained %d runs in all, want %d (each once)", newRuns, total)
	}
	runs, epochs, warnings, err := results.ReadChecked(out)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("%v %v", err, warnings)
	}
	seen := map[string]int{}
	for _, r := range runs {
		seen[r.RunID]++
	}
	if len(runs) != total || len(seen) != total || len(epochs) != total*6 {
		t.Errorf("%d runs (%d distinct), %d epoch rows; want %d, %d", len(runs), len(seen), len(epochs), total, total*6)
	}
	for _, table := range []string{"runs", "epochs"} {
		entries, _ := os.ReadDir(filepath.Join(out, table))
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				t.Errorf("%s/%s left behind", table, e.Name())
			}
		}
	}
}
