package capi

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
)

// Network is what a network handle holds. A network built from a named
// connectome starts with its construction settings and wiring; its layer
// sizes come from the task, so its trainable RNN exists once it has been
// trained (Train). A network from caller arrays, or loaded from a saved
// folder, has its RNN from the start. Every network trains on a built-in
// or arrays task (Train, continuing where the last call stopped), trains on
// caller batches (TrainArrays), predicts, and gives and takes parameters.
type Network struct {
	// spec: the construction settings (BuildSeed fixed, so training
	// rebuilds this network); Connectome = rnn.ConnectomeNone for a
	// network from arrays.
	spec rnn.RunSpec
	// wiring is the network as rnn builds it from the connectome: the
	// connectome, the neuron-level W after the strategy (Bio, row =
	// source), the region of each neuron and the mask in W_hh orientation
	// (row = target). nil for a network from arrays or a saved folder.
	wiring *rnn.Wiring

	// The trainable RNN (nil until a connectome network is trained), its
	// activation, and what continues its training.
	rnn        *rnn.Network
	activation rnn.Activation
	state      *rnn.TrainState
	// lastRun is the last training run's result (its spec and provenance,
	// without the network), for Save.
	lastRun *rnn.RunResult
	// regions names each neuron's region (connectome networks).
	regions []string
	// savedFrom is the folder a loaded network came from.
	savedFrom string
}

// close stops the worker goroutines of the RNN (see rnn.Network.Close);
// Free calls it.
func (n *Network) close() {
	if n.rnn != nil {
		n.rnn.Close()
	}
}

// fromArrays reports whether n has no connectome wiring (built from
// arrays or loaded from a saved folder).
func (n *Network) fromArrays() bool { return n.wiring == nil }

// WithNetwork runs fn on the network behind h, holding the handle's lock.
func WithNetwork(where string, h Handle, fn func(*Network) error) error {
	return with(where, h, fn)
}

// arraysOptionKeys are the keys biornn_network_from_arrays accepts, all
// settings of the table.
var arraysOptionKeys = []string{"activation", "kernels", "path", "threads", "max_memory", "tau", "dt", "noise_std", "seed", "noise_seed"}

// ArraysOptionKeys lists the option keys of biornn_network_from_arrays.
func ArraysOptionKeys() []string { return slices.Clone(arraysOptionKeys) }

func isArraysOption(s *rnn.Setting) bool { return slices.Contains(arraysOptionKeys, s.Key) }

// NewArraysNetwork builds a trainable network from parameters and a mask
// (nil = every W_hh position kept) and registers it.
func NewArraysNetwork(p rnn.Params, mask []bool, opts string) (Handle, error) {
	const where = "biornn_network_from_arrays"
	o, err := parseOptions(where, opts, arraysOptionKeys...)
	if err != nil {
		return 0, err
	}
	// The options are settings: they go through the settings table.
	var set rnn.RunSpec
	if err := o.setInto(&set, isArraysOption); err != nil {
		return 0, err
	}
	act, path, kname, threads := set.Activation, set.Path, set.Kernels, set.Threads
	if act == "" {
		act = rnn.ActivationTanh
	}
	if path == "" {
		path = rnn.PathAuto
	}
	if threads == 0 {
		threads = Threads()
	}
	im, err := kernelsFor(where, kname)
	if err != nil {
		return 0, err
	}
	// The network's own memory (parameters, gradient, optimizer state, the
	// structure of W_hh) is checked before it is allocated.
	nnz := p.Hidden * p.Hidden
	if mask != nil {
		nnz = 0
		for _, m := range mask {
			if m {
				nnz++
			}
		}
	}
	need := rnn.EstimateNetwork(p.Hidden, p.Inputs, p.Outputs, nnz, path)
	what := fmt.Sprintf("a network of %d neurons (%d kept recurrent weights), %d inputs and %d outputs", p.Hidden, nnz, p.Inputs, p.Outputs)
	if err := rnn.CheckMemory(what, need, set.MaxMemory, "use a smaller network"); err != nil {
		return 0, errorf(ErrInvalid, "%s: %v", where, err)
	}
	net, err := rnn.NewNetwork(p, mask, act, im, path)
	if err != nil {
		return 0, errorf(ErrInvalid, "%s: %v", where, err)
	}
	net.SetThreads(threads)
	net.SetMaxMemory(set.MaxMemory)
	// The continuous-time option; the spec keeps it for biornn_train.
	spec := rnn.RunSpec{Connectome: rnn.ConnectomeNone, Activation: act, Path: path, Kernels: im.Name, Threads: threads,
		MaxMemory: set.MaxMemory, Tau: set.Tau, DT: set.DT, NoiseStd: set.NoiseStd, Seed: set.Seed, NoiseSeed: set.NoiseSeed}
	full, err := rnn.Defaults(spec)
	if err != nil {
		net.Close()
		return 0, specError(where, err)
	}
	if err := net.SetDynamics(full.Alpha(), full.NoiseStd, full.NoiseSeed); err != nil {
		net.Close()
		return 0, errorf(ErrInvalid, "%s: %v", where, err)
	}
	return register(&Network{spec: spec, rnn: net, activation: act}), nil
}

