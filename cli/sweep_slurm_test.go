package cli

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/biornn/biornn/rnn/results"
	"github.com/biornn/biornn/rnn/sweep"
)

// slurmSweep has 8 tiny runs: 2 seeds x 2 strategies x 2 pattern lengths.
const slurmSweep = `
name = "slurm-test"
seeds = [1, 2]
[grid]
connectome = ["macaque"]
strategy = ["bio-random", "permute"]
pattern_length = [3, 5]
[fixed]
neurons_per_region = 1
trials = 20
batch_size = 8
epochs = 2
`

// fakeSbatch imitates sbatch: it logs its arguments (one line per call)
// to $FAKE_SBATCH_LOG and prints a job id (100 + the call's number). With
// FAKE_SBATCH_RUN set it runs the tasks of --array at once, each with
// SLURM_ARRAY_TASK_ID set and its output in the script's --output file,
// and exits non-zero if one fails; else it exits $FAKE_SBATCH_EXIT.
const fakeSbatch = `#!/bin/bash
echo "$*" >> "$FAKE_SBATCH_LOG"
id=$(( $(wc -l < "$FAKE_SBATCH_LOG") + 100 ))
array=""; script=""
for a in "$@"; do
  case $a in
    --array=*) array=${a#--array=} ;;
    -*) ;;
    *) script=$a ;;
  esac
done
echo "$id"
if [ -n "$FAKE_SBATCH_RUN" ] && [ -n "$array" ]; then
  pattern=$(sed -n 's/^#SBATCH --output=//p' "$script")
  pids=()
  for part in ${array//,/ }; do
    lo=${part%-*}; hi=${part#*-}
    for ((i = lo; i <= hi; i++)); do
      log=${pattern//%A/$id}; log=${log//%a/$i}
      SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_JOB_ID=$id bash "$script" > "$log" 2>&1 &
      pids+=($!)
    done
  done
  rc=0
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  exit $rc
fi
exit ${FAKE_SBATCH_EXIT:-0}
`

// fakeSlurm puts a fake sbatch and an empty squeue first on PATH, points
// SLURM_CONF at a file, and returns the sbatch log.
func fakeSlurm(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake sbatch is a bash script")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash for the fake sbatch")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sbatch"), []byte(fakeSbatch), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "squeue"), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "slurm.conf")
	os.WriteFile(conf, []byte("# fake\n"), 0o644)
	log := filepath.Join(dir, "sbatch.log")
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("SLURM_CONF", conf)
	t.Setenv("FAKE_SBATCH_LOG", log)
	t.Setenv("FAKE_SBATCH_RUN", "")
	t.Setenv("FAKE_SBATCH_EXIT", "")
	oldPoll := slurmPoll
	slurmPoll = 50 * time.Millisecond
	t.Cleanup(func() { slurmPoll = oldPoll })
	return log
}

