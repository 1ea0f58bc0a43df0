// Package rnn is the masked Elman recurrent network of biornn, its training
// (BPTT on the float32 kernels, PyTorch-exact optimizers), the working-memory
// tasks of Goulas et al. (2021) and the training loop with its metrics.
//
// The model is
//
//	h_t = act(x_t W_in^T + h_{t-1} (W_hh * M)^T + b),  h_{-1} = 0
//	y_t = h_t W_out^T + b_out
//
// with W_hh stored by target row (row i lists the inputs of neuron i,
// PyTorch's convention) and the mask M hard: only the kept positions of W_hh
// exist in memory, so a masked weight cannot become nonzero whatever the
// optimizer does.
package rnn

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/biornn/biornn/kernels"
)

// Params are the network's parameters as plain row-major float32 arrays, the
// form the C API and the bindings exchange.
type Params struct {
	Hidden, Inputs, Outputs int

	WIn  []float32 // Hidden x Inputs
	WHH  []float32 // Hidden x Hidden; WHH[i*Hidden+j] is the weight from neuron j to neuron i
	B    []float32 // Hidden (PyTorch's b_ih + b_hh)
	WOut []float32 // Outputs x Hidden
	BOut []float32 // Outputs
	// Kept is W_hh's kept values in CSR order (Network.Wiring) instead of
	// WHH (then nil): the form of networks above connectome.DenseNeurons
	// neurons, whose dense W_hh would not fit (SparseParams, and their
	// optimizer states).
	Kept []float32
}

// Validate checks shapes and finiteness, of either form (WHH, or Kept
// whose length only a network can check); the error names the field.
func (p *Params) Validate() error {
	if p.WHH == nil && p.Kept != nil {
		if err := p.validate(false); err != nil {
			return err
		}
		return checkFinite("params: Kept", p.Kept)
	}
	return p.validate(true)
}

