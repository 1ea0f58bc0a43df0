package connectome

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text tables: dense matrices (CSV, TSV or whitespace separated, optional
// header row and label column), edge lists, vectors, name lists and integer
// lists. Every error names the file and, for a bad cell, the line and the
// column (1-based field number) and shows the line. Input echoed in an
// error is clipped to 80 characters.

// tableRow is one record of a text table with its 1-based line number and
// the text of that line (for error messages).
type tableRow struct {
	line  int
	cells []string
	text  string
}

// shown is " (line N is "...")": the row's line, clipped, for an error.
func (r tableRow) shown() string {
	return fmt.Sprintf(" (line %d is %q)", r.line, clip(r.text, 80))
}

// checkTextBudget refuses a text file whose parsed table would take more
// than budget bytes: the text, about 32 bytes per cell (its string and its
// float64) and 16 per line.
func checkTextBudget(name string, b []byte, budget int64) error {
	var cells, lines int64
	in := false
	for _, c := range b {
		sep := c == ',' || c == '\t' || c == ' ' || c == '\n' || c == '\r'
		if !sep && !in {
			cells++
		}
		in = !sep
		if c == '\n' {
			lines++
		}
	}
	if est := int64(len(b)) + 32*cells + 16*lines; est > budget {
		return fmt.Errorf("%s: %d lines and about %d cells need about %s to read; at most %s is read", name, lines, cells, byteSize(est), byteSize(budget))
	}
	return nil
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
	if err := checkTextBudget(name, b, MaxArrayBytes); err != nil {
		return nil, 0, err
	}
	lines := strings.Split(string(b), "\n")
	lineText := func(k int) string {
		if k < 1 || k > len(lines) {
			return ""
		}
		return strings.TrimRight(lines[k-1], "\r")
	}
	delim := ' '
	for _, l := range lines {
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
		for i, l := range lines {
			t := strings.TrimSpace(l)
			if t == "" || t[0] == '#' {
				continue
			}
			rows = append(rows, tableRow{line: i + 1, cells: strings.Fields(t), text: lineText(i + 1)})
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
				return nil, 0, fmt.Errorf("%s: line %d, column %d: %v (line %d is %q)", name, pe.Line, pe.Column, pe.Err, pe.StartLine, clip(lineText(pe.StartLine), 80))
			}
			return nil, 0, fmt.Errorf("%s: %v", name, err)
		}
		line, _ := r.FieldPos(0)
		for k := range rec {
			rec[k] = strings.TrimSpace(rec[k])
		}
		rows = append(rows, tableRow{line: line, cells: rec, text: lineText(line)})
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

// parseCell parses cell col (1-based) of row r. Missing values become NaN
// when allowNaN, else they are an error; infinities and overflows are
// always errors.
func parseCell(name string, r tableRow, col int, s string, allowNaN bool) (float64, error) {
	if isMissing(s) {
		if allowNaN {
			return math.NaN(), nil
		}
		what := strconv.Quote(s)
		if s == "" {
			what = "an empty cell"
		}
		return 0, fmt.Errorf("%s: line %d, column %d: %s (missing value) is not allowed here; write 0 for an absent connection%s", name, r.line, col, what, r.shown())
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		if err == nil || errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("%s: line %d, column %d: %q is infinite or out of float64 range%s", name, r.line, col, clip(s, 80), r.shown())
		}
		return 0, fmt.Errorf("%s: line %d, column %d: cannot parse %q as a number%s", name, r.line, col, clip(s, 80), r.shown())
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
	headerRow *tableRow
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
	if isHeader {
		t.header = first
		t.headerRow = &rows[0]
		data = rows[1:]
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: a header row but no data rows%s", name, rows[0].shown())
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
			return nil, fmt.Errorf("%s: line %d has %d fields, expected %d like line %d (ragged rows)%s", name, r.line, len(r.cells), width, data[0].line, r.shown())
		}
	}
	t.nCols = width
	if t.labelCol {
		t.nCols--
		for _, r := range data {
			if r.cells[0] == "" {
				return nil, fmt.Errorf("%s: line %d, column 1: empty row label%s", name, r.line, r.shown())
			}
			t.labels = append(t.labels, r.cells[0])
		}
	}
	if t.header != nil {
		h := rows[0]
		switch {
		case len(t.header) == width && t.labelCol:
			t.header = t.header[1:] // drop the corner cell
		case len(t.header) == width:
		case len(t.header) == width-1 && t.labelCol:
			// R's write.table without the corner cell.
		default:
			return nil, fmt.Errorf("%s: header on line %d has %d fields, data rows have %d%s%s", name, h.line, len(t.header), width, h.shown(), t.headerNote())
		}
		for k, c := range t.header {
			if c == "" {
				return nil, fmt.Errorf("%s: line %d: empty column name for value column %d%s", name, h.line, k+1, h.shown())
			}
		}
	}
	t.rows = data
	t.firstLine = data[0].line
	return t, nil
}

// headerNote explains, when the header row has numbers in it, why it was
// taken for a header: most likely a typo in a row of numbers.
func (t *table) headerNote() string {
	h := t.headerRow
	if h == nil {
		return ""
	}
	numbers, text := 0, -1
	for k, c := range h.cells {
		if isNumeric(c) && c != "" {
			numbers++
		} else if k > 0 && text < 0 {
			text = k
		}
	}
	if numbers == 0 || text < 0 {
		return ""
	}
	return fmt.Sprintf("; line %d (%q) was taken for a header row because of %q in column %d: if it is a row of numbers, that cell is not a number",
		h.line, clip(h.text, 80), clip(h.cells[text], 80), text+1)
}

// labelNote explains, when the row labels include numbers, why the first
// column was taken for labels: most likely a typo in a number.
func (t *table) labelNote() string {
	if !t.labelCol {
		return ""
	}
	numbers := 0
	var first *tableRow
	for k, r := range t.rows {
		if isNumeric(r.cells[0]) {
			numbers++
		} else if first == nil {
			first = &t.rows[k]
		}
	}
	if numbers == 0 || first == nil {
		return ""
	}
	return fmt.Sprintf("; column 1 was taken for row labels because of %q on line %d (%q): if it is a column of numbers, that cell is not a number",
		clip(first.cells[0], 80), first.line, clip(first.text, 80))
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
			v, err := parseCell(name, r, j+off+1, r.cells[j+off], allowNaN)
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
				return nil, fmt.Errorf("%s: column name %d %q differs from row label %q on line %d; a connectivity matrix needs the same order for rows and columns", name, k+1, clip(t.header[k], 80), clip(t.labels[k], 80), t.rows[k].line)
			}
		}
		return t.header, nil
	case t.header != nil:
		return t.header, nil
	default:
		return t.labels, nil
	}
}

