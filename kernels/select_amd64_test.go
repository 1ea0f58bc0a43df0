//go:build !purego && !noasm

package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/klauspost/cpuid/v2"
)

// TestInstructionSetsOff switches each instruction set off in turn, as on a
// CPU without it: the best remaining implementation must become the default
// and give the generic results.
func TestInstructionSetsOff(t *testing.T) {
	has2 := cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.BMI2)
	has512 := has2 && cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.AVX512DQ)
	defer registerAsm(has2, has512)
	best := func(avx2, avx512 bool) string {
		switch {
		case avx512:
			return "avx512"
		case avx2:
			return "avx2"
		}
		return "generic"
	}
	for _, c := range []struct{ avx2, avx512 bool }{{has2, has512}, {has2, false}, {false, has512}, {false, false}} {
		registerAsm(c.avx2, c.avx512)
		d, err := Default()
		if want := best(c.avx2, c.avx512); err != nil || d.Name != want {
			t.Fatalf("avx2=%v avx512=%v: Default() = %v, %v; want %s", c.avx2, c.avx512, d, err, want)
		}
		if all := All(); all[len(all)-1] != Generic {
			t.Fatalf("avx2=%v avx512=%v: generic missing", c.avx2, c.avx512)
		}
		if !c.avx512 {
			if _, err := Get("avx512"); err == nil {
				t.Fatal("avx512 switched off but still available")
			}
		}
		r := rand.New(rand.NewPCG(21, 22))
		spmmCase(t, d, r, 20, 30, 37, 0.3)
		gemmCase(t, d, r, 9, 37, 11, false)
	}
}
