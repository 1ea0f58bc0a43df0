package connectome

import (
	"fmt"
	"math"
	"slices"
)

// Stats are graph statistics of a weighted directed network W (W.At(i, j) =
// weight of the edge i -> j). An edge is a nonzero entry.
type Stats struct {
	N         int // nodes
	NNZ       int // nonzero entries, self-connections (diagonal) included
	SelfLoops int // nonzero diagonal entries
	// Density is the share of the N(N-1) off-diagonal positions that hold an
	// edge (0 for N < 2).
	Density float64
	// Reciprocity is the share of off-diagonal edges i -> j whose reverse
	// j -> i also exists (0 without off-diagonal edges).
	Reciprocity float64
	// Degrees count edges, strengths sum weights; both include
	// self-connections. Out = along the row (source i), in = down the
	// column (target j).
	InDegree, OutDegree     []int
	InStrength, OutStrength []float64
	TotalWeight             float64 // sum of all entries
	// SpectralRadius is max |lambda| over the (complex) eigenvalues of W.
	SpectralRadius float64
}

// checkFiniteSquare returns an error unless w is a well-formed square matrix
// of finite values.
func checkFiniteSquare(w *Dense, what string) error {
	if w == nil {
		return fmt.Errorf("%s: matrix is nil", what)
	}
	if err := w.CheckSquare(what); err != nil {
		return err
	}
	if len(w.Data) != w.Rows*w.Cols {
		return fmt.Errorf("%s: matrix data has %d values, expected %d for %dx%d", what, len(w.Data), w.Rows*w.Cols, w.Rows, w.Cols)
	}
	for k, v := range w.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: entry [%d,%d] is %v, expected a finite value", what, k/w.Cols, k%w.Cols, v)
		}
	}
	return nil
}

// ComputeStats returns the statistics of the square matrix w. The spectral
// radius costs O(n^3) for small or signed matrices (about 50 ms at n = 220)
// and usually far less for large nonnegative ones (see SpectralRadius);
// GraphStats skips it.
func ComputeStats(w *Dense) (Stats, error) {
	s, err := graphStats(w, "connectome: ComputeStats")
	if err != nil {
		return Stats{}, err
	}
	rho, err := SpectralRadius(w)
	if err != nil {
		return Stats{}, err
	}
	s.SpectralRadius = rho
	return s, nil
}

// GraphStats is ComputeStats without the spectral radius (left NaN): O(n^2).
func GraphStats(w *Dense) (Stats, error) {
	s, err := graphStats(w, "connectome: GraphStats")
	if err != nil {
		return Stats{}, err
	}
	s.SpectralRadius = math.NaN()
	return s, nil
}

func graphStats(w *Dense, what string) (Stats, error) {
	if err := checkFiniteSquare(w, what); err != nil {
		return Stats{}, err
	}
	n := w.Rows
	s := Stats{
		N:           n,
		InDegree:    make([]int, n),
		OutDegree:   make([]int, n),
		InStrength:  make([]float64, n),
		OutStrength: make([]float64, n),
	}
	offEdges, mutual := 0, 0
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v := w.At(i, j)
			s.TotalWeight += v
			if v == 0 {
				continue
			}
			s.NNZ++
			s.OutDegree[i]++
			s.InDegree[j]++
			s.OutStrength[i] += v
			s.InStrength[j] += v
			if i == j {
				s.SelfLoops++
				continue
			}
			offEdges++
			if w.At(j, i) != 0 {
				mutual++
			}
		}
	}
	if n > 1 {
		s.Density = float64(offEdges) / float64(n*(n-1))
	}
	if offEdges > 0 {
		s.Reciprocity = float64(mutual) / float64(offEdges)
	}
	return s, nil
}

