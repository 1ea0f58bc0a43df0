// Package sweep expands an experiment grid (a TOML file or a built-in preset)
// into training runs and executes them in parallel, resumably and in shards.
//
// A grid is connectome x task x task parameter x strategy x optimizer x
// learning rate x activation x seed, plus fixed settings shared by every run.
// Each run has a deterministic id (results.RunID of its spec after defaults),
// so a restarted sweep skips the runs whose results file exists, and
// `--shard i/n` gives every process of a job array a disjoint, stable slice.
package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
)

// Config is a sweep as written in TOML:
//
//	name = "my-sweep"
//	repetitions = 5            # seeds 1..5 (or: seeds = [11, 12, 13])
//
//	[grid]                     # every key is a list; the runs are all combinations
//	connectome = ["macaque", "marmoset"]
//	strategy = ["bio-random", "permute"]
//	task = ["seq_mem"]
//	pattern_length = [3, 5, 10] # seq_mem only
//	n_back = [2, 3, 4]          # nback_mem and pic_latent_mem only
//	trial_length = [5]          # nback_mem and pic_latent_mem only
//	optimizer = ["adam", "rmsprop"]
//	lr = [1e-4, 1e-6]
//	activation = ["relu", "tanh"]
//
//	[fixed]                    # one value for every run (missing = the default)
//	epochs = 500
//	trials = 500
//	batch_size = 128
//
// A task parameter axis applies only to the tasks that use it, so one grid
// can hold all three tasks.
type Config struct {
	Name        string   `toml:"name,omitempty,omitzero"`
	Repetitions int      `toml:"repetitions,omitempty,omitzero"`
	Seeds       []uint64 `toml:"seeds,omitempty,omitzero"`
	Grid        Grid     `toml:"grid,omitempty,omitzero"`
	Fixed       Fixed    `toml:"fixed,omitempty,omitzero"`
}

// Grid holds the swept axes. An empty axis means "the default only".
type Grid struct {
	Connectome    []string  `toml:"connectome,omitempty,omitzero"`
	Strategy      []string  `toml:"strategy,omitempty,omitzero"`
	Task          []string  `toml:"task,omitempty,omitzero"`
	PatternLength []int     `toml:"pattern_length,omitempty,omitzero"`
	NBack         []int     `toml:"n_back,omitempty,omitzero"`
	TrialLength   []int     `toml:"trial_length,omitempty,omitzero"`
	Optimizer     []string  `toml:"optimizer,omitempty,omitzero"`
	LR            []float64 `toml:"lr,omitempty,omitzero"`
	Activation    []string  `toml:"activation,omitempty,omitzero"`
}

// Fixed holds the settings shared by every run; zero means the trainer's
// default (see rnn.RunSpec).
type Fixed struct {
	DataDir          string `toml:"data_dir,omitempty,omitzero"`
	NeuronsPerRegion int    `toml:"neurons_per_region,omitempty,omitzero"`
	NeuronsFile      string `toml:"neurons_file,omitempty,omitzero"`
	// Neurons per region from the data set's densities (see rnn.RunSpec):
	// "rank", "ratio" or "proportional"; the scale; the NaN fill rule.
	NeuronsFromDensity string  `toml:"neurons_from_density,omitempty,omitzero"`
	NeuronScale        int     `toml:"neuron_scale,omitempty,omitzero"`
	DensityFill        string  `toml:"density_fill,omitempty,omitzero"`
	TargetSparsity     float64 `toml:"target_sparsity,omitempty,omitzero"`
	IntrinsicSparsity  float64 `toml:"intrinsic_sparsity,omitempty,omitzero"`
	IntrinsicWeight    float64 `toml:"intrinsic_weight,omitempty,omitzero"`
	NoIntrinsic        bool    `toml:"no_intrinsic,omitempty,omitzero"`
	KeepDiag           bool    `toml:"keep_diag,omitempty,omitzero"`
	Homogeneous        bool    `toml:"homogeneous,omitempty,omitzero"`
	Orientation        string  `toml:"orientation,omitempty,omitzero"`
	Init               string  `toml:"init,omitempty,omitzero"`
	SpectralRadius     float64 `toml:"spectral_radius,omitempty,omitzero"`
	ControlWeights     string  `toml:"control_weights,omitempty,omitzero"`
	Trials             int     `toml:"trials,omitempty,omitzero"`
	MNISTDir           string  `toml:"mnist_dir,omitempty,omitzero"`
	BatchSize          int     `toml:"batch_size,omitempty,omitzero"`
	Epochs             int     `toml:"epochs,omitempty,omitzero"`
	Momentum           float64 `toml:"momentum,omitempty,omitzero"`
	WeightDecay        float64 `toml:"weight_decay,omitempty,omitzero"`
	ClipNorm           float64 `toml:"clip_norm,omitempty,omitzero"`
	Patience           int     `toml:"patience,omitempty,omitzero"`
	Threads            int     `toml:"threads,omitempty,omitzero"`
	Kernels            string  `toml:"kernels,omitempty,omitzero"`
	Path               string  `toml:"path,omitempty,omitzero"`
}

