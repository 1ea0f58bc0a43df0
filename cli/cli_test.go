package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
	"github.com/biornn/biornn/rnn/sweep"
	"github.com/parquet-go/parquet-go"
)

// dataFolder is a data folder holding bio2art's files: the repository's
// copies of the built-in data sets. Tests pass it as --data-dir where the
// folder itself is under test; elsewhere the built-in data are used.
var dataFolder = filepath.Join("..", "connectome", "builtin")

// The full shared data beside the project (CI has it): the derived CSV
// copies and the MNIST latents. Tests that need them skip without them.
var sharedData = filepath.Join("..", "..", "shared", "connectomes")
var sharedMNIST = filepath.Join("..", "..", "shared", "mnist-latent")

func needShared(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("skipped: the shared test data %s is missing (%v); CI runs this test with ../shared beside the project", dir, err)
	}
}

// run executes the app in-process and returns stdout, stderr and the error.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	app := NewApp()
	var out, errb bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errb
	err := app.RunContext(context.Background(), append([]string{"biornn"}, args...))
	return out.String(), errb.String(), err
}

// mustRun is run that fails the test on an error.
func mustRun(t *testing.T, args ...string) (string, string) {
	t.Helper()
	out, errs, err := run(t, args...)
	if err != nil {
		t.Fatalf("biornn %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, errs)
	}
	return out, errs
}

// jsonRecords decodes a benchmark's --json output and checks the count.
func jsonRecords(t *testing.T, out string, want int) []map[string]any {
	t.Helper()
	var recs []map[string]any
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(recs) != want {
		t.Fatalf("want %d records, got %d:\n%s", want, len(recs), out)
	}
	return recs
}

func TestVersionAndHelp(t *testing.T) {
	out, _ := mustRun(t, "--version")
	if !strings.Contains(out, "biornn version") {
		t.Errorf("--version: %q", out)
	}
	out, _ = mustRun(t, "--help")
	for _, cmd := range []string{"build", "train", "sweep", "report", "bench", "connectomes", "connectome", "data"} {
		if !strings.Contains(out, "\n   "+cmd+" ") {
			t.Errorf("help lacks %s:\n%s", cmd, out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"build", "--bogus"},
		{"--kernels", "nonesuch", "connectomes"},
		{"build", "--out", "net.txt"},
		{"build", "--neurons", "0"},
		{"build", "--intrinsic-weight", "1"},
		{"report"},
		{"sweep"},
		{"sweep", "--preset", "nope"},
		{"train", "--epochs", "0"},
	} {
		_, _, err := run(t, args...)
		if err == nil || ExitCode(err) != ExitUsage {
			t.Errorf("biornn %s: err %v, exit %d; want a usage error (exit %d)", strings.Join(args, " "), err, ExitCode(err), ExitUsage)
		}
	}
	if ExitCode(nil) != 0 {
		t.Error("ExitCode(nil) != 0")
	}
}

func TestConnectomesAndShow(t *testing.T) {
	out, _ := mustRun(t, "--data-dir", dataFolder, "connectomes")
	for _, want := range []string{"macaque", "marmoset", "human", "mouse-gamanut", "mouse-oh", "drosophila", "Markov"} {
		if !strings.Contains(out, want) {
			t.Errorf("connectomes lacks %q:\n%s", want, out)
		}
	}
	out, _ = mustRun(t, "connectome", "show", "--data-dir", dataFolder, "macaque")
	for _, want := range []string{`\nregions +29\n`, `\nnnz +536\n`, "V1", "not measured", "Cerebral Cortex", "sha256"} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("connectome show lacks %q:\n%s", want, out)
		}
	}
	// The key-value block is aligned: every value starts in the same column.
	col := -1
	for _, l := range strings.Split(out, "\n") {
		if l == "" {
			break // the per-region table follows
		}
		k := strings.Index(l, "  ")
		if k < 0 {
			t.Fatalf("key-value line without padding: %q", l)
		}
		v := k + len(l[k:]) - len(strings.TrimLeft(l[k:], " "))
		if col >= 0 && v != col {
			t.Errorf("unaligned line %q (value at %d, want %d)", l, v, col)
		}
		col = v
	}
	// A file works too (the matrix file itself).
	out, _ = mustRun(t, "connectome", "show", filepath.Join(dataFolder, "C_Macaque_Normalized.npy"))
	if !regexp.MustCompile(`\nnnz +536\n`).MatchString(out) {
		t.Errorf("connectome show FILE:\n%s", out)
	}
}

