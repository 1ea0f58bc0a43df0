package rnn

import (
	"fmt"
	"math"
	"runtime/debug"
)

// workspace holds one chunk's buffers. Sizes are fixed at allocation
// (capacity tcap steps x ccap trials), so the epoch loop never allocates.
// With m trials in the chunk, a per-step matrix is rows x m (neuron-major,
// trials contiguous), and a stacked matrix (dense path only) is rows x
// ((T-1)*m): row i holds step 1's m values, then step 2's, and so on, so that
// the recurrent weight gradient of all steps comes out of one kernel call
// (step 0 has no recurrent input).
type workspace struct {
	tcap, ccap int

	x []float32 // [T][I][m] inputs
	// xCols[t] = [lo, hi): the inputs of step t that are not zero in some
	// trial of the chunk lie in lo..hi-1 (set by gather; lo = hi when there
	// are none). Input products skip the zeros outside: a step without input
	// (the pictures task's last) has none, a step with a few (its cue step)
	// runs on those columns of W_in only, copied to wInCols.
	xCols   [][2]int
	wInCols []float32 // H x I: W_in's columns lo..hi-1 of a narrow step
	gInCols []float32 // H x I: their gradient, added to W_in's afterwards
	xBits   []uint32  // gather's scratch: per input row, nonzero where some value is not ±0
	st      []float32 // [T][H][m] states h_t
	hps     []float32 // dense path: [H][(T-1)*m] states h_0..h_{T-2} stacked (the h_{t-1} of steps 1..T-1)
	dp      []float32 // dLoss/d(pre-activation): [T][H][m] on the dense path, one step's [H][m] on the sparse path
	dps     []float32 // dense path: [H][(T-1)*m] dp of steps 1..T-1, stacked
	dh      []float32 // [H][m] dLoss/dh_t being accumulated
	act     []float32 // leaky networks: [T][H][m] act(pre-activation) a_t (h_t filters it)
	noise   []float32 // noisy training: [T][H][m] the chunk's noise
	y       []float32 // [T][O][m] outputs
	dy      []float32 // [T][O][m] dLoss/dy_t at the loss steps

	grad   []float32 // this chunk's gradient, theta's layout
	gDense []float32 // dense path: H x H recurrent gradient before the gather

	loss    float64 // sum of the chunk's loss terms
	correct int     // nll: answers whose argmax is the label
}

func (n *Network) newWorkspace(tcap, ccap int) *workspace {
	h, in, o := n.h, n.in, n.out
	w := &workspace{tcap: tcap, ccap: ccap}
	tc := tcap * ccap
	w.x = make([]float32, tc*in)
	w.xCols = make([][2]int, tcap)
	w.wInCols = make([]float32, h*in)
	w.gInCols = make([]float32, h*in)
	w.xBits = make([]uint32, tcap*in)
	w.st = make([]float32, tc*h)
	if n.path == PathSparse {
		w.dp = make([]float32, ccap*h) // one step's dP: a smaller working set
	} else {
		w.dp = make([]float32, tc*h)
	}
	w.dh = make([]float32, ccap*h)
	w.y = make([]float32, tc*o)
	w.dy = make([]float32, tc*o)
	if n.leaky() {
		w.act = make([]float32, tc*h)
	}
	if n.dyn.noiseStd > 0 || n.dyn.fixed != nil {
		w.noise = make([]float32, tc*h)
	}
	w.grad = make([]float32, len(n.theta))
	if n.path != PathSparse {
		w.hps = make([]float32, tc*h)
		w.dps = make([]float32, tc*h)
		w.gDense = make([]float32, h*h)
	}
	return w
}

// job is the batch being processed; chunks read it concurrently.
type job struct {
	ds     *Dataset
	idx    []int // trials of ds in this batch, in order
	isLoss []bool
	train  bool      // compute gradients
	out    []float32 // if not nil: outputs at every step, len(idx) x T x O
	hid    []float32 // if not nil: hidden states at every step, len(idx) x T x H
	scale  float64   // 1 / number of loss terms in the batch (0 if none)
	// noisy: this training pass adds noise, drawn with counter noiseBatch.
	noisy      bool
	noiseBatch uint64
}

