package results

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"slices"
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
//
// Null means "no value": a setting that does not apply to the run
// (rnn.Setting.Applies: n_back of a seq_mem run, momentum without sgd), a
// text setting left unset (no neurons_file), a metric that does not exist
// (final_val_accuracy of seq_mem, a spectral radius not computed). Files
// written before nulls existed hold "", NaN or the default there instead;
// Read takes both.

// column is a runs-table column that is not a setting.
type column struct {
	name string
	typ  reflect.Type // string, int64, float64, bool or time.Time
	// optional: the column may be null.
	optional bool
	doc      string                  // what it means (rnn/results/README.md)
	get      func(*RunRow) any       // the cell; nil = null (optional columns only)
	set      func(*RunRow, any) bool // from the value the reader returns (nil = null); false = wrong type
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

func strCol(name, doc string, f func(*RunRow) *string) column {
	return column{name: name, typ: stringType, doc: doc, get: func(r *RunRow) any { return *f(r) },
		set: func(r *RunRow, v any) (ok bool) { *f(r), ok = v.(string); return }}
}

// optStrCol is a text column that is null when the text is empty.
func optStrCol(name, doc string, f func(*RunRow) *string) column {
	return nullWhen(strCol(name, doc, f), f, func(s string) bool { return s == "" }, "")
}

func intCol(name, doc string, f func(*RunRow) *int64) column {
	return column{name: name, typ: int64Type, doc: doc, get: func(r *RunRow) any { return *f(r) },
		set: func(r *RunRow, v any) (ok bool) { *f(r), ok = v.(int64); return }}
}

// optEpochCol is an epoch column that is null when there is no such epoch
// (-1 in RunRow).
func optEpochCol(name, doc string, f func(*RunRow) *int64) column {
	return nullWhen(intCol(name, doc, f), f, func(e int64) bool { return e < 0 }, -1)
}

func floatCol(name, doc string, f func(*RunRow) *float64) column {
	return column{name: name, typ: floatType, doc: doc, get: func(r *RunRow) any { return *f(r) },
		set: func(r *RunRow, v any) (ok bool) { *f(r), ok = v.(float64); return }}
}

// metricCol is a number that may be missing: NaN in RunRow, null in the
// file (older files hold NaN, read alike).
func metricCol(name, doc string, f func(*RunRow) *float64) column {
	return nullWhen(floatCol(name, doc, f), f, math.IsNaN, math.NaN())
}

// nullWhen makes column c optional: null in the file where missing(value),
// and a null read back as the value none.
func nullWhen[T any](c column, f func(*RunRow) *T, missing func(T) bool, none T) column {
	c.optional = true
	c.get = func(r *RunRow) any {
		if missing(*f(r)) {
			return nil
		}
		return *f(r)
	}
	c.set = func(r *RunRow, v any) (ok bool) {
		if v == nil {
			*f(r) = none
			return true
		}
		*f(r), ok = v.(T)
		return
	}
	return c
}

// laterMetric is a metric column added later: NaN in older files.
func laterMetric(name, doc string, f func(*RunRow) *float64) column {
	c := metricCol(name, doc, f)
	c.absent = func(r *RunRow) { *f(r) = math.NaN() }
	return c
}

// laterBool is a bool column added later: false in older files.
func laterBool(name, doc string, f func(*RunRow) *bool) column {
	return column{name: name, typ: boolType, doc: doc, get: func(r *RunRow) any { return *f(r) },
		set:    func(r *RunRow, v any) (ok bool) { *f(r), ok = v.(bool); return },
		absent: func(r *RunRow) { *f(r) = false }}
}

var runColumns = []column{
	strCol("run_id", "16 hex digits of the SHA-256 of the run's settings without the execution settings, and of every input given by path (the resume key; see Identity)",
		func(r *RunRow) *string { return &r.RunID }),
	strCol("status", "ok (every requested epoch ran) or early_stopped (patience ended the run)",
		func(r *RunRow) *string { return &r.Status }),
	strCol("connectome_name", "the data set's name (for a connectome file, its file name without the extension)",
		func(r *RunRow) *string { return &r.ConnectomeName }),
	optStrCol("connectome_sha256", "SHA-256 of the connectome data read",
		func(r *RunRow) *string { return &r.ConnectomeSHA256 }),
	optStrCol("connectome_source", "where the connectome came from: builtin, or the folder or file read",
		func(r *RunRow) *string { return &r.ConnectomeSource }),
	strCol("kernel_set", "the kernel set that ran (generic, avx2, avx512)",
		func(r *RunRow) *string { return &r.KernelSet }),
	strCol("path_used", "the recurrent products' path that ran: sparse or dense",
		func(r *RunRow) *string { return &r.PathUsed }),
	intCol("neurons", "neurons of the recurrent network",
		func(r *RunRow) *int64 { return &r.Neurons }),
	intCol("connections", "kept recurrent weights (nonzero positions of the mask)",
		func(r *RunRow) *int64 { return &r.Connections }),
	intCol("epochs_run", "the last epoch trained (fewer than epochs when early_stopped)",
		func(r *RunRow) *int64 { return &r.EpochsRun }),
	metricCol("min_val_loss", "the minimum validation loss over all epochs, epoch 0 included; null without epochs",
		func(r *RunRow) *float64 { return &r.MinValLoss }),
	optEpochCol("min_val_epoch", "the epoch of min_val_loss (the first one); null without epochs",
		func(r *RunRow) *int64 { return &r.MinValEpoch }),
	intCol("speed_epoch", "the training-speed epoch: the first epoch >= 1 whose (loss - min)/(max - min) <= 1% (min and max over epochs >= 1); -1 = never",
		func(r *RunRow) *int64 { return &r.SpeedEpoch }),
	metricCol("final_val_loss", "the validation loss after the last epoch; null without epochs",
		func(r *RunRow) *float64 { return &r.FinalValLoss }),
	metricCol("final_val_accuracy", "the validation accuracy after the last epoch; null for tasks without classes (seq_mem) and without epochs",
		func(r *RunRow) *float64 { return &r.FinalValAcc }),
	strCol("biornn_version", "the biornn that ran it: a release version, the module version, or the VCS revision it was built from (+dirty for a modified tree); dev when unknown",
		func(r *RunRow) *string { return &r.BiornnVersion }),
	{name: "started_at", typ: timeType, doc: "when the run started (UTC, microseconds)",
		get: func(r *RunRow) any { return r.StartedAt.UTC().Truncate(time.Microsecond) },
		set: func(r *RunRow, v any) bool {
			switch t := v.(type) {
			case int64:
				r.StartedAt = time.UnixMicro(t).UTC()
			case time.Time:
				r.StartedAt = t.UTC()
			default:
				return false
			}
			return true
		}},
	floatCol("wall_seconds", "wall time of the run, building the network included",
		func(r *RunRow) *float64 { return &r.WallSeconds }),
	laterMetric("spectral_radius_init", "spectral radius of W_hh as the recurrence uses it (masked positions zero) before training; null above 512 neurons or when it could not be computed",
		func(r *RunRow) *float64 { return &r.SpectralRadiusInit }),
	laterMetric("spectral_radius_final", "the same after training",
		func(r *RunRow) *float64 { return &r.SpectralRadiusFinal }),
	laterMetric("weight_mean_init", "mean of the kept recurrent weights before training; null without any",
		func(r *RunRow) *float64 { return &r.WeightMeanInit }),
	laterMetric("weight_std_init", "their standard deviation",
		func(r *RunRow) *float64 { return &r.WeightStdInit }),
	laterBool("learnt", "the run reached the speed criterion with a minimum loss below the task's chance level (false in files written before the column)",
		func(r *RunRow) *bool { return &r.Learnt }),
	laterMetric("excitatory_share", "under Dale's law, the share of neurons with sign +1; null without it",
		func(r *RunRow) *float64 { return &r.ExcitatoryShare }),
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

// emptyNames maps a text setting's key to the value its "" stands for, for
// the settings that take "" for their default and name that default among
// their values (partition "" = positive, network_per "" = seed, batch_order
// "" = shuffled, connectome_format "" = auto): the runs table writes the
// name, and Read turns it back into "" (the spec's form, on which run ids
// rest).
var emptyNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, s := range rnn.Settings() {
		if s.Kind() == "string" && slices.Contains(s.Values(), s.Default) && s.Check(rnn.RunSpec{}) == nil {
			m[s.Key] = s.Default
		}
	}
	return m
})

