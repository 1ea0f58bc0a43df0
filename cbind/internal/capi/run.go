package capi

import (
	"context"
	"fmt"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
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

// Train runs rnn.Run for the connectome network h with the options opts and
// writes the run to the results folder (option "out"); it returns the run id.
//
// The run goes on its own goroutine while this one, which runs on the C
// caller's thread, calls progress: so a binding's callback always runs on
// the thread that called biornn_train (R may only be called from its main
// thread), and the run waits for each callback, so a cancel takes effect
// before the next epoch starts. The handle is not locked during the run, so
// the callback may use it.
func Train(h Handle, opts string, progress Progress) (string, error) {
	const where = "biornn_train"
	var spec rnn.RunSpec
	err := with(where, h, func(n *Network) error {
		if n.fromArrays() {
			return errorf(ErrUnsupported, "%s: this network was built from arrays; biornn_train needs a network from biornn_network_from_connectome (use biornn_train_arrays)", where)
		}
		spec = n.spec
		return nil
	})
	if err != nil {
		return "", err
	}
	spec, out, err := trainSpec(where, spec, opts)
	if err != nil {
		return "", err
	}
	if err := results.PrepareFolder(out); err != nil {
		return "", errorf(ErrIO, "%s: %v", where, err) // before training, not after it
	}
	id := results.RunID(spec)

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
		res, err := rnn.Run(ctx, spec, onEpoch)
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
			if cancelledAt >= 0 {
				return "", errorf(Cancelled, "%s: cancelled by the progress callback at epoch %d; no results written", where, cancelledAt)
			}
			if o.err != nil {
				return "", wrap(ErrInvalid, fmt.Errorf("%s: %w", where, o.err))
			}
			if err := results.Write(out, id, o.res, LibraryVersion()); err != nil {
				return "", errorf(ErrIO, "%s: writing results to %s: %v", where, out, err)
			}
			return id, nil
		}
	}
}
