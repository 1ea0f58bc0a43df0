package rnn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/biornn/biornn/kernels"
)

func (s RunSpec) optimizer() OptimizerSpec {
	return OptimizerSpec{Name: s.Optimizer, LR: s.LR, Momentum: s.Momentum,
		WeightDecay: s.WeightDecay, ClipNorm: s.ClipNorm}
}

// Built is a network ready to train on its task: what Run builds before
// the first epoch.
type Built struct {
	Spec       RunSpec
	Net        *Network
	Train, Val *Dataset
	Wiring     *Wiring
}

// MakeTask generates spec's task data (all trials, before the 80/20 Split)
// from DataSeed. spec must have been through Defaults. Data larger than the
// memory budget (spec.MaxMemory) are refused before they are allocated: a
// *Problem naming trials or the steps' setting.
func MakeTask(spec RunSpec) (*Dataset, error) {
	if err := CheckTaskMemory(spec); err != nil {
		return nil, err
	}
	if file, ok := spec.Task.ArraysFile(); ok {
		ds, err := LoadArraysTask(file, spec.Loss)
		if err != nil {
			return nil, &Problem{Key: "task", Value: strconv.Quote(string(spec.Task)), Err: err}
		}
		return ds, nil
	}
	switch spec.Task {
	case TaskSeqMem:
		return SeqMem(spec.PatternLength, spec.Trials, spec.DataSeed)
	case TaskNBackMem:
		return NBackMem(spec.TrialLength, spec.NBack, spec.Trials, spec.DataSeed)
	case TaskPicLatentMem:
		m, err := LoadMNISTLatent(spec.MNISTDir)
		if err != nil {
			return nil, &Problem{Key: "mnist_dir", Err: err}
		}
		return PicLatentMem(m, spec.TrialLength, spec.NBack, spec.Trials, spec.DataSeed)
	}
	return nil, &Problem{Key: "task", Value: strconv.Quote(string(spec.Task)), Want: strings.Join(names(Tasks()), ", ")}
}

// Build does everything of Run before training: BuildWiring, the task data
// (DataSeed), the initialisation (InitSeed) and the network. spec must have
// been through Defaults. With spec.Threads > 1, Close the network when done
// with it (see Network.Close).
//
// The run's memory is estimated before anything large is allocated: once
// the neuron counts are known (CheckWiringMemory: the construction, the task
// data, the parameters) and again with the built wiring (the training
// buffers too). Over the budget spec.MaxMemory, Build returns a *Problem
// naming the setting that drives the size, with a *MemoryError inside.
func Build(spec RunSpec) (*Built, error) { return buildWith(spec, RunOptions{}) }

func buildWith(spec RunSpec, o RunOptions) (*Built, error) {
	im, err := kernels.Get(spec.Kernels)
	if err != nil {
		return nil, &Problem{Key: "kernels", Value: strconv.Quote(spec.Kernels), Err: err}
	}
	var wiring *Wiring
	if spec.Connectome == ConnectomeNone && o.Net == nil {
		return nil, &Problem{Key: "connectome", Value: strconv.Quote(ConnectomeNone), Want: "a connectome: \"none\" is a network built from arrays, which RunOptions.Net must give"}
	}
	if spec.Connectome != ConnectomeNone {
		lc, err := loadConnectome(spec)
		if err != nil {
			return nil, err
		}
		if wiring, err = WireConnectome(spec, lc); err != nil { // checks CheckWiringMemory first
			return nil, err
		}
		if err := checkRunMemory(spec, wiring); err != nil {
			return nil, err
		}
	}
	ds, err := MakeTask(spec)
	if err != nil {
		return nil, err
	}
	train, val := splitTask(ds)
	if o.Net != nil {
		if err := o.Net.fits(ds); err != nil {
			return nil, &Problem{Key: "task", Value: strconv.Quote(string(spec.Task)), Err: err}
		}
		if wiring != nil && !o.Net.SameWiring(wiring.CSR()) {
			return nil, &Problem{Key: "connectome", Value: strconv.Quote(spec.Connectome),
				Want: "the network's own wiring: its settings build another mask than the network has"}
		}
		o.Net.SetThreads(max(spec.Threads, 1))
		o.Net.SetMaxMemory(spec.MaxMemory)
		if err := o.Net.SetDynamics(spec.Alpha(), spec.NoiseStd, spec.NoiseSeed); err != nil {
			return nil, &Problem{Key: "tau", Err: err}
		}
		if err := o.Net.SetTrainable(spec.trainGroups()); err != nil {
			return nil, &Problem{Key: "train", Err: err}
		}
		if wiring != nil && (wiring.In != nil || wiring.Out != nil) {
			if err := o.Net.SetIONeurons(wiring.In, wiring.Out); err != nil {
				return nil, &Problem{Key: "input_neurons", Err: err}
			}
		}
		return &Built{Spec: spec, Net: o.Net, Train: train, Val: val, Wiring: wiring}, nil
	}
	net, err := newRunNetwork(spec, wiring, ds, im)
	if err != nil {
		return nil, err
	}
	if err := net.SetDale(wiring.Signs); err != nil {
		net.Close()
		return nil, &Problem{Key: "dale", Err: err}
	}
	if err := net.SetIONeurons(wiring.In, wiring.Out); err != nil {
		net.Close()
		return nil, &Problem{Key: "input_neurons", Err: err}
	}
	net.SetThreads(spec.Threads)
	net.SetMaxMemory(spec.MaxMemory)
	if err := net.SetDynamics(spec.Alpha(), spec.NoiseStd, spec.NoiseSeed); err != nil {
		return nil, &Problem{Key: "tau", Err: err}
	}
	if err := net.SetTrainable(spec.trainGroups()); err != nil {
		return nil, &Problem{Key: "train", Err: err}
	}
	return &Built{Spec: spec, Net: net, Train: train, Val: val, Wiring: wiring}, nil
}

