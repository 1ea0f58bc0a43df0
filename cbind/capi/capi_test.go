package capi

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
)

var dataDir = filepath.Join("..", "..", "..", "shared", "connectomes")

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

func TestTableName(t *testing.T) {
	for in, want := range map[string]string{"runs/x.parquet": "runs", "runs/k=v/x.parquet": "runs",
		"runs.parquet": "runs", "epochs-abc.parquet": "epochs", "e.parquet": "e"} {
		if got := tableName(in); got != want {
			t.Errorf("tableName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMatchesRNNBuild checks that a connectome handle holds the network
// rnn.Build (and so rnn.Run) trains: same mask for a bio and a null strategy.
func TestMatchesRNNBuild(t *testing.T) {
	for _, strategy := range []string{"bio-random", "permute", "rewire"} {
		h, err := NewConnectomeNetwork("macaque", "neurons=1;seed=3;strategy="+strategy+";data_dir="+dataDir)
		if err != nil {
			t.Fatalf("%s: %v", strategy, err)
		}
		var n *Network
		WithNetwork("t", h, func(x *Network) error { n = x; return nil })
		spec := n.spec
		spec.Trials = 10
		full, err := rnn.Defaults(spec)
		if err != nil {
			t.Fatal(err)
		}
		b, err := rnn.Build(full)
		if err != nil {
			t.Fatal(err)
		}
		got, want := n.mask, b.Net.Mask()
		if len(got) != len(want) {
			t.Fatalf("%s: mask sizes %d vs %d", strategy, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: mask differs from rnn.Build at %d", strategy, i)
			}
		}
		if n.w.Rows != 29 || len(n.region) != 29 || n.conn.Rows != 29 {
			t.Fatalf("%s: sizes %d %d %d", strategy, n.w.Rows, len(n.region), n.conn.Rows)
		}
		Free(h)
	}
	if _, err := NewConnectomeNetwork("macaque", "data_dir="+dataDir+";null=smash"); StatusOf(err) != ErrInvalid || !strings.Contains(err.Error(), "smash") {
		t.Fatalf("bad null model: %v", err)
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
	h, err := NewConnectomeNetwork("macaque", "neurons=1;data_dir="+dataDir)
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
	_, err = Train(h, "out="+out2+";epochs=50;trials=20", func(rec rnn.EpochRecord, _ int) bool {
		seen = append(seen, rec.Epoch)
		return rec.Epoch < 1
	})
	if StatusOf(err) != Cancelled || len(seen) != 2 {
		t.Fatalf("cancel: err %v, epochs seen %v", err, seen)
	}
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
