package capi

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
)

// sharedConnectomes is the full connectome folder in ../shared beside the
// project root; the tests use the built-in data sets and only the data_dir
// test reads this folder, when it is present.
var sharedConnectomes = filepath.Join("..", "..", "..", "shared", "connectomes")

func TestParseOptions(t *testing.T) {
	o, err := parseOptions("f", " a = 1 ;b=x\n c=true;; ", "a", "b", "c", "d")
	if err != nil {
		t.Fatal(err)
	}
	if o.int("a", 0) != 1 || o.str("b", "") != "x" || !o.bool("c", false) || o.float("d", 2.5) != 2.5 || o.err() != nil {
		t.Fatalf("parsed %v", o.vals)
	}
	for _, tc := range []struct{ in, want string }{
		{"e=1", `unknown key "e"`},
		{"a=1;a=2", `"a" given twice`},
		{"a", "expected key=value"},
		{"=3", "expected key=value"},
	} {
		_, err := parseOptions("f", tc.in, "a", "b")
		if err == nil || !strings.Contains(err.Error(), tc.want) || StatusOf(err) != ErrInvalid {
			t.Errorf("%q: got %v, want %q", tc.in, err, tc.want)
		}
	}
	o, _ = parseOptions("f", "a=x;b=nan;c=maybe", "a", "b", "c")
	o.int("a", 0)
	o.float("b", 0)
	o.bool("c", false)
	if err := o.err(); err == nil || !strings.Contains(err.Error(), `option "a": expected an integer, got "x"`) {
		t.Errorf("first conversion error: %v", err)
	}
}

func TestRegistry(t *testing.T) {
	before := LiveHandles()
	h := register(&Results{Dir: "x"})
	if err := WithNetwork("f", h, func(*Network) error { return nil }); StatusOf(err) != ErrHandle || !strings.Contains(err.Error(), "is a results, not a network") {
		t.Fatalf("wrong kind: %v", err)
	}
	if err := Free(h); err != nil {
		t.Fatal(err)
	}
	if err := Free(h); StatusOf(err) != ErrHandle {
		t.Fatalf("double free: %v", err)
	}
	if err := WithResults("f", h, func(*Results) error { return nil }); StatusOf(err) != ErrHandle {
		t.Fatalf("freed handle: %v", err)
	}
	if LiveHandles() != before {
		t.Fatalf("leak: %d handles, had %d", LiveHandles(), before)
	}
}

func TestStatusOf(t *testing.T) {
	if StatusOf(nil) != OK || StatusOf(errorf(ErrSize, "x")) != ErrSize || StatusOf(wrap(ErrIO, errorf(ErrNull, "y"))) != ErrNull {
		t.Fatal("status mapping")
	}
	var err error
	func() {
		defer Recover(&err, "f")
		var m map[string]int
		m["x"] = 1
	}()
	if StatusOf(err) != ErrInternal || !strings.Contains(err.Error(), "recovered panic") {
		t.Fatalf("recover: %v", err)
	}
}

// TestResultsRoundTrip writes a run with the results package and reads it
// back as columns.
func TestResultsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	spec, err := rnn.Defaults(rnn.RunSpec{Epochs: 2})
	if err != nil {
		t.Fatal(err)
	}
	started := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	res := &rnn.RunResult{Spec: spec, ConnectomeName: "macaque", Started: started, SpeedEpoch: -1,
		Epochs: []rnn.EpochRecord{
			{Epoch: 0, TrainLoss: 1, ValLoss: 1.5, ValAccuracy: math.NaN(), Seconds: 0.1},
			{Epoch: 1, TrainLoss: 0.8, ValLoss: 1.2, ValAccuracy: math.NaN(), Seconds: 0.1},
			{Epoch: 2, TrainLoss: 0.5, ValLoss: 0.9, ValAccuracy: math.NaN(), Seconds: 0.1}}}
	for _, id := range []string{"run-a", "run-b"} {
		if err := results.Write(dir, id, res, "v-test"); err != nil {
			t.Fatal(err)
		}
	}
	r, err := OpenResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.TableNames(), ","); got != "epochs,runs" {
		t.Fatalf("tables %s", got)
	}
	ep, _ := r.Table("epochs")
	runs, _ := r.Table("runs")
	if ep.Rows != 6 || runs.Rows != 2 {
		t.Fatalf("rows: epochs %d, runs %d", ep.Rows, runs.Rows)
	}
	vl, err := ep.Column("val_loss")
	if err != nil || vl.Type != ColFloat64 || vl.Float64[4] != 1.2 {
		t.Fatalf("val_loss: %v %+v", err, vl)
	}
	acc, _ := ep.Column("val_accuracy")
	if !math.IsNaN(acc.Float64[0]) {
		t.Fatalf("NaN accuracy read as %v", acc.Float64[0])
	}
	id, _ := ep.Column("run_id")
	if id.Type != ColString || id.String[0] != "run-a" || id.String[5] != "run-b" {
		t.Fatalf("run_id %+v", id.String)
	}
	st, err := runs.Column("started_at")
	if err != nil || st.Type != ColTimestamp || st.Int64[0] != started.UnixMicro() {
		t.Fatalf("started_at: %v %+v (want %d)", err, st, started.UnixMicro())
	}
	dst := make([]float64, 2)
	if err := ColumnFloat64("f", st, dst); err != nil || dst[1] != float64(started.UnixMicro()) {
		t.Fatalf("timestamp as float: %v %v", err, dst)
	}
	if err := ColumnInt64("f", vl, make([]int64, 6)); StatusOf(err) != ErrInvalid {
		t.Fatalf("float column as int64: %v", err)
	}
	if _, err := OpenResults(t.TempDir()); StatusOf(err) != ErrIO {
		t.Fatalf("empty folder: %v", err)
	}
}

