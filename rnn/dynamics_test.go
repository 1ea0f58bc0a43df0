package rnn

import (
	"context"
	"math"
	"testing"
)

// TestNoiseIsSeededAndThreadFree: training noise gives the same run with 1
// and 2 threads, another run with another seed, and changes the result
// against no noise; the leak changes it too.
func TestNoiseIsSeededAndThreadFree(t *testing.T) {
	run := func(threads int, seed uint64, noise, tau float64) *RunResult {
		t.Helper()
		res, err := Run(context.Background(), RunSpec{Connectome: "macaque", Epochs: 4, Trials: 200, BatchSize: 100,
			Seed: seed, Threads: threads, NoiseStd: noise, Tau: tau}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	last := func(r *RunResult) float64 { return r.Epochs[len(r.Epochs)-1].ValLoss }
	one, two := run(1, 1, 0.1, 0), run(2, 1, 0.1, 0)
	if last(one) != last(two) {
		t.Fatalf("1 and 2 threads: %v vs %v", last(one), last(two))
	}
	if other := run(1, 2, 0.1, 0); last(other) == last(one) {
		t.Fatal("another seed drew the same noise")
	}
	quiet := run(1, 1, 0, 0)
	if last(quiet) == last(one) {
		t.Fatal("the noise changed nothing")
	}
	if quiet.Epochs[0].ValLoss != one.Epochs[0].ValLoss {
		t.Fatal("validation before training was noisy")
	}
	if leak := run(1, 1, 0, 4); last(leak) == last(quiet) {
		t.Fatal("the leak changed nothing")
	}
}

// TestDynamicsSettings: tau below dt, dt without tau and negative noise
// are refused with their keys.
func TestDynamicsSettings(t *testing.T) {
	for _, c := range []struct {
		spec RunSpec
		key  string
	}{
		{RunSpec{Tau: 0.5}, "tau"},
		{RunSpec{DT: 2}, "dt"},
		{RunSpec{Tau: 4, DT: 8}, "tau"},
		{RunSpec{NoiseStd: -1}, "noise_std"},
	} {
		_, err := Defaults(c.spec)
		if p, ok := AsProblem(err); !ok || p.Key != c.key {
			t.Errorf("%+v: expected a problem with %s, got %v", c.spec, c.key, err)
		}
	}
	s, err := Defaults(RunSpec{Tau: 10})
	if err != nil || s.DT != 1 || s.Alpha() != 0.1 {
		t.Fatalf("dt 1 is the default with tau: %+v, %v", s.DT, err)
	}
	if s, _ := Defaults(RunSpec{}); s.DT != 0 || s.Alpha() != 1 {
		t.Fatalf("without tau dt stays unset (and out of the run id): %v", s.DT)
	}
}

// TestInitRadius: init_radius rescales the initial W_hh of a bio-rank
// network and of its control to the same spectral radius.
func TestInitRadius(t *testing.T) {
	for _, strategy := range []Strategy{StrategyBioRank, "permute"} {
		spec, err := Defaults(RunSpec{Connectome: "macaque", Strategy: strategy, ControlWeights: ControlRank, InitRadius: 0.42, Epochs: 1})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Build(spec)
		if err != nil {
			t.Fatal(err)
		}
		if r := recurrentRadius(b.Net.Params()); math.Abs(r-0.42) > 1e-5 {
			t.Errorf("%s: initial spectral radius %v, expected 0.42", strategy, r)
		}
		b.Net.Close()
	}
}
