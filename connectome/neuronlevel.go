package connectome

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// Neuron-level data: an edge list between neurons (columns pre, post and
// weight or syn_count) and an optional neuron table (column id, and
// optionally sign, nt_type, type, region, role), both CSV or TSV with a
// header row, or Parquet (.parquet; errors then name "row N"). There is no up-scaling: the edges are the network. Ids are
// any text (64-bit integers, FlyWire root ids, names) and map to dense
// indices: the table's row order, else the order of first appearance in
// the edge list.

// NeuronTable is a neuron table's rows.
type NeuronTable struct {
	IDs     []string
	Sign    []float64 // +1, -1, or 0 when the table has no sign for the neuron
	NTType  []string
	Type    []string
	Region  []string
	Role    []string
	index   map[string]int
	Path    string
	SHA256  string
	HasSign bool // a sign column
	HasNT   bool // an nt_type column
}

// MaxLevelNeurons bounds a neuron-level network held as a dense matrix.
const MaxLevelNeurons = 1 << 15

// ReadNeuronTable reads a neuron table. Errors name the file, the line and
// the column.
func ReadNeuronTable(path string) (*NeuronTable, error) {
	rows, b, err := textOrParquetRows(path)
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("%s: a neuron table needs a header row (id[, sign, nt_type, type, region, role]) and at least one neuron", path)
	}
	col := header(rows[0])
	idCol, ok := col["id"]
	if !ok {
		return nil, fmt.Errorf("%s: line %d: no column id (the neuron ids)%s", path, rows[0].line, rows[0].shown())
	}
	t := &NeuronTable{Path: path, SHA256: sha256Hex(b), index: map[string]int{}}
	_, t.HasSign = col["sign"]
	_, t.HasNT = col["nt_type"]
	if len(rows)-1 > MaxLevelNeurons {
		return nil, fmt.Errorf("%s: %d neurons; at most %d are supported", path, len(rows)-1, MaxLevelNeurons)
	}
	cell := func(r tableRow, name string) string {
		if k, ok := col[name]; ok && k < len(r.cells) {
			return strings.TrimSpace(r.cells[k])
		}
		return ""
	}
	for _, r := range rows[1:] {
		if len(r.cells) != len(rows[0].cells) {
			return nil, fmt.Errorf("%s: line %d has %d fields, the header %d%s", path, r.line, len(r.cells), len(rows[0].cells), r.shown())
		}
		id := strings.TrimSpace(r.cells[idCol])
		if id == "" {
			return nil, fmt.Errorf("%s: line %d, column id: empty id%s", path, r.line, r.shown())
		}
		if prev, dup := t.index[id]; dup {
			return nil, fmt.Errorf("%s: line %d, column id: neuron %s is listed twice (first as neuron %d)%s", path, r.line, clip(id, 80), prev, r.shown())
		}
		t.index[id] = len(t.IDs)
		t.IDs = append(t.IDs, id)
		sign := 0.0
		if s := cell(r, "sign"); s != "" && !isMissing(s) {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || (v != 1 && v != -1 && v != 0) {
				return nil, fmt.Errorf("%s: line %d, column sign: %q, expected 1, -1 (or 0: none)%s", path, r.line, clip(s, 80), r.shown())
			}
			sign = v
		}
		t.Sign = append(t.Sign, sign)
		t.NTType = append(t.NTType, strings.ToLower(cell(r, "nt_type")))
		t.Type = append(t.Type, cell(r, "type"))
		t.Region = append(t.Region, cell(r, "region"))
		t.Role = append(t.Role, cell(r, "role"))
	}
	return t, nil
}

// header maps a header row's lower-case column names to their positions.
func header(r tableRow) map[string]int {
	m := map[string]int{}
	for k, c := range r.cells {
		m[strings.ToLower(strings.TrimSpace(c))] = k
	}
	return m
}

// NeuronEdgesReport says what reading an edge list merged or dropped.
type NeuronEdgesReport struct {
	Duplicates int // edges listed more than once, summed
	SelfLoops  int // edges from a neuron to itself, dropped unless kept
}

