package connectome

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSynthetic: the drawn networks have the asked size, distinct edges
// without self-loops, the excitatory share, and depend only on the seed;
// the folder reads back as a neuron-level network.
func TestSynthetic(t *testing.T) {
	for _, kind := range []string{SyntheticSBM, SyntheticDistance} {
		o := SyntheticOptions{Kind: kind, Neurons: 500, Connections: 9000, Excitatory: 0.8, Seed: 5}
		a, err := Synthetic(o)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Synthetic(o)
		if !slices.Equal(a.Pre, b.Pre) || !slices.Equal(a.Post, b.Post) || !slices.Equal(a.Weight, b.Weight) || !slices.Equal(a.Sign, b.Sign) {
			t.Fatalf("%s: two draws with one seed differ", kind)
		}
		o.Seed = 6
		if c, _ := Synthetic(o); slices.Equal(a.Post, c.Post) {
			t.Fatalf("%s: another seed drew the same network", kind)
		}
		if len(a.Pre) != 9000 || a.Excitatory != 400 {
			t.Fatalf("%s: %d connections, %d excitatory", kind, len(a.Pre), a.Excitatory)
		}
		for k := range a.Pre {
			if a.Pre[k] == a.Post[k] {
				t.Fatalf("%s: self-loop at %d", kind, a.Pre[k])
			}
			if k > 0 && (a.Pre[k] < a.Pre[k-1] || a.Pre[k] == a.Pre[k-1] && a.Post[k] <= a.Post[k-1]) {
				t.Fatalf("%s: edges not sorted and distinct at %d", kind, k)
			}
		}
		dir := filepath.Join(t.TempDir(), "net")
		if err := WriteNetworkFolder(dir, a); err != nil {
			t.Fatal(err)
		}
		if err := WriteNetworkFolder(dir, a); err == nil {
			t.Fatal("a network folder was overwritten")
		}
		table, err := ReadNeuronTable(filepath.Join(dir, NeuronsFile))
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := ReadNeuronEdges(filepath.Join(dir, ConnectionsFile), table, false)
		if err != nil {
			t.Fatal(err)
		}
		nnz := 0
		for _, v := range c.C.Data {
			if v != 0 {
				nnz++
			}
		}
		if c.C.Rows != 500 || nnz != 9000 {
			t.Fatalf("%s: read back %d neurons, %d connections", kind, c.C.Rows, nnz)
		}
	}
	for _, o := range []SyntheticOptions{
		{Kind: "lattice", Neurons: 10, Connections: 5},
		{Kind: SyntheticSBM, Neurons: 1, Connections: 1},
		{Kind: SyntheticSBM, Neurons: 10, Connections: 46},
		{Kind: SyntheticSBM, Neurons: 10, Connections: 5, Excitatory: 1.5},
	} {
		if _, err := Synthetic(o); err == nil || !strings.Contains(err.Error(), "synthetic") {
			t.Errorf("%+v: %v", o, err)
		}
	}
}
