package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/biornn/biornn/rnn/results"
)

// killSweep has 24 short runs: about 0.05 s each with SIMD kernels, so the
// kill lands mid-sweep when polled every few milliseconds, and about a
// second each with the generic kernels, so the test stays short there too.
const killSweep = `
name = "kill"
repetitions = 6
[grid]
connectome = ["macaque"]
strategy = ["bio-random", "permute"]
pattern_length = [3, 5]
[fixed]
trials = 100
epochs = 20
`

// killEpochRows is the epochs-table rows of one killSweep run (epoch 0..20).
const killEpochRows = 21

// TestSweepSurvivesSIGKILL runs the real binary, kills it with SIGKILL
// after some runs have landed, restarts it, and checks that every run is
// in the results exactly once and every file is readable (also by pandas
// when available).
func TestSweepSurvivesSIGKILL(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL semantics are Unix-only")
	}
	data, err := filepath.Abs(dataFolder)
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	cfg, out := filepath.Join(dir, "kill.toml"), filepath.Join(dir, "res")
	if err := os.WriteFile(cfg, []byte(killSweep), 0o644); err != nil {
		t.Fatal(err)
	}
	const total = 24
	sweepCmd := func(extra ...string) *exec.Cmd {
		args := append([]string{"--data-dir", data, "sweep", "--out", out, "--workers", "2", "--no-report"}, extra...)
		return exec.Command(bin, append(args, cfg)...)
	}

	// The run ids, from a dry run.
	dry, err := sweepCmd("--dry-run").Output()
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	var ids []string
	for _, l := range strings.Split(string(dry), "\n")[1:] {
		if f := strings.Fields(l); len(f) > 2 {
			ids = append(ids, f[1])
		}
	}
	if len(ids) != total {
		t.Fatalf("dry run lists %d runs, want %d:\n%s", len(ids), total, dry)
	}

	cmd := sweepCmd()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	landed := func() int {
		m, _ := filepath.Glob(filepath.Join(out, "runs", "[0-9a-f]*.parquet"))
		return len(m)
	}
	deadline := time.Now().Add(90 * time.Second)
	finished := false
	for landed() < 3 {
		select {
		case <-done:
			finished = true
		case <-time.After(2 * time.Millisecond):
		}
		if finished || time.Now().After(deadline) {
			break
		}
	}
	if finished {
		t.Fatalf("the sweep finished before it could be killed (make killSweep's runs longer):\n%s", stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	<-done
	before := landed()
	if before == 0 || before >= total {
		t.Fatalf("%d runs landed before the kill; want some but not all (stderr:\n%s)", before, stderr.String())
	}
	t.Logf("killed after %d of %d runs", before, total)

	// Leave what a writer killed mid-file leaves: temp files of a run not
	// yet done, in both tables.
	var pending string
	for _, id := range ids {
		if !results.Exists(out, id) {
			pending = id
			break
		}
	}
	for _, table := range []string{"runs", "epochs"} {
		os.MkdirAll(filepath.Join(out, table), 0o755)
		if err := os.WriteFile(filepath.Join(out, table, ".tmp-"+pending+"-4242.parquet"), []byte("PAR1 trunc"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// And what a writer killed between its two renames leaves: an epochs
	// file without a runs file (here a copy of another run's).
	var doneID string
	for _, id := range ids {
		if results.Exists(out, id) {
			doneID = id
			break
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "epochs", doneID+".parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "epochs", pending+".parquet"), b, 0o644); err != nil {
		t.Fatal(err)
	}

	restart := sweepCmd()
	res, err := restart.CombinedOutput()
	if err != nil {
		t.Fatalf("restart: %v\n%s", err, res)
	}
	if !strings.Contains(string(res), "already done") {
		t.Errorf("restart did not report skipped runs:\n%s", res)
	}
	runs, epochs, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range runs {
		seen[r.RunID]++
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("run %s appears %d times", id, seen[id])
		}
	}
	if len(runs) != total || len(epochs) != total*killEpochRows {
		t.Errorf("%d runs, %d epoch rows; want %d, %d", len(runs), len(epochs), total, total*killEpochRows)
	}
	perRun := map[string]int{}
	for _, e := range epochs {
		perRun[e.RunID]++
	}
	for _, id := range ids {
		if perRun[id] != killEpochRows {
			t.Errorf("run %s has %d epoch rows, want %d", id, perRun[id], killEpochRows)
		}
	}
	for _, table := range []string{"runs", "epochs"} {
		entries, _ := os.ReadDir(filepath.Join(out, table))
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".parquet") || strings.HasPrefix(e.Name(), ".") {
				t.Errorf("%s/%s left behind", table, e.Name())
			}
		}
		if len(entries) != total {
			t.Errorf("%s holds %d files, want %d", table, len(entries), total)
		}
	}
	if exec.Command("python3", "-c", "import pandas, pyarrow").Run() == nil {
		check := `import sys, pandas as pd
r = pd.read_parquet(sys.argv[1] + "/runs"); e = pd.read_parquet(sys.argv[1] + "/epochs")
assert len(r) == 24 and r["run_id"].is_unique, len(r)
assert len(e) == 24 * 21 and not e.duplicated(["run_id", "epoch"]).any()
`
		if b, err := exec.Command("python3", "-c", check, out).CombinedOutput(); err != nil {
			t.Errorf("pandas: %v\n%s", err, b)
		}
	} else if os.Getenv("BIORNN_REQUIRE_PYTHON") == "1" {
		t.Error("BIORNN_REQUIRE_PYTHON=1 but python3 cannot import pandas and pyarrow")
	}
}
