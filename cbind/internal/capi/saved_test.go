package capi

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn"
)

func paramsOf(t *testing.T, h Handle) rnn.Params {
	t.Helper()
	var p rnn.Params
	if err := WithNetwork("test", h, func(n *Network) error {
		if err := n.needArrays("test"); err != nil {
			return err
		}
		p = n.rnn.Params()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTrainContinuesAndSaves: a connectome network trained twice for 3
// epochs equals one trained once for 6; saved and loaded after 3 epochs
// it continues to the same parameters; the trained network predicts and
// gives its hidden states.
func TestTrainContinuesAndSaves(t *testing.T) {
	dir := t.TempDir()
	mk := func() Handle {
		h, err := NewConnectomeNetwork("macaque", "seed=4")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { Free(h) })
		return h
	}
	whole, split := mk(), mk()
	var n0 *Network
	WithNetwork("test", split, func(n *Network) error { n0 = n; return nil })
	if err := n0.needArrays("test"); err == nil || !strings.Contains(err.Error(), "not been trained") {
		t.Fatalf("an untrained connectome network: %v", err)
	}
	opts := "trials=60;out=" + filepath.Join(dir, "r")
	if _, err := Train(whole, opts+";epochs=6", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Train(split, opts+";epochs=3", nil); err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(dir, "net")
	if err := WithNetwork("test", split, func(n *Network) error { return n.Save("test", saved) }); err != nil {
		t.Fatal(err)
	}
	if _, err := Train(split, opts+";epochs=3", nil); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadNetwork(saved, "threads=1")
	if err != nil {
		t.Fatal(err)
	}
	defer Free(loaded)
	if _, err := Train(loaded, opts+";epochs=3", nil); err != nil {
		t.Fatal(err)
	}
	want := paramsOf(t, whole)
	for name, h := range map[string]Handle{"3+3": split, "saved 3 + 3": loaded} {
		if got := paramsOf(t, h); !slices.Equal(got.WHH, want.WHH) || !slices.Equal(got.WOut, want.WOut) {
			t.Errorf("%s epochs differ from 6 uninterrupted epochs", name)
		}
	}
	// Prediction with hidden states on the trained network.
	in, hid, out := n0.Sizes()
	d := ArraysData{X: make([]float32, 2*5*in), Trials: 2, T: 5}
	y := make([]float32, 2*5*out)
	hs := make([]float32, 2*5*hid)
	if err := n0.PredictHidden(d, y, hs); err != nil {
		t.Fatal(err)
	}
	if hs[len(hs)-1] == 0 || math.IsNaN(float64(hs[len(hs)-1])) {
		t.Fatalf("hidden state %v", hs[len(hs)-1])
	}
	if err := n0.PredictHidden(d, y, hs[:3]); StatusOf(err) != ErrSize {
		t.Fatalf("short hidden buffer: %v", err)
	}
	// A network from arrays trains on a built-in task of its sizes.
	p := rnn.Params{Hidden: 4, Inputs: 2, Outputs: 1, WIn: make([]float32, 8), WHH: make([]float32, 16),
		B: make([]float32, 4), WOut: make([]float32, 4), BOut: make([]float32, 1)}
	for k := range p.WHH {
		p.WHH[k] = 0.1 * float32(k%3)
	}
	a, err := NewArraysNetwork(p, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer Free(a)
	if _, err := Train(a, opts+";epochs=2", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Train(a, opts+";epochs=2;task=nback_mem", nil); err == nil || !strings.Contains(err.Error(), "outputs") {
		t.Fatalf("a task of other sizes: %v", err)
	}
	if _, err := LoadNetwork(filepath.Join(dir, "none"), ""); StatusOf(err) != ErrIO {
		t.Fatalf("loading a missing folder: %v", err)
	}
}
