package sweep

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
)

const goodTOML = `
name = "t"
repetitions = 2
[grid]
connectome = ["macaque", "human"]
strategy = ["bio-random", "permute"]
task = ["seq_mem", "nback_mem"]
pattern_length = [3, 5]
n_back = [2, 3]
lr = [1e-3]
[fixed]
epochs = 4
trials = 20
`

func TestParseAndExpand(t *testing.T) {
	c, err := Parse("good.toml", []byte(goodTOML))
	if err != nil {
		t.Fatal(err)
	}
	specs := c.Specs()
	// 2 connectomes x (seq_mem: 2 L + nback: 2 n) x 2 seeds x 2 strategies.
	if want := 2 * (2 + 2) * 2 * 2; len(specs) != want {
		t.Fatalf("%d specs, want %d", len(specs), want)
	}
	for _, s := range specs {
		if s.Epochs != 4 || s.Trials != 20 || s.LR != 1e-3 {
			t.Fatalf("fixed settings not applied: %+v", s)
		}
		if s.Task == "seq_mem" && (s.NBack != 0 || s.PatternLength == 0) ||
			s.Task == "nback_mem" && (s.PatternLength != 0 || s.NBack == 0) {
			t.Fatalf("task parameter applied to the wrong task: %+v", s)
		}
	}
	// Strategy is innermost: a bio run and its control are neighbours.
	if specs[0].Strategy != "bio-random" || specs[1].Strategy != "permute" || specs[0].Seed != specs[1].Seed {
		t.Errorf("order: %+v / %+v", specs[0], specs[1])
	}
}

func TestParseErrorsNameTheKey(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"unknown top", "colour = 1\n[grid]\nconnectome=[\"macaque\"]", "colour"},
		{"unknown grid", "[grid]\nconnectome=[\"macaque\"]\nlearning_rate=[1e-3]", "grid.learning_rate"},
		{"misplaced axis", "[grid]\nconnectome=[\"macaque\"]\n[fixed]\nlr = 1e-3", "fixed.lr"},
		{"axis hint", "[grid]\nconnectome=[\"macaque\"]\n[fixed]\ntask = \"seq_mem\"", "grid axis"},
		{"no connectome", "[grid]\nlr=[1e-3]", "grid.connectome"},
		{"bad strategy", "[grid]\nconnectome=[\"macaque\"]\nstrategy=[\"bio-random\",\"shuffled\"]", "grid.strategy[1]"},
		{"bad task", "[grid]\nconnectome=[\"macaque\"]\ntask=[\"seqmem\"]", "grid.task[0]"},
		{"negative lr", "[grid]\nconnectome=[\"macaque\"]\nlr=[1e-3, -1]", "grid.lr[1]"},
		{"zero L", "[grid]\nconnectome=[\"macaque\"]\npattern_length=[0]", "grid.pattern_length[0]"},
		{"n >= L", "[grid]\nconnectome=[\"macaque\"]\nn_back=[5]\ntrial_length=[5]", "grid.n_back"},
		{"dup", "[grid]\nconnectome=[\"macaque\",\"macaque\"]", "grid.connectome"},
		{"neg epochs", "[grid]\nconnectome=[\"macaque\"]\n[fixed]\nepochs=-3", "fixed.epochs"},
		{"sparsity", "[grid]\nconnectome=[\"macaque\"]\n[fixed]\ntarget_sparsity=1.5", "fixed.target_sparsity"},
		{"orientation", "[grid]\nconnectome=[\"macaque\"]\n[fixed]\norientation=\"sideways\"", "fixed.orientation"},
		{"density method", "[grid]\nconnectome=[\"macaque\"]\n[fixed]\nneurons_from_density=\"log\"", "fixed.neurons_from_density"},
		{"density fill", "[grid]\nconnectome=[\"macaque\"]\n[fixed]\nneurons_from_density=\"rank\"\ndensity_fill=\"mode\"", "fixed.density_fill"},
		{"neg neuron scale", "[grid]\nconnectome=[\"macaque\"]\n[fixed]\nneuron_scale=-2", "fixed.neuron_scale"},
		{"zero neuron scale", "[grid]\nconnectome=[\"macaque\"]\n[fixed]\nneurons_from_density=\"rank\"\nneuron_scale=0", "fixed.neuron_scale = 0"},
		{"wrong type", "[grid]\nconnectome=\"macaque\"", "connectome"},
		{"seed zero", "seeds=[0]\n[grid]\nconnectome=[\"macaque\"]", "seeds[0]"},
		{"both", "seeds=[1]\nrepetitions=2\n[grid]\nconnectome=[\"macaque\"]", "repetitions"},
		{"syntax", "[grid\n", "bad.toml"},
		// A 0 written out where 0 would silently mean the default.
		{"zero epochs", "[grid]\nconnectome=[\"macaque\"]\n[fixed]\nepochs=0", "fixed.epochs = 0: expected a count >= 1"},
		{"zero reps", "repetitions=0\n[grid]\nconnectome=[\"macaque\"]", "repetitions = 0"},
		{"zero sparsity", "[grid]\nconnectome=[\"macaque\"]\n[fixed]\ntarget_sparsity=0.0", "fixed.target_sparsity = 0"},
		// Type errors put the key first.
		{"scalar type", "[grid]\nconnectome=[\"macaque\"]\n[fixed]\nepochs=\"many\"", "bad.toml: fixed.epochs (line 4): incompatible types"},
		{"grid scalar", "[grid]\nconnectome=[\"macaque\"]\nlr=1e-3", "every grid key takes a list"},
	}
	for _, tc := range cases {
		_, err := Parse("bad.toml", []byte(tc.text))
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.toml") {
			t.Errorf("%s: error %q does not name %q and the file", tc.name, err, tc.want)
		}
	}
}

