package rnn

import (
	"math"
	"testing"
)

// flat lists the parameter arrays of p in a fixed order.
func flat(p *Params) [][]float32 { return [][]float32{p.WIn, p.WHH, p.B, p.WOut, p.BOut} }

// TestOptimizersFollowPyTorch: TrainArrays' updates equal PyTorch's
// formulas written out in float64 here (torch.optim docs), including weight
// decay, momentum, Nesterov, Adam's bias corrections and gradient clipping.
func TestOptimizersFollowPyTorch(t *testing.T) {
	for _, opt := range []OptimizerSpec{
		{Name: "adam", LR: 1e-2, WeightDecay: 0.01},
		{Name: "adam", LR: 1e-2, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, ClipNorm: 0.05},
		{Name: "rmsprop", LR: 1e-3, WeightDecay: 0.1},
		{Name: "sgd", LR: 0.1},
		{Name: "sgd", LR: 0.1, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01},
		{Name: "sgd", LR: 0.1, Momentum: 0.9, Nesterov: true, ClipNorm: 0.01},
	} {
		p, mask, x, shape, y, steps := randomNet(21, 12, 2, 3, 20, 5, 0.4, LossNLL)
		a, err := NewNetwork(p, mask, "tanh", nil, "")
		if err != nil {
			t.Fatal(err)
		}
		const nSteps = 4
		if _, err := a.TrainArrays(x, shape, y, LossNLL, steps, opt, nSteps); err != nil {
			t.Fatal(err)
		}
		b, _ := NewNetwork(p, mask, "tanh", nil, "")
		o, _ := opt.withDefaults()
		q := b.Params()
		q0 := q.Clone()
		var m, v [5][]float64
		for k, arr := range flat(&q) {
			m[k], v[k] = make([]float64, len(arr)), make([]float64, len(arr))
		}
		for s := 1; s <= nSteps; s++ {
			_, g, err := b.LossAndGradient(x, shape, y, LossNLL, steps)
			if err != nil {
				t.Fatal(err)
			}
			scale := 1.0
			if o.ClipNorm > 0 {
				var ss float64
				for _, arr := range flat(&g) {
					for _, e := range arr {
						ss += float64(e) * float64(e)
					}
				}
				if c := o.ClipNorm / (math.Sqrt(ss) + 1e-6); c < 1 {
					scale = c
				}
			}
			ga := flat(&g)
			for k, arr := range flat(&q) {
				for i := range arr {
					if k == 1 && !mask[i] {
						continue
					}
					pi := float64(arr[i])
					gi := float64(ga[k][i])*scale + o.WeightDecay*pi
					switch o.Name {
					case "adam":
						m[k][i] = o.Beta1*m[k][i] + (1-o.Beta1)*gi
						v[k][i] = o.Beta2*v[k][i] + (1-o.Beta2)*gi*gi
						mh := m[k][i] / (1 - math.Pow(o.Beta1, float64(s)))
						vh := v[k][i] / (1 - math.Pow(o.Beta2, float64(s)))
						pi -= o.LR * mh / (math.Sqrt(vh) + o.Eps)
					case "rmsprop":
						v[k][i] = o.Alpha*v[k][i] + (1-o.Alpha)*gi*gi
						pi -= o.LR * gi / (math.Sqrt(v[k][i]) + o.Eps)
					case "sgd":
						if o.Momentum != 0 {
							if s == 1 {
								m[k][i] = gi
							} else {
								m[k][i] = o.Momentum*m[k][i] + (1-o.Dampening)*gi
							}
							if o.Nesterov {
								gi += o.Momentum * m[k][i]
							} else {
								gi = m[k][i]
							}
						}
						pi -= o.LR * gi
					}
					arr[i] = float32(pi)
				}
			}
			if err := b.SetParams(q); err != nil {
				t.Fatal(err)
			}
		}
		got := a.Params()
		for k, arr := range flat(&got) {
			if e := relNormDiff(arr, flat(&q)[k]); e > 1e-5 {
				t.Errorf("%+v: parameter array %d differs from the PyTorch formula by %.3g", opt, k, e)
			}
		}
		if e := relNormDiff(got.WHH, q0.WHH); e == 0 {
			t.Fatalf("%+v: nothing changed", opt)
		}
	}
}