// ParamNames lists the parameter names of get/set_param, in Params order.
var ParamNames = rnn.ParamNames

// paramField returns the slice of p called name and its shape.
func paramField(p *rnn.Params, name string) (*[]float32, int, int, error) {
	switch name {
	case "w_in":
		return &p.WIn, p.Hidden, p.Inputs, nil
	case "w_hh":
		return &p.WHH, p.Hidden, p.Hidden, nil
	case "b":
		return &p.B, p.Hidden, 1, nil
	case "w_out":
		return &p.WOut, p.Outputs, p.Hidden, nil
	case "b_out":
		return &p.BOut, p.Outputs, 1, nil
	}
	return nil, 0, 0, fmt.Errorf("unknown parameter %q (known: %s)", name, strings.Join(ParamNames, ", "))
}

func (n *Network) needArrays(where string) error {
	if n.rnn == nil {
		return errorf(ErrUnsupported, "%s: this network has not been trained yet: a connectome network's input and output sizes come from its task, so its parameters exist once biornn_train has run", where)
	}
	return nil
}

// Sizes returns inputs, hidden and outputs (inputs = outputs = 0 for a
// connectome network not yet trained: its layer sizes come from the task).
func (n *Network) Sizes() (in, hidden, out int) {
	if n.rnn != nil {
		return n.rnn.Inputs(), n.rnn.Hidden(), n.rnn.Outputs()
	}
	return 0, n.wiring.Neurons(), 0
}

// hidden is the number of neurons.
func (n *Network) hidden() int {
	_, h, _ := n.Sizes()
	return h
}

// ParamShape returns the shape of parameter name.
func (n *Network) ParamShape(where, name string) (rows, cols int, err error) {
	if err := n.needArrays(where); err != nil {
		return 0, 0, err
	}
	p := rnn.Params{Hidden: n.rnn.Hidden(), Inputs: n.rnn.Inputs(), Outputs: n.rnn.Outputs()}
	_, r, c, err := paramField(&p, name)
	if err != nil {
		return 0, 0, errorf(ErrInvalid, "%s: %v", where, err)
	}
	if err := n.denseWHH(where, name); err != nil {
		return 0, 0, err
	}
	return r, c, nil
}

// denseWHH refuses w_hh of a network too large for a dense W_hh.
func (n *Network) denseWHH(where, name string) error {
	if h := n.rnn.Hidden(); name == "w_hh" && h > connectome.DenseNeurons {
		return errorf(ErrUnsupported, "%s: w_hh of a network of %d neurons would be %d x %d floats; above %d neurons only its connections are held (biornn_network_save writes them as connections.parquet)", where, h, h, h, connectome.DenseNeurons)
	}
	return nil
}

// param returns a copy of the network's parameters and the field of that
// copy called name, checking that the caller's array (what: "the buffer" or
// "the data") holds exactly its values.
func (n *Network) param(where, name, what string, values int) (*rnn.Params, *[]float32, error) {
	if err := n.needArrays(where); err != nil {
		return nil, nil, err
	}
	if err := n.denseWHH(where, name); err != nil {
		return nil, nil, err
	}
	var p rnn.Params
	if n.rnn.Hidden() > connectome.DenseNeurons {
		p = n.rnn.SparseParams()
	} else {
		p = n.rnn.Params()
	}
	f, r, c, err := paramField(&p, name)
	if err != nil {
		return nil, nil, errorf(ErrInvalid, "%s: %v", where, err)
	}
	if values != r*c {
		return nil, nil, errorf(ErrSize, "%s: parameter %q has %d values (%dx%d), %s holds %d", where, name, r*c, r, c, what, values)
	}
	return &p, f, nil
}

