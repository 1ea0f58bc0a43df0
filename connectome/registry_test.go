package connectome

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	for _, name := range []string{"macaque", "MACAQUE", "Macaque_Normalized", "C_Macaque_Normalized", "C_Macaque_Normalized.npy"} {
		d, err := Lookup(name)
		if err != nil || d.Name != "macaque" {
			t.Errorf("Lookup(%q) = %v, %v", name, d, err)
		}
	}
	want := []string{"macaque", "marmoset", "human", "mouse-gamanut", "mouse-oh", "drosophila"}
	if got := DataSetNames(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("names %v", got)
	}
	for _, d := range DataSets() {
		for _, a := range append([]string{d.Name}, d.Aliases...) {
			if got, err := Lookup(a); err != nil || got != d {
				t.Errorf("Lookup(%q) = %v, %v", a, got, err)
			}
		}
		if d.Citation == "" || d.DOI == "" || d.Species == "" || d.Orientation == "" || d.File(KindMatrix) == nil || d.File(KindNames) == nil {
			t.Errorf("%s: incomplete registry entry", d.Name)
		}
		for _, f := range d.Files {
			if len(f.SHA256) != 64 {
				t.Errorf("%s: bad checksum %q", f.Name, f.SHA256)
			}
		}
	}
	if d, _ := Lookup("macaque"); math.Abs(d.Density()-536.0/(29*28)) > 1e-12 {
		t.Errorf("density %v", d.Density())
	}
	_, err := Lookup("rat")
	if err == nil || !strings.Contains(err.Error(), "mouse-gamanut") {
		t.Errorf("unknown name: %v", err)
	}
}

// sharedStats is the part of ../shared/connectomes/stats.json we check.
type sharedStats struct {
	N      int     `json:"n"`
	NNZ    int     `json:"nnz"`
	Sum    float64 `json:"sum"`
	SHA256 string  `json:"sha256_npy"`
}

