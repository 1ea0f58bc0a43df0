package kernels

import "math"

// Generic is the pure-Go implementation: always available, the oracle that
// every assembly implementation is tested against.
var Generic = &Impl{
	Name:         "generic",
	SpMM:         spmmGeneric,
	SDDMM:        sddmmGeneric,
	SpMMSDDMM:    spmmSDDMMGeneric,
	Gemm:         gemmGeneric,
	GemmNT:       gemmNTGeneric,
	BiasTanh:     biasTanhGeneric,
	BiasReLU:     biasReLUGeneric,
	TanhBackward: tanhBackwardGeneric,
	ReLUBackward: reluBackwardGeneric,
	RowSums:      rowSumsGeneric,
	Adam:         adamGeneric,
	RMSprop:      rmspropGeneric,
	SGD:          sgdGeneric,
}

func spmmGeneric(rowPtr, colIdx []int32, val, x, y []float32, n int) {
	for i := 0; i+1 < len(rowPtr); i++ {
		yi := y[i*n : i*n+n]
		for k := rowPtr[i]; k < rowPtr[i+1]; k++ {
			w := val[k]
			j := int(colIdx[k])
			xj := x[j*n : j*n+n]
			for b := range yi {
				yi[b] += w * xj[b]
			}
		}
	}
}

func sddmmGeneric(rowPtr, colIdx []int32, a, b, out []float32, n int) {
	for i := 0; i+1 < len(rowPtr); i++ {
		ai := a[i*n : i*n+n]
		for k := rowPtr[i]; k < rowPtr[i+1]; k++ {
			j := int(colIdx[k])
			bj := b[j*n : j*n+n]
			var s float32
			for t := range ai {
				s += ai[t] * bj[t]
			}
			out[k] += s
		}
	}
}

func spmmSDDMMGeneric(rowPtr, colIdx []int32, val, x, y, a, out []float32, n int) {
	spmmGeneric(rowPtr, colIdx, val, x, y, n)
	sddmmGeneric(rowPtr, colIdx, a, x, out, n)
}

func gemmGeneric(m, n, k int, a, b, c []float32) {
	for i := 0; i < m; i++ {
		ci := c[i*n : i*n+n]
		for p := 0; p < k; p++ {
			w := a[i*k+p]
			bp := b[p*n : p*n+n]
			for j := range ci {
				ci[j] += w * bp[j]
			}
		}
	}
}

func gemmNTGeneric(m, n, k int, a, b, c []float32) {
	for i := 0; i < m; i++ {
		ai := a[i*k : i*k+k]
		for j := 0; j < n; j++ {
			bj := b[j*k : j*k+k]
			var s float32
			for p := range ai {
				s += ai[p] * bj[p]
			}
			c[i*n+j] += s
		}
	}
}

func biasTanhGeneric(x, bias []float32, n int) {
	for i, bi := range bias {
		xi := x[i*n : i*n+n]
		for j := range xi {
			xi[j] = float32(math.Tanh(float64(xi[j] + bi)))
		}
	}
}

func biasReLUGeneric(x, bias []float32, n int) {
	for i, bi := range bias {
		xi := x[i*n : i*n+n]
		for j := range xi {
			v := xi[j] + bi
			if v < 0 {
				v = 0
			}
			xi[j] = v
		}
	}
}

func tanhBackwardGeneric(dy, y, dx []float32) {
	for j := range dx {
		dx[j] = dy[j] * (1 - y[j]*y[j])
	}
}

func reluBackwardGeneric(dy, y, dx []float32) {
	for j := range dx {
		if y[j] > 0 {
			dx[j] = dy[j]
		} else {
			dx[j] = 0
		}
	}
}

func rowSumsGeneric(x, out []float32, n int) {
	for i := range out {
		var s float32
		for _, v := range x[i*n : i*n+n] {
			s += v
		}
		out[i] += s
	}
}

func adamGeneric(p, g, m, v []float32, h AdamHyper) {
	for i := range p {
		gi := g[i] + h.WeightDecay*p[i]
		m[i] = h.Beta1*m[i] + (1-h.Beta1)*gi
		v[i] = h.Beta2*v[i] + (1-h.Beta2)*gi*gi
		denom := float32(math.Sqrt(float64(v[i])))/h.BC2Sqrt + h.Eps
		p[i] -= h.StepSize * m[i] / denom
	}
}

func rmspropGeneric(p, g, s []float32, h RMSpropHyper) {
	for i := range p {
		gi := g[i] + h.WeightDecay*p[i]
		s[i] = h.Alpha*s[i] + (1-h.Alpha)*gi*gi
		p[i] -= h.LR * gi / (float32(math.Sqrt(float64(s[i]))) + h.Eps)
	}
}

func sgdGeneric(p, g, buf []float32, h SGDHyper) {
	for i := range p {
		gi := g[i] + h.WeightDecay*p[i]
		if h.Momentum != 0 {
			if h.First {
				buf[i] = gi
			} else {
				buf[i] = h.Momentum*buf[i] + (1-h.Dampening)*gi
			}
			if h.Nesterov {
				gi += h.Momentum * buf[i]
			} else {
				gi = buf[i]
			}
		}
		p[i] -= h.LR * gi
	}
}
