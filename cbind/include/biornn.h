/*
 * biornn.h: the C API of biornn (bio-instantiated recurrent neural networks).
 *
 * A small, stable header over the Go library libbiornn.so (built with
 * `go build -buildmode=c-shared`). The Python and R bindings are written on
 * top of exactly these functions.
 *
 * Conventions (they hold for every function below):
 *
 *  - Status: every function except biornn_abi_version and biornn_last_error
 *    returns an int status, BIORNN_OK (0) on success or one of the codes of
 *    biornn_status. On failure, biornn_last_error() returns the message.
 *  - Errors: the message of the last failed call is kept per OS thread
 *    (thread-local storage), so two threads never see each other's errors.
 *    Every call clears it on entry; read it right after the failing call on
 *    the same thread. No string is ever returned that the caller must free.
 *  - Handles: networks and results are opaque int64 handles (never pointers),
 *    starting at 1 and never reused. A freed, unknown or wrong-kind handle
 *    gives BIORNN_ERR_HANDLE; free every handle with biornn_free.
 *  - Arrays: the caller owns every array; each is passed as a pointer plus its
 *    length in elements. Input lengths must match the expected size exactly
 *    (else BIORNN_ERR_SIZE); output buffers too: query the size first
 *    (biornn_param_size, biornn_matrix_size, ...). A NULL pointer with a
 *    nonzero length is BIORNN_ERR_NULL. The library never keeps a pointer
 *    after the call returns. Matrices are row-major (C order).
 *  - Strings out: functions writing text take (char* buf, size_t len,
 *    size_t* needed). *needed (if needed is not NULL) receives the full size
 *    including the terminating NUL. With buf == NULL and len == 0 the call
 *    only reports the size. If len is too small, buf receives a truncated,
 *    NUL-terminated string and the call returns BIORNN_ERR_SIZE. Lists (kernel
 *    names, statistic names, tables, columns, region names) are separated by
 *    '\n'.
 *  - Strings in: UTF-8, NUL-terminated. An options argument may be NULL or ""
 *    (all defaults).
 *  - Options: "key=value;key=value" (';' or newline between items, blanks
 *    around keys and values ignored, booleans true/false/1/0). An unknown key,
 *    a repeated key or a bad value gives BIORNN_ERR_INVALID with a message
 *    naming the key. The keys of each function are listed at the function;
 *    the run settings (below) are one table shared with the command line,
 *    sweep files and the results' columns.
 *  - Threads: calls on one handle are serialised by a lock per handle; calls
 *    on different handles run in parallel. biornn_train releases its handle
 *    while the run is going, so the progress callback may use it.
 *  - Crashes: every function recovers from internal errors (Go panics, also
 *    on the trainer's worker threads) and returns BIORNN_ERR_INTERNAL instead
 *    of taking the process down.
 *  - fork(): do not fork() a process after it loaded libbiornn (the Go
 *    runtime's threads do not survive a fork). Use spawn-style process
 *    creation (Python multiprocessing "spawn", R's parallel::makePSOCKcluster).
 */
#ifndef BIORNN_H
#define BIORNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes; compare with biornn_abi_version(). */
#define BIORNN_ABI_VERSION 1

typedef int64_t biornn_handle;

/* Status codes. Values are fixed; new codes are only ever appended. */
typedef enum biornn_status {
    BIORNN_OK = 0,
    BIORNN_ERR_INVALID = 1,     /* invalid argument, option key or value */
    BIORNN_ERR_NULL = 2,        /* a required pointer was NULL */
    BIORNN_ERR_HANDLE = 3,      /* unknown, freed or wrong-kind handle */
    BIORNN_ERR_SIZE = 4,        /* array length or buffer size mismatch */
    BIORNN_ERR_IO = 5,          /* a file or data set could not be read or written */
    BIORNN_CANCELLED = 6,       /* the progress callback asked to stop */
    BIORNN_ERR_INTERNAL = 7,    /* internal error (recovered panic): please report */
    BIORNN_ERR_UNSUPPORTED = 8  /* the operation does not apply to this handle */
} biornn_status;

