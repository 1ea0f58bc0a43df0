package rnn

import (
	"fmt"
	"math"

	"github.com/biornn/biornn/connectome"
)

// Sparse wiring: neuron-level networks (edge lists, any size up to int32
// indices) are built from their edges without any Hidden x Hidden array,
// so storage and construction grow with the connections. Region-level
// networks keep the dense construction of the paper (InitParams draws every
// position of W_hh), so their results do not change.

// SparseWiring is W_hh's kept positions in CSR form by row of W_hh (the
// target neuron in the target orientation) with the data's weight at each.
type SparseWiring struct {
	H              int
	RowPtr, ColIdx []int32
	// Ref is the network's (or its control's) weight at each kept position,
	// CSR order: the order for "rank" and the values for "weights".
	Ref []float32
}

// NNZ is the number of kept positions.
func (s *SparseWiring) NNZ() int { return len(s.ColIdx) }

// sparseFromEdges lays out net (pre = source, post = target) as W_hh for
// the orientation: target rows (W_hh[post, pre]) or the paper's (rows =
// pre). Rows list their columns in increasing order.
func sparseFromEdges(net *connectome.NeuronNetwork, orientation Orientation) (*SparseWiring, error) {
	n, m := net.Neurons, len(net.Pre)
	rows, cols := net.Post, net.Pre
	switch orientation {
	case OrientationTarget, "":
	case OrientationPaper:
		rows, cols = net.Pre, net.Post
	default:
		return nil, fmt.Errorf("rnn: Orientation = %q: expected %q or %q", orientation, OrientationTarget, OrientationPaper)
	}
	s := &SparseWiring{H: n, RowPtr: make([]int32, n+1), ColIdx: make([]int32, m), Ref: make([]float32, m)}
	for _, r := range rows {
		s.RowPtr[r+1]++
	}
	for i := 0; i < n; i++ {
		s.RowPtr[i+1] += s.RowPtr[i]
	}
	// The edges are sorted by (pre, post): a stable counting sort by row
	// keeps each row's columns increasing in both orientations.
	fill := append([]int32(nil), s.RowPtr[:n]...)
	for k, r := range rows {
		at := fill[r]
		s.ColIdx[at], s.Ref[at] = cols[k], net.Weight[k]
		fill[r]++
	}
	return s, nil
}

// mask returns the kept positions as a dense H*H mask (W_hh orientation).
func (s *SparseWiring) mask() []bool {
	h := s.H
	mask := make([]bool, h*h)
	for i := 0; i < h; i++ {
		for k := s.RowPtr[i]; k < s.RowPtr[i+1]; k++ {
			mask[i*h+int(s.ColIdx[k])] = true
		}
	}
	return mask
}

// InitSparse draws the parameters of a network with sparse wiring s. Like
// InitParams, from opts.Seed in a fixed order: W_in, the kept W_hh values
// in CSR order (only those: nothing is drawn for absent positions), b_ih,
// b_hh, W_out, b_out, with the same distributions. It returns p with WHH
// nil and the kept values. "weights" and Radius need the spectral radius,
// computed for networks of at most radiusMaxNeurons neurons.
func InitSparse(s *SparseWiring, inputs, outputs int, opts InitOptions) (Params, []float32, error) {
	h := s.H
	if h < 1 || inputs < 1 || outputs < 1 {
		return Params{}, nil, fmt.Errorf("rnn: InitSparse: sizes %d/%d/%d", h, inputs, outputs)
	}
	p, vals, err := drawParams(h, inputs, outputs, s.NNZ(), opts)
	if err != nil {
		return Params{}, nil, err
	}

	radius := func(v []float32) (float64, error) {
		if h > radiusMaxNeurons {
			return 0, fmt.Errorf("rnn: the spectral radius of W_hh is computed for networks of at most %d neurons, this one has %d: use strategy bio-random or bio-rank and no init_radius", radiusMaxNeurons, h)
		}
		w := connectome.NewDense(h, h)
		for i := 0; i < h; i++ {
			for k := s.RowPtr[i]; k < s.RowPtr[i+1]; k++ {
				w.Data[i*h+int(s.ColIdx[k])] = float64(v[k])
			}
		}
		return connectome.SpectralRadius(w)
	}
	switch opts.Recurrent {
	case ControlRandom, "":
	case ControlRank:
		ref := make([]float64, len(s.Ref))
		for k, v := range s.Ref {
			ref[k] = float64(v)
		}
		RankMap(vals, nil, ref)
	case ControlWeights:
		if !(opts.SpectralRadius > 0) || math.IsInf(opts.SpectralRadius, 0) {
			return Params{}, nil, fmt.Errorf("rnn: SpectralRadius = %v: expected a positive number", opts.SpectralRadius)
		}
		sr, err := radius(s.Ref)
		if err != nil {
			return Params{}, nil, err
		}
		if !(sr > 0) {
			return Params{}, nil, fmt.Errorf("rnn: the connectome weights have spectral radius %v: cannot scale to SpectralRadius = %v (nilpotent or empty wiring; use another strategy)", sr, opts.SpectralRadius)
		}
		for k, v := range s.Ref {
			vals[k] = float32(float64(v) * opts.SpectralRadius / sr)
		}
	default:
		return Params{}, nil, fmt.Errorf("rnn: InitSparse: recurrent init %q: expected \"random\", \"rank\" or \"weights\"", opts.Recurrent)
	}
	if opts.Radius > 0 {
		rho, err := radius(vals)
		if err != nil {
			return Params{}, nil, fmt.Errorf("rnn: init_radius: %w", err)
		}
		if !(rho > 0) || math.IsInf(rho, 0) {
			return Params{}, nil, fmt.Errorf("rnn: init_radius: the initial W_hh has spectral radius %v: it cannot be rescaled", rho)
		}
		f := float32(opts.Radius / rho)
		for k := range vals {
			vals[k] *= f
		}
	}
	return p, vals, nil
}

// signSparse makes the kept values (CSR order of s) follow the signs of
// their presynaptic neurons (the columns): SignWeights for sparse wiring.
func signSparse(s *SparseWiring, vals []float32, signs []float32) {
	for k, j := range s.ColIdx {
		vals[k] = signs[j] * float32(math.Abs(float64(vals[k])))
	}
}
