// Package roofline is behind `biornn bench roofline`: it measures the
// machine (one core's FP32 FMA peak, streaming read bandwidth with L1-,
// L2-, L3- and DRAM-sized working sets, with 1 and 2 threads) and times
// every kernel the training engine calls (rnn/engine.go) at the shapes of
// training, then puts each against its roofline bound.
//
// The bound of a call is hierarchical: the longest of its executed flops at
// the FMA peak and, for each level of the memory hierarchy, the bytes that
// must cross into that level at the bandwidth measured for it. Bytes come
// from what the kernel really loads and stores per nonzero, per state row
// and per element (see the case constructors), and which level serves them
// from each array's size against the cache sizes cpuid reports: all loads
// and stores go through L1; an array crosses from a level when the whole
// working set does not fit inside it (once per call, twice if written), and
// a re-read array (the state rows a sparse product gathers) misses again on
// each re-read in the share of it that does not fit.
package roofline

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/biornn/biornn/kernels"
	"github.com/biornn/biornn/kernels/kbench"
	"github.com/biornn/biornn/rnn"
	"github.com/klauspost/cpuid/v2"
)

// Shapes of training (rnn/engine.go): a worker runs chunks of rnn.ChunkSize
// trials; seq_mem has 2 inputs (one live per step: the input product runs on
// one column), 1 output and, at L = 3, T = 7 steps (the dense path's weight
// gradient stacks T-1 = 6 steps).
const (
	Inputs     = 2
	LiveInputs = 1
	Outputs    = 1
	Steps      = 7
)

// Size is a network size: a built-in connectome at the paper's construction
// (4 neurons per region, target sparsity 0.8), or a random CSR.
type Size struct {
	Name       string
	Connectome string  // built-in connectome, or "" for a random CSR
	Hidden     int     // random CSR: neurons
	Density    float64 // random CSR: share of kept weights per row
}

// Sizes are the paper's three networks and the two large random ones.
var Sizes = []Size{
	{Name: "macaque", Connectome: "macaque"},
	{Name: "marmoset", Connectome: "marmoset"},
	{Name: "human", Connectome: "human"},
	{Name: "10k", Hidden: 10_000, Density: 0.1},
	{Name: "100k", Hidden: 100_000, Density: 0.001},
}

// denseMax: the dense-path kernels (H x H masked weights) run up to this
// many neurons; beyond, the auto rule never picks them and the matrix alone
// would be 400 MB (10k) to 40 GB (100k).
const denseMax = 4096

// Kernels lists the kernel cases in table order, with the engine call each
// stands for (m = rnn.ChunkSize trials).
var Kernels = []string{
	"spmm",      // forward W_hh h_{t-1}, sparse path: SpMM over the CSR
	"gemm",      // forward W_hh h_{t-1}, dense path: Gemm(H, m, H) (the backward W^T dP is the same shape)
	"spmmsddmm", // backward, sparse path: W^T dP and the recurrent weight gradient, fused, on the transposed CSR
	"sddmm",     // the recurrent weight gradient alone (what the fused kernel adds to the SpMM)
	"gemmnt",    // dense path's recurrent weight gradient: GemmNT(H, H, (T-1) m) over stacked steps
	"in-gemm",   // input product: Gemm(H, m, 1) on the step's live input column
	"in-grad",   // input gradient: GemmNT(H, 1, m)
	"out-gemm",  // readout: Gemm(O, m, H)
	"out-back",  // dL/dh from the readout: Gemm(H, m, O)
	"out-grad",  // readout gradient: GemmNT(O, H, m)
	"bias-tanh", // bias + tanh, in place
	"bias-relu", // bias + relu, in place
	"tanh-back", // tanh derivative times dL/dh
	"relu-back", // relu derivative times dL/dh
	"rowsums",   // bias gradient: RowSums of dP
	"adam",      // Adam over every parameter (one thread in the engine)
}

// Config selects what to run. Zero values mean the defaults.
type Config struct {
	Impl    string   // kernel set (default: kernels.Default())
	Threads []int    // thread counts (default 1,2)
	Sizes   []string // names of Sizes (default all)
	Kernels []string // subset of Kernels (default all)
	Quick   bool     // short probes and few repetitions (tests)
	Seed    uint64   // random CSRs and values
	// Progress, if set, is told what is being measured.
	Progress func(msg string)
}

