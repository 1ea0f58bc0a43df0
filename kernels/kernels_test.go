package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// eps32 is the unit roundoff of float32.
const eps32 = 1.0 / (1 << 24)

// guardNaN marks the cells around an output that a kernel must not touch.
var guardNaN = math.Float32frombits(0x7fc0beef)

const guardLen = 17

// guarded returns a slice of n elements starting off elements into a
// buffer whose other cells hold guardNaN, and the buffer itself.
func guarded(n, off int) (s, buf []float32) {
	buf = make([]float32, off+n+guardLen)
	for i := range buf {
		buf[i] = guardNaN
	}
	return buf[off : off+n : off+n], buf
}

func checkGuards(t *testing.T, what string, buf []float32, off, n int) {
	t.Helper()
	for i, v := range buf {
		if (i < off || i >= off+n) && math.Float32bits(v) != math.Float32bits(guardNaN) {
			t.Fatalf("%s: guard cell %d (output is [%d, %d)) overwritten with %v", what, i, off, off+n, v)
		}
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// randCSR draws a rows x cols sparse matrix with the given density.
func randCSR(r *rand.Rand, rows, cols int, density float64) (rowPtr, colIdx []int32, val []float32) {
	rowPtr = make([]int32, rows+1)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if r.Float64() < density {
				colIdx = append(colIdx, int32(j))
				val = append(val, float32(r.NormFloat64()))
			}
		}
		rowPtr[i+1] = int32(len(colIdx))
	}
	return rowPtr, colIdx, val
}

// closeEnough reports whether got and want, two float32 evaluations of a
// sum of terms terms whose absolute values add up to sumAbs, agree within
// the worst-case rounding of both orders of evaluation (FMA or not).
func closeEnough(got, want float32, terms int, sumAbs float64) bool {
	if math.IsNaN(float64(want)) {
		return math.IsNaN(float64(got))
	}
	tol := 2 * float64(terms+2) * eps32 * sumAbs
	return math.Abs(float64(got)-float64(want)) <= tol
}

// sizes lists every tail length up to 70 and a few large sizes.
func sizes() []int {
	s := make([]int, 0, 80)
	for n := 0; n <= 70; n++ {
		s = append(s, n)
	}
	return append(s, 127, 128, 129, 143, 256, 259)
}

func forImpls(t *testing.T, f func(t *testing.T, im *Impl)) {
	for _, im := range All() {
		t.Run(im.Name, func(t *testing.T) { f(t, im) })
	}
}

func TestRegistry(t *testing.T) {
	all := All()
	if len(all) == 0 || all[len(all)-1] != Generic {
		t.Fatalf("All() must end with Generic, got %d impls", len(all))
	}
	for _, im := range all {
		got, err := Get(im.Name)
		if err != nil || got != im {
			t.Fatalf("Get(%q) = %v, %v", im.Name, got, err)
		}
		if im.SpMM == nil || im.SDDMM == nil || im.SpMMSDDMM == nil || im.Gemm == nil || im.GemmNT == nil || im.BiasTanh == nil ||
			im.BiasReLU == nil || im.TanhBackward == nil || im.ReLUBackward == nil || im.RowSums == nil ||
			im.Adam == nil || im.RMSprop == nil || im.SGD == nil {
			t.Fatalf("%s: Impl not fully populated", im.Name)
		}
	}
	if _, err := Get("no-such-impl"); err == nil {
		t.Fatal("Get of an unknown name must fail")
	}
	t.Setenv("BIORNN_KERNELS", "generic")
	if d, err := Default(); err != nil || d != Generic {
		t.Fatalf("BIORNN_KERNELS=generic: Default() = %v, %v", d, err)
	}
}

