package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The batch-1 (n == 1) sparse kernels: with a single batch column the
// broadcast-and-FMA scheme of SpMM/SDDMM would use one lane per vector, so
// these run along the nonzeros instead, gathering x[colIdx[k]] for w
// nonzeros at a time. Column indices are checked a vector at a time (an
// index > xrows-1, compared unsigned, also catches negative ones) before the
// gather reads through them.

// gatherCols loads w column indices at ci[k+d], checks them against lim
// (xrows-1 in every lane) and gathers x at them into a new vector. With a
// tail mask only the masked lanes are loaded, checked and gathered; the
// others are zero.
func (s isa) gatherCols(ci, k GPVirtual, d int, x GPVirtual, lim VecVirtual, mask Register) VecVirtual {
	m := Mem{Base: ci, Index: k, Scale: 4, Disp: 4 * d}
	idx := s.vec()
	g := s.vec()
	VXORPS(g, g, g)
	if s.wide {
		if mask != nil {
			VMOVDQU32_Z(m, mask, idx)
		} else {
			VMOVDQU32(m, idx)
		}
		bad := K()
		if mask != nil {
			VPCMPUD(U8(6), lim, idx, mask, bad) // idx > lim, unsigned
		} else {
			VPCMPUD(U8(6), lim, idx, bad)
		}
		KORTESTW(bad, bad)
		JNZ(LabelRef("fail"))
		gk := K()
		if mask != nil {
			KMOVW(mask, gk)
		} else {
			KXNORW(gk, gk, gk)
		}
		VGATHERDPS(Mem{Base: x, Index: idx, Scale: 4}, gk, g)
		return g
	}
	if mask != nil {
		VMASKMOVPS(m, mask, idx) // masked-off lanes read as index 0
	} else {
		VMOVDQU(m, idx)
	}
	t := s.vec()
	VPMAXUD(lim, idx, t)
	VPCMPEQD(lim, t, t) // max(idx, lim) == lim  <=>  idx <= lim
	r := GP32()
	VMOVMSKPS(t, r)
	CMPL(r, U32(0xff))
	JNE(LabelRef("fail"))
	gm := s.vec()
	if mask != nil {
		VMOVAPS(mask, gm)
	} else {
		VPCMPEQD(gm, gm, gm)
	}
	VGATHERDPS(gm, Mem{Base: x, Index: idx, Scale: 4}, g)
	return g
}

// gatherTail gathers the 0 < ke-k < w nonzeros left in [k, ke) like
// gatherCols, with the tail mask it returns; it jumps to skip when none is
// left.
func (s isa) gatherTail(ci, k, ke, x GPVirtual, lim VecVirtual, skip string) (VecVirtual, Register) {
	r := GP64()
	MOVQ(ke, r)
	SUBQ(k, r)
	JLE(LabelRef(skip))
	mask := s.mask(r)
	return s.gatherCols(ci, k, 0, x, lim, mask), mask
}

// limVec broadcasts xrows-1 (xrows >= 1 and < 2^31, checked by the caller).
func (s isa) limVec(name string) VecVirtual {
	l := ld(name)
	DECQ(l)
	v := s.vec()
	if s.wide {
		VPBROADCASTD(l.As32(), v)
	} else {
		VMOVD(l.As32(), v.AsX())
		VPBROADCASTD(v.AsX(), v)
	}
	return v
}

// genSpMV emits SpMM for n == 1: y[i] += sum_k val[k] * x[colIdx[k]].
func genSpMV(s isa) {
	s.kernel("spmv", "func(rowPtr *int32, rows int, colIdx *int32, val *float32, x *float32, xrows int, y *float32) bool",
		"is SpMM for a batch of one; it returns false on a column index >= xrows.",
		"Requires rows > 0, 1 <= xrows < 2^31 and every rowPtr entry in [0, len(colIdx)].")
	rpp, yp, left := ld("rowPtr"), ld("y"), ld("rows")
	ci, val, x := ld("colIdx"), ld("val"), ld("x")
	lim := s.limVec("xrows")
	Label("row")
	k, ke := csrRow(rpp)
	acc := s.vecs(2)
	zero(acc)
	t := GP64()
	Label("l2")
	LEAQ(Mem{Base: k, Disp: 2 * s.w}, t)
	CMPQ(t, ke)
	JG(LabelRef("l1"))
	for u := 0; u < 2; u++ {
		g := s.gatherCols(ci, k, u*s.w, x, lim, nil)
		VFMADD231PS(Mem{Base: val, Index: k, Scale: 4, Disp: 4 * u * s.w}, g, acc[u])
	}
	ADDQ(U8(2*s.w), k)
	JMP(LabelRef("l2"))
	Label("l1")
	LEAQ(Mem{Base: k, Disp: s.w}, t)
	CMPQ(t, ke)
	JG(LabelRef("tail"))
	g := s.gatherCols(ci, k, 0, x, lim, nil)
	VFMADD231PS(Mem{Base: val, Index: k, Scale: 4}, g, acc[0])
	ADDQ(U8(s.w), k)
	Label("tail")
	g, mask := s.gatherTail(ci, k, ke, x, lim, "red")
	var tmp VecVirtual
	if !s.wide {
		tmp = s.vec()
	}
	s.fmaMem(Mem{Base: val, Index: k, Scale: 4}, g, acc[1], mask, tmp)
	Label("red")
	VADDPS(acc[1], acc[0], acc[0])
	s.hsum(acc[0])
	VADDSS(Mem{Base: yp}, acc[0].AsX(), acc[0].AsX())
	VMOVSS(acc[0].AsX(), Mem{Base: yp})
	ADDQ(U8(4), rpp)
	ADDQ(U8(4), yp)
	DECQ(left)
	JNZ(LabelRef("row"))
	retOrFail()
}

// genSDDMV emits SDDMM for n == 1: out[k] += a[i] * b[colIdx[k]].
func genSDDMV(s isa) {
	s.kernel("sddmv", "func(rowPtr *int32, rows int, colIdx *int32, a *float32, b *float32, brows int, out *float32) bool",
		"is SDDMM for a batch of one; it returns false on a column index >= brows.",
		"Requires rows > 0, 1 <= brows < 2^31 and every rowPtr entry in [0, len(colIdx)].")
	rpp, ap, left := ld("rowPtr"), ld("a"), ld("rows")
	ci, b, out := ld("colIdx"), ld("b"), ld("out")
	lim := s.limVec("brows")
	Label("row")
	k, ke := csrRow(rpp)
	ai := s.vec()
	VBROADCASTSS(Mem{Base: ap}, ai)
	t := GP64()
	Label("l1")
	LEAQ(Mem{Base: k, Disp: s.w}, t)
	CMPQ(t, ke)
	JG(LabelRef("tail"))
	g := s.gatherCols(ci, k, 0, b, lim, nil)
	o := Mem{Base: out, Index: k, Scale: 4}
	VFMADD213PS(o, ai, g) // g = a_i*g + out
	VMOVUPS(g, o)
	ADDQ(U8(s.w), k)
	JMP(LabelRef("l1"))
	Label("tail")
	g, mask := s.gatherTail(ci, k, ke, b, lim, "next")
	ov := s.vec()
	s.loadMasked(o, mask, ov)
	VFMADD231PS(g, ai, ov)
	s.storeMasked(ov, mask, o)
	Label("next")
	ADDQ(U8(4), rpp)
	ADDQ(U8(4), ap)
	DECQ(left)
	JNZ(LabelRef("row"))
	retOrFail()
}
