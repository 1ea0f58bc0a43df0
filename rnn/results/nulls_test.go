package results

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn"
)

// defaulted is a run result whose spec went through rnn.Defaults, as every
// run that biornn trains.
func defaulted(t *testing.T, spec rnn.RunSpec) *rnn.RunResult {
	t.Helper()
	spec.Kernels, spec.MaxMemory = "generic", 1<<30
	s, err := rnn.Defaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	res := fakeResult(1, "bio-random", 3)
	res.Spec = s
	return res
}

// TestNullCells: a setting that does not apply to the run, an unset text
// and a missing metric are null in the file; a text whose "" stands for
// its default is written by that default's name; everything else has a
// value.
func TestNullCells(t *testing.T) {
	res := defaulted(t, rnn.RunSpec{Seed: 3, Task: rnn.TaskSeqMem, Epochs: 3})
	res.ConnectomeSource = "" // unknown
	dir := t.TempDir()
	if err := Write(dir, "r", res, "v"); err != nil {
		t.Fatal(err)
	}
	null := nullCells(t, filepath.Join(dir, RunsTable, "r.parquet"))
	want := []string{
		"connectome_format", "data_dir", "neurons_file", "neurons_from_density", "neuron_scale", "density_fill", // unset or overridden
		"spectral_radius", "control_weights", // bio-random: no scaled weights, no control
		"n_back", "trial_length", "mnist_dir", // seq_mem
		"momentum",                                // adam
		"connectome_source", "final_val_accuracy", // unknown, no classes
	}
	for _, s := range rnn.Settings() {
		if _, named := emptyNames()[s.Key]; !s.Applies(res.Spec) || s.Get(res.Spec) == "" && !named {
			want = append(want, s.Key) // settings added since, as the rule says
		}
	}
	for _, c := range RunColumns() {
		if null[c] != slices.Contains(want, c) {
			t.Errorf("column %s: null = %v, want %v", c, null[c], !null[c])
		}
	}
	runs, _, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := runs[0]
	if r.Spec != res.Spec {
		t.Errorf("spec read back as\n%+v\nwant\n%+v", r.Spec, res.Spec)
	}
	if got := RunID(r.Spec); got != RunID(res.Spec) {
		t.Errorf("the spec read back gives id %s, want %s", got, RunID(res.Spec))
	}
	if !math.IsNaN(r.FinalValAcc) || r.ConnectomeSource != "" {
		t.Errorf("null metric and text read back as %v, %q", r.FinalValAcc, r.ConnectomeSource)
	}

	// The names of defaults written for "", read back as "".
	tables, err := ReadTables(dir)
	if err != nil {
		t.Fatal(err)
	}
	rt := tables[1]
	cell := func(name string) (any, bool) {
		k := slices.Index(rt.Columns, name)
		return rt.Rows[0][k], rt.Null[0][k]
	}
	for name, v := range map[string]string{"partition": "positive", "network_per": "seed", "batch_order": "shuffled"} {
		if got, null := cell(name); got != v || null {
			t.Errorf("%s: %v (null %v), want %q", name, got, null, v)
		}
	}
	if got, null := cell("n_back"); !null || got != int64(2) {
		t.Errorf("n_back of seq_mem: %v (null %v), want null with the placeholder 2", got, null)
	}
	if got, null := cell("pattern_length"); null || got != int64(3) {
		t.Errorf("pattern_length: %v (null %v)", got, null)
	}
}

