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

// MaxLevelNeurons and MaxLevelEdges bound a neuron-level network: its
// indices are int32 (as the training kernels' sparse structure).
const (
	MaxLevelNeurons = math.MaxInt32
	MaxLevelEdges   = math.MaxInt32
)

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

// ReadNeuronEdges reads a neuron-level edge list into a Connectome whose
// Edges are the network (pre = source, post = target, by (pre, post)) and
// whose Regions are the neuron ids; C is the same network as a dense matrix
// (row = pre) for networks of at most DenseNeurons neurons, nil above. With
// a table, every id must be in it and the neurons are in its order;
// without, in order of first appearance. Duplicate edges are summed;
// self-loops are dropped unless keepSelf; syn_count must be a whole number
// >= 0, weight finite. A Parquet file with integer ids is read by column
// (10 million edges in about 2 s); other files row by row.
func ReadNeuronEdges(path string, table *NeuronTable, keepSelf bool) (*Connectome, NeuronEdgesReport, error) {
	var rep NeuronEdgesReport
	var ids []string
	var edges []rawEdge
	var b []byte
	var err error
	if strings.EqualFold(filepath.Ext(path), ".parquet") {
		ids, edges, b, err = parquetEdges(path, table)
	}
	if err == nil && edges == nil {
		ids, edges, b, err = textEdges(path, table)
	}
	if err != nil {
		return nil, rep, err
	}
	net := mergeEdges(len(ids), edges, keepSelf, &rep)
	edges = nil
	base := filepath.Base(path)
	c := &Connectome{
		Name: strings.TrimSuffix(base, filepath.Ext(base)), Regions: slices.Clone(ids), Edges: net,
		Orientation: "neuron level: row = pre (source) neuron, column = post (target) neuron",
		SHA256:      sha256Hex(b), Source: path, Level: LevelNeuron, Table: table,
	}
	c.C = net.Dense()
	return c, rep, nil
}

// GapJunctionsFile holds a network folder's electrical synapses (pre,
// post, weight), apart from its chemical connections.
const GapJunctionsFile = "gap_junctions.parquet"

// AddEdges returns c with the edges of o (read with the same neurons) added:
// weights summed where both have an edge. Name, source and checksum stay
// c's.
func AddEdges(c, o *Connectome) (*Connectome, error) {
	a, b := c.Edges, o.Edges
	if a == nil || b == nil || a.Neurons != b.Neurons || !slices.Equal(c.Regions, o.Regions) {
		return nil, fmt.Errorf("%s and %s: not the same neurons", c.Source, o.Source)
	}
	edges := make([]rawEdge, 0, len(a.Pre)+len(b.Pre))
	for _, e := range []*NeuronNetwork{a, b} {
		for k := range e.Pre {
			edges = append(edges, rawEdge{e.Pre[k], e.Post[k], float64(e.Weight[k])})
		}
	}
	var rep NeuronEdgesReport
	out := *c
	out.Edges = mergeEdges(a.Neurons, edges, true, &rep)
	out.C = out.Edges.Dense()
	return &out, nil
}

// DenseNeurons is the largest neuron-level network that is also held as a
// dense matrix (Connectome.C, 128 MiB of float64 at 4,096 neurons): the
// region-level tools (stats, matrix export) work on it. Training uses the
// edges at every size.
const DenseNeurons = 4096

// Dense is the network as a matrix (row = pre), nil above DenseNeurons.
func (net *NeuronNetwork) Dense() *Dense {
	n := net.Neurons
	if n > DenseNeurons {
		return nil
	}
	c := NewDense(n, n)
	for k := range net.Pre {
		c.Data[int(net.Pre[k])*n+int(net.Post[k])] = float64(net.Weight[k])
	}
	return c
}

// rawEdge is one row of an edge list as read: indices and the weight.
type rawEdge struct {
	i, j int32
	w    float64
}

