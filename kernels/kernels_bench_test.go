package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// Benchmarks report GFLOP/s of useful work (2 flops per kept weight and
// batch column) for every implementation, e.g.
//
//	go test ./kernels -run '^$' -bench . -benchtime 200ms

func reportGFLOPS(b *testing.B, flops float64) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkSpMM(b *testing.B) {
	for _, im := range All() {
		for _, c := range []struct {
			hidden, batch int
			density       float64
		}{{512, 128, 0.1}, {1024, 128, 0.1}, {512, 16, 0.1}, {512, 1, 0.1},
			// The paper's networks at the trainer's chunk of 64 trials.
			{116, 64, 0.5}, {220, 64, 0.475}, {228, 64, 0.16}} {
			b.Run(fmt.Sprintf("%s/h%d/b%d/d%g", im.Name, c.hidden, c.batch, c.density), func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 1))
				rowPtr, colIdx, val := randCSR(r, c.hidden, c.hidden, c.density)
				x := randSlice(r, c.hidden*c.batch)
				y := make([]float32, c.hidden*c.batch)
				for b.Loop() {
					im.SpMM(rowPtr, colIdx, val, x, y, c.batch)
				}
				reportGFLOPS(b, 2*float64(len(val))*float64(c.batch))
			})
		}
	}
}

func BenchmarkSDDMM(b *testing.B) {
	for _, im := range All() {
		for _, c := range []struct {
			hidden, batch int
			density       float64
		}{{512, 128, 0.1}, {220, 64, 0.475}, {220, 640, 0.475}} {
			b.Run(fmt.Sprintf("%s/h%d/b%d/d%g", im.Name, c.hidden, c.batch, c.density), func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 1))
				rowPtr, colIdx, val := randCSR(r, c.hidden, c.hidden, c.density)
				x := randSlice(r, c.hidden*c.batch)
				y := randSlice(r, c.hidden*c.batch)
				out := make([]float32, len(val))
				for b.Loop() {
					im.SDDMM(rowPtr, colIdx, x, y, out, c.batch)
				}
				reportGFLOPS(b, 2*float64(len(val))*float64(c.batch))
			})
		}
	}
}

// BenchmarkSpMMSDDMM: the fused backward kernel against its two separate
// calls (4 flops per kept weight and batch column either way).
func BenchmarkSpMMSDDMM(b *testing.B) {
	for _, im := range All() {
		for _, c := range []struct {
			hidden, batch int
			density       float64
		}{{116, 64, 0.5}, {220, 64, 0.475}, {228, 64, 0.16}} {
			r := rand.New(rand.NewPCG(1, 1))
			rowPtr, colIdx, val := randCSR(r, c.hidden, c.hidden, c.density)
			x, a := randSlice(r, c.hidden*c.batch), randSlice(r, c.hidden*c.batch)
			y, out := make([]float32, c.hidden*c.batch), make([]float32, len(val))
			flops := 4 * float64(len(val)) * float64(c.batch)
			name := fmt.Sprintf("%s/h%d/b%d/d%g", im.Name, c.hidden, c.batch, c.density)
			b.Run(name+"/fused", func(b *testing.B) {
				for b.Loop() {
					im.SpMMSDDMM(rowPtr, colIdx, val, x, y, a, out, c.batch)
				}
				reportGFLOPS(b, flops)
			})
			b.Run(name+"/separate", func(b *testing.B) {
				for b.Loop() {
					im.SpMM(rowPtr, colIdx, val, x, y, c.batch)
					im.SDDMM(rowPtr, colIdx, a, x, out, c.batch)
				}
				reportGFLOPS(b, flops)
			})
		}
	}
}

func BenchmarkGemm(b *testing.B) {
	for _, im := range All() {
		for _, h := range []int{256, 512} {
			b.Run(fmt.Sprintf("%s/h%d/b128", im.Name, h), func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 1))
				a := randSlice(r, h*h)
				x := randSlice(r, h*128)
				c := make([]float32, h*128)
				for b.Loop() {
					im.Gemm(h, 128, h, a, x, c)
				}
				reportGFLOPS(b, 2*float64(h*h*128))
			})
		}
	}
}

func BenchmarkGemmNT(b *testing.B) {
	for _, im := range All() {
		b.Run(fmt.Sprintf("%s/h512/b128", im.Name), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			d := randSlice(r, 512*128)
			c := make([]float32, 512*512)
			for b.Loop() {
				im.GemmNT(512, 512, 128, d, d, c)
			}
			reportGFLOPS(b, 2*float64(512*512*128))
		})
	}
}

func BenchmarkPeak(b *testing.B) {
	for _, l := range PeakLoops() {
		b.Run(l.Name, func(b *testing.B) {
			for b.Loop() {
				l.Run(10000)
			}
			reportGFLOPS(b, float64(l.FlopsPerIter)*10000)
		})
	}
}

// BenchmarkElementwise reports billions of elements per second ("Gelem/s")
// for the fused elementwise kernels on a 512 x 128 state (the Bias kernels
// include a copy that restores their input).
func BenchmarkElementwise(b *testing.B) {
	const rows, n = 512, 128
	r := rand.New(rand.NewPCG(1, 1))
	x0 := randSlice(r, rows*n)
	bias := randSlice(r, rows)
	for _, im := range All() {
		x := append([]float32(nil), x0...)
		p, g, m, v := randSlice(r, rows*n), randSlice(r, rows*n), make([]float32, rows*n), make([]float32, rows*n)
		out := make([]float32, rows)
		for _, k := range []struct {
			name string
			f    func()
		}{
			{"BiasTanh", func() { copy(x, x0); im.BiasTanh(x, bias, n) }},
			{"BiasReLU", func() { copy(x, x0); im.BiasReLU(x, bias, n) }},
			{"TanhBackward", func() { im.TanhBackward(x0, p, x) }},
			{"RowSums", func() { im.RowSums(x0, out, n) }},
			{"Adam", func() {
				im.Adam(p, g, m, v, AdamHyper{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, StepSize: 1e-3, BC2Sqrt: 0.03})
			}},
		} {
			b.Run(im.Name+"/"+k.name, func(b *testing.B) {
				for b.Loop() {
					k.f()
				}
				b.ReportMetric(float64(rows*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
			})
		}
	}
}
