package connectome

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// noPanic runs f and turns a panic into a test failure naming what.
func noPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: panic: %v", what, r)
		}
	}()
	f()
}

// TestEdgeListBadIndices: negative and huge indices are errors naming the
// file, the line and the line's text, never a panic.
func TestEdgeListBadIndices(t *testing.T) {
	cases := []struct{ name, content, want string }{
		{"negative source", "-1 1 0.5\n1 0 1\n", "line 1, column 1"},
		{"negative target", "1 -3 1\n0 1 0.5\n", "line 1, column 2"},
		{"minus zero", "-0 1 1\n", "line 1, column 1"},
		{"beyond int64", "0 9223372036854775808 1\n", "line 1, column 2"},
		{"below int64", "-9223372036854775809 0 1\n", "line 1, column 1"},
		{"max int", "9223372036854775807 0 1\n", "line 1, column 1"},
		{"at the limit", fmt.Sprintf("0 %d 1\n", maxEdgeListRegions), "line 1, column 2"},
		{"plus sign", "+1 0 1\n", "line 1, column 1"},
		{"exponent", "1e3 0 1\n", "line 1, column 1"},
	}
	for _, c := range cases {
		p := writeTemp(t, "n.edges", c.content)
		noPanic(t, c.name, func() {
			_, _, err := ReadMatrixFile(p)
			if err == nil {
				t.Errorf("%s: no error", c.name)
				return
			}
			first := strings.SplitN(c.content, "\n", 2)[0]
			for _, w := range []string{"n.edges", c.want, first} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %q lacks %q", c.name, err, w)
				}
			}
		})
		noPanic(t, c.name+" (Load)", func() {
			if _, err := Load(p, ""); err == nil {
				t.Errorf("%s: Load: no error", c.name)
			}
		})
	}
	// The largest allowed index still works.
	m, _, err := ReadMatrixFile(writeTemp(t, "ok.edges", fmt.Sprintf("0 %d 1\n", maxEdgeListRegions-1)))
	if err != nil || m.Rows != maxEdgeListRegions {
		t.Errorf("index %d: %v", maxEdgeListRegions-1, err)
	}
}

// TestFormatByExtension: .csv/.tsv are matrices, .edges/.edgelist edge
// lists; what a file holds does not change how it is read.
func TestFormatByExtension(t *testing.T) {
	cases := []struct{ name, file, content, want string }{
		// A typo in the first row made it a header, the rest a one-edge list.
		{"typo in the first row", "m.csv", "0,1,x\n1,0,1\n1,1,0\n", `line 1 ("0,1,x") was taken for a header`},
		// A typo further down is a bad cell with its line.
		{"typo in a row", "m.csv", "0,1,1\n1,0,x\n1,1,0\n", `line 2, column 3: cannot parse "x" as a number (line 2 is "1,0,x")`},
		{"4x3 matrix", "m.csv", "0,1,2\n1,0,2\n2,1,0\n3,0,1\n", "got 4 rows (lines 1-4) and 3 value columns"},
		{"wrong column count", "m.tsv", "0\t1\t1\n1\t0\n1\t1\t0\n", `line 2 has 2 fields, expected 3 like line 1 (ragged rows) (line 2 is "1\t0")`},
		{"edge list as csv", "e.csv", "source,target,weight\na,b,1\nb,a,2\n", "--format edges"},
		{"matrix as edges", "m.edges", "0,0.5,0.25\n0.5,0,1\n0.25,1,0\n", `line 1, column 2: region index "0.5"`},
		{"wide matrix as edges", "m.edgelist", "0 1 1 0\n1 0 1 0\n1 1 0 0\n0 0 0 0\n", `found 4 (line 1 is "0 1 1 0")`},
	}
	for _, c := range cases {
		_, _, err := ReadMatrixFile(writeTemp(t, c.file, c.content))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.file) {
			t.Errorf("%s: error %v, want it to name %s and contain %q", c.name, err, c.file, c.want)
		}
	}
	// A matrix whose 3x3 integer content is also a valid edge list stays a
	// matrix as .csv and an edge list as .edges.
	const both = "0 1 2\n1 0 2\n2 1 0\n"
	m, _, err := ReadMatrixFile(writeTemp(t, "m.csv", strings.ReplaceAll(both, " ", ",")))
	if err != nil || m.Rows != 3 || m.At(0, 2) != 2 {
		t.Errorf("csv: %v %v", m, err)
	}
	m, _, err = ReadMatrixFile(writeTemp(t, "m.edges", both))
	if err != nil || m.Rows != 3 || m.At(0, 1) != 2 || m.At(2, 1) != 0 {
		t.Errorf("edges: %v %v", m, err)
	}
}

