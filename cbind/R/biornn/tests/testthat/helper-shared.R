# The test data.
# - The project's own fixtures: $BIORNN_TESTDATA if set (R CMD check runs the
#   tests from a copy of the package, outside the source tree), else testdata/
#   of the source tree, reached from this folder (cbind/R/biornn/tests/testthat).
# - The full reference data: $BIORNN_SHARED if set, else ../shared beside the
#   project root. The cross-checks that need it skip, naming the folder, where
#   it is absent.
# p made absolute for messages, also when it does not exist.
abs_path <- function(p) {
  if (file.exists(p) || dirname(p) == p) return(normalizePath(p))
  file.path(abs_path(dirname(p)), basename(p))
}

testdata_dir <- function(sub) {
  d <- file.path(Sys.getenv("BIORNN_TESTDATA", file.path("..", "..", "..", "..", "..", "testdata")), sub)
  if (!dir.exists(d)) skip(paste0("the project's fixtures ", abs_path(d),
                                  " are not reachable from here (set BIORNN_TESTDATA to testdata/ of the source tree)"))
  normalizePath(d)
}

shared_dir <- function(sub) {
  d <- file.path(Sys.getenv("BIORNN_SHARED", file.path("..", "..", "..", "..", "..", "..", "shared")), sub)
  if (!dir.exists(d)) skip(paste0("the full reference data ", abs_path(d),
                                  " is missing (../shared beside the project root, or set BIORNN_SHARED): cross-check skipped"))
  normalizePath(d)
}

small_problem <- function(seed) {
  set.seed(seed)
  h <- 12; i <- 2; o <- 1; n <- 10; t <- 6
  list(w_in = matrix(runif(h * i, -0.3, 0.3), h, i), w_hh = matrix(runif(h * h, -0.3, 0.3), h, h),
       b = runif(h, -0.1, 0.1), w_out = matrix(runif(o * h, -0.3, 0.3), o, h), b_out = rep(0, o),
       mask = matrix(runif(h * h) < 0.5, h, h), x = array(runif(n * t * i), c(n, t, i)),
       y = array(runif(n * t * o), c(n, t, o)))
}

# A minimal reader of the float64 .npy files of the PyTorch references (the
# library's own reader is not exposed).
read_npy <- function(path) {
  con <- file(path, "rb"); on.exit(close(con))
  magic <- readBin(con, "raw", 6)
  ver <- readBin(con, "integer", 2, size = 1)
  hlen <- if (ver[1] == 1) readBin(con, "integer", 1, size = 2, endian = "little") else
    readBin(con, "integer", 1, size = 4, endian = "little")
  header <- rawToChar(readBin(con, "raw", hlen))
  stopifnot(grepl("'descr': '<f8'", header, fixed = TRUE))
  shape <- as.integer(strsplit(gsub(".*'shape': \\(([^)]*)\\).*", "\\1", header), ",\\s*")[[1]])
  shape <- shape[!is.na(shape)]
  fortran <- grepl("'fortran_order': True", header, fixed = TRUE)
  v <- readBin(con, "double", prod(shape), size = 8, endian = "little")
  if (length(shape) <= 1) return(v)
  if (fortran) return(array(v, shape))
  aperm(array(v, rev(shape)), rev(seq_along(shape)))
}

# The fields of a reference case.json the tests use (a flat JSON object of
# strings, numbers, booleans and lists of numbers); absent keys are NULL.
read_case <- function(dir) {
  txt <- paste(readLines(file.path(dir, "case.json"), warn = FALSE), collapse = "")
  field <- function(key) {
    m <- regmatches(txt, regexec(sprintf('"%s": *("[^"]*"|\\[[^]]*\\]|[^,}]+)', key), txt))[[1]]
    if (length(m) == 0) return(NULL)
    v <- trimws(m[2])
    if (startsWith(v, '"')) return(substr(v, 2, nchar(v) - 1))
    if (startsWith(v, "[")) return(as.numeric(strsplit(substr(v, 2, nchar(v) - 1), ",")[[1]]))
    if (v %in% c("true", "false")) return(v == "true")
    as.numeric(v)
  }
  keys <- c("name", "act", "loss", "loss_steps", "optimizer", "lr", "steps", "losses_f64",
            "momentum", "dampening", "nesterov", "weight_decay", "clip_norm", "leak_alpha", "noise_std", "dale")
  setNames(lapply(keys, field), keys)
}

# Trains the case's network through the bindings and compares the losses
# before every step and the final parameters with PyTorch's (1e-4 relative).
check_torch_case <- function(dir) {
  case <- read_case(dir)
  # The reference's fixed noise can be given to the network only in the Go test.
  if (!is.null(case$noise_std) && case$noise_std > 0) return(invisible())
  arr <- function(name) read_npy(file.path(dir, paste0(name, ".npy")))
  mask <- arr("mask") != 0
  dynamics <- if (!is.null(case$leak_alpha) && case$leak_alpha != 1) list(tau = 1 / case$leak_alpha) else list()
  net <- do.call(network_from_arrays, c(list(arr("init_W_in"), arr("init_W_hh"), arr("init_b"), arr("init_W_out"),
                                             arr("init_b_out"), mask = mask, activation = case$act), dynamics))
  on.exit(network_free(net))
  if (isTRUE(case$dale)) set_dale(net, arr("signs"))
  extras <- case[c("momentum", "dampening", "nesterov", "weight_decay", "clip_norm")]
  extras <- extras[vapply(extras, function(v) !is.null(v) && as.numeric(v) != 0, logical(1))]
  losses <- do.call(train_arrays, c(list(net, arr("x"), arr("y"), loss = case$loss,
                                         loss_steps = as.integer(case$loss_steps) + 1L, optimizer = case$optimizer,
                                         lr = case$lr, steps = case$steps), extras))
  expect_equal(losses, case$losses_f64, tolerance = 1e-4, label = paste(case$name, "losses"))
  got <- parameters(net)
  for (p in list(c("w_in", "W_in"), c("w_hh", "W_hh"), c("b", "b"), c("w_out", "W_out"), c("b_out", "b_out"))) {
    want <- arr(paste0("final_", p[2]))
    err <- sqrt(sum((as.vector(got[[p[1]]]) - as.vector(want))^2)) / sqrt(sum(want^2))
    expect_lt(err, 1e-4, label = paste(case$name, p[1], "relative error"))
  }
  expect_true(all(got$w_hh[!mask] == 0), label = paste(case$name, "masked w_hh stays zero"))
}
