// Command gensettings writes the lists of run settings that the bindings
// show their users, from the settings table (rnn.Settings), so that the C
// header, the Python docstrings and the R help page never disagree with
// the library:
//
//   - cbind/include/biornn.h: the block between the GENERATED SETTINGS markers
//   - cbind/python/biornn/_settings.py
//   - cbind/R/biornn/man/settings.Rd
//
// Run it from the project root: go run ./cbind/internal/gensettings
// (-check: exit 1 when a file is stale, as CI does).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/biornn/biornn/cbind/internal/capi"
	"github.com/biornn/biornn/rnn"
)

const (
	headerFile = "cbind/include/biornn.h"
	pythonFile = "cbind/python/biornn/_settings.py"
	rdFile     = "cbind/R/biornn/man/settings.Rd"
	begin      = "/* BEGIN GENERATED SETTINGS (go run ./cbind/internal/gensettings; do not edit) */\n"
	end        = "/* END GENERATED SETTINGS */\n"
)

func main() {
	check := flag.Bool("check", false, "report stale files instead of writing them")
	flag.Parse()
	header, err := os.ReadFile(headerFile)
	if err != nil {
		fail(err)
	}
	newHeader, err := spliceHeader(header)
	if err != nil {
		fail(err)
	}
	stale := false
	for _, f := range []struct {
		path string
		text []byte
	}{{headerFile, newHeader}, {pythonFile, python()}, {rdFile, rd()}} {
		old, _ := os.ReadFile(f.path)
		if bytes.Equal(old, f.text) {
			continue
		}
		if *check {
			fmt.Fprintf(os.Stderr, "%s is stale: run go run ./cbind/internal/gensettings\n", f.path)
			stale = true
			continue
		}
		if err := os.WriteFile(f.path, f.text, 0o644); err != nil {
			fail(err)
		}
	}
	if stale {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gensettings:", err)
	os.Exit(1)
}

// spliceHeader replaces the generated block of the C header.
func spliceHeader(h []byte) ([]byte, error) {
	s := string(h)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		return nil, fmt.Errorf("%s: the GENERATED SETTINGS markers are missing", headerFile)
	}
	var b strings.Builder
	b.WriteString("/*\n * Settings: the option keys of biornn_network_from_connectome and\n")
	b.WriteString(" * biornn_train (and, for " + strings.Join(capi.ArraysOptionKeys(), ", ") + ",\n")
	b.WriteString(" * of biornn_network_from_arrays). Defaults in brackets; `biornn\n")
	b.WriteString(" * settings` prints the same list.\n *\n")
	group := rnn.Group("")
	for _, st := range rnn.Settings() {
		if st.Group != group {
			group = st.Group
			fmt.Fprintf(&b, " * %s:\n", group)
		}
		fmt.Fprintf(&b, " *   %-21s %s [%s]\n", st.Key, st.Help, st.Default)
		fmt.Fprintf(&b, " *   %-21s %s\n", "", st.Allowed())
		if len(st.Aliases) > 0 {
			fmt.Fprintf(&b, " *   %-21s also spelled %s\n", "", strings.Join(st.Aliases, ", "))
		}
	}
	b.WriteString(" */\n")
	return []byte(s[:i+len(begin)] + b.String() + s[j:]), nil
}

// python is the settings table as a Python module.
func python() []byte {
	var b strings.Builder
	b.WriteString("\"\"\"The run settings of biornn, generated from its settings table (do not edit:\n")
	b.WriteString("go run ./cbind/internal/gensettings). Keyword arguments of Network.from_connectome\n")
	b.WriteString("and Network.train are these keys.\"\"\"\n")
	b.WriteString("from typing import Literal, TypedDict\n\n")
	b.WriteString("# key: (group, type, default, allowed, help)\nSETTINGS = {\n")
	for _, st := range rnn.Settings() {
		fmt.Fprintf(&b, "    %q: (%q, %q, %q, %q, %q),\n", st.Key, st.Group, st.Kind(), st.Default, st.Allowed(), st.Help)
	}
	b.WriteString("}\n\n# older spellings still accepted: alias -> key\nALIASES = {\n")
	for _, st := range rnn.Settings() {
		for _, a := range st.Aliases {
			fmt.Fprintf(&b, "    %q: %q,\n", a, st.Key)
		}
	}
	b.WriteString("}\n\n\nclass Settings(TypedDict, total=False):\n")
	b.WriteString("    \"\"\"The settings as typed keyword arguments (Unpack[Settings]).\"\"\"\n\n")
	pyType := map[string]string{"string": "str", "int": "int", "float": "float", "bool": "bool", "uint64": "int"}
	for _, st := range rnn.Settings() {
		t := pyType[st.Kind()]
		if vals := st.Values(); vals != nil && st.Key != "task" && st.Key != "train" { // those two take more than their listed values
			quoted := make([]string, len(vals))
			for i, v := range vals {
				quoted[i] = strconv.Quote(v)
			}
			t = "Literal[" + strings.Join(quoted, ", ") + "]"
		}
		fmt.Fprintf(&b, "    %s: %s\n", st.Key, t)
	}
	b.WriteString("\n\nDOC = \"\"\"Settings (keyword arguments; defaults in brackets):\n\n")
	for _, st := range rnn.Settings() {
		fmt.Fprintf(&b, "    %s: %s [%s]; %s\n", st.Key, st.Help, st.Default, st.Allowed())
	}
	b.WriteString("\"\"\"\n")
	return []byte(strings.ReplaceAll(b.String(), "\\\"\\\"\\\"", "'''"))
}

// rd is the settings table as an R help page.
func rd() []byte {
	esc := strings.NewReplacer(`\`, `\\`, "%", `\%`, "{", `\{`, "}", `\}`).Replace
	var b strings.Builder
	b.WriteString("% Generated from biornn's settings table: go run ./cbind/internal/gensettings (do not edit)\n")
	b.WriteString("\\name{biornn_settings}\n\\alias{biornn_settings}\n\\title{Run Settings}\n")
	b.WriteString("\\description{\n  The named arguments of \\code{\\link{network_from_connectome}} and\n")
	b.WriteString("  \\code{\\link{train}}: the same keys as the command line's flags, the\n")
	b.WriteString("  keys of sweep files and the columns of the runs table. Defaults in brackets.\n}\n")
	b.WriteString("\\details{\n  \\describe{\n")
	for _, st := range rnn.Settings() {
		fmt.Fprintf(&b, "    \\item{\\code{%s}}{(%s) %s [%s]; %s.}\n", esc(st.Key), st.Group, esc(st.Help), esc(st.Default), esc(st.Allowed()))
	}
	b.WriteString("  }\n}\n\\keyword{misc}\n")
	return []byte(b.String())
}
