package results

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"sync"
	"time"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results/recordfile"
	"github.com/parquet-go/parquet-go"
)

// The runs table's layout is owned here: run_id and status, then one column
// per setting of rnn.Settings named by its key, then the provenance and
// metric columns below. Every reader of a results folder (report, resume,
// the C API) goes through Read.

// column is a runs-table column that is not a setting.
type column struct {
	name string
	typ  reflect.Type // string, int64, float64, bool or time.Time
	get  func(*RunRow) any
	set  func(*RunRow, any) bool // from the value the reader returns; false = wrong type
	// absent fills the row when a file written before the column existed
	// lacks it; nil = every runs file has the column.
	absent func(*RunRow)
}

var (
	stringType = reflect.TypeFor[string]()
	int64Type  = reflect.TypeFor[int64]()
	floatType  = reflect.TypeFor[float64]()
	boolType   = reflect.TypeFor[bool]()
	timeType   = reflect.TypeFor[time.Time]()
)

func strCol(name string, f func(*RunRow) *string) column {
	return column{name, stringType, func(r *RunRow) any { return *f(r) },
		func(r *RunRow, v any) (ok bool) { *f(r), ok = v.(string); return }, nil}
}

func intCol(name string, f func(*RunRow) *int64) column {
	return column{name, int64Type, func(r *RunRow) any { return *f(r) },
		func(r *RunRow, v any) (ok bool) { *f(r), ok = v.(int64); return }, nil}
}

func floatCol(name string, f func(*RunRow) *float64) column {
	return column{name, floatType, func(r *RunRow) any { return *f(r) },
		func(r *RunRow, v any) (ok bool) { *f(r), ok = v.(float64); return }, nil}
}

// laterFloat is a float column added later: NaN in older files.
func laterFloat(name string, f func(*RunRow) *float64) column {
	c := floatCol(name, f)
	c.absent = func(r *RunRow) { *f(r) = math.NaN() }
	return c
}

// laterBool is a bool column added later: false in older files.
func laterBool(name string, f func(*RunRow) *bool) column {
	return column{name, boolType, func(r *RunRow) any { return *f(r) },
		func(r *RunRow, v any) (ok bool) { *f(r), ok = v.(bool); return },
		func(r *RunRow) { *f(r) = false }}
}

var runColumns = []column{
	strCol("run_id", func(r *RunRow) *string { return &r.RunID }),
	strCol("status", func(r *RunRow) *string { return &r.Status }),
	strCol("connectome_name", func(r *RunRow) *string { return &r.ConnectomeName }),
	strCol("connectome_sha256", func(r *RunRow) *string { return &r.ConnectomeSHA256 }),
	strCol("connectome_source", func(r *RunRow) *string { return &r.ConnectomeSource }),
	strCol("kernel_set", func(r *RunRow) *string { return &r.KernelSet }),
	strCol("path_used", func(r *RunRow) *string { return &r.PathUsed }),
	intCol("neurons", func(r *RunRow) *int64 { return &r.Neurons }),
	intCol("connections", func(r *RunRow) *int64 { return &r.Connections }),
	intCol("epochs_run", func(r *RunRow) *int64 { return &r.EpochsRun }),
	floatCol("min_val_loss", func(r *RunRow) *float64 { return &r.MinValLoss }),
	intCol("min_val_epoch", func(r *RunRow) *int64 { return &r.MinValEpoch }),
	intCol("speed_epoch", func(r *RunRow) *int64 { return &r.SpeedEpoch }),
	floatCol("final_val_loss", func(r *RunRow) *float64 { return &r.FinalValLoss }),
	floatCol("final_val_accuracy", func(r *RunRow) *float64 { return &r.FinalValAcc }),
	strCol("biornn_version", func(r *RunRow) *string { return &r.BiornnVersion }),
	{"started_at", timeType,
		func(r *RunRow) any { return r.StartedAt.UTC().Truncate(time.Microsecond) },
		func(r *RunRow, v any) bool {
			switch t := v.(type) {
			case int64:
				r.StartedAt = time.UnixMicro(t).UTC()
			case time.Time:
				r.StartedAt = t.UTC()
			default:
				return false
			}
			return true
		}, nil},
	floatCol("wall_seconds", func(r *RunRow) *float64 { return &r.WallSeconds }),
	laterFloat("spectral_radius_init", func(r *RunRow) *float64 { return &r.SpectralRadiusInit }),
	laterFloat("spectral_radius_final", func(r *RunRow) *float64 { return &r.SpectralRadiusFinal }),
	laterFloat("weight_mean_init", func(r *RunRow) *float64 { return &r.WeightMeanInit }),
	laterFloat("weight_std_init", func(r *RunRow) *float64 { return &r.WeightStdInit }),
	laterBool("learnt", func(r *RunRow) *bool { return &r.Learnt }),
}