// Known values of the grid's name axes; the trainer validates them again.
var (
	Strategies  = []string{"bio-random", "bio-rank", "bio-weights", "permute", "rewire", "shuffle", "erdos-renyi"}
	Tasks       = []string{"seq_mem", "nback_mem", "pic_latent_mem"}
	Optimizers  = []string{"adam", "rmsprop", "sgd"}
	Activations = []string{"tanh", "relu"}
)

// IsControl reports whether a strategy is a randomised control (as opposed to
// one of the bio-instantiated strategies).
func IsControl(strategy string) bool {
	return strategy != "" && !strings.HasPrefix(strategy, "bio-")
}

// Load reads and validates a TOML sweep file. Unknown keys and impossible
// values are errors that name the file and the key.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sweep config: %w", err)
	}
	return Parse(path, b)
}

// TOML returns the config as a sweep file that Parse reads back to the same
// config: settings left at their defaults are left out, so the file shows
// what the grid sets (a preset written out to be edited, for example).
func (c *Config) TOML() ([]byte, error) {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(c); err != nil {
		return nil, fmt.Errorf("sweep config: %w", err)
	}
	return b.Bytes(), nil
}

// Parse decodes and validates TOML text; name is used in error messages.
func Parse(name string, text []byte) (*Config, error) {
	var c Config
	md, err := toml.NewDecoder(bytes.NewReader(text)).Decode(&c)
	if err != nil {
		return nil, fmt.Errorf("sweep config %s: %w", name, decodeError(err))
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		msg := fmt.Sprintf("sweep config %s: unknown key %s", name, strings.Join(keys, ", "))
		if hint := keyHint(und[0]); hint != "" {
			msg += " (" + hint + ")"
		}
		return nil, errors.New(msg)
	}
	if err := checkExplicitZeros(&c, md); err != nil {
		return nil, fmt.Errorf("sweep config %s: %w", name, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("sweep config %s: %w", name, err)
	}
	return &c, nil
}

// checkExplicitZeros rejects a 0 written out for a setting where 0 means
// "the default" in a RunSpec: without it, "epochs = 0" would silently train
// 500 epochs and "target_sparsity = 0" would build the paper's 0.8.
func checkExplicitZeros(c *Config, md toml.MetaData) error {
	f := &c.Fixed
	for _, v := range []struct {
		key  []string
		zero bool
		want string
	}{
		{[]string{"repetitions"}, c.Repetitions == 0, "a count >= 1"},
		{[]string{"fixed", "neurons_per_region"}, f.NeuronsPerRegion == 0, "a count >= 1"},
		{[]string{"fixed", "trials"}, f.Trials == 0, "a count >= 1"},
		{[]string{"fixed", "batch_size"}, f.BatchSize == 0, "a count >= 1"},
		{[]string{"fixed", "epochs"}, f.Epochs == 0, "a count >= 1"},
		{[]string{"fixed", "threads"}, f.Threads == 0, "a count >= 1"},
		{[]string{"fixed", "neuron_scale"}, f.NeuronScale == 0, "an integer >= 1"},
		{[]string{"fixed", "target_sparsity"}, f.TargetSparsity == 0, "a value in (0, 1]"},
		{[]string{"fixed", "intrinsic_sparsity"}, f.IntrinsicSparsity == 0, "a value in (0, 1]"},
		{[]string{"fixed", "intrinsic_weight"}, f.IntrinsicWeight == 0, "a value in (0, 1) (for no within-region weights set no_intrinsic = true)"},
		{[]string{"fixed", "spectral_radius"}, f.SpectralRadius == 0, "a value > 0"},
	} {
		if v.zero && md.IsDefined(v.key...) {
			return fmt.Errorf("%s = 0: expected %s (or leave it out for the default)", strings.Join(v.key, "."), v.want)
		}
	}
	return nil
}

// decodeError puts the key first in a TOML decoding error ("toml: line 5
// (last key "fixed.epochs"): incompatible types: ..." becomes "fixed.epochs
// (line 5): incompatible types: ..."), and reminds that grid values are lists.
func decodeError(err error) error {
	// The decoder returns these as plain text (not a toml.ParseError).
	m := typeErrorRE.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	msg := fmt.Sprintf("%s (line %s): %s", m[2], m[1], m[3])
	if strings.HasPrefix(m[2], "grid.") {
		msg += "; every grid key takes a list, e.g. lr = [1e-4, 1e-3]"
	}
	return &renamedError{msg: msg, err: err}
}

var typeErrorRE = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]+)"\): (incompatible types: .*)$`)

