package results

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/biornn/biornn/rnn/results/recordfile"
	"github.com/parquet-go/parquet-go"
)

// TestRunIDFollowsFileContents: a connectome or neurons file given by path
// is identified by its contents: editing it gives a new id, an unchanged
// one keeps its id (wherever it lies), and a built-in connectome's id is
// the spec's alone, as before.
func TestRunIDFollowsFileContents(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "net.csv")
	os.WriteFile(csv, []byte("0,1\n1,0\n"), 0o644)
	spec := fakeResult(1, "bio-random", 3).Spec
	if RunID(spec) != PathRunID(spec) {
		t.Fatal("a built-in connectome's id depends on more than the spec")
	}
	spec.Connectome = csv
	before := RunID(spec)
	if before == PathRunID(spec) {
		t.Fatal("a connectome file's contents are not in the run id")
	}
	if RunID(spec) != before {
		t.Fatal("run id of an unchanged file changed")
	}
	os.WriteFile(csv, []byte("0,2\n1,0\n"), 0o644)
	os.Chtimes(csv, time.Now().Add(time.Hour), time.Now().Add(time.Hour)) // a new mtime even on coarse clocks
	if RunID(spec) == before {
		t.Fatal("editing the connectome file kept the run id")
	}
	os.WriteFile(csv, []byte("0,1\n1,0\n"), 0o644)
	if RunID(spec) != before {
		t.Fatal("the original contents do not give the original id back")
	}
	nf := filepath.Join(dir, "n.txt")
	os.WriteFile(nf, []byte("2\n3\n"), 0o644)
	spec.NeuronsFile = nf
	a := RunID(spec)
	os.WriteFile(nf, []byte("2\n4\n"), 0o644)
	os.Chtimes(nf, time.Now().Add(2*time.Hour), time.Now().Add(2*time.Hour))
	if RunID(spec) == a {
		t.Fatal("editing neurons_file kept the run id")
	}
	spec.NeuronsFile = filepath.Join(dir, "missing.txt")
	if _, err := RunIDChecked(spec); err == nil || !strings.Contains(err.Error(), "neurons_file") {
		t.Fatalf("unreadable neurons_file: %v", err)
	}
}

// writeRaw writes a runs file of the given rows (any number) as Write does.
func writeRaw(t *testing.T, path string, rows []RunRow) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	err := recordfile.Write(path, func(w io.Writer) error { return encodeRuns(w, rows) })
	if err != nil {
		t.Fatal(err)
	}
}

// TestReaderValidates: an empty file, a file of no rows, a run id that is a
// path, a missing metric column are errors naming the file; a duplicated row
// counts once, with a warning.
func TestReaderValidates(t *testing.T) {
	res := fakeResult(1, "permute", 2)
	row := NewRunRow("r1", res, "v")
	cases := map[string]func(dir string) string{ // returns the text the error must hold
		"zero bytes": func(dir string) string {
			os.WriteFile(filepath.Join(dir, RunsTable, "r1.parquet"), nil, 0o644)
			return "empty file"
		},
		"zero rows": func(dir string) string {
			writeRaw(t, filepath.Join(dir, RunsTable, "r1.parquet"), nil)
			return "no rows"
		},
		"truncated": func(dir string) string {
			p := filepath.Join(dir, RunsTable, "r1.parquet")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o644)
			return "not a complete Parquet file"
		},
		"path as id": func(dir string) string {
			bad := row
			bad.RunID = "../../.."
			writeRaw(t, filepath.Join(dir, RunsTable, "r1.parquet"), []RunRow{bad})
			return "is no run id"
		},
		"other id": func(dir string) string {
			other := row
			other.RunID = "r2"
			writeRaw(t, filepath.Join(dir, RunsTable, "r1.parquet"), []RunRow{other})
			return "holds run r2, expected r1"
		},
		"missing metric": func(dir string) string {
			type partial struct {
				RunID  string `parquet:"run_id"`
				Status string `parquet:"status"`
			}
			if err := parquet.WriteFile(filepath.Join(dir, RunsTable, "r1.parquet"), []partial{{"r1", "ok"}}); err != nil {
				t.Fatal(err)
			}
			return "is missing"
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := Write(dir, "r1", res, "v"); err != nil {
				t.Fatal(err)
			}
			want := damage(dir)
			_, _, err := Read(dir)
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "r1.parquet") {
				t.Fatalf("Read: %v; want an error naming the file and %q", err, want)
			}
			if err := Verify(dir, "r1"); err == nil {
				t.Fatal("Verify accepted the damaged run")
			}
			moved, err := SetAside(dir, "r1")
			if err != nil || len(moved) != 2 || Exists(dir, "r1") {
				t.Fatalf("SetAside: %v %v", moved, err)
			}
			for _, m := range moved {
				if !strings.HasPrefix(filepath.Base(m), ".corrupt-r1-") {
					t.Errorf("set aside as %s, want a hidden .corrupt- name", m)
				}
			}
		})
	}

	dir := t.TempDir()
	if err := Write(dir, "r1", res, "v"); err != nil {
		t.Fatal(err)
	}
	if err := Verify(dir, "r1"); err != nil {
		t.Fatalf("Verify of an intact run: %v", err)
	}
	writeRaw(t, filepath.Join(dir, RunsTable, "r1.parquet"), []RunRow{row, row})
	runs, _, warnings, err := ReadChecked(dir)
	if err != nil || len(runs) != 1 || len(warnings) != 1 || !strings.Contains(warnings[0], "counted once") {
		t.Fatalf("duplicated row: %d runs, warnings %q, %v", len(runs), warnings, err)
	}
	if Exists(dir, "../runs/r1") || Verify(dir, "../x") == nil {
		t.Error("a path was taken for a run id")
	}
}

