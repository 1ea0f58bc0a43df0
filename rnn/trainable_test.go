package rnn

import (
	"context"
	"slices"
	"testing"
)

// TestTrainGroups: frozen groups keep their values exactly (weight decay and
// clipping on), trained ones move; readout alone is reservoir computing.
func TestTrainGroups(t *testing.T) {
	base := RunSpec{Connectome: "macaque", Epochs: 5, Trials: 100, WeightDecay: 0.01, ClipNorm: 0.5, Seed: 3}
	full, err := Defaults(base)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(full)
	if err != nil {
		t.Fatal(err)
	}
	p0 := b.Net.Params() // the initial parameters
	b.Net.Close()
	for _, c := range []struct {
		train  string
		frozen []string
	}{{"readout", []string{"w_in", "w_hh", "b"}}, {"recurrent,readout", []string{"w_in"}}, {"input,recurrent", []string{"w_out", "b_out"}}} {
		s := base
		s.Train = c.train
		res, err := RunWith(context.Background(), s, RunOptions{Keep: true})
		if err != nil {
			t.Fatal(err)
		}
		p := res.Net.Params()
		res.Net.Close()
		arrays := map[string][2][]float32{"w_in": {p0.WIn, p.WIn}, "w_hh": {p0.WHH, p.WHH}, "b": {p0.B, p.B}, "w_out": {p0.WOut, p.WOut}, "b_out": {p0.BOut, p.BOut}}
		for name, a := range arrays {
			same := slices.Equal(a[0], a[1])
			if slices.Contains(c.frozen, name) && !same {
				t.Errorf("train %s: frozen %s changed", c.train, name)
			}
			if !slices.Contains(c.frozen, name) && same {
				t.Errorf("train %s: %s did not train", c.train, name)
			}
		}
	}
	if _, err := Defaults(RunSpec{Train: "readout,hidden"}); err == nil {
		t.Error("an unknown group was accepted")
	}
	if s, _ := Defaults(RunSpec{Train: "readout, input,recurrent"}); s.Train != "" {
		t.Errorf("every group is the default, stored empty: %q", s.Train)
	}
}
