"""The run settings of biornn, generated from its settings table (do not edit:
go run ./cbind/internal/gensettings). Keyword arguments of Network.from_connectome
and Network.train are these keys."""
from typing import Literal, TypedDict

# key: (group, type, default, allowed, help)
SETTINGS = {
    "connectome": ("network", "string", "macaque", "a non-empty text", "a built-in data set (biornn connectomes) or a matrix / edge-list file"),
    "connectome_format": ("network", "string", "auto", "one of auto, matrix, edges (or \"\": auto)", "how a connectome file is read: matrix (.npy or a dense table), edges (an edge list), or auto: by extension (.npy .csv .tsv matrix, .edges .edgelist edge list; others only when just one reading works)"),
    "data_dir": ("network", "string", "$BIORNN_DATA, else the built-in data", "a text", "a folder whose data sets replace the built-in ones of the same name"),
    "neurons_per_region": ("network", "int", "4", "an integer >= 1", "neurons of every region (the paper's 4)"),
    "neurons_file": ("network", "string", "none", "a text", "neurons per region from a file (one integer per line, or .npy); overrides neurons_per_region"),
    "neurons_from_density": ("network", "string", "off", "one of rank, ratio, proportional (or \"\": off)", "neurons per region from the data set's neuron densities (macaque, marmoset); overrides neurons_per_region"),
    "neuron_scale": ("network", "int", "1 for rank and ratio; required for proportional", "an integer >= 0", "neurons per rank step (rank), of the lowest-density region (ratio), or about the total (proportional)"),
    "density_fill": ("network", "string", "none: a missing density is an error", "one of median, mean, min, max (or \"\": a missing density is an error)", "how regions without a measured neuron density are filled (with neurons_from_density)"),
    "target_sparsity": ("network", "float", "0.8", "a number in (0, 1]", "share of a target region's neurons each source neuron reaches (bio2art)"),
    "intrinsic_sparsity": ("network", "float", "1", "a number in (0, 1]", "share of a region's own neurons each neuron reaches"),
    "intrinsic_weight": ("network", "float", "0.8", "a number in (0, 1)", "share w of a region's input that is intrinsic (blocks sum to w/(1-w) x the column sum); no_intrinsic for none"),
    "no_intrinsic": ("network", "bool", "false", "true or false", "no connections within a region"),
    "keep_diag": ("network", "bool", "false", "true or false", "keep self-connections"),
    "level": ("network", "string", "region", "one of region, neuron (or \"\": region)", "region: a region-level connectome up-scaled to neurons (bio2art); neuron: an edge list between neurons (columns pre, post, weight or syn_count; CSV, TSV or Parquet), used as it is (the default with neuron_table)"),
    "neuron_table": ("network", "string", "none", "a text", "neuron-level data: a table of the neurons (CSV, TSV or Parquet: id, and optionally sign, nt_type, type, region, role); implies level neuron"),
    "extent": ("network", "int", "15", "an integer in 1..50", "flyvis-optic-lobe: the hexagonal lattice's radius in columns (3: 2,345 neurons and 63,209 connections; 15, flyvis's default: 45,669 and 1,513,231)"),
    "gap_junctions": ("network", "bool", "false", "true or false", "neuron-level network folders with gap_junctions.parquet (celegans): add the gap junctions to the chemical connections, their counts summed where both join a pair (an electrical synapse is a connection of each direction; under dale it takes its presynaptic neuron's sign like every weight)"),
    "homogeneous": ("network", "bool", "false", "true or false", "equal weights within a block instead of a random split"),
    "partition": ("network", "string", "positive", "one of positive, bio2art (or \"\": positive)", "how a block's weight is split among its connections: positive (flat Dirichlet, every part > 0) or bio2art (its stick-breaking split, as the paper's code ran)"),
    "network_per": ("network", "string", "seed", "one of seed, experiment (or \"\": seed)", "which runs share one up-scaled network: each seed its own, or the whole experiment one (build_seed, default the one seed 1 derives; controls still drawn per seed), as the paper's code"),
    "strategy": ("network", "string", "bio-random", "one of bio-random, bio-rank, bio-weights, permute, rewire, shuffle, erdos-renyi, rewire-types, shuffle-dale", "bio topology with random, rank-mapped or connectome weights, or a control (a null model)"),
    "orientation": ("network", "string", "target", "one of target, paper", "target: W_hh = W_bio^T (row i = inputs of neuron i); paper: W_hh = W_bio as the paper's code"),
    "task": ("task", "string", "seq_mem", "one of seq_mem, nback_mem, pic_latent_mem, or arrays:FILE.npz", "the task: a built-in working-memory task, or arrays:FILE.npz with x (trials, steps, inputs), y and optional loss_mask, split, n_classes"),
    "loss": ("task", "string", "the task's: mse for seq_mem, nll for the n-back tasks; an arrays task's from y (integer labels: nll)", "one of mse, nll (or \"\": the task's)", "training loss: mse or nll (log-softmax + negative log-likelihood)"),
    "pattern_length": ("task", "int", "3", "an integer >= 1", "seq_mem: values to remember (L)"),
    "n_back": ("task", "int", "2", "an integer >= 1", "n-back tasks: how far back the compared item is (< trial_length)"),
    "trial_length": ("task", "int", "5", "an integer >= 2", "n-back tasks: items per trial (L)"),
    "trials": ("task", "int", "500 for seq_mem, 1000 for the n-back tasks (the paper's)", "an integer >= 5", "trials, 80% for training and 20% for validation"),
    "mnist_dir": ("task", "string", "$BIORNN_MNIST, else mnist-latent in or beside the data folder", "a text", "pic_latent_mem: the folder with mnist_latent_50d.npy and mnist_labels.npy"),
    "batch_size": ("training", "int", "128", "an integer >= 1", "trials per mini-batch"),
    "epochs": ("training", "int", "500", "an integer >= 1", "passes over the training trials"),
    "optimizer": ("training", "string", "adam", "one of adam, rmsprop, sgd", "PyTorch's Adam, RMSprop or SGD"),
    "lr": ("training", "float", "1e-3 for adam, 1e-2 for rmsprop and sgd", "a finite number > 0", "learning rate"),
    "momentum": ("training", "float", "0", "a number in [0, 1)", "sgd momentum"),
    "weight_decay": ("training", "float", "0", "a finite number >= 0", "L2 penalty added to the gradient"),
    "clip_norm": ("training", "float", "0 (off)", "a finite number >= 0", "clip the gradient's total 2-norm to this value (0 = off)"),
    "activation": ("training", "string", "tanh", "one of tanh, relu", "recurrent nonlinearity"),
    "init": ("training", "string", "default", "one of default, xavier, he", "initial weights: PyTorch's default uniform, Xavier or He"),
    "spectral_radius": ("training", "float", "1", "a finite number > 0", "spectral radius the connectome weights are scaled to (bio-weights)"),
    "init_radius": ("training", "float", "0 (off)", "a finite number >= 0", "rescale the initial recurrent weights to this spectral radius, whatever the strategy: a network and its control start at the same dynamics scale"),
    "control_weights": ("training", "string", "random", "one of random, rank, weights", "a control's recurrent weights: random, rank-mapped or the carried weights"),
    "batch_order": ("training", "string", "shuffled", "one of shuffled, fixed (or \"\": shuffled)", "the training trials' order: reshuffled every epoch, or shuffled once and fixed (the paper's loader)"),
    "train": ("training", "string", "recurrent,input,readout", "a comma-separated subset of recurrent, input, readout", "the parameter groups training updates: any of recurrent (W_hh, b), input (W_in), readout (W_out, b_out); readout alone is reservoir computing, and the paper's freeze_layer leaves out recurrent"),
    "patience": ("training", "int", "0 (off)", "an integer >= 0", "stop after this many epochs without a lower validation loss (0 = off)"),
    "tau": ("training", "float", "0 (off: the Elman update h_t = act(...))", "a finite number >= 0", "continuous-time option: the state's time constant; h_t = (1 - alpha) h_{t-1} + alpha act(...) with alpha = dt/tau"),
    "dt": ("training", "float", "1", "a finite number >= 0", "continuous-time option: the step, in tau's unit"),
    "noise_std": ("training", "float", "0 (off)", "a finite number >= 0", "standard deviation of the Gaussian noise added to every neuron's pre-activation at every training step (a stream of noise_seed; validation and prediction run without it)"),
    "dale": ("training", "bool", "false", "true or false", "Dale's law: every neuron's outgoing recurrent weights keep its sign (from neuron_table: sign, else nt_type) through training, by projection after every step"),
    "input_neurons": ("task", "string", "all", "a text", "neuron-level data: the neurons that receive the input, e.g. role:sensory or type:R1,R2 or region:head or id:a,b (';' adds selectors); the others' input weights stay 0"),
    "output_neurons": ("task", "string", "all", "a text", "neuron-level data: the neurons the readout sees (same selectors); the others' readout weights stay 0"),
    "glutamate": ("training", "string", "inhibitory", "one of inhibitory, excitatory (or \"\": inhibitory)", "Dale's law: the sign of glutamatergic neurons (nt_type glutamate): inhibitory in flies, excitatory in worms and vertebrates"),
    "unknown_transmitter": ("training", "string", "error", "one of error, excitatory, inhibitory (or \"\": error)", "Dale's law: neurons with neither a sign nor a known nt_type (or with several): an error listing them, or excitatory, or inhibitory"),
    "init_from": ("training", "string", "none: a new network", "a text", "continue training a saved network (save_network's folder): its wiring, parameters, optimizer state and batch order; epochs more epochs follow its own"),
    "save_network": ("run", "string", "none", "a text", "after training, save the network into this folder (wiring, parameters, optimizer state, settings): for analysis, or to continue with init_from"),
    "seed": ("run", "uint64", "1", "an integer >= 1", "derives the build, data and init seeds that are not given"),
    "build_seed": ("run", "uint64", "derived from seed", "a whole number 0..18446744073709551615 (0 = derived from seed)", "the up-scaling and the null model"),
    "data_seed": ("run", "uint64", "derived from seed", "a whole number 0..18446744073709551615 (0 = derived from seed)", "the task's trials"),
    "init_seed": ("run", "uint64", "derived from seed", "a whole number 0..18446744073709551615 (0 = derived from seed)", "the initial weights and the mini-batch order"),
    "noise_seed": ("run", "uint64", "derived from seed (with noise_std)", "a whole number 0..18446744073709551615 (0 = derived from seed)", "the training noise's stream (noise_std)"),
    "threads": ("run", "int", "1 (the CLI: one per core)", "an integer in 1..4096", "threads of one run (results do not depend on it)"),
    "kernels": ("run", "string", "the fastest this CPU runs", "one of generic, avx2, avx512", "kernel set (results may differ in the last float32 digits between sets)"),
    "path": ("run", "string", "auto", "one of auto, sparse, dense", "recurrent products: sparse, dense, or auto (sparse up to 60% density)"),
    "max_memory": ("run", "uint64", "80% of the physical memory (MemTotal in /proc/meminfo) on Linux, 8 GiB (8589934592) elsewhere", "an integer >= 1", "memory budget in bytes: a run (task data, network, training buffers) estimated above it is refused before allocating"),
}

