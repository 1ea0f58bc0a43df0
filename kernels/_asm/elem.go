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
	if e.mask != nil {
		e.s.loadMasked(e.at(base), e.mask, v)
	} else {
		VMOVUPS(e.at(base), v)
	}
	return v
}

func (e ew) store(v VecVirtual, base GPVirtual) {
	if e.mask != nil {
		e.s.storeMasked(v, e.mask, e.at(base))
	} else {
		VMOVUPS(v, e.at(base))
	}
}

// elemLoop runs body over n elements (n > 0): full vectors, then one masked
// step for the n mod w last ones.
func elemLoop(s isa, p string, n GPVirtual, body func(e ew)) {
	j := GP64()
	XORQ(j, j)
	end := GP64()
	MOVQ(n, end)
	ANDQ(I32(-s.w), end)
	SHLQ(U8(2), end)
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
	TEXT("biasReLU"+s.name, NOSPLIT, "func(x *float32, bias *float32, rows int, n int)")
	Pragma("noescape")
	Doc("biasReLU" + s.name + " sets x[i,j] = max(x[i,j]+bias[i], 0) (NaN kept); rows, n > 0.")
	n := ld("n")
	nbytes := GP64()
	MOVQ(n, nbytes)
	SHLQ(U8(2), nbytes)
	xp := ld("x")
	bp := ld("bias")
	left := ld("rows")
	zr := s.vec()
	zero([]VecVirtual{zr})
	Label("row")
	b := s.vec()
	VBROADCASTSS(Mem{Base: bp}, b)
	elemLoop(s, "e", n, func(e ew) {
		v := e.load(xp)
		VADDPS(b, v, v)
		// max(0, v) returning its second source, v, when v is NaN.
		VMAXPS(v, zr, v)
		e.store(v, xp)
	})
	ADDQ(nbytes, xp)
	ADDQ(U8(4), bp)
	DECQ(left)
	JNZ(LabelRef("row"))
	VZEROUPPER()
	RET()
}

func genReLUBackward(s isa) {
	TEXT("reluBackward"+s.name, NOSPLIT, "func(dy *float32, y *float32, dx *float32, n int)")
	Pragma("noescape")
	Doc("reluBackward" + s.name + " sets dx = dy where y > 0, else 0; n > 0.")
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
	VZEROUPPER()
	RET()
}

func genTanhBackward(s isa) {
	TEXT("tanhBackward"+s.name, NOSPLIT, "func(dy *float32, y *float32, dx *float32, n int)")
	Pragma("noescape")
	Doc("tanhBackward" + s.name + " sets dx = dy * (1 - y*y); n > 0.")
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
	VZEROUPPER()
	RET()
}

func genRowSums(s isa) {
	TEXT("rowSums"+s.name, NOSPLIT, "func(x *float32, out *float32, rows int, n int)")
	Pragma("noescape")
	Doc("rowSums" + s.name + " adds the sum of row i of x (rows x n) to out[i]; rows, n > 0.")
	n := ld("n")
	nbytes := GP64()
	MOVQ(n, nbytes)
	SHLQ(U8(2), nbytes)
	xp, op, left := ld("x"), ld("out"), ld("rows")
	Label("row")
	acc := s.vecs(2)
	zero(acc)
	elemLoop(s, "e", n, func(e ew) {
		VADDPS(e.load(xp), acc[0], acc[0])
	})
	s.hsum(acc[0])
	VADDSS(Mem{Base: op}, acc[0].AsX(), acc[0].AsX())
	VMOVSS(acc[0].AsX(), Mem{Base: op})
	ADDQ(nbytes, xp)
	ADDQ(U8(4), op)
	DECQ(left)
	JNZ(LabelRef("row"))
	VZEROUPPER()
	RET()
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
	TEXT("adam"+s.name, NOSPLIT, "func(p *float32, grad *float32, m *float32, v *float32, n int, h *[8]float32)")
	Pragma("noescape")
	Doc("adam" + s.name + " applies one Adam step to n > 0 elements; h = wd, b1, 1-b1, b2, 1-b2, bc2Sqrt, eps, stepSize.")
	pp, gp, mp, vp, n, hp := ld("p"), ld("grad"), ld("m"), ld("v"), ld("n"), ld("h")
	c := make([]VecVirtual, 8)
	for i := range c {
		c[i] = s.bcast(hp, i)
	}
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
	VZEROUPPER()
	RET()
}

func genRMSprop(s isa) {
	TEXT("rmsprop"+s.name, NOSPLIT, "func(p *float32, grad *float32, sq *float32, n int, h *[8]float32)")
	Pragma("noescape")
	Doc("rmsprop" + s.name + " applies one RMSprop step to n > 0 elements; h = wd, alpha, 1-alpha, lr, eps.")
	pp, gp, sp, n, hp := ld("p"), ld("grad"), ld("sq"), ld("n"), ld("h")
	c := make([]VecVirtual, 5)
	for i := range c {
		c[i] = s.bcast(hp, i)
	}
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
	VZEROUPPER()
	RET()
}

// SGD modes: bit 0 momentum, bit 1 first step, bit 2 Nesterov.
func genSGD(s isa) {
	TEXT("sgd"+s.name, NOSPLIT, "func(p *float32, grad *float32, buf *float32, n int, h *[8]float32, mode int)")
	Pragma("noescape")
	Doc("sgd"+s.name+" applies one SGD step to n > 0 elements; h = wd, momentum, 1-dampening, lr;",
		"mode bit 0: momentum, bit 1: first step, bit 2: Nesterov.")
	pp, gp, bp, n, hp := ld("p"), ld("grad"), ld("buf"), ld("n"), ld("h")
	c := make([]VecVirtual, 4)
	for i := range c {
		c[i] = s.bcast(hp, i)
	}
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
	VZEROUPPER()
	RET()
}
