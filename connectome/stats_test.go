package connectome

import (
	"encoding/json"
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestStatsSharedConnectomes compares with ../shared/connectomes/stats.json.
func TestStatsSharedConnectomes(t *testing.T) {
	requireShared(t)
	b, err := os.ReadFile(filepath.Join(sharedDir, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]struct {
		N              int     `json:"n"`
		NNZ            int     `json:"nnz"`
		SpectralRadius float64 `json:"spectral_radius"`
		Reciprocity    float64 `json:"reciprocity"`
		Sum            float64 `json:"sum"`
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("stats.json: %v", err)
	}
	if len(want) != 6 {
		t.Fatalf("stats.json has %d entries, expected 6", len(want))
	}
	for file, w := range want {
		c := loadMatrix(t, filepath.Join(builtinDir, file+".npy"))
		s, err := ComputeStats(c)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if e := relErr(s.SpectralRadius, w.SpectralRadius); e > 1e-9 {
			t.Errorf("%s: spectral radius %.16g, expected %.16g (rel err %g)", file, s.SpectralRadius, w.SpectralRadius, e)
		}
		if s.N != w.N || s.NNZ != w.NNZ || s.SelfLoops != 0 {
			t.Errorf("%s: n %d nnz %d self %d, expected %d %d 0", file, s.N, s.NNZ, s.SelfLoops, w.N, w.NNZ)
		}
		if s.Reciprocity != w.Reciprocity {
			t.Errorf("%s: reciprocity %v, expected %v", file, s.Reciprocity, w.Reciprocity)
		}
		if relErr(s.TotalWeight, w.Sum) > 1e-12 {
			t.Errorf("%s: total weight %v, expected %v", file, s.TotalWeight, w.Sum)
		}
		if d := float64(w.NNZ) / float64(w.N*(w.N-1)); s.Density != d {
			t.Errorf("%s: density %v, expected %v", file, s.Density, d)
		}
	}
}

func TestComputeStatsSmall(t *testing.T) {
	// 0->1 (2), 1->0 (3), 1->2 (1), 2->2 (5, self), 0->2 (-1).
	w := NewDense(3, 3)
	w.Set(0, 1, 2)
	w.Set(1, 0, 3)
	w.Set(1, 2, 1)
	w.Set(2, 2, 5)
	w.Set(0, 2, -1)
	s, err := ComputeStats(w)
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 3 || s.NNZ != 5 || s.SelfLoops != 1 {
		t.Errorf("N %d NNZ %d SelfLoops %d", s.N, s.NNZ, s.SelfLoops)
	}
	if s.Density != 4.0/6 || s.Reciprocity != 0.5 || s.TotalWeight != 10 {
		t.Errorf("density %v reciprocity %v total %v", s.Density, s.Reciprocity, s.TotalWeight)
	}
	if !reflect.DeepEqual(s.OutDegree, []int{2, 2, 1}) || !reflect.DeepEqual(s.InDegree, []int{1, 1, 3}) {
		t.Errorf("out %v in %v", s.OutDegree, s.InDegree)
	}
	if !reflect.DeepEqual(s.OutStrength, []float64{1, 4, 5}) || !reflect.DeepEqual(s.InStrength, []float64{3, 2, 5}) {
		t.Errorf("out strength %v in strength %v", s.OutStrength, s.InStrength)
	}
	// Eigenvalues: 5 and those of [[0,2],[3,0]] = +-sqrt(6).
	if math.Abs(s.SpectralRadius-5) > 1e-14 {
		t.Errorf("spectral radius %v, expected 5", s.SpectralRadius)
	}
	g, err := GraphStats(w)
	if err != nil || !math.IsNaN(g.SpectralRadius) || g.NNZ != s.NNZ || !reflect.DeepEqual(g.InStrength, s.InStrength) || g.Reciprocity != s.Reciprocity {
		t.Errorf("GraphStats = %+v, %v; expected ComputeStats without the radius", g, err)
	}
	empty, err := ComputeStats(NewDense(0, 0))
	if err != nil || empty.N != 0 || empty.SpectralRadius != 0 {
		t.Errorf("empty matrix: %+v %v", empty, err)
	}
}

// sortedEigs returns the eigenvalues of w as complex numbers, sorted.
func sortedEigs(t *testing.T, w *Dense) []complex128 {
	t.Helper()
	re, im, err := Eigenvalues(w)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]complex128, len(re))
	for k := range re {
		out[k] = complex(re[k], im[k])
	}
	sortC(out)
	return out
}

func sortC(z []complex128) {
	sort.Slice(z, func(a, b int) bool {
		if math.Abs(real(z[a])-real(z[b])) > 1e-9 {
			return real(z[a]) < real(z[b])
		}
		return imag(z[a]) < imag(z[b])
	})
}

