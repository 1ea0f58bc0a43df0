package rnn

import (
	"math"
	"strings"
	"testing"

	"github.com/biornn/biornn/connectome"
)

// regionCounts returns the neurons per region of a built network.
func regionCounts(w *Wiring) []int {
	counts := make([]int, w.Connectome.C.Rows)
	for _, r := range w.Network.Region {
		counts[r]++
	}
	return counts
}

// TestNeuronsFromDensityMarmoset: rank scaling on marmoset (every density
// measured) gives NeuronScale x rank neurons per region, so the counts
// follow the density order.
func TestNeuronsFromDensityMarmoset(t *testing.T) {
	spec, err := Defaults(RunSpec{Connectome: "marmoset", DataDir: sharedConnectomes, NeuronsFromDensity: "rank", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if spec.NeuronScale != 1 {
		t.Fatalf("NeuronScale default %d, expected 1 for rank", spec.NeuronScale)
	}
	spec.NeuronScale = 2
	w, err := BuildWiring(spec)
	if err != nil {
		t.Fatal(err)
	}
	d := w.Connectome.NeuronDensity
	counts := regionCounts(w)
	if len(d) != len(counts) || len(d) == 0 {
		t.Fatalf("%d densities, %d regions", len(d), len(counts))
	}
	total := 0
	for i := range d {
		total += counts[i]
		if counts[i] < 2 || counts[i]%2 != 0 {
			t.Fatalf("region %d: %d neurons, expected 2 x rank", i, counts[i])
		}
		for j := range d {
			if (d[i] < d[j]) != (counts[i] < counts[j]) || (d[i] == d[j]) != (counts[i] == counts[j]) {
				t.Fatalf("regions %d, %d: densities %g, %g but %d, %d neurons", i, j, d[i], d[j], counts[i], counts[j])
			}
		}
	}
	if total != w.Network.W.Rows {
		t.Fatalf("%d neurons in the regions, %d in the network", total, w.Network.W.Rows)
	}
	want, err := connectome.NeuronsFromDensity(d, 2, "rank")
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if want[i] != counts[i] {
			t.Fatalf("region %d: %d neurons, NeuronsFromDensity says %d", i, counts[i], want[i])
		}
	}
}

// TestNeuronsFromDensityMacaque: macaque's unmeasured densities are an error
// naming the regions and DensityFill; with a fill rule it builds.
func TestNeuronsFromDensityMacaque(t *testing.T) {
	spec, err := Defaults(RunSpec{Connectome: "macaque", DataDir: sharedConnectomes, NeuronsFromDensity: "ratio", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = BuildWiring(spec)
	if err == nil {
		t.Fatal("macaque densities with NaN accepted without DensityFill")
	}
	lc, lerr := connectome.Load("macaque", sharedConnectomes)
	if lerr != nil {
		t.Fatal(lerr)
	}
	var nan []int
	for i, v := range lc.NeuronDensity {
		if math.IsNaN(v) {
			nan = append(nan, i)
			if !strings.Contains(err.Error(), lc.Regions[i]) {
				t.Errorf("error does not name region %s: %v", lc.Regions[i], err)
			}
		}
	}
	if len(nan) != 5 || !strings.Contains(err.Error(), "density_fill") || !strings.Contains(err.Error(), "neurons_from_density") {
		t.Fatalf("%d NaN regions; error: %v", len(nan), err)
	}

	spec.DensityFill = "median"
	w, err := BuildWiring(spec)
	if err != nil {
		t.Fatal(err)
	}
	counts := regionCounts(w)
	filled, _, _ := connectome.FillMissingDensity(lc.NeuronDensity, "median")
	want, _ := connectome.NeuronsFromDensity(filled, 1, "ratio")
	for i := range want {
		if counts[i] != want[i] {
			t.Fatalf("region %d: %d neurons, expected %d", i, counts[i], want[i])
		}
	}
}

// TestNeuronsFromDensityErrors: a data set without densities, and the
// RunSpec combinations Defaults rejects, name the field.
func TestNeuronsFromDensityErrors(t *testing.T) {
	spec, err := Defaults(RunSpec{Connectome: "human", DataDir: sharedConnectomes, NeuronsFromDensity: "rank", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := BuildWiring(spec); err == nil || !strings.Contains(err.Error(), "neurons_from_density") || !strings.Contains(err.Error(), "no neuron densities") {
		t.Fatalf("human without densities: %v", err)
	}
	for _, c := range []struct {
		field string // the setting's key
		spec  RunSpec
	}{
		{"neurons_from_density", RunSpec{NeuronsFromDensity: "log"}},
		{"neurons_from_density", RunSpec{NeuronsFromDensity: "rank", NeuronsFile: "n.txt"}},
		{"neuron_scale", RunSpec{NeuronScale: 3}},
		{"neuron_scale", RunSpec{NeuronsFromDensity: "proportional"}},
		{"neuron_scale", RunSpec{NeuronsFromDensity: "rank", NeuronScale: -1}},
		{"density_fill", RunSpec{NeuronsFromDensity: "rank", DensityFill: "mode"}},
		{"density_fill", RunSpec{DensityFill: "median"}},
	} {
		_, err := Defaults(c.spec)
		if p, ok := AsProblem(err); !ok || p.Key != c.field {
			t.Errorf("%+v: error %v, expected one naming %s", c.spec, err, c.field)
		}
	}
	if s, err := Defaults(RunSpec{NeuronsFromDensity: "proportional", NeuronScale: 300}); err != nil || s.NeuronScale != 300 {
		t.Errorf("proportional with a scale: %v", err)
	}
}
