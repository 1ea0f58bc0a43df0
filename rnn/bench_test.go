package rnn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkEpoch measures one training epoch of the paper's setting
// (macaque, 4 neurons per region, seq_mem L=3, 400 training trials, batch
// 128, Adam) on each path.
func BenchmarkEpoch(b *testing.B) {
	for _, bc := range []struct {
		path    Path
		threads int
	}{{PathSparse, 1}, {PathDense, 1}, {PathSparse, 2}, {PathDense, 2}} {
		b.Run(fmt.Sprintf("%s/threads=%d", bc.path, bc.threads), func(b *testing.B) {
			spec, err := Defaults(RunSpec{Connectome: "macaque", DataDir: sharedConnectomes, Path: bc.path, Threads: bc.threads, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			bt, err := Build(spec)
			if err != nil {
				b.Fatal(err)
			}
			net, train := bt.Net, bt.Train
			defer net.Close()
			opt, _ := spec.optimizer().withDefaults()
			idx := seqIdx(train.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for lo := 0; lo < train.N; lo += spec.BatchSize {
					net.run(train, idx[lo:min(lo+spec.BatchSize, train.N)], true, nil)
					net.applyStep(opt)
				}
			}
		})
	}
}

// BenchmarkPathDensity compares the sparse and dense paths on random masks
// (one full-batch training step, 128 trials, T = 7): the data behind
// DenseDensity.
func BenchmarkPathDensity(b *testing.B) {
	for _, h := range []int{116, 220, 400} {
		for _, d := range []float64{0.05, 0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8} {
			for _, path := range []Path{PathSparse, PathDense} {
				b.Run(fmt.Sprintf("h=%d/density=%g/%s", h, d, path), func(b *testing.B) {
					p, mask, x, shape, y, steps := randomNet(1, h, 2, 1, 128, 7, d, LossMSE)
					n, err := NewNetwork(p, mask, "tanh", nil, path)
					if err != nil {
						b.Fatal(err)
					}
					ds, _ := n.arraysDataset(x, shape, y, LossMSE, steps)
					idx := seqIdx(ds.N)
					spec, _ := OptimizerSpec{Name: "adam", LR: 1e-4}.withDefaults()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						n.run(ds, idx, true, nil)
						n.applyStep(spec)
					}
				})
			}
		}
	}
}

// BenchmarkGather copies one chunk of 64 trials of the pictures task's shape
// (T = 7, 51 inputs, 1000 trials in shuffled order) into the step layout.
func BenchmarkGather(b *testing.B) {
	const trials, T, in = 1000, 7, 51
	ds := &Dataset{N: trials, T: T, Inputs: in, X: make([]float32, trials*T*in)}
	for i := range ds.X {
		ds.X[i] = float32(i%97) / 97
	}
	n := &Network{h: 8, in: in, out: 1, path: PathSparse}
	w := n.newWorkspace(T, ChunkSize)
	order := rand.New(rand.NewPCG(1, 2)).Perm(trials)
	b.SetBytes(int64(ChunkSize * T * in * 4))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lo := (i * ChunkSize) % (trials - ChunkSize)
		n.gather(w, ds, order[lo:lo+ChunkSize])
	}
}
