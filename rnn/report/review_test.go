package report

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
)

// seeded gives the synthetic runs their seeds (1..n per strategy and
// parameter), so that the arms can be paired.
func seeded(runs []results.RunRow, seeds int) []results.RunRow {
	for i := range runs {
		runs[i].Spec.Seed = uint64(i/2%seeds + 1)
	}
	return runs
}

// TestReviewColumns: paired signed-rank tests when the arms share seeds,
// rank-sum otherwise; bootstrap intervals around the delta; Holm over every
// comparison; the chance level; the weights named on every row.
func TestReviewColumns(t *testing.T) {
	runs, _ := synthetic(6)
	rep := Build(seeded(runs, 6))
	if rep.Comparisons != 4 {
		t.Fatalf("%d comparisons, want 4 (2 conditions x loss and speed)", rep.Comparisons)
	}
	var ps []float64
	for _, r := range rep.Rows {
		if r.Weights != "random" || r.ChanceLoss != 1.0/12 {
			t.Errorf("%s: weights %q, chance %v", r.Strategy, r.Weights, r.ChanceLoss)
		}
		if r.Reference == "" {
			continue
		}
		if r.LossTest != "signed-rank" || r.SpeedTest != "signed-rank" {
			t.Errorf("tests %q %q, want signed-rank (both arms have seeds 1..6)", r.LossTest, r.SpeedTest)
		}
		if !(r.LossCILow <= r.LossDelta && r.LossDelta <= r.LossCIHigh) || r.LossDelta != 1 {
			t.Errorf("loss delta %v outside [%v, %v]", r.LossDelta, r.LossCILow, r.LossCIHigh)
		}
		// 6 pairs all on one side (with tied differences: the normal
		// approximation, p about 0.02); Holm over 4 tests.
		if _, p := WilcoxonSignedRank(r.lossVals, runsOf(rep, r.Condition, r.Reference).lossVals); math.Abs(r.LossP-p) > 1e-12 || r.LossP > 0.05 || r.LossPAdj < r.LossP || r.LossPAdj > 1 {
			t.Errorf("loss p %v, adjusted %v", r.LossP, r.LossPAdj)
		}
		ps = append(ps, r.LossP, r.SpeedP)
	}
	want := HolmAdjust(ps)
	k := 0
	for _, r := range rep.Rows {
		if r.Reference != "" {
			if r.LossPAdj != want[k] || r.SpeedPAdj != want[k+1] {
				t.Errorf("adjusted %v %v, want %v %v", r.LossPAdj, r.SpeedPAdj, want[k], want[k+1])
			}
			k += 2
		}
	}
	// Without shared seeds the arms are independent samples.
	runs, _ = synthetic(6)
	for i := range runs {
		runs[i].Spec.Seed = uint64(i + 1)
	}
	for _, r := range Build(runs).Rows {
		if r.Reference != "" && r.LossTest != "rank-sum" {
			t.Errorf("test %q without shared seeds, want rank-sum", r.LossTest)
		}
	}
	var csv bytes.Buffer
	if err := rep.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	head := strings.SplitN(csv.String(), "\n", 2)[0]
	for _, col := range []string{"weights", "chance_loss", "n_not_learnt", "test", "effect_ci_low", "effect_ci_high", "p_adjusted", "speed_p_adjusted"} {
		if !strings.Contains(","+head+",", ","+col+",") {
			t.Errorf("CSV lacks column %s: %s", col, head)
		}
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "Holm-Bonferroni adjusted over the 4 comparisons") || !strings.Contains(text.String(), "pooled over conditions") {
		t.Errorf("text lacks the adjustment note or the pooled summary:\n%s", text.String())
	}
}

// runsOf is the row of strategy s under condition c.
func runsOf(rep *Report, c Condition, s string) Row {
	for _, r := range rep.Rows {
		if r.Condition == c && r.Strategy == s {
			return r
		}
	}
	return Row{}
}

// TestSpeedOverLearntRuns: a run whose minimum loss stays above chance did
// not learn: its speed epoch is left out and counted.
func TestSpeedOverLearntRuns(t *testing.T) {
	runs, _ := synthetic(4)
	runs = seeded(runs, 4)
	runs[0].MinValLoss = 0.5 // permute, L=3, seed 1: above chance (1/12)
	rep := Build(runs)
	for _, r := range rep.Rows {
		if r.Strategy == "permute" && r.Param == "L=3" {
			if r.NSpeed != 3 || r.N != 4 {
				t.Errorf("permute L=3: %d of %d learnt, want 3 of 4", r.NSpeed, r.N)
			}
			if r.SpeedTest != "rank-sum" {
				t.Errorf("speed test %q: the arms' learnt seeds differ, want rank-sum", r.SpeedTest)
			}
		}
	}
}

// TestBaseline: another strategy as the baseline; one that no run has is
// an error listing the strategies present.
func TestBaseline(t *testing.T) {
	runs, _ := synthetic(3)
	rep, err := BuildWith(runs, Options{Baseline: "permute"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Rows {
		if (r.Strategy == "bio-random") != (r.Reference == "permute") {
			t.Errorf("%s compared with %q", r.Strategy, r.Reference)
		}
	}
	_, err = BuildWith(runs, Options{Baseline: "rewire"})
	var be *BaselineError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "bio-random, permute") {
		t.Fatalf("absent baseline: %v", err)
	}
}

// TestMixedVersions: runs of two biornn versions are reported per version,
// with a warning.
func TestMixedVersions(t *testing.T) {
	runs, _ := synthetic(3)
	for i := range runs {
		runs[i].BiornnVersion = []string{"v1", "v2"}[i%2*0+i/6%2]
	}
	rep := Build(runs)
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "2 biornn versions") {
		t.Fatalf("warnings %v", rep.Warnings)
	}
	for _, r := range rep.Rows {
		if !strings.Contains(r.Other, "biornn_version=") {
			t.Errorf("row %+v not per version", r.Condition)
		}
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "warning: the results come from 2 biornn versions") {
		t.Errorf("no warning in the text:\n%s", text.String())
	}
	_ = rnn.TaskSeqMem
}