// SettingValue is setting s's cell in the runs table for a run with spec
// (after rnn.Defaults): nil (null) when the setting does not apply to the
// run (rnn.Setting.Applies) or is a text left unset; otherwise an int64
// (seeds as the int64 with the same bits), float64, bool or string, a text
// whose "" stands for its default written by that default's name.
func SettingValue(s *rnn.Setting, spec rnn.RunSpec) any {
	if !s.Applies(spec) {
		return nil
	}
	switch v := s.Get(spec).(type) {
	case string:
		if v != "" {
			return v
		}
		if name, ok := emptyNames()[s.Key]; ok {
			return name
		}
		return nil
	case int:
		return int64(v)
	case uint64:
		return int64(v) // the same 64 bits (see RunRow)
	default:
		return v
	}
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

// runField is one column of the runs file as written: its name, Go type
// and whether it may be null.
type runField struct {
	name     string
	typ      reflect.Type
	optional bool
}

// runFields lists the runs table's columns in the order of RunColumns.
var runFields = sync.OnceValue(func() []runField {
	byName := map[string]runField{}
	for _, c := range runColumns {
		byName[c.name] = runField{c.name, c.typ, c.optional}
	}
	// Every setting's column may be null: most settings apply to every
	// run, but a column does not change type when a setting's row gains a
	// condition (rnn.Setting.AppliesWhen), and a spec written before
	// rnn.Defaults (a text left "") still has a cell.
	for _, s := range rnn.Settings() {
		byName[s.Key] = runField{s.Key, settingType(s), true}
	}
	var out []runField
	for _, name := range RunColumns() {
		out = append(out, byName[name])
	}
	return out
})

// runsSchema is the Parquet schema of the runs table, columns in the
// order of RunColumns (a struct type made for it: a parquet.Group would sort
// them by name).
var runsSchema = sync.OnceValue(func() *parquet.Schema {
	var fields []reflect.StructField
	for i, f := range runFields() {
		tag := f.name
		if f.optional {
			tag += ",optional"
		}
		if f.typ == timeType {
			tag += ",timestamp(microsecond)"
		}
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: f.typ,
			Tag: reflect.StructTag(`parquet:"` + tag + `"`)})
	}
	return parquet.SchemaOf(reflect.Zero(reflect.StructOf(fields)).Interface())
})