// ensure makes sure workspaces exist for a batch of nTrials trials of T
// steps. It allocates only when a larger size than ever before is needed,
// and then first checks the network with the new workspaces against the
// memory budget (a *MemoryError: nothing is allocated).
func (n *Network) ensure(T, nTrials int) error {
	c := min(ChunkSize, nTrials)
	nch := (nTrials + ChunkSize - 1) / ChunkSize
	if min(n.threads, nch) <= 1 {
		nch = 1 // one goroutine runs every chunk in workspace 0 (see process)
	}
	tc, cc, grow := T, c, false
	for k := 0; k < nch; k++ {
		if k >= len(n.ws) || n.ws[k].tcap < T || n.ws[k].ccap < c {
			grow = true
		}
		if k < len(n.ws) {
			tc, cc = max(tc, n.ws[k].tcap), max(cc, n.ws[k].ccap)
		}
	}
	if grow {
		if err := n.checkBatchMemory(T, nTrials, float64(max(nch, len(n.ws)))*n.workspaceBytes(tc, cc)); err != nil {
			return err
		}
	}
	for k := 0; k < nch; k++ {
		if k < len(n.ws) && n.ws[k].tcap >= T && n.ws[k].ccap >= c {
			continue
		}
		tc, cc := T, c
		if k < len(n.ws) {
			tc, cc = max(tc, n.ws[k].tcap), max(cc, n.ws[k].ccap)
			n.ws[k] = n.newWorkspace(tc, cc)
		} else {
			n.ws = append(n.ws, n.newWorkspace(tc, cc))
		}
	}
	if cap(n.isLoss) < T {
		n.isLoss = make([]bool, T)
	}
	return nil
}

// workspaceBytes estimates one workspace of tcap steps x ccap trials.
func (n *Network) workspaceBytes(tcap, ccap int) float64 {
	b := workspaceBytes(n.h, n.in, n.out, len(n.valsT), n.path, tcap, ccap)
	per := 4 * float64(tcap) * float64(ccap) * float64(n.h)
	if n.leaky() {
		b += per
	}
	if n.dyn.noiseStd > 0 || n.dyn.fixed != nil {
		b += per
	}
	return b
}

// checkBatchMemory checks the network's memory, with buffers of the given
// size (bytes) for a batch of nTrials trials of T steps, against its budget.
func (n *Network) checkBatchMemory(T, nTrials int, buffers float64) error {
	need := networkBytes(n.h, n.in, n.out, len(n.valsT), n.path) + buffers
	what := fmt.Sprintf("rnn: a batch of %d trials x %d steps on this network (%d neurons, %d thread(s)): the network with the batch's buffers", nTrials, T, n.h, n.threads)
	return CheckMemory(what, need, n.maxMemory, "pass fewer trials or steps per call")
}

// run processes the trials idx of ds: forward, loss, and (train) the
// gradient of the mean loss into n.grad; out, if not nil, receives the
// outputs at every step (len(idx) x T x Outputs). It returns the mean loss and
// the number of correct answers (nll), or a *PanicError.
func (n *Network) run(ds *Dataset, idx []int, train bool, out []float32) (float64, int, error) {
	return n.runWith(ds, idx, train, out, nil)
}

// runWith is run that also copies the hidden states of every step into hid
// (len(idx) x T x Hidden) when it is not nil.
func (n *Network) runWith(ds *Dataset, idx []int, train bool, out, hid []float32) (float64, int, error) {
	if err := n.ensure(ds.T, len(idx)); err != nil {
		return 0, 0, err
	}
	isLoss := n.isLoss[:ds.T]
	clear(isLoss)
	for _, t := range ds.LossSteps {
		isLoss[t] = true
	}
	scale := 0.0
	if c := len(idx) * ds.lossCount(); c > 0 {
		scale = 1 / float64(c)
	}
	n.jb = job{ds: ds, idx: idx, isLoss: isLoss, train: train, out: out, hid: hid, scale: scale}
	if n.noisy(train) {
		n.jb.noisy, n.jb.noiseBatch = true, n.dyn.batches
		n.dyn.batches++
	}
	return n.process(&n.jb)
}

