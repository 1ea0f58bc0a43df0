package rnn

import (
	"fmt"
	"math"
)

// Dataset is a set of trials in the layout users and tasks produce:
// X is N x T x Inputs row-major (trial, step, channel). For LossMSE, Y is
// N x T x Outputs; for LossNLL, Y is N x T class indices (0..Outputs-1)
// stored as float32. Only the steps in LossSteps carry a loss.
type Dataset struct {
	N, T, Inputs, Outputs int
	X, Y                  []float32
	Kind                  Loss
	LossSteps             []int
	// Validation, if not nil, marks the trials that validate (the task's
	// own split); nil = the first 80% train (Split).
	Validation []bool
}

// Validate checks the sizes, the loss steps, finiteness and class labels.
func (d *Dataset) Validate() error {
	if d.N <= 0 || d.T <= 0 || d.Inputs <= 0 || d.Outputs <= 0 {
		return fmt.Errorf("rnn: data: trials, steps, inputs and outputs must be positive, got %d, %d, %d, %d", d.N, d.T, d.Inputs, d.Outputs)
	}
	if len(d.X) != d.N*d.T*d.Inputs {
		return fmt.Errorf("rnn: data: x has %d values, expected %d (trials x steps x inputs = %dx%dx%d)", len(d.X), d.N*d.T*d.Inputs, d.N, d.T, d.Inputs)
	}
	if err := checkFinite("data: x", d.X); err != nil {
		return err
	}
	if len(d.LossSteps) == 0 {
		return fmt.Errorf("rnn: data: loss steps: expected at least one step")
	}
	seen := make([]bool, d.T)
	for _, t := range d.LossSteps {
		if t < 0 || t >= d.T {
			return fmt.Errorf("rnn: data: loss step %d is outside 0..%d", t, d.T-1)
		}
		if seen[t] {
			return fmt.Errorf("rnn: data: loss step %d is listed twice", t)
		}
		seen[t] = true
	}
	switch d.Kind {
	case LossMSE:
		if len(d.Y) != d.N*d.T*d.Outputs {
			return fmt.Errorf("rnn: data: y (mse targets) has %d values, expected %d (trials x steps x outputs = %dx%dx%d)", len(d.Y), d.N*d.T*d.Outputs, d.N, d.T, d.Outputs)
		}
		if err := checkFinite("data: y", d.Y); err != nil {
			return err
		}
	case LossNLL:
		if len(d.Y) != d.N*d.T {
			return fmt.Errorf("rnn: data: y (nll class labels) has %d values, expected %d (trials x steps = %dx%d)", len(d.Y), d.N*d.T, d.N, d.T)
		}
		for i := 0; i < d.N; i++ {
			for _, t := range d.LossSteps {
				v := d.Y[i*d.T+t]
				if v != float32(int(v)) || v < 0 || int(v) >= d.Outputs {
					return fmt.Errorf("rnn: data: y[%d, %d] is %v, expected a class index in 0..%d", i, t, v, d.Outputs-1)
				}
			}
		}
	default:
		return fmt.Errorf("rnn: data: loss kind %q: expected \"mse\" or \"nll\"", d.Kind)
	}
	return nil
}

// lossCount is the number of terms the loss is the mean of, per trial.
func (d *Dataset) lossCount() int {
	if d.Kind == LossMSE {
		return len(d.LossSteps) * d.Outputs
	}
	return len(d.LossSteps)
}

// Subset returns the trials idx as a new dataset (copies).
func (d *Dataset) Subset(idx []int) *Dataset {
	s := &Dataset{N: len(idx), T: d.T, Inputs: d.Inputs, Outputs: d.Outputs, Kind: d.Kind, LossSteps: d.LossSteps}
	if d.N == 0 {
		return s
	}
	xs, ys := d.T*d.Inputs, len(d.Y)/d.N
	s.X = make([]float32, 0, len(idx)*xs)
	s.Y = make([]float32, 0, len(idx)*ys)
	for _, i := range idx {
		s.X = append(s.X, d.X[i*xs:(i+1)*xs]...)
		s.Y = append(s.Y, d.Y[i*ys:(i+1)*ys]...)
	}
	return s
}

// checkFinite returns an error naming what[k] for the first NaN or infinite
// value of v.
func checkFinite(what string, v []float32) error {
	for k, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("rnn: %s[%d] is %v, expected a finite number", what, k, x)
		}
	}
	return nil
}
