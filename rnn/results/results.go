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
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
	MinValLoss       float64
	MinValEpoch      int64
	SpeedEpoch       int64 // -1 = never
	FinalValLoss     float64
	FinalValAcc      float64
	BiornnVersion    string
	StartedAt        time.Time
	WallSeconds      float64
}

// EpochRow is one row of the epochs table (long format: one row per run and
// epoch; epoch 0 is the evaluation before any update).
type EpochRow struct {
	RunID       string  `parquet:"run_id"`
	Epoch       int64   `parquet:"epoch"`
	TrainLoss   float64 `parquet:"train_loss"`
	ValLoss     float64 `parquet:"val_loss"`
	ValAccuracy float64 `parquet:"val_accuracy"` // NaN for tasks without classes
	Seconds     float64 `parquet:"seconds"`
}

// RunID returns the identifier of a run: the first 16 hex digits of the
// SHA-256 of the spec's canonical JSON encoding. Pass the spec after
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
	for _, st := range rnn.Settings() {
		if st.Execution {
			st.Clear(&spec)
		}
	}
	// json.Marshal of a struct of scalars cannot fail and emits fields in
	// declaration order, so the encoding is canonical for a given RunSpec type.
	b, err := json.Marshal(spec)
	if err != nil {
		panic(fmt.Sprintf("results: encoding RunSpec: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
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
	return RunRow{
		RunID: runID, Status: status, Spec: s,
		ConnectomeName: name, ConnectomeSHA256: res.ConnectomeSHA256, ConnectomeSource: res.ConnectomeSource,
		KernelSet: res.KernelSet, PathUsed: string(res.PathUsed),
		Neurons: int64(res.Neurons), Connections: int64(res.Connections), EpochsRun: int64(epochsRun),
		MinValLoss: res.MinValLoss, MinValEpoch: int64(res.MinValEpoch), SpeedEpoch: int64(res.SpeedEpoch),
		FinalValLoss: finalLoss, FinalValAcc: finalAcc,
		BiornnVersion: version, StartedAt: res.Started.UTC().Truncate(time.Microsecond), WallSeconds: res.WallSeconds,
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
	if err := writeTable(filepath.Join(dir, EpochsTable), runID, EpochRows(runID, res.Epochs)); err != nil {
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

// Exists reports whether run runID is complete in dir (its runs file exists).
func Exists(dir, runID string) bool {
	_, err := os.Stat(filepath.Join(dir, RunsTable, runID+".parquet"))
	return err == nil
}

// CleanTemp deletes every temporary file left in dir's tables by an
// interrupted writer, and every epochs file without its runs file. Call it
// only when no other process writes to dir.
func CleanTemp(dir string) (removed int, err error) { return CleanIncomplete(dir, nil) }

// CleanIncomplete deletes what interrupted writes of the given runs (all if
// ids is nil) left behind: temporary files, and epochs files whose runs file
// is missing (the writer died between the two renames; the run is not
// complete and will be rerun). Restricting it to one shard's runs lets that
// shard clean up while other shards write to the same folder.
func CleanIncomplete(dir string, ids map[string]bool) (removed int, err error) {
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
			var id string
			switch {
			case strings.HasPrefix(name, tmpPrefix):
				// Temporary names are tmpPrefix + run id + "-" + random digits.
				id = strings.TrimPrefix(name, tmpPrefix)
				if k := strings.LastIndex(id, "-"); k >= 0 {
					id = id[:k]
				}
			case table == EpochsTable && strings.HasSuffix(name, ".parquet") && !Exists(dir, strings.TrimSuffix(name, ".parquet")):
				id = strings.TrimSuffix(name, ".parquet")
			default:
				continue
			}
			if ids != nil && !ids[id] {
				continue
			}
			if err := os.Remove(filepath.Join(folder, name)); err != nil {
				return removed, fmt.Errorf("results: removing %s: %w", filepath.Join(folder, name), err)
			}
			removed++
		}
	}
	return removed, nil
}

// Read loads a results folder: every complete run and the epochs of those
// runs, sorted by run id (and epoch). Epoch files without a runs file (a run
// interrupted between its two renames) are ignored.
func Read(dir string) (runs []RunRow, epochs []EpochRow, err error) {
	switch st, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, fmt.Errorf("results: folder %s does not exist (expected a results folder written by 'biornn train --out' or 'biornn sweep --out')", dir)
	case err != nil:
		return nil, nil, fmt.Errorf("results: %w", err)
	case !st.IsDir():
		return nil, nil, fmt.Errorf("results: %s is a file, expected a results folder (holding %s/ and %s/)", dir, RunsTable, EpochsTable)
	}
	runFiles, err := tableFiles(filepath.Join(dir, RunsTable))
	if err != nil {
		return nil, nil, err
	}
	if len(runFiles) == 0 {
		return nil, nil, fmt.Errorf("results: %s has no runs (expected %s/*.parquet; write some with 'biornn train --out' or 'biornn sweep --out')",
			dir, filepath.Join(dir, RunsTable))
	}
	for _, p := range runFiles {
		rows, err := readRuns(p)
		if err != nil {
			return nil, nil, fmt.Errorf("results: reading %s: %w", p, err)
		}
		runs = append(runs, rows...)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].RunID < runs[j].RunID })
	for _, r := range runs {
		p := filepath.Join(dir, EpochsTable, r.RunID+".parquet")
		rows, err := parquet.ReadFile[EpochRow](p)
		if err != nil {
			return nil, nil, fmt.Errorf("results: reading the epochs of run %s (%s): %w", r.RunID, p, err)
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Epoch < rows[j].Epoch })
		epochs = append(epochs, rows...)
	}
	return runs, epochs, nil
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
