package rnn

import (
	"math"

	"github.com/biornn/biornn/connectome"
)

// W_hh has weights of both signs, so its spectral radius needs all
// eigenvalues (dense, O(n^3): 0.03 s at 228 neurons, 0.5 s at 500, 4 s at
// 1,000 on this machine). radiusMaxNeurons bounds the networks where it is
// computed for a setting that needs it (init_radius, bio-weights);
// diagnosticsMaxNeurons those where the runs table records it before and
// after training (spectral_radius_init, _final; NaN above), so that a
// diagnostic never dominates a run.
const (
	radiusMaxNeurons      = 2048
	diagnosticsMaxNeurons = 512
)

// recurrentRadius is the spectral radius of W_hh as the recurrence uses it
// (masked positions zero), or NaN for networks above radiusMaxNeurons.
func recurrentRadius(p Params) float64 {
	h := p.Hidden
	if h > radiusMaxNeurons {
		return math.NaN()
	}
	w := connectome.NewDense(h, h)
	for i, v := range p.WHH {
		w.Data[i] = float64(v)
	}
	r, err := connectome.SpectralRadius(w)
	if err != nil {
		return math.NaN()
	}
	return r
}

// recurrentRadius is the spectral radius of the network's W_hh, or NaN
// above diagnosticsMaxNeurons.
func (n *Network) recurrentRadius() float64 {
	if n.h > diagnosticsMaxNeurons {
		return math.NaN()
	}
	return recurrentRadius(n.Params())
}

// keptStats returns the mean and standard deviation of the network's kept
// recurrent weights (NaN without any), summed in row-major order.
func (n *Network) keptStats() (mean, std float64) {
	pos := make([]int32, len(n.permT)) // CSR position -> theta position
	for k, at := range n.permT {
		pos[at] = int32(k)
	}
	vals := make([]float32, len(pos))
	for k, at := range pos {
		vals[k] = n.valsT[at]
	}
	return keptStats(vals)
}

// keptStats returns the mean and standard deviation of vals (NaN when
// empty).
func keptStats(vals []float32) (mean, std float64) {
	var n, sum, sq float64
	for _, v := range vals {
		n++
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	mean = sum / n
	return mean, math.Sqrt(math.Max(0, sq/n-mean*mean))
}

// Learnt reports whether a run learnt its task: it reached the paper's speed
// criterion (a validation loss within 1% of its range, SpeedEpoch) with a
// minimum validation loss below the task's chance level (ChanceLoss).
func Learnt(task Task, speedEpoch int, minValLoss float64) bool {
	chance := ChanceLoss(task)
	return speedEpoch >= 0 && (math.IsNaN(chance) || minValLoss < chance)
}
