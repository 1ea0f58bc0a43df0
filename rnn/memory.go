package rnn

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/biornn/biornn/connectome"
)

// The memory budget. Go cannot recover from running out of memory (the
// runtime ends the process, a Python or R session behind the C API
// included), so everything whose size follows from a setting or from the
// caller's arrays is estimated before it is allocated and refused when the
// estimate exceeds the budget: the task data, the recurrent structure while
// the network is built, the parameters with their gradient and optimizer
// state, and the per-chunk buffers of the forward and backward passes.
// Estimates are in float64 bytes, so that absurd sizes do not overflow.

// MemoryShare is the share of physical memory that DefaultMaxMemory allows.
const MemoryShare = 0.8

// FallbackMaxMemory is the budget where physical memory cannot be read
// (outside Linux): 8 GiB.
const FallbackMaxMemory uint64 = 8 << 30

var defaultMaxMemory = sync.OnceValue(func() uint64 {
	if total, ok := physicalMemory(); ok {
		return uint64(MemoryShare * float64(total))
	}
	return FallbackMaxMemory
})

// DefaultMaxMemory is the default of the max_memory setting: MemoryShare
// (80%) of the physical memory (MemTotal in /proc/meminfo) on Linux,
// FallbackMaxMemory (8 GiB) elsewhere or when it cannot be read.
func DefaultMaxMemory() uint64 { return defaultMaxMemory() }

// physicalMemory reads MemTotal from /proc/meminfo.
func physicalMemory() (uint64, bool) {
	if runtime.GOOS != "linux" {
		return 0, false
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	return parseMemTotal(bufio.NewScanner(f))
}

// parseMemTotal finds the line "MemTotal: N kB".
func parseMemTotal(sc *bufio.Scanner) (uint64, bool) {
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, false
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil || kb == 0 || kb > math.MaxUint64/1024 {
			return 0, false
		}
		return kb * 1024, true
	}
	return 0, false
}

// budgetOf is budget, or DefaultMaxMemory when it is 0 (not set).
func budgetOf(budget uint64) uint64 {
	if budget == 0 {
		return DefaultMaxMemory()
	}
	return budget
}

// FormatBytes writes a size in GiB (MiB below 1 GiB).
func FormatBytes(b float64) string {
	switch {
	case b < 1<<10:
		return fmt.Sprintf("%.0f bytes", b)
	case b < 1<<20:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	case b < 1<<30:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	case b < 1<<50:
		return fmt.Sprintf("%.1f GiB", b/(1<<30))
	}
	return fmt.Sprintf("%.3g GiB", b/(1<<30))
}

// MemoryError is an allocation refused because its estimate exceeds the
// memory budget (the max_memory setting). A run reports it inside a
// *Problem naming the setting that drives the size.
type MemoryError struct {
	What   string  // what would be allocated ("the task data: 1000000000 trials x 7 steps")
	Need   float64 // the estimate, bytes
	Budget uint64  // the budget, bytes
	Hint   string  // what to lower ("lower trials"); may be empty
}

func (e *MemoryError) Error() string {
	msg := fmt.Sprintf("%s would take an estimated %s, more than the memory budget of %s (max_memory = %d)",
		e.What, FormatBytes(e.Need), FormatBytes(float64(e.Budget)), e.Budget)
	if e.Hint != "" {
		msg += "; " + e.Hint + " or raise max_memory"
	}
	return msg
}

// CheckMemory returns a *MemoryError when need bytes exceed budget (0 =
// DefaultMaxMemory), else nil. Every estimate of biornn (the runs, the
// arrays API, the kernel benchmark) is checked by it.
func CheckMemory(what string, need float64, budget uint64, hint string) error {
	budget = budgetOf(budget)
	if need > float64(budget) || math.IsNaN(need) {
		return &MemoryError{What: what, Need: need, Budget: budget, Hint: hint}
	}
	return nil
}

// MemoryEstimate is what a run holds at its peak, in bytes.
type MemoryEstimate struct {
	TaskData   float64 // the trials' inputs and targets, generated and then split (two copies)
	Wiring     float64 // the construction: dense neuron x neuron matrices (region level) or the edges and their layout (neuron level)
	Parameters float64 // parameters, gradient, optimizer state, their backup and the structure of W_hh
	Workspaces float64 // the per-chunk buffers of the forward and backward passes
}