// TestMatchesRNNBuild checks that a connectome handle holds the network
// rnn.Run trains: the options reach the right RunSpec fields (compared with
// a spec written out by hand), and the spec biornn_train derives from the
// handle, even with another training seed, rebuilds the same W, regions and
// mask. Different strategies must give different networks, so that the
// comparison can fail.
func TestMatchesRNNBuild(t *testing.T) {
	var masks [][]bool
	for _, strategy := range []string{"bio-random", "permute", "rewire"} {
		h, err := NewConnectomeNetwork("macaque", "neurons=2;target_sparsity=0.5;seed=3;strategy="+strategy)
		if err != nil {
			t.Fatalf("%s: %v", strategy, err)
		}
		var n *Network
		WithNetwork("t", h, func(x *Network) error { n = x; return nil })
		w := n.wiring
		if w.Bio.Rows != 58 || len(w.Network.Region) != 58 || w.Connectome.C.Rows != 29 {
			t.Fatalf("%s: sizes %d %d %d, expected 58 neurons from 29 regions", strategy, w.Bio.Rows, len(w.Network.Region), w.Connectome.C.Rows)
		}

		byHand, err := rnn.Defaults(rnn.RunSpec{Connectome: "macaque", NeuronsPerRegion: 2,
			TargetSparsity: 0.5, Seed: 3, Strategy: rnn.Strategy(strategy)})
		if err != nil {
			t.Fatal(err)
		}
		want, err := rnn.BuildWiring(byHand)
		if err != nil {
			t.Fatal(err)
		}
		sameNetwork(t, strategy+" (spec by hand)", w, want)

		trained, _, err := trainSpec("t", n.spec, "out=x;trials=10;seed=99")
		if err != nil {
			t.Fatal(err)
		}
		b, err := rnn.Build(trained)
		if err != nil {
			t.Fatal(err)
		}
		sameNetwork(t, strategy+" (training spec, seed 99)", w, b.Wiring)
		if !slices.Equal(w.Mask, b.Net.Mask()) {
			t.Fatalf("%s: the handle's mask differs from the trained network's", strategy)
		}
		masks = append(masks, w.Mask)
		Free(h)
	}
	if slices.Equal(masks[0], masks[1]) || slices.Equal(masks[0], masks[2]) {
		t.Fatal("a null strategy gave the bio mask: the comparison above cannot fail")
	}
	if _, err := NewConnectomeNetwork("macaque", "null=smash"); StatusOf(err) != ErrInvalid || !strings.Contains(err.Error(), "smash") {
		t.Fatalf("bad null model: %v", err)
	}
	if _, err := NewConnectomeNetwork("no-such-connectome", ""); StatusOf(err) != ErrIO {
		t.Fatalf("unknown connectome: %v, expected ErrIO", err)
	}
	missing := filepath.Join(t.TempDir(), "counts.txt")
	if _, err := NewConnectomeNetwork("macaque", "neurons_file="+missing); StatusOf(err) != ErrIO || !strings.Contains(err.Error(), "counts.txt") {
		t.Fatalf("missing neurons_file: %v, expected ErrIO naming the file", err)
	}
}

