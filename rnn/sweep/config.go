// Package sweep expands an experiment grid (a TOML file or a built-in preset)
// into training runs and executes them in parallel, resumably and in shards.
//
// Any run setting (rnn.Settings, `biornn settings`) can be a grid axis or a
// fixed value shared by every run. Each run has a deterministic id
// (results.RunID of its spec after defaults), so a restarted sweep skips the
// runs whose results file exists, and `--shard i/n` gives every process of a
// job array a disjoint, stable slice.
package sweep

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/biornn/biornn/rnn"
)

// Config is a sweep as written in TOML:
//
//	name = "my-sweep"
//	repetitions = 5            # seeds 1..5 (or: seeds = [11, 12, 13])
//
//	[grid]                     # any setting, as a list; the runs are all combinations
//	connectome = ["macaque", "marmoset"]
//	strategy = ["bio-random", "permute"]
//	task = ["seq_mem", "nback_mem"]
//	pattern_length = [3, 5, 10] # seq_mem only
//	n_back = [2, 3, 4]          # nback_mem and pic_latent_mem only
//	lr = [1e-4, 1e-6]
//
//	[fixed]                    # any setting, one value for every run (missing = the default)
//	epochs = 500
//
// A task parameter (pattern_length; n_back and trial_length) applies only to
// the tasks that use it, so one grid can hold all three tasks.
//
// Every value went through (*rnn.RunSpec).Set when it was set, so a config
// holds only values the trainer accepts, kept as the text Setting.Format
// writes (1e-4 and 0.0001 are one value).
type Config struct {
	Name        string
	Repetitions int      // seeds 1..Repetitions; 0 = not set
	Seeds       []uint64 // explicit seeds instead of Repetitions

	grid  map[string][]string // setting key -> the axis' values
	fixed map[string]string   // setting key -> the value of every run
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

// Parse decodes and validates TOML text; name is used in error messages.
func Parse(name string, text []byte) (*Config, error) {
	var doc map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(text)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("sweep config %s: %w", name, err)
	}
	c, err := decode(doc)
	if err != nil {
		return nil, fmt.Errorf("sweep config %s: %w", name, err)
	}
	return c, nil
}

const topKeys = "known top-level keys: name, repetitions, seeds, [grid], [fixed]"

// decode reads a TOML document. The TOML is decoded into plain maps and each
// value is handed to SetGrid or SetFixed as text, so a sweep file accepts
// exactly the values the command line does.
func decode(doc map[string]any) (*Config, error) {
	for _, k := range sortedKeys(doc) {
		switch k {
		case "name", "repetitions", "seeds", "grid", "fixed":
		default:
			if _, ok := rnn.LookupSetting(k); ok {
				return nil, fmt.Errorf("unknown top-level key %s: it is a setting, so write it under [fixed], or as a list under [grid]", k)
			}
			return nil, fmt.Errorf("unknown key %s (%s)", k, topKeys)
		}
	}
	c := &Config{}
	if v, ok := doc["name"]; ok {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("name = %s: expected a text", show(v))
		}
		c.Name = s
	}
	if v, ok := doc["repetitions"]; ok {
		n, ok := v.(int64)
		if !ok || n < 1 || n > math.MaxInt32 {
			return nil, fmt.Errorf("repetitions = %s: expected a count >= 1 (or leave it out for one run per grid point)", show(v))
		}
		c.Repetitions = int(n)
	}
	if v, ok := doc["seeds"]; ok {
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("seeds = %s: expected a list, e.g. seeds = [11, 12, 13]", show(v))
		}
		for i, x := range list {
			text, ok := scalarText(x)
			if !ok {
				return nil, fmt.Errorf("seeds[%d] = %s: expected a whole number >= 1", i, show(x))
			}
			seed, err := parseSeed(text)
			if err != nil {
				return nil, named(fmt.Sprintf("seeds[%d]", i), err)
			}
			c.Seeds = append(c.Seeds, seed)
		}
	}
	// The grid before the fixed values, so that a key in both is caught.
	for _, sec := range []string{"grid", "fixed"} {
		v, ok := doc[sec]
		if !ok {
			continue
		}
		table, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s = %s: expected a table, [%s]", sec, show(v), sec)
		}
		for _, k := range sortedKeys(table) {
			if err := c.decodeKey(sec, k, table[k]); err != nil {
				return nil, err
			}
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeKey sets key of section sec ("grid" or "fixed") from its TOML value.
func (c *Config) decodeKey(sec, key string, v any) error {
	s, ok := rnn.LookupSetting(key)
	if !ok {
		return fmt.Errorf("%s.%s: %w", sec, key, &rnn.UnknownKeyError{Key: key})
	}
	_, inGrid := c.grid[s.Key]
	_, inFixed := c.fixed[s.Key]
	switch {
	case inGrid && sec == "fixed":
		// The grid is read first, so this is the one message for both.
		return fmt.Errorf("fixed.%s: %s is also a grid axis: give it either as an axis or as one fixed value", key, s.Key)
	case inGrid || inFixed:
		return fmt.Errorf("%s.%s: %s is given twice, under two of its names", sec, key, s.Key)
	}
	if sec == "fixed" {
		text, ok := scalarText(v)
		if !ok {
			return fmt.Errorf("fixed.%s = %s: a fixed key takes one value; for several make it a grid axis, [grid] %s = [...]", key, show(v), key)
		}
		return c.SetFixed(key, text)
	}
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("grid.%s = %s: a grid key takes a list, e.g. %s = [%s]", key, show(v), key, show(v))
	}
	texts := make([]string, len(list))
	for i, x := range list {
		if texts[i], ok = scalarText(x); !ok {
			return fmt.Errorf("grid.%s[%d] = %s: expected a single value", key, i, show(x))
		}
	}
	return c.SetGrid(key, texts...)
}

