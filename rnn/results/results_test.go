package results

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
	"github.com/parquet-go/parquet-go"
)

// fakeResult builds a plausible finished run without training anything.
func fakeResult(seed uint64, strategy string, epochs int) *rnn.RunResult {
	spec := rnn.RunSpec{
		Connectome: "macaque", NeuronsPerRegion: 4, TargetSparsity: 0.8, IntrinsicSparsity: 1,
		IntrinsicWeight: 0.8, Strategy: rnn.Strategy(strategy), Orientation: "target", Init: "default",
		SpectralRadius: 1, ControlWeights: "random", Task: "seq_mem", PatternLength: 3, NBack: 2, TrialLength: 5,
		Trials: 500, BatchSize: 128, Epochs: epochs, Optimizer: "adam", LR: 1e-4,
		Activation: "tanh", Seed: seed, BuildSeed: seed + 1, DataSeed: 1 << 63, InitSeed: seed + 3,
		Threads: 1, Kernels: "generic", Path: "auto",
	}
	res := &rnn.RunResult{Spec: spec, ConnectomeName: "macaque", ConnectomeSHA256: strings.Repeat("ab", 32),
		Neurons: 116, Connections: 2000, KernelSet: "generic", PathUsed: "dense",
		Started: time.Date(2026, 11, 26, 19, 30, 0, 123456789, time.UTC), WallSeconds: 1.5}
	for e := 0; e <= epochs; e++ {
		l := 1 / float64(e+1+int(seed))
		res.Epochs = append(res.Epochs, rnn.EpochRecord{Epoch: e, TrainLoss: l * 1.1, ValLoss: l,
			ValAccuracy: math.NaN(), Seconds: 0.01 * float64(e)})
	}
	res.MinValLoss, res.MinValEpoch, res.SpeedEpoch = res.Epochs[epochs].ValLoss, epochs, epochs-1
	return res
}

