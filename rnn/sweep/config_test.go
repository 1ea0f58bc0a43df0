package sweep

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn"
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
		if s.Task == rnn.TaskSeqMem && (s.NBack != 0 || s.PatternLength == 0) ||
			s.Task == rnn.TaskNBackMem && (s.PatternLength != 0 || s.NBack == 0) {
			t.Fatalf("task parameter applied to the wrong task: %+v", s)
		}
	}
	// Strategy is innermost: a bio run and its control are neighbours.
	if specs[0].Strategy != "bio-random" || specs[1].Strategy != "permute" || specs[0].Seed != specs[1].Seed {
		t.Errorf("order: %+v / %+v", specs[0], specs[1])
	}
}

func TestParseErrorsNameTheKey(t *testing.T) {
	const g = "[grid]\nconnectome=[\"macaque\"]\n"
	cases := []struct{ name, text, want string }{
		{"unknown top", "colour = 1\n" + g, "colour (known top-level keys: name, repetitions, seeds, [grid], [fixed])"},
		{"setting at top", "lr = [1e-3]\n" + g, "lr: it is a setting, so write it under [fixed], or as a list under [grid]"},
		{"unknown grid", g + "learning_rate=[1e-3]", `grid.learning_rate: unknown setting "learning_rate"`},
		{"unknown fixed", g + "[fixed]\nepoch=3", `fixed.epoch: unknown setting "epoch"`},
		{"bad strategy", "[grid]\nconnectome=[\"macaque\"]\nstrategy=[\"bio-random\",\"shuffled\"]", `grid.strategy[1] = "shuffled": expected one of bio-random`},
		{"bad alias value", g + "null=[\"shuffled\"]", `grid.null[0] = "shuffled": expected one of`},
		{"bad task", g + "task=[\"seqmem\"]", `grid.task[0] = "seqmem": expected one of seq_mem, nback_mem, pic_latent_mem`},
		{"negative lr", g + "lr=[1e-3, -1]", "grid.lr[1] = -1: expected a finite number > 0"},
		{"zero L", g + "pattern_length=[0]", "grid.pattern_length[0] = 0: expected an integer >= 1"},
		{"dup", "[grid]\nconnectome=[\"macaque\",\"macaque\"]", "grid.connectome: macaque is listed twice"},
		{"dup spelled twice", g + "lr=[1e-4, 0.0001]", "grid.lr: 0.0001 is listed twice"},
		{"empty axis", g + "lr=[]", "grid.lr = []: expected at least one value"},
		{"grid and fixed", g + "lr=[1e-3]\n[fixed]\nlr=1e-4", "fixed.lr: lr is also a grid axis"},
		{"alias twice", g + "[fixed]\nneurons=4\nneurons_per_region=5", "neurons_per_region is given twice"},
		{"neg epochs", g + "[fixed]\nepochs=-3", "fixed.epochs = -3: expected an integer >= 1"},
		{"sparsity", g + "[fixed]\ntarget_sparsity=1.5", "fixed.target_sparsity = 1.5: expected a number in (0, 1]"},
		{"orientation", g + "[fixed]\norientation=\"sideways\"", `fixed.orientation = "sideways": expected one of target, paper`},
		{"density method", g + "[fixed]\nneurons_from_density=\"log\"", "fixed.neurons_from_density"},
		{"density fill", g + "[fixed]\nneurons_from_density=\"rank\"\ndensity_fill=\"mode\"", "fixed.density_fill"},
		{"neg neuron scale", g + "[fixed]\nneuron_scale=-2", "fixed.neuron_scale = -2"},
		{"bool", g + "[fixed]\nhomogeneous=\"yes\"", `fixed.homogeneous = yes: expected true or false`},
		{"float for int", g + "[fixed]\nepochs=3.0", "fixed.epochs = 3.0: expected an integer"},
		{"grid scalar", "[grid]\nconnectome=\"macaque\"", `grid.connectome = "macaque": a grid key takes a list, e.g. connectome = ["macaque"]`},
		{"grid scalar number", g + "lr=1e-3", "grid.lr = 0.001: a grid key takes a list"},
		{"nested list", g + "lr=[[1e-3]]", "grid.lr[0] = [0.001]: expected a single value"},
		{"fixed list", g + "[fixed]\nepochs=[1, 2]", "fixed.epochs = [1 2]: a fixed key takes one value"},
		{"seed zero", "seeds=[0]\n" + g, "seeds[0] = 0: expected an integer >= 1"},
		{"seed negative", "seeds=[3, -1]\n" + g, "seeds[1] = -1: expected "},
		{"seed dup", "seeds=[3, 3]\n" + g, "seeds: 3 is listed twice"},
		{"both", "seeds=[1]\nrepetitions=2\n" + g, "repetitions and seeds are set together"},
		{"seed axis and repetitions", "repetitions=2\n" + g + "seed=[4, 5]", "repetitions and grid.seed are set together"},
		{"syntax", "[grid\n", "bad.toml"},
		{"name type", "name = 3\n" + g, "name = 3: expected a text"},
		// A 0 written out where 0 would silently mean the default.
		{"zero epochs", g + "[fixed]\nepochs=0", "fixed.epochs = 0: expected an integer >= 1"},
		{"zero reps", "repetitions=0\n" + g, "repetitions = 0: expected a count >= 1"},
		{"zero sparsity", g + "[fixed]\ntarget_sparsity=0.0", "fixed.target_sparsity = 0.0: expected a number in (0, 1]"},
		{"scalar type", g + "[fixed]\nepochs=\"many\"", "fixed.epochs = many: expected an integer"},
	}
	for _, tc := range cases {
		_, err := Parse("bad.toml", []byte(tc.text))
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.toml") {
			t.Errorf("%s: error %q does not contain %q and the file", tc.name, err, tc.want)
		}
	}
	// The value errors carry the table's *rnn.Problem.
	_, err := Parse("bad.toml", []byte(g+"[fixed]\nmomentum=2"))
	if p, ok := rnn.AsProblem(err); !ok || p.Key != "momentum" || p.Value != "2" {
		t.Errorf("no *rnn.Problem for momentum in %v", err)
	}
}