# older spellings still accepted: alias -> key
ALIASES = {
    "format": "connectome_format",
    "neurons": "neurons_per_region",
    "null": "strategy",
}


class Settings(TypedDict, total=False):
    """The settings as typed keyword arguments (Unpack[Settings])."""

    connectome: str
    connectome_format: Literal["auto", "matrix", "edges"]
    data_dir: str
    neurons_per_region: int
    neurons_file: str
    neurons_from_density: Literal["rank", "ratio", "proportional"]
    neuron_scale: int
    density_fill: Literal["median", "mean", "min", "max"]
    target_sparsity: float
    intrinsic_sparsity: float
    intrinsic_weight: float
    no_intrinsic: bool
    keep_diag: bool
    level: Literal["region", "neuron"]
    neuron_table: str
    extent: int
    gap_junctions: bool
    homogeneous: bool
    partition: Literal["positive", "bio2art"]
    network_per: Literal["seed", "experiment"]
    strategy: Literal["bio-random", "bio-rank", "bio-weights", "permute", "rewire", "shuffle", "erdos-renyi", "rewire-types", "shuffle-dale"]
    orientation: Literal["target", "paper"]
    task: str
    loss: Literal["mse", "nll"]
    pattern_length: int
    n_back: int
    trial_length: int
    trials: int
    mnist_dir: str
    batch_size: int
    epochs: int
    optimizer: Literal["adam", "rmsprop", "sgd"]
    lr: float
    momentum: float
    weight_decay: float
    clip_norm: float
    activation: Literal["tanh", "relu"]
    init: Literal["default", "xavier", "he"]
    spectral_radius: float
    init_radius: float
    control_weights: Literal["random", "rank", "weights"]
    batch_order: Literal["shuffled", "fixed"]
    train: str
    patience: int
    tau: float
    dt: float
    noise_std: float
    dale: bool
    input_neurons: str
    output_neurons: str
    glutamate: Literal["inhibitory", "excitatory"]
    unknown_transmitter: Literal["error", "excitatory", "inhibitory"]
    init_from: str
    save_network: str
    seed: int
    build_seed: int
    data_seed: int
    init_seed: int
    noise_seed: int
    threads: int
    kernels: Literal["generic", "avx2", "avx512"]
    path: Literal["auto", "sparse", "dense"]
    max_memory: int


