# The library's environment variables (BIORNN_DATA, BIORNN_KERNELS) follow
# Sys.setenv and biornn_set_env; NA options are refused.

builtin_dir <- function() {
  d <- file.path(Sys.getenv("BIORNN_SRC", file.path("..", "..", "..", "..", "..")), "connectome", "builtin")
  if (!dir.exists(d)) skip(paste0("the built-in data files ", abs_path(d), " are not reachable from here (set BIORNN_SRC)"))
  normalizePath(d)
}

# restore_env(name) returns a function that gives name its present value back.
restore_env <- function(name) {
  old <- Sys.getenv(name, unset = NA)
  function() if (is.na(old)) Sys.unsetenv(name) else do.call(Sys.setenv, stats::setNames(list(old), name))
}

test_that("the library's environment variables", {
  expect_equal(biornn_env_names(), c("BIORNN_DATA", "BIORNN_MNIST", "BIORNN_KERNELS"))
  expect_error(biornn_set_env("BIORNN_NOPE", "x"), "BIORNN_NOPE")
  expect_error(biornn_get_env("BIORNN_NOPE"), "BIORNN_NOPE")
})

test_that("Sys.setenv(BIORNN_DATA) after loading reaches the library", {
  restore <- restore_env("BIORNN_DATA")
  on.exit(restore())
  Sys.unsetenv("BIORNN_DATA")
  network_free(network_from_connectome("macaque", neurons = 1))
  missing <- file.path(tempfile("biornn-env"), "no-such-folder")
  Sys.setenv(BIORNN_DATA = missing)
  expect_error(network_from_connectome("macaque", neurons = 1), "no-such-folder.*BIORNN_DATA")
  expect_equal(biornn_data_dir(), missing)
  Sys.unsetenv("BIORNN_DATA")
  expect_equal(biornn_data_dir(), "")
  network_free(network_from_connectome("macaque", neurons = 1))
})

test_that("biornn_set_data_dir: a corrupted copy is refused, naming the file", {
  restore <- restore_env("BIORNN_DATA")
  on.exit(restore())
  src <- builtin_dir()
  dir <- tempfile("biornn-data")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  for (f in list.files(src, pattern = "Macaque")) {
    b <- readBin(file.path(src, f), "raw", file.size(file.path(src, f)))
    if (f == "C_Macaque_Normalized.npy") b[length(b)] <- xor(b[length(b)], as.raw(1))
    writeBin(b, file.path(dir, f))
  }
  biornn_set_data_dir(dir)
  expect_equal(Sys.getenv("BIORNN_DATA"), normalizePath(dir))
  expect_equal(biornn_data_dir(), normalizePath(dir))
  expect_error(network_from_connectome("macaque", neurons = 1), "C_Macaque_Normalized.npy")
  biornn_set_data_dir(NULL)
  expect_equal(Sys.getenv("BIORNN_DATA", unset = NA), NA_character_)
  network_free(network_from_connectome("macaque", neurons = 1))
})

test_that("Sys.setenv(BIORNN_KERNELS) and biornn_set_env choose the kernels", {
  restore <- restore_env("BIORNN_KERNELS")
  on.exit(restore())
  Sys.unsetenv("BIORNN_KERNELS")
  best <- biornn_default_kernel()
  Sys.setenv(BIORNN_KERNELS = "generic")
  expect_equal(biornn_default_kernel(), "generic")
  Sys.setenv(BIORNN_KERNELS = "nonesuch")
  expect_error(biornn_default_kernel(), "nonesuch")
  biornn_set_env("BIORNN_KERNELS", "generic")
  expect_equal(Sys.getenv("BIORNN_KERNELS"), "generic")
  expect_equal(biornn_get_env("BIORNN_KERNELS"), "generic")
  biornn_set_env("BIORNN_KERNELS", NULL)
  expect_equal(biornn_default_kernel(), best)
})

test_that("the session's variables at load reach the library", {
  rscript <- file.path(R.home("bin"), "Rscript")
  out <- system2(rscript, c("-e", shQuote("cat(biornn::biornn_default_kernel())")), stdout = TRUE,
                 env = c("BIORNN_KERNELS=generic", paste0("R_LIBS=", paste(.libPaths(), collapse = ":"))))
  expect_equal(out, "generic")
})

test_that("NA options and strings are refused", {
  expect_error(network_from_connectome("macaque", data_dir = NA), "data_dir is NA")
  expect_error(network_from_connectome(NA_character_), "single string")
  expect_error(biornn_set_data_dir(NA), "single folder")
})
