package connectome

import "math"

// Spectral radius of a nonnegative matrix without computing every
// eigenvalue. Connectome weights are nonnegative, and for those
// Perron-Frobenius theory gives a cheap, certified route: the spectral
// radius is the largest of the spectral radii of the strongly connected
// components, and within a component (irreducible) it is an eigenvalue with
// a positive eigenvector that power iteration finds. For any positive x the
// Collatz-Wielandt bounds min_i (Ax)_i/x_i <= rho <= max_i (Ax)_i/x_i hold,
// so the iteration stops on a bracket, not on a guess.

// perronMinSize is the matrix size from which SpectralRadius tries
// perronRadius first: below it the dense QR method takes milliseconds.
const perronMinSize = 256

// perronMaxWork caps perronRadius's multiply-adds for an n x n matrix: n^3,
// a tenth of the dense method's work, and at most 2^36 (about a minute).
// A matrix whose bounds have not closed by then goes to the dense method.
// (The up-scaled human network at 175 neurons per region, n = 9,975 and 17
// million connections, needs 148 iterations, 2.5e9, about 7 s.)
func perronMaxWork(n int) int { return min(n*n*n, 1<<36) }

// perronRadius returns the spectral radius of the entrywise nonnegative
// square matrix w to relative accuracy relTol. ok is false if w has a
// negative entry or a component's bounds did not close within maxWork
// multiply-adds.
func perronRadius(w *Dense, relTol float64, maxWork int) (rho float64, ok bool) {
	return perronRadiusScaled(w, relTol, maxWork, 0)
}

// perronRadiusScaled is perronRadius of w/2^e (see scaleExponent): the
// iteration sees entries scaled so that its sums cannot overflow.
func perronRadiusScaled(w *Dense, relTol float64, maxWork, e int) (rho float64, ok bool) {
	n := w.Rows
	rowPtr := make([]int, n+1)
	var cols []int
	var vals []float64
	for i := 0; i < n; i++ {
		for j, v := range w.Data[i*n : (i+1)*n] {
			if v < 0 {
				return 0, false
			}
			if v != 0 {
				cols = append(cols, j)
				vals = append(vals, math.Ldexp(v, -e))
			}
		}
		rowPtr[i+1] = len(cols)
	}
	work := 0
	for _, comp := range strongComponents(n, rowPtr, cols) {
		if len(comp) == 1 {
			rho = math.Max(rho, math.Ldexp(w.Data[comp[0]*n+comp[0]], -e))
			continue
		}
		r, spent, done := componentRadius(comp, rowPtr, cols, vals, rho, relTol, maxWork-work)
		work += spent
		if !done {
			return 0, false
		}
		rho = math.Max(rho, r)
	}
	return rho, true
}

// componentRadius power-iterates on the submatrix of the strongly connected
// component comp (indices into the CSR rows). The iteration uses A + s*I
// with s > 0, which is primitive when A is irreducible, so x converges to
// the Perron vector; the bounds are those of A itself. It stops early, with
// done true, once the upper bound shows the component cannot exceed floor.
func componentRadius(comp, rowPtr, cols []int, vals []float64, floor, relTol float64, budget int) (rho float64, work int, done bool) {
	local := make(map[int]int, len(comp))
	for k, i := range comp {
		local[i] = k
	}
	// The component's own entries, re-indexed 0..len(comp)-1.
	ptr := make([]int, len(comp)+1)
	var lc []int
	var lv []float64
	for k, i := range comp {
		for p := rowPtr[i]; p < rowPtr[i+1]; p++ {
			if c, in := local[cols[p]]; in {
				lc = append(lc, c)
				lv = append(lv, vals[p])
			}
		}
		ptr[k+1] = len(lc)
	}
	x := make([]float64, len(comp))
	y := make([]float64, len(comp))
	for k := range x {
		x[k] = 1
	}
	for work+len(lv) <= budget {
		lo, hi := math.Inf(1), 0.0
		for k := range y {
			s := 0.0
			for p := ptr[k]; p < ptr[k+1]; p++ {
				s += lv[p] * x[lc[p]]
			}
			y[k] = s
			r := s / x[k]
			lo, hi = math.Min(lo, r), math.Max(hi, r)
		}
		work += len(lv)
		if hi <= floor || hi-lo <= relTol*hi {
			return (lo + hi) / 2, work, true
		}
		// Shift by the lower bound (a scale of rho; positive in an
		// irreducible component after the first step), then normalise.
		shift := math.Max(lo, hi*1e-3)
		top := 0.0
		for k := range x {
			x[k] = y[k] + shift*x[k]
			top = math.Max(top, x[k])
		}
		for k := range x {
			x[k] /= top
		}
	}
	return 0, work, false
}

// strongComponents returns the strongly connected components of the
// directed graph with edges i -> cols[p] for p in rowPtr[i]..rowPtr[i+1]
// (Tarjan's algorithm, iterative so that long paths cannot overflow the
// stack).
func strongComponents(n int, rowPtr, cols []int) [][]int {
	index := make([]int, n) // 0 = unvisited, else visit order + 1
	low := make([]int, n)
	onStack := make([]bool, n)
	var comps [][]int
	var path []int
	type frame struct{ v, p int }
	var calls []frame
	next := 1
	for root := 0; root < n; root++ {
		if index[root] != 0 {
			continue
		}
		calls = append(calls[:0], frame{root, rowPtr[root]})
		index[root], low[root] = next, next
		next++
		path = append(path, root)
		onStack[root] = true
		for len(calls) > 0 {
			f := &calls[len(calls)-1]
			v := f.v
			if f.p < rowPtr[v+1] {
				u := cols[f.p]
				f.p++
				if index[u] == 0 {
					index[u], low[u] = next, next
					next++
					path = append(path, u)
					onStack[u] = true
					calls = append(calls, frame{u, rowPtr[u]})
				} else if onStack[u] {
					low[v] = min(low[v], index[u])
				}
				continue
			}
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				parent := calls[len(calls)-1].v
				low[parent] = min(low[parent], low[v])
			}
			if low[v] == index[v] {
				var comp []int
				for {
					u := path[len(path)-1]
					path = path[:len(path)-1]
					onStack[u] = false
					comp = append(comp, u)
					if u == v {
						break
					}
				}
				comps = append(comps, comp)
			}
		}
	}
	return comps
}
