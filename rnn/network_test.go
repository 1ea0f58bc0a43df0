package rnn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/biornn/biornn/kernels"
)

// randomNet returns random parameters, a random mask of the given density
// and a random mse or nll batch.
func randomNet(seed uint64, h, in, o, batch, T int, density float64, kind Loss) (Params, []bool, []float32, [3]int, []float32, []int) {
	r := rand.New(rand.NewPCG(seed, 1))
	u := func(n int, s float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32((2*r.Float64() - 1) * s)
		}
		return v
	}
	s := 1 / math.Sqrt(float64(h))
	p := Params{Hidden: h, Inputs: in, Outputs: o, WIn: u(h*in, s), WHH: u(h*h, 2*s), B: u(h, s), WOut: u(o*h, s), BOut: u(o, s)}
	mask := make([]bool, h*h)
	for i := range mask {
		mask[i] = r.Float64() < density
	}
	x := u(batch*T*in, 1)
	steps := []int{T - 2, T - 1}
	var y []float32
	if kind == LossMSE {
		y = u(batch*T*o, 1)
	} else {
		y = make([]float32, batch*T)
		for i := range y {
			y[i] = float32(r.IntN(o))
		}
	}
	return p, mask, x, [3]int{batch, T, in}, y, steps
}

// TestFiniteDifference checks the BPTT gradient against central differences
// on a small smooth (tanh) network, for both losses and both paths.
func TestFiniteDifference(t *testing.T) {
	for _, im := range kernels.All() {
		for _, kind := range []Loss{LossMSE, LossNLL} {
			for _, path := range []Path{PathSparse, PathDense} {
				p, mask, x, shape, y, steps := randomNet(7, 6, 3, 3, 70, 5, 0.5, kind) // 70 trials: two chunks
				n, err := NewNetwork(p, mask, "tanh", im, path)
				if err != nil {
					t.Fatal(err)
				}
				_, g, err := n.LossAndGradient(x, shape, y, kind, steps)
				if err != nil {
					t.Fatal(err)
				}
				lossAt := func(q Params) float64 {
					if err := n.SetParams(q); err != nil {
						t.Fatal(err)
					}
					l, _, err := n.Evaluate(x, shape, y, kind, steps)
					if err != nil {
						t.Fatal(err)
					}
					return l
				}
				const eps = 1e-2
				check := func(name string, get func(Params) []float32, keep func(int) bool) {
					grad := get(g)
					var num, diff, ref float64
					for k := range grad {
						if keep != nil && !keep(k) {
							if grad[k] != 0 {
								t.Errorf("%s/%s/%s: gradient of masked %s[%d] = %v, expected 0", im.Name, kind, path, name, k, grad[k])
							}
							continue
						}
						q := p.Clone()
						get(q)[k] += eps
						lp := lossAt(q)
						q = p.Clone()
						get(q)[k] -= eps
						lm := lossAt(q)
						num = (lp - lm) / (2 * eps)
						diff += (num - float64(grad[k])) * (num - float64(grad[k]))
						ref += num * num
					}
					if e := math.Sqrt(diff / ref); !(e < 2e-3) {
						t.Errorf("%s/%s/%s: %s gradient differs from central differences by %.3g (relative norm)", im.Name, kind, path, name, e)
					}
				}
				check("W_in", func(q Params) []float32 { return q.WIn }, nil)
				check("W_hh", func(q Params) []float32 { return q.WHH }, func(k int) bool { return mask[k] })
				check("b", func(q Params) []float32 { return q.B }, nil)
				check("W_out", func(q Params) []float32 { return q.WOut }, nil)
				check("b_out", func(q Params) []float32 { return q.BOut }, nil)
			}
		}
	}
}

