package capi

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// ColType is a results column's type code (BIORNN_COL_* in biornn.h).
type ColType int32

const (
	ColFloat64   ColType = 1 // FLOAT or DOUBLE
	ColInt64     ColType = 2 // INT32 or INT64
	ColBool      ColType = 3
	ColString    ColType = 4 // BYTE_ARRAY
	ColTimestamp ColType = 5 // INT64 microseconds since 1970-01-01 UTC
)

// Column is one column of a table read back from Parquet. Exactly one of the
// value slices is used, by Type; Valid[i] is false for a null (missing) cell.
type Column struct {
	Name    string
	Type    ColType
	Float64 []float64
	Int64   []int64 // ColInt64 and ColTimestamp
	Bool    []bool
	String  []string
	Valid   []bool
}

// Table is a results table (for example "runs" or "epochs"): every Parquet
// file of that table concatenated in path order, columns in order of first
// appearance; a column missing from one file is null in its rows.
type Table struct {
	Name    string
	Rows    int
	Columns []*Column
	byName  map[string]*Column
}

// Results is a results folder loaded into memory, so that languages without a
// Parquet reader (R without arrow) get plain columns through the C API.
type Results struct {
	Dir    string
	Tables []*Table
}

// OpenResults reads every *.parquet file under dir. A file in a sub-folder
// belongs to the table named by the first path component (dir/runs/x.parquet
// is table "runs", including Hive-style dir/runs/k=v/x.parquet); a file
// directly in dir belongs to the table named by its base name up to the first
// '.', '-' or '_' after the first letter (runs.parquet, runs-<id>.parquet).
// Hidden files and names starting with '_' or ending in .tmp are skipped,
// so half-written files are never read.
func OpenResults(dir string) (*Results, error) {
	const where = "biornn_results_open"
	if dir == "" {
		return nil, errorf(ErrInvalid, "%s: empty results folder name", where)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, errorf(ErrIO, "%s: results folder %s: %v", where, dir, err)
	}
	if !st.IsDir() {
		return nil, errorf(ErrIO, "%s: %s is not a folder", where, dir)
	}
	var files []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		base := d.Name()
		if path != dir && (strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(base, ".parquet") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, errorf(ErrIO, "%s: reading folder %s: %v", where, dir, err)
	}
	if len(files) == 0 {
		return nil, errorf(ErrIO, "%s: no .parquet files under %s", where, dir)
	}
	sort.Strings(files)
	res := &Results{Dir: dir}
	tables := map[string]*Table{}
	for _, path := range files {
		rel, _ := filepath.Rel(dir, path)
		name := tableName(rel)
		t := tables[name]
		if t == nil {
			t = &Table{Name: name, byName: map[string]*Column{}}
			tables[name] = t
			res.Tables = append(res.Tables, t)
		}
		if err := t.appendFile(path); err != nil {
			return nil, err
		}
	}
	sort.Slice(res.Tables, func(i, j int) bool { return res.Tables[i].Name < res.Tables[j].Name })
	return res, nil
}

func tableName(rel string) string {
	parts := strings.Split(filepath.ToSlash(rel), "/")
	if len(parts) > 1 {
		return parts[0]
	}
	base := strings.TrimSuffix(parts[0], ".parquet")
	if i := strings.IndexAny(base[1:], ".-_"); i >= 0 {
		return base[:i+1]
	}
	return base
}

// Table returns the table called name.
func (r *Results) Table(name string) (*Table, error) {
	for _, t := range r.Tables {
		if t.Name == name {
			return t, nil
		}
	}
	var names []string
	for _, t := range r.Tables {
		names = append(names, t.Name)
	}
	return nil, errorf(ErrInvalid, "results %s: no table %q (tables: %s)", r.Dir, name, strings.Join(names, ", "))
}

// TableNames lists the tables in name order.
func (r *Results) TableNames() []string {
	var names []string
	for _, t := range r.Tables {
		names = append(names, t.Name)
	}
	return names
}

// Column returns the column called name.
func (t *Table) Column(name string) (*Column, error) {
	if c := t.byName[name]; c != nil {
		return c, nil
	}
	return nil, errorf(ErrInvalid, "results table %q: no column %q", t.Name, name)
}

