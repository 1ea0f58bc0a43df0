package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// needSlurm skips the test, naming the reason, where no Slurm answers:
// SLURM_CONF unset or sinfo failing. With BIORNN_SLURM_REQUIRED=1 (CI,
// after starting a one-node Slurm) it fails instead.
func needSlurm(t *testing.T) {
	t.Helper()
	skip := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("BIORNN_SLURM_REQUIRED") == "1" {
			t.Fatalf("BIORNN_SLURM_REQUIRED=1 but "+format, args...)
		}
		t.Skipf("skipped: "+format, args...)
	}
	if os.Getenv("SLURM_CONF") == "" {
		skip("SLURM_CONF is not set (start a Slurm, e.g. with .ci/slurm.sh, and export SLURM_CONF)")
	}
	out, err := exec.Command("sinfo", "-h", "-o", "%P %a %T").CombinedOutput()
	if err != nil {
		skip("sinfo does not answer with SLURM_CONF=%s: %v: %s", os.Getenv("SLURM_CONF"), err, strings.TrimSpace(string(out)))
	}
	t.Logf("sinfo: %s", strings.TrimSpace(string(out)))
}

// TestSlurmSweep runs a sweep through a real Slurm: `--slurm --tasks 4
// --wait` must give the runs of a local sweep of the same config bit for
// bit (generic kernels on both), `--status` must count them, and after
// one task's runs are removed the same command must resubmit that task
// only and complete the sweep.
func TestSlurmSweep(t *testing.T) {
	needSlurm(t)
	bin := buildBinary(t)
	cfg, data, out := slurmSetup(t)
	report := out + "-report"
	biornn := func(args ...string) (string, string, error) {
		cmd := exec.Command(bin, append([]string{"--data-dir", data, "--kernels", "generic"}, args...)...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		return o.String(), e.String(), err
	}
	submit := []string{"sweep", "--slurm", "--tasks", "4", "--wait", "--out", out, "--report", report, cfg}

	start := time.Now()
	stdout, stderr, err := biornn(submit...)
	t.Logf("submit --wait: %s\n%s%s", time.Since(start).Round(time.Millisecond), stdout, stderr)
	if err != nil {
		t.Fatalf("sweep --slurm --wait: %v", err)
	}
	jobID := strings.TrimSpace(stdout)
	if !strings.Contains(stderr, "8/8 runs done") || !strings.Contains(stderr, "report job") {
		t.Errorf("stderr:\n%s", stderr)
	}
	for i := range 4 {
		log := filepath.Join(out, "slurm", "logs", jobID+"_"+string(rune('0'+i))+".out")
		if b, err := os.ReadFile(log); err != nil || !strings.Contains(string(b), "ended with exit code 0") {
			t.Errorf("task %d log %s (%v):\n%s", i, log, err, b)
		}
	}
	if _, err := os.Stat(filepath.Join(report, "report.md")); err != nil {
		t.Errorf("the report job wrote no report: %v", err)
	}

	local := out + "-local"
	start = time.Now()
	if _, stderr, err := biornn("sweep", "--out", local, "--workers", "2", "-q", "--no-report", cfg); err != nil {
		t.Fatalf("local sweep: %v\n%s", err, stderr)
	}
	t.Logf("local sweep: %s", time.Since(start).Round(time.Millisecond))
	compareResults(t, out, local, 8)

	status, _, err := biornn("sweep", "--status", out)
	if err != nil || !strings.Contains(status, "complete: all 8 runs done") {
		t.Errorf("--status (%v):\n%s", err, status)
	}
	t.Logf("--status:\n%s", status)

	// Task 1's runs lost (a killed task, a node whose writes never
	// reached the shared folder): the dry run lists the runs by index.
	dry, _, err := biornn("sweep", "--dry-run", "--out", out, cfg)
	if err != nil {
		t.Fatal(err)
	}
	removed := 0
	for _, l := range strings.Split(dry, "\n")[1:] {
		f := strings.Fields(l)
		if len(f) > 2 && (f[0] == "1" || f[0] == "5") {
			for _, table := range []string{"runs", "epochs"} {
				if err := os.Remove(filepath.Join(out, table, f[1]+".parquet")); err != nil {
					t.Fatal(err)
				}
			}
			removed++
		}
	}
	if removed != 2 {
		t.Fatalf("removed %d runs, want task 1's 2:\n%s", removed, dry)
	}
	status, _, _ = biornn("sweep", "--status", out)
	if !strings.Contains(status, "1 of 4 tasks have runs to train (--array=1)") {
		t.Errorf("--status after removing task 1's runs:\n%s", status)
	}

	// A task that fails: a folder where one of its runs' epochs file goes
	// (a run's leftovers cannot be removed, so the run fails and the task
	// exits 1). --wait exits non-zero naming the task and its log.
	var blocker string
	for _, l := range strings.Split(dry, "\n")[1:] {
		if f := strings.Fields(l); len(f) > 2 && f[0] == "5" {
			blocker = filepath.Join(out, "epochs", f[1]+".parquet")
		}
	}
	if err := os.MkdirAll(filepath.Join(blocker, "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	stdout, stderr, err = biornn(submit...)
	t.Logf("resubmit with a failing task --wait: %s\n%s%s", time.Since(start).Round(time.Millisecond), stdout, stderr)
	failedID := strings.TrimSpace(stdout)
	if err == nil || !strings.Contains(stderr, "1 of 1 submitted tasks failed") ||
		!strings.Contains(stderr, "task 1 failed: 1 of its 2 runs not done") ||
		!strings.Contains(stderr, filepath.Join(out, "slurm", "logs", failedID+"_1.out")+" (exit code 1)") {
		t.Errorf("failing task: err %v, stderr:\n%s", err, stderr)
	}
	if err := os.RemoveAll(blocker); err != nil {
		t.Fatal(err)
	}
	status, _, _ = biornn("sweep", "--status", out)
	if !strings.Contains(status, "1 of 4 tasks have runs to train (--array=1)") || !strings.Contains(status, failedID+"_1.out (exit code 1)") {
		t.Errorf("--status after the failed task:\n%s", status)
	}
	start = time.Now()
	stdout, stderr, err = biornn(submit...)
	t.Logf("resubmit --wait: %s\n%s%s", time.Since(start).Round(time.Millisecond), stdout, stderr)
	if err != nil {
		t.Fatalf("resubmission: %v", err)
	}
	if !strings.Contains(stderr, "1 of 4 tasks have runs to train (7 of 8 runs done): submitting only --array=1") || !strings.Contains(stderr, "8/8 runs done") {
		t.Errorf("resubmission stderr:\n%s", stderr)
	}
	compareResults(t, out, local, 8)
	if status, _, _ := biornn("sweep", "--status", out); !strings.Contains(status, "complete: all 8 runs done") {
		t.Errorf("--status after the resubmission:\n%s", status)
	}
	// Complete: the same command submits nothing.
	stdout, stderr, err = biornn(submit...)
	if err != nil || stdout != "" || !strings.Contains(stderr, "nothing submitted") {
		t.Errorf("third run: %v %q %s", err, stdout, stderr)
	}
}