// TestFormatGuessTxt: a .txt (or any other extension) is read the one way
// it makes sense; when both readings work it is an error asking for the
// format.
func TestFormatGuessTxt(t *testing.T) {
	for _, c := range []struct {
		name, file, content string
		rows                int
		edge                [2]int // an entry that must be 1 (edges) or 0.5 (matrices)
	}{
		{"dense", "m.txt", "0 0.5\n0.25 0\n", 2, [2]int{0, 1}},
		{"dense with names", "m.dat", ",V1,V2\nV1,0,0.5\nV2,0.25,0\n", 2, [2]int{0, 1}},
		{"named edges", "e.txt", "V1 V2 0.5\nV2 V1 0.25\nV2 V4 1\n", 3, [2]int{1, 2}},
		{"edge header", "e.txt", "source target\n0 1\n1 0\n", 2, [2]int{1, 0}},
		{"4x3 indices", "e.txt", "0 1 0.5\n1 0 0.25\n2 2 3\n3 0 1\n", 4, [2]int{3, 0}},
		{"no extension", "net", "a b\nb c\n", 3, [2]int{1, 2}},
	} {
		m, _, err := ReadMatrixFile(writeTemp(t, c.file, c.content))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if v := m.At(c.edge[0], c.edge[1]); m.Rows != c.rows || (v != 1 && v != 0.5) {
			t.Errorf("%s: read as %dx%d %v", c.name, m.Rows, m.Cols, m.Data)
		}
	}
	for _, c := range []struct{ name, content, want string }{
		{"3x3 integers", "0 1 2\n1 0 2\n2 1 0\n", "both a 3x3 matrix and an edge list of 3 edges"},
		{"2x2 integers", "0 1\n1 0\n", "both"},
		{"neither", "0 1 x\n1 0 1\n", "neither"},
	} {
		_, _, err := ReadMatrixFile(writeTemp(t, "a.txt", c.content))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "a.txt") || !strings.Contains(err.Error(), "connectome_format") {
			t.Errorf("%s: error %v, want it to name a.txt, contain %q and ask for connectome_format", c.name, err, c.want)
		}
	}
}