func TestEigenvaluesKnown(t *testing.T) {
	// Companion matrix of prod (x - r) for known roots, including a
	// dominant complex pair and a negative root of equal modulus to another.
	roots := []complex128{3, -3, complex(1, 2), complex(1, -2), 0.5, complex(-2.5, 1.5), complex(-2.5, -1.5)}
	poly := []complex128{1}
	for _, r := range roots {
		next := make([]complex128, len(poly)+1)
		for k, c := range poly {
			next[k] += c
			next[k+1] -= c * r
		}
		poly = next
	}
	n := len(roots)
	comp := NewDense(n, n)
	for j := 0; j < n; j++ {
		comp.Set(0, j, -real(poly[j+1]))
	}
	for i := 1; i < n; i++ {
		comp.Set(i, i-1, 1)
	}
	got := sortedEigs(t, comp)
	want := append([]complex128(nil), roots...)
	sortC(want)
	for k := range want {
		if cmplx.Abs(got[k]-want[k]) > 1e-9 {
			t.Errorf("companion eigenvalues %v, expected %v", got, want)
			break
		}
	}

	for _, tc := range []struct {
		name string
		w    *Dense
		rho  float64
	}{
		// A rotation by 90 degrees scaled by 2: eigenvalues +-2i; power
		// iteration never converges on it.
		{"rotation", &Dense{Rows: 2, Cols: 2, Data: []float64{0, -2, 2, 0}}, 2},
		{"cycle", cycle(7, 1.5), 1.5}, // seven eigenvalues of modulus 1.5
		{"1x1", &Dense{Rows: 1, Cols: 1, Data: []float64{-4}}, 4},
		{"zero", NewDense(5, 5), 0},
		{"nilpotent", shift(6), 0},
		{"triangular", &Dense{Rows: 3, Cols: 3, Data: []float64{1, 5, 7, 0, -3, 2, 0, 0, 2}}, 3},
		// Diagonally similar to [[1,1,0],[1,1,1],[0,1,1]]: eigenvalues 1
		// and 1 +- sqrt(2).
		{"badly scaled", &Dense{Rows: 3, Cols: 3, Data: []float64{1, 1e8, 0, 1e-8, 1, 1e6, 0, 1e-6, 1}}, 1 + math.Sqrt2},
	} {
		rho, err := SpectralRadius(tc.w)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if math.Abs(rho-tc.rho) > 1e-12*math.Max(1, tc.rho) {
			t.Errorf("%s: spectral radius %.16g, expected %.16g", tc.name, rho, tc.rho)
		}
	}
}

func cycle(n int, s float64) *Dense {
	w := NewDense(n, n)
	for i := 0; i < n; i++ {
		w.Set(i, (i+1)%n, s)
	}
	return w
}

func shift(n int) *Dense {
	w := NewDense(n, n)
	for i := 0; i+1 < n; i++ {
		w.Set(i, i+1, 1)
	}
	return w
}

// TestEigenvaluesTraceIdentities checks random non-symmetric matrices: the
// eigenvalues must sum to the trace, their squares to trace(W^2), and the
// complex ones must come in conjugate pairs.
func TestEigenvaluesTraceIdentities(t *testing.T) {
	rng := newTestRand(11)
	for _, n := range []int{2, 3, 10, 57, 120} {
		w := NewDense(n, n)
		for k := range w.Data {
			if rng.Float64() < 0.6 {
				w.Data[k] = rng.NormFloat64()
			}
		}
		re, im, err := Eigenvalues(w)
		if err != nil {
			t.Fatal(err)
		}
		var tr, tr2, sum, sum2, conj float64
		for i := 0; i < n; i++ {
			tr += w.At(i, i)
			for j := 0; j < n; j++ {
				tr2 += w.At(i, j) * w.At(j, i)
			}
		}
		for k := range re {
			sum += re[k]
			sum2 += re[k]*re[k] - im[k]*im[k]
			conj += im[k]
		}
		scale := float64(n)
		if math.Abs(sum-tr) > 1e-10*scale || math.Abs(sum2-tr2) > 1e-9*scale*scale || math.Abs(conj) > 1e-10*scale {
			t.Errorf("n=%d: sum %v (trace %v), sum of squares %v (trace W^2 %v), sum of imaginary parts %v", n, sum, tr, sum2, tr2, conj)
		}
	}
}

// TestSpectralRadiusPerron: for a positive matrix the spectral radius is the
// Perron root, which power iteration finds reliably; both must agree.
func TestSpectralRadiusPerron(t *testing.T) {
	rng := newTestRand(3)
	n := 40
	w := NewDense(n, n)
	for k := range w.Data {
		w.Data[k] = rng.Float64() + 0.01
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = 1
	}
	lambda := 0.0
	for it := 0; it < 500; it++ {
		y := make([]float64, n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				y[i] += w.At(i, j) * x[j]
			}
		}
		norm := 0.0
		for _, v := range y {
			norm = math.Max(norm, v)
		}
		for i := range y {
			y[i] /= norm
		}
		x, lambda = y, norm
	}
	rho, err := SpectralRadius(w)
	if err != nil {
		t.Fatal(err)
	}
	if relErr(rho, lambda) > 1e-12 {
		t.Errorf("spectral radius %.16g, Perron root by power iteration %.16g", rho, lambda)
	}
}