// mergeEdges sorts edges by (pre, post), sums duplicates (in float64) and
// drops self-loops unless keepSelf, counting both in rep.
func mergeEdges(n int, edges []rawEdge, keepSelf bool, rep *NeuronEdgesReport) *NeuronNetwork {
	less := func(a, b rawEdge) int {
		if a.i != b.i {
			return int(a.i - b.i)
		}
		return int(a.j - b.j)
	}
	if !slices.IsSortedFunc(edges, less) {
		slices.SortStableFunc(edges, less)
	}
	net := &NeuronNetwork{Neurons: n}
	m := 0
	for k := 0; k < len(edges); {
		e := edges[k]
		w := e.w
		k++
		for k < len(edges) && edges[k].i == e.i && edges[k].j == e.j {
			w += edges[k].w
			rep.Duplicates++
			k++
		}
		if e.i == e.j && !keepSelf {
			rep.SelfLoops++
			continue
		}
		m++
		edges[m-1] = rawEdge{e.i, e.j, w}
	}
	net.Pre, net.Post, net.Weight = make([]int32, m), make([]int32, m), make([]float32, m)
	for k, e := range edges[:m] {
		net.Pre[k], net.Post[k], net.Weight[k] = e.i, e.j, float32(e.w)
	}
	return net
}

// neuronIndex maps neuron ids to dense indices: a table's, else the order of
// first appearance (growing up to MaxLevelNeurons).
type neuronIndex struct {
	path  string
	table *NeuronTable
	ids   []string
	index map[string]int
}

func newNeuronIndex(path string, table *NeuronTable) *neuronIndex {
	x := &neuronIndex{path: path, table: table, index: map[string]int{}}
	if table != nil {
		x.ids, x.index = table.IDs, table.index
	}
	return x
}

// of returns id's index; where says where the id was read (for errors).
func (x *neuronIndex) of(id, where string) (int, error) {
	if id == "" {
		return 0, fmt.Errorf("%s: %s: empty neuron id", x.path, where)
	}
	if i, ok := x.index[id]; ok {
		return i, nil
	}
	if x.table != nil {
		return 0, fmt.Errorf("%s: %s: neuron %s is not in the neuron table %s", x.path, where, clip(id, 80), x.table.Path)
	}
	if len(x.ids) >= MaxLevelNeurons {
		return 0, fmt.Errorf("%s: %s: more than %d neurons; at most %d are supported (int32 indices)", x.path, where, MaxLevelNeurons, MaxLevelNeurons)
	}
	x.index[id] = len(x.ids)
	x.ids = append(x.ids, id)
	return x.index[id], nil
}

// checkWeight checks one weight or syn_count value.
func checkWeight(what string, w float64) error {
	if math.IsNaN(w) || math.IsInf(w, 0) {
		return fmt.Errorf("%v is not a finite number", w)
	}
	if what == "syn_count" && (w < 0 || w != math.Trunc(w)) {
		return fmt.Errorf("%v, expected a whole number >= 0", w)
	}
	return nil
}

// textEdges reads an edge list row by row (CSV, TSV, or Parquet as text).
func textEdges(path string, table *NeuronTable) ([]string, []rawEdge, []byte, error) {
	rows, b, err := textOrParquetRows(path)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(rows) < 2 {
		return nil, nil, nil, fmt.Errorf("%s: a neuron edge list needs a header row (pre, post, weight or syn_count) and at least one edge", path)
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
		return nil, nil, nil, fmt.Errorf("%s: line %d: expected columns pre, post and weight or syn_count%s", path, rows[0].line, rows[0].shown())
	}
	if len(rows)-1 > MaxLevelEdges {
		return nil, nil, nil, fmt.Errorf("%s: %d edges; at most %d are supported (int32 indices)", path, len(rows)-1, MaxLevelEdges)
	}
	x := newNeuronIndex(path, table)
	edges := make([]rawEdge, 0, len(rows)-1)
	for _, r := range rows[1:] {
		if len(r.cells) != len(rows[0].cells) {
			return nil, nil, nil, fmt.Errorf("%s: line %d has %d fields, the header %d%s", path, r.line, len(r.cells), len(rows[0].cells), r.shown())
		}
		i, err := x.of(strings.TrimSpace(r.cells[pre]), fmt.Sprintf("line %d, column pre", r.line))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%w%s", err, r.shown())
		}
		j, err := x.of(strings.TrimSpace(r.cells[post]), fmt.Sprintf("line %d, column post", r.line))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%w%s", err, r.shown())
		}
		s := strings.TrimSpace(r.cells[wcol])
		w, perr := strconv.ParseFloat(s, 64)
		if perr != nil {
			w = math.NaN()
		}
		if err := checkWeight(what, w); err != nil {
			if perr != nil || math.IsNaN(w) || math.IsInf(w, 0) {
				return nil, nil, nil, fmt.Errorf("%s: line %d, column %s: %q is not a finite number%s", path, r.line, what, clip(s, 80), r.shown())
			}
			return nil, nil, nil, fmt.Errorf("%s: line %d, column %s: %q, expected a whole number >= 0%s", path, r.line, what, clip(s, 80), r.shown())
		}
		edges = append(edges, rawEdge{int32(i), int32(j), w})
	}
	return x.ids, edges, b, nil
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

