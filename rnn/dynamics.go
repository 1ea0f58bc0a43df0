package rnn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// The continuous-time option. With leak alpha = dt/tau < 1 the state is a
// low-pass filter of the Elman update, as the rate RNNs of neurogym and
// PsychRNN discretise tau dh/dt = -h + act(...):
//
//	a_t = act(x_t W_in^T + h_{t-1} (W_hh * M)^T + b + noise_t)
//	h_t = (1 - alpha) h_{t-1} + alpha a_t
//
// and with noise_std > 0 every neuron's pre-activation gets Gaussian noise
// of that standard deviation at every step of a training pass (validation,
// evaluation and prediction run without it). alpha = 1 and no noise is the
// plain Elman network, computed exactly as without this option.
//
// The noise of a trial is drawn from a PCG stream of (seed, the network's
// count of noisy batches, the trial's index in its data set), so it does
// not depend on how the batch is cut into chunks or on the thread count;
// the count is part of TrainState, so a continued run draws what an
// uninterrupted one would.

// dynamics are a network's leak and noise.
type dynamics struct {
	alpha    float32
	noiseStd float32
	seed     uint64
	batches  uint64 // noisy batches so far: the noise stream's counter
	// fixed, when set (by tests), replaces the drawn noise: trial-major
	// (trial, step, neuron) values added as they are.
	fixed []float32
}

// SetDynamics sets the leak alpha (0 < alpha <= 1; 1 = none) and the
// training noise's standard deviation (>= 0) and seed.
func (n *Network) SetDynamics(alpha, noiseStd float64, seed uint64) error {
	if !(alpha > 0 && alpha <= 1) {
		return fmt.Errorf("rnn: leak alpha = dt/tau = %v: expected 0 < alpha <= 1 (tau >= dt)", alpha)
	}
	if !(noiseStd >= 0) || math.IsInf(noiseStd, 0) {
		return fmt.Errorf("rnn: noise_std = %v: expected a finite number >= 0", noiseStd)
	}
	if float32(alpha) != n.dyn.alpha || float32(noiseStd) != n.dyn.noiseStd {
		n.ws = nil // the workspaces' buffers depend on them
	}
	n.dyn.alpha, n.dyn.noiseStd, n.dyn.seed = float32(alpha), float32(noiseStd), seed
	return nil
}

// NoiseBatches is the count of noisy training batches so far (TrainState).
func (n *Network) NoiseBatches() uint64 { return n.dyn.batches }

// leaky reports whether the state is filtered (alpha < 1).
func (n *Network) leaky() bool { return n.dyn.alpha != 1 }

// noisy reports whether a pass adds noise (training with noise_std > 0).
func (n *Network) noisy(train bool) bool {
	return train && (n.dyn.noiseStd > 0 || n.dyn.fixed != nil)
}

// drawNoise fills w.noise ([T][H][m]) for the chunk's trials.
func (n *Network) drawNoise(w *workspace, j *job, trials []int) {
	h, T, m := n.h, j.ds.T, len(trials)
	hm := h * m
	if f := n.dyn.fixed; f != nil {
		for b, tr := range trials {
			for t := 0; t < T; t++ {
				for i := 0; i < h; i++ {
					w.noise[t*hm+i*m+b] = f[(tr*T+t)*h+i]
				}
			}
		}
		return
	}
	sd := float64(n.dyn.noiseStd)
	stream := n.dyn.seed ^ (j.noiseBatch * 0x9e3779b97f4a7c15)
	for b, tr := range trials {
		r := rand.New(rand.NewPCG(stream, uint64(tr)))
		for t := 0; t < T; t++ {
			for i := 0; i < h; i++ {
				w.noise[t*hm+i*m+b] = float32(sd * r.NormFloat64())
			}
		}
	}
}
