test_that("library information", {
  expect_true(nzchar(biornn_version()))
  expect_true("generic" %in% biornn_kernels())
  expect_true(biornn_default_kernel() %in% biornn_kernels())
  expect_equal(biornn_stat_names()[1], "neurons")
  expect_error(biornn_set_kernels("no-such"), "no-such")
  expect_error(biornn_set_threads(0), "thread")
  biornn_set_threads(2)
  expect_equal(biornn_threads(), 2L)
  biornn_set_threads(1)
})

forward <- function(p, x, act) {
  w <- p$w_hh * p$mask
  n <- dim(x)[1]; t <- dim(x)[2]
  h <- matrix(0, n, nrow(w))
  out <- array(0, c(n, t, nrow(p$w_out)))
  for (s in seq_len(t)) {
    a <- x[, s, , drop = TRUE] %*% t(p$w_in) + h %*% t(w) + matrix(p$b, n, length(p$b), byrow = TRUE)
    h <- if (act == "tanh") tanh(a) else pmax(a, 0)
    out[, s, ] <- h %*% t(p$w_out) + matrix(p$b_out, n, length(p$b_out), byrow = TRUE)
  }
  out
}

test_that("prediction matches the model written in R", {
  p <- small_problem(1)
  for (act in c("tanh", "relu")) {
    net <- network_from_arrays(p$w_in, p$w_hh, p$b, p$w_out, p$b_out, mask = p$mask, activation = act)
    expect_equal(unname(network_sizes(net)), c(2, 12, 1))
    got <- predict(net, p$x)
    expect_equal(dim(got), c(10, 6, 1))
    expect_equal(got, forward(p, p$x, act), tolerance = 1e-5)
  }
})

test_that("parameters, mask and training on arrays", {
  p <- small_problem(2)
  net <- network_from_arrays(p$w_in, p$w_hh, p$b, p$w_out, p$b_out, mask = p$mask)
  ps <- parameters(net)
  expect_named(ps, c("w_in", "w_hh", "b", "w_out", "b_out"))
  expect_equal(ps$w_hh, p$w_hh * p$mask, tolerance = 1e-7)
  expect_equal(ps$b, p$b, tolerance = 1e-7)
  expect_equal(network_matrix(net, "mask"), p$mask * 1)
  losses <- train_arrays(net, p$x, p$y, loss_steps = 4:6, optimizer = "adam", lr = 0.01, steps = 10)
  expect_length(losses, 10)
  expect_lt(losses[10], losses[1])
  after <- parameters(net)$w_hh
  expect_true(all(after[!p$mask] == 0))
  ev <- evaluate(net, p$x, p$y, loss_steps = 4:6)
  expect_lt(ev$loss, losses[1])
  expect_true(is.na(ev$accuracy))
  set_parameters(net, w_out = matrix(1, 1, 12))
  expect_equal(parameters(net)$w_out, matrix(1, 1, 12))
  st <- network_stats(net)
  expect_s3_class(st, "data.frame")
  expect_equal(st$connections, sum(p$mask))
  labels <- matrix(0, 10, 6)
  labels[, 6] <- 0  # one output: the only class is 0
  expect_length(train_arrays(net, p$x, labels, loss = "nll", loss_steps = 6, steps = 2), 2)
  network_free(net)
  expect_error(parameters(net), "freed")
})

test_that("the PyTorch fixtures of testdata/torchref are reproduced", {
  dirs <- list.dirs(testdata_dir("torchref"), recursive = FALSE)
  dirs <- dirs[file.exists(file.path(dirs, "case.json"))]
  expect_gt(length(dirs), 0)
  for (d in dirs) check_torch_case(d)
})

test_that("the full PyTorch reference in ../shared is reproduced", {
  d <- shared_dir("torch-reference")
  for (name in c("macaque_seqmem_tanh_adam", "gamanut_nback_relu_adam", "marmoset_seqmem_relu_sgd"))
    check_torch_case(file.path(d, name))
})

