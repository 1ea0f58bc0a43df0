// Package kernels holds the float32 compute kernels of the recurrent update.
//
// Layout convention: a state or gradient matrix is neuron-major with the batch
// contiguous, so row i of an (rows x n) matrix is x[i*n : i*n+n]. A sparse
// weight matrix is CSR by target row: the kept weights of row i are
// val[rowPtr[i]:rowPtr[i+1]] at columns colIdx[...].
//
// Every implementation (the pure-Go generic one, the test oracle, and the
// assembly ones) fills the same Impl, so callers pick one value and use it for
// a whole run: the same Impl and inputs give bit-identical results.
package kernels

// Impl is one implementation of every kernel. All kernels accumulate or update
// in place and never allocate.
type Impl struct {
	Name string

	// SpMM: y[i*n:(i+1)*n] += sum_k val[k] * x[colIdx[k]*n : colIdx[k]*n+n]
	// for every row i in [0, len(rowPtr)-1).
	SpMM func(rowPtr, colIdx []int32, val, x, y []float32, n int)

	// SDDMM: out[k] += dot(a[i*n:i*n+n], b[colIdx[k]*n:colIdx[k]*n+n]) for every
	// kept position k of row i.
	SDDMM func(rowPtr, colIdx []int32, a, b, out []float32, n int)

	// Gemm: C(m x n) += A(m x k) * B(k x n), all row-major and contiguous.
	Gemm func(m, n, k int, a, b, c []float32)

	// GemmNT: C(m x n) += A(m x k) * B(n x k)^T, all row-major and contiguous.
	GemmNT func(m, n, k int, a, b, c []float32)

	// BiasTanh / BiasReLU: x[i*n+j] = act(x[i*n+j] + bias[i]).
	BiasTanh func(x, bias []float32, n int)
	BiasReLU func(x, bias []float32, n int)

	// TanhBackward: dx[j] = dy[j] * (1 - y[j]*y[j]), y being tanh's output.
	TanhBackward func(dy, y, dx []float32)
	// ReLUBackward: dx[j] = dy[j] if y[j] > 0 else 0, y being relu's output.
	ReLUBackward func(dy, y, dx []float32)

	// RowSums: out[i] += sum_j x[i*n+j] (bias gradients).
	RowSums func(x, out []float32, n int)

	// Adam applies PyTorch's Adam update (weight decay added to the gradient,
	// as torch.optim.Adam does) to every element:
	//   g' = g + wd*p; m = b1*m + (1-b1)*g'; v = b2*v + (1-b2)*g'^2
	//   p -= stepSize * m / (sqrt(v)/bc2Sqrt + eps)
	// with stepSize = lr/(1-b1^t) and bc2Sqrt = sqrt(1-b2^t) computed by the caller.
	Adam func(p, g, m, v []float32, h AdamHyper)

	// RMSprop applies PyTorch's RMSprop (no momentum, not centered):
	//   g' = g + wd*p; s = alpha*s + (1-alpha)*g'^2; p -= lr * g' / (sqrt(s) + eps)
	RMSprop func(p, g, s []float32, h RMSpropHyper)

	// SGD applies PyTorch's SGD. With momentum 0 buf is unused (may be nil):
	//   g' = g + wd*p; buf = first ? g' : momentum*buf + (1-dampening)*g'
	//   d = nesterov ? g' + momentum*buf : buf; p -= lr * d
	SGD func(p, g, buf []float32, h SGDHyper)
}

// AdamHyper holds the per-step scalars of one Adam update.
type AdamHyper struct {
	Beta1, Beta2, Eps, WeightDecay float32
	StepSize                       float32 // lr / (1 - beta1^t)
	BC2Sqrt                        float32 // sqrt(1 - beta2^t)
}

// RMSpropHyper holds the scalars of one RMSprop update.
type RMSpropHyper struct {
	LR, Alpha, Eps, WeightDecay float32
}

// SGDHyper holds the scalars of one SGD update.
type SGDHyper struct {
	LR, Momentum, Dampening, WeightDecay float32
	Nesterov                             bool
	First                                bool // first step: the momentum buffer is set to the gradient
}
