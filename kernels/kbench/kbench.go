// Package kbench measures the kernels of package kernels over a grid of
// batch sizes, network sizes and densities, relative to one core's measured
// FP32 FMA peak, and writes the records as JSON or Parquet.
//
// Throughput is reported as useful GFLOP/s: 2 x kept weights x batch per
// call, whatever the kernel executes (the dense kernels also multiply the
// masked-out zeros), so sparse and dense paths compare directly at the same
// shape; the fused spmmsddmm does two products, so it counts 4 x kept
// weights x batch and compares directly with spmm + sddmm run one after the
// other. Large cases are sampled: only the first rows of the weight matrix
// are run (the state matrix keeps its full size) and the time is scaled to
// all rows, which is exact for these row-independent kernels up to cache
// effects.
package kbench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/biornn/biornn/kernels"
	"github.com/biornn/biornn/rnn"
)

// Kernels lists the kernels kbench measures:
//   - spmm:   P += W*H over the CSR of the kept weights (sparse forward);
//   - sddmm:  dW += dP*H^T at the kept positions only (sparse weight gradient);
//   - gemm:   P += W*H with W dense, masked entries zero (dense forward);
//   - gemmnt: dW += dP*H^T for all hidden x hidden entries (dense weight gradient);
//   - spmmsddmm: the fused backward kernel (kernels.Impl.SpMMSDDMM), spmm's
//     product and sddmm's gradient in one pass over the CSR, reading each
//     H row once for both. In training it runs on the transposed CSR
//     (dH = W^T*dP and the weight gradient); kbench times it on the same
//     random CSR as spmm and sddmm, which has the same statistics. Useful
//     flops: 4 x kept weights x batch (two products).
var Kernels = []string{"spmm", "sddmm", "gemm", "gemmnt", "spmmsddmm"}

// FlopsPerWeight is the useful flops of kernel kn per kept weight and batch
// column: 4 for the fused spmmsddmm (two products), else 2.
func FlopsPerWeight(kn string) float64 {
	if kn == "spmmsddmm" {
		return 4
	}
	return 2
}

// Record is one measurement. Seconds is the time of one full call.
type Record struct {
	Kernel       string  `json:"kernel" parquet:"kernel"`
	Impl         string  `json:"impl" parquet:"impl"`
	Batch        int64   `json:"batch" parquet:"batch"`
	Hidden       int64   `json:"hidden" parquet:"hidden"`
	Density      float64 `json:"density" parquet:"density"`
	Nnz          int64   `json:"nnz" parquet:"nnz"` // kept weights of the full matrix (scaled from the built rows when sampled)
	SampledRows  int64   `json:"sampled_rows" parquet:"sampled_rows"`
	Reps         int64   `json:"reps" parquet:"reps"` // calls timed (Seconds is the best of the timed units)
	Seconds      float64 `json:"seconds" parquet:"seconds"`
	GFLOPS       float64 `json:"gflops" parquet:"gflops"`
	PeakGFLOPS   float64 `json:"peak_gflops" parquet:"peak_gflops"`
	PeakFraction float64 `json:"peak_fraction" parquet:"peak_fraction"`
}

// Config selects the grid. Empty lists mean the defaults.
type Config struct {
	Batches   []int
	Hidden    []int
	Densities []float64
	Impls     []string // implementation names (kernels.Get)
	Kernels   []string // subset of Kernels
	// Target is the time spent timing one record (default 25 ms).
	Target time.Duration
	Seed   uint64
	// Progress, if set, is called after each record (before the peak
	// fractions are known: they are set when the whole grid is done).
	Progress func(Record)
	// MaxMemory is the memory budget in bytes (0 = rnn.DefaultMaxMemory):
	// a network size whose matrices would exceed it is refused before
	// anything is allocated (a FieldError for Hidden).
	MaxMemory uint64
}

// Defaults returned by DefaultConfig: the grid of the design.
var (
	DefaultBatches   = []int{1, 16, 128}
	DefaultHidden    = []int{116, 220, 512, 1024, 4096}
	DefaultDensities = []float64{0.02, 0.1, 0.5, 1.0}
)