func sbatchCalls(t *testing.T, log string) []string {
	t.Helper()
	b, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// slurmSetup writes the sweep file and returns it, the absolute data
// folder and a results folder that does not exist yet.
func slurmSetup(t *testing.T) (cfg, data, out string) {
	t.Helper()
	data, err := filepath.Abs(dataFolder)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg = filepath.Join(dir, "s.toml")
	if err := os.WriteFile(cfg, []byte(slurmSweep), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, data, filepath.Join(dir, "res")
}

// TestSlurmBadInput: no sbatch, no Slurm configuration, and flags that do
// not fit are errors before anything is written.
func TestSlurmBadInput(t *testing.T) {
	cfg, data, out := slurmSetup(t)
	notThere := func() {
		t.Helper()
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s was written", out)
		}
	}
	// No sbatch on PATH.
	path := os.Getenv("PATH")
	t.Setenv("PATH", t.TempDir())
	_, _, err := run(t, "--data-dir", data, "sweep", "--slurm", "--out", out, cfg)
	if err == nil || !strings.Contains(err.Error(), "sbatch was not found on PATH") {
		t.Errorf("no sbatch: %v", err)
	}
	notThere()

	// sbatch, but SLURM_CONF unset and no slurm.conf where Slurm looks.
	t.Setenv("PATH", path)
	fakeSlurm(t)
	t.Setenv("SLURM_CONF", "")
	old := slurmConfPaths
	slurmConfPaths = []string{filepath.Join(t.TempDir(), "slurm.conf")}
	_, _, err = run(t, "--data-dir", data, "sweep", "--slurm", "--out", out, cfg)
	slurmConfPaths = old
	if err == nil || !strings.Contains(err.Error(), "SLURM_CONF is not set") {
		t.Errorf("no SLURM_CONF: %v", err)
	}
	notThere()

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--slurm", "--shard", "0/2"}, "leave --shard out"},
		{[]string{"--slurm", "--workers", "2"}, "--cpus-per-task"},
		{[]string{"--slurm", "--tasks", "0"}, "--tasks 0"},
		{[]string{"--slurm", "--runs-per-task", "0"}, "--runs-per-task 0"},
		{[]string{"--slurm", "--slurm-opts", "--array=0-3"}, "sets the job array itself"},
		{[]string{"--slurm", "--slurm-opts", "--time '1:00"}, "unmatched single quote"},
		{[]string{"--tasks", "4"}, "--tasks applies with --slurm only"},
		{[]string{"--wait"}, "--wait applies with --slurm only"},
		{[]string{"--slurm-opts", "-p x"}, "--slurm-opts applies with --slurm only"},
	} {
		args := append([]string{"--data-dir", data, "sweep", "--out", out}, c.args...)
		if _, _, err := run(t, append(args, cfg)...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error with %q", c.args, err, c.want)
		}
		notThere()
	}
	if _, _, err := run(t, "sweep", "--status", filepath.Join(t.TempDir(), "none")); err == nil || !strings.Contains(err.Error(), "no sweep submitted with --slurm") {
		t.Errorf("--status of a folder without a sweep: %v", err)
	}
}

// TestSlurmDryRun prints the scripts and the config and writes nothing,
// even where Slurm is missing.
func TestSlurmDryRun(t *testing.T) {
	cfg, data, out := slurmSetup(t)
	t.Setenv("PATH", t.TempDir())
	stdout, _ := mustRun(t, "--data-dir", data, "sweep", "--slurm", "--dry-run", "--out", out, "--tasks", "3",
		"--slurm-opts", "--partition=short --time=1:00:00", "--report", out+"-report", cfg)
	abs, _ := filepath.Abs(out)
	for _, want := range []string{
		"sbatch --parsable --array=0-2 " + filepath.Join(abs, "slurm", "sweep.sbatch"),
		"#SBATCH --array=0-2\n", "#SBATCH --partition=short\n", "#SBATCH --time=1:00:00\n",
		`--shard "$task/3" --workers "${SLURM_CPUS_PER_TASK:-1}" --no-report ` + filepath.Join(abs, "slurm", "sweep.toml"),
		"report --plots " + abs + "-report",
		"data_dir = " + fmt.Sprintf("%q", data),
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, stdout)
		}
	}
	for _, p := range []string{out, out + "-report"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("--dry-run wrote %s", p)
		}
	}
}

