package rnn

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/kernels"
)

// Group is what a setting belongs to.
type Group string

const (
	GroupNetwork  Group = "network"  // the connectome and how it becomes the recurrent network
	GroupTask     Group = "task"     // the task and its trials
	GroupTraining Group = "training" // optimizer, loss, epochs
	GroupRun      Group = "run"      // seeds and execution
)

// Setting is one run setting: a field of RunSpec with its one key, its
// default, what it allows and a line of help. The CLI flags, TOML sweeps,
// the C API's option keys, the Python and R arguments, `biornn settings` and
// the columns of the runs table all derive from Settings; text becomes a
// value only through (*RunSpec).Set.
type Setting struct {
	Key     string // snake_case; the CLI flag is Flag()
	Field   string // the RunSpec field
	Group   Group
	Default string // the default, or the rule that gives it
	Help    string
	// Aliases are older spellings still accepted (the CLI's --neurons, the
	// C API's "name" for the connectome).
	Aliases []string
	// Execution marks settings that say where data live or how the
	// arithmetic runs: they are recorded but are not part of a run's
	// identity (results.RunID), so a sweep resumes on another machine.
	Execution bool
	// Build marks the settings that decide the network's construction:
	// those 'biornn build' takes.
	Build bool

	rule  rule                   // what values are allowed
	fill  func(*RunSpec) error   // sets the default into a zero field; nil = none
	cross func(RunSpec) *Problem // a check that involves other settings; nil = none
	// applies is when the setting matters to a run (Applies); zero = always.
	applies when
}

// when is a condition on a run's settings, in code and in words.
type when struct {
	text string
	ok   func(RunSpec) bool
}

// Applies reports whether the setting matters to a run with the settings
// spec (after Defaults): a task parameter of another task, momentum without
// sgd, spectral_radius when no weights are scaled to it, ... do not. The
// runs table stores null for a setting that does not apply, and the report
// leaves it out.
func (s *Setting) Applies(spec RunSpec) bool { return s.applies.ok == nil || s.applies.ok(spec) }

// AppliesWhen says in words when the setting applies ("" = always).
func (s *Setting) AppliesWhen() string { return s.applies.text }

// The conditions of the settings that do not always apply.
var (
	whenLeaky       = when{"tau is set (the continuous-time option)", func(s RunSpec) bool { return s.Tau > 0 }}
	whenNoisy       = when{"noise_std is set", func(s RunSpec) bool { return s.NoiseStd > 0 }}
	whenDale        = when{"dale is set", func(s RunSpec) bool { return s.Dale }}
	whenNeuronTable = when{"neuron_table is set, or the connectome is a network folder or a neuron-level data set", func(s RunSpec) bool {
		return s.neuronFolder()
	}}
	whenFile = when{"connectome is a file, not a data set name", func(s RunSpec) bool {
		return !connectome.BuiltinName(s.Connectome)
	}}
	whenFlyVis    = when{"connectome is " + connectome.FlyVisName, func(s RunSpec) bool { return s.Connectome == connectome.FlyVisName }}
	whenNotFlyVis = when{"connectome is not " + connectome.FlyVisName + " (whose self-connections, a cell type's own column, are part of flyvis's network and always kept)", func(s RunSpec) bool {
		return s.Connectome != connectome.FlyVisName
	}}
	whenUniform = when{"neither neurons_file nor neurons_from_density is set", func(s RunSpec) bool {
		return s.NeuronsFile == "" && s.NeuronsFromDensity == ""
	}}
	whenDensity     = when{"neurons_from_density is set", func(s RunSpec) bool { return s.NeuronsFromDensity != "" }}
	whenIntrinsic   = when{"no_intrinsic is false", func(s RunSpec) bool { return !s.NoIntrinsic }}
	whenSplit       = when{"homogeneous is false", func(s RunSpec) bool { return !s.Homogeneous }}
	whenSeqMem      = when{"task is seq_mem", func(s RunSpec) bool { return s.Task == TaskSeqMem }}
	whenBuiltinTask = when{"task is a built-in task (an arrays task has its own trials)", func(s RunSpec) bool { return s.Task.Builtin() }}
	whenArraysTask  = when{"task is arrays:FILE (a built-in task has its own loss)", func(s RunSpec) bool {
		_, ok := s.Task.ArraysFile()
		return ok
	}}
	whenNBack = when{"task is nback_mem or pic_latent_mem", func(s RunSpec) bool {
		return s.Task == TaskNBackMem || s.Task == TaskPicLatentMem
	}}
	whenPictures = when{"task is pic_latent_mem", func(s RunSpec) bool { return s.Task == TaskPicLatentMem }}
	whenSGD      = when{"optimizer is sgd", func(s RunSpec) bool { return s.Optimizer == OptimizerSGD }}
	whenScaled   = when{"strategy is bio-weights, or a control with control_weights weights", func(s RunSpec) bool {
		return s.Strategy == StrategyBioWeights || s.Strategy.IsControl() && s.ControlWeights == ControlWeights
	}}
	whenControl = when{"strategy is a control (a null model)", func(s RunSpec) bool { return s.Strategy.IsControl() }}
)

// Flag is the setting's command-line flag name: the key in kebab case.
func (s *Setting) Flag() string { return strings.ReplaceAll(s.Key, "_", "-") }

// Kind is the value's type: "string", "int", "float", "bool" or "uint64".
func (s *Setting) Kind() string {
	f, _ := reflect.TypeOf(RunSpec{}).FieldByName(s.Field)
	switch f.Type.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int:
		return "int"
	case reflect.Float64:
		return "float"
	case reflect.Bool:
		return "bool"
	case reflect.Uint64:
		return "uint64"
	}
	panic("rnn: setting " + s.Key + ": unsupported field type " + f.Type.String())
}

