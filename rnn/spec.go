package rnn

import "time"

// RunSpec describes one training run completely: with the same spec and the
// same kernel implementation, a run is bit-for-bit reproducible. Zero values
// mean "the default" where a default is documented.
type RunSpec struct {
	// Network construction.
	Connectome string // registry name ("macaque") or a file path
	DataDir    string // a folder whose registry data sets replace the built-in ones ("" = BIORNN_DATA, else built in)

	// Partition is how a block's weight is split among its connections
	// (connectome.Partitions); "" = positive. NetworkPer says which runs
	// share a network (NetworkPers); "" = seed. Both omitted from the run id
	// at their defaults.
	Partition  string     `json:",omitempty"`
	NetworkPer NetworkPer `json:",omitempty"`
	// BatchOrder is the order of the training trials over epochs
	// (BatchOrders); "" = shuffled every epoch. Omitted from the run id at
	// its default.
	BatchOrder BatchOrder `json:",omitempty"`

	// ConnectomeFormat says how a connectome file is read:
	// connectome.FormatMatrix, FormatEdges or FormatAuto (by extension);
	// "" = auto. Omitted from the run id when "".
	ConnectomeFormat string `json:",omitempty"`

	NeuronsPerRegion int    // one count for every region (default 4, the paper's)
	NeuronsFile      string // per-region counts (one integer per line, or .npy); overrides NeuronsPerRegion
	// NeuronsFromDensity derives the per-region counts from the data set's
	// neuron densities (connectome.NeuronsFromDensity): "rank" (NeuronScale
	// x density rank, rank 1 = lowest), "ratio" (density/min density x
	// NeuronScale, rounded half to even) or "proportional" (ceil(density/sum
	// x NeuronScale): NeuronScale is about the total). "" = off. It
	// overrides NeuronsPerRegion; together with NeuronsFile it is an error.
	// The three fields are omitted from the run id when zero, so runs without
	// them keep their ids.
	NeuronsFromDensity string `json:",omitempty"`
	// NeuronScale is connectome.NeuronsFromDensity's scale: neurons per rank
	// step ("rank"), neurons of the lowest-density region ("ratio"), the
	// approximate total ("proportional"). Default with NeuronsFromDensity: 1
	// for "rank" and "ratio"; "proportional" needs it set. Must be 0 when
	// NeuronsFromDensity is off.
	NeuronScale int `json:",omitempty"`
	// DensityFill is how regions without a measured density (NaN) are filled
	// before scaling: "median", "mean", "min" or "max" of the measured ones
	// (connectome.FillMissingDensity). "" = a NaN density is an error naming
	// the regions. Only with NeuronsFromDensity.
	DensityFill       string  `json:",omitempty"`
	TargetSparsity    float64 // default 0.8
	IntrinsicSparsity float64 // default 1.0
	IntrinsicWeight   float64 // default 0.8
	NoIntrinsic       bool
	KeepDiag          bool
	Homogeneous       bool
	// Neuron-level data: Level "neuron" reads Connectome as an edge list
	// between neurons (no up-scaling); NeuronTable lists the neurons (and
	// implies Level neuron). Omitted from the run id when "".
	Level       string `json:",omitempty"`
	NeuronTable string `json:",omitempty"`
	// GapJunctions adds a network folder's gap_junctions.parquet (the
	// imported C. elegans data) to its chemical connections. Omitted when
	// false.
	GapJunctions bool `json:",omitempty"`
	// Extent is the flyvis optic lobe's lattice radius in columns (only for
	// connectome flyvis-optic-lobe; 0 there = 15). Omitted when 0.
	Extent int `json:",omitempty"`
	// Dale keeps each neuron's outgoing weights at its sign; Glutamate and
	// UnknownTransmitter say how signs follow from nt_type ("" = inhibitory,
	// error). Omitted from the run id when zero.
	Dale bool `json:",omitempty"`
	// InputNeurons and OutputNeurons select neurons of the neuron table
	// ("role:sensory", "type:T4a,T4b", ...; "" = all).
	InputNeurons       string `json:",omitempty"`
	OutputNeurons      string `json:",omitempty"`
	Glutamate          string `json:",omitempty"`
	UnknownTransmitter string `json:",omitempty"`

	// Strategy: "bio-random" (bio topology, random weights; default), "bio-rank"
	// (bio topology, rank-mapped weights), "bio-weights" (connectome weights at
	// SpectralRadius), or a control: "permute", "rewire", "shuffle", "erdos-renyi".
	Strategy       Strategy
	Orientation    Orientation // "target" (W_hh = W_bio^T, default) or "paper" (W_hh = W_bio)
	Init           InitScheme  // "default" (PyTorch U(-1/sqrt(H), 1/sqrt(H))), "xavier", "he"
	SpectralRadius float64     // for bio-weights (default 1.0)
	// InitRadius > 0 rescales the initial W_hh to this spectral radius,
	// whatever the strategy (0 = off; omitted from the run id when 0).
	InitRadius float64 `json:",omitempty"`
	// ControlWeights: how a control (null-model) network's recurrent weights
	// are set: "random" (default, like bio-random), "rank" (like bio-rank on
	// the null model's carried weights) or "weights" (like bio-weights).
	ControlWeights ControlWeightsMode

	// Task.
	Task          Task   // "seq_mem" (default), "nback_mem", "pic_latent_mem"
	PatternLength int    // seq_mem L (default 3)
	NBack         int    // n-back n (default 2)
	TrialLength   int    // nback_mem / pic_latent_mem L (default 5)
	Trials        int    // default 500 for seq_mem, 1000 for the n-back tasks (80% train, 20% validation)
	MNISTDir      string // folder with mnist_latent_50d.npy and mnist_labels.npy
	// Loss is the training loss (Losses); "" = the task's. Omitted from
	// the run id when "".
	Loss Loss `json:",omitempty"`

	// Training.
	BatchSize   int       // default 128
	Epochs      int       // default 500
	Optimizer   Optimizer // "adam" (default), "rmsprop", "sgd"
	LR          float64   // default: adam 1e-3, rmsprop and sgd 1e-2
	Momentum    float64   // sgd only
	WeightDecay float64
	ClipNorm    float64    // 0 = no clipping
	Activation  Activation // "tanh" (default) or "relu"
	Patience    int        // early stopping after this many epochs without improvement; 0 = off
	// Train lists the parameter groups training updates (comma-separated,
	// canonical order; "" = all). Omitted from the run id when "".
	Train string `json:",omitempty"`
	// Tau and DT are the continuous-time option (leak alpha = DT/Tau; Tau
	// 0 = off; DT defaults to 1 with Tau, stays 0 without); NoiseStd the
	// training noise on the pre-activations. All omitted from the run id
	// when zero.
	Tau      float64 `json:",omitempty"`
	DT       float64 `json:",omitempty"`
	NoiseStd float64 `json:",omitempty"`
	// InitFrom is a saved network's folder to continue training from ("" =
	// a new network). Omitted from the run id when "".
	InitFrom string `json:",omitempty"`

	// Seeds. Seed derives every other seed that is zero. BuildSeed: the
	// up-scaling and the null model; DataSeed: the task trials; InitSeed: the
	// initial parameters and the mini-batch order.
	Seed, BuildSeed, DataSeed, InitSeed uint64
	// NoiseSeed: the training noise (NoiseStd); derived from Seed only when
	// there is noise, and omitted from the run id when zero.
	NoiseSeed uint64 `json:",omitempty"`

	// Execution.
	Threads int    // 0 = one
	Kernels string // "" = kernels.Default()
	Path    Path   // "auto" (default), "sparse" or "dense"
	// MaxMemory is the memory budget in bytes (default DefaultMaxMemory:
	// 80% of the physical memory on Linux, 8 GiB elsewhere): a run whose
	// estimated memory exceeds it is refused before anything large is
	// allocated. Omitted from the run id.
	MaxMemory uint64 `json:",omitempty"`
	// SaveNetwork is a folder to save the trained network into ("" =
	// none). Not part of the run id.
	SaveNetwork string `json:",omitempty"`
}

