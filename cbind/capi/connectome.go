package capi

import (
	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
)

// connectomeKeys are the options of biornn_network_from_connectome: the
// network-construction fields of rnn.RunSpec, in snake_case.
var connectomeKeys = []string{"data_dir", "neurons", "neurons_file", "target_sparsity", "intrinsic_sparsity",
	"intrinsic_weight", "intrinsic", "keep_diag", "homogeneous", "strategy", "null", "control_weights",
	"orientation", "init", "spectral_radius", "seed", "build_seed"}

// connectomeSpec parses the construction options into a RunSpec.
func connectomeSpec(where, name, opts string) (rnn.RunSpec, error) {
	o, err := parseOptions(where, opts, connectomeKeys...)
	if err != nil {
		return rnn.RunSpec{}, err
	}
	spec := rnn.RunSpec{
		Connectome:        name,
		DataDir:           o.str("data_dir", ""),
		NeuronsPerRegion:  o.int("neurons", 0),
		NeuronsFile:       o.str("neurons_file", ""),
		TargetSparsity:    o.float("target_sparsity", 0),
		IntrinsicSparsity: o.float("intrinsic_sparsity", 0),
		IntrinsicWeight:   o.float("intrinsic_weight", 0),
		NoIntrinsic:       !o.bool("intrinsic", true),
		KeepDiag:          o.bool("keep_diag", false),
		Homogeneous:       o.bool("homogeneous", false),
		Strategy:          o.str("strategy", ""),
		ControlWeights:    o.str("control_weights", ""),
		Orientation:       o.str("orientation", ""),
		Init:              o.str("init", ""),
		SpectralRadius:    o.float("spectral_radius", 0),
		Seed:              o.uint64("seed", 1),
		BuildSeed:         o.uint64("build_seed", 0),
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
	if spec.DataDir == "" {
		spec.DataDir = connectome.ResolveDataDir("")
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
// as rnn.Build does and registers it.
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
	if err := c.C.CheckSquare(where + ": connectome " + name); err != nil {
		return 0, errorf(ErrInvalid, "%v", err)
	}
	counts := connectome.UniformNeurons(c.C.Rows, full.NeuronsPerRegion)
	if full.NeuronsFile != "" {
		if counts, err = connectome.ReadIntsFile(full.NeuronsFile); err != nil {
			return 0, errorf(ErrIO, "%s: option \"neurons_file\": %v", where, err)
		}
		if len(counts) != c.C.Rows {
			return 0, errorf(ErrInvalid, "%s: option \"neurons_file\" %s: %d counts, expected one per region (%d)", where, full.NeuronsFile, len(counts), c.C.Rows)
		}
	}
	up, err := connectome.Upscale(c.C, connectome.UpscaleOptions{
		Neurons: counts, TargetSparsity: full.TargetSparsity,
		Intrinsic: !full.NoIntrinsic, IntrinsicSparsity: full.IntrinsicSparsity, IntrinsicWeight: full.IntrinsicWeight,
		Homogeneous: full.Homogeneous, KeepDiag: full.KeepDiag, Seed: full.BuildSeed,
	})
	if err != nil {
		return 0, errorf(ErrInvalid, "%s: building the network from %s: %v", where, name, err)
	}
	w := up.W
	if isNull(full.Strategy) {
		if w, err = connectome.Null(full.Strategy, up.W, nullSeed(full.BuildSeed)); err != nil {
			return 0, errorf(ErrInvalid, "%s: strategy %q: %v", where, full.Strategy, err)
		}
	}
	whh, err := rnn.RecurrentFromBio(w, full.Orientation)
	if err != nil {
		return 0, errorf(ErrInvalid, "%s: %v", where, err)
	}
	mask := make([]bool, len(whh.Data))
	for k, v := range whh.Data {
		mask[k] = v != 0
	}
	n := &Network{
		spec: spec, conn: c.C, regions: c.Regions, w: w, region: up.Region, mask: mask,
		info: map[string]string{"name": c.Name, "species": c.Species, "citation": c.Citation, "sha256": c.SHA256},
	}
	n.spec.Strategy, n.spec.Orientation = full.Strategy, full.Orientation
	return register(n), nil
}

func isNull(strategy string) bool {
	for _, m := range connectome.NullModels() {
		if m == strategy {
			return true
		}
	}
	return false
}

// nullSeed is the seed rnn.Build gives a null model: deriveSeed(BuildSeed, 4)
// of package rnn (splitmix64 mixing). Duplicated here because rnn keeps it
// unexported; TestMatchesRNNBuild fails if the two drift apart.
func nullSeed(buildSeed uint64) uint64 {
	mix := func(x uint64) uint64 {
		x += 0x9e3779b97f4a7c15
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
		x = (x ^ (x >> 27)) * 0x94d049bb133111eb
		return x ^ (x >> 31)
	}
	s := mix(buildSeed ^ mix(4))
	if s == 0 {
		s = 1
	}
	return s
}