// Peak is one core's measured FP32 peak: the best loop and its rate, and
// the rate of every loop (on a CPU that splits 512-bit operations in two
// halves, such as AMD Zen 4, the AVX-512 and AVX2 loops reach the same rate).
type Peak struct {
	Loop   string     `json:"loop"`
	GFLOPS float64    `json:"gflops"`
	Loops  []LoopRate `json:"loops"`
}

// LoopRate is the best rate of one FMA throughput loop.
type LoopRate struct {
	Loop   string  `json:"loop"`
	GFLOPS float64 `json:"gflops"`
}

// MeasurePeak runs every available FMA throughput loop in many short tries
// and returns the best rate: the core's FP32 peak as far as software sees
// it. The machine may be shared, so the best try is the least disturbed one.
func MeasurePeak() Peak {
	var best Peak
	for _, l := range kernels.PeakLoops() {
		rate := LoopRate{Loop: l.Name}
		iters := 1000
		for try := 0; try < 30; try++ {
			t0 := time.Now()
			l.Run(iters)
			dt := time.Since(t0).Seconds()
			if dt < 5e-4 {
				iters *= 2
				try--
				continue
			}
			rate.GFLOPS = max(rate.GFLOPS, float64(iters)*float64(l.FlopsPerIter)/dt/1e9)
		}
		best.Loops = append(best.Loops, rate)
		if rate.GFLOPS > best.GFLOPS {
			best.Loop, best.GFLOPS = rate.Loop, rate.GFLOPS
		}
	}
	return best
}

// maxBuildFlops bounds the executed flops of one call on the rows kbench
// builds, which bounds memory and the time of one generic call (the fused
// spmmsddmm at density 1 executes up to twice this, still far above what
// measure's sampling runs).
const maxBuildFlops = 1.2e9

// Run measures the grid and returns the peak and the records.
func Run(ctx context.Context, cfg Config) (Peak, []Record, error) {
	if len(cfg.Batches) == 0 {
		cfg.Batches = DefaultBatches
	}
	if len(cfg.Hidden) == 0 {
		cfg.Hidden = DefaultHidden
	}
	if len(cfg.Densities) == 0 {
		cfg.Densities = DefaultDensities
	}
	if len(cfg.Kernels) == 0 {
		cfg.Kernels = Kernels
	}
	if cfg.Target <= 0 {
		cfg.Target = 25 * time.Millisecond
	}
	for _, k := range cfg.Kernels {
		if !slices.Contains(Kernels, k) {
			return Peak{}, nil, fieldErr("Kernels", "unknown kernel %q (known: %s)", k, strings.Join(Kernels, ", "))
		}
	}
	for _, b := range cfg.Batches {
		if b <= 0 {
			return Peak{}, nil, fieldErr("Batches", "%d: expected a batch size >= 1", b)
		}
	}
	for _, h := range cfg.Hidden {
		if h <= 0 {
			return Peak{}, nil, fieldErr("Hidden", "%d: expected a number of neurons >= 1", h)
		}
	}
	for _, d := range cfg.Densities {
		if !(d > 0 && d <= 1) {
			return Peak{}, nil, fieldErr("Densities", "%v: expected a share of kept weights in (0, 1]", d)
		}
	}
	maxBatch, maxDensity := slices.Max(cfg.Batches), slices.Max(cfg.Densities)
	for _, h := range cfg.Hidden {
		need := Memory(h, buildRows(h, maxBatch), maxBatch, maxDensity)
		what := fmt.Sprintf("the benchmark's matrices for %d neurons (batch %d, density %g)", h, maxBatch, maxDensity)
		if err := rnn.CheckMemory(what, need, cfg.MaxMemory, "use fewer neurons or a smaller batch"); err != nil {
			return Peak{}, nil, fieldErr("Hidden", "%d: %w", h, err)
		}
	}
	impls := kernels.All()
	if len(cfg.Impls) > 0 {
		impls = impls[:0]
		for _, name := range cfg.Impls {
			im, err := kernels.Get(name)
			if err != nil {
				return Peak{}, nil, fieldErr("Impls", "%w", err)
			}
			impls = append(impls, im)
		}
	}
	peak := MeasurePeak()
	var recs []Record
	r := rand.New(rand.NewPCG(cfg.Seed, 0x6b62656e6368))
	for _, h := range cfg.Hidden {
		buildRows := buildRows(h, maxBatch)
		for _, d := range cfg.Densities {
			w := newWeights(r, buildRows, h, d)
			for _, b := range cfg.Batches {
				st := newState(r, h, b, buildRows)
				for _, kn := range cfg.Kernels {
					for _, im := range impls {
						if err := ctx.Err(); err != nil {
							return finishPeak(peak, recs), recs, err
						}
						rec := measure(kn, im, w, st, cfg.Target)
						rec.Impl = im.Name
						rec.Hidden, rec.Batch, rec.Density = int64(h), int64(b), d
						rec.Nnz = int64(float64(w.rowPtr[buildRows]) * float64(h) / float64(buildRows))
						rec.GFLOPS = FlopsPerWeight(kn) * float64(rec.Nnz) * float64(b) / rec.Seconds / 1e9
						recs = append(recs, rec)
						if cfg.Progress != nil {
							cfg.Progress(rec)
						}
					}
				}
			}
		}
	}
	return finishPeak(peak, recs), recs, nil
}