// Machine is what the bench measured about the machine.
type Machine struct {
	CPU        string      `json:"cpu"`
	Family     int         `json:"family"`
	Model      int         `json:"model"`
	Cores      int         `json:"cores"`
	L1D        int         `json:"l1d_bytes"`
	L2         int         `json:"l2_bytes"`
	L3         int         `json:"l3_bytes"`
	PeakLoop   string      `json:"peak_loop"`
	PeakGFLOPS float64     `json:"peak_gflops"` // one core
	Bandwidth  []Bandwidth `json:"bandwidth"`
}

// Bandwidth is the measured streaming read bandwidth of one level with a
// number of threads (each reading its own buffer of Bytes), all threads
// together: the best of the probes, and every probe's figure.
type Bandwidth struct {
	Level   string             `json:"level"`
	Bytes   int                `json:"bytes"`
	Threads int                `json:"threads"`
	GBs     float64            `json:"gbs"`
	Probe   string             `json:"probe"`
	Probes  map[string]float64 `json:"probes"`
}

// Levels are the memory levels, innermost first.
var Levels = []string{"L1", "L2", "L3", "DRAM"}

// Record is one kernel at one size and thread count. Flops and bytes are
// per call and thread; GFLOPS and GBs are achieved rates of all threads.
type Record struct {
	Kernel     string  `json:"kernel" parquet:"kernel"`
	Impl       string  `json:"impl" parquet:"impl"`
	Size       string  `json:"size" parquet:"size"`
	Hidden     int64   `json:"hidden" parquet:"hidden"`
	Density    float64 `json:"density" parquet:"density"`
	Nnz        int64   `json:"nnz" parquet:"nnz"`
	Batch      int64   `json:"batch" parquet:"batch"`
	Threads    int64   `json:"threads" parquet:"threads"`
	Flops      float64 `json:"flops" parquet:"flops"`             // executed flops per call (an FMA is 2)
	Bytes      float64 `json:"bytes" parquet:"bytes"`             // bytes loaded and stored per call (executed)
	LoadBytes  float64 `json:"load_bytes" parquet:"load_bytes"`   // bytes loaded per call (executed: the L1 traffic of the bound)
	L2Bytes    float64 `json:"l2_bytes" parquet:"l2_bytes"`       // bytes per call read into L1 from L2 and beyond
	L3Bytes    float64 `json:"l3_bytes" parquet:"l3_bytes"`       // ... from L3 and beyond
	DRAMBytes  float64 `json:"dram_bytes" parquet:"dram_bytes"`   // ... from DRAM
	WorkingSet float64 `json:"working_set" parquet:"working_set"` // bytes of every array the call touches (per thread)
	Level      string  `json:"level" parquet:"level"`             // innermost level that holds the working set
	Bound      string  `json:"bound" parquet:"bound"`             // fma, L1, L2, L3 or DRAM
	BoundSec   float64 `json:"bound_seconds" parquet:"bound_seconds"`
	FMASec     float64 `json:"fma_seconds" parquet:"fma_seconds"` // the flops at the FMA peak
	Seconds    float64 `json:"seconds" parquet:"seconds"`         // median achieved time of one call (each thread one call)
	GFLOPS     float64 `json:"gflops" parquet:"gflops"`
	GBs        float64 `json:"gbs" parquet:"gbs"`             // Bytes x threads / Seconds
	BoundGBs   float64 `json:"bound_gbs" parquet:"bound_gbs"` // bandwidth of the bound's level (all threads; 0 for fma)
	PeakGFLOPS float64 `json:"peak_gflops" parquet:"peak_gflops"`
	Share      float64 `json:"share" parquet:"share"` // BoundSec / Seconds: 1 = at the bound
	Reps       int64   `json:"reps" parquet:"reps"`   // calls timed
}

