package trainbench

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/kernels"
	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results/recordfile"
	"github.com/parquet-go/parquet-go"
)

// dataDir is the data folder the tests name: the repository's copies of
// the built-in data sets, so that the file-in-a-folder path is exercised
// in a plain clone too.
var dataDir = filepath.Join("..", "..", "connectome", "builtin")

// tiny is a configuration that runs in well under a second per combination.
func tiny() Config {
	return Config{Networks: []string{"macaque"}, DataDir: dataDir, Trials: 20, BatchSize: 8, Epochs: 3, Warmup: 1}
}

func TestRunPaperEveryImplAndPath(t *testing.T) {
	var seen []Record
	recs, err := Run(context.Background(), tiny(), func(r Record) { seen = append(seen, r) })
	if err != nil {
		t.Fatal(err)
	}
	want := len(kernels.All()) * len(Paths)
	if len(recs) != want || len(seen) != want {
		t.Fatalf("got %d records (%d via progress), want %d (impls x paths)", len(recs), len(seen), want)
	}
	ref := recs[0]
	for k, r := range recs {
		if r.Mode != ModePaper || r.Network != "macaque" || r.Neurons != 116 {
			t.Fatalf("record %d: %+v: want paper mode, macaque, 116 neurons", k, r)
		}
		if r.Connections <= 0 || r.Connections >= 116*116 || math.Abs(r.Density-float64(r.Connections)/(116*116)) > 1e-12 {
			t.Fatalf("record %d: connections %d, density %v inconsistent", k, r.Connections, r.Density)
		}
		if r.Path != string(Paths[k%len(Paths)]) {
			t.Fatalf("record %d: path %q, want %q (the path is forced, not auto)", k, r.Path, Paths[k%len(Paths)])
		}
		if r.Epochs != 3 || !(r.EpochSeconds > 0) || r.MinSeconds > r.EpochSeconds || r.NsPerUnit <= 0 {
			t.Fatalf("record %d: timing fields %+v", k, r)
		}
		if r.Steps != 11 || r.TrainTrials != 16 || r.ValTrials != 4 || r.Batch != 8 {
			t.Fatalf("record %d: task fields %+v, want T=11 (seq_mem L=5), 16/4 trials, batch 8", k, r)
		}
		if r.Activation != "tanh" || r.CPUSeconds < 0 {
			t.Fatalf("record %d: activation %q, cpu seconds %v", k, r.Activation, r.CPUSeconds)
		}
		if r.AllocsPerEpoch < 0 {
			t.Fatalf("record %d: allocs %d", k, r.AllocsPerEpoch)
		}
		// Same network, seeds and data: every impl and path must reach the
		// same loss within float32 rounding.
		if r.Connections != ref.Connections || math.Abs(r.FinalValLoss-ref.FinalValLoss) > 1e-4*math.Abs(ref.FinalValLoss)+1e-6 {
			t.Fatalf("record %d (%s/%s): connections %d, final val loss %v; record 0 (%s/%s): %d, %v",
				k, r.Impl, r.Path, r.Connections, r.FinalValLoss, ref.Impl, ref.Path, ref.Connections, ref.FinalValLoss)
		}
	}
}

func TestOutputs(t *testing.T) {
	cfg := tiny()
	cfg.Impls, cfg.Paths, cfg.Threads, cfg.Epochs = []string{"generic"}, []rnn.Path{"sparse"}, []int{1, 2}, 1
	recs, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Threads != 1 || recs[1].Threads != 2 {
		t.Fatalf("want one record per thread count, got %+v", recs)
	}
	if recs[0].FinalValLoss != recs[1].FinalValLoss {
		t.Fatalf("thread count changed the result: %v vs %v", recs[0].FinalValLoss, recs[1].FinalValLoss)
	}
	path := filepath.Join(t.TempDir(), "b.parquet")
	if err := recordfile.WriteParquet(path, recs); err != nil {
		t.Fatal(err)
	}
	back, err := parquet.ReadFile[Record](path)
	if err != nil || len(back) != 2 || back[1] != recs[1] {
		t.Fatalf("parquet round trip: %v, %+v vs %+v", err, back, recs)
	}
	var buf bytes.Buffer
	if err := recordfile.WriteJSON(&buf, recs); err != nil {
		t.Fatal(err)
	}
	var js []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &js); err != nil || len(js) != 2 || js[0]["epoch_seconds"] == nil || js[0]["final_val_loss"] == nil {
		t.Fatalf("JSON: %v\n%s", err, buf.String())
	}
	buf.Reset()
	if err := WriteTable(&buf, recs); err != nil || !strings.Contains(buf.String(), "ms/epoch") || !strings.Contains(buf.String(), "macaque") {
		t.Fatalf("table: %v\n%s", err, buf.String())
	}
	if err := recordfile.WriteParquet(filepath.Join(t.TempDir(), "missing", "b.parquet"), recs); err == nil {
		t.Fatal("writing into a missing folder succeeded")
	}
}