// Edge rows of a Parquet edge list with integer ids, by weight column.
type (
	parquetWeightRow struct {
		Pre    int64   `parquet:"pre"`
		Post   int64   `parquet:"post"`
		Weight float64 `parquet:"weight"`
	}
	parquetWeight32Row struct { // biornn's network folders
		Pre    int64   `parquet:"pre"`
		Post   int64   `parquet:"post"`
		Weight float32 `parquet:"weight"`
	}
	parquetOptionalWeightRow struct { // pandas' to_parquet
		Pre    *int64   `parquet:"pre,optional"`
		Post   *int64   `parquet:"post,optional"`
		Weight *float64 `parquet:"weight,optional"`
	}
	parquetOptionalCountRow struct {
		Pre      *int64   `parquet:"pre,optional"`
		Post     *int64   `parquet:"post,optional"`
		SynCount *float64 `parquet:"syn_count,optional"`
	}
	parquetCountRow struct {
		Pre      int64   `parquet:"pre"`
		Post     int64   `parquet:"post"`
		SynCount float64 `parquet:"syn_count"`
	}
)

// parquetEdges reads a Parquet edge list whose pre and post are required
// integer columns by column; any other layout gives nil edges (and no
// error), for textEdges to read.
func parquetEdges(path string, table *NeuronTable) ([]string, []rawEdge, []byte, error) {
	b, err := readInput(path, MaxArrayBytes)
	if err != nil {
		return nil, nil, nil, err
	}
	pf, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: not a complete Parquet file (%w)", path, err)
	}
	kinds := map[string]parquet.Field{}
	for _, f := range pf.Schema().Fields() {
		kinds[strings.ToLower(f.Name())] = f
	}
	optional := false // pyarrow (pandas) writes every column optional
	isInt := func(name string) bool {
		f, ok := kinds[name]
		if !ok || !f.Leaf() || f.Repeated() {
			return false
		}
		optional = optional || f.Optional()
		k := f.Type().Kind()
		return k == parquet.Int32 || k == parquet.Int64
	}
	isNum := func(name string) bool {
		if isInt(name) {
			return true
		}
		f, ok := kinds[name]
		if !ok || !f.Leaf() || f.Repeated() {
			return false
		}
		optional = optional || f.Optional()
		return f.Type().Kind() == parquet.Float || f.Type().Kind() == parquet.Double
	}
	// Field names must match the struct tags exactly (case included).
	exact := func(name string) bool { f, ok := kinds[name]; return ok && f.Name() == name }
	if !isInt("pre") || !isInt("post") || !exact("pre") || !exact("post") {
		return nil, nil, nil, nil
	}
	what := "weight"
	switch {
	case isNum("weight") && exact("weight"):
	case !hasKey(kinds, "weight") && isNum("syn_count") && exact("syn_count"):
		what = "syn_count"
	default:
		return nil, nil, nil, nil
	}
	if n := pf.NumRows(); n > MaxLevelEdges {
		return nil, nil, nil, fmt.Errorf("%s: %d edges; at most %d are supported (int32 indices)", path, n, MaxLevelEdges)
	}
	// The row count is the file's claim: room for it is made only as far as
	// the file's size makes it plausible (a damaged footer can claim 2^31).
	m := int(pf.NumRows())
	edges := make([]rawEdge, 0, min(m, len(b)))
	x := newInt64Index(path, table)
	add := func(row int, pre, post int64, w float64) error {
		i, err := x.of(pre, "row "+strconv.Itoa(row)+", column pre")
		if err != nil {
			return err
		}
		j, err := x.of(post, "row "+strconv.Itoa(row)+", column post")
		if err != nil {
			return err
		}
		if err := checkWeight(what, w); err != nil {
			return fmt.Errorf("%s: row %d, column %s: %w", path, row, what, err)
		}
		edges = append(edges, rawEdge{i, j, w})
		return nil
	}
	// A null (a missing value of an optional column) names its row.
	addOpt := func(row int, pre, post *int64, w *float64) error {
		for _, c := range []struct {
			name string
			null bool
		}{{"pre", pre == nil}, {"post", post == nil}, {what, w == nil}} {
			if c.null {
				return fmt.Errorf("%s: row %d, column %s: missing (null)", path, row, c.name)
			}
		}
		return add(row, *pre, *post, *w)
	}
	switch {
	case optional && what == "weight":
		err = readParquetRows(pf, func(row int, r parquetOptionalWeightRow) error { return addOpt(row, r.Pre, r.Post, r.Weight) })
	case optional:
		err = readParquetRows(pf, func(row int, r parquetOptionalCountRow) error { return addOpt(row, r.Pre, r.Post, r.SynCount) })
	case what == "weight" && kinds["weight"].Type().Kind() == parquet.Float && kinds["pre"].Type().Kind() == parquet.Int64 && kinds["post"].Type().Kind() == parquet.Int64:
		err = readParquetRows(pf, func(row int, r parquetWeight32Row) error { return add(row, r.Pre, r.Post, float64(r.Weight)) })
	case what == "weight":
		err = readParquetRows(pf, func(row int, r parquetWeightRow) error { return add(row, r.Pre, r.Post, r.Weight) })
	default:
		err = readParquetRows(pf, func(row int, r parquetCountRow) error { return add(row, r.Pre, r.Post, r.SynCount) })
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if len(edges) == 0 {
		return nil, nil, nil, fmt.Errorf("%s: a neuron edge list needs at least one edge", path)
	}
	return x.names.ids, edges, b, nil
}

