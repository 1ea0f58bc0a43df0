// Package trainbench times whole training epochs: the driver behind
// `biornn bench train`.
//
// The paper mode trains the three networks of Goulas et al. (2021) (macaque
// 116, marmoset 220 and human 228 neurons, the paper's construction) on
// seq_mem L=5 with batch 128, 400/100 trials, tanh and Adam at lr 1e-4, once
// per kernel implementation, path and thread count, and reports the median
// wall time of an epoch. The scaling mode grows the human connectome up to
// about 10,000 neurons at 1%-5% density and reports the time per unit of
// work (connections x steps x trials) so one sees that an epoch costs in
// proportion to the connections, not to neurons^2.
//
// Everything goes through the trainer's public API (rnn.Run with a RunSpec):
// an epoch's time is rnn.EpochRecord.Seconds (one shuffled pass of
// mini-batch updates plus the validation pass), and heap allocations per
// epoch are read from runtime.MemStats in the per-epoch callback.
package trainbench

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/biornn/biornn/kernels"
	"github.com/biornn/biornn/rnn"
)

// Network is a connectome the benchmark knows by name.
type Network struct {
	Name string // registry name ("macaque")
	File string // its file in a data folder
}

// PaperNetworks are the paper's three networks, in the paper's order.
var PaperNetworks = []Network{
	{Name: "macaque", File: "C_Macaque_Normalized.npy"},
	{Name: "marmoset", File: "C_Marmoset_Normalized.npy"},
	{Name: "human", File: "C_Human_Betzel_Normalized.npy"},
}

// Paths are the recurrent-product paths the benchmark compares.
var Paths = []rnn.Path{rnn.PathSparse, rnn.PathDense}

// Modes of a record.
const (
	ModePaper   = "paper"
	ModeScaling = "scaling"
)

// Config selects what to time. Zero values mean the defaults documented on
// each field.
type Config struct {
	Networks []string   // names of PaperNetworks or .npy/.csv file paths (default: the three paper networks)
	Impls    []string   // kernel implementations (default: kernels.All())
	Paths    []rnn.Path // "sparse", "dense", "auto" (default: sparse and dense)
	Threads  []int      // worker threads per run (default: 1)
	Epochs   int        // measured epochs per combination (default 5; 2 in scaling mode)
	Warmup   int        // training epochs run first and not measured (default 1; -1 = none)
	DataDir  string     // folder holding the connectome files ("" = BIORNN_DATA, then the registry)

	// The task; defaults are the paper's benchmark setting (seq_mem L=5).
	// The other tasks serve estimates of whole sweeps.
	Task          rnn.Task       // "seq_mem" (default), "nback_mem" or "pic_latent_mem"
	NBack         int            // n-back n (default 2)
	TrialLength   int            // n-back L (default 5)
	MNISTDir      string         // pic_latent_mem: folder of the MNIST latents
	PatternLength int            // seq_mem L (default 5)
	Trials        int            // default 500 (400 training, 100 validation)
	BatchSize     int            // default 128
	LR            float64        // Adam learning rate (default 1e-4)
	Activation    rnn.Activation // "tanh" (default, the paper's benchmark) or "relu"
	Seed          uint64         // run seed (default 1)

	// Scaling mode (Run with Scaling set uses only the first network).
	Scaling           bool
	NeuronsPerRegion  []int     // default 25, 50, 100, 175
	Densities         []float64 // target shares of kept W_hh positions (default 0.01, 0.05)
	IntrinsicSparsity float64   // share of a region's own neurons each neuron reaches (default 0.3)
}