// Run measures the machine and every kernel case.
func Run(ctx context.Context, cfg Config) (Machine, []Record, error) {
	if len(cfg.Threads) == 0 {
		cfg.Threads = []int{1, 2}
	}
	for _, t := range cfg.Threads {
		if t < 1 || t > 2 {
			return Machine{}, nil, fieldErr("Threads", "%d: expected 1 or 2", t)
		}
	}
	if len(cfg.Sizes) == 0 {
		for _, s := range Sizes {
			cfg.Sizes = append(cfg.Sizes, s.Name)
		}
	}
	var sizes []Size
	for _, name := range cfg.Sizes {
		i := slices.IndexFunc(Sizes, func(s Size) bool { return s.Name == name })
		if i < 0 {
			return Machine{}, nil, fieldErr("Sizes", "unknown size %q (known: %s)", name, strings.Join(sizeNames(), ", "))
		}
		sizes = append(sizes, Sizes[i])
	}
	if len(cfg.Kernels) == 0 {
		cfg.Kernels = Kernels
	}
	for _, k := range cfg.Kernels {
		if !slices.Contains(Kernels, k) {
			return Machine{}, nil, fieldErr("Kernels", "unknown kernel %q (known: %s)", k, strings.Join(Kernels, ", "))
		}
	}
	im, err := kernels.Default()
	if cfg.Impl != "" {
		im, err = kernels.Get(cfg.Impl)
	}
	if err != nil {
		return Machine{}, nil, fieldErr("Impl", "%w", err)
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	progress := func(format string, args ...any) {
		if cfg.Progress != nil {
			cfg.Progress(fmt.Sprintf(format, args...))
		}
	}

	progress("machine: FMA peak and read bandwidth")
	mach := MeasureMachine(im, cfg.Threads, cfg.Quick)
	var recs []Record
	r := rand.New(rand.NewPCG(cfg.Seed, 0x726f6f666c696e65))
	for _, sz := range sizes {
		progress("%s: building the network", sz.Name)
		net, err := buildNet(sz, r)
		if err != nil {
			return mach, recs, err
		}
		for _, threads := range cfg.Threads {
			st := newStates(net, threads, r)
			for _, kn := range cfg.Kernels {
				if err := ctx.Err(); err != nil {
					return mach, recs, err
				}
				c, ok := newCase(kn, im, net, st)
				if !ok || (threads > 1 && kn == "adam") {
					continue // no dense path at this size; the optimizer runs on one thread
				}
				progress("%s %s, %d thread(s)", sz.Name, kn, threads)
				rec := measure(c, threads, cfg.Quick)
				rec.Kernel, rec.Impl, rec.Size = kn, im.Name, sz.Name
				rec.Hidden, rec.Density, rec.Nnz = int64(net.h), net.density(), int64(net.nnz())
				rec.Batch, rec.Threads = int64(net.m), int64(threads)
				bound(&rec, c, mach, threads)
				recs = append(recs, rec)
			}
			st = nil
			runtime.GC()
		}
	}
	return mach, recs, nil
}

func sizeNames() []string {
	var n []string
	for _, s := range Sizes {
		n = append(n, s.Name)
	}
	return n
}

// ---- the machine ----

// MeasureMachine measures one core's FMA peak (kbench.MeasurePeak, the
// loops of kernels/peak.go) and the read bandwidth of each level for each
// thread count, with working sets of half the level's capacity (L1, L2),
// half of L3 shared by the threads, and 4x L3 (DRAM; 2x in quick mode).
func MeasureMachine(im *kernels.Impl, threads []int, quick bool) Machine {
	c := cpuid.CPU
	m := Machine{CPU: c.BrandName, Family: c.Family, Model: c.Model, Cores: c.PhysicalCores,
		L1D: c.Cache.L1D, L2: c.Cache.L2, L3: c.Cache.L3}
	if m.L1D <= 0 {
		m.L1D = 32 << 10
	}
	if m.L2 <= 0 {
		m.L2 = 512 << 10
	}
	if m.L3 <= 0 {
		m.L3 = 8 << 20
	}
	p := kbench.MeasurePeak()
	m.PeakLoop, m.PeakGFLOPS = p.Loop, p.GFLOPS
	dram := 4
	if quick {
		dram = 2
	}
	for _, t := range threads {
		for _, lv := range Levels {
			var n int
			switch lv {
			case "L1":
				n = m.L1D / 2
			case "L2":
				n = m.L2 / 2
			case "L3":
				n = m.L3 / 2 / t
			default:
				n = dram * m.L3
			}
			m.Bandwidth = append(m.Bandwidth, measureRead(lv, n, t, im, quick))
		}
	}
	return m
}

// bandwidth returns the measured bandwidth (all threads, bytes/s) of level.
func (m Machine) bandwidth(level string, threads int) float64 {
	for _, b := range m.Bandwidth {
		if b.Level == level && b.Threads == threads {
			return b.GBs * 1e9
		}
	}
	return math.NaN()
}

func (m Machine) capacity(level string) float64 {
	switch level {
	case "L1":
		return float64(m.L1D)
	case "L2":
		return float64(m.L2)
	case "L3":
		return float64(m.L3)
	}
	return math.Inf(1)
}

// measureRead times every probe on per-thread buffers of nbytes and keeps
// each probe's best rate over short repeated units (the machine is shared:
// the least disturbed unit is the machine's figure).
func measureRead(level string, nbytes, threads int, im *kernels.Impl, quick bool) Bandwidth {
	bufs := make([]*kernels.ReadBuffer, threads)
	for i := range bufs {
		bufs[i] = kernels.NewReadBuffer(nbytes, im)
	}
	bw := Bandwidth{Level: level, Bytes: bufs[0].Bytes(), Threads: threads, Probes: map[string]float64{}}
	target := 60 * time.Millisecond
	if quick {
		target = 8 * time.Millisecond
	}
	for _, p := range kernels.ReadProbes() {
		run := func(th, reps int) {
			for i := 0; i < reps; i++ {
				p.Read(bufs[th])
			}
		}
		run(0, 1)
		reps := 1
		for t := timeUnit(run, threads, reps); t < 200e-6; t = timeUnit(run, threads, reps) {
			reps *= 2
		}
		best := 0.0
		for start, n := time.Now(), 0; n < 5 || time.Since(start) < target; n++ {
			t := timeUnit(run, threads, reps)
			best = max(best, float64(threads)*float64(reps)*float64(bufs[0].Bytes())/t/1e9)
		}
		for _, b := range bufs {
			if b.Mismatched() {
				best = 0 // cannot happen: the halves are equal
			}
		}
		bw.Probes[p.Name] = best
		if best > bw.GBs {
			bw.GBs, bw.Probe = best, p.Name
		}
	}
	return bw
}

// timeUnit runs run(th, reps) on threads goroutines (each locked to an OS
// thread) started together and returns the wall time until all are done.
func timeUnit(run func(th, reps int), threads, reps int) float64 {
	if threads == 1 {
		t0 := time.Now()
		run(0, reps)
		return time.Since(t0).Seconds()
	}
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(threads)
	done.Add(threads)
	for th := 0; th < threads; th++ {
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			ready.Done()
			<-start
			run(th, reps)
			done.Done()
		}()
	}
	ready.Wait()
	t0 := time.Now()
	close(start)
	done.Wait()
	return time.Since(t0).Seconds()
}