/* Column types of a results table (biornn_results_column_type). */
typedef enum biornn_col_type {
    BIORNN_COL_FLOAT64 = 1,   /* double; null = NaN (and valid = 0) */
    BIORNN_COL_INT64 = 2,     /* int64_t */
    BIORNN_COL_BOOL = 3,      /* read as int64 0/1 or double */
    BIORNN_COL_STRING = 4,    /* UTF-8 text */
    BIORNN_COL_TIMESTAMP = 5  /* int64 microseconds since 1970-01-01 UTC */
} biornn_col_type;

/*
 * Progress callback of biornn_train, called once per epoch (epoch 0 is the
 * evaluation before training) on the thread that called biornn_train.
 * val_accuracy is NaN for tasks without classes. Return 0 to continue, any
 * other value to cancel: biornn_train then returns BIORNN_CANCELLED and
 * writes no results.
 */
typedef int (*biornn_progress_fn)(void* user, int64_t epoch, int64_t epochs,
                                  double train_loss, double val_loss,
                                  double val_accuracy, double seconds);

/* ---- library information and settings ---------------------------------- */

/* The library's ABI version; use only if it equals BIORNN_ABI_VERSION. */
int32_t biornn_abi_version(void);

/* Copies the message of the last failed call on this thread into buf
 * (truncated and NUL-terminated if len is too small; buf may be NULL when
 * len is 0) and returns its full length in bytes without the NUL; 0 when the
 * last call succeeded. */
size_t biornn_last_error(char* buf, size_t len);

/* The library version, e.g. "0.1.0". */
int biornn_version(char* buf, size_t len, size_t* needed);

/* The kernel implementations this CPU can run, best first, '\n'-separated
 * (e.g. "avx2\ngeneric"). */
int biornn_kernels(char* buf, size_t len, size_t* needed);

/* The implementation used when none is named: the one set by
 * biornn_set_kernels, else $BIORNN_KERNELS, else the best one. */
int biornn_default_kernel(char* buf, size_t len, size_t* needed);

/* Selects the kernel implementation of every later network and run in this
 * process ("" or "default": the automatic choice). */
int biornn_set_kernels(const char* name);

/*
 * Environment variables. The library reads BIORNN_DATA (the data folder whose
 * data sets replace the built-in ones, when a connectome is loaded and no
 * data_dir option is given) and BIORNN_KERNELS (the kernels used when none
 * are named and biornn_set_kernels was not called) from its own copy of the
 * environment, taken when the library was loaded: setenv() or putenv()
 * called later (also Python's os.environ[...] = and R's Sys.setenv) do not
 * reach it. biornn_set_env sets one of them for the library, as if the
 * process had started with that value; value NULL unsets it (an empty value
 * means the same as unset). It also sets the process environment (setenv),
 * so call it while no other thread reads or writes the environment. Values
 * are checked where they are used (a data folder that does not exist is an
 * error of the call that loads a connectome). A name the library does not
 * read is BIORNN_ERR_INVALID. The Python and R packages copy these
 * variables from their environment when the library is loaded and again
 * whenever they change, so there os.environ / Sys.setenv just work.
 */
/* The names of the variables the library reads, '\n'-separated. */
int biornn_env_names(char* buf, size_t len, size_t* needed);
int biornn_set_env(const char* name, const char* value);
/* The library's value of one of them ("" when unset). */
int biornn_get_env(const char* name, char* buf, size_t len, size_t* needed);

/* Sets the number of worker threads of later training calls (1..4096;
 * default 1). Results do not depend on it. */
int biornn_set_threads(int32_t threads);
int biornn_get_threads(int32_t* threads);

