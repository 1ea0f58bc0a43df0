package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results/recordfile"
	"github.com/biornn/biornn/rnn/sweep"
	ucli "github.com/urfave/cli/v2"
)

// slurmFlags are the sweep command's flags for Slurm clusters.
func slurmFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.BoolFlag{Name: "slurm", Usage: "submit the sweep to Slurm as a job array (files in OUT/slurm; needs sbatch and the cluster's slurm.conf); running the same command again submits only the tasks whose runs are missing"},
		&ucli.IntFlag{Name: "tasks", Usage: "with --slurm: array tasks (shards)", DefaultText: "enough for --runs-per-task runs each, at most one per run"},
		&ucli.IntFlag{Name: "runs-per-task", Value: sweep.DefaultRunsPerTask, Usage: "with --slurm: runs per array task, when --tasks is not given"},
		&ucli.StringFlag{Name: "slurm-opts", Usage: "with --slurm: sbatch options, split as a shell splits words, written as #SBATCH lines, e.g. '--partition=short --account=lab --time=02:00:00 --mem=4G --cpus-per-task=4'"},
		&ucli.BoolFlag{Name: "wait", Usage: "with --slurm: wait for the job array to end, showing progress; exit non-zero if a task failed"},
		&ucli.StringFlag{Name: "status", Usage: "show runs done, running, missing and failed, per array task and in total, of the sweep submitted into this results folder (or of CONFIG/--preset), and exit"},
	}
}

// slurmPoll is how often --wait looks at the results folder and squeue.
var slurmPoll = 5 * time.Second

// slurmBinary is the biornn binary the batch script calls.
var slurmBinary = func() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	return filepath.Abs(p)
}

// slurmConfPaths are where Slurm's commands look for slurm.conf when
// SLURM_CONF is not set (the build's default, Debian's, and the cache of a
// configless cluster).
var slurmConfPaths = []string{
	"/etc/slurm/slurm.conf", "/etc/slurm-llnl/slurm.conf", "/usr/local/etc/slurm.conf",
	"/run/slurm/conf/slurm.conf", "/var/spool/slurmd/conf-cache/slurm.conf",
}

// checkSlurm fails when sbatch cannot be run or finds no configuration.
func checkSlurm() error {
	if _, err := exec.LookPath("sbatch"); err != nil {
		return fmt.Errorf("--slurm: sbatch was not found on PATH: run the command on a login node of the cluster (or load Slurm, e.g. 'module load slurm'); --slurm --dry-run shows the batch script without it")
	}
	if os.Getenv("SLURM_CONF") != "" {
		return nil
	}
	for _, p := range slurmConfPaths {
		if _, err := os.Stat(p); err == nil {
			return nil
		}
	}
	return fmt.Errorf("--slurm: SLURM_CONF is not set and there is no slurm.conf in %s: set SLURM_CONF to the cluster's slurm.conf (export SLURM_CONF=/path/to/slurm.conf)",
		strings.Join(slurmConfPaths, ", "))
}

// slurmState is OUT/slurm/sweep.json: the task count and the jobs
// submitted, so that --status and a resubmission split the runs as the
// first submission did.
type slurmState struct {
	Name  string     `json:"name"`
	Runs  int        `json:"runs"`
	Tasks int        `json:"tasks"`
	Jobs  []slurmJob `json:"jobs"`
}

type slurmJob struct {
	ID        string `json:"id"`
	Array     string `json:"array"`
	Report    string `json:"report,omitempty"`
	Submitted string `json:"submitted"`
}

func slurmStatePath(out string) string { return filepath.Join(out, sweep.SlurmDir, "sweep.json") }

func readSlurmState(out string) (*slurmState, error) {
	b, err := os.ReadFile(slurmStatePath(out))
	if err != nil {
		return nil, err
	}
	var s slurmState
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", slurmStatePath(out), err)
	}
	if s.Tasks < 1 {
		return nil, fmt.Errorf("%s: tasks = %d: expected 1 or more", slurmStatePath(out), s.Tasks)
	}
	return &s, nil
}