// ---- networks and states ----

// network is one size's recurrent structure: the CSR by target row (the
// forward product), its transpose (the backward pass), the dense masked
// matrix for the dense path (small sizes only) and the shared parameters.
type network struct {
	h, m             int
	rowPtr, colIdx   []int32
	vals             []float32
	rowPtrT, colIdxT []int32
	valsT            []float32
	wd               []float32 // H x H masked, dense path only
	wIn, wOut, wOutT []float32
	bias             []float32
}

func (n *network) nnz() int { return len(n.colIdx) }
func (n *network) density() float64 {
	return float64(n.nnz()) / (float64(n.h) * float64(n.h))
}

func buildNet(sz Size, r *rand.Rand) (*network, error) {
	n := &network{m: rnn.ChunkSize}
	if sz.Connectome != "" {
		spec, err := rnn.Defaults(rnn.RunSpec{Connectome: sz.Connectome, NeuronsPerRegion: 4,
			TargetSparsity: 0.8, IntrinsicSparsity: 1.0, IntrinsicWeight: 0.8})
		if err != nil {
			return nil, err
		}
		w, err := rnn.BuildWiring(spec)
		if err != nil {
			return nil, err
		}
		h := int(math.Round(math.Sqrt(float64(len(w.Mask)))))
		n.h = h
		n.rowPtr = make([]int32, h+1)
		for i := 0; i < h; i++ {
			for j := 0; j < h; j++ {
				if w.Mask[i*h+j] {
					n.colIdx = append(n.colIdx, int32(j))
				}
			}
			n.rowPtr[i+1] = int32(len(n.colIdx))
		}
	} else {
		h, k := sz.Hidden, max(1, int(math.Round(sz.Density*float64(sz.Hidden))))
		n.h = h
		n.rowPtr = make([]int32, h+1)
		n.colIdx = make([]int32, 0, h*k)
		seen := make([]bool, h)
		row := make([]int32, 0, k)
		for i := 0; i < h; i++ {
			row = row[:0]
			for len(row) < k {
				if j := r.IntN(h); !seen[j] {
					seen[j] = true
					row = append(row, int32(j))
				}
			}
			slices.Sort(row)
			for _, j := range row {
				seen[j] = false
			}
			n.colIdx = append(n.colIdx, row...)
			n.rowPtr[i+1] = int32(len(n.colIdx))
		}
	}
	h, nnz := n.h, len(n.colIdx)
	n.vals = randVec(r, nnz, 1/math.Sqrt(float64(h)))
	// Transposed CSR (by source row), as the engine lays it out.
	var perm []int32
	n.rowPtrT, n.colIdxT, perm = kernels.TransposeCSR(n.rowPtr, n.colIdx, h)
	n.valsT = make([]float32, nnz)
	for k, at := range perm {
		n.valsT[k] = n.vals[at]
	}
	if h <= denseMax {
		n.wd = make([]float32, h*h)
		for i := 0; i < h; i++ {
			for k := n.rowPtr[i]; k < n.rowPtr[i+1]; k++ {
				n.wd[i*h+int(n.colIdx[k])] = n.vals[k]
			}
		}
	}
	n.wIn = randVec(r, h*LiveInputs, 0.5)
	n.wOut = randVec(r, Outputs*h, 1/math.Sqrt(float64(h)))
	n.wOutT = slices.Clone(n.wOut) // H x 1 is the same numbers as 1 x H
	n.bias = randVec(r, h, 0.1)
	return n, nil
}

