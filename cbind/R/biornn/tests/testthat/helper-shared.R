# The shared test data: $BIORNN_SHARED if set (R CMD check runs the tests
# from a copy of the package, outside the source tree), else ../shared beside
# the project root, reached from this folder (cbind/R/biornn/tests/testthat).
# Tests that need it fail without it.
shared_dir <- function() {
  d <- Sys.getenv("BIORNN_SHARED", file.path("..", "..", "..", "..", "..", "..", "shared"))
  if (!dir.exists(d)) stop("shared test data not found at ", normalizePath(d, mustWork = FALSE),
                           " (set BIORNN_SHARED to the folder)")
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