// The sweep file accepts and rejects what the command line does: both go
// through (*rnn.RunSpec).Set, and a rejection names the key.
func TestSettingRangesLikeTheCLI(t *testing.T) {
	cases := []struct {
		key, value string
		ok         bool
	}{
		{"momentum", "1.5", false}, {"momentum", "1", false}, {"momentum", "-0.1", false}, {"momentum", "0.9", true}, {"momentum", "0", true},
		{"intrinsic_weight", "1.5", false}, {"intrinsic_weight", "0", false}, {"intrinsic_weight", "1", false}, {"intrinsic_weight", "0.5", true},
		{"target_sparsity", "0", false}, {"target_sparsity", "2", false}, {"target_sparsity", "0.5", true}, {"target_sparsity", "1", true},
		{"weight_decay", "-1", false}, {"weight_decay", "0", true}, {"weight_decay", "0.01", true},
	}
	for _, tc := range cases {
		var spec rnn.RunSpec
		if cli := spec.Set(tc.key, tc.value) == nil; cli != tc.ok {
			t.Fatalf("the table (the CLI) accepts %s = %s: %v, want %v", tc.key, tc.value, cli, tc.ok)
		}
		for _, sec := range []struct{ text, name string }{
			{fmt.Sprintf("[fixed]\n%s = %s\n", tc.key, tc.value), "fixed." + tc.key},
			{fmt.Sprintf("[grid]\n%s = [%s]\n", tc.key, tc.value), "grid." + tc.key + "[0]"},
		} {
			// sgd, so that a momentum in range is also valid for the run.
			text := sec.text + "\n[fixed]\noptimizer = \"sgd\"\n"
			if strings.HasPrefix(sec.text, "[fixed]") {
				text = sec.text + "optimizer = \"sgd\"\n"
			}
			c, err := Parse("r.toml", []byte(text))
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s = %s rejected: %v", sec.name, tc.value, err)
			case !tc.ok && err == nil:
				t.Errorf("%s = %s accepted", sec.name, tc.value)
			case !tc.ok && !strings.Contains(err.Error(), sec.name+" = "+tc.value+": expected "):
				t.Errorf("%s = %s: error %q does not name the key", sec.name, tc.value, err)
			case tc.ok:
				plan, err := Plan(c, rnn.Defaults)
				if err != nil {
					t.Fatalf("%s = %s: %v", sec.name, tc.value, err)
				}
				s, _ := rnn.LookupSetting(tc.key)
				if got := s.Format(plan[0].Spec); got != strings.TrimSuffix(tc.value, ".0") {
					t.Errorf("%s = %s reaches the run as %s", sec.name, tc.value, got)
				}
			}
		}
	}
}

func tablePos(t *testing.T, key string) int {
	i := slices.IndexFunc(rnn.Settings(), func(s *rnn.Setting) bool { return s.Key == key })
	if i < 0 {
		t.Fatalf("no setting %s", key)
	}
	return i
}