// TestFixedReachesSpec sets every fixed setting and checks that the run
// spec carries it under the same name (so a setting added to Fixed cannot be
// silently dropped).
func TestFixedReachesSpec(t *testing.T) {
	var f Fixed
	v := reflect.ValueOf(&f).Elem()
	for i := 0; i < v.NumField(); i++ {
		switch fv := v.Field(i); fv.Kind() {
		case reflect.String:
			fv.SetString(fmt.Sprintf("s%d", i))
		case reflect.Int:
			fv.SetInt(int64(i + 1))
		case reflect.Float64:
			fv.SetFloat(float64(i) + 0.5)
		case reflect.Bool:
			fv.SetBool(true)
		}
	}
	s := reflect.ValueOf(f.base())
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		got := s.FieldByName(name)
		if !got.IsValid() {
			t.Errorf("Fixed.%s has no RunSpec field of that name", name)
			continue
		}
		if !reflect.DeepEqual(got.Interface(), v.Field(i).Interface()) {
			t.Errorf("Fixed.%s = %v reaches the spec as %v", name, v.Field(i), got)
		}
	}
	if len(tagNames(Fixed{})) != v.NumField() {
		t.Errorf("tagNames(Fixed) lists %d keys, Fixed has %d fields", len(tagNames(Fixed{})), v.NumField())
	}
}

func TestExampleConfig(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Specs()); n != 2*2*2*5 {
		t.Errorf("example.toml: %d runs, want 40", n)
	}
}

func TestLoadMissingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "none.toml")
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("err = %v", err)
	}
}