// buildRows is how many rows of the hidden x hidden matrix are built for
// batches up to maxBatch (maxBuildFlops).
func buildRows(hidden, maxBatch int) int {
	return min(hidden, max(1, int(maxBuildFlops/(2*float64(hidden)*float64(maxBatch)))))
}

// Memory estimates, in bytes, what Run allocates at once for one network
// size: rows built rows of hidden x hidden weights at density (the CSR,
// whose slices may hold twice their length while they grow, and the dense
// copy) and the state of batch columns (H, dP, the outputs and both weight
// gradients).
func Memory(hidden, rows, batch int, density float64) float64 {
	h, r, b := float64(hidden), float64(rows), float64(batch)
	nnz := r * h * density
	weights := 4*(r+1) + 2*2*4*nnz + 4*r*h
	state := 4*h*b + 2*4*r*b + 4*r*h + 4*nnz
	return weights + state
}

// finishPeak measures the peak again and keeps the better of the two, so
// that a burst of load at the start does not inflate every peak fraction,
// then sets the peak fields of the records.
func finishPeak(peak Peak, recs []Record) Peak {
	p := MeasurePeak()
	for i := range peak.Loops {
		if i < len(p.Loops) && p.Loops[i].Loop == peak.Loops[i].Loop {
			peak.Loops[i].GFLOPS = max(peak.Loops[i].GFLOPS, p.Loops[i].GFLOPS)
		}
	}
	if p.GFLOPS > peak.GFLOPS {
		peak.Loop, peak.GFLOPS = p.Loop, p.GFLOPS
	}
	for i := range recs {
		recs[i].PeakGFLOPS = peak.GFLOPS
		if peak.GFLOPS > 0 {
			recs[i].PeakFraction = recs[i].GFLOPS / peak.GFLOPS
		}
	}
	return peak
}

// weights holds the first rows of a hidden x hidden masked weight matrix
// both as CSR and as a dense row-major matrix with zeros off the mask.
type weights struct {
	rows, hidden   int
	rowPtr, colIdx []int32
	val, dense     []float32
}

func newWeights(r *rand.Rand, rows, hidden int, density float64) *weights {
	w := &weights{rows: rows, hidden: hidden, rowPtr: make([]int32, rows+1), dense: make([]float32, rows*hidden)}
	for i := 0; i < rows; i++ {
		for j := 0; j < hidden; j++ {
			if density >= 1 || r.Float64() < density {
				v := float32(r.NormFloat64()) / 8
				w.colIdx = append(w.colIdx, int32(j))
				w.val = append(w.val, v)
				w.dense[i*hidden+j] = v
			}
		}
		w.rowPtr[i+1] = int32(len(w.val))
	}
	return w
}

