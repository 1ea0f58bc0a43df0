package sweep

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// A sweep on a Slurm cluster is one job array: task i of N runs shard i/N
// of the grid into the shared results folder (ShardRuns), so the tasks
// split the runs as `--shard` does and resubmitting some tasks trains only
// their shards. The files of a submitted sweep live in OUT/slurm:
// sweep.toml (the config, so that the job does not depend on the
// submitter's working directory or later edits), sweep.sbatch (the array
// job), report.sbatch (the dependent report job, when asked for), logs/
// (one log per task, %A_%a.out) and jobs.tsv (what was submitted when).

// SlurmDir is the folder, inside a results folder, of a submitted sweep.
const SlurmDir = "slurm"

// DefaultRunsPerTask is how many runs an array task gets by default.
const DefaultRunsPerTask = 20

// TaskCount is the number of array tasks for total runs: tasks when given
// (> 0), else enough to give each task about perTask runs; never more than
// total (a task without runs would be idle) and at least 1.
func TaskCount(total, tasks, perTask int) int {
	if tasks <= 0 {
		if perTask <= 0 {
			perTask = DefaultRunsPerTask
		}
		tasks = (total + perTask - 1) / perTask
	}
	return max(1, min(tasks, total))
}

// SlurmJob describes the array job that runs a sweep.
type SlurmJob struct {
	Name     string   // the sweep's name, for the job name
	Binary   string   // the biornn binary, an absolute path
	Config   string   // the sweep file the tasks read (OUT/slurm/sweep.toml), absolute
	Out      string   // the results folder, absolute
	Workdir  string   // the tasks' working directory (relative connectome paths), absolute
	Tasks    int      // array tasks = shards
	Runs     int      // runs in the grid, for the comment
	Opts     []string // extra sbatch options (SplitOpts), one #SBATCH line per option
	ReportTo string   // the report folder of the dependent job; "" = none
}

// LogDir is the folder of the tasks' logs.
func (j SlurmJob) LogDir() string { return filepath.Join(j.Out, SlurmDir, "logs") }

// TaskLog is the log of array task task of job jobID.
func (j SlurmJob) TaskLog(jobID string, task int) string {
	return filepath.Join(j.LogDir(), fmt.Sprintf("%s_%d.out", jobID, task))
}

// Script is the array job's batch script. Task $SLURM_ARRAY_TASK_ID runs
// shard $SLURM_ARRAY_TASK_ID/Tasks with $SLURM_CPUS_PER_TASK workers (1
// when Slurm does not set it), and its last log line gives its exit code.
// The --array line covers every task; a resubmission passes its own
// --array list on the sbatch command line, which wins over the script.
func (j SlurmJob) Script() (string, error) {
	if err := j.check(); err != nil {
		return "", err
	}
	var b strings.Builder
	name := j.Name
	if name == "" {
		name = "sweep"
	}
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "# biornn sweep %q: %s in %d array tasks (task i runs shard i/%d), written by 'biornn sweep --slurm'.\n", name, plural(j.Runs, "run"), j.Tasks, j.Tasks)
	fmt.Fprintf(&b, "# Results: %s. State of the runs: biornn sweep --status %s\n", j.Out, shellQuote(j.Out))
	fmt.Fprintf(&b, "# Running the same 'biornn sweep --slurm' command again submits the tasks whose shards still miss runs.\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", sbatchValue("biornn-"+name))
	fmt.Fprintf(&b, "#SBATCH --array=0-%d\n", j.Tasks-1)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", sbatchValue(slurmPattern(j.LogDir())+"/%A_%a.out"))
	fmt.Fprintf(&b, "#SBATCH --chdir=%s\n", sbatchValue(j.Workdir))
	for _, line := range optLines(j.Opts) {
		fmt.Fprintf(&b, "#SBATCH %s\n", line)
	}
	fmt.Fprintf(&b, "\ntask=${SLURM_ARRAY_TASK_ID:?this script is a Slurm job array: submit it with sbatch}\n")
	fmt.Fprintf(&b, "%s sweep --out %s --shard \"$task/%d\" --workers \"${SLURM_CPUS_PER_TASK:-1}\" --no-report %s\n",
		shellQuote(j.Binary), shellQuote(j.Out), j.Tasks, shellQuote(j.Config))
	fmt.Fprintf(&b, "rc=$?\n")
	fmt.Fprintf(&b, "echo \"biornn: array task $task (shard $task/%d) of job ${SLURM_ARRAY_JOB_ID:-?} ended with exit code $rc\"\n", j.Tasks)
	fmt.Fprintf(&b, "exit $rc\n")
	return b.String(), nil
}

// ReportScript is the dependent job's batch script: 'biornn report' of the
// results folder into ReportTo (report.md, report.csv and the plots).
func (j SlurmJob) ReportScript() (string, error) {
	if err := j.check(); err != nil {
		return "", err
	}
	if j.ReportTo == "" {
		return "", errors.New("sweep: no report folder")
	}
	name := j.Name
	if name == "" {
		name = "sweep"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "# The report of biornn sweep %q, run by Slurm when every array task has succeeded.\n", name)
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", sbatchValue("biornn-"+name+"-report"))
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", sbatchValue(slurmPattern(j.LogDir())+"/report_%j.out"))
	fmt.Fprintf(&b, "#SBATCH --chdir=%s\n", sbatchValue(j.Workdir))
	for _, line := range optLines(j.Opts) {
		if !strings.HasPrefix(line, "--array") && !strings.HasPrefix(line, "-a ") {
			fmt.Fprintf(&b, "#SBATCH %s\n", line)
		}
	}
	r := j.ReportTo
	fmt.Fprintf(&b, "\nmkdir -p %s || exit 1\n", shellQuote(r))
	fmt.Fprintf(&b, "exec %s report --plots %s --markdown %s --csv %s %s\n", shellQuote(j.Binary), shellQuote(r),
		shellQuote(filepath.Join(r, "report.md")), shellQuote(filepath.Join(r, "report.csv")), shellQuote(j.Out))
	return b.String(), nil
}

