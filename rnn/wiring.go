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
	var up *connectome.Network
	if lc.Level == connectome.LevelNeuron {
		// Neuron-level data are the network: no up-scaling.
		up = &connectome.Network{W: lc.C.Clone(), Region: make([]int, lc.C.Rows)}
		for k := range up.Region {
			up.Region[k] = k
		}
	} else if up, err = connectome.Upscale(lc.C, connectome.UpscaleOptions{
		Neurons: counts, TargetSparsity: spec.TargetSparsity,
		Intrinsic: !spec.NoIntrinsic, IntrinsicSparsity: spec.IntrinsicSparsity, IntrinsicWeight: spec.IntrinsicWeight,
		Homogeneous: spec.Homogeneous, KeepDiag: spec.KeepDiag, Seed: spec.BuildSeed, Partition: spec.Partition,
	}); err != nil {
		return nil, fmt.Errorf("rnn: building the network from %s: %w", lc.Name, err)
	}
	var signs []float32
	if spec.Dale {
		if signs, err = daleSigns(spec, lc); err != nil {
			return nil, err
		}
	}
	w := &Wiring{Connectome: lc, Network: up, Bio: up.W, Recurrent: ControlRandom, Signs: signs}
	for _, sel := range []struct {
		key, text string
		dst       *[]bool
	}{{"input_neurons", spec.InputNeurons, &w.In}, {"output_neurons", spec.OutputNeurons, &w.Out}} {
		if sel.text == "" {
			continue
		}
		if lc.Table == nil {
			return nil, &Problem{Key: sel.key, Value: strconv.Quote(sel.text), Want: "neuron-level data with a neuron_table"}
		}
		if *sel.dst, err = SelectNeurons(lc.Table, sel.text); err != nil {
			return nil, &Problem{Key: sel.key, Value: strconv.Quote(sel.text), Err: err}
		}
	}
	switch spec.Strategy {
	case StrategyBioRank:
		w.Recurrent = ControlRank
	case StrategyBioWeights:
		w.Recurrent = ControlWeights
	case StrategyBioRandom:
	default: // a control
		if w.Bio, err = connectome.Null(string(spec.Strategy), up.W, nullSeed(spec)); err != nil {
			return nil, &Problem{Key: "strategy", Value: strconv.Quote(string(spec.Strategy)), Err: err}
		}
		w.Recurrent = spec.ControlWeights
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

// daleSigns are the neurons' signs from the neuron table; the data's own
// weights must not give a neuron outgoing weights of both signs.
func daleSigns(spec RunSpec, lc *connectome.Connectome) ([]float32, error) {
	if lc.Table == nil {
		return nil, &Problem{Key: "dale", Value: "true", Want: "neuron-level data with a neuron_table (sign or nt_type per neuron)"}
	}
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
	s64, err := lc.Table.Signs(glu, unknown)
	if err != nil {
		return nil, &Problem{Key: "dale", Value: "true", Err: err}
	}
	n := lc.C.Rows
	var mixed []string
	for j := 0; j < n && len(mixed) < 5; j++ {
		pos, neg := false, false
		for _, v := range lc.C.Data[j*n : (j+1)*n] {
			pos, neg = pos || v > 0, neg || v < 0
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
