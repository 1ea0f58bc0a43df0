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
func Build(spec RunSpec) (*Built, error) {
	im, err := kernels.Get(spec.Kernels)
	if err != nil {
		return nil, &Problem{Key: "kernels", Value: strconv.Quote(spec.Kernels), Err: err}
	}
	lc, err := loadConnectome(spec)
	if err != nil {
		return nil, err
	}
	wiring, err := WireConnectome(spec, lc) // checks CheckWiringMemory first
	if err != nil {
		return nil, err
	}
	if err := checkRunMemory(spec, wiring); err != nil {
		return nil, err
	}
	whh, mask := wiring.WHH, wiring.Mask

	ds, err := MakeTask(spec)
	if err != nil {
		return nil, err
	}
	train, val := Split(ds)

	h := whh.Rows
	p, err := InitParams(h, ds.Inputs, ds.Outputs, mask, InitOptions{
		Scheme: spec.Init, Recurrent: wiring.Recurrent, Ref: whh, SpectralRadius: spec.SpectralRadius, Seed: spec.InitSeed,
	})
	if err != nil {
		return nil, err
	}
	net, err := NewNetwork(p, mask, spec.Activation, im, spec.Path)
	if err != nil {
		return nil, err
	}
	net.SetThreads(spec.Threads)
	net.SetMaxMemory(spec.MaxMemory)
	return &Built{Spec: spec, Net: net, Train: train, Val: val, Wiring: wiring}, nil
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
	started := time.Now()
	spec, err := Defaults(spec)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := Build(spec)
	if err != nil {
		return nil, err
	}
	net, train, val := b.Net, b.Train, b.Val
	defer net.Close()
	res := &RunResult{
		Spec: spec, ConnectomeName: b.Wiring.Connectome.Name, ConnectomeSHA256: b.Wiring.Connectome.SHA256,
		ConnectomeSource: b.Wiring.Connectome.Source,
		Neurons:          net.Hidden(), Connections: net.Connections(), KernelSet: net.KernelSet(),
		PathUsed: net.Path(), Started: started, SpeedEpoch: -1,
	}
	initial := net.Params()
	res.SpectralRadiusInit = recurrentRadius(initial)
	res.WeightMeanInit, res.WeightStdInit = keptStats(initial, net.Mask())
	res.SpectralRadiusFinal = math.NaN()
	opt, _ := spec.optimizer().withDefaults()
	trainIdx, valIdx := seqIdx(train.N), seqIdx(val.N)
	shuffle := rand.New(rand.NewPCG(spec.InitSeed, 0x62696f726e6e0301))

	record := func(epoch int, trainLoss float64, t0 time.Time) error {
		vl, correct, err := net.run(val, valIdx, false, nil)
		if err != nil {
			return err
		}
		rec := EpochRecord{Epoch: epoch, TrainLoss: trainLoss, ValLoss: vl,
			ValAccuracy: accuracyOf(val, val.N, correct), Seconds: time.Since(t0).Seconds()}
		res.Epochs = append(res.Epochs, rec)
		if onEpoch != nil {
			onEpoch(rec)
		}
		return nil
	}
	fail := func(err error) (*RunResult, error) {
		res.summarise()
		return res, err
	}
	t0 := time.Now()
	tl, _, err := net.run(train, trainIdx, false, nil)
	if err == nil {
		err = record(0, tl, t0)
	}
	if err != nil {
		return fail(err)
	}

	best, sinceBest := res.Epochs[0].ValLoss, 0
	for epoch := 1; epoch <= spec.Epochs; epoch++ {
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
	res.SpectralRadiusFinal = recurrentRadius(net.Params())
	res.WallSeconds = time.Since(started).Seconds()
	return res, nil
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
