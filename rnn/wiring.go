package rnn

import (
	"fmt"
	"strconv"

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
	up, err := connectome.Upscale(lc.C, connectome.UpscaleOptions{
		Neurons: counts, TargetSparsity: spec.TargetSparsity,
		Intrinsic: !spec.NoIntrinsic, IntrinsicSparsity: spec.IntrinsicSparsity, IntrinsicWeight: spec.IntrinsicWeight,
		Homogeneous: spec.Homogeneous, KeepDiag: spec.KeepDiag, Seed: spec.BuildSeed, Partition: spec.Partition,
	})
	if err != nil {
		return nil, fmt.Errorf("rnn: building the network from %s: %w", lc.Name, err)
	}
	w := &Wiring{Connectome: lc, Network: up, Bio: up.W, Recurrent: ControlRandom}
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