// spmmCase checks one SpMM call of im against the generic kernel.
func spmmCase(t *testing.T, im *Impl, r *rand.Rand, rows, cols, n int, density float64) {
	t.Helper()
	rowPtr, colIdx, val := randCSR(r, rows, cols, density)
	xo, yo := r.IntN(16), r.IntN(16)
	x, _ := guarded(cols*n, xo)
	copy(x, randSlice(r, cols*n))
	y0 := randSlice(r, rows*n)
	want := append([]float32(nil), y0...)
	Generic.SpMM(rowPtr, colIdx, val, x, want, n)
	y, ybuf := guarded(rows*n, yo)
	copy(y, y0)
	im.SpMM(rowPtr, colIdx, val, x, y, n)
	what := fmt.Sprintf("SpMM rows=%d cols=%d n=%d nnz=%d", rows, cols, n, len(val))
	checkGuards(t, what, ybuf, yo, rows*n)
	for i := 0; i < rows; i++ {
		for b := 0; b < n; b++ {
			sum := math.Abs(float64(y0[i*n+b]))
			for k := rowPtr[i]; k < rowPtr[i+1]; k++ {
				sum += math.Abs(float64(val[k]) * float64(x[int(colIdx[k])*n+b]))
			}
			if !closeEnough(y[i*n+b], want[i*n+b], int(rowPtr[i+1]-rowPtr[i]), sum) {
				t.Fatalf("%s: y[%d,%d] = %v, generic %v", what, i, b, y[i*n+b], want[i*n+b])
			}
		}
	}
}

func TestSpMM(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, n := range sizes() {
			for rep := 0; rep < 3; rep++ {
				spmmCase(t, im, r, r.IntN(9), 1+r.IntN(12), n, r.Float64())
			}
		}
		for _, n := range []int{1, 16, 128, 133} {
			spmmCase(t, im, r, 40, 300, n, 0.1)
		}
	})
}

func sddmmCase(t *testing.T, im *Impl, r *rand.Rand, rows, cols, n int, density float64) {
	t.Helper()
	rowPtr, colIdx, _ := randCSR(r, rows, cols, density)
	ao, bo, oo := r.IntN(16), r.IntN(16), r.IntN(16)
	a, _ := guarded(rows*n, ao)
	copy(a, randSlice(r, rows*n))
	b, _ := guarded(cols*n, bo)
	copy(b, randSlice(r, cols*n))
	nnz := len(colIdx)
	out0 := randSlice(r, nnz)
	want := append([]float32(nil), out0...)
	Generic.SDDMM(rowPtr, colIdx, a, b, want, n)
	out, obuf := guarded(nnz, oo)
	copy(out, out0)
	im.SDDMM(rowPtr, colIdx, a, b, out, n)
	what := fmt.Sprintf("SDDMM rows=%d cols=%d n=%d nnz=%d", rows, cols, n, nnz)
	checkGuards(t, what, obuf, oo, nnz)
	for i := 0; i < rows; i++ {
		for k := rowPtr[i]; k < rowPtr[i+1]; k++ {
			j := int(colIdx[k])
			sum := math.Abs(float64(out0[k]))
			for c := 0; c < n; c++ {
				sum += math.Abs(float64(a[i*n+c]) * float64(b[j*n+c]))
			}
			if !closeEnough(out[k], want[k], n, sum) {
				t.Fatalf("%s: out[%d] = %v, generic %v", what, k, out[k], want[k])
			}
		}
	}
}

func TestSDDMM(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, n := range sizes() {
			for rep := 0; rep < 3; rep++ {
				sddmmCase(t, im, r, r.IntN(9), 1+r.IntN(12), n, r.Float64())
			}
		}
		for _, n := range []int{1, 16, 128, 133} {
			sddmmCase(t, im, r, 30, 200, n, 0.1)
		}
		// Around the register-row kernel's limits (n <= 32 with AVX2, 64
		// with AVX-512), dense enough for many four-nonzero blocks per row.
		for _, n := range []int{31, 32, 33, 48, 63, 64, 65} {
			sddmmCase(t, im, r, 30, 60, n, 0.5)
		}
	})
}