// Any setting can be an axis; the axes outside the original grid are
// expanded in settings-table order inside activation.
func TestAnySettingIsAnAxis(t *testing.T) {
	c, err := Parse("a.toml", []byte(`
[grid]
clip_norm = [0, 1.5]
homogeneous = [false, true]
init = ["xavier", "he"]
null = ["bio-random", "permute"]
`))
	if err != nil {
		t.Fatal(err)
	}
	specs := c.Specs()
	if len(specs) != 16 {
		t.Fatalf("%d specs, want 16", len(specs))
	}
	// The three new axes nest in table order; strategy (here by its alias
	// null) stays innermost.
	keys := []string{"homogeneous", "init", "clip_norm"}
	slices.SortFunc(keys, func(a, b string) int { return tablePos(t, a) - tablePos(t, b) })
	values := map[string][]string{"homogeneous": {"false", "true"}, "init": {"xavier", "he"}, "clip_norm": {"0", "1.5"}}
	for i, s := range specs {
		for k, key := range keys {
			st, _ := rnn.LookupSetting(key)
			if got, want := st.Format(s), values[key][i>>(3-k)&1]; got != want {
				t.Errorf("run %d: %s = %s, want %s", i, key, got, want)
			}
		}
		if got, want := s.Strategy, []rnn.Strategy{"bio-random", "permute"}[i&1]; got != want || s.Seed != 1 {
			t.Errorf("run %d: strategy %s seed %d, want %s seed 1", i, got, s.Seed, want)
		}
	}
	plan, err := Plan(c, rnn.Defaults)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != 16 || plan[0].Spec.Connectome != "macaque" {
		t.Errorf("plan of %d runs, first %+v", len(plan), plan[0].Spec)
	}
}

// TestFixedAnySetting fixes every setting of the table, one at a time, and
// checks that each run carries it and that the sweep file round-trips.
func TestFixedAnySetting(t *testing.T) {
	for _, s := range rnn.Settings() {
		var value string
		for _, v := range append(s.Values(), "2", "8", "0.5", "true", "some/folder") {
			var spec rnn.RunSpec
			if spec.Set(s.Key, v) == nil {
				value = v
				break
			}
		}
		if value == "" {
			t.Fatalf("%s: no test value", s.Key)
		}
		var c Config
		if s.Key == "n_back" || s.Key == "trial_length" {
			c.SetFixed("task", "nback_mem") // seq_mem runs leave them out
		}
		if err := c.SetFixed(s.Key, value); err != nil {
			t.Fatal(err)
		}
		specs := c.Specs()
		if len(specs) != 1 || s.Format(specs[0]) != value {
			t.Errorf("fixed %s = %s: specs %+v", s.Key, value, specs)
		}
		text, err := c.TOML()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse("f.toml", text)
		if err != nil || !reflect.DeepEqual(back, &c) {
			t.Errorf("fixed %s = %s: read back %+v (%v)\n%s", s.Key, value, back, err, text)
		}
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
		if exact, ok := strings.CutPrefix(name, "paper-exact-"); ok {
			want[name] = want["paper-"+exact] // the same grid, as the paper's code ran it
		}
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
			trials := map[rnn.Task]int{rnn.TaskSeqMem: 500, rnn.TaskNBackMem: 1000, rnn.TaskPicLatentMem: 1000}[d.Task]
			if d.Epochs != 500 || d.Trials != trials || d.BatchSize != 128 {
				t.Fatalf("%s: %+v is not the paper's setting", name, d)
			}
			exact := d.Orientation == rnn.OrientationPaper && d.Partition == "bio2art" && d.NetworkPer == rnn.NetworkPerExperiment &&
				d.BatchOrder == rnn.BatchOrderFixed && d.ControlWeights == rnn.ControlRank &&
				(d.Strategy == rnn.StrategyBioRank || d.Strategy == "permute")
			if exact != strings.HasPrefix(name, "paper-exact-") {
				t.Fatalf("%s: %+v, exact settings %v", name, d, exact)
			}
		}
		q, err := Preset(name, true)
		if err != nil {
			t.Fatal(err)
		}
		tasks := len(c.Values("task"))
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

// Every preset written as TOML reads back to the same config, with the
// keys in settings-table order and the defaults left out.
func TestConfigTOMLRoundTrip(t *testing.T) {
	var configs []*Config
	for _, name := range PresetNames() {
		for _, quick := range []bool{false, true} {
			c, err := Preset(name, quick)
			if err != nil {
				t.Fatal(err)
			}
			configs = append(configs, c)
		}
	}
	ex, err := Load("testdata/example.toml")
	if err != nil {
		t.Fatal(err)
	}
	configs = append(configs, ex)
	odd, err := Parse("odd.toml", []byte("name = \"odd \\\"quoted\\\"\"\nseeds = [7, 3]\n[grid]\nlr = [1e-6, 2.5]\nneurons = [2, 4]\n[fixed]\nhomogeneous = true\nconnectome = \"a file.csv\""))
	if err != nil {
		t.Fatal(err)
	}
	configs = append(configs, odd)
	for _, c := range configs {
		text, err := c.TOML()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(c.Name+".toml", text)
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.Name, err, text)
		}
		if !reflect.DeepEqual(back, c) {
			t.Errorf("%s: read back %+v, want %+v\n%s", c.Name, back, c, text)
		}
		if c.Name != "example" && c.Name != "odd \"quoted\"" && (strings.Contains(string(text), "trials") || strings.Contains(string(text), "= 0")) {
			t.Errorf("%s: defaults written out:\n%s", c.Name, text)
		}
	}
	text, _ := configs[0].TOML() // paper-all
	for _, order := range [][2]string{{"connectome =", "strategy ="}, {"strategy =", "task ="}, {"n_back =", "optimizer ="}, {"[grid]", "[fixed]"}, {"batch_size", "epochs"}} {
		if i, j := strings.Index(string(text), order[0]), strings.Index(string(text), order[1]); i < 0 || j < i {
			t.Errorf("%q is not before %q in\n%s", order[0], order[1], text)
		}
	}
}

