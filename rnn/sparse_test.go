package rnn

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/biornn/biornn/connectome"
	"github.com/parquet-go/parquet-go"
)

// TestSparseNetworkMatchesDense: a network built from its kept positions
// (NewSparseNetwork) is the network NewNetwork builds from the same weights
// and mask: same parameters, and bit-identical losses and parameters after
// training steps, on both paths.
func TestSparseNetworkMatchesDense(t *testing.T) {
	h := 48
	r := rand.New(rand.NewPCG(3, 4))
	mask := make([]bool, h*h)
	for k := range mask {
		mask[k] = r.Float64() < 0.2
	}
	spec, err := Defaults(RunSpec{Connectome: "macaque", Trials: 64, PatternLength: 3, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := MakeTask(spec)
	if err != nil {
		t.Fatal(err)
	}
	p, err := InitParams(h, ds.Inputs, ds.Outputs, mask, InitOptions{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	var rowPtr, colIdx []int32
	var vals []float32
	rowPtr = append(rowPtr, 0)
	for i := 0; i < h; i++ {
		for j := 0; j < h; j++ {
			if mask[i*h+j] {
				colIdx, vals = append(colIdx, int32(j)), append(vals, p.WHH[i*h+j])
			}
		}
		rowPtr = append(rowPtr, int32(len(colIdx)))
	}
	for _, path := range []Path{PathSparse, PathDense} {
		dense, err := NewNetwork(p, mask, ActivationTanh, nil, path)
		if err != nil {
			t.Fatal(err)
		}
		q := p
		q.WHH = nil
		sparse, err := NewSparseNetwork(q, rowPtr, colIdx, vals, ActivationTanh, nil, path)
		if err != nil {
			t.Fatal(err)
		}
		if !sparse.SameWiring(dense.Wiring()) || !slices.Equal(sparse.Params().WHH, dense.Params().WHH) {
			t.Fatalf("%s: the sparse network's wiring or weights differ", path)
		}
		idx := seqIdx(ds.N)
		for step := 0; step < 3; step++ {
			la, _, errA := dense.run(ds, idx, true, nil)
			lb, _, errB := sparse.run(ds, idx, true, nil)
			if errA != nil || errB != nil || la != lb {
				t.Fatalf("%s step %d: losses %v and %v (%v, %v)", path, step, la, lb, errA, errB)
			}
			opt, _ := OptimizerSpec{}.withDefaults()
			dense.step(opt)
			sparse.step(opt)
		}
		if !slices.Equal(sparse.theta, dense.theta) {
			t.Fatalf("%s: parameters differ after training", path)
		}
	}
	// Bad structure is refused.
	q := p
	q.WHH = nil
	bad := slices.Clone(colIdx)
	bad[1], bad[0] = bad[0], bad[1]
	for _, c := range []struct {
		rowPtr, colIdx []int32
		vals           []float32
	}{
		{rowPtr[:h], colIdx, vals},
		{rowPtr, colIdx, vals[1:]},
		{rowPtr, bad, vals},
	} {
		if _, err := NewSparseNetwork(q, c.rowPtr, c.colIdx, c.vals, ActivationTanh, nil, PathAuto); err == nil {
			t.Fatal("a malformed sparse W_hh was accepted")
		}
	}
}

// TestInitSparse: the draws of a sparse wiring are those of its kept
// positions only, seeded; "rank" orders them by the data's weights; the
// spectral radius is refused above radiusMaxNeurons with a reason.
func TestInitSparse(t *testing.T) {
	net := &connectome.NeuronNetwork{Neurons: 4, Pre: []int32{0, 0, 1, 2, 3}, Post: []int32{1, 2, 3, 0, 1}, Weight: []float32{5, 1, 3, 2, 4}}
	s, err := sparseFromEdges(net, OrientationTarget)
	if err != nil {
		t.Fatal(err)
	}
	// W_hh rows are targets: row 0 <- 2, row 1 <- 0, 3, row 2 <- 0, row 3 <- 1.
	if !slices.Equal(s.RowPtr, []int32{0, 1, 3, 4, 5}) || !slices.Equal(s.ColIdx, []int32{2, 0, 3, 0, 1}) || !slices.Equal(s.Ref, []float32{2, 5, 4, 1, 3}) {
		t.Fatalf("layout %v %v %v", s.RowPtr, s.ColIdx, s.Ref)
	}
	_, a, _ := InitSparse(s, 2, 1, InitOptions{Seed: 1})
	_, b, _ := InitSparse(s, 2, 1, InitOptions{Seed: 1})
	_, c, _ := InitSparse(s, 2, 1, InitOptions{Seed: 2})
	if len(a) != 5 || !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Fatalf("draws %v %v %v", a, b, c)
	}
	_, rk, _ := InitSparse(s, 2, 1, InitOptions{Seed: 1, Recurrent: ControlRank})
	sorted := slices.Clone(a)
	slices.Sort(sorted)
	// Ref 2, 5, 4, 1, 3 has ranks 1, 4, 3, 0, 2.
	if want := []float32{sorted[1], sorted[4], sorted[3], sorted[0], sorted[2]}; !slices.Equal(rk, want) {
		t.Fatalf("rank mapping %v, expected %v", rk, want)
	}
	big := &SparseWiring{H: radiusMaxNeurons + 1, RowPtr: make([]int32, radiusMaxNeurons+2)}
	if _, _, err := InitSparse(big, 2, 1, InitOptions{Seed: 1, Radius: 0.5}); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("init_radius above the limit: %v", err)
	}
}

// TestNeuronLevelStrategies: every neuron-level control trains under Dale's
// law with weights of the right signs, keeps the neurons and the number of
// connections, and (for the rewirings) changes the wiring.
func TestNeuronLevelStrategies(t *testing.T) {
	base := RunSpec{Connectome: neuronEdges, NeuronTable: neuronTable, Dale: true, Epochs: 2, Trials: 60, Seed: 4}
	bio, err := Build(mustDefaults(t, base))
	if err != nil {
		t.Fatal(err)
	}
	defer bio.Net.Close()
	bioRow, bioCol := bio.Net.Wiring()
	for _, st := range append([]Strategy{StrategyBioRank}, neuronControls()...) {
		spec := base
		spec.Strategy = st
		res, err := RunWith(context.Background(), spec, RunOptions{Keep: true})
		if err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		if res.Neurons != 40 || res.Connections != 260 {
			t.Fatalf("%s: %d neurons, %d connections", st, res.Neurons, res.Connections)
		}
		signs := res.Net.Dale()
		for j := range signs {
			for k := res.Net.rowPtrT[j]; k < res.Net.rowPtrT[j+1]; k++ {
				if signs[j]*res.Net.valsT[k] < 0 {
					t.Fatalf("%s: a weight of neuron %d against its sign", st, j)
				}
			}
		}
		if rewires := strings.HasPrefix(string(st), "rewire") || st == "erdos-renyi"; rewires == res.Net.SameWiring(bioRow, bioCol) {
			t.Fatalf("%s: wiring changed = %v", st, !rewires)
		}
		res.Net.Close()
	}
	// Region-level data refuse a neuron-level model.
	spec := smallSpec()
	spec.Strategy = Strategy(connectome.NullRewireTypes)
	if _, err := Run(context.Background(), spec, nil); err == nil || !strings.Contains(err.Error(), "neuron-level data") {
		t.Fatalf("rewire-types on a region-level connectome: %v", err)
	}
}

func neuronControls() []Strategy {
	var out []Strategy
	for _, m := range connectome.NeuronNullModels() {
		out = append(out, Strategy(m))
	}
	return out
}

func mustDefaults(t *testing.T, s RunSpec) RunSpec {
	t.Helper()
	s, err := Defaults(s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGapJunctions: gap_junctions adds a network folder's electrical
// synapses to its chemical connections (summed where both join a pair);
// without the file it is an error naming the setting.
func TestGapJunctions(t *testing.T) {
	type conn struct {
		Pre    string  `parquet:"pre"`
		Post   string  `parquet:"post"`
		Weight float32 `parquet:"weight"`
	}
	type neuron struct {
		ID     string `parquet:"id"`
		NTType string `parquet:"nt_type"`
	}
	dir := t.TempDir()
	write := func(name string, rows any) {
		t.Helper()
		var err error
		switch r := rows.(type) {
		case []conn:
			err = parquet.WriteFile(filepath.Join(dir, name), r)
		case []neuron:
			err = parquet.WriteFile(filepath.Join(dir, name), r)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	write(connectome.NeuronsFile, []neuron{{"a", "acetylcholine"}, {"b", "gaba"}, {"c", "acetylcholine"}})
	write(connectome.ConnectionsFile, []conn{{"a", "b", 2}, {"b", "c", 1}, {"c", "a", 4}})
	spec := RunSpec{Connectome: dir, Epochs: 1, Trials: 20, Dale: true}
	base, err := Run(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	spec.GapJunctions = true
	if _, err := Run(context.Background(), spec, nil); err == nil || !strings.Contains(err.Error(), "gap_junctions") {
		t.Fatalf("gap_junctions without the file: %v", err)
	}
	write(connectome.GapJunctionsFile, []conn{{"a", "b", 1}, {"b", "a", 1}, {"a", "c", 3}, {"c", "a", 3}})
	with, err := Run(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	// a->b and c->a are summed with their chemical synapses; b->a and a->c are new.
	if base.Connections != 3 || with.Connections != 5 {
		t.Fatalf("%d connections without gap junctions, %d with: expected 3 and 5", base.Connections, with.Connections)
	}
	lc, err := LoadConnectomeFor(mustDefaults(t, spec))
	if err != nil {
		t.Fatal(err)
	}
	if w := lc.C.At(0, 1); w != 3 {
		t.Fatalf("a -> b weighs %v, expected 2 + 1", w)
	}
}

// TestRowSplitSameResults: a large network trained with batches of one
// chunk has its sparse products split by rows among the threads; the
// results are bit-identical for 1, 2 and 3 threads, and the split happened.
func TestRowSplitSameResults(t *testing.T) {
	net, err := connectome.Synthetic(connectome.SyntheticOptions{Kind: connectome.SyntheticSBM, Neurons: 3000, Connections: 60000, Excitatory: 0.8, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "net")
	if err := connectome.WriteNetworkFolder(dir, net); err != nil {
		t.Fatal(err)
	}
	splits := 0
	testRowSplitHook = func() { splits++ }
	defer func() { testRowSplitHook = nil }()
	var first []float32
	for _, threads := range []int{1, 2, 3} {
		before := splits
		res, err := RunWith(context.Background(), RunSpec{Connectome: dir, Dale: true, Trials: 80, BatchSize: 32, Epochs: 2, Seed: 4, Threads: threads}, RunOptions{Keep: true})
		if err != nil {
			t.Fatal(err)
		}
		theta := slices.Clone(res.Net.theta)
		res.Net.Close()
		if threads == 1 {
			first = theta
			if splits != before {
				t.Fatal("one thread split a product")
			}
			continue
		}
		if splits == before {
			t.Fatalf("%d threads: no product was split", threads)
		}
		if !slices.Equal(theta, first) {
			t.Fatalf("%d threads: parameters differ from one thread's", threads)
		}
	}
}

// TestRowSplitPaperNetwork: the paper's macaque network splits its last,
// 16-trial mini-batch of an epoch on 2 threads, and the results equal one
// thread's bit for bit.
func TestRowSplitPaperNetwork(t *testing.T) {
	splits := 0
	testRowSplitHook = func() { splits++ }
	defer func() { testRowSplitHook = nil }()
	var first []float32
	for _, threads := range []int{1, 2} {
		res, err := RunWith(context.Background(), RunSpec{Connectome: "macaque", DataDir: sharedConnectomes, Trials: 500, Epochs: 2, Seed: 6, Threads: threads}, RunOptions{Keep: true})
		if err != nil {
			t.Fatal(err)
		}
		theta := slices.Clone(res.Net.theta)
		res.Net.Close()
		if threads == 1 {
			first = theta
			continue
		}
		if splits == 0 || !slices.Equal(theta, first) {
			t.Fatalf("2 threads: %d split products, parameters equal to one thread's: %v", splits, slices.Equal(theta, first))
		}
	}
}