// newRunNetwork initialises the network of a run (InitSeed): region-level
// wiring draws W_hh densely (InitParams, the paper's order), neuron-level
// wiring only at its kept positions (InitSparse). Under Dale's law the
// initial weights take their neuron's sign.
func newRunNetwork(spec RunSpec, wiring *Wiring, ds *Dataset, im *kernels.Impl) (*Network, error) {
	opts := InitOptions{Scheme: spec.Init, Recurrent: wiring.Recurrent, SpectralRadius: spec.SpectralRadius, Radius: spec.InitRadius, Seed: spec.InitSeed}
	if s := wiring.Sparse; s != nil {
		p, vals, err := InitSparse(s, ds.Inputs, ds.Outputs, opts)
		if err != nil {
			return nil, err
		}
		if wiring.Signs != nil {
			signSparse(s, vals, wiring.Signs)
		}
		return NewSparseNetwork(p, s.RowPtr, s.ColIdx, vals, spec.Activation, im, spec.Path)
	}
	whh, mask := wiring.WHH, wiring.Mask
	opts.Ref = whh
	p, err := InitParams(whh.Rows, ds.Inputs, ds.Outputs, mask, opts)
	if err != nil {
		return nil, err
	}
	if wiring.Signs != nil {
		SignWeights(p.WHH, whh.Rows, wiring.Signs)
	}
	return NewNetwork(p, mask, spec.Activation, im, spec.Path)
}

// trainGroups is the spec's train setting as groups (nil = all).
func (s RunSpec) trainGroups() []string {
	if s.Train == "" {
		return nil
	}
	g, _ := ParseTrainGroups(s.Train)
	return g
}

// ConnectomeNone is the connectome setting of a network built from arrays:
// no wiring is built or checked.
const ConnectomeNone = "none"

// fits checks that task data have the network's input and output sizes.
func (n *Network) fits(ds *Dataset) error {
	if ds.Inputs != n.in || ds.Outputs != n.out {
		return fmt.Errorf("the task has %d inputs and %d outputs, the network %d and %d", ds.Inputs, ds.Outputs, n.in, n.out)
	}
	return nil
}

// RunOptions are what RunWith takes besides the spec.
type RunOptions struct {
	// OnEpoch (may be nil) is called after every epoch, epoch 0 being the
	// evaluation before any update.
	OnEpoch func(EpochRecord)
	// Net, if not nil, is the network to train (in place) instead of one
	// built and initialised from the spec: a trained or loaded network. Its
	// sizes must fit the task; with a connectome in the spec, its mask must
	// be the one the spec builds. RunWith does not close it.
	Net *Network
	// State continues a run: the epochs so far, the optimizer's state and
	// the mini-batch order (a saved network's). Epochs go on from
	// len(State.Epochs); spec.Epochs more are trained.
	State *TrainState
	// Keep returns the trained network in RunResult.Net (the caller Closes
	// it) and its TrainState in RunResult.State.
	Keep bool
}