// spmmSDDMMCase checks one fused SpMMSDDMM call of im against the generic
// SpMM and SDDMM calls it stands for, with guards around y and out.
func spmmSDDMMCase(t *testing.T, im *Impl, r *rand.Rand, rows, cols, n int, density float64) {
	t.Helper()
	rowPtr, colIdx, val := randCSR(r, rows, cols, density)
	nnz := len(val)
	x, _ := guarded(cols*n, r.IntN(16))
	copy(x, randSlice(r, cols*n))
	a, _ := guarded(rows*n, r.IntN(16))
	copy(a, randSlice(r, rows*n))
	y0, out0 := randSlice(r, rows*n), randSlice(r, nnz)
	wantY, wantOut := append([]float32(nil), y0...), append([]float32(nil), out0...)
	Generic.SpMM(rowPtr, colIdx, val, x, wantY, n)
	Generic.SDDMM(rowPtr, colIdx, a, x, wantOut, n)
	yo, oo := r.IntN(16), r.IntN(16)
	y, ybuf := guarded(rows*n, yo)
	copy(y, y0)
	out, obuf := guarded(nnz, oo)
	copy(out, out0)
	im.SpMMSDDMM(rowPtr, colIdx, val, x, y, a, out, n)
	what := fmt.Sprintf("SpMMSDDMM rows=%d cols=%d n=%d nnz=%d", rows, cols, n, nnz)
	checkGuards(t, what+" y", ybuf, yo, rows*n)
	checkGuards(t, what+" out", obuf, oo, nnz)
	for i := 0; i < rows; i++ {
		for b := 0; b < n; b++ {
			sum := math.Abs(float64(y0[i*n+b]))
			for k := rowPtr[i]; k < rowPtr[i+1]; k++ {
				sum += math.Abs(float64(val[k]) * float64(x[int(colIdx[k])*n+b]))
			}
			if !closeEnough(y[i*n+b], wantY[i*n+b], int(rowPtr[i+1]-rowPtr[i]), sum) {
				t.Fatalf("%s: y[%d,%d] = %v, generic %v", what, i, b, y[i*n+b], wantY[i*n+b])
			}
		}
		for k := rowPtr[i]; k < rowPtr[i+1]; k++ {
			j := int(colIdx[k])
			sum := math.Abs(float64(out0[k]))
			for c := 0; c < n; c++ {
				sum += math.Abs(float64(a[i*n+c]) * float64(x[j*n+c]))
			}
			if !closeEnough(out[k], wantOut[k], n, sum) {
				t.Fatalf("%s: out[%d] = %v, generic %v", what, k, out[k], wantOut[k])
			}
		}
	}
}

func TestSpMMSDDMM(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		r := rand.New(rand.NewPCG(31, 32))
		for _, n := range sizes() {
			for rep := 0; rep < 3; rep++ {
				spmmSDDMMCase(t, im, r, r.IntN(9), 1+r.IntN(12), n, r.Float64())
			}
		}
		// Dense rows (many four-nonzero blocks) around the fused kernel's
		// limit (n <= 64), and a call split into several row chunks.
		for _, n := range []int{1, 16, 31, 48, 63, 64, 65, 128} {
			spmmSDDMMCase(t, im, r, 30, 60, n, 0.5)
		}
		spmmSDDMMCase(t, im, r, 400, 300, 64, 0.2)
	})
}

// gemmCase checks C(m x n) += A(m x k) * op(B) of im against generic; nt
// selects GemmNT (B is n x k).
func gemmCase(t *testing.T, im *Impl, r *rand.Rand, m, n, k int, nt bool) {
	t.Helper()
	ao, bo, co := r.IntN(16), r.IntN(16), r.IntN(16)
	a, _ := guarded(m*k, ao)
	copy(a, randSlice(r, m*k))
	b, _ := guarded(k*n, bo)
	copy(b, randSlice(r, k*n))
	c0 := randSlice(r, m*n)
	want := append([]float32(nil), c0...)
	c, cbuf := guarded(m*n, co)
	copy(c, c0)
	name := "Gemm"
	bAt := func(p, j int) float32 { return b[p*n+j] }
	if nt {
		name = "GemmNT"
		bAt = func(p, j int) float32 { return b[j*k+p] }
		Generic.GemmNT(m, n, k, a, b, want)
		im.GemmNT(m, n, k, a, b, c)
	} else {
		Generic.Gemm(m, n, k, a, b, want)
		im.Gemm(m, n, k, a, b, c)
	}
	what := fmt.Sprintf("%s m=%d n=%d k=%d", name, m, n, k)
	checkGuards(t, what, cbuf, co, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			sum := math.Abs(float64(c0[i*n+j]))
			for p := 0; p < k; p++ {
				sum += math.Abs(float64(a[i*k+p]) * float64(bAt(p, j)))
			}
			if !closeEnough(c[i*n+j], want[i*n+j], k, sum) {
				t.Fatalf("%s: c[%d,%d] = %v, generic %v", what, i, j, c[i*n+j], want[i*n+j])
			}
		}
	}
}

