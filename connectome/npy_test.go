package connectome

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sharedDir is the read-only shared connectome folder, reached relatively.
var sharedDir = filepath.Join("..", "..", "shared", "connectomes")

// fixture returns the path of a project fixture under testdata/.
func fixture(parts ...string) string {
	return filepath.Join(append([]string{"..", "testdata"}, parts...)...)
}

// builtinDir holds the files built into the binary (bio2art's .npy and
// .lst files), so tests that need only those run in a plain clone.
var builtinDir = "builtin"

// requireShared skips the test when ../shared/connectomes (the derived CSV
// and text copies, stats.json) is missing: those cross-checks run where it
// is present, as in CI.
func requireShared(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sharedDir, "stats.json")); err != nil {
		t.Skipf("cross-check against ../shared skipped: %s not found (%v)", sharedDir, err)
	}
}

// sameFloats compares bit patterns, except that any NaN equals any NaN;
// -0 differs from 0.
func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.IsNaN(a[i]) && math.IsNaN(b[i]) {
			continue
		}
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// fixtureMatrix is the content of the 2-D NumPy fixtures; its NaN has
// NumPy's bit pattern (Go's math.NaN differs) so written files can be
// compared byte for byte.
var fixtureMatrix = []float64{1.5, -2.0, 3.25, 4.0, math.Float64frombits(0x7ff8000000000000), math.Copysign(0, -1)}

func TestReadNPYNumpyFixtures(t *testing.T) {
	cases := []struct {
		file  string
		shape []int
		data  []float64
	}{
		{"f8_c.npy", []int{2, 3}, fixtureMatrix},
		{"f8_fortran.npy", []int{2, 3}, fixtureMatrix},
		{"f8_v2.npy", []int{2, 3}, fixtureMatrix},
		{"f8_v3.npy", []int{2, 3}, fixtureMatrix},
		{"f4_fortran.npy", []int{2, 3}, fixtureMatrix},
		{"i8_1d.npy", []int{3}, []float64{0, -7, 1 << 40}},
		{"i4_2d.npy", []int{2, 2}, []float64{1, -2, 3, 4}},
		{"b1.npy", []int{3}, []float64{1, 0, 1}},
		{"u1.npy", []int{3}, []float64{0, 255, 7}},
		{"scalar.npy", []int{}, []float64{2.5}},
	}
	for _, c := range cases {
		a, err := ReadNPY(fixture("npy", c.file))
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if shapeString(a.Shape) != shapeString(c.shape) || len(a.Shape) != len(c.shape) {
			t.Errorf("%s: shape %v, want %v", c.file, a.Shape, c.shape)
		}
		if !sameFloats(a.Data, c.data) {
			t.Errorf("%s: data %v, want %v", c.file, a.Data, c.data)
		}
	}
}

func TestReadNPYRejectsNumpyFixtures(t *testing.T) {
	for file, want := range map[string]string{
		"big_endian.npy": "big-endian",
		"object.npy":     "object",
		"three_d.npy":    "3-D",
	} {
		_, err := ReadNPY(fixture("npy", file))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), file) {
			t.Errorf("%s: error %v, want one naming the file and %q", file, err, want)
		}
	}
}

// makeNPY assembles a .npy file from a version, a header dict and raw data.
func makeNPY(major byte, header string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString(npyMagic)
	b.Write([]byte{major, 0})
	if major == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(header)))
	}
	b.WriteString(header)
	b.Write(data)
	return b.Bytes()
}

func f8bytes(v ...float64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}