/* BEGIN GENERATED SETTINGS (go run ./cbind/internal/gensettings; do not edit) */
/*
 * Settings: the option keys of biornn_network_from_connectome and
 * biornn_train (and, for activation, kernels, path, threads, max_memory, tau, dt, noise_std, seed, noise_seed,
 * of biornn_network_from_arrays). Defaults in brackets; `biornn
 * settings` prints the same list.
 *
 * network:
 *   connectome            a built-in data set (biornn connectomes) or a matrix / edge-list file [macaque]
 *                         a non-empty text
 *   connectome_format     how a connectome file is read: matrix (.npy or a dense table), edges (an edge list), or auto: by extension (.npy .csv .tsv matrix, .edges .edgelist edge list; others only when just one reading works) [auto]
 *                         one of auto, matrix, edges (or "": auto)
 *                         also spelled format
 *   data_dir              a folder whose data sets replace the built-in ones of the same name [$BIORNN_DATA, else the built-in data]
 *                         a text
 *   neurons_per_region    neurons of every region (the paper's 4) [4]
 *                         an integer >= 1
 *                         also spelled neurons
 *   neurons_file          neurons per region from a file (one integer per line, or .npy); overrides neurons_per_region [none]
 *                         a text
 *   neurons_from_density  neurons per region from the data set's neuron densities (macaque, marmoset); overrides neurons_per_region [off]
 *                         one of rank, ratio, proportional (or "": off)
 *   neuron_scale          neurons per rank step (rank), of the lowest-density region (ratio), or about the total (proportional) [1 for rank and ratio; required for proportional]
 *                         an integer >= 0
 *   density_fill          how regions without a measured neuron density are filled (with neurons_from_density) [none: a missing density is an error]
 *                         one of median, mean, min, max (or "": a missing density is an error)
 *   target_sparsity       share of a target region's neurons each source neuron reaches (bio2art) [0.8]
 *                         a number in (0, 1]
 *   intrinsic_sparsity    share of a region's own neurons each neuron reaches [1]
 *                         a number in (0, 1]
 *   intrinsic_weight      share w of a region's input that is intrinsic (blocks sum to w/(1-w) x the column sum); no_intrinsic for none [0.8]
 *                         a number in (0, 1)
 *   no_intrinsic          no connections within a region [false]
 *                         true or false
 *   keep_diag             keep self-connections [false]
 *                         true or false
 *   level                 region: a region-level connectome up-scaled to neurons (bio2art); neuron: an edge list between neurons (columns pre, post, weight or syn_count; CSV, TSV or Parquet), used as it is (the default with neuron_table) [region]
 *                         one of region, neuron (or "": region)
 *   neuron_table          neuron-level data: a table of the neurons (CSV, TSV or Parquet: id, and optionally sign, nt_type, type, region, role); implies level neuron [none]
 *                         a text
 *   extent                flyvis-optic-lobe: the hexagonal lattice's radius in columns (3: 2,345 neurons and 63,209 connections; 15, flyvis's default: 45,669 and 1,513,231) [15]
 *                         an integer in 1..50
 *   gap_junctions         neuron-level network folders with gap_junctions.parquet (celegans): add the gap junctions to the chemical connections, their counts summed where both join a pair (an electrical synapse is a connection of each direction; under dale it takes its presynaptic neuron's sign like every weight) [false]
 *                         true or false
 *   homogeneous           equal weights within a block instead of a random split [false]
 *                         true or false
 *   partition             how a block's weight is split among its connections: positive (flat Dirichlet, every part > 0) or bio2art (its stick-breaking split, as the paper's code ran) [positive]
 *                         one of positive, bio2art (or "": positive)
 *   network_per           which runs share one up-scaled network: each seed its own, or the whole experiment one (build_seed, default the one seed 1 derives; controls still drawn per seed), as the paper's code [seed]
 *                         one of seed, experiment (or "": seed)
 *   strategy              bio topology with random, rank-mapped or connectome weights, or a control (a null model) [bio-random]
 *                         one of bio-random, bio-rank, bio-weights, permute, rewire, shuffle, erdos-renyi, rewire-types, shuffle-dale
 *                         also spelled null
 *   orientation           target: W_hh = W_bio^T (row i = inputs of neuron i); paper: W_hh = W_bio as the paper's code [target]
 *                         one of target, paper
 * task:
 *   task                  the task: a built-in working-memory task, or arrays:FILE.npz with x (trials, steps, inputs), y and optional loss_mask, split, n_classes [seq_mem]
 *                         one of seq_mem, nback_mem, pic_latent_mem, or arrays:FILE.npz
 *   loss                  training loss: mse or nll (log-softmax + negative log-likelihood) [the task's: mse for seq_mem, nll for the n-back tasks; an arrays task's from y (integer labels: nll)]
 *                         one of mse, nll (or "": the task's)
 *   pattern_length        seq_mem: values to remember (L) [3]
 *                         an integer >= 1
 *   n_back                n-back tasks: how far back the compared item is (< trial_length) [2]
 *                         an integer >= 1
 *   trial_length          n-back tasks: items per trial (L) [5]
 *                         an integer >= 2
 *   trials                trials, 80% for training and 20% for validation [500 for seq_mem, 1000 for the n-back tasks (the paper's)]
 *                         an integer >= 5
 *   mnist_dir             pic_latent_mem: the folder with mnist_latent_50d.npy and mnist_labels.npy [$BIORNN_MNIST, else mnist-latent in or beside the data folder]
 *                         a text
 * training:
 *   batch_size            trials per mini-batch [128]
 *                         an integer >= 1
 *   epochs                passes over the training trials [500]
 *                         an integer >= 1
 *   optimizer             PyTorch's Adam, RMSprop or SGD [adam]
 *                         one of adam, rmsprop, sgd
 *   lr                    learning rate [1e-3 for adam, 1e-2 for rmsprop and sgd]
 *                         a finite number > 0
 *   momentum              sgd momentum [0]
 *                         a number in [0, 1)
 *   weight_decay          L2 penalty added to the gradient [0]
 *                         a finite number >= 0
 *   clip_norm             clip the gradient's total 2-norm to this value (0 = off) [0 (off)]
 *                         a finite number >= 0
 *   activation            recurrent nonlinearity [tanh]
 *                         one of tanh, relu
 *   init                  initial weights: PyTorch's default uniform, Xavier or He [default]
 *                         one of default, xavier, he
 *   spectral_radius       spectral radius the connectome weights are scaled to (bio-weights) [1]
 *                         a finite number > 0
 *   init_radius           rescale the initial recurrent weights to this spectral radius, whatever the strategy: a network and its control start at the same dynamics scale [0 (off)]
 *                         a finite number >= 0
 *   control_weights       a control's recurrent weights: random, rank-mapped or the carried weights [random]
 *                         one of random, rank, weights
 *   batch_order           the training trials' order: reshuffled every epoch, or shuffled once and fixed (the paper's loader) [shuffled]
 *                         one of shuffled, fixed (or "": shuffled)
 *   train                 the parameter groups training updates: any of recurrent (W_hh, b), input (W_in), readout (W_out, b_out); readout alone is reservoir computing, and the paper's freeze_layer leaves out recurrent [recurrent,input,readout]
 *                         a comma-separated subset of recurrent, input, readout
 *   patience              stop after this many epochs without a lower validation loss (0 = off) [0 (off)]
 *                         an integer >= 0
 *   tau                   continuous-time option: the state's time constant; h_t = (1 - alpha) h_{t-1} + alpha act(...) with alpha = dt/tau [0 (off: the Elman update h_t = act(...))]
 *                         a finite number >= 0
 *   dt                    continuous-time option: the step, in tau's unit [1]
 *                         a finite number >= 0
 *   noise_std             standard deviation of the Gaussian noise added to every neuron's pre-activation at every training step (a stream of noise_seed; validation and prediction run without it) [0 (off)]
 *                         a finite number >= 0
 *   dale                  Dale's law: every neuron's outgoing recurrent weights keep its sign (from neuron_table: sign, else nt_type) through training, by projection after every step [false]
 *                         true or false
 * task:
 *   input_neurons         neuron-level data: the neurons that receive the input, e.g. role:sensory or type:R1,R2 or region:head or id:a,b (';' adds selectors); the others' input weights stay 0 [all]
 *                         a text
 *   output_neurons        neuron-level data: the neurons the readout sees (same selectors); the others' readout weights stay 0 [all]
 *                         a text
 * training:
 *   glutamate             Dale's law: the sign of glutamatergic neurons (nt_type glutamate): inhibitory in flies, excitatory in worms and vertebrates [inhibitory]
 *                         one of inhibitory, excitatory (or "": inhibitory)
 *   unknown_transmitter   Dale's law: neurons with neither a sign nor a known nt_type (or with several): an error listing them, or excitatory, or inhibitory [error]
 *                         one of error, excitatory, inhibitory (or "": error)
 *   init_from             continue training a saved network (save_network's folder): its wiring, parameters, optimizer state and batch order; epochs more epochs follow its own [none: a new network]
 *                         a text
 * run:
 *   save_network          after training, save the network into this folder (wiring, parameters, optimizer state, settings): for analysis, or to continue with init_from [none]
 *                         a text
 *   seed                  derives the build, data and init seeds that are not given [1]
 *                         an integer >= 1
 *   build_seed            the up-scaling and the null model [derived from seed]
 *                         a whole number 0..18446744073709551615 (0 = derived from seed)
 *   data_seed             the task's trials [derived from seed]
 *                         a whole number 0..18446744073709551615 (0 = derived from seed)
 *   init_seed             the initial weights and the mini-batch order [derived from seed]
 *                         a whole number 0..18446744073709551615 (0 = derived from seed)
 *   noise_seed            the training noise's stream (noise_std) [derived from seed (with noise_std)]
 *                         a whole number 0..18446744073709551615 (0 = derived from seed)
 *   threads               threads of one run (results do not depend on it) [1 (the CLI: one per core)]
 *                         an integer in 1..4096
 *   kernels               kernel set (results may differ in the last float32 digits between sets) [the fastest this CPU runs]
 *                         one of generic, avx2, avx512
 *   path                  recurrent products: sparse, dense, or auto (sparse up to 60% density) [auto]
 *                         one of auto, sparse, dense
 *   max_memory            memory budget in bytes: a run (task data, network, training buffers) estimated above it is refused before allocating [80% of the physical memory (MemTotal in /proc/meminfo) on Linux, 8 GiB (8589934592) elsewhere]
 *                         an integer >= 1
 */