// Allowed says in words which values the setting takes.
func (s *Setting) Allowed() string { return s.rule.allowed() }

// Values lists the allowed values of an enumerated setting (nil otherwise).
func (s *Setting) Values() []string {
	if e, ok := s.rule.(oneOf); ok {
		return e.values()
	}
	if _, ok := s.rule.(taskRule); ok {
		return names(Tasks()) // or arrays:FILE
	}
	if _, ok := s.rule.(trainRule); ok {
		return TrainGroups() // or a comma-separated subset
	}
	return nil
}

// Get returns the setting's value in spec (string, int, float64, bool or
// uint64).
func (s *Setting) Get(spec RunSpec) any {
	v := reflect.ValueOf(spec).FieldByName(s.Field)
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int:
		return int(v.Int())
	case reflect.Float64:
		return v.Float()
	case reflect.Bool:
		return v.Bool()
	case reflect.Uint64:
		return v.Uint()
	}
	return v.Interface()
}

// Format writes the setting's value in spec as text that Set reads back.
func (s *Setting) Format(spec RunSpec) string {
	switch v := s.Get(spec).(type) {
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// Problem is an invalid setting: its key, the value as text, and what is
// expected (or the underlying error, such as a file that cannot be read).
// Every layer names the key its own way (Problem.Describe): --flag on the
// command line, fixed.key in a sweep file, option "key" in the C API.
type Problem struct {
	Key   string // the setting's key
	Value string // the offending value as text
	Want  string // what is allowed, in words
	Err   error  // the cause, when it is not a range (an unreadable file, ...)
}

func (p *Problem) Error() string { return p.Describe(p.Key) }

func (p *Problem) Unwrap() error { return p.Err }

// Describe is the message with the key written as name.
func (p *Problem) Describe(name string) string {
	msg := name
	if p.Value != "" {
		msg += " = " + p.Value
	}
	if p.Want != "" {
		msg += ": expected " + p.Want
	}
	if p.Err != nil {
		msg += ": " + p.Err.Error()
	}
	return msg
}

// AsProblem returns the *Problem in err's chain, if any.
func AsProblem(err error) (*Problem, bool) {
	var p *Problem
	ok := errors.As(err, &p)
	return p, ok
}

// UnknownKeyError is a key that is no setting.
type UnknownKeyError struct{ Key string }

func (e *UnknownKeyError) Error() string {
	return fmt.Sprintf("unknown setting %q (biornn settings lists them)", e.Key)
}

// Settings returns the table, in a fixed order (by group).
func Settings() []*Setting { return append([]*Setting(nil), settings...) }

// LookupSetting finds a setting by key or alias.
func LookupSetting(key string) (*Setting, bool) {
	for _, s := range settings {
		if s.Key == key || slices.Contains(s.Aliases, key) {
			return s, true
		}
	}
	return nil, false
}

// Set parses text as the value of the setting key and stores it in spec.
// A value out of range is a *Problem naming the key; an unknown key an
// *UnknownKeyError. spec is unchanged on error.
func (spec *RunSpec) Set(key, text string) error {
	s, ok := LookupSetting(key)
	if !ok {
		return &UnknownKeyError{Key: key}
	}
	return s.set(spec, key, text)
}

// set parses and stores text; a Problem names the key as the caller wrote
// it (an alias stays an alias, so the message shows what was typed).
func (s *Setting) set(spec *RunSpec, key, text string) error {
	bad := func(want string) error { return &Problem{Key: key, Value: quoteText(s, text), Want: want} }
	text = strings.TrimSpace(text)
	f := reflect.ValueOf(spec).Elem().FieldByName(s.Field)
	var v reflect.Value
	switch f.Kind() {
	case reflect.String:
		v = reflect.ValueOf(text).Convert(f.Type())
	case reflect.Int:
		n, err := strconv.ParseInt(text, 10, 0)
		if err != nil {
			return bad(s.Allowed())
		}
		v = reflect.ValueOf(int(n))
	case reflect.Float64:
		x, err := strconv.ParseFloat(text, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return bad(s.Allowed())
		}
		v = reflect.ValueOf(x)
	case reflect.Bool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return bad("true or false")
		}
		v = reflect.ValueOf(b)
	case reflect.Uint64:
		n, err := strconv.ParseUint(text, 10, 64)
		if err != nil {
			return bad(s.Allowed())
		}
		v = reflect.ValueOf(n)
	}
	if !s.rule.ok(v) {
		return bad(s.Allowed())
	}
	f.Set(v)
	return nil
}

// Clear sets the setting's field in spec to its zero value.
func (s *Setting) Clear(spec *RunSpec) {
	f := reflect.ValueOf(spec).Elem().FieldByName(s.Field)
	f.Set(reflect.Zero(f.Type()))
}

// Check checks the setting's value in spec against its rule (not the
// rules that involve other settings).
func (s *Setting) Check(spec RunSpec) error {
	v := reflect.ValueOf(spec).FieldByName(s.Field)
	if s.rule.ok(v) {
		return nil
	}
	return &Problem{Key: s.Key, Value: quoteText(s, s.Format(spec)), Want: s.Allowed()}
}

// quoteText shows a text value in quotes, so an empty one is visible.
func quoteText(s *Setting, text string) string {
	if s.Kind() == "string" {
		return strconv.Quote(text)
	}
	return text
}

// rule is what values a setting allows.
type rule interface {
	ok(v reflect.Value) bool
	allowed() string
}

// oneOf: one of a list (of an enumeration, or the empty "off" when optional).
type oneOf struct {
	values   func() []string
	optional string // what "" means, when "" is allowed
}

func (r oneOf) ok(v reflect.Value) bool {
	s := v.String()
	return (s == "" && r.optional != "") || slices.Contains(r.values(), s)
}

func (r oneOf) allowed() string {
	out := "one of " + strings.Join(r.values(), ", ")
	if r.optional != "" {
		out += ` (or "": ` + r.optional + ")"
	}
	return out
}

// text: any text (a name or a path); required says "" is not allowed.
type text struct{ required bool }

func (r text) ok(v reflect.Value) bool { return !r.required || v.String() != "" }
func (r text) allowed() string {
	if r.required {
		return "a non-empty text"
	}
	return "a text"
}

// atLeast: an integer >= min (and <= max when max > 0).
type atLeast struct{ min, max int64 }

func (r atLeast) ok(v reflect.Value) bool {
	if v.Kind() == reflect.Uint64 {
		return v.Uint() >= uint64(r.min) && (r.max <= 0 || v.Uint() <= uint64(r.max))
	}
	return v.Int() >= r.min && (r.max <= 0 || v.Int() <= r.max)
}

func (r atLeast) allowed() string {
	if r.max > 0 {
		return fmt.Sprintf("an integer in %d..%d", r.min, r.max)
	}
	return fmt.Sprintf("an integer >= %d", r.min)
}

// unsetOr: 0 (unset: the default fills it where the setting applies) or a
// value the rule allows.
type unsetOr struct{ atLeast }

func (r unsetOr) ok(v reflect.Value) bool { return v.IsZero() || r.atLeast.ok(v) }

func (r unsetOr) allowed() string { return r.atLeast.allowed() }

// interval: a finite number in an interval, ends open or closed.
type interval struct {
	lo, hi         float64 // hi may be +Inf
	loOpen, hiOpen bool
}

func (r interval) ok(v reflect.Value) bool {
	x := v.Float()
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return false
	}
	return (x > r.lo || !r.loOpen && x == r.lo) && (x < r.hi || !r.hiOpen && x == r.hi)
}