// GetParam copies parameter name into buf, whose length must match exactly.
func (n *Network) GetParam(where, name string, buf []float32) error {
	_, f, err := n.param(where, name, "the buffer", len(buf))
	if err != nil {
		return err
	}
	copy(buf, *f)
	return nil
}

// SetParam replaces parameter name (W_hh values outside the mask are dropped;
// the optimizer state is reset). Only data are checked, so that a parameter
// can be replaced whatever the others hold; an error names the array.
func (n *Network) SetParam(where, name string, data []float32) error {
	r, c, err := n.ParamShape(where, name)
	if err != nil {
		return err
	}
	if len(data) != r*c {
		return errorf(ErrSize, "%s: parameter %q has %d values (%dx%d), the data holds %d", where, name, r*c, r, c, len(data))
	}
	if err := n.rnn.SetParam(name, data); err != nil {
		return errorf(ErrInvalid, "%s: %v", where, err)
	}
	return nil
}

// trainArraysSettings are the options of biornn_train_arrays that are
// settings; trainArraysKeys adds those of this call alone.
var trainArraysSettings = []string{"optimizer", "lr", "momentum", "weight_decay", "clip_norm", "threads", "max_memory"}

var trainArraysKeys = append([]string{"loss", "steps", "dampening", "nesterov", "beta1", "beta2", "eps", "alpha"}, trainArraysSettings...)

func isTrainArraysSetting(s *rnn.Setting) bool { return slices.Contains(trainArraysSettings, s.Key) }

