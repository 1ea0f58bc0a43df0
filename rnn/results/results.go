// Package results writes and reads biornn's Parquet results dataset.
//
// A results folder DIR holds two tables, each a folder of Parquet files with
// one file per run (DIR/runs/<run_id>.parquet and DIR/epochs/<run_id>.parquet),
// so pandas.read_parquet("DIR/runs"), pyarrow, DuckDB and R's arrow read each
// folder as one table. Files are zstd-compressed, columns are snake_case and
// flat, integers are signed and timestamps are microseconds since the epoch
// (UTC). Every file is written whole to a temporary name in the same folder and
// renamed when complete, so a reader never sees half a file and an interrupted
// run leaves at most a temporary file that CleanTemp removes.
package results

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
	"time"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results/recordfile"
	"github.com/parquet-go/parquet-go"
)

// Table folder names inside a results folder.
const (
	RunsTable   = "runs"
	EpochsTable = "epochs"
)

// tmpPrefix marks files that are still being written; readers ignore them
// and CleanTemp deletes them. The leading dot also hides them from pyarrow,
// which skips files starting with "." or "_".
const tmpPrefix = recordfile.TempPrefix

// Status values of a run row.
const (
	StatusOK           = "ok"            // every requested epoch ran
	StatusEarlyStopped = "early_stopped" // early stopping (patience) ended the run
)

// RunRow is one row of the runs table: the run's id and status, every
// setting (Spec, after defaults: one column per setting, named by its key
// in rnn.Settings), and the run's provenance and metrics. Seeds are uint64
// in the spec and stored as int64 with the same 64 bits (so a seed >= 2^63
// reads back negative in pandas; uint64(x) restores it), because the
// dataset uses signed integers only.
type RunRow struct {
	RunID  string
	Status string
	Spec   rnn.RunSpec

	ConnectomeName   string // resolved data set name
	ConnectomeSHA256 string
	ConnectomeSource string // "builtin" or the folder or file read
	KernelSet        string // the kernel set used
	PathUsed         string // the path used: sparse or dense
	Neurons          int64
	Connections      int64
	EpochsRun        int64
	// Metrics. A missing one is NaN (-1 for MinValEpoch) here and null in
	// the file: FinalValAcc of a task without classes, the loss metrics of
	// a run without epochs.
	MinValLoss    float64
	MinValEpoch   int64 // -1 = none
	SpeedEpoch    int64 // -1 = never
	FinalValLoss  float64
	FinalValAcc   float64
	BiornnVersion string
	StartedAt     time.Time
	WallSeconds   float64
	// Diagnostics (rnn.RunResult): W_hh's spectral radius before and after
	// training, the kept weights' mean and standard deviation before it,
	// and whether the run learnt. NaN when not computed (above 512
	// neurons, no kept weights) and in files written before them; Learnt is
	// false there.
	SpectralRadiusInit, SpectralRadiusFinal float64
	WeightMeanInit, WeightStdInit           float64
	Learnt                                  bool
	// ExcitatoryShare: the share of neurons with sign +1 under Dale's law
	// (NaN without it and in files written before the column).
	ExcitatoryShare float64
}

// EpochRow is one row of the epochs table (long format: one row per run and
// epoch; epoch 0 is the evaluation before any update).
type EpochRow struct {
	RunID       string  `parquet:"run_id"`
	Epoch       int64   `parquet:"epoch"`
	TrainLoss   float64 `parquet:"train_loss"`
	ValLoss     float64 `parquet:"val_loss"`
	ValAccuracy float64 `parquet:"val_accuracy"` // NaN for tasks without classes (null in the file)
	Seconds     float64 `parquet:"seconds"`
}

