package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// gemmMR is the number of rows of C in one register block.
const gemmMR = 6

// gemmV is the number of vectors of a C row in one register block: 6x4 ZMM
// (24 accumulators) for AVX-512 and 6x2 YMM (12) for AVX2.
func gemmV(s isa) int {
	if s.wide {
		return 4
	}
	return 2
}

// aRow addresses row r (< 6) of a row block from two bases three rows apart.
func aRow(r int, a0, a3, stride GPVirtual) Mem {
	base := a0
	if r >= 3 {
		base = a3
		r -= 3
	}
	if r == 0 {
		return Mem{Base: base}
	}
	return Mem{Base: base, Index: stride, Scale: uint8(r)}
}

// row3 returns the address of row 3 of a block of mr rows at r0, stride
// bytes apart, the second base of aRow (nil when mr <= 3).
func row3(mr int, r0, stride GPVirtual) GPVirtual {
	if mr <= 3 {
		return nil
	}
	r3 := GP64()
	LEAQ(Mem{Base: r0, Index: stride, Scale: 2}, r3)
	ADDQ(stride, r3)
	return r3
}

// genGemm emits C(m x n) += A(m x k) * B(k x n), row-major. C is covered by
// gemmMR x gemmV-vector register blocks: for each p the block loads gemmV
// vectors of B row p and broadcasts one A element per row, so every loaded
// B vector feeds gemmMR FMAs. As in SpMM, pass 1 covers the full column
// chunks and pass 2 the remaining columns with a masked last vector; row
// blocks shorter than gemmMR get their own unrolled code.
func genGemm(s isa) {
	s.kernel("gemm", "func(m, n, k int, a, b, c *float32)",
		"adds A(m x k) * B(k x n) to C(m x n); m, n, k > 0.")
	V := gemmV(s)
	uw := V * s.w
	n := ld("n")
	nbytes := rowBytes(n)
	lda := ld("k")
	SHLQ(U8(2), lda)
	fullEnd := pass1End(n, uw)
	gemmBlocks("p1", lda, nbytes, func(p string, mr int, ap, cp GPVirtual) {
		chunkLoop(p+"_chunk", uw, fullEnd, func(off GPVirtual) {
			gemmMicro(s, p, mr, V, nil, off, ap, cp, lda, nbytes)
		})
	})
	pass2(s, uw, V, "done", func(p string, v int, mask Register) {
		gemmBlocks(p, lda, nbytes, func(p string, mr int, ap, cp GPVirtual) {
			gemmMicro(s, p, mr, v, mask, fullEnd, ap, cp, lda, nbytes)
		})
	})
	Label("done")
	ret()
}

// gemmBlocks runs body over the row blocks of A and C: full gemmMR blocks in
// a loop, then one block of the remaining 1..gemmMR-1 rows.
func gemmBlocks(p string, lda, nbytes GPVirtual, body func(p string, mr int, ap, cp GPVirtual)) {
	ap := ld("a")
	cp := ld("c")
	left := ld("m")
	Label(p + "_blk")
	CMPQ(left, U8(gemmMR))
	JB(LabelRef(p + "_rem"))
	body(p+"_f", gemmMR, ap, cp)
	for r := 0; r < gemmMR; r++ {
		ADDQ(lda, ap)
		ADDQ(nbytes, cp)
	}
	SUBQ(U8(gemmMR), left)
	JMP(LabelRef(p + "_blk"))
	Label(p + "_rem")
	for mr := 1; mr < gemmMR; mr++ {
		CMPQ(left, U8(mr))
		JE(LabelRef(lbl(p, "r", mr)))
	}
	JMP(LabelRef(p + "_end"))
	for mr := 1; mr < gemmMR; mr++ {
		Label(lbl(p, "r", mr))
		body(lbl(p, "r", mr, "b"), mr, ap, cp)
		JMP(LabelRef(p + "_end"))
	}
	Label(p + "_end")
}

