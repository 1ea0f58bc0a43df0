package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
	"gonum.org/v1/plot/plotter"
)

// synthetic makes runs where bio-random learns faster and lower than the
// permutation control, under two task parameters, plus their loss curves.
func synthetic(seeds int) ([]results.RunRow, []results.EpochRow) {
	var runs []results.RunRow
	var epochs []results.EpochRow
	for _, L := range []int64{3, 10} {
		for seed := 1; seed <= seeds; seed++ {
			for _, strat := range []string{"permute", "bio-random"} {
				id := fmt.Sprintf("%s-L%d-s%d", strat, L, seed)
				floor, rate := 0.02+0.001*float64(seed), 0.3
				if strat == "permute" {
					floor, rate = 0.05+0.001*float64(seed), 0.1
				}
				r := results.RunRow{RunID: id, Spec: rnn.RunSpec{Connectome: "macaque", Task: rnn.TaskSeqMem, PatternLength: int(L),
					Strategy: rnn.Strategy(strat), Optimizer: rnn.OptimizerAdam, LR: 1e-3, Activation: rnn.ActivationTanh}, SpeedEpoch: -1, MinValLoss: math.Inf(1)}
				var losses []float64
				for e := int64(0); e <= 40; e++ {
					l := floor + 0.2*math.Exp(-rate*float64(e))
					losses = append(losses, l)
					epochs = append(epochs, results.EpochRow{RunID: id, Epoch: e, TrainLoss: l, ValLoss: l, ValAccuracy: math.NaN()})
					if l < r.MinValLoss {
						r.MinValLoss, r.MinValEpoch = l, e
					}
				}
				hi := losses[0]
				for e := 1; e < len(losses); e++ {
					if (losses[e]-r.MinValLoss)/(hi-r.MinValLoss) <= 0.01 {
						r.SpeedEpoch = int64(e)
						break
					}
				}
				runs = append(runs, r)
			}
		}
	}
	return runs, epochs
}

func TestBuild(t *testing.T) {
	runs, _ := synthetic(5)
	rep := Build(runs)
	if len(rep.Rows) != 4 {
		t.Fatalf("%d rows, want 4", len(rep.Rows))
	}
	if rep.Varying["lr"] || rep.Varying["optimizer"] || rep.Varying["activation"] {
		t.Errorf("nothing varies but got %v", rep.Varying)
	}
	// Order: L=3 before L=10; the reference first.
	wantOrder := []string{"L=3 bio-random", "L=3 permute", "L=10 bio-random", "L=10 permute"}
	for i, r := range rep.Rows {
		if got := r.Param + " " + r.Strategy; got != wantOrder[i] {
			t.Errorf("row %d = %s, want %s", i, got, wantOrder[i])
		}
	}
	bio, perm := rep.Rows[0], rep.Rows[1]
	if bio.N != 5 || bio.Reference != "" || !math.IsNaN(bio.LossP) {
		t.Errorf("reference row: %+v", bio)
	}
	if bio.LossMedian != 0.023+0.2*math.Exp(-0.3*40) {
		t.Errorf("bio median loss = %v", bio.LossMedian)
	}
	// Every control loss exceeds every bio loss: delta +1, exact p = 2/C(10,5).
	if perm.Reference != "bio-random" || perm.LossDelta != 1 || math.Abs(perm.LossP-2.0/252) > 1e-12 {
		t.Errorf("control row: ref %q delta %v p %v", perm.Reference, perm.LossDelta, perm.LossP)
	}
	if !(perm.SpeedMedian > bio.SpeedMedian) || perm.SpeedDelta != 1 {
		t.Errorf("speed: control %v vs bio %v, delta %v", perm.SpeedMedian, bio.SpeedMedian, perm.SpeedDelta)
	}
}

func TestBuildVaryingAndNoReference(t *testing.T) {
	runs, _ := synthetic(3)
	for i := range runs {
		if i%4 < 2 {
			runs[i].Spec.LR = 1e-4
		}
		if runs[i].Spec.Strategy == "bio-random" && runs[i].Spec.PatternLength == 10 {
			runs[i].Spec.Strategy = "rewire" // a condition with controls only
		}
	}
	rep := Build(runs)
	if !rep.Varying["lr"] {
		t.Error("lr varies but is not flagged")
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.SplitN(text.String(), "\n", 2)[0], "lr") {
		t.Errorf("varying lr column missing:\n%s", text.String())
	}
	for _, r := range rep.Rows {
		if r.Param == "L=10" && r.Reference != "" {
			t.Errorf("condition without a bio strategy compared with %q", r.Reference)
		}
	}
}

// Networks whose neuron counts come from densities are a different
// experiment from uniform counts of the same connectome.
func TestBuildKeepsDensityScaledRunsApart(t *testing.T) {
	runs, _ := synthetic(2)
	for i := range runs {
		if i%4 == 0 {
			runs[i].Spec.NeuronsFromDensity, runs[i].Spec.NeuronScale, runs[i].Spec.DensityFill = "rank", 2, "median"
		}
	}
	rep := Build(runs)
	n := 0
	for _, r := range rep.Rows {
		n += r.N
		// neuron_scale and density_fill apply to the density runs only and
		// take one value there: no label of their own.
		if r.Other != "neurons_from_density=none" && r.Other != "neurons_from_density=rank" {
			t.Errorf("row %+v: Other = %q", r.Condition, r.Other)
		}
	}
	if n != len(runs) || len(rep.Rows) != 6 {
		t.Errorf("%d rows with %d runs", len(rep.Rows), n)
	}
}

