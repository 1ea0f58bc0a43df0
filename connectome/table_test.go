package connectome

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTemp writes content to a file called name in a fresh temp folder.
func writeTemp(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var sharedBases = []string{
	"C_Drosophila", "C_Human_Betzel_Normalized", "C_Macaque_Normalized",
	"C_Marmoset_Normalized", "C_Mouse_Gamanut_Normalized", "C_Mouse_Ypma_Oh",
}

// TestSharedNPYMatchesCSV compares every Fortran-ordered original with its
// row-major CSV copy, exactly, element by element.
func TestSharedNPYMatchesCSV(t *testing.T) {
	requireShared(t)
	for _, base := range sharedBases {
		a, _, err := ReadMatrixFile(filepath.Join(sharedDir, base+".npy"))
		if err != nil {
			t.Fatal(err)
		}
		c, names, err := ReadMatrixFile(filepath.Join(sharedDir, base+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		if names != nil {
			t.Errorf("%s.csv: unexpected names %v", base, names[:1])
		}
		if a.Rows != c.Rows || a.Cols != c.Cols || !sameFloats(a.Data, c.Data) {
			t.Errorf("%s: .npy (%dx%d) and .csv (%dx%d) differ", base, a.Rows, a.Cols, c.Rows, c.Cols)
		}
		// A reader that ignored fortran_order would get the transpose.
		if sameFloats(a.T().Data, c.Data) && !sameFloats(a.Data, a.T().Data) {
			t.Errorf("%s: .npy read transposed", base)
		}
	}
	for _, base := range []string{"ND_Macaque_Normalized", "ND_Marmoset_Normalized"} {
		a, _, err := ReadVectorFile(filepath.Join(sharedDir, base+".npy"))
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := ReadVectorFile(filepath.Join(sharedDir, base+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		if !sameFloats(a, c) {
			t.Errorf("%s: .npy and .csv differ", base)
		}
	}
}

func TestDenseTableVariants(t *testing.T) {
	want := []float64{0, 0.5, 0.25, 0}
	cases := []struct {
		name, file, content string
		names               []string
	}{
		{"plain csv", "m.csv", "0,0.5\n0.25,0\n", nil},
		{"crlf bom trailing blank", "m.csv", "\xef\xbb\xbf0,0.5\r\n0.25,0\r\n\r\n\r\n", nil},
		{"tsv", "m.tsv", "0\t0.5\n0.25\t0\n", nil},
		{"whitespace", "m.txt", "  0   0.5\n0.25 0e0  \n", nil},
		{"comments", "m.txt", "# a comment\n0 0.5\n\n# another\n0.25 0\n", nil},
		{"header", "m.csv", "V1,V2\n0,0.5\n0.25,0\n", []string{"V1", "V2"}},
		{"labels", "m.csv", "V1,0,0.5\nV2,0.25,0\n", []string{"V1", "V2"}},
		{"pandas", "m.csv", ",V1,V2\nV1,0,0.5\nV2,0.25,0\n", []string{"V1", "V2"}},
		{"r write.table", "m.tsv", "V1\tV2\nV1\t0\t0.5\nV2\t0.25\t0\n", []string{"V1", "V2"}},
		{"quoted", "m.csv", "\"\",\"9/46d\",\"a, b\"\n\"9/46d\",0,0.5\n\"a, b\",0.25,0\n", []string{"9/46d", "a, b"}},
		{"numeric label", "m.csv", "x,0,0.5\n10,0.25,0\n", []string{"x", "10"}},
	}
	for _, c := range cases {
		m, names, err := ReadMatrixFile(writeTemp(t, c.file, c.content))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if m.Rows != 2 || m.Cols != 2 || !sameFloats(m.Data, want) {
			t.Errorf("%s: got %dx%d %v", c.name, m.Rows, m.Cols, m.Data)
		}
		if strings.Join(names, "|") != strings.Join(c.names, "|") {
			t.Errorf("%s: names %q, want %q", c.name, names, c.names)
		}
	}
}

func TestDenseTableErrors(t *testing.T) {
	cases := []struct{ name, content, want string }{
		{"ragged", "0,1,2\n1,0,2\n1,2\n", "line 3 has 2 fields, expected 3"},
		{"non-square", "0,1.5,2\n1,0,2\n", "square"},
		{"inf", "0,1\ninf,0\n", "line 2, column 1"},
		{"overflow", "0,1e999\n1,0\n", "out of float64 range"},
		{"nan", "0,NaN\n1,0\n", "line 1, column 2"},
		{"empty cell", "0,\n1,0\n", "empty cell"},
		{"bad number", "0,1\n1,0x\n", "cannot parse \"0x\""},
		{"label mismatch", ",A,B\nA,0,1\nC,1,0\n", "differs from row label"},
		{"duplicate names", "A,A\n0,1\n1,0\n", "appears twice"},
		{"header width", "A,B,C,D\n0,1\n1,0\n", "header on line 1 has 4 fields"},
		{"empty", "\n\n# only a comment\n", "no data"},
		{"header only", "A,B,C\n", "no data rows"},
		{"empty label", ",A,B\nA,0,1\n,1,0\n", "empty row label"},
		{"bad quotes", "\"A,B\n0,1\n", "line"},
		{"binary", "0,1\x00\n", "NUL"},
		{"not utf8", "\xff\xfe0,1\n", "UTF-8"},
	}
	for _, c := range cases {
		p := writeTemp(t, "bad.csv", c.content)
		_, _, err := ReadMatrixFile(p)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad.csv") {
			t.Errorf("%s: error %q, want it to name bad.csv and contain %q", c.name, err, c.want)
		}
	}
	if _, _, err := ReadMatrixFile(filepath.Join(t.TempDir(), "missing.csv")); err == nil {
		t.Error("missing file: no error")
	}
	if _, _, err := ReadMatrixFile(writeTemp(t, "x.parquet", "PAR1")); err == nil || !strings.Contains(err.Error(), ".parquet") {
		t.Errorf("parquet: %v", err)
	}
}

func TestReadMatrixFileNPYChecks(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.npy")
	if err := WriteNPY(p, []int{2, 3}, make([]float64, 6)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadMatrixFile(p); err == nil || !strings.Contains(err.Error(), "square") {
		t.Errorf("non-square npy: %v", err)
	}
	if err := WriteNPY(p, []int{2, 2}, []float64{0, math.NaN(), 1, 0}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadMatrixFile(p); err == nil || !strings.Contains(err.Error(), "(0, 1)") {
		t.Errorf("NaN npy: %v", err)
	}
	if err := WriteNPY(p, []int{3}, []float64{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadMatrixFile(p); err == nil || !strings.Contains(err.Error(), "2-D") {
		t.Errorf("1-D npy: %v", err)
	}
}

func TestEdgeLists(t *testing.T) {
	cases := []struct {
		name, file, content string
		n                   int
		set                 map[[2]int]float64
		names               []string
	}{
		{"names with header", "e.edges", "source,target,weight\nV1,V2,0.5\nV2,V1,0.25\nV2,V4,1\n", 3,
			map[[2]int]float64{{0, 1}: 0.5, {1, 0}: 0.25, {1, 2}: 1}, []string{"V1", "V2", "V4"}},
		{"names no header, numeric names", "e.edgelist", "V1\t10\t0.5\n10\t2\t0.25\nV4\tV1\t1\n", 4,
			map[[2]int]float64{{0, 1}: 0.5, {1, 2}: 0.25, {3, 0}: 1}, []string{"V1", "10", "2", "V4"}},
		{"single named edge", "e.txt", "a,b,2\n", 2, map[[2]int]float64{{0, 1}: 2}, []string{"a", "b"}},
		{"indices", "e.txt", "0 1 0.5\n1 0 0.25\n2 2 3\n3 0 1\n", 4,
			map[[2]int]float64{{0, 1}: 0.5, {1, 0}: 0.25, {2, 2}: 3, {3, 0}: 1}, nil},
		{"indices header", "e.edges", "from,to\n0,3\n", 4, map[[2]int]float64{{0, 3}: 1}, nil},
		{"three edges forced", "e.edges", "0 1 0.5\n1 2 0.25\n2 0 1\n", 3,
			map[[2]int]float64{{0, 1}: 0.5, {1, 2}: 0.25, {2, 0}: 1}, nil},
		{"unweighted", "e.edgelist", "a b\nb c\n", 3, map[[2]int]float64{{0, 1}: 1, {1, 2}: 1}, []string{"a", "b", "c"}},
	}
	for _, c := range cases {
		m, names, err := ReadMatrixFile(writeTemp(t, c.file, c.content))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if m.Rows != c.n || m.Cols != c.n {
			t.Errorf("%s: %dx%d, want %dx%d", c.name, m.Rows, m.Cols, c.n, c.n)
			continue
		}
		for i := 0; i < c.n; i++ {
			for j := 0; j < c.n; j++ {
				if m.At(i, j) != c.set[[2]int{i, j}] {
					t.Errorf("%s: (%d,%d) = %v, want %v", c.name, i, j, m.At(i, j), c.set[[2]int{i, j}])
				}
			}
		}
		if strings.Join(names, "|") != strings.Join(c.names, "|") {
			t.Errorf("%s: names %q, want %q", c.name, names, c.names)
		}
	}
	// A 3x3 integer table without the .edges extension stays a dense matrix.
	m, _, err := ReadMatrixFile(writeTemp(t, "m.csv", "0,1,2\n1,0,2\n2,1,0\n"))
	if err != nil || m.Rows != 3 || m.At(0, 2) != 2 {
		t.Errorf("3x3 dense read as edge list: %v %v", m, err)
	}
}

func TestEdgeListErrors(t *testing.T) {
	cases := []struct{ name, content, want string }{
		{"duplicate", "a,b,1\nb,a,1\na,b,2\n", "line 3: duplicate edge a -> b (first on line 1)"},
		{"bad weight", "a,b,1\nb,a,x\n", "line 2, column 3"},
		{"nan weight", "a,b,nan\n", "missing value"},
		{"inf weight", "a,b,-inf\n", "infinite"},
		{"ragged", "a,b,1\nb,a\n", "line 2 has 2 fields"},
		{"four fields", "a,b,1,2\n", "2 or 3 fields"},
		{"huge index", "0,99999999,1\n", "not in [0, 4096)"},
		{"float index", "0,1.5,1\n", "column 2"},
		{"header only", "source,target,weight\n", "no edges"},
		{"empty", "", "empty edge list"},
	}
	for _, c := range cases {
		_, _, err := ReadEdgeList(writeTemp(t, "bad.edges", c.content))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad.edges") {
			t.Errorf("%s: error %q, want it to name bad.edges and contain %q", c.name, err, c.want)
		}
	}
}

func TestReadVectorFile(t *testing.T) {
	v, names, err := ReadVectorFile(writeTemp(t, "d.csv", "area,density\nV1,100\nV2,NaN\nV4,\nTEO,2.5e4\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 4 || v[0] != 100 || !math.IsNaN(v[1]) || !math.IsNaN(v[2]) || v[3] != 25000 {
		t.Errorf("values %v", v)
	}
	if strings.Join(names, "|") != "V1|V2|V4|TEO" {
		t.Errorf("names %q", names)
	}
	if _, _, err := ReadVectorFile(writeTemp(t, "d.csv", "1,2\n3,4\n")); err == nil {
		t.Error("two columns accepted as a vector")
	}
	if _, _, err := ReadVectorFile(writeTemp(t, "d.csv", "1\ninf\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("inf: %v", err)
	}
}

func TestReadNamesFile(t *testing.T) {
	names, err := ReadNamesFile(writeTemp(t, "n.txt", "V1\r\n über \nctx-lh-bankssts\n\n"))
	if err != nil || strings.Join(names, "|") != "V1|über|ctx-lh-bankssts" {
		t.Errorf("names %q %v", names, err)
	}
	for content, want := range map[string]string{
		"A\n\nB\n": "line 2: empty region name",
		"A\nB\nA":  "line 3: region name \"A\" already on line 1",
		"\n\n":     "no names",
		"A\n\xff":  "UTF-8",
	} {
		_, err := ReadNamesFile(writeTemp(t, "n.txt", content))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "n.txt") {
			t.Errorf("%q: error %v, want %q", content, err, want)
		}
	}
	lst, err := ReadNamesFile(filepath.Join(builtinDir, "Names_Human_Betzel_Normalized.lst"))
	if err != nil {
		t.Fatal(err)
	}
	requireShared(t) // the derived text copy
	txt, err := ReadNamesFile(filepath.Join(sharedDir, "Names_Human_Betzel_Normalized.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(lst) != 57 || strings.Join(lst, "|") != strings.Join(txt, "|") {
		t.Errorf(".lst and .txt differ: %d vs %d names", len(lst), len(txt))
	}
}

func TestReadIntsFile(t *testing.T) {
	got, err := ReadIntsFile(writeTemp(t, "n.txt", "# neurons per region\n10\n 20 \n\n30.0\n-1\n"))
	if err != nil || len(got) != 4 || got[0] != 10 || got[1] != 20 || got[2] != 30 || got[3] != -1 {
		t.Errorf("text: %v %v", got, err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "n.npy")
	big := int64(1)<<53 + 1 // not representable in float64: must stay exact
	if err := WriteNPYInt64(p, []int64{5, big}); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadIntsFile(p); err != nil || got[0] != 5 || int64(got[1]) != big {
		t.Errorf("npy i8: %v %v", got, err)
	}
	if err := WriteNPY(p, []int{2}, []float64{3, 4}); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadIntsFile(p); err != nil || got[0] != 3 || got[1] != 4 {
		t.Errorf("npy f8: %v %v", got, err)
	}
	if got, err := ReadIntsFile(fixture("npy", "u1.npy")); err != nil || got[1] != 255 {
		t.Errorf("npy u1: %v %v", got, err)
	}
	if got, err := ReadIntsFile(fixture("npy", "b1.npy")); err != nil || got[0] != 1 || got[1] != 0 {
		t.Errorf("npy b1: %v %v", got, err)
	}
	if got, err := ReadIntsFile(fixture("npy", "i4_2d.npy")); err == nil {
		t.Errorf("2-D npy accepted: %v", got)
	}
	if err := WriteNPY(p, []int{2}, []float64{3, 4.5}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadIntsFile(p); err == nil || !strings.Contains(err.Error(), "element 1") {
		t.Errorf("non-integer npy: %v", err)
	}
	for content, want := range map[string]string{
		"1\n2\nthree\n": "line 3",
		"1\n2.5\n":      "line 2",
		"1 2\n":         "line 1",
		"\n# none\n":    "no integers",
	} {
		if _, err := ReadIntsFile(writeTemp(t, "n.txt", content)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", content, err, want)
		}
	}
}

// FuzzReadCSV: any bytes read as a dense or edge-list text file give an
// error naming the file or a square finite matrix with matching names.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"0,0.5\n0.25,0\n", ",V1,V2\nV1,0,0.5\nV2,0.25,0\n", "V1\tV2\nV1\t0\t0.5\nV2\t0.25\t0\n",
		"\"\",\"a\"\n\"a\",1\n", "0 1 2\n1 0 2\n2 1 0\n", "0,NaN\n1,0\n", "# c\n\n1\n", "a,b,1\nb,a,2\n",
		"-1 1 0.5\n1 0 1\n", "0,1,x\n1,0,1\n1,1,0\n", "0,1,2\n1,0,2\n2,1,0\n3,0,1\n", "source target\n0 1\n1 0\n",
		"0 99999999999999999999 1\n", "x,0,1\n10,1,0\n",
	} {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile(filepath.Join(sharedDir, "C_Mouse_Gamanut_Normalized.csv")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkFuzzMatrix(t, b, FormatAuto)
		checkFuzzMatrix(t, b, FormatMatrix)
	})
}

// FuzzReadEdgeList is the same for files forced to be edge lists.
func FuzzReadEdgeList(f *testing.F) {
	for _, s := range []string{
		"source,target,weight\nV1,V2,0.5\nV2,V1,0.25\n", "0 1 0.5\n1 0 0.25\n2 2 3\n", "a b\nb c\n",
		"a,b,1\na,b,2\n", "0\t4095\t1\n", "from,to\n0,3\n",
		"-1 1 0.5\n1 0 1\n", "0 -1\n", "0 4096 1\n", "0 9223372036854775807\n", "99999999999999999999 0 1\n",
		"-9223372036854775808 0\n", "+1 0\n", "0,1,x\n1,0,1\n1,1,0\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkFuzzMatrix(t, b, FormatEdges)
	})
}

func checkFuzzMatrix(t *testing.T, b []byte, format string) {
	m, names, err := decodeMatrixText("fuzz.txt", format, b)
	if err != nil {
		if !strings.Contains(err.Error(), "fuzz.txt") {
			t.Fatalf("error does not name the file: %v", err)
		}
		// Echoed input is clipped: no error grows with one long cell.
		if len(err.Error()) > 4000 {
			t.Fatalf("error of %d bytes: %.200s", len(err.Error()), err)
		}
		return
	}
	if m.Rows != m.Cols || len(m.Data) != m.Rows*m.Cols {
		t.Fatalf("not square: %dx%d with %d values", m.Rows, m.Cols, len(m.Data))
	}
	if names != nil && len(names) != m.Rows {
		t.Fatalf("%d names for %d regions", len(names), m.Rows)
	}
	for _, v := range m.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite value %v accepted", v)
		}
	}
}