// TestMissingDataNamesBothWays: a data folder that holds part of a data
// set is an error naming what is missing and how to get it (the built-in
// copy is not mixed in).
func TestMissingDataNamesBothWays(t *testing.T) {
	empty := t.TempDir()
	for _, f := range []string{"C_Macaque_Normalized.npy", "C_Human_Betzel_Normalized.npy"} {
		b, err := os.ReadFile(filepath.Join(dataFolder, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(empty, f), b, 0o644)
	}
	for _, args := range [][]string{
		{"--data-dir", empty, "build"},
		{"--data-dir", empty, "connectome", "show", "human"},
		{"--data-dir", empty, "train", "--epochs", "1"},
	} {
		_, _, err := run(t, args...)
		if err == nil {
			t.Fatalf("biornn %v: no error without data", args)
		}
		msg := err.Error()
		for _, want := range []string{"biornn data fetch", "--data-dir", "BIORNN_DATA", empty} {
			if !strings.Contains(msg, want) {
				t.Errorf("biornn %v: error does not mention %q: %s", args, want, msg)
			}
		}
	}
}

func TestDataPathImportFetch(t *testing.T) {
	dst := t.TempDir()
	out, errs := mustRun(t, "data", "path", "--data-dir", dst)
	if strings.TrimSpace(out) != dst || !strings.Contains(errs, "missing") || !strings.Contains(errs, "biornn data fetch") {
		t.Errorf("data path on an empty folder: %q / %q", out, errs)
	}
	mustRun(t, "--data-dir", dst, "data", "import", dataFolder)
	_, errs = mustRun(t, "--data-dir", dst, "data", "path")
	if !strings.Contains(errs, "0 missing, 0 bad") {
		t.Errorf("after import: %s", errs)
	}
	mustRun(t, "--data-dir", dst, "connectome", "show", "marmoset")

	if _, _, err := run(t, "--data-dir", t.TempDir(), "data", "import", t.TempDir()); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("import of an empty folder: %v", err)
	}

	srv := httptest.NewServer(http.FileServer(http.Dir(dataFolder)))
	defer srv.Close()
	fetched := t.TempDir()
	out, _ = mustRun(t, "data", "fetch", "--url", srv.URL+"/", "--data-dir", fetched)
	if !strings.Contains(out, fetched) {
		t.Errorf("fetch output: %s", out)
	}
	mustRun(t, "--data-dir", fetched, "connectome", "show", "drosophila")
}

