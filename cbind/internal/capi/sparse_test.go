package capi

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/biornn/biornn/connectome"
)

// TestLargeNeuronNetworkCAPI: a network above connectome.DenseNeurons
// neurons trains, continues, saves and reports its sizes through the C
// API; what has no dense form (w_hh, the matrices) is an
// ErrUnsupported error naming the limit, never an allocation of H x H;
// the statistics come from the edges.
func TestLargeNeuronNetworkCAPI(t *testing.T) {
	net, err := connectome.Synthetic(connectome.SyntheticOptions{Kind: connectome.SyntheticDistance, Neurons: connectome.DenseNeurons + 100, Connections: 30000, Excitatory: 0.8, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "net")
	if err := connectome.WriteNetworkFolder(dir, net); err != nil {
		t.Fatal(err)
	}
	h, err := NewConnectomeNetwork(dir, "dale=true")
	if err != nil {
		t.Fatal(err)
	}
	defer Free(h)
	out := filepath.Join(t.TempDir(), "res")
	for k := 0; k < 2; k++ { // the second call continues the trained network
		if _, err := Train(h, "out="+out+";epochs=1;trials=40;batch_size=20", nil); err != nil {
			t.Fatal(err)
		}
	}
	err = WithNetwork("t", h, func(n *Network) error {
		if _, hid, _ := n.Sizes(); hid != connectome.DenseNeurons+100 {
			t.Fatalf("%d neurons", hid)
		}
		rows, cols, err := n.ParamShape("t", "w_in")
		if err != nil {
			t.Fatal(err)
		}
		if err := n.GetParam("t", "w_in", make([]float32, rows*cols)); err != nil {
			t.Fatalf("w_in: %v", err)
		}
		if _, _, err := n.ParamShape("t", "w_hh"); StatusOf(err) != ErrUnsupported {
			t.Fatalf("w_hh shape: %v, expected ErrUnsupported", err)
		}
		if err := n.GetParam("t", "w_hh", make([]float32, 10)); StatusOf(err) != ErrUnsupported || !strings.Contains(err.Error(), "connections.parquet") {
			t.Fatalf("w_hh: %v, expected ErrUnsupported", err)
		}
		if _, _, _, err := n.Matrix("t", "w"); StatusOf(err) != ErrUnsupported {
			t.Fatalf("matrix: %v", err)
		}
		if st, err := n.Stats("t"); err != nil || st[0] != connectome.DenseNeurons+100 || st[2] != 30000 || !math.IsNaN(st[7]) {
			t.Fatalf("stats: %v, %v (expected neurons, connections and a NaN spectral radius from the edges)", st, err)
		}
		return n.Save("t", filepath.Join(t.TempDir(), "saved"))
	})
	if err != nil {
		t.Fatal(err)
	}
}
