package connectome

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// nullInputs are networks to randomise: a paper-style build (no diagonal), a
// bio2art-defaults build (self-connections on the diagonal) and a dense
// region-level connectome (96% of the off-diagonal positions filled).
func nullInputs(t *testing.T) map[string]*Dense {
	t.Helper()
	mac := loadConnectome(t, "Macaque_Normalized")
	o := PaperOptions(mac.Rows)
	o.Seed = 7
	paper, err := Upscale(mac, o)
	if err != nil {
		t.Fatal(err)
	}
	def, err := Upscale(mac, BioArtDefaults(mac.Rows))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*Dense{
		"paper-macaque":    paper.W,
		"defaults-macaque": def.W,
		"gamanut":          loadConnectome(t, "Mouse_Gamanut_Normalized"),
	}
}

func diag(w *Dense) []float64 {
	d := make([]float64, w.Rows)
	for i := range d {
		d[i] = w.At(i, i)
	}
	return d
}

// offDiagValues returns the sorted off-diagonal entries (nonzero only if
// nonzero is set).
func offDiagValues(w *Dense, nonzero bool) []float64 {
	var v []float64
	for i := 0; i < w.Rows; i++ {
		for j := 0; j < w.Cols; j++ {
			if i != j && (!nonzero || w.At(i, j) != 0) {
				v = append(v, w.At(i, j))
			}
		}
	}
	sort.Float64s(v)
	return v
}

// pattern is the nonzero pattern of w.
func pattern(w *Dense) []bool {
	p := make([]bool, len(w.Data))
	for k, v := range w.Data {
		p[k] = v != 0
	}
	return p
}

func degrees(w *Dense) (in, out []int) {
	in, out = make([]int, w.Rows), make([]int, w.Rows)
	for i := 0; i < w.Rows; i++ {
		for j := 0; j < w.Cols; j++ {
			if w.At(i, j) != 0 {
				out[i]++
				in[j]++
			}
		}
	}
	return in, out
}

// rowMultisets returns, per row, the sorted off-diagonal nonzero weights.
func rowMultisets(w *Dense) [][]float64 {
	out := make([][]float64, w.Rows)
	for i := 0; i < w.Rows; i++ {
		for j := 0; j < w.Cols; j++ {
			if i != j && w.At(i, j) != 0 {
				out[i] = append(out[i], w.At(i, j))
			}
		}
		sort.Float64s(out[i])
	}
	return out
}

func TestNullModelsList(t *testing.T) {
	if got := NullModels(); !reflect.DeepEqual(got, []string{"permute", "rewire", "shuffle", "erdos-renyi"}) {
		t.Errorf("NullModels() = %v", got)
	}
	if _, err := Null("random", NewDense(2, 2), 1); err == nil || !strings.Contains(err.Error(), "erdos-renyi") {
		t.Errorf("unknown model: err = %v, expected the list of models", err)
	}
	nan := NewDense(3, 3)
	nan.Set(0, 1, math.NaN())
	for _, m := range NullModels() {
		if _, err := Null(m, nan, 1); err == nil || !strings.Contains(err.Error(), "NaN") {
			t.Errorf("%s with NaN: err = %v", m, err)
		}
		if _, err := Null(m, NewDense(2, 3), 1); err == nil || !strings.Contains(err.Error(), "square") {
			t.Errorf("%s non-square: err = %v", m, err)
		}
		for _, n := range []int{0, 1} {
			w := NewDense(n, n)
			if n == 1 {
				w.Data[0] = 2
			}
			out, err := Null(m, w, 1)
			if err != nil || out.Rows != n || fmt.Sprint(out.Data) != fmt.Sprint(w.Data) {
				t.Errorf("%s on %dx%d: %v %v", m, n, n, out, err)
			}
		}
	}
}