// keyHint suggests where a misplaced key belongs.
func keyHint(k toml.Key) string {
	last := k[len(k)-1]
	for _, s := range tagNames(Grid{}) {
		if s == last && (len(k) == 1 || k[0] != "grid") {
			return fmt.Sprintf("%s is a grid axis: write it as a list under [grid], e.g. %s = [...]", last, last)
		}
	}
	for _, s := range tagNames(Fixed{}) {
		if s == last && (len(k) == 1 || k[0] != "fixed") {
			return fmt.Sprintf("%s is a fixed setting: write it under [fixed]", last)
		}
	}
	return "known top-level keys: name, repetitions, seeds, [grid], [fixed]"
}

// Validate checks every value that can be checked without the data: known
// names, positive rates and lengths, no duplicates along an axis. Errors name
// the key (grid.lr[1], fixed.epochs, ...).
func (c *Config) Validate() error {
	g := &c.Grid
	if len(g.Connectome) == 0 {
		return errors.New("grid.connectome: expected at least one connectome (a registry name such as \"macaque\" or a file)")
	}
	if err := checkStrings("grid.connectome", g.Connectome, nil); err != nil {
		return err
	}
	for _, ax := range []struct {
		key   string
		vals  []string
		known []string
	}{
		{"grid.strategy", g.Strategy, Strategies},
		{"grid.task", g.Task, Tasks},
		{"grid.optimizer", g.Optimizer, Optimizers},
		{"grid.activation", g.Activation, Activations},
	} {
		if err := checkStrings(ax.key, ax.vals, ax.known); err != nil {
			return err
		}
	}
	for _, ax := range []struct {
		key  string
		vals []int
		min  int
	}{
		{"grid.pattern_length", g.PatternLength, 1},
		{"grid.n_back", g.NBack, 1},
		{"grid.trial_length", g.TrialLength, 2},
	} {
		if err := checkInts(ax.key, ax.vals, ax.min); err != nil {
			return err
		}
	}
	for i, lr := range g.LR {
		if !(lr > 0) || math.IsInf(lr, 0) {
			return fmt.Errorf("grid.lr[%d] = %g: expected a positive, finite learning rate", i, lr)
		}
	}
	if err := checkDup("grid.lr", g.LR); err != nil {
		return err
	}
	for _, n := range g.NBack {
		for _, l := range g.TrialLength {
			if n >= l {
				return fmt.Errorf("grid.n_back = %d with grid.trial_length = %d: expected n_back < trial_length (the compared picture is at step trial_length-1-n_back)", n, l)
			}
		}
	}
	switch {
	case c.Repetitions < 0:
		return fmt.Errorf("repetitions = %d: expected a count >= 1", c.Repetitions)
	case c.Repetitions > 0 && len(c.Seeds) > 0:
		return errors.New("repetitions and seeds are both set: give one of them")
	}
	if err := checkDup("seeds", c.Seeds); err != nil {
		return err
	}
	for i, s := range c.Seeds {
		if s == 0 {
			return fmt.Errorf("seeds[%d] = 0: expected a nonzero seed (0 means \"derive\" in a RunSpec)", i)
		}
	}
	return c.Fixed.validate()
}

