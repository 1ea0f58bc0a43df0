package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The elementwise kernels evaluate exactly the operations of the generic Go
// code in the same order, without fused multiply-adds, so that they agree
// with it to the last bit on a Go build that does not fuse either.

// ew is one vector step of an elementwise loop: byte offset j, and the tail
// mask on the last, partial step (nil on full steps).
type ew struct {
	s    isa
	j    GPVirtual
	mask Register
}

func (e ew) at(base GPVirtual) Mem { return Mem{Base: base, Index: e.j, Scale: 1} }

func (e ew) load(base GPVirtual) VecVirtual {
	v := e.s.vec()
	e.s.load(e.at(base), e.mask, v)
	return v
}

func (e ew) store(v VecVirtual, base GPVirtual) { e.s.store(v, e.mask, e.at(base)) }

// elemLoop runs body over n elements (n > 0): full vectors, then one masked
// step for the n mod w last ones.
func elemLoop(s isa, p string, n GPVirtual, body func(e ew)) {
	j := GP64()
	XORQ(j, j)
	end := floorBytes(n, s.w)
	Label(p + "_v")
	CMPQ(j, end)
	JAE(LabelRef(p + "_t"))
	body(ew{s: s, j: j})
	ADDQ(U32(s.vb()), j)
	JMP(LabelRef(p + "_v"))
	Label(p + "_t")
	lanes := GP64()
	MOVQ(n, lanes)
	ANDQ(U32(s.w-1), lanes)
	JZ(LabelRef(p + "_end"))
	mask := s.mask(lanes)
	body(ew{s: s, j: j, mask: mask})
	Label(p + "_end")
}

// bcast broadcasts the i-th float32 of the array at hp.
func (s isa) bcast(hp GPVirtual, i int) VecVirtual {
	v := s.vec()
	VBROADCASTSS(Mem{Base: hp, Disp: 4 * i}, v)
	return v
}

// bcasts broadcasts the k first float32 of the array at hp.
func (s isa) bcasts(hp GPVirtual, k int) []VecVirtual {
	c := make([]VecVirtual, k)
	for i := range c {
		c[i] = s.bcast(hp, i)
	}
	return c
}

func genElementwise(s isa) {
	genBiasReLU(s)
	genReLUBackward(s)
	genTanhBackward(s)
	genRowSums(s)
	genAdam(s)
	genRMSprop(s)
	genSGD(s)
}

func genBiasReLU(s isa) {
	s.kernel("biasReLU", "func(x *float32, bias *float32, rows int, n int)",
		"sets x[i,j] = max(x[i,j]+bias[i], 0) (NaN kept); rows, n > 0.")
	s.biasAct(func() func(v VecVirtual) {
		zr := s.vec()
		zero([]VecVirtual{zr})
		return func(v VecVirtual) {
			// max(0, v) returning its second source, v, when v is NaN.
			VMAXPS(v, zr, v)
		}
	})
}

// biasAct emits the body of the kernels that set x[i,j] = act(x[i,j] +
// bias[i]) in place for x of rows x n (rows, n > 0): prep runs once before
// the row loop (constants) and returns act, which updates its register.
func (s isa) biasAct(prep func() func(v VecVirtual)) {
	var act func(v VecVirtual)
	s.perRow("bias", func() { act = prep() }, func(n, xp, bp GPVirtual) {
		b := s.vec()
		VBROADCASTSS(Mem{Base: bp}, b)
		elemLoop(s, "e", n, func(e ew) {
			v := e.load(xp)
			VADDPS(b, v, v)
			act(v)
			e.store(v, xp)
		})
	})
}

// perRow emits the body of a kernel over the rows of x (rows x n, the
// parameters x, rows and n; rows > 0) and a float32 per row in the array
// parameter vec: prep runs once, then body once per row i with xp = &x[i*n]
// and vp = &vec[i].
func (s isa) perRow(vec string, prep func(), body func(n, xp, vp GPVirtual)) {
	n := ld("n")
	nbytes := rowBytes(n)
	xp := ld("x")
	vp := ld(vec)
	left := ld("rows")
	prep()
	Label("row")
	body(n, xp, vp)
	ADDQ(nbytes, xp)
	ADDQ(U8(4), vp)
	DECQ(left)
	JNZ(LabelRef("row"))
	ret()
}

func genReLUBackward(s isa) {
	s.kernel("reluBackward", "func(dy *float32, y *float32, dx *float32, n int)",
		"sets dx = dy where y > 0, else 0; n > 0.")
	dy, y, dx, n := ld("dy"), ld("y"), ld("dx"), ld("n")
	zr := s.vec()
	zero([]VecVirtual{zr})
	elemLoop(s, "e", n, func(e ew) {
		yv := e.load(y)
		dv := e.load(dy)
		out := s.vec()
		if s.wide {
			k := K()
			VCMPPS(U8(0x1e), zr, yv, k) // y > 0, ordered (NaN: false)
			VMOVUPS_Z(dv, k, out)
		} else {
			VCMPPS(U8(0x1e), zr, yv, yv)
			VANDPS(dv, yv, out)
		}
		e.store(out, dx)
	})
	ret()
}

func genTanhBackward(s isa) {
	s.kernel("tanhBackward", "func(dy *float32, y *float32, dx *float32, n int)",
		"sets dx = dy * (1 - y*y); n > 0.")
	dy, y, dx, n := ld("dy"), ld("y"), ld("dx"), ld("n")
	one := s.vec()
	t := GP64()
	MOVL(U32(0x3f800000), t.As32())
	VMOVD(t.As32(), one.AsX())
	VBROADCASTSS(one.AsX(), one)
	elemLoop(s, "e", n, func(e ew) {
		yv := e.load(y)
		VMULPS(yv, yv, yv)
		VSUBPS(yv, one, yv)
		dv := e.load(dy)
		VMULPS(yv, dv, dv)
		e.store(dv, dx)
	})
	ret()
}