// Formats of a connectivity matrix file (the connectome_format setting).
const (
	// FormatAuto follows the extension: .npy and .csv/.tsv are matrices,
	// .edges/.edgelist edge lists. A .txt or any other file is read the
	// one way that works; when both work it is an error asking for the
	// format.
	FormatAuto   = "auto"
	FormatMatrix = "matrix" // a .npy array or a dense text table
	FormatEdges  = "edges"  // an edge list: source, target[, weight] per line
)

// Formats lists the formats ReadMatrixFileAs takes.
func Formats() []string { return []string{FormatAuto, FormatMatrix, FormatEdges} }

// ReadMatrixFile reads a square connectivity matrix (row = source region,
// column = target) and the region names when the file has them, in the
// format its extension says (ReadMatrixFileAs with FormatAuto).
func ReadMatrixFile(path string) (*Dense, []string, error) {
	return ReadMatrixFileAs(path, FormatAuto)
}

// ReadMatrixFileAs reads a square connectivity matrix in the given format
// ("" = FormatAuto): a .npy (2-D) or a dense text table for FormatMatrix,
// an edge list for FormatEdges, and for FormatAuto what the extension says
// (.npy, .csv and .tsv: matrix; .edges and .edgelist: edge list; anything
// else the one reading that works). A file that does not fit its format is
// an error showing the first offending line. Values must be finite: NaN,
// empty cells and Inf are errors.
func ReadMatrixFileAs(path, format string) (*Dense, []string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".parquet", ".lst", ".pkl", ".pickle", ".npz":
		return nil, nil, fmt.Errorf("%s: cannot read a connectivity matrix from a %s file (use .npy, .csv, .tsv, .txt or an .edges edge list)", path, ext)
	}
	if err := checkFormat(format); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	b, err := readInput(path, MaxArrayBytes)
	if err != nil {
		return nil, nil, err
	}
	return decodeMatrixFile(path, b, format)
}

