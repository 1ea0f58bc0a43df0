package capi

import (
	"slices"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/savednet"
)

// Save writes the network into dir as a saved-network folder (package
// savednet): its wiring, parameters, settings and, once trained, what
// continues its training.
func (n *Network) Save(where, dir string) error {
	if err := n.needArrays(where); err != nil {
		return err
	}
	if dir == "" {
		return errorf(ErrInvalid, "%s: empty folder name", where)
	}
	s := &savednet.Network{Version: LibraryVersion(), Activation: n.activation, Path: n.rnn.Path(),
		State: n.state, Regions: n.regions}
	s.Params, s.Mask, s.RowPtr, s.ColIdx = savednet.Weights(n.rnn)
	if d := n.rnn.Dale(); len(d) > 0 {
		s.Signs = d
	}
	if r := n.lastRun; r != nil {
		s.Spec = r.Spec
		s.ConnectomeName, s.ConnectomeSHA256, s.ConnectomeSource = r.ConnectomeName, r.ConnectomeSHA256, r.ConnectomeSource
	} else {
		s.Spec = rnn.RunSpec{Connectome: rnn.ConnectomeNone, Activation: n.activation}
	}
	if err := savednet.Save(dir, s); err != nil {
		return errorf(ErrIO, "%s: %v", where, err)
	}
	return nil
}

// loadOptionKeys are the options of biornn_network_load.
var loadOptionKeys = []string{"kernels", "threads", "max_memory"}

// LoadNetwork opens a saved-network folder as a new handle, ready to
// predict or to continue training (biornn_train) where it stopped.
func LoadNetwork(dir, opts string) (Handle, error) {
	const where = "biornn_network_load"
	o, err := parseOptions(where, opts, loadOptionKeys...)
	if err != nil {
		return 0, err
	}
	var set rnn.RunSpec
	if err := o.setInto(&set, func(s *rnn.Setting) bool { return slices.Contains(loadOptionKeys, s.Key) }); err != nil {
		return 0, err
	}
	saved, err := savednet.Load(dir)
	if err != nil {
		return 0, errorf(ErrIO, "%s: %v", where, err)
	}
	im, err := kernelsFor(where, set.Kernels)
	if err != nil {
		return 0, err
	}
	threads := set.Threads
	if threads == 0 {
		threads = Threads()
	}
	net, err := saved.Open(im, threads)
	if err != nil {
		return 0, errorf(ErrInvalid, "%s: %s: %v", where, dir, err)
	}
	net.SetMaxMemory(set.MaxMemory)
	spec := saved.Spec
	if spec == (rnn.RunSpec{}) {
		spec = rnn.RunSpec{Connectome: rnn.ConnectomeNone, Activation: saved.Activation}
	}
	for _, s := range rnn.Settings() {
		if s.Execution {
			s.Clear(&spec)
		}
	}
	n := &Network{spec: spec, rnn: net, activation: saved.Activation, state: saved.State, regions: saved.Regions, savedFrom: dir}
	if saved.ConnectomeName != "" {
		n.lastRun = &rnn.RunResult{Spec: saved.Spec, ConnectomeName: saved.ConnectomeName,
			ConnectomeSHA256: saved.ConnectomeSHA256, ConnectomeSource: saved.ConnectomeSource}
	}
	return register(n), nil
}

// SetDale makes the network keep Dale's law with one sign (+1 or -1) per
// neuron (nil: off); its weights must already follow them.
func (n *Network) SetDale(where string, signs []float32) error {
	if err := n.needArrays(where); err != nil {
		return err
	}
	if err := n.rnn.SetDale(signs); err != nil {
		return errorf(ErrInvalid, "%s: %v", where, err)
	}
	return nil
}
