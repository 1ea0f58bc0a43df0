package rnn

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/biornn/biornn/kernels"
)

// panicAt makes every chunk k of later batches panic, until the returned
// function is called.
func panicAt(k int) (restore func()) {
	testChunkHook = func(chunk int) {
		if chunk == k {
			panic("test panic in chunk")
		}
	}
	return func() { testChunkHook = nil }
}

// TestWorkerPanicIsError: a panic in a chunk, on a worker goroutine or on
// the caller's, comes back as a *PanicError from every entry point instead of
// ending the process; the parameters are untouched and the network (its
// worker pool included) keeps working.
func TestWorkerPanicIsError(t *testing.T) {
	// 200 trials = 4 chunks; with 2 threads the caller runs chunks 0 and 2,
	// the worker 1 and 3.
	p, mask, x, shape, y, steps := randomNet(21, 24, 2, 1, 200, 5, 0.3, LossMSE)
	opt := OptimizerSpec{Name: "adam", LR: 1e-3}
	fresh := func(threads int) *Network {
		n, err := NewNetwork(p, mask, "tanh", kernels.Generic, PathSparse)
		if err != nil {
			t.Fatal(err)
		}
		n.SetThreads(threads)
		t.Cleanup(n.Close)
		return n
	}
	want, err := fresh(1).TrainArrays(x, shape, y, LossMSE, steps, opt, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ threads, chunk int }{{2, 1}, {2, 2}, {3, 2}, {1, 3}} {
		n := fresh(tc.threads)
		restore := panicAt(tc.chunk)
		calls := map[string]func() error{
			"TrainArrays": func() error { _, err := n.TrainArrays(x, shape, y, LossMSE, steps, opt, 3); return err },
			"LossAndGradient": func() error {
				_, _, err := n.LossAndGradient(x, shape, y, LossMSE, steps)
				return err
			},
			"Evaluate": func() error { _, _, err := n.Evaluate(x, shape, y, LossMSE, steps); return err },
			"Predict":  func() error { _, err := n.Predict(x, shape); return err },
		}
		for name, call := range calls {
			err := call()
			var pe *PanicError
			if !errors.As(err, &pe) || pe.Chunk != tc.chunk || pe.Value != "test panic in chunk" || len(pe.Stack) == 0 {
				t.Fatalf("threads=%d, panic in chunk %d: %s returned %v, expected a *PanicError for that chunk", tc.threads, tc.chunk, name, err)
			}
			if !strings.Contains(err.Error(), "internal error") {
				t.Errorf("message %q does not say it is an internal error", err)
			}
		}
		restore()
		got, err := n.TrainArrays(x, shape, y, LossMSE, steps, opt, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("threads=%d: after the recovered panic the losses are %v, a fresh network gives %v", tc.threads, got, want)
		}
	}
}

// TestRunPanicIsError: Run (whose network has its worker pool) returns the
// panic as an error.
func TestRunPanicIsError(t *testing.T) {
	spec := smallSpec()
	spec.Threads, spec.BatchSize = 2, 80 // two chunks per batch: chunk 1 on the worker
	restore := panicAt(1)
	defer restore()
	res, err := Run(context.Background(), spec, nil)
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Chunk != 1 || res == nil {
		t.Fatalf("Run returned %v, %v; expected the partial result and a *PanicError in chunk 1", res, err)
	}
}

// TestWorkerPool: with Threads > 1 a training step allocates nothing (the
// workers are kept between batches); Threads-1 workers exist while the
// network is open, SetThreads resizes the pool and Close stops them before
// it returns, after which the network still trains, bit-identically to one
// thread.
func TestWorkerPool(t *testing.T) {
	p, mask, x, shape, y, steps := randomNet(22, 32, 2, 1, 300, 6, 0.3, LossMSE)
	spec, _ := OptimizerSpec{Name: "adam", LR: 1e-3}.withDefaults()
	if got := WorkerGoroutines(); got != 0 {
		t.Fatalf("%d workers left running by earlier tests", got)
	}
	n, err := NewNetwork(p, mask, "tanh", kernels.Generic, PathSparse)
	if err != nil {
		t.Fatal(err)
	}
	n.SetThreads(4)
	ds, err := n.arraysDataset(x, shape, y, LossMSE, steps)
	if err != nil {
		t.Fatal(err)
	}
	idx := seqIdx(ds.N)
	taken := 0
	step := func() {
		if _, _, err := n.run(ds, idx, true, nil); err != nil {
			t.Fatal(err)
		}
		n.applyStep(spec)
		taken++
	}
	step()
	if got := WorkerGoroutines(); got != 3 {
		t.Fatalf("threads=4: %d worker goroutines, expected 3", got)
	}
	if a := testing.AllocsPerRun(5, step); a != 0 {
		t.Errorf("threads=4: %v allocations per training step, expected 0", a)
	}
	n.SetThreads(2)
	step()
	if got := WorkerGoroutines(); got != 1 {
		t.Fatalf("threads=2: %d worker goroutines, expected 1", got)
	}
	n.Close()
	n.Close() // a second Close is harmless
	if got := WorkerGoroutines(); got != 0 {
		t.Fatalf("after Close: %d worker goroutines, expected none", got)
	}
	step() // usable after Close: restarts its worker
	n.Close()

	// As many steps on one thread.
	ref, err := NewNetwork(p, mask, "tanh", kernels.Generic, PathSparse)
	if err != nil {
		t.Fatal(err)
	}
	for range taken {
		if _, _, err := ref.run(ds, idx, true, nil); err != nil {
			t.Fatal(err)
		}
		ref.applyStep(spec)
	}
	if a, b := n.Params(), ref.Params(); !slices.Equal(a.WHH, b.WHH) || !slices.Equal(a.WOut, b.WOut) {
		t.Fatal("the pooled network's parameters differ from one thread's")
	}
}
