package kbench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/biornn/biornn/kernels"
	"github.com/biornn/biornn/rnn/results/recordfile"
	"github.com/parquet-go/parquet-go"
)

func TestRunSmallGrid(t *testing.T) {
	cfg := Config{Batches: []int{1, 16}, Hidden: []int{40}, Densities: []float64{0.1, 1}, Target: time.Millisecond}
	peak, recs, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if peak.GFLOPS <= 0 || peak.Loop == "" {
		t.Fatalf("peak not measured: %+v", peak)
	}
	want := 2 * 2 * len(Kernels) * len(kernelsAll())
	if len(recs) != want {
		t.Fatalf("got %d records, want %d", len(recs), want)
	}
	for _, r := range recs {
		if r.Seconds <= 0 || r.GFLOPS <= 0 || r.PeakFraction <= 0 || r.Nnz <= 0 || r.Reps < 1 {
			t.Fatalf("bad record %+v", r)
		}
		if r.Density == 1 && r.Nnz != 40*40 {
			t.Fatalf("dense record nnz = %d, want 1600", r.Nnz)
		}
	}

	path := filepath.Join(t.TempDir(), "k.parquet")
	if err := recordfile.WriteParquet(path, recs); err != nil {
		t.Fatal(err)
	}
	back, err := parquet.ReadFile[Record](path)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(recs) || back[3] != recs[3] {
		t.Fatalf("parquet round trip: %d rows, row 3 %+v vs %+v", len(back), back[3], recs[3])
	}
	var buf bytes.Buffer
	if err := recordfile.WriteJSON(&buf, recs); err != nil {
		t.Fatal(err)
	}
	var js []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &js); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"kernel", "impl", "batch", "hidden", "density", "seconds", "gflops", "peak_fraction"} {
		if _, ok := js[0][key]; !ok {
			t.Fatalf("JSON record lacks %q: %v", key, js[0])
		}
	}
	buf.Reset()
	if err := WriteTable(&buf, peak, recs[:2]); err != nil || bytes.Count(buf.Bytes(), []byte("\n")) != 4 {
		t.Fatalf("table: %v\n%s", err, buf.String())
	}
}

// TestSampling: a sampled measurement must scale to the full matrix.
func TestSampling(t *testing.T) {
	cfg := Config{Batches: []int{128}, Hidden: []int{4096}, Densities: []float64{0.02}, Kernels: []string{"spmm"},
		Impls: []string{"generic"}, Target: 2 * time.Millisecond}
	_, recs, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := recs[0]
	if r.SampledRows <= 0 || r.SampledRows > 4096 {
		t.Fatalf("sampled rows %d", r.SampledRows)
	}
	if f := float64(r.Nnz) / (4096 * 4096); f < 0.015 || f > 0.025 {
		t.Fatalf("nnz %d not about 2%% of 4096^2", r.Nnz)
	}
}

func TestBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{Kernels: []string{"nope"}},
		{Impls: []string{"nope"}},
		{Densities: []float64{0}},
		{Batches: []int{-1}},
		{Hidden: []int{0}},
	} {
		if _, _, err := Run(context.Background(), cfg); err == nil {
			t.Fatalf("config %+v: no error", cfg)
		}
	}
}

func kernelsAll() []string {
	var names []string
	for _, im := range kernels.All() {
		names = append(names, im.Name)
	}
	return names
}

// TestFused: spmmsddmm is timed as the spmm and sddmm calls in one, and
// counts 4 useful flops per kept weight and batch column.
func TestFused(t *testing.T) {
	cfg := Config{Batches: []int{3, 64}, Hidden: []int{30}, Densities: []float64{0.5},
		Kernels: []string{"spmmsddmm"}, Target: time.Millisecond}
	_, recs, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2*len(kernelsAll()) {
		t.Fatalf("got %d records, want %d", len(recs), 2*len(kernelsAll()))
	}
	for _, r := range recs {
		want := 4 * float64(r.Nnz) * float64(r.Batch) / r.Seconds / 1e9
		if r.Kernel != "spmmsddmm" || r.GFLOPS <= 0 || math.Abs(r.GFLOPS-want) > 1e-9*want {
			t.Fatalf("record %+v: want kernel spmmsddmm at %g GFLOP/s", r, want)
		}
	}
	if FlopsPerWeight("spmmsddmm") != 4 || FlopsPerWeight("spmm") != 2 || FlopsPerWeight("gemmnt") != 2 {
		t.Fatal("FlopsPerWeight")
	}

	// The fused call must compute what the spmm call and the sddmm call do.
	for _, im := range kernels.All() {
		for _, b := range []int{1, 16, 64, 128} {
			r := rand.New(rand.NewPCG(2, uint64(b)))
			const hidden, rows = 37, 29
			w := newWeights(r, rows, hidden, 0.4)
			fused, sep := newState(r, hidden, b, rows), &state{batch: b}
			sep.h, sep.dp = fused.h, fused.dp
			sep.out, sep.dW = make([]float32, len(fused.out)), make([]float32, len(fused.dW))
			fused.dWSparse, sep.dWSparse = make([]float32, len(w.val)), make([]float32, len(w.val))
			callKernel("spmmsddmm", im, w, fused, rows)
			callKernel("spmm", im, w, sep, rows)
			callKernel("sddmm", im, w, sep, rows)
			for _, c := range []struct {
				name      string
				got, want []float32
			}{{"out", fused.out, sep.out}, {"dW", fused.dWSparse, sep.dWSparse}} {
				for i := range c.want {
					if d := math.Abs(float64(c.got[i] - c.want[i])); d > 1e-4*(1+math.Abs(float64(c.want[i]))) ||
						(im.Name == "generic" && d != 0) {
						t.Fatalf("%s b=%d %s[%d]: fused %g, separate %g", im.Name, b, c.name, i, c.got[i], c.want[i])
					}
				}
			}
		}
	}
}

// TestMemoryBudget: a network size whose matrices exceed the memory budget
// is refused before anything is allocated or measured.
func TestMemoryBudget(t *testing.T) {
	for _, cfg := range []Config{
		{Hidden: []int{1000000000}},
		{Hidden: []int{40, 4096}, Batches: []int{128}, MaxMemory: 1 << 20},
	} {
		start := time.Now()
		_, recs, err := Run(context.Background(), cfg)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "Hidden" || !strings.Contains(err.Error(), "would take an estimated") || len(recs) != 0 {
			t.Errorf("%+v: %v, expected a FieldError for Hidden with the estimate", cfg.Hidden, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%+v: refused after %v: the check must come before any measurement", cfg.Hidden, d)
		}
	}
	// The estimate covers what a size allocates.
	if m := Memory(4096, 4096, 128, 1); m < 4*4096*4096 {
		t.Errorf("Memory(4096, ...) = %g bytes, less than the dense matrix", m)
	}
}
