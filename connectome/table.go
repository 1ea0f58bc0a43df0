package connectome

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text tables: dense matrices (CSV, TSV or whitespace separated, optional
// header row and label column), edge lists, vectors, name lists and integer
// lists. Every error names the file and, for a bad cell, the line and the
// column (1-based field number).

// tableRow is one record of a text table with its 1-based line number.
type tableRow struct {
	line  int
	cells []string
}

// readRows splits text into records. The delimiter is taken from the first
// line that is neither blank nor a '#' comment: a tab makes it TSV, else a
// comma makes it CSV (quotes allowed, as written by pandas or R), else cells
// are separated by runs of spaces. Blank lines and '#' comment lines are
// skipped everywhere.
func readRows(name string, b []byte) ([]tableRow, rune, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		return nil, 0, fmt.Errorf("%s: not UTF-8 text", name)
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return nil, 0, fmt.Errorf("%s: contains NUL bytes; not a text table", name)
	}
	delim := ' '
	for _, l := range strings.Split(string(b), "\n") {
		t := strings.TrimSpace(l)
		if t == "" || t[0] == '#' {
			continue
		}
		if strings.ContainsRune(l, '\t') {
			delim = '\t'
		} else if strings.ContainsRune(l, ',') {
			delim = ','
		}
		break
	}
	var rows []tableRow
	if delim == ' ' {
		for i, l := range strings.Split(string(b), "\n") {
			t := strings.TrimSpace(l)
			if t == "" || t[0] == '#' {
				continue
			}
			rows = append(rows, tableRow{line: i + 1, cells: strings.Fields(t)})
		}
		return rows, delim, nil
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = delim
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, 0, fmt.Errorf("%s: line %d, column %d: %v", name, pe.Line, pe.Column, pe.Err)
			}
			return nil, 0, fmt.Errorf("%s: %v", name, err)
		}
		line, _ := r.FieldPos(0)
		for k := range rec {
			rec[k] = strings.TrimSpace(rec[k])
		}
		rows = append(rows, tableRow{line: line, cells: rec})
	}
	return rows, delim, nil
}

// isMissing reports whether a cell means "not measured": empty, NaN in any
// case, or NA.
func isMissing(s string) bool {
	return s == "" || strings.EqualFold(s, "nan") || s == "NA"
}

// isNumeric reports whether a cell is a number or a missing-value marker; a
// row or column containing other text is a header or label.
func isNumeric(s string) bool {
	if isMissing(s) {
		return true
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil || errors.Is(err, strconv.ErrRange)
}

// parseCell parses one value. Missing values become NaN when allowNaN, else
// they are an error; infinities and overflows are always errors.
func parseCell(name string, line, col int, s string, allowNaN bool) (float64, error) {
	if isMissing(s) {
		if allowNaN {
			return math.NaN(), nil
		}
		what := strconv.Quote(s)
		if s == "" {
			what = "an empty cell"
		}
		return 0, fmt.Errorf("%s: line %d, column %d: %s (missing value) is not allowed here; write 0 for an absent connection", name, line, col, what)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		if err == nil || errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("%s: line %d, column %d: %q is infinite or out of float64 range", name, line, col, s)
		}
		return 0, fmt.Errorf("%s: line %d, column %d: cannot parse %q as a number", name, line, col, s)
	}
	return v, nil
}

// table is a parsed dense text table.
type table struct {
	header    []string // column names, nil when there is no header row
	labels    []string // row labels, nil when there is no label column
	rows      []tableRow
	labelCol  bool
	nCols     int // value columns
	firstLine int // line of the first data row
}

