package kernels

// TransposeCSR returns the transpose of a CSR structure with cols columns
// (CSR by column of the original): rowPtrT and colIdxT, whose rows list
// their columns in increasing order, and perm, the position in colIdx (and
// so in the values) of each transposed entry. The backward pass runs the
// kernels on the transpose (see SpMMSDDMM).
func TransposeCSR(rowPtr, colIdx []int32, cols int) (rowPtrT, colIdxT, perm []int32) {
	rowPtrT = make([]int32, cols+1)
	for _, j := range colIdx {
		rowPtrT[j+1]++
	}
	for j := 0; j < cols; j++ {
		rowPtrT[j+1] += rowPtrT[j]
	}
	colIdxT = make([]int32, len(colIdx))
	perm = make([]int32, len(colIdx))
	fill := append([]int32(nil), rowPtrT[:cols]...)
	for i := 0; i+1 < len(rowPtr); i++ {
		for k := rowPtr[i]; k < rowPtr[i+1]; k++ {
			j := colIdx[k]
			colIdxT[fill[j]], perm[fill[j]] = int32(i), k
			fill[j]++
		}
	}
	return rowPtrT, colIdxT, perm
}