// epochRecord is an EpochRow as the epochs file stores it: val_accuracy is
// null, not NaN, for a task without classes. It reads files written before
// (a required val_accuracy holding NaN) too.
type epochRecord struct {
	RunID       string   `parquet:"run_id"`
	Epoch       int64    `parquet:"epoch"`
	TrainLoss   float64  `parquet:"train_loss"`
	ValLoss     float64  `parquet:"val_loss"`
	ValAccuracy *float64 `parquet:"val_accuracy,optional"`
	Seconds     float64  `parquet:"seconds"`
}

func (e EpochRow) record() epochRecord {
	r := epochRecord{RunID: e.RunID, Epoch: e.Epoch, TrainLoss: e.TrainLoss, ValLoss: e.ValLoss, Seconds: e.Seconds}
	if !math.IsNaN(e.ValAccuracy) {
		acc := e.ValAccuracy
		r.ValAccuracy = &acc
	}
	return r
}

func (r epochRecord) row() EpochRow {
	e := EpochRow{RunID: r.RunID, Epoch: r.Epoch, TrainLoss: r.TrainLoss, ValLoss: r.ValLoss, ValAccuracy: math.NaN(), Seconds: r.Seconds}
	if r.ValAccuracy != nil {
		e.ValAccuracy = *r.ValAccuracy
	}
	return e
}

// RunID returns the identifier of a run: the first 16 hex digits of the
// SHA-256 of the spec's canonical JSON encoding and, for inputs given by
// path (a connectome file, a neurons_file, an MNIST folder with another
// latent set than the paper's), of their contents (InputDigest): editing such
// a file makes a new run. A run of the built-in or registered data sets has
// no such inputs, so its id is the spec's alone, as in every earlier
// version. An input that cannot be read is left out (the run fails when it
// reads it); RunIDChecked reports it instead. Pass the spec after
// rnn.Defaults so that spelling a default out or leaving it zero gives the same
// id; resuming a sweep relies on this. Settings that say where data live or
// how the arithmetic is executed (rnn.Setting.Execution: DataDir, MNISTDir,
// Threads, Kernels, Path) are left out: they change results at most within float32 rounding, and a
// sweep resumed on another machine or cluster node must not rerun
// everything. They are still recorded in the runs table. Fields added to
// RunSpec later (NeuronsFromDensity, NeuronScale, DensityFill) carry
// json:",omitempty" so that at their zero values the encoding, and so every
// id made before they existed, is unchanged.
func RunID(spec rnn.RunSpec) string {
	d, _ := InputDigest(spec)
	return idOf(spec, d)
}

// NewRunRow flattens a finished run into a runs-table row.
func NewRunRow(runID string, res *rnn.RunResult, version string) RunRow {
	s := res.Spec
	status := StatusOK
	epochsRun := 0
	if n := len(res.Epochs); n > 0 {
		epochsRun = res.Epochs[n-1].Epoch
	}
	if s.Epochs > 0 && epochsRun < s.Epochs {
		status = StatusEarlyStopped
	}
	finalLoss, finalAcc := nan(), nan()
	if n := len(res.Epochs); n > 0 {
		finalLoss, finalAcc = res.Epochs[n-1].ValLoss, res.Epochs[n-1].ValAccuracy
	}
	name := res.ConnectomeName
	if name == "" {
		name = s.Connectome
	}
	minLoss, minEpoch := res.MinValLoss, int64(res.MinValEpoch)
	if len(res.Epochs) == 0 || math.IsNaN(minLoss) {
		minLoss, minEpoch = nan(), -1
	}
	return RunRow{
		RunID: runID, Status: status, Spec: s,
		ConnectomeName: name, ConnectomeSHA256: res.ConnectomeSHA256, ConnectomeSource: res.ConnectomeSource,
		KernelSet: res.KernelSet, PathUsed: string(res.PathUsed),
		Neurons: int64(res.Neurons), Connections: int64(res.Connections), EpochsRun: int64(epochsRun),
		MinValLoss: minLoss, MinValEpoch: minEpoch, SpeedEpoch: int64(res.SpeedEpoch),
		FinalValLoss: finalLoss, FinalValAcc: finalAcc,
		BiornnVersion: version, StartedAt: res.Started.UTC().Truncate(time.Microsecond), WallSeconds: res.WallSeconds,
		SpectralRadiusInit: res.SpectralRadiusInit, SpectralRadiusFinal: res.SpectralRadiusFinal,
		WeightMeanInit: res.WeightMeanInit, WeightStdInit: res.WeightStdInit, Learnt: res.Learnt,
		ExcitatoryShare: res.ExcitatoryShare,
	}
}