// process runs the forward pass (and the backward pass if j.train) on every
// chunk of the batch and reduces the chunk results in chunk order. It returns
// the mean loss and the number of correct answers. The gradient of the mean
// loss is left in n.grad.
//
// With one thread the chunks run in order in workspace 0, each collected
// before the next. With Threads > 1 the caller's goroutine and the pool's
// workers take the chunks in turn (worker w: chunks w, w+workers, ...), chunk
// k in workspace k, and are collected afterwards. Either way every chunk does
// the same arithmetic and the sums are taken in chunk order, so the result is
// the same for every thread count. A
// panic in any chunk is recovered where it happens and returned as a
// *PanicError once every worker has finished with the batch (the n.grad and
// loss of that batch are then meaningless; the parameters are untouched).
func (n *Network) process(j *job) (float64, int, error) {
	nTrials := len(j.idx)
	n.job = j
	nch := (nTrials + ChunkSize - 1) / ChunkSize
	workers := min(n.threads, nch)
	var perr *PanicError
	n.loss, n.correct = 0, 0
	if workers <= 1 {
		n.rowSplit = n.threads > 1
		perr = n.runChunks(0, 1, nch, true)
		n.rowSplit = false
	} else {
		p := n.workerPool()
		for w := 1; w < workers; w++ {
			p.tasks <- task{first: w, stride: workers, nch: nch}
		}
		perr = n.runChunks(0, workers, nch, false)
		for w := 1; w < workers; w++ {
			if e, _ := receive(p.done); e != nil && (perr == nil || e.Chunk < perr.Chunk) {
				perr = e
			}
		}
		if perr == nil {
			for k := 0; k < nch; k++ {
				n.collect(k, n.ws[k])
			}
		}
	}
	n.job = nil
	if perr != nil {
		return 0, 0, perr
	}
	return n.loss * j.scale, n.correct, nil
}

// collect adds chunk k's loss, correct answers and (when training)
// gradient, held in w, to the batch's; chunks must come in order 0, 1, ...
// so that the sums do not depend on the number of threads.
func (n *Network) collect(k int, w *workspace) {
	n.loss += w.loss
	n.correct += w.correct
	if !n.job.train {
		return
	}
	if k == 0 {
		copy(n.grad, w.grad)
		return
	}
	// n.grad += 1 * w.grad as a 1 x len GEMM: vectorized, and exact like
	// the plain sum (1*g is g, so the fused multiply-add rounds only once).
	n.impl.Gemm(1, len(n.grad), 1, one[:], w.grad, n.grad)
}

var one = [1]float32{1}

// runChunks processes chunks first, first+stride, ... below nch. Serial
// (one goroutine for the whole batch) runs them all in workspace 0 and
// collects each before the next overwrites it: one workspace keeps the
// working set small. Otherwise chunk k uses workspace k. A panic is
// recovered here, on the goroutine where it happened (an unrecovered panic
// on a worker goroutine would end the whole process, the C API's host
// included), and returned with the chunk it happened in.
func (n *Network) runChunks(first, stride, nch int, serial bool) (perr *PanicError) {
	k := first
	defer func() {
		if r := recover(); r != nil {
			perr = &PanicError{Value: r, Chunk: k, Stack: debug.Stack()}
		}
	}()
	for ; k < nch; k += stride {
		if serial {
			n.runChunk(k, n.ws[0])
			n.collect(k, n.ws[0])
		} else {
			n.runChunk(k, n.ws[k])
		}
	}
	return nil
}

// testChunkHook, when set (by tests only), runs at the start of every chunk.
var testChunkHook func(chunk int)