// names lists an enumeration's values as text.
func names[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

// ArraysData is the caller's data for TrainArrays, Evaluate and Predict.
type ArraysData struct {
	X         []float32
	Trials, T int
	Y         []float32 // nil for Predict
	LossSteps []int
}

// TrainArrays parses opts, checks the sizes and runs rnn.TrainArrays,
// writing the loss before each step into losses (len = steps).
func (n *Network) TrainArrays(d ArraysData, opts string, losses []float64) error {
	const where = "biornn_train_arrays"
	if err := n.needArrays(where); err != nil {
		return err
	}
	o, err := parseOptions(where, opts, trainArraysKeys...)
	if err != nil {
		return err
	}
	// The options that are settings go through the settings table (with
	// its defaults); the others belong to this call only.
	var set rnn.RunSpec
	if err := o.setInto(&set, isTrainArraysSetting); err != nil {
		return err
	}
	if set, err = rnn.Defaults(set); err != nil {
		return specError(where, err)
	}
	loss := rnn.Loss(o.oneOf("loss", string(rnn.LossMSE), names(rnn.Losses())...))
	spec := rnn.OptimizerSpec{
		Name:        set.Optimizer,
		LR:          set.LR,
		Momentum:    set.Momentum,
		Dampening:   o.float("dampening", 0),
		Nesterov:    o.bool("nesterov", false),
		WeightDecay: set.WeightDecay,
		ClipNorm:    set.ClipNorm,
		Beta1:       o.float("beta1", 0),
		Beta2:       o.float("beta2", 0),
		Eps:         o.float("eps", 0),
		Alpha:       o.float("alpha", 0),
	}
	steps := o.int("steps", len(losses))
	threads := 0
	if o.has("threads") {
		threads = set.Threads
	}
	if err := o.err(); err != nil {
		return err
	}
	if steps < 0 {
		return errorf(ErrInvalid, "%s: option \"steps\": expected an integer >= 0, got %d", where, steps)
	}
	if len(losses) != steps {
		return errorf(ErrSize, "%s: the losses buffer holds %d values, expected one per step (steps = %d)", where, len(losses), steps)
	}
	if threads > 0 {
		n.rnn.SetThreads(threads)
	}
	if o.has("max_memory") {
		n.rnn.SetMaxMemory(set.MaxMemory)
	}
	if err := n.checkData(where, d, loss); err != nil {
		return err
	}
	got, err := n.rnn.TrainArrays(d.X, [3]int{d.Trials, d.T, n.rnn.Inputs()}, d.Y, loss, d.LossSteps, spec, steps)
	copy(losses, got)
	for i := len(got); i < len(losses); i++ {
		losses[i] = math.NaN()
	}
	if err != nil {
		return wrap(ErrInvalid, fmt.Errorf("%s: %w", where, err))
	}
	return nil
}

// checkData checks the array sizes against trials, T and the network, so that
// a wrong length is ErrSize (rnn's own validation catches the rest).
func (n *Network) checkData(where string, d ArraysData, loss rnn.Loss) error {
	if d.Trials <= 0 || d.T <= 0 {
		return errorf(ErrInvalid, "%s: trials and steps must be positive, got %d and %d", where, d.Trials, d.T)
	}
	in, out := n.rnn.Inputs(), n.rnn.Outputs()
	if float64(d.Trials)*float64(d.T)*float64(max(in, out)) > 1<<40 {
		return errorf(ErrSize, "%s: %d trials x %d steps is too large for this network", where, d.Trials, d.T)
	}
	if want := d.Trials * d.T * in; len(d.X) != want {
		return errorf(ErrSize, "%s: x has %d values, expected %d (trials x steps x inputs = %dx%dx%d)", where, len(d.X), want, d.Trials, d.T, in)
	}
	if d.Y == nil {
		return nil
	}
	want := d.Trials * d.T * out
	what := "trials x steps x outputs"
	if loss == rnn.LossNLL {
		want, what = d.Trials*d.T, "trials x steps class labels"
	}
	if len(d.Y) != want {
		return errorf(ErrSize, "%s: y has %d values, expected %d (%s, loss %s)", where, len(d.Y), want, what, loss)
	}
	return nil
}

// Evaluate returns the loss and accuracy (NaN for mse) on the caller's data.
func (n *Network) Evaluate(d ArraysData, lossName string) (float64, float64, error) {
	const where = "biornn_evaluate"
	if err := n.needArrays(where); err != nil {
		return 0, 0, err
	}
	loss := rnn.Loss(lossName)
	if !slices.Contains(rnn.Losses(), loss) {
		return 0, 0, errorf(ErrInvalid, "%s: loss %q: expected one of %s", where, lossName, strings.Join(names(rnn.Losses()), ", "))
	}
	if err := n.checkData(where, d, loss); err != nil {
		return 0, 0, err
	}
	l, acc, err := n.rnn.Evaluate(d.X, [3]int{d.Trials, d.T, n.rnn.Inputs()}, d.Y, loss, d.LossSteps)
	if err != nil {
		return 0, 0, wrap(ErrInvalid, fmt.Errorf("%s: %w", where, err))
	}
	return l, acc, nil
}

// Predict writes the outputs (trials x T x outputs) into out.
func (n *Network) Predict(d ArraysData, out []float32) error {
	return n.predict("biornn_predict", d, out, nil)
}

// PredictHidden writes the outputs (trials x T x outputs) into out and the
// hidden states (trials x T x hidden) into hidden.
func (n *Network) PredictHidden(d ArraysData, out, hidden []float32) error {
	if hidden == nil {
		hidden = []float32{} // checked against the states' size below
	}
	return n.predict("biornn_predict_hidden", d, out, hidden)
}

// predict checks the buffers and runs the network; hidden nil: outputs only.
func (n *Network) predict(where string, d ArraysData, out, hidden []float32) error {
	if err := n.needArrays(where); err != nil {
		return err
	}
	if err := n.checkData(where, d, ""); err != nil {
		return err
	}
	if want := d.Trials * d.T * n.rnn.Outputs(); len(out) != want {
		return errorf(ErrSize, "%s: the output buffer holds %d values, expected %d (trials x steps x outputs = %dx%dx%d)", where, len(out), want, d.Trials, d.T, n.rnn.Outputs())
	}
	shape := [3]int{d.Trials, d.T, n.rnn.Inputs()}
	if hidden == nil {
		y, err := n.rnn.Predict(d.X, shape)
		if err != nil {
			return wrap(ErrInvalid, fmt.Errorf("%s: %w", where, err))
		}
		copy(out, y)
		return nil
	}
	if want := d.Trials * d.T * n.rnn.Hidden(); len(hidden) != want {
		return errorf(ErrSize, "%s: the hidden buffer holds %d values, expected %d (trials x steps x neurons = %dx%dx%d)", where, len(hidden), want, d.Trials, d.T, n.rnn.Hidden())
	}
	y, h, err := n.rnn.PredictHidden(d.X, shape)
	if err != nil {
		return wrap(ErrInvalid, fmt.Errorf("%s: %w", where, err))
	}
	copy(out, y)
	copy(hidden, h)
	return nil
}