func TestReadNPYFortranOrder(t *testing.T) {
	// Column-major bytes of [[1 2 3] [4 5 6]] are 1 4 2 5 3 6.
	b := makeNPY(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }\n", f8bytes(1, 4, 2, 5, 3, 6))
	a, err := decodeNPY("mem", b)
	if err != nil {
		t.Fatal(err)
	}
	m, err := a.Matrix()
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != 2 || m.Cols != 3 || !sameFloats(m.Data, []float64{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("got %dx%d %v", m.Rows, m.Cols, m.Data)
	}
	// Dense must not alias the array.
	m.Data[0] = 99
	if a.Data[0] != 1 {
		t.Fatal("Matrix shares memory with the Array")
	}
}

func TestReadNPYErrors(t *testing.T) {
	good := "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n"
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "not a .npy file"},
		{"bad magic", []byte("PK\x03\x04 not numpy at all"), "not a .npy file"},
		{"short header", []byte(npyMagic + "\x01"), "truncated header"},
		{"version 4", makeNPY(4, good, f8bytes(1, 2)), "version 4.0"},
		{"header too long", append([]byte(npyMagic+"\x01\x00\xff\x00"), "{}"...), "exceeds file size"},
		{"v2 header too long", append([]byte(npyMagic+"\x02\x00\xff\xff\xff\x7f"), "{}"...), "exceeds file size"},
		{"not a dict", makeNPY(1, "['<f8']", nil), "expected '{'"},
		{"missing shape", makeNPY(1, "{'descr': '<f8', 'fortran_order': False}", nil), "missing key \"shape\""},
		{"unknown key", makeNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", f8bytes(1)), "unexpected key"},
		{"duplicate key", makeNPY(1, "{'descr': '<f8', 'descr': '<f8'}", nil), "duplicate key"},
		{"bad bool", makeNPY(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}", f8bytes(1)), "True or False"},
		{"negative dim", makeNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", f8bytes(1)), "non-negative integer"},
		{"huge dim", makeNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}", f8bytes(1)), "out of range"},
		{"huge shape", makeNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000000000)}", f8bytes(1)), "needs more data"},
		{"zero dim huge other", makeNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 9000000000000)}", nil), "invalid dimension"},
		{"structured", makeNPY(1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,)}", f8bytes(1)), "structured"},
		{"big endian", makeNPY(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (1,)}", f8bytes(1)), "big-endian"},
		{"object", makeNPY(1, "{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", f8bytes(1)), "object"},
		{"complex", makeNPY(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (1,)}", f8bytes(1, 2)), "unsupported dtype \"<c16\""},
		{"3-D", makeNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1)}", f8bytes(1)), "3-D"},
		{"truncated", makeNPY(1, good, f8bytes(1)[:7]), "truncated data"},
		{"trailing", makeNPY(1, good, f8bytes(1, 2, 3)), "trailing bytes"},
		{"text after dict", makeNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} x", f8bytes(1, 2)), "after the dictionary"},
		{"unterminated", makeNPY(1, "{'descr: <f8", nil), "unterminated"},
	}
	for _, c := range cases {
		_, err := decodeNPY("file.npy", c.b)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "file.npy") {
			t.Errorf("%s: error %q, want it to name file.npy and contain %q", c.name, err, c.want)
		}
	}
}

func TestMatrixNeeds2D(t *testing.T) {
	if _, err := (&Array{Shape: []int{3}, Data: []float64{1, 2, 3}}).Matrix(); err == nil {
		t.Fatal("1-D array accepted as a matrix")
	}
	if _, err := (&Array{Shape: []int{2, 2}, Data: []float64{1}}).Matrix(); err == nil {
		t.Fatal("inconsistent array accepted")
	}
}

func TestWriteNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		shape []int
		data  []float64
	}{
		{[]int{2, 3}, fixtureMatrix},
		{[]int{4}, []float64{math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64, math.MaxFloat64}},
		{[]int{}, []float64{7}},
		{[]int{0, 5}, nil},
		{[]int{0}, nil},
	}
	for i, c := range cases {
		p := filepath.Join(dir, "a"+strconv.Itoa(i)+".npy")
		if err := WriteNPY(p, c.shape, c.data); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(p)
		if hl := int(binary.LittleEndian.Uint16(raw[8:10])); (10+hl)%64 != 0 || raw[9+hl] != '\n' {
			t.Errorf("%v: header not padded to 64 bytes with a final newline", c.shape)
		}
		a, err := ReadNPY(p)
		if err != nil {
			t.Fatal(err)
		}
		if shapeString(a.Shape) != shapeString(c.shape) || !sameFloats(a.Data, c.data) {
			t.Errorf("round trip %v: got %v %v", c.shape, a.Shape, a.Data)
		}
	}
	// The file must be byte-identical to what NumPy writes for the same array.
	want, err := os.ReadFile(fixture("npy", "f8_c.npy"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "same.npy")
	if err := WriteNPY(p, []int{2, 3}, fixtureMatrix); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, want) {
		t.Errorf("WriteNPY output differs from numpy.save:\n%q\n%q", got, want)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestWriteNPYErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.npy")
	if err := WriteNPY(p, []int{2, 2}, []float64{1, 2, 3}); err == nil {
		t.Error("shape/data mismatch accepted")
	}
	if err := WriteNPY(p, []int{1, 1, 1}, []float64{1}); err == nil {
		t.Error("3-D shape accepted")
	}
	if err := WriteNPY(p, []int{-1}, nil); err == nil {
		t.Error("negative dimension accepted")
	}
	if err := WriteNPY(filepath.Join(dir, "missing", "x.npy"), []int{1}, []float64{1}); err == nil {
		t.Error("write into a missing folder succeeded")
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Error("a failed write left a file")
	}
}

