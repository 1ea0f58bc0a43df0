# R bindings of biornn's C API (see cbind/include/biornn.h and cbind/README.md).
#
# Conventions: matrices are ordinary R matrices in PyTorch's layout (w_hh[i, j]
# is the weight from neuron j to neuron i); inputs x are arrays
# trials x steps x inputs; time steps (loss_steps) are 1-based as everywhere
# in R; class labels (loss = "nll") are the class values 0..outputs-1.
# Do not fork (parallel::mclapply) after loading biornn: use
# parallel::makePSOCKcluster.

.options <- function(...) {
  args <- list(...)
  args <- args[!vapply(args, is.null, logical(1))]
  if (length(args) == 0) return("")
  keys <- names(args)
  if (is.null(keys) || any(keys == "")) stop("biornn: every option must be named")
  na <- vapply(args, function(v) if (is.numeric(v)) any(is.na(v) & !is.nan(v)) else anyNA(v), logical(1))
  if (any(na)) stop("biornn: option ", keys[na][1], " is NA: give a value, or leave the option out for its default")
  vals <- vapply(args, function(v) {
    if (is.logical(v)) v <- ifelse(v, "true", "false")
    if (is.numeric(v)) v <- format(v, digits = 17, scientific = FALSE, trim = TRUE)
    paste(as.character(v), collapse = ",")
  }, character(1))
  bad <- grepl("[;\n]", vals) | grepl("[;=\n]", keys)
  if (any(bad)) stop("biornn: option ", keys[bad][1], ": keys and values cannot contain ';', '=' (keys) or newlines")
  paste0(keys, "=", vals, collapse = ";")
}

.lines <- function(s) if (nzchar(s)) strsplit(s, "\n", fixed = TRUE)[[1]] else character(0)

#' Library version, kernels and settings.
biornn_version <- function() .Call(C_version)
biornn_kernels <- function() .lines(.Call(C_kernels))
biornn_default_kernel <- function() .Call(C_default_kernel)
biornn_set_kernels <- function(name) invisible(.Call(C_set_kernels, as.character(name)))
biornn_set_threads <- function(n) invisible(.Call(C_set_threads, as.integer(n)))
biornn_threads <- function() .Call(C_get_threads)
biornn_stat_names <- function() .lines(.Call(C_stat_names))

#' Environment variables the library reads (BIORNN_DATA, BIORNN_KERNELS):
#' the library keeps its own copy of the environment, which the package
#' brings up to date with Sys.getenv() at load and before every call that
#' reads it; these set or read it explicitly (help page biornn_set_env).
biornn_env_names <- function() .Call(C_env_names)
biornn_set_env <- function(name, value) {
  if (!is.null(value)) value <- as.character(value)
  invisible(.Call(C_set_env, as.character(name), value))
}
biornn_get_env <- function(name) .Call(C_get_env, as.character(name))
biornn_set_data_dir <- function(path) {
  if (!is.null(path)) {
    if (length(path) != 1 || is.na(path)) stop("biornn: path must be a single folder name or NULL")
    path <- normalizePath(path, mustWork = FALSE)
  }
  biornn_set_env("BIORNN_DATA", path)
}
biornn_data_dir <- function() biornn_get_env("BIORNN_DATA")

#' Sets the folder of the picture task's MNIST latents (BIORNN_MNIST) for the
#' library and in the R environment; NULL unsets it.
biornn_set_mnist_dir <- function(path) {
  if (!is.null(path)) {
    if (length(path) != 1 || is.na(path)) stop("biornn: path must be a single folder name or NULL")
    path <- normalizePath(path, mustWork = FALSE)
  }
  biornn_set_env("BIORNN_MNIST", path)
}

.network <- function(ptr) structure(list(ptr = ptr), class = "biornn_network")
.ptr <- function(net) {
  if (!inherits(net, "biornn_network")) stop("biornn: not a biornn network")
  net$ptr
}

#' Builds a network from a registered connectome ("macaque", "marmoset",
#' "human", ...) or a matrix file. Options: the run settings (help page
#' biornn_settings, generated from the library's settings table).
network_from_connectome <- function(name, ...) {
  .network(.Call(C_from_connectome, as.character(name), .options(...)))
}

# row-major doubles of a matrix (the C API's layout)
.rowmajor <- function(m) as.double(t(as.matrix(m)))