// Record is one timed combination. Columns are snake_case for Parquet and
// JSON; the scaling columns are zero in paper mode.
type Record struct {
	Mode         string  `json:"mode" parquet:"mode"`
	Task         string  `json:"task" parquet:"task"`
	Network      string  `json:"network" parquet:"network"`
	Neurons      int64   `json:"neurons" parquet:"neurons"`
	Connections  int64   `json:"connections" parquet:"connections"`
	Density      float64 `json:"density" parquet:"density"` // connections / neurons^2
	Impl         string  `json:"impl" parquet:"impl"`
	Path         string  `json:"path" parquet:"path"`
	Threads      int64   `json:"threads" parquet:"threads"`
	Steps        int64   `json:"steps" parquet:"steps"`               // time steps per trial
	TrainTrials  int64   `json:"train_trials" parquet:"train_trials"` // per epoch
	ValTrials    int64   `json:"val_trials" parquet:"val_trials"`
	Batch        int64   `json:"batch" parquet:"batch"`
	Epochs       int64   `json:"epochs" parquet:"epochs"` // measured epochs
	EpochSeconds float64 `json:"epoch_seconds" parquet:"epoch_seconds"`
	MinSeconds   float64 `json:"epoch_seconds_min" parquet:"epoch_seconds_min"`
	// CPUSeconds is the median process CPU time (user + system, all
	// threads) per measured epoch: steadier than wall time when other work
	// shares the machine (which still inflates it through shared caches and
	// SMT siblings). 0 where not measured (non-unix systems).
	CPUSeconds float64 `json:"cpu_seconds" parquet:"cpu_seconds"`
	Activation string  `json:"activation" parquet:"activation"`
	// AllocsPerEpoch is the median number of heap allocations per measured
	// epoch (runtime.MemStats.Mallocs; includes the trainer's per-epoch
	// bookkeeping, so a small constant is expected, not zero).
	AllocsPerEpoch int64   `json:"allocs_per_epoch" parquet:"allocs_per_epoch"`
	FinalValLoss   float64 `json:"final_val_loss" parquet:"final_val_loss"`
	// NsPerUnit is EpochSeconds in nanoseconds per (connection x step x
	// training trial): flat across sizes when time follows the connections.
	NsPerUnit float64 `json:"ns_per_unit" parquet:"ns_per_unit"`
	// CPUNsPerUnit is the same from CPUSeconds: steadier on a shared machine.
	CPUNsPerUnit float64 `json:"cpu_ns_per_unit" parquet:"cpu_ns_per_unit"`
	// EpochGFLOP is an epoch's arithmetic in the usual convention: the
	// multiply-adds (2 flops each) of the recurrent, input and readout
	// products at every step, once for a validation trial and three times
	// (forward, input gradient, weight gradient) for a training trial;
	// elementwise work and the optimizer are not counted. GFLOPS is
	// EpochGFLOP / EpochSeconds (CPUGFLOPS by CPU time).
	EpochGFLOP float64 `json:"epoch_gflop" parquet:"epoch_gflop"`
	GFLOPS     float64 `json:"gflops" parquet:"gflops"`
	CPUGFLOPS  float64 `json:"cpu_gflops" parquet:"cpu_gflops"`

	// Scaling mode only.
	NeuronsPerRegion  int64   `json:"neurons_per_region" parquet:"neurons_per_region"`
	TargetDensity     float64 `json:"target_density" parquet:"target_density"`
	TargetSparsity    float64 `json:"target_sparsity" parquet:"target_sparsity"`
	IntrinsicSparsity float64 `json:"intrinsic_sparsity" parquet:"intrinsic_sparsity"`
}

