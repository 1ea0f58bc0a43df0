#!/usr/bin/env bash
# Builds libbiornn and runs the C, Python and R tests of the bindings; exits
# non-zero on any failure. Needs Go 1.26, gcc, python3 with numpy, pandas,
# pyarrow and pytest (pip reaches the package index for setuptools and wheel
# unless BIORNN_PIP_FLAGS=--no-build-isolation) and R with testthat. The tests
# use the built-in connectomes and the fixtures in testdata/; where ../shared
# lies beside the project root, the cross-checks against it run too (without
# it they skip and say what is missing).
#
#   bash cbind/test.sh            # everything
#   bash cbind/test.sh c python   # a subset (c, python, r)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
shared="$root/../shared"
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(c python r)
want() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/biornn-cbind.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
unset BIORNN_LIB

if want c; then
	echo "== C API: build libbiornn and run cbind/tests/test_capi.c"
	bash "$here/build.sh" "$tmp/lib" >/dev/null
	gcc -std=c11 -O1 -Wall -Wextra -Werror -pthread -I"$tmp/lib" "$here/tests/test_capi.c" \
		-L"$tmp/lib" -lbiornn -Wl,-rpath,"$tmp/lib" -lm -o "$tmp/test_capi"
	mkdir -p "$tmp/c-scratch"
	if [ -d "$shared/connectomes" ]; then
		timeout 600 "$tmp/test_capi" "$tmp/c-scratch" "$shared/connectomes"
	else
		timeout 600 "$tmp/test_capi" "$tmp/c-scratch"
	fi
fi

if want python; then
	echo "== Python: pip install ./cbind/python into a throw-away environment, then pytest"
	# A fresh venv that sees the system's numpy/pandas/pyarrow/pytest; where
	# venv is unavailable (Debian without python3-venv), pip --target.
	# shellcheck disable=SC2086 # BIORNN_PIP_FLAGS may hold several flags
	if python3 -m venv --system-site-packages "$tmp/venv" >/dev/null 2>&1; then
		py="$tmp/venv/bin/python"
		"$py" -m pip install -q ${BIORNN_PIP_FLAGS:-} "$here/python"
	else
		py=python3
		python3 -m pip install -q --no-deps --target "$tmp/pylib" ${BIORNN_PIP_FLAGS:-} "$here/python"
		export PYTHONPATH="$tmp/pylib${PYTHONPATH:+:$PYTHONPATH}"
	fi
	rm -rf "$here/python/build" "$here/python/biornn.egg-info" # setuptools' in-tree leftovers
	# run from $tmp so that the installed package, not the source folder, is imported
	(cd "$tmp" && timeout 600 "$py" -m pytest -q -rs -p no:cacheprovider "$here/python/tests")
fi

if want r; then
	echo "== R: R CMD INSTALL cbind/R/biornn into a temporary library, then testthat"
	mkdir -p "$tmp/rlib"
	R CMD INSTALL --no-test-load --clean --library="$tmp/rlib" "$here/R/biornn" >"$tmp/r-install.log" 2>&1 ||
		{ cat "$tmp/r-install.log" >&2; exit 1; }
	(cd "$here/R/biornn/tests/testthat" && R_LIBS="$tmp/rlib" timeout 600 Rscript -e \
		'library(testthat); library(biornn); r <- as.data.frame(test_dir(".", reporter = "summary", stop_on_failure = TRUE)); if (sum(r$failed) > 0 || any(r$error)) quit(status = 1)')
fi
echo "== cbind: all binding tests passed"