func randVec(r *rand.Rand, n int, scale float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64() * scale)
	}
	return v
}

// states are one thread's buffers: H x m matrices (a, b, c), the small
// input/output rows, a gradient of the recurrent weights, and (thread 0)
// Adam's parameter vector with its gradient and moments.
type states struct {
	th []*threadState
}

type threadState struct {
	a, b, c     []float32 // H x m
	pre         []float32 // H x m pre-activations, refreshed only at build
	x           []float32 // LiveInputs x m
	y, dy       []float32 // Outputs x m
	gIn         []float32 // H x LiveInputs
	gOut        []float32 // Outputs x H
	gB          []float32 // H
	gVals       []float32 // nnz
	gDense      []float32 // H x H (dense path)
	stackA      []float32 // H x (T-1) m (dense path)
	stackB      []float32
	p, g, mo, v []float32 // Adam: every parameter
}

func newStates(n *network, threads int, r *rand.Rand) *states {
	s := &states{}
	hm := n.h * n.m
	for t := 0; t < threads; t++ {
		ts := &threadState{
			a: randVec(r, hm, 0.5), b: randVec(r, hm, 0.5), c: randVec(r, hm, 0.5), pre: randVec(r, hm, 1),
			x: randVec(r, LiveInputs*n.m, 0.5), y: make([]float32, Outputs*n.m), dy: randVec(r, Outputs*n.m, 0.1),
			gIn: make([]float32, n.h*LiveInputs), gOut: make([]float32, Outputs*n.h), gB: make([]float32, n.h),
			gVals: make([]float32, n.nnz()),
		}
		if n.wd != nil {
			ts.gDense = make([]float32, n.h*n.h)
			ts.stackA = randVec(r, (Steps-1)*hm, 0.5)
			ts.stackB = randVec(r, (Steps-1)*hm, 0.5)
		}
		if t == 0 {
			np := n.h*Inputs + n.nnz() + n.h + Outputs*n.h + Outputs
			ts.p, ts.g = randVec(r, np, 0.1), randVec(r, np, 0.01)
			ts.mo, ts.v = make([]float32, np), make([]float32, np)
		}
		s.th = append(s.th, ts)
	}
	return s
}

// ---- kernel cases ----

// array is one array a call touches: its size, the bytes the call loads
// from it and stores to it (executed: a re-read row counts every time), and
// whether the threads share it (the weights) or each has its own.
type array struct {
	name           string
	foot           float64
	loads, stores  float64
	shared, reread bool
}

// kcase is one kernel call at one size: its flops, the arrays it touches,
// and the call on thread th.
type kcase struct {
	flops  float64
	arrays []array
	call   func(th int)
}

const f4 = 4.0 // bytes per float32 or int32

