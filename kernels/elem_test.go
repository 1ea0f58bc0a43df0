package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// specials are mixed into elementwise inputs: signed zeros, infinities, NaN.
var specials = []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-40, -1e-40}

func randSpecial(r *rand.Rand, n int) []float32 {
	s := randSlice(r, n)
	for i := range s {
		if r.IntN(8) == 0 {
			s[i] = specials[r.IntN(len(specials))]
		}
	}
	return s
}

func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// near compares two float32 results of the same short formula evaluated with
// possibly different rounding: within ulps units of float32 rounding of scale.
func near(got, want float32, ulps, scale float64) bool {
	if want != want {
		return got != got
	}
	if math.IsInf(float64(want), 0) {
		return got == want
	}
	return math.Abs(float64(got)-float64(want)) <= ulps*eps32*(scale+math.Abs(float64(want)))
}

func TestBiasActivations(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		r := rand.New(rand.NewPCG(11, 12))
		for _, n := range sizes() {
			rows := r.IntN(5)
			bias := randSlice(r, rows)
			x0 := randSpecial(r, rows*n)
			off := r.IntN(16)
			for _, act := range []string{"relu", "tanh"} {
				want := append([]float32(nil), x0...)
				x, buf := guarded(rows*n, off)
				copy(x, x0)
				if act == "relu" {
					Generic.BiasReLU(want, bias, n)
					im.BiasReLU(x, bias, n)
				} else {
					Generic.BiasTanh(want, bias, n)
					im.BiasTanh(x, bias, n)
				}
				what := fmt.Sprintf("Bias%s rows=%d n=%d", act, rows, n)
				checkGuards(t, what, buf, off, rows*n)
				for i := range x {
					if act == "relu" && !sameBits(x[i], want[i]) || act == "tanh" && !near(x[i], want[i], 4, 0) {
						t.Fatalf("%s: x[%d] = %v, generic %v (input %v)", what, i, x[i], want[i], x0[i])
					}
				}
			}
		}
	})
}

func TestActivationBackward(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		r := rand.New(rand.NewPCG(13, 14))
		for _, n := range sizes() {
			dy := randSpecial(r, n)
			y := randSpecial(r, n)
			off := r.IntN(16)
			for _, act := range []string{"relu", "tanh"} {
				want := make([]float32, n)
				dx, buf := guarded(n, off)
				if act == "relu" {
					Generic.ReLUBackward(dy, y, want)
					im.ReLUBackward(dy, y, dx)
				} else {
					Generic.TanhBackward(dy, y, want)
					im.TanhBackward(dy, y, dx)
				}
				what := fmt.Sprintf("%sBackward n=%d", act, n)
				checkGuards(t, what, buf, off, n)
				for i := range dx {
					scale := math.Abs(float64(dy[i])) * (1 + float64(y[i])*float64(y[i]))
					if act == "relu" && !sameBits(dx[i], want[i]) || act == "tanh" && !near(dx[i], want[i], 4, scale) {
						t.Fatalf("%s: dx[%d] = %v, generic %v (dy %v, y %v)", what, i, dx[i], want[i], dy[i], y[i])
					}
				}
			}
		}
	})
}

func TestRowSums(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		r := rand.New(rand.NewPCG(15, 16))
		for _, n := range sizes() {
			rows := r.IntN(6)
			x := randSlice(r, rows*n)
			out0 := randSlice(r, rows)
			want := append([]float32(nil), out0...)
			Generic.RowSums(x, want, n)
			off := r.IntN(16)
			out, buf := guarded(rows, off)
			copy(out, out0)
			im.RowSums(x, out, n)
			what := fmt.Sprintf("RowSums rows=%d n=%d", rows, n)
			checkGuards(t, what, buf, off, rows)
			for i := range out {
				sum := math.Abs(float64(out0[i]))
				for _, v := range x[i*n : i*n+n] {
					sum += math.Abs(float64(v))
				}
				if !closeEnough(out[i], want[i], n, sum) {
					t.Fatalf("%s: out[%d] = %v, generic %v", what, i, out[i], want[i])
				}
			}
		}
	})
}

// optState is one parameter array with its optimizer state, guarded.
type optState struct {
	arrs [][]float32 // p, then the state arrays
	bufs [][]float32
	offs []int
}

func newOptState(r *rand.Rand, n, arrays int) (*optState, [][]float32) {
	st := &optState{}
	var plain [][]float32
	for a := 0; a < arrays; a++ {
		v := randSlice(r, n)
		if a > 0 { // second moments must be >= 0
			for i := range v {
				v[i] = float32(math.Abs(float64(v[i]))) * 0.1
			}
		}
		off := r.IntN(16)
		s, buf := guarded(n, off)
		copy(s, v)
		st.arrs, st.bufs, st.offs = append(st.arrs, s), append(st.bufs, buf), append(st.offs, off)
		plain = append(plain, append([]float32(nil), v...))
	}
	return st, plain
}

func (st *optState) check(t *testing.T, what string, want [][]float32) {
	t.Helper()
	for a, s := range st.arrs {
		checkGuards(t, fmt.Sprintf("%s array %d", what, a), st.bufs[a], st.offs[a], len(s))
		for i := range s {
			if !near(s[i], want[a][i], 8, 0) {
				t.Fatalf("%s: array %d [%d] = %v, generic %v", what, a, i, s[i], want[a][i])
			}
		}
	}
}