test_that("errors carry the library's message", {
  p <- small_problem(3)
  expect_error(network_from_arrays(p$w_in[1:5, ], p$w_hh, p$b, p$w_out, p$b_out), "w_in")
  expect_error(network_from_arrays(p$w_in, p$w_hh, p$b, p$w_out, p$b_out, activation = "sigmoid"), "activation")
  net <- network_from_arrays(p$w_in, p$w_hh, p$b, p$w_out, p$b_out)
  expect_error(train_arrays(net, p$x, p$y, colour = "blue"), 'unknown key "colour"')
  expect_error(train_arrays(net, p$x, p$y, optimizer = "adagrad"), "optimizer")
  expect_error(train_arrays(net, p$x, p$y, loss_steps = 9), "loss step 8")
  expect_error(predict(net, array(0, c(2, 3, 5))), "x has")
  expect_error(train_arrays(net, p$x, p$y, optimizer = "adam;lr=1"), "cannot contain")
  expect_error(network_matrix(net, "connectome"), "connectome")
  expect_error(train(net, tempfile(), task = "nback_mem"), "the task has 2 inputs and 3 outputs")
  expect_error(network_from_connectome("no-such-connectome"), "no-such-connectome")
  expect_error(read_results(file.path(tempdir(), "none-here")), "biornn_results_open")
})

test_that("connectome networks", {
  net <- network_from_connectome("macaque", neurons = 2, seed = 5)
  expect_equal(unname(network_sizes(net)), c(0, 58, 0))
  expect_equal(network_info(net, "name"), "macaque")
  expect_length(network_regions(net), 29)
  cm <- network_matrix(net, "connectome")
  expect_equal(dim(cm), c(29, 29))
  expect_equal(sum(cm != 0), 536)
  w <- network_matrix(net, "w")
  region <- network_matrix(net, "region")
  expect_equal(region[c(1, 58)], c(0, 28))
  st <- network_stats(net)
  expect_equal(st$connections, sum(w != 0))
  expect_equal(st$spectral_radius, max(Mod(eigen(w, only.values = TRUE)$values)), tolerance = 1e-9)
  null <- network_from_connectome("macaque", neurons = 2, seed = 5, null = "permute")
  expect_false(identical(network_matrix(null, "w"), w))
  expect_error(network_from_connectome("macaque", nuerons = 2), '"nuerons"')
  expect_output(print(net), "macaque")
})

test_that("data_dir reads the same data set as the built-in one", {
  dd <- shared_dir("connectomes")
  builtin <- network_from_connectome("macaque", neurons = 2, seed = 5)
  net <- network_from_connectome("macaque", data_dir = dd, neurons = 2, seed = 5)
  expect_equal(network_info(net, "sha256"), network_info(builtin, "sha256"))
  expect_identical(network_matrix(net, "w"), network_matrix(builtin, "w"))
  out <- file.path(tempfile("biornn-"), "results")
  train(net, out, epochs = 1, trials = 20)
  expect_equal(normalizePath(read_results(out)$runs$connectome_source), dd)
})