// settingType is the Go type of a setting's column.
func settingType(s *rnn.Setting) reflect.Type {
	switch s.Kind() {
	case "string":
		return stringType
	case "int", "uint64":
		return int64Type
	case "float":
		return floatType
	case "bool":
		return boolType
	}
	panic("results: setting " + s.Key + " of kind " + s.Kind())
}

// RunColumns lists the runs table's column names: run_id, status, the
// settings' keys, then the provenance and metrics.
func RunColumns() []string {
	out := []string{"run_id", "status"}
	for _, s := range rnn.Settings() {
		out = append(out, s.Key)
	}
	for _, c := range runColumns[2:] {
		out = append(out, c.name)
	}
	return out
}

// runsSchema is the Parquet schema of the runs table, columns in the
// order of RunColumns (a struct type made for it: a parquet.Group would sort
// them by name).
var runsSchema = sync.OnceValue(func() *parquet.Schema {
	byName := map[string]reflect.Type{}
	for _, c := range runColumns {
		byName[c.name] = c.typ
	}
	for _, s := range rnn.Settings() {
		byName[s.Key] = settingType(s)
	}
	var fields []reflect.StructField
	for i, name := range RunColumns() {
		tag := name
		if byName[name] == timeType {
			tag += ",timestamp(microsecond)"
		}
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: byName[name],
			Tag: reflect.StructTag(`parquet:"` + tag + `"`)})
	}
	return parquet.SchemaOf(reflect.Zero(reflect.StructOf(fields)).Interface())
})

// runRecord is r as one map from column name to value.
func runRecord(r *RunRow) map[string]any {
	m := make(map[string]any, len(runColumns)+len(rnn.Settings()))
	for _, c := range runColumns {
		m[c.name] = c.get(r)
	}
	for _, s := range rnn.Settings() {
		switch v := s.Get(r.Spec).(type) {
		case int:
			m[s.Key] = int64(v)
		case uint64:
			m[s.Key] = int64(v) // the same 64 bits (see RunRow)
		default:
			m[s.Key] = v
		}
	}
	return m
}