// runChunk processes trials j.idx[k*ChunkSize : ...] in workspace w.
func (n *Network) runChunk(k int, w *workspace) {
	if testChunkHook != nil {
		testChunkHook(k)
	}
	j := n.job
	lo := k * ChunkSize
	hi := min(lo+ChunkSize, len(j.idx))
	trials := j.idx[lo:hi]
	n.gather(w, j.ds, trials)
	if j.noisy {
		n.drawNoise(w, j, trials)
	}
	n.forward(w, j, len(trials))
	n.lossAndOutputGrad(w, j, trials)
	if j.out != nil {
		n.scatterOutputs(w, j, lo, len(trials))
	}
	if j.hid != nil {
		n.scatterHidden(w, j, lo, len(trials))
	}
	if j.train {
		n.backward(w, j, len(trials))
	}
}

// gather copies the chunk's inputs into the per-step layout (a transpose
// of the trials' [T*I] rows). It goes by blocks of gatherBlock trials, so that
// the block's input rows and the output cache lines they fill (one line per
// step and input) stay in L1 while the block is copied, instead of every
// trial writing one float to each of T*I lines.
func (n *Network) gather(w *workspace, ds *Dataset, trials []int) {
	T, in, m := ds.T, n.in, len(trials)
	ti := T * in
	bits := w.xBits[:ti]
	clear(bits)
	for b0 := 0; b0 < m; b0 += gatherBlock {
		blk := trials[b0:min(b0+gatherBlock, m)]
		for r := 0; r < ti; r++ {
			dst := w.x[r*m+b0 : r*m+b0+len(blk)]
			var nz uint32
			for b, tr := range blk {
				v := ds.X[tr*ti+r]
				dst[b] = v
				nz |= math.Float32bits(v) << 1 // drops the sign: nonzero unless ±0
			}
			bits[r] |= nz
		}
	}
	for t := 0; t < T; t++ {
		lo, hi := 0, in
		if skipSilentInputs {
			row := bits[t*in : (t+1)*in]
			for lo < hi && row[lo] == 0 {
				lo++
			}
			for hi > lo && row[hi-1] == 0 {
				hi--
			}
			if 2*(hi-lo) > in {
				lo, hi = 0, in // copying most of W_in would cost more than the zeros
			}
		}
		w.xCols[t] = [2]int{lo, hi}
	}
}

// skipSilentInputs is cleared by a test to compare with input products over
// every column (see workspace.xCols).
var skipSilentInputs = true

// gatherBlock is 16 trials: one 64-byte line of each output row.
const gatherBlock = 16

// forward computes h_t = act(W_in x_t + W_hh h_{t-1} + b) for every step,
// and the outputs at the loss steps (at every step when j.out is set).
func (n *Network) forward(w *workspace, j *job, m int) {
	im := n.impl
	h, o, T := n.h, n.out, j.ds.T
	hm, om := h*m, o*m
	leaky := n.leaky()
	alpha := n.dyn.alpha
	for t := 0; t < T; t++ {
		st := w.st[t*hm : (t+1)*hm]
		pre := st // the pre-activation, then act of it: h_t itself unless leaky
		if leaky {
			pre = w.act[t*hm : (t+1)*hm]
		}
		clear(pre)
		if wIn, xt, k := n.stepInputs(w, t, m); k > 0 {
			im.Gemm(h, m, k, wIn, xt, pre)
		}
		if t > 0 {
			prev := w.st[(t-1)*hm : t*hm]
			if n.path == PathSparse {
				n.spmm(prev, pre, m)
			} else {
				im.Gemm(h, m, h, n.wd, prev, pre)
			}
		}
		if j.noisy {
			for k, v := range w.noise[t*hm : (t+1)*hm] {
				pre[k] += v
			}
		}
		if n.act == actTanh {
			im.BiasTanh(pre, n.b, m)
		} else {
			im.BiasReLU(pre, n.b, m)
		}
		if leaky { // h_t = (1 - alpha) h_{t-1} + alpha a_t
			if t == 0 {
				for k, a := range pre {
					st[k] = alpha * a
				}
			} else {
				prev := w.st[(t-1)*hm : t*hm]
				for k, a := range pre {
					st[k] = (1-alpha)*prev[k] + alpha*a
				}
			}
		}
		if j.out != nil || j.isLoss[t] {
			yt := w.y[t*om : (t+1)*om]
			clear(yt)
			im.Gemm(o, m, h, n.wOut, st, yt)
			for r := 0; r < o; r++ {
				bo := n.bOut[r]
				row := yt[r*m : (r+1)*m]
				for b := range row {
					row[b] += bo
				}
			}
		}
	}
}