func writeJSON(path string, v any) error {
	return recordfile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// sweepSlurm submits (or with --dry-run shows) the sweep as a job array.
func sweepSlurm(c *ucli.Context, cfg *sweep.Config, source string, total int, plan iter.Seq[sweep.Planned]) error {
	if c.IsSet("shard") {
		return usagef("--slurm splits the sweep itself (--tasks N); leave --shard out")
	}
	if c.IsSet("workers") {
		return usagef("--slurm: each task runs $SLURM_CPUS_PER_TASK runs at once; set it with --slurm-opts '--cpus-per-task=N' instead of --workers")
	}
	if c.IsSet("tasks") && c.Int("tasks") < 1 {
		return usagef("--tasks %d: expected 1 or more (leave it out for about --runs-per-task runs per task)", c.Int("tasks"))
	}
	if c.Int("runs-per-task") < 1 {
		return usagef("--runs-per-task %d: expected 1 or more", c.Int("runs-per-task"))
	}
	opts, err := sweep.SplitOpts(c.String("slurm-opts"))
	if err != nil {
		return &UsageError{Err: err}
	}
	dry := c.Bool("dry-run")
	if !dry {
		// Before anything is written.
		if err := checkSlurm(); err != nil {
			return &UsageError{Err: err}
		}
	}
	out, err := filepath.Abs(c.String("out"))
	if err != nil {
		return err
	}
	reportDir := ""
	if c.String("report") != "" {
		if reportDir, err = filepath.Abs(c.String("report")); err != nil {
			return err
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	bin, err := slurmBinary()
	if err != nil {
		return fmt.Errorf("--slurm: finding the biornn binary: %w", err)
	}
	if err := cfg.AbsPaths(); err != nil {
		return &UsageError{Err: err}
	}
	// The task count of an earlier submission into this folder, unless
	// --tasks says otherwise: a resubmission splits the runs the same way.
	prev, err := readSlurmState(out)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	tasks := sweep.TaskCount(total, c.Int("tasks"), c.Int("runs-per-task"))
	if prev != nil && !c.IsSet("tasks") && prev.Runs == total {
		tasks = min(prev.Tasks, total)
	}
	job := sweep.SlurmJob{
		Name: cfg.Name, Binary: bin, Config: filepath.Join(out, sweep.SlurmDir, "sweep.toml"), Out: out,
		Workdir: wd, Tasks: tasks, Runs: total, Opts: opts, ReportTo: reportDir,
	}
	script, err := job.Script()
	if err != nil {
		return &UsageError{Err: err}
	}
	reportScript := ""
	if reportDir != "" {
		if reportScript, err = job.ReportScript(); err != nil {
			return err
		}
	}
	toml, err := cfg.TOML()
	if err != nil {
		return err
	}
	st := sweep.StatusOf(plan, out, tasks, !dry)
	todo := st.Incomplete()
	name := cfg.Name
	if name == "" {
		name = "sweep"
	}
	array := sweep.ArrayList(todo)
	if dry {
		w := stdout(c)
		fmt.Fprintf(w, "# %s (%s), %d array tasks; would be written to %s and submitted with:\n", source, nRuns(total), tasks,
			filepath.Join(out, sweep.SlurmDir, "sweep.sbatch"))
		if len(todo) > 0 {
			fmt.Fprintf(w, "#   sbatch --parsable --array=%s %s\n", array, filepath.Join(out, sweep.SlurmDir, "sweep.sbatch"))
		} else {
			fmt.Fprintf(w, "#   nothing: every run is in %s\n", out)
		}
		fmt.Fprintln(w, script)
		if reportScript != "" {
			fmt.Fprintf(w, "# and, once every task has succeeded, %s:\n", filepath.Join(out, sweep.SlurmDir, "report.sbatch"))
			fmt.Fprintln(w, reportScript)
		}
		fmt.Fprintf(w, "# %s (OUT/slurm/sweep.toml):\n", source)
		_, err := w.Write(toml)
		return err
	}
	if len(todo) == 0 {
		fmt.Fprintf(stderr(c), "%s: all %s are done in %s: nothing submitted\n", name, nRuns(total), out)
		if reportDir != "" {
			fmt.Fprintf(stderr(c), "the report: biornn report --plots %s --markdown %s --csv %s %s\n", sweep.ShellQuote(reportDir),
				sweep.ShellQuote(filepath.Join(reportDir, "report.md")), sweep.ShellQuote(filepath.Join(reportDir, "report.csv")), sweep.ShellQuote(out))
		}
		return nil
	}
	if prev != nil {
		if active := activeJobs(prev); len(active) > 0 {
			return fmt.Errorf("%s: job %s of this sweep is still queued or running (squeue -j %s): wait for it to end (or scancel it), then run the command again",
				out, strings.Join(active, ", "), strings.Join(active, ","))
		}
	}
	// Stop before submitting when the data cannot be read, as a local
	// sweep does.
	if err := sweep.CheckRuns(plan, func(s rnn.RunSpec) error { _, err := rnn.BuildWiring(s); return err }); err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}

	dir := filepath.Join(out, sweep.SlurmDir)
	if err := os.MkdirAll(job.LogDir(), 0o755); err != nil {
		return fmt.Errorf("--slurm: %w", err)
	}
	if reportDir != "" {
		if err := os.MkdirAll(reportDir, 0o755); err != nil {
			return &UsageError{Err: fmt.Errorf("--report %s: %w", reportDir, err)}
		}
	}
	for _, f := range []struct{ name, text string }{
		{"sweep.toml", string(toml)}, {"sweep.sbatch", script}, {"report.sbatch", reportScript},
	} {
		if f.text == "" {
			continue
		}
		if err := recordfile.Write(filepath.Join(dir, f.name), func(w io.Writer) error { _, err := io.WriteString(w, f.text); return err }); err != nil {
			return err
		}
	}
	if len(todo) < tasks {
		fmt.Fprintf(stderr(c), "%s: %d of %d tasks have runs to train (%d of %s done): submitting only --array=%s\n",
			name, len(todo), tasks, st.Total.Done, nRuns(total), array)
	}

	args := []string{"--parsable", "--array=" + array}
	if c.Bool("wait") {
		args = append(args, "--wait")
	}
	sb := exec.CommandContext(c.Context, "sbatch", append(args, filepath.Join(dir, "sweep.sbatch"))...)
	var sbErr bytes.Buffer
	sb.Stderr = &sbErr
	pipe, err := sb.StdoutPipe()
	if err != nil {
		return err
	}
	if err := sb.Start(); err != nil {
		return fmt.Errorf("sbatch: %w", err)
	}
	lines := bufio.NewScanner(pipe)
	idLine := ""
	if lines.Scan() {
		idLine = strings.TrimSpace(lines.Text())
	}
	jobID, _, _ := strings.Cut(idLine, ";") // "id;cluster" on federations
	if _, err := strconv.Atoi(jobID); err != nil {
		werr := sb.Wait()
		return fmt.Errorf("sbatch did not submit the job (%v): %s%s", werr, idLine, strings.TrimSpace(sbErr.String()))
	}
	go io.Copy(io.Discard, pipe)
	rec := slurmJob{ID: jobID, Array: array, Submitted: time.Now().UTC().Format(time.RFC3339)}
	state := &slurmState{Name: cfg.Name, Runs: total, Tasks: tasks}
	if prev != nil && prev.Tasks == tasks {
		state.Jobs = prev.Jobs
	}
	var reportErr error
	if reportDir != "" {
		rb := exec.Command("sbatch", "--parsable", "--dependency=afterok:"+jobID, "--kill-on-invalid-dep=yes", filepath.Join(dir, "report.sbatch"))
		var rerr bytes.Buffer
		rb.Stderr = &rerr
		o, err := rb.Output()
		rid, _, _ := strings.Cut(strings.TrimSpace(string(o)), ";")
		if err != nil || rid == "" {
			reportErr = fmt.Errorf("sbatch of the report job failed (%v): %s", err, strings.TrimSpace(rerr.String()))
		}
		rec.Report = rid
	}
	state.Jobs = append(state.Jobs, rec)
	if err := writeJSON(slurmStatePath(out), state); err != nil {
		return err
	}
	fmt.Fprintln(stdout(c), jobID)
	fmt.Fprintf(stderr(c), "%s: submitted job %s: array tasks %s of %d (%s in all), results in %s, task logs in %s\n",
		name, jobID, array, tasks, nRuns(total), out, job.LogDir())
	if rec.Report != "" {
		fmt.Fprintf(stderr(c), "%s: report job %s runs when every task has succeeded, into %s\n", name, rec.Report, reportDir)
	}
	fmt.Fprintf(stderr(c), "follow it: squeue -j %s   or   biornn sweep --status %s\n", jobID, sweep.ShellQuote(out))
	if reportErr != nil {
		return reportErr
	}
	if !c.Bool("wait") {
		sb.Process.Release()
		return nil
	}
	return waitSlurm(c, sb, &sbErr, job, jobID, rec.Report, todo, plan)
}

// waitSlurm follows the array job until sbatch --wait returns: a progress
// line whenever the counts change, then the failed tasks with their logs.
func waitSlurm(c *ucli.Context, sb *exec.Cmd, sbErr *bytes.Buffer, job sweep.SlurmJob, jobID, reportID string, submitted []int, plan iter.Seq[sweep.Planned]) error {
	done := make(chan error, 1)
	go func() { done <- sb.Wait() }()
	start := time.Now()
	last := ""
	var waitErr error
	progress := func() {
		st := sweep.StatusOf(plan, job.Out, job.Tasks, false)
		states := squeueTasks(c.Context, jobID)
		pending, running := 0, 0
		var failed []int
		for _, t := range submitted {
			switch s := states[t]; {
			case s == "PENDING":
				pending++
			case s != "":
				running++
			case st.Tasks[t].Todo() > 0 && len(states) > 0:
				failed = append(failed, t)
			}
		}
		line := fmt.Sprintf("job %s: %d/%d runs done, %d being trained; tasks: %d pending, %d running", jobID,
			st.Total.Done, st.Total.Runs, st.Total.Running, pending, running)
		if states != nil || pending+running > 0 {
			line += fmt.Sprintf(", %d ended", len(submitted)-pending-running)
		}
		if len(failed) > 0 {
			line += fmt.Sprintf(", %d failed (%s)", len(failed), sweep.ArrayList(failed))
		}
		if line != last {
			fmt.Fprintf(stderr(c), "%s [%s]\n", line, sweep.Seconds(time.Since(start).Seconds()))
			last = line
		}
	}
	tick := time.NewTicker(slurmPoll)
	defer tick.Stop()
	progress()
loop:
	for {
		select {
		case waitErr = <-done:
			break loop
		case <-tick.C:
			progress()
		case <-c.Context.Done():
			return fmt.Errorf("stopped waiting (%v); the job goes on: squeue -j %s, biornn sweep --status %s", c.Context.Err(), jobID, sweep.ShellQuote(job.Out))
		}
	}
	st := sweep.StatusOf(plan, job.Out, job.Tasks, true)
	var failed []int
	for _, t := range submitted {
		if st.Tasks[t].Todo() > 0 {
			failed = append(failed, t)
		}
	}
	fmt.Fprintf(stderr(c), "job %s ended after %s: %d/%d runs done\n", jobID, sweep.Seconds(time.Since(start).Seconds()), st.Total.Done, st.Total.Runs)
	if len(failed) == 0 && waitErr != nil {
		// Every run is there, yet a task reported a failure.
		return fmt.Errorf("job %s: sbatch --wait: %v %s; the logs are in %s", jobID, waitErr, strings.TrimSpace(sbErr.String()), job.LogDir())
	}
	if len(failed) > 0 {
		for _, t := range failed {
			ts := st.Tasks[t]
			fmt.Fprintf(stderr(c), "  task %d failed: %d of its %s not done (%d missing, %d damaged, %d abandoned); log %s%s\n",
				t, ts.Todo(), nRuns(ts.Runs), ts.Missing, ts.Damaged, ts.Abandoned, job.TaskLog(jobID, t), logEnd(job.TaskLog(jobID, t)))
		}
		return fmt.Errorf("job %s: %d of %d submitted tasks failed (listed above with their logs); fix the cause and run the same command again to resubmit them (--array=%s)",
			jobID, len(failed), len(submitted), sweep.ArrayList(failed))
	}
	if reportID != "" {
		for len(squeueTasks(c.Context, reportID)) > 0 {
			select {
			case <-time.After(slurmPoll):
			case <-c.Context.Done():
				return c.Context.Err()
			}
		}
		md := filepath.Join(job.ReportTo, "report.md")
		if st, err := os.Stat(md); err != nil || st.ModTime().Before(start.Add(-time.Second)) {
			return fmt.Errorf("report job %s wrote no %s: see %s", reportID, md, filepath.Join(job.LogDir(), "report_"+reportID+".out"))
		}
		fmt.Fprintf(stderr(c), "report job %s wrote %s\n", reportID, job.ReportTo)
	}
	return nil
}

// squeueTasks gives the state of each queued or running array task of job
// id (task -> PENDING, RUNNING, ...; a plain job is task 0); empty when the
// job has left the queue or squeue cannot be run.
func squeueTasks(ctx context.Context, id string) map[int]string {
	out, err := exec.CommandContext(ctx, "squeue", "-h", "-r", "-j", id, "-o", "%K %T").Output()
	if err != nil {
		return nil
	}
	states := map[int]string{}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) != 2 {
			continue
		}
		t, err := strconv.Atoi(f[0])
		if err != nil {
			t = 0 // "N/A": not an array job
		}
		states[t] = f[1]
	}
	return states
}