// runCells is r as the runs table stores it, one cell per column of
// RunColumns: nil for null, else a string, int64, float64, bool or
// time.Time.
func runCells(r *RunRow) []any {
	byName := make(map[string]any, len(runColumns)+len(rnn.Settings()))
	for _, c := range runColumns {
		byName[c.name] = c.get(r)
	}
	for _, s := range rnn.Settings() {
		byName[s.Key] = SettingValue(s, r.Spec)
	}
	cells := make([]any, 0, len(byName))
	for _, name := range RunColumns() {
		cells = append(cells, byName[name])
	}
	return cells
}

// plainValues is r with a value in every column, for readers that take no
// nulls (ReadTables): a setting's value in the spec (the default when it
// does not apply), NaN for a missing number, -1 for a missing epoch, "" for
// an unset text.
func plainValues(r *RunRow) []any {
	byName := make(map[string]any, len(runColumns)+len(rnn.Settings()))
	for _, c := range runColumns {
		v := c.get(r)
		if v == nil {
			switch c.typ {
			case floatType:
				v = math.NaN()
			case int64Type:
				v = int64(-1)
			case stringType:
				v = ""
			}
		}
		byName[c.name] = v
	}
	for _, s := range rnn.Settings() {
		switch v := s.Get(r.Spec).(type) {
		case int:
			byName[s.Key] = int64(v)
		case uint64:
			byName[s.Key] = int64(v)
		default:
			byName[s.Key] = v
		}
	}
	vals := make([]any, 0, len(byName))
	for _, name := range RunColumns() {
		vals = append(vals, byName[name])
	}
	return vals
}

// parquetValue is a cell as a Parquet value of column col: null, or a value
// at definition level 1 (optional columns) or 0 (required ones).
func parquetValue(v any, optional bool, col int) (parquet.Value, error) {
	var def int
	if optional {
		def = 1
	}
	var pv parquet.Value
	switch t := v.(type) {
	case nil:
		if !optional {
			return pv, fmt.Errorf("column %s: null in a column that takes none", RunColumns()[col])
		}
		return parquet.NullValue().Level(0, 0, col), nil
	case string:
		pv = parquet.ByteArrayValue([]byte(t))
	case int64:
		pv = parquet.Int64Value(t)
	case float64:
		pv = parquet.DoubleValue(t)
	case bool:
		pv = parquet.BooleanValue(t)
	case time.Time:
		pv = parquet.Int64Value(t.UnixMicro())
	default:
		return pv, fmt.Errorf("column %s: a value of type %T", RunColumns()[col], v)
	}
	return pv.Level(0, def, col), nil
}