func writeRuns(t *testing.T, dir string, n int) []string {
	t.Helper()
	var ids []string
	for i := 0; i < n; i++ {
		res := fakeResult(uint64(i+1), []string{"bio-random", "permute"}[i%2], 4+i)
		id := RunID(res.Spec)
		if err := Write(dir, id, res, "test-version"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	res := fakeResult(7, "bio-random", 5)
	id := RunID(res.Spec)
	if err := Write(dir, id, res, "v-test"); err != nil {
		t.Fatal(err)
	}
	if !Exists(dir, id) {
		t.Fatalf("Exists(%s) = false after Write", id)
	}
	runs, epochs, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || len(epochs) != 6 {
		t.Fatalf("got %d runs, %d epochs; want 1, 6", len(runs), len(epochs))
	}
	r := runs[0]
	if !reflect.DeepEqual(r.Spec, res.Spec) {
		t.Errorf("spec round trip:\n got %+v\nwant %+v", r.Spec, res.Spec)
	}
	tables, err := ReadTables(dir)
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range tables[1].Columns {
		if c == "data_seed" {
			if v := tables[1].Rows[0][k].(int64); v >= 0 || uint64(v) != 1<<63 {
				t.Errorf("seed 2^63 stored as %d, want its int64 bit pattern", v)
			}
		}
	}
	if !r.StartedAt.Equal(res.Started.Truncate(time.Microsecond)) {
		t.Errorf("started_at = %v, want %v", r.StartedAt, res.Started.Truncate(time.Microsecond))
	}
	if r.MinValLoss != res.MinValLoss || r.MinValEpoch != 5 || r.SpeedEpoch != 4 || r.EpochsRun != 5 ||
		r.Status != StatusOK || r.BiornnVersion != "v-test" || r.KernelSet != "generic" || r.Neurons != 116 {
		t.Errorf("metrics row = %+v", r)
	}
	for i, e := range epochs {
		want := res.Epochs[i]
		if e.RunID != id || e.Epoch != int64(want.Epoch) || e.ValLoss != want.ValLoss ||
			e.TrainLoss != want.TrainLoss || !math.IsNaN(e.ValAccuracy) || e.Seconds != want.Seconds {
			t.Errorf("epoch %d = %+v, want %+v", i, e, want)
		}
	}
}

// TestEveryRunSpecFieldStored fills every RunSpec field with a distinct
// nonzero value, writes the run and reads it back: every setting is a
// column of the runs table named by its key, so a setting added later
// cannot go missing from the dataset. A setting that does not apply to the
// run is null and reads back as its default; the variants make every
// setting apply in one of them, so each column round-trips a value.
func TestEveryRunSpecFieldStored(t *testing.T) {
	var spec rnn.RunSpec
	v := reflect.ValueOf(&spec).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(fmt.Sprintf("s%d", i))
		case reflect.Int:
			f.SetInt(int64(i + 1))
		case reflect.Uint64:
			f.SetUint(uint64(i + 100))
		case reflect.Float64:
			f.SetFloat(float64(i) + 0.5)
		case reflect.Bool:
			f.SetBool(true)
		default:
			t.Fatalf("RunSpec.%s has kind %s: extend the runs table and this test", v.Type().Field(i).Name, f.Kind())
		}
	}
	variants := map[string]func(*rnn.RunSpec){
		"distinct": func(*rnn.RunSpec) {},
		"uniform neurons, intrinsic, split, n-back, sgd, scaled control": func(s *rnn.RunSpec) {
			s.NeuronsFile, s.NeuronsFromDensity, s.NoIntrinsic, s.Homogeneous = "", "", false, false
			s.Task, s.Optimizer, s.Strategy, s.ControlWeights = rnn.TaskNBackMem, rnn.OptimizerSGD, "permute", rnn.ControlWeights
		},
		"seq_mem":  func(s *rnn.RunSpec) { s.Task = rnn.TaskSeqMem },
		"pictures": func(s *rnn.RunSpec) { s.Task = rnn.TaskPicLatentMem },
		"arrays":   func(s *rnn.RunSpec) { s.Task = rnn.ArraysTaskPrefix + "task.npz" },
		"flyvis": func(s *rnn.RunSpec) {
			s.Connectome, s.Extent, s.Level = connectome.FlyVisName, 3, connectome.LevelNeuron
		},
	}
	applied := map[string]bool{}
	for name, change := range variants {
		spec := spec
		change(&spec)
		want := spec
		var null []*rnn.Setting
		for _, s := range rnn.Settings() {
			if s.Applies(spec) {
				applied[s.Key] = true
			} else {
				s.Clear(&want)
				null = append(null, s)
			}
		}
		// What does not apply reads back as rnn.Defaults fills it in.
		d, _ := rnn.Defaults(want)
		for _, s := range null {
			reflect.ValueOf(&want).Elem().FieldByName(s.Field).Set(reflect.ValueOf(d).FieldByName(s.Field))
		}
		dir := t.TempDir()
		res := fakeResult(1, "permute", 2)
		res.Spec = spec
		if err := Write(dir, "x", res, "v"); err != nil {
			t.Fatal(err)
		}
		runs, _, err := Read(dir)
		if err != nil || len(runs) != 1 {
			t.Fatalf("%s: %d runs, %v", name, len(runs), err)
		}
		if !reflect.DeepEqual(runs[0].Spec, want) {
			t.Errorf("%s: spec round trip:\n got %+v\nwant %+v", name, runs[0].Spec, want)
		}
		cells := nullCells(t, filepath.Join(dir, RunsTable, "x.parquet"))
		for _, s := range null {
			if !cells[s.Key] {
				t.Errorf("%s: %s does not apply but is not null", name, s.Key)
			}
		}
	}
	cols := map[string]bool{}
	for _, c := range RunColumns() {
		if cols[c] {
			t.Errorf("column %s twice", c)
		}
		cols[c] = true
	}
	for _, s := range rnn.Settings() {
		if !cols[s.Key] {
			t.Errorf("setting %s is no column of the runs table", s.Key)
		}
		if !applied[s.Key] {
			t.Errorf("setting %s applies in no variant: its values are not tested", s.Key)
		}
	}
}

// nullCells reads the first row of a Parquet file and returns which
// columns are null in it.
func nullCells(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]parquet.Row, 1)
	r := parquet.NewReader(pf)
	defer r.Close()
	if n, err := r.ReadRows(rows); n != 1 {
		t.Fatalf("%s: %d rows, %v", path, n, err)
	}
	cols := pf.Schema().Columns()
	null := map[string]bool{}
	for _, v := range rows[0] {
		null[cols[v.Column()][0]] = v.IsNull()
	}
	return null
}

