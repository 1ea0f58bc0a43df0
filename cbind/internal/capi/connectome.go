package capi

import (
	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
)

// connectomeSetting keeps the options of biornn_network_from_connectome:
// every setting but the connectome (the name argument). Settings that do
// not decide the network are kept as the defaults of biornn_train.
func connectomeSetting(s *rnn.Setting) bool { return s.Key != "connectome" }

// connectomeSpec parses the options into a RunSpec.
func connectomeSpec(where, name, opts string) (rnn.RunSpec, error) {
	o, err := parseOptions(where, opts, settingKeys(connectomeSetting)...)
	if err != nil {
		return rnn.RunSpec{}, err
	}
	spec := rnn.RunSpec{Connectome: name}
	if err := o.setInto(&spec, connectomeSetting); err != nil {
		return spec, err
	}
	if spec.Task == rnn.TaskPicLatentMem && spec.MNISTDir == "" {
		spec.MNISTDir = connectome.ResolveMNISTDir("", spec.DataDir)
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
	c, err := rnn.LoadConnectomeFor(full)
	if err != nil {
		if p, ok := rnn.AsProblem(err); ok && p.Err != nil {
			err = p.Err // the file's own error; the setting is named below
		}
		return 0, errorf(ErrIO, "%s: connectome %q: %v", where, name, err)
	}
	wiring, err := rnn.WireConnectome(full, c)
	if err != nil {
		// A neurons_file that cannot be read is ErrIO (wrap sees the
		// *fs.PathError); anything else is a bad setting.
		return 0, specError(where, err)
	}
	n := &Network{spec: spec, wiring: wiring}
	n.spec.Strategy, n.spec.Orientation = full.Strategy, full.Orientation
	return register(n), nil
}