func (j SlurmJob) check() error {
	if j.Tasks < 1 {
		return fmt.Errorf("sweep: %d array tasks: expected 1 or more", j.Tasks)
	}
	for _, p := range []struct{ what, path string }{
		{"biornn binary", j.Binary}, {"sweep file", j.Config}, {"results folder", j.Out}, {"working directory", j.Workdir},
	} {
		if !filepath.IsAbs(p.path) {
			return fmt.Errorf("sweep: the %s %q must be an absolute path in a batch script", p.what, p.path)
		}
		if strings.ContainsAny(p.path, "\n\r") {
			return fmt.Errorf("sweep: the %s %q holds a line break, which a batch script cannot hold", p.what, p.path)
		}
	}
	for _, o := range j.Opts {
		if strings.ContainsAny(o, "\n\r") {
			return fmt.Errorf("--slurm-opts: %q holds a line break", o)
		}
	}
	return nil
}

// SplitOpts splits --slurm-opts as a POSIX shell splits words: blanks
// separate, single quotes keep everything, double quotes keep all but \"
// and \\, and a backslash outside quotes keeps the next character.
// "--partition=short -t 2:00:00" is [--partition=short -t 2:00:00].
func SplitOpts(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		case ch == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("--slurm-opts %q: unmatched single quote", s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case ch == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("--slurm-opts %q: unmatched double quote", s)
			}
			inWord = true
		case ch == '\\':
			if i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			}
			inWord = true
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	for _, w := range out {
		if w == "--array" || strings.HasPrefix(w, "--array=") || w == "-a" || (strings.HasPrefix(w, "-a") && !strings.HasPrefix(w, "--")) {
			return nil, fmt.Errorf("--slurm-opts: %s: the sweep sets the job array itself (use --tasks N or --runs-per-task K)", w)
		}
		if w == "--wait" || w == "-W" || w == "--parsable" {
			return nil, fmt.Errorf("--slurm-opts: %s: give biornn's own --wait instead", w)
		}
		if w == "--output" || strings.HasPrefix(w, "--output=") || w == "-o" || w == "--chdir" || strings.HasPrefix(w, "--chdir=") || w == "-D" {
			return nil, fmt.Errorf("--slurm-opts: %s: the sweep sets the logs (OUT/slurm/logs) and working directory itself", w)
		}
	}
	return out, nil
}

// optLines groups sbatch options into #SBATCH lines: an option starts a
// line and the words after it that do not start with '-' are its values
// (-p short, --time 1:00:00).
func optLines(opts []string) []string {
	var lines []string
	for _, o := range opts {
		if strings.HasPrefix(o, "-") || len(lines) == 0 {
			lines = append(lines, sbatchValue(o))
		} else {
			lines[len(lines)-1] += " " + sbatchValue(o)
		}
	}
	return lines
}

// sbatchValue quotes a word of an #SBATCH line when it holds blanks or
// quotes (sbatch reads these lines with double-quote handling).
func sbatchValue(s string) string {
	if !strings.ContainsAny(s, " \t\"'\\") {
		return s
	}
	if k, v, ok := strings.Cut(s, "="); ok && strings.HasPrefix(k, "-") && !strings.ContainsAny(k, " \t\"'\\") {
		return k + "=" + strconv.Quote(v)
	}
	return strconv.Quote(s)
}

// slurmPattern escapes % in a path for Slurm's file name patterns.
func slurmPattern(p string) string { return strings.ReplaceAll(p, "%", "%%") }

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ShellQuote quotes s for a POSIX shell (for commands shown to the user).
func ShellQuote(s string) string { return shellQuote(s) }

// ArrayList writes task indices as an sbatch --array list, with ranges
// for runs of consecutive tasks: [0 1 2 5 7 8] is "0-2,5,7-8".
func ArrayList(tasks []int) string {
	var parts []string
	for i := 0; i < len(tasks); {
		j := i
		for j+1 < len(tasks) && tasks[j+1] == tasks[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(tasks[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", tasks[i], tasks[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// AbsPaths makes the config's folder settings (data_dir, mnist_dir)
// absolute, relative to the working directory, so that a copy of the
// config read elsewhere (a cluster job) finds the same folders. They are
// execution settings, not part of a run's id.
func (c *Config) AbsPaths() error {
	for _, key := range []string{"data_dir", "mnist_dir"} {
		vals := c.Values(key)
		if vals == nil {
			continue
		}
		abs := make([]string, len(vals))
		for i, v := range vals {
			a, err := filepath.Abs(v)
			if err != nil {
				return fmt.Errorf("%s %q: %w", key, v, err)
			}
			abs[i] = a
		}
		var err error
		if _, grid := c.grid[key]; grid {
			err = c.SetGrid(key, abs...)
		} else {
			err = c.SetFixed(key, abs[0])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