// TestFormatExplicit: an explicit format overrides the extension and the
// guess.
func TestFormatExplicit(t *testing.T) {
	const both = "0 1 2\n1 0 2\n2 1 0\n"
	p := writeTemp(t, "a.txt", both)
	m, _, err := ReadMatrixFileAs(p, FormatMatrix)
	if err != nil || m.Rows != 3 || m.At(0, 2) != 2 {
		t.Errorf("matrix: %v %v", m, err)
	}
	m, _, err = ReadMatrixFileAs(p, FormatEdges)
	if err != nil || m.Rows != 3 || m.At(0, 1) != 2 {
		t.Errorf("edges: %v %v", m, err)
	}
	e := writeTemp(t, "e.csv", "source,target,weight\nV1,V2,0.5\n")
	if m, names, err := ReadMatrixFileAs(e, FormatEdges); err != nil || m.Rows != 2 || strings.Join(names, ",") != "V1,V2" {
		t.Errorf("csv edges: %v %v %v", m, names, err)
	}
	if _, _, err := ReadMatrixFileAs(writeTemp(t, "m.edges", "0,1\n1,0\n"), FormatMatrix); err != nil {
		t.Errorf(".edges as matrix: %v", err)
	}
	npy := filepath.Join(t.TempDir(), "m.npy")
	if err := WriteNPY(npy, []int{2, 2}, []float64{0, 1, 1, 0}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadMatrixFileAs(npy, FormatMatrix); err != nil {
		t.Errorf("npy as matrix: %v", err)
	}
	if _, _, err := ReadMatrixFileAs(npy, FormatEdges); err == nil || !strings.Contains(err.Error(), "m.npy") {
		t.Errorf("npy as edges: %v", err)
	}
	if _, _, err := ReadMatrixFileAs(p, "sparse"); err == nil || !strings.Contains(err.Error(), "sparse") {
		t.Errorf("unknown format: %v", err)
	}
	c, err := LoadFileAs(p, FormatEdges)
	if err != nil || c.C.At(0, 1) != 2 || c.Name != "a" {
		t.Errorf("LoadFileAs: %+v %v", c, err)
	}
	if _, err := LoadFile(p); err == nil {
		t.Error("LoadFile of an ambiguous .txt: no error")
	}
}

// TestLongCellsClipped: input echoed in an error is at most 80 characters.
func TestLongCellsClipped(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	cases := []struct{ file, content string }{
		{"m.csv", "0,1\n1," + long + "\n"},
		{"m.csv", "0,1,2\n1,0\n" + long + ",1\n"},
		{"m.csv", ",A,B\nA,0,1\n" + long + ",1,0\n"},
		{"m.csv", long + "," + long + "\n0,1\n1,0\n"},
		{"m.csv", "A,B\n0," + long + "\n"},
		{"e.edges", "a,b,1\n" + long + "," + long + "," + long + "\n"},
		{"e.edges", "a,b,1\na,b," + long + "\n"},
		{"e.edges", long + ",b,1\n" + long + ",b,2\n"},
		{"e.edges", "0,1,2,3," + long + "\n"},
		{"e.txt", "0 1 " + long + "\n1 0 1\n"},
	}
	for k, c := range cases {
		_, _, err := ReadMatrixFile(writeTemp(t, c.file, c.content))
		if err == nil {
			t.Errorf("case %d: no error", k)
			continue
		}
		if strings.Contains(err.Error(), strings.Repeat("x", 81)) || len(err.Error()) > 1000 {
			t.Errorf("case %d: error of %d characters echoes the long cell: %.300s", k, len(err.Error()), err)
		}
	}
	for _, c := range []struct{ file, content string }{
		{"n.txt", "A\n" + long + "\n" + long + "\n"},
		{"i.txt", "1\n" + long + "\n"},
		{"v.csv", "1\n" + long + "\n"},
		{"v.csv", long + "\n1\n2\n"},
	} {
		p := writeTemp(t, c.file, c.content)
		var err error
		switch c.file {
		case "n.txt":
			_, err = ReadNamesFile(p)
		case "i.txt":
			_, err = ReadIntsFile(p)
		default:
			_, _, err = ReadVectorFile(p)
		}
		if err == nil {
			if c.content[0] == 'x' {
				continue // a header named xxx... is fine
			}
			t.Errorf("%s: no error", c.file)
			continue
		}
		if strings.Contains(err.Error(), strings.Repeat("x", 81)) {
			t.Errorf("%s: error echoes the long cell: %.300s", c.file, err)
		}
	}
	h := "{'descr': '" + long + "', 'fortran_order': False, 'shape': (1,), }"
	_, err := decodeNPY("l.npy", makeNPY(2, h, f8bytes(1)))
	if err == nil || strings.Contains(err.Error(), strings.Repeat("x", 81)) {
		t.Errorf("npy descr: %.300v", err)
	}
	h = "{'" + long + "': 1}"
	_, err = decodeNPY("l.npy", makeNPY(2, h, nil))
	if err == nil || strings.Contains(err.Error(), strings.Repeat("x", 81)) {
		t.Errorf("npy key: %.300v", err)
	}
}

// TestClipRunes: clipping never splits a UTF-8 character.
func TestClipRunes(t *testing.T) {
	s := clip(strings.Repeat("é", 100), 81)
	if !strings.HasSuffix(s, "...") || strings.ContainsRune(s, '\uFFFD') || len(s) > 84 {
		t.Errorf("%q", s)
	}
}

// TestNPYExpansionBudget: an array whose float64 copy would exceed
// MaxArrayBytes is refused from its header, before its data are read or
// anything of its size is allocated; the error names the file, the shape
// and the estimate.
func TestNPYExpansionBudget(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		descr string
		shape string
		dsize int64
	}{
		{"|u1", "(20000, 20000)", 1},
		{"<f8", "(20000, 20000)", 8},
		{"|b1", "(400000000,)", 1},
	} {
		hdr := "{'descr': '" + c.descr + "', 'fortran_order': False, 'shape': " + c.shape + ", }"
		p := filepath.Join(dir, "big.npy")
		if err := os.WriteFile(p, makeNPY(1, hdr, nil), 0o644); err != nil {
			t.Fatal(err)
		}
		// A sparse file: the data bytes exist but take no disk space.
		if err := os.Truncate(p, int64(10+len(hdr))+400000000*c.dsize); err != nil {
			t.Fatal(err)
		}
		check := func(what string, err error) {
			t.Helper()
			if err == nil {
				t.Errorf("%s %s: no error", c.descr, what)
				return
			}
			for _, w := range []string{"big.npy", c.shape, "3.2 GB", "float64"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s %s: error %q lacks %q", c.descr, what, err, w)
				}
			}
		}
		_, err := ReadNPY(p)
		check("ReadNPY", err)
		_, _, err = ReadMatrixFile(p)
		check("ReadMatrixFile", err)
		_, err = LoadFile(p)
		check("LoadFile", err)
		_, err = ReadIntsFile(p)
		check("ReadIntsFile", err)
	}
	// In memory too (decodeNPY is what the built-in data go through).
	hdr := "{'descr': '|u1', 'fortran_order': False, 'shape': (11, 11), }"
	if _, err := decodeNPYBudget("mem.npy", makeNPY(1, hdr, make([]byte, 121)), 2, 120*8); err == nil || !strings.Contains(err.Error(), "(11, 11)") {
		t.Errorf("budget in memory: %v", err)
	}
	if _, err := decodeNPYBudget("mem.npy", makeNPY(1, hdr, make([]byte, 121)), 2, 121*8); err != nil {
		t.Errorf("at the budget: %v", err)
	}
}

