package rnn

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/biornn/biornn/connectome"
)

// sharedConnectomes is the data folder the tests name: "" selects the data
// sets built into the binary, so the tests run in a plain clone.
const sharedConnectomes = ""

// sharedMNIST holds the MNIST latents beside the project (CI has them);
// tests of the picture task skip without them.
var sharedMNIST = filepath.Join("..", "..", "shared", "mnist-latent")

func haveMNIST(t *testing.T) bool {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sharedMNIST, MNISTLatentFile)); err != nil {
		t.Logf("picture task not tested: the MNIST latents %s are missing (%v); CI runs it with ../shared beside the project", sharedMNIST, err)
		return false
	}
	return true
}

// TestLearnSeqMem: the paper's macaque network learns seq_mem L=3 with Adam
// lr 1e-3 in 300 epochs (PyTorch reaches about 2e-5; the trivial predictor 0.083).
func TestLearnSeqMem(t *testing.T) {
	spec := RunSpec{Connectome: "macaque", DataDir: sharedConnectomes, Task: TaskSeqMem, PatternLength: 3, Activation: "tanh",
		Optimizer: "adam", LR: 1e-3, Epochs: 300, Seed: 1}
	res, err := Run(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := res.Epochs[len(res.Epochs)-1]
	t.Logf("neurons %d, connections %d, path %s, kernels %s: epoch 0 val %.4g, epoch %d val %.3g, min %.3g at %d, speed epoch %d, %.2fs",
		res.Neurons, res.Connections, res.PathUsed, res.KernelSet, res.Epochs[0].ValLoss, last.Epoch, last.ValLoss, res.MinValLoss, res.MinValEpoch, res.SpeedEpoch, res.WallSeconds)
	if res.Neurons != 116 || len(res.Epochs) != 301 {
		t.Fatalf("%d neurons, %d epochs", res.Neurons, len(res.Epochs))
	}
	if last.ValLoss > 1e-3 {
		t.Fatalf("validation MSE %.3g after 300 epochs, expected <= 1e-3", last.ValLoss)
	}
}

func TestDefaults(t *testing.T) {
	s, err := Defaults(RunSpec{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if s.Connectome != "macaque" || s.NeuronsPerRegion != 4 || s.TargetSparsity != 0.8 || s.IntrinsicWeight != 0.8 ||
		s.Strategy != StrategyBioRandom || s.Orientation != OrientationTarget || s.Task != TaskSeqMem || s.Trials != 500 ||
		s.BatchSize != 128 || s.Optimizer != "adam" || s.LR != 1e-3 || s.Activation != "tanh" || s.Path != PathAuto ||
		s.Kernels == "" || s.BuildSeed == 0 || s.DataSeed == 0 || s.InitSeed == 0 || s.BuildSeed == s.DataSeed {
		t.Fatalf("defaults: %+v", s)
	}
	s2, _ := Defaults(RunSpec{Seed: 3})
	s4, _ := Defaults(RunSpec{Seed: 4, DataSeed: 77})
	if s2 != s || s4.BuildSeed == s.BuildSeed || s4.DataSeed != 77 {
		t.Fatal("seeds are not derived from Seed")
	}
	for field, spec := range map[string]RunSpec{ // key -> a spec that is bad there
		"target_sparsity": {TargetSparsity: 1.5},
		"strategy":        {Strategy: "bio"},
		"orientation":     {Orientation: "source"},
		"init":            {Init: "lecun"},
		"task":            {Task: "copy"},
		"n_back":          {Task: TaskNBackMem, NBack: 5},
		"mnist_dir":       {Task: TaskPicLatentMem},
		"activation":      {Activation: "gelu"},
		"path":            {Path: "gpu"},
		"kernels":         {Kernels: "cuda"},
		"optimizer":       {Optimizer: "lbfgs"},
		"momentum":        {Momentum: 0.9},
		"batch_size":      {BatchSize: -1},
		"patience":        {Patience: -2},
		"control_weights": {ControlWeights: "bio"},
	} {
		_, err := Defaults(spec)
		if p, ok := AsProblem(err); !ok || p.Key != field || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: error %v does not name the setting", field, err)
		}
	}
}

func smallSpec() RunSpec {
	return RunSpec{Connectome: "macaque", DataDir: sharedConnectomes, NeuronsPerRegion: 2, Epochs: 3, Trials: 100, BatchSize: 32, Seed: 2}
}

// TestRunStrategies builds and briefly trains every strategy and task.
func TestRunStrategies(t *testing.T) {
	for _, st := range Strategies() {
		for _, cw := range []ControlWeightsMode{ControlRandom, ControlRank, ControlWeights} {
			if (cw != ControlRandom && !Strategy(st).IsControl()) || st.NeuronLevelOnly() {
				continue // neuron-level models: TestNeuronLevelStrategies
			}
			spec := smallSpec()
			spec.Strategy, spec.ControlWeights = st, cw
			res, err := Run(context.Background(), spec, nil)
			if err != nil {
				t.Fatalf("%s/%s: %v", st, cw, err)
			}
			if len(res.Epochs) != 4 || math.IsNaN(res.MinValLoss) || res.Connections == 0 || res.Neurons != 58 {
				t.Fatalf("%s/%s: %+v", st, cw, res)
			}
		}
	}
	for _, spec := range []RunSpec{
		{Task: TaskNBackMem, NBack: 3, Activation: "relu", Optimizer: "rmsprop", Path: PathSparse},
		{Task: TaskPicLatentMem, MNISTDir: sharedMNIST, Optimizer: "sgd", Momentum: 0.9, Init: InitXavier},
		{Orientation: OrientationPaper, Init: InitHe, ClipNorm: 1, WeightDecay: 1e-4},
	} {
		if spec.Task == TaskPicLatentMem && !haveMNIST(t) {
			continue
		}
		s := smallSpec()
		s.Task, s.NBack, s.Activation, s.Optimizer, s.Path = spec.Task, spec.NBack, spec.Activation, spec.Optimizer, spec.Path
		s.MNISTDir, s.Momentum, s.Init, s.Orientation, s.ClipNorm, s.WeightDecay = spec.MNISTDir, spec.Momentum, spec.Init, spec.Orientation, spec.ClipNorm, spec.WeightDecay
		res, err := Run(context.Background(), s, nil)
		if err != nil {
			t.Fatalf("%+v: %v", spec, err)
		}
		acc := res.Epochs[3].ValAccuracy
		if (res.Spec.Task == TaskSeqMem) != math.IsNaN(acc) || acc < 0 || acc > 1 {
			t.Fatalf("%s: accuracy %v", res.Spec.Task, acc)
		}
	}
}

// TestRunDeterministic: same spec, same result, whatever the thread count;
// another seed differs.
func TestRunDeterministic(t *testing.T) {
	var first *RunResult
	for _, threads := range []int{1, 2} {
		spec := smallSpec()
		spec.Threads, spec.BatchSize = threads, 80 // two chunks per batch
		var seen []EpochRecord
		res, err := Run(context.Background(), spec, func(e EpochRecord) { seen = append(seen, e) })
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != len(res.Epochs) || seen[0].Epoch != 0 {
			t.Fatalf("onEpoch saw %d records, result has %d", len(seen), len(res.Epochs))
		}
		if first == nil {
			first = res
			continue
		}
		for e := range res.Epochs {
			a, b := res.Epochs[e], first.Epochs[e]
			if a.TrainLoss != b.TrainLoss || a.ValLoss != b.ValLoss {
				t.Fatalf("threads=%d epoch %d: %v/%v, threads=1: %v/%v", threads, e, a.TrainLoss, a.ValLoss, b.TrainLoss, b.ValLoss)
			}
		}
	}
	spec := smallSpec()
	spec.Seed = 99
	other, err := Run(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if other.Epochs[1].ValLoss == first.Epochs[1].ValLoss {
		t.Fatal("another seed gives the same run")
	}
}

func TestRunCancelAndPatience(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	spec := smallSpec()
	spec.Epochs = 1000
	res, err := Run(ctx, spec, func(e EpochRecord) {
		if e.Epoch == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || res == nil || len(res.Epochs) != 3 {
		t.Fatalf("cancel: err %v, %d epochs", err, len(res.Epochs))
	}
	spec = smallSpec()
	spec.Epochs, spec.Patience, spec.LR = 200, 2, 0.5 // too large a step: no progress soon
	res, err = Run(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Stops exactly Patience epochs after the best one.
	if last := res.Epochs[len(res.Epochs)-1].Epoch; last != res.MinValEpoch+2 || last >= 200 {
		t.Fatalf("early stopping: last epoch %d, best %d, patience 2", last, res.MinValEpoch)
	}
}

func TestSpeedEpoch(t *testing.T) {
	mk := func(v ...float64) []EpochRecord {
		var r []EpochRecord
		for i, x := range v {
			r = append(r, EpochRecord{Epoch: i, ValLoss: x})
		}
		return r
	}
	// Epoch 0 (100) is excluded from min/max: range 1..0.0, 1% = 0.01.
	if got := SpeedEpoch(mk(100, 1, 0.5, 0.02, 0.009, 0)); got != 4 {
		t.Fatalf("speed epoch %d, expected 4", got)
	}
	if got := SpeedEpoch(mk(1)); got != -1 {
		t.Fatalf("no training epochs: %d", got)
	}
	res := &RunResult{Epochs: mk(0.3, 0.5, 0.2, 0.25)}
	res.summarise()
	if res.MinValLoss != 0.2 || res.MinValEpoch != 2 || res.SpeedEpoch != 2 {
		t.Fatalf("summary %v %v %v", res.MinValLoss, res.MinValEpoch, res.SpeedEpoch)
	}
}

// TestBuildWiring: the mask is the up-scaled network in W_hh orientation
// (target rows by default, the paper's reversed edges on request), and
// bio-weights starts from the connectome weights at the spectral radius.
func TestBuildWiring(t *testing.T) {
	for _, orient := range []Orientation{OrientationTarget, OrientationPaper} {
		spec, err := Defaults(RunSpec{Connectome: "macaque", DataDir: sharedConnectomes, Orientation: orient, Strategy: StrategyBioWeights, SpectralRadius: 0.9, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		w, err := BuildWiring(spec)
		if err != nil {
			t.Fatal(err)
		}
		h := w.Network.W.Rows
		if h != 116 || w.Recurrent != ControlWeights {
			t.Fatalf("%d neurons, recurrent %q", h, w.Recurrent)
		}
		for i := 0; i < h; i++ {
			for j := 0; j < h; j++ {
				src, dst := j, i // target orientation: row i = inputs of neuron i
				if orient == OrientationPaper {
					src, dst = i, j
				}
				if w.Mask[i*h+j] != (w.Network.W.At(src, dst) != 0) {
					t.Fatalf("%s: mask[%d,%d] = %v, W_bio[%d,%d] = %v", orient, i, j, w.Mask[i*h+j], src, dst, w.Network.W.At(src, dst))
				}
			}
		}
		b, err := Build(spec)
		if err != nil {
			t.Fatal(err)
		}
		p := b.Net.Params()
		m := connectome.NewDense(h, h)
		for k, v := range p.WHH {
			m.Data[k] = float64(v)
		}
		rho, err := connectome.SpectralRadius(m)
		if err != nil || math.Abs(rho-0.9) > 1e-5 {
			t.Fatalf("%s: spectral radius %v (%v), expected 0.9", orient, rho, err)
		}
		// Proportional to the connectome weights.
		k := slices.IndexFunc(w.Mask, func(b bool) bool { return b })
		ratio := float64(p.WHH[k]) / w.WHH.Data[k]
		for k, keep := range w.Mask {
			if keep && math.Abs(float64(p.WHH[k])/w.WHH.Data[k]-ratio) > 1e-5*ratio {
				t.Fatalf("%s: W_hh[%d] not proportional to the connectome weight", orient, k)
			}
		}
	}
}

// TestBioRank: with bio-rank the initial W_hh values rise with the
// connectome weights, and they are the values bio-random would draw.
func TestBioRank(t *testing.T) {
	var vals [2][]float32
	var built *Built
	for k, st := range []Strategy{StrategyBioRandom, StrategyBioRank} {
		spec, err := Defaults(RunSpec{Connectome: "macaque", DataDir: sharedConnectomes, Strategy: st, Seed: 8})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Build(spec)
		if err != nil {
			t.Fatal(err)
		}
		built = b
		p := b.Net.Params()
		for i, keep := range b.Wiring.Mask {
			if keep {
				vals[k] = append(vals[k], p.WHH[i])
			}
		}
	}
	a, r := slices.Clone(vals[0]), slices.Clone(vals[1])
	slices.Sort(a)
	slices.Sort(r)
	if !slices.Equal(a, r) {
		t.Fatal("bio-rank values are not bio-random's values re-placed")
	}
	ref := built.Wiring.WHH.Data
	var pos []int
	for i, keep := range built.Wiring.Mask {
		if keep {
			pos = append(pos, i)
		}
	}
	for x := range pos {
		for y := range pos {
			if ref[pos[x]] < ref[pos[y]] && vals[1][x] > vals[1][y] {
				t.Fatalf("weight %v < %v but value %v > %v", ref[pos[x]], ref[pos[y]], vals[1][x], vals[1][y])
			}
		}
	}
}
