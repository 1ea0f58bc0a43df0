package connectome

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuiltinEverySet loads every registered set with no data folder, from
// the copy built into the binary, and checks it equals the same files read
// from a folder (the repository's builtin/ folder).
func TestBuiltinEverySet(t *testing.T) {
	t.Setenv(DataEnv, "")
	for _, d := range DataSets() {
		if !d.Builtin() {
			t.Errorf("%s is not built in", d.Name)
		}
		c, err := Load(d.Name, "")
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		if c.Source != BuiltinSource || c.C.Rows != d.Regions || len(c.Regions) != d.Regions {
			t.Errorf("%s: source %q, %d rows, %d names", d.Name, c.Source, c.C.Rows, len(c.Regions))
		}
		f, err := d.Load(builtinDir)
		if err != nil {
			t.Fatal(err)
		}
		if !sameFloats(c.C.Data, f.C.Data) || strings.Join(c.Regions, ",") != strings.Join(f.Regions, ",") ||
			!sameFloats(c.NeuronDensity, f.NeuronDensity) {
			t.Errorf("%s: built-in copy differs from %s", d.Name, builtinDir)
		}
	}
	if !strings.Contains(BuiltinLicense(), "MIT License") {
		t.Error("the built-in data's licence is missing")
	}
}

// TestDataDirOverridesBuiltin: a set in the data folder is used and its
// folder recorded; a folder without the set falls back to the built-in
// copy; a folder that does not exist is an error; a wrong checksum in the
// folder is an error naming the file and both hashes, not a fallback.
func TestDataDirOverridesBuiltin(t *testing.T) {
	t.Setenv(DataEnv, "")
	dir := copyShared(t, "C_Macaque_Normalized.npy", "ND_Macaque_Normalized.npy", "Names_Macaque_Normalized.lst")
	c, err := Load("macaque", dir)
	if err != nil || c.Source != dir {
		t.Fatalf("from the data folder: source %v, err %v", c, err)
	}
	t.Setenv(DataEnv, dir)
	if c, err := Load("macaque", ""); err != nil || c.Source != dir {
		t.Fatalf("from BIORNN_DATA: %v", err)
	}
	if c, err := Load("human", ""); err != nil || c.Source != BuiltinSource {
		t.Fatalf("a set the folder lacks: %v", err)
	}
	t.Setenv(DataEnv, "")
	missing := filepath.Join(dir, "nope")
	if _, err := Load("macaque", missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing folder: %v", err)
	}
	p := filepath.Join(dir, "C_Macaque_Normalized.npy")
	b, _ := os.ReadFile(p)
	b[len(b)-1] ^= 1
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load("macaque", dir)
	d, _ := Lookup("macaque")
	for _, s := range []string{p, d.File(KindMatrix).SHA256, sha256Hex(b)} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("corrupt file in the data folder: %v lacks %q", err, s)
		}
	}
}
