package roofline

import (
	"math/rand/v2"
	"testing"
)

var testMachine = Machine{L1D: 48 << 10, L2: 1 << 20, L3: 32 << 20, PeakGFLOPS: 100,
	Bandwidth: []Bandwidth{{Level: "L1", Threads: 1, GBs: 400}, {Level: "L2", Threads: 1, GBs: 200},
		{Level: "L3", Threads: 1, GBs: 100}, {Level: "DRAM", Threads: 1, GBs: 40}}}

// TestTraffic: a working set inside L1 moves nothing beyond it; a stream
// larger than L2 crosses once; a re-read array larger than a level misses
// on the re-reads in the share of it that does not fit.
func TestTraffic(t *testing.T) {
	small := kcase{arrays: []array{{foot: 1000, loads: 5000, reread: true}}}
	if ws, b := traffic(small, testMachine, 1); ws != 1000 || b != [4]float64{5000, 0, 0, 0} {
		t.Fatalf("small: ws %v bytes %v", ws, b)
	}
	const mb = 1 << 20
	big := kcase{arrays: []array{
		{foot: 4 * mb, loads: 4 * mb, stores: 4 * mb},  // a stream, written
		{foot: 2 * mb, loads: 100 * mb, reread: true}}} // re-read 50 times
	ws, b := traffic(big, testMachine, 1)
	if ws != 6*mb || b[0] != 104*mb || b[3] != 0 {
		t.Fatalf("big: ws %v bytes %v", ws, b)
	}
	// From L2: both arrays once, plus the re-reads missing the 48 KiB L1.
	if want := 6*mb + 98*mb*(1-float64(48<<10)/(2*mb)); b[1] != want {
		t.Fatalf("L2 bytes %v, want %v", b[1], want)
	}
	if want := 6*mb + 98*mb*0.5; b[2] != want { // the 2 MiB array in a 1 MiB L2
		t.Fatalf("L3 bytes %v, want %v", b[2], want)
	}
	var r Record
	r.Seconds = 1
	bound(&r, kcase{flops: 1e6, arrays: big.arrays}, testMachine, 1)
	if r.Level != "L3" || r.Bound != "L3" || r.BoundGBs != 100 || !(r.Share > 0) {
		t.Fatalf("record %+v", r)
	}
}

// TestBuildNet: the random CSR has the asked density, sorted distinct
// columns, and its transpose holds the same weights.
func TestBuildNet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n, err := buildNet(Size{Name: "t", Hidden: 300, Density: 0.1}, r)
	if err != nil {
		t.Fatal(err)
	}
	if n.nnz() != 300*30 || n.m != 64 {
		t.Fatalf("nnz %d m %d", n.nnz(), n.m)
	}
	w := map[[2]int32]float32{}
	for i := 0; i < n.h; i++ {
		for k := n.rowPtr[i]; k < n.rowPtr[i+1]; k++ {
			if k > n.rowPtr[i] && n.colIdx[k] <= n.colIdx[k-1] {
				t.Fatalf("row %d: columns not sorted and distinct", i)
			}
			w[[2]int32{int32(i), n.colIdx[k]}] = n.vals[k]
		}
	}
	for j := 0; j < n.h; j++ {
		for k := n.rowPtrT[j]; k < n.rowPtrT[j+1]; k++ {
			if v, ok := w[[2]int32{n.colIdxT[k], int32(j)}]; !ok || v != n.valsT[k] {
				t.Fatalf("transpose (%d,%d) = %v, want %v", n.colIdxT[k], j, n.valsT[k], v)
			}
		}
	}
}
