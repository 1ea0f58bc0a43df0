package connectome

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestNeuronLevelParquetEqualsCSV: the test fixture as Parquet with int64
// ids (as FlyWire exports) reads to the same network as the CSV.
func TestNeuronLevelParquetEqualsCSV(t *testing.T) {
	dir := filepath.Join("..", "testdata", "neurons")
	tc, err := ReadNeuronTable(filepath.Join(dir, "neurons.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cc, rep, err := ReadNeuronEdges(filepath.Join(dir, "edges.csv"), tc, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Duplicates != 1 || rep.SelfLoops != 1 {
		t.Fatalf("report %+v: expected one duplicate and one self-loop", rep)
	}
	type edge struct {
		Pre      int64 `parquet:"pre"`
		Post     int64 `parquet:"post"`
		SynCount int64 `parquet:"syn_count"`
	}
	type neuron struct {
		ID     int64  `parquet:"id"`
		NTType string `parquet:"nt_type"`
		Type   string `parquet:"type"`
		Region string `parquet:"region"`
		Role   string `parquet:"role"`
	}
	num := func(id string) int64 { v, _ := strconv.ParseInt(strings.TrimPrefix(id, "n"), 10, 64); return v }
	var ns []neuron
	for k, id := range tc.IDs {
		ns = append(ns, neuron{num(id), tc.NTType[k], tc.Type[k], tc.Region[k], tc.Role[k]})
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "edges.csv"))
	var es []edge
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n")[1:] {
		f := strings.Split(l, ",")
		c, _ := strconv.ParseInt(f[2], 10, 64)
		es = append(es, edge{num(f[0]), num(f[1]), c})
	}
	tmp := t.TempDir()
	if err := parquet.WriteFile(filepath.Join(tmp, "n.parquet"), ns); err != nil {
		t.Fatal(err)
	}
	if err := parquet.WriteFile(filepath.Join(tmp, "e.parquet"), es); err != nil {
		t.Fatal(err)
	}
	tp, err := ReadNeuronTable(filepath.Join(tmp, "n.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	cp, _, err := ReadNeuronEdges(filepath.Join(tmp, "e.parquet"), tp, false)
	if err != nil {
		t.Fatal(err)
	}
	if cp.C.Rows != cc.C.Rows {
		t.Fatalf("%d neurons, CSV %d", cp.C.Rows, cc.C.Rows)
	}
	for k := range cc.C.Data {
		if cp.C.Data[k] != cc.C.Data[k] {
			t.Fatalf("entry %d: Parquet %v, CSV %v", k, cp.C.Data[k], cc.C.Data[k])
		}
	}
	// An edge to a neuron the table lacks names the row.
	es = append(es, edge{1000, 99, 1})
	parquet.WriteFile(filepath.Join(tmp, "bad.parquet"), es)
	if _, _, err := ReadNeuronEdges(filepath.Join(tmp, "bad.parquet"), tp, false); err == nil || !strings.Contains(err.Error(), "row 263") || !strings.Contains(err.Error(), "neuron 99") {
		t.Fatalf("missing neuron: %v", err)
	}
}