func TestScaling(t *testing.T) {
	cfg := tiny()
	cfg.Scaling, cfg.NeuronsPerRegion, cfg.Densities, cfg.Impls, cfg.Epochs = true, []int{6, 12}, []float64{0.2}, []string{"generic"}, 1
	recs, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("want 2 records (2 sizes x 1 density x sparse only), got %d", len(recs))
	}
	for k, r := range recs {
		if r.Mode != ModeScaling || r.Path != "sparse" || r.Neurons != 29*r.NeuronsPerRegion || r.TargetDensity != 0.2 {
			t.Fatalf("record %d: %+v", k, r)
		}
		if math.Abs(r.Density-0.2) > 0.05 {
			t.Fatalf("record %d: density %.3f, want about the 0.2 asked for", k, r.Density)
		}
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, recs); err != nil || !strings.Contains(buf.String(), "ns/(conn*step*trial)") {
		t.Fatalf("scaling table: %v\n%s", err, buf.String())
	}
}

// TestSparsityFor checks the density formula against the real up-scaling.
func TestSparsityFor(t *testing.T) {
	c, _, err := connectome.ReadMatrixFile(filepath.Join(dataDir, "C_Human_Betzel_Normalized.npy"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		n       int
		density float64
	}{{20, 0.05}, {40, 0.02}, {40, 0.1}} {
		ts := sparsityFor(c, tc.n, tc.density, 0.3)
		up, err := connectome.Upscale(c, connectome.UpscaleOptions{
			Neurons: connectome.UniformNeurons(c.Rows, tc.n), TargetSparsity: ts,
			Intrinsic: true, IntrinsicSparsity: 0.3, IntrinsicWeight: 0.8, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		nnz := 0
		for _, v := range up.W.Data {
			if v != 0 {
				nnz++
			}
		}
		h := float64(c.Rows * tc.n)
		if got := float64(nnz) / (h * h); math.Abs(got-tc.density) > 0.15*tc.density {
			t.Fatalf("n=%d: target sparsity %v gives density %.4f, want %.4f within 15%%", tc.n, ts, got, tc.density)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.Impls = []string{"nope"} }, "Impls"},
		{func(c *Config) { c.Paths = []rnn.Path{"diagonal"} }, "Paths"},
		{func(c *Config) { c.Threads = []int{0} }, "Threads"},
		{func(c *Config) { c.Epochs = -1 }, "Epochs"},
		{func(c *Config) { c.Warmup = -2 }, "Warmup"},
		{func(c *Config) { c.Activation = "sigmoid" }, "Activation"},
		{func(c *Config) { c.Scaling, c.Densities = true, []float64{1.5} }, "Densities"},
		{func(c *Config) { c.Scaling, c.NeuronsPerRegion = true, []int{0} }, "NeuronsPerRegion"},
		{func(c *Config) { c.Scaling, c.DataDir = true, t.TempDir() }, "scaling mode needs"},
		{func(c *Config) { c.Networks = []string{filepath.Join(t.TempDir(), "missing.npy")} }, "missing.npy"},
	} {
		cfg := tiny()
		tc.mod(&cfg)
		_, err := Run(context.Background(), cfg, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want an error naming %q, got %v", tc.want, err)
		}
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, tiny(), nil); err == nil {
		t.Fatal("a cancelled context did not stop the benchmark")
	}
}

func TestMedian(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Fatalf("median of 3,1,2 = %v", m)
	}
	if m := median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Fatalf("median of 4,1,2,3 = %v", m)
	}
	if !math.IsNaN(median(nil)) {
		t.Fatal("median of nothing is not NaN")
	}
}

func TestOtherTasks(t *testing.T) {
	mnist := filepath.Join("..", "..", "..", "shared", "mnist-latent")
	if !fileExists(filepath.Join(mnist, "mnist_latent_50d.npy")) {
		t.Skipf("skipped: the MNIST latents %s are missing; CI runs this with ../shared beside the project", mnist)
	}
	for _, tc := range []struct {
		task  rnn.Task
		steps int64
	}{{"nback_mem", 6}, {"pic_latent_mem", 7}} {
		cfg := tiny()
		cfg.Task, cfg.MNISTDir, cfg.Impls, cfg.Paths, cfg.Epochs = tc.task, mnist, []string{"generic"}, []rnn.Path{"sparse"}, 1
		recs, err := Run(context.Background(), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r := recs[0]; r.Task != string(tc.task) || r.Steps != tc.steps || math.IsNaN(r.FinalValLoss) || r.NsPerUnit <= 0 {
			t.Fatalf("%s: %+v, want %d steps and a loss", tc.task, r, tc.steps)
		}
	}
}

// TestNoAllocationPerStep checks, for every kernel set and path, that a
// training epoch allocates less than once per time step of each mini-batch
// (a per-step allocation would give at least steps x batches).
func TestNoAllocationPerStep(t *testing.T) {
	cfg := tiny()
	cfg.Epochs = 3
	recs, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		batches := (r.TrainTrials + r.Batch - 1) / r.Batch
		if r.AllocsPerEpoch >= r.Steps*batches {
			t.Errorf("%s/%s: %d heap allocations per epoch, want fewer than %d (one per step of %d mini-batches)",
				r.Impl, r.Path, r.AllocsPerEpoch, r.Steps*batches, batches)
		}
	}
}