// gemmMicro adds the mr x V block of A*B at column byte offset off to C.
func gemmMicro(s isa, p string, mr, V int, mask Register, off, ap, cp, lda, nbytes GPVirtual) {
	acc := make([][]VecVirtual, mr)
	for r := range acc {
		acc[r] = s.vecs(V)
		zero(acc[r])
	}
	a0 := GP64()
	MOVQ(ap, a0)
	a3 := row3(mr, a0, lda)
	bp := ld("b")
	ADDQ(off, bp)
	kk := ld("k")
	bv := s.vecs(V)
	Label(p + "_k")
	for v := 0; v < V; v++ {
		s.load(Mem{Base: bp, Disp: v * s.vb()}, lastMask(mask, v, V), bv[v])
	}
	for r := 0; r < mr; r++ {
		bc := s.vec()
		VBROADCASTSS(aRow(r, a0, a3, lda), bc)
		for v := 0; v < V; v++ {
			VFMADD231PS(bv[v], bc, acc[r][v])
		}
	}
	ADDQ(U8(4), a0)
	if mr > 3 {
		ADDQ(U8(4), a3)
	}
	ADDQ(nbytes, bp)
	DECQ(kk)
	JNZ(LabelRef(p + "_k"))

	c0 := GP64()
	LEAQ(Mem{Base: cp, Index: off, Scale: 1}, c0)
	c3 := row3(mr, c0, nbytes)
	for r := 0; r < mr; r++ {
		row := aRow(r, c0, c3, nbytes)
		for v := 0; v < V; v++ {
			s.addTo(acc[r][v], lastMask(mask, v, V), row.Offset(v*s.vb()))
		}
	}
}

// genGemmNT emits C(m x n) += A(m x k) * B(n x k)^T: blocks of 2 rows of A
// against 4 rows of B, 8 vector accumulators over k (masked tail), reduced
// to 8 scalars per block.
func genGemmNT(s isa) {
	s.kernel("gemmNT", "func(m, n, k int, a, b, c *float32)",
		"adds A(m x k) * B(n x k)^T to C(m x n); m, n, k > 0.")
	kbytes := ld("k")
	SHLQ(U8(2), kbytes)
	endv := AllocLocal(8)
	remL := AllocLocal(8)
	t := ld("k")
	ANDQ(I32(-s.w), t)
	SHLQ(U8(2), t)
	MOVQ(t, endv)
	lanes := ld("k")
	ANDQ(U32(s.w-1), lanes)
	MOVQ(lanes, remL)
	mask := s.mask(lanes)

	ap := ld("a")
	cp := ld("c")
	ileft := ld("m")
	Label("iblk")
	CMPQ(ileft, U8(2))
	JB(LabelRef("irem"))
	gemmNTCols(s, "i2", 2, ap, cp, kbytes, mask, endv, remL)
	ADDQ(kbytes, ap)
	ADDQ(kbytes, ap)
	nb := ld("n")
	SHLQ(U8(3), nb)
	ADDQ(nb, cp)
	SUBQ(U8(2), ileft)
	JMP(LabelRef("iblk"))
	Label("irem")
	CMPQ(ileft, U8(1))
	JNE(LabelRef("done"))
	gemmNTCols(s, "i1", 1, ap, cp, kbytes, mask, endv, remL)
	Label("done")
	ret()
}

func gemmNTCols(s isa, p string, mr int, ap, cp, kbytes GPVirtual, mask Register, endv, remL Mem) {
	bp := ld("b")
	cj := GP64()
	MOVQ(cp, cj)
	jleft := ld("n")
	Label(p + "_jblk")
	CMPQ(jleft, U8(4))
	JB(LabelRef(p + "_jrem"))
	gemmNTMicro(s, p+"_f", mr, 4, ap, bp, cj, kbytes, mask, endv, remL)
	for r := 0; r < 4; r++ {
		ADDQ(kbytes, bp)
	}
	ADDQ(U8(16), cj)
	SUBQ(U8(4), jleft)
	JMP(LabelRef(p + "_jblk"))
	Label(p + "_jrem")
	for nr := 1; nr < 4; nr++ {
		CMPQ(jleft, U8(nr))
		JE(LabelRef(lbl(p, "j", nr)))
	}
	JMP(LabelRef(p + "_jend"))
	for nr := 1; nr < 4; nr++ {
		Label(lbl(p, "j", nr))
		gemmNTMicro(s, lbl(p, "j", nr, "b"), mr, nr, ap, bp, cj, kbytes, mask, endv, remL)
		JMP(LabelRef(p + "_jend"))
	}
	Label(p + "_jend")
}

