package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestConnectomeFileFormat: a negative edge-list index is an error (it
// panicked), and the format follows the extension or --format in build and
// connectome show.
func TestConnectomeFileFormat(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	neg := write("n.edges", "-1 1 0.5\n1 0 1\n")
	for _, args := range [][]string{{"build", "--connectome", neg}, {"connectome", "show", neg}} {
		if _, _, err := run(t, args...); err == nil || !strings.Contains(err.Error(), "line 1, column 1") {
			t.Errorf("%v: %v", args, err)
		}
	}
	amb := write("net.txt", "0 1 2\n1 0 2\n2 1 0\n")
	if _, _, err := run(t, "connectome", "show", amb); err == nil || !strings.Contains(err.Error(), "connectome_format") {
		t.Errorf("ambiguous show: %v", err)
	}
	out, _ := mustRun(t, "connectome", "show", "--format", "edges", amb)
	if !regexp.MustCompile(`\nnnz +2\n`).MatchString(out) {
		t.Errorf("show --format edges:\n%s", out)
	}
	if _, _, err := run(t, "connectome", "show", "--format", "sparse", amb); err == nil || !strings.Contains(err.Error(), "sparse") {
		t.Errorf("bad --format: %v", err)
	}
	for _, flag := range []string{"--format", "--connectome-format"} {
		out, _ := mustRun(t, "build", "--connectome", amb, flag, "matrix")
		if !strings.Contains(out, "n 12\n") {
			t.Errorf("build %s matrix:\n%s", flag, out)
		}
	}
	if _, _, err := run(t, "build", "--connectome", amb); err == nil || !strings.Contains(err.Error(), "connectome_format") {
		t.Errorf("ambiguous build: %v", err)
	}
}