// TestReadsEarlierResults reads a results folder written by an earlier
// version (testdata/results-v1, before the settings table): every run is
// there, its spec rebuilds its run id (so a resumed sweep skips it), and
// the provenance columns read back.
func TestReadsEarlierResults(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "results-v1")
	runs, epochs, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 4 || len(epochs) != 4*4 {
		t.Fatalf("%d runs, %d epochs; want 4, 16", len(runs), len(epochs))
	}
	for _, r := range runs {
		if got := RunID(r.Spec); got != r.RunID || !Exists(dir, got) {
			t.Errorf("run %s: spec gives id %s", r.RunID, got)
		}
		if r.ConnectomeSource != "builtin" || r.Spec.Connectome != "macaque" || r.Spec.Epochs != 3 || r.Neurons != 29 {
			t.Errorf("run %s: %+v", r.RunID, r)
		}
		// Columns added after the folder was written read as unknown.
		if !math.IsNaN(r.SpectralRadiusInit) || !math.IsNaN(r.WeightStdInit) || r.Learnt {
			t.Errorf("run %s: later diagnostics %v %v %v", r.RunID, r.SpectralRadiusInit, r.WeightStdInit, r.Learnt)
		}
	}
}

// TestDiagnosticsStored: the diagnostics of a run are columns of its row.
func TestDiagnosticsStored(t *testing.T) {
	dir := t.TempDir()
	res := fakeResult(3, "bio-random", 2)
	res.SpectralRadiusInit, res.SpectralRadiusFinal, res.WeightMeanInit, res.WeightStdInit, res.Learnt = 0.9, 1.1, -0.01, 0.05, true
	if err := Write(dir, "d", res, "v"); err != nil {
		t.Fatal(err)
	}
	runs, _, err := Read(dir)
	if err != nil || len(runs) != 1 {
		t.Fatal(err)
	}
	r := runs[0]
	if r.SpectralRadiusInit != 0.9 || r.SpectralRadiusFinal != 1.1 || r.WeightMeanInit != -0.01 || r.WeightStdInit != 0.05 || !r.Learnt {
		t.Errorf("diagnostics read back as %+v", r)
	}
}

func TestEarlyStoppedStatus(t *testing.T) {
	res := fakeResult(1, "permute", 3)
	res.Spec.Epochs = 10
	if s := NewRunRow("x", res, "v").Status; s != StatusEarlyStopped {
		t.Errorf("status = %q, want %q", s, StatusEarlyStopped)
	}
}

func TestRunIDIgnoresLocationAndThreads(t *testing.T) {
	a := fakeResult(1, "bio-random", 3).Spec
	b := a
	b.DataDir, b.MNISTDir, b.Threads, b.Kernels, b.Path = "/elsewhere", "/mnist", 8, "avx2", "sparse"
	if RunID(a) != RunID(b) {
		t.Error("run id depends on DataDir/MNISTDir/Threads/Kernels/Path")
	}
	b.LR = 1e-6
	if RunID(a) == RunID(b) {
		t.Error("run id does not depend on LR")
	}
	if len(RunID(a)) != 16 {
		t.Errorf("run id %q: want 16 hex digits", RunID(a))
	}
}

// TestRunIDStable: a spec that does not use the neuron-density fields has
// the id it had before they existed (048cda5b212d54a4 was computed by the
// code of commit 31251a1), so existing results folders resume; using them
// changes the id. (Trials is given: n-back runs default to 1000 trials
// since, a different experiment with ids of its own.)
func TestRunIDStable(t *testing.T) {
	s, err := rnn.Defaults(rnn.RunSpec{Seed: 7, Task: "nback_mem", Connectome: "marmoset", Trials: 500})
	if err != nil {
		t.Fatal(err)
	}
	if id := RunID(s); id != "048cda5b212d54a4" {
		t.Fatalf("run id %s, expected 048cda5b212d54a4 as before the density fields", id)
	}
	d, err := rnn.Defaults(rnn.RunSpec{Seed: 7, Task: "nback_mem", Connectome: "marmoset", NeuronsFromDensity: "rank"})
	if err != nil {
		t.Fatal(err)
	}
	e := d
	e.NeuronScale = 2
	if RunID(d) == RunID(s) || RunID(e) == RunID(d) {
		t.Fatal("run id does not depend on NeuronsFromDensity/NeuronScale")
	}
}

