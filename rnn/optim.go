package rnn

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/biornn/biornn/kernels"
)

// OptimizerSpec selects an optimizer and its hyper-parameters, with
// PyTorch's update rules (torch.optim.Adam, RMSprop, SGD). Zero Beta1, Beta2,
// Eps and Alpha mean PyTorch's defaults (0.9, 0.999, 1e-8, 0.99).
type OptimizerSpec struct {
	Name        Optimizer
	LR          float64 // must be > 0
	Beta1       float64 // adam
	Beta2       float64 // adam
	Eps         float64 // adam, rmsprop
	Alpha       float64 // rmsprop smoothing constant
	Momentum    float64 // sgd
	Dampening   float64 // sgd
	Nesterov    bool    // sgd
	WeightDecay float64 // L2 penalty added to the gradient (all parameters), as PyTorch does
	// ClipNorm > 0 clips the gradient before the update as
	// torch.nn.utils.clip_grad_norm_(params, ClipNorm) does: the total 2-norm
	// over all parameters, scaled by ClipNorm/(norm+1e-6) when norm > ClipNorm.
	ClipNorm float64
}

// withDefaults fills the zero hyper-parameters and validates; errors name the field.
func (s OptimizerSpec) withDefaults() (OptimizerSpec, error) {
	if s.Beta1 == 0 {
		s.Beta1 = 0.9
	}
	if s.Beta2 == 0 {
		s.Beta2 = 0.999
	}
	if s.Eps == 0 {
		s.Eps = 1e-8
	}
	if s.Alpha == 0 {
		s.Alpha = 0.99
	}
	if !slices.Contains(Optimizers(), s.Name) {
		return s, &Problem{Key: "optimizer", Value: strconv.Quote(string(s.Name)), Want: "one of " + strings.Join(names(Optimizers()), ", ")}
	}
	for _, f := range []struct {
		name   string
		v      float64
		lo, hi float64
		loOpen bool
	}{
		{"LR", s.LR, 0, math.Inf(1), true},
		{"Beta1", s.Beta1, 0, 1, false},
		{"Beta2", s.Beta2, 0, 1, false},
		{"Eps", s.Eps, 0, math.Inf(1), true},
		{"Alpha", s.Alpha, 0, 1, false},
		{"Momentum", s.Momentum, 0, math.Inf(1), false},
		{"Dampening", s.Dampening, 0, 1, false},
		{"WeightDecay", s.WeightDecay, 0, math.Inf(1), false},
		{"ClipNorm", s.ClipNorm, 0, math.Inf(1), false},
	} {
		if math.IsNaN(f.v) || f.v < f.lo || (f.loOpen && f.v == f.lo) || f.v > f.hi || math.IsInf(f.v, 0) {
			return s, fmt.Errorf("rnn: optimizer: %s = %v is out of range", f.name, f.v)
		}
	}
	if s.Beta1 >= 1 || s.Beta2 >= 1 {
		return s, fmt.Errorf("rnn: optimizer: Beta1 and Beta2 must be below 1, got %v, %v", s.Beta1, s.Beta2)
	}
	if s.Nesterov && (s.Momentum <= 0 || s.Dampening != 0) {
		return s, fmt.Errorf("rnn: optimizer: Nesterov needs Momentum > 0 and Dampening = 0")
	}
	return s, nil
}

// optState is the optimizer's state: it persists across steps while the
// spec stays the same and is reset when the spec or the parameters change.
type optState struct {
	spec  OptimizerSpec
	valid bool
	step  int
	m, v  []float32 // adam moments; rmsprop uses m as the square average; sgd as momentum buffer
}

// ResetOptimizer forgets the optimizer state (moments, step count).
func (n *Network) ResetOptimizer() { n.opt = optState{} }

// applyStep clips n.grad if asked and updates theta with the optimizer.
// spec must have been through withDefaults.
func (n *Network) applyStep(spec OptimizerSpec) {
	st := &n.opt
	if !st.valid || st.spec != spec {
		*st = optState{spec: spec, valid: true}
		st.m = make([]float32, len(n.theta))
		if spec.Name == OptimizerAdam {
			st.v = make([]float32, len(n.theta))
		}
	}
	if spec.ClipNorm > 0 {
		var ss float64
		for _, g := range n.grad {
			ss += float64(g) * float64(g)
		}
		norm := math.Sqrt(ss)
		if coef := spec.ClipNorm / (norm + 1e-6); coef < 1 {
			c := float32(coef)
			for i := range n.grad {
				n.grad[i] *= c
			}
		}
	}
	st.step++
	im := n.impl
	switch spec.Name {
	case OptimizerAdam:
		t := float64(st.step)
		im.Adam(n.theta, n.grad, st.m, st.v, kernels.AdamHyper{
			Beta1: float32(spec.Beta1), Beta2: float32(spec.Beta2), Eps: float32(spec.Eps),
			WeightDecay: float32(spec.WeightDecay),
			StepSize:    float32(spec.LR / (1 - math.Pow(spec.Beta1, t))),
			BC2Sqrt:     float32(math.Sqrt(1 - math.Pow(spec.Beta2, t))),
		})
	case OptimizerRMSprop:
		im.RMSprop(n.theta, n.grad, st.m, kernels.RMSpropHyper{
			LR: float32(spec.LR), Alpha: float32(spec.Alpha), Eps: float32(spec.Eps),
			WeightDecay: float32(spec.WeightDecay),
		})
	case OptimizerSGD:
		im.SGD(n.theta, n.grad, st.m, kernels.SGDHyper{
			LR: float32(spec.LR), Momentum: float32(spec.Momentum), Dampening: float32(spec.Dampening),
			WeightDecay: float32(spec.WeightDecay), Nesterov: spec.Nesterov, First: st.step == 1,
		})
	}
	n.refresh()
}
