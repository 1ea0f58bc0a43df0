//go:build !purego && !noasm

package kernels

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/klauspost/cpuid/v2"
)

// The assembly implementations: every kernel has an assembly version. The
// assembly tanh is a float32 approximation within 1.5 ulp (see
// _asm/tanh.go), so BiasTanh differs from the generic float64 math.Tanh in
// the last bit or so; each Impl is deterministic on its own.
var (
	avx512Impl = &Impl{
		Name:         "avx512",
		SpMM:         avx512Set.spmm,
		SDDMM:        avx512Set.sddmm,
		SpMMSDDMM:    avx512Set.spmmSDDMM,
		Gemm:         avx512Set.gemm,
		GemmNT:       avx512Set.gemmNT,
		BiasTanh:     avx512Elem.biasTanh,
		BiasReLU:     avx512Elem.biasReLU,
		TanhBackward: avx512Elem.tanhBackward,
		ReLUBackward: avx512Elem.reluBackward,
		RowSums:      avx512Elem.rowSums,
		Adam:         avx512Elem.adam,
		RMSprop:      avx512Elem.rmsprop,
		SGD:          avx512Elem.sgd,
	}
	avx2Impl = &Impl{
		Name:         "avx2",
		SpMM:         avx2Set.spmm,
		SDDMM:        avx2Set.sddmm,
		SpMMSDDMM:    avx2Set.spmmSDDMM,
		Gemm:         avx2Set.gemm,
		GemmNT:       avx2Set.gemmNT,
		BiasTanh:     avx2Elem.biasTanh,
		BiasReLU:     avx2Elem.biasReLU,
		TanhBackward: avx2Elem.tanhBackward,
		ReLUBackward: avx2Elem.reluBackward,
		RowSums:      avx2Elem.rowSums,
		Adam:         avx2Elem.adam,
		RMSprop:      avx2Elem.rmsprop,
		SGD:          avx2Elem.sgd,
	}
)

func init() {
	// BMI2 (SHLX) builds the AVX-512 tail masks; every AVX2 CPU has it too.
	// The avx512 set also runs some AVX2 code (Gemm with n <= 16).
	has2 := cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.BMI2)
	registerAsm(has2, has2 && cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.AVX512DQ))
}

// registerAsm rebuilds the list of available implementations, best first,
// from the CPU features; tests call it to switch instruction sets off.
func registerAsm(hasAVX2, hasAVX512 bool) {
	list := []*Impl{}
	if hasAVX512 {
		list = append(list, avx512Impl)
	}
	if hasAVX2 {
		list = append(list, avx2Impl)
	}
	available = append(list, Generic)
}

// checkCSR validates what the assembly would otherwise read out of bounds:
// every rowPtr entry must lie in [0, nnz] and the rows x n output must fit.
// Column indices are checked by the assembly itself. It returns the number
// of rows. Bad input panics, as the generic code does on an index error.
func checkCSR(kernel string, rowPtr, colIdx []int32, nnz, rowsLen, n int) int {
	if n < 0 {
		panic(fmt.Sprintf("kernels: %s: negative n %d", kernel, n))
	}
	rows := len(rowPtr) - 1
	if rows <= 0 {
		return 0
	}
	nnz = min(nnz, len(colIdx))
	for i, p := range rowPtr {
		if p < 0 || int(p) > nnz {
			panic(fmt.Sprintf("kernels: %s: rowPtr[%d] = %d outside [0, %d]", kernel, i, p, nnz))
		}
	}
	if n > 0 && rows > rowsLen/n { // rows*n > rowsLen without overflow
		panic(fmt.Sprintf("kernels: %s: %d rows x %d need %d elements, have %d", kernel, rows, n, rows*n, rowsLen))
	}
	return rows
}

func checkGemm(kernel string, m, n, k, la, lb, lc int) bool {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: %s: negative size m=%d n=%d k=%d", kernel, m, n, k))
	}
	if m == 0 || n == 0 || k == 0 {
		return false
	}
	if m > la/k || k > lb/n || m > lc/n { // len(a) < m*k etc., without overflow
		panic(fmt.Sprintf("kernels: %s: m=%d n=%d k=%d need len(a)>=%d len(b)>=%d len(c)>=%d, have %d %d %d",
			kernel, m, n, k, m*k, k*n, m*n, la, lb, lc))
	}
	return true
}

func badColumn(kernel string) {
	panic(fmt.Sprintf("kernels: %s: column index out of range", kernel))
}