// SpectralRadius returns max |lambda| over the eigenvalues of the real square
// matrix w, which need not be symmetric: dominant eigenvalues may be a
// complex pair or several of equal modulus, where power iteration fails. All
// eigenvalues are computed: balancing, Householder reduction to Hessenberg
// form, then Francis double-shift QR (the EISPACK hqr scheme). O(n^3).
// Nonnegative matrices of perronMinSize rows or more (every connectome and
// up-scaled network) take the Perron-Frobenius route first: power
// iteration per strongly connected component until the Collatz-Wielandt
// bounds agree to 1e-12 relative, O(nnz) per iteration; the dense method
// remains the fallback.
func SpectralRadius(w *Dense) (float64, error) {
	if err := checkFiniteSquare(w, "connectome: SpectralRadius"); err != nil {
		return 0, err
	}
	e := scaleExponent(w.Data)
	if w.Rows >= perronMinSize {
		if rho, ok := perronRadiusScaled(w, 1e-12, perronMaxWork(w.Rows), e); ok {
			return unscaleRadius(rho, e, w)
		}
	}
	re, im, err := eigenvaluesScaled(w, e)
	if err != nil {
		return 0, err
	}
	rho := 0.0
	for k := range re {
		rho = math.Max(rho, math.Hypot(re[k], im[k]))
	}
	return unscaleRadius(rho, e, w)
}

// scaleExponent returns the power of two e by which the eigenvalue
// routines divide a matrix of entries data: 0 when the largest magnitude
// is within 2^±64, else its binary exponent, so that the scaled entries are
// below 1 in magnitude and sums and squares of them cannot overflow (nor
// vanish). Scaling by a power of two is exact and the eigenvalues scale
// with it, so the result is the same as without scaling.
func scaleExponent(data []float64) int {
	top := 0.0
	for _, v := range data {
		top = math.Max(top, math.Abs(v))
	}
	if top == 0 {
		return 0
	}
	_, e := math.Frexp(top)
	if e >= -64 && e <= 64 {
		return 0
	}
	return e
}

// unscaleRadius multiplies the radius rho of w/2^e by 2^e; a radius beyond
// float64 is an error.
func unscaleRadius(rho float64, e int, w *Dense) (float64, error) {
	r := math.Ldexp(rho, e)
	if math.IsInf(r, 0) {
		return 0, fmt.Errorf("connectome: SpectralRadius: the spectral radius (%g x 2^%d) exceeds the float64 range (largest entry %g); scale the weights down", rho, e, math.Ldexp(1, e))
	}
	return r, nil
}

// Eigenvalues returns the real and imaginary parts of the eigenvalues of the
// real square matrix w (complex ones in conjugate pairs), in no particular
// order. w is not modified. Matrices of huge or tiny entries are scaled by
// a power of two for the computation (see scaleExponent); an eigenvalue
// beyond the float64 range is an error.
func Eigenvalues(w *Dense) (re, im []float64, err error) {
	if err := checkFiniteSquare(w, "connectome: Eigenvalues"); err != nil {
		return nil, nil, err
	}
	e := scaleExponent(w.Data)
	re, im, err = eigenvaluesScaled(w, e)
	if err != nil {
		return nil, nil, err
	}
	for k := range re {
		re[k], im[k] = math.Ldexp(re[k], e), math.Ldexp(im[k], e)
		if math.IsInf(re[k], 0) || math.IsInf(im[k], 0) {
			return nil, nil, fmt.Errorf("connectome: Eigenvalues: an eigenvalue exceeds the float64 range (largest entry about 2^%d); scale the weights down", e)
		}
	}
	return re, im, nil
}

// eigenvaluesScaled returns the eigenvalues of w/2^e.
func eigenvaluesScaled(w *Dense, e int) (re, im []float64, err error) {
	n := w.Rows
	a := make([][]float64, n)
	for i := range a {
		a[i] = append([]float64(nil), w.Data[i*n:(i+1)*n]...)
		if e != 0 {
			for j, v := range a[i] {
				a[i][j] = math.Ldexp(v, -e)
			}
		}
	}
	balance(a)
	hessenberg(a)
	re, im = make([]float64, n), make([]float64, n)
	if err := hessenbergEigen(a, re, im); err != nil {
		return nil, nil, err
	}
	return re, im, nil
}

// balance applies an exact (powers of two) diagonal similarity that makes the
// norms of row i and column i comparable, which shrinks the matrix norm and
// so the rounding error of the QR iteration (Parlett and Reinsch).
func balance(a [][]float64) {
	const radix = 2.0
	n := len(a)
	for done := false; !done; {
		done = true
		for i := 0; i < n; i++ {
			var c, r float64
			for j := 0; j < n; j++ {
				if j != i {
					c += math.Abs(a[j][i])
					r += math.Abs(a[i][j])
				}
			}
			if c == 0 || r == 0 {
				continue
			}
			s := c + r
			f := 1.0
			for g := r / radix; c < g; {
				f *= radix
				c *= radix * radix
			}
			for g := r * radix; c > g; {
				f /= radix
				c /= radix * radix
			}
			if (c+r)/f < 0.95*s {
				done = false
				for j := 0; j < n; j++ {
					a[i][j] /= f
					a[j][i] *= f
				}
			}
		}
	}
}