// dt is the continuous-time step (DT 0 = 1).
func (s RunSpec) dt() float64 {
	if s.DT == 0 {
		return 1
	}
	return s.DT
}

// Alpha is the leak dt/tau (1 without the continuous-time option).
func (s RunSpec) Alpha() float64 {
	if s.Tau == 0 {
		return 1
	}
	return s.dt() / s.Tau
}

// EpochRecord is one epoch's metrics. Epoch 0 is the evaluation before any update.
type EpochRecord struct {
	Epoch int
	// TrainLoss is the mean over the epoch's training trials of the loss
	// each mini-batch had before its update (epoch 0: a full pass).
	TrainLoss float64
	// ValLoss is a full pass over the validation trials after the epoch.
	ValLoss     float64
	ValAccuracy float64 // NaN for tasks without classes (seq_mem)
	Seconds     float64 // wall time of this epoch
}

// RunResult is a finished run: the spec with every default and seed filled in,
// the per-epoch metrics and the run-level summary.
type RunResult struct {
	Spec   RunSpec
	Epochs []EpochRecord

	MinValLoss  float64
	MinValEpoch int
	SpeedEpoch  int // first epoch >= 1 with (loss-min)/(max-min) <= 1%, -1 if none

	ConnectomeName   string
	ConnectomeSHA256 string
	ConnectomeSource string // connectome.BuiltinSource, or the folder or file it was read from

	// Diagnostics of the recurrent weights: the spectral radius of W_hh as
	// the recurrence uses it, before and after training (NaN above 512
	// neurons), and the mean and standard deviation of the kept weights
	// before training.
	SpectralRadiusInit, SpectralRadiusFinal float64
	WeightMeanInit, WeightStdInit           float64
	// Learnt: the run reached the speed criterion below chance (Learnt).
	Learnt      bool
	Neurons     int
	Connections int // kept recurrent weights
	KernelSet   string
	PathUsed    Path // "sparse" or "dense"
	Started     time.Time
	WallSeconds float64

	// With RunOptions.Keep: the trained network (to Close) and the state
	// that continues its training.
	Net    *Network    `json:"-"`
	State  *TrainState `json:"-"`
	Wiring *Wiring     `json:"-"` // nil for a network built from arrays

	// ExcitatoryShare is the share of neurons with sign +1 under Dale's law
	// (NaN without it).
	ExcitatoryShare float64
}