func newCase(kn string, im *kernels.Impl, n *network, s *states) (kcase, bool) {
	h, m, nnz := float64(n.h), float64(n.m), float64(n.nnz())
	hm := h * m
	row := f4 * m // one state row
	t := s.th
	csr := func(name string, rows float64, shared bool) []array {
		return []array{
			{name: name + ".rowPtr", foot: f4 * (rows + 1), loads: f4 * (rows + 1), shared: shared},
			{name: name + ".colIdx", foot: f4 * nnz, loads: f4 * nnz, shared: shared},
		}
	}
	switch kn {
	case "spmm":
		// Per nonzero: its column index, its value (broadcast) and the x row
		// it selects (re-read: every row is selected by ~nnz/H targets);
		// per target row: the y row loaded once and stored once.
		a := append(csr("W", h, true),
			array{name: "W.val", foot: f4 * nnz, loads: f4 * nnz, shared: true},
			array{name: "h", foot: f4 * hm, loads: row * nnz, reread: true},
			array{name: "p", foot: f4 * hm, loads: f4 * hm, stores: f4 * hm})
		return kcase{flops: 2 * nnz * m, arrays: a, call: func(th int) {
			im.SpMM(n.rowPtr, n.colIdx, n.vals, t[th].a, t[th].b, n.m)
		}}, true
	case "spmmsddmm":
		// On the transposed CSR: per nonzero its index, value and gradient
		// (loaded and stored) and the dP row it selects (re-read), used for
		// both products; per source row: h_{t-1}'s row (the SDDMM's left
		// side, held in registers) and dh's row, loaded and stored.
		a := append(csr("WT", h, true),
			array{name: "WT.val", foot: f4 * nnz, loads: f4 * nnz, shared: true},
			array{name: "gW", foot: f4 * nnz, loads: f4 * nnz, stores: f4 * nnz},
			array{name: "dP", foot: f4 * hm, loads: row * nnz, reread: true},
			array{name: "h_prev", foot: f4 * hm, loads: f4 * hm},
			array{name: "dh", foot: f4 * hm, loads: f4 * hm, stores: f4 * hm})
		return kcase{flops: 4 * nnz * m, arrays: a, call: func(th int) {
			ts := t[th]
			im.SpMMSDDMM(n.rowPtrT, n.colIdxT, n.valsT, ts.a, ts.b, ts.c, ts.gVals, n.m)
		}}, true
	case "sddmm":
		a := append(csr("WT", h, true),
			array{name: "gW", foot: f4 * nnz, loads: f4 * nnz, stores: f4 * nnz},
			array{name: "dP", foot: f4 * hm, loads: row * nnz, reread: true},
			array{name: "h_prev", foot: f4 * hm, loads: f4 * hm})
		return kcase{flops: 2 * nnz * m, arrays: a, call: func(th int) {
			ts := t[th]
			im.SDDMM(n.rowPtrT, n.colIdxT, ts.c, ts.a, ts.gVals, n.m)
		}}, true
	case "gemm":
		if n.wd == nil {
			return kcase{}, false
		}
		// The AVX-512 Gemm's register block is 6 rows x 4 ZMM (64 columns):
		// per k, 4 vector loads of B's row and 6 broadcasts of A. m = 64 is
		// one column block, so B (the state) is re-read once per 6 rows and
		// A once; C is loaded and stored once.
		a := []array{
			{name: "W", foot: f4 * h * h, loads: f4 * h * h, shared: true},
			{name: "h", foot: f4 * hm, loads: f4 * hm * math.Ceil(h/6), reread: true},
			{name: "p", foot: f4 * hm, loads: f4 * hm, stores: f4 * hm},
		}
		return kcase{flops: 2 * h * h * m, arrays: a, call: func(th int) {
			im.Gemm(n.h, n.m, n.h, n.wd, t[th].a, t[th].b)
		}}, true
	case "gemmnt":
		if n.wd == nil {
			return kcase{}, false
		}
		// GemmNT blocks 2 rows of A against 4 rows of B over k: A's rows are
		// re-read once per 4 rows of B, B's once per 2 rows of A; C (the
		// H x H gradient) is loaded and stored once.
		k := float64(Steps-1) * m
		a := []array{
			{name: "dPs", foot: f4 * h * k, loads: f4 * h * k * math.Ceil(h/4), reread: true},
			{name: "hs", foot: f4 * h * k, loads: f4 * h * k * math.Ceil(h/2), reread: true},
			{name: "gW", foot: f4 * h * h, loads: f4 * h * h, stores: f4 * h * h},
		}
		return kcase{flops: 2 * h * h * k, arrays: a, call: func(th int) {
			ts := t[th]
			im.GemmNT(n.h, n.h, (Steps-1)*n.m, ts.stackA, ts.stackB, ts.gDense)
		}}, true
	case "in-gemm", "out-back":
		// C(H x m) += A(H x 1) B(1 x m): an outer product; C loaded and
		// stored, B's row re-read per row block of 6.
		w := n.wIn
		if kn == "out-back" {
			w = n.wOutT
		}
		a := []array{
			{name: "w", foot: f4 * h, loads: f4 * h, shared: true},
			{name: "x", foot: row, loads: row * math.Ceil(h/6), reread: true},
			{name: "c", foot: f4 * hm, loads: f4 * hm, stores: f4 * hm},
		}
		return kcase{flops: 2 * hm, arrays: a, call: func(th int) {
			ts := t[th]
			if kn == "in-gemm" {
				im.Gemm(n.h, n.m, LiveInputs, w, ts.x, ts.a)
			} else {
				im.Gemm(n.h, n.m, Outputs, w, ts.dy, ts.a)
			}
		}}, true
	case "in-grad":
		// gIn(H x 1) += dP(H x m) x(1 x m)^T: one dot product per row; the
		// x row is re-read per block of 2 rows.
		a := []array{
			{name: "dP", foot: f4 * hm, loads: f4 * hm},
			{name: "x", foot: row, loads: row * math.Ceil(h/2), reread: true},
			{name: "gIn", foot: f4 * h, loads: f4 * h, stores: f4 * h},
		}
		return kcase{flops: 2 * hm, arrays: a, call: func(th int) {
			ts := t[th]
			im.GemmNT(n.h, LiveInputs, n.m, ts.a, ts.x, ts.gIn)
		}}, true
	case "out-gemm":
		// y(1 x m) += wOut(1 x H) h(H x m): every state row once.
		a := []array{
			{name: "wOut", foot: f4 * h, loads: f4 * h, shared: true},
			{name: "h", foot: f4 * hm, loads: f4 * hm},
			{name: "y", foot: row, loads: row, stores: row},
		}
		return kcase{flops: 2 * hm, arrays: a, call: func(th int) {
			ts := t[th]
			im.Gemm(Outputs, n.m, n.h, n.wOut, ts.a, ts.y)
		}}, true
	case "out-grad":
		// gOut(1 x H) += dy(1 x m) h(H x m)^T: the dy row re-read per 4 rows.
		a := []array{
			{name: "dy", foot: row, loads: row * math.Ceil(h/4), reread: true},
			{name: "h", foot: f4 * hm, loads: f4 * hm},
			{name: "gOut", foot: f4 * h, loads: f4 * h, stores: f4 * h},
		}
		return kcase{flops: 2 * hm, arrays: a, call: func(th int) {
			ts := t[th]
			im.GemmNT(Outputs, n.h, n.m, ts.dy, ts.a, ts.gOut)
		}}, true
	case "bias-tanh", "bias-relu":
		// In place: every element loaded and stored. Flops per element:
		// relu 2 (add, max); tanh 35 with both of its branches, which most
		// vectors of 16 trials need (kernels/_asm/tanh.go: the bias add; the
		// polynomial, 2 multiplies and 5 FMAs; the exp branch, 9 adds,
		// multiplies, min and divide and 7 FMAs; logic and conversions not
		// counted).
		fl := 2.0
		if kn == "bias-tanh" {
			fl = 35
		}
		a := []array{
			{name: "bias", foot: f4 * h, loads: f4 * h, shared: true},
			{name: "x", foot: f4 * hm, loads: f4 * hm, stores: f4 * hm},
		}
		return kcase{flops: fl * hm, arrays: a, call: func(th int) {
			ts := t[th]
			if kn == "bias-tanh" {
				im.BiasTanh(ts.pre, n.bias, n.m)
			} else {
				im.BiasReLU(ts.pre, n.bias, n.m)
			}
		}}, true
	case "tanh-back", "relu-back":
		// dx = dy * (1 - y*y) (3 flops) or dy where y > 0 (1 op): two
		// loads and one store per element.
		fl := 1.0
		if kn == "tanh-back" {
			fl = 3
		}
		a := []array{
			{name: "dy", foot: f4 * hm, loads: f4 * hm},
			{name: "y", foot: f4 * hm, loads: f4 * hm},
			{name: "dx", foot: f4 * hm, stores: f4 * hm},
		}
		return kcase{flops: fl * hm, arrays: a, call: func(th int) {
			ts := t[th]
			if kn == "tanh-back" {
				im.TanhBackward(ts.a, ts.b, ts.c)
			} else {
				im.ReLUBackward(ts.a, ts.b, ts.c)
			}
		}}, true
	case "rowsums":
		a := []array{
			{name: "dP", foot: f4 * hm, loads: f4 * hm},
			{name: "gB", foot: f4 * h, loads: f4 * h, stores: f4 * h},
		}
		return kcase{flops: hm, arrays: a, call: func(th int) {
			ts := t[th]
			im.RowSums(ts.a, ts.gB, n.m)
		}}, true
	case "adam":
		// Per parameter: p, g, m, v loaded, p, m, v stored; 15 operations
		// (a square root and two divides among them: kernels/_asm/elem.go).
		np := float64(len(t[0].p))
		a := []array{
			{name: "p", foot: f4 * np, loads: f4 * np, stores: f4 * np},
			{name: "g", foot: f4 * np, loads: f4 * np},
			{name: "m", foot: f4 * np, loads: f4 * np, stores: f4 * np},
			{name: "v", foot: f4 * np, loads: f4 * np, stores: f4 * np},
		}
		hp := kernels.AdamHyper{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, StepSize: 1e-9, BC2Sqrt: 0.5}
		return kcase{flops: 15 * np, arrays: a, call: func(th int) {
			ts := t[th]
			im.Adam(ts.p, ts.g, ts.mo, ts.v, hp)
		}}, true
	}
	panic("roofline: unknown kernel " + kn)
}

