package capi

import (
	"context"
	"fmt"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
	"github.com/biornn/biornn/rnn/savednet"
)

// Version is the library version reported by biornn_version and recorded
// in the results of biornn_train. Release builds set it, as for the CLI, with
// -ldflags "-X github.com/biornn/biornn/cbind/internal/capi.Version=v1.2.3";
// otherwise it comes from the module's build information ("dev" if none).
var Version = ""

// LibraryVersion returns Version or the module version of this build
// (rnn.BuildVersion, the CLI's rule too).
func LibraryVersion() string { return rnn.BuildVersion(Version) }

// Progress receives each epoch's record and the total epoch count; it
// returns false to cancel the run.
type Progress func(rec rnn.EpochRecord, epochs int) bool

// trainSetting keeps the settings biornn_train takes: all but those that
// decide the network, which the handle fixes (seed still derives the data
// and initialisation seeds).
func trainSetting(s *rnn.Setting) bool { return !s.Build || s.Key == "seed" }

// trainSpec merges the options of biornn_train into the network's spec.
func trainSpec(where string, spec rnn.RunSpec, opts string) (rnn.RunSpec, string, error) {
	o, err := parseOptions(where, opts, append(settingKeys(trainSetting), "out")...)
	if err != nil {
		return spec, "", err
	}
	out := o.str("out", "")
	if err := o.setInto(&spec, trainSetting); err != nil {
		return spec, "", err
	}
	if out == "" {
		return spec, "", errorf(ErrInvalid, "%s: option \"out\" (the results folder) is required", where)
	}
	if spec.Kernels == "" {
		k, err := DefaultKernel()
		if err != nil {
			return spec, "", err
		}
		spec.Kernels = k
	}
	if spec.Threads == 0 {
		spec.Threads = Threads()
	}
	if spec.Task == rnn.TaskPicLatentMem && spec.MNISTDir == "" {
		// The command line's rule: $BIORNN_MNIST, else mnist-latent in or
		// beside the data folder.
		spec.MNISTDir = connectome.ResolveMNISTDir("", spec.DataDir)
	}
	spec, err = rnn.Defaults(spec)
	if err != nil {
		return spec, "", specError(where, err)
	}
	return spec, out, nil
}

// Train trains the network h on a task (option "task": a built-in task or
// arrays:FILE.npz) with the options opts and writes the run to the results
// folder (option "out"); it returns the run id. The first call on a
// connectome network builds and initialises its RNN as rnn.Run does; every
// later call, and every call on a network from arrays or a saved folder,
// continues training the network as it is, with its optimizer state and
// mini-batch order, so that two calls of 5 epochs equal one of 10.
//
// The run goes on its own goroutine while this one, which runs on the C
// caller's thread, calls progress: so a binding's callback always runs on
// the thread that called biornn_train (R may only be called from its main
// thread), and the run waits for each callback, so a cancel takes effect
// before the next epoch starts. The handle is not locked during the run, so
// the callback may use it. A failed or cancelled run leaves the network as
// it was before the call.
func Train(h Handle, opts string, progress Progress) (string, error) {
	const where = "biornn_train"
	var spec rnn.RunSpec
	var net *rnn.Network
	var state *rnn.TrainState
	var act rnn.Activation
	err := with(where, h, func(n *Network) error {
		spec, net, state, act = n.spec, n.rnn, n.state, n.activation
		return nil
	})
	if err != nil {
		return "", err
	}
	spec, out, err := trainSpec(where, spec, opts)
	if err != nil {
		return "", err
	}
	if net != nil && spec.Activation != act {
		return "", errorf(ErrInvalid, "%s: option \"activation\" %q: this network's activation is %q", where, spec.Activation, act)
	}
	if err := results.PrepareFolder(out); err != nil {
		return "", errorf(ErrIO, "%s: %v", where, err) // before training, not after it
	}
	id := results.RunID(spec)
	var before rnn.Params
	if net != nil {
		before = net.SparseParams() // no dense W_hh: any size
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type outcome struct {
		res *rnn.RunResult
		err error
	}
	recs := make(chan rnn.EpochRecord)
	acks := make(chan struct{})
	done := make(chan outcome, 1)
	go func() {
		var o outcome
		defer func() {
			if r := recover(); r != nil {
				o = outcome{err: errorf(ErrInternal, "%s: internal error (recovered panic in the training run): %v", where, r)}
			}
			done <- o
		}()
		var onEpoch func(rnn.EpochRecord)
		if progress != nil {
			onEpoch = func(rec rnn.EpochRecord) {
				select {
				case recs <- rec:
					<-acks
				case <-ctx.Done():
				}
			}
		}
		res, err := savednet.Run(ctx, spec, LibraryVersion(), rnn.RunOptions{OnEpoch: onEpoch, Net: net, State: state, Keep: true})
		o = outcome{res, err}
	}()
	cancelledAt := -1
	for {
		select {
		case rec := <-recs:
			if cancelledAt < 0 && !progress(rec, spec.Epochs) {
				cancelledAt = rec.Epoch
				cancel()
			}
			acks <- struct{}{}
		case o := <-done:
			if o.err != nil || cancelledAt >= 0 {
				if net != nil {
					net.SetParams(before) // the state (optimizer, order) was not replaced
				}
				if o.res != nil && o.res.Net != nil && o.res.Net != net {
					o.res.Net.Close()
				}
			}
			if cancelledAt >= 0 {
				return "", errorf(Cancelled, "%s: cancelled by the progress callback at epoch %d; no results written, the network is as before the call", where, cancelledAt)
			}
			if o.err != nil {
				return "", wrap(ErrInvalid, fmt.Errorf("%s: %w", where, o.err))
			}
			res := o.res
			if err := results.Write(out, id, res, LibraryVersion()); err != nil {
				return "", errorf(ErrIO, "%s: writing results to %s: %v", where, out, err)
			}
			kept := *res
			kept.Net, kept.State, kept.Epochs, kept.Wiring = nil, nil, nil, nil
			err := with(where, h, func(n *Network) error {
				if n.rnn == nil {
					n.rnn, n.activation = res.Net, spec.Activation
					n.regions = savednet.Regions(res)
				}
				n.state, n.lastRun = res.State, &kept
				return nil
			})
			if err != nil && res.Net != net {
				res.Net.Close() // the handle was freed during the run
			}
			return id, nil
		}
	}
}
