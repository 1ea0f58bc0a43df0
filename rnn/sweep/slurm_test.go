package sweep

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/biornn/biornn/rnn/results"
)

func TestTaskCount(t *testing.T) {
	for _, c := range []struct{ total, tasks, per, want int }{
		{8, 0, 0, 1},      // 20 per task by default
		{2160, 0, 0, 108}, // the paper's grid
		{41, 0, 20, 3},
		{8, 4, 20, 4},
		{8, 20, 20, 8}, // never more tasks than runs
		{8, 0, 1, 8},
		{0, 0, 0, 1},
	} {
		if got := TaskCount(c.total, c.tasks, c.per); got != c.want {
			t.Errorf("TaskCount(%d, %d, %d) = %d, want %d", c.total, c.tasks, c.per, got, c.want)
		}
	}
}

func TestSplitOpts(t *testing.T) {
	got, err := SplitOpts(`--partition=short  -A lab --time "1:00:00" --comment='a b' --job-name=x\ y`)
	want := []string{"--partition=short", "-A", "lab", "--time", "1:00:00", "--comment=a b", "--job-name=x y"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("SplitOpts = %q, %v; want %q", got, err, want)
	}
	if got, err := SplitOpts(""); err != nil || len(got) != 0 {
		t.Errorf("empty: %q %v", got, err)
	}
	for in, msg := range map[string]string{
		`--time '1:00`:        "unmatched single quote",
		`--comment "x`:        "unmatched double quote",
		`--array=0-3`:         "sets the job array itself",
		`-a 1-2`:              "sets the job array itself",
		`--wait`:              "biornn's own --wait",
		`--output=/tmp/x.log`: "sets the logs",
	} {
		if _, err := SplitOpts(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("SplitOpts(%q) = %v, want an error with %q", in, err, msg)
		}
	}
	if got := optLines([]string{"--partition=short", "-A", "lab", "--comment=a b", "-t", "1:00:00"}); !reflect.DeepEqual(got,
		[]string{"--partition=short", "-A lab", `--comment="a b"`, "-t 1:00:00"}) {
		t.Errorf("optLines = %q", got)
	}
}

func TestArrayList(t *testing.T) {
	for in, want := range map[string]string{"": "", "3": "3", "0 1 2 5 7 8": "0-2,5,7-8", "1 4 7": "1,4,7"} {
		var tasks []int
		for _, f := range strings.Fields(in) {
			n := 0
			for _, ch := range f {
				n = n*10 + int(ch-'0')
			}
			tasks = append(tasks, n)
		}
		if got := ArrayList(tasks); got != want {
			t.Errorf("ArrayList(%v) = %q, want %q", tasks, got, want)
		}
	}
}

func TestSlurmScript(t *testing.T) {
	j := SlurmJob{
		Name: "my sweep", Binary: "/opt/bio rnn/biornn", Config: "/shared/res/slurm/sweep.toml", Out: "/shared/res",
		Workdir: "/home/me/work", Tasks: 4, Runs: 8, Opts: []string{"--partition=short", "-A", "lab", "--time=02:00:00"},
		ReportTo: "/shared/rep",
	}
	s, err := j.Script()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"#!/bin/bash\n",
		`# biornn sweep "my sweep": 8 runs in 4 array tasks`,
		"#SBATCH --job-name=\"biornn-my sweep\"\n",
		"#SBATCH --array=0-3\n",
		"#SBATCH --output=/shared/res/slurm/logs/%A_%a.out\n",
		"#SBATCH --chdir=/home/me/work\n",
		"#SBATCH --partition=short\n#SBATCH -A lab\n#SBATCH --time=02:00:00\n",
		`'/opt/bio rnn/biornn' sweep --out /shared/res --shard "$task/4" --workers "${SLURM_CPUS_PER_TASK:-1}" --no-report /shared/res/slurm/sweep.toml`,
		"ended with exit code $rc",
		"exit $rc\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the script lacks %q:\n%s", want, s)
		}
	}
	// Every #SBATCH line comes before the first command (sbatch stops
	// reading them there).
	lines := strings.Split(s, "\n")
	seenCmd := false
	for _, l := range lines[1:] {
		if l != "" && !strings.HasPrefix(l, "#") {
			seenCmd = true
		}
		if seenCmd && strings.HasPrefix(l, "#SBATCH") {
			t.Errorf("#SBATCH line after a command: %q", l)
		}
	}
	r, err := j.ReportScript()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"#SBATCH --output=/shared/res/slurm/logs/report_%j.out\n", "#SBATCH -A lab\n",
		`exec '/opt/bio rnn/biornn' report --plots /shared/rep --markdown /shared/rep/report.md --csv /shared/rep/report.csv /shared/res`,
	} {
		if !strings.Contains(r, want) {
			t.Errorf("the report script lacks %q:\n%s", want, r)
		}
	}
	if strings.Contains(r, "--array") {
		t.Errorf("the report job is not an array:\n%s", r)
	}
	// A relative path would depend on where the job starts.
	bad := j
	bad.Out = "res"
	if _, err := bad.Script(); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Errorf("relative results folder: %v", err)
	}
	bad = j
	bad.Tasks = 0
	if _, err := bad.Script(); err == nil {
		t.Error("0 tasks: no error")
	}
	// % in a folder name is doubled for Slurm's file name patterns.
	pct := j
	pct.Out = "/shared/100%/res"
	if s, _ := pct.Script(); !strings.Contains(s, "--output=/shared/100%%/res/slurm/logs/%A_%a.out") {
		t.Errorf("%% not escaped:\n%s", s)
	}
}

