package rnn

import (
	"fmt"
	"math"
)

// The arrays API: training and prediction on arrays the caller brings, the
// layer under the C API and the Python/R bindings.
//
// Inputs x are (batch, T, Inputs) row-major float32 with xShape = {batch, T,
// Inputs}. Targets y depend on yKind:
//   - "mse": (batch, T, Outputs) float32; the loss is the mean squared error
//     over every output of every trial at the steps in lossSteps (PyTorch's
//     mse_loss with reduction "mean" on those outputs);
//   - "nll": (batch, T) class indices 0..Outputs-1 stored as float32; the loss
//     is log-softmax over the outputs, then the mean negative log-likelihood of
//     the labels at the steps in lossSteps (PyTorch's cross_entropy).
//
// Values of y at steps not in lossSteps are ignored (but must be present).

// arraysDataset wraps caller arrays (no copy) and validates them against the
// network's sizes.
func (n *Network) arraysDataset(x []float32, xShape [3]int, y []float32, yKind Loss, lossSteps []int) (*Dataset, error) {
	if xShape[2] != n.in {
		return nil, fmt.Errorf("rnn: x: shape %v has %d input channels, the network has %d", xShape, xShape[2], n.in)
	}
	ds := &Dataset{N: xShape[0], T: xShape[1], Inputs: xShape[2], Outputs: n.out, X: x, Y: y, Kind: yKind, LossSteps: lossSteps}
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	return ds, nil
}

func seqIdx(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// TrainArrays takes steps optimizer steps, each on the whole given batch
// (full-batch gradient descent, as a PyTorch loop calling loss.backward() and
// opt.step() on the same tensors), and returns the loss before each step.
// The optimizer state (Adam moments, momentum, step count) carries over to
// the next call while opt is unchanged, so calling TrainArrays once per
// mini-batch trains as a PyTorch loop would; a different opt, SetParams or
// ResetOptimizer start afresh.
func (n *Network) TrainArrays(x []float32, xShape [3]int, y []float32, yKind Loss, lossSteps []int, opt OptimizerSpec, steps int) ([]float64, error) {
	if steps < 0 {
		return nil, fmt.Errorf("rnn: steps = %d: expected a count >= 0", steps)
	}
	spec, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	ds, err := n.arraysDataset(x, xShape, y, yKind, lossSteps)
	if err != nil {
		return nil, err
	}
	idx := seqIdx(ds.N)
	losses := make([]float64, steps)
	for s := range losses {
		loss, _, err := n.run(ds, idx, true, nil)
		if err != nil {
			return losses[:s], err
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return losses[:s], fmt.Errorf("rnn: the loss diverged (%v) before step %d; no update was applied, %s; lower lr or set clip_norm", loss, s, keptParams(s))
		}
		losses[s] = loss
		if err := n.step(spec); err != nil {
			return losses[:s], fmt.Errorf("rnn: step %d of %d failed and %s: %w", s, steps, keptParams(s), err)
		}
	}
	return losses, nil
}

// keptParams says which parameters a network has after TrainArrays failed
// at step s (the failed step changed nothing).
func keptParams(s int) string {
	if s == 0 {
		return "the parameters are those the call started with"
	}
	return fmt.Sprintf("the parameters are those after step %d", s-1)
}

// LossAndGradient returns the mean loss on the batch and its gradient with
// respect to the current parameters, without changing them. The gradient of
// W_hh is zero outside the mask.
func (n *Network) LossAndGradient(x []float32, xShape [3]int, y []float32, yKind Loss, lossSteps []int) (float64, Params, error) {
	ds, err := n.arraysDataset(x, xShape, y, yKind, lossSteps)
	if err != nil {
		return 0, Params{}, err
	}
	loss, _, err := n.run(ds, seqIdx(ds.N), true, nil)
	if err != nil {
		return 0, Params{}, err
	}
	return loss, n.gradient(), nil
}

// Evaluate returns the mean loss and, for "nll", the accuracy (share of the
// (trial, loss step) answers whose largest output is the label; NaN for "mse").
func (n *Network) Evaluate(x []float32, xShape [3]int, y []float32, yKind Loss, lossSteps []int) (loss, accuracy float64, err error) {
	ds, err := n.arraysDataset(x, xShape, y, yKind, lossSteps)
	if err != nil {
		return 0, 0, err
	}
	loss, correct, err := n.run(ds, seqIdx(ds.N), false, nil)
	if err != nil {
		return 0, 0, err
	}
	return loss, accuracyOf(ds, ds.N, correct), nil
}

func accuracyOf(ds *Dataset, trials, correct int) float64 {
	if ds.Kind != LossNLL {
		return math.NaN()
	}
	return float64(correct) / float64(trials*len(ds.LossSteps))
}

// Predict returns the outputs at every step, (batch, T, Outputs) row-major.
func (n *Network) Predict(x []float32, xShape [3]int) ([]float32, error) {
	out, _, err := n.predict(x, xShape, false)
	return out, err
}

// PredictHidden returns the outputs, as Predict, and the hidden states h_t
// of every step, (batch, T, Hidden) row-major: the activity that analyses
// (PCA of states, fixed points) start from.
func (n *Network) PredictHidden(x []float32, xShape [3]int) (out, hidden []float32, err error) {
	return n.predict(x, xShape, true)
}

func (n *Network) predict(x []float32, xShape [3]int, withHidden bool) ([]float32, []float32, error) {
	if xShape[0] <= 0 || xShape[1] <= 0 || xShape[2] != n.in {
		return nil, nil, fmt.Errorf("rnn: x: shape %v: expected (batch > 0, T > 0, %d inputs)", xShape, n.in)
	}
	if len(x) != xShape[0]*xShape[1]*xShape[2] {
		return nil, nil, fmt.Errorf("rnn: x has %d values, expected %d for shape %v", len(x), xShape[0]*xShape[1]*xShape[2], xShape)
	}
	if err := checkFinite("x", x); err != nil {
		return nil, nil, err
	}
	ds := &Dataset{N: xShape[0], T: xShape[1], Inputs: n.in, Outputs: n.out, X: x, Kind: LossMSE}
	perStep := float64(n.out)
	if withHidden {
		perStep += float64(n.h)
	}
	buffers := 4*float64(ds.N)*float64(ds.T)*perStep + // the outputs (and states)
		float64(workspaceCount(n.threads, ds.N))*n.workspaceBytes(ds.T, min(ChunkSize, ds.N))
	if err := n.checkBatchMemory(ds.T, ds.N, buffers); err != nil {
		return nil, nil, err
	}
	out := make([]float32, ds.N*ds.T*n.out)
	var hid []float32
	if withHidden {
		hid = make([]float32, ds.N*ds.T*n.h)
	}
	if _, _, err := n.runWith(ds, seqIdx(ds.N), false, out, hid); err != nil {
		return nil, nil, err
	}
	return out, hid, nil
}
