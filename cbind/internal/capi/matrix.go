package capi

import (
	"strings"

	"github.com/biornn/biornn/connectome"
)

// MatrixNames lists what biornn_get_matrix can read (float64, row-major):
//
//	connectome   region-level matrix C (regions x regions; row = source); connectome networks only
//	w            neuron-level weights W (neurons x neurons; row = source, bio2art's orientation);
//	             for an arrays network, the masked W_hh transposed
//	mask         kept recurrent positions as 0/1 in W_hh orientation (row = target)
//	region       region index of each neuron (neurons x 1); connectome networks only
//	in_degree, out_degree, in_strength, out_strength   per-neuron statistics of w (neurons x 1)
var MatrixNames = []string{"connectome", "w", "mask", "region", "in_degree", "out_degree", "in_strength", "out_strength"}

// StatNames lists the scalars of biornn_get_stats, in order.
var StatNames = []string{"neurons", "regions", "connections", "self_loops", "density", "reciprocity", "total_weight", "spectral_radius"}

// weights returns the neuron-level matrix in bio orientation and the mask in
// W_hh orientation; networks above connectome.DenseNeurons neurons have no
// dense form (an ErrUnsupported error).
func (n *Network) weights(where string) (*connectome.Dense, []bool, error) {
	if h := n.hidden(); h > connectome.DenseNeurons {
		return nil, nil, errorf(ErrUnsupported, "%s: a network of %d neurons has no dense matrices (above %d neurons only its connections are held: biornn_network_save writes them as connections.parquet)", where, h, connectome.DenseNeurons)
	}
	if !n.fromArrays() {
		return n.wiring.Bio, n.wiring.Mask, nil
	}
	p := n.rnn.Params()
	h := p.Hidden
	w := connectome.NewDense(h, h)
	for i := 0; i < h; i++ {
		for j := 0; j < h; j++ {
			w.Data[j*h+i] = float64(p.WHH[i*h+j])
		}
	}
	return w, n.rnn.Mask(), nil
}

// Matrix returns matrix name as rows, cols and row-major values.
func (n *Network) Matrix(where, name string) (int, int, []float64, error) {
	w, mask, err := n.weights(where)
	if err != nil {
		return 0, 0, nil, err
	}
	h := w.Rows
	col := func(v []float64) (int, int, []float64, error) { return len(v), 1, v, nil }
	switch name {
	case "connectome", "region":
		if n.fromArrays() {
			return 0, 0, nil, errorf(ErrUnsupported, "%s: matrix %q exists only for a network built from a connectome", where, name)
		}
		if name == "connectome" {
			c := n.wiring.Connectome.C
			return c.Rows, c.Cols, c.Data, nil
		}
		return col(ints64(n.wiring.Network.Region))
	case "w":
		return h, h, w.Data, nil
	case "mask":
		v := make([]float64, len(mask))
		fromBools(v, mask)
		return h, h, v, nil
	case "in_degree", "out_degree", "in_strength", "out_strength":
		st, err := connectome.ComputeStats(w)
		if err != nil {
			return 0, 0, nil, errorf(ErrInvalid, "%s: %v", where, err)
		}
		var v []float64
		switch name {
		case "in_degree":
			v = ints64(st.InDegree)
		case "out_degree":
			v = ints64(st.OutDegree)
		case "in_strength":
			v = st.InStrength
		case "out_strength":
			v = st.OutStrength
		}
		return col(append([]float64(nil), v...))
	}
	return 0, 0, nil, errorf(ErrInvalid, "%s: unknown matrix %q (known: %s)", where, name, strings.Join(MatrixNames, ", "))
}

func ints64(v []int) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// statsRadiusMax bounds the networks whose spectral radius Stats computes.
const statsRadiusMax = 1024

// Stats returns the values of StatNames for the network's weights w (for
// a neuron-level network above connectome.DenseNeurons, for its edges).
func (n *Network) Stats(where string) ([]float64, error) {
	regions := 0
	if !n.fromArrays() {
		regions = len(n.wiring.Connectome.Regions)
	}
	if !n.fromArrays() && n.wiring.Bio == nil && n.wiring.Edges != nil {
		// A neuron-level network above connectome.DenseNeurons: from its edges.
		st := connectome.EdgeStats(n.wiring.Edges)
		return []float64{float64(st.N), float64(regions), float64(n.wiring.Sparse.NNZ()), float64(st.SelfLoops),
			st.Density, st.Reciprocity, st.TotalWeight, st.SpectralRadius}, nil
	}
	w, mask, err := n.weights(where)
	if err != nil {
		return nil, err
	}
	// The spectral radius needs every eigenvalue (dense, cubic: about 4 s
	// at 1,000 neurons): NaN above statsRadiusMax neurons.
	stats := connectome.ComputeStats
	if w.Rows > statsRadiusMax {
		stats = connectome.GraphStats
	}
	st, err := stats(w)
	if err != nil {
		return nil, errorf(ErrInvalid, "%s: %v", where, err)
	}
	kept := 0
	for _, k := range mask {
		if k {
			kept++
		}
	}
	return []float64{float64(st.N), float64(regions), float64(kept), float64(st.SelfLoops),
		st.Density, st.Reciprocity, st.TotalWeight, st.SpectralRadius}, nil
}

// InfoKeys lists the strings of biornn_get_info.
var InfoKeys = []string{"source", "name", "species", "citation", "sha256", "regions", "strategy", "orientation", "activation", "kernel_set", "path"}

// Info returns string key of the network ("" when it does not apply).
func (n *Network) Info(where, key string) (string, error) {
	switch key {
	case "source":
		switch {
		case !n.fromArrays():
			return "connectome", nil
		case n.savedFrom != "":
			return "saved", nil
		}
		return "arrays", nil
	case "regions":
		if n.fromArrays() {
			return "", nil
		}
		return strings.Join(n.wiring.Connectome.Regions, "\n"), nil
	case "strategy":
		return string(n.spec.Strategy), nil
	case "orientation":
		return string(n.spec.Orientation), nil
	case "activation":
		if n.rnn != nil {
			return string(n.activation), nil
		}
		return string(n.spec.Activation), nil
	case "kernel_set":
		if n.rnn != nil {
			return n.rnn.KernelSet(), nil
		}
		return "", nil
	case "path":
		if n.rnn != nil {
			return string(n.rnn.Path()), nil
		}
		return "", nil
	case "name", "species", "citation", "sha256":
		if n.fromArrays() {
			return "", nil
		}
		c := n.wiring.Connectome
		return map[string]string{"name": c.Name, "species": c.Species, "citation": c.Citation, "sha256": c.SHA256}[key], nil
	}
	return "", errorf(ErrInvalid, "%s: unknown key %q (known: %s)", where, key, strings.Join(InfoKeys, ", "))
}