// Total is the sum of the parts.
func (e MemoryEstimate) Total() float64 { return e.TaskData + e.Wiring + e.Parameters + e.Workspaces }

// taskShape returns the trials, steps, input channels and target values
// per step of spec's task (before the 80/20 split).
func taskShape(spec RunSpec) (trials, steps, inputs, targets int) {
	if file, ok := spec.Task.ArraysFile(); ok {
		n, T, in, out, err := arraysTaskShape(file)
		if err != nil {
			return 0, 0, 0, 0 // the file's error comes when it is read
		}
		return n, T, in, out
	}
	switch spec.Task {
	case TaskNBackMem:
		return spec.Trials, spec.TrialLength + 1, 2, 1
	case TaskPicLatentMem:
		return spec.Trials, spec.TrialLength + 2, connectome.MNISTLatentDim + 1, 1
	}
	return spec.Trials, 2*spec.PatternLength + 1, 2, 1
}

// TaskSize returns the input channels and the readout's outputs of spec's
// task (through Defaults).
func TaskSize(spec RunSpec) (inputs, outputs int) {
	_, _, in, _ := taskShape(spec)
	return in, outputsOf(spec)
}

// outputsOf returns the task's outputs (the readout's size).
func outputsOf(spec RunSpec) int {
	if file, ok := spec.Task.ArraysFile(); ok {
		_, _, _, out, err := arraysTaskShape(file)
		if err != nil {
			return 1
		}
		return out
	}
	if spec.Task == TaskSeqMem || spec.Task == "" {
		return 1
	}
	return 3
}

// taskBytes is the size of the task data: float32 inputs and targets,
// twice (MakeTask's trials and Split's copies exist together).
func taskBytes(trials, steps, inputs, targets int) float64 {
	return 2 * 4 * float64(trials) * float64(steps) * float64(inputs+targets)
}

// wiringBytes is the recurrent structure while a network of h neurons is
// built: the up-scaled matrix, the null model's and W_hh's (float64 each),
// the mask, and W_hh as float32 parameters; the connectome's weights
// (bio-weights, or a control with weights) add a scaled copy and the
// eigenvalue problem's matrices.
func wiringBytes(spec RunSpec, h int) float64 {
	hh := float64(h) * float64(h)
	b := hh * (3*8 + 1 + 2*4)
	if spec.Strategy == StrategyBioWeights || (spec.Strategy != StrategyBioRandom && spec.Strategy != StrategyBioRank && spec.ControlWeights == ControlWeights) {
		b += hh * (3*8 + 4)
	}
	return b
}

// neuronWiringBytes is the structure of a neuron-level network of h neurons
// and m edges while it is built: the edge list read (16 bytes an edge) and
// merged (12), a control's copy (12) with its edge set (16), W_hh's CSR
// layout with the data's weights (8), and up to connectome.DenseNeurons
// neurons the dense copies: the data's matrix, a control's, the mask.
func neuronWiringBytes(h, m int) float64 {
	b := float64(m) * (16 + 12 + 12 + 16 + 8)
	if h <= connectome.DenseNeurons {
		b += float64(h) * float64(h) * (8 + 8 + 1)
	}
	return b
}

// pathFor is the path NewNetwork chooses for h neurons with nnz kept
// weights.
func pathFor(h, nnz int, path Path) Path {
	if path == PathAuto || path == "" {
		if h < 32 || float64(nnz) > DenseDensity*float64(h)*float64(h) {
			return PathDense
		}
		return PathSparse
	}
	return path
}

// parameterCount is the length of theta.
func parameterCount(h, in, out, nnz int) float64 {
	return float64(h)*float64(in) + float64(nnz) + float64(h) + float64(out)*float64(h) + float64(out)
}

