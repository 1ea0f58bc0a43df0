//go:build !purego && !noasm

package kernels

import "github.com/klauspost/cpuid/v2"

func asmPeakLoops() []PeakLoop {
	var l []PeakLoop
	if cpuid.CPU.Supports(cpuid.AVX512F) {
		l = append(l, PeakLoop{Name: "avx512", FlopsPerIter: 12 * 16 * 2, Run: fmaPeakAVX512})
	}
	if cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) {
		l = append(l, PeakLoop{Name: "avx2", FlopsPerIter: 12 * 8 * 2, Run: fmaPeakAVX2})
	}
	return l
}
