package report

import (
	"math"
	"math/rand/v2"
	"sort"
)

// WilcoxonSignedRank is the two-sided Wilcoxon signed-rank test of paired
// samples x and y (x[i] paired with y[i]), computed as R's
// wilcox.test(x, y, paired = TRUE) does: zero differences are dropped; V is
// the sum of the ranks of |x - y| where x > y; the p-value is exact when
// there are fewer than 50 differences, none zero and no ties among their
// absolute values, otherwise from the normal approximation with
// tie-corrected variance and a continuity correction. NaN if the samples differ in length or are empty;
// 1 when every difference is zero (no evidence either way).
func WilcoxonSignedRank(x, y []float64) (v, p float64) {
	if len(x) != len(y) || len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	var d []float64
	for i := range x {
		if diff := x[i] - y[i]; diff != 0 {
			d = append(d, diff)
		}
	}
	n, zeros := len(d), len(d) < len(x)
	if n == 0 {
		return 0, 1
	}
	abs := make([]float64, n)
	for i, e := range d {
		abs[i] = math.Abs(e)
	}
	ranks, ties := rank(abs)
	for i, r := range ranks {
		if d[i] > 0 {
			v += r
		}
	}
	if n < 50 && !ties.any && !zeros {
		lower, upper := signedRankTails(n, int(math.Round(v)))
		return v, math.Min(1, 2*math.Min(lower, upper))
	}
	nf := float64(n)
	mean := nf * (nf + 1) / 4
	variance := nf*(nf+1)*(2*nf+1)/24 - ties.sum/48
	if variance <= 0 {
		return v, 1
	}
	z := v - mean
	z = (z - 0.5*sign(z)) / math.Sqrt(variance)
	return v, math.Min(1, 2*math.Min(normCDF(z), normCDF(-z)))
}

// signedRankTails returns P(V <= k) and P(V >= k) for n untied differences
// under the null hypothesis: each rank 1..n enters V with probability 1/2.
func signedRankTails(n, k int) (lower, upper float64) {
	maxV := n * (n + 1) / 2
	ways := make([]float64, maxV+1)
	ways[0] = 1
	for r := 1; r <= n; r++ {
		for s := maxV; s >= r; s-- {
			ways[s] += ways[s-r]
		}
	}
	total := math.Ldexp(1, n)
	for s, w := range ways {
		if s <= k {
			lower += w
		}
		if s >= k {
			upper += w
		}
	}
	return lower / total, upper / total
}

// HolmAdjust returns the Holm-Bonferroni adjusted p-values of ps (R's
// p.adjust(method = "holm")): the i-th smallest of m p-values is multiplied
// by m-i+1, made monotone and capped at 1. NaN entries are not tests: they
// stay NaN and do not count in m.
func HolmAdjust(ps []float64) []float64 {
	out := make([]float64, len(ps))
	var idx []int
	for i, p := range ps {
		out[i] = math.NaN()
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	m := len(idx)
	running := 0.0
	for k, i := range idx {
		adj := math.Min(1, float64(m-k)*ps[i])
		running = math.Max(running, adj)
		out[i] = running
	}
	return out
}

// bootstrapReps is the number of resamples behind a confidence interval.
const bootstrapReps = 2000

// CliffsDeltaCI returns a 95% percentile-bootstrap confidence interval of
// CliffsDelta(x, y), resampling each sample with replacement (or, when
// paired, the pairs (x[i], y[i]) together) from a PCG stream of seed, so the
// same data give the same interval. NaN when a sample is empty.
func CliffsDeltaCI(x, y []float64, paired bool, seed uint64) (lo, hi float64) {
	if len(x) == 0 || len(y) == 0 || (paired && len(x) != len(y)) {
		return math.NaN(), math.NaN()
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	bx, by := make([]float64, len(x)), make([]float64, len(y))
	deltas := make([]float64, bootstrapReps)
	for b := range deltas {
		for i := range bx {
			k := rng.IntN(len(x))
			bx[i] = x[k]
			if paired {
				by[i] = y[k]
			}
		}
		if !paired {
			for i := range by {
				by[i] = y[rng.IntN(len(y))]
			}
		}
		deltas[b] = CliffsDelta(bx, by)
	}
	return Quantile(deltas, 0.025), Quantile(deltas, 0.975)
}

// SignTest is the two-sided exact binomial test of a against b successes
// with probability 1/2 (R's binom.test(a, a+b)$p.value); 1 when a+b = 0.
func SignTest(a, b int) float64 {
	n := a + b
	if n == 0 {
		return 1
	}
	k := min(a, b)
	// P(X <= k) for X ~ Binomial(n, 1/2), in logs to stay finite for large n.
	tail := 0.0
	for i := 0; i <= k; i++ {
		lg, _ := math.Lgamma(float64(n + 1))
		la, _ := math.Lgamma(float64(i + 1))
		lb, _ := math.Lgamma(float64(n - i + 1))
		tail += math.Exp(lg - la - lb - float64(n)*math.Ln2)
	}
	return math.Min(1, 2*tail)
}