// TestDataDirOption: data_dir=../shared/connectomes reads the data set from
// that folder (the handle records it as the source) and builds the same
// network as the built-in data set.
func TestDataDirOption(t *testing.T) {
	if _, err := os.Stat(sharedConnectomes); err != nil {
		t.Skipf("the full connectome folder %s is missing (it lies in ../shared beside the project root): data_dir cross-check skipped", sharedConnectomes)
	}
	const opts = "neurons=2;target_sparsity=0.5;seed=3"
	wiring := func(extra string) *rnn.Wiring {
		h, err := NewConnectomeNetwork("macaque", opts+extra)
		if err != nil {
			t.Fatal(err)
		}
		defer Free(h)
		var w *rnn.Wiring
		WithNetwork("t", h, func(x *Network) error { w = x.wiring; return nil })
		return w
	}
	builtin, fromDir := wiring(""), wiring(";data_dir="+sharedConnectomes)
	if builtin.Connectome.Source != connectome.BuiltinSource {
		t.Errorf("without data_dir the source is %q, expected %q", builtin.Connectome.Source, connectome.BuiltinSource)
	}
	if fromDir.Connectome.Source == connectome.BuiltinSource || !strings.Contains(fromDir.Connectome.Source, "connectomes") {
		t.Errorf("with data_dir=%s the source is %q, expected the folder", sharedConnectomes, fromDir.Connectome.Source)
	}
	sameNetwork(t, "data_dir vs built in", fromDir, builtin)
}

// sameNetwork fails unless got and want have the same W (after the
// strategy), regions and mask.
func sameNetwork(t *testing.T, what string, got, want *rnn.Wiring) {
	t.Helper()
	if !slices.Equal(got.Bio.Data, want.Bio.Data) || !slices.Equal(got.Network.Region, want.Network.Region) || !slices.Equal(got.Mask, want.Mask) {
		t.Fatalf("%s: the handle's network differs from rnn's", what)
	}
}

