package rnn

import (
	"bufio"
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParseMemTotal(t *testing.T) {
	for _, c := range []struct {
		text string
		want uint64
		ok   bool
	}{
		{"MemTotal:       16303428 kB\nMemFree: 1 kB\n", 16303428 * 1024, true},
		{"MemFree: 1 kB\nMemTotal: 2 kB\n", 2048, true},
		{"MemTotal: 12 MB\n", 0, false},
		{"MemTotal: x kB\n", 0, false},
		{"MemTotal: 0 kB\n", 0, false},
		{"", 0, false},
	} {
		got, ok := parseMemTotal(bufio.NewScanner(strings.NewReader(c.text)))
		if got != c.want || ok != c.ok {
			t.Errorf("%q: %d, %v; expected %d, %v", c.text, got, ok, c.want, c.ok)
		}
	}
	if DefaultMaxMemory() == 0 {
		t.Error("DefaultMaxMemory is 0")
	}
}

func TestMaxMemorySetting(t *testing.T) {
	s, err := Defaults(RunSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxMemory != DefaultMaxMemory() {
		t.Errorf("default max_memory %d, expected %d", s.MaxMemory, DefaultMaxMemory())
	}
	if err := s.Set("max_memory", "1073741824"); err != nil || s.MaxMemory != 1<<30 {
		t.Errorf("max_memory 1073741824: %v, %d", err, s.MaxMemory)
	}
	for _, bad := range []string{"0", "-1", "1.5", "8GiB"} {
		err := s.Set("max_memory", bad)
		if p, ok := AsProblem(err); !ok || p.Key != "max_memory" {
			t.Errorf("max_memory %q: %v, expected a problem naming max_memory", bad, err)
		}
	}
	st, _ := LookupSetting("max_memory")
	if !st.Execution || st.Group != GroupRun {
		t.Error("max_memory must be an execution setting of the run group")
	}
}

// memoryProblemOf runs spec and returns the *Problem with a *MemoryError
// inside, failing the test otherwise.
func memoryProblemOf(t *testing.T, spec RunSpec) *Problem {
	t.Helper()
	spec.Kernels = "generic"
	_, err := Run(context.Background(), spec, nil)
	p, ok := AsProblem(err)
	var me *MemoryError
	if !ok || !errors.As(err, &me) {
		t.Fatalf("%+v: %v, expected a *Problem with a *MemoryError", spec, err)
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "would take an estimated") || !strings.Contains(err.Error(), "max_memory") {
		t.Errorf("the message does not give the estimate and the budget: %v", err)
	}
	return p
}

// TestMemoryBudget: sizes that would end the process with Go's "fatal error:
// out of memory" are refused before anything is allocated, with a problem
// naming the setting that drives the size.
func TestMemoryBudget(t *testing.T) {
	for _, c := range []struct {
		spec RunSpec
		key  string
	}{
		{RunSpec{Trials: 1000000000}, "trials"},
		{RunSpec{PatternLength: 100000000}, "pattern_length"},
		{RunSpec{Task: TaskNBackMem, TrialLength: 100000000}, "trial_length"},
		{RunSpec{NeuronsPerRegion: 1000000}, "neurons_per_region"},
		{RunSpec{NeuronsPerRegion: 1000000000000}, "neurons_per_region"},
		{RunSpec{Threads: 4096, Trials: 330000, PatternLength: 300, MaxMemory: 8 << 30}, "threads"},
	} {
		p := memoryProblemOf(t, c.spec)
		if p.Key != c.key {
			t.Errorf("%+v: the problem names %q, expected %q: %v", c.spec, p.Key, c.key, p)
		}
	}
	// A small budget refuses the default run; a sufficient one allows it.
	memoryProblemOf(t, RunSpec{MaxMemory: 1 << 20})
	if _, err := Run(context.Background(), RunSpec{Kernels: "generic", Epochs: 1, MaxMemory: 1 << 30}, nil); err != nil {
		t.Errorf("a default run with 1 GiB: %v", err)
	}
}

func TestEstimateMatchesAllocation(t *testing.T) {
	// The estimate of the default run is of the order of what it allocates
	// (not a gross under-estimate): about a few MB.
	spec, err := Defaults(RunSpec{Kernels: "generic"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Net.Close()
	e := EstimateRun(spec, b.Net.Hidden(), b.Net.Connections())
	if e.Total() < 1<<18 || e.Total() > 1<<28 {
		t.Errorf("estimate of the default run %s, expected a few MiB", FormatBytes(e.Total()))
	}
}

// TestArraysMemoryBudget: the arrays API refuses a batch whose buffers
// exceed the network's budget, before allocating them, and the network
// stays usable.
func TestArraysMemoryBudget(t *testing.T) {
	p, mask, x, shape, y, steps := randomNet(3, 40, 2, 1, 8, 6, 0.3, LossMSE)
	n, err := NewNetwork(p, mask, "tanh", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	n.SetMaxMemory(uint64(EstimateNetwork(40, 2, 1, n.Connections(), n.Path())) + 1)
	spec := OptimizerSpec{Name: OptimizerAdam, LR: 1e-3}
	_, err = n.TrainArrays(x, shape, y, LossMSE, steps, spec, 1)
	var me *MemoryError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "8 trials x 6 steps") {
		t.Fatalf("TrainArrays over the budget: %v, expected a *MemoryError naming the batch", err)
	}
	if _, err := n.Predict(x, shape); !errors.As(err, &me) {
		t.Fatalf("Predict over the budget: %v, expected a *MemoryError", err)
	}
	n.SetMaxMemory(0)
	if _, err := n.TrainArrays(x, shape, y, LossMSE, steps, spec, 1); err != nil {
		t.Fatal(err)
	}
}

// TestFailedStepKeepsParameters: an update that makes a parameter NaN or
// infinite is undone, the error says so, and every parameter can then be
// replaced one at a time.
func TestFailedStepKeepsParameters(t *testing.T) {
	for _, name := range Optimizers() {
		p, mask, x, shape, y, steps := randomNet(4, 12, 2, 1, 10, 6, 0.5, LossMSE)
		n, err := NewNetwork(p, mask, "tanh", nil, "")
		if err != nil {
			t.Fatal(err)
		}
		before := n.Params()
		losses, err := n.TrainArrays(x, shape, y, LossMSE, steps, OptimizerSpec{Name: name, LR: 1e30}, 5)
		if err == nil {
			t.Fatalf("%s: lr 1e30 trained 5 steps: %v", name, losses)
		}
		if !strings.Contains(err.Error(), "parameters") {
			t.Errorf("%s: the error does not say what the parameters are: %v", name, err)
		}
		after := n.Params()
		for _, v := range [][]float32{after.WIn, after.WHH, after.B, after.WOut, after.BOut} {
			if k := firstNonFinite(v); k >= 0 {
				t.Fatalf("%s: a parameter is %v after the failed step (%v)", name, v[k], err)
			}
		}
		var de *DivergedError
		if errors.As(err, &de) && len(losses) == 0 && !equalParams(before, after) {
			t.Errorf("%s: the first step failed but the parameters changed", name)
		}
		// Each parameter can be set alone, and the error of a bad one
		// names it.
		if err := n.SetParam("w_hh", before.WHH); err != nil {
			t.Errorf("%s: SetParam w_hh: %v", name, err)
		}
		bad := append([]float32(nil), before.B...)
		bad[3] = float32(math.NaN())
		if err := n.SetParam("b", bad); err == nil || !strings.Contains(err.Error(), "b[3]") {
			t.Errorf("%s: SetParam b with a NaN: %v, expected an error naming b[3]", name, err)
		}
		if err := n.SetParams(before); err != nil {
			t.Fatal(err)
		}
		if !equalParams(before, n.Params()) {
			t.Errorf("%s: SetParams did not restore the parameters", name)
		}
	}
}

// TestStepRestoresState checks step directly: a non-finite update leaves
// theta and the optimizer state bit for bit as they were.
func TestStepRestoresState(t *testing.T) {
	p, mask, x, shape, y, steps := randomNet(5, 12, 2, 1, 10, 6, 0.5, LossMSE)
	n, err := NewNetwork(p, mask, "tanh", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := OptimizerSpec{Name: OptimizerAdam, LR: 1e-3}.withDefaults()
	if _, err := n.TrainArrays(x, shape, y, LossMSE, steps, spec, 3); err != nil {
		t.Fatal(err)
	}
	theta := append([]float32(nil), n.theta...)
	m, v, stepCount := append([]float32(nil), n.opt.m...), append([]float32(nil), n.opt.v...), n.opt.step
	ds, _ := n.arraysDataset(x, shape, y, LossMSE, steps)
	if _, _, err := n.run(ds, seqIdx(ds.N), true, nil); err != nil {
		t.Fatal(err)
	}
	n.grad[n.offB+2] = float32(math.Inf(1))
	n.grad[n.offB+3] = float32(math.NaN())
	err = n.step(spec)
	var de *DivergedError
	if !errors.As(err, &de) || de.Param != "b" || de.Index != 2 {
		t.Fatalf("step with an infinite gradient: %v, expected a *DivergedError at b[2]", err)
	}
	if !equalBits(theta, n.theta) || !equalBits(m, n.opt.m) || !equalBits(v, n.opt.v) || n.opt.step != stepCount {
		t.Error("a failed step changed theta or the optimizer state")
	}
	// A fresh optimizer (another spec) is dropped again.
	sgd, _ := OptimizerSpec{Name: OptimizerSGD, LR: 1e-2}.withDefaults()
	if err := n.step(sgd); err == nil {
		t.Fatal("a fresh optimizer step with an infinite gradient passed")
	}
	if n.opt.spec != spec || !equalBits(m, n.opt.m) {
		t.Error("a failed step with a new optimizer kept the new optimizer state")
	}
}

func equalBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func equalParams(a, b Params) bool {
	return equalBits(a.WIn, b.WIn) && equalBits(a.WHH, b.WHH) && equalBits(a.B, b.B) && equalBits(a.WOut, b.WOut) && equalBits(a.BOut, b.BOut)
}