// scalarText is a TOML value as the text a command-line flag would carry. A
// float keeps a decimal point (3.0 -> "3.0"), so that a float written for an
// integer setting is rejected as --epochs 3.0 is.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEnN") {
			s += ".0"
		}
		return s, true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false // a list, a table or a date
}

// show writes a TOML value for a message.
func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	if s, ok := scalarText(v); ok {
		return s
	}
	return fmt.Sprint(v)
}

// parseSeed reads one entry of seeds through the seed setting's rule.
func parseSeed(text string) (uint64, error) {
	var spec rnn.RunSpec
	if err := spec.Set("seed", text); err != nil {
		return 0, err
	}
	return spec.Seed, nil
}

// SetGrid makes key an axis with the given values (replacing a fixed value
// or an earlier axis of the key). Each text goes through (*rnn.RunSpec).Set;
// an error names grid.key[i] and wraps the *rnn.Problem.
func (c *Config) SetGrid(key string, texts ...string) error {
	s, ok := rnn.LookupSetting(key)
	if !ok {
		return &rnn.UnknownKeyError{Key: key}
	}
	if len(texts) == 0 {
		return fmt.Errorf("grid.%s = []: expected at least one value (or leave the key out for the default)", key)
	}
	vals := make([]string, len(texts))
	for i, t := range texts {
		v, err := normalize(s, t)
		if err != nil {
			return named(fmt.Sprintf("grid.%s[%d]", key, i), err)
		}
		if slices.Contains(vals[:i], v) {
			return fmt.Errorf("grid.%s: %s is listed twice", key, t)
		}
		vals[i] = v
	}
	delete(c.fixed, s.Key)
	if c.grid == nil {
		c.grid = map[string][]string{}
	}
	c.grid[s.Key] = vals
	return nil
}

// SetFixed gives key one value for every run (replacing a grid axis or an
// earlier value of the key). The text goes through (*rnn.RunSpec).Set; an
// error names fixed.key and wraps the *rnn.Problem.
func (c *Config) SetFixed(key, text string) error {
	s, ok := rnn.LookupSetting(key)
	if !ok {
		return &rnn.UnknownKeyError{Key: key}
	}
	v, err := normalize(s, text)
	if err != nil {
		return named("fixed."+key, err)
	}
	delete(c.grid, s.Key)
	if c.fixed == nil {
		c.fixed = map[string]string{}
	}
	c.fixed[s.Key] = v
	return nil
}

// SetDefault is a fallback from outside the config (the command line's
// --data-dir, --kernels, --mnist-dir): it fixes key to text only when the
// config sets key neither as an axis nor as a fixed value. An empty text
// sets nothing (an unset flag). An invalid text is the *rnn.Problem of Set,
// for the caller to name its way.
func (c *Config) SetDefault(key, text string) error {
	s, ok := rnn.LookupSetting(key)
	if !ok {
		return &rnn.UnknownKeyError{Key: key}
	}
	if text == "" || c.Values(s.Key) != nil {
		return nil
	}
	v, err := normalize(s, text)
	if err != nil {
		return err
	}
	if c.fixed == nil {
		c.fixed = map[string]string{}
	}
	c.fixed[s.Key] = v
	return nil
}

