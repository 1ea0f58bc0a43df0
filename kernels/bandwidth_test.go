package kernels

import "testing"

// TestReadProbes: every probe runs on every implementation, the memequal
// probe finds its two halves equal (else it would stop early), and the Go
// sum adds every element.
func TestReadProbes(t *testing.T) {
	for _, im := range All() {
		b := NewReadBuffer(10_000, im)
		if b.Bytes() <= 0 || b.Bytes() > 10_000 || b.Bytes()%(4*readRow*2) != 0 {
			t.Fatalf("%s: buffer of %d bytes", im.Name, b.Bytes())
		}
		for _, p := range ReadProbes() {
			p.Read(b)
		}
		if b.Mismatched() {
			t.Fatalf("%s: memequal probe found the halves different", im.Name)
		}
	}
}

func TestBandwidthSum(t *testing.T) {
	x := make([]float32, 64)
	want := float32(0)
	for i := range x {
		x[i] = float32(i)
		want += float32(i)
	}
	if got := sumFloat32(x); got != want {
		t.Fatalf("sumFloat32 = %v, want %v", got, want)
	}
}