// checkFormat accepts the names Formats lists and "".
func checkFormat(format string) error {
	switch format {
	case "", FormatAuto, FormatMatrix, FormatEdges:
		return nil
	}
	return fmt.Errorf("unknown connectome format %q (expected %s)", clip(format, 80), strings.Join(Formats(), ", "))
}

// decodeMatrixFile is ReadMatrixFileAs on the file's bytes.
func decodeMatrixFile(path string, b []byte, format string) (*Dense, []string, error) {
	if err := checkFormat(format); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	ext := strings.ToLower(filepath.Ext(path))
	isNPY := bytes.HasPrefix(b, []byte(npyMagic))
	if format == FormatEdges && isNPY {
		return nil, nil, fmt.Errorf("%s: a .npy array is a matrix, not an edge list (connectome_format is %s)", path, FormatEdges)
	}
	if format != FormatEdges && (ext == ".npy" || isNPY) {
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
	return decodeMatrixText(path, format, b)
}

// decodeMatrixText is ReadMatrixFileAs for text.
func decodeMatrixText(path, format string, b []byte) (*Dense, []string, error) {
	if err := checkFormat(format); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	rows, _, err := readRows(path, b)
	if err != nil {
		return nil, nil, err
	}
	switch format {
	case FormatMatrix:
		m, names, _, err := matrixText(path, rows)
		return m, names, err
	case FormatEdges:
		return edgeList(path, rows)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".tsv":
		m, names, _, err := matrixText(path, rows)
		if err != nil && edgeShaped(rows) {
			if _, _, eerr := edgeList(path, rows); eerr == nil {
				err = fmt.Errorf("%w; the file reads as an edge list: set connectome_format to %s (--format %s) or name it .edges", err, FormatEdges, FormatEdges)
			}
		}
		return m, names, err
	case ".edges", ".edgelist":
		m, names, err := edgeList(path, rows)
		if err != nil {
			if _, _, _, merr := matrixText(path, rows); merr == nil {
				err = fmt.Errorf("%w; the file reads as a matrix: set connectome_format to %s (--format %s) or name it .csv", err, FormatMatrix, FormatMatrix)
			}
		}
		return m, names, err
	}
	return guessText(path, rows)
}

// guessText reads a text file whose extension does not say its format: as
// the one of a matrix and an edge list that works. When both work, an edge
// header (source, target, ...) makes it an edge list and matching column
// names and row labels a matrix; otherwise it is an error asking for the
// format.
func guessText(path string, rows []tableRow) (*Dense, []string, error) {
	ask := fmt.Sprintf("set connectome_format to %s or %s (--format), or name the file .csv or .edges", FormatMatrix, FormatEdges)
	m, mNames, t, merr := matrixText(path, rows)
	if !edgeShaped(rows) {
		return m, mNames, merr
	}
	e, eNames, eerr := edgeList(path, rows)
	switch {
	case merr == nil && eerr == nil:
		if isEdgeHeader(rows[0].cells) {
			return e, eNames, nil
		}
		if t.header != nil && t.labels != nil {
			return m, mNames, nil
		}
		return nil, nil, fmt.Errorf("%s: both a %dx%d matrix and an edge list of %d edges (%d regions); %s",
			path, m.Rows, m.Cols, len(rows)-boolToInt(edgeHeaderRow(rows)), e.Rows, ask)
	case merr == nil:
		return m, mNames, nil
	case eerr == nil:
		return e, eNames, nil
	}
	strip := func(err error) string { return strings.TrimPrefix(err.Error(), path+": ") }
	return nil, nil, fmt.Errorf("%s: neither a square matrix (%s) nor an edge list (%s); if it is one, %s", path, strip(merr), strip(eerr), ask)
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// matrixText reads rows as a dense square matrix; t is the parsed table.
func matrixText(path string, rows []tableRow) (*Dense, []string, *table, error) {
	t, err := parseTable(path, rows)
	if err != nil {
		return nil, nil, nil, err
	}
	m, err := t.values(path, false)
	if err != nil {
		return nil, nil, nil, err
	}
	if m.Rows != m.Cols {
		return nil, nil, nil, fmt.Errorf("%s: expected a square connectivity matrix, got %d rows (lines %d-%d) and %d value columns%s%s",
			path, m.Rows, t.firstLine, t.rows[len(t.rows)-1].line, m.Cols, t.headerNote(), t.labelNote())
	}
	names, err := t.names(path)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := checkNames(path, names); err != nil {
		return nil, nil, nil, err
	}
	return m, names, t, nil
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
			return fmt.Errorf("%s: region name %q appears twice (positions %d and %d)", path, clip(n, 80), p+1, k+1)
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

// edgeShaped reports whether every row has the same 2 or 3 fields, the
// shape of an edge list.
func edgeShaped(rows []tableRow) bool {
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
	return true
}

// isEdgeHeader reports whether a row names edge-list columns.
func isEdgeHeader(cells []string) bool {
	return len(cells) >= 2 && edgeWords[strings.ToLower(cells[0])] && edgeWords[strings.ToLower(cells[1])]
}

// edgeHeaderRow reports whether the first row of an edge list is a header:
// it names edge columns (source, target, ...), or it has three cells none
// of which is a number (a first edge "0,1,x" is an edge with a bad weight,
// not a header).
func edgeHeaderRow(rows []tableRow) bool {
	h := rows[0].cells
	if isEdgeHeader(h) {
		return true
	}
	if len(h) != 3 {
		return false
	}
	for _, c := range h {
		if isNumeric(c) {
			return false
		}
	}
	return true
}

// isIndex reports whether s is a non-negative decimal integer written with
// digits only.
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
	return ReadMatrixFileAs(path, FormatEdges)
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
		return nil, nil, fmt.Errorf("%s: line %d: an edge list needs 2 or 3 fields (source, target[, weight]), found %d%s", path, rows[0].line, w, rows[0].shown())
	}
	data := rows
	if edgeHeaderRow(rows) {
		data = rows[1:]
	}
	if len(data) == 0 {
		return nil, nil, fmt.Errorf("%s: edge list has a header but no edges", path)
	}
	byName := false
	for _, r := range data {
		if len(r.cells) != w {
			return nil, nil, fmt.Errorf("%s: line %d has %d fields, expected %d like line %d%s", path, r.line, len(r.cells), w, data[0].line, r.shown())
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
				return 0, fmt.Errorf("%s: line %d, column %d: empty region name%s", path, r.line, col+1, r.shown())
			}
			k, ok := index[s]
			if !ok {
				if len(names) >= maxEdgeListRegions {
					return 0, fmt.Errorf("%s: line %d, column %d: more than %d regions; at most %d are supported%s", path, r.line, col+1, maxEdgeListRegions, maxEdgeListRegions, r.shown())
				}
				k = len(names)
				index[s] = k
				names = append(names, s)
			}
			return k, nil
		}
		k, err := strconv.Atoi(s)
		if !isIndex(s) || err != nil || k < 0 || k >= maxEdgeListRegions {
			return 0, fmt.Errorf("%s: line %d, column %d: region index %q is not in [0, %d) (indices are whole numbers from 0; names and indices cannot be mixed)%s", path, r.line, col+1, clip(s, 80), maxEdgeListRegions, r.shown())
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
			if wt, err = parseCell(path, r, 3, r.cells[2], false); err != nil {
				return nil, nil, err
			}
		}
		p := pair{i, j}
		if prev, ok := seen[p]; ok {
			return nil, nil, fmt.Errorf("%s: line %d: duplicate edge %s -> %s (first on line %d)%s", path, r.line, clip(r.cells[0], 80), clip(r.cells[1], 80), prev, r.shown())
		}
		seen[p] = r.line
		edges = append(edges, weighted{p, wt, r.line})
		n = max(n, i+1, j+1)
	}
	if byName {
		n = len(names)
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
	b, err := readInput(path, MaxArrayBytes)
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
		return nil, nil, fmt.Errorf("%s: expected one value per line, found %d value columns on line %d%s", path, t.nCols, t.firstLine, t.rows[0].shown())
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
	b, err := readInput(path, MaxArrayBytes)
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
	if err := checkTextBudget(path, b, MaxArrayBytes); err != nil {
		return nil, err
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
			return nil, fmt.Errorf("%s: line %d: region name %q already on line %d", path, k+1, clip(n, 80), p+1)
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
	b, err := readInput(path, MaxArrayBytes)
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
	if err := checkTextBudget(path, b, MaxArrayBytes); err != nil {
		return nil, err
	}
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
				return nil, fmt.Errorf("%s: line %d: %q is not an integer (expected one integer per line)", path, k+1, clip(t, 80))
			}
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no integers", path)
	}
	return out, nil
}