// TestInputSizeCap: a text file larger than the budget, or one that would
// take more than it once parsed, is refused; a device that never ends is
// not read forever.
func TestInputSizeCap(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(p, []byte("0,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, MaxArrayBytes+1<<20); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadMatrixFile(p); err == nil || !strings.Contains(err.Error(), "big.csv") || !strings.Contains(err.Error(), "at most 1 GiB") {
		t.Errorf("huge text file: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := readInput("/dev/zero", 1<<20); err == nil || !strings.Contains(err.Error(), "/dev/zero") {
			t.Errorf("/dev/zero: %v", err)
		}
	}
	// Many tiny cells: the parsed table would not fit the budget.
	if err := checkTextBudget("cells.csv", []byte("0,0,0,0\n"), 8*8); err == nil || !strings.Contains(err.Error(), "cells.csv") {
		t.Errorf("cells: %v", err)
	}
}

// TestSpectralRadiusHugeWeights: entries near the float64 limit are scaled
// before the eigenvalue computation; the radius scales linearly.
func TestSpectralRadiusHugeWeights(t *testing.T) {
	base := NewDense(3, 3)
	copy(base.Data, []float64{0, 1, 0.5, 0.25, 0, 1, 1, 0.5, 0})
	want, err := SpectralRadius(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []float64{1e308, 1e300, 1e-300, 4e-320} {
		w := base.Clone()
		for k := range w.Data {
			w.Data[k] *= s
		}
		got, err := SpectralRadius(w)
		if err != nil {
			t.Errorf("scale %g: %v", s, err)
			continue
		}
		tol := 1e-12
		if s < 1e-307 {
			tol = 1e-2 // subnormal entries keep few digits
		}
		if math.Abs(got/s-want) > tol*want {
			t.Errorf("scale %g: radius %g, want %g", s, got, want*s)
		}
		re, im, err := Eigenvalues(w)
		if err != nil || len(re) != 3 || len(im) != 3 {
			t.Errorf("scale %g: eigenvalues %v", s, err)
		}
	}
	// A large nonnegative matrix (the Perron route) of huge weights.
	n := perronMinSize
	big := NewDense(n, n)
	for i := 0; i < n; i++ {
		big.Set(i, (i+1)%n, 1e308)
		big.Set(i, (i+7)%n, 5e307)
	}
	if got, err := SpectralRadius(big); err != nil || math.Abs(got-1.5e308) > 1e-9*1.5e308 {
		t.Errorf("perron 1e308: %g %v", got, err)
	}
	// A radius beyond float64 is an error that says so, not a failed QR.
	over := NewDense(2, 2)
	copy(over.Data, []float64{1e308, 1e308, 1e308, 1e308})
	if _, err := SpectralRadius(over); err == nil || !strings.Contains(err.Error(), "float64") {
		t.Errorf("overflowing radius: %v", err)
	}
}
