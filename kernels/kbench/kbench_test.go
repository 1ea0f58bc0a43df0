package kbench

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
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