// writeRunFile writes one run's row to folder/<runID>.parquet, whole or not at
// all.
func writeRunFile(folder, runID string, row RunRow) error {
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return fmt.Errorf("results: creating %s: %w", folder, err)
	}
	err := recordfile.Write(folder+string(os.PathSeparator)+runID+".parquet", func(w io.Writer) error {
		pw := parquet.NewGenericWriter[map[string]any](w, runsSchema(), parquet.Compression(&parquet.Zstd))
		if _, err := pw.Write([]map[string]any{runRecord(&row)}); err != nil {
			return err
		}
		return pw.Close()
	})
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// readRuns reads a runs file. Columns it lacks (a file written before a
// setting existed) leave the zero value, which rnn.Defaults reads as the
// default; columns it does not know are ignored. A file that is empty, holds
// no rows, lacks a provenance or metric column, or holds a run id that is no
// plain id is an error.
func readRuns(path string) ([]RunRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() == 0 {
		return nil, errors.New("empty file (0 bytes), not a Parquet file")
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("not a complete Parquet file (%w)", err)
	}
	n := pf.NumRows()
	if n == 0 {
		return nil, errors.New("the file holds no rows (a runs file holds one run)")
	}
	if n > 1<<20 {
		return nil, fmt.Errorf("the file claims %d rows (a runs file holds one run)", n)
	}
	recs := make([]map[string]any, n)
	for i := range recs {
		recs[i] = map[string]any{}
	}
	r := parquet.NewGenericReader[map[string]any](pf, pf.Schema())
	defer r.Close()
	got, err := r.Read(recs)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if int64(got) != n {
		return nil, fmt.Errorf("read %d of the %d rows the footer lists", got, n)
	}
	rows := make([]RunRow, got)
	for i, m := range recs[:got] {
		if err := fromRecord(&rows[i], m); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// fromRecord fills r from one record, checking each value's type.
func fromRecord(r *RunRow, m map[string]any) error {
	for _, c := range runColumns {
		v, ok := m[c.name]
		switch {
		case !ok && c.absent != nil:
			c.absent(r)
		case !ok:
			return fmt.Errorf("column %s is missing (every runs file has it)", c.name)
		case v == nil:
			return fmt.Errorf("column %s is null", c.name)
		case !c.set(r, v):
			return fmt.Errorf("column %s holds %T, expected %s", c.name, v, c.typ)
		}
	}
	if !validID(r.RunID) {
		return fmt.Errorf("run_id %q is no run id (expected letters, digits, '-' or '_' only)", clip(r.RunID))
	}
	spec := reflect.ValueOf(&r.Spec).Elem()
	for _, s := range rnn.Settings() {
		v, ok := m[s.Key]
		if !ok || v == nil {
			continue
		}
		f := spec.FieldByName(s.Field)
		var bad bool
		switch f.Kind() {
		case reflect.String:
			t, ok := v.(string)
			bad = !ok
			f.SetString(t)
		case reflect.Int:
			t, ok := v.(int64)
			bad = !ok
			f.SetInt(t)
		case reflect.Uint64:
			t, ok := v.(int64)
			bad = !ok
			f.SetUint(uint64(t))
		case reflect.Float64:
			t, ok := v.(float64)
			bad = !ok
			f.SetFloat(t)
		case reflect.Bool:
			t, ok := v.(bool)
			bad = !ok
			f.SetBool(t)
		}
		if bad {
			return fmt.Errorf("column %s holds %T, expected a %s", s.Key, v, s.Kind())
		}
	}
	return nil
}

// Table is one table of a results folder as columns: names in the
// dataset's order and one row of values per run (or epoch), each a
// string, int64, float64, bool or time.Time.
type Table struct {
	Name    string
	Columns []string
	Rows    [][]any
}

// ReadTables reads a results folder (Read) as its two tables, for readers
// that take plain columns (the C API, and through it R without arrow).
func ReadTables(dir string) ([]Table, error) {
	runs, epochs, err := Read(dir)
	if err != nil {
		return nil, err
	}
	rt := Table{Name: RunsTable, Columns: RunColumns()}
	for i := range runs {
		rec := runRecord(&runs[i])
		row := make([]any, len(rt.Columns))
		for k, c := range rt.Columns {
			row[k] = rec[c]
		}
		rt.Rows = append(rt.Rows, row)
	}
	et := Table{Name: EpochsTable, Columns: []string{"run_id", "epoch", "train_loss", "val_loss", "val_accuracy", "seconds"}}
	for _, e := range epochs {
		et.Rows = append(et.Rows, []any{e.RunID, e.Epoch, e.TrainLoss, e.ValLoss, e.ValAccuracy, e.Seconds})
	}
	return []Table{et, rt}, nil
}