func (r interval) allowed() string {
	if math.IsInf(r.hi, 1) {
		if r.loOpen {
			return fmt.Sprintf("a finite number > %g", r.lo)
		}
		return fmt.Sprintf("a finite number >= %g", r.lo)
	}
	l, h := "[", "]"
	if r.loOpen {
		l = "("
	}
	if r.hiOpen {
		h = ")"
	}
	return fmt.Sprintf("a number in %s%g, %g%s", l, r.lo, r.hi, h)
}

// trainRule: a comma-separated subset of the parameter groups.
type trainRule struct{}

func (trainRule) ok(v reflect.Value) bool { _, err := ParseTrainGroups(v.String()); return err == nil }
func (trainRule) allowed() string {
	return "a comma-separated subset of " + strings.Join(TrainGroups(), ", ")
}

// taskRule: a built-in task, or arrays:FILE.
type taskRule struct{}

func (taskRule) ok(v reflect.Value) bool {
	t := Task(v.String())
	f, ok := t.ArraysFile()
	return t.Builtin() || (ok && f != "")
}

func (taskRule) allowed() string {
	return "one of " + strings.Join(names(Tasks()), ", ") + ", or " + ArraysTaskPrefix + "FILE.npz"
}

// anyBool: true or false.
type anyBool struct{}

func (anyBool) ok(reflect.Value) bool { return true }
func (anyBool) allowed() string       { return "true or false" }

// anyUint: any whole number (a seed).
type anyUint struct{ zero string }

func (anyUint) ok(reflect.Value) bool { return true }
func (r anyUint) allowed() string {
	return "a whole number 0..18446744073709551615 (" + r.zero + ")"
}

func enumOf[T ~string](list func() []T) func() []string {
	return func() []string { return names(list()) }
}

// defaultTo returns a fill that sets value into the zero field.
func defaultTo[T comparable](field func(*RunSpec) *T, value T) func(*RunSpec) error {
	return func(s *RunSpec) error {
		var zero T
		if p := field(s); *p == zero {
			*p = value
		}
		return nil
	}
}

var positive = interval{lo: 0, hi: math.Inf(1), loOpen: true}
var nonNegative = interval{lo: 0, hi: math.Inf(1)}