func TestBuild(t *testing.T) {
	dir := t.TempDir()
	npy, csvf, pq, regions := filepath.Join(dir, "w.npy"), filepath.Join(dir, "w.csv"), filepath.Join(dir, "w.parquet"), filepath.Join(dir, "r.npy")
	var first string
	for i, out := range []string{npy, csvf, pq} {
		args := []string{"--data-dir", dataFolder, "build", "--seed", "3", "--out", out}
		if i == 0 {
			args = append(args, "--regions-out", regions)
		}
		stdout, _ := mustRun(t, args...)
		for _, want := range []string{"n 116\n", "nnz ", "density ", "reciprocity ", "spectral_radius "} {
			if !strings.Contains(stdout, want) {
				t.Fatalf("build output lacks %q:\n%s", want, stdout)
			}
		}
		stats := stdout[:strings.Index(stdout, "wrote")]
		if i == 0 {
			first = stats
		} else if stats != first {
			t.Errorf("same seed, different network:\n%s\n%s", first, stats)
		}
	}
	a, err := connectome.ReadNPY(npy)
	if err != nil || len(a.Shape) != 2 || a.Shape[0] != 116 || a.Shape[1] != 116 {
		t.Fatalf("npy: %v %v", a, err)
	}
	nnz := 0
	for _, v := range a.Data {
		if v != 0 {
			nnz++
		}
	}
	f, err := os.Open(csvf)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 116 || len(recs[0]) != 116 {
		t.Fatalf("csv: %d rows, %v", len(recs), err)
	}
	edges, err := parquet.ReadFile[edgeRow](pq)
	if err != nil {
		t.Fatal(err)
	}
	if len(edges) != nnz {
		t.Errorf("parquet edge list has %d edges, npy %d nonzeros", len(edges), nnz)
	}
	for _, e := range edges[:5] {
		if e.Weight != a.Data[e.Source*116+e.Target] || e.SourceRegion == "" || e.TargetRegion == "" {
			t.Errorf("edge %+v does not match the matrix", e)
		}
	}
	ri, err := connectome.ReadIntsFile(regions)
	if err != nil || len(ri) != 116 || ri[0] != 0 || ri[115] != 28 {
		t.Fatalf("regions: %v %v", ri, err)
	}

	// A null model keeps the number of connections (permutation of the
	// off-diagonal entries) but changes the wiring.
	out, _ := mustRun(t, "--data-dir", dataFolder, "build", "--seed", "3", "--null", "permute")
	if !strings.Contains(out, "null model permute") || !strings.Contains(out, fieldLine(first, "nnz")) || strings.Contains(out, fieldLine(first, "reciprocity")) {
		t.Errorf("permute null:\n%s\nvs\n%s", out, first)
	}
	if _, _, err := run(t, "--data-dir", dataFolder, "build", "--null", "nonesuch"); err == nil {
		t.Error("unknown null model accepted")
	}
	// Neurons from a file, and a matrix file as the connectome.
	nf := filepath.Join(dir, "n.txt")
	os.WriteFile(nf, []byte(strings.Repeat("2\n", 28)+"3\n"), 0o644)
	out, _ = mustRun(t, "build", "--connectome", filepath.Join(dataFolder, "C_Macaque_Normalized.npy"), "--neurons-file", nf)
	if !strings.Contains(out, "n 59\n") {
		t.Errorf("neurons file: %s", out)
	}
	os.WriteFile(nf, []byte("2\n3\n"), 0o644)
	if _, _, err := run(t, "--data-dir", dataFolder, "build", "--neurons-file", nf); err == nil || !strings.Contains(err.Error(), nf) {
		t.Errorf("short neurons file: %v", err)
	}
}