#' Builds a trainable network from parameters: w_in (hidden x inputs), w_hh
#' (hidden x hidden), b (hidden), w_out (outputs x hidden), b_out (outputs);
#' mask: hidden x hidden logical (TRUE = kept) or NULL. Options: kernels,
#' path, threads.
network_from_arrays <- function(w_in, w_hh, b, w_out, b_out, mask = NULL, activation = "tanh", ...) {
  w_in <- as.matrix(w_in); w_hh <- as.matrix(w_hh); w_out <- as.matrix(w_out)
  sizes <- c(ncol(w_in), nrow(w_hh), nrow(w_out))
  if (!is.null(mask)) {
    mask <- as.matrix(mask)
    if (!all(dim(mask) == dim(w_hh))) stop("biornn: mask must have the shape of w_hh")
    mask <- as.logical(t(mask != 0))
  }
  .network(.Call(C_from_arrays, as.double(sizes), .rowmajor(w_in), .rowmajor(w_hh), as.double(b),
                 .rowmajor(w_out), as.double(b_out), mask, .options(activation = activation, ...)))
}

#' Frees a network now (it is otherwise freed when garbage-collected).
network_free <- function(net) invisible(.Call(C_free, .ptr(net)))

#' c(inputs, hidden, outputs); inputs and outputs are 0 for a connectome network.
network_sizes <- function(net) {
  s <- .Call(C_sizes, .ptr(net))
  stats::setNames(s, c("inputs", "hidden", "outputs"))
}

#' Text about a network: source, name, species, citation, sha256, strategy,
#' orientation, activation, kernel_set, path.
network_info <- function(net, key) .Call(C_info, .ptr(net), as.character(key))

#' Region names of the connectome.
network_regions <- function(net) .lines(network_info(net, "regions"))

#' A matrix: connectome, w (row = source neuron), mask, region, in_degree,
#' out_degree, in_strength, out_strength (the last five as vectors).
network_matrix <- function(net, name) {
  m <- .Call(C_matrix, .ptr(net), as.character(name))
  if (ncol(m) == 1) m[, 1] else m
}

#' Graph statistics as a one-row data.frame.
network_stats <- function(net) {
  names <- biornn_stat_names()
  v <- .Call(C_stats, .ptr(net), length(names))
  as.data.frame(as.list(stats::setNames(v, names)))
}

#' Parameters as a list of matrices/vectors (w_in, w_hh, b, w_out, b_out).
parameters <- function(net) {
  p <- lapply(c("w_in", "w_hh", "b", "w_out", "b_out"), function(n) .Call(C_get_param, .ptr(net), n))
  names(p) <- c("w_in", "w_hh", "b", "w_out", "b_out")
  p$b <- p$b[, 1]
  p$b_out <- p$b_out[, 1]
  p
}

#' Replaces parameters given by name (resets the optimizer state).
set_parameters <- function(net, ...) {
  ps <- list(...)
  for (n in names(ps)) .Call(C_set_param, .ptr(net), n, .rowmajor(ps[[n]]))
  invisible(net)
}

# x (trials x steps x inputs) as row-major doubles and its dims
.xdata <- function(x) {
  if (length(dim(x)) != 3) stop("biornn: x must be an array trials x steps x inputs")
  list(data = as.double(aperm(x, c(3, 2, 1))), dims = as.double(dim(x)[1:2]))
}

.ydata <- function(y, loss) {
  d <- dim(y)
  if (loss == "nll") {
    if (length(d) != 2) stop("biornn: y must be a matrix trials x steps of class labels for loss = \"nll\"")
    return(as.double(t(y)))
  }
  if (length(d) != 3) stop("biornn: y must be an array trials x steps x outputs for loss = \"mse\"")
  as.double(aperm(y, c(3, 2, 1)))
}

.steps <- function(loss_steps, t) {
  if (is.null(loss_steps)) loss_steps <- seq_len(t)
  as.integer(loss_steps) - 1L
}

#' Takes `steps` full-batch optimizer steps on (x, y) and returns the loss
#' before each step. loss_steps are 1-based time steps (default: all).
#' Other options: momentum, dampening, nesterov, weight_decay, clip_norm,
#' beta1, beta2, eps, alpha, threads.
train_arrays <- function(net, x, y, loss = "mse", loss_steps = NULL, optimizer = "adam", lr = 1e-3,
                         steps = 1, ...) {
  xd <- .xdata(x)
  opts <- .options(loss = loss, optimizer = optimizer, lr = lr, steps = as.integer(steps), ...)
  .Call(C_train_arrays, .ptr(net), xd$data, xd$dims, .ydata(y, loss), .steps(loss_steps, dim(x)[2]), opts,
        as.integer(steps))
}

