package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/biornn/biornn/rnn/results"
	"github.com/biornn/biornn/rnn/savednet"
)

// TestSweepArraysTaskSavesEachNetwork: a sweep file runs a user's .npz task
// over two seeds and saves each trained network into save_network/<run id>.
func TestSweepArraysTaskSavesEachNetwork(t *testing.T) {
	dir := t.TempDir()
	task := filepath.Join(dir, "task.npz")
	writeTaskNPZ(t, task, 100, 5)
	nets := filepath.Join(dir, "nets")
	cfg := filepath.Join(dir, "sweep.toml")
	os.WriteFile(cfg, []byte(`[fixed]
task = "arrays:`+task+`"
epochs = 3
save_network = "`+nets+`"

[grid]
seed = [1, 2]
`), 0o644)
	out := filepath.Join(dir, "results")
	mustRun(t, "sweep", "-q", "--no-report", "--workers", "1", "--out", out, cfg)
	runs, _, err := results.Read(out)
	if err != nil || len(runs) != 2 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	for _, r := range runs {
		n, err := savednet.Load(filepath.Join(nets, r.RunID))
		if err != nil {
			t.Fatalf("run %s: %v", r.RunID, err)
		}
		if n.State == nil || len(n.State.Epochs) != 4 || string(n.Spec.Task) != "arrays:"+task {
			t.Fatalf("run %s: saved %+v", r.RunID, n.Spec)
		}
	}
}
