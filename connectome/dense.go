// Package connectome reads connectomes, knows the registered data sets, builds
// neuron-level networks from region-level ones (bio2art's up-scaling), makes
// null models and computes graph statistics. Everything here is float64.
//
// Orientation: C.At(i, j) is the weight of the projection from region i
// (source, row) to region j (target, column), bio2art's convention.
package connectome

import "fmt"

// Dense is a row-major float64 matrix.
type Dense struct {
	Rows, Cols int
	Data       []float64 // len Rows*Cols, element (i, j) at i*Cols+j
}

// NewDense returns a zero Rows x Cols matrix.
func NewDense(rows, cols int) *Dense {
	return &Dense{Rows: rows, Cols: cols, Data: make([]float64, rows*cols)}
}

// At returns element (i, j).
func (d *Dense) At(i, j int) float64 { return d.Data[i*d.Cols+j] }

// Set sets element (i, j).
func (d *Dense) Set(i, j int, v float64) { d.Data[i*d.Cols+j] = v }

// Clone returns a deep copy.
func (d *Dense) Clone() *Dense {
	return &Dense{Rows: d.Rows, Cols: d.Cols, Data: append([]float64(nil), d.Data...)}
}

// T returns the transpose as a new matrix.
func (d *Dense) T() *Dense {
	t := NewDense(d.Cols, d.Rows)
	for i := 0; i < d.Rows; i++ {
		for j := 0; j < d.Cols; j++ {
			t.Data[j*d.Rows+i] = d.Data[i*d.Cols+j]
		}
	}
	return t
}

// CheckSquare returns an error unless d is square.
func (d *Dense) CheckSquare(what string) error {
	if d.Rows != d.Cols {
		return fmt.Errorf("%s: expected a square matrix, got %dx%d", what, d.Rows, d.Cols)
	}
	return nil
}
