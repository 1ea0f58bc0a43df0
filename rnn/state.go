package rnn

import (
	"fmt"
	"math/rand/v2"

	"github.com/biornn/biornn/connectome"
)

// TrainState is everything a training run carries from one epoch to the
// next besides the parameters: with it, a run continued from a saved
// network (InitFrom) does exactly what one uninterrupted run does, bit for
// bit.
type TrainState struct {
	// Epochs are the records so far (epoch 0 is the evaluation before any
	// update); the next epoch is len(Epochs).
	Epochs []EpochRecord
	// Optimizer is the optimizer's state after the last step (Step = 0:
	// none yet).
	Optimizer OptimizerState
	// Shuffle is the state of the mini-batch order's generator
	// (rand.PCG.MarshalBinary) and Order the order of the training trials
	// after the last shuffle (each epoch shuffles the previous order).
	Shuffle []byte
	Order   []int
	// NoiseBatches is the training noise's counter (Network.NoiseBatches).
	NoiseBatches uint64
}

// OptimizerState is an optimizer's state in the Params layout: Adam's first
// and second moments (M, V), RMSprop's square average (M) or SGD's momentum
// buffer (M), with exact zeros at the masked positions of W_hh; above
// connectome.DenseNeurons neurons in the sparse form (Params.Kept).
type OptimizerState struct {
	Name Optimizer
	Step int
	M, V *Params // nil when the optimizer keeps no such array
}

// OptimizerState returns a copy of the optimizer's state (Step = 0 when no
// update has been applied since the last reset).
func (n *Network) OptimizerState() OptimizerState {
	st := n.opt
	if !st.valid {
		return OptimizerState{}
	}
	s := OptimizerState{Name: st.spec.Name, Step: st.step}
	if st.m != nil {
		p := n.fromTheta(st.m)
		s.M = &p
	}
	if st.v != nil {
		p := n.fromTheta(st.v)
		s.V = &p
	}
	return s
}

// SetOptimizerState restores a state OptimizerState returned, for the
// optimizer spec that the next updates use: the moments carry over when
// the optimizer is the same kind (a new learning rate keeps them, as
// PyTorch does when a param group's lr is changed), else they start afresh.
func (n *Network) SetOptimizerState(s OptimizerState, spec OptimizerSpec) error {
	n.opt = optState{}
	if s.Step == 0 || s.Name != spec.Name {
		return nil
	}
	spec, err := spec.withDefaults()
	if err != nil {
		return err
	}
	st := optState{spec: spec, valid: true, step: s.Step}
	for _, f := range []struct {
		dst  *[]float32
		src  *Params
		name string
		need bool
	}{{&st.m, s.M, "first moment", true}, {&st.v, s.V, "second moment", spec.Name == OptimizerAdam}} {
		if !f.need {
			continue
		}
		if f.src == nil {
			return fmt.Errorf("rnn: optimizer state: %s %s is missing", spec.Name, f.name)
		}
		v, err := n.toTheta(*f.src)
		if err != nil {
			return fmt.Errorf("rnn: optimizer state (%s): %w", f.name, err)
		}
		*f.dst = v
	}
	n.opt = st
	return nil
}

// fromTheta returns a vector in theta's layout as Params (W_hh dense with
// zeros outside the mask; the sparse form above connectome.DenseNeurons).
func (n *Network) fromTheta(v []float32) Params {
	if n.h > connectome.DenseNeurons {
		return n.sparseFromTheta(v)
	}
	h := n.h
	p := Params{Hidden: h, Inputs: n.in, Outputs: n.out,
		WIn:  append([]float32(nil), v[:n.offVals]...),
		WHH:  make([]float32, h*h),
		B:    append([]float32(nil), v[n.offB:n.offWOut]...),
		WOut: append([]float32(nil), v[n.offWOut:n.offOut]...),
		BOut: append([]float32(nil), v[n.offOut:]...),
	}
	vals := v[n.offVals:n.offB]
	n.eachWeight(func(i, j, k int) { p.WHH[i*h+j] = vals[k] })
	return p
}

// toTheta is fromTheta's inverse (either form); the sizes must be the
// network's.
func (n *Network) toTheta(p Params) ([]float32, error) {
	sparse := p.WHH == nil && p.Kept != nil
	if err := p.validate(!sparse); err != nil {
		return nil, err
	}
	if sparse && len(p.Kept) != len(n.permT) {
		return nil, fmt.Errorf("%d kept W_hh values, the network has %d connections", len(p.Kept), len(n.permT))
	}
	if p.Hidden != n.h || p.Inputs != n.in || p.Outputs != n.out {
		return nil, fmt.Errorf("sizes %d/%d/%d (hidden/inputs/outputs) differ from the network's %d/%d/%d",
			p.Hidden, p.Inputs, p.Outputs, n.h, n.in, n.out)
	}
	v := make([]float32, len(n.theta))
	copy(v, p.WIn)
	vals := v[n.offVals:n.offB]
	if sparse {
		if err := checkFinite("params: Kept", p.Kept); err != nil {
			return nil, err
		}
		for k, at := range n.permT {
			vals[k] = p.Kept[at]
		}
	} else {
		n.eachWeight(func(i, j, k int) { vals[k] = p.WHH[i*n.h+j] })
	}
	copy(v[n.offB:], p.B)
	copy(v[n.offWOut:], p.WOut)
	copy(v[n.offOut:], p.BOut)
	return v, nil
}

// newShuffle returns the mini-batch order's generator of a run: a PCG
// stream of InitSeed, or the saved state of a continued run.
func newShuffle(seed uint64, saved []byte) (*rand.PCG, error) {
	src := rand.NewPCG(seed, 0x62696f726e6e0301)
	if saved != nil {
		if err := src.UnmarshalBinary(saved); err != nil {
			return nil, fmt.Errorf("rnn: the saved mini-batch order: %w", err)
		}
	}
	return src, nil
}