// stepInputs returns the operands of step t's input product over the
// chunk's live input columns (see workspace.xCols): W_in or a copy of its
// columns lo..hi-1, the matching rows of the chunk's inputs, and their count
// k (0: no input).
func (n *Network) stepInputs(w *workspace, t, m int) (wIn, xt []float32, k int) {
	h, in := n.h, n.in
	lo, hi := w.xCols[t][0], w.xCols[t][1]
	k = hi - lo
	xt = w.x[(t*in+lo)*m : (t*in+hi)*m]
	if k == in || k == 0 {
		return n.wIn, xt, k
	}
	cols := w.wInCols[:h*k]
	for i := 0; i < h; i++ {
		copy(cols[i*k:(i+1)*k], n.wIn[i*in+lo:i*in+hi])
	}
	return cols, xt, k
}

// lossAndOutputGrad sums the chunk's loss terms (float64) and writes
// dLoss/dy at the loss steps, the loss being the mean over the whole batch.
func (n *Network) lossAndOutputGrad(w *workspace, j *job, trials []int) {
	ds := j.ds
	o, T, m := n.out, ds.T, len(trials)
	om := o * m
	scale := j.scale
	var loss float64
	correct := 0
	for _, t := range ds.LossSteps {
		yt := w.y[t*om : (t+1)*om]
		dyt := w.dy[t*om : (t+1)*om]
		if ds.Kind == LossMSE {
			for r := 0; r < o; r++ {
				for b, tr := range trials {
					d := float64(yt[r*m+b]) - float64(ds.Y[(tr*T+t)*o+r])
					loss += d * d
					dyt[r*m+b] = float32(2 * d * scale)
				}
			}
			continue
		}
		for b, tr := range trials {
			c := int(ds.Y[tr*T+t])
			best, arg := math.Inf(-1), 0
			for r := 0; r < o; r++ {
				if v := float64(yt[r*m+b]); v > best {
					best, arg = v, r
				}
			}
			if arg == c {
				correct++
			}
			var s float64
			for r := 0; r < o; r++ {
				s += math.Exp(float64(yt[r*m+b]) - best)
			}
			lse := best + math.Log(s)
			loss += lse - float64(yt[c*m+b])
			for r := 0; r < o; r++ {
				p := math.Exp(float64(yt[r*m+b]) - lse)
				if r == c {
					p--
				}
				dyt[r*m+b] = float32(p * scale)
			}
		}
	}
	w.loss, w.correct = loss, correct
}

func (n *Network) scatterOutputs(w *workspace, j *job, lo, m int) {
	scatter(w.y, n.out, j.out, j.ds.T, lo, m)
}

// scatterHidden copies the chunk's states h_t into j.hid (trial, step, neuron).
func (n *Network) scatterHidden(w *workspace, j *job, lo, m int) {
	scatter(w.st, n.h, j.hid, j.ds.T, lo, m)
}

// scatter copies a chunk's per-step matrices src ([T][rows][m], trials
// contiguous) into dst (trial, step, row) at the chunk's first trial lo.
func scatter(src []float32, rows int, dst []float32, T, lo, m int) {
	for t := 0; t < T; t++ {
		st := src[t*rows*m : (t+1)*rows*m]
		for b := 0; b < m; b++ {
			d := dst[((lo+b)*T+t)*rows : ((lo+b)*T+t+1)*rows]
			for r := range d {
				d[r] = st[r*m+b]
			}
		}
	}
}