/* END GENERATED SETTINGS */

/* ---- networks ------------------------------------------------------------ */

/*
 * Builds a network from a registered connectome ("macaque", "marmoset",
 * "human", ... or a file path): bio2art-style up-scaling to neurons, then the
 * strategy or null model. Options: the settings listed above (all but
 * connectome, the name argument). Those that do not decide the network
 * (task, training, seeds of the data and initialisation, execution) become
 * the defaults of biornn_train. The network's matrices are exactly those
 * biornn_train trains.
 */
int biornn_network_from_connectome(const char* name, const char* options,
                                   biornn_handle* out);

/*
 * Builds a trainable network from parameters (float32, row-major, PyTorch's
 * layout): w_in hidden x inputs, w_hh hidden x hidden (w_hh[i*hidden+j] is the
 * weight from neuron j to neuron i), b hidden, w_out outputs x hidden, b_out
 * outputs. mask: hidden x hidden bytes in w_hh's orientation, nonzero = kept;
 * mask == NULL with mask_len 0 keeps every position. Weights outside the mask
 * are dropped and stay exactly zero. Options: the settings activation,
 * kernels [biornn_default_kernel], path, threads [biornn_get_threads],
 * max_memory, and the continuous-time option tau, dt, noise_std with seed
 * (the noise's stream); biornn_train keeps them unless it sets them again.
 */