// ---- timing and the bound ----

// measure times the case: units of enough calls to last about 300 us (at
// least one call per thread), the median of several units after a warm-up.
func measure(c kcase, threads int, quick bool) Record {
	run := func(th, reps int) {
		for i := 0; i < reps; i++ {
			c.call(th)
		}
	}
	t := timeUnit(run, threads, 1) // warm-up, and the size of a unit
	t = min(t, timeUnit(run, threads, 1))
	unit, units := 300e-6, 11
	if quick {
		unit, units = 100e-6, 5
	}
	if threads > 1 {
		unit *= 8 // starting the goroutines of a unit takes some microseconds
	}
	if t > 20e-3 {
		units = max(5, units/2)
	}
	reps := max(1, int(math.Ceil(unit/max(t, 1e-9))))
	times := make([]float64, units)
	for i := range times {
		times[i] = timeUnit(run, threads, reps) / float64(reps)
	}
	sort.Float64s(times)
	return Record{Seconds: times[len(times)/2], Reps: int64(units * reps)}
}

// traffic returns, per thread, the working set and the bytes read at each
// level (index 0: L1, every load the call executes; 1: lines filled from
// L2 and beyond; 2: from L3 and beyond; 3: from DRAM). Stores and
// write-backs are left out: they use their own port and direction, and the
// bandwidths are read bandwidths, so leaving them out keeps the bound a
// bound (the call cannot take less time), if a loose one for kernels that
// store as much as they load.
func traffic(c kcase, m Machine, threads int) (ws float64, bytes [4]float64) {
	share := func(a array) float64 { // share of a shared array attributed to one thread in L3/DRAM
		if a.shared {
			return 1 / float64(threads)
		}
		return 1
	}
	var wsPriv, wsL3 float64
	for _, a := range c.arrays {
		bytes[0] += a.loads
		wsPriv += a.foot
		wsL3 += a.foot * share(a)
	}
	for k, lv := range Levels[:3] {
		capa := m.capacity(lv)
		w := wsPriv
		if lv == "L3" {
			capa /= float64(threads)
			w = wsL3
		}
		if w <= capa {
			continue
		}
		var b float64
		for _, a := range c.arrays {
			once := a.foot // filled once (a written array too: read for ownership)
			if lv == "L3" {
				once *= share(a)
			}
			b += once
			if a.reread && a.foot > capa {
				b += max(0, a.loads-a.foot) * (1 - capa/a.foot)
			}
		}
		bytes[k+1] = b
	}
	return wsPriv, bytes
}