func TestLoadAllShared(t *testing.T) {
	requireShared(t)
	raw, err := os.ReadFile(filepath.Join(sharedDir, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stats map[string]sharedStats
	if err := json.Unmarshal(raw, &stats); err != nil {
		t.Fatal(err)
	}
	for _, d := range DataSets() {
		c, err := Load(d.Name, sharedDir)
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSuffix(d.File(KindMatrix).Name, ".npy")
		st, ok := stats[base]
		if !ok {
			t.Fatalf("%s not in stats.json", base)
		}
		if c.C.Rows != st.N || len(c.Regions) != st.N || d.Regions != st.N {
			t.Errorf("%s: %d rows, %d names, registry %d, want %d", d.Name, c.C.Rows, len(c.Regions), d.Regions, st.N)
		}
		nnz, sum := 0, 0.0
		for _, v := range c.C.Data {
			if v != 0 {
				nnz++
			}
			sum += v
		}
		if nnz != st.NNZ || d.NNZ != st.NNZ {
			t.Errorf("%s: nnz %d, registry %d, want %d", d.Name, nnz, d.NNZ, st.NNZ)
		}
		if math.Abs(sum-st.Sum) > 1e-9*math.Abs(st.Sum) {
			t.Errorf("%s: sum %v, want %v", d.Name, sum, st.Sum)
		}
		if c.SHA256 != st.SHA256 {
			t.Errorf("%s: SHA256 %s, stats.json has %s", d.Name, c.SHA256, st.SHA256)
		}
		names, err := ReadNamesFile(filepath.Join(sharedDir, "Names_"+strings.TrimPrefix(base, "C_")+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(names, "|") != strings.Join(c.Regions, "|") {
			t.Errorf("%s: names differ from the .txt copy", d.Name)
		}
		if (d.File(KindDensity) != nil) != (c.NeuronDensity != nil) {
			t.Errorf("%s: density presence wrong", d.Name)
		}
		if c.Name != d.Name || c.Citation != d.Citation || c.Species != d.Species {
			t.Errorf("%s: metadata not copied", d.Name)
		}
	}
}

func TestLoadMacaqueDetails(t *testing.T) {
	t.Setenv(DataEnv, "")
	c, err := Load("macaque", "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != BuiltinSource {
		t.Errorf("source %q, want the built-in copy", c.Source)
	}
	if c.Regions[0] != "V1" || c.Regions[1] != "V2" {
		t.Fatalf("first regions %v", c.Regions[:2])
	}
	if v := c.C.At(0, 1); math.Abs(v-0.763) > 5e-4 {
		t.Errorf("C[V1,V2] = %v", v)
	}
	nan := map[int]string{12: "STPr", 14: "STPc", 15: "PBr", 16: "TEpd", 21: "ProM"}
	for i, v := range c.NeuronDensity {
		if _, want := nan[i]; math.IsNaN(v) != want {
			t.Errorf("density[%d] (%s) = %v", i, c.Regions[i], v)
		}
		if name, ok := nan[i]; ok && c.Regions[i] != name {
			t.Errorf("region %d is %s, want %s", i, c.Regions[i], name)
		}
	}
	m, err := Load("marmoset", "")
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, v := range m.NeuronDensity {
		sum += v
	}
	if len(m.NeuronDensity) != 55 || sum != 4837703 {
		t.Errorf("marmoset densities: %d values summing to %v", len(m.NeuronDensity), sum)
	}
}

// copyShared copies the named data files into a temp folder: bio2art's
// from the built-in copies, the derived ones (CSV, text) from ../shared
// (skipping the test when it is absent).
func copyShared(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		src := filepath.Join(builtinDir, n)
		if !fileExists(src) {
			requireShared(t)
			src = filepath.Join(sharedDir, n)
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadChecksumMismatch(t *testing.T) {
	dir := copyShared(t, "C_Human_Betzel_Normalized.npy", "Names_Human_Betzel_Normalized.lst")
	p := filepath.Join(dir, "Names_Human_Betzel_Normalized.lst")
	b, _ := os.ReadFile(p)
	b[len(b)-3] ^= 1
	os.WriteFile(p, b, 0o644)
	_, err := Load("human", dir)
	var ce *ChecksumError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a checksum error", err)
	}
	d, _ := Lookup("human")
	if ce.File != p || ce.Expected != d.File(KindNames).SHA256 || ce.Actual != sha256Hex(b) {
		t.Errorf("error fields %+v", ce)
	}
	for _, s := range []string{p, ce.Expected, ce.Actual} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q lacks %q", err, s)
		}
	}
}

func TestLoadMissingData(t *testing.T) {
	// A folder that holds part of a data set is read from, and what is
	// missing is named (the built-in copy is not mixed in).
	dir := copyShared(t, "C_Marmoset_Normalized.npy")
	_, err := Load("marmoset", dir)
	if !IsMissingData(err) {
		t.Fatalf("got %v, want a missing-data error", err)
	}
	for _, s := range []string{dir, "Names_Marmoset_Normalized.lst", "ND_Marmoset_Normalized.npy", "biornn data fetch", "--data-dir", "BIORNN_DATA", "biornn data import"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q lacks %q", err, s)
		}
	}
}

func TestLoadNamesTextFallback(t *testing.T) {
	dir := copyShared(t, "C_Mouse_Gamanut_Normalized.npy", "Names_Mouse_Gamanut_Normalized.txt")
	c, err := Load("mouse-gamanut", dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Regions) != 19 || c.Regions[0] != "ACAd" {
		t.Errorf("regions %v", c.Regions)
	}
}

func TestLoadFile(t *testing.T) {
	requireShared(t)
	p := filepath.Join(sharedDir, "C_Macaque_Normalized.csv")
	c, err := Load(p, "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if c.Name != "C_Macaque_Normalized" || c.SHA256 != sha256Hex(b) || c.C.Rows != 29 || c.Source != p {
		t.Errorf("got %s %s %d %s", c.Name, c.SHA256, c.C.Rows, c.Source)
	}
	if len(c.Regions) != 29 || c.Regions[28] != strconv.Itoa(28) {
		t.Errorf("default region names %v", c.Regions)
	}
	ref, err := Load("macaque", sharedDir)
	if err != nil {
		t.Fatal(err)
	}
	if !sameFloats(ref.C.Data, c.C.Data) {
		t.Error("csv and registered npy differ")
	}
	e := writeTemp(t, "tiny.edges", "a b 0.5\nb a 1\n")
	c, err = Load(e, "")
	if err != nil || c.Name != "tiny" || strings.Join(c.Regions, ",") != "a,b" {
		t.Errorf("edge list: %+v %v", c, err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "nope.csv"), ""); err == nil || !strings.Contains(err.Error(), "unknown connectome") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load(writeTemp(t, "r.csv", "0,1.5,2\n0,0,1\n"), ""); err == nil {
		t.Error("non-square file accepted")
	}
}

func TestResolveDataDir(t *testing.T) {
	t.Setenv(DataEnv, "")
	dir, origin := DataDirOrigin("")
	if origin != "user cache" || !strings.HasSuffix(dir, filepath.Join("biornn", "connectomes")) {
		t.Errorf("default: %s (%s)", dir, origin)
	}
	t.Setenv(DataEnv, "/from/env")
	if got := ResolveDataDir(""); got != "/from/env" {
		t.Errorf("env: %s", got)
	}
	if got, origin := DataDirOrigin("flagdir"); got != "flagdir" || origin != "--data-dir" {
		t.Errorf("flag: %s %s", got, origin)
	}
	// Load with an empty dataDir uses the environment.
	t.Setenv(DataEnv, builtinDir)
	if c, err := Load("drosophila", ""); err != nil || c.Source != builtinDir {
		t.Errorf("Load via BIORNN_DATA: %v", err)
	}
}