func gemmNTMicro(s isa, p string, mr, nr int, ap, bp, cj, kbytes GPVirtual, mask Register, endv, remL Mem) {
	acc := make([][]VecVirtual, mr)
	for r := range acc {
		acc[r] = s.vecs(nr)
		zero(acc[r])
	}
	arow := []GPVirtual{ap}
	if mr > 1 {
		a1 := GP64()
		LEAQ(Mem{Base: ap, Index: kbytes, Scale: 1}, a1)
		arow = append(arow, a1)
	}
	brow := []GPVirtual{bp}
	for j := 1; j < nr; j++ {
		bj := GP64()
		LEAQ(Mem{Base: brow[j-1], Index: kbytes, Scale: 1}, bj)
		brow = append(brow, bj)
	}
	j := GP64()
	XORQ(j, j)
	body := func(mask Register) {
		av := s.vecs(mr)
		for r := range av {
			s.load(Mem{Base: arow[r], Index: j, Scale: 1}, mask, av[r])
		}
		for c := 0; c < nr; c++ {
			bt := s.vec()
			s.load(Mem{Base: brow[c], Index: j, Scale: 1}, mask, bt)
			for r := range av {
				VFMADD231PS(bt, av[r], acc[r][c])
			}
		}
	}
	Label(p + "_k")
	CMPQ(j, endv)
	JAE(LabelRef(p + "_tail"))
	body(nil)
	ADDQ(U32(s.vb()), j)
	JMP(LabelRef(p + "_k"))
	Label(p + "_tail")
	CMPQ(remL, U8(0))
	JE(LabelRef(p + "_red"))
	body(mask)
	Label(p + "_red")
	nb := ld("n")
	SHLQ(U8(2), nb)
	crow := func(r, c int) Mem {
		if r == 0 {
			return Mem{Base: cj, Disp: 4 * c}
		}
		return Mem{Base: cj, Index: nb, Scale: 1, Disp: 4 * c}
	}
	if nr == 4 {
		// Reduce the 4 accumulators of a row to 4 sums with horizontal adds
		// and add them to the 4 consecutive C entries at once.
		for r := 0; r < mr; r++ {
			s.reduce4(acc[r][0], acc[r][1], acc[r][2], acc[r][3])
			x := acc[r][0].AsX()
			VADDPS(crow(r, 0), x, x)
			VMOVUPS(x, crow(r, 0))
		}
		return
	}
	for r := 0; r < mr; r++ {
		for c := 0; c < nr; c++ {
			s.hsum(acc[r][c])
			x := acc[r][c].AsX()
			m := crow(r, c)
			VADDSS(m, x, x)
			VMOVSS(x, m)
		}
	}
}

// genPeak emits a loop of 12 independent FMA chains: its throughput is the
// core's FP32 FMA peak for this vector width (12 chains cover 4-cycle
// latency on two pipes). It performs iters*12 vector FMAs.
func genPeak(s isa) {
	TEXT("fmaPeak"+s.name, NOSPLIT, "func(iters int)")
	Doc("fmaPeak" + s.name + " runs iters*12 independent vector FMAs (peak measurement).")
	it := ld("iters")
	acc := s.vecs(12)
	zero(acc)
	b, c := s.vec(), s.vec()
	zero([]VecVirtual{b, c})
	TESTQ(it, it)
	JZ(LabelRef("done"))
	Label("loop")
	for _, a := range acc {
		VFMADD231PS(b, c, a)
	}
	DECQ(it)
	JNZ(LabelRef("loop"))
	Label("done")
	ret()
}
