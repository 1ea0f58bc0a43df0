# Installs biornn.so and the Go library it links against, libbiornn.so.
files <- c(paste0("biornn", SHLIB_EXT), Sys.glob(paste0("libbiornn", c(".so", ".dylib"))))
files <- files[file.exists(files)]
dest <- file.path(R_PACKAGE_DIR, paste0("libs", R_ARCH))
dir.create(dest, recursive = TRUE, showWarnings = FALSE)
file.copy(files, dest, overwrite = TRUE)