// Assembly cannot be preempted, so a long call would hold off the Go
// scheduler and a garbage-collection stop for its whole duration. The
// wrappers therefore split big calls by rows (or elements) so that one
// assembly call does about callBudget multiply-adds (tens of microseconds)
// or elemBudget elementwise updates. Rows are independent, so the split does
// not change any result (TestRowSplit).
const (
	callBudget = 1 << 20
	elemBudget = 1 << 16
)

// csrChunks calls f on consecutive row ranges [r0, r1) whose work
// (nonzeros x n, plus n per row) is about callBudget. A nonzero costs at
// least as much as 16 multiply-adds (the gathers of the n = 1 kernels).
func csrChunks(rowPtr []int32, n int, f func(r0, r1 int)) {
	rows := len(rowPtr) - 1
	r0, work, w := 0, 0, max(n, 16)
	for i := 0; i < rows; i++ {
		work += (max(0, int(rowPtr[i+1]-rowPtr[i])) + 1) * w
		if work >= callBudget {
			f(r0, i+1)
			r0, work = i+1, 0
		}
	}
	if r0 < rows {
		f(r0, rows)
	}
}

// rowChunks calls f on consecutive row ranges [r0, r1) of per rows, per
// rounded down to a multiple of unit (the kernel's row block) and at least
// unit, so that chunking never leaves the kernel short row blocks.
func rowChunks(rows, per, unit int, f func(r0, r1 int)) {
	per = max(per-per%unit, unit)
	for r0 := 0; r0 < rows; r0 += per {
		f(r0, min(rows, r0+per))
	}
}

// asmSet selects one instruction set's sparse and dense assembly; the
// assembly is called directly (not through function values) so that no
// argument escapes.
type asmSet struct{ wide bool }

var (
	avx512Set = asmSet{wide: true}
	avx2Set   = asmSet{wide: false}
)

func (e asmSet) spmm(rowPtr, colIdx []int32, val, x, y []float32, n int) {
	rows := checkCSR("SpMM", rowPtr, colIdx, len(val), len(y), n)
	if rows == 0 || n == 0 {
		return
	}
	if n == 1 && len(x) == 0 {
		spmmGeneric(rowPtr, colIdx, val, x, y, n) // panics if any column is referenced
		return
	}
	ci, vp, xp := unsafe.SliceData(colIdx), unsafe.SliceData(val), unsafe.SliceData(x)
	csrChunks(rowPtr[:rows+1], n, func(r0, r1 int) {
		var ok bool
		switch {
		case n == 1 && e.wide:
			ok = spmvAVX512(&rowPtr[r0], r1-r0, ci, vp, xp, min(len(x), math.MaxInt32), &y[r0])
		case n == 1:
			ok = spmvAVX2(&rowPtr[r0], r1-r0, ci, vp, xp, min(len(x), math.MaxInt32), &y[r0])
		case e.wide:
			ok = spmmAVX512(&rowPtr[r0], r1-r0, ci, len(colIdx), vp, xp, len(x)/n, &y[r0*n], n)
		default:
			ok = spmmAVX2(&rowPtr[r0], r1-r0, ci, len(colIdx), vp, xp, len(x)/n, &y[r0*n], n)
		}
		if !ok {
			badColumn("SpMM")
		}
	})
}

// sddmmRegsMax: rows of up to this many vectors (64 floats with AVX-512, 32
// with AVX2) take the SDDMM kernel that keeps a's row in registers (_asm:
// genSDDMMRegs), about 20% faster at the trainer's per-step call
// (BenchmarkSDDMM/avx512/h220/b64: 69 against 57 GFLOP/s, best of 8). It
// must match sddmmRegsMax in _asm/sparse.go.
const sddmmRegsMax = 4