// EpochRows converts a run's per-epoch records into epochs-table rows.
func EpochRows(runID string, epochs []rnn.EpochRecord) []EpochRow {
	rows := make([]EpochRow, len(epochs))
	for i, e := range epochs {
		rows[i] = EpochRow{RunID: runID, Epoch: int64(e.Epoch), TrainLoss: e.TrainLoss,
			ValLoss: e.ValLoss, ValAccuracy: e.ValAccuracy, Seconds: e.Seconds}
	}
	return rows
}

// Write stores one finished run in the results folder dir: first its epochs
// file, then its runs file, each written to a temporary name and renamed. The
// runs file is the run's completion marker (Exists looks for it), so a crash
// between the two renames leaves an epochs file without a run row (which
// Read ignores, CleanIncomplete removes and the rerun overwrites), never a
// run row without its epochs.
func Write(dir, runID string, res *rnn.RunResult, version string) error {
	if res == nil {
		return errors.New("results: Write: nil run result")
	}
	if !validID(runID) {
		return fmt.Errorf("results: run id %q: expected letters, digits, '-' or '_' only", runID)
	}
	var recs []epochRecord
	for _, e := range EpochRows(runID, res.Epochs) {
		recs = append(recs, e.record())
	}
	if err := writeTable(filepath.Join(dir, EpochsTable), runID, recs); err != nil {
		return err
	}
	return writeRunFile(filepath.Join(dir, RunsTable), runID, NewRunRow(runID, res, version))
}

// validID keeps run ids usable as file names on every system.
func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// writeTable writes rows to folder/<runID>.parquet, whole or not at all
// (recordfile's temporary names are tmpPrefix + run id + "-" + digits, which
// CleanIncomplete recognises).
func writeTable[T any](folder, runID string, rows []T) error {
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return fmt.Errorf("results: creating %s: %w", folder, err)
	}
	if err := recordfile.WriteParquet(filepath.Join(folder, runID+".parquet"), rows); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// Exists reports whether run runID is complete in dir (its runs file
// exists). Verify also checks that the file is readable and holds the run.
func Exists(dir, runID string) bool {
	if !validID(runID) {
		return false
	}
	_, err := os.Stat(filepath.Join(dir, RunsTable, runID+".parquet"))
	return err == nil
}

// Verify checks that run runID is complete and intact in dir: its runs file
// has a readable footer, exactly one row, run_id runID and every column; its
// epochs file is readable and holds epochs of runID only. A resumed sweep
// verifies every run it skips and sets a damaged one aside (SetAside).
func Verify(dir, runID string) error {
	if !validID(runID) {
		return fmt.Errorf("results: run id %q: expected letters, digits, '-' or '_' only", clip(runID))
	}
	p := filepath.Join(dir, RunsTable, runID+".parquet")
	rows, err := readRuns(p)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if len(rows) != 1 {
		return fmt.Errorf("%s: %d rows, expected one", p, len(rows))
	}
	if rows[0].RunID != runID {
		return fmt.Errorf("%s: holds run %s, expected %s (the file name)", p, rows[0].RunID, runID)
	}
	e := filepath.Join(dir, EpochsTable, runID+".parquet")
	if _, _, err := readEpochs(e, runID); err != nil {
		return fmt.Errorf("%s: %w", e, err)
	}
	return nil
}