// encodeRuns writes rows to w as a runs file.
func encodeRuns(w io.Writer, rows []RunRow) error {
	fields := runFields()
	prows := make([]parquet.Row, len(rows))
	for i := range rows {
		for k, v := range runCells(&rows[i]) {
			pv, err := parquetValue(v, fields[k].optional, k)
			if err != nil {
				return fmt.Errorf("run %s: %w", rows[i].RunID, err)
			}
			prows[i] = append(prows[i], pv)
		}
	}
	pw := parquet.NewWriter(w, runsSchema(), parquet.Compression(&parquet.Zstd))
	if _, err := pw.WriteRows(prows); err != nil {
		return err
	}
	return pw.Close()
}

// writeRunFile writes one run's row to folder/<runID>.parquet, whole or not at
// all.
func writeRunFile(folder, runID string, row RunRow) error {
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return fmt.Errorf("results: creating %s: %w", folder, err)
	}
	err := recordfile.Write(folder+string(os.PathSeparator)+runID+".parquet", func(w io.Writer) error {
		return encodeRuns(w, []RunRow{row})
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

// fromRecord fills r from one record, checking each value's type. A null
// setting (one that does not apply to the run, or an unset text) takes the
// value rnn.Defaults gives it, which is what the run had unless a value was
// given for a setting that does not apply.
func fromRecord(r *RunRow, m map[string]any) error {
	for _, c := range runColumns {
		v, ok := m[c.name]
		switch {
		case !ok && c.absent != nil:
			c.absent(r)
		case !ok:
			return fmt.Errorf("column %s is missing (every runs file has it)", c.name)
		case v == nil && !c.optional:
			return fmt.Errorf("column %s is null", c.name)
		case !c.set(r, v):
			return fmt.Errorf("column %s holds %T, expected %s", c.name, v, c.typ)
		}
	}
	if !validID(r.RunID) {
		return fmt.Errorf("run_id %q is no run id (expected letters, digits, '-' or '_' only)", clip(r.RunID))
	}
	spec := reflect.ValueOf(&r.Spec).Elem()
	var null []*rnn.Setting
	for _, s := range rnn.Settings() {
		v, ok := m[s.Key]
		if !ok {
			continue
		}
		if v == nil {
			null = append(null, s)
			continue
		}
		f := spec.FieldByName(s.Field)
		var bad bool
		switch f.Kind() {
		case reflect.String:
			t, ok := v.(string)
			bad = !ok
			if name, named := emptyNames()[s.Key]; named && t == name {
				t = "" // the spec's form of the default
			}
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
	if len(null) > 0 {
		// The fills run before validation, so d has them even when the
		// spec no longer validates (a setting's range changed since).
		d, _ := rnn.Defaults(r.Spec)
		dv := reflect.ValueOf(d)
		for _, s := range null {
			spec.FieldByName(s.Field).Set(dv.FieldByName(s.Field))
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
	// Null[i][k] says that row i has no value in column k (the setting does
	// not apply to the run, a text is unset, a metric is missing). Rows[i][k]
	// holds a value of the column's type all the same, for readers that take
	// no nulls: the setting's value in the spec (its default when it does not
	// apply), "" for an unset text, NaN for a missing number, -1 for a missing
	// epoch.
	Null [][]bool
}

// ReadTables reads a results folder (Read) as its two tables, for readers
// that take plain columns (the C API, and through it R without arrow).
// Nulls follow the runs themselves, so a folder written before nulls
// existed reads as one written now: a setting that does not apply to a run
// is null in either.
func ReadTables(dir string) ([]Table, error) {
	runs, epochs, err := Read(dir)
	if err != nil {
		return nil, err
	}
	rt := Table{Name: RunsTable, Columns: RunColumns()}
	for i := range runs {
		cells, plain := runCells(&runs[i]), plainValues(&runs[i])
		row, null := make([]any, len(cells)), make([]bool, len(cells))
		for k, v := range cells {
			row[k], null[k] = v, v == nil
			if v == nil {
				row[k] = plain[k]
			}
		}
		rt.Rows, rt.Null = append(rt.Rows, row), append(rt.Null, null)
	}
	et := Table{Name: EpochsTable, Columns: slices.Clone(epochColumns)}
	for _, e := range epochs {
		et.Rows = append(et.Rows, []any{e.RunID, e.Epoch, e.TrainLoss, e.ValLoss, e.ValAccuracy, e.Seconds})
		et.Null = append(et.Null, []bool{false, false, false, false, math.IsNaN(e.ValAccuracy), false})
	}
	return []Table{et, rt}, nil
}