func (e asmSet) sddmm(rowPtr, colIdx []int32, a, b, out []float32, n int) {
	rows := checkCSR("SDDMM", rowPtr, colIdx, len(out), len(a), n)
	if rows == 0 || n == 0 {
		return
	}
	if n == 1 && len(b) == 0 {
		sddmmGeneric(rowPtr, colIdx, a, b, out, n) // panics if any column is referenced
		return
	}
	ci, bp, op := unsafe.SliceData(colIdx), unsafe.SliceData(b), unsafe.SliceData(out)
	csrChunks(rowPtr[:rows+1], n, func(r0, r1 int) {
		var ok bool
		switch {
		case n == 1 && e.wide:
			ok = sddmvAVX512(&rowPtr[r0], r1-r0, ci, &a[r0], bp, min(len(b), math.MaxInt32), op)
		case n == 1:
			ok = sddmvAVX2(&rowPtr[r0], r1-r0, ci, &a[r0], bp, min(len(b), math.MaxInt32), op)
		case e.wide && n <= sddmmRegsMax*16:
			ok = sddmmrAVX512(&rowPtr[r0], r1-r0, ci, &a[r0*n], bp, len(b)/n, op, n)
		case e.wide:
			ok = sddmmAVX512(&rowPtr[r0], r1-r0, ci, &a[r0*n], bp, len(b)/n, op, n)
		case n <= sddmmRegsMax*8:
			ok = sddmmrAVX2(&rowPtr[r0], r1-r0, ci, &a[r0*n], bp, len(b)/n, op, n)
		default:
			ok = sddmmAVX2(&rowPtr[r0], r1-r0, ci, &a[r0*n], bp, len(b)/n, op, n)
		}
		if !ok {
			badColumn("SDDMM")
		}
	})
}

// spmmSDDMM runs the fused AVX-512 kernel for rows of at most
// sddmmRegsMax vectors, else (AVX2, longer rows, n = 1) the two kernels one
// after the other. The choice depends only on n, so results stay
// deterministic (the fused kernel's y sums use one accumulator set where
// spmm alternates two: a different float32 rounding, not a different result
// from run to run).
func (e asmSet) spmmSDDMM(rowPtr, colIdx []int32, val, x, y, a, out []float32, n int) {
	if !e.wide || n <= 1 || n > sddmmRegsMax*16 {
		e.spmm(rowPtr, colIdx, val, x, y, n)
		e.sddmm(rowPtr, colIdx, a, x, out, n)
		return
	}
	rows := checkCSR("SpMMSDDMM", rowPtr, colIdx, min(len(val), len(out)), min(len(y), len(a)), n)
	if rows == 0 {
		return
	}
	ci, vp, xp, op := unsafe.SliceData(colIdx), unsafe.SliceData(val), unsafe.SliceData(x), unsafe.SliceData(out)
	csrChunks(rowPtr[:rows+1], 2*n, func(r0, r1 int) {
		if !spmmsddmmAVX512(&rowPtr[r0], r1-r0, ci, vp, xp, len(x)/n, &y[r0*n], &a[r0*n], op, n) {
			badColumn("SpMMSDDMM")
		}
	})
}

func (e asmSet) gemm(m, n, k int, a, b, c []float32) {
	if !checkGemm("Gemm", m, n, k, len(a), len(b), len(c)) {
		return
	}
	rowChunks(m, callBudget/(n*k), 6, func(r0, r1 int) {
		ap, cp := &a[r0*k], &c[r0*n]
		switch {
		case n == 1 && e.wide:
			// A matrix-vector product: row dot products, which is GemmNT
			// with B (k x 1) read as a 1 x k matrix.
			gemmNTAVX512(r1-r0, 1, k, ap, &b[0], cp)
		case n == 1:
			gemmNTAVX2(r1-r0, 1, k, ap, &b[0], cp)
		case e.wide && n > 16:
			gemmAVX512(r1-r0, n, k, ap, &b[0], cp)
		default:
			// For n <= 16 one ZMM column block gives only 6 independent
			// FMA chains; the YMM kernel's 6x2 block has 12 and measured
			// 1.45x faster at n = 16 on Zen 4.
			gemmAVX2(r1-r0, n, k, ap, &b[0], cp)
		}
	})
}

func (e asmSet) gemmNT(m, n, k int, a, b, c []float32) {
	if !checkGemm("GemmNT", m, n, k, len(a), len(b), len(c)) {
		return
	}
	rowChunks(m, callBudget/(n*k), 2, func(r0, r1 int) {
		ap, cp := &a[r0*k], &c[r0*n]
		switch {
		case k == 1 && e.wide:
			// An outer product: B (n x 1) read as 1 x n makes it a Gemm,
			// which vectorizes along n instead of over dots of length 1.
			gemmAVX512(r1-r0, n, 1, ap, &b[0], cp)
		case k == 1:
			gemmAVX2(r1-r0, n, 1, ap, &b[0], cp)
		case e.wide:
			gemmNTAVX512(r1-r0, n, k, ap, &b[0], cp)
		default:
			gemmNTAVX2(r1-r0, n, k, ap, &b[0], cp)
		}
	})
}