// parseTable splits rows into an optional header row, an optional label
// column and the value cells. A first row with any non-numeric cell after
// its first is a header; a first column with any non-numeric data cell is a
// label column (then every first cell is a label, so numeric area names
// like "10" work).
func parseTable(name string, rows []tableRow) (*table, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no data", name)
	}
	t := &table{}
	first := rows[0].cells
	isHeader := false
	if len(first) == 1 {
		isHeader = !isNumeric(first[0])
	} else {
		for _, c := range first[1:] {
			if !isNumeric(c) {
				isHeader = true
				break
			}
		}
	}
	data := rows
	headerLine := 0
	if isHeader {
		t.header = first
		headerLine = rows[0].line
		data = rows[1:]
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: a header row but no data rows", name)
	}
	for _, r := range data {
		if len(r.cells) > 1 && !isNumeric(r.cells[0]) {
			t.labelCol = true
			break
		}
	}
	width := len(data[0].cells)
	for _, r := range data {
		if len(r.cells) != width {
			return nil, fmt.Errorf("%s: line %d has %d fields, expected %d like line %d (ragged rows)", name, r.line, len(r.cells), width, data[0].line)
		}
	}
	t.nCols = width
	if t.labelCol {
		t.nCols--
		for _, r := range data {
			if r.cells[0] == "" {
				return nil, fmt.Errorf("%s: line %d, column 1: empty row label", name, r.line)
			}
			t.labels = append(t.labels, r.cells[0])
		}
	}
	if t.header != nil {
		switch {
		case len(t.header) == width && t.labelCol:
			t.header = t.header[1:] // drop the corner cell
		case len(t.header) == width:
		case len(t.header) == width-1 && t.labelCol:
			// R's write.table without the corner cell.
		default:
			return nil, fmt.Errorf("%s: header on line %d has %d fields, data rows have %d", name, headerLine, len(t.header), width)
		}
		for k, h := range t.header {
			if h == "" {
				return nil, fmt.Errorf("%s: line %d: empty column name for value column %d", name, headerLine, k+1)
			}
		}
	}
	t.rows = data
	t.firstLine = data[0].line
	return t, nil
}

// values parses the value cells into a row-major matrix.
func (t *table) values(name string, allowNaN bool) (*Dense, error) {
	m := NewDense(len(t.rows), t.nCols)
	off := 0
	if t.labelCol {
		off = 1
	}
	for i, r := range t.rows {
		for j := 0; j < t.nCols; j++ {
			v, err := parseCell(name, r.line, j+off+1, r.cells[j+off], allowNaN)
			if err != nil {
				return nil, err
			}
			m.Data[i*t.nCols+j] = v
		}
	}
	return m, nil
}

// names returns the region names of a square table: the header, the
// labels, or both (then they must agree); nil when there are none.
func (t *table) names(name string) ([]string, error) {
	switch {
	case t.header != nil && t.labels != nil:
		for k := range t.header {
			if t.header[k] != t.labels[k] {
				return nil, fmt.Errorf("%s: column name %d %q differs from row label %q on line %d; a connectivity matrix needs the same order for rows and columns", name, k+1, t.header[k], t.labels[k], t.rows[k].line)
			}
		}
		return t.header, nil
	case t.header != nil:
		return t.header, nil
	default:
		return t.labels, nil
	}
}

// ReadMatrixFile reads a square connectivity matrix (row = source region,
// column = target) and the region names when the file has them. The reader
// is chosen by extension: .npy (2-D), .edges/.edgelist (edge list), anything
// else a text table (.csv, .tsv, .txt ...), which is read as an edge list
// when it has 2 or 3 columns and looks like one (see looksLikeEdgeList).
// Values must be finite: NaN, empty cells and Inf are errors.
func ReadMatrixFile(path string) (*Dense, []string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".parquet", ".lst", ".pkl", ".pickle", ".npz":
		return nil, nil, fmt.Errorf("%s: cannot read a connectivity matrix from a %s file (use .npy, .csv, .tsv, .txt or an .edges edge list)", path, ext)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return decodeMatrixFile(path, b)
}

// decodeMatrixFile is ReadMatrixFile on the file's bytes.
func decodeMatrixFile(path string, b []byte) (*Dense, []string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".npy" || bytes.HasPrefix(b, []byte(npyMagic)) {
		a, err := decodeNPY(path, b)
		if err != nil {
			return nil, nil, err
		}
		m, err := a.Matrix()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", path, err)
		}
		if err := checkMatrix(path, m); err != nil {
			return nil, nil, err
		}
		return m, nil, nil
	}
	return decodeMatrixText(path, ext == ".edges" || ext == ".edgelist", b)
}