// The command line supplies fallbacks for what the config leaves unset, and
// asks which values the runs use.
func TestUsesAndSetDefault(t *testing.T) {
	c, err := Parse("u.toml", []byte("[grid]\ntask = [\"seq_mem\", \"pic_latent_mem\"]\nlr = [1e-4]\n[fixed]\ndata_dir = \"mine\"\noptimizer = \"sgd\""))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key, value string
		want       bool
	}{
		{"task", "pic_latent_mem", true}, {"task", "nback_mem", false},
		{"lr", "0.0001", true}, {"lr", "1e-4", true}, {"lr", "1e-3", false},
		{"optimizer", "sgd", true}, {"optimizer", "adam", false},
		{"activation", "tanh", true}, {"activation", "relu", false}, // the default
		{"epochs", "500", true}, {"seed", "1", true}, {"seed", "2", false},
		{"no_such_key", "1", false}, {"epochs", "many", false},
	} {
		if got := c.Uses(tc.key, tc.value); got != tc.want {
			t.Errorf("Uses(%s, %s) = %v, want %v", tc.key, tc.value, got, tc.want)
		}
	}
	if err := c.SetDefault("data_dir", "theirs"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetDefault("mnist_dir", "pics"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetDefault("kernels", ""); err != nil { // an unset flag
		t.Fatal(err)
	}
	if got := c.Values("data_dir"); !slices.Equal(got, []string{"mine"}) {
		t.Errorf("data_dir = %v: the config's value must win", got)
	}
	if got := c.Values("mnist_dir"); !slices.Equal(got, []string{"pics"}) {
		t.Errorf("mnist_dir = %v", got)
	}
	if got := c.Values("kernels"); got != nil {
		t.Errorf("kernels = %v after an empty default", got)
	}
	if err := c.SetDefault("lr", "5"); err != nil || !slices.Equal(c.Values("lr"), []string{"0.0001"}) {
		t.Errorf("SetDefault over a grid axis: %v, lr = %v", err, c.Values("lr"))
	}
	err = c.SetDefault("threads", "0")
	if p, ok := rnn.AsProblem(err); !ok || p.Key != "threads" {
		t.Errorf("SetDefault(threads, 0) = %v, want a *rnn.Problem", err)
	}
	var u *rnn.UnknownKeyError
	if err := c.SetDefault("colour", "red"); !errors.As(err, &u) {
		t.Errorf("SetDefault(colour) = %v", err)
	}
	for _, s := range c.Specs() {
		if s.DataDir != "mine" || s.MNISTDir != "pics" {
			t.Fatalf("spec %+v lacks the defaults", s)
		}
	}
}

// A seed axis replaces repetitions; the seeds list keeps its order.
func TestSeedSources(t *testing.T) {
	for text, want := range map[string][]uint64{
		"[grid]\nseed = [4, 2]":              {4, 2},
		"seeds = [9, 8]\n[grid]":             {9, 8},
		"repetitions = 3\n[grid]":            {1, 2, 3},
		"[fixed]\nseed = 6":                  {6},
		"[grid]\nconnectome = [\"macaque\"]": {1},
	} {
		c, err := Parse("s.toml", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for _, s := range c.Specs() {
			got = append(got, s.Seed)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: seeds %v, want %v", text, got, want)
		}
	}
}
