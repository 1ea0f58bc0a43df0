package sweep

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
)

func TestShards(t *testing.T) {
	c, _ := Preset("paper-seqmem", false)
	plan, err := Plan(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i := 0; i < 7; i++ {
		for _, p := range Shard(plan, i, 7) {
			seen[p.ID]++
		}
	}
	if len(seen) != len(plan) {
		t.Fatalf("shards cover %d of %d runs", len(seen), len(plan))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("run %s in %d shards", id, n)
		}
	}
	for _, s := range []string{"1/0", "3/3", "-1/2", "a/b", "2"} {
		if _, _, err := ParseShard(s); err == nil {
			t.Errorf("ParseShard(%q) accepted", s)
		}
	}
	if i, n, err := ParseShard("2/5"); err != nil || i != 2 || n != 5 {
		t.Errorf("ParseShard(2/5) = %d, %d, %v", i, n, err)
	}
	env := map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"}
	if i, n, ok, err := ShardFromEnv(func(k string) string { return env[k] }); err != nil || !ok || i != 2 || n != 4 {
		t.Errorf("ShardFromEnv = %d, %d, %v, %v; want 2, 4", i, n, ok, err)
	}
	env["SLURM_ARRAY_TASK_ID"] = "9"
	if _, _, _, err := ShardFromEnv(func(k string) string { return env[k] }); err == nil {
		t.Error("out-of-range SLURM task accepted")
	}
	if _, _, ok, err := ShardFromEnv(func(string) string { return "" }); ok || err != nil {
		t.Error("no SLURM environment should mean no shard")
	}
}

func TestPlanRejectsRunsThatCoincide(t *testing.T) {
	c, _ := Parse("x.toml", []byte("[grid]\nconnectome=[\"macaque\"]\nstrategy=[\"bio-random\",\"permute\"]\n[fixed]\nbatch_size = 7"))
	// A canonicaliser that maps every strategy to one value makes the two
	// grid points the same run.
	_, err := Plan(c, func(s rnn.RunSpec) (rnn.RunSpec, error) { s.Strategy = "bio-random"; return s, nil })
	if err == nil || !strings.Contains(err.Error(), "same run") {
		t.Fatalf("err = %v", err)
	}
}

