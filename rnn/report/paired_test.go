package report

import (
	"math"
	"testing"
)

// Reference values computed with R (Debian's r-base): wilcox.test(x, y,
// paired = TRUE)$statistic and $p.value, and p.adjust(p, "holm").
func TestWilcoxonSignedRank(t *testing.T) {
	for _, c := range []struct {
		x, y []float64
		v, p float64
	}{
		// exact: differences 1..5 distinct, all positive -> V = 15, p = 2/32
		{[]float64{2, 4, 6, 8, 10}, []float64{1, 2, 3, 4, 5}, 15, 0.0625},
		// exact, mixed signs: d = 1.5, -0.5, 2.5, -3.5, 4.5, 5.5 -> V = 16
		{[]float64{2.5, 1.5, 4.5, 0.5, 6.5, 7.5}, []float64{1, 2, 2, 4, 2, 2}, 16, 0.3125},
		// a zero difference is dropped and the p-value is the normal
		// approximation, as in R: d = 1, 2, 3 -> V = 6
		{[]float64{1, 2, 4, 6}, []float64{1, 1, 2, 3}, 6, 0.1814492},
	} {
		v, p := WilcoxonSignedRank(c.x, c.y)
		if v != c.v || math.Abs(p-c.p) > 1e-7 {
			t.Errorf("%v vs %v: V = %v, p = %v; want %v, %v", c.x, c.y, v, p, c.v, c.p)
		}
	}
	// ties in |d| -> normal approximation with continuity correction:
	// d = 1, 1, 2, 2, 3, -1 (R: V = 19, p-value = 0.08898415)
	v, p := WilcoxonSignedRank([]float64{2, 2, 3, 3, 4, 0}, []float64{1, 1, 1, 1, 1, 1})
	if v != 19 || math.Abs(p-0.08898415) > 1e-7 {
		t.Errorf("tied differences: V = %v, p = %v", v, p)
	}
	if _, p := WilcoxonSignedRank([]float64{1, 2}, []float64{1, 2}); p != 1 {
		t.Errorf("all differences zero: p = %v", p)
	}
	if _, p := WilcoxonSignedRank([]float64{1}, []float64{1, 2}); !math.IsNaN(p) {
		t.Errorf("unpaired lengths: p = %v", p)
	}
}

func TestHolmAdjust(t *testing.T) {
	got := HolmAdjust([]float64{0.01, 0.04, math.NaN(), 0.03, 0.5})
	// R: p.adjust(c(0.01, 0.04, 0.03, 0.5), "holm") = 0.04 0.09 0.09 0.5
	want := []float64{0.04, 0.09, math.NaN(), 0.09, 0.5}
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || (!math.IsNaN(want[i]) && math.Abs(got[i]-want[i]) > 1e-12) {
			t.Errorf("HolmAdjust: %v, want %v", got, want)
			break
		}
	}
}

func TestCliffsDeltaCI(t *testing.T) {
	x, y := []float64{1, 2, 3, 4, 5, 6}, []float64{4, 5, 6, 7, 8, 9}
	lo, hi := CliffsDeltaCI(x, y, false, 1)
	d := CliffsDelta(x, y)
	if !(lo <= d && d <= hi && lo >= -1 && hi <= 1 && lo < hi) {
		t.Errorf("CI [%v, %v] around %v", lo, hi, d)
	}
	if lo2, hi2 := CliffsDeltaCI(x, y, false, 1); lo2 != lo || hi2 != hi {
		t.Error("the same seed gave another interval")
	}
	plo, phi := CliffsDeltaCI(x, y, true, 1)
	if !(plo <= d && d <= phi) {
		t.Errorf("paired CI [%v, %v] around %v", plo, phi, d)
	}
	if lo, _ := CliffsDeltaCI(nil, y, false, 1); !math.IsNaN(lo) {
		t.Error("an empty sample gave an interval")
	}
}

// TestSignTest: values from R's binom.test(a, a+b)$p.value.
func TestSignTest(t *testing.T) {
	for _, c := range []struct {
		a, b int
		p    float64
	}{{3, 7, 0.34375}, {0, 5, 0.0625}, {12, 0, 0.0004882813}, {60, 84, 0.05490187}, {5, 5, 1}, {0, 0, 1}} {
		if p := SignTest(c.a, c.b); math.Abs(p-c.p) > 1e-7 {
			t.Errorf("SignTest(%d, %d) = %v, want %v", c.a, c.b, p, c.p)
		}
	}
}
