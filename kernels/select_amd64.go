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
		SpMM:         spmmAVX512Go,
		SDDMM:        sddmmAVX512Go,
		Gemm:         gemmAVX512Go,
		GemmNT:       gemmNTAVX512Go,
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
		SpMM:         spmmAVX2Go,
		SDDMM:        sddmmAVX2Go,
		Gemm:         gemmAVX2Go,
		GemmNT:       gemmNTAVX2Go,
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

func spmmAVX512Go(rowPtr, colIdx []int32, val, x, y []float32, n int) {
	rows := checkCSR("SpMM", rowPtr, colIdx, len(val), len(y), n)
	if rows == 0 || n == 0 {
		return
	}
	if n == 1 {
		if len(x) == 0 {
			spmmGeneric(rowPtr, colIdx, val, x, y, n) // panics if any column is referenced
		} else if !spmvAVX512(&rowPtr[0], rows, unsafe.SliceData(colIdx), unsafe.SliceData(val), &x[0], min(len(x), math.MaxInt32), &y[0]) {
			badColumn("SpMM")
		}
		return
	}
	if !spmmAVX512(&rowPtr[0], rows, unsafe.SliceData(colIdx), len(colIdx), unsafe.SliceData(val), unsafe.SliceData(x), len(x)/n, &y[0], n) {
		badColumn("SpMM")
	}
}

func spmmAVX2Go(rowPtr, colIdx []int32, val, x, y []float32, n int) {
	rows := checkCSR("SpMM", rowPtr, colIdx, len(val), len(y), n)
	if rows == 0 || n == 0 {
		return
	}
	if n == 1 {
		if len(x) == 0 {
			spmmGeneric(rowPtr, colIdx, val, x, y, n) // panics if any column is referenced
		} else if !spmvAVX2(&rowPtr[0], rows, unsafe.SliceData(colIdx), unsafe.SliceData(val), &x[0], min(len(x), math.MaxInt32), &y[0]) {
			badColumn("SpMM")
		}
		return
	}
	if !spmmAVX2(&rowPtr[0], rows, unsafe.SliceData(colIdx), len(colIdx), unsafe.SliceData(val), unsafe.SliceData(x), len(x)/n, &y[0], n) {
		badColumn("SpMM")
	}
}

func sddmmAVX512Go(rowPtr, colIdx []int32, a, b, out []float32, n int) {
	rows := checkCSR("SDDMM", rowPtr, colIdx, len(out), len(a), n)
	if rows == 0 || n == 0 {
		return
	}
	if n == 1 {
		if len(b) == 0 {
			sddmmGeneric(rowPtr, colIdx, a, b, out, n) // panics if any column is referenced
		} else if !sddmvAVX512(&rowPtr[0], rows, unsafe.SliceData(colIdx), &a[0], &b[0], min(len(b), math.MaxInt32), unsafe.SliceData(out)) {
			badColumn("SDDMM")
		}
		return
	}
	if !sddmmAVX512(&rowPtr[0], rows, unsafe.SliceData(colIdx), &a[0], unsafe.SliceData(b), len(b)/n, unsafe.SliceData(out), n) {
		badColumn("SDDMM")
	}
}

func sddmmAVX2Go(rowPtr, colIdx []int32, a, b, out []float32, n int) {
	rows := checkCSR("SDDMM", rowPtr, colIdx, len(out), len(a), n)
	if rows == 0 || n == 0 {
		return
	}
	if n == 1 {
		if len(b) == 0 {
			sddmmGeneric(rowPtr, colIdx, a, b, out, n) // panics if any column is referenced
		} else if !sddmvAVX2(&rowPtr[0], rows, unsafe.SliceData(colIdx), &a[0], &b[0], min(len(b), math.MaxInt32), unsafe.SliceData(out)) {
			badColumn("SDDMM")
		}
		return
	}
	if !sddmmAVX2(&rowPtr[0], rows, unsafe.SliceData(colIdx), &a[0], unsafe.SliceData(b), len(b)/n, unsafe.SliceData(out), n) {
		badColumn("SDDMM")
	}
}

func gemmAVX512Go(m, n, k int, a, b, c []float32) {
	if !checkGemm("Gemm", m, n, k, len(a), len(b), len(c)) {
		return
	}
	if n == 1 {
		// A matrix-vector product: row dot products, which is GemmNT with
		// B (k x 1) read as a 1 x k matrix.
		gemmNTAVX512(m, 1, k, &a[0], &b[0], &c[0])
		return
	}
	if n <= 16 {
		// One ZMM column block gives only gemmMR (6) independent FMA
		// chains; the YMM kernel's 6x2 block has 12 and measured 1.45x
		// faster at n = 16 on Zen 4.
		gemmAVX2(m, n, k, &a[0], &b[0], &c[0])
		return
	}
	gemmAVX512(m, n, k, &a[0], &b[0], &c[0])
}

func gemmAVX2Go(m, n, k int, a, b, c []float32) {
	if !checkGemm("Gemm", m, n, k, len(a), len(b), len(c)) {
		return
	}
	if n == 1 {
		// A matrix-vector product: row dot products, which is GemmNT with
		// B (k x 1) read as a 1 x k matrix.
		gemmNTAVX2(m, 1, k, &a[0], &b[0], &c[0])
		return
	}
	gemmAVX2(m, n, k, &a[0], &b[0], &c[0])
}

func gemmNTAVX512Go(m, n, k int, a, b, c []float32) {
	if !checkGemm("GemmNT", m, n, k, len(a), len(b), len(c)) {
		return
	}
	if k == 1 {
		// An outer product: B (n x 1) read as 1 x n makes it a Gemm, which
		// vectorizes along n instead of over dot products of length 1.
		gemmAVX512(m, n, 1, &a[0], &b[0], &c[0])
		return
	}
	gemmNTAVX512(m, n, k, &a[0], &b[0], &c[0])
}

func gemmNTAVX2Go(m, n, k int, a, b, c []float32) {
	if !checkGemm("GemmNT", m, n, k, len(a), len(b), len(c)) {
		return
	}
	if k == 1 {
		// An outer product: B (n x 1) read as 1 x n makes it a Gemm, which
		// vectorizes along n instead of over dot products of length 1.
		gemmAVX2(m, n, 1, &a[0], &b[0], &c[0])
		return
	}
	gemmNTAVX2(m, n, k, &a[0], &b[0], &c[0])
}