// TestSlurmSubmitAndResubmit submits through a fake sbatch, then finishes
// some shards locally: the same command submits only the shards with
// missing runs, and nothing once all are done; --status counts them.
func TestSlurmSubmitAndResubmit(t *testing.T) {
	log := fakeSlurm(t)
	cfg, data, out := slurmSetup(t)
	submit := []string{"--data-dir", data, "--kernels", "generic", "sweep", "--slurm", "--tasks", "4", "--out", out,
		"--slurm-opts", "--partition=short -A lab", "--report", out + "-report", cfg}
	stdout, stderr := mustRun(t, submit...)
	if strings.TrimSpace(stdout) != "101" {
		t.Errorf("stdout %q, want the job id 101", stdout)
	}
	for _, want := range []string{"submitted job 101", "squeue -j 101", "biornn sweep --status " + out, "report job 102"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	calls := sbatchCalls(t, log)
	dir := filepath.Join(out, "slurm")
	if len(calls) != 2 || calls[0] != "--parsable --array=0-3 "+filepath.Join(dir, "sweep.sbatch") ||
		calls[1] != "--parsable --dependency=afterok:101 --kill-on-invalid-dep=yes "+filepath.Join(dir, "report.sbatch") {
		t.Errorf("sbatch calls:\n%s", strings.Join(calls, "\n"))
	}
	for _, f := range []string{"sweep.toml", "sweep.sbatch", "report.sbatch", "sweep.json", "logs"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// The saved config is the same sweep: the same run ids.
	ids := func(path string) []string {
		c, err := sweep.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDefault("kernels", "generic")
		plan, err := sweep.Plan(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range plan {
			out = append(out, p.ID)
		}
		return out
	}
	if a, b := ids(cfg), ids(filepath.Join(dir, "sweep.toml")); !slices.Equal(a, b) {
		t.Errorf("the saved config has other runs:\n%v\n%v", a, b)
	}

	// Shards 0 and 2 done (as their tasks would), 1 and 3 not.
	for _, s := range []string{"0/4", "2/4"} {
		mustRun(t, "--data-dir", data, "--kernels", "generic", "sweep", "--shard", s, "--out", out, "--workers", "1", "-q", "--no-report", cfg)
	}
	status, _ := mustRun(t, "sweep", "--status", out)
	for _, want := range []string{"8 runs in " + out + ", 4 array tasks (jobs 101)", "total  8     4     0        4        0",
		"2 of 4 tasks have runs to train (--array=1,3)"} {
		if !strings.Contains(status, want) {
			t.Errorf("--status lacks %q:\n%s", want, status)
		}
	}
	stdout, stderr = mustRun(t, submit...)
	calls = sbatchCalls(t, log)
	if strings.TrimSpace(stdout) != "103" || len(calls) != 4 || !strings.HasPrefix(calls[2], "--parsable --array=1,3 ") ||
		!strings.Contains(stderr, "2 of 4 tasks have runs to train (4 of 8 runs done): submitting only --array=1,3") {
		t.Errorf("resubmission: stdout %q, stderr:\n%s\nsbatch calls:\n%s", stdout, stderr, strings.Join(calls, "\n"))
	}

	// Everything done: nothing is submitted.
	mustRun(t, "--data-dir", data, "--kernels", "generic", "sweep", "--out", out, "-q", "--no-report", cfg)
	stdout, stderr = mustRun(t, submit...)
	if stdout != "" || !strings.Contains(stderr, "all 8 runs are done") || len(sbatchCalls(t, log)) != 4 {
		t.Errorf("complete sweep: stdout %q, stderr %q, %d sbatch calls", stdout, stderr, len(sbatchCalls(t, log)))
	}
	if status, _ := mustRun(t, "sweep", "--status", out); !strings.Contains(status, "complete: all 8 runs done") {
		t.Errorf("--status:\n%s", status)
	}
	// A damaged file is a failed run of its task, and is resubmitted.
	runsDir := filepath.Join(out, results.RunsTable)
	entries, _ := os.ReadDir(runsDir)
	var victim string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".parquet") && !strings.HasPrefix(e.Name(), ".") {
			victim = filepath.Join(runsDir, e.Name())
			break
		}
	}
	os.WriteFile(victim, []byte("not parquet"), 0o644)
	status, _ = mustRun(t, "sweep", "--status", out)
	if !strings.Contains(status, "failed: 1 damaged") || !strings.Contains(status, "1 of 4 tasks have runs to train") {
		t.Errorf("--status with a damaged run:\n%s", status)
	}
}

// TestSlurmWaitReportsFailedTasks: with --wait, tasks that end with runs
// missing are failures, each named with its log.
func TestSlurmWaitReportsFailedTasks(t *testing.T) {
	fakeSlurm(t)
	t.Setenv("FAKE_SBATCH_EXIT", "1") // the job "ran" and trained nothing
	cfg, data, out := slurmSetup(t)
	_, stderr, err := run(t, "--data-dir", data, "sweep", "--slurm", "--tasks", "4", "--wait", "--out", out, cfg)
	if err == nil || !strings.Contains(err.Error(), "4 of 4 submitted tasks failed") || !strings.Contains(err.Error(), "--array=0-3") {
		t.Errorf("err = %v", err)
	}
	for i := range 4 {
		want := fmt.Sprintf("task %d failed: 2 of its 2 runs not done (2 missing, 0 damaged, 0 abandoned); log %s", i,
			filepath.Join(out, "slurm", "logs", fmt.Sprintf("101_%d.out", i)))
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(stderr, "job 101: 0/8 runs done") {
		t.Errorf("no progress line:\n%s", stderr)
	}
}

// TestSlurmTasksEqualLocal: the array tasks, run at once into one folder
// by the fake sbatch with the real binary, give the runs of a local sweep
// of the same config: the same ids, the same metrics bit for bit (generic
// kernels on both), no file of one task lost or removed by another.
func TestSlurmTasksEqualLocal(t *testing.T) {
	log := fakeSlurm(t)
	t.Setenv("FAKE_SBATCH_RUN", "1")
	bin := buildBinary(t)
	old := slurmBinary
	slurmBinary = func() (string, error) { return bin, nil }
	t.Cleanup(func() { slurmBinary = old })
	cfg, data, out := slurmSetup(t)
	_, stderr := mustRun(t, "--data-dir", data, "--kernels", "generic", "sweep", "--slurm", "--tasks", "4", "--wait", "--out", out, cfg)
	if !strings.Contains(stderr, "8/8 runs done") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if n := len(sbatchCalls(t, log)); n != 1 {
		t.Errorf("%d sbatch calls", n)
	}
	local := out + "-local"
	mustRun(t, "--data-dir", data, "--kernels", "generic", "sweep", "--out", local, "--workers", "2", "-q", "--no-report", cfg)
	compareResults(t, out, local, 8)
	for i := range 4 {
		b, err := os.ReadFile(filepath.Join(out, "slurm", "logs", fmt.Sprintf("101_%d.out", i)))
		if err != nil || !strings.Contains(string(b), fmt.Sprintf("shard %d/4: 2 runs", i)) || !strings.Contains(string(b), "ended with exit code 0") {
			t.Errorf("task %d log (%v):\n%s", i, err, b)
		}
	}
}

// compareResults checks that folders a and b hold the same n runs: the same
// ids and every column equal (the same bits: floats are compared through
// their bit patterns) but the start time and durations.
func compareResults(t *testing.T, a, b string, n int) {
	t.Helper()
	read := func(dir string) (map[string]results.RunRow, map[string][]results.EpochRow) {
		runs, epochs, warnings, err := results.ReadChecked(dir)
		if err != nil || len(warnings) > 0 {
			t.Fatalf("%s: %v %v", dir, err, warnings)
		}
		rm := map[string]results.RunRow{}
		for _, r := range runs {
			r.StartedAt, r.WallSeconds = time.Time{}, 0
			rm[r.RunID] = r
		}
		em := map[string][]results.EpochRow{}
		for _, e := range epochs {
			e.Seconds = 0
			em[e.RunID] = append(em[e.RunID], e)
		}
		for _, es := range em {
			sort.Slice(es, func(i, j int) bool { return es[i].Epoch < es[j].Epoch })
		}
		if len(runs) != n || len(rm) != n {
			t.Errorf("%s: %d runs (%d distinct), want %d", dir, len(runs), len(rm), n)
		}
		return rm, em
	}
	ra, ea := read(a)
	rb, eb := read(b)
	bits := func(x float64) uint64 { return math.Float64bits(x) }
	for id, x := range ra {
		y, ok := rb[id]
		if !ok {
			t.Errorf("run %s is in %s only", id, a)
			continue
		}
		if bits(x.MinValLoss) != bits(y.MinValLoss) || bits(x.FinalValLoss) != bits(y.FinalValLoss) ||
			bits(x.SpectralRadiusFinal) != bits(y.SpectralRadiusFinal) || x.MinValEpoch != y.MinValEpoch || x.SpeedEpoch != y.SpeedEpoch {
			t.Errorf("run %s differs: min val loss %v vs %v, final %v vs %v", id, x.MinValLoss, y.MinValLoss, x.FinalValLoss, y.FinalValLoss)
		}
		// Every other column, shortest round-trip formatting (exact).
		if fx, fy := fmt.Sprintf("%+v", x), fmt.Sprintf("%+v", y); fx != fy {
			t.Errorf("run %s differs:\n%s\n%s", id, fx, fy)
		}
		if fx, fy := fmt.Sprintf("%+v", ea[id]), fmt.Sprintf("%+v", eb[id]); fx != fy {
			t.Errorf("run %s: epochs differ:\n%s\n%s", id, fx, fy)
		}
	}
	for id := range rb {
		if _, ok := ra[id]; !ok {
			t.Errorf("run %s is in %s only", id, b)
		}
	}
}