int biornn_network_from_arrays(int64_t inputs, int64_t hidden, int64_t outputs,
                               const float* w_in, size_t w_in_len,
                               const float* w_hh, size_t w_hh_len,
                               const float* b, size_t b_len,
                               const float* w_out, size_t w_out_len,
                               const float* b_out, size_t b_out_len,
                               const uint8_t* mask, size_t mask_len,
                               const char* options, biornn_handle* out);

/* Layer sizes. For a connectome network inputs and outputs are 0 (the task
 * decides them at training time) and hidden is the number of neurons. Any of
 * the pointers may be NULL. */
int biornn_network_sizes(biornn_handle net, int64_t* inputs, int64_t* hidden,
                         int64_t* outputs);

/* Text about a network. key: source ("connectome", "arrays" or "saved": loaded by biornn_network_load), name,
 * species, citation, sha256, regions ('\n'-separated region names), strategy,
 * orientation, activation, kernel_set, path. "" when it does not apply. */
int biornn_get_info(biornn_handle net, const char* key, char* buf, size_t len,
                    size_t* needed);

/* Matrices as double, row-major. name: connectome (regions x regions, row =
 * source), w (neurons x neurons, row = source; for an arrays network the
 * masked w_hh transposed), mask (0/1, w_hh orientation, row = target), region
 * (neurons x 1 region index), in_degree, out_degree, in_strength,
 * out_strength (neurons x 1, of w). */