// validate is Validate; without whh, WHH is not checked (sparse networks).
func (p *Params) validate(whh bool) error {
	if p.Hidden <= 0 || p.Inputs <= 0 || p.Outputs <= 0 {
		return fmt.Errorf("rnn: params: Hidden, Inputs and Outputs must be positive, got %d, %d, %d", p.Hidden, p.Inputs, p.Outputs)
	}
	h, in, o := p.Hidden, p.Inputs, p.Outputs
	nWHH := 0
	if whh {
		nWHH = h * h
	}
	for _, f := range []struct {
		name string
		v    []float32
		n    int
		dims string
	}{
		{"WIn", p.WIn, h * in, fmt.Sprintf("%dx%d", h, in)},
		{"WHH", p.WHH, nWHH, fmt.Sprintf("%dx%d", h, h)},
		{"B", p.B, h, fmt.Sprint(h)},
		{"WOut", p.WOut, o * h, fmt.Sprintf("%dx%d", o, h)},
		{"BOut", p.BOut, o, fmt.Sprint(o)},
	} {
		if len(f.v) != f.n {
			return fmt.Errorf("rnn: params: %s has %d values, expected %d (%s)", f.name, len(f.v), f.n, f.dims)
		}
		if err := checkFinite("params: "+f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

// Clone returns a deep copy.
func (p Params) Clone() Params {
	c := p
	c.WIn = append([]float32(nil), p.WIn...)
	c.WHH = append([]float32(nil), p.WHH...)
	c.B = append([]float32(nil), p.B...)
	c.WOut = append([]float32(nil), p.WOut...)
	c.BOut = append([]float32(nil), p.BOut...)
	if p.Kept != nil {
		c.Kept = append([]float32(nil), p.Kept...)
	}
	return c
}

const (
	actTanh = iota
	actReLU
)

// DenseDensity is the auto rule's threshold: with more than this share of the
// H*H positions kept (or fewer than 32 neurons, where the dense GEMM's regular
// access pattern always wins) the dense path is used, else the sparse one.
// The rule is fixed (no timing at build) so that a result's PathUsed depends
// only on the network. Measured with the AVX-512 kernels (batch 128): the
// paper's macaque (50% density) and marmoset (48%) epochs are 1.4x faster
// sparse than dense (biornn bench train), and BenchmarkPathDensity (random
// masks, best of 4) has sparse ahead up to 80% at H = 116 and the two equal
// at 60% at H = 220. The two paths agree within float32 rounding.
const DenseDensity = 0.6

// ChunkSize is the number of trials one worker processes at a time. The batch
// is cut into chunks of this fixed size, each chunk's gradient is computed on
// its own and the chunk gradients are summed in chunk order, so results do not
// depend on the number of threads.
const ChunkSize = 64

// Network is a masked Elman RNN with its training state. It is not safe for
// concurrent use; it uses Threads goroutines internally (Threads-1 workers
// kept between calls: see Close).
type Network struct {
	h, in, out int
	act        int
	impl       *kernels.Impl
	path       Path
	threads    int

	// Every parameter lives in one flat vector (so the optimizer, clipping and
	// gradient reduction are single passes): [W_in | W_hh kept values | b |
	// W_out | b_out]. The kept W_hh values are in transposed-CSR order (by
	// source neuron), the order in which the sparse backward kernel writes
	// their gradient, so that it adds into the gradient vector directly.
	theta                          []float32
	wIn, valsT, b, wOut, bOut      []float32
	offVals, offB, offWOut, offOut int

	// W_hh structure: CSR by target row, and the transpose (CSR by source
	// row) with permT mapping its positions to CSR positions.
	rowPtr, colIdx   []int32
	rowPtrT, colIdxT []int32
	permT            []int32
	vals             []float32 // sparse path: valsT in CSR order (forward SpMM)
	wd, wdT          []float32 // dense path: masked W_hh and its transpose, H x H
	wOutT            []float32 // H x O

	grad    []float32 // gradient of the last batch, layout of theta
	ws      []*workspace
	opt     optState
	jb      job      // the batch being processed (reused: no allocation per batch)
	loss    float64  // the batch's sum of loss terms, collected chunk by chunk
	correct int      // the batch's correct answers (nll)
	job     *job     // &jb while chunks run
	isLoss  []bool   // per step of the current data: does it carry a loss
	pool    *workers // Threads-1 worker goroutines, started by the first batch that needs them

	// maxMemory is the memory budget of the batches' buffers (0 =
	// DefaultMaxMemory): see SetMaxMemory.
	maxMemory uint64
	// dyn: the leak and the training noise (SetDynamics; alpha 1 = none).
	dyn dynamics
	// dale: each neuron's sign under Dale's law (SetDale); nil = off.
	dale []float32
	// frozen: the parameter groups the optimizer leaves as they are
	// (SetTrainable).
	frozen []string
	// inSel, outSel: the neurons that take input and that the readout sees
	// (SetIONeurons); nil = all.
	inSel, outSel []bool
	// rowSplit is set while a batch with fewer chunks than threads runs: its
	// sparse products are split by rows (rowsplit.go); bounds and boundsT
	// are the parts' rows for the current thread count, rop the product.
	rowSplit        bool
	bounds, boundsT []int
	rop             rowOp
	// backup holds theta and the optimizer state before an update (step),
	// to restore them when the update is not finite.
	backup struct{ theta, m, v []float32 }
}

// NewNetwork builds a network from parameters and a mask.
//
// mask is Hidden*Hidden booleans, row-major in W_hh orientation (mask[i*H+j]
// keeps the weight from neuron j to neuron i); nil keeps every position.
// Values of p.WHH outside the mask are dropped (the model uses W_hh * M).
// activation is one of Activations() ("" = tanh); impl nil means kernels.Default(); path is
// "auto" (or ""), "sparse" or "dense".
func NewNetwork(p Params, mask []bool, activation Activation, impl *kernels.Impl, path Path) (*Network, error) {
	if err := p.validate(true); err != nil {
		return nil, err
	}
	h := p.Hidden
	if mask != nil && len(mask) != h*h {
		return nil, fmt.Errorf("rnn: mask has %d values, expected %d (Hidden x Hidden = %dx%d)", len(mask), h*h, h, h)
	}
	// CSR by target row.
	rowPtr := make([]int32, h+1)
	var colIdx []int32
	for i := 0; i < h; i++ {
		for j := 0; j < h; j++ {
			if mask == nil || mask[i*h+j] {
				colIdx = append(colIdx, int32(j))
			}
		}
		rowPtr[i+1] = int32(len(colIdx))
	}
	n, err := newNetwork(p, rowPtr, colIdx, activation, impl, path)
	if err != nil {
		return nil, err
	}
	n.setParams(p)
	return n, nil
}

// NewSparseNetwork builds a network whose W_hh is given by its kept
// positions: rowPtr and colIdx are CSR by row of W_hh (columns increasing
// within a row) and vals the weights in that order; p.WHH is not used (nil).
// No Hidden x Hidden array is made unless path is "dense".
func NewSparseNetwork(p Params, rowPtr, colIdx []int32, vals []float32, activation Activation, impl *kernels.Impl, path Path) (*Network, error) {
	q := p
	q.WHH = nil
	if err := q.validate(false); err != nil {
		return nil, err
	}
	if err := CheckWiring(p.Hidden, rowPtr, colIdx, len(vals)); err != nil {
		return nil, err
	}
	if err := checkFinite("params: WHH", vals); err != nil {
		return nil, err
	}
	n, err := newNetwork(p, rowPtr, colIdx, activation, impl, path)
	if err != nil {
		return nil, err
	}
	copy(n.wIn, p.WIn)
	for k, at := range n.permT {
		n.valsT[k] = vals[at]
	}
	copy(n.b, p.B)
	copy(n.wOut, p.WOut)
	copy(n.bOut, p.BOut)
	n.refresh()
	return n, nil
}

// CheckWiring checks a sparse W_hh structure of h neurons with nvals
// values: CSR by row of W_hh, row pointers from 0 and not decreasing,
// columns in range and increasing within a row.
func CheckWiring(h int, rowPtr, colIdx []int32, nvals int) error {
	if len(rowPtr) != h+1 || rowPtr[0] != 0 || int(rowPtr[h]) != len(colIdx) || nvals != len(colIdx) {
		return fmt.Errorf("rnn: sparse W_hh: %d row pointers, %d columns and %d values for %d neurons", len(rowPtr), len(colIdx), nvals, h)
	}
	for i := 0; i < h; i++ {
		if rowPtr[i+1] < rowPtr[i] {
			return fmt.Errorf("rnn: sparse W_hh: row pointers decrease at row %d", i)
		}
		for k := rowPtr[i]; k < rowPtr[i+1]; k++ {
			if j := colIdx[k]; j < 0 || int(j) >= h || (k > rowPtr[i] && j <= colIdx[k-1]) {
				return fmt.Errorf("rnn: sparse W_hh: row %d: column %d out of range or out of order", i, j)
			}
		}
	}
	return nil
}

// newNetwork allocates a network of p's sizes with W_hh's structure in CSR
// form (kept, not copied); the parameters are zero.
func newNetwork(p Params, rowPtr, colIdx []int32, activation Activation, impl *kernels.Impl, path Path) (*Network, error) {
	h := p.Hidden
	n := &Network{h: h, in: p.Inputs, out: p.Outputs, threads: 1, dyn: dynamics{alpha: 1}, rowPtr: rowPtr, colIdx: colIdx}
	switch activation {
	case ActivationTanh, "":
		n.act = actTanh
	case ActivationReLU:
		n.act = actReLU
	default:
		return nil, &Problem{Key: "activation", Value: strconv.Quote(string(activation)), Want: "one of " + strings.Join(names(Activations()), ", ")}
	}
	if impl == nil {
		var err error
		if impl, err = kernels.Default(); err != nil {
			return nil, err
		}
	}
	n.impl = impl
	nnz := len(colIdx)

	// Transposed CSR (by source row), positions mapped back to vals.
	n.rowPtrT, n.colIdxT, n.permT = kernels.TransposeCSR(n.rowPtr, n.colIdx, h)

	switch path {
	case PathAuto, "":
		path = pathFor(h, nnz, PathAuto)
	case PathSparse, PathDense:
	default:
		return nil, fmt.Errorf("rnn: path %q: expected \"auto\", \"sparse\" or \"dense\"", path)
	}
	n.path = path

	in, o := p.Inputs, p.Outputs
	n.offVals = h * in
	n.offB = n.offVals + nnz
	n.offWOut = n.offB + h
	n.offOut = n.offWOut + o*h
	n.theta = make([]float32, n.offOut+o)
	n.wIn = n.theta[:n.offVals]
	n.valsT = n.theta[n.offVals:n.offB]
	n.b = n.theta[n.offB:n.offWOut]
	n.wOut = n.theta[n.offWOut:n.offOut]
	n.bOut = n.theta[n.offOut:]
	n.grad = make([]float32, len(n.theta))
	n.wOutT = make([]float32, h*o)
	if path == PathSparse {
		n.vals = make([]float32, nnz)
	} else {
		n.wd = make([]float32, h*h)
		n.wdT = make([]float32, h*h)
	}
	return n, nil
}

// SameWiring reports whether the network's W_hh has exactly the kept
// positions rowPtr/colIdx (CSR by row of W_hh).
func (n *Network) SameWiring(rowPtr, colIdx []int32) bool {
	return slices.Equal(n.rowPtr, rowPtr) && slices.Equal(n.colIdx, colIdx)
}

// Wiring returns W_hh's kept positions (CSR by row of W_hh; copies).
func (n *Network) Wiring() (rowPtr, colIdx []int32) {
	return slices.Clone(n.rowPtr), slices.Clone(n.colIdx)
}

// Hidden, Inputs, Outputs return the layer sizes.
func (n *Network) Hidden() int  { return n.h }
func (n *Network) Inputs() int  { return n.in }
func (n *Network) Outputs() int { return n.out }

// Connections returns the number of kept recurrent weights.
func (n *Network) Connections() int { return len(n.valsT) }

// Path returns the path in use, "sparse" or "dense".
func (n *Network) Path() Path { return n.path }

// KernelSet returns the name of the kernel implementation in use.
func (n *Network) KernelSet() string { return n.impl.Name }

// SetThreads sets how many goroutines process the chunks of a batch (values
// below 1 mean 1). Results are identical for every value. Changing it stops
// the current workers (the next batch starts as many as needed).
func (n *Network) SetThreads(t int) {
	if t < 1 {
		t = 1
	}
	if t != n.threads {
		n.Close()
		n.bounds, n.boundsT = nil, nil
	}
	n.threads = t
}

// SetMaxMemory sets the memory budget in bytes (0 = DefaultMaxMemory) that
// the network's estimate, with the buffers a batch needs, must not exceed: a
// larger batch (trials x steps) is refused with a *MemoryError before its
// buffers are allocated.
func (n *Network) SetMaxMemory(bytes uint64) { n.maxMemory = bytes }

// MaxMemory returns the memory budget in bytes (SetMaxMemory's, else
// DefaultMaxMemory).
func (n *Network) MaxMemory() uint64 { return budgetOf(n.maxMemory) }

// Mask returns the kept positions, Hidden*Hidden row-major in W_hh orientation.
func (n *Network) Mask() []bool {
	m := make([]bool, n.h*n.h)
	for i := 0; i < n.h; i++ {
		for k := n.rowPtr[i]; k < n.rowPtr[i+1]; k++ {
			m[i*n.h+int(n.colIdx[k])] = true
		}
	}
	return m
}

// Params returns a copy of the parameters; WHH is dense with exact zeros at
// the masked positions.
func (n *Network) Params() Params {
	h := n.h
	p := Params{Hidden: h, Inputs: n.in, Outputs: n.out,
		WIn:  append([]float32(nil), n.wIn...),
		WHH:  make([]float32, h*h),
		B:    append([]float32(nil), n.b...),
		WOut: append([]float32(nil), n.wOut...),
		BOut: append([]float32(nil), n.bOut...),
	}
	n.eachWeight(func(i, j, k int) { p.WHH[i*h+j] = n.valsT[k] })
	return p
}

// SparseParams returns a copy of the parameters in the sparse form: WHH
// nil and Kept the kept W_hh values in CSR order (Wiring).
func (n *Network) SparseParams() Params {
	return n.sparseFromTheta(n.theta)
}

// sparseFromTheta is a theta-layout vector in the sparse Params form.
func (n *Network) sparseFromTheta(v []float32) Params {
	p := Params{Hidden: n.h, Inputs: n.in, Outputs: n.out,
		WIn:  append([]float32(nil), v[:n.offVals]...),
		Kept: make([]float32, len(n.permT)),
		B:    append([]float32(nil), v[n.offB:n.offWOut]...),
		WOut: append([]float32(nil), v[n.offWOut:n.offOut]...),
		BOut: append([]float32(nil), v[n.offOut:]...),
	}
	vals := v[n.offVals:n.offB]
	for k, at := range n.permT {
		p.Kept[at] = vals[k]
	}
	return p
}

// eachWeight calls f for every kept recurrent weight W_hh[i,j] at position
// k of the theta segment (transposed-CSR order).
func (n *Network) eachWeight(f func(i, j, k int)) {
	for j := 0; j < n.h; j++ {
		for k := n.rowPtrT[j]; k < n.rowPtrT[j+1]; k++ {
			f(int(n.colIdxT[k]), j, int(k))
		}
	}
}

// SetParams replaces the parameters (same sizes as the network; WHH values
// outside the mask are dropped). The optimizer state is reset.
func (n *Network) SetParams(p Params) error {
	if p.WHH == nil && p.Kept != nil { // the sparse form (SparseParams)
		v, err := n.toTheta(p)
		if err != nil {
			return fmt.Errorf("rnn: params: %w", err)
		}
		if n.dale != nil {
			for j, s := range n.dale {
				for k := n.rowPtrT[j]; k < n.rowPtrT[j+1]; k++ {
					if w := v[n.offVals+int(k)]; s*w < 0 {
						return fmt.Errorf("rnn: params: w_hh[%d, %d] = %v breaks Dale's law: neuron %d has sign %+g", n.colIdxT[k], j, w, j, s)
					}
				}
			}
		}
		copy(n.theta, v)
		n.refresh()
		n.opt = optState{}
		return nil
	}
	if err := p.validate(true); err != nil {
		return err
	}
	if p.Hidden != n.h || p.Inputs != n.in || p.Outputs != n.out {
		return fmt.Errorf("rnn: params: sizes %d/%d/%d (Hidden/Inputs/Outputs) differ from the network's %d/%d/%d",
			p.Hidden, p.Inputs, p.Outputs, n.h, n.in, n.out)
	}
	if err := n.checkDaleDense(p.WHH); err != nil {
		return err
	}
	n.setParams(p)
	n.opt = optState{}
	return nil
}

// ParamNames are the names of the parameter arrays, in Params order:
// W_in, W_hh, b, W_out, b_out.
var ParamNames = []string{"w_in", "w_hh", "b", "w_out", "b_out"}

// SetParam replaces one parameter array, name one of ParamNames, with
// values (row-major, the Params layout; W_hh values outside the mask are
// dropped). Only values are checked (their length and that they are
// finite; the error names the array), so a parameter can be replaced
// whatever the others hold. The optimizer state is reset; on error nothing
// changes.
func (n *Network) SetParam(name string, values []float32) error {
	h, in, o := n.h, n.in, n.out
	var size int
	var dims string
	switch name {
	case "w_in":
		size, dims = h*in, fmt.Sprintf("%dx%d", h, in)
	case "w_hh":
		size, dims = h*h, fmt.Sprintf("%dx%d", h, h)
	case "b":
		size, dims = h, fmt.Sprint(h)
	case "w_out":
		size, dims = o*h, fmt.Sprintf("%dx%d", o, h)
	case "b_out":
		size, dims = o, fmt.Sprint(o)
	default:
		return fmt.Errorf("rnn: unknown parameter %q (known: %s)", name, strings.Join(ParamNames, ", "))
	}
	if len(values) != size {
		return fmt.Errorf("rnn: params: %s has %d values, expected %d (%s)", name, len(values), size, dims)
	}
	if err := checkFinite("params: "+name, values); err != nil {
		return err
	}
	if name == "w_hh" {
		if err := n.checkDaleDense(values); err != nil {
			return err
		}
	}
	switch name {
	case "w_in":
		copy(n.wIn, values)
	case "w_hh":
		n.eachWeight(func(i, j, k int) { n.valsT[k] = values[i*h+j] })
	case "b":
		copy(n.b, values)
	case "w_out":
		copy(n.wOut, values)
	case "b_out":
		copy(n.bOut, values)
	}
	n.refresh()
	n.opt = optState{}
	return nil
}

// paramAt names the parameter array of theta's position k.
func (n *Network) paramAt(k int) string {
	switch {
	case k < n.offVals:
		return "w_in"
	case k < n.offB:
		return "w_hh"
	case k < n.offWOut:
		return "b"
	case k < n.offOut:
		return "w_out"
	}
	return "b_out"
}

// firstNonFinite returns the index of the first NaN or infinite value of
// v, or -1.
func firstNonFinite(v []float32) int {
	for k, x := range v {
		if math.Float32bits(x)&0x7f800000 == 0x7f800000 {
			return k
		}
	}
	return -1
}

// DivergedError is an optimizer update that would have made a parameter
// NaN or infinite. The update was not applied: the parameters and the
// optimizer state are those from before it.
type DivergedError struct {
	Param string  // the first array that went non-finite (w_in, w_hh, b, w_out, b_out)
	Index int     // its position in that array's values (W_hh: among the kept weights, by source neuron)
	Value float32 // the value it would have had
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("the optimizer update made %s non-finite (%v) and was undone: the parameters and the optimizer state are unchanged, as before the update; lower lr or set clip_norm", e.Param, e.Value)
}

// step applies one optimizer update (applyStep) and keeps it only when every
// parameter stays finite. Otherwise theta and the optimizer state go back to
// what they were before it and the error is a *DivergedError.
func (n *Network) step(spec OptimizerSpec) error {
	b := &n.backup
	prev := n.opt // the state's slices are updated in place unless applyStep starts afresh
	fresh := !prev.valid || prev.spec != spec
	b.theta = append(b.theta[:0], n.theta...)
	if !fresh {
		b.m = append(b.m[:0], prev.m...)
		b.v = append(b.v[:0], prev.v...)
	}
	if n.frozen != nil {
		n.zeroFrozenGrad()
	}
	if n.inSel != nil || n.outSel != nil {
		n.zeroUnselected(n.grad)
	}
	n.applyStep(spec)
	if n.inSel != nil || n.outSel != nil {
		n.zeroUnselected(n.theta) // weight decay and momentum cannot revive them
		n.refresh()
	}
	if n.frozen != nil {
		n.restoreFrozen(b.theta)
		n.refresh()
	}
	if n.dale != nil {
		n.projectDale()
		n.refresh()
	}
	k := firstNonFinite(n.theta)
	if k < 0 {
		return nil
	}
	bad := n.theta[k]
	copy(n.theta, b.theta)
	if fresh {
		n.opt = prev
	} else {
		copy(n.opt.m, b.m)
		copy(n.opt.v, b.v)
		n.opt.step = prev.step
	}
	n.refresh()
	param, idx := n.paramAt(k), k
	for _, off := range []int{n.offOut, n.offWOut, n.offB, n.offVals} {
		if k >= off {
			idx = k - off
			break
		}
	}
	return &DivergedError{Param: param, Index: idx, Value: bad}
}

func (n *Network) setParams(p Params) {
	copy(n.wIn, p.WIn)
	n.eachWeight(func(i, j, k int) { n.valsT[k] = p.WHH[i*n.h+j] })
	copy(n.b, p.B)
	copy(n.wOut, p.WOut)
	copy(n.bOut, p.BOut)
	n.refresh()
}

// refresh rebuilds the derived copies of the parameters (transposed values,
// dense masked matrices, W_out^T) after theta changed.
func (n *Network) refresh() {
	h, o := n.h, n.out
	if n.path == PathSparse {
		for k, dst := range n.permT {
			n.vals[dst] = n.valsT[k]
		}
	} else {
		// Masked positions were zeroed at allocation and are never written.
		n.eachWeight(func(i, j, k int) {
			n.wd[i*h+j] = n.valsT[k]
			n.wdT[j*h+i] = n.valsT[k]
		})
	}
	for r := 0; r < o; r++ {
		for i := 0; i < h; i++ {
			n.wOutT[i*o+r] = n.wOut[r*h+i]
		}
	}
}

// gradient returns a copy of n.grad in the Params layout.
func (n *Network) gradient() Params {
	h := n.h
	g := Params{Hidden: h, Inputs: n.in, Outputs: n.out,
		WIn:  append([]float32(nil), n.grad[:n.offVals]...),
		WHH:  make([]float32, h*h),
		B:    append([]float32(nil), n.grad[n.offB:n.offWOut]...),
		WOut: append([]float32(nil), n.grad[n.offWOut:n.offOut]...),
		BOut: append([]float32(nil), n.grad[n.offOut:]...),
	}
	gv := n.grad[n.offVals:n.offB]
	n.eachWeight(func(i, j, k int) { g.WHH[i*h+j] = gv[k] })
	return g
}