// corruptPrefix starts the hidden name a damaged run's file is moved to.
const corruptPrefix = ".corrupt-"

// SetAside moves the files of run runID (both tables, those present) to
// hidden names in their folders, DIR/<table>/.corrupt-<runID>-<n>.parquet
// with the first free n, where readers (Read, pandas, pyarrow) do not see
// them and the run counts as not done. It returns the new paths.
func SetAside(dir, runID string) ([]string, error) {
	if !validID(runID) {
		return nil, fmt.Errorf("results: run id %q: expected letters, digits, '-' or '_' only", clip(runID))
	}
	var moved []string
	// The runs file first: without it the run is not done, whatever follows.
	for _, table := range []string{RunsTable, EpochsTable} {
		src := filepath.Join(dir, table, runID+".parquet")
		if _, err := os.Lstat(src); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		for n := 1; ; n++ {
			dst := filepath.Join(dir, table, fmt.Sprintf("%s%s-%d.parquet", corruptPrefix, runID, n))
			if _, err := os.Lstat(dst); err == nil {
				continue
			}
			if err := os.Rename(src, dst); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					break // another process moved it
				}
				return moved, fmt.Errorf("results: setting %s aside: %w", src, err)
			}
			moved = append(moved, dst)
			break
		}
	}
	return moved, nil
}

// CleanTemp deletes every temporary file left in dir's tables by an
// interrupted writer, and every epochs file without its runs file, except
// those of runs that another live process has claimed (Claim).
func CleanTemp(dir string) (removed int, err error) { return CleanIncomplete(dir, nil) }

// CleanIncomplete deletes what interrupted writes of the given runs (all if
// ids is nil) left behind: temporary files, and epochs files whose runs file
// is missing (the writer died between the two renames; the run is not
// complete and will be rerun). Runs claimed by another live process (their
// writer may be at work) are left alone, so it is safe while other
// processes write to dir; a sweep cleans each run when it has claimed it
// (CleanRun) instead.
func CleanIncomplete(dir string, ids map[string]bool) (removed int, err error) {
	seen := map[string]bool{}
	for _, table := range []string{RunsTable, EpochsTable} {
		entries, err := os.ReadDir(filepath.Join(dir, table))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return removed, fmt.Errorf("results: reading %s: %w", filepath.Join(dir, table), err)
		}
		for _, e := range entries {
			id, ok := leftoverID(dir, table, e.Name())
			if !ok || seen[id] || (ids != nil && !ids[id]) {
				continue
			}
			seen[id] = true
			if held, _ := claimedByOther(dir, id); held {
				continue
			}
			n, err := CleanRun(dir, id)
			removed += n
			if err != nil {
				return removed, err
			}
		}
	}
	return removed, nil
}

// leftoverID returns the run whose leftover the file name is: a temporary
// file (tmpPrefix + id + "-" + digits + ".parquet"), or an epochs file
// whose runs file is missing.
func leftoverID(dir, table, name string) (string, bool) {
	if rest, ok := strings.CutPrefix(name, tmpPrefix); ok {
		rest = strings.TrimSuffix(rest, ".parquet")
		if k := strings.LastIndex(rest, "-"); k > 0 && validID(rest[:k]) {
			return rest[:k], true
		}
		return "", false
	}
	if table == EpochsTable && !strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".parquet") {
		id := strings.TrimSuffix(name, ".parquet")
		if validID(id) && !Exists(dir, id) {
			return id, true
		}
	}
	return "", false
}