int biornn_matrix_size(biornn_handle net, const char* name, int64_t* rows,
                       int64_t* cols);
int biornn_get_matrix(biornn_handle net, const char* name, double* buf,
                      size_t len);

/* Graph statistics of w: the names, '\n'-separated and in the order of
 * biornn_get_stats (neurons, regions, connections, self_loops, density,
 * reciprocity, total_weight, spectral_radius: NaN above 1,024 neurons). len
 * must equal their count. */
int biornn_stat_names(char* buf, size_t len, size_t* needed);
int biornn_get_stats(biornn_handle net, double* values, size_t len);

/* ---- parameters, training and prediction on caller arrays ---------------
 * (networks from biornn_network_from_arrays; BIORNN_ERR_UNSUPPORTED for a
 * connectome network) */

/* Parameter name: w_in, w_hh, b, w_out or b_out (b and b_out have cols 1). */
int biornn_param_size(biornn_handle net, const char* name, int64_t* rows,
                      int64_t* cols);
int biornn_get_param(biornn_handle net, const char* name, float* buf,
                     size_t len);
/* Replaces one parameter; resets the optimizer state. */
int biornn_set_param(biornn_handle net, const char* name, const float* data,
                     size_t len);

/*
 * Takes `steps` full-batch optimizer steps on the given trials and writes the
 * loss before each step into losses (losses_len must equal steps).
 * x: trials x steps_t x inputs. y: for loss "mse" trials x steps_t x outputs
 * targets; for "nll" trials x steps_t class labels (0..outputs-1, as float).
 * Only the steps listed in loss_steps (0-based, distinct) carry a loss.
 * The optimizer state carries over to the next call with the same options.
 * Options: the settings optimizer, lr, momentum, weight_decay, clip_norm
 * and threads [unchanged], and for this call only:
 *   loss          mse or nll [mse]
 *   steps         optimizer steps [losses_len]
 *   dampening, nesterov (sgd) [0, false]
 *   beta1, beta2, eps (adam) [0.9, 0.999, 1e-8]   alpha (rmsprop) [0.99]
 */
int biornn_train_arrays(biornn_handle net, const float* x, size_t x_len,
                        int64_t trials, int64_t steps_t, const float* y,
                        size_t y_len, const int64_t* loss_steps,
                        size_t n_loss_steps, const char* options,
                        double* losses, size_t losses_len);

/* Loss (and accuracy for "nll", NaN for "mse") without changing the network.
 * loss: "mse" or "nll". Either output pointer may be NULL. */
int biornn_evaluate(biornn_handle net, const float* x, size_t x_len,
                    int64_t trials, int64_t steps_t, const float* y,
                    size_t y_len, const int64_t* loss_steps,
                    size_t n_loss_steps, const char* loss, double* loss_out,
                    double* accuracy_out);

/* Outputs at every step: out is trials x steps_t x outputs. */
int biornn_predict(biornn_handle net, const float* x, size_t x_len,
                   int64_t trials, int64_t steps_t, float* out,
                   size_t out_len);

/* Outputs (trials x steps_t x outputs) and hidden states h_t (trials x
 * steps_t x hidden) at every step: the activity analyses start from. */
int biornn_predict_hidden(biornn_handle net, const float* x, size_t x_len,
                          int64_t trials, int64_t steps_t, float* out,
                          size_t out_len, float* hidden, size_t hidden_len);