// hessenberg reduces a in place to upper Hessenberg form by Householder
// similarity transforms (entries below the first subdiagonal become zero).
func hessenberg(a [][]float64) {
	n := len(a)
	v, d := make([]float64, n), make([]float64, n)
	for k := 0; k < n-2; k++ {
		scale := 0.0
		for i := k + 1; i < n; i++ {
			scale = math.Max(scale, math.Abs(a[i][k]))
		}
		if scale == 0 {
			continue
		}
		norm2 := 0.0
		for i := k + 1; i < n; i++ {
			v[i] = a[i][k] / scale
			norm2 += v[i] * v[i]
		}
		alpha := math.Sqrt(norm2)
		if v[k+1] > 0 {
			alpha = -alpha
		}
		v[k+1] -= alpha
		vv := 0.0
		for i := k + 1; i < n; i++ {
			vv += v[i] * v[i]
		}
		if vv == 0 {
			continue
		}
		// Left: A[k+1:, k:] -= (2/vv) v (v^T A[k+1:, k:]), row by row
		// for memory locality.
		for j := k; j < n; j++ {
			d[j] = 0
		}
		for i := k + 1; i < n; i++ {
			vi, row := v[i], a[i]
			for j := k; j < n; j++ {
				d[j] += vi * row[j]
			}
		}
		for i := k + 1; i < n; i++ {
			f, row := 2/vv*v[i], a[i]
			for j := k; j < n; j++ {
				row[j] -= f * d[j]
			}
		}
		// Right: A[:, k+1:] -= (2/vv) (A[:, k+1:] v) v^T.
		for i := 0; i < n; i++ {
			row := a[i]
			dot := 0.0
			for j := k + 1; j < n; j++ {
				dot += row[j] * v[j]
			}
			dot *= 2 / vv
			for j := k + 1; j < n; j++ {
				row[j] -= dot * v[j]
			}
		}
		a[k+1][k] = alpha * scale
		for i := k + 2; i < n; i++ {
			a[i][k] = 0
		}
	}
}

// sign returns |a| with the sign of b.
func sign(a, b float64) float64 {
	if b >= 0 {
		return math.Abs(a)
	}
	return -math.Abs(a)
}

