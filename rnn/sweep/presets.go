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
	"paper-seqmem":       {"seq_mem"},
	"paper-nback":        {"nback_mem"},
	"paper-pic":          {"pic_latent_mem"},
	"paper-all":          {"seq_mem", "nback_mem", "pic_latent_mem"},
	"paper-exact-seqmem": {"seq_mem"},
	"paper-exact-nback":  {"nback_mem"},
	"paper-exact-pic":    {"pic_latent_mem"},
	"paper-exact-all":    {"seq_mem", "nback_mem", "pic_latent_mem"},
}

var presetHelp = map[string]string{
	"paper-seqmem":       "the paper's sequence-memory grid (L = 3, 5, 10)",
	"paper-nback":        "the paper's N-back grid on random values (n = 2, 3, 4; L = 5)",
	"paper-pic":          "the paper's picture N-back grid on MNIST latents (n = 2, 3, 4; L = 5)",
	"paper-all":          "all three of the paper's grids",
	"paper-exact-seqmem": "paper-seqmem as the paper's configuration files ran it (rank-mapped weights on both sides, W_hh = W, bio2art's partition, one network per experiment, fixed batch order)",
	"paper-exact-nback":  "paper-nback as the paper's configuration files ran it",
	"paper-exact-pic":    "paper-pic as the paper's configuration files ran it",
	"paper-exact-all":    "all three grids as the paper's configuration files ran them",
}

// paperExact are the settings by which the paper's own runs differ from
// the paper-* presets, each from its experiment code (GitHub
// AlGoulas/bio_rnn_mem: config/config_{seq_mem,nback_mem,pic_latent_mem}.ini
// and biornnmemory.py, rnnmodels.py, auxfun.py; bio2art's importnet.py):
//   - strategy bio-rank and control_weights rank: remap_w = True places the
//     PyTorch-initialised values in the rank order of the (bio or shuffled)
//     matrix's weights (rnnmodels.py, auxfun.py), for both arms;
//   - the control is permute: random_w shuffles every off-diagonal entry,
//     zeros included (networkmetrics.py), drawn anew per iteration;
//   - orientation paper: the up-scaled matrix is used as W_hh as it is;
//   - partition bio2art: rand_partition = True, bio2art's stick-breaking
//     split of a block's weight;
//   - network_per experiment: from_conn_mat runs once per script, before the
//     loops over settings and iterations (biornnmemory.py);
//   - batch_order fixed: the trials are shuffled once and the loader does
//     not shuffle (shuffle: False);
//   - init default, epochs 500, batch 128, 5 iterations, 500 trials (the
//     n-back tasks 500 matching plus 500 non-matching): as the paper-*
//     presets. The configuration files name Marmoset_Normalized; the paper
//     reports macaque, marmoset and human, so the grid keeps all three.
var paperExact = map[string]string{
	"control_weights": string(rnn.ControlRank),
	"orientation":     string(rnn.OrientationPaper),
	"partition":       "bio2art",
	"network_per":     string(rnn.NetworkPerExperiment),
	"batch_order":     string(rnn.BatchOrderFixed),
}

var paperExactStrategies = []string{string(rnn.StrategyBioRank), "permute"}

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
	if strings.HasPrefix(name, "paper-exact-") {
		grid["strategy"] = paperExactStrategies
		maps.Copy(fixed, paperExact)
	}
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