// settings is the table. Defaults are filled in this order, so a rule may
// use the settings above it (trials follow the task, lr the optimizer).
var settings = []*Setting{
	// Network.
	{Key: "connectome", Build: true, Field: "Connectome", Group: GroupNetwork, Default: "macaque",
		Help: "a built-in data set (biornn connectomes) or a matrix / edge-list file",
		rule: text{required: true}, fill: defaultTo(func(s *RunSpec) *string { return &s.Connectome }, "macaque")},
	{Key: "connectome_format", Build: true, Field: "ConnectomeFormat", Group: GroupNetwork, Default: connectome.FormatAuto, Aliases: []string{"format"},
		Help: "how a connectome file is read: matrix (.npy or a dense table), edges (an edge list), or auto: by extension (.npy .csv .tsv matrix, .edges .edgelist edge list; others only when just one reading works)", applies: whenFile,
		rule: oneOf{values: connectome.Formats, optional: "auto"},
		fill: func(s *RunSpec) error {
			if s.ConnectomeFormat == connectome.FormatAuto {
				s.ConnectomeFormat = "" // one run id for auto, spelt out or not
			}
			return nil
		}},
	{Key: "data_dir", Build: true, Execution: true, Field: "DataDir", Group: GroupNetwork, Default: "$BIORNN_DATA, else the built-in data",
		Help: "a folder whose data sets replace the built-in ones of the same name",
		rule: text{}},
	{Key: "neurons_per_region", Build: true, Field: "NeuronsPerRegion", Group: GroupNetwork, Default: "4", Aliases: []string{"neurons"},
		Help: "neurons of every region (the paper's 4)", applies: whenUniform,
		rule: atLeast{min: 1}, fill: defaultTo(func(s *RunSpec) *int { return &s.NeuronsPerRegion }, 4)},
	{Key: "neurons_file", Build: true, Field: "NeuronsFile", Group: GroupNetwork, Default: "none",
		Help: "neurons per region from a file (one integer per line, or .npy); overrides neurons_per_region",
		rule: text{}},
	{Key: "neurons_from_density", Build: true, Field: "NeuronsFromDensity", Group: GroupNetwork, Default: "off",
		Help: "neurons per region from the data set's neuron densities (macaque, marmoset); overrides neurons_per_region",
		rule: oneOf{values: connectome.DensityMethods, optional: "off"},
		cross: func(s RunSpec) *Problem {
			if s.NeuronsFromDensity != "" && s.NeuronsFile != "" {
				return &Problem{Key: "neurons_from_density", Value: strconv.Quote(s.NeuronsFromDensity), Want: fmt.Sprintf("no neurons_from_density together with neurons_file (%q): give the counts one way", s.NeuronsFile)}
			}
			return nil
		}},
	{Key: "neuron_scale", Build: true, Field: "NeuronScale", Group: GroupNetwork, Default: "1 for rank and ratio; required for proportional",
		Help: "neurons per rank step (rank), of the lowest-density region (ratio), or about the total (proportional)", applies: whenDensity,
		rule: atLeast{min: 0},
		fill: func(s *RunSpec) error {
			if s.NeuronScale == 0 && (s.NeuronsFromDensity == connectome.DensityRank || s.NeuronsFromDensity == connectome.DensityRatio) {
				s.NeuronScale = 1
			}
			return nil
		},
		cross: func(s RunSpec) *Problem {
			switch {
			case s.NeuronsFromDensity == "" && s.NeuronScale != 0:
				return &Problem{Key: "neuron_scale", Value: strconv.Itoa(s.NeuronScale), Want: "no neuron_scale unless neurons_from_density is set"}
			case s.NeuronsFromDensity == connectome.DensityProportional && s.NeuronScale == 0:
				return &Problem{Key: "neuron_scale", Value: "0", Want: `the approximate total number of neurons (>= 1) for neurons_from_density "proportional"`}
			}
			return nil
		}},
	{Key: "density_fill", Build: true, Field: "DensityFill", Group: GroupNetwork, Default: "none: a missing density is an error",
		Help: "how regions without a measured neuron density are filled (with neurons_from_density)", applies: whenDensity,
		rule: oneOf{values: connectome.FillRules, optional: "a missing density is an error"},
		cross: func(s RunSpec) *Problem {
			if s.DensityFill != "" && s.NeuronsFromDensity == "" {
				return &Problem{Key: "density_fill", Value: strconv.Quote(s.DensityFill), Want: "no density_fill unless neurons_from_density is set"}
			}
			return nil
		}},
	{Key: "target_sparsity", Build: true, Field: "TargetSparsity", Group: GroupNetwork, Default: "0.8",
		Help: "share of a target region's neurons each source neuron reaches (bio2art)",
		rule: interval{lo: 0, hi: 1, loOpen: true}, fill: defaultTo(func(s *RunSpec) *float64 { return &s.TargetSparsity }, 0.8)},
	{Key: "intrinsic_sparsity", Build: true, Field: "IntrinsicSparsity", Group: GroupNetwork, Default: "1",
		Help: "share of a region's own neurons each neuron reaches", applies: whenIntrinsic,
		rule: interval{lo: 0, hi: 1, loOpen: true}, fill: defaultTo(func(s *RunSpec) *float64 { return &s.IntrinsicSparsity }, 1)},
	{Key: "intrinsic_weight", Build: true, Field: "IntrinsicWeight", Group: GroupNetwork, Default: "0.8",
		Help: "share w of a region's input that is intrinsic (blocks sum to w/(1-w) x the column sum); no_intrinsic for none", applies: whenIntrinsic,
		rule: interval{lo: 0, hi: 1, loOpen: true, hiOpen: true}, fill: defaultTo(func(s *RunSpec) *float64 { return &s.IntrinsicWeight }, 0.8)},
	{Key: "no_intrinsic", Build: true, Field: "NoIntrinsic", Group: GroupNetwork, Default: "false",
		Help: "no connections within a region", rule: anyBool{}},
	{Key: "keep_diag", Build: true, Field: "KeepDiag", Group: GroupNetwork, Default: "false", applies: whenNotFlyVis,
		Help: "keep self-connections", rule: anyBool{}},
	{Key: "level", Build: true, Field: "Level", Group: GroupNetwork, Default: connectome.LevelRegion,
		Help: "region: a region-level connectome up-scaled to neurons (bio2art); neuron: an edge list between neurons (columns pre, post, weight or syn_count; CSV, TSV or Parquet), used as it is (the default with neuron_table)",
		rule: oneOf{values: func() []string { return []string{connectome.LevelRegion, connectome.LevelNeuron} }, optional: connectome.LevelRegion},
		fill: func(s *RunSpec) error {
			switch {
			case s.Level == connectome.LevelRegion:
				s.Level = "" // the default, stored empty so runs keep their ids
			case s.Level == "" && s.neuronFolder():
				s.Level = connectome.LevelNeuron
			}
			return nil
		}},
	{Key: "neuron_table", Build: true, Field: "NeuronTable", Group: GroupNetwork, Default: "none",
		Help: "neuron-level data: a table of the neurons (CSV, TSV or Parquet: id, and optionally sign, nt_type, type, region, role); implies level neuron",
		rule: text{}},
	{Key: "extent", Build: true, Field: "Extent", Group: GroupNetwork, Default: strconv.Itoa(connectome.FlyVisDefaultExtent), applies: whenFlyVis,
		Help: "flyvis-optic-lobe: the hexagonal lattice's radius in columns (3: 2,345 neurons and 63,209 connections; 15, flyvis's default: 45,669 and 1,513,231)",
		rule: unsetOr{atLeast{min: 1, max: connectome.FlyVisMaxExtent}},
		fill: func(s *RunSpec) error {
			if s.Connectome == connectome.FlyVisName && s.Extent == 0 {
				s.Extent = connectome.FlyVisDefaultExtent
			}
			return nil
		},
		cross: func(s RunSpec) *Problem {
			if s.Extent != 0 && s.Connectome != connectome.FlyVisName {
				return &Problem{Key: "extent", Value: strconv.Itoa(s.Extent), Want: "connectome " + connectome.FlyVisName + " (the lattice of the fly optic lobe); other connectomes have no extent"}
			}
			return nil
		}},
	{Key: "gap_junctions", Build: true, Field: "GapJunctions", Group: GroupNetwork, Default: "false", applies: whenNeuronTable,
		Help: "neuron-level network folders with " + connectome.GapJunctionsFile + " (celegans): add the gap junctions to the chemical connections, their counts summed where both join a pair (an electrical synapse is a connection of each direction; under dale it takes its presynaptic neuron's sign like every weight)",
		rule: anyBool{}},
	{Key: "homogeneous", Build: true, Field: "Homogeneous", Group: GroupNetwork, Default: "false",
		Help: "equal weights within a block instead of a random split", rule: anyBool{}},
	{Key: "partition", Build: true, Field: "Partition", Group: GroupNetwork, Default: connectome.PartitionPositive,
		Help: "how a block's weight is split among its connections: positive (flat Dirichlet, every part > 0) or bio2art (its stick-breaking split, as the paper's code ran)", applies: whenSplit,
		rule: oneOf{values: connectome.Partitions, optional: connectome.PartitionPositive},
		fill: func(s *RunSpec) error {
			if s.Partition == connectome.PartitionPositive {
				s.Partition = "" // one run id for the default, spelt out or not
			}
			return nil
		}},
	{Key: "network_per", Build: true, Field: "NetworkPer", Group: GroupNetwork, Default: string(NetworkPerSeed),
		Help: "which runs share one up-scaled network: each seed its own, or the whole experiment one (build_seed, default the one seed 1 derives; controls still drawn per seed), as the paper's code",
		rule: oneOf{values: enumOf(NetworkPers), optional: string(NetworkPerSeed)},
		fill: func(s *RunSpec) error {
			if s.NetworkPer == NetworkPerSeed {
				s.NetworkPer = ""
			}
			return nil
		}},
	{Key: "strategy", Build: true, Field: "Strategy", Group: GroupNetwork, Default: string(StrategyBioRandom), Aliases: []string{"null"},
		Help: "bio topology with random, rank-mapped or connectome weights, or a control (a null model)",
		rule: oneOf{values: enumOf(Strategies)}, fill: defaultTo(func(s *RunSpec) *Strategy { return &s.Strategy }, StrategyBioRandom)},
	{Key: "orientation", Build: true, Field: "Orientation", Group: GroupNetwork, Default: string(OrientationTarget),
		Help: "target: W_hh = W_bio^T (row i = inputs of neuron i); paper: W_hh = W_bio as the paper's code",
		rule: oneOf{values: enumOf(Orientations)}, fill: defaultTo(func(s *RunSpec) *Orientation { return &s.Orientation }, OrientationTarget)},

	// Task.
	{Key: "task", Field: "Task", Group: GroupTask, Default: string(TaskSeqMem),
		Help: "the task: a built-in working-memory task, or arrays:FILE.npz with x (trials, steps, inputs), y and optional loss_mask, split, n_classes",
		rule: taskRule{}, fill: defaultTo(func(s *RunSpec) *Task { return &s.Task }, TaskSeqMem)},
	{Key: "loss", Field: "Loss", Group: GroupTask, Default: "the task's: mse for seq_mem, nll for the n-back tasks; an arrays task's from y (integer labels: nll)",
		Help: "training loss: mse or nll (log-softmax + negative log-likelihood)", applies: whenArraysTask,
		rule: oneOf{values: enumOf(Losses), optional: "the task's"},
		cross: func(s RunSpec) *Problem {
			if s.Loss != "" && s.Task.Builtin() && s.Loss != builtinLoss(s.Task) {
				return &Problem{Key: "loss", Value: strconv.Quote(string(s.Loss)), Want: fmt.Sprintf("%s (or nothing) for the built-in task %s", builtinLoss(s.Task), s.Task)}
			}
			return nil
		}},
	{Key: "pattern_length", Field: "PatternLength", Group: GroupTask, Default: "3",
		Help: "seq_mem: values to remember (L)", applies: whenSeqMem,
		rule: atLeast{min: 1}, fill: defaultTo(func(s *RunSpec) *int { return &s.PatternLength }, 3)},
	{Key: "n_back", Field: "NBack", Group: GroupTask, Default: "2",
		Help: "n-back tasks: how far back the compared item is (< trial_length)", applies: whenNBack,
		rule: atLeast{min: 1}, fill: defaultTo(func(s *RunSpec) *int { return &s.NBack }, 2),
		cross: func(s RunSpec) *Problem {
			if s.Task != TaskSeqMem && s.NBack > s.TrialLength-1 {
				return &Problem{Key: "n_back", Value: strconv.Itoa(s.NBack), Want: fmt.Sprintf("1..%d (trial_length - 1)", s.TrialLength-1)}
			}
			return nil
		}},
	{Key: "trial_length", Field: "TrialLength", Group: GroupTask, Default: "5",
		Help: "n-back tasks: items per trial (L)", applies: whenNBack,
		rule: atLeast{min: 2}, fill: defaultTo(func(s *RunSpec) *int { return &s.TrialLength }, 5)},
	{Key: "trials", Field: "Trials", Group: GroupTask, Default: "500 for seq_mem, 1000 for the n-back tasks (the paper's)",
		Help: "trials, 80% for training and 20% for validation", applies: whenBuiltinTask,
		rule: atLeast{min: 5},
		fill: func(s *RunSpec) error {
			if s.Trials == 0 {
				// The paper's: 500 for seq_mem; 500 matching plus 500
				// non-matching for the n-back tasks.
				s.Trials = 1000
				if s.Task == TaskSeqMem {
					s.Trials = 500
				}
			}
			return nil
		}},
	{Key: "mnist_dir", Execution: true, Field: "MNISTDir", Group: GroupTask, Default: "$BIORNN_MNIST, else mnist-latent in or beside the data folder",
		Help: "pic_latent_mem: the folder with " + MNISTLatentFile + " and " + MNISTLabelsFile, applies: whenPictures,
		rule: text{},
		cross: func(s RunSpec) *Problem {
			if s.Task == TaskPicLatentMem && s.MNISTDir == "" {
				return &Problem{Key: "mnist_dir", Value: `""`, Want: "the folder with " + MNISTLatentFile + " and " + MNISTLabelsFile + " for pic_latent_mem (biornn data fetch mnist-latent)"}
			}
			return nil
		}},

	// Training.
	{Key: "batch_size", Field: "BatchSize", Group: GroupTraining, Default: "128",
		Help: "trials per mini-batch", rule: atLeast{min: 1}, fill: defaultTo(func(s *RunSpec) *int { return &s.BatchSize }, 128)},
	{Key: "epochs", Field: "Epochs", Group: GroupTraining, Default: "500",
		Help: "passes over the training trials", rule: atLeast{min: 1}, fill: defaultTo(func(s *RunSpec) *int { return &s.Epochs }, 500)},
	{Key: "optimizer", Field: "Optimizer", Group: GroupTraining, Default: string(OptimizerAdam),
		Help: "PyTorch's Adam, RMSprop or SGD",
		rule: oneOf{values: enumOf(Optimizers)}, fill: defaultTo(func(s *RunSpec) *Optimizer { return &s.Optimizer }, OptimizerAdam)},
	{Key: "lr", Field: "LR", Group: GroupTraining, Default: "1e-3 for adam, 1e-2 for rmsprop and sgd",
		Help: "learning rate", rule: positive,
		fill: func(s *RunSpec) error {
			if s.LR == 0 {
				s.LR = 1e-2
				if s.Optimizer == OptimizerAdam {
					s.LR = 1e-3
				}
			}
			return nil
		}},
	{Key: "momentum", Field: "Momentum", Group: GroupTraining, Default: "0",
		Help: "sgd momentum", rule: interval{lo: 0, hi: 1, hiOpen: true}, applies: whenSGD,
		cross: func(s RunSpec) *Problem {
			if s.Momentum != 0 && s.Optimizer != OptimizerSGD {
				return &Problem{Key: "momentum", Value: strconv.FormatFloat(s.Momentum, 'g', -1, 64), Want: `0 unless optimizer is "sgd"`}
			}
			return nil
		}},
	{Key: "weight_decay", Field: "WeightDecay", Group: GroupTraining, Default: "0",
		Help: "L2 penalty added to the gradient", rule: nonNegative},
	{Key: "clip_norm", Field: "ClipNorm", Group: GroupTraining, Default: "0 (off)",
		Help: "clip the gradient's total 2-norm to this value (0 = off)", rule: nonNegative},
	{Key: "activation", Field: "Activation", Group: GroupTraining, Default: string(ActivationTanh),
		Help: "recurrent nonlinearity",
		rule: oneOf{values: enumOf(Activations)}, fill: defaultTo(func(s *RunSpec) *Activation { return &s.Activation }, ActivationTanh)},
	{Key: "init", Field: "Init", Group: GroupTraining, Default: string(InitDefault),
		Help: "initial weights: PyTorch's default uniform, Xavier or He",
		rule: oneOf{values: enumOf(InitSchemes)}, fill: defaultTo(func(s *RunSpec) *InitScheme { return &s.Init }, InitDefault)},
	{Key: "spectral_radius", Field: "SpectralRadius", Group: GroupTraining, Default: "1",
		Help: "spectral radius the connectome weights are scaled to (bio-weights)", applies: whenScaled,
		rule: positive, fill: defaultTo(func(s *RunSpec) *float64 { return &s.SpectralRadius }, 1)},
	{Key: "init_radius", Field: "InitRadius", Group: GroupTraining, Default: "0 (off)",
		Help: "rescale the initial recurrent weights to this spectral radius, whatever the strategy: a network and its control start at the same dynamics scale",
		rule: nonNegative},
	{Key: "control_weights", Field: "ControlWeights", Group: GroupTraining, Default: string(ControlRandom),
		Help: "a control's recurrent weights: random, rank-mapped or the carried weights", applies: whenControl,
		rule: oneOf{values: enumOf(ControlWeightsModes)}, fill: defaultTo(func(s *RunSpec) *ControlWeightsMode { return &s.ControlWeights }, ControlRandom)},
	{Key: "batch_order", Field: "BatchOrder", Group: GroupTraining, Default: string(BatchOrderShuffled),
		Help: "the training trials' order: reshuffled every epoch, or shuffled once and fixed (the paper's loader)",
		rule: oneOf{values: enumOf(BatchOrders), optional: string(BatchOrderShuffled)},
		fill: func(s *RunSpec) error {
			if s.BatchOrder == BatchOrderShuffled {
				s.BatchOrder = ""
			}
			return nil
		}},
	{Key: "train", Field: "Train", Group: GroupTraining, Default: "recurrent,input,readout",
		Help: "the parameter groups training updates: any of recurrent (W_hh, b), input (W_in), readout (W_out, b_out); readout alone is reservoir computing, and the paper's freeze_layer leaves out recurrent",
		rule: trainRule{},
		fill: func(s *RunSpec) error {
			g, err := ParseTrainGroups(s.Train)
			if err != nil {
				return &Problem{Key: "train", Value: strconv.Quote(s.Train), Err: err}
			}
			s.Train = strings.Join(g, ",")
			if len(g) == len(TrainGroups()) {
				s.Train = "" // every group: the default, stored empty so runs keep their ids
			}
			return nil
		}},
	{Key: "patience", Field: "Patience", Group: GroupTraining, Default: "0 (off)",
		Help: "stop after this many epochs without a lower validation loss (0 = off)", rule: atLeast{min: 0}},
	{Key: "tau", Field: "Tau", Group: GroupTraining, Default: "0 (off: the Elman update h_t = act(...))",
		Help: "continuous-time option: the state's time constant; h_t = (1 - alpha) h_{t-1} + alpha act(...) with alpha = dt/tau",
		rule: nonNegative,
		cross: func(s RunSpec) *Problem {
			if s.Tau > 0 && s.Tau < s.dt() {
				return &Problem{Key: "tau", Value: strconv.FormatFloat(s.Tau, 'g', -1, 64), Want: fmt.Sprintf("0 (off) or at least dt (%g): alpha = dt/tau must not exceed 1", s.dt())}
			}
			return nil
		}},
	{Key: "dt", Field: "DT", Group: GroupTraining, Default: "1", applies: whenLeaky,
		Help: "continuous-time option: the step, in tau's unit",
		rule: nonNegative,
		fill: func(s *RunSpec) error {
			if s.Tau > 0 && s.DT == 0 {
				s.DT = 1 // only with tau: runs without the option keep their ids
			}
			return nil
		},
		cross: func(s RunSpec) *Problem {
			if s.DT != 0 && s.Tau == 0 {
				return &Problem{Key: "dt", Value: strconv.FormatFloat(s.DT, 'g', -1, 64), Want: "no dt without tau (the continuous-time option)"}
			}
			return nil
		}},
	{Key: "noise_std", Field: "NoiseStd", Group: GroupTraining, Default: "0 (off)",
		Help: "standard deviation of the Gaussian noise added to every neuron's pre-activation at every training step (a stream of noise_seed; validation and prediction run without it)",
		rule: nonNegative},
	{Key: "dale", Field: "Dale", Group: GroupTraining, Default: "false",
		Help: "Dale's law: every neuron's outgoing recurrent weights keep its sign (from neuron_table: sign, else nt_type) through training, by projection after every step",
		rule: anyBool{},
		cross: func(s RunSpec) *Problem {
			if s.Dale && !s.neuronFolder() {
				return &Problem{Key: "dale", Value: "true", Want: "a neuron_table (or a network folder's neurons.parquet) with a sign or nt_type per neuron"}
			}
			return nil
		}},
	{Key: "input_neurons", Field: "InputNeurons", Group: GroupTask, Default: "all", applies: whenNeuronTable,
		Help: "neuron-level data: the neurons that receive the input, e.g. role:sensory or type:R1,R2 or region:head or id:a,b (';' adds selectors); the others' input weights stay 0",
		rule: text{}},
	{Key: "output_neurons", Field: "OutputNeurons", Group: GroupTask, Default: "all", applies: whenNeuronTable,
		Help: "neuron-level data: the neurons the readout sees (same selectors); the others' readout weights stay 0",
		rule: text{}},
	{Key: "glutamate", Field: "Glutamate", Group: GroupTraining, Default: "inhibitory", applies: whenDale,
		Help: "Dale's law: the sign of glutamatergic neurons (nt_type glutamate): inhibitory in flies, excitatory in worms and vertebrates",
		rule: oneOf{values: func() []string { return []string{"inhibitory", "excitatory"} }, optional: "inhibitory"}},
	{Key: "unknown_transmitter", Field: "UnknownTransmitter", Group: GroupTraining, Default: "error", applies: whenDale,
		Help: "Dale's law: neurons with neither a sign nor a known nt_type (or with several): an error listing them, or excitatory, or inhibitory",
		rule: oneOf{values: func() []string { return []string{"error", "excitatory", "inhibitory"} }, optional: "error"}},
	{Key: "init_from", Field: "InitFrom", Group: GroupTraining, Default: "none: a new network",
		Help: "continue training a saved network (save_network's folder): its wiring, parameters, optimizer state and batch order; epochs more epochs follow its own",
		rule: text{}},

	// Run: seeds and execution.
	{Key: "save_network", Execution: true, Field: "SaveNetwork", Group: GroupRun, Default: "none",
		Help: "after training, save the network into this folder (wiring, parameters, optimizer state, settings): for analysis, or to continue with init_from",
		rule: text{}},
	{Key: "seed", Build: true, Field: "Seed", Group: GroupRun, Default: "1",
		Help: "derives the build, data and init seeds that are not given",
		rule: atLeast{min: 1}, fill: defaultTo(func(s *RunSpec) *uint64 { return &s.Seed }, 1)},
	{Key: "build_seed", Build: true, Field: "BuildSeed", Group: GroupRun, Default: "derived from seed",
		Help: "the up-scaling and the null model", rule: anyUint{zero: "0 = derived from seed"},
		fill: func(s *RunSpec) error {
			base := s.Seed
			if s.NetworkPer == NetworkPerExperiment {
				base = 1 // one network for every seed of the experiment
			}
			s.BuildSeed = orDerived(s.BuildSeed, base, 1)
			return nil
		}},
	{Key: "data_seed", Field: "DataSeed", Group: GroupRun, Default: "derived from seed",
		Help: "the task's trials", rule: anyUint{zero: "0 = derived from seed"},
		fill: func(s *RunSpec) error { s.DataSeed = orDerived(s.DataSeed, s.Seed, 2); return nil }},
	{Key: "init_seed", Field: "InitSeed", Group: GroupRun, Default: "derived from seed",
		Help: "the initial weights and the mini-batch order", rule: anyUint{zero: "0 = derived from seed"},
		fill: func(s *RunSpec) error { s.InitSeed = orDerived(s.InitSeed, s.Seed, 3); return nil }},
	{Key: "noise_seed", Field: "NoiseSeed", Group: GroupRun, Default: "derived from seed (with noise_std)", applies: whenNoisy,
		Help: "the training noise's stream (noise_std)", rule: anyUint{zero: "0 = derived from seed"},
		fill: func(s *RunSpec) error {
			if s.NoiseStd > 0 {
				s.NoiseSeed = orDerived(s.NoiseSeed, s.Seed, 5) // only with noise: other runs keep their ids
			}
			return nil
		},
		cross: func(s RunSpec) *Problem {
			if s.NoiseSeed != 0 && s.NoiseStd == 0 {
				return &Problem{Key: "noise_seed", Value: strconv.FormatUint(s.NoiseSeed, 10), Want: "no noise_seed without noise_std"}
			}
			return nil
		}},
	{Key: "threads", Execution: true, Field: "Threads", Group: GroupRun, Default: "1 (the CLI: one per core)",
		Help: "threads of one run (results do not depend on it)", rule: atLeast{min: 1, max: 4096},
		fill: defaultTo(func(s *RunSpec) *int { return &s.Threads }, 1)},
	{Key: "kernels", Execution: true, Field: "Kernels", Group: GroupRun, Default: "the fastest this CPU runs",
		Help: "kernel set (results may differ in the last float32 digits between sets)",
		rule: oneOf{values: kernels.Names},
		fill: func(s *RunSpec) error {
			if s.Kernels == "" {
				im, err := kernels.Default()
				if err != nil {
					return &Problem{Key: "kernels", Err: err}
				}
				s.Kernels = im.Name
			}
			return nil
		},
		cross: func(s RunSpec) *Problem {
			if _, err := kernels.Get(s.Kernels); err != nil {
				return &Problem{Key: "kernels", Value: strconv.Quote(s.Kernels), Err: err}
			}
			return nil
		}},
	{Key: "path", Execution: true, Field: "Path", Group: GroupRun, Default: string(PathAuto),
		Help: "recurrent products: sparse, dense, or auto (sparse up to 60% density)",
		rule: oneOf{values: enumOf(Paths)}, fill: defaultTo(func(s *RunSpec) *Path { return &s.Path }, PathAuto)},
	{Key: "max_memory", Execution: true, Field: "MaxMemory", Group: GroupRun, Default: "80% of the physical memory (MemTotal in /proc/meminfo) on Linux, 8 GiB (8589934592) elsewhere",
		Help: "memory budget in bytes: a run (task data, network, training buffers) estimated above it is refused before allocating",
		rule: atLeast{min: 1}, fill: func(s *RunSpec) error {
			if s.MaxMemory == 0 {
				s.MaxMemory = DefaultMaxMemory()
			}
			return nil
		}},
}

// orDerived returns seed when it is set, else one derived from base.
func orDerived(seed, base, k uint64) uint64 {
	if seed != 0 {
		return seed
	}
	return deriveSeed(base, k)
}

// Defaults returns spec with every zero field that has a default filled in
// from the settings table (Settings: each setting's Default says what) and
// every zero seed derived from Seed, then validates it. A bad value is a
// *Problem naming the setting's key.
func Defaults(s RunSpec) (RunSpec, error) {
	for _, st := range settings {
		if st.fill != nil {
			if err := st.fill(&s); err != nil {
				return s, err
			}
		}
	}
	return s, validate(s)
}

// validate checks every setting against its rule, then the rules that
// involve several settings.
func validate(s RunSpec) error {
	for _, st := range settings {
		if err := st.Check(s); err != nil {
			return err
		}
	}
	for _, st := range settings {
		if st.cross != nil {
			if p := st.cross(s); p != nil {
				return p
			}
		}
	}
	return nil
}
