#!/usr/bin/env bash
# Builds libbiornn and runs the C, Python and R tests of the bindings; exits
# non-zero on any failure. Needs Go 1.26, gcc, python3 with numpy, pandas,
# pyarrow and pytest (pip reaches the package index for setuptools and wheel
# unless BIORNN_PIP_FLAGS=--no-build-isolation) and R with testthat. The tests
# use the built-in connectomes and the fixtures in testdata/; where ../shared
# lies beside the project root, the cross-checks against it run too (without
# it they skip and say what is missing).
#
# Parts: c (the C tests), python (pip install ./cbind/python, then pytest),
# wheel (pip wheel ./cbind/python, the wheel installed into a fresh venv with
# Go off PATH, then pytest; pip installs the wheel's dependencies and pytest
# into that venv from the package index or pip's cache), r (R CMD INSTALL,
# testthat, then every help page's examples).
#
#   bash cbind/test.sh                  # everything
#   bash cbind/test.sh c python wheel   # a subset (c, python, wheel, r)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
shared="$root/../shared"
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(c python wheel r)
want() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/biornn-cbind.XXXXXX")"
# also setuptools' in-tree leftovers of the pip steps, should one fail
trap 'rm -rf "$tmp" "$here/python/build" "$here/python/biornn.egg-info"' EXIT
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