// decodeMatrixText is ReadMatrixFile for text; edges forces an edge list.
func decodeMatrixText(path string, edges bool, b []byte) (*Dense, []string, error) {
	rows, _, err := readRows(path, b)
	if err != nil {
		return nil, nil, err
	}
	if edges || looksLikeEdgeList(rows) {
		return edgeList(path, rows)
	}
	t, err := parseTable(path, rows)
	if err != nil {
		return nil, nil, err
	}
	m, err := t.values(path, false)
	if err != nil {
		return nil, nil, err
	}
	if m.Rows != m.Cols {
		return nil, nil, fmt.Errorf("%s: expected a square connectivity matrix, got %d rows (lines %d-%d) and %d value columns", path, m.Rows, t.firstLine, t.rows[len(t.rows)-1].line, m.Cols)
	}
	names, err := t.names(path)
	if err != nil {
		return nil, nil, err
	}
	if err := checkNames(path, names); err != nil {
		return nil, nil, err
	}
	return m, names, nil
}

// checkMatrix requires a square matrix of finite values.
func checkMatrix(path string, m *Dense) error {
	if m.Rows != m.Cols {
		return fmt.Errorf("%s: expected a square connectivity matrix, got %dx%d", path, m.Rows, m.Cols)
	}
	for k, v := range m.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: element (%d, %d) is %v; a connectivity matrix needs finite values", path, k/m.Cols, k%m.Cols, v)
		}
	}
	return nil
}

// checkNames rejects empty and duplicate region names.
func checkNames(path string, names []string) error {
	seen := make(map[string]int, len(names))
	for k, n := range names {
		if n == "" {
			return fmt.Errorf("%s: region name %d is empty", path, k+1)
		}
		if p, ok := seen[n]; ok {
			return fmt.Errorf("%s: region name %q appears twice (positions %d and %d)", path, n, p+1, k+1)
		}
		seen[n] = k
	}
	return nil
}

// edgeWords are header cells that mark an edge list.
var edgeWords = map[string]bool{
	"source": true, "target": true, "from": true, "to": true, "src": true, "dst": true,
	"pre": true, "post": true, "weight": true, "i": true, "j": true,
}

// looksLikeEdgeList decides whether a text table with 2 or 3 fields per row
// is an edge list rather than a dense matrix: its header names edge columns
// (source/target/weight, from/to, ...), or some row has names in both of its
// first two cells (a dense matrix has text only in its label column), or
// sources and targets are all non-negative integers and the row count does
// not make a square matrix. A 3x3 (or 2x2) table of integers stays a dense
// matrix; use the .edges extension to force an edge list.
func looksLikeEdgeList(rows []tableRow) bool {
	if len(rows) == 0 {
		return false
	}
	w := len(rows[0].cells)
	if w != 2 && w != 3 {
		return false
	}
	for _, r := range rows {
		if len(r.cells) != w {
			return false
		}
	}
	if isEdgeHeader(rows[0].cells) {
		return true
	}
	data := rows
	if hasHeaderRow(rows) {
		data = rows[1:]
	}
	if len(data) == 0 {
		return false
	}
	ints := true
	for _, r := range data {
		if !isNumeric(r.cells[0]) && !isNumeric(r.cells[1]) {
			return true
		}
		if !isIndex(r.cells[0]) || !isIndex(r.cells[1]) {
			ints = false
		}
	}
	return ints && len(data) != w
}

// hasHeaderRow reports whether the first of 2- or 3-field rows is a header:
// with 3 fields, a non-numeric last cell (a weight column name, or a dense
// 2x2 matrix's column names); with 2 fields, text in the first row while
// every later row is numeric.
func hasHeaderRow(rows []tableRow) bool {
	first := rows[0].cells
	if len(first) == 3 {
		return !isNumeric(first[2])
	}
	if len(rows) < 2 || (isNumeric(first[0]) && isNumeric(first[1])) {
		return false
	}
	for _, r := range rows[1:] {
		for _, c := range r.cells {
			if !isNumeric(c) {
				return false
			}
		}
	}
	return true
}

// isEdgeHeader reports whether a row names edge-list columns.
func isEdgeHeader(cells []string) bool {
	return len(cells) >= 2 && edgeWords[strings.ToLower(cells[0])] && edgeWords[strings.ToLower(cells[1])]
}

// isIndex reports whether s is a non-negative decimal integer.
func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ReadEdgeList reads an edge list file: one edge per line as source, target
// and an optional weight (1 when absent), separated by commas, tabs or
// spaces, with an optional header row. Sources and targets are either all
// region names (regions are numbered in order of first appearance) or all
// 0-based indices (the matrix size is the largest index + 1). Duplicate
// edges are an error; self-loops are allowed.
func ReadEdgeList(path string) (*Dense, []string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return decodeMatrixText(path, true, b)
}