func TestGemm(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, n := range sizes() {
			for rep := 0; rep < 3; rep++ {
				gemmCase(t, im, r, r.IntN(14), n, r.IntN(10), false)
			}
		}
		gemmCase(t, im, r, 37, 128, 61, false)
		gemmCase(t, im, r, 6, 64, 300, false)
	})
}

func TestGemmNT(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, k := range sizes() {
			for rep := 0; rep < 3; rep++ {
				gemmCase(t, im, r, r.IntN(6), r.IntN(10), k, true)
			}
		}
		gemmCase(t, im, r, 23, 37, 128, true)
	})
}

// TestDeterministic runs each kernel twice on the same input: the results
// must be bit-identical.
func TestDeterministic(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		r := rand.New(rand.NewPCG(9, 10))
		rowPtr, colIdx, val := randCSR(r, 50, 60, 0.3)
		n := 37
		x := randSlice(r, 60*n)
		run := func() ([]float32, []float32, []float32) {
			y := make([]float32, 50*n)
			im.SpMM(rowPtr, colIdx, val, x, y, n)
			out := make([]float32, len(val))
			im.SDDMM(rowPtr, colIdx, y, x, out, n)
			c := make([]float32, 50*60)
			im.GemmNT(50, 60, n, y, x, c)
			return y, out, c
		}
		y1, o1, c1 := run()
		y2, o2, c2 := run()
		for _, p := range [][2][]float32{{y1, y2}, {o1, o2}, {c1, c2}} {
			for i := range p[0] {
				if math.Float32bits(p[0][i]) != math.Float32bits(p[1][i]) {
					t.Fatalf("run 2 differs at %d: %v vs %v", i, p[0][i], p[1][i])
				}
			}
		}
	})
}

// TestBadIndexPanics: a column index outside x must panic in every
// implementation, never read out of bounds.
func TestBadIndexPanics(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		for _, n := range []int{1, 4, 33} {
			for _, bad := range []int32{3, -1, 1 << 30} {
				// The bad index sits among 20 good ones so that the vector
				// paths meet it in a full vector and in a tail.
				for pos := 0; pos < 21; pos += 5 {
					colIdx := make([]int32, 21)
					for i := range colIdx {
						colIdx[i] = int32(i % 3)
					}
					colIdx[pos] = bad
					rowPtr := []int32{0, 21}
					val := make([]float32, 21)
					x := make([]float32, 3*n)
					y := make([]float32, n)
					what := fmt.Sprintf("n=%d col %d at %d", n, bad, pos)
					mustPanic(t, "SpMM "+what, func() { im.SpMM(rowPtr, colIdx, val, x, y, n) })
					out := make([]float32, 21)
					mustPanic(t, "SDDMM "+what, func() { im.SDDMM(rowPtr, colIdx, y, x, out, n) })
					a := make([]float32, n)
					mustPanic(t, "SpMMSDDMM "+what, func() { im.SpMMSDDMM(rowPtr, colIdx, val, x, y, a, out, n) })
				}
			}
		}
	})
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Fatalf("%s: no panic", what)
		}
	}()
	f()
}

