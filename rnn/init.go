package rnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/biornn/biornn/connectome"
)

// RecurrentFromBio turns a neuron-level matrix in bio2art orientation
// (W.At(s, t) = weight from s to t) into W_hh (row = target) for the given
// orientation.
func RecurrentFromBio(w *connectome.Dense, orientation Orientation) (*connectome.Dense, error) {
	switch orientation {
	case OrientationTarget, "":
		return w.T(), nil
	case OrientationPaper:
		return w.Clone(), nil
	}
	return nil, fmt.Errorf("rnn: Orientation = %q: expected %q or %q", orientation, OrientationTarget, OrientationPaper)
}

// initBound returns the half-width of the uniform distribution of a weight
// matrix with the given fans under scheme.
func initBound(scheme InitScheme, hidden, fanIn, fanOut int) (float64, error) {
	switch scheme {
	case InitDefault, "":
		return 1 / math.Sqrt(float64(hidden)), nil
	case InitXavier:
		return math.Sqrt(6 / float64(fanIn+fanOut)), nil
	case InitHe:
		return math.Sqrt(6 / float64(fanIn)), nil
	}
	return 0, fmt.Errorf("rnn: Init = %q: expected %q, %q or %q", scheme, InitDefault, InitXavier, InitHe)
}

// InitOptions say how to initialise a network's parameters.
type InitOptions struct {
	Scheme InitScheme // InitDefault, InitXavier, InitHe
	// Recurrent is how W_hh gets its values at the kept positions:
	// "random" (the scheme), "rank" (the scheme's values sorted into the rank
	// order of Ref's kept weights) or "weights" (Ref scaled to SpectralRadius).
	Recurrent      ControlWeightsMode
	Ref            *connectome.Dense // H x H, W_hh orientation: the weights for "rank" and "weights"
	SpectralRadius float64
	// Radius > 0 rescales W_hh after it is set so that its spectral radius
	// (as the recurrence uses it) is Radius: the same initial dynamics scale
	// for a network and its control.
	Radius float64
	Seed   uint64
}

// InitParams draws the parameters of a network with the given sizes and
// mask (H*H, W_hh orientation). The draws come from opts.Seed in a fixed
// order: W_in, W_hh (every position row-major, masked ones discarded), b_ih,
// b_hh, W_out, b_out. b is b_ih + b_hh like PyTorch's nn.RNN (two biases
// summed). Biases follow PyTorch's default U(-1/sqrt(H), 1/sqrt(H)) under
// every scheme; Xavier and He change the weight matrices only (W_in with fans
// Inputs/H, W_hh with H/H, W_out with H/Outputs).
func InitParams(hidden, inputs, outputs int, mask []bool, opts InitOptions) (Params, error) {
	h := hidden
	if h < 1 || inputs < 1 || outputs < 1 || len(mask) != h*h {
		return Params{}, fmt.Errorf("rnn: InitParams: sizes %d/%d/%d with a mask of %d values", h, inputs, outputs, len(mask))
	}
	p, whh, err := drawParams(h, inputs, outputs, h*h, opts)
	if err != nil {
		return Params{}, err
	}
	p.WHH = whh
	for k, keep := range mask {
		if !keep {
			p.WHH[k] = 0
		}
	}

	switch opts.Recurrent {
	case ControlRandom, "":
	case ControlRank:
		if err := checkRef(opts.Ref, h); err != nil {
			return Params{}, err
		}
		RankMap(p.WHH, mask, opts.Ref.Data)
	case ControlWeights:
		if err := checkRef(opts.Ref, h); err != nil {
			return Params{}, err
		}
		w, err := ScaleToSpectralRadius(opts.Ref, mask, opts.SpectralRadius)
		if err != nil {
			return Params{}, err
		}
		p.WHH = w
	default:
		return Params{}, fmt.Errorf("rnn: InitParams: recurrent init %q: expected \"random\", \"rank\" or \"weights\"", opts.Recurrent)
	}
	if opts.Radius > 0 {
		rho := recurrentRadius(p)
		if !(rho > 0) || math.IsInf(rho, 0) {
			return Params{}, fmt.Errorf("rnn: init_radius: the initial W_hh has spectral radius %v (above %d neurons it is not computed): it cannot be rescaled", rho, radiusMaxNeurons)
		}
		f := float32(opts.Radius / rho)
		for k := range p.WHH {
			p.WHH[k] *= f
		}
	}
	return p, nil
}