func hasKey[V any](m map[string]V, k string) bool { _, ok := m[k]; return ok }

// readParquetRows calls f for every row (numbered from 1) of pf as T.
func readParquetRows[T any](pf *parquet.File, f func(row int, r T) error) error {
	r := parquet.NewGenericReader[T](pf)
	defer r.Close()
	buf := make([]T, 8192)
	row := 0
	for {
		got, err := r.Read(buf)
		for _, x := range buf[:got] {
			row++
			if ferr := f(row, x); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF || (err == nil && got == 0) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("row %d: %w", row+1, err)
		}
	}
}

// int64Index maps integer neuron ids to indices: a table's, else the order
// of first appearance.
type int64Index struct {
	names    *neuronIndex // ids as text: the table's, or those seen so far
	index    map[int64]int32
	identity bool // the table's ids are 0..n-1 in order: no map needed
}

func newInt64Index(path string, table *NeuronTable) *int64Index {
	x := &int64Index{names: newNeuronIndex(path, table), index: map[int64]int32{}}
	if table == nil {
		return x
	}
	x.identity = true
	for k, s := range table.IDs {
		if s != strconv.Itoa(k) {
			x.identity = false
			break
		}
	}
	if !x.identity {
		for k, s := range table.IDs {
			if v, err := strconv.ParseInt(s, 10, 64); err == nil && strconv.FormatInt(v, 10) == s {
				x.index[v] = int32(k)
			}
		}
	}
	return x
}

// of returns id's index; an id not seen yet goes through the text index
// (which adds it, or names it missing from the table).
func (x *int64Index) of(id int64, where string) (int32, error) {
	if x.identity {
		if id >= 0 && id < int64(len(x.names.ids)) {
			return int32(id), nil
		}
	} else if i, ok := x.index[id]; ok {
		return i, nil
	}
	i, err := x.names.of(strconv.FormatInt(id, 10), where)
	if err != nil {
		return 0, err
	}
	x.index[id] = int32(i)
	return int32(i), nil
}