// maxEdgeListRegions bounds the matrix an edge list may declare, so one
// line "0 99999999 1" cannot allocate a huge dense matrix. Area-level
// connectomes have at most a few thousand regions; 4096 regions make a
// 128 MiB matrix.
const maxEdgeListRegions = 1 << 12

// edgeList builds the matrix from parsed rows.
func edgeList(path string, rows []tableRow) (*Dense, []string, error) {
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("%s: empty edge list", path)
	}
	w := len(rows[0].cells)
	if w != 2 && w != 3 {
		return nil, nil, fmt.Errorf("%s: line %d: an edge list needs 2 or 3 fields (source, target[, weight]), found %d", path, rows[0].line, w)
	}
	data := rows
	// A header row: known edge words, or a non-numeric weight cell.
	if h := rows[0].cells; isEdgeHeader(h) || (w == 3 && !isNumeric(h[2])) {
		data = rows[1:]
	}
	if len(data) == 0 {
		return nil, nil, fmt.Errorf("%s: edge list has a header but no edges", path)
	}
	byName := false
	for _, r := range data {
		if len(r.cells) != w {
			return nil, nil, fmt.Errorf("%s: line %d has %d fields, expected %d like line %d", path, r.line, len(r.cells), w, data[0].line)
		}
		if !isNumeric(r.cells[0]) || !isNumeric(r.cells[1]) {
			byName = true // any name makes every cell a name ("10" is a macaque area)
		}
	}
	type pair struct{ i, j int }
	type weighted struct {
		pair
		w    float64
		line int
	}
	var names []string
	index := map[string]int{}
	id := func(r tableRow, col int) (int, error) {
		s := r.cells[col]
		if byName {
			if s == "" {
				return 0, fmt.Errorf("%s: line %d, column %d: empty region name", path, r.line, col+1)
			}
			k, ok := index[s]
			if !ok {
				k = len(names)
				index[s] = k
				names = append(names, s)
			}
			return k, nil
		}
		k, err := strconv.Atoi(s)
		if err != nil || k >= maxEdgeListRegions {
			return 0, fmt.Errorf("%s: line %d, column %d: region index %q is not in [0, %d)", path, r.line, col+1, s, maxEdgeListRegions)
		}
		return k, nil
	}
	edges := make([]weighted, 0, len(data))
	seen := map[pair]int{}
	n := 0
	for _, r := range data {
		i, err := id(r, 0)
		if err != nil {
			return nil, nil, err
		}
		j, err := id(r, 1)
		if err != nil {
			return nil, nil, err
		}
		wt := 1.0
		if w == 3 {
			if wt, err = parseCell(path, r.line, 3, r.cells[2], false); err != nil {
				return nil, nil, err
			}
		}
		p := pair{i, j}
		if prev, ok := seen[p]; ok {
			return nil, nil, fmt.Errorf("%s: line %d: duplicate edge %s -> %s (first on line %d)", path, r.line, r.cells[0], r.cells[1], prev)
		}
		seen[p] = r.line
		edges = append(edges, weighted{p, wt, r.line})
		n = max(n, i+1, j+1)
	}
	if byName {
		n = len(names)
		if n > maxEdgeListRegions {
			return nil, nil, fmt.Errorf("%s: %d regions; at most %d are supported", path, n, maxEdgeListRegions)
		}
	}
	m := NewDense(n, n)
	for _, e := range edges {
		m.Set(e.i, e.j, e.w)
	}
	return m, names, nil
}