// TestShortSlicesPanic: a too-short output or input panics in every
// implementation (the assembly wrappers check lengths before any access).
func TestShortSlicesPanic(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		rowPtr, colIdx, val := []int32{0, 1, 2}, []int32{0, 1}, []float32{1, 1}
		x := make([]float32, 2*8)
		mustPanic(t, "SpMM short y", func() { im.SpMM(rowPtr, colIdx, val, x, make([]float32, 15), 8) })
		mustPanic(t, "SpMM rowPtr past nnz", func() { im.SpMM([]int32{0, 3}, colIdx, []float32{1, 1, 1}, x, make([]float32, 8), 8) })
		mustPanic(t, "SDDMM short a", func() { im.SDDMM(rowPtr, colIdx, make([]float32, 15), x, make([]float32, 2), 8) })
		for _, n := range []int{8, 33} {
			x := make([]float32, 2*n)
			full, short := make([]float32, 2*n), make([]float32, 2*n-1)
			mustPanic(t, "SpMMSDDMM short y", func() { im.SpMMSDDMM(rowPtr, colIdx, val, x, short, full, make([]float32, 2), n) })
			mustPanic(t, "SpMMSDDMM short a", func() { im.SpMMSDDMM(rowPtr, colIdx, val, x, full, short, make([]float32, 2), n) })
			mustPanic(t, "SpMMSDDMM short out", func() { im.SpMMSDDMM(rowPtr, colIdx, val, x, full, full, make([]float32, 1), n) })
		}
		mustPanic(t, "Gemm short c", func() { im.Gemm(2, 8, 2, make([]float32, 4), x, make([]float32, 15)) })
		mustPanic(t, "GemmNT short b", func() { im.GemmNT(2, 8, 2, make([]float32, 4), make([]float32, 15), make([]float32, 16)) })
		mustPanic(t, "Gemm huge n", func() { im.Gemm(2, 1<<62, 2, make([]float32, 4), x, x) })
	})
}

// TestRowSplit: splitting a call by rows gives bit-identical results (the
// property that lets a caller spread rows over goroutines).
func TestRowSplit(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		r := rand.New(rand.NewPCG(23, 24))
		const rows, cols, n, cut = 37, 41, 45, 13
		rowPtr, colIdx, val := randCSR(r, rows, cols, 0.3)
		x := randSlice(r, cols*n)
		whole, split := make([]float32, rows*n), make([]float32, rows*n)
		im.SpMM(rowPtr, colIdx, val, x, whole, n)
		im.SpMM(rowPtr[:cut+1], colIdx, val, x, split[:cut*n], n)
		im.SpMM(rowPtr[cut:], colIdx, val, x, split[cut*n:], n)
		outW, outS := make([]float32, len(val)), make([]float32, len(val))
		im.SDDMM(rowPtr, colIdx, whole, x, outW, n)
		im.SDDMM(rowPtr[:cut+1], colIdx, whole[:cut*n], x, outS, n)
		im.SDDMM(rowPtr[cut:], colIdx, whole[cut*n:], x, outS, n)
		// The fused kernel at n = 45 (its register path with AVX-512).
		av := randSlice(r, rows*n)
		fyW, fyS := make([]float32, rows*n), make([]float32, rows*n)
		foW, foS := make([]float32, len(val)), make([]float32, len(val))
		im.SpMMSDDMM(rowPtr, colIdx, val, x, fyW, av, foW, n)
		im.SpMMSDDMM(rowPtr[:cut+1], colIdx, val, x, fyS[:cut*n], av[:cut*n], foS, n)
		im.SpMMSDDMM(rowPtr[cut:], colIdx, val, x, fyS[cut*n:], av[cut*n:], foS, n)
		a := randSlice(r, rows*cols)
		cW, cS := make([]float32, rows*n), make([]float32, rows*n)
		im.Gemm(rows, n, cols, a, x, cW)
		im.Gemm(cut, n, cols, a[:cut*cols], x, cS[:cut*n])
		im.Gemm(rows-cut, n, cols, a[cut*cols:], x, cS[cut*n:])
		for _, p := range [][2][]float32{{whole, split}, {outW, outS}, {fyW, fyS}, {foW, foS}, {cW, cS}} {
			for i := range p[0] {
				if math.Float32bits(p[0][i]) != math.Float32bits(p[1][i]) {
					t.Fatalf("split result differs at %d: %v vs %v", i, p[1][i], p[0][i])
				}
			}
		}
	})
}