// ColumnNames lists the columns in order.
func (t *Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// leafType maps a Parquet leaf to a column type.
func leafType(node parquet.Node) (ColType, error) {
	typ := node.Type()
	lt := typ.LogicalType()
	switch typ.Kind() {
	case parquet.Boolean:
		return ColBool, nil
	case parquet.Int32:
		return ColInt64, nil
	case parquet.Int64:
		if lt != nil {
			if _, ok := lt.Value.(*format.TimestampType); ok {
				return ColTimestamp, nil
			}
		}
		return ColInt64, nil
	case parquet.Float, parquet.Double:
		return ColFloat64, nil
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return ColString, nil
	}
	return 0, fmt.Errorf("unsupported Parquet type %v", typ)
}

// micros returns the factor converting a timestamp leaf's unit to microseconds
// (as a multiplier > 0, or a divisor < 0).
func micros(node parquet.Node) int64 {
	lt := node.Type().LogicalType()
	if lt == nil {
		return 1
	}
	ts, ok := lt.Value.(*format.TimestampType)
	if !ok {
		return 1
	}
	switch ts.Unit.Value.(type) {
	case *format.MilliSeconds:
		return 1000
	case *format.NanoSeconds:
		return -1000
	}
	return 1
}

// appendFile adds the rows of one Parquet file.
func (t *Table) appendFile(path string) (err error) {
	const where = "biornn_results_open"
	f, err := os.Open(path)
	if err != nil {
		return errorf(ErrIO, "%s: %v", where, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return errorf(ErrIO, "%s: %v", where, err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return errorf(ErrIO, "%s: %s: not a readable Parquet file: %v", where, path, err)
	}
	schema := pf.Schema()
	paths := schema.Columns()
	cols := make([]*Column, len(paths))
	scale := make([]int64, len(paths))
	for _, p := range paths {
		leaf, ok := schema.Lookup(p...)
		if !ok || len(p) != 1 || leaf.MaxRepetitionLevel > 0 {
			return errorf(ErrIO, "%s: %s: column %s is nested; results tables must be flat", where, path, strings.Join(p, "."))
		}
		typ, err := leafType(leaf.Node)
		if err != nil {
			return errorf(ErrIO, "%s: %s: column %s: %v", where, path, p[0], err)
		}
		c, err := t.column(p[0], typ)
		if err != nil {
			return errorf(ErrIO, "%s: %s: %v", where, path, err)
		}
		cols[leaf.ColumnIndex] = c
		scale[leaf.ColumnIndex] = micros(leaf.Node)
	}
	// Catch a misbehaving reader as an error, never a crash of the host.
	defer func() {
		if r := recover(); r != nil {
			err = errorf(ErrIO, "%s: %s: reading failed: %v", where, path, r)
		}
	}()
	reader := parquet.NewReader(pf)
	defer reader.Close()
	buf := make([]parquet.Row, 256)
	for {
		n, rerr := reader.ReadRows(buf)
		for _, row := range buf[:n] {
			for _, c := range t.Columns {
				c.appendNull()
			}
			for _, v := range row {
				ci := v.Column()
				if ci < 0 || ci >= len(cols) || v.IsNull() {
					continue
				}
				cols[ci].set(t.Rows, v, scale[ci])
			}
			t.Rows++
		}
		if rerr != nil {
			if errors.Is(rerr, io.EOF) {
				break
			}
			return errorf(ErrIO, "%s: %s: %v", where, path, rerr)
		}
		if n == 0 {
			break
		}
	}
	return nil
}

// column returns the table's column name, creating it (null in earlier rows)
// or widening int64 to float64 when files disagree.
func (t *Table) column(name string, typ ColType) (*Column, error) {
	c := t.byName[name]
	if c == nil {
		c = &Column{Name: name, Type: typ}
		for i := 0; i < t.Rows; i++ {
			c.appendNull()
		}
		t.byName[name] = c
		t.Columns = append(t.Columns, c)
		return c, nil
	}
	if c.Type == typ {
		return c, nil
	}
	if c.Type == ColInt64 && typ == ColFloat64 {
		c.Float64 = make([]float64, len(c.Int64))
		for i, v := range c.Int64 {
			c.Float64[i] = float64(v)
		}
		c.Int64, c.Type = nil, ColFloat64
		return c, nil
	}
	if c.Type == ColFloat64 && typ == ColInt64 {
		return c, nil // set converts
	}
	return nil, fmt.Errorf("column %q has type %d here but %d in an earlier file", name, typ, c.Type)
}

func (c *Column) appendNull() {
	c.Valid = append(c.Valid, false)
	switch c.Type {
	case ColFloat64:
		c.Float64 = append(c.Float64, math.NaN())
	case ColInt64, ColTimestamp:
		c.Int64 = append(c.Int64, 0)
	case ColBool:
		c.Bool = append(c.Bool, false)
	case ColString:
		c.String = append(c.String, "")
	}
}

func (c *Column) set(row int, v parquet.Value, scale int64) {
	c.Valid[row] = true
	switch c.Type {
	case ColFloat64:
		switch v.Kind() {
		case parquet.Float:
			c.Float64[row] = float64(v.Float())
		case parquet.Int32:
			c.Float64[row] = float64(v.Int32())
		case parquet.Int64:
			c.Float64[row] = float64(v.Int64())
		default:
			c.Float64[row] = v.Double()
		}
	case ColInt64:
		if v.Kind() == parquet.Int32 {
			c.Int64[row] = int64(v.Int32())
		} else {
			c.Int64[row] = v.Int64()
		}
	case ColTimestamp:
		x := v.Int64()
		if scale > 0 {
			x *= scale
		} else {
			x /= -scale
		}
		c.Int64[row] = x
	case ColBool:
		c.Bool[row] = v.Boolean()
	case ColString:
		c.String[row] = string(v.ByteArray())
	}
}

// NewResultsHandle opens dir and registers it.
func NewResultsHandle(dir string) (Handle, error) {
	r, err := OpenResults(dir)
	if err != nil {
		return 0, err
	}
	return register(r), nil
}

// WithResults runs fn on the results behind h.
func WithResults(where string, h Handle, fn func(*Results) error) error {
	return with(where, h, fn)
}

// WithColumn runs fn on column col of table tab of the results behind h.
func WithColumn(where string, h Handle, tab, col string, fn func(*Table, *Column) error) error {
	return with(where, h, func(r *Results) error {
		t, err := r.Table(tab)
		if err != nil {
			return wrap(ErrInvalid, fmt.Errorf("%s: %w", where, err))
		}
		c, err := t.Column(col)
		if err != nil {
			return errorf(ErrInvalid, "%s: %v", where, err)
		}
		return fn(t, c)
	})
}

// ColumnFloat64 copies any non-string column into dst as float64 (booleans
// as 0/1, timestamps as microseconds, nulls as NaN).
func ColumnFloat64(where string, c *Column, dst []float64) error {
	switch c.Type {
	case ColFloat64:
		copy(dst, c.Float64)
		return nil
	case ColInt64, ColTimestamp:
		for i, v := range c.Int64 {
			dst[i] = float64(v)
		}
	case ColBool:
		fromBools(dst, c.Bool)
	default:
		return errorf(ErrInvalid, "%s: column %q holds strings, not numbers", where, c.Name)
	}
	for i, ok := range c.Valid {
		if !ok {
			dst[i] = math.NaN()
		}
	}
	return nil
}

// ColumnInt64 copies an integer, timestamp or boolean column into dst (nulls
// as 0: see the valid mask).
func ColumnInt64(where string, c *Column, dst []int64) error {
	switch c.Type {
	case ColInt64, ColTimestamp:
		copy(dst, c.Int64)
	case ColBool:
		fromBools(dst, c.Bool)
	default:
		return errorf(ErrInvalid, "%s: column %q has type %d; int64 reads need an integer, timestamp or boolean column", where, c.Name, c.Type)
	}
	return nil
}

// ColumnValid writes the column's valid mask into dst: 1 where a value is
// present, 0 where it is null.
func ColumnValid(c *Column, dst []uint8) {
	fromBools(dst, c.Valid)
}

// fromBools writes v into dst as 1 (true) and 0 (false), the form booleans
// take in the caller's numeric buffers.
func fromBools[T float64 | int64 | uint8](dst []T, v []bool) {
	for i, b := range v {
		dst[i] = 0
		if b {
			dst[i] = 1
		}
	}
}