// withDefaults fills the zero fields and validates the rest; errors name
// the Config field.
func (c Config) withDefaults() (Config, error) {
	if len(c.Networks) == 0 {
		for _, n := range PaperNetworks {
			c.Networks = append(c.Networks, n.Name)
		}
	}
	if len(c.Impls) == 0 {
		for _, im := range kernels.All() {
			c.Impls = append(c.Impls, im.Name)
		}
	}
	for _, name := range c.Impls {
		if _, err := kernels.Get(name); err != nil {
			return c, fieldErr("Impls", "%w", err)
		}
	}
	if len(c.Paths) == 0 {
		c.Paths = slices.Clone(Paths)
		if c.Scaling {
			// The dense path needs three neurons^2 float32 matrices (1.2 GB
			// at 10,000 neurons) and is the neurons^2 reference the scaling
			// table is meant to avoid; ask for it explicitly.
			c.Paths = []rnn.Path{rnn.PathSparse}
		}
	}
	for _, p := range c.Paths {
		if !slices.Contains(rnn.Paths(), p) {
			return c, fieldErr("Paths", "%q: expected one of %q", p, rnn.Paths())
		}
	}
	if len(c.Threads) == 0 {
		c.Threads = []int{1}
	}
	for _, t := range c.Threads {
		if t < 1 {
			return c, fieldErr("Threads", "%d: expected >= 1", t)
		}
	}
	switch {
	case c.Epochs == 0 && c.Scaling:
		c.Epochs = 2 // large networks: a few seconds per epoch
	case c.Epochs == 0:
		c.Epochs = 5
	case c.Epochs < 0:
		return c, fieldErr("Epochs", "= %d: expected >= 1", c.Epochs)
	}
	switch {
	case c.Warmup == 0:
		c.Warmup = 1
	case c.Warmup == -1:
		c.Warmup = 0
	case c.Warmup < -1:
		return c, fieldErr("Warmup", "= %d: expected >= 0 (or -1 for none)", c.Warmup)
	}
	if c.Task == "" {
		c.Task = rnn.TaskSeqMem
	}
	if c.PatternLength == 0 {
		c.PatternLength = 5
	}
	// NBack, TrialLength, Trials and BatchSize keep the trainer's defaults
	// (rnn.Defaults); records report the values the run used.
	if c.LR == 0 {
		c.LR = 1e-4
	}
	if c.Activation == "" {
		c.Activation = rnn.ActivationTanh
	}
	if !slices.Contains(rnn.Activations(), c.Activation) {
		return c, fieldErr("Activation", "= %q: expected one of %q", c.Activation, rnn.Activations())
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.DataDir == "" {
		c.DataDir = os.Getenv("BIORNN_DATA")
	}
	if c.Scaling {
		if len(c.NeuronsPerRegion) == 0 {
			c.NeuronsPerRegion = []int{25, 50, 100, 175}
		}
		for _, n := range c.NeuronsPerRegion {
			if n < 1 {
				return c, fieldErr("NeuronsPerRegion", "%d: expected >= 1", n)
			}
		}
		if len(c.Densities) == 0 {
			c.Densities = []float64{0.01, 0.05}
		}
		for _, d := range c.Densities {
			if !(d > 0 && d <= 1) {
				return c, fieldErr("Densities", "%v: expected a share in (0, 1]", d)
			}
		}
		if c.IntrinsicSparsity == 0 {
			c.IntrinsicSparsity = 0.3
		}
		if !(c.IntrinsicSparsity > 0 && c.IntrinsicSparsity <= 1) {
			return c, fieldErr("IntrinsicSparsity", "= %v: expected a share in (0, 1]", c.IntrinsicSparsity)
		}
	}
	return c, nil
}

// connectomeArg turns a network name into RunSpec.Connectome: a file path
// stays as it is; a paper network becomes its file in DataDir when that file
// exists, else the registry name (resolved by the trainer with DataDir).
func connectomeArg(name, dataDir string) (label, arg string) {
	if strings.ContainsAny(name, `/\`) || filepath.Ext(name) != "" {
		base := filepath.Base(name)
		return strings.TrimSuffix(base, filepath.Ext(base)), name
	}
	for _, n := range PaperNetworks {
		if n.Name == name && dataDir != "" {
			if p := filepath.Join(dataDir, n.File); fileExists(p) {
				return name, p
			}
		}
	}
	return name, name
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// paperSpec is the paper's benchmark run: seq_mem, Adam, tanh, the paper's
// construction (4 neurons per region, target sparsity 0.8, intrinsic
// sparsity 1, intrinsic weight 0.8, no self-connections).
func (c Config) paperSpec(conn string) rnn.RunSpec {
	return rnn.RunSpec{
		Connectome: conn, DataDir: c.DataDir,
		NeuronsPerRegion: 4, TargetSparsity: 0.8, IntrinsicSparsity: 1.0, IntrinsicWeight: 0.8,
		Task: c.Task, PatternLength: c.PatternLength, NBack: c.NBack, TrialLength: c.TrialLength,
		MNISTDir: c.MNISTDir, Trials: c.Trials,
		BatchSize: c.BatchSize, Optimizer: rnn.OptimizerAdam, LR: c.LR, Activation: c.Activation,
		Seed: c.Seed, Epochs: c.Warmup + c.Epochs,
	}
}

// Run times every combination of the configuration and returns one record
// per combination, in order (network, impl, path, threads). progress (may be
// nil) receives each record as soon as it is measured.
func Run(ctx context.Context, cfg Config, progress func(Record)) ([]Record, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var specs []rnn.RunSpec
	var extra []Record // per spec: the mode and scaling columns
	if cfg.Scaling {
		specs, extra, err = cfg.scalingSpecs()
		if err != nil {
			return nil, err
		}
	} else {
		for _, name := range cfg.Networks {
			label, arg := connectomeArg(name, cfg.DataDir)
			specs = append(specs, cfg.paperSpec(arg))
			extra = append(extra, Record{Mode: ModePaper, Network: label})
		}
	}
	var recs []Record
	for k, base := range specs {
		for _, impl := range cfg.Impls {
			for _, path := range cfg.Paths {
				for _, threads := range cfg.Threads {
					spec := base
					spec.Kernels, spec.Path, spec.Threads = impl, path, threads
					r, err := measure(ctx, spec, cfg.Warmup, extra[k])
					if err != nil {
						return recs, err
					}
					recs = append(recs, r)
					if progress != nil {
						progress(r)
					}
				}
			}
		}
	}
	return recs, nil
}

// measure runs one spec and summarises its epochs after the warm-up. Epoch
// 0 (the evaluation before training, which also sizes the workspaces) is
// never measured.
func measure(ctx context.Context, spec rnn.RunSpec, warmup int, r Record) (Record, error) {
	secs := make([]float64, 0, spec.Epochs)
	allocs := make([]float64, 0, spec.Epochs)
	cpu := make([]float64, 0, spec.Epochs)
	var ms runtime.MemStats
	var last uint64
	var lastCPU float64
	onEpoch := func(e rnn.EpochRecord) {
		runtime.ReadMemStats(&ms)
		now := processCPUSeconds()
		if e.Epoch > warmup {
			secs = append(secs, e.Seconds)
			allocs = append(allocs, float64(ms.Mallocs-last))
			cpu = append(cpu, now-lastCPU)
		}
		// Read again so the callback's own work is not charged to the
		// next epoch (ReadMemStats itself does not allocate).
		runtime.ReadMemStats(&ms)
		last, lastCPU = ms.Mallocs, processCPUSeconds()
	}
	res, err := rnn.Run(ctx, spec, onEpoch)
	if err != nil {
		return r, fmt.Errorf("trainbench: %s, kernels %s, path %s, %d threads: %w", r.Network, spec.Kernels, spec.Path, spec.Threads, err)
	}
	if len(secs) == 0 {
		return r, fmt.Errorf("trainbench: %s: no measured epochs (ran %d)", r.Network, len(res.Epochs))
	}
	T, train := steps(res.Spec), trainTrials(res.Spec.Trials)
	r.Neurons = int64(res.Neurons)
	r.Connections = int64(res.Connections)
	r.Density = float64(res.Connections) / (float64(res.Neurons) * float64(res.Neurons))
	r.Impl = res.KernelSet
	r.Path = string(res.PathUsed)
	r.Threads = int64(res.Spec.Threads)
	r.Steps = int64(T)
	r.TrainTrials = int64(train)
	r.ValTrials = int64(res.Spec.Trials - train)
	r.Batch = int64(res.Spec.BatchSize)
	r.Epochs = int64(len(secs))
	r.EpochSeconds = median(secs)
	r.MinSeconds = slices.Min(secs)
	r.CPUSeconds = median(cpu)
	r.Activation = string(res.Spec.Activation)
	r.Task = string(res.Spec.Task)
	r.AllocsPerEpoch = int64(median(allocs))
	r.FinalValLoss = res.Epochs[len(res.Epochs)-1].ValLoss
	if r.Connections > 0 {
		units := float64(r.Connections) * float64(T) * float64(train)
		r.NsPerUnit = r.EpochSeconds * 1e9 / units
		r.CPUNsPerUnit = r.CPUSeconds * 1e9 / units
	}
	in, out := rnn.TaskSize(res.Spec)
	perStep := 2 * (float64(r.Connections) + float64(r.Neurons)*float64(in+out))
	r.EpochGFLOP = perStep * float64(T) * float64(3*r.TrainTrials+r.ValTrials) / 1e9
	r.GFLOPS = r.EpochGFLOP / r.EpochSeconds
	if r.CPUSeconds > 0 {
		r.CPUGFLOPS = r.EpochGFLOP / r.CPUSeconds
	}
	return r, nil
}

// steps is the trial length of the spec's task (see rnn.SeqMem, NBackMem
// and PicLatentMem).
func steps(s rnn.RunSpec) int {
	switch s.Task {
	case rnn.TaskNBackMem:
		return s.TrialLength + 1
	case rnn.TaskPicLatentMem:
		return s.TrialLength + 2
	}
	return 2*s.PatternLength + 1
}

// trainTrials is rnn.Split's training share: 80%, at least one trial left
// for validation.
func trainTrials(n int) int {
	t := n * 4 / 5
	if t == n && n > 1 {
		t = n - 1
	}
	return t
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// FieldError is a Config field that cannot be used: the CLI names its flag.
type FieldError struct {
	Field string // the Config field
	Err   error
}

func (e *FieldError) Error() string {
	if msg := e.Err.Error(); strings.HasPrefix(msg, "= ") {
		return "trainbench: " + e.Field + " " + msg
	}
	return "trainbench: " + e.Field + ": " + e.Err.Error()
}

func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}
