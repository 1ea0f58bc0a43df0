package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Tuning knobs of SpMM (environment variables read by the generator, for
// experiments; the committed assembly uses the defaults). Measured on AMD
// Zen 4 at batch 128: chunks of 4 vectors run chunk by chunk over all rows
// (SPMM_U=4 SPMM_CO=1, so that a 116-neuron state chunk stays in L1) gave
// 69 GFLOP/s against 71 for the default at 116 neurons and density 0.5, and
// software prefetch (SPMM_PF=4, 8) stayed within noise: the defaults are
// the simplest code.

// spmmU is the number of vectors of one SpMM output row kept in registers.
var spmmU = envInt("SPMM_U", 8)

// spmmChunkOuter runs the full chunks chunk by chunk over all rows (1)
// instead of row by row (0).
var spmmChunkOuter = envInt("SPMM_CO", 0)

// spmmTwo is the largest V that uses two accumulator sets.
var spmmTwo = envInt("SPMM_TWO", 4)

// spmmPF is the prefetch distance in nonzeros (0: no software prefetch).
var spmmPF = envInt("SPMM_PF", 0)

// genSpMM emits y[i,:] += sum_k val[k] * x[colIdx[k],:] over CSR rows.
//
// The batch dimension (n) is split in chunks of spmmU vectors. Pass 1 runs
// every row over the full chunks; pass 2 runs every row once more over the
// remaining columns with V = ceil(rem/w) vectors, the last one masked. A row's
// chunk is accumulated in registers over all its nonzeros, then added to y
// once. Short chunks (V <= spmmU/2) interleave two accumulator sets over even
// and odd nonzeros to hide the FMA latency. A column index >= xrows returns
// false (the Go wrapper panics) before anything is read through it.
func genSpMM(s isa) {
	TEXT("spmm"+s.name, NOSPLIT, "func(rowPtr *int32, rows int, colIdx *int32, nnz int, val *float32, x *float32, xrows int, y *float32, n int) bool")
	Pragma("noescape")
	Doc("spmm"+s.name+" adds the CSR product val*x to y; it returns false on a column index >= xrows.",
		"Requires rows > 0, n > 0 and every rowPtr entry in [0, len(colIdx)].")
	uw := spmmU * s.w
	n := ld("n")
	nbytes := GP64()
	MOVQ(n, nbytes)
	SHLQ(U8(2), nbytes)
	fullEnd := GP64()
	MOVQ(n, fullEnd)
	ANDQ(I32(-uw), fullEnd)
	SHLQ(U8(2), fullEnd)
	TESTQ(fullEnd, fullEnd)
	JZ(LabelRef("pass2"))

	if spmmChunkOuter != 0 {
		off := GP64()
		XORQ(off, off)
		Label("p1_chunk")
		spmmRows(s, "p1", nbytes, func(rpp, yp GPVirtual) {
			spmmRow(s, "p1c", spmmU, nil, off, rpp, yp, nbytes)
		})
		ADDQ(U32(uw*4), off)
		CMPQ(off, fullEnd)
		JB(LabelRef("p1_chunk"))
	} else {
		spmmRows(s, "p1", nbytes, func(rpp, yp GPVirtual) {
			off := GP64()
			XORQ(off, off)
			Label("p1_chunk")
			spmmRow(s, "p1c", spmmU, nil, off, rpp, yp, nbytes)
			ADDQ(U32(uw*4), off)
			CMPQ(off, fullEnd)
			JB(LabelRef("p1_chunk"))
		})
	}

	Label("pass2")
	rem := ld("n")
	ANDQ(U32(uw-1), rem)
	JZ(LabelRef("ok"))
	lanes := GP64()
	LEAQ(Mem{Base: rem, Disp: -1}, lanes)
	ANDQ(U32(s.w-1), lanes)
	INCQ(lanes)
	mask := s.mask(lanes)
	ADDQ(U32(s.w-1), rem)
	SHRQ(U8(log2(s.w)), rem)
	for v := 1; v <= spmmU; v++ {
		CMPQ(rem, U32(v))
		JE(LabelRef(lbl("p2", v)))
	}
	JMP(LabelRef("ok"))
	for v := 1; v <= spmmU; v++ {
		p := lbl("p2", v)
		Label(p)
		spmmRows(s, p+"r", nbytes, func(rpp, yp GPVirtual) {
			spmmRow(s, p+"b", v, mask, fullEnd, rpp, yp, nbytes)
		})
		JMP(LabelRef("ok"))
	}
	Label("ok")
	retBool(true)
	Label("fail")
	retBool(false)
}

func log2(w int) int {
	l := 0
	for 1<<l < w {
		l++
	}
	return l
}

// spmmRows runs body once per CSR row with rpp = &rowPtr[i] and yp = &y[i*n].
func spmmRows(s isa, p string, nbytes GPVirtual, body func(rpp, yp GPVirtual)) {
	rpp := ld("rowPtr")
	yp := ld("y")
	left := ld("rows")
	Label(p + "_row")
	body(rpp, yp)
	ADDQ(U8(4), rpp)
	ADDQ(nbytes, yp)
	DECQ(left)
	JNZ(LabelRef(p + "_row"))
}

// spmmRow accumulates V vectors of one row at byte offset off of the batch.
func spmmRow(s isa, p string, V int, mask Register, off, rpp, yp, nbytes GPVirtual) {
	two := V <= spmmTwo
	ci := ld("colIdx")
	val := ld("val")
	x := ld("x")
	k, ke := GP64(), GP64()
	MOVLQSX(Mem{Base: rpp}, k)
	MOVLQSX(Mem{Base: rpp, Disp: 4}, ke)
	accA := s.vecs(V)
	zero(accA)
	var accB []VecVirtual
	if two {
		accB = s.vecs(V)
		zero(accB)
	}
	var tmp VecVirtual
	if mask != nil && !s.wide {
		tmp = s.vec()
	}
	nnz := func(disp int, acc []VecVirtual) {
		col := GP64()
		MOVLQZX(Mem{Base: ci, Index: k, Scale: 4, Disp: disp}, col)
		CMPQ(col, paramAddr("xrows"))
		JAE(LabelRef("fail"))
		IMULQ(nbytes, col)
		ADDQ(x, col)
		if spmmPF > 0 {
			// Prefetch the x chunk of the nonzero spmmPF places ahead (in this
			// row or the next ones; clamped to the last nonzero).
			q := GP64()
			LEAQ(Mem{Base: k, Disp: spmmPF + disp/4}, q)
			CMPQ(q, paramAddr("nnz"))
			ok := uniq(p + "_pf")
			JB(LabelRef(ok))
			MOVQ(k, q)
			Label(ok)
			MOVLQZX(Mem{Base: ci, Index: q, Scale: 4}, q)
			IMULQ(nbytes, q)
			ADDQ(x, q)
			for l := 0; l < V*s.vb(); l += 64 {
				PREFETCHT0(Mem{Base: q, Index: off, Scale: 1, Disp: l})
			}
		}
		bc := s.vec()
		VBROADCASTSS(Mem{Base: val, Index: k, Scale: 4, Disp: disp}, bc)
		for v := 0; v < V; v++ {
			var mk Register
			if mask != nil && v == V-1 {
				mk = mask
			}
			s.fmaMem(Mem{Base: col, Index: off, Scale: 1, Disp: v * s.vb()}, bc, acc[v], mk, tmp)
		}
	}
	if two {
		Label(p + "_l2")
		t := GP64()
		LEAQ(Mem{Base: k, Disp: 1}, t)
		CMPQ(t, ke)
		JGE(LabelRef(p + "_l1"))
		nnz(0, accA)
		nnz(4, accB)
		ADDQ(U8(2), k)
		JMP(LabelRef(p + "_l2"))
		Label(p + "_l1")
		CMPQ(k, ke)
		JGE(LabelRef(p + "_done"))
		nnz(0, accA)
		Label(p + "_done")
		for v := range accA {
			VADDPS(accB[v], accA[v], accA[v])
		}
	} else {
		Label(p + "_l")
		CMPQ(k, ke)
		JGE(LabelRef(p + "_done"))
		nnz(0, accA)
		INCQ(k)
		JMP(LabelRef(p + "_l"))
		Label(p + "_done")
	}
	for v, acc := range accA {
		m := Mem{Base: yp, Index: off, Scale: 1, Disp: v * s.vb()}
		if mask != nil && v == V-1 {
			t := s.vec()
			s.loadMasked(m, mask, t)
			VADDPS(t, acc, acc)
			s.storeMasked(acc, mask, m)
		} else {
			VADDPS(m, acc, acc)
			VMOVUPS(acc, m)
		}
	}
}

// genSDDMM emits out[k] += dot(a[i,:], b[colIdx[k],:]) for the kept
// positions of each CSR row. Nonzeros go four at a time: each loaded vector
// of a[i,:] feeds the FMAs of four b rows (1.25 loads per FMA instead of 2),
// two vectors per step give eight accumulators, the last vector is masked,
// and the four dot products are reduced together and added to out[k:k+4]
// with one vector add. The one to three nonzeros left in a row take the
// same path with fewer b rows.
func genSDDMM(s isa) {
	TEXT("sddmm"+s.name, NOSPLIT, "func(rowPtr *int32, rows int, colIdx *int32, a *float32, b *float32, brows int, out *float32, n int) bool")
	Pragma("noescape")
	Doc("sddmm"+s.name+" adds the row dot products of a and b at the CSR positions to out; it returns false on a column index >= brows.",
		"Requires rows > 0, n > 0 and every rowPtr entry in [0, len(colIdx)].")
	nbytesL := AllocLocal(8)
	end2 := AllocLocal(8)
	endv := AllocLocal(8)
	remL := AllocLocal(8)
	leftL := AllocLocal(8)
	n := ld("n")
	t := GP64()
	MOVQ(n, t)
	SHLQ(U8(2), t)
	MOVQ(t, nbytesL)
	MOVQ(n, t)
	ANDQ(I32(-2*s.w), t)
	SHLQ(U8(2), t)
	MOVQ(t, end2)
	MOVQ(n, t)
	ANDQ(I32(-s.w), t)
	SHLQ(U8(2), t)
	MOVQ(t, endv)
	lanes := GP64()
	MOVQ(n, lanes)
	ANDQ(U32(s.w-1), lanes)
	MOVQ(lanes, remL)
	mask := s.mask(lanes)
	left := ld("rows")
	MOVQ(left, leftL)

	rpp := ld("rowPtr")
	ap := ld("a")
	Label("row")
	ci := ld("colIdx")
	k, ke := GP64(), GP64()
	MOVLQSX(Mem{Base: rpp}, k)
	MOVLQSX(Mem{Base: rpp, Disp: 4}, ke)
	Label("nz4")
	t4 := GP64()
	LEAQ(Mem{Base: k, Disp: 4}, t4)
	CMPQ(t4, ke)
	JG(LabelRef("nz1"))
	sddmmBlock(s, "q4", 4, ci, k, ap, mask, nbytesL, end2, endv, remL)
	ADDQ(U8(4), k)
	JMP(LabelRef("nz4"))
	Label("nz1")
	CMPQ(k, ke)
	JGE(LabelRef("rowdone"))
	sddmmBlock(s, "q1", 1, ci, k, ap, mask, nbytesL, end2, endv, remL)
	INCQ(k)
	JMP(LabelRef("nz1"))
	Label("rowdone")
	ADDQ(U8(4), rpp)
	ADDQ(nbytesL, ap)
	DECQ(leftL)
	JNZ(LabelRef("row"))
	retBool(true)
	Label("fail")
	retBool(false)
}

// sddmmBlock adds the dot products of a[i,:] with the b rows of the q
// nonzeros k..k+q-1 (q is 1 or 4) to out[k:k+q].
func sddmmBlock(s isa, p string, q int, ci, k, ap GPVirtual, mask Register, nbytesL, end2, endv, remL Mem) {
	bp := make([]GPVirtual, q)
	for c := range bp {
		bp[c] = GP64()
		MOVLQZX(Mem{Base: ci, Index: k, Scale: 4, Disp: 4 * c}, bp[c])
		CMPQ(bp[c], paramAddr("brows"))
		JAE(LabelRef("fail"))
		IMULQ(nbytesL, bp[c])
		ADDQ(paramAddr("b"), bp[c])
	}
	acc := make([][]VecVirtual, q)
	for c := range acc {
		acc[c] = s.vecs(2)
		zero(acc[c])
	}
	j := GP64()
	XORQ(j, j)
	at := func(base GPVirtual, v int) Mem { return Mem{Base: base, Index: j, Scale: 1, Disp: v * s.vb()} }
	Label(p + "_v2")
	CMPQ(j, end2)
	JAE(LabelRef(p + "_v1"))
	for v := 0; v < 2; v++ {
		av := s.vec()
		VMOVUPS(at(ap, v), av)
		for c := range bp {
			VFMADD231PS(at(bp[c], v), av, acc[c][v])
		}
	}
	ADDQ(U32(2*s.vb()), j)
	JMP(LabelRef(p + "_v2"))
	Label(p + "_v1")
	CMPQ(j, endv)
	JAE(LabelRef(p + "_tail"))
	av := s.vec()
	VMOVUPS(at(ap, 0), av)
	for c := range bp {
		VFMADD231PS(at(bp[c], 0), av, acc[c][0])
	}
	ADDQ(U32(s.vb()), j)
	Label(p + "_tail")
	CMPQ(remL, U8(0))
	JE(LabelRef(p + "_red"))
	at2 := s.vec()
	s.loadMasked(at(ap, 0), mask, at2)
	var tmp VecVirtual
	if !s.wide {
		tmp = s.vec()
	}
	for c := range bp {
		s.fmaMem(at(bp[c], 0), at2, acc[c][1], mask, tmp)
	}
	Label(p + "_red")
	for c := range acc {
		VADDPS(acc[c][1], acc[c][0], acc[c][0])
	}
	out := ld("out")
	if q == 1 {
		s.hsum(acc[0][0])
		x := acc[0][0].AsX()
		VADDSS(Mem{Base: out, Index: k, Scale: 4}, x, x)
		VMOVSS(x, Mem{Base: out, Index: k, Scale: 4})
		return
	}
	s.reduce4(acc[0][0], acc[1][0], acc[2][0], acc[3][0])
	x := acc[0][0].AsX()
	VADDPS(Mem{Base: out, Index: k, Scale: 4}, x, x)
	VMOVUPS(x, Mem{Base: out, Index: k, Scale: 4})
}

// sddmmRegsMax is the most vectors of a row that genSDDMMRegs holds in
// registers (n <= sddmmRegsMax*w).
const sddmmRegsMax = 4

// genSDDMMRegs emits SDDMM for short rows (0 < n <= sddmmRegsMax*w, the
// trainer's per-step call at a chunk of 64 trials): a[i,:] is loaded into V =
// ceil(n/w) registers once per row (the last one masked, zero beyond n), so
// a block of four nonzeros costs only the 4V loads of its b rows for 4V FMAs
// (genSDDMM reloads a for each block: 1.25 loads per FMA). Each nonzero has
// one accumulator (four independent chains per block; the next block's
// chains overlap them out of order); the four dot products are reduced
// together and added to out[k:k+4]. V is dispatched once per call to a loop
// emitted for each V.
func genSDDMMRegs(s isa) {
	TEXT("sddmmr"+s.name, NOSPLIT, "func(rowPtr *int32, rows int, colIdx *int32, a *float32, b *float32, brows int, out *float32, n int) bool")
	Pragma("noescape")
	Doc("sddmmr"+s.name+" is SDDMM for 0 < n <= "+fmt.Sprint(sddmmRegsMax*s.w)+" with a's row held in registers; it returns false on a column index >= brows.",
		"Requires rows > 0 and every rowPtr entry in [0, len(colIdx)].")
	n := ld("n")
	lanes := GP64()
	LEAQ(Mem{Base: n, Disp: -1}, lanes)
	ANDQ(U32(s.w-1), lanes)
	INCQ(lanes)
	mask := s.mask(lanes)
	nv := GP64()
	MOVQ(n, nv)
	ADDQ(U32(s.w-1), nv)
	SHRQ(U8(log2(s.w)), nv)
	for v := 1; v <= sddmmRegsMax; v++ {
		CMPQ(nv, U32(v))
		JE(LabelRef(lbl("r", v)))
	}
	JMP(LabelRef("fail")) // n outside (0, sddmmRegsMax*w]: the wrapper never calls so
	for v := 1; v <= sddmmRegsMax; v++ {
		Label(lbl("r", v))
		sddmmRegsLoop(s, lbl("r", v), v, mask)
	}
	Label("ok")
	retBool(true)
	Label("fail")
	retBool(false)
}

// sddmmRegsLoop runs every row with V vectors of a in registers.
func sddmmRegsLoop(s isa, p string, V int, mask Register) {
	nbytes := GP64()
	Load(Param("n"), nbytes)
	SHLQ(U8(2), nbytes)
	rpp := ld("rowPtr")
	ap := ld("a")
	left := ld("rows")
	var tmp VecVirtual
	if !s.wide {
		tmp = s.vec()
	}
	av := s.vecs(V)
	Label(p + "_row")
	for v := 0; v < V-1; v++ {
		VMOVUPS(Mem{Base: ap, Disp: v * s.vb()}, av[v])
	}
	s.loadMasked(Mem{Base: ap, Disp: (V - 1) * s.vb()}, mask, av[V-1])
	ci := ld("colIdx")
	k, ke := GP64(), GP64()
	MOVLQSX(Mem{Base: rpp}, k)
	MOVLQSX(Mem{Base: rpp, Disp: 4}, ke)
	block := func(q int) {
		acc := s.vecs(q)
		zero(acc)
		for c := 0; c < q; c++ {
			bp := GP64()
			MOVLQZX(Mem{Base: ci, Index: k, Scale: 4, Disp: 4 * c}, bp)
			CMPQ(bp, paramAddr("brows"))
			JAE(LabelRef("fail"))
			IMULQ(nbytes, bp)
			ADDQ(paramAddr("b"), bp)
			for v := 0; v < V; v++ {
				var mk Register
				if v == V-1 {
					mk = mask
				}
				s.fmaMem(Mem{Base: bp, Disp: v * s.vb()}, av[v], acc[c], mk, tmp)
			}
		}
		out := ld("out")
		if q == 1 {
			s.hsum(acc[0])
			x := acc[0].AsX()
			VADDSS(Mem{Base: out, Index: k, Scale: 4}, x, x)
			VMOVSS(x, Mem{Base: out, Index: k, Scale: 4})
			return
		}
		s.reduce4(acc[0], acc[1], acc[2], acc[3])
		x := acc[0].AsX()
		VADDPS(Mem{Base: out, Index: k, Scale: 4}, x, x)
		VMOVUPS(x, Mem{Base: out, Index: k, Scale: 4})
	}
	Label(p + "_nz4")
	t4 := GP64()
	LEAQ(Mem{Base: k, Disp: 4}, t4)
	CMPQ(t4, ke)
	JG(LabelRef(p + "_nz1"))
	block(4)
	ADDQ(U8(4), k)
	JMP(LabelRef(p + "_nz4"))
	Label(p + "_nz1")
	CMPQ(k, ke)
	JGE(LabelRef(p + "_rowdone"))
	block(1)
	INCQ(k)
	JMP(LabelRef(p + "_nz1"))
	Label(p + "_rowdone")
	ADDQ(U8(4), rpp)
	ADDQ(nbytes, ap)
	DECQ(left)
	JNZ(LabelRef(p + "_row"))
	JMP(LabelRef("ok"))
}

// genSpMMSDDMM emits the fused backward kernel for short rows (0 < n <=
// sddmmRegsMax*w): for every CSR row i,
//
//	y[i,:] += sum_k val[k] * x[colIdx[k],:]   and   out[k] += dot(a[i,:], x[colIdx[k],:]).
//
// Both products read the same x rows, so each x vector is loaded once (into
// a register, the last one masked) and feeds two FMAs: one into the row's y
// accumulators (val[k] broadcast) and one into the nonzero's dot product with
// a[i,:], which is held in registers for the whole row. Nonzeros go four at a
// time so that their dot products are reduced together and added to
// out[k:k+4]; the y chains get one FMA per nonzero out of eight, far below
// the FMA latency bound. V = ceil(n/w) is dispatched once per call.
func genSpMMSDDMM(s isa) {
	TEXT("spmmsddmm"+s.name, NOSPLIT, "func(rowPtr *int32, rows int, colIdx *int32, val *float32, x *float32, xrows int, y *float32, a *float32, out *float32, n int) bool")
	Pragma("noescape")
	Doc("spmmsddmm"+s.name+" is SpMM of val and x into y fused with SDDMM of a and x into out, for 0 < n <= "+fmt.Sprint(sddmmRegsMax*s.w)+";",
		"it returns false on a column index >= xrows.",
		"Requires rows > 0 and every rowPtr entry in [0, len(colIdx)].")
	n := ld("n")
	lanes := GP64()
	LEAQ(Mem{Base: n, Disp: -1}, lanes)
	ANDQ(U32(s.w-1), lanes)
	INCQ(lanes)
	mask := s.mask(lanes)
	nv := GP64()
	MOVQ(n, nv)
	ADDQ(U32(s.w-1), nv)
	SHRQ(U8(log2(s.w)), nv)
	for v := 1; v <= sddmmRegsMax; v++ {
		CMPQ(nv, U32(v))
		JE(LabelRef(lbl("f", v)))
	}
	JMP(LabelRef("fail")) // n outside (0, sddmmRegsMax*w]: the wrapper never calls so
	for v := 1; v <= sddmmRegsMax; v++ {
		Label(lbl("f", v))
		spmmSDDMMLoop(s, lbl("f", v), v, mask)
	}
	Label("ok")
	retBool(true)
	Label("fail")
	retBool(false)
}

// spmmSDDMMLoop runs every row with V vectors of a and of the y sums in
// registers.
func spmmSDDMMLoop(s isa, p string, V int, mask Register) {
	nbytes := GP64()
	Load(Param("n"), nbytes)
	SHLQ(U8(2), nbytes)
	rpp := ld("rowPtr")
	ap := ld("a")
	yp := ld("y")
	left := ld("rows")
	av := s.vecs(V)
	yacc := s.vecs(V)
	Label(p + "_row")
	for v := 0; v < V-1; v++ {
		VMOVUPS(Mem{Base: ap, Disp: v * s.vb()}, av[v])
	}
	s.loadMasked(Mem{Base: ap, Disp: (V - 1) * s.vb()}, mask, av[V-1])
	zero(yacc)
	ci := ld("colIdx")
	val := ld("val")
	k, ke := GP64(), GP64()
	MOVLQSX(Mem{Base: rpp}, k)
	MOVLQSX(Mem{Base: rpp, Disp: 4}, ke)
	block := func(q int) {
		acc := s.vecs(q)
		zero(acc)
		for c := 0; c < q; c++ {
			xp := GP64()
			MOVLQZX(Mem{Base: ci, Index: k, Scale: 4, Disp: 4 * c}, xp)
			CMPQ(xp, paramAddr("xrows"))
			JAE(LabelRef("fail"))
			IMULQ(nbytes, xp)
			ADDQ(paramAddr("x"), xp)
			bc := s.vec()
			VBROADCASTSS(Mem{Base: val, Index: k, Scale: 4, Disp: 4 * c}, bc)
			for v := 0; v < V; v++ {
				xv := s.vec()
				m := Mem{Base: xp, Disp: v * s.vb()}
				if v == V-1 {
					s.loadMasked(m, mask, xv)
				} else {
					VMOVUPS(m, xv)
				}
				VFMADD231PS(xv, bc, yacc[v])
				VFMADD231PS(xv, av[v], acc[c])
			}
		}
		out := ld("out")
		if q == 1 {
			s.hsum(acc[0])
			x := acc[0].AsX()
			VADDSS(Mem{Base: out, Index: k, Scale: 4}, x, x)
			VMOVSS(x, Mem{Base: out, Index: k, Scale: 4})
			return
		}
		s.reduce4(acc[0], acc[1], acc[2], acc[3])
		x := acc[0].AsX()
		VADDPS(Mem{Base: out, Index: k, Scale: 4}, x, x)
		VMOVUPS(x, Mem{Base: out, Index: k, Scale: 4})
	}
	Label(p + "_nz4")
	t4 := GP64()
	LEAQ(Mem{Base: k, Disp: 4}, t4)
	CMPQ(t4, ke)
	JG(LabelRef(p + "_nz1"))
	block(4)
	ADDQ(U8(4), k)
	JMP(LabelRef(p + "_nz4"))
	Label(p + "_nz1")
	CMPQ(k, ke)
	JGE(LabelRef(p + "_rowdone"))
	block(1)
	INCQ(k)
	JMP(LabelRef(p + "_nz1"))
	Label(p + "_rowdone")
	for v := 0; v < V; v++ {
		m := Mem{Base: yp, Disp: v * s.vb()}
		if v == V-1 {
			t := s.vec()
			s.loadMasked(m, mask, t)
			VADDPS(t, yacc[v], yacc[v])
			s.storeMasked(yacc[v], mask, m)
		} else {
			VADDPS(m, yacc[v], yacc[v])
			VMOVUPS(yacc[v], m)
		}
	}
	ADDQ(U8(4), rpp)
	ADDQ(nbytes, ap)
	ADDQ(nbytes, yp)
	DECQ(left)
	JNZ(LabelRef(p + "_row"))
	JMP(LabelRef("ok"))
}