func (f *Fixed) validate() error {
	for _, v := range []struct {
		key string
		val int
	}{
		{"fixed.neurons_per_region", f.NeuronsPerRegion}, {"fixed.trials", f.Trials},
		{"fixed.batch_size", f.BatchSize}, {"fixed.epochs", f.Epochs},
		{"fixed.patience", f.Patience}, {"fixed.threads", f.Threads}, {"fixed.neuron_scale", f.NeuronScale},
	} {
		if v.val < 0 {
			return fmt.Errorf("%s = %d: expected a count >= 1 (or leave it out for the default)", v.key, v.val)
		}
	}
	for _, v := range []struct {
		key    string
		val    float64
		lo, hi float64
	}{
		{"fixed.target_sparsity", f.TargetSparsity, 0, 1},
		{"fixed.intrinsic_sparsity", f.IntrinsicSparsity, 0, 1},
		{"fixed.intrinsic_weight", f.IntrinsicWeight, 0, 1},
		{"fixed.momentum", f.Momentum, 0, 1},
	} {
		if math.IsNaN(v.val) || v.val < v.lo || v.val > v.hi {
			return fmt.Errorf("%s = %g: expected a value in [%g, %g]", v.key, v.val, v.lo, v.hi)
		}
	}
	for _, v := range []struct {
		key string
		val float64
	}{{"fixed.spectral_radius", f.SpectralRadius}, {"fixed.weight_decay", f.WeightDecay}, {"fixed.clip_norm", f.ClipNorm}} {
		if math.IsNaN(v.val) || math.IsInf(v.val, 0) || v.val < 0 {
			return fmt.Errorf("%s = %g: expected a finite value >= 0", v.key, v.val)
		}
	}
	if f.Orientation != "" && f.Orientation != "target" && f.Orientation != "paper" {
		return fmt.Errorf("fixed.orientation = %q: expected \"target\" or \"paper\"", f.Orientation)
	}
	if f.ControlWeights != "" && f.ControlWeights != "random" && f.ControlWeights != "rank" && f.ControlWeights != "weights" {
		return fmt.Errorf("fixed.control_weights = %q: expected \"random\", \"rank\" or \"weights\"", f.ControlWeights)
	}
	if f.NeuronsFromDensity != "" && !contains(connectome.DensityMethods(), f.NeuronsFromDensity) {
		return fmt.Errorf("fixed.neurons_from_density = %q: expected one of %s", f.NeuronsFromDensity, strings.Join(connectome.DensityMethods(), ", "))
	}
	if f.DensityFill != "" && !contains(connectome.FillRules(), f.DensityFill) {
		return fmt.Errorf("fixed.density_fill = %q: expected one of %s", f.DensityFill, strings.Join(connectome.FillRules(), ", "))
	}
	if f.Path != "" && f.Path != "auto" && f.Path != "sparse" && f.Path != "dense" {
		return fmt.Errorf("fixed.path = %q: expected \"auto\", \"sparse\" or \"dense\"", f.Path)
	}
	return nil
}

func checkStrings(key string, vals, known []string) error {
	seen := map[string]bool{}
	for i, v := range vals {
		if v == "" {
			return fmt.Errorf("%s[%d] is empty", key, i)
		}
		if known != nil && !contains(known, v) {
			return fmt.Errorf("%s[%d] = %q: expected one of %s", key, i, v, strings.Join(known, ", "))
		}
		if seen[v] {
			return fmt.Errorf("%s: %q is listed twice", key, v)
		}
		seen[v] = true
	}
	return nil
}