DOC = """Settings (keyword arguments; defaults in brackets):

    connectome: a built-in data set (biornn connectomes) or a matrix / edge-list file [macaque]; a non-empty text
    connectome_format: how a connectome file is read: matrix (.npy or a dense table), edges (an edge list), or auto: by extension (.npy .csv .tsv matrix, .edges .edgelist edge list; others only when just one reading works) [auto]; one of auto, matrix, edges (or "": auto)
    data_dir: a folder whose data sets replace the built-in ones of the same name [$BIORNN_DATA, else the built-in data]; a text
    neurons_per_region: neurons of every region (the paper's 4) [4]; an integer >= 1
    neurons_file: neurons per region from a file (one integer per line, or .npy); overrides neurons_per_region [none]; a text
    neurons_from_density: neurons per region from the data set's neuron densities (macaque, marmoset); overrides neurons_per_region [off]; one of rank, ratio, proportional (or "": off)
    neuron_scale: neurons per rank step (rank), of the lowest-density region (ratio), or about the total (proportional) [1 for rank and ratio; required for proportional]; an integer >= 0
    density_fill: how regions without a measured neuron density are filled (with neurons_from_density) [none: a missing density is an error]; one of median, mean, min, max (or "": a missing density is an error)
    target_sparsity: share of a target region's neurons each source neuron reaches (bio2art) [0.8]; a number in (0, 1]
    intrinsic_sparsity: share of a region's own neurons each neuron reaches [1]; a number in (0, 1]
    intrinsic_weight: share w of a region's input that is intrinsic (blocks sum to w/(1-w) x the column sum); no_intrinsic for none [0.8]; a number in (0, 1)
    no_intrinsic: no connections within a region [false]; true or false
    keep_diag: keep self-connections [false]; true or false
    level: region: a region-level connectome up-scaled to neurons (bio2art); neuron: an edge list between neurons (columns pre, post, weight or syn_count; CSV, TSV or Parquet), used as it is (the default with neuron_table) [region]; one of region, neuron (or "": region)
    neuron_table: neuron-level data: a table of the neurons (CSV, TSV or Parquet: id, and optionally sign, nt_type, type, region, role); implies level neuron [none]; a text
    extent: flyvis-optic-lobe: the hexagonal lattice's radius in columns (3: 2,345 neurons and 63,209 connections; 15, flyvis's default: 45,669 and 1,513,231) [15]; an integer in 1..50
    gap_junctions: neuron-level network folders with gap_junctions.parquet (celegans): add the gap junctions to the chemical connections, their counts summed where both join a pair (an electrical synapse is a connection of each direction; under dale it takes its presynaptic neuron's sign like every weight) [false]; true or false
    homogeneous: equal weights within a block instead of a random split [false]; true or false
    partition: how a block's weight is split among its connections: positive (flat Dirichlet, every part > 0) or bio2art (its stick-breaking split, as the paper's code ran) [positive]; one of positive, bio2art (or "": positive)
    network_per: which runs share one up-scaled network: each seed its own, or the whole experiment one (build_seed, default the one seed 1 derives; controls still drawn per seed), as the paper's code [seed]; one of seed, experiment (or "": seed)
    strategy: bio topology with random, rank-mapped or connectome weights, or a control (a null model) [bio-random]; one of bio-random, bio-rank, bio-weights, permute, rewire, shuffle, erdos-renyi, rewire-types, shuffle-dale
    orientation: target: W_hh = W_bio^T (row i = inputs of neuron i); paper: W_hh = W_bio as the paper's code [target]; one of target, paper
    task: the task: a built-in working-memory task, or arrays:FILE.npz with x (trials, steps, inputs), y and optional loss_mask, split, n_classes [seq_mem]; one of seq_mem, nback_mem, pic_latent_mem, or arrays:FILE.npz
    loss: training loss: mse or nll (log-softmax + negative log-likelihood) [the task's: mse for seq_mem, nll for the n-back tasks; an arrays task's from y (integer labels: nll)]; one of mse, nll (or "": the task's)
    pattern_length: seq_mem: values to remember (L) [3]; an integer >= 1
    n_back: n-back tasks: how far back the compared item is (< trial_length) [2]; an integer >= 1
    trial_length: n-back tasks: items per trial (L) [5]; an integer >= 2
    trials: trials, 80% for training and 20% for validation [500 for seq_mem, 1000 for the n-back tasks (the paper's)]; an integer >= 5
    mnist_dir: pic_latent_mem: the folder with mnist_latent_50d.npy and mnist_labels.npy [$BIORNN_MNIST, else mnist-latent in or beside the data folder]; a text
    batch_size: trials per mini-batch [128]; an integer >= 1
    epochs: passes over the training trials [500]; an integer >= 1
    optimizer: PyTorch's Adam, RMSprop or SGD [adam]; one of adam, rmsprop, sgd
    lr: learning rate [1e-3 for adam, 1e-2 for rmsprop and sgd]; a finite number > 0
    momentum: sgd momentum [0]; a number in [0, 1)
    weight_decay: L2 penalty added to the gradient [0]; a finite number >= 0
    clip_norm: clip the gradient's total 2-norm to this value (0 = off) [0 (off)]; a finite number >= 0
    activation: recurrent nonlinearity [tanh]; one of tanh, relu
    init: initial weights: PyTorch's default uniform, Xavier or He [default]; one of default, xavier, he
    spectral_radius: spectral radius the connectome weights are scaled to (bio-weights) [1]; a finite number > 0
    init_radius: rescale the initial recurrent weights to this spectral radius, whatever the strategy: a network and its control start at the same dynamics scale [0 (off)]; a finite number >= 0
    control_weights: a control's recurrent weights: random, rank-mapped or the carried weights [random]; one of random, rank, weights
    batch_order: the training trials' order: reshuffled every epoch, or shuffled once and fixed (the paper's loader) [shuffled]; one of shuffled, fixed (or "": shuffled)
    train: the parameter groups training updates: any of recurrent (W_hh, b), input (W_in), readout (W_out, b_out); readout alone is reservoir computing, and the paper's freeze_layer leaves out recurrent [recurrent,input,readout]; a comma-separated subset of recurrent, input, readout
    patience: stop after this many epochs without a lower validation loss (0 = off) [0 (off)]; an integer >= 0
    tau: continuous-time option: the state's time constant; h_t = (1 - alpha) h_{t-1} + alpha act(...) with alpha = dt/tau [0 (off: the Elman update h_t = act(...))]; a finite number >= 0
    dt: continuous-time option: the step, in tau's unit [1]; a finite number >= 0
    noise_std: standard deviation of the Gaussian noise added to every neuron's pre-activation at every training step (a stream of noise_seed; validation and prediction run without it) [0 (off)]; a finite number >= 0
    dale: Dale's law: every neuron's outgoing recurrent weights keep its sign (from neuron_table: sign, else nt_type) through training, by projection after every step [false]; true or false
    input_neurons: neuron-level data: the neurons that receive the input, e.g. role:sensory or type:R1,R2 or region:head or id:a,b (';' adds selectors); the others' input weights stay 0 [all]; a text
    output_neurons: neuron-level data: the neurons the readout sees (same selectors); the others' readout weights stay 0 [all]; a text
    glutamate: Dale's law: the sign of glutamatergic neurons (nt_type glutamate): inhibitory in flies, excitatory in worms and vertebrates [inhibitory]; one of inhibitory, excitatory (or "": inhibitory)
    unknown_transmitter: Dale's law: neurons with neither a sign nor a known nt_type (or with several): an error listing them, or excitatory, or inhibitory [error]; one of error, excitatory, inhibitory (or "": error)
    init_from: continue training a saved network (save_network's folder): its wiring, parameters, optimizer state and batch order; epochs more epochs follow its own [none: a new network]; a text
    save_network: after training, save the network into this folder (wiring, parameters, optimizer state, settings): for analysis, or to continue with init_from [none]; a text
    seed: derives the build, data and init seeds that are not given [1]; an integer >= 1
    build_seed: the up-scaling and the null model [derived from seed]; a whole number 0..18446744073709551615 (0 = derived from seed)
    data_seed: the task's trials [derived from seed]; a whole number 0..18446744073709551615 (0 = derived from seed)
    init_seed: the initial weights and the mini-batch order [derived from seed]; a whole number 0..18446744073709551615 (0 = derived from seed)
    noise_seed: the training noise's stream (noise_std) [derived from seed (with noise_std)]; a whole number 0..18446744073709551615 (0 = derived from seed)
    threads: threads of one run (results do not depend on it) [1 (the CLI: one per core)]; an integer in 1..4096
    kernels: kernel set (results may differ in the last float32 digits between sets) [the fastest this CPU runs]; one of generic, avx2, avx512
    path: recurrent products: sparse, dense, or auto (sparse up to 60% density) [auto]; one of auto, sparse, dense
    max_memory: memory budget in bytes: a run (task data, network, training buffers) estimated above it is refused before allocating [80% of the physical memory (MemTotal in /proc/meminfo) on Linux, 8 GiB (8589934592) elsewhere]; an integer >= 1
"""