func TestBadRunID(t *testing.T) {
	if err := Write(t.TempDir(), "../escape", fakeResult(1, "permute", 2), "v"); err == nil {
		t.Fatal("Write accepted a run id with a path separator")
	}
}

func TestReadIgnoresTempAndOrphans(t *testing.T) {
	dir := t.TempDir()
	ids := writeRuns(t, dir, 3)
	// A writer killed mid-file leaves a temp file; one killed between the two
	// renames leaves an epochs file without a runs file.
	if err := os.WriteFile(filepath.Join(dir, RunsTable, tmpPrefix+"dead-123.parquet"), []byte("PAR1 half"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, RunsTable, ids[2]+".parquet"), filepath.Join(t.TempDir(), "gone")); err != nil {
		t.Fatal(err)
	}
	runs, epochs, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("got %d runs, want 2", len(runs))
	}
	if want := 5 + 6; len(epochs) != want {
		t.Fatalf("got %d epoch rows, want %d (orphan epochs must be ignored)", len(epochs), want)
	}
	n, err := CleanTemp(dir)
	if err != nil || n != 2 {
		t.Fatalf("CleanTemp = %d, %v; want 2 (the temp file and the orphan epochs file), nil", n, err)
	}
	if _, err := os.Stat(filepath.Join(dir, EpochsTable, ids[2]+".parquet")); err == nil {
		t.Error("orphan epochs file survived CleanTemp")
	}
	if _, err := os.Stat(filepath.Join(dir, EpochsTable, ids[1]+".parquet")); err != nil {
		t.Error("a complete run's epochs file was removed")
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "no runs") {
		t.Fatalf("empty folder: err = %v", err)
	}
	// A missing folder and a file in its place each get their own message
	// (not "no runs", which sent users looking inside a folder that is not there).
	missing := filepath.Join(dir, "missing")
	if _, _, err := Read(missing); err == nil || !strings.Contains(err.Error(), missing+" does not exist") {
		t.Fatalf("missing folder: err = %v", err)
	}
	file := filepath.Join(dir, "file.toml")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(file); err == nil || !strings.Contains(err.Error(), file+" is a file, expected a results folder") {
		t.Fatalf("file instead of folder: err = %v", err)
	}
	ids := writeRuns(t, dir, 1)
	p := filepath.Join(dir, RunsTable, ids[0]+".parquet")
	if err := os.WriteFile(p, []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(dir); err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("corrupt file: err = %v, want it to name %s", err, p)
	}
}