// backward is BPTT over the chunk: from the last step down, dL/dh_t
// collects the readout gradient at loss steps and W_hh^T dL/dp_{t+1}; the
// input, bias and readout gradients are summed per step, and so is the
// recurrent one on the sparse path (SDDMM at the kept positions, fused with
// the W^T product, written in theta's transposed order); the dense path
// computes it over all steps at once at the end (GemmNT then a gather).
func (n *Network) backward(w *workspace, j *job, m int) {
	im := n.impl
	h, in, o, T := n.h, n.in, n.out, j.ds.T
	hm, om, tm := h*m, o*m, (T-1)*m
	g := w.grad
	clear(g)
	gWIn := g[:n.offVals]
	gVals := g[n.offVals:n.offB]
	gB := g[n.offB:n.offWOut]
	gWOut := g[n.offWOut:n.offOut]
	gBOut := g[n.offOut:]

	leaky, alpha := n.leaky(), n.dyn.alpha
	dh := w.dh[:hm]
	clear(dh)
	for t := T - 1; t >= 0; t-- {
		st := w.st[t*hm : (t+1)*hm]
		if j.isLoss[t] {
			dyt := w.dy[t*om : (t+1)*om]
			im.Gemm(h, m, o, n.wOutT, dyt, dh)
			im.GemmNT(o, h, m, dyt, st, gWOut)
			im.RowSums(dyt, gBOut, m)
		}
		dpt := w.dp[:hm] // sparse path: dP_t is used within step t only
		if n.path != PathSparse {
			dpt = w.dp[t*hm : (t+1)*hm] // dense path: kept for the stacked gradient
		}
		a := st // act's output: h_t unless leaky
		if leaky {
			a = w.act[t*hm : (t+1)*hm]
		}
		if n.act == actTanh {
			im.TanhBackward(dh, a, dpt)
		} else {
			im.ReLUBackward(dh, a, dpt)
		}
		if leaky { // dL/dP_t = alpha dL/dh_t act'(.)
			for k := range dpt {
				dpt[k] *= alpha
			}
		}
		if lo, hi := w.xCols[t][0], w.xCols[t][1]; hi-lo == in {
			im.GemmNT(h, in, m, dpt, w.x[t*in*m:(t+1)*in*m], gWIn)
		} else if k := hi - lo; k > 0 {
			gc := w.gInCols[:h*k]
			clear(gc)
			im.GemmNT(h, k, m, dpt, w.x[(t*in+lo)*m:(t*in+hi)*m], gc)
			for i := 0; i < h; i++ {
				row := gWIn[i*in+lo : i*in+hi]
				for c, g := range gc[i*k : (i+1)*k] {
					row[c] += g
				}
			}
		}
		im.RowSums(dpt, gB, m)
		if t > 0 {
			if leaky { // h_t depends on h_{t-1} also through the leak
				for k := range dh {
					dh[k] *= 1 - alpha
				}
			} else {
				clear(dh)
			}
			if n.path == PathSparse {
				// dL/dh_{t-1} = W^T dP_t and this step's recurrent weight
				// gradient in one pass over the transposed CSR: both read
				// the rows of dP_t at the same nonzeros (the fused kernel
				// loads each once). Per step rather than over stacked
				// steps: no stacking copy, and dP_t and h_{t-1} are still
				// in cache. The gradient comes out in transposed order,
				// theta's order of the recurrent weights.
				n.spmmSDDMM(dpt, dh, w.st[(t-1)*hm:t*hm], gVals, m)
			} else {
				im.Gemm(h, m, h, n.wdT, dpt, dh)
			}
		}
	}

	if n.path == PathSparse {
		return
	}
	// Dense path: stack dP_t and h_{t-1} over the steps 1..T-1, then one
	// GemmNT for the recurrent weight gradient (long dot products are what
	// the dense kernel is fast at).
	if T < 2 {
		return
	}
	for i := 0; i < h; i++ {
		drow := w.dps[i*tm : (i+1)*tm]
		hrow := w.hps[i*tm : (i+1)*tm]
		for t := 1; t < T; t++ {
			copy(drow[(t-1)*m:t*m], w.dp[(t*h+i)*m:(t*h+i+1)*m])
			copy(hrow[(t-1)*m:t*m], w.st[((t-1)*h+i)*m:((t-1)*h+i+1)*m])
		}
	}
	dps, hps := w.dps[:h*tm], w.hps[:h*tm]
	gd := w.gDense
	clear(gd)
	im.GemmNT(h, h, tm, dps, hps, gd)
	n.eachWeight(func(i, j, k int) { gVals[k] = gd[i*h+j] })
}