/* Dale's law: signs[j] = +1 or -1 for each neuron j (n = hidden); NULL with
 * n 0 turns it off. Every neuron's outgoing recurrent weights (column j of
 * w_hh) must already have its sign; after every optimizer step a weight
 * that crossed it is set to 0 (projection). */
int biornn_set_dale(biornn_handle net, const float* signs, size_t n);

/* ---- saved networks --------------------------------------------------------- */

/*
 * Saves a network that has parameters (from arrays, loaded, or trained) into
 * the folder dir: connections.parquet (pre, post, weight), neurons.parquet,
 * w_in.npy b.npy w_out.npy b_out.npy, network.json (sizes, settings,
 * version) and, once trained, epochs.parquet, optimizer.npz and order.npy.
 * dir must not exist, be empty or hold a saved network (replaced whole).
 */
int biornn_network_save(biornn_handle net, const char* dir);
/* Opens a saved network (options: kernels, threads, max_memory). Training it
 * with biornn_train continues where it stopped, bit for bit. */
int biornn_network_load(const char* dir, const char* options,
                        biornn_handle* out);

/* ---- training runs (Parquet results) -------------------------------------- */

/*
 * Trains a network on a task (biornn's training loop, as the CLI's `biornn
 * train`) and writes the run to the results folder `out`
 * (out/runs/<run_id>.parquet and out/epochs/<run_id>.parquet). progress may be
 * NULL. run_id (may be NULL) receives the run's id (16 hex digits; 17 bytes
 * suffice). Options: "out" (required: the results folder), and the
 * settings listed above except those that decide the network (connectome,
 * strategy, orientation, construction, build_seed), which the handle fixes;
 * "task" is a built-in task or arrays:FILE.npz; seed replaces the network's
 * master seed for the task data and the initialisation. kernels defaults to
 * biornn_default_kernel, threads to biornn_get_threads.
 *
 * The first call on a connectome network builds and initialises its RNN;
 * every later call, and every call on a network from arrays or a saved
 * folder, continues training the network as it is (parameters, optimizer
 * state, mini-batch order): two calls of 5 epochs equal one of 10. A failed
 * or cancelled call leaves the network as it was.
 */
int biornn_train(biornn_handle net, const char* options,
                 biornn_progress_fn progress, void* user, char* run_id,
                 size_t run_id_len);

/* ---- reading a results folder back --------------------------------------- */

/* Loads every table of a results folder (dir/<table>/<file>.parquet) into memory. */
int biornn_results_open(const char* dir, biornn_handle* out);
/* Table names, '\n'-separated (e.g. "epochs\nruns"). */
int biornn_results_tables(biornn_handle res, char* buf, size_t len,
                          size_t* needed);
int biornn_results_num_rows(biornn_handle res, const char* table,
                            int64_t* rows);
/* Column names in order, '\n'-separated. */
int biornn_results_columns(biornn_handle res, const char* table, char* buf,
                           size_t len, size_t* needed);
int biornn_results_column_type(biornn_handle res, const char* table,
                               const char* column, int32_t* type);
/* Numeric columns (any type but string) as double; len = number of rows. */
int biornn_results_get_float64(biornn_handle res, const char* table,
                               const char* column, double* buf, size_t len);
/* INT64, TIMESTAMP and BOOL columns as int64. */
int biornn_results_get_int64(biornn_handle res, const char* table,
                             const char* column, int64_t* buf, size_t len);
/* 1 where the cell has a value, 0 where it is null. */
int biornn_results_get_valid(biornn_handle res, const char* table,
                             const char* column, uint8_t* buf, size_t len);
/* STRING columns: every value NUL-terminated, one after the other, in row
 * order ("a\0bc\0\0" for "a", "bc", ""). Query the size with buf = NULL. */
int biornn_results_get_strings(biornn_handle res, const char* table,
                               const char* column, char* buf, size_t len,
                               size_t* needed);

/* ---- handles --------------------------------------------------------------- */

/* Frees a network or results handle (and a network's worker threads; a call
 * still running on the handle finishes first). Freeing twice gives
 * BIORNN_ERR_HANDLE. */
int biornn_free(biornn_handle h);

#ifdef __cplusplus
}
#endif

#endif /* BIORNN_H */