// pandasCheck is run by python3: it reads both tables as datasets and checks
// row counts, column names and dtypes as a pandas user would see them.
const pandasCheck = `
import sys, pandas as pd
d = sys.argv[1]
runs = pd.read_parquet(d + "/runs")
ep = pd.read_parquet(d + "/epochs")
assert len(runs) == 4, len(runs)
assert len(ep) == 5 + 6 + 7 + 8, len(ep)
assert list(ep.columns) == ["run_id", "epoch", "train_loss", "val_loss", "val_accuracy", "seconds"], list(ep.columns)
want = {"run_id": "object|string|str", "status": "object|string|str", "connectome": "object|string|str",
        "connectome_sha256": "object|string|str", "neurons": "int64", "connections": "int64",
        "seed": "int64", "build_seed": "int64", "data_seed": "int64", "init_seed": "int64",
        "lr": "float64", "epochs": "int64", "pattern_length": "int64", "min_val_loss": "float64",
        "min_val_epoch": "int64", "speed_epoch": "int64", "kernel_set": "object|string|str",
        "biornn_version": "object|string|str", "wall_seconds": "float64", "no_intrinsic": "bool",
        "started_at": "datetime64[us, UTC]"}
for col, dt in want.items():
    assert col in runs.columns, "missing column " + col
    assert str(runs[col].dtype) in dt.split("|"), (col, str(runs[col].dtype))
assert ep["epoch"].dtype == "int64" and ep["val_loss"].dtype == "float64"
assert set(ep["run_id"]) == set(runs["run_id"])
assert runs["started_at"].iloc[0].microsecond == 123456, runs["started_at"].iloc[0]
for c in runs.columns:
    assert c == c.lower() and " " not in c, c
# Null, not NaN or "": settings that do not apply (seq_mem runs), unset
# texts, missing metrics; a default spelt "" in the spec is written by name.
import glob, pyarrow.parquet as pq, pyarrow.dataset as ds
t = ds.dataset(d + "/runs").to_table()
for col in ["n_back", "trial_length", "mnist_dir", "momentum", "neurons_file", "data_dir", "final_val_accuracy"]:
    assert t.column(col).null_count == 4, (col, t.column(col))
for col in ["pattern_length", "seed", "lr", "min_val_loss", "partition", "started_at"]:
    assert t.column(col).null_count == 0, (col, t.column(col))
assert set(runs["partition"]) == {"positive"} and set(runs["batch_order"]) == {"shuffled"}, runs["partition"]
assert ds.dataset(d + "/epochs").to_table().column("val_accuracy").null_count == len(ep)
for f in glob.glob(d + "/*/[!.]*.parquet"):
    md = pq.ParquetFile(f).metadata
    for i in range(md.num_columns):
        assert md.row_group(0).column(i).compression == "ZSTD", (f, i, md.row_group(0).column(i).compression)
print("ok", len(runs), len(ep))
`

// TestPandasReadsDataset checks the dataset with the reader most users have.
// It needs python3 with pandas and pyarrow; CI sets BIORNN_REQUIRE_PYTHON=1 so
// that a missing pandas fails instead of skipping.
func TestPandasReadsDataset(t *testing.T) {
	if err := exec.Command("python3", "-c", "import pandas, pyarrow").Run(); err != nil {
		if os.Getenv("BIORNN_REQUIRE_PYTHON") == "1" {
			t.Fatalf("BIORNN_REQUIRE_PYTHON=1 but python3 cannot import pandas and pyarrow (%v); install them with 'python3 -m pip install pandas pyarrow'", err)
		}
		t.Skip("python3 with pandas and pyarrow not available (set BIORNN_REQUIRE_PYTHON=1 to make this fail)")
	}
	dir := t.TempDir()
	writeRuns(t, dir, 4)
	// A leftover temp file must not confuse pyarrow either.
	if err := os.WriteFile(filepath.Join(dir, RunsTable, tmpPrefix+"x.parquet"), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("python3", "-c", pandasCheck, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("pandas check failed: %v\n%s", err, out)
	}
	t.Logf("%s", out)

	// A folder holding runs written before nulls (non-null columns with
	// NaN and defaults) and runs written now reads as one table.
	old := filepath.Join("..", "..", "testdata", "results-v1")
	for _, table := range []string{RunsTable, EpochsTable} {
		entries, err := os.ReadDir(filepath.Join(old, table))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(old, table, e.Name()))
			if err := os.WriteFile(filepath.Join(dir, table, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	out, err = exec.Command("python3", "-c", mixedCheck, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("pandas check of a folder of two versions failed: %v\n%s", err, out)
	}
}

// mixedCheck reads a folder of runs of two versions with pandas and with a
// unified pyarrow schema.
const mixedCheck = `
import sys, glob, pandas as pd, pyarrow as pa, pyarrow.dataset as ds, pyarrow.parquet as pq
d = sys.argv[1]
runs = pd.read_parquet(d + "/runs")
ep = pd.read_parquet(d + "/epochs")
assert len(runs) == 8 and len(ep) == 26 + 16, (len(runs), len(ep))
schema = pa.unify_schemas([pq.read_schema(f) for f in glob.glob(d + "/runs/[!.]*.parquet")])
t = ds.dataset(d + "/runs", schema=schema).to_table()
assert t.num_rows == 8 and "learnt" in t.column_names
new = t.filter(pa.compute.equal(t.column("biornn_version"), "test-version"))
assert new.num_rows == 4 and new.column("n_back").null_count == 4
`
