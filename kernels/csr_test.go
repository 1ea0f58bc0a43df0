package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTransposeCSR: the transpose lists every entry once, at its column's
// row, in increasing order, and perm points back to the entry.
func TestTransposeCSR(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rows, cols := 7, 5
	rowPtr := []int32{0}
	var colIdx []int32
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if r.Float64() < 0.4 {
				colIdx = append(colIdx, int32(j))
			}
		}
		rowPtr = append(rowPtr, int32(len(colIdx)))
	}
	rowPtrT, colIdxT, perm := TransposeCSR(rowPtr, colIdx, cols)
	if len(rowPtrT) != cols+1 || int(rowPtrT[cols]) != len(colIdx) {
		t.Fatalf("rowPtrT %v for %d entries", rowPtrT, len(colIdx))
	}
	seen := make([]bool, len(colIdx))
	for j := 0; j < cols; j++ {
		col := colIdxT[rowPtrT[j]:rowPtrT[j+1]]
		if !slices.IsSorted(col) {
			t.Fatalf("column %d: rows %v not increasing", j, col)
		}
		for k := rowPtrT[j]; k < rowPtrT[j+1]; k++ {
			at, i := perm[k], colIdxT[k]
			if colIdx[at] != int32(j) || at < rowPtr[i] || at >= rowPtr[i+1] || seen[at] {
				t.Fatalf("transposed entry %d (row %d of column %d) points to %d", k, i, j, at)
			}
			seen[at] = true
		}
	}
}
