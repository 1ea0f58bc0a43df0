package sweep

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/biornn/biornn/rnn"
)

// The presets are the paper's grids (Goulas, Damicelli & Hilgetag 2021): the
// macaque, marmoset and human connectomes; bio topology with random weights
// against the permutation control; learning rates 1e-4 and 1e-6; relu and
// tanh; Adam and RMSprop; the task's three parameter values; 5 runs of 500
// epochs on the paper's trials (500 for seq_mem, 500 matching plus 500
// non-matching for the n-back tasks: rnn.Defaults) in batches of 128. They
// are written as sweep-file text and set through SetGrid and SetFixed, as a
// TOML file is.
var presetTasks = map[string][]string{
	"paper-seqmem": {"seq_mem"},
	"paper-nback":  {"nback_mem"},
	"paper-pic":    {"pic_latent_mem"},
	"paper-all":    {"seq_mem", "nback_mem", "pic_latent_mem"},
}

var presetHelp = map[string]string{
	"paper-seqmem": "the paper's sequence-memory grid (L = 3, 5, 10)",
	"paper-nback":  "the paper's N-back grid on random values (n = 2, 3, 4; L = 5)",
	"paper-pic":    "the paper's picture N-back grid on MNIST latents (n = 2, 3, 4; L = 5)",
	"paper-all":    "all three of the paper's grids",
}

const paperRepetitions = 5

var paperGrid = map[string][]string{
	"connectome":     {"macaque", "marmoset", "human"},
	"strategy":       {"bio-random", "permute"},
	"pattern_length": {"3", "5", "10"},
	"n_back":         {"2", "3", "4"},
	"trial_length":   {"5"},
	"optimizer":      {string(rnn.OptimizerAdam), string(rnn.OptimizerRMSprop)},
	"lr":             {"1e-4", "1e-6"},
	"activation":     {string(rnn.ActivationReLU), string(rnn.ActivationTanh)},
}

var paperFixed = map[string]string{"epochs": "500", "batch_size": "128"}

// The quick version shrinks a paper grid to a bio-vs-control comparison that
// finishes in about a minute on two cores: macaque only, the smallest task
// parameter, Adam at the paper's larger learning rate (1e-4), tanh, 200
// epochs, and five seeds (with fewer, a rank-sum test cannot reach p < 0.05:
// 3 vs 3 runs give at best p = 0.1).
var quickGrid = map[string][]string{
	"connectome":     {"macaque"},
	"pattern_length": {"3"},
	"n_back":         {"2"},
	"trial_length":   {"5"},
	"optimizer":      {string(rnn.OptimizerAdam)},
	"lr":             {"1e-4"},
	"activation":     {string(rnn.ActivationTanh)},
}

var quickFixed = map[string]string{"epochs": "200"}

// Preset returns a built-in grid by name; quick selects its one-minute version.
func Preset(name string, quickVersion bool) (*Config, error) {
	tasks, ok := presetTasks[name]
	if !ok {
		return nil, fmt.Errorf("sweep preset %q: expected one of %s", name, strings.Join(PresetNames(), ", "))
	}
	c := &Config{Name: name, Repetitions: paperRepetitions}
	grid, fixed := maps.Clone(paperGrid), maps.Clone(paperFixed)
	grid["task"] = tasks
	if quickVersion {
		c.Name += "-quick"
		maps.Copy(grid, quickGrid)
		maps.Copy(fixed, quickFixed)
	}
	for _, k := range slices.Sorted(maps.Keys(grid)) {
		if err := c.SetGrid(k, grid[k]...); err != nil {
			return nil, fmt.Errorf("sweep preset %s: %w", name, err)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(fixed)) {
		if err := c.SetFixed(k, fixed[k]); err != nil {
			return nil, fmt.Errorf("sweep preset %s: %w", name, err)
		}
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("sweep preset %s: %w", name, err)
	}
	return c, nil
}

// PresetNames lists the presets, sorted.
func PresetNames() []string { return slices.Sorted(maps.Keys(presetTasks)) }

// PresetHelp describes a preset in one line.
func PresetHelp(name string) string { return presetHelp[name] }
