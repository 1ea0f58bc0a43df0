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
	s.kernel("spmm", "func(rowPtr *int32, rows int, colIdx *int32, nnz int, val *float32, x *float32, xrows int, y *float32, n int) bool",
		"adds the CSR product val*x to y; it returns false on a column index >= xrows.",
		"Requires rows > 0, n > 0 and every rowPtr entry in [0, len(colIdx)].")
	uw := spmmU * s.w
	n := ld("n")
	nbytes := rowBytes(n)
	fullEnd := pass1End(n, uw)

	if spmmChunkOuter != 0 {
		chunkLoop("p1_chunk", uw, fullEnd, func(off GPVirtual) {
			spmmRows(s, "p1", nbytes, func(rpp, yp GPVirtual) {
				spmmRow(s, "p1c", spmmU, nil, off, rpp, yp, nbytes)
			})
		})
	} else {
		spmmRows(s, "p1", nbytes, func(rpp, yp GPVirtual) {
			chunkLoop("p1_chunk", uw, fullEnd, func(off GPVirtual) {
				spmmRow(s, "p1c", spmmU, nil, off, rpp, yp, nbytes)
			})
		})
	}

	pass2(s, uw, spmmU, "ok", func(p string, V int, mask Register) {
		spmmRows(s, p+"r", nbytes, func(rpp, yp GPVirtual) {
			spmmRow(s, p+"b", V, mask, fullEnd, rpp, yp, nbytes)
		})
	})
	Label("ok")
	retOrFail()
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

// csrRow loads the nonzero range [k, ke) of the CSR row at rpp = &rowPtr[i].
func csrRow(rpp GPVirtual) (k, ke GPVirtual) {
	k, ke = GP64(), GP64()
	MOVLQSX(Mem{Base: rpp}, k)
	MOVLQSX(Mem{Base: rpp, Disp: 4}, ke)
	return k, ke
}

// colRow returns the address base + colIdx[k+disp/4]*stride of the row of a
// dense operand selected by a nonzero (ci = &colIdx[0]); it jumps to "fail"
// when the column index is >= the parameter named rows.
func colRow(ci, k GPVirtual, disp int, rows string, stride, base Op) GPVirtual {
	r := GP64()
	MOVLQZX(Mem{Base: ci, Index: k, Scale: 4, Disp: disp}, r)
	CMPQ(r, paramAddr(rows))
	JAE(LabelRef("fail"))
	IMULQ(stride, r)
	ADDQ(base, r)
	return r
}

