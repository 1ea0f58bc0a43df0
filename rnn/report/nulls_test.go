package report

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
)

// arm makes one run per seed of a strategy, its losses from base (lower is
// better), with the spec changed by edit.
func arm(strategy string, base float64, seeds int, edit func(*rnn.RunSpec)) []results.RunRow {
	var out []results.RunRow
	for seed := 1; seed <= seeds; seed++ {
		spec := rnn.RunSpec{Connectome: "macaque", Task: rnn.TaskSeqMem, PatternLength: 3, NBack: 2, TrialLength: 5,
			Strategy: rnn.Strategy(strategy), ControlWeights: rnn.ControlRandom, SpectralRadius: 1,
			Optimizer: rnn.OptimizerAdam, LR: 1e-3, Activation: rnn.ActivationTanh, Seed: uint64(seed)}
		if edit != nil {
			edit(&spec)
		}
		loss := base + 0.001*float64(seed)
		id := fmt.Sprintf("%s-%s-%g-%s-%g-s%d", strategy, spec.ControlWeights, spec.SpectralRadius, spec.Optimizer, spec.Momentum, seed)
		out = append(out, results.RunRow{RunID: id, Spec: spec, MinValLoss: loss, SpeedEpoch: 10})
	}
	return out
}

func rowsBy(rep *Report) map[string]Row {
	m := map[string]Row{}
	for _, r := range rep.Rows {
		m[r.Other+"|"+r.Strategy] = r
	}
	return m
}

// TestNotApplicableSettings: a setting that does not apply to a run (null
// in the runs table) neither labels its row nor keeps it from its
// baseline. The paper's own configuration gives control_weights to the bio
// arm too, where it means nothing; it is one condition all the same.
func TestNotApplicableSettings(t *testing.T) {
	for name, bioCW := range map[string]rnn.ControlWeightsMode{"written before nulls": rnn.ControlRank, "read back from null": rnn.ControlRandom} {
		runs := arm("bio-rank", 0.02, 5, func(s *rnn.RunSpec) { s.ControlWeights = bioCW })
		runs = append(runs, arm("permute", 0.05, 5, func(s *rnn.RunSpec) { s.ControlWeights = rnn.ControlRank })...)
		rep := Build(runs)
		if len(rep.Rows) != 2 || rep.Varying["other"] {
			t.Fatalf("%s: %d rows, other settings varying %v", name, len(rep.Rows), rep.Varying["other"])
		}
		for _, r := range rep.Rows {
			if r.Other != "" || r.N != 5 {
				t.Errorf("%s: row %s %q with %d runs", name, r.Strategy, r.Other, r.N)
			}
			if r.Strategy == "permute" && (r.Reference != "bio-rank" || r.LossTest != "signed-rank") {
				t.Errorf("%s: permute compared with %q by %q", name, r.Reference, r.LossTest)
			}
		}
	}
}

// TestControlWeightsAxis: a sweep axis of control_weights repeats the bio
// runs (the setting does not apply to them, so they are one experiment);
// the bio arm is the baseline of every control variant, counted once per
// seed, and the repeats are reported.
func TestControlWeightsAxis(t *testing.T) {
	var runs []results.RunRow
	for _, cw := range []rnn.ControlWeightsMode{rnn.ControlRandom, rnn.ControlRank} {
		runs = append(runs, arm("bio-random", 0.02, 5, func(s *rnn.RunSpec) { s.ControlWeights = cw })...)
	}
	runs = append(runs, arm("permute", 0.05, 5, nil)...)
	runs = append(runs, arm("permute", 0.04, 5, func(s *rnn.RunSpec) { s.ControlWeights = rnn.ControlRank })...)
	rep := Build(runs)
	rows := rowsBy(rep)
	if len(rep.Rows) != 4 {
		t.Fatalf("%d rows: %v", len(rep.Rows), rows)
	}
	for _, cw := range []string{"random", "rank"} {
		bio, ctl := rows["control_weights="+cw+"|bio-random"], rows["control_weights="+cw+"|permute"]
		if bio.N != 5 || ctl.N != 5 || ctl.Reference != "bio-random" || ctl.LossTest != "signed-rank" || ctl.LossDelta != 1 {
			t.Errorf("control_weights=%s: bio %d runs, control %d runs compared with %q by %q, delta %v",
				cw, bio.N, ctl.N, ctl.Reference, ctl.LossTest, ctl.LossDelta)
		}
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "5 runs repeat another run") {
		t.Errorf("warnings %q", rep.Warnings)
	}
}

// TestSettingOfTheBaselineOnly: spectral_radius applies to bio-weights, not
// to a control with random weights; the controls meet the baseline under
// each of its values.
func TestSettingOfTheBaselineOnly(t *testing.T) {
	var runs []results.RunRow
	for _, sr := range []float64{0.9, 1.1} {
		runs = append(runs, arm("bio-weights", 0.02+sr/100, 4, func(s *rnn.RunSpec) { s.SpectralRadius = sr })...)
	}
	runs = append(runs, arm("permute", 0.05, 4, nil)...)
	rep := Build(runs)
	rows := rowsBy(rep)
	if len(rep.Rows) != 4 || len(rep.Warnings) != 0 {
		t.Fatalf("%d rows, warnings %q: %v", len(rep.Rows), rep.Warnings, rows)
	}
	for _, sr := range []string{"0.9", "1.1"} {
		ctl := rows["spectral_radius="+sr+"|permute"]
		if ctl.N != 4 || ctl.Reference != "bio-weights" || math.IsNaN(ctl.LossP) {
			t.Errorf("spectral_radius=%s: control %+v", sr, ctl)
		}
	}
}

// TestParamOfAppliesOnly: the task parameters shown are those of the
// run's task.
func TestParamOfAppliesOnly(t *testing.T) {
	r := arm("bio-random", 0.1, 1, nil)[0]
	if p := ParamOf(r); p != "L=3" {
		t.Errorf("seq_mem: %q", p)
	}
	r.Spec.Task = rnn.TaskNBackMem
	if p := ParamOf(r); p != "n=2 L=5" {
		t.Errorf("nback_mem: %q", p)
	}
	runs := append(arm("bio-random", 0.02, 3, nil), arm("permute", 0.05, 3, nil)...)
	for _, m := range []float64{0, 0.9} {
		runs = append(runs, arm("bio-random", 0.02, 3, func(s *rnn.RunSpec) { s.Optimizer, s.Momentum = rnn.OptimizerSGD, m })...)
		runs = append(runs, arm("permute", 0.05, 3, func(s *rnn.RunSpec) { s.Optimizer, s.Momentum = rnn.OptimizerSGD, m })...)
	}
	for _, row := range Build(runs).Rows {
		want := ""
		if row.Optimizer == string(rnn.OptimizerSGD) {
			want = "momentum=0"
			if strings.HasSuffix(row.Other, "0.9") {
				want = "momentum=0.9"
			}
		}
		if row.Other != want || row.N != 3 {
			t.Errorf("%s %s: Other %q with %d runs, want %q", row.Optimizer, row.Strategy, row.Other, row.N, want)
		}
	}
}