// Values returns the values the config gives key, as text: the grid axis,
// the fixed value, or for seed the repetition seeds; nil when the config
// leaves key to its default.
func (c *Config) Values(key string) []string {
	s, ok := rnn.LookupSetting(key)
	if !ok {
		return nil
	}
	if v, ok := c.grid[s.Key]; ok {
		return slices.Clone(v)
	}
	if v, ok := c.fixed[s.Key]; ok {
		return []string{v}
	}
	if s.Key == "seed" {
		return c.repetitionSeeds()
	}
	return nil
}

// Uses reports whether some run may take value for key: a grid axis or the
// fixed value of key has it, or the config leaves key out and its default
// is value. A default that depends on a grid axis (lr on the optimizer,
// trials on the task) is the one for the fixed settings and the table's
// defaults of the others.
func (c *Config) Uses(key, value string) bool {
	s, ok := rnn.LookupSetting(key)
	if !ok {
		return false
	}
	v, err := normalize(s, value)
	if err != nil {
		return false
	}
	if vals := c.Values(s.Key); vals != nil {
		return slices.Contains(vals, v)
	}
	// rnn.Defaults returns the filled spec even when it does not validate.
	d, _ := rnn.Defaults(c.base())
	return s.Format(d) == v
}

// repetitionSeeds is the seeds list or 1..Repetitions as text; nil if
// neither is set.
func (c *Config) repetitionSeeds() []string {
	var out []string
	for _, s := range c.Seeds {
		out = append(out, strconv.FormatUint(s, 10))
	}
	for i := range c.Repetitions {
		out = append(out, strconv.Itoa(i+1))
	}
	return out
}

// validate checks what the setters cannot see alone: one source of seeds,
// and the exported fields.
func (c *Config) validate() error {
	var sources []string
	if c.Repetitions != 0 {
		sources = append(sources, "repetitions")
	}
	if len(c.Seeds) > 0 {
		sources = append(sources, "seeds")
	}
	if _, ok := c.grid["seed"]; ok {
		sources = append(sources, "grid.seed")
	}
	if _, ok := c.fixed["seed"]; ok {
		sources = append(sources, "fixed.seed")
	}
	if len(sources) > 1 {
		return fmt.Errorf("%s are set together: give the seeds one way", strings.Join(sources, " and "))
	}
	if c.Repetitions < 0 {
		return fmt.Errorf("repetitions = %d: expected a count >= 1", c.Repetitions)
	}
	for i, s := range c.Seeds {
		if _, err := parseSeed(strconv.FormatUint(s, 10)); err != nil {
			return named(fmt.Sprintf("seeds[%d]", i), err)
		}
		if slices.Contains(c.Seeds[:i], s) {
			return fmt.Errorf("seeds: %d is listed twice", s)
		}
	}
	return nil
}

// normalize parses text as the value of s through (*rnn.RunSpec).Set and
// returns it as Setting.Format writes it.
func normalize(s *rnn.Setting, text string) (string, error) {
	var spec rnn.RunSpec
	if err := spec.Set(s.Key, text); err != nil {
		return "", err
	}
	return s.Format(spec), nil
}

// where is the key as this config sets it: grid.key, fixed.key, seeds, or
// the bare key when the value is a default.
func (c *Config) where(key string) string {
	if _, ok := c.grid[key]; ok {
		return "grid." + key
	}
	if _, ok := c.fixed[key]; ok {
		return "fixed." + key
	}
	if key == "seed" && len(c.Seeds) > 0 {
		return "seeds"
	}
	return key
}

// keyError is a *rnn.Problem described under the name the user wrote the
// key as (grid.lr[1], fixed.epochs); errors.As still finds the Problem.
type keyError struct {
	name string
	p    *rnn.Problem
	err  error // the error that holds p
}

func (e *keyError) Error() string { return e.p.Describe(e.name) }
func (e *keyError) Unwrap() error { return e.err }

// named describes err's *rnn.Problem, if any, under name.
func named(name string, err error) error {
	if p, ok := rnn.AsProblem(err); ok {
		return &keyError{name: name, p: p, err: err}
	}
	return fmt.Errorf("%s: %w", name, err)
}

// describe renders err's *rnn.Problem under the key as this config sets it.
func (c *Config) describe(err error) error {
	p, ok := rnn.AsProblem(err)
	if !ok {
		return err
	}
	return &keyError{name: c.where(p.Key), p: p, err: err}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
