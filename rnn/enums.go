package rnn

import (
	"slices"

	"github.com/biornn/biornn/connectome"
)

// The enumerated settings. Each is a string type whose values are listed by
// a function of the same name in the plural; the settings table checks text
// against that list, so the values are spelled here and nowhere else.

// Strategy is how the recurrent network is instantiated: bio topology with
// some weights, or a control (a null model of the up-scaled network).
type Strategy string

const (
	StrategyBioRandom  Strategy = "bio-random"  // bio topology, weights from the Init scheme
	StrategyBioRank    Strategy = "bio-rank"    // bio topology, Init-scheme values placed in the connectome weights' rank order
	StrategyBioWeights Strategy = "bio-weights" // the connectome weights, scaled to RunSpec.SpectralRadius
)

// Strategies returns every strategy: the bio ones, then the controls (one
// per connectome null model, then those for neuron-level data only).
func Strategies() []Strategy {
	out := []Strategy{StrategyBioRandom, StrategyBioRank, StrategyBioWeights}
	for _, m := range controlModels() {
		out = append(out, Strategy(m))
	}
	return out
}

// controlModels are the null models of both levels, region-level first.
func controlModels() []string {
	out := connectome.NullModels()
	for _, m := range connectome.NeuronNullModels() {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// IsControl reports whether s is a randomised control rather than a
// bio-instantiated strategy.
func (s Strategy) IsControl() bool { return slices.Contains(controlModels(), string(s)) }

// NeuronLevelOnly reports whether s is a null model of neuron-level data
// only (it needs neurons' types or signs).
func (s Strategy) NeuronLevelOnly() bool {
	return s.IsControl() && !slices.Contains(connectome.NullModels(), string(s))
}

// ControlWeightsMode is how a control network's recurrent weights are set.
type ControlWeightsMode string

const (
	ControlRandom  ControlWeightsMode = "random"  // like bio-random (default)
	ControlRank    ControlWeightsMode = "rank"    // like bio-rank, on the null model's carried weights
	ControlWeights ControlWeightsMode = "weights" // like bio-weights, on the null model's carried weights
)

// ControlWeightsModes lists the ControlWeightsMode values.
func ControlWeightsModes() []ControlWeightsMode {
	return []ControlWeightsMode{ControlRandom, ControlRank, ControlWeights}
}

// InitScheme is how initial weights are drawn.
type InitScheme string

const (
	InitDefault InitScheme = "default" // PyTorch nn.RNN / nn.Linear: U(-1/sqrt(H), 1/sqrt(H))
	InitXavier  InitScheme = "xavier"  // Glorot uniform: U(-a, a), a = sqrt(6/(fan_in+fan_out))
	InitHe      InitScheme = "he"      // He (Kaiming) uniform for relu: U(-a, a), a = sqrt(6/fan_in)
)

// InitSchemes lists the InitScheme values.
func InitSchemes() []InitScheme { return []InitScheme{InitDefault, InitXavier, InitHe} }

// Orientation is how the bio2art matrix (row = source) becomes W_hh.
type Orientation string

const (
	OrientationTarget Orientation = "target" // W_hh = W_bio^T: row i of W_hh lists the inputs of neuron i (default)
	OrientationPaper  Orientation = "paper"  // W_hh = W_bio, as the paper's code did (edges reversed)
)

// Orientations lists the Orientation values.
func Orientations() []Orientation { return []Orientation{OrientationTarget, OrientationPaper} }

// Task is a built-in task.
type Task string

const (
	TaskSeqMem       Task = "seq_mem"
	TaskNBackMem     Task = "nback_mem"
	TaskPicLatentMem Task = "pic_latent_mem"
)

// Tasks lists the built-in tasks.
func Tasks() []Task { return []Task{TaskSeqMem, TaskNBackMem, TaskPicLatentMem} }

// Optimizer names an optimizer with PyTorch's update rule.
type Optimizer string

const (
	OptimizerAdam    Optimizer = "adam"
	OptimizerRMSprop Optimizer = "rmsprop"
	OptimizerSGD     Optimizer = "sgd"
)

// Optimizers lists the Optimizer values.
func Optimizers() []Optimizer { return []Optimizer{OptimizerAdam, OptimizerRMSprop, OptimizerSGD} }

// Activation is the recurrent nonlinearity.
type Activation string

const (
	ActivationTanh Activation = "tanh"
	ActivationReLU Activation = "relu"
)

// Activations lists the Activation values.
func Activations() []Activation { return []Activation{ActivationTanh, ActivationReLU} }

// Path is how the recurrent products are computed.
type Path string

const (
	PathAuto   Path = "auto"
	PathSparse Path = "sparse"
	PathDense  Path = "dense"
)

// Paths lists the Path values.
func Paths() []Path { return []Path{PathAuto, PathSparse, PathDense} }

// NetworkPer says which runs of an experiment share one up-scaled network.
type NetworkPer string

const (
	// NetworkPerSeed: each seed builds its own network (the build seed
	// derives from the seed), and its null model from that.
	NetworkPerSeed NetworkPer = "seed"
	// NetworkPerExperiment: every run of an experiment uses the network of
	// one build seed (default: the one seed 1 derives), as the paper's code
	// built it once; a control's null model is still drawn per seed, as the
	// paper's code drew a shuffled network per iteration.
	NetworkPerExperiment NetworkPer = "experiment"
)

// NetworkPers lists the NetworkPer values.
func NetworkPers() []NetworkPer { return []NetworkPer{NetworkPerSeed, NetworkPerExperiment} }

// BatchOrder is the order of the training trials across epochs.
type BatchOrder string

const (
	BatchOrderShuffled BatchOrder = "shuffled" // reshuffled every epoch
	BatchOrderFixed    BatchOrder = "fixed"    // shuffled once, the same every epoch (the paper's loader)
)

// BatchOrders lists the BatchOrder values.
func BatchOrders() []BatchOrder { return []BatchOrder{BatchOrderShuffled, BatchOrderFixed} }

// Loss is a training loss.
type Loss string

const (
	LossMSE Loss = "mse" // mean squared error over every output at the loss steps
	LossNLL Loss = "nll" // log-softmax + negative log-likelihood at the loss steps
)

// Losses lists the Loss values.
func Losses() []Loss { return []Loss{LossMSE, LossNLL} }

// strings of an enumeration, for messages and the settings table.
func names[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}
