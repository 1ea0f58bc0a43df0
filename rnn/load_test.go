package rnn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/biornn/biornn/connectome"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// buildFrom builds the network of a connectome file with the defaults,
// turning a panic into a test failure.
func buildFrom(t *testing.T, spec RunSpec) (w *Wiring, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s: panic: %v", spec.Connectome, r)
		}
	}()
	full, err := Defaults(spec)
	if err != nil {
		return nil, err
	}
	return BuildWiring(full)
}

// TestConnectomeFileNegativeIndex: the edge list that made 'build' panic
// is an error naming the setting, the file and the line.
func TestConnectomeFileNegativeIndex(t *testing.T) {
	p := writeFile(t, "n.edges", "-1 1 0.5\n1 0 1\n")
	_, err := buildFrom(t, RunSpec{Connectome: p})
	pr, ok := AsProblem(err)
	if !ok || pr.Key != "connectome" || !strings.Contains(err.Error(), "n.edges: line 1, column 1") {
		t.Errorf("error %v", err)
	}
}

// TestConnectomeFormatSetting: connectome_format (alias format) decides how
// a file is read; auto follows the extension and refuses to guess.
func TestConnectomeFormatSetting(t *testing.T) {
	p := writeFile(t, "net.txt", "0 1 2\n1 0 2\n2 1 0\n")
	if _, err := buildFrom(t, RunSpec{Connectome: p}); err == nil || !strings.Contains(err.Error(), "connectome_format") {
		t.Errorf("ambiguous .txt: %v", err)
	}
	var spec RunSpec
	spec.Connectome = p
	if err := spec.Set("format", "edges"); err != nil || spec.ConnectomeFormat != connectome.FormatEdges {
		t.Fatalf("alias: %v %q", err, spec.ConnectomeFormat)
	}
	w, err := buildFrom(t, spec)
	if err != nil || w.Connectome.C.Rows != 3 || w.Connectome.C.At(0, 1) != 2 || w.Connectome.C.At(0, 2) != 0 {
		t.Errorf("edges: %v", err)
	}
	spec.ConnectomeFormat = connectome.FormatMatrix
	if w, err := buildFrom(t, spec); err != nil || w.Connectome.C.Rows != 3 || w.Connectome.C.At(0, 2) != 2 {
		t.Errorf("matrix: %v", err)
	}
	// A typo cell in a matrix shows its line.
	bad := writeFile(t, "m.csv", "0,1,1\n1,0,x\n1,1,0\n")
	if _, err := buildFrom(t, RunSpec{Connectome: bad}); err == nil || !strings.Contains(err.Error(), `line 2 is "1,0,x"`) {
		t.Errorf("typo: %v", err)
	}
	// A registered data set is a matrix.
	_, err = buildFrom(t, RunSpec{Connectome: "macaque", ConnectomeFormat: connectome.FormatEdges})
	if pr, ok := AsProblem(err); !ok || pr.Key != "connectome_format" {
		t.Errorf("macaque as edges: %v", err)
	}
	if _, err := buildFrom(t, RunSpec{Connectome: "macaque", ConnectomeFormat: connectome.FormatMatrix}); err != nil {
		t.Errorf("macaque as matrix: %v", err)
	}
	if err := spec.Set("connectome_format", "sparse"); err == nil {
		t.Error("unknown format accepted")
	}
	// auto spelt out is the default: one run identity.
	a, err := Defaults(RunSpec{ConnectomeFormat: connectome.FormatAuto})
	if err != nil || a.ConnectomeFormat != "" {
		t.Errorf("auto: %q %v", a.ConnectomeFormat, err)
	}
}
