package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/biornn/biornn/rnn"
)

// TestSettingsCommand: 'biornn settings --json' lists every key of the
// table with its group, default, allowed values and help; the table view
// names them too, and every key is a flag of 'train'.
func TestSettingsCommand(t *testing.T) {
	out, _ := mustRun(t, "settings", "--json")
	var recs []map[string]any
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(rnn.Settings()) {
		t.Fatalf("%d settings listed, the table has %d", len(recs), len(rnn.Settings()))
	}
	for i, s := range rnn.Settings() {
		r := recs[i]
		if r["key"] != s.Key || r["group"] != string(s.Group) || r["default"] != s.Default || r["allowed"] != s.Allowed() || r["help"] != s.Help {
			t.Errorf("record %d: %v, setting %s", i, r, s.Key)
		}
	}
	text, _ := mustRun(t, "settings")
	help, _ := mustRun(t, "train", "--help")
	for _, s := range rnn.Settings() {
		if !strings.Contains(text, s.Key) || !strings.Contains(help, "--"+s.Flag()) {
			t.Errorf("%s missing from 'biornn settings' or 'train --help'", s.Key)
		}
	}
}

// TestEarlierResultsResumeAndReport: a results folder written before the
// settings table (testdata/results-v1) is complete for the sweep that made
// it (a resume trains nothing) and the report reads it.
func TestEarlierResultsResumeAndReport(t *testing.T) {
	src := filepath.Join("..", "testdata", "results-v1")
	out := t.TempDir()
	for _, table := range []string{"runs", "epochs"} {
		entries, err := os.ReadDir(filepath.Join(src, table))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(out, table), 0o755)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(src, table, e.Name()))
			os.WriteFile(filepath.Join(out, table, e.Name()), b, 0o644)
		}
	}
	_, stderr := mustRun(t, "sweep", "--quiet", "--no-report", "--out", out, filepath.Join(src, "sweep.toml"))
	if !strings.Contains(stderr, "0 new, 4 already done") {
		t.Errorf("resume of the earlier folder: %s", stderr)
	}
	stdout, _ := mustRun(t, "report", out)
	for _, want := range []string{"bio-random", "permute", "seq_mem", "nback_mem"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
}

// TestReportBaseline: --baseline picks the compared-with strategy; one that
// no run has is a usage error listing the strategies present.
func TestReportBaseline(t *testing.T) {
	dir := filepath.Join("..", "testdata", "results-v1")
	stdout, _ := mustRun(t, "report", "--baseline", "permute", dir)
	if !strings.Contains(stdout, "bio-random") || !strings.Contains(stdout, "permute") {
		t.Errorf("report --baseline permute:\n%s", stdout)
	}
	_, _, err := run(t, "report", "--baseline", "rewire", dir)
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "bio-random, permute") {
		t.Errorf("absent baseline: %v", err)
	}
}

// TestTrainEmptyOut: 'train --out ""' is a usage error, not results in the
// current folder.
func TestTrainEmptyOut(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	_, _, err := run(t, append([]string{"train", "--out", ""}, tinyTrain...)...)
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "--out") {
		t.Fatalf("train --out \"\": %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("train --out \"\" wrote %d entries into the current folder", len(entries))
	}
}

// TestUnwritableOutFailsFirst: a results folder that cannot be written is
// an error before any training (the run here would take minutes).
func TestUnwritableOutFailsFirst(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	start := time.Now()
	_, _, err := run(t, "train", "--out", filepath.Join(file, "res"), "--epochs", "100000", "--quiet")
	if err == nil || !strings.Contains(err.Error(), "res") || time.Since(start) > 10*time.Second {
		t.Fatalf("train into an unwritable folder: %v after %v", err, time.Since(start))
	}
	_, _, err = run(t, "sweep", "--preset", "paper-seqmem", "--quick", "--quiet", "--out", filepath.Join(file, "res"))
	if err == nil || time.Since(start) > 20*time.Second {
		t.Fatalf("sweep into an unwritable folder: %v after %v", err, time.Since(start))
	}
}