// hessenbergEigen finds all eigenvalues of the upper Hessenberg matrix a
// (destroyed) by the Francis implicit double-shift QR iteration with
// deflation and exceptional shifts.
func hessenbergEigen(a [][]float64, wr, wi []float64) error {
	n := len(a)
	anorm := 0.0
	for i := 0; i < n; i++ {
		for j := max(i-1, 0); j < n; j++ {
			anorm += math.Abs(a[i][j])
		}
	}
	const maxIts = 60
	var shift float64 // accumulated exceptional shifts
	for nn := n - 1; nn >= 0; {
		its := 0
		for {
			// Find the lowest l with a negligible subdiagonal a[l][l-1].
			l := nn
			for ; l >= 1; l-- {
				s := math.Abs(a[l-1][l-1]) + math.Abs(a[l][l])
				if s == 0 {
					s = anorm
				}
				if math.Abs(a[l][l-1])+s == s {
					a[l][l-1] = 0
					break
				}
			}
			x := a[nn][nn]
			if l == nn { // one real eigenvalue deflates
				wr[nn], wi[nn] = x+shift, 0
				nn--
				break
			}
			y := a[nn-1][nn-1]
			w := a[nn][nn-1] * a[nn-1][nn]
			if l == nn-1 { // a 2x2 block deflates: two eigenvalues
				p := 0.5 * (y - x)
				q := p*p + w
				z := math.Sqrt(math.Abs(q))
				x += shift
				if q >= 0 {
					z = p + sign(z, p)
					wr[nn-1], wr[nn] = x+z, x+z
					if z != 0 {
						wr[nn] = x - w/z
					}
					wi[nn-1], wi[nn] = 0, 0
				} else {
					wr[nn-1], wr[nn] = x+p, x+p
					wi[nn-1], wi[nn] = z, -z
				}
				nn -= 2
				break
			}
			if its == maxIts {
				return fmt.Errorf("connectome: eigenvalues: QR iteration did not converge after %d iterations for eigenvalue %d", maxIts, nn)
			}
			if its%10 == 0 && its > 0 { // exceptional shift breaks cycles
				shift += x
				for i := 0; i <= nn; i++ {
					a[i][i] -= x
				}
				s := math.Abs(a[nn][nn-1]) + math.Abs(a[nn-1][nn-2])
				x = 0.75 * s
				y = x
				w = -0.4375 * s * s
			}
			its++
			// Find m where the double shift can start: two consecutive
			// small subdiagonal elements, or l.
			var p, q, r, z float64
			m := nn - 2
			for ; m >= l; m-- {
				z = a[m][m]
				r = x - z
				s := y - z
				p = (r*s-w)/a[m+1][m] + a[m][m+1]
				q = a[m+1][m+1] - z - r - s
				r = a[m+2][m+1]
				if s = math.Abs(p) + math.Abs(q) + math.Abs(r); s != 0 {
					p, q, r = p/s, q/s, r/s
				}
				if m == l {
					break
				}
				u := math.Abs(a[m][m-1]) * (math.Abs(q) + math.Abs(r))
				v := math.Abs(p) * (math.Abs(a[m-1][m-1]) + math.Abs(z) + math.Abs(a[m+1][m+1]))
				if u+v == v {
					break
				}
			}
			for i := m + 2; i <= nn; i++ {
				a[i][i-2] = 0
				if i != m+2 {
					a[i][i-3] = 0
				}
			}
			// Double QR step on rows l..nn, columns m..nn (bulge chase).
			for k := m; k <= nn-1; k++ {
				if k != m {
					p = a[k][k-1]
					q = a[k+1][k-1]
					r = 0
					if k != nn-1 {
						r = a[k+2][k-1]
					}
					x = math.Abs(p) + math.Abs(q) + math.Abs(r)
					if x != 0 {
						p, q, r = p/x, q/x, r/x
					}
				}
				s := sign(math.Sqrt(p*p+q*q+r*r), p)
				if s == 0 {
					continue
				}
				if k == m {
					if l != m {
						a[k][k-1] = -a[k][k-1]
					}
				} else {
					a[k][k-1] = -s * x
				}
				p += s
				x = p / s
				y = q / s
				z = r / s
				q /= p
				r /= p
				for j := k; j <= nn; j++ {
					p = a[k][j] + q*a[k+1][j]
					if k != nn-1 {
						p += r * a[k+2][j]
						a[k+2][j] -= p * z
					}
					a[k+1][j] -= p * y
					a[k][j] -= p * x
				}
				top := min(nn, k+3)
				for i := l; i <= top; i++ {
					p = x*a[i][k] + y*a[i][k+1]
					if k != nn-1 {
						p += z * a[i][k+2]
						a[i][k+2] -= p * r
					}
					a[i][k+1] -= p * q
					a[i][k] -= p
				}
			}
		}
	}
	return nil
}

// EdgeStats is GraphStats of a neuron-level network held as edges (sorted
// by (pre, post), no duplicates), without any N x N array; the spectral
// radius is left NaN.
func EdgeStats(net *NeuronNetwork) Stats {
	n := net.Neurons
	s := Stats{N: n, NNZ: len(net.Pre), InDegree: make([]int, n), OutDegree: make([]int, n),
		InStrength: make([]float64, n), OutStrength: make([]float64, n), SpectralRadius: math.NaN()}
	keys := make([]uint64, 0, len(net.Pre))
	for k := range net.Pre {
		i, j, w := net.Pre[k], net.Post[k], float64(net.Weight[k])
		s.OutDegree[i]++
		s.InDegree[j]++
		s.OutStrength[i] += w
		s.InStrength[j] += w
		s.TotalWeight += w
		if i == j {
			s.SelfLoops++
		} else {
			keys = append(keys, uint64(uint32(i))<<32|uint64(uint32(j)))
		}
	}
	off := len(keys)
	if n >= 2 {
		s.Density = float64(off) / (float64(n) * float64(n-1))
	}
	if off > 0 {
		recip := 0
		for _, key := range keys { // keys are sorted: (pre, post) order
			if _, ok := slices.BinarySearch(keys, key<<32|key>>32); ok {
				recip++
			}
		}
		s.Reciprocity = float64(recip) / float64(off)
	}
	return s
}