// Runs of different experiments in one folder are not pooled.
func TestBuildKeepsOtherSettingsApart(t *testing.T) {
	runs, _ := synthetic(2)
	for i := range runs {
		runs[i].Spec.Epochs = 40
		if i%4 == 0 {
			runs[i].Spec.Epochs = 80
		}
	}
	rep := Build(runs)
	if !rep.Varying["other"] {
		t.Fatal("varying epochs not detected")
	}
	n := 0
	for _, r := range rep.Rows {
		n += r.N
		if r.Other != "epochs=40" && r.Other != "epochs=80" {
			t.Errorf("row %+v: Other = %q", r.Condition, r.Other)
		}
	}
	if n != len(runs) || len(rep.Rows) != 6 {
		t.Errorf("%d rows with %d runs", len(rep.Rows), n)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "settings") || !strings.Contains(text.String(), "epochs=80") {
		t.Errorf("settings column missing:\n%s", text.String())
	}
	files, err := rep.WritePlots(t.TempDir(), nil)
	if err != nil || len(files) == 0 {
		t.Fatalf("plots: %v", err)
	}
	for _, f := range files {
		if strings.Contains(filepath.Base(f), "=") {
			t.Errorf("file name %s", f)
		}
	}
}

func TestTables(t *testing.T) {
	runs, _ := synthetic(4)
	rep := Build(runs)
	var c bytes.Buffer
	if err := rep.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || recs[0][0] != "connectome" || recs[0][3] != "strategy" {
		t.Fatalf("csv: %v", recs)
	}
	if recs[1][len(recs[1])-1] != "" || recs[2][len(recs[2])-4] != "1" {
		t.Errorf("csv comparison cells: %v / %v", recs[1], recs[2])
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(md.String(), "\n")
	if !strings.HasPrefix(lines[0], "| connectome |") || !strings.HasPrefix(lines[1], "|---|") || len(lines) < 6 {
		t.Errorf("markdown:\n%s", md.String())
	}
	for _, l := range lines[:6] {
		if strings.Count(l, "|") != strings.Count(lines[0], "|") {
			t.Errorf("markdown row with a different column count: %q", l)
		}
	}
}

func TestBoxesMatchTable(t *testing.T) {
	b, err := plotter.NewBoxPlot(10, 0, plotter.Values{158, 164, 171, 189, 196, 400})
	if err != nil {
		t.Fatal(err)
	}
	useTableQuartiles(b)
	if b.Quartile1 != 165.75 || b.Median != 180 || b.Quartile3 != 194.25 || b.AdjHigh != 196 || len(b.Outside) != 1 {
		t.Errorf("box %+v", b)
	}
}

func TestPlots(t *testing.T) {
	runs, epochs := synthetic(5)
	rep := Build(runs)
	dir := t.TempDir()
	files, err := rep.WritePlots(dir, epochs)
	if err != nil {
		t.Fatal(err)
	}
	// 2 loss-curve figures + 2 box-plot figures, each PNG and SVG.
	if len(files) != 8 {
		t.Fatalf("%d files: %v", len(files), files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(f) {
		case ".png":
			if !bytes.HasPrefix(b, []byte("\x89PNG")) || len(b) < 5000 {
				t.Errorf("%s: not a plausible PNG (%d bytes)", f, len(b))
			}
		case ".svg":
			if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("bio-random")) {
				t.Errorf("%s: not an SVG with a bio-random label", f)
			}
		}
	}
	if os.Getenv("BIORNN_KEEP_PLOTS") != "" {
		for _, f := range files {
			b, _ := os.ReadFile(f)
			os.WriteFile(filepath.Join(os.Getenv("BIORNN_KEEP_PLOTS"), filepath.Base(f)), b, 0o644)
		}
	}
}

// A setting that differs only between tasks (the paper's 500 seq_mem and
// 1000 n-back trials) does not label the rows; within a task it does.
func TestBuildOtherSettingsPerTask(t *testing.T) {
	runs, _ := synthetic(2)
	n := len(runs)
	for i := range runs {
		runs[i].Spec.Trials = 500
		nb := runs[i]
		nb.RunID += "-nback"
		nb.Spec.Task, nb.Spec.NBack, nb.Spec.TrialLength, nb.Spec.Trials = "nback_mem", 2, 5, 1000
		runs = append(runs, nb)
	}
	rep := Build(runs)
	if rep.Varying["other"] {
		t.Fatal("trials, which differ only between the tasks, marked as varying")
	}
	for _, r := range rep.Rows {
		if r.Other != "" {
			t.Errorf("row %+v: Other = %q", r.Condition, r.Other)
		}
	}
	runs[n].Spec.Trials = 2000 // now nback_mem runs differ among themselves
	rep = Build(runs)
	for _, r := range rep.Rows {
		if want := r.Task == "nback_mem"; want != strings.HasPrefix(r.Other, "trials=") {
			t.Errorf("row %+v: Other = %q", r.Condition, r.Other)
		}
	}
}