// bound fills the record's byte counts, level, bound and rates.
func bound(r *Record, c kcase, m Machine, threads int) {
	ws, bytes := traffic(c, m, threads)
	r.Flops, r.LoadBytes, r.L2Bytes, r.L3Bytes, r.DRAMBytes = c.flops, bytes[0], bytes[1], bytes[2], bytes[3]
	for _, a := range c.arrays {
		r.Bytes += a.loads + a.stores
	}
	r.WorkingSet = ws
	r.Level = "DRAM"
	for _, lv := range Levels[:3] {
		capa := m.capacity(lv)
		if lv == "L3" {
			capa /= float64(threads)
		}
		if ws <= capa {
			r.Level = lv
			break
		}
	}
	r.PeakGFLOPS = m.PeakGFLOPS
	r.FMASec = c.flops / (m.PeakGFLOPS * 1e9)
	r.Bound, r.BoundSec = "fma", r.FMASec
	for k, lv := range Levels {
		bw := m.bandwidth(lv, threads) / float64(threads) // one thread's share
		if t := bytes[k] / bw; t > r.BoundSec {
			r.Bound, r.BoundSec, r.BoundGBs = lv, t, bw*float64(threads)/1e9
		}
	}
	th := float64(threads)
	r.GFLOPS = th * c.flops / r.Seconds / 1e9
	r.GBs = th * r.Bytes / r.Seconds / 1e9
	r.Share = r.BoundSec / r.Seconds
}

// FieldError is a Config field that cannot be used: the CLI names its flag.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return "roofline: " + e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}