// drawParams draws a network's parameters from opts.Seed in the fixed
// order W_in, W_hh (nWHH values: every position, or the kept ones), b_ih,
// b_hh, W_out, b_out, under opts.Scheme's bounds. It returns W_hh's draws
// apart (p.WHH nil).
func drawParams(h, inputs, outputs, nWHH int, opts InitOptions) (p Params, whh []float32, err error) {
	r := rand.New(rand.NewPCG(opts.Seed, 0x62696f726e6e0201))
	uni := func(n int, bound float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32((2*r.Float64() - 1) * bound)
		}
		return v
	}
	bIn, err := initBound(opts.Scheme, h, inputs, h)
	if err != nil {
		return Params{}, nil, err
	}
	bHH, _ := initBound(opts.Scheme, h, h, h)
	bOut, _ := initBound(opts.Scheme, h, h, outputs)
	bBias := 1 / math.Sqrt(float64(h))

	p = Params{Hidden: h, Inputs: inputs, Outputs: outputs}
	p.WIn = uni(h*inputs, bIn)
	whh = uni(nWHH, bHH)
	bih, bhh := uni(h, bBias), uni(h, bBias)
	p.B = make([]float32, h)
	for i := range p.B {
		p.B[i] = bih[i] + bhh[i]
	}
	p.WOut = uni(outputs*h, bOut)
	p.BOut = uni(outputs, bBias)
	return p, whh, nil
}

func checkRef(ref *connectome.Dense, h int) error {
	if ref == nil || ref.Rows != h || ref.Cols != h {
		return fmt.Errorf("rnn: InitParams: the reference weights must be %dx%d", h, h)
	}
	return nil
}

// RankMap is the paper's rank re-mapping: the values at the kept positions of
// w are re-placed so that their order follows ref's weights (the largest
// value at the strongest connection, and so on; ties in ref keep position
// order). Masked positions are left alone; a nil mask keeps every position.
func RankMap(w []float32, mask []bool, ref []float64) {
	var pos []int
	var vals []float32
	for k := range w {
		if mask == nil || mask[k] {
			pos = append(pos, k)
			vals = append(vals, w[k])
		}
	}
	slices.Sort(vals)
	slices.SortStableFunc(pos, func(a, b int) int {
		switch {
		case ref[a] < ref[b]:
			return -1
		case ref[a] > ref[b]:
			return 1
		}
		return 0
	})
	for r, k := range pos {
		w[k] = vals[r]
	}
}

// ScaleToSpectralRadius returns ref at the kept positions, scaled so that
// its spectral radius is rho (float64 eigenvalues, then float32).
func ScaleToSpectralRadius(ref *connectome.Dense, mask []bool, rho float64) ([]float32, error) {
	if !(rho > 0) || math.IsInf(rho, 0) {
		return nil, fmt.Errorf("rnn: SpectralRadius = %v: expected a positive number", rho)
	}
	m := ref.Clone()
	for k, keep := range mask {
		if !keep {
			m.Data[k] = 0
		}
	}
	sr, err := connectome.SpectralRadius(m)
	if err != nil {
		return nil, fmt.Errorf("rnn: spectral radius of the connectome weights: %w", err)
	}
	if !(sr > 0) {
		return nil, fmt.Errorf("rnn: the connectome weights have spectral radius %v: cannot scale to SpectralRadius = %v (nilpotent or empty wiring; use another strategy)", sr, rho)
	}
	w := make([]float32, len(m.Data))
	for k, v := range m.Data {
		w[k] = float32(v * rho / sr)
	}
	return w, nil
}
