package kernels

// PeakLoop is a throughput loop of independent float32 FMA chains, used to
// measure one core's floating-point peak: Run(iters) performs
// iters*FlopsPerIter floating-point operations (an FMA counts as two).
type PeakLoop struct {
	Name         string
	FlopsPerIter int
	Run          func(iters int)
}

// PeakLoops returns the peak loops this machine can run, widest first. A
// build without assembly returns only the scalar Go loop.
func PeakLoops() []PeakLoop {
	return append(asmPeakLoops(), PeakLoop{Name: "go-scalar", FlopsPerIter: 2 * 8, Run: scalarPeak})
}

// peakSink keeps the scalar loop's result observable.
var peakSink float32

// scalarPeak runs 8 independent multiply-add chains per iteration.
func scalarPeak(iters int) {
	var a0, a1, a2, a3, a4, a5, a6, a7 float32
	b, c := float32(0.999), float32(1e-3)
	for i := 0; i < iters; i++ {
		a0 = a0*b + c
		a1 = a1*b + c
		a2 = a2*b + c
		a3 = a3*b + c
		a4 = a4*b + c
		a5 = a5*b + c
		a6 = a6*b + c
		a7 = a7*b + c
	}
	peakSink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7
}