// CleanRun deletes what interrupted writes of run runID left in dir:
// its temporary files in both tables, and its epochs file when its runs
// file is missing. Call it only while holding the run's claim (or when no
// other process writes to dir): another writer's temporary file of the same
// run would go too.
func CleanRun(dir, runID string) (removed int, err error) {
	if !validID(runID) {
		return 0, fmt.Errorf("results: run id %q: expected letters, digits, '-' or '_' only", clip(runID))
	}
	for _, table := range []string{RunsTable, EpochsTable} {
		folder := filepath.Join(dir, table)
		entries, err := os.ReadDir(folder)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return removed, fmt.Errorf("results: reading %s: %w", folder, err)
		}
		for _, e := range entries {
			name := e.Name()
			rest, ok := strings.CutPrefix(name, tmpPrefix+runID+"-")
			isTemp := ok && isDigits(strings.TrimSuffix(rest, ".parquet"))
			orphan := table == EpochsTable && name == runID+".parquet" && !Exists(dir, runID)
			if !isTemp && !orphan {
				continue
			}
			if err := os.Remove(filepath.Join(folder, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return removed, fmt.Errorf("results: removing %s: %w", filepath.Join(folder, name), err)
			}
			removed++
		}
	}
	return removed, nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// clip shortens text from a file for a message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// Read loads a results folder: every complete run and the epochs of those
// runs, sorted by run id (and epoch). Epoch files without a runs file (a run
// interrupted between its two renames) are ignored. ReadChecked also
// returns warnings.
func Read(dir string) (runs []RunRow, epochs []EpochRow, err error) {
	runs, epochs, _, err = ReadChecked(dir)
	return runs, epochs, err
}

// ReadChecked is Read that also returns what it corrected, one message each:
// a run or an epoch stored twice is counted once. A runs file whose rows are
// not the run its name says, whose run_id is no plain id, that is empty or
// that lacks a column, and an epochs file that is unreadable or holds
// another run's rows, are errors naming the file.
func ReadChecked(dir string) (runs []RunRow, epochs []EpochRow, warnings []string, err error) {
	switch st, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, nil, fmt.Errorf("results: folder %s does not exist (expected a results folder written by 'biornn train --out' or 'biornn sweep --out')", dir)
	case err != nil:
		return nil, nil, nil, fmt.Errorf("results: %w", err)
	case !st.IsDir():
		return nil, nil, nil, fmt.Errorf("results: %s is a file, expected a results folder (holding %s/ and %s/)", dir, RunsTable, EpochsTable)
	}
	runFiles, err := tableFiles(filepath.Join(dir, RunsTable))
	if err != nil {
		return nil, nil, nil, err
	}
	if len(runFiles) == 0 {
		return nil, nil, nil, fmt.Errorf("results: %s has no runs (expected %s/*.parquet; write some with 'biornn train --out' or 'biornn sweep --out')",
			dir, filepath.Join(dir, RunsTable))
	}
	const hint = "; running the sweep again sets a damaged run aside and trains it again, or move the file away"
	for _, p := range runFiles {
		id := strings.TrimSuffix(filepath.Base(p), ".parquet")
		rows, err := readRuns(p)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("results: reading %s: %w%s", p, err, hint)
		}
		for _, r := range rows {
			if r.RunID != id {
				return nil, nil, nil, fmt.Errorf("results: reading %s: holds run %s, expected %s (the file name)%s", p, r.RunID, id, hint)
			}
		}
		if len(rows) > 1 {
			warnings = append(warnings, fmt.Sprintf("%s holds run %s %d times; counted once", p, id, len(rows)))
		}
		runs = append(runs, rows[0])
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].RunID < runs[j].RunID })
	for _, r := range runs {
		p := filepath.Join(dir, EpochsTable, r.RunID+".parquet")
		rows, dups, err := readEpochs(p, r.RunID)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("results: reading the epochs of run %s (%s): %w%s", r.RunID, p, err, hint)
		}
		if dups > 0 {
			warnings = append(warnings, fmt.Sprintf("%s holds %d epochs of run %s more than once; each counted once", p, dups, r.RunID))
		}
		epochs = append(epochs, rows...)
	}
	return runs, epochs, warnings, nil
}

