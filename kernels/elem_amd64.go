//go:build !purego && !noasm

package kernels

import "fmt"

// elemAsm selects one instruction set's elementwise assembly; its methods
// are the Impl kernels: they check the lengths as the generic code would (a
// too-short slice panics) and call the assembly on the whole array at once.
// The assembly is called directly, never through a function value, so that
// the hyper-parameter arrays stay on the stack (no allocation per call), and
// in chunks of about elemBudget elements (see callBudget).
type elemAsm struct{ wide bool }

var (
	avx512Elem = elemAsm{wide: true}
	avx2Elem   = elemAsm{wide: false}
)

func needLen(kernel, name string, have, want int) {
	if have < want {
		panic(fmt.Sprintf("kernels: %s: len(%s) = %d, need %d", kernel, name, have, want))
	}
}

// rowsCheck validates the (len(bias) rows x n) shape of x for the bias
// kernels and RowSums, and reports whether there is any work.
func rowsCheck(kernel string, lx, rows, n int) bool {
	if n < 0 {
		panic(fmt.Sprintf("kernels: %s: negative n %d", kernel, n))
	}
	if rows == 0 || n == 0 {
		return false
	}
	if rows > lx/n {
		panic(fmt.Sprintf("kernels: %s: len(x) = %d, need %d rows x %d", kernel, lx, rows, n))
	}
	return true
}

func (e elemAsm) biasReLU(x, bias []float32, n int) {
	if !rowsCheck("BiasReLU", len(x), len(bias), n) {
		return
	}
	rowChunks(len(bias), elemBudget/n, 1, func(r0, r1 int) {
		if e.wide {
			biasReLUAVX512(&x[r0*n], &bias[r0], r1-r0, n)
		} else {
			biasReLUAVX2(&x[r0*n], &bias[r0], r1-r0, n)
		}
	})
}

func (e elemAsm) biasTanh(x, bias []float32, n int) {
	if !rowsCheck("BiasTanh", len(x), len(bias), n) {
		return
	}
	rowChunks(len(bias), elemBudget/n, 1, func(r0, r1 int) {
		if e.wide {
			biasTanhAVX512(&x[r0*n], &bias[r0], r1-r0, n)
		} else {
			biasTanhAVX2(&x[r0*n], &bias[r0], r1-r0, n)
		}
	})
}

func (e elemAsm) reluBackward(dy, y, dx []float32) {
	if len(dx) == 0 {
		return
	}
	needLen("ReLUBackward", "dy", len(dy), len(dx))
	needLen("ReLUBackward", "y", len(y), len(dx))
	rowChunks(len(dx), elemBudget, 64, func(i0, i1 int) {
		if e.wide {
			reluBackwardAVX512(&dy[i0], &y[i0], &dx[i0], i1-i0)
		} else {
			reluBackwardAVX2(&dy[i0], &y[i0], &dx[i0], i1-i0)
		}
	})
}

func (e elemAsm) tanhBackward(dy, y, dx []float32) {
	if len(dx) == 0 {
		return
	}
	needLen("TanhBackward", "dy", len(dy), len(dx))
	needLen("TanhBackward", "y", len(y), len(dx))
	rowChunks(len(dx), elemBudget, 64, func(i0, i1 int) {
		if e.wide {
			tanhBackwardAVX512(&dy[i0], &y[i0], &dx[i0], i1-i0)
		} else {
			tanhBackwardAVX2(&dy[i0], &y[i0], &dx[i0], i1-i0)
		}
	})
}

func (e elemAsm) rowSums(x, out []float32, n int) {
	if !rowsCheck("RowSums", len(x), len(out), n) {
		return
	}
	rowChunks(len(out), elemBudget/n, 1, func(r0, r1 int) {
		if e.wide {
			rowSumsAVX512(&x[r0*n], &out[r0], r1-r0, n)
		} else {
			rowSumsAVX2(&x[r0*n], &out[r0], r1-r0, n)
		}
	})
}

func (e elemAsm) adam(p, g, m, v []float32, h AdamHyper) {
	if len(p) == 0 {
		return
	}
	needLen("Adam", "g", len(g), len(p))
	needLen("Adam", "m", len(m), len(p))
	needLen("Adam", "v", len(v), len(p))
	hy := [8]float32{h.WeightDecay, h.Beta1, 1 - h.Beta1, h.Beta2, 1 - h.Beta2, h.BC2Sqrt, h.Eps, h.StepSize}
	rowChunks(len(p), elemBudget, 64, func(i0, i1 int) {
		if e.wide {
			adamAVX512(&p[i0], &g[i0], &m[i0], &v[i0], i1-i0, &hy)
		} else {
			adamAVX2(&p[i0], &g[i0], &m[i0], &v[i0], i1-i0, &hy)
		}
	})
}

func (e elemAsm) rmsprop(p, g, s []float32, h RMSpropHyper) {
	if len(p) == 0 {
		return
	}
	needLen("RMSprop", "g", len(g), len(p))
	needLen("RMSprop", "s", len(s), len(p))
	hy := [8]float32{h.WeightDecay, h.Alpha, 1 - h.Alpha, h.LR, h.Eps}
	rowChunks(len(p), elemBudget, 64, func(i0, i1 int) {
		if e.wide {
			rmspropAVX512(&p[i0], &g[i0], &s[i0], i1-i0, &hy)
		} else {
			rmspropAVX2(&p[i0], &g[i0], &s[i0], i1-i0, &hy)
		}
	})
}

func (e elemAsm) sgd(p, g, buf []float32, h SGDHyper) {
	if len(p) == 0 {
		return
	}
	needLen("SGD", "g", len(g), len(p))
	mode := 0 // bit 0: momentum, bit 1: first step, bit 2: Nesterov
	if h.Momentum != 0 {
		needLen("SGD", "buf", len(buf), len(p))
		mode = 1
		if h.First {
			mode |= 2
		}
		if h.Nesterov {
			mode |= 4
		}
	}
	hy := [8]float32{h.WeightDecay, h.Momentum, 1 - h.Dampening, h.LR}
	rowChunks(len(p), elemBudget, 64, func(i0, i1 int) {
		var bp *float32 // unused without momentum (buf may be nil)
		if mode != 0 {
			bp = &buf[i0]
		}
		if e.wide {
			sgdAVX512(&p[i0], &g[i0], bp, i1-i0, &hy, mode)
		} else {
			sgdAVX2(&p[i0], &g[i0], bp, i1-i0, &hy, mode)
		}
	})
}