// TestBuildIsTrainingNetwork checks that 'build --seed S --null M' writes
// the wiring that training with --strategy M --build-seed S uses (the
// trainer's mask is W_hh = W^T in the default orientation).
func TestBuildIsTrainingNetwork(t *testing.T) {
	npy := filepath.Join(t.TempDir(), "w.npy")
	mustRun(t, "--data-dir", dataFolder, "build", "--neurons", "2", "--seed", "9", "--null", "rewire", "--out", npy)
	// 'build --seed 9' is the network of 'train --seed 9': the same seed
	// derives the build seed in both.
	a, err := connectome.ReadNPY(npy)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := rnn.Defaults(rnn.RunSpec{Connectome: "macaque", DataDir: dataFolder, NeuronsPerRegion: 2,
		Strategy: "rewire", Seed: 9, Trials: 20, Epochs: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := rnn.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	mask, n := b.Net.Mask(), a.Shape[0]
	if len(mask) != n*n {
		t.Fatalf("mask of %d entries for %d neurons", len(mask), n)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if mask[i*n+j] != (a.Data[j*n+i] != 0) {
				t.Fatalf("W_hh mask [%d,%d] = %v but built W[%d,%d] = %v", i, j, mask[i*n+j], j, i, a.Data[j*n+i])
			}
		}
	}
}

func fieldLine(stats, field string) string {
	for _, l := range strings.Split(stats, "\n") {
		if strings.HasPrefix(l, field+" ") {
			return l
		}
	}
	return "\x00missing"
}

// tinyTrain are the flags of a run that takes well under a second.
var tinyTrain = []string{"--trials", "40", "--batch-size", "16", "--epochs", "3", "--neurons", "1", "--quiet"}

func TestTrain(t *testing.T) {
	out := t.TempDir()
	args := append([]string{"--data-dir", dataFolder, "train", "--out", out, "--seed", "5"}, tinyTrain...)
	stdout, _ := mustRun(t, args...)
	if !strings.Contains(stdout, "min val loss") || !strings.Contains(stdout, "speed epoch") {
		t.Errorf("summary line: %q", stdout)
	}
	runs, epochs, err := results.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || len(epochs) != 4 {
		t.Fatalf("%d runs, %d epochs; want 1, 4", len(runs), len(epochs))
	}
	r := runs[0]
	if r.Spec.Seed != 5 || r.Spec.Trials != 40 || r.Spec.Connectome != "macaque" || r.ConnectomeSHA256 == "" || r.Neurons != 29 ||
		r.BiornnVersion == "" || r.KernelSet == "" || r.Status != results.StatusOK {
		t.Errorf("run row: %+v", r)
	}
	if !strings.HasPrefix(stdout, "run "+r.RunID) {
		t.Errorf("summary does not name run %s: %s", r.RunID, stdout)
	}
	// Without --quiet and without a terminal: plain progress lines.
	_, stderr := mustRun(t, append([]string{"--data-dir", dataFolder, "train", "--out", out, "--strategy", "permute"}, tinyTrain[:len(tinyTrain)-1]...)...)
	if !strings.Contains(stderr, "epoch 3/3") {
		t.Errorf("progress lines: %q", stderr)
	}
	if runs, _, _ := results.Read(out); len(runs) != 2 {
		t.Errorf("%d runs after a second train, want 2", len(runs))
	}
}

func TestTrainPicturesNeedMNIST(t *testing.T) {
	_, _, err := run(t, "--data-dir", dataFolder, "train", "--task", "pic_latent_mem", "--mnist-dir", t.TempDir(), "--epochs", "1")
	if err == nil || !strings.Contains(err.Error(), "--mnist-dir") || !strings.Contains(err.Error(), "BIORNN_MNIST") {
		t.Fatalf("err = %v", err)
	}
	needShared(t, sharedMNIST)
	out := t.TempDir()
	mustRun(t, append([]string{"--data-dir", dataFolder, "train", "--task", "pic_latent_mem", "--mnist-dir", sharedMNIST, "--out", out}, tinyTrain...)...)
	runs, _, err := results.Read(out)
	if err != nil || len(runs) != 1 || runs[0].Spec.Task != "pic_latent_mem" {
		t.Fatalf("pic run: %v %v", runs, err)
	}
}

const tinySweep = `
name = "tiny"
repetitions = 2
[grid]
connectome = ["macaque"]
strategy = ["bio-random", "permute"]
pattern_length = [2, 3]
[fixed]
neurons_per_region = 1
trials = 40
batch_size = 16
epochs = 3
`

func TestSweepAndReport(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tiny.toml")
	os.WriteFile(cfg, []byte(tinySweep), 0o644)
	out := filepath.Join(dir, "res")

	stdout, _ := mustRun(t, "--data-dir", dataFolder, "sweep", "--out", out, "--dry-run", cfg)
	if n := strings.Count(stdout, "todo"); n != 8 {
		t.Fatalf("dry run lists %d todo runs, want 8:\n%s", n, stdout)
	}
	// Shard 1 of 3 first, then the whole sweep: it must skip shard 1's runs.
	mustRun(t, "--data-dir", dataFolder, "sweep", "--out", out, "--shard", "1/3", "--workers", "2", cfg)
	runs, _, err := results.Read(out)
	if err != nil || len(runs) != 3 { // indices 1, 4, 7
		t.Fatalf("after shard 1/3: %d runs, %v", len(runs), err)
	}
	stdout, stderr := mustRun(t, "--data-dir", dataFolder, "sweep", "--out", out, "--workers", "2", cfg)
	if !strings.Contains(stderr, "5 new, 3 already done, 0 failed") {
		t.Errorf("resume summary: %s", stderr)
	}
	if !strings.Contains(stdout, "min val loss: median") || !strings.Contains(stdout, "permute") {
		t.Errorf("sweep does not end with the summary table:\n%s", stdout)
	}
	runs, epochs, err := results.Read(out)
	if err != nil || len(runs) != 8 || len(epochs) != 8*4 {
		t.Fatalf("%d runs, %d epochs, %v", len(runs), len(epochs), err)
	}
	stdout, _ = mustRun(t, "--data-dir", dataFolder, "sweep", "--out", out, "--dry-run", cfg)
	if strings.Count(stdout, "done") != 8 {
		t.Errorf("dry run after the sweep:\n%s", stdout)
	}

	csvf, md, plots := filepath.Join(dir, "s.csv"), filepath.Join(dir, "s.md"), filepath.Join(dir, "plots")
	stdout, _ = mustRun(t, "report", "--csv", csvf, "--markdown", md, "--plots", plots, out)
	table, _, _ := strings.Cut(stdout, "\n\npooled over conditions:")
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 1+4+1 || !strings.Contains(stdout, "pooled over conditions") { // header, 2 L x 2 strategies, legend; then the pooled summary
		t.Errorf("report table:\n%s", stdout)
	}
	b, err := os.ReadFile(csvf)
	if err != nil || strings.Count(string(b), "\n") != 5 {
		t.Errorf("csv: %q %v", b, err)
	}
	if b, err := os.ReadFile(md); err != nil || !strings.HasPrefix(string(b), "| connectome") {
		t.Errorf("markdown: %q %v", b, err)
	}
	pngs, _ := filepath.Glob(filepath.Join(plots, "*.png"))
	svgs, _ := filepath.Glob(filepath.Join(plots, "*.svg"))
	if len(pngs) != 4 || len(svgs) != 4 { // 2 loss-curve figures, 2 box plots
		t.Errorf("plots: %v %v", pngs, svgs)
	}
	if _, _, err := run(t, "report", t.TempDir()); err == nil || !strings.Contains(err.Error(), "no runs") {
		t.Errorf("report of an empty folder: %v", err)
	}
	if _, _, err := run(t, "report", out, "--csv", "x.csv"); ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "flags go before") {
		t.Errorf("flag after DIR: %v", err)
	}
}

func TestSweepBadConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.toml")
	os.WriteFile(cfg, []byte(tinySweep+"learning_rate = 3\n"), 0o644)
	_, _, err := run(t, "sweep", "--dry-run", cfg)
	if err == nil || !strings.Contains(err.Error(), "fixed.learning_rate") || !strings.Contains(err.Error(), cfg) {
		t.Fatalf("unknown key: %v", err)
	}
	os.WriteFile(cfg, []byte(strings.Replace(tinySweep, "epochs = 3", "epochs = -3", 1)), 0o644)
	if _, _, err := run(t, "sweep", "--dry-run", cfg); err == nil || !strings.Contains(err.Error(), "fixed.epochs") {
		t.Fatalf("negative epochs: %v", err)
	}
	os.WriteFile(cfg, []byte(strings.Replace(tinySweep, `"permute"`, `"permutation"`, 1)), 0o644)
	if _, _, err := run(t, "sweep", "--dry-run", cfg); err == nil || !strings.Contains(err.Error(), "grid.strategy[1]") {
		t.Fatalf("bad strategy: %v", err)
	}
	os.WriteFile(cfg, []byte(strings.Replace(tinySweep, "epochs = 3", "epochs = 3\ninit = \"bogus\"", 1)), 0o644)
	if _, _, err := run(t, "sweep", "--dry-run", cfg); err == nil || !strings.Contains(err.Error(), "fixed.init") || !strings.Contains(err.Error(), cfg) {
		t.Fatalf("bad init (checked by the trainer): %v", err)
	}
	if _, _, err := run(t, "sweep", "--dry-run", filepath.Join(dir, "none.toml")); err == nil {
		t.Fatal("missing config accepted")
	}
}

func TestSweepPresetDryRun(t *testing.T) {
	stdout, stderr := mustRun(t, "sweep", "--preset", "paper-seqmem", "--dry-run", "--out", t.TempDir())
	if !strings.Contains(stderr, "paper-seqmem: 720 runs") || strings.Count(stdout, "\n") != 721 {
		t.Errorf("paper-seqmem dry run: %s (%d lines)", stderr, strings.Count(stdout, "\n"))
	}
	t.Setenv("SLURM_ARRAY_TASK_ID", "2")
	t.Setenv("SLURM_ARRAY_TASK_COUNT", "4")
	_, stderr = mustRun(t, "sweep", "--preset", "paper-nback", "--quick", "--dry-run", "--out", t.TempDir())
	if !strings.Contains(stderr, "paper-nback-quick: 10 runs, shard 2/4: 2 runs") {
		t.Errorf("SLURM shard: %s", stderr)
	}
}