// TestHardMask: 100 Adam steps with weight decay leave every masked weight
// exactly zero, on both paths, and the dense path's materialised matrices too.
func TestHardMask(t *testing.T) {
	for _, im := range kernels.All() {
		for _, path := range []Path{PathSparse, PathDense} {
			p, mask, x, shape, y, steps := randomNet(3, 24, 2, 1, 16, 6, 0.3, LossMSE)
			// Nonzero values at masked positions must be dropped.
			n, err := NewNetwork(p, mask, "tanh", im, path)
			if err != nil {
				t.Fatal(err)
			}
			opt := OptimizerSpec{Name: "adam", LR: 1e-2, WeightDecay: 0.1}
			if _, err := n.TrainArrays(x, shape, y, LossMSE, steps, opt, 100); err != nil {
				t.Fatal(err)
			}
			q := n.Params()
			changed := 0
			for k, keep := range mask {
				if !keep && q.WHH[k] != 0 {
					t.Fatalf("%s: masked W_hh[%d] = %v after 100 Adam steps", path, k, q.WHH[k])
				}
				if keep && q.WHH[k] != p.WHH[k] {
					changed++
				}
			}
			if changed == 0 {
				t.Fatalf("%s: no kept weight changed: the test is vacuous", path)
			}
			if path == PathDense {
				for k, keep := range mask {
					i, j := k/24, k%24
					if !keep && (n.wd[k] != 0 || n.wdT[j*24+i] != 0) {
						t.Fatalf("dense: materialised masked W[%d,%d] = %v / W^T = %v", i, j, n.wd[k], n.wdT[j*24+i])
					}
				}
			}
		}
	}
}

// TestPathsAndThreadsAgree: sparse and dense agree within float32 rounding;
// any thread count gives bit-identical results (batch of several chunks).
func TestPathsAndThreadsAgree(t *testing.T) {
	for _, kind := range []Loss{LossMSE, LossNLL} {
		p, mask, x, shape, y, steps := randomNet(11, 40, 3, 3, 150, 7, 0.25, kind)
		opt := OptimizerSpec{Name: "rmsprop", LR: 1e-3, ClipNorm: 0.5}
		var ref Params
		var refLoss []float64
		for _, path := range []Path{PathSparse, PathDense} {
			for _, threads := range []int{1, 2, 3} {
				n, err := NewNetwork(p, mask, "relu", nil, path)
				if err != nil {
					t.Fatal(err)
				}
				n.SetThreads(threads)
				defer n.Close()
				losses, err := n.TrainArrays(x, shape, y, kind, steps, opt, 5)
				if err != nil {
					t.Fatal(err)
				}
				q := n.Params()
				if refLoss == nil {
					ref, refLoss = q, losses
					continue
				}
				for s := range losses {
					if e := math.Abs(losses[s]-refLoss[s]) / refLoss[s]; e > 1e-5 {
						t.Errorf("%s %s threads=%d: loss %d = %v, reference %v", kind, path, threads, s, losses[s], refLoss[s])
					}
				}
				if e := relNormDiff(q.WHH, ref.WHH); e > 1e-5 {
					t.Errorf("%s %s threads=%d: W_hh differs by %.3g", kind, path, threads, e)
				}
			}
		}
	}
	// Bit-identical across thread counts, for every implementation and path.
	p, mask, x, shape, y, steps := randomNet(12, 30, 2, 1, 200, 5, 0.3, LossMSE)
	for _, im := range kernels.All() {
		for _, path := range []Path{PathSparse, PathDense} {
			var first Params
			for _, threads := range []int{1, 2, 4} {
				n, err := NewNetwork(p, mask, "tanh", im, path)
				if err != nil {
					t.Fatal(err)
				}
				n.SetThreads(threads)
				defer n.Close()
				if _, err := n.TrainArrays(x, shape, y, LossMSE, steps, OptimizerSpec{Name: "adam", LR: 1e-3}, 3); err != nil {
					t.Fatal(err)
				}
				q := n.Params()
				if threads == 1 {
					first = q
					continue
				}
				for k := range q.WHH {
					if q.WHH[k] != first.WHH[k] {
						t.Fatalf("%s/%s threads=%d: W_hh[%d] = %v, threads=1 gave %v", im.Name, path, threads, k, q.WHH[k], first.WHH[k])
					}
				}
			}
		}
	}
}