// ReadNeuronEdges reads a neuron-level edge list into a Connectome whose C
// is the neuron x neuron weight matrix (row = pre, column = post) and whose
// Regions are the neuron ids. With a table, every id must be in it and the
// neurons are in its order; without, in order of first appearance.
// Duplicate edges are summed; self-loops are dropped unless keepSelf;
// syn_count must be a whole number >= 0, weight finite.
func ReadNeuronEdges(path string, table *NeuronTable, keepSelf bool) (*Connectome, NeuronEdgesReport, error) {
	var rep NeuronEdgesReport
	rows, b, err := textOrParquetRows(path)
	if err != nil {
		return nil, rep, err
	}
	if len(rows) < 2 {
		return nil, rep, fmt.Errorf("%s: a neuron edge list needs a header row (pre, post, weight or syn_count) and at least one edge", path)
	}
	col := header(rows[0])
	pre, okPre := col["pre"]
	post, okPost := col["post"]
	wcol, okW := col["weight"]
	what := "weight"
	if !okW {
		wcol, okW = col["syn_count"]
		what = "syn_count"
	}
	if !okPre || !okPost || !okW {
		return nil, rep, fmt.Errorf("%s: line %d: expected columns pre, post and weight or syn_count%s", path, rows[0].line, rows[0].shown())
	}
	var ids []string
	index := map[string]int{}
	if table != nil {
		ids, index = table.IDs, table.index
	}
	lookup := func(r tableRow, name string, k int) (int, error) {
		id := strings.TrimSpace(r.cells[k])
		if id == "" {
			return 0, fmt.Errorf("%s: line %d, column %s: empty neuron id%s", path, r.line, name, r.shown())
		}
		if i, ok := index[id]; ok {
			return i, nil
		}
		if table != nil {
			return 0, fmt.Errorf("%s: line %d, column %s: neuron %s is not in the neuron table %s%s", path, r.line, name, clip(id, 80), table.Path, r.shown())
		}
		if len(ids) >= MaxLevelNeurons {
			return 0, fmt.Errorf("%s: line %d: more than %d neurons; at most %d are supported", path, r.line, MaxLevelNeurons, MaxLevelNeurons)
		}
		index[id] = len(ids)
		ids = append(ids, id)
		return index[id], nil
	}
	type edge struct {
		i, j int
		w    float64
	}
	edges := make([]edge, 0, len(rows)-1)
	for _, r := range rows[1:] {
		if len(r.cells) != len(rows[0].cells) {
			return nil, rep, fmt.Errorf("%s: line %d has %d fields, the header %d%s", path, r.line, len(r.cells), len(rows[0].cells), r.shown())
		}
		i, err := lookup(r, "pre", pre)
		if err != nil {
			return nil, rep, err
		}
		j, err := lookup(r, "post", post)
		if err != nil {
			return nil, rep, err
		}
		s := strings.TrimSpace(r.cells[wcol])
		w, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, rep, fmt.Errorf("%s: line %d, column %s: %q is not a finite number%s", path, r.line, what, clip(s, 80), r.shown())
		}
		if what == "syn_count" && (w < 0 || w != math.Trunc(w)) {
			return nil, rep, fmt.Errorf("%s: line %d, column syn_count: %q, expected a whole number >= 0%s", path, r.line, clip(s, 80), r.shown())
		}
		edges = append(edges, edge{i, j, w})
	}
	n := len(ids)
	c := NewDense(n, n)
	seen := make(map[[2]int]bool, len(edges))
	for _, e := range edges {
		if e.i == e.j && !keepSelf {
			rep.SelfLoops++
			continue
		}
		k := [2]int{e.i, e.j}
		if seen[k] {
			rep.Duplicates++
		}
		seen[k] = true
		c.Data[e.i*n+e.j] += e.w
	}
	base := filepath.Base(path)
	return &Connectome{
		Name: strings.TrimSuffix(base, filepath.Ext(base)), Regions: slices.Clone(ids), C: c,
		Orientation: "neuron level: row = pre (source) neuron, column = post (target) neuron",
		SHA256:      sha256Hex(b), Source: path, Level: LevelNeuron, Table: table,
	}, rep, nil
}