// Plan names the key of a *rnn.Problem as the config sets it: grid.key,
// fixed.key, or the bare key for a default.
func TestPlanNamesTheKey(t *testing.T) {
	c, err := Parse("x.toml", []byte("seeds = [3]\n[grid]\nconnectome=[\"macaque\"]\n[fixed]\nbatch_size = 7"))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"batch_size": ": fixed.batch_size = 7: expected bad", "connectome": ": grid.connectome = 7: expected bad",
		"seed": ": seeds = 7: expected bad", "epochs": ": epochs = 7: expected bad"} {
		p := &rnn.Problem{Key: key, Value: "7", Want: "bad"}
		_, err = Plan(c, func(s rnn.RunSpec) (rnn.RunSpec, error) { return s, fmt.Errorf("wrapped: %w", p) })
		if err == nil || !strings.HasSuffix(err.Error(), want) || !errors.Is(err, p) {
			t.Errorf("%s: err = %v, want ...%s", key, err, want)
		}
	}
	// No Problem: the error as it is.
	_, err = Plan(c, func(s rnn.RunSpec) (rnn.RunSpec, error) { return s, errors.New("plain") })
	if err == nil || !strings.HasSuffix(err.Error(), ": plain") {
		t.Errorf("err = %v", err)
	}
	// The table's rules that involve two settings, under the grid key.
	c, err = Parse("n.toml", []byte("[grid]\ntask = [\"nback_mem\"]\nn_back = [2, 5]\ntrial_length = [5]"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err = Plan(c, rnn.Defaults); err == nil || !strings.Contains(err.Error(), "grid.n_back = 5: expected 1..4") {
		t.Errorf("n_back >= trial_length: %v", err)
	}
}

// fakeRun imitates the trainer: a loss curve that depends on the spec.
func fakeRun(calls *atomic.Int64, failFor string) RunFunc {
	return func(ctx context.Context, s rnn.RunSpec, onEpoch func(rnn.EpochRecord)) (*rnn.RunResult, error) {
		calls.Add(1)
		if string(s.Strategy) == failFor {
			return nil, fmt.Errorf("strategy %s: broken on purpose", s.Strategy)
		}
		res := &rnn.RunResult{Spec: s, Started: time.Now(), ConnectomeName: s.Connectome, MinValLoss: math.Inf(1)}
		for e := 0; e <= s.Epochs; e++ {
			l := 1/float64(e+1) + float64(s.Seed)/100
			res.Epochs = append(res.Epochs, rnn.EpochRecord{Epoch: e, TrainLoss: l, ValLoss: l, ValAccuracy: math.NaN()})
			if l < res.MinValLoss {
				res.MinValLoss, res.MinValEpoch = l, e
			}
		}
		return res, ctx.Err()
	}
}

func TestExecuteResumeAndFailures(t *testing.T) {
	c, err := Parse("good.toml", []byte(goodTOML))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Plan(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// A temp file of a run in this plan (left by a killed writer) and one of
	// a run from another shard, which must survive.
	os.MkdirAll(filepath.Join(dir, "runs"), 0o755)
	os.MkdirAll(filepath.Join(dir, "epochs"), 0o755)
	orphan := filepath.Join(dir, "epochs", plan[1].ID+".parquet")
	if err := os.WriteFile(orphan, []byte("half a run"), 0o644); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "runs", ".tmp-"+plan[0].ID+"-123.parquet")
	other := filepath.Join(dir, "runs", ".tmp-ffffffffffffffff-456.parquet")
	for _, p := range []string{mine, other} {
		if err := os.WriteFile(p, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var calls atomic.Int64
	var log strings.Builder
	sum, err := Execute(context.Background(), plan, Options{Out: dir, Workers: 3, Run: fakeRun(&calls, "permute"), Version: "t", Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	half := len(plan) / 2
	if sum.Done != half || sum.Failed != half || sum.Skipped != 0 || len(sum.Failures) != half {
		t.Fatalf("first pass: %+v", sum)
	}
	if !strings.Contains(log.String(), "FAILED") || !strings.Contains(log.String(), "broken on purpose") {
		t.Errorf("log lacks the failures:\n%s", log.String())
	}
	// One line per finished run in a fixed format that scripts can grep:
	// position, run id, grid point, then the outcome or FAILED and the cause.
	lineRE := regexp.MustCompile(`^\[\d+/\d+\] (FAILED )?[0-9a-f]{16} (macaque|human) \S+ [^:]*seed=\d+: ` +
		`(min val loss \S+ @ epoch \d+, speed epoch (\d+|not reached), [0-9.e+-]+ s|.*broken on purpose.*)$`)
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != len(plan) {
		t.Errorf("%d log lines for %d runs:\n%s", len(lines), len(plan), log.String())
	}
	for _, l := range lines {
		if !lineRE.MatchString(l) {
			t.Errorf("log line %q does not match %s", l, lineRE)
		}
	}
	if _, err := os.Stat(mine); err == nil {
		t.Error("this plan's temp file was not removed")
	}
	if _, err := os.Stat(other); err != nil {
		t.Error("another shard's temp file was removed")
	}
	if b, _ := os.ReadFile(orphan); string(b) == "half a run" {
		t.Error("an orphan epochs file of this plan was neither removed nor rewritten")
	}
	// Resume with a working trainer: only the failed runs run again.
	calls.Store(0)
	sum, err = Execute(context.Background(), plan, Options{Out: dir, Workers: 2, Run: fakeRun(&calls, ""), Version: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Skipped != half || sum.Done != half || calls.Load() != int64(half) {
		t.Fatalf("resume: %+v after %d calls", sum, calls.Load())
	}
	runs, epochs, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != len(plan) || len(epochs) != len(plan)*5 {
		t.Fatalf("%d runs, %d epochs; want %d, %d", len(runs), len(epochs), len(plan), len(plan)*5)
	}
}

func TestExecuteCancel(t *testing.T) {
	c, _ := Parse("good.toml", []byte(goodTOML))
	plan, _ := Plan(c, nil)
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	run := func(ctx context.Context, s rnn.RunSpec, f func(rnn.EpochRecord)) (*rnn.RunResult, error) {
		if calls.Add(1) == 3 {
			cancel()
		}
		return fakeRun(new(atomic.Int64), "")(ctx, s, f)
	}
	dir := t.TempDir()
	sum, err := Execute(ctx, plan, Options{Out: dir, Workers: 1, Run: run})
	if err == nil || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("err = %v", err)
	}
	if sum.Done != 2 || sum.Failed != 0 {
		t.Fatalf("summary after cancel: %+v", sum)
	}
}

// TestNeuronsFromDensityKeys: the density keys of [fixed] reach every run
// spec, and the trainer's errors about them name the keys.
func TestNeuronsFromDensityKeys(t *testing.T) {
	c, err := Parse("d.toml", []byte("[grid]\nconnectome=[\"macaque\", \"marmoset\"]\n[fixed]\nneurons_from_density = \"ratio\"\nneuron_scale = 3\ndensity_fill = \"median\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	specs := c.Specs()
	if len(specs) != 2 {
		t.Fatalf("%d runs", len(specs))
	}
	for _, s := range specs {
		if s.NeuronsFromDensity != "ratio" || s.NeuronScale != 3 || s.DensityFill != "median" {
			t.Fatalf("spec %+v lacks the density settings", s)
		}
	}
	c, err = Parse("d.toml", []byte("[grid]\nconnectome=[\"macaque\"]\n[fixed]\nneuron_scale = 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Plan(c, rnn.Defaults)
	if err == nil || !strings.Contains(err.Error(), "fixed.neuron_scale = 3: expected no neuron_scale") {
		t.Fatalf("neuron_scale without neurons_from_density: %v", err)
	}
}

func TestOutcomeAndDescribe(t *testing.T) {
	r := &rnn.RunResult{MinValLoss: 0.125, MinValEpoch: 7, SpeedEpoch: -1, WallSeconds: 0.01234}
	if got, want := Outcome(r), "min val loss 0.125 @ epoch 7, speed epoch not reached, 0.0123 s"; got != want {
		t.Errorf("Outcome = %q, want %q", got, want)
	}
	r.SpeedEpoch, r.WallSeconds = 3, 123.4
	if got, want := Outcome(r), "min val loss 0.125 @ epoch 7, speed epoch 3, 123 s"; got != want {
		t.Errorf("Outcome = %q, want %q", got, want)
	}
	// A spec before defaults: no blanks or zeros for the settings not set.
	if got, want := (Planned{Spec: rnn.RunSpec{Connectome: "macaque", Seed: 2}}).Describe(), "macaque seed=2"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	full := rnn.RunSpec{Connectome: "human", Task: "nback_mem", NBack: 2, TrialLength: 5, Strategy: "permute",
		Optimizer: "adam", LR: 1e-4, Activation: "tanh", Seed: 1}
	if got, want := (Planned{Spec: full}).Describe(), "human nback_mem n=2 L=5 permute adam lr=0.0001 tanh seed=1"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
}

// Check builds once per connectome and reports the first failure under the
// config key.
func TestCheckOncePerConnectome(t *testing.T) {
	c, err := Parse("c.toml", []byte("repetitions = 3\n[grid]\nconnectome = [\"macaque\", \"nosuch\"]\nstrategy = [\"bio-random\", \"permute\"]"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Plan(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	var built []string
	err = Check(Shard(plan, 0, 1), func(s rnn.RunSpec) error {
		built = append(built, s.Connectome+"/"+string(s.Strategy))
		if s.Connectome == "nosuch" {
			return &rnn.Problem{Key: "connectome", Value: `"nosuch"`, Err: errors.New("unknown connectome")}
		}
		return nil
	})
	if len(built) != 2 || built[0] != "macaque/bio-random" || built[1] != "nosuch/bio-random" {
		t.Errorf("built %v, want one bio-random build per connectome", built)
	}
	if err == nil || !strings.Contains(err.Error(), `grid.connectome = "nosuch": unknown connectome`) {
		t.Errorf("err = %v", err)
	}
}
