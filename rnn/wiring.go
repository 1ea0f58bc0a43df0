package rnn

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/biornn/biornn/connectome"
)

// Wiring is the recurrent structure of a run, before any task or
// initialisation.
type Wiring struct {
	Connectome *connectome.Connectome
	Network    *connectome.Network // the up-scaled neuron-level network (row = source)
	Bio        *connectome.Dense   // after the strategy (the null model for a control), row = source
	WHH        *connectome.Dense   // Bio in W_hh orientation (RunSpec.Orientation): the kept weights
	Mask       []bool              // WHH != 0, row-major
	// Recurrent is how InitParams sets W_hh: "random", "rank" or "weights".
	Recurrent ControlWeightsMode
	// Signs are the neurons' signs under Dale's law (nil without it).
	Signs []float32
	// In and Out are the neurons that take input and that the readout sees
	// (nil = all).
	In, Out []bool
	// Sparse is W_hh's structure for neuron-level data, which are built from
	// their edges (InitSparse, NewSparseNetwork); Bio and Mask are then also
	// filled up to connectome.DenseNeurons neurons (nil above), WHH never.
	// Nil for region-level data.
	Sparse *SparseWiring
	// Edges is the neuron-level network after the strategy (a control's
	// edges), pre -> post; nil for region-level data.
	Edges *connectome.NeuronNetwork
}

// Neurons is the number of neurons of the wiring.
func (w *Wiring) Neurons() int {
	if w.Sparse != nil {
		return w.Sparse.H
	}
	return w.WHH.Rows
}

// CSR is W_hh's kept positions, CSR by row of W_hh.
func (w *Wiring) CSR() (rowPtr, colIdx []int32) {
	if w.Sparse != nil {
		return w.Sparse.RowPtr, w.Sparse.ColIdx
	}
	h := w.WHH.Rows
	rowPtr = make([]int32, h+1)
	for i := 0; i < h; i++ {
		for j := 0; j < h; j++ {
			if w.Mask[i*h+j] {
				colIdx = append(colIdx, int32(j))
			}
		}
		rowPtr[i+1] = int32(len(colIdx))
	}
	return rowPtr, colIdx
}

// BuildWiring loads the connectome, up-scales it (BuildSeed) and applies
// the strategy (a null model drawn from a seed derived from BuildSeed). spec
// must have been through Defaults.
func BuildWiring(spec RunSpec) (*Wiring, error) {
	lc, err := loadConnectome(spec)
	if err != nil {
		return nil, err
	}
	return WireConnectome(spec, lc)
}

// WireConnectome is BuildWiring on a connectome the caller has loaded
// (spec.Connectome and spec.DataDir are not used). It is the one place where
// a run's network is built, so that callers which load the connectome
// themselves (the C API, to report a read failure apart from a bad setting)
// get exactly the network Run trains. spec must have been through Defaults.
// The network must fit the memory budget (CheckWiringMemory), checked
// before it is built.
func WireConnectome(spec RunSpec, lc *connectome.Connectome) (*Wiring, error) {
	if lc.Level == connectome.LevelNeuron {
		return wireNeurons(spec, lc)
	}
	if spec.Strategy.NeuronLevelOnly() {
		return nil, &Problem{Key: "strategy", Value: strconv.Quote(string(spec.Strategy)), Want: "neuron-level data: this null model keeps neurons' types or signs"}
	}
	if err := lc.C.CheckSquare(lc.Name); err != nil {
		return nil, &Problem{Key: "connectome", Value: strconv.Quote(lc.Name), Err: err}
	}
	if err := CheckWiringMemory(spec, lc); err != nil {
		return nil, err
	}
	counts, err := neuronCounts(spec, lc)
	if err != nil {
		return nil, err
	}
	up, err := connectome.Upscale(lc.C, connectome.UpscaleOptions{
		Neurons: counts, TargetSparsity: spec.TargetSparsity,
		Intrinsic: !spec.NoIntrinsic, IntrinsicSparsity: spec.IntrinsicSparsity, IntrinsicWeight: spec.IntrinsicWeight,
		Homogeneous: spec.Homogeneous, KeepDiag: spec.KeepDiag, Seed: spec.BuildSeed, Partition: spec.Partition,
	})
	if err != nil {
		return nil, fmt.Errorf("rnn: building the network from %s: %w", lc.Name, err)
	}
	var signs []float32
	if spec.Dale {
		if signs, err = daleSigns(spec, lc); err != nil {
			return nil, err
		}
	}
	w := &Wiring{Connectome: lc, Network: up, Bio: up.W, Recurrent: spec.recurrentMode(), Signs: signs}
	if err := w.selectNeurons(spec, lc); err != nil {
		return nil, err
	}
	if spec.Strategy.IsControl() {
		if w.Bio, err = connectome.Null(string(spec.Strategy), up.W, nullSeed(spec)); err != nil {
			return nil, &Problem{Key: "strategy", Value: strconv.Quote(string(spec.Strategy)), Err: err}
		}
	}
	if w.WHH, err = RecurrentFromBio(w.Bio, spec.Orientation); err != nil {
		return nil, err
	}
	w.Mask = make([]bool, len(w.WHH.Data))
	for k, v := range w.WHH.Data {
		w.Mask[k] = v != 0
	}
	return w, nil
}