// TestNoAllocs: no kernel allocates (the trainer checks that a training
// step makes no heap allocation).
func TestNoAllocs(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		r := rand.New(rand.NewPCG(25, 26))
		const rows, n = 20, 37
		rowPtr, colIdx, val := randCSR(r, rows, rows, 0.3)
		x, y := randSlice(r, rows*n), make([]float32, rows*n)
		p, g, m, v := randSlice(r, 100), randSlice(r, 100), make([]float32, 100), make([]float32, 100)
		bias, out, c := randSlice(r, rows), make([]float32, len(val)), make([]float32, rows*rows)
		x64, y64 := randSlice(r, rows*64), make([]float32, rows*64) // the fused kernel's n
		calls := map[string]func(){
			"SpMM":     func() { im.SpMM(rowPtr, colIdx, val, x, y, n) },
			"SpMV":     func() { im.SpMM(rowPtr, colIdx, val, x, y, 1) },
			"SDDMM":    func() { im.SDDMM(rowPtr, colIdx, x, y, out, n) },
			"Fused":    func() { im.SpMMSDDMM(rowPtr, colIdx, val, x, y, x, out, n) },
			"Fused64":  func() { im.SpMMSDDMM(rowPtr, colIdx, val, x64, y64, x64, out, 64) },
			"Gemm":     func() { im.Gemm(rows, n, rows, c, x, y) },
			"GemmNT":   func() { im.GemmNT(rows, rows, n, x, y, c) },
			"BiasTanh": func() { im.BiasTanh(y, bias, n) },
			"BiasReLU": func() { im.BiasReLU(y, bias, n) },
			"TanhBack": func() { im.TanhBackward(x, y, y) },
			"ReLUBack": func() { im.ReLUBackward(x, y, y) },
			"RowSums":  func() { im.RowSums(x, bias, n) },
			"Adam":     func() { im.Adam(p, g, m, v, AdamHyper{Beta1: 0.9, Beta2: 0.999, StepSize: 1e-3, BC2Sqrt: 1}) },
			"RMSprop":  func() { im.RMSprop(p, g, v, RMSpropHyper{LR: 1e-3, Alpha: 0.99}) },
			"SGD":      func() { im.SGD(p, g, m, SGDHyper{LR: 1e-3, Momentum: 0.9}) },
		}
		for name, f := range calls {
			if a := testing.AllocsPerRun(10, f); a != 0 {
				t.Errorf("%s: %v allocations per call", name, a)
			}
		}
	})
}

// TestLargeCalls runs calls big enough that the assembly wrappers split
// them into several row (or element) chunks.
func TestLargeCalls(t *testing.T) {
	forImpls(t, func(t *testing.T, im *Impl) {
		r := rand.New(rand.NewPCG(27, 28))
		spmmCase(t, im, r, 400, 300, 70, 0.2)
		spmmCase(t, im, r, 3000, 2000, 1, 0.2)
		sddmmCase(t, im, r, 400, 300, 70, 0.2)
		sddmmCase(t, im, r, 3000, 2000, 1, 0.2)
		gemmCase(t, im, r, 100, 100, 150, false)
		gemmCase(t, im, r, 100, 120, 100, true)

		const rows, n = 600, 131 // more elements than one elementwise chunk
		x0 := randSlice(r, rows*n)
		bias := randSlice(r, rows)
		want, got := append([]float32(nil), x0...), append([]float32(nil), x0...)
		Generic.BiasReLU(want, bias, n)
		im.BiasReLU(got, bias, n)
		sums, sumsWant := make([]float32, rows), make([]float32, rows)
		Generic.RowSums(x0, sumsWant, n)
		im.RowSums(x0, sums, n)
		for i := range got {
			if !sameBits(got[i], want[i]) {
				t.Fatalf("BiasReLU [%d] = %v, generic %v", i, got[i], want[i])
			}
		}
		for i := range sums {
			abs := 0.0
			for _, v := range x0[i*n : i*n+n] {
				abs += math.Abs(float64(v))
			}
			if !closeEnough(sums[i], sumsWant[i], n, abs) {
				t.Fatalf("RowSums [%d] = %v, generic %v", i, sums[i], sumsWant[i])
			}
		}
		g := randSlice(r, rows*n)
		st, wantS := newOptState(r, rows*n, 3)
		h := AdamHyper{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, StepSize: 1e-3, BC2Sqrt: 0.03}
		Generic.Adam(wantS[0], g, wantS[1], wantS[2], h)
		im.Adam(st.arrs[0], g, st.arrs[1], st.arrs[2], h)
		st.check(t, "Adam large", wantS)
	})
}
