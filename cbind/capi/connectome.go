package capi

import (
	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
)

// connectomeKeys are the options of biornn_network_from_connectome: the
// network-construction fields of rnn.RunSpec, in snake_case.
var connectomeKeys = []string{"data_dir", "neurons", "neurons_file", "neurons_from_density", "neuron_scale", "density_fill",
	"target_sparsity", "intrinsic_sparsity",
	"intrinsic_weight", "intrinsic", "keep_diag", "homogeneous", "strategy", "null", "control_weights",
	"orientation", "init", "spectral_radius", "seed", "build_seed"}

// connectomeSpec parses the construction options into a RunSpec.
func connectomeSpec(where, name, opts string) (rnn.RunSpec, error) {
	o, err := parseOptions(where, opts, connectomeKeys...)
	if err != nil {
		return rnn.RunSpec{}, err
	}
	spec := rnn.RunSpec{
		Connectome:         name,
		DataDir:            o.str("data_dir", ""),
		NeuronsPerRegion:   o.int("neurons", 0),
		NeuronsFile:        o.str("neurons_file", ""),
		NeuronsFromDensity: o.str("neurons_from_density", ""),
		NeuronScale:        o.int("neuron_scale", 0),
		DensityFill:        o.str("density_fill", ""),
		TargetSparsity:     o.float("target_sparsity", 0),
		IntrinsicSparsity:  o.float("intrinsic_sparsity", 0),
		IntrinsicWeight:    o.float("intrinsic_weight", 0),
		NoIntrinsic:        !o.bool("intrinsic", true),
		KeepDiag:           o.bool("keep_diag", false),
		Homogeneous:        o.bool("homogeneous", false),
		Strategy:           o.str("strategy", ""),
		ControlWeights:     o.str("control_weights", ""),
		Orientation:        o.str("orientation", ""),
		Init:               o.str("init", ""),
		SpectralRadius:     o.float("spectral_radius", 0),
		Seed:               o.uint64("seed", 1),
		BuildSeed:          o.uint64("build_seed", 0),
	}
	if o.has("null") {
		model := o.oneOf("null", "", connectome.NullModels()...)
		if o.has("strategy") && spec.Strategy != model {
			return spec, errorf(ErrInvalid, "%s: options \"null\" and \"strategy\" disagree (%q vs %q); give one", where, model, spec.Strategy)
		}
		spec.Strategy = model
	}
	if o.has("neurons") && spec.NeuronsPerRegion < 1 {
		return spec, errorf(ErrInvalid, "%s: option \"neurons\": expected an integer >= 1, got %d", where, spec.NeuronsPerRegion)
	}
	if err := o.err(); err != nil {
		return spec, err
	}
	full, err := rnn.Defaults(spec)
	if err != nil {
		return spec, specError(where, err)
	}
	// Keep the build seed fixed (so the handle's matrices are the network
	// that trains) but leave the data and initialisation seeds to be derived
	// from the training call's seed.
	spec.BuildSeed = full.BuildSeed
	return spec, nil
}

// NewConnectomeNetwork loads connectome name, builds the neuron-level network
// with rnn.WireConnectome (the code rnn.Run builds with) and registers it.
// The connectome is loaded here so that a read failure is ErrIO and a bad
// construction setting ErrInvalid.
func NewConnectomeNetwork(name, opts string) (Handle, error) {
	const where = "biornn_network_from_connectome"
	if name == "" {
		return 0, errorf(ErrInvalid, "%s: empty connectome name", where)
	}
	spec, err := connectomeSpec(where, name, opts)
	if err != nil {
		return 0, err
	}
	full, err := rnn.Defaults(spec)
	if err != nil {
		return 0, specError(where, err)
	}
	c, err := connectome.Load(full.Connectome, full.DataDir)
	if err != nil {
		return 0, errorf(ErrIO, "%s: connectome %q: %v", where, name, err)
	}
	wiring, err := rnn.WireConnectome(full, c)
	if err != nil {
		// A neurons_file that cannot be read is ErrIO (wrap sees the
		// *fs.PathError); anything else is a bad setting.
		return 0, wrap(ErrInvalid, &renamedErr{msg: where + ": " + specKeysIn(err.Error()), err: err})
	}
	n := &Network{spec: spec, wiring: wiring}
	n.spec.Strategy, n.spec.Orientation = full.Strategy, full.Orientation
	return register(n), nil
}