func TestAbsPaths(t *testing.T) {
	c, err := Parse("x.toml", []byte("[grid]\nmnist_dir = [\"a\", \"/b\"]\n[fixed]\ndata_dir = \"data\"\nepochs = 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AbsPaths(); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if got := c.Values("data_dir"); !reflect.DeepEqual(got, []string{filepath.Join(wd, "data")}) {
		t.Errorf("data_dir = %q", got)
	}
	if got := c.Values("mnist_dir"); !reflect.DeepEqual(got, []string{filepath.Join(wd, "a"), "/b"}) {
		t.Errorf("mnist_dir = %q", got)
	}
	if got := c.Values("epochs"); !reflect.DeepEqual(got, []string{"3"}) {
		t.Errorf("epochs = %q", got)
	}
}

// TestStatusOf counts runs done, damaged, abandoned (claimed by a process
// that is gone), running (claimed by a live one) and missing, per shard.
func TestStatusOf(t *testing.T) {
	c, err := Parse("good.toml", []byte(goodTOML))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Plan(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) < 8 {
		t.Fatalf("%d runs", len(plan))
	}
	dir := t.TempDir()
	var calls atomic.Int64
	// Shard 0 of 4 done.
	if _, err := Execute(context.Background(), Shard(plan, 0, 4), Options{Out: dir, Workers: 2, Run: fakeRun(&calls, ""), Version: "t"}); err != nil {
		t.Fatal(err)
	}
	// Run 1 (shard 1) damaged: its runs file cut short.
	if _, err := Execute(context.Background(), plan[1:2], Options{Out: dir, Workers: 1, Run: fakeRun(&calls, ""), Version: "t"}); err != nil {
		t.Fatal(err)
	}
	runsFile := filepath.Join(dir, results.RunsTable, plan[1].ID+".parquet")
	b, _ := os.ReadFile(runsFile)
	os.WriteFile(runsFile, b[:len(b)/2], 0o644)
	claim := func(id string, pid int, age time.Duration) {
		host, _ := os.Hostname()
		b, _ := json.Marshal(map[string]any{"host": host, "pid": pid, "started": time.Now().UTC(), "token": "x"})
		p := filepath.Join(dir, results.RunsTable, ".claim-"+id)
		os.WriteFile(p, b, 0o644)
		tm := time.Now().Add(-age)
		os.Chtimes(p, tm, tm)
	}
	claim(plan[2].ID, os.Getppid(), 0)                 // shard 2: running (the parent process is alive)
	claim(plan[6].ID, 1<<22+12345, 0)                  // shard 2: abandoned (no such process)
	claim(plan[3].ID, os.Getpid(), results.ClaimTTL*2) // shard 3: abandoned (not touched for too long)

	st := StatusOf(func(yield func(Planned) bool) {
		for _, p := range plan {
			if !yield(p) {
				return
			}
		}
	}, dir, 4, true)
	n := len(plan)
	if st.Total.Runs != n || len(st.Tasks) != 4 {
		t.Fatalf("%+v", st)
	}
	s0, s1, s2, s3 := st.Tasks[0], st.Tasks[1], st.Tasks[2], st.Tasks[3]
	if s0.Done != s0.Runs || s0.Todo() != 0 {
		t.Errorf("shard 0: %+v", s0)
	}
	if s1.Damaged != 1 || s1.Done != 0 || s1.Missing != s1.Runs-1 {
		t.Errorf("shard 1: %+v", s1)
	}
	if s2.Running != 1 || s2.Abandoned != 1 || s2.Missing != s2.Runs-2 {
		t.Errorf("shard 2: %+v", s2)
	}
	if s3.Abandoned != 1 || s3.Failed() != 1 {
		t.Errorf("shard 3: %+v", s3)
	}
	if got := st.Incomplete(); !reflect.DeepEqual(got, []int{1, 2, 3}) {
		t.Errorf("Incomplete = %v, want [1 2 3]", got)
	}
	// Without verifying, the damaged run counts as done (a cheap poll).
	if q := StatusOf(func(yield func(Planned) bool) {
		for _, p := range plan {
			if !yield(p) {
				return
			}
		}
	}, dir, 4, false); q.Tasks[1].Done != 1 || q.Tasks[1].Damaged != 0 {
		t.Errorf("unverified shard 1: %+v", q.Tasks[1])
	}
	if st.Total.Done+st.Total.Running+st.Total.Missing+st.Total.Failed() != n {
		t.Errorf("counts do not add up: %+v", st.Total)
	}
}
