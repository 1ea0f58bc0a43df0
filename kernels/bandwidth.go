package kernels

import (
	"bytes"
	"unsafe"
)

// ReadBuffer is a float32 working set for the read-bandwidth probes
// (ReadProbes). Its two halves hold equal values, which the memequal probe
// needs in order to read both to the end.
type ReadBuffer struct {
	data       []float32
	rowPtr     []int32 // spmm probe: one CSR row over every 64-float row of data
	colIdx     []int32
	val, y     []float32
	c          [8]float32 // gemmnt probe: the 2 x 4 products
	impl       *Impl
	sink       float32
	mismatched bool
}

// readRow is the spmm probe's row length: the trainer's chunk of 64 trials.
const readRow = 64

// NewReadBuffer allocates a working set of about nbytes (at least 2 KiB,
// rounded down to whole 64-float rows) whose spmm and rowsums probes run
// on impl (nil: the generic kernels).
func NewReadBuffer(nbytes int, impl *Impl) *ReadBuffer {
	if impl == nil {
		impl = Generic
	}
	rows := max(2, nbytes/(4*readRow)) &^ 1 // even: two equal halves of whole rows
	b := &ReadBuffer{data: make([]float32, rows*readRow), impl: impl}
	half := len(b.data) / 2
	for i := range b.data[:half] {
		b.data[i] = float32(i%251) / 256
	}
	copy(b.data[half:], b.data[:half])
	b.rowPtr = []int32{0, int32(rows)}
	b.colIdx = make([]int32, rows)
	b.val = make([]float32, rows)
	for i := range b.colIdx {
		b.colIdx[i], b.val[i] = int32(i), 1.0/1024
	}
	b.y = make([]float32, readRow)
	return b
}

// Bytes is the size of the data a probe reads once per call.
func (b *ReadBuffer) Bytes() int { return 4 * len(b.data) }

// Mismatched reports whether the memequal probe found the halves different
// (it then stopped early and its time means nothing); it never should.
func (b *ReadBuffer) Mismatched() bool { return b.mismatched }

// ReadProbe reads every float of a ReadBuffer once per call.
type ReadProbe struct {
	Name string
	Read func(b *ReadBuffer)
}

// ReadProbes returns the streaming-read loops a read bandwidth is measured
// with; the bandwidth of a cache level is the best of them (each has its
// own limit: none is new assembly, so that the kernels' generated assembly
// stays the only assembly in the package):
//
//   - memequal: the Go runtime's memequal (bytes.Equal) over the two
//     halves, AVX2 on amd64: four 32-byte loads per 64-byte step and little
//     else, the plainest vector read stream in the Go toolchain;
//   - spmm: the implementation's SpMM over one CSR row whose columns are
//     every 64-float row of the buffer in order: one broadcast and 64 floats
//     of FMAs per 256 bytes read, the load mix of the sparse kernels;
//   - gemmnt: the implementation's GemmNT of 2 rows against 4 rows of a
//     sixth of the buffer each: 8 dot products, 6 vector loads per 8 FMAs,
//     every float read once (the most loads per cycle of the kernels);
//   - rowsums: the implementation's RowSums over the buffer as one row (one
//     add chain: bound by the add latency in L1, a plain stream beyond);
//   - go-sum: a Go loop of eight float32 add chains (scalar: the compiler
//     does not vectorize), shown for scale.
func ReadProbes() []ReadProbe {
	return []ReadProbe{
		{Name: "memequal", Read: func(b *ReadBuffer) {
			half := len(b.data) / 2
			p := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(b.data))), 4*len(b.data))
			if !bytes.Equal(p[:4*half], p[4*half:]) {
				b.mismatched = true
			}
		}},
		{Name: "spmm", Read: func(b *ReadBuffer) {
			b.impl.SpMM(b.rowPtr, b.colIdx, b.val, b.data, b.y, readRow)
		}},
		{Name: "gemmnt", Read: func(b *ReadBuffer) {
			k := len(b.data) / 6
			b.impl.GemmNT(2, 4, k, b.data[:2*k], b.data[2*k:6*k], b.c[:])
		}},
		{Name: "rowsums", Read: func(b *ReadBuffer) {
			b.impl.RowSums(b.data, b.y[:1], len(b.data))
		}},
		{Name: "go-sum", Read: func(b *ReadBuffer) { b.sink += sumFloat32(b.data) }},
	}
}

// sumFloat32 sums x in eight independent chains (a multiple of 8 long).
func sumFloat32(x []float32) float32 {
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	for i := 0; i+8 <= len(x); i += 8 {
		v := x[i : i+8 : i+8]
		s0 += v[0]
		s1 += v[1]
		s2 += v[2]
		s3 += v[3]
		s4 += v[4]
		s5 += v[5]
		s6 += v[6]
		s7 += v[7]
	}
	return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7
}