// wireNeurons is WireConnectome for neuron-level data: the edges are the
// network (no up-scaling), a control is a neuron-level null model of them
// (connectome.NullEdges), and W_hh is laid out from the edges without a
// dense matrix (dense copies only up to connectome.DenseNeurons neurons).
func wireNeurons(spec RunSpec, lc *connectome.Connectome) (*Wiring, error) {
	if lc.Edges == nil {
		return nil, &Problem{Key: "connectome", Value: strconv.Quote(lc.Name), Err: fmt.Errorf("neuron-level data without edges")}
	}
	if err := CheckWiringMemory(spec, lc); err != nil {
		return nil, err
	}
	h := lc.Edges.Neurons
	var signs []float32
	var err error
	if spec.Dale {
		if signs, err = daleSigns(spec, lc); err != nil {
			return nil, err
		}
	}
	up := &connectome.Network{W: lc.C, Region: make([]int, h)}
	for k := range up.Region {
		up.Region[k] = k
	}
	w := &Wiring{Connectome: lc, Network: up, Recurrent: spec.recurrentMode(), Signs: signs}
	if err := w.selectNeurons(spec, lc); err != nil {
		return nil, err
	}
	bio := lc.Edges
	if spec.Strategy.IsControl() { // a null model of the edges with the neurons' types and signs
		in := *lc.Edges
		if lc.Table != nil {
			in.Type = lc.Table.Type
			if s64, err := tableSigns(spec, lc.Table); err == nil {
				in.Sign = make([]int8, len(s64))
				for k, v := range s64 {
					in.Sign[k] = int8(v)
				}
			}
		}
		if bio, err = connectome.NullEdges(string(spec.Strategy), &in, nullSeed(spec)); err != nil {
			return nil, &Problem{Key: "strategy", Value: strconv.Quote(string(spec.Strategy)), Err: err}
		}
	}
	w.Edges = bio
	if w.Sparse, err = sparseFromEdges(bio, spec.Orientation); err != nil {
		return nil, err
	}
	if h <= connectome.DenseNeurons { // for the tools that show matrices (build --out, the bindings)
		w.Bio = lc.C
		if bio != lc.Edges {
			w.Bio = bio.Dense()
		}
		w.Mask = w.Sparse.mask()
	}
	return w, nil
}

// recurrentMode is how the strategy sets W_hh's initial values: bio-rank
// and bio-weights by the connectome's weights, a control by
// control_weights, bio-random from the init scheme.
func (s RunSpec) recurrentMode() ControlWeightsMode {
	switch {
	case s.Strategy == StrategyBioRank:
		return ControlRank
	case s.Strategy == StrategyBioWeights:
		return ControlWeights
	case s.Strategy.IsControl():
		return s.ControlWeights
	}
	return ControlRandom
}

// selectNeurons sets In and Out from the input_neurons and output_neurons
// settings.
func (w *Wiring) selectNeurons(spec RunSpec, lc *connectome.Connectome) error {
	var err error
	for _, sel := range []struct {
		key, text string
		dst       *[]bool
	}{{"input_neurons", spec.InputNeurons, &w.In}, {"output_neurons", spec.OutputNeurons, &w.Out}} {
		if sel.text == "" {
			continue
		}
		if lc.Table == nil {
			return &Problem{Key: sel.key, Value: strconv.Quote(sel.text), Want: "neuron-level data with a neuron_table"}
		}
		if *sel.dst, err = SelectNeurons(lc.Table, sel.text); err != nil {
			return &Problem{Key: sel.key, Value: strconv.Quote(sel.text), Err: err}
		}
	}
	return nil
}

// tableSigns are the neurons' signs from the table by the glutamate and
// unknown_transmitter settings.
func tableSigns(spec RunSpec, t *connectome.NeuronTable) ([]float64, error) {
	glu, unknown := -1.0, 0.0
	if spec.Glutamate == "excitatory" {
		glu = 1
	}
	switch spec.UnknownTransmitter {
	case "excitatory":
		unknown = 1
	case "inhibitory":
		unknown = -1
	}
	return t.Signs(glu, unknown)
}

// daleSigns are the neurons' signs from the neuron table; the data's own
// weights must not give a neuron outgoing weights of both signs.
func daleSigns(spec RunSpec, lc *connectome.Connectome) ([]float32, error) {
	if lc.Table == nil {
		return nil, &Problem{Key: "dale", Value: "true", Want: "neuron-level data with a neuron_table (sign or nt_type per neuron)"}
	}
	s64, err := tableSigns(spec, lc.Table)
	if err != nil {
		return nil, &Problem{Key: "dale", Value: "true", Err: err}
	}
	e := lc.Edges
	n := e.Neurons
	var mixed []string
	for k := 0; k < len(e.Pre) && len(mixed) < 5; {
		j := e.Pre[k]
		pos, neg := false, false
		for ; k < len(e.Pre) && e.Pre[k] == j; k++ {
			pos, neg = pos || e.Weight[k] > 0, neg || e.Weight[k] < 0
		}
		if pos && neg {
			mixed = append(mixed, lc.Regions[j])
		}
	}
	if mixed != nil {
		return nil, &Problem{Key: "dale", Value: "true", Err: fmt.Errorf("%s: neurons %s have outgoing weights of both signs in the data; Dale's law needs one sign per neuron",
			lc.Source, strings.Join(mixed, ", "))}
	}
	out := make([]float32, n)
	for k, v := range s64 {
		out[k] = float32(v)
	}
	return out, nil
}