// activeJobs lists the recorded jobs still in the queue; it is asked when
// runs are missing. A report job whose array has left the queue with runs
// missing waits on a dependency that can never be met (afterok): Slurm
// cancels it (--kill-on-invalid-dep) on a later scheduling cycle, so a
// command run at once could still see it; it is cancelled here instead of
// blocking the resubmission.
func activeJobs(s *slurmState) []string {
	var out []string
	for _, j := range s.Jobs {
		for _, id := range []string{j.ID, j.Report} {
			if id == "" || len(squeueTasks(context.Background(), id)) == 0 {
				continue
			}
			if id == j.Report && (neverRuns(id) || len(squeueTasks(context.Background(), j.ID)) == 0) {
				exec.Command("scancel", id).Run()
				continue
			}
			out = append(out, id)
		}
	}
	return out
}

// neverRuns reports whether job id is pending on a dependency that can no
// longer be satisfied.
func neverRuns(id string) bool {
	b, err := exec.Command("squeue", "-h", "-j", id, "-o", "%T %r").Output()
	return err == nil && strings.Contains(string(b), "DependencyNeverSatisfied")
}

var taskEnd = regexp.MustCompile(`ended with exit code (\d+)`)

// logEnd describes how a task's log ends: its exit code, or that it has
// none (killed, or still running).
func logEnd(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return " (no log)"
	}
	if m := taskEnd.FindAllSubmatch(b, -1); len(m) > 0 {
		return " (exit code " + string(m[len(m)-1][1]) + ")"
	}
	return " (no exit line: killed, out of time or memory, or still running)"
}

