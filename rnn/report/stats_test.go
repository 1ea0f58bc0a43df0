package report

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestQuantile(t *testing.T) {
	xs := []float64{7, 1, 3, 5}
	for _, c := range []struct{ q, want float64 }{{0, 1}, {0.25, 2.5}, {0.5, 4}, {0.75, 5.5}, {1, 7}} {
		if got := Quantile(xs, c.q); got != c.want { // numpy.quantile([7,1,3,5], q)
			t.Errorf("Quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if !math.IsNaN(Median(nil)) || Median([]float64{2}) != 2 {
		t.Error("empty or single sample")
	}
}

func TestCliffsDelta(t *testing.T) {
	if d := CliffsDelta([]float64{4, 5}, []float64{1, 2, 3}); d != 1 {
		t.Errorf("all greater: %v", d)
	}
	if d := CliffsDelta([]float64{1, 2}, []float64{1, 2}); d != 0 {
		t.Errorf("identical: %v", d)
	}
	// pairs: (1,2)<, (1,0)>, (3,2)>, (3,0)> -> (3-1)/4
	if d := CliffsDelta([]float64{1, 3}, []float64{2, 0}); d != 0.5 {
		t.Errorf("mixed: %v", d)
	}
}

// Hollander & Wolfe's example from R's ?wilcox.test: W = 35 and the one-sided
// exact p-value 0.1272, so the two-sided one is 0.2544 (also checked by
// enumerating all 3003 rank subsets).
func TestMannWhitneyExactKnown(t *testing.T) {
	x := []float64{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46}
	y := []float64{1.15, 0.88, 0.90, 0.74, 1.21}
	u, p := MannWhitney(x, y)
	if u != 35 || !near(p, 0.2544122544122544, 1e-12) {
		t.Fatalf("U, p = %v, %v; want 35, 0.254412", u, p)
	}
	u2, p2 := MannWhitney(y, x)
	if u2 != 15 || !near(p2, p, 1e-12) {
		t.Fatalf("swapped: U, p = %v, %v", u2, p2)
	}
	// Complete separation of 5 vs 5: p = 2/C(10,5).
	_, p = MannWhitney([]float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10})
	if !near(p, 2.0/252, 1e-15) {
		t.Fatalf("separated 5 vs 5: p = %v, want %v", p, 2.0/252)
	}
}

// TestExactTailsBruteForce compares the counting recursion with an
// enumeration of every subset for small samples.
func TestExactTailsBruteForce(t *testing.T) {
	for n1 := 1; n1 <= 6; n1++ {
		for n2 := 1; n2 <= 6; n2++ {
			n := n1 + n2
			counts := make([]float64, n1*n2+1)
			total := 0.0
			for mask := 0; mask < 1<<n; mask++ {
				if popcount(mask) != n1 {
					continue
				}
				s := 0
				for r := 1; r <= n; r++ {
					if mask&(1<<(r-1)) != 0 {
						s += r
					}
				}
				counts[s-n1*(n1+1)/2]++
				total++
			}
			for k := 0; k <= n1*n2; k++ {
				lo, hi := 0.0, 0.0
				for s, c := range counts {
					if s <= k {
						lo += c
					}
					if s >= k {
						hi += c
					}
				}
				gl, gh := exactTails(n1, n2, k)
				if !near(gl, lo/total, 1e-12) || !near(gh, hi/total, 1e-12) {
					t.Fatalf("n1=%d n2=%d k=%d: tails %v,%v want %v,%v", n1, n2, k, gl, gh, lo/total, hi/total)
				}
			}
		}
	}
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// With ties the normal approximation applies. Expected values from the
// textbook formula evaluated separately (U = 14.5, tie term 3 groups of 2,
// continuity correction), as R's wilcox.test(exact=FALSE) computes it.
func TestMannWhitneyTies(t *testing.T) {
	u, p := MannWhitney([]float64{1, 2, 2, 3, 7, 7}, []float64{2, 3, 4, 4, 5, 6, 8})
	if u != 14.5 || !near(p, 0.3867614399075, 1e-10) {
		t.Fatalf("U, p = %v, %v; want 14.5, 0.38676", u, p)
	}
	if _, p := MannWhitney([]float64{1, 1}, []float64{1, 1, 1}); p != 1 {
		t.Errorf("all equal: p = %v, want 1", p)
	}
	if _, p := MannWhitney(nil, []float64{1}); !math.IsNaN(p) {
		t.Errorf("empty: p = %v, want NaN", p)
	}
}

// For large samples without ties the exact and normal p-values agree.
func TestMannWhitneyLargeSampleAgreement(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x, y := make([]float64, 45), make([]float64, 45)
	for i := range x {
		x[i], y[i] = r.Float64(), r.Float64()+0.2
	}
	_, exact := MannWhitney(x, y)
	_, approx := MannWhitney(append(x, 100), append(y, 200)) // n >= 50: normal
	if exact <= 0 || exact >= 1 || approx <= 0 || math.Abs(math.Log(exact/approx)) > 0.5 {
		t.Errorf("exact %v vs normal %v", exact, approx)
	}
}
