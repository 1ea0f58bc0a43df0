// Package report summarises a results folder: per experimental condition the
// median and interquartile range of each run's minimum validation loss and
// training-speed epoch, and for each strategy the effect size (Cliff's delta)
// and two-sided Mann-Whitney rank-sum p-value against the bio-instantiated
// reference; as text, CSV and Markdown tables and as PNG/SVG plots.
package report

import (
	"math"
	"sort"
)

// Quantile returns the q-quantile of xs by linear interpolation between order
// statistics (R's type 7, numpy's default). NaN for an empty sample.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	h := q * float64(len(s)-1)
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (h-lo)*(s[i+1]-s[i])
}

// Median is Quantile(xs, 0.5).
func Median(xs []float64) float64 { return Quantile(xs, 0.5) }

// CliffsDelta returns P(x > y) - P(x < y) over all pairs: +1 when every x
// exceeds every y, -1 when every x is below, 0 for complete overlap. It is the
// rank-biserial correlation of the Mann-Whitney test. NaN if a sample is empty.
func CliffsDelta(x, y []float64) float64 {
	if len(x) == 0 || len(y) == 0 {
		return math.NaN()
	}
	gt, lt := 0, 0
	for _, a := range x {
		for _, b := range y {
			switch {
			case a > b:
				gt++
			case a < b:
				lt++
			}
		}
	}
	return float64(gt-lt) / float64(len(x)*len(y))
}

// MannWhitney is the two-sided Wilcoxon-Mann-Whitney rank-sum test of x
// against y, computed as R's wilcox.test does: U is the statistic of x (the
// number of pairs with x > y, ties counting one half); the p-value is exact
// when both samples have fewer than 50 values and there are no ties, and
// otherwise from the normal approximation with tie-corrected variance and a
// continuity correction. p is NaN if a sample is empty.
func MannWhitney(x, y []float64) (u, p float64) {
	n1, n2 := len(x), len(y)
	if n1 == 0 || n2 == 0 {
		return math.NaN(), math.NaN()
	}
	ranks, ties := rank(append(append([]float64(nil), x...), y...))
	r1 := 0.0
	for _, r := range ranks[:n1] {
		r1 += r
	}
	u = r1 - float64(n1*(n1+1))/2
	if n1 < 50 && n2 < 50 && !ties.any {
		k := int(math.Round(u))
		lower, upper := exactTails(n1, n2, k)
		p = 2 * math.Min(lower, upper)
		return u, math.Min(p, 1)
	}
	n := float64(n1 + n2)
	mean := float64(n1*n2) / 2
	variance := float64(n1*n2) / 12 * ((n + 1) - ties.sum/(n*(n-1)))
	if variance <= 0 { // every value equal: no evidence either way
		return u, 1
	}
	z := u - mean
	z = (z - 0.5*sign(z)) / math.Sqrt(variance)
	p = 2 * math.Min(normCDF(z), normCDF(-z))
	return u, math.Min(p, 1)
}

type tieInfo struct {
	any bool
	sum float64 // sum over tie groups of t^3 - t
}

// rank returns mid-ranks (1-based) of xs and the tie statistics.
func rank(xs []float64) ([]float64, tieInfo) {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return xs[idx[a]] < xs[idx[b]] })
	r := make([]float64, len(xs))
	var ti tieInfo
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && xs[idx[j]] == xs[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // mean of ranks i+1..j
		for k := i; k < j; k++ {
			r[idx[k]] = mid
		}
		if t := float64(j - i); t > 1 {
			ti.any = true
			ti.sum += t*t*t - t
		}
		i = j
	}
	return r, ti
}

// exactTails returns P(U <= k) and P(U >= k) under the null hypothesis for
// samples of n1 and n2 distinct values, by counting the n1-subsets of ranks
// 1..n1+n2 with each rank sum (dynamic programming, float64 counts).
func exactTails(n1, n2, k int) (lower, upper float64) {
	n := n1 + n2
	maxU := n1 * n2
	// ways[j][s] = number of j-subsets of the ranks seen so far whose rank
	// sum minus j(j+1)/2 is s; adding rank r to a j-subset adds r-(j+1).
	ways := make([][]float64, n1+1)
	for j := range ways {
		ways[j] = make([]float64, maxU+1)
	}
	ways[0][0] = 1
	for r := 1; r <= n; r++ {
		for j := min(r, n1); j >= 1; j-- {
			shift := r - j
			if shift > maxU {
				continue
			}
			for s := maxU; s >= shift; s-- {
				ways[j][s] += ways[j-1][s-shift]
			}
		}
	}
	total := 0.0
	for s := 0; s <= maxU; s++ {
		total += ways[n1][s]
		if s <= k {
			lower += ways[n1][s]
		}
		if s >= k {
			upper += ways[n1][s]
		}
	}
	return lower / total, upper / total
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