func TestOptimizers(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		r := rand.New(rand.NewPCG(17, 18))
		for _, n := range sizes() {
			for step := 1; step <= 3; step++ {
				g := randSlice(r, n)
				wd := float32(0)
				if step == 2 {
					wd = 0.01
				}
				// Adam
				ah := AdamHyper{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: wd,
					StepSize: 1e-3 / float32(1-math.Pow(0.9, float64(step))), BC2Sqrt: float32(math.Sqrt(1 - math.Pow(0.999, float64(step))))}
				st, want := newOptState(r, n, 3)
				Generic.Adam(want[0], g, want[1], want[2], ah)
				im.Adam(st.arrs[0], g, st.arrs[1], st.arrs[2], ah)
				st.check(t, fmt.Sprintf("Adam n=%d step=%d", n, step), want)
				// RMSprop
				rh := RMSpropHyper{LR: 0.01, Alpha: 0.99, Eps: 1e-8, WeightDecay: wd}
				st, want = newOptState(r, n, 2)
				Generic.RMSprop(want[0], g, want[1], rh)
				im.RMSprop(st.arrs[0], g, st.arrs[1], rh)
				st.check(t, fmt.Sprintf("RMSprop n=%d step=%d", n, step), want)
				// SGD in every mode
				for _, sh := range []SGDHyper{
					{LR: 0.1, WeightDecay: wd},
					{LR: 0.1, Momentum: 0.9, WeightDecay: wd, First: true},
					{LR: 0.1, Momentum: 0.9, Dampening: 0.1, WeightDecay: wd},
					{LR: 0.1, Momentum: 0.9, Nesterov: true, First: true},
					{LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: wd},
				} {
					st, want = newOptState(r, n, 2)
					Generic.SGD(want[0], g, want[1], sh)
					im.SGD(st.arrs[0], g, st.arrs[1], sh)
					st.check(t, fmt.Sprintf("SGD %+v n=%d", sh, n), want)
				}
			}
		}
		// SGD without momentum accepts a nil buffer.
		p := []float32{1, 2}
		im.SGD(p, []float32{1, 1}, nil, SGDHyper{LR: 0.5})
		if p[0] != 0.5 || p[1] != 1.5 {
			t.Fatalf("SGD without momentum: p = %v, want [0.5 1.5]", p)
		}
	})
}

func TestElementwiseShortPanics(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		a, b := make([]float32, 10), make([]float32, 9)
		mustPanic(t, "ReLUBackward short y", func() { im.ReLUBackward(a, b, a) })
		mustPanic(t, "BiasReLU short x", func() { im.BiasReLU(b, make([]float32, 2), 5) })
		mustPanic(t, "Adam short m", func() { im.Adam(a, a, b, a, AdamHyper{}) })
		mustPanic(t, "SGD short buf", func() { im.SGD(a, a, b, SGDHyper{Momentum: 0.9}) })
	})
}

// TestTanhAccuracy sweeps float32 inputs over every binade that matters
// (tiny, the polynomial range, the branch point 0.625, the exp range, the
// saturation at 9.1) plus specials, comparing BiasTanh with the correctly
// rounded float32(math.Tanh): at most 2 ulp apart, NaN propagated, signs kept.
func TestTanhAccuracy(t *testing.T) {
	var xs []float32
	for e := -30; e <= 5; e++ {
		lo := math.Ldexp(1, e)
		for i := 0; i < 4000; i++ {
			xs = append(xs, float32(lo*(1+float64(i)/4000)))
		}
	}
	for _, v := range []float32{0.625, math.Nextafter32(0.625, 0), math.Nextafter32(0.625, 1), 9.1, 9.0, 9.2, 20, 1e30, 1e-45, 1e-40} {
		xs = append(xs, v)
	}
	n := len(xs)
	for i := 0; i < n; i++ {
		xs = append(xs, -xs[i])
	}
	xs = append(xs, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()))
	forImpls(t, func(t *testing.T, im *Impl) {
		x := append([]float32(nil), xs...)
		im.BiasTanh(x, []float32{float32(math.Copysign(0, -1))}, len(x)) // x + (-0) == x, even for -0
		worst := 0.0
		for i, in := range xs {
			want := float32(math.Tanh(float64(in)))
			got := x[i]
			if want != want {
				if got == got {
					t.Fatalf("tanh(NaN) = %v", got)
				}
				continue
			}
			if math.Signbit(float64(got)) != math.Signbit(float64(want)) {
				t.Fatalf("tanh(%v) = %v, want %v (sign)", in, got, want)
			}
			ulp := float64(math.Nextafter32(float32(math.Abs(float64(want))), float32(math.Inf(1))) - float32(math.Abs(float64(want))))
			if want == 1 || want == -1 {
				ulp = float64(1 - math.Nextafter32(1, 0))
			}
			d := math.Abs(float64(got)-float64(want)) / ulp
			worst = max(worst, d)
			if d > 2 {
				t.Fatalf("tanh(%v) = %v, want %v (%.1f ulp)", in, got, want, d)
			}
		}
		t.Logf("%s: worst error %.2f ulp over %d inputs", im.Name, worst, len(xs))
		// The kernel branches per vector on which formula its lanes need:
		// the same inputs shuffled (most vectors then mix small, large and
		// special lanes) must give the same bits.
		perm := rand.New(rand.NewPCG(3, 4)).Perm(len(xs))
		y := make([]float32, len(xs))
		for i, p := range perm {
			y[i] = xs[p]
		}
		im.BiasTanh(y, []float32{float32(math.Copysign(0, -1))}, len(y))
		for i, p := range perm {
			if math.Float32bits(y[i]) != math.Float32bits(x[p]) {
				t.Fatalf("tanh(%v) = %v among shuffled inputs, %v in order", xs[p], y[i], x[p])
			}
		}
	})
}
