package recordfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

type row struct {
	Name  string  `parquet:"name" json:"name"`
	Count int64   `parquet:"count" json:"count"`
	Value float64 `parquet:"value" json:"value"`
}

func TestWriteParquetRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rows.parquet")
	want := []row{{"a", 1, 0.5}, {"b", -2, 3}}
	if err := WriteParquet(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := parquet.ReadFile[row](path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("read back %+v, want %+v", got, want)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("folder holds %d files, want only rows.parquet", len(entries))
	}
}

// A finished file is readable by others (CreateTemp alone would leave 0600,
// hiding results from collaborators and other users' cluster jobs).
func TestWriteMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.csv")
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "a\n"); return err }); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, want -rw-r--r--", st.Mode().Perm())
	}
}

// A failing writer leaves neither the file nor a temporary file, and an
// existing file is kept as it was.
func TestWriteFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v: want boom naming %s", err, path)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("existing file changed to %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("folder holds %d files after a failed write, want 1", len(entries))
	}
}

func TestWriteMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "x.parquet")
	err := WriteParquet(path, []row{{"a", 1, 1}})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v: want one naming %s", err, path)
	}
}

// The temporary name keeps the extension last, so that the results reader
// (which only reads *.parquet without a leading dot) and CleanIncomplete
// (which takes the run id before the last '-') recognise it.
func TestTempName(t *testing.T) {
	dir := t.TempDir()
	var tmp string
	Write(filepath.Join(dir, "run-1.parquet"), func(w io.Writer) error {
		tmp = filepath.Base(w.(*os.File).Name())
		return errors.New("stop")
	})
	if !strings.HasPrefix(tmp, TempPrefix+"run-1-") || !strings.HasSuffix(tmp, ".parquet") {
		t.Fatalf("temporary name %q: want %srun-1-<digits>.parquet", tmp, TempPrefix)
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON[row](&buf, nil); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(buf.String()) != "[]" {
		t.Fatalf("nil rows gave %q, want []", buf.String())
	}
	buf.Reset()
	if err := WriteJSON(&buf, []row{{"a", 1, 0.5}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"name": "a"`) {
		t.Fatalf("JSON %q lacks the name field", buf.String())
	}
}
