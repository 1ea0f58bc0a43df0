package capi

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/biornn/biornn/rnn/results"
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

// Column is one column of a results table. Exactly one of the value slices
// is used, by Type; Valid[i] is false for a null (missing) cell.
type Column struct {
	Name    string
	Type    ColType
	Float64 []float64
	Int64   []int64 // ColInt64 and ColTimestamp
	Bool    []bool
	String  []string
	Valid   []bool
}

// Table is a results table ("runs" or "epochs"), in the dataset's column
// order.
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

// OpenResults reads the results folder dir with the project's one reader
// (results.ReadTables: the runs and epochs tables, complete runs only) and
// keeps its columns in memory.
func OpenResults(dir string) (*Results, error) {
	const where = "biornn_results_open"
	if dir == "" {
		return nil, errorf(ErrInvalid, "%s: empty results folder name", where)
	}
	tables, err := results.ReadTables(dir)
	if err != nil {
		return nil, errorf(ErrIO, "%s: %v", where, err)
	}
	res := &Results{Dir: dir}
	for _, tab := range tables {
		t := &Table{Name: tab.Name, Rows: len(tab.Rows), byName: map[string]*Column{}}
		for k, name := range tab.Columns {
			c := &Column{Name: name, Valid: make([]bool, len(tab.Rows))}
			for i, row := range tab.Rows {
				c.Valid[i] = tab.Null == nil || !tab.Null[i][k] // a null keeps a value of the column's type
				switch v := row[k].(type) {
				case string:
					c.Type, c.String = ColString, append(c.String, v)
				case int64:
					c.Type, c.Int64 = ColInt64, append(c.Int64, v)
				case float64:
					c.Type, c.Float64 = ColFloat64, append(c.Float64, v)
				case bool:
					c.Type, c.Bool = ColBool, append(c.Bool, v)
				case time.Time:
					c.Type, c.Int64 = ColTimestamp, append(c.Int64, v.UnixMicro())
				default:
					return nil, errorf(ErrInternal, "%s: column %s holds %T", where, name, v)
				}
			}
			t.byName[name] = c
			t.Columns = append(t.Columns, c)
		}
		res.Tables = append(res.Tables, t)
	}
	return res, nil
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
