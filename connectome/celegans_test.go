package connectome

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCElegans imports the cect wheel named by $BIORNN_CECT_WHEEL
// (.ci/run downloads it from PyPI: pip download --no-deps cect==0.3.5) and
// checks what it holds against the counts of the wheel's own data.
func TestImportCElegans(t *testing.T) {
	whl := os.Getenv("BIORNN_CECT_WHEEL")
	if whl == "" {
		if os.Getenv("BIORNN_REQUIRE_CECT") == "1" {
			t.Fatal("BIORNN_CECT_WHEEL is not set (CI downloads the wheel)")
		}
		t.Skip("the C. elegans import is not tested: set BIORNN_CECT_WHEEL to cect-0.3.5-py3-none-any.whl (pip download --no-deps cect==0.3.5)")
	}
	dir := t.TempDir()
	out, err := ImportCElegans(whl, dir)
	if err != nil {
		t.Fatal(err)
	}
	table, err := ReadNeuronTable(filepath.Join(out, NeuronsFile))
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, nt := range table.NTType {
		count[nt]++
	}
	if len(table.IDs) != 473 || count["acetylcholine"] != 153 || count["glutamate"] != 78 || count["gaba"] != 31 {
		t.Fatalf("%d cells, transmitters %v", len(table.IDs), count)
	}
	c, rep, err := ReadNeuronEdges(filepath.Join(out, ConnectionsFile), table, true)
	if err != nil {
		t.Fatal(err)
	}
	nnz, total := 0, 0.0
	for _, v := range c.C.Data {
		if v != 0 {
			nnz++
			total += v
		}
	}
	// Cook 2019's hermaphrodite chemical synapses as cect packages them.
	if nnz != 4879 || total != 28113 || rep.Duplicates != 0 {
		t.Fatalf("%d connections, %v synapses, report %+v", nnz, total, rep)
	}
	b, _ := os.ReadFile(filepath.Join(out, "LICENSE"))
	if !strings.Contains(string(b), "MIT License") {
		t.Fatal("the licence was not copied")
	}
	// Another file is refused by its SHA-256.
	bad := filepath.Join(dir, "cect-0.3.5-py3-none-any.whl")
	os.WriteFile(bad, []byte("PK"), 0o644)
	if _, err := ImportCElegans(bad, dir); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Fatalf("a wrong wheel: %v", err)
	}
}