func TestArraysNetwork(t *testing.T) {
	p := rnn.Params{Hidden: 2, Inputs: 1, Outputs: 1, WIn: []float32{1, 2}, WHH: []float32{0.1, 0.2, 0.3, 0.4},
		B: []float32{0, 0}, WOut: []float32{1, 1}, BOut: []float32{0}}
	h, err := NewArraysNetwork(p, []bool{true, false, true, true}, "activation=relu")
	if err != nil {
		t.Fatal(err)
	}
	defer Free(h)
	err = WithNetwork("t", h, func(n *Network) error {
		buf := make([]float32, 4)
		if err := n.GetParam("t", "w_hh", buf); err != nil {
			return err
		}
		if buf[1] != 0 || buf[2] != 0.3 {
			t.Errorf("masked w_hh %v", buf)
		}
		if err := n.SetParam("t", "b", []float32{1}); StatusOf(err) != ErrSize {
			t.Errorf("short b: %v", err)
		}
		if err := n.SetParam("t", "w_out", []float32{0.5, -2}); err != nil {
			return err
		}
		out := make([]float32, 2)
		if err := n.GetParam("t", "w_out", out); err != nil || out[0] != 0.5 || out[1] != -2 {
			t.Errorf("w_out after set_param: %v, %v; expected [0.5 -2]", out, err)
		}
		if err := n.SetParam("t", "w_out", []float32{1, 1}); err != nil {
			return err
		}
		losses := make([]float64, 3)
		d := ArraysData{X: []float32{1, 0, 0}, Trials: 1, T: 3, Y: []float32{0, 0, 1}, LossSteps: []int{2}}
		if err := n.TrainArrays(d, "optimizer=sgd;lr=0.01", losses); err != nil {
			return err
		}
		if !(losses[2] < losses[0]) {
			t.Errorf("losses %v", losses)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTrainProgressAndCancel runs two tiny training runs: one to the end
// (every epoch reported in order, results written) and one cancelled by the
// callback (Cancelled, nothing written).
func TestTrainProgressAndCancel(t *testing.T) {
	h, err := NewConnectomeNetwork("macaque", "neurons=1")
	if err != nil {
		t.Fatal(err)
	}
	defer Free(h)
	out := t.TempDir()
	var seen []int
	id, err := Train(h, "out="+out+";epochs=2;trials=20", func(rec rnn.EpochRecord, epochs int) bool {
		seen = append(seen, rec.Epoch)
		return epochs == 2
	})
	if err != nil || len(id) != 16 || len(seen) != 3 || seen[2] != 2 {
		t.Fatalf("run: id %q, err %v, epochs seen %v", id, err, seen)
	}
	if !results.Exists(out, id) {
		t.Fatalf("run %s not written to %s", id, out)
	}
	out2 := t.TempDir()
	seen = nil
	var before []float32
	WithNetwork("test", h, func(n *Network) error { before = n.rnn.Params().WHH; return nil })
	_, err = Train(h, "out="+out2+";epochs=50;trials=20", func(rec rnn.EpochRecord, _ int) bool {
		seen = append(seen, rec.Epoch)
		return len(seen) < 2
	})
	if StatusOf(err) != Cancelled || len(seen) != 2 || seen[0] != 3 {
		t.Fatalf("cancel: err %v, epochs seen %v (the second call continues after epoch 2)", err, seen)
	}
	WithNetwork("test", h, func(n *Network) error {
		if !slices.Equal(before, n.rnn.Params().WHH) {
			t.Error("a cancelled run changed the network")
		}
		return nil
	})
	if _, err := OpenResults(out2); StatusOf(err) != ErrIO {
		t.Fatalf("a cancelled run wrote results: %v", err)
	}
	if _, err := Train(h, "epochs=1", nil); StatusOf(err) != ErrInvalid || !strings.Contains(err.Error(), `"out"`) {
		t.Fatalf("missing out: %v", err)
	}
	if _, err := Train(h, "out="+out+";threads=100000", nil); StatusOf(err) != ErrInvalid {
		t.Fatalf("threads bound: %v", err)
	}
}

// TestPanicIsInternal: a panic the trainer recovered (rnn.PanicError) is
// ErrInternal, however it is wrapped.
func TestPanicIsInternal(t *testing.T) {
	err := wrap(ErrInvalid, fmt.Errorf("biornn_train_arrays: %w", &rnn.PanicError{Value: "boom", Chunk: 1}))
	if StatusOf(err) != ErrInternal || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("got %v (status %d), expected ErrInternal", err, StatusOf(err))
	}
}

// TestFreeStopsWorkers: an arrays network trained with several threads keeps
// its worker goroutines until biornn_free.
func TestFreeStopsWorkers(t *testing.T) {
	const h, trials, T = 8, 200, 3 // 200 trials: 4 chunks of rnn.ChunkSize
	p := rnn.Params{Hidden: h, Inputs: 1, Outputs: 1, WIn: make([]float32, h), WHH: make([]float32, h*h),
		B: make([]float32, h), WOut: make([]float32, h), BOut: make([]float32, 1)}
	for i := range p.WHH {
		p.WHH[i] = 0.01 * float32(i%7)
	}
	for i := range p.WIn {
		p.WIn[i], p.WOut[i] = 0.1, 0.1
	}
	x := make([]float32, trials*T)
	for i := range x {
		x[i] = float32(i%5) / 5
	}
	d := ArraysData{X: x, Trials: trials, T: T, Y: x, LossSteps: []int{T - 1}}
	if got := rnn.WorkerGoroutines(); got != 0 {
		t.Fatalf("%d trainer workers left running by earlier tests", got)
	}
	hdl, err := NewArraysNetwork(p, nil, "threads=3")
	if err != nil {
		t.Fatal(err)
	}
	err = WithNetwork("t", hdl, func(n *Network) error { return n.TrainArrays(d, "lr=0.01", make([]float64, 2)) })
	if err != nil {
		t.Fatal(err)
	}
	if got := rnn.WorkerGoroutines(); got != 2 {
		t.Fatalf("after training with 3 threads: %d worker goroutines, expected 2", got)
	}
	if err := Free(hdl); err != nil {
		t.Fatal(err)
	}
	if got := rnn.WorkerGoroutines(); got != 0 {
		t.Fatalf("after biornn_free: %d worker goroutines, expected none", got)
	}
}

// TestNeuronsFromDensityOption: the density options build rnn's network,
// and their errors name the option keys.
func TestNeuronsFromDensityOption(t *testing.T) {
	h, err := NewConnectomeNetwork("macaque", "neurons_from_density=rank;neuron_scale=2;density_fill=median;seed=3")
	if err != nil {
		t.Fatal(err)
	}
	defer Free(h)
	var n *Network
	WithNetwork("t", h, func(x *Network) error { n = x; return nil })
	byHand, err := rnn.Defaults(rnn.RunSpec{Connectome: "macaque", NeuronsFromDensity: "rank",
		NeuronScale: 2, DensityFill: "median", Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	want, err := rnn.BuildWiring(byHand)
	if err != nil {
		t.Fatal(err)
	}
	sameNetwork(t, "neurons_from_density", n.wiring, want)
	_, err = NewConnectomeNetwork("macaque", "neurons_from_density=rank")
	if StatusOf(err) != ErrInvalid || !strings.Contains(err.Error(), `option "neurons_from_density"`) || !strings.Contains(err.Error(), "density_fill") {
		t.Fatalf("NaN densities without density_fill: %v", err)
	}
}