// Run trains one network as spec says and returns its metrics. onEpoch (may
// be nil) is called after every epoch, epoch 0 being the evaluation before
// any update.
//
// Per epoch the training trials are shuffled (a PCG stream of InitSeed) and
// cut into mini-batches of BatchSize (the last one smaller); TrainLoss is the
// mean over the epoch's trials of the loss each batch had before its update
// (the usual PyTorch running loss, weighted by batch size); for epoch 0 it is
// a full pass over the training set. ValLoss and ValAccuracy come from a full
// pass over the validation set after the epoch. MinValLoss/MinValEpoch are
// over all epochs (0 included); SpeedEpoch is the first epoch >= 1 where
// (ValLoss - min)/(max - min) <= 0.01 with min and max over epochs >= 1.
// With Patience > 0 training stops after Patience epochs without a new
// minimum validation loss.
//
// Cancelling ctx stops between mini-batches: Run returns the epochs so far
// and ctx.Err().
func Run(ctx context.Context, spec RunSpec, onEpoch func(EpochRecord)) (*RunResult, error) {
	return RunWith(ctx, spec, RunOptions{OnEpoch: onEpoch})
}

// RunWith is Run on a given network, continuing a saved run, or keeping the
// trained network (RunOptions). A continued run's result holds the epochs
// of the run it continues and its own, and its metrics are over all of
// them: the same as one uninterrupted run of all those epochs.
func RunWith(ctx context.Context, spec RunSpec, o RunOptions) (*RunResult, error) {
	started := time.Now()
	spec, err := Defaults(spec)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := buildWith(spec, o)
	if err != nil {
		return nil, err
	}
	net, train, val := b.Net, b.Train, b.Val
	res := &RunResult{
		Spec: spec, Neurons: net.Hidden(), Connections: net.Connections(), KernelSet: net.KernelSet(),
		PathUsed: net.Path(), Started: started, SpeedEpoch: -1,
	}
	if o.Net == nil {
		defer func() {
			if res.Net != net { // not kept (or the run failed): its workers stop
				net.Close()
			}
		}()
	}
	res.ExcitatoryShare = math.NaN()
	if w := b.Wiring; w != nil {
		res.ConnectomeName, res.ConnectomeSHA256, res.ConnectomeSource = w.Connectome.Name, w.Connectome.SHA256, w.Connectome.Source
	}
	if signs := net.Dale(); len(signs) > 0 {
		exc := 0
		for _, v := range signs {
			if v > 0 {
				exc++
			}
		}
		res.ExcitatoryShare = float64(exc) / float64(len(signs))
	}
	res.SpectralRadiusInit = net.recurrentRadius()
	res.WeightMeanInit, res.WeightStdInit = net.keptStats()
	res.SpectralRadiusFinal = math.NaN()
	opt, _ := spec.optimizer().withDefaults()
	trainIdx, valIdx := seqIdx(train.N), seqIdx(val.N)
	var saved []byte
	first := 1 // the first epoch this call trains
	if st := o.State; st != nil {
		if err := continueFrom(net, st, opt, train.N); err != nil {
			return nil, err
		}
		res.Epochs = append(res.Epochs, st.Epochs...)
		saved, first = st.Shuffle, len(st.Epochs)
		copy(trainIdx, st.Order)
		net.dyn.batches = st.NoiseBatches
	}
	src, err := newShuffle(spec.InitSeed, saved)
	if err != nil {
		return nil, err
	}
	shuffle := rand.New(src)
	keep := func() {
		if o.Keep {
			res.Net, res.Wiring = net, b.Wiring
			state, _ := src.MarshalBinary()
			res.State = &TrainState{Epochs: append([]EpochRecord(nil), res.Epochs...),
				Optimizer: net.OptimizerState(), Shuffle: state, Order: append([]int(nil), trainIdx...),
				NoiseBatches: net.NoiseBatches()}
		}
	}

	record := func(epoch int, trainLoss float64, t0 time.Time) error {
		vl, correct, err := net.run(val, valIdx, false, nil)
		if err != nil {
			return err
		}
		rec := EpochRecord{Epoch: epoch, TrainLoss: trainLoss, ValLoss: vl,
			ValAccuracy: accuracyOf(val, val.N, correct), Seconds: time.Since(t0).Seconds()}
		res.Epochs = append(res.Epochs, rec)
		if o.OnEpoch != nil {
			o.OnEpoch(rec)
		}
		return nil
	}
	fail := func(err error) (*RunResult, error) {
		res.summarise()
		return res, err
	}
	if first == 1 {
		t0 := time.Now()
		tl, _, err := net.run(train, trainIdx, false, nil)
		if err == nil {
			err = record(0, tl, t0)
		}
		if err != nil {
			return fail(err)
		}
	}

	// best and sinceBest as an uninterrupted run would have them.
	best, sinceBest := res.Epochs[0].ValLoss, 0
	for _, e := range res.Epochs[1:] {
		if e.ValLoss < best {
			best, sinceBest = e.ValLoss, 0
		} else {
			sinceBest++
		}
	}
	stopped := spec.Patience > 0 && sinceBest >= spec.Patience && first > 1
	for epoch := first; !stopped && epoch < first+spec.Epochs; epoch++ {
		t0 := time.Now()
		if epoch == 1 || spec.BatchOrder != BatchOrderFixed {
			shuffle.Shuffle(len(trainIdx), func(i, j int) { trainIdx[i], trainIdx[j] = trainIdx[j], trainIdx[i] })
		}
		var sum float64
		for lo := 0; lo < train.N; lo += spec.BatchSize {
			if err := ctx.Err(); err != nil {
				return fail(err)
			}
			batch := trainIdx[lo:min(lo+spec.BatchSize, train.N)]
			loss, _, err := net.run(train, batch, true, nil)
			if err != nil {
				return fail(err)
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return fail(fmt.Errorf("rnn: training diverged at epoch %d (loss %v); lower lr or set clip_norm", epoch, loss))
			}
			sum += loss * float64(len(batch))
			if err := net.step(opt); err != nil {
				return fail(fmt.Errorf("rnn: training diverged at epoch %d: %w", epoch, err))
			}
		}
		if err := record(epoch, sum/float64(train.N), t0); err != nil {
			return fail(err)
		}
		if v := res.Epochs[epoch].ValLoss; v < best {
			best, sinceBest = v, 0
		} else if sinceBest++; spec.Patience > 0 && sinceBest >= spec.Patience {
			break
		}
	}
	res.summarise()
	res.SpectralRadiusFinal = net.recurrentRadius()
	res.WallSeconds = time.Since(started).Seconds()
	keep()
	return res, nil
}

