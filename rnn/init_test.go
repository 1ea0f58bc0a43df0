package rnn

import (
	"math"
	"slices"
	"testing"

	"github.com/biornn/biornn/connectome"
)

func TestInitParamsBounds(t *testing.T) {
	const h, in, o = 50, 3, 2
	mask := make([]bool, h*h)
	for k := range mask {
		mask[k] = k%3 == 0
	}
	for _, tc := range []struct {
		scheme             InitScheme
		bIn, bHH, bOut, bb float64
	}{
		{InitDefault, 1 / math.Sqrt(h), 1 / math.Sqrt(h), 1 / math.Sqrt(h), 1 / math.Sqrt(h)},
		{InitXavier, math.Sqrt(6.0 / (in + h)), math.Sqrt(6.0 / (2 * h)), math.Sqrt(6.0 / (h + o)), 1 / math.Sqrt(h)},
		{InitHe, math.Sqrt(6.0 / in), math.Sqrt(6.0 / h), math.Sqrt(6.0 / h), 1 / math.Sqrt(h)},
	} {
		p, err := InitParams(h, in, o, mask, InitOptions{Scheme: tc.scheme, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			name  string
			v     []float32
			bound float64
		}{{"W_in", p.WIn, tc.bIn}, {"W_hh", p.WHH, tc.bHH}, {"W_out", p.WOut, tc.bOut}, {"b", p.B, 2 * tc.bb}, {"b_out", p.BOut, tc.bb}} {
			var maxAbs float64
			for _, x := range f.v {
				maxAbs = max(maxAbs, math.Abs(float64(x)))
			}
			// Every value within the bound, and the bound nearly reached.
			if maxAbs > f.bound*(1+1e-6) || (len(f.v) > 100 && maxAbs < 0.9*f.bound) {
				t.Errorf("%s %s: max |value| %.4g, bound %.4g", tc.scheme, f.name, maxAbs, f.bound)
			}
		}
		for k, keep := range mask {
			if !keep && p.WHH[k] != 0 {
				t.Fatalf("%s: masked W_hh[%d] = %v", tc.scheme, k, p.WHH[k])
			}
		}
	}
	a, _ := InitParams(h, in, o, mask, InitOptions{Seed: 4})
	b, _ := InitParams(h, in, o, mask, InitOptions{Seed: 4})
	c, _ := InitParams(h, in, o, mask, InitOptions{Seed: 5})
	if !slices.Equal(a.WHH, b.WHH) || slices.Equal(a.WHH, c.WHH) {
		t.Fatal("InitParams is not a function of its seed")
	}
	if _, err := InitParams(h, in, o, mask, InitOptions{Scheme: "lecun"}); err == nil {
		t.Fatal("unknown scheme accepted")
	}
}

func TestRankMap(t *testing.T) {
	mask := []bool{true, false, true, true, true, false}
	ref := []float64{0.5, 9, 0.1, 0.9, 0.3, 0}
	w := []float32{-1, 7, 2, 0.5, 3, 0}
	RankMap(w, mask, ref)
	// kept values {-1, 2, 0.5, 3} sorted: -1, 0.5, 2, 3; ref order of kept
	// positions: 2 (0.1), 4 (0.3), 0 (0.5), 3 (0.9).
	want := []float32{2, 7, -1, 3, 0.5, 0}
	if !slices.Equal(w, want) {
		t.Fatalf("RankMap gave %v, expected %v", w, want)
	}
}

func TestScaleToSpectralRadius(t *testing.T) {
	ref := &connectome.Dense{Rows: 3, Cols: 3, Data: []float64{0, 2, 0, 0, 0, 2, 2, 0, 0}} // cycle: radius 2
	mask := []bool{false, true, false, false, false, true, true, false, false}
	w, err := ScaleToSpectralRadius(ref, mask, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(w[1])-0.9) > 1e-6 || w[0] != 0 {
		t.Fatalf("scaled weights %v, expected 0.9 on the cycle", w)
	}
	dag := &connectome.Dense{Rows: 2, Cols: 2, Data: []float64{0, 1, 0, 0}}
	if _, err := ScaleToSpectralRadius(dag, []bool{false, true, false, false}, 1); err == nil {
		t.Fatal("nilpotent weights scaled")
	}
}

func TestOrientation(t *testing.T) {
	w := &connectome.Dense{Rows: 2, Cols: 2, Data: []float64{0, 3, 0, 0}} // edge 0 -> 1
	target, _ := RecurrentFromBio(w, OrientationTarget)
	paper, _ := RecurrentFromBio(w, OrientationPaper)
	// Target orientation: neuron 1 receives from neuron 0: W_hh[1, 0].
	if target.At(1, 0) != 3 || target.At(0, 1) != 0 || paper.At(0, 1) != 3 {
		t.Fatalf("target %v, paper %v", target.Data, paper.Data)
	}
	if _, err := RecurrentFromBio(w, "source"); err == nil {
		t.Fatal("unknown orientation accepted")
	}
}
