package rnn

import (
	"fmt"
	"runtime/debug"
)

// Row splitting: a batch with fewer chunks than threads (a large network
// trained with small batches: 32 trials are one chunk) would leave threads
// idle, so there the chunk's sparse recurrent products, which dominate a
// large network's step, are split among the threads by rows of W_hh (the
// forward SpMM) and of its transpose (the fused backward). Every row is
// computed whole by one thread, with the same kernel and order as without
// the split (the kernel wrappers split rows the same way for preemption),
// so results stay bit-identical across thread counts.

// rowSplitMinWork is the least nonzeros x trials of a chunk's product worth
// splitting: below it the hand-off costs more than it saves. The paper's
// networks reach it in their last, 16-trial mini-batch of an epoch, which is
// one chunk: split, their 2-thread epochs went from 1.68-1.77x to 1.78-1.87x
// of one thread's (Go benchmark of whole epochs, alternated; at 1 << 20
// they were not split).
const rowSplitMinWork = 1 << 16

// Kinds of split products.
const (
	rowOpSpMM = iota
	rowOpSpMMSDDMM
)

// rowOp is the product being split: its operands, as forward and backward
// pass them to the kernels.
type rowOp struct {
	kind           int
	x, y, a, out   []float32
	m              int
	rowPtr, colIdx []int32
	vals           []float32
	bounds         []int // rows of the parts: part p is rows bounds[p] .. bounds[p+1]-1
}

// testRowSplitHook, when set (by tests only), runs at every split product.
var testRowSplitHook func()

// rowBounds cuts the rows of a CSR structure into parts of about equal
// nonzeros.
func rowBounds(rowPtr []int32, parts int) []int {
	rows := len(rowPtr) - 1
	nnz := int(rowPtr[rows])
	b := make([]int, parts+1)
	r := 0
	for p := 1; p < parts; p++ {
		target := int32(nnz * p / parts)
		for r < rows && rowPtr[r] < target {
			r++
		}
		b[p] = r
	}
	b[parts] = rows
	return b
}

// splitRows reports whether the current chunk's products are split: more
// threads than the batch has chunks, the sparse path, and enough work.
func (n *Network) splitRows(m int) bool {
	return n.rowSplit && n.path == PathSparse && len(n.colIdx)*m >= rowSplitMinWork
}

// spmm is the forward recurrent product y += W_hh x over the chunk's m
// trials, split by rows when splitRows.
func (n *Network) spmm(x, y []float32, m int) {
	if !n.splitRows(m) {
		n.impl.SpMM(n.rowPtr, n.colIdx, n.vals, x, y, m)
		return
	}
	if n.bounds == nil {
		n.bounds = rowBounds(n.rowPtr, n.threads)
	}
	n.rop = rowOp{kind: rowOpSpMM, x: x, y: y, m: m, rowPtr: n.rowPtr, colIdx: n.colIdx, vals: n.vals, bounds: n.bounds}
	n.runRowParts()
}

// spmmSDDMM is the fused backward product over the transposed CSR (see
// backward), split by rows when splitRows.
func (n *Network) spmmSDDMM(dp, dh, hPrev, gVals []float32, m int) {
	if !n.splitRows(m) {
		n.impl.SpMMSDDMM(n.rowPtrT, n.colIdxT, n.valsT, dp, dh, hPrev, gVals, m)
		return
	}
	if n.boundsT == nil {
		n.boundsT = rowBounds(n.rowPtrT, n.threads)
	}
	n.rop = rowOp{kind: rowOpSpMMSDDMM, x: dp, y: dh, a: hPrev, out: gVals, m: m, rowPtr: n.rowPtrT, colIdx: n.colIdxT, vals: n.valsT, bounds: n.boundsT}
	n.runRowParts()
}

// runRowParts runs part 0 of n.rop here and the others on the pool's
// workers, and waits for them; a worker's panic is raised again here.
func (n *Network) runRowParts() {
	if testRowSplitHook != nil {
		testRowSplitHook()
	}
	p := n.workerPool()
	parts := len(n.rop.bounds) - 1
	for k := 1; k < parts; k++ {
		p.tasks <- task{rowPart: k}
	}
	n.rowPart(0)
	var perr *PanicError
	for k := 1; k < parts; k++ {
		if e, _ := receive(p.done); e != nil && perr == nil {
			perr = e
		}
	}
	if perr != nil {
		panic(fmt.Sprintf("row part of a split product: %v\n%s", perr.Value, perr.Stack))
	}
}

// rowPart computes part k of n.rop.
func (n *Network) rowPart(k int) {
	op := &n.rop
	r0, r1 := op.bounds[k], op.bounds[k+1]
	if r0 == r1 {
		return
	}
	m := op.m
	rp := op.rowPtr[r0 : r1+1]
	switch op.kind {
	case rowOpSpMM:
		n.impl.SpMM(rp, op.colIdx, op.vals, op.x, op.y[r0*m:r1*m], m)
	case rowOpSpMMSDDMM:
		n.impl.SpMMSDDMM(rp, op.colIdx, op.vals, op.x, op.y[r0*m:r1*m], op.a[r0*m:r1*m], op.out, m)
	}
}

// runRowPart is rowPart on a worker, its panic recovered and returned.
func (n *Network) runRowPart(k int) (perr *PanicError) {
	defer func() {
		if r := recover(); r != nil {
			perr = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	n.rowPart(k)
	return nil
}
