#!/usr/bin/env bash
# Builds the C library libbiornn.so (Go, -buildmode=c-shared) into the folder
# given as the first argument (default: cbind/lib) and copies the public
# header biornn.h beside it. Used by the C tests, the Python package's build
# step and the R package's configure script.
#
#   cbind/build.sh [OUTDIR]
#
# Needs the Go toolchain (go on PATH, or $GO) and a C compiler for cgo.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$here/lib}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
go="${GO:-go}"
if ! command -v "$go" >/dev/null 2>&1; then
	echo "cbind/build.sh: the Go toolchain ($go) was not found; install Go 1.26 or set GO" >&2
	exit 1
fi
ext=so
case "$(uname -s)" in Darwin) ext=dylib ;; esac
cd "$root"
CGO_ENABLED=1 "$go" build -buildvcs=false -trimpath -buildmode=c-shared -o "$out/libbiornn.$ext" ./cbind
# go build also writes libbiornn.h (cgo's prototypes); users include the
# hand-written, stable biornn.h instead.
rm -f "$out/libbiornn.h"
cp "$here/include/biornn.h" "$out/biornn.h"
echo "$out/libbiornn.$ext"
