package rnn

import (
	"context"
	"slices"
	"testing"
)

// TestNetworkPerExperiment: with network_per = experiment every seed trains
// the same bio network (the one seed 1 derives), while a control is drawn
// per seed; with the default each seed builds its own.
func TestNetworkPerExperiment(t *testing.T) {
	wiring := func(seed uint64, per NetworkPer, strategy Strategy) *Wiring {
		t.Helper()
		spec, err := Defaults(RunSpec{NeuronsPerRegion: 2, Seed: seed, NetworkPer: per, Strategy: strategy})
		if err != nil {
			t.Fatal(err)
		}
		w, err := BuildWiring(spec)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	if !slices.Equal(wiring(2, NetworkPerExperiment, StrategyBioRandom).Bio.Data, wiring(3, NetworkPerExperiment, StrategyBioRandom).Bio.Data) {
		t.Error("network_per = experiment: seeds 2 and 3 built different bio networks")
	}
	if !slices.Equal(wiring(1, NetworkPerExperiment, StrategyBioRandom).Bio.Data, wiring(1, NetworkPerSeed, StrategyBioRandom).Bio.Data) {
		t.Error("the experiment's network is not the one seed 1 builds")
	}
	if slices.Equal(wiring(2, NetworkPerSeed, StrategyBioRandom).Bio.Data, wiring(3, NetworkPerSeed, StrategyBioRandom).Bio.Data) {
		t.Error("network_per = seed: seeds 2 and 3 built the same network")
	}
	if slices.Equal(wiring(2, NetworkPerExperiment, "permute").Mask, wiring(3, NetworkPerExperiment, "permute").Mask) {
		t.Error("network_per = experiment: the control is not drawn per seed")
	}
	// The default spelt out is the default: the same run id fields.
	a, _ := Defaults(RunSpec{NetworkPer: NetworkPerSeed, Partition: "positive", BatchOrder: BatchOrderShuffled})
	b, _ := Defaults(RunSpec{})
	if a != b {
		t.Errorf("defaults spelt out differ from left out: %+v", a)
	}
}

// TestPartitionSetting: bio2art's stick-breaking split gives other weights
// on the same construction, some parts many orders of magnitude below the
// block's mean.
func TestPartitionSetting(t *testing.T) {
	build := func(p string) *Wiring {
		spec, err := Defaults(RunSpec{Seed: 4, Partition: p})
		if err != nil {
			t.Fatal(err)
		}
		w, err := BuildWiring(spec)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	pos, b2a := build(""), build("bio2art")
	if slices.Equal(pos.Bio.Data, b2a.Bio.Data) {
		t.Fatal("partition bio2art built the positive partition's weights")
	}
	minPos := func(xs []float64) float64 {
		m := 1.0
		for _, x := range xs {
			if x > 0 && x < m {
				m = x
			}
		}
		return m
	}
	if !(minPos(b2a.Bio.Data) < 1e-3*minPos(pos.Bio.Data)) {
		t.Errorf("smallest weight: bio2art %g, positive %g; expected bio2art's far smaller", minPos(b2a.Bio.Data), minPos(pos.Bio.Data))
	}
}

// TestBatchOrderFixed: a fixed batch order trains differently from the
// reshuffled one, and reproducibly.
func TestBatchOrderFixed(t *testing.T) {
	run := func(order BatchOrder) []EpochRecord {
		res, err := Run(context.Background(), RunSpec{NeuronsPerRegion: 1, Trials: 60, BatchSize: 16, Epochs: 3, Seed: 5, BatchOrder: order}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Epochs
	}
	fixed, again, shuffled := run(BatchOrderFixed), run(BatchOrderFixed), run("")
	if fixed[3].ValLoss != again[3].ValLoss {
		t.Error("a fixed batch order is not reproducible")
	}
	if fixed[1].ValLoss != shuffled[1].ValLoss {
		t.Error("epoch 1 differs: both orders start from the same shuffle")
	}
	if fixed[3].ValLoss == shuffled[3].ValLoss {
		t.Error("the fixed order trained exactly as the reshuffled one")
	}
}