test_that("training runs, progress, cancellation and results", {
  net <- network_from_connectome("macaque", neurons = 1)
  out <- file.path(tempfile("biornn-"), "results")
  seen <- list()
  id <- train(net, out, task = "nback_mem", epochs = 3, trials = 40, batch_size = 16,
              progress = function(e) { seen[[length(seen) + 1]] <<- e; TRUE })
  expect_equal(nchar(id), 16)
  expect_equal(vapply(seen, function(e) e$epoch, 1L), 0:3)
  res <- read_results(out)
  expect_named(res, c("epochs", "runs"))
  expect_s3_class(res$runs, "data.frame")
  expect_equal(res$runs$run_id, id)
  expect_equal(res$runs$task, "nback_mem")
  expect_s3_class(res$runs$started_at, "POSIXct")
  expect_equal(res$epochs$epoch, 0:3)
  expect_equal(res$epochs$val_loss, vapply(seen, function(e) e$val_loss, 1))
  expect_true(all(res$epochs$val_accuracy >= 0 & res$epochs$val_accuracy <= 1))

  out2 <- file.path(tempfile("biornn-"), "results")
  n <- 0
  # The network continues after its 3 epochs: stop after the first callback.
  err <- tryCatch(train(net, out2, task = "nback_mem", epochs = 100, trials = 40,
                        progress = function(e) { n <<- n + 1; n < 2 }),
                  biornn_cancelled = function(e) e)
  expect_s3_class(err, "biornn_cancelled")
  expect_match(conditionMessage(err), "cancelled")
  expect_equal(n, 2)
  expect_false(dir.exists(file.path(out2, "runs")) && length(dir(file.path(out2, "runs"))) > 0)
  expect_error(train(net, out2, task = "nback_mem", epochs = 100, trials = 40, progress = function(e) stop("boom")),
               "progress callback raised an error.*boom")
})

test_that("a trained connectome network predicts with hidden states, saves and continues", {
  out <- file.path(tempdir(), "r-saved")
  net <- network_from_connectome("macaque", seed = 1)
  expect_error(parameters(net), "not been trained")
  train(net, out, epochs = 3, trials = 60)
  p <- parameters(net)
  expect_equal(dim(p$w_hh), c(116, 116))
  x <- array(rnorm(4 * 7 * 2), c(4, 7, 2))
  r <- predict(net, x, hidden = TRUE)
  expect_equal(dim(r$hidden), c(4, 7, 116))
  expect_equal(r$outputs, predict(net, x))
  dir <- file.path(tempdir(), "r-saved-net")
  network_save(net, dir)
  train(net, out, epochs = 3, trials = 60)
  loaded <- network_load(dir)
  train(loaded, out, epochs = 3, trials = 60)
  whole <- network_from_connectome("macaque", seed = 1)
  train(whole, out, epochs = 6, trials = 60)
  expect_identical(parameters(whole), parameters(net))
  expect_identical(parameters(whole), parameters(loaded))
})

test_that("a task given as a list of arrays trains", {
  set.seed(1)
  x <- array(rnorm(200 * 6 * 2), c(200, 6, 2))
  y <- matrix(as.integer(x[, , 1] > 0), 200, 6)
  net <- network_from_connectome("macaque", seed = 1)
  out <- file.path(tempdir(), "r-own-task")
  id <- train(net, out, task = list(x = x, y = y, split = rep(0:1, c(160, 40))), epochs = 30, lr = 0.01)
  res <- read_results(out)
  expect_equal(res$runs$run_id, id)
  expect_equal(nrow(res$epochs), 31)
  ev <- evaluate(net, x[161:200, , , drop = FALSE], y[161:200, ], loss = "nll")
  expect_gt(ev$accuracy, 0.8)
  expect_error(train(net, out, task = list(x = x)), "needs x")
})

test_that("a neuron-level network from data.frames keeps Dale's law", {
  set.seed(2)
  ids <- 101:130
  pre <- sample(30, 300, TRUE); post <- sample(30, 300, TRUE); keep <- pre != post
  edges <- data.frame(pre = ids[pre[keep]], post = ids[post[keep]], syn_count = sample(1:8, sum(keep), TRUE))
  neurons <- data.frame(id = ids, nt_type = rep(c("acetylcholine", "gaba"), c(20, 10)))
  net <- network_from_edges(edges, neurons, dale = TRUE)
  expect_equal(network_neuron_ids(net), as.character(ids))
  train(net, tempfile(), epochs = 20, trials = 60, lr = 0.01)
  w <- parameters(net)$w_hh
  expect_true(all(sweep(w, 2, rep(c(1, -1), c(20, 10)), "*") >= 0))
})