// Levels of a connectome.
const (
	LevelRegion = "region"
	LevelNeuron = "neuron"
)

// Signs gives each neuron's sign from the table: the sign column, else
// nt_type (acetylcholine +, gaba -, glutamate glutamateSign; unknown or
// several transmitters by unknownSign, 0 = an error listing the neurons).
func (t *NeuronTable) Signs(glutamateSign, unknownSign float64) ([]float64, error) {
	out := make([]float64, len(t.IDs))
	var unknown []string
	for k := range t.IDs {
		if t.Sign[k] != 0 {
			out[k] = t.Sign[k]
			continue
		}
		switch t.NTType[k] {
		case "acetylcholine", "ach":
			out[k] = 1
		case "gaba":
			out[k] = -1
		case "glutamate", "glut":
			out[k] = glutamateSign
		default:
			if unknownSign == 0 {
				if len(unknown) < 5 {
					unknown = append(unknown, fmt.Sprintf("%s (%q)", clip(t.IDs[k], 40), clip(t.NTType[k], 40)))
				}
				continue
			}
			out[k] = unknownSign
		}
	}
	if unknown != nil {
		return nil, fmt.Errorf("%s: no sign and no known nt_type (acetylcholine, gaba, glutamate) for neurons %s; set unknown_transmitter to excitatory or inhibitory, or give them a sign",
			t.Path, strings.Join(unknown, ", "))
	}
	return out, nil
}

// maxParquetRows bounds the rows read from a neuron-level Parquet file.
const maxParquetRows = 1 << 26

// parquetRows reads a Parquet table as text rows (header first) in the
// form the CSV reader gives, so both go through the same checks: integer
// ids become their decimal text, strings stay, numbers their shortest text.
func parquetRows(path string) ([]tableRow, []byte, error) {
	b, err := readInput(path, MaxArrayBytes)
	if err != nil {
		return nil, nil, err
	}
	pf, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: not a complete Parquet file (%w)", path, err)
	}
	n := pf.NumRows()
	if n > maxParquetRows {
		return nil, nil, fmt.Errorf("%s: %d rows; at most %d are read", path, n, maxParquetRows)
	}
	var names []string
	for _, f := range pf.Schema().Fields() {
		names = append(names, f.Name())
	}
	rows := []tableRow{{line: 1, cells: names, text: strings.Join(names, ",")}}
	r := parquet.NewGenericReader[map[string]any](pf, pf.Schema())
	defer r.Close()
	buf := make([]map[string]any, 1024)
	line := 1
	for {
		for i := range buf {
			buf[i] = map[string]any{}
		}
		got, err := r.Read(buf)
		for _, m := range buf[:got] {
			line++
			cells := make([]string, len(names))
			for k, name := range names {
				switch v := m[name].(type) {
				case nil:
					cells[k] = ""
				case string:
					cells[k] = v
				case []byte:
					cells[k] = string(v)
				case float64:
					cells[k] = strconv.FormatFloat(v, 'g', -1, 64)
				case float32:
					cells[k] = strconv.FormatFloat(float64(v), 'g', -1, 32)
				default:
					cells[k] = fmt.Sprint(v)
				}
			}
			rows = append(rows, tableRow{line: line, cells: cells, text: "row " + strconv.Itoa(line-1) + ": " + strings.Join(cells, ",")})
		}
		if err == io.EOF || got == 0 {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return rows, b, nil
}

// textOrParquetRows reads a neuron-level table: Parquet by its extension,
// else CSV or TSV text.
func textOrParquetRows(path string) ([]tableRow, []byte, error) {
	if strings.EqualFold(filepath.Ext(path), ".parquet") {
		return parquetRows(path)
	}
	b, err := readInput(path, MaxArrayBytes)
	if err != nil {
		return nil, nil, err
	}
	rows, _, err := readRows(path, b)
	return rows, b, err
}