// epochColumns are the epochs table's columns, every one present in every
// file (val_accuracy may be null).
var epochColumns = []string{"run_id", "epoch", "train_loss", "val_loss", "val_accuracy", "seconds"}

// epochColumnDocs says what each column of the epochs table means
// (rnn/results/README.md is made from it).
var epochColumnDocs = map[string]string{
	"run_id":       "the run (runs.run_id)",
	"epoch":        "0 = the evaluation before any update, then one per epoch trained",
	"train_loss":   "mean over the epoch's training trials of the loss each mini-batch had before its update (epoch 0: a full pass)",
	"val_loss":     "loss over the validation trials after the epoch",
	"val_accuracy": "share of validation trials whose largest output is the label; null for tasks without classes (seq_mem)",
	"seconds":      "wall time of the epoch",
}

// readEpochs reads one run's epochs file: sorted by epoch, an epoch stored
// more than once kept once (dups counts the extra rows). An empty or
// unreadable file, a missing column and rows of another run are errors.
func readEpochs(path, runID string) (rows []EpochRow, dups int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if st.Size() == 0 {
		return nil, 0, errors.New("empty file (0 bytes), not a Parquet file")
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, 0, fmt.Errorf("not a complete Parquet file (%w)", err)
	}
	have := map[string]bool{}
	for _, fl := range pf.Schema().Fields() {
		have[fl.Name()] = true
	}
	for _, c := range epochColumns {
		if !have[c] {
			return nil, 0, fmt.Errorf("column %s is missing", c)
		}
	}
	n := pf.NumRows()
	if n == 0 {
		return nil, 0, errors.New("the file holds no rows (every run has epoch 0 at least)")
	}
	if n > 1<<24 {
		return nil, 0, fmt.Errorf("the file claims %d rows", n)
	}
	recs := make([]epochRecord, n)
	r := parquet.NewGenericReader[epochRecord](pf)
	defer r.Close()
	got, err := r.Read(recs)
	if err != nil && err != io.EOF {
		return nil, 0, err
	}
	if int64(got) != n {
		return nil, 0, fmt.Errorf("read %d of the %d rows the footer lists", got, n)
	}
	all := make([]EpochRow, got)
	for i, rec := range recs[:got] {
		all[i] = rec.row()
	}
	for _, e := range all {
		if e.RunID != runID {
			return nil, 0, fmt.Errorf("holds a row of run %q, expected %s only", clip(e.RunID), runID)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Epoch < all[j].Epoch })
	for i, e := range all {
		if i > 0 && e.Epoch == all[i-1].Epoch {
			dups++
			continue
		}
		rows = append(rows, e)
	}
	return rows, dups, nil
}

// tableFiles lists the complete Parquet files of one table folder.
func tableFiles(folder string) ([]string, error) {
	entries, err := os.ReadDir(folder)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("results: reading %s: %w", folder, err)
	}
	var files []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") || !strings.HasSuffix(n, ".parquet") {
			continue
		}
		files = append(files, filepath.Join(folder, n))
	}
	sort.Strings(files)
	return files, nil
}

func nan() float64 { return math.NaN() }

// PrepareFolder makes sure runs can be written into the results folder
// dir before any training: it creates dir and its tables and writes and
// removes a probe file, so that an unwritable folder fails in the first
// second rather than after hours of training.
func PrepareFolder(dir string) error {
	if dir == "" {
		return errors.New("results: no results folder given")
	}
	for _, table := range []string{RunsTable, EpochsTable} {
		folder := filepath.Join(dir, table)
		if err := os.MkdirAll(folder, 0o755); err != nil {
			return fmt.Errorf("results: creating %s: %w", folder, err)
		}
		f, err := os.CreateTemp(folder, tmpPrefix+"probe-*")
		if err != nil {
			return fmt.Errorf("results: %s is not writable: %w", folder, err)
		}
		f.Close()
		os.Remove(f.Name())
	}
	return nil
}