#' Loss and accuracy (NA for mse) on (x, y) without training.
evaluate <- function(net, x, y, loss = "mse", loss_steps = NULL) {
  xd <- .xdata(x)
  v <- .Call(C_evaluate, .ptr(net), xd$data, xd$dims, .ydata(y, loss), .steps(loss_steps, dim(x)[2]),
             as.character(loss))
  list(loss = v[1], accuracy = if (is.nan(v[2])) NA_real_ else v[2])
}

#' Outputs at every step: an array trials x steps x outputs. With
#' hidden = TRUE, list(outputs = ..., hidden = ...) where hidden holds the
#' states h_t of every step, an array trials x steps x neurons.
predict.biornn_network <- function(object, x, hidden = FALSE, ...) {
  xd <- .xdata(x)
  s <- network_sizes(object)
  o <- s[["outputs"]]
  as3 <- function(v, k) aperm(array(v, dim = c(k, dim(x)[2], dim(x)[1])), c(3, 2, 1))
  if (!isTRUE(hidden)) {
    v <- .Call(C_predict, .ptr(object), xd$data, xd$dims, as.double(o))
    return(as3(v, o))
  }
  v <- .Call(C_predict_hidden, .ptr(object), xd$data, xd$dims, as.double(c(o, s[["hidden"]])))
  list(outputs = as3(v[[1]], o), hidden = as3(v[[2]], s[["hidden"]]))
}

#' Saves a network with parameters (trained, from arrays or loaded) into
#' the folder dir: connections.parquet (pre, post, weight), neurons.parquet,
#' w_in/b/w_out/b_out .npy, network.json and, once trained, its epochs,
#' optimizer state and batch order. network_load(dir) continues training it
#' exactly where it stopped.
network_save <- function(net, dir) invisible(.Call(C_save, .ptr(net), normalizePath(dir, mustWork = FALSE)))

#' A neuron-level network from data.frames: edges (pre, post, weight or
#' syn_count; ids of any type) and optionally neurons (id, and sign, nt_type,
#' type, region, role). No up-scaling. Options: the settings (dale = TRUE,
#' input_neurons = "role:sensory", ...). The tables are written to files in
#' the session's temporary folder, which training reads again.
network_from_edges <- function(edges, neurons = NULL, ...) {
  dir <- tempfile("biornn-edges-")
  dir.create(dir)
  ep <- file.path(dir, "edges.csv")
  utils::write.csv(edges, ep, row.names = FALSE, quote = TRUE)
  opts <- list(...)
  if (!is.null(neurons)) {
    np <- file.path(dir, "neurons.csv")
    utils::write.csv(neurons, np, row.names = FALSE, quote = TRUE)
    opts$neuron_table <- np
  }
  if (is.null(opts$level)) opts$level <- "neuron"
  do.call(network_from_connectome, c(list(ep), opts))
}

#' The neurons' ids of a neuron-level network, in the network's order.
network_neuron_ids <- function(net) network_regions(net)

#' Dale's law: signs (one +1 or -1 per neuron; NULL: off). The outgoing
#' weights of neuron j (column j of w_hh) must have its sign; after every
#' optimizer step a weight that crossed it is set to 0.
set_dale <- function(net, signs) invisible(.Call(C_set_dale, .ptr(net), if (is.null(signs)) NULL else as.double(signs)))

#' Opens a saved network (options: kernels, threads, max_memory).
network_load <- function(dir, ...) .network(.Call(C_load, normalizePath(dir, mustWork = FALSE), .options(...)))

print.biornn_network <- function(x, ...) {
  s <- network_sizes(x)
  src <- network_info(x, "source")
  if (src == "connectome") {
    cat(sprintf("biornn network from connectome %s: %d neurons, strategy %s%s\n", network_info(x, "name"),
                s[["hidden"]], network_info(x, "strategy"),
                if (s[["inputs"]] > 0) sprintf(", trained: %d inputs, %d outputs", s[["inputs"]], s[["outputs"]])
                else ", not trained yet"))
  } else if (src == "saved") {
    cat(sprintf("biornn network loaded from a saved folder: %d inputs, %d hidden (%s), %d outputs\n", s[["inputs"]],
                s[["hidden"]], network_info(x, "activation"), s[["outputs"]]))
  } else {
    cat(sprintf("biornn network from arrays: %d inputs, %d hidden (%s), %d outputs\n", s[["inputs"]],
                s[["hidden"]], network_info(x, "activation"), s[["outputs"]]))
  }
  invisible(x)
}