func TestStatsErrors(t *testing.T) {
	nan := NewDense(2, 2)
	nan.Set(1, 0, math.NaN())
	for _, tc := range []struct {
		w    *Dense
		want string
	}{
		{nil, "nil"},
		{NewDense(2, 3), "square"},
		{nan, "NaN"},
		{&Dense{Rows: 2, Cols: 2, Data: []float64{1}}, "values"},
	} {
		if _, err := ComputeStats(tc.w); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ComputeStats: err = %v, expected %q", err, tc.want)
		}
		if _, err := GraphStats(tc.w); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("GraphStats: err = %v, expected %q", err, tc.want)
		}
		if _, err := SpectralRadius(tc.w); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SpectralRadius: err = %v, expected %q", err, tc.want)
		}
	}
}

// TestPerronRadiusMatchesDense: the Perron-Frobenius route agrees with all
// eigenvalues on nonnegative matrices of every kind that trips power
// iteration up: reducible (the largest root in a later component),
// periodic (a cycle: eigenvalues of equal modulus), nilpotent (a DAG),
// single self-loops, sparse and dense.
func TestPerronRadiusMatchesDense(t *testing.T) {
	rng := newTestRand(11)
	n := 120
	random := func(density float64) *Dense {
		w := NewDense(n, n)
		for k := range w.Data {
			if rng.Float64() < density {
				w.Data[k] = rng.Float64()
			}
		}
		return w
	}
	blockTri := NewDense(n, n) // two blocks, the second (stronger) only reachable from the first
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			switch {
			case i < n/2 && j < n/2 && rng.Float64() < 0.2:
				blockTri.Set(i, j, rng.Float64())
			case i >= n/2 && j >= n/2 && rng.Float64() < 0.2:
				blockTri.Set(i, j, 3*rng.Float64())
			case i < n/2 && j >= n/2 && rng.Float64() < 0.1:
				blockTri.Set(i, j, rng.Float64())
			}
		}
	}
	cycle := NewDense(n, n)
	for i := 0; i < n; i++ {
		cycle.Set(i, (i+1)%n, 0.5+0.5*float64(i%3))
	}
	dag := NewDense(n, n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if rng.Float64() < 0.3 {
				dag.Set(i, j, rng.Float64())
			}
		}
	}
	loops := NewDense(n, n)
	loops.Set(7, 7, 2.5)
	loops.Set(3, 9, 4)
	for _, tc := range []struct {
		name string
		w    *Dense
	}{
		{"sparse", random(0.03)}, {"dense", random(0.7)}, {"block-triangular", blockTri},
		{"cycle", cycle}, {"dag", dag}, {"self-loop", loops}, {"zero", NewDense(n, n)},
	} {
		got, ok := perronRadius(tc.w, 1e-12, perronMaxWork(n))
		if !ok {
			t.Errorf("%s: bounds did not close", tc.name)
			continue
		}
		re, im, err := Eigenvalues(tc.w)
		if err != nil {
			t.Fatal(err)
		}
		want := 0.0
		for k := range re {
			want = math.Max(want, math.Hypot(re[k], im[k]))
		}
		if math.Abs(got-want) > 1e-10*math.Max(want, 1) {
			t.Errorf("%s: Perron route %.15g, all eigenvalues %.15g", tc.name, got, want)
		}
	}
	neg := random(0.5)
	neg.Data[5] = -1
	if _, ok := perronRadius(neg, 1e-12, perronMaxWork(n)); ok {
		t.Error("a negative entry was accepted")
	}
	if _, ok := perronRadius(random(0.5), 1e-12, 10); ok {
		t.Error("closed within a budget of 10 multiply-adds")
	}
}

// TestEdgeStatsMatchGraphStats: the statistics of a network held as edges
// equal those of its matrix.
func TestEdgeStatsMatchGraphStats(t *testing.T) {
	net := &NeuronNetwork{Neurons: 5, Pre: []int32{0, 0, 1, 2, 2, 3, 4}, Post: []int32{1, 2, 0, 2, 4, 1, 2}, Weight: []float32{1, 2, 3, 4, 5, 6, 7}}
	want, err := GraphStats(net.Dense())
	if err != nil {
		t.Fatal(err)
	}
	got := EdgeStats(net)
	if got.N != want.N || got.NNZ != want.NNZ || got.SelfLoops != want.SelfLoops || got.Density != want.Density ||
		got.Reciprocity != want.Reciprocity || got.TotalWeight != want.TotalWeight ||
		!slices.Equal(got.InDegree, want.InDegree) || !slices.Equal(got.OutStrength, want.OutStrength) {
		t.Fatalf("edge stats %+v, matrix stats %+v", got, want)
	}
}