// ReadVectorFile reads one value per region (e.g. neuron densities) from a
// 1-D .npy or a text file with one value per line (optionally a label column
// and a header). Missing values (NaN, nan, NA or empty) are kept as NaN;
// names are returned when the file has labels.
func ReadVectorFile(path string) ([]float64, []string, error) {
	if strings.EqualFold(filepath.Ext(path), ".npy") {
		a, err := ReadNPY(path)
		if err != nil {
			return nil, nil, err
		}
		if len(a.Shape) != 1 {
			return nil, nil, fmt.Errorf("%s: expected a 1-D array, got shape %s", path, shapeString(a.Shape))
		}
		return a.Data, nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	rows, _, err := readRows(path, b)
	if err != nil {
		return nil, nil, err
	}
	t, err := parseTable(path, rows)
	if err != nil {
		return nil, nil, err
	}
	if t.nCols != 1 {
		return nil, nil, fmt.Errorf("%s: expected one value per line, found %d value columns on line %d", path, t.nCols, t.firstLine)
	}
	m, err := t.values(path, true)
	if err != nil {
		return nil, nil, err
	}
	if err := checkNames(path, t.labels); err != nil {
		return nil, nil, err
	}
	return m.Data, t.labels, nil
}

// ReadNamesFile reads region names: a pickled list of str (.lst, bio2art's
// format, read without executing anything) or UTF-8 text with one name per
// line (surrounding spaces trimmed, a trailing blank line allowed). Empty
// names in the middle and duplicates are errors.
func ReadNamesFile(path string) ([]string, error) {
	if strings.EqualFold(filepath.Ext(path), ".lst") {
		names, err := ReadPickleNames(path)
		if err != nil {
			return nil, err
		}
		if err := checkNames(path, names); err != nil {
			return nil, err
		}
		return names, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseNames(path, b)
}

// parseNames parses a one-name-per-line text file.
func parseNames(path string, b []byte) ([]string, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%s: names file is not UTF-8 text", path)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\r\n\t "), "\n")
	if len(lines) == 1 && strings.TrimSpace(lines[0]) == "" {
		return nil, fmt.Errorf("%s: no names", path)
	}
	names := make([]string, len(lines))
	seen := make(map[string]int, len(lines))
	for k, l := range lines {
		n := strings.TrimSpace(l)
		if n == "" {
			return nil, fmt.Errorf("%s: line %d: empty region name", path, k+1)
		}
		if strings.ContainsRune(n, 0) {
			return nil, fmt.Errorf("%s: line %d: NUL byte in a region name", path, k+1)
		}
		if p, ok := seen[n]; ok {
			return nil, fmt.Errorf("%s: line %d: region name %q already on line %d", path, k+1, n, p+1)
		}
		seen[n] = k
		names[k] = n
	}
	return names, nil
}

// ReadIntsFile reads a list of integers (e.g. neurons per region for
// --neurons-file): a 1-D .npy of an integer dtype (or floats with integral
// values), or text with one integer per line (blank lines and '#' comments
// skipped).
func ReadIntsFile(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(filepath.Ext(path), ".npy") || bytes.HasPrefix(b, []byte(npyMagic)) {
		return npyInts(path, b)
	}
	return parseInts(path, b)
}

// npyInts converts a 1-D .npy of integers exactly (no float64 round trip).
func npyInts(path string, b []byte) ([]int, error) {
	f, err := parseNPY(path, b)
	if err != nil {
		return nil, err
	}
	if len(f.shape) != 1 {
		return nil, fmt.Errorf("%s: expected a 1-D array of integers, got shape %s", path, shapeString(f.shape))
	}
	out := make([]int, f.n)
	s := f.dtype.size
	for k := range out {
		p := f.raw[k*s : k*s+s]
		switch f.dtype.kind {
		case 'i':
			out[k] = int(f.int(p))
		case 'u':
			u := f.uint(p)
			if u > math.MaxInt64 {
				return nil, fmt.Errorf("%s: element %d = %d does not fit an int", path, k, u)
			}
			out[k] = int(u)
		case 'b':
			if p[0] != 0 {
				out[k] = 1
			}
		default:
			v := f.float(k)
			if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
				return nil, fmt.Errorf("%s: element %d = %v is not an integer (dtype %s)", path, k, v, f.descr)
			}
			out[k] = int(v)
		}
	}
	return out, nil
}

// parseInts parses one integer per line.
func parseInts(path string, b []byte) ([]int, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var out []int
	for k, l := range strings.Split(string(b), "\n") {
		t := strings.TrimSpace(l)
		if t == "" || t[0] == '#' {
			continue
		}
		v, err := strconv.Atoi(t)
		if err != nil {
			if f, ferr := strconv.ParseFloat(t, 64); ferr == nil && f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
				v = int(f) // "100.0" as written by some tools
			} else {
				return nil, fmt.Errorf("%s: line %d: %q is not an integer (expected one integer per line)", path, k+1, clip(t, 40))
			}
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no integers", path)
	}
	return out, nil
}