// TestNoAllocations: a training step (forward, BPTT, Adam update) allocates
// nothing once the workspaces exist, with every kernel implementation.
func TestNoAllocations(t *testing.T) {
	for _, im := range kernels.All() {
		for _, path := range []Path{PathSparse, PathDense} {
			p, mask, x, shape, y, steps := randomNet(5, 32, 2, 1, 100, 7, 0.3, LossMSE)
			n, err := NewNetwork(p, mask, "tanh", im, path)
			if err != nil {
				t.Fatal(err)
			}
			ds, err := n.arraysDataset(x, shape, y, LossMSE, steps)
			if err != nil {
				t.Fatal(err)
			}
			spec, _ := OptimizerSpec{Name: "adam", LR: 1e-3}.withDefaults()
			idx := seqIdx(ds.N)
			n.run(ds, idx, true, nil)
			n.applyStep(spec)
			if a := testing.AllocsPerRun(5, func() { n.run(ds, idx, true, nil) }); a != 0 {
				t.Errorf("%s/%s: %v allocations per forward+BPTT pass, expected 0", im.Name, path, a)
			}
			if a := testing.AllocsPerRun(5, func() { n.applyStep(spec) }); a != 0 {
				t.Errorf("%s/%s: %v allocations per optimizer step (kernels Adam + refresh), expected 0", im.Name, path, a)
			}
			n.step(spec)
			if a := testing.AllocsPerRun(5, func() { n.step(spec) }); a != 0 {
				t.Errorf("%s/%s: %v allocations per checked optimizer step (backup, Adam, finiteness check), expected 0", im.Name, path, a)
			}
		}
	}
}

