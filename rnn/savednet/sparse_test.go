package savednet

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
	"github.com/parquet-go/parquet-go"
)

// TestSparseNetworkContinues: a neuron-level network above
// connectome.DenseNeurons neurons is saved and opened in the sparse form
// (no Hidden x Hidden array), and 2 + 2 epochs through the saved folder
// equal 4 uninterrupted epochs bit for bit.
func TestSparseNetworkContinues(t *testing.T) {
	net, err := connectome.Synthetic(connectome.SyntheticOptions{Kind: connectome.SyntheticSBM, Neurons: connectome.DenseNeurons + 200, Connections: 40000, Excitatory: 0.8, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	if err := connectome.WriteNetworkFolder(data, net); err != nil {
		t.Fatal(err)
	}
	mk := func(epochs int) rnn.RunSpec {
		return rnn.RunSpec{Connectome: data, Dale: true, Task: rnn.TaskSeqMem, Trials: 60, BatchSize: 16, Epochs: epochs, Seed: 3, Threads: 2}
	}
	full, err := Run(context.Background(), mk(4), "test", rnn.RunOptions{Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	defer full.Net.Close()
	first := mk(2)
	first.SaveNetwork = filepath.Join(t.TempDir(), "net")
	if _, err := Run(context.Background(), first, "test", rnn.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	saved, err := Load(first.SaveNetwork)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Mask != nil || saved.Params.WHH != nil || len(saved.Params.Kept) != 40000 || saved.Signs == nil {
		t.Fatalf("saved form: mask %d, w_hh %d, kept %d values, signs %v", len(saved.Mask), len(saved.Params.WHH), len(saved.Params.Kept), saved.Signs != nil)
	}
	base, err := Base(first.SaveNetwork)
	if err != nil {
		t.Fatal(err)
	}
	base.Epochs, base.Threads = 2, 1
	cont, err := Run(context.Background(), base, "test", rnn.RunOptions{Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cont.Net.Close()
	a, b := full.Net.SparseParams(), cont.Net.SparseParams()
	for _, f := range [][2][]float32{{a.WIn, b.WIn}, {a.Kept, b.Kept}, {a.B, b.B}, {a.WOut, b.WOut}, {a.BOut, b.BOut}} {
		if !slices.Equal(f[0], f[1]) {
			t.Fatal("the continued network differs from the uninterrupted one")
		}
	}
	// A connections file out of CSR order is refused, naming the row.
	cp := filepath.Join(first.SaveNetwork, "connections.parquet")
	rows, err := readConns(cp)
	if err != nil {
		t.Fatal(err)
	}
	rows[10], rows[11] = rows[11], rows[10]
	if err := writeConns(cp, rows); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(first.SaveNetwork); err == nil {
		t.Fatal("a connections file out of order was accepted")
	}
	os.RemoveAll(first.SaveNetwork)
}

func readConns(path string) ([]connRow, error) { return parquet.ReadFile[connRow](path) }

func writeConns(path string, rows []connRow) error { return parquet.WriteFile(path, rows) }