#' Trains a network on a task (a built-in task name or "arrays:FILE.npz")
#' and writes the run to the results folder `out`; returns the run id. The
#' first call on a connectome network builds and initialises it; later calls
#' (and calls on networks from arrays or network_load) continue training it
#' where it stopped. progress(epoch) gets a list (epoch,
#' epochs, train_loss, val_loss, val_accuracy, seconds) after every epoch;
#' returning FALSE stops the run with an error of class "biornn_cancelled"
#' (nothing is written). Ctrl-C stops it too. Options: pattern_length,
#' n_back, trial_length, trials, mnist_dir, batch_size, optimizer, lr,
#' momentum, weight_decay, clip_norm, activation, patience, init,
#' spectral_radius, seed, data_seed, init_seed, kernels, threads, path.
train <- function(net, out, task = "seq_mem", epochs = NULL, progress = NULL, ...) {
  if (!is.null(progress) && !is.function(progress)) stop("biornn: progress must be a function or NULL")
  if (is.list(task)) {
    dir <- write_task(task, tempfile("biornn-task-"))
    on.exit(unlink(dir, recursive = TRUE), add = TRUE)
    task <- paste0("arrays:", dir)
  }
  opts <- .options(out = normalizePath(out, mustWork = FALSE), task = task, epochs = epochs, ...)
  r <- .Call(C_train, .ptr(net), opts, progress)
  if (r$interrupted) {
    stop(structure(class = c("biornn_interrupted", "interrupt", "condition"),
                   list(message = "biornn: training interrupted by the user; no results written", call = sys.call())))
  }
  if (!is.null(r$callback_error)) {
    stop("biornn: the progress callback raised an error, training stopped: ", trimws(r$callback_error))
  }
  if (r$status == 6L) {
    stop(structure(class = c("biornn_cancelled", "error", "condition"),
                   list(message = r$message, call = sys.call())))
  }
  if (r$status != 0L) stop(sprintf("biornn_train (status %d): %s", r$status, r$message))
  r$run_id
}

# Writes an R array as a little-endian C-order .npy file (float64, or int64
# for integer labels).
.write_npy <- function(a, path) {
  d <- if (is.null(dim(a))) length(a) else dim(a)
  int <- is.integer(a) || is.logical(a)
  shape <- if (length(d) == 1) paste0(d, ",") else paste(d, collapse = ", ")
  h <- sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", if (int) "<i8" else "<f8", shape)
  h <- paste0(h, strrep(" ", 63 - (10 + nchar(h)) %% 64), "\n")
  v <- if (length(d) > 1) aperm(a, rev(seq_along(d))) else a  # C order
  con <- file(path, "wb"); on.exit(close(con))
  writeBin(c(as.raw(c(0x93)), charToRaw("NUMPY"), as.raw(c(1, 0))), con)
  writeBin(nchar(h), con, size = 2, endian = "little")
  writeBin(charToRaw(h), con)
  if (int) {
    v <- as.integer(v)
    if (anyNA(v)) stop("biornn: task: NA in an integer array")
    # int64 as two little-endian int32 words (labels and masks are small and >= 0)
    writeBin(as.vector(rbind(v, ifelse(v < 0, -1L, 0L))), con, size = 4, endian = "little")
  } else {
    writeBin(as.double(v), con, size = 8, endian = "little")
  }
  invisible(path)
}

#' Writes a task list (x: trials x steps x inputs array; y: trials x steps x
#' outputs targets, or a trials x steps integer matrix of class labels for
#' the nll loss; optional loss_mask, split, n_classes) as a folder of .npy
#' files that train(task = "arrays:DIR") and `biornn train --task
#' arrays:DIR` read. Returns dir.
write_task <- function(task, dir) {
  known <- c("x", "y", "loss_mask", "split", "n_classes")
  if (is.null(task$x) || is.null(task$y)) stop("biornn: task: needs x (trials x steps x inputs) and y")
  bad <- setdiff(names(task), known)
  if (length(bad)) stop("biornn: task: unknown arrays ", paste(bad, collapse = ", "), "; known: ", paste(known, collapse = ", "))
  if (length(dim(task$x)) != 3) stop("biornn: task: x must be an array trials x steps x inputs")
  dir.create(dir, recursive = TRUE, showWarnings = FALSE)
  for (k in intersect(known, names(task))) .write_npy(task[[k]], file.path(dir, paste0(k, ".npy")))
  normalizePath(dir)
}

#' Reads a results folder (written by the CLI, sweeps or train) into a list
#' of data.frames, list(runs = ..., epochs = ...), without the arrow package.
#' Timestamps are POSIXct (UTC); 64-bit integers that do not fit R's
#' integers come back as doubles, or as strings when a double cannot hold
#' them exactly (large seeds).
read_results <- function(dir) .Call(C_read_results, normalizePath(dir, mustWork = FALSE))