// spmmRow accumulates V vectors of one row at byte offset off of the batch.
func spmmRow(s isa, p string, V int, mask Register, off, rpp, yp, nbytes GPVirtual) {
	two := V <= spmmTwo
	ci := ld("colIdx")
	val := ld("val")
	x := ld("x")
	k, ke := csrRow(rpp)
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
		col := colRow(ci, k, disp, "xrows", nbytes, x)
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
			s.fmaMem(Mem{Base: col, Index: off, Scale: 1, Disp: v * s.vb()}, bc, acc[v], lastMask(mask, v, V), tmp)
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
		s.addTo(acc, lastMask(mask, v, V), Mem{Base: yp, Index: off, Scale: 1, Disp: v * s.vb()})
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
	s.kernel("sddmm", "func(rowPtr *int32, rows int, colIdx *int32, a *float32, b *float32, brows int, out *float32, n int) bool",
		"adds the row dot products of a and b at the CSR positions to out; it returns false on a column index >= brows.",
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
	k, ke := csrRow(rpp)
	nnzBlocks("", k, ke, func(q int) {
		sddmmBlock(s, fmt.Sprintf("q%d", q), q, ci, k, ap, mask, nbytesL, end2, endv, remL)
	})
	ADDQ(U8(4), rpp)
	ADDQ(nbytesL, ap)
	DECQ(leftL)
	JNZ(LabelRef("row"))
	retOrFail()
}

// nnzBlocks runs block(4) over the nonzeros k..ke-1 of a row four at a time,
// then block(1) over the one to three left, advancing k; labels start with p.
func nnzBlocks(p string, k, ke GPVirtual, block func(q int)) {
	Label(p + "nz4")
	t4 := GP64()
	LEAQ(Mem{Base: k, Disp: 4}, t4)
	CMPQ(t4, ke)
	JG(LabelRef(p + "nz1"))
	block(4)
	ADDQ(U8(4), k)
	JMP(LabelRef(p + "nz4"))
	Label(p + "nz1")
	CMPQ(k, ke)
	JGE(LabelRef(p + "rowdone"))
	block(1)
	INCQ(k)
	JMP(LabelRef(p + "nz1"))
	Label(p + "rowdone")
}

// sddmmBlock adds the dot products of a[i,:] with the b rows of the q
// nonzeros k..k+q-1 (q is 1 or 4) to out[k:k+q].
func sddmmBlock(s isa, p string, q int, ci, k, ap GPVirtual, mask Register, nbytesL, end2, endv, remL Mem) {
	bp := make([]GPVirtual, q)
	for c := range bp {
		bp[c] = colRow(ci, k, 4*c, "brows", nbytesL, paramAddr("b"))
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
	dots := make([]VecVirtual, q)
	for c := range acc {
		dots[c] = acc[c][0]
	}
	s.addDots(dots, k)
}

// addDots adds the lane sums of the q = len(acc) accumulators (1 or 4) to
// out[k:k+q]; the accumulators are clobbered.
func (s isa) addDots(acc []VecVirtual, k GPVirtual) {
	out := ld("out")
	o := Mem{Base: out, Index: k, Scale: 4}
	if len(acc) == 1 {
		s.hsum(acc[0])
		x := acc[0].AsX()
		VADDSS(o, x, x)
		VMOVSS(x, o)
		return
	}
	s.reduce4(acc[0], acc[1], acc[2], acc[3])
	x := acc[0].AsX()
	VADDPS(o, x, x)
	VMOVUPS(x, o)
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
	s.kernel("sddmmr", "func(rowPtr *int32, rows int, colIdx *int32, a *float32, b *float32, brows int, out *float32, n int) bool",
		"is SDDMM for 0 < n <= "+fmt.Sprint(sddmmRegsMax*s.w)+" with a's row held in registers; it returns false on a column index >= brows.",
		"Requires rows > 0 and every rowPtr entry in [0, len(colIdx)].")
	regsDispatch(s, "r", sddmmRegsLoop)
}

// loadRow loads len(av) vectors at base into av, the last one masked.
func (s isa) loadRow(base GPVirtual, av []VecVirtual, mask Register) {
	V := len(av)
	for v := 0; v < V-1; v++ {
		VMOVUPS(Mem{Base: base, Disp: v * s.vb()}, av[v])
	}
	s.loadMasked(Mem{Base: base, Disp: (V - 1) * s.vb()}, mask, av[V-1])
}

// regsDispatch emits the body of a kernel for short rows (0 < n <=
// sddmmRegsMax*w): V = ceil(n/w) is dispatched once per call to the code
// loop(s, lbl(p, V), V, mask) emitted for each V, which ends with a jump to
// "ok"; mask selects the lanes of the last of the V vectors.
func regsDispatch(s isa, p string, loop func(s isa, p string, V int, mask Register)) {
	n := ld("n")
	mask := s.tailMask(n)
	nv := GP64()
	MOVQ(n, nv)
	s.toVecs(nv)
	jumpTable(nv, sddmmRegsMax, p, "fail") // n outside (0, sddmmRegsMax*w]: the wrapper never calls so
	for v := 1; v <= sddmmRegsMax; v++ {
		Label(lbl(p, v))
		loop(s, lbl(p, v), v, mask)
	}
	Label("ok")
	retOrFail()
}

// sddmmRegsLoop runs every row with V vectors of a in registers.
func sddmmRegsLoop(s isa, p string, V int, mask Register) {
	nbytes := ld("n")
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
	s.loadRow(ap, av, mask)
	ci := ld("colIdx")
	k, ke := csrRow(rpp)
	block := func(q int) {
		acc := s.vecs(q)
		zero(acc)
		for c := 0; c < q; c++ {
			bp := colRow(ci, k, 4*c, "brows", nbytes, paramAddr("b"))
			for v := 0; v < V; v++ {
				s.fmaMem(Mem{Base: bp, Disp: v * s.vb()}, av[v], acc[c], lastMask(mask, v, V), tmp)
			}
		}
		s.addDots(acc, k)
	}
	nnzBlocks(p+"_", k, ke, block)
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
	s.kernel("spmmsddmm", "func(rowPtr *int32, rows int, colIdx *int32, val *float32, x *float32, xrows int, y *float32, a *float32, out *float32, n int) bool",
		"is SpMM of val and x into y fused with SDDMM of a and x into out, for 0 < n <= "+fmt.Sprint(sddmmRegsMax*s.w)+";",
		"it returns false on a column index >= xrows.",
		"Requires rows > 0 and every rowPtr entry in [0, len(colIdx)].")
	regsDispatch(s, "f", spmmSDDMMLoop)
}

// spmmSDDMMLoop runs every row with V vectors of a and of the y sums in
// registers.
func spmmSDDMMLoop(s isa, p string, V int, mask Register) {
	nbytes := ld("n")
	SHLQ(U8(2), nbytes)
	rpp := ld("rowPtr")
	ap := ld("a")
	yp := ld("y")
	left := ld("rows")
	av := s.vecs(V)
	yacc := s.vecs(V)
	Label(p + "_row")
	s.loadRow(ap, av, mask)
	zero(yacc)
	ci := ld("colIdx")
	val := ld("val")
	k, ke := csrRow(rpp)
	block := func(q int) {
		acc := s.vecs(q)
		zero(acc)
		for c := 0; c < q; c++ {
			xp := colRow(ci, k, 4*c, "xrows", nbytes, paramAddr("x"))
			bc := s.vec()
			VBROADCASTSS(Mem{Base: val, Index: k, Scale: 4, Disp: 4 * c}, bc)
			for v := 0; v < V; v++ {
				xv := s.vec()
				s.load(Mem{Base: xp, Disp: v * s.vb()}, lastMask(mask, v, V), xv)
				VFMADD231PS(xv, bc, yacc[v])
				VFMADD231PS(xv, av[v], acc[c])
			}
		}
		s.addDots(acc, k)
	}
	nnzBlocks(p+"_", k, ke, block)
	for v := 0; v < V; v++ {
		s.addTo(yacc[v], lastMask(mask, v, V), Mem{Base: yp, Disp: v * s.vb()})
	}
	ADDQ(U8(4), rpp)
	ADDQ(nbytes, ap)
	ADDQ(nbytes, yp)
	DECQ(left)
	JNZ(LabelRef(p + "_row"))
	JMP(LabelRef("ok"))
}