// TestNullPreserves checks, for every model, exactly what it must keep and
// that it does change the network.
func TestNullPreserves(t *testing.T) {
	for name, w := range nullInputs(t) {
		orig := w.Clone()
		inO, outO := degrees(w)
		for _, model := range NullModels() {
			got, err := Null(model, w, 99)
			if err != nil {
				t.Fatalf("%s %s: %v", name, model, err)
			}
			if !reflect.DeepEqual(w.Data, orig.Data) {
				t.Fatalf("%s %s modified its input", name, model)
			}
			if got.Rows != w.Rows || got.Cols != w.Cols {
				t.Fatalf("%s %s: shape %dx%d", name, model, got.Rows, got.Cols)
			}
			if !reflect.DeepEqual(diag(got), diag(w)) {
				t.Errorf("%s %s: diagonal changed", name, model)
			}
			// Every model keeps the off-diagonal nonzero weight multiset
			// (so nnz and total weight).
			if !reflect.DeepEqual(offDiagValues(got, true), offDiagValues(w, true)) {
				t.Errorf("%s %s: off-diagonal weight multiset changed", name, model)
			}
			in, out := degrees(got)
			samePattern := reflect.DeepEqual(pattern(got), pattern(w))
			switch model {
			case NullPermute:
				if !reflect.DeepEqual(offDiagValues(got, false), offDiagValues(w, false)) {
					t.Errorf("%s permute: multiset of all off-diagonal entries changed", name)
				}
				if samePattern {
					t.Errorf("%s permute: topology unchanged", name)
				}
			case NullRewire:
				if !reflect.DeepEqual(in, inO) || !reflect.DeepEqual(out, outO) {
					t.Errorf("%s rewire: degree sequences changed", name)
				}
				if !reflect.DeepEqual(rowMultisets(got), rowMultisets(w)) {
					t.Errorf("%s rewire: a source's weights changed (weights must travel with their edges)", name)
				}
				if samePattern {
					t.Errorf("%s rewire: topology unchanged", name)
				}
			case NullShuffle:
				if !samePattern {
					t.Errorf("%s shuffle: topology changed", name)
				}
				if reflect.DeepEqual(got.Data, w.Data) {
					t.Errorf("%s shuffle: weights did not move", name)
				}
			case NullErdosRenyi:
				if samePattern {
					t.Errorf("%s erdos-renyi: topology unchanged", name)
				}
			}
		}
	}
}

func TestNullDeterminism(t *testing.T) {
	w := nullInputs(t)["paper-macaque"]
	for _, model := range NullModels() {
		a, _ := Null(model, w, 5)
		b, _ := Null(model, w, 5)
		c, _ := Null(model, w, 6)
		if !reflect.DeepEqual(a.Data, b.Data) {
			t.Errorf("%s: same seed, different output", model)
		}
		if reflect.DeepEqual(a.Data, c.Data) {
			t.Errorf("%s: seeds 5 and 6 give the same output", model)
		}
	}
}

func TestRewireSwaps(t *testing.T) {
	w := nullInputs(t)["paper-macaque"]
	m := len(edges(w))
	_, done, err := rewire(w, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if done != 3*m {
		t.Errorf("rewire did %d swaps, expected 3 x %d edges", done, m)
	}
	same, err := Rewire(w, 0, 1)
	if err != nil || !reflect.DeepEqual(same.Data, w.Data) {
		t.Errorf("0 swaps per edge must return a copy: %v", err)
	}
	if _, err := Rewire(w, -1, 1); err == nil || !strings.Contains(err.Error(), "swaps per edge") {
		t.Errorf("negative swaps: err = %v", err)
	}
	// A complete graph admits no swap: it must come back unchanged,
	// without looping forever.
	full := NewDense(6, 6)
	for i := 0; i < 6; i++ {
		for j := 0; j < 6; j++ {
			if i != j {
				full.Set(i, j, float64(1+i*6+j))
			}
		}
	}
	got, done, err := rewire(full, 10, 1)
	if err != nil || done != 0 || !reflect.DeepEqual(got.Data, full.Data) {
		t.Errorf("complete graph: %d swaps, err %v", done, err)
	}
}

// TestErdosRenyiUniform: over many draws every off-diagonal position is
// about equally likely to hold an edge, and none lands on the diagonal.
func TestErdosRenyiUniform(t *testing.T) {
	n := 6
	w := NewDense(n, n)
	for k := 0; k < 9; k++ { // 9 of 30 off-diagonal positions
		i, j := offDiag(k*3, n)
		w.Set(i, j, float64(k+1))
	}
	counts := make([]int, n*n)
	draws := 3000
	for s := 0; s < draws; s++ {
		g, err := ErdosRenyi(w, uint64(s))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range g.Data {
			if v != 0 {
				counts[k]++
			}
		}
	}
	want := float64(draws) * 9 / 30
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			c := counts[i*n+j]
			if i == j && c != 0 {
				t.Errorf("edge on the diagonal (%d,%d)", i, i)
			}
			// Binomial sd ~ 25; 6 sd is a safe bound for a fixed seed set.
			if i != j && math.Abs(float64(c)-want) > 150 {
				t.Errorf("position (%d,%d) filled %d times, expected about %.0f", i, j, c, want)
			}
		}
	}
}