// latestLog is the newest log of array task t in dir, or "".
func latestLog(dir string, t int) string {
	matches, _ := filepath.Glob(filepath.Join(dir, fmt.Sprintf("*_%d.out", t)))
	best, bestTime := "", time.Time{}
	for _, m := range matches {
		job, _, _ := strings.Cut(filepath.Base(m), "_")
		if _, err := strconv.ParseUint(job, 10, 64); err != nil {
			continue // not a task's log (<job>_<task>.out): report_<job>.out
		}
		if st, err := os.Stat(m); err == nil && (best == "" || st.ModTime().After(bestTime)) {
			best, bestTime = m, st.ModTime()
		}
	}
	return best
}

// sweepStatus prints the state of a sweep's runs per array task.
func sweepStatus(c *ucli.Context, out string) error {
	out, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	state, err := readSlurmState(out)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	var cfg *sweep.Config
	source := ""
	if c.NArg() > 0 || c.String("preset") != "" {
		if cfg, err = loadSweepConfig(c); err != nil {
			return err
		}
		source = "the given sweep"
	} else {
		path := filepath.Join(out, sweep.SlurmDir, "sweep.toml")
		if cfg, err = sweep.Load(path); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return usagef("--status %s: no %s: that folder holds no sweep submitted with --slurm; give the sweep too: biornn sweep --status %s CONFIG.toml (or --preset NAME)", out, path, out)
			}
			return err
		}
		source = path
	}
	total, plan, err := sweep.Runs(cfg, rnn.Defaults)
	if err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	tasks := 1
	if state != nil {
		tasks = min(state.Tasks, total)
	}
	if c.IsSet("tasks") {
		if tasks = c.Int("tasks"); tasks < 1 {
			return usagef("--tasks %d: expected 1 or more", tasks)
		}
	}
	st := sweep.StatusOf(plan, out, tasks, true)
	name := cfg.Name
	if name == "" {
		name = "sweep"
	}
	w := stdout(c)
	var jobs []string
	if state != nil {
		for _, j := range state.Jobs {
			jobs = append(jobs, j.ID)
		}
	}
	fmt.Fprintf(w, "%s: %s in %s, %d array tasks", name, nRuns(total), out, tasks)
	if len(jobs) > 0 {
		fmt.Fprintf(w, " (jobs %s)", strings.Join(jobs, ", "))
	}
	fmt.Fprintln(w)
	logs := filepath.Join(out, sweep.SlurmDir, "logs")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "task\truns\tdone\trunning\tmissing\tfailed\tlog")
	for _, t := range st.Tasks {
		log := latestLog(logs, t.Task)
		if log != "" {
			log += logEnd(log)
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%s\n", t.Task, t.Runs, t.Done, t.Running, t.Missing, t.Failed(), log)
	}
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t%d\t%d\t\n", st.Total.Runs, st.Total.Done, st.Total.Running, st.Total.Missing, st.Total.Failed())
	if err := tw.Flush(); err != nil {
		return err
	}
	if st.Total.Failed() > 0 {
		fmt.Fprintf(w, "failed: %d damaged (files that do not verify), %d abandoned (claimed by a process that is gone)\n", st.Total.Damaged, st.Total.Abandoned)
	}
	todo := st.Incomplete()
	switch {
	case st.Total.Done == total:
		fmt.Fprintf(w, "complete: all %s done\n", nRuns(total))
	case len(todo) > 0:
		fmt.Fprintf(w, "%d of %d tasks have runs to train (--array=%s)", len(todo), tasks, sweep.ArrayList(todo))
		if st.Total.Running > 0 {
			fmt.Fprintf(w, "; %d runs are being trained now", st.Total.Running)
		}
		fmt.Fprintf(w, ": when no task of the sweep is queued or running, run the same 'biornn sweep --slurm' command again to submit them\n")
	default:
		fmt.Fprintf(w, "%d runs are being trained now\n", st.Total.Running)
	}
	return nil
}

// slurmOnlyFlags are the flags that mean something with --slurm only.
var slurmOnlyFlags = []string{"tasks", "runs-per-task", "slurm-opts", "wait"}

// checkSlurmOnly rejects the --slurm flags in a local sweep.
func checkSlurmOnly(c *ucli.Context) error {
	for _, f := range slurmOnlyFlags {
		if c.IsSet(f) && !c.Bool("slurm") && !(f == "tasks" && c.IsSet("status")) {
			return usagef("--%s applies with --slurm only", f)
		}
	}
	return nil
}