// TestReadBackIDs: for runs as sweeps and 'train' make them (defaults for
// what does not apply), the spec read back gives the run's id, so nulls
// lose nothing a resume or a comparison needs.
func TestReadBackIDs(t *testing.T) {
	mnist := t.TempDir()
	for name, spec := range map[string]rnn.RunSpec{
		"seq_mem":          {Task: rnn.TaskSeqMem, PatternLength: 5},
		"nback_mem":        {Task: rnn.TaskNBackMem, NBack: 3, Connectome: "marmoset", Strategy: "permute"},
		"pictures":         {Task: rnn.TaskPicLatentMem, MNISTDir: mnist, Optimizer: rnn.OptimizerRMSprop},
		"sgd":              {Optimizer: rnn.OptimizerSGD, Momentum: 0.9},
		"bio-weights":      {Strategy: rnn.StrategyBioWeights, SpectralRadius: 0.9},
		"control weights":  {Strategy: "rewire", ControlWeights: rnn.ControlWeights, SpectralRadius: 1.1},
		"density":          {NeuronsFromDensity: "ratio", DensityFill: "median", NeuronScale: 2},
		"no intrinsic":     {NoIntrinsic: true, Homogeneous: true},
		"paper's settings": {Strategy: rnn.StrategyBioRank, Orientation: rnn.OrientationPaper, Partition: "bio2art", NetworkPer: rnn.NetworkPerExperiment, BatchOrder: rnn.BatchOrderFixed},
	} {
		res := defaulted(t, spec)
		dir := t.TempDir()
		id := RunID(res.Spec)
		if err := Write(dir, id, res, "v"); err != nil {
			t.Fatal(err)
		}
		runs, _, err := Read(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := RunID(runs[0].Spec); got != id || runs[0].Spec != res.Spec {
			t.Errorf("%s: read back as id %s, want %s:\n%+v\nwant\n%+v", name, got, id, runs[0].Spec, res.Spec)
		}
	}
}

// TestMissingMetrics: a run without epochs has null losses and minimum
// epoch; an accuracy of 0 is a value, not a null; NaN never reaches the
// file.
func TestMissingMetrics(t *testing.T) {
	dir := t.TempDir()
	res := fakeResult(1, "bio-random", 2)
	res.Epochs, res.MinValLoss, res.MinValEpoch, res.SpeedEpoch = nil, math.NaN(), -1, -1
	res.SpectralRadiusFinal = math.NaN()
	if err := Write(dir, "none", res, "v"); err != nil {
		t.Fatal(err)
	}
	null := nullCells(t, filepath.Join(dir, RunsTable, "none.parquet"))
	for _, c := range []string{"min_val_loss", "min_val_epoch", "final_val_loss", "final_val_accuracy", "spectral_radius_final"} {
		if !null[c] {
			t.Errorf("%s of a run without epochs is not null", c)
		}
	}
	if null["speed_epoch"] || null["epochs_run"] || null["spectral_radius_init"] {
		t.Error("a metric with a value is null")
	}
	row := NewRunRow("none", res, "v")
	if !math.IsNaN(row.MinValLoss) || row.MinValEpoch != -1 || row.EpochsRun != 0 {
		t.Errorf("row of a run without epochs: %+v", row)
	}

	// (A folder with a run without epochs does not read: every run has
	// epoch 0.)
	dir = t.TempDir()
	nb := fakeResult(2, "permute", 2)
	nb.Spec.Task = rnn.TaskNBackMem
	for i := range nb.Epochs {
		nb.Epochs[i].ValAccuracy = 0.5 * float64(i)
	}
	if err := Write(dir, "nb", nb, "v"); err != nil {
		t.Fatal(err)
	}
	epochNull := nullCells(t, filepath.Join(dir, EpochsTable, "nb.parquet"))
	if epochNull["val_accuracy"] {
		t.Error("an accuracy of 0 was written as null")
	}
	seq := fakeResult(3, "bio-random", 2)
	if err := Write(dir, "seq", seq, "v"); err != nil {
		t.Fatal(err)
	}
	if !nullCells(t, filepath.Join(dir, EpochsTable, "seq.parquet"))["val_accuracy"] {
		t.Error("seq_mem's accuracy is not null")
	}
	runs, epochs, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs", len(runs))
	}
	for _, e := range epochs {
		switch e.RunID {
		case "nb":
			if e.ValAccuracy != 0.5*float64(e.Epoch) {
				t.Errorf("n-back accuracy of epoch %d read back as %v", e.Epoch, e.ValAccuracy)
			}
		case "seq":
			if !math.IsNaN(e.ValAccuracy) {
				t.Errorf("seq_mem accuracy read back as %v, want NaN", e.ValAccuracy)
			}
		}
	}
	for _, r := range runs {
		if r.RunID == "seq" && (!math.IsNaN(r.FinalValAcc) || r.MinValEpoch != 2) {
			t.Errorf("seq_mem metrics read back as %v %v", r.FinalValAcc, r.MinValEpoch)
		}
	}
	// A missing minimum reads back as NaN and -1.
	var r RunRow
	m := map[string]any{}
	for k, c := range RunColumns() {
		m[c] = runCells(&row)[k]
	}
	if err := fromRecord(&r, m); err != nil || !math.IsNaN(r.MinValLoss) || r.MinValEpoch != -1 || !math.IsNaN(r.FinalValLoss) {
		t.Errorf("missing metrics read back as %v %v %v (%v)", r.MinValLoss, r.MinValEpoch, r.FinalValLoss, err)
	}
}

// TestEarlierResultsAsTables: a folder written before nulls reads through
// ReadTables as one written now: a setting that does not apply to a run is
// null there too, a NaN metric is null, "" of a named default is its name.
func TestEarlierResultsAsTables(t *testing.T) {
	tables, err := ReadTables(filepath.Join("..", "..", "testdata", "results-v1"))
	if err != nil {
		t.Fatal(err)
	}
	ep, rt := tables[0], tables[1]
	col := func(tab Table, name string) int { return slices.Index(tab.Columns, name) }
	for i, row := range rt.Rows {
		task := row[col(rt, "task")].(string)
		seq := task == string(rnn.TaskSeqMem)
		if rt.Null[i][col(rt, "n_back")] != seq || rt.Null[i][col(rt, "pattern_length")] == seq {
			t.Errorf("run %v (%s): n_back null %v, pattern_length null %v", row[0], task, rt.Null[i][col(rt, "n_back")], rt.Null[i][col(rt, "pattern_length")])
		}
		if rt.Null[i][col(rt, "final_val_accuracy")] != seq {
			t.Errorf("run %v (%s): final_val_accuracy null %v", row[0], task, rt.Null[i][col(rt, "final_val_accuracy")])
		}
		if rt.Null[i][col(rt, "mnist_dir")] != true || row[col(rt, "partition")] != "positive" {
			t.Errorf("run %v: mnist_dir null %v, partition %v", row[0], rt.Null[i][col(rt, "mnist_dir")], row[col(rt, "partition")])
		}
		if rt.Null[i][col(rt, "spectral_radius_init")] != true || rt.Null[i][col(rt, "learnt")] {
			t.Errorf("run %v: a diagnostic the folder lacks is not null, or learnt is", row[0])
		}
	}
	acc := col(ep, "val_accuracy")
	var nulls int
	for i := range ep.Rows {
		if ep.Null[i][acc] {
			nulls++
			if !math.IsNaN(ep.Rows[i][acc].(float64)) {
				t.Errorf("a null accuracy's placeholder is %v, want NaN", ep.Rows[i][acc])
			}
		}
	}
	if nulls == 0 || nulls == len(ep.Rows) {
		t.Errorf("%d of %d accuracies null; want those of the seq_mem runs", nulls, len(ep.Rows))
	}
	for k, c := range rt.Columns {
		if strings.TrimSpace(c) == "" || len(rt.Null[0]) != len(rt.Columns) {
			t.Fatalf("column %d: %q", k, c)
		}
	}
}