// TestClaims: one process at a time holds a run's claim; a claim of a
// process that is gone is taken over; cleanup leaves a run that another
// live process has claimed alone.
func TestClaims(t *testing.T) {
	dir := t.TempDir()
	c, holder, err := TryClaim(dir, "r1")
	if err != nil || c == nil {
		t.Fatalf("first claim: %v %q", err, holder)
	}
	// A second claimant in this process is refused while c is held (the
	// heldTokens check makes this process's own live claim not stale).
	if c2, _, err := TryClaim(dir, "r1"); err != nil || c2 != nil {
		t.Fatalf("second claim granted: %v", err)
	}
	c.Release()
	if _, err := os.Stat(claimPath(dir, "r1")); err == nil {
		t.Fatal("Release left the claim file")
	}

	// A claim of a dead process on this host (a pid that does not exist).
	dead := fmt.Sprintf(`{"host":%q,"pid":%d,"started":"2026-01-01T00:00:00Z","token":"t"}`, thisHost(), 1<<22+12345)
	os.WriteFile(claimPath(dir, "r2"), []byte(dead), 0o644)
	if c, _, err := TryClaim(dir, "r2"); err != nil || c == nil {
		t.Fatalf("stale claim not taken over: %v", err)
	} else {
		c.Release()
	}

	// A live claim of another host: its leftovers stay, until it is stale.
	live := `{"host":"elsewhere","pid":1,"started":"2026-01-01T00:00:00Z","token":"u"}`
	os.WriteFile(claimPath(dir, "r3"), []byte(live), 0o644)
	os.MkdirAll(filepath.Join(dir, EpochsTable), 0o755)
	tmp := filepath.Join(dir, EpochsTable, tmpPrefix+"r3-123.parquet")
	os.WriteFile(tmp, []byte("PAR1"), 0o644)
	if n, err := CleanTemp(dir); err != nil || n != 0 {
		t.Fatalf("CleanTemp removed %d files of a claimed run: %v", n, err)
	}
	if c, holder, _ := TryClaim(dir, "r3"); c != nil || !strings.Contains(holder, "elsewhere") {
		t.Fatalf("live claim of another host taken: %q", holder)
	}
	old := time.Now().Add(-2 * ClaimTTL)
	os.Chtimes(claimPath(dir, "r3"), old, old)
	if n, err := CleanTemp(dir); err != nil || n != 1 {
		t.Fatalf("CleanTemp of a stale claim's leftovers: %d, %v", n, err)
	}
}

// TestEmptyClaimIsStale: a claim file without its owner's record (a process
// killed while writing it in place) does not block the run for ClaimTTL.
func TestEmptyClaimIsStale(t *testing.T) {
	dir := t.TempDir()
	path := claimPath(dir, "abc")
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, nil, 0o644)
	old := time.Now().Add(-10 * time.Second)
	os.Chtimes(path, old, old)
	c, holder, err := TryClaim(dir, "abc")
	if err != nil || c == nil {
		t.Fatalf("claim %v, holder %q, %v", c, holder, err)
	}
	b, _ := os.ReadFile(path)
	if len(b) == 0 {
		t.Fatal("the new claim is empty")
	}
	c.Release()
}