func TestPredictMatchesLoss(t *testing.T) {
	p, mask, x, shape, y, steps := randomNet(9, 10, 2, 1, 70, 4, 0.5, LossMSE)
	n, err := NewNetwork(p, mask, "tanh", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := n.Predict(x, shape)
	if err != nil {
		t.Fatal(err)
	}
	var s float64
	for b := 0; b < shape[0]; b++ {
		for _, st := range steps {
			d := float64(out[b*shape[1]+st]) - float64(y[b*shape[1]+st])
			s += d * d
		}
	}
	s /= float64(shape[0] * len(steps))
	l, acc, err := n.Evaluate(x, shape, y, LossMSE, steps)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(l-s) > 1e-6*s || !math.IsNaN(acc) {
		t.Fatalf("Evaluate gives %v (accuracy %v), Predict's outputs give %v", l, acc, s)
	}
}

func TestBadInput(t *testing.T) {
	p, mask, x, shape, y, steps := randomNet(1, 8, 2, 3, 4, 4, 0.5, LossNLL)
	bad := p.Clone()
	bad.WHH = bad.WHH[:10]
	if _, err := NewNetwork(bad, mask, "tanh", nil, ""); err == nil {
		t.Error("short WHH accepted")
	}
	bad = p.Clone()
	bad.B[0] = float32(math.NaN())
	if _, err := NewNetwork(bad, mask, "tanh", nil, ""); err == nil {
		t.Error("NaN bias accepted")
	}
	if _, err := NewNetwork(p, mask[:5], "tanh", nil, ""); err == nil {
		t.Error("short mask accepted")
	}
	if _, err := NewNetwork(p, mask, "sigmoid", nil, ""); err == nil {
		t.Error("unknown activation accepted")
	}
	if _, err := NewNetwork(p, mask, "tanh", nil, "fast"); err == nil {
		t.Error("unknown path accepted")
	}
	n, err := NewNetwork(p, mask, "tanh", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	opt := OptimizerSpec{Name: "adam", LR: 1e-3}
	yBad := append([]float32(nil), y...)
	yBad[shape[1]-1] = 3
	for name, f := range map[string]func() error{
		"label out of range": func() error { _, err := n.TrainArrays(x, shape, yBad, LossNLL, steps, opt, 1); return err },
		"loss step too big":  func() error { _, err := n.TrainArrays(x, shape, y, LossNLL, []int{4}, opt, 1); return err },
		"wrong x length":     func() error { _, err := n.TrainArrays(x[1:], shape, y, LossNLL, steps, opt, 1); return err },
		"wrong kind":         func() error { _, err := n.TrainArrays(x, shape, y, "l1", steps, opt, 1); return err },
		"no optimizer": func() error {
			_, err := n.TrainArrays(x, shape, y, LossNLL, steps, OptimizerSpec{LR: 1}, 1)
			return err
		},
		"zero lr": func() error {
			_, err := n.TrainArrays(x, shape, y, LossNLL, steps, OptimizerSpec{Name: "sgd"}, 1)
			return err
		},
		"predict shape": func() error { _, err := n.Predict(x, [3]int{4, 4, 3}); return err },
	} {
		if f() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestAutoPath pins the auto rule: sparse up to DenseDensity of the
// positions kept (the paper's connectomes, at 16% to 50%, train sparse),
// dense above it and below 32 neurons.
func TestAutoPath(t *testing.T) {
	for _, c := range []struct {
		h       int
		density float64
		want    Path
	}{{116, 0.5, PathSparse}, {220, 0.45, PathSparse}, {100, 0.75, PathDense}, {16, 0.2, PathDense}} {
		p, mask, _, _, _, _ := randomNet(1, c.h, 1, 1, 1, 2, c.density, LossMSE)
		kept := 0
		for _, m := range mask {
			if m {
				kept++
			}
		}
		n, err := NewNetwork(p, mask, "tanh", nil, PathAuto)
		if err != nil {
			t.Fatal(err)
		}
		if n.Path() != c.want {
			t.Errorf("H=%d, %d of %d kept: auto path %s, expected %s", c.h, kept, c.h*c.h, n.Path(), c.want)
		}
	}
}

// TestSilentStepsSkipped: input products restricted to the columns that are
// not zero in some trial of a chunk (none at a silent step, a few at a cue
// step) give the same losses and gradients, for every implementation and
// path: bit-identical but for W_in's gradient at a cue step's columns, which
// a narrower GemmNT may sum in another order (inputs are checked finite up
// front, so a zero test cannot hide a NaN).
func TestSilentStepsSkipped(t *testing.T) {
	p, mask, x, shape, y, steps := randomNet(21, 20, 5, 3, 100, 6, 0.4, LossNLL) // chunks of 64 and 36 trials
	batch, T, in := shape[0], shape[1], shape[2]
	for b := 0; b < batch; b++ {
		for c := 0; c < in; c++ {
			x[(b*T+T-1)*in+c] = 0 // silent
			x[(b*T+1)*in+c] = 0   // silent but for one trial's inputs in the second chunk
			if b == 70 {
				x[(b*T+1)*in+c] = -2 // only bits 31 and 30 set: a sign-dropping zero test must keep it
			}
			if c != 1 && c != 2 {
				x[(b*T+2)*in+c] = 0 // a cue step: inputs 1 and 2 only
			}
		}
	}
	run := func(im *kernels.Impl, path Path, x []float32) (float64, Params) {
		n, err := NewNetwork(p, mask, "tanh", im, path)
		if err != nil {
			t.Fatal(err)
		}
		defer n.Close()
		loss, g, err := n.LossAndGradient(x, shape, y, LossNLL, steps)
		if err != nil {
			t.Fatal(err)
		}
		return loss, g
	}
	for _, im := range kernels.All() {
		for _, path := range []Path{PathSparse, PathDense} {
			loss, g := run(im, path, x)
			skipSilentInputs = false
			refLoss, ref := run(im, path, x)
			skipSilentInputs = true
			if loss != refLoss {
				t.Errorf("%s/%s: loss %v with skipping, %v without", im.Name, path, loss, refLoss)
			}
			var scale float64 // rounding of a sum is relative to its terms, not to the sum
			for _, v := range ref.WIn {
				scale = max(scale, math.Abs(float64(v)))
			}
			for name, pair := range map[string][2][]float32{"WIn": {g.WIn, ref.WIn}, "WHH": {g.WHH, ref.WHH}, "B": {g.B, ref.B}} {
				for k := range pair[0] {
					a, b := pair[0][k], pair[1][k]
					if name == "WIn" && (k%in == 1 || k%in == 2) {
						if math.Abs(float64(a-b)) > 1e-6*scale {
							t.Fatalf("%s/%s: gradient WIn[%d] = %v with skipping, %v without", im.Name, path, k, a, b)
						}
					} else if math.Float32bits(a) != math.Float32bits(b) {
						t.Fatalf("%s/%s: gradient %s[%d] = %v with skipping, %v without", im.Name, path, name, k, a, b)
					}
				}
			}
		}
	}
}