func TestPresets(t *testing.T) {
	want := map[string]int{
		"paper-seqmem": 3 * 3 * 2 * 2 * 2 * 5 * 2,
		"paper-nback":  3 * 3 * 2 * 2 * 2 * 5 * 2,
		"paper-pic":    3 * 3 * 2 * 2 * 2 * 5 * 2,
		"paper-all":    3 * 3 * 3 * 2 * 2 * 2 * 5 * 2,
	}
	for _, name := range PresetNames() {
		c, err := Preset(name, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(c.Specs()); got != want[name] {
			t.Errorf("%s: %d runs, want %d", name, got, want[name])
		}
		for _, s := range c.Specs() {
			s.MNISTDir = "unused" // Defaults checks that pic_latent_mem names its folder
			d, err := rnn.Defaults(s)
			if err != nil {
				t.Fatal(err)
			}
			// The paper: 500 seq_mem trials, 500 matching + 500 non-matching n-back trials.
			trials := map[string]int{rnn.TaskSeqMem: 500, rnn.TaskNBackMem: 1000, rnn.TaskPicLatentMem: 1000}[d.Task]
			if d.Epochs != 500 || d.Trials != trials || d.BatchSize != 128 {
				t.Fatalf("%s: %+v is not the paper's setting", name, d)
			}
		}
		q, err := Preset(name, true)
		if err != nil {
			t.Fatal(err)
		}
		tasks := len(c.Grid.Task)
		if got := len(q.Specs()); got != tasks*5*2 {
			t.Errorf("%s --quick: %d runs, want %d", name, got, tasks*5*2)
		}
		if PresetHelp(name) == "" {
			t.Errorf("%s has no help", name)
		}
	}
	if _, err := Preset("paper", false); err == nil || !strings.Contains(err.Error(), "paper-seqmem") {
		t.Errorf("unknown preset: %v", err)
	}
}

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
	c, _ := Parse("x.toml", []byte("[grid]\nconnectome=[\"macaque\"]\nstrategy=[\"bio-random\",\"permute\"]"))
	// A canonicaliser that maps every strategy to one value makes the two
	// grid points the same run.
	_, err := Plan(c, func(s rnn.RunSpec) (rnn.RunSpec, error) { s.Strategy = "bio-random"; return s, nil })
	if err == nil || !strings.Contains(err.Error(), "same run") {
		t.Fatalf("err = %v", err)
	}
	_, err = Plan(c, func(s rnn.RunSpec) (rnn.RunSpec, error) { return s, errors.New("rnn: RunSpec.BatchSize = 7: bad") })
	if err == nil || !strings.Contains(err.Error(), ": fixed.batch_size = 7: bad") || strings.Contains(err.Error(), "RunSpec") {
		t.Fatalf("canonical error: %v", err)
	}
}

// fakeRun imitates the trainer: a loss curve that depends on the spec.
func fakeRun(calls *atomic.Int64, failFor string) RunFunc {
	return func(ctx context.Context, s rnn.RunSpec, onEpoch func(rnn.EpochRecord)) (*rnn.RunResult, error) {
		calls.Add(1)
		if s.Strategy == failFor {
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
	if err == nil || !strings.Contains(err.Error(), "fixed.neuron_scale") {
		t.Fatalf("neuron_scale without neurons_from_density: %v", err)
	}
}

// Every preset written as TOML reads back to the same config, and the file
// leaves the defaults out.
func TestConfigTOMLRoundTrip(t *testing.T) {
	for _, name := range PresetNames() {
		for _, quick := range []bool{false, true} {
			c, err := Preset(name, quick)
			if err != nil {
				t.Fatal(err)
			}
			text, err := c.TOML()
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(name+".toml", text)
			if err != nil {
				t.Fatalf("%s quick=%v: %v\n%s", name, quick, err, text)
			}
			if !reflect.DeepEqual(back, c) {
				t.Errorf("%s quick=%v: read back %+v, want %+v\n%s", name, quick, back, c, text)
			}
			if strings.Contains(string(text), "trials") || strings.Contains(string(text), "= 0") {
				t.Errorf("%s: defaults written out:\n%s", name, text)
			}
		}
	}
	ex, err := Load("testdata/example.toml")
	if err != nil {
		t.Fatal(err)
	}
	text, err := ex.TOML()
	if err != nil {
		t.Fatal(err)
	}
	if back, err := Parse("example", text); err != nil || !reflect.DeepEqual(back, ex) {
		t.Errorf("example.toml: read back %+v (%v), want %+v\n%s", back, err, ex, text)
	}
}