// networkBytes estimates a Network's own memory without its workspaces:
// theta, the gradient, the optimizer's two moments and the backup of all
// three (applyStep), the W_hh structure (CSR, transpose, permutation) and
// the derived copies (sparse values or the dense masked matrices, W_out^T).
func networkBytes(h, in, out, nnz int, path Path) float64 {
	p := parameterCount(h, in, out, nnz)
	b := p * 4 * (1 + 1 + 2 + 3)
	b += 3*4*float64(nnz) + 2*4*float64(h+1) + 4*float64(h)*float64(out)
	if pathFor(h, nnz, path) == PathSparse {
		b += 4 * float64(nnz)
	} else {
		b += 2 * 4 * float64(h) * float64(h)
	}
	return b
}

// workspaceCount is how many workspaces a batch of trials uses (see
// Network.ensure).
func workspaceCount(threads, trials int) int {
	nch := (trials + ChunkSize - 1) / ChunkSize
	if min(threads, nch) <= 1 {
		return 1
	}
	return min(threads, nch)
}

// workspaceBytes estimates one workspace (newWorkspace) for steps steps of
// chunk trials.
func workspaceBytes(h, in, out, nnz int, path Path, steps, chunk int) float64 {
	H, I, O, T, c := float64(h), float64(in), float64(out), float64(steps), float64(chunk)
	tc := T * c
	b := tc*I*4 + T*16 + 2*H*I*4 + T*I*4 + tc*H*4 + c*H*4 + 2*tc*O*4 + 4*parameterCount(h, in, out, nnz) + T
	if pathFor(h, nnz, path) == PathSparse {
		b += c * H * 4
	} else {
		b += tc*H*4 + 2*tc*H*4 + H*H*4
	}
	return b
}

// dynamicsBytes is the continuous-time option's buffers: a_t when leaky,
// the noise when noisy, [T][H][chunk] per workspace.
func dynamicsBytes(spec RunSpec, h, steps, trials int) float64 {
	k := 0.0
	if spec.Tau > 0 {
		k++
	}
	if spec.NoiseStd > 0 {
		k++
	}
	n := float64(workspaceCount(max(spec.Threads, 1), trials))
	return k * n * 4 * float64(h) * float64(steps) * float64(min(ChunkSize, max(trials, 1)))
}

// workspacesBytes estimates the workspaces of batches of up to trials
// trials of steps steps with threads threads.
func workspacesBytes(h, in, out, nnz int, path Path, threads, steps, trials int) float64 {
	n := workspaceCount(threads, trials)
	return float64(n) * workspaceBytes(h, in, out, nnz, path, steps, min(ChunkSize, max(trials, 1)))
}

// EstimateNetwork estimates the memory of a network of h neurons with nnz
// kept recurrent weights on path (as NewNetwork would choose it), without
// the buffers of its batches. The C API checks it before NewNetwork.
func EstimateNetwork(h, in, out, nnz int, path Path) float64 {
	return networkBytes(h, in, out, nnz, path)
}

// EstimateRun estimates the peak memory of a run of spec (through
// Defaults) on h neurons with nnz kept recurrent weights (0 before the
// network is built: the parameters are then counted without W_hh's values).
func EstimateRun(spec RunSpec, h, nnz int) MemoryEstimate {
	trials, steps, in, targets := taskShape(spec)
	out := outputsOf(spec)
	nTrain := trials * 4 / 5
	largest := max(nTrain, trials-nTrain, min(spec.BatchSize, nTrain))
	return MemoryEstimate{
		TaskData:   taskBytes(trials, steps, in, targets),
		Wiring:     wiringBytes(spec, h),
		Parameters: networkBytes(h, in, out, nnz, spec.Path),
		Workspaces: workspacesBytes(h, in, out, nnz, spec.Path, max(spec.Threads, 1), steps, largest) + dynamicsBytes(spec, h, steps, largest),
	}
}

// neuronsKey is the setting that decides the number of neurons.
func neuronsKey(spec RunSpec) string {
	switch {
	case spec.NeuronsFile != "":
		return "neurons_file"
	case spec.NeuronsFromDensity != "":
		return "neuron_scale"
	}
	return "neurons_per_region"
}