// continueFrom restores a saved run's optimizer state and checks its
// mini-batch order against the task's training trials.
func continueFrom(net *Network, st *TrainState, opt OptimizerSpec, trainN int) error {
	if len(st.Epochs) == 0 || st.Epochs[0].Epoch != 0 {
		return fmt.Errorf("rnn: the saved run has no epoch 0 record")
	}
	for k, e := range st.Epochs {
		if e.Epoch != k {
			return fmt.Errorf("rnn: the saved run's epochs are not 0, 1, ...: record %d is epoch %d", k, e.Epoch)
		}
	}
	if len(st.Order) != trainN {
		return fmt.Errorf("rnn: the saved mini-batch order has %d training trials, the task %d", len(st.Order), trainN)
	}
	seen := make([]bool, trainN)
	for _, i := range st.Order {
		if i < 0 || i >= trainN || seen[i] {
			return fmt.Errorf("rnn: the saved mini-batch order is not a permutation of the %d training trials", trainN)
		}
		seen[i] = true
	}
	return net.SetOptimizerState(st.Optimizer, opt)
}

// summarise computes the run-level metrics from the epochs.
func (r *RunResult) summarise() {
	r.WallSeconds = time.Since(r.Started).Seconds()
	r.MinValLoss, r.MinValEpoch, r.SpeedEpoch = math.NaN(), -1, -1
	for _, e := range r.Epochs {
		if r.MinValEpoch < 0 || e.ValLoss < r.MinValLoss {
			r.MinValLoss, r.MinValEpoch = e.ValLoss, e.Epoch
		}
	}
	r.SpeedEpoch = SpeedEpoch(r.Epochs)
	r.Learnt = Learnt(r.Spec.Task, r.SpeedEpoch, r.MinValLoss)
}

// SpeedEpoch is the paper's training-speed measure: the first epoch >= 1
// whose validation loss has (loss - min)/(max - min) <= 1%, min and max taken
// over epochs >= 1; -1 without such epochs. With max == min the first epoch
// >= 1 counts.
func SpeedEpoch(epochs []EpochRecord) int {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, e := range epochs {
		if e.Epoch >= 1 {
			lo, hi = min(lo, e.ValLoss), max(hi, e.ValLoss)
		}
	}
	for _, e := range epochs {
		if e.Epoch < 1 {
			continue
		}
		if hi == lo || (e.ValLoss-lo)/(hi-lo) <= 0.01 {
			return e.Epoch
		}
	}
	return -1
}
