package connectome

import (
	"math"
	"os"
	"path/filepath"
	"slices"
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

// TestNeuronEdgesByColumn: a network folder's Parquet (int64 ids, float32
// weights) is read by column to the same edges as its text form; the edges
// are merged (sorted, duplicates summed, self-loops dropped); bad values
// name the row; above DenseNeurons no dense matrix is made.
func TestNeuronEdgesByColumn(t *testing.T) {
	type row struct {
		Pre    int64   `parquet:"pre"`
		Post   int64   `parquet:"post"`
		Weight float32 `parquet:"weight"`
	}
	n := DenseNeurons + 10
	var rows []row
	text := "pre,post,weight\n"
	for k := 0; k < 3*n; k++ {
		r := row{int64((k * 7919) % n), int64((k*104729 + 3) % n), float32(k%5) + 0.5}
		rows = append(rows, r)
		text += strconv.FormatInt(r.Pre, 10) + "," + strconv.FormatInt(r.Post, 10) + "," + strconv.FormatFloat(float64(r.Weight), 'g', -1, 32) + "\n"
	}
	rows = append(rows, rows[5], row{9, 9, 1}) // a duplicate and a self-loop
	text += strconv.FormatInt(rows[5].Pre, 10) + "," + strconv.FormatInt(rows[5].Post, 10) + ",0.5\n9,9,1\n"
	tmp := t.TempDir()
	pq, csv := filepath.Join(tmp, "e.parquet"), filepath.Join(tmp, "e.csv")
	if err := parquet.WriteFile(pq, rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(csv, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	a, repA, err := ReadNeuronEdges(pq, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	b, repB, err := ReadNeuronEdges(csv, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if repA != repB || repA.SelfLoops < 1 || repA.Duplicates < 1 {
		t.Fatalf("reports %+v and %+v", repA, repB)
	}
	if a.C != nil || a.Edges.Neurons != b.Edges.Neurons || !slices.Equal(a.Regions, b.Regions) ||
		!slices.Equal(a.Edges.Pre, b.Edges.Pre) || !slices.Equal(a.Edges.Post, b.Edges.Post) || !slices.Equal(a.Edges.Weight, b.Edges.Weight) {
		t.Fatalf("Parquet and CSV differ, or a dense matrix above %d neurons: %d/%d neurons", DenseNeurons, a.Edges.Neurons, b.Edges.Neurons)
	}
	e := a.Edges
	for k := 1; k < len(e.Pre); k++ {
		if e.Pre[k] < e.Pre[k-1] || (e.Pre[k] == e.Pre[k-1] && e.Post[k] <= e.Post[k-1]) || e.Pre[k] == e.Post[k] {
			t.Fatalf("edge %d (%d -> %d) out of order, repeated or a self-loop", k, e.Pre[k], e.Post[k])
		}
	}
	rows[7].Weight = float32(math.NaN())
	parquet.WriteFile(pq, rows)
	if _, _, err := ReadNeuronEdges(pq, nil, false); err == nil || !strings.Contains(err.Error(), "row 8, column weight") {
		t.Fatalf("NaN weight: %v", err)
	}
}

// TestNeuronEdgesOptionalColumns: a Parquet edge list with optional
// (nullable) columns, as pandas writes them, is read by column to the same
// network as its CSV; a null names its row and column.
func TestNeuronEdgesOptionalColumns(t *testing.T) {
	type row struct {
		Pre      *int64 `parquet:"pre,optional"`
		Post     *int64 `parquet:"post,optional"`
		SynCount *int64 `parquet:"syn_count,optional"`
	}
	v := func(x int64) *int64 { return &x }
	rows := []row{{v(10), v(20), v(3)}, {v(20), v(30), v(1)}, {v(30), v(10), v(2)}, {v(10), v(20), v(4)}}
	tmp := t.TempDir()
	pq := filepath.Join(tmp, "e.parquet")
	if err := parquet.WriteFile(pq, rows); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(tmp, "e.csv")
	os.WriteFile(csv, []byte("pre,post,syn_count\n10,20,3\n20,30,1\n30,10,2\n10,20,4\n"), 0o644)
	a, _, err := ReadNeuronEdges(pq, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := ReadNeuronEdges(csv, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Regions, b.Regions) || !slices.Equal(a.Edges.Pre, b.Edges.Pre) || !slices.Equal(a.Edges.Weight, b.Edges.Weight) || a.Edges.Weight[0] != 7 {
		t.Fatalf("optional columns: %v %v %v, CSV %v %v %v", a.Regions, a.Edges.Pre, a.Edges.Weight, b.Regions, b.Edges.Pre, b.Edges.Weight)
	}
	rows[2].Post = nil
	parquet.WriteFile(pq, rows)
	if _, _, err := ReadNeuronEdges(pq, nil, false); err == nil || !strings.Contains(err.Error(), "row 3, column post: missing") {
		t.Fatalf("a null post: %v", err)
	}
}