func TestWriteNPYInt64(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.npy")
	vals := []int64{0, 1, 2, -3, 1 << 50}
	if err := WriteNPYInt64(p, vals); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	f, err := parseNPY(p, b)
	if err != nil {
		t.Fatal(err)
	}
	if f.descr != "<i8" || f.fortran || shapeString(f.shape) != "(5,)" {
		t.Fatalf("header: %s %v %v", f.descr, f.fortran, f.shape)
	}
	for i, v := range vals {
		if got := f.int(f.raw[8*i : 8*i+8]); got != v {
			t.Errorf("element %d: %d, want %d", i, got, v)
		}
	}
	want, _ := os.ReadFile(fixture("npy", "i8_1d.npy"))
	p2 := filepath.Join(t.TempDir(), "i8.npy")
	if err := WriteNPYInt64(p2, []int64{0, -7, 1 << 40}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p2); !bytes.Equal(got, want) {
		t.Error("WriteNPYInt64 output differs from numpy.save")
	}
}

// TestReadNPYSharedMacaque checks the Fortran-ordered original against
// known values: C[V1, V2] = 0.763 (row V1 = source) and C[V2, V1] = 0.731.
func TestReadNPYSharedMacaque(t *testing.T) {
	a, err := ReadNPY(filepath.Join(builtinDir, "C_Macaque_Normalized.npy"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := a.Matrix()
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != 29 || m.Cols != 29 {
		t.Fatalf("shape %dx%d", m.Rows, m.Cols)
	}
	// V1 and V2 are the first two macaque areas.
	if v := m.At(0, 1); math.Abs(v-0.763) > 0.0005 {
		t.Errorf("C[V1,V2] = %v, want 0.763...", v)
	}
	if v := m.At(1, 0); math.Abs(v-0.731) > 0.0005 {
		t.Errorf("C[V2,V1] = %v, want 0.731...", v)
	}
	nd, err := ReadNPY(filepath.Join(builtinDir, "ND_Macaque_Normalized.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if len(nd.Shape) != 1 || nd.Shape[0] != 29 {
		t.Fatalf("ND shape %v", nd.Shape)
	}
	for i, v := range nd.Data {
		nan := i == 12 || i == 14 || i == 15 || i == 16 || i == 21
		if math.IsNaN(v) != nan {
			t.Errorf("ND[%d] = %v, NaN expected: %v", i, v, nan)
		}
	}
}

// FuzzReadNPY feeds junk to the reader: it must return an error or a
// consistent array, never panic, and an accepted array must survive a
// write/read round trip.
func FuzzReadNPY(f *testing.F) {
	for _, name := range []string{"f8_c.npy", "f8_fortran.npy", "f8_v3.npy", "f4_fortran.npy", "i8_1d.npy", "b1.npy", "scalar.npy", "three_d.npy"} {
		b, err := os.ReadFile(fixture("npy", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(makeNPY(2, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 1), }", []byte{1, 0, 0, 0, 2, 0, 0, 0}))
	f.Add([]byte(npyMagic + "\x01\x00\x00\x00"))
	// Shapes whose element count, or its float64 size, overflows or
	// exceeds the budget; dimensions at and beyond the limits.
	for _, h := range []string{
		"{'descr': '|u1', 'fortran_order': False, 'shape': (20000, 20000), }",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (1073741824, 1073741824), }",
		"{'descr': '|u1', 'fortran_order': True, 'shape': (0, 1073741824, 1073741824), }",
		"{'descr': '|b1', 'fortran_order': False, 'shape': (134217729,), }",
		"{'descr': '<u2', 'fortran_order': False, 'shape': (3037000500, 3037000500), }",
		"{'descr': '<i8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }",
		"{'descr': '|u1', 'fortran_order': False, 'shape': (9223372036854775807,), }",
		"{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }",
	} {
		f.Add(makeNPY(1, h, []byte{1, 2, 3, 4}))
		f.Add(makeNPY(3, h, nil))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		// The header check on a file's first bytes (readInput's) never
		// panics, and accepts what the whole-file reader accepts.
		_, whole := parseNPYDims("fuzz.npy", b, maxNDims)
		for _, k := range []int{0, 16, 64, len(b) / 2} {
			if k > len(b) {
				continue
			}
			_, _, err := parseNPYHead("fuzz.npy", b[:k], int64(len(b)), maxNDims, MaxArrayBytes)
			if whole == nil && err != nil && err != errNPYHeadIncomplete && k > 0 {
				t.Fatalf("head of %d bytes refused what the whole file passes: %v", k, err)
			}
		}
		if nd, err := decodeNPYDims("fuzz.npy", b, maxNDims); err == nil {
			n := 1
			for _, d := range nd.Shape {
				n *= d
			}
			if n != len(nd.Data) || len(nd.Shape) > maxNDims {
				t.Fatalf("inconsistent n-D array: shape %v, %d values", nd.Shape, len(nd.Data))
			}
		}
		a, err := decodeNPY("fuzz.npy", b)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.npy") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		n := 1
		for _, d := range a.Shape {
			n *= d
		}
		if len(a.Shape) > 2 || n != len(a.Data) {
			t.Fatalf("inconsistent array: shape %v, %d values", a.Shape, len(a.Data))
		}
		p := filepath.Join(dir, "rt.npy")
		if err := WriteNPY(p, a.Shape, a.Data); err != nil {
			t.Fatal(err)
		}
		back, err := ReadNPY(p)
		if err != nil {
			t.Fatal(err)
		}
		if !sameFloats(back.Data, a.Data) || shapeString(back.Shape) != shapeString(a.Shape) {
			t.Fatal("round trip changed the array")
		}
	})
}

func TestReadNPYND(t *testing.T) {
	a, err := ReadNPYND(fixture("npy", "three_d.npy"))
	if err != nil || shapeString(a.Shape) != "(2, 2, 2)" || len(a.Data) != 8 {
		t.Fatalf("%v %v", a, err)
	}
	// A Fortran-ordered (2, 3, 2) array holding 0..11 in C order: element
	// (i, j, k) has value 6i + 2j + k and sits at byte index i + 2j + 6k.
	raw := make([]float64, 12)
	for i := 0; i < 2; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 2; k++ {
				raw[i+2*j+6*k] = float64(6*i + 2*j + k)
			}
		}
	}
	b := makeNPY(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 2), }\n", f8bytes(raw...))
	a, err = decodeNPYDims("f.npy", b, maxNDims)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range a.Data {
		if v != float64(k) {
			t.Fatalf("element %d = %v: Fortran order not undone: %v", k, v, a.Data)
		}
	}
	if _, err := decodeNPYDims("f.npy", makeNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}", f8bytes(1)), maxNDims); err == nil {
		t.Error("9-D accepted")
	}
}

func TestReadNPYIntegerWidths(t *testing.T) {
	cases := []struct {
		descr string
		raw   []byte
		want  []float64
	}{
		{"<i2", []byte{0xff, 0xff, 2, 1}, []float64{-1, 258}},
		{"<u2", []byte{0xff, 0xff, 2, 1}, []float64{65535, 258}},
		{"<i4", []byte{0xfe, 0xff, 0xff, 0xff, 1, 0, 0, 0}, []float64{-2, 1}},
		{"<u4", []byte{0xfe, 0xff, 0xff, 0xff, 1, 0, 0, 0}, []float64{4294967294, 1}},
		{"|i1", []byte{0x80, 0x7f}, []float64{-128, 127}},
		{"<u8", []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80}, []float64{1, 1 << 63}},
	}
	for _, c := range cases {
		b := makeNPY(1, "{'descr': '"+c.descr+"', 'fortran_order': False, 'shape': (2,), }", c.raw)
		a, err := decodeNPY("w.npy", b)
		if err != nil {
			t.Errorf("%s: %v", c.descr, err)
			continue
		}
		if !sameFloats(a.Data, c.want) {
			t.Errorf("%s: %v, want %v", c.descr, a.Data, c.want)
		}
	}
}
