package kernels

import (
	"math/rand/v2"
	"testing"
)

// The fuzz targets draw shapes and a seed for the values and compare every
// implementation with the generic one (go test -fuzz FuzzSpMM ./kernels).

func FuzzSpMM(f *testing.F) {
	f.Add(uint64(1), uint8(3), uint8(5), uint8(17), uint8(128))
	f.Add(uint64(2), uint8(1), uint8(1), uint8(1), uint8(255))
	f.Add(uint64(3), uint8(9), uint8(40), uint8(129), uint8(20))
	f.Fuzz(func(t *testing.T, seed uint64, rows, cols, n, density uint8) {
		for _, im := range All() {
			r := rand.New(rand.NewPCG(seed, 1))
			spmmCase(t, im, r, int(rows%64), 1+int(cols%64), int(n)%160, float64(density)/255)
		}
	})
}

func FuzzSDDMM(f *testing.F) {
	f.Add(uint64(1), uint8(3), uint8(5), uint8(17), uint8(128))
	f.Add(uint64(3), uint8(9), uint8(40), uint8(129), uint8(20))
	f.Fuzz(func(t *testing.T, seed uint64, rows, cols, n, density uint8) {
		for _, im := range All() {
			r := rand.New(rand.NewPCG(seed, 2))
			sddmmCase(t, im, r, int(rows%64), 1+int(cols%64), int(n)%160, float64(density)/255)
		}
	})
}

func FuzzSpMMSDDMM(f *testing.F) {
	f.Add(uint64(1), uint8(3), uint8(5), uint8(17), uint8(128))
	f.Add(uint64(4), uint8(30), uint8(50), uint8(64), uint8(200))
	f.Fuzz(func(t *testing.T, seed uint64, rows, cols, n, density uint8) {
		for _, im := range All() {
			r := rand.New(rand.NewPCG(seed, 4))
			spmmSDDMMCase(t, im, r, int(rows%64), 1+int(cols%64), int(n)%160, float64(density)/255)
		}
	})
}

func FuzzGemm(f *testing.F) {
	f.Add(uint64(1), uint8(7), uint8(70), uint8(5), false)
	f.Add(uint64(2), uint8(13), uint8(3), uint8(33), true)
	f.Fuzz(func(t *testing.T, seed uint64, m, n, k uint8, nt bool) {
		for _, im := range All() {
			r := rand.New(rand.NewPCG(seed, 3))
			gemmCase(t, im, r, int(m%40), int(n)%160, int(k)%160, nt)
		}
	})
}