func genRowSums(s isa) {
	s.kernel("rowSums", "func(x *float32, out *float32, rows int, n int)",
		"adds the sum of row i of x (rows x n) to out[i]; rows, n > 0.")
	s.perRow("out", func() {}, func(n, xp, op GPVirtual) {
		acc := s.vecs(2)
		zero(acc)
		elemLoop(s, "e", n, func(e ew) {
			VADDPS(e.load(xp), acc[0], acc[0])
		})
		s.hsum(acc[0])
		VADDSS(Mem{Base: op}, acc[0].AsX(), acc[0].AsX())
		VMOVSS(acc[0].AsX(), Mem{Base: op})
	})
}

// Adam hyper-parameter array layout (see adamHyperArray in Go).
const (
	adWD = iota
	adB1
	adOmB1
	adB2
	adOmB2
	adBC2
	adEps
	adStep
)

func genAdam(s isa) {
	s.kernel("adam", "func(p *float32, grad *float32, m *float32, v *float32, n int, h *[8]float32)",
		"applies one Adam step to n > 0 elements; h = wd, b1, 1-b1, b2, 1-b2, bc2Sqrt, eps, stepSize.")
	pp, gp, mp, vp, n, hp := ld("p"), ld("grad"), ld("m"), ld("v"), ld("n"), ld("h")
	c := s.bcasts(hp, 8)
	elemLoop(s, "e", n, func(e ew) {
		p := e.load(pp)
		gi := s.vec()
		VMULPS(p, c[adWD], gi)
		VADDPS(e.load(gp), gi, gi) // g + wd*p
		m := e.load(mp)
		VMULPS(m, c[adB1], m)
		t := s.vec()
		VMULPS(gi, c[adOmB1], t)
		VADDPS(t, m, m) // b1*m + (1-b1)*g
		e.store(m, mp)
		v := e.load(vp)
		VMULPS(v, c[adB2], v)
		VMULPS(gi, c[adOmB2], t)
		VMULPS(gi, t, t)
		VADDPS(t, v, v) // b2*v + (1-b2)*g*g
		e.store(v, vp)
		VSQRTPS(v, v)
		VDIVPS(c[adBC2], v, v)
		VADDPS(c[adEps], v, v) // sqrt(v)/bc2 + eps
		VMULPS(m, c[adStep], m)
		VDIVPS(v, m, m)
		VSUBPS(m, p, p) // p - step*m/denom
		e.store(p, pp)
	})
	ret()
}

func genRMSprop(s isa) {
	s.kernel("rmsprop", "func(p *float32, grad *float32, sq *float32, n int, h *[8]float32)",
		"applies one RMSprop step to n > 0 elements; h = wd, alpha, 1-alpha, lr, eps.")
	pp, gp, sp, n, hp := ld("p"), ld("grad"), ld("sq"), ld("n"), ld("h")
	c := s.bcasts(hp, 5)
	elemLoop(s, "e", n, func(e ew) {
		p := e.load(pp)
		gi := s.vec()
		VMULPS(p, c[0], gi)
		VADDPS(e.load(gp), gi, gi)
		sq := e.load(sp)
		VMULPS(sq, c[1], sq)
		t := s.vec()
		VMULPS(gi, c[2], t)
		VMULPS(gi, t, t)
		VADDPS(t, sq, sq)
		e.store(sq, sp)
		VSQRTPS(sq, sq)
		VADDPS(c[4], sq, sq)
		VMULPS(gi, c[3], gi)
		VDIVPS(sq, gi, gi)
		VSUBPS(gi, p, p)
		e.store(p, pp)
	})
	ret()
}

// SGD modes: bit 0 momentum, bit 1 first step, bit 2 Nesterov.
func genSGD(s isa) {
	s.kernel("sgd", "func(p *float32, grad *float32, buf *float32, n int, h *[8]float32, mode int)",
		"applies one SGD step to n > 0 elements; h = wd, momentum, 1-dampening, lr;",
		"mode bit 0: momentum, bit 1: first step, bit 2: Nesterov.")
	pp, gp, bp, n, hp := ld("p"), ld("grad"), ld("buf"), ld("n"), ld("h")
	c := s.bcasts(hp, 4)
	mode := ld("mode")
	modes := []int{0, 1, 3, 5, 7}
	for _, md := range modes {
		CMPQ(mode, U8(md))
		JE(LabelRef(lbl("m", md)))
	}
	JMP(LabelRef("done"))
	for _, md := range modes {
		Label(lbl("m", md))
		elemLoop(s, lbl("e", md), n, func(e ew) {
			p := e.load(pp)
			gi := s.vec()
			VMULPS(p, c[0], gi)
			VADDPS(e.load(gp), gi, gi)
			if md&1 != 0 {
				var b VecVirtual
				if md&2 != 0 {
					b = gi
				} else {
					b = e.load(bp)
					VMULPS(b, c[1], b)
					t := s.vec()
					VMULPS(gi, c[2], t)
					VADDPS(t, b, b)
				}
				e.store(b, bp)
				if md&4 != 0 {
					t := s.vec()
					VMULPS(b, c[1], t)
					VADDPS(t, gi, gi)
				} else {
					gi = b
				}
			}
			t := s.vec()
			VMULPS(gi, c[3], t)
			VSUBPS(t, p, p)
			e.store(p, pp)
		})
		JMP(LabelRef("done"))
	}
	Label("done")
	ret()
}