// stepsKey is the setting that decides the steps of a trial.
func stepsKey(spec RunSpec) (string, float64) {
	if spec.Task == TaskSeqMem || spec.Task == "" {
		return "pattern_length", float64(spec.PatternLength) / 3
	}
	return "trial_length", float64(spec.TrialLength) / 5
}

// memoryProblem names the setting that drives the largest part of e: the
// task data grow with trials and steps, the construction and the
// parameters with the neurons, the workspaces with the steps and threads.
func memoryProblem(spec RunSpec, h float64, e MemoryEstimate) *Problem {
	budget := budgetOf(spec.MaxMemory)
	need := e.Total()
	if !(need > float64(budget)) && !math.IsNaN(need) {
		return nil
	}
	trials, steps, _, _ := taskShape(spec)
	sk, stepsRatio := stepsKey(spec)
	var key, what string
	switch {
	case e.TaskData >= max(e.Wiring, e.Parameters, e.Workspaces):
		key = "trials"
		if stepsRatio > float64(trials)/500 {
			key = sk
		}
		what = fmt.Sprintf("the task data (%d trials x %d steps)", trials, steps)
	case e.Workspaces >= max(e.Wiring, e.Parameters):
		key = sk
		if threads := float64(max(spec.Threads, 1)); threads > stepsRatio {
			key = "threads"
		}
		what = fmt.Sprintf("the training buffers (%d steps x %.0f neurons, %d thread(s))", steps, h, max(spec.Threads, 1))
	default:
		key = neuronsKey(spec)
		what = fmt.Sprintf("the network (%.0f neurons)", h)
	}
	what += fmt.Sprintf(" with the rest of the run (task data %s, construction %s, parameters %s, training buffers %s)",
		FormatBytes(e.TaskData), FormatBytes(e.Wiring), FormatBytes(e.Parameters), FormatBytes(e.Workspaces))
	value := ""
	if s, ok := LookupSetting(key); ok {
		value = quoteText(s, s.Format(spec))
	}
	return &Problem{Key: key, Value: value, Err: &MemoryError{What: what, Need: need, Budget: budget, Hint: "lower " + key}}
}

// CheckTaskMemory checks that spec's task data fit the memory budget
// (spec.MaxMemory) before they are generated.
func CheckTaskMemory(spec RunSpec) error {
	if p := memoryProblem(spec, 0, MemoryEstimate{TaskData: EstimateRun(spec, 0, 0).TaskData}); p != nil {
		return p
	}
	return nil
}

// CheckWiringMemory checks, before the network is built from lc, that its
// construction, the task data and the network's parameters fit the memory
// budget (spec.MaxMemory). spec must have been through Defaults.
// WireConnectome calls it first, so every way of building a network (train,
// build, the C API, a sweep's pre-check) is checked.
func CheckWiringMemory(spec RunSpec, lc *connectome.Connectome) error {
	counts, err := neuronCounts(spec, lc)
	if err != nil {
		return err
	}
	total := 0.0
	for _, c := range counts {
		total += float64(c)
	}
	h := int(min(total, 1<<40)) // beyond any budget: the estimate stays finite
	e := EstimateRun(spec, h, 0)
	if lc.Level == connectome.LevelNeuron && lc.Edges != nil {
		m := len(lc.Edges.Pre)
		_, _, in, _ := taskShape(spec)
		e.Wiring = neuronWiringBytes(h, m)
		e.Parameters = networkBytes(h, in, outputsOf(spec), m, spec.Path)
	}
	e.Workspaces = 0 // checked with the real network (checkRunMemory)
	if p := memoryProblem(spec, total, e); p != nil {
		return p
	}
	return nil
}

// checkRunMemory checks the whole run once the network's wiring is known.
func checkRunMemory(spec RunSpec, w *Wiring) error {
	h, nnz := w.Neurons(), 0
	if w.Sparse != nil {
		nnz = w.Sparse.NNZ()
	} else {
		for _, m := range w.Mask {
			if m {
				nnz++
			}
		}
	}
	e := EstimateRun(spec, h, nnz)
	if w.Sparse != nil {
		e.Wiring = neuronWiringBytes(h, nnz)
	}
	if p := memoryProblem(spec, float64(h), e); p != nil {
		return p
	}
	return nil
}