func checkInts(key string, vals []int, min int) error {
	for i, v := range vals {
		if v < min {
			return fmt.Errorf("%s[%d] = %d: expected an integer >= %d", key, i, v, min)
		}
	}
	return checkDup(key, vals)
}

func checkDup[T comparable](key string, vals []T) error {
	seen := map[T]bool{}
	for _, v := range vals {
		if seen[v] {
			return fmt.Errorf("%s: %v is listed twice", key, v)
		}
		seen[v] = true
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// tagNames lists the toml keys of a struct, for hints.
func tagNames(v any) []string {
	t := reflect.TypeOf(v)
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = tomlKey(t.Field(i))
	}
	sort.Strings(names)
	return names
}

// tomlKey is a field's TOML key (its tag without options such as omitempty).
func tomlKey(f reflect.StructField) string {
	k, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return k
}

// seeds returns the repetition seeds: the explicit list, else 1..repetitions,
// else the single seed 1.
func (c *Config) seeds() []uint64 {
	if len(c.Seeds) > 0 {
		return c.Seeds
	}
	n := c.Repetitions
	if n == 0 {
		n = 1
	}
	s := make([]uint64, n)
	for i := range s {
		s[i] = uint64(i + 1)
	}
	return s
}

// base returns a RunSpec holding the fixed settings.
func (f *Fixed) base() rnn.RunSpec {
	return rnn.RunSpec{
		DataDir: f.DataDir, NeuronsPerRegion: f.NeuronsPerRegion, NeuronsFile: f.NeuronsFile,
		NeuronsFromDensity: f.NeuronsFromDensity, NeuronScale: f.NeuronScale, DensityFill: f.DensityFill,
		TargetSparsity: f.TargetSparsity, IntrinsicSparsity: f.IntrinsicSparsity,
		IntrinsicWeight: f.IntrinsicWeight, NoIntrinsic: f.NoIntrinsic, KeepDiag: f.KeepDiag,
		Homogeneous: f.Homogeneous, Orientation: f.Orientation, Init: f.Init,
		SpectralRadius: f.SpectralRadius, ControlWeights: f.ControlWeights, Trials: f.Trials, MNISTDir: f.MNISTDir,
		BatchSize: f.BatchSize, Epochs: f.Epochs, Momentum: f.Momentum, WeightDecay: f.WeightDecay,
		ClipNorm: f.ClipNorm, Patience: f.Patience, Threads: f.Threads, Kernels: f.Kernels, Path: f.Path,
	}
}

// orZero returns the axis, or a single zero value (= the default) if empty.
func orZero[T any](axis []T) []T {
	if len(axis) == 0 {
		var z T
		return []T{z}
	}
	return axis
}

// Specs expands the grid into run specs, in a fixed order: connectome, task,
// task parameter(s), optimizer, lr, activation, seed, and strategy innermost so
// that a bio run and its controls with the same seed are neighbours (and land
// in the same shard only by chance; shards split by position).
func (c *Config) Specs() []rnn.RunSpec {
	var out []rnn.RunSpec
	base := c.Fixed.base()
	g := &c.Grid
	for _, conn := range g.Connectome {
		for _, task := range orZero(g.Task) {
			type param struct{ l, n, tl int }
			var params []param
			if task == "" || task == "seq_mem" {
				for _, l := range orZero(g.PatternLength) {
					params = append(params, param{l: l})
				}
			} else {
				for _, n := range orZero(g.NBack) {
					for _, tl := range orZero(g.TrialLength) {
						params = append(params, param{n: n, tl: tl})
					}
				}
			}
			for _, p := range params {
				for _, opt := range orZero(g.Optimizer) {
					for _, lr := range orZero(g.LR) {
						for _, act := range orZero(g.Activation) {
							for _, seed := range c.seeds() {
								for _, strat := range orZero(g.Strategy) {
									s := base
									s.Connectome, s.Task, s.Strategy = conn, task, strat
									s.PatternLength, s.NBack, s.TrialLength = p.l, p.n, p.tl
									s.Optimizer, s.LR, s.Activation, s.Seed = opt, lr, act, seed
									out = append(out, s)
								}
							}
						}
					}
				}
			}
		}
	}
	return out
}
