package sweep

import (
	"fmt"
	"sort"
	"strings"
)

// presets are the paper's grids (Goulas, Damicelli & Hilgetag 2021): the
// macaque, marmoset and human connectomes; bio topology with random weights
// against the permutation control; learning rates 1e-4 and 1e-6; relu and
// tanh; Adam and RMSprop; the task's three parameter values; 5 runs of 500
// epochs on the paper's trials (500 for seq_mem, 500 matching plus 500
// non-matching for the n-back tasks) in batches of 128.
var presets = map[string]func() *Config{
	"paper-seqmem": func() *Config { return paper("paper-seqmem", "seq_mem") },
	"paper-nback":  func() *Config { return paper("paper-nback", "nback_mem") },
	"paper-pic":    func() *Config { return paper("paper-pic", "pic_latent_mem") },
	"paper-all":    func() *Config { return paper("paper-all", "seq_mem", "nback_mem", "pic_latent_mem") },
}

var presetHelp = map[string]string{
	"paper-seqmem": "the paper's sequence-memory grid (L = 3, 5, 10)",
	"paper-nback":  "the paper's N-back grid on random values (n = 2, 3, 4; L = 5)",
	"paper-pic":    "the paper's picture N-back grid on MNIST latents (n = 2, 3, 4; L = 5)",
	"paper-all":    "all three of the paper's grids",
}

func paper(name string, tasks ...string) *Config {
	return &Config{
		Name:        name,
		Repetitions: 5,
		Grid: Grid{
			Connectome:    []string{"macaque", "marmoset", "human"},
			Strategy:      []string{"bio-random", "permute"},
			Task:          tasks,
			PatternLength: []int{3, 5, 10},
			NBack:         []int{2, 3, 4},
			TrialLength:   []int{5},
			Optimizer:     []string{"adam", "rmsprop"},
			LR:            []float64{1e-4, 1e-6},
			Activation:    []string{"relu", "tanh"},
		},
		Fixed: Fixed{Epochs: 500, BatchSize: 128}, // trials: the task's paper count (rnn.Defaults)
	}
}

// quick shrinks a paper grid to a bio-vs-control comparison that finishes in
// about a minute on two cores: macaque only, the smallest task parameter,
// Adam at the paper's larger learning rate (1e-4), tanh, 200 epochs, and five
// seeds (with fewer, a rank-sum test cannot reach p < 0.05: 3 vs 3 runs give
// at best p = 0.1).
func quick(c *Config) *Config {
	c.Name += "-quick"
	c.Repetitions = 5
	g := &c.Grid
	g.Connectome = []string{"macaque"}
	g.PatternLength, g.NBack, g.TrialLength = []int{3}, []int{2}, []int{5}
	g.Optimizer, g.LR, g.Activation = []string{"adam"}, []float64{1e-4}, []string{"tanh"}
	c.Fixed.Epochs = quickEpochs
	return c
}

// quickEpochs is the epoch count of the quick presets.
const quickEpochs = 200

// Preset returns a built-in grid by name; quick selects its one-minute version.
func Preset(name string, quickVersion bool) (*Config, error) {
	mk, ok := presets[name]
	if !ok {
		return nil, fmt.Errorf("sweep preset %q: expected one of %s", name, strings.Join(PresetNames(), ", "))
	}
	c := mk()
	if quickVersion {
		c = quick(c)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("sweep preset %s: %w", name, err)
	}
	return c, nil
}

// PresetNames lists the presets, sorted.
func PresetNames() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// PresetHelp describes a preset in one line.
func PresetHelp(name string) string { return presetHelp[name] }