// TestSweepPrintConfig: a preset printed as a sweep file, edited, is a
// sweep file.
func TestSweepPrintConfig(t *testing.T) {
	stdout, _ := mustRun(t, "sweep", "--preset", "paper-nback", "--print-config")
	edited := strings.Replace(stdout, "epochs = 500", "epochs = 3000", 1)
	if edited == stdout {
		t.Fatalf("no epochs line in\n%s", stdout)
	}
	file := filepath.Join(t.TempDir(), "nback.toml")
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := sweep.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := sweep.Preset("paper-nback", false)
	if err := want.SetFixed("epochs", "3000"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("read back %+v, want %+v", cfg, want)
	}
}

// buildBinary compiles cmd biornn for tests that run the real process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "biornn")
	cmd := exec.Command("go", "build", "-o", bin, "./biornn")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestBuildNeuronsFromDensity: build with neurons derived from densities;
// errors name the flags and the unmeasured regions.
func TestBuildNeuronsFromDensity(t *testing.T) {
	lc, err := connectome.Load("marmoset", dataFolder)
	if err != nil {
		t.Fatal(err)
	}
	// ratio, not rank: rank gives marmoset thousands of neurons, and build's
	// statistics (the spectral radius) take long on those.
	counts, err := connectome.NeuronsFromDensity(lc.NeuronDensity, 2, "ratio")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, k := range counts {
		total += k
	}
	regions := filepath.Join(t.TempDir(), "r.npy")
	out, _ := mustRun(t, "--data-dir", dataFolder, "build", "--connectome", "marmoset", "--neurons-from-density", "ratio", "--neuron-scale", "2", "--regions-out", regions)
	if !strings.Contains(out, fmt.Sprintf("n %d\n", total)) {
		t.Fatalf("expected %d neurons:\n%s", total, out)
	}
	ri, err := connectome.ReadIntsFile(regions)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]int, len(counts))
	for _, r := range ri {
		got[r]++
	}
	if !slices.Equal(got, counts) {
		t.Fatalf("neurons per region %v, expected %v", got, counts)
	}

	_, _, err = run(t, "--data-dir", dataFolder, "build", "--neurons-from-density", "rank")
	for _, want := range []string{"--neurons-from-density", "density_fill", "STPr", "ProM"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("macaque without --density-fill: %v (expected %q in it)", err, want)
		}
	}
	out, _ = mustRun(t, "--data-dir", dataFolder, "build", "--neurons-from-density", "rank", "--density-fill", "median")
	if !strings.Contains(out, "network from macaque") {
		t.Fatalf("macaque with --density-fill median:\n%s", out)
	}
	_, _, err = run(t, "--data-dir", dataFolder, "build", "--connectome", "human", "--neurons-from-density", "rank")
	if err == nil || !strings.Contains(err.Error(), "no neuron densities") || !strings.Contains(err.Error(), "--neurons-from-density") {
		t.Fatalf("human: %v", err)
	}
	for _, c := range []struct {
		args []string
		flag string // the flag the error names
	}{
		{[]string{"--neurons-from-density", "log"}, "--neurons-from-density"},
		{[]string{"--neurons-from-density", "proportional"}, "--neuron-scale"},
		{[]string{"--neuron-scale", "3"}, "--neuron-scale"},
		{[]string{"--density-fill", "median"}, "--density-fill"},
		{[]string{"--neurons-from-density", "rank", "--neurons-file", "n.txt"}, "--neurons-from-density"},
	} {
		if _, _, err := run(t, append([]string{"--data-dir", dataFolder, "build"}, c.args...)...); ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), c.flag) {
			t.Errorf("build %v: %v, expected a usage error naming %s", c.args, err, c.flag)
		}
	}
	// The trainer takes the same flags.
	o := filepath.Join(t.TempDir(), "res")
	mustRun(t, "--data-dir", dataFolder, "train", "--connectome", "marmoset", "--neurons-from-density", "proportional", "--neuron-scale", "100",
		"--trials", "20", "--batch-size", "8", "--epochs", "1", "--quiet", "--out", o)
	runs, _, err := results.Read(o)
	if err != nil || len(runs) != 1 || runs[0].Spec.NeuronsFromDensity != "proportional" || runs[0].Spec.NeuronScale != 100 || runs[0].Neurons < 100 {
		t.Fatalf("train: %+v %v", runs, err)
	}
}
