package connectome

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// FuzzReadNeuronEdges: any bytes read as a neuron-level edge list (CSV or
// Parquet, with and without a neuron table) give a network or an error,
// never a panic; a network is well formed (sorted, no duplicate edges,
// indices in range, finite weights).
func FuzzReadNeuronEdges(f *testing.F) {
	f.Add([]byte("pre,post,syn_count\na,b,3\nb,c,1\na,b,2\nc,c,1\n"), false, true)
	f.Add([]byte("pre\tpost\tweight\n1\t2\t0.5\n2\t1\tNaN\n"), false, false)
	var pq bytes.Buffer
	type row struct {
		Pre    int64   `parquet:"pre"`
		Post   int64   `parquet:"post"`
		Weight float32 `parquet:"weight"`
	}
	parquet.Write(&pq, []row{{0, 1, 1}, {1, 2, 2}, {2, 0, 3}, {0, 1, 1}})
	f.Add(pq.Bytes(), true, false)
	f.Add(pq.Bytes(), true, true)
	dir := f.TempDir()
	tablePath := filepath.Join(dir, "n.csv")
	if err := os.WriteFile(tablePath, []byte("id,sign\n0,1\n1,-1\n2,1\na,1\nb,1\nc,-1\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	table, err := ReadNeuronTable(tablePath)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, isParquet, withTable bool) {
		name := "e.csv"
		if isParquet {
			name = "e.parquet"
		}
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var tab *NeuronTable
		if withTable {
			tab = table
		}
		c, _, err := ReadNeuronEdges(p, tab, false)
		if err != nil {
			return
		}
		e := c.Edges
		if e.Neurons != len(c.Regions) || len(e.Pre) != len(e.Post) || len(e.Pre) != len(e.Weight) {
			t.Fatalf("%d neurons, %d ids, %d/%d/%d edge columns", e.Neurons, len(c.Regions), len(e.Pre), len(e.Post), len(e.Weight))
		}
		for k := range e.Pre {
			if e.Pre[k] < 0 || int(e.Pre[k]) >= e.Neurons || e.Post[k] < 0 || int(e.Post[k]) >= e.Neurons || e.Pre[k] == e.Post[k] {
				t.Fatalf("edge %d: %d -> %d of %d neurons", k, e.Pre[k], e.Post[k], e.Neurons)
			}
			if k > 0 && (e.Pre[k] < e.Pre[k-1] || (e.Pre[k] == e.Pre[k-1] && e.Post[k] <= e.Post[k-1])) {
				t.Fatalf("edge %d out of order or repeated", k)
			}
			if w := float64(e.Weight[k]); math.IsNaN(w) {
				t.Fatalf("edge %d: NaN weight", k)
			}
		}
	})
}