if want wheel; then
	echo "== Python wheel: pip wheel ./cbind/python, install it into a fresh venv without Go, then pytest"
	# shellcheck disable=SC2086 # BIORNN_PIP_FLAGS may hold several flags
	python3 -m pip wheel -q --no-deps -w "$tmp/wheel" ${BIORNN_PIP_FLAGS:-} "$here/python"
	rm -rf "$here/python/build" "$here/python/biornn.egg-info"
	wheels=("$tmp"/wheel/biornn-*.whl)
	if [ ${#wheels[@]} -ne 1 ] || [ ! -f "${wheels[0]}" ]; then
		echo "pip wheel made no single biornn wheel: ${wheels[*]}" >&2; exit 1
	fi
	whl="${wheels[0]}"
	case "$(basename "$whl")" in
	*-any.whl) echo "$(basename "$whl") is tagged for any platform but holds a native library" >&2; exit 1 ;;
	*-py3-none-*.whl) ;;
	*) echo "unexpected wheel tag: $(basename "$whl") (want py3-none-<platform>)" >&2; exit 1 ;;
	esac
	# (grep without -q reads the whole listing: under pipefail an early exit
	# of grep could make the listing fail with a broken pipe)
	python3 -m zipfile -l "$whl" | grep -E '^biornn/lib/libbiornn\.(so|dylib) ' >/dev/null ||
		{ echo "$(basename "$whl") holds no biornn/lib/libbiornn library" >&2; exit 1; }
	echo "built $(basename "$whl") ($(wc -c <"$whl") bytes)"
	# The sweep tests run the biornn command: build it now, while Go is on
	# PATH, and hand it over as BIORNN_BIN (without it they would skip).
	mkdir -p "$tmp/bin"
	(cd "$root" && go build -buildvcs=false -o "$tmp/bin/biornn" ./cli/biornn)
	# PATH without every folder that holds a go command, and no $GO: nothing
	# from here on can build the library, so the tests use the wheel's copy.
	nogo=""
	IFS=: read -r -a path_dirs <<<"$PATH"
	for d in "${path_dirs[@]}"; do
		[ -n "$d" ] && [ ! -x "$d/go" ] && nogo="${nogo:+$nogo:}$d"
	done
	nogo_env=(env -u GO -u GOROOT -u BIORNN_SRC "PATH=$nogo")
	if "${nogo_env[@]}" sh -c 'command -v go' >/dev/null 2>&1; then
		echo "could not take Go off PATH for the wheel test" >&2; exit 1
	fi
	"${nogo_env[@]}" python3 -m venv "$tmp/wheel-venv" ||
		{ echo "python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
	wpy="$tmp/wheel-venv/bin/python"
	mkdir -p "$tmp/wheel-run"
	# shellcheck disable=SC2086
	(cd "$tmp/wheel-run" && "${nogo_env[@]}" "$wpy" -m pip install -q ${BIORNN_PIP_FLAGS:-} "$whl[test]")
	# from outside the source tree: the venv's biornn with its bundled library
	(cd "$tmp/wheel-run" && "${nogo_env[@]}" "$wpy" - "$tmp/wheel-venv" <<-'EOF'
		import pathlib, sys
		import biornn, biornn._lib as lib
		venv = pathlib.Path(sys.argv[1]).resolve()
		pkg = pathlib.Path(biornn.__file__).resolve().parent
		assert venv in pkg.parents, f"biornn imported from {pkg}, not from the venv {venv}"
		assert lib.library_path() == pkg / "lib" / lib.library_path().name, lib.library_path()
		print(f"biornn {biornn.version()} from {pkg}, library {lib.library_path().name} bundled")
	EOF
	)
	# neurogym is not in the wheel's venv: its test skips there (BIORNN_REQUIRE_NEUROGYM unset)
	(cd "$tmp/wheel-run" && "${nogo_env[@]}" BIORNN_REQUIRE_NEUROGYM= BIORNN_BIN="$tmp/bin/biornn" timeout 600 "$wpy" -m pytest -q -rs \
		-p no:cacheprovider "$here/python/tests")
fi

if want r; then
	echo "== R: R CMD INSTALL cbind/R/biornn into a temporary library, then testthat"
	mkdir -p "$tmp/rlib"
	R CMD INSTALL --no-test-load --clean --library="$tmp/rlib" "$here/R/biornn" >"$tmp/r-install.log" 2>&1 ||
		{ cat "$tmp/r-install.log" >&2; exit 1; }
	(cd "$here/R/biornn/tests/testthat" && R_LIBS="$tmp/rlib" timeout 600 Rscript -e \
		'library(testthat); library(biornn); r <- as.data.frame(test_dir(".", reporter = "summary", stop_on_failure = TRUE)); if (sum(r$failed) > 0 || any(r$error)) quit(status = 1)')

	echo "== R: the examples of every help page of the installed package"
	# Each page's \examples (\donttest included, \dontrun left out) run in a
	# fresh environment from a scratch folder; an error in any fails the step,
	# and so do an exported function without a help page and a help page with
	# a usage section but no example that runs.
	cat >"$tmp/r-examples.R" <<-'EOF'
		library(biornn)
		options(warn = 1)
		db <- tools::Rd_db("biornn")
		aliases <- unlist(lapply(db, function(rd) unlist(lapply(rd[vapply(rd, attr, "", "Rd_tag") == "\\alias"], as.character))))
		undocumented <- setdiff(getNamespaceExports("biornn"), aliases)
		failed <- character(0)
		if (length(undocumented)) {
		  cat("exported but without a help page:", undocumented, "\n")
		  failed <- "(help pages)"
		}
		ran <- 0L
		for (page in sort(names(db))) {
		  rd <- db[[page]]
		  tags <- vapply(rd, attr, "", "Rd_tag")
		  ex <- tempfile(fileext = ".R")
		  tools::Rd2ex(rd, ex, commentDontrun = TRUE, commentDonttest = FALSE)
		  code <- if (file.exists(ex)) readLines(ex) else character(0)
		  runnable <- grepl("^[^#]", code) & nzchar(trimws(code))
		  if (!any(runnable)) {
		    if ("\\usage" %in% tags) {
		      cat(sprintf("%-30s FAILED: no example that runs\n", page))
		      failed <- c(failed, page)
		    }
		    next
		  }
		  t0 <- proc.time()[["elapsed"]]
		  err <- NULL
		  out <- utils::capture.output(
		    err <- tryCatch({ source(ex, local = new.env(), echo = TRUE, max.deparse.length = Inf); NULL },
		                    error = function(e) e),
		    type = "output")
		  if (!is.null(err)) {
		    cat(out, sep = "\n")
		    cat(sprintf("%-30s FAILED: %s\n", page, conditionMessage(err)))
		    failed <- c(failed, page)
		  } else {
		    ran <- ran + 1L
		    cat(sprintf("%-30s ok (%.1f s)\n", page, proc.time()[["elapsed"]] - t0))
		  }
		}
		cat(sprintf("%d passed, %d failed\n", ran, length(failed)))
		if (length(failed)) quit(status = 1)
	EOF
	mkdir -p "$tmp/r-examples"
	(cd "$tmp/r-examples" && R_LIBS="$tmp/rlib" timeout 600 Rscript "$tmp/r-examples.R")
fi
echo "== cbind: all binding tests passed"