// state holds H (hidden x batch), dP (rows x batch) and the outputs.
type state struct {
	batch      int
	h, dp, out []float32
	dW         []float32
	dWSparse   []float32
}

func newState(r *rand.Rand, hidden, batch, rows int) *state {
	s := &state{batch: batch, h: make([]float32, hidden*batch), dp: make([]float32, rows*batch),
		out: make([]float32, rows*batch), dW: make([]float32, rows*hidden)}
	for i := range s.h {
		s.h[i] = float32(r.NormFloat64())
	}
	for i := range s.dp {
		s.dp[i] = float32(r.NormFloat64())
	}
	return s
}

// callKernel runs kernel kn of im once on the first rows of w. The fused
// spmmsddmm is exactly the spmm call and the sddmm call in one: it reads the
// H rows once for both products.
func callKernel(kn string, im *kernels.Impl, w *weights, st *state, rows int) {
	b := st.batch
	switch kn {
	case "spmm":
		im.SpMM(w.rowPtr[:rows+1], w.colIdx, w.val, st.h, st.out, b)
	case "sddmm":
		im.SDDMM(w.rowPtr[:rows+1], w.colIdx, st.dp, st.h, st.dWSparse, b)
	case "spmmsddmm":
		im.SpMMSDDMM(w.rowPtr[:rows+1], w.colIdx, w.val, st.h, st.out, st.dp, st.dWSparse, b)
	case "gemm":
		im.Gemm(rows, b, w.hidden, w.dense, st.h, st.out)
	case "gemmnt":
		im.GemmNT(rows, w.hidden, b, st.dp, st.h, st.dW)
	default:
		panic("kbench: unknown kernel " + kn)
	}
}

// measure times kernel kn of im on the first rows of w. The machine may be
// shared and the scheduler takes the core away for milliseconds at a time,
// so measure short units and keep the fastest: rows grow until one call
// takes about 200 us (or all rows are in), a unit is enough calls to last
// 50 us, and units are timed until the target time has passed (at least 5).
// The best time per call is scaled to all rows.
func measure(kn string, im *kernels.Impl, w *weights, st *state, target time.Duration) Record {
	if len(st.dWSparse) < len(w.val) {
		st.dWSparse = make([]float32, len(w.val))
	}
	call := func(rows int) { callKernel(kn, im, w, st, rows) }
	timeIt := func(rows, reps int) float64 {
		t0 := time.Now()
		for i := 0; i < reps; i++ {
			call(rows)
		}
		return time.Since(t0).Seconds() / float64(reps)
	}
	const callTime, unitTime = 200e-6, 50e-6
	rows := min(w.rows, 8)
	t := timeIt(rows, 1)
	for rows < w.rows && t < callTime {
		grow := 4.0
		if t > 0 {
			grow = min(4, callTime/t)
		}
		rows = min(w.rows, max(rows+1, int(float64(rows)*grow)))
		t = timeIt(rows, 1)
	}
	reps := max(1, int(math.Ceil(unitTime/max(t, 1e-9))))
	best := math.Inf(1)
	calls := 0
	for start := time.Now(); calls < 5*reps || time.Since(start) < target; calls += reps {
		best = min(best, timeIt(rows, reps))
	}
	return Record{Kernel: kn, SampledRows: int64(rows), Reps: int64(calls), Seconds: best * float64(w.hidden) / float64(rows)}
}

// FieldError is a Config field that cannot be used: the CLI names its flag.
type FieldError struct {
	Field string // the Config field
	Err   error
}

func (e *FieldError) Error() string {
	if msg := e.Err.Error(); strings.HasPrefix(msg, "= ") {
		return "kbench: " + e.Field + " " + msg
	}
	return "kbench: " + e.Field + ": " + e.Err.Error()
}

func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}
