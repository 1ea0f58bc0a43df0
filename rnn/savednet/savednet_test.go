package savednet

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn"
)

func spec(epochs int, mod func(*rnn.RunSpec)) rnn.RunSpec {
	s := rnn.RunSpec{Connectome: "macaque", Task: rnn.TaskSeqMem, Epochs: epochs, Seed: 3, Threads: 2}
	if mod != nil {
		mod(&s)
	}
	return s
}

func sameParams(t *testing.T, what string, a, b rnn.Params) {
	t.Helper()
	for _, f := range []struct {
		name string
		x, y []float32
	}{{"w_in", a.WIn, b.WIn}, {"w_hh", a.WHH, b.WHH}, {"b", a.B, b.B}, {"w_out", a.WOut, b.WOut}, {"b_out", a.BOut, b.BOut}} {
		for k := range f.x {
			if math.Float32bits(f.x[k]) != math.Float32bits(f.y[k]) {
				t.Fatalf("%s: %s[%d] = %v, expected %v (bit for bit)", what, f.name, k, f.y[k], f.x[k])
			}
		}
	}
}

// TestContinueEqualsUninterrupted: 4 epochs, saved, loaded and continued
// for 5 more equal 9 uninterrupted epochs bit for bit (parameters, every
// epoch's metrics, the run's summary), for each optimizer, a fixed batch
// order and patience.
func TestContinueEqualsUninterrupted(t *testing.T) {
	for _, c := range []struct {
		name string
		mod  func(*rnn.RunSpec)
	}{
		{"adam", nil},
		{"rmsprop-fixed-order", func(s *rnn.RunSpec) { s.Optimizer, s.BatchOrder = rnn.OptimizerRMSprop, rnn.BatchOrderFixed }},
		{"sgd-momentum-small-batches", func(s *rnn.RunSpec) { s.Optimizer, s.Momentum, s.BatchSize, s.LR = rnn.OptimizerSGD, 0.9, 50, 0.05 }},
		{"patience", func(s *rnn.RunSpec) { s.Patience, s.LR = 2, 0.05 }},
		{"leak-and-noise", func(s *rnn.RunSpec) { s.Tau, s.DT, s.NoiseStd = 10, 2, 0.05 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			full, err := Run(context.Background(), spec(9, c.mod), "test", rnn.RunOptions{Keep: true})
			if err != nil {
				t.Fatal(err)
			}
			defer full.Net.Close()
			first := spec(4, c.mod)
			first.SaveNetwork = filepath.Join(dir, "net")
			if _, err := Run(context.Background(), first, "test", rnn.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			base, err := Base(first.SaveNetwork)
			if err != nil {
				t.Fatal(err)
			}
			base.Epochs, base.Threads = 5, 1 // other thread count: the same numbers
			cont, err := Run(context.Background(), base, "test", rnn.RunOptions{Keep: true})
			if err != nil {
				t.Fatal(err)
			}
			defer cont.Net.Close()
			sameParams(t, "continued", full.Net.Params(), cont.Net.Params())
			if len(cont.Epochs) != len(full.Epochs) {
				t.Fatalf("continued run has %d epochs, uninterrupted %d", len(cont.Epochs), len(full.Epochs))
			}
			for k := range full.Epochs {
				a, b := full.Epochs[k], cont.Epochs[k]
				if a.Epoch != b.Epoch || a.TrainLoss != b.TrainLoss || a.ValLoss != b.ValLoss {
					t.Fatalf("epoch %d: continued %+v, uninterrupted %+v", k, b, a)
				}
			}
			if full.MinValLoss != cont.MinValLoss || full.MinValEpoch != cont.MinValEpoch || full.SpeedEpoch != cont.SpeedEpoch {
				t.Fatalf("summary: continued %v@%d speed %d, uninterrupted %v@%d speed %d", cont.MinValLoss, cont.MinValEpoch,
					cont.SpeedEpoch, full.MinValLoss, full.MinValEpoch, full.SpeedEpoch)
			}
		})
	}
}

// TestSaveLoadRoundTrip: every saved array comes back, regions included.
func TestSaveLoadRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "n")
	s := spec(3, nil)
	s.SaveNetwork = dir
	res, err := Run(context.Background(), s, "v1", rnn.RunOptions{Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Net.Close()
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	sameParams(t, "loaded", res.Net.Params(), got.Params)
	if !slices.Equal(got.Mask, res.Net.Mask()) || got.Version != "v1" || got.ConnectomeName != "macaque" {
		t.Fatalf("mask, version %q or connectome %q differ", got.Version, got.ConnectomeName)
	}
	if len(got.Regions) != 116 || got.Regions[0] == "" {
		t.Fatalf("regions: %d, first %q", len(got.Regions), got.Regions[0])
	}
	if got.State == nil || len(got.State.Epochs) != 4 || got.State.Optimizer.Step == 0 || got.State.Optimizer.V == nil {
		t.Fatalf("state not restored: %+v", got.State)
	}
	if got.Spec.Epochs != 3 || got.Spec.Connectome != "macaque" || got.Spec.SaveNetwork != "" {
		t.Fatalf("settings: %+v", got.Spec)
	}
}

// TestBadFolders: every refusal names the problem and writes nothing.
func TestBadFolders(t *testing.T) {
	dir := t.TempDir()
	s := spec(2, nil)
	s.SaveNetwork = filepath.Join(dir, "n")
	if _, err := Run(context.Background(), s, "v1", rnn.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	// Another version refuses to continue it.
	b, _ := Base(s.SaveNetwork)
	if _, err := Run(context.Background(), b, "v2", rnn.RunOptions{}); err == nil || !strings.Contains(err.Error(), "saved by biornn v1") {
		t.Fatalf("another version: %v", err)
	}
	// A user folder is not overwritten.
	user := filepath.Join(dir, "mine")
	os.MkdirAll(user, 0o755)
	os.WriteFile(filepath.Join(user, "notes.txt"), []byte("keep"), 0o644)
	s2 := spec(2, nil)
	s2.SaveNetwork = user
	if _, err := Run(context.Background(), s2, "v1", rnn.RunOptions{}); err == nil || !strings.Contains(err.Error(), "not a saved network") {
		t.Fatalf("user folder: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(user, "notes.txt")); string(b) != "keep" {
		t.Fatal("user file changed")
	}
	// Damaged folders.
	for _, c := range []struct {
		name, file, content, want string
	}{
		{"meta", MetaFile, "{", "network.json"},
		{"format", MetaFile, `{"format":"other","format_version":1}`, "format"},
		{"weights", "w_in.npy", "junk", "w_in.npy"},
		{"connections", "connections.parquet", "junk", "connections.parquet"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := filepath.Join(t.TempDir(), "n")
			copyDir(t, s.SaveNetwork, d)
			os.WriteFile(filepath.Join(d, c.file), []byte(c.content), 0o644)
			if _, err := Load(d); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("expected an error naming %s, got %v", c.want, err)
			}
		})
	}
	// Another network's shape: the settings build another mask.
	d := filepath.Join(t.TempDir(), "n")
	copyDir(t, s.SaveNetwork, d)
	b2, _ := Base(d)
	b2.Strategy = "permute"
	if _, err := Run(context.Background(), b2, "v1", rnn.RunOptions{}); err == nil || !strings.Contains(err.Error(), "another mask") {
		t.Fatalf("other wiring: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "not a saved network") {
		t.Fatalf("missing: %v", err)
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	os.MkdirAll(dst, 0o755)
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644)
	}
}

// FuzzLoadMeta: any network.json in an otherwise valid folder loads or is
// an error, never a panic or an allocation beyond the memory budget.
func FuzzLoadMeta(f *testing.F) {
	src := filepath.Join(f.TempDir(), "n")
	s := spec(1, nil)
	s.SaveNetwork = src
	if _, err := Run(context.Background(), s, "v1", rnn.RunOptions{}); err != nil {
		f.Fatal(err)
	}
	meta, _ := os.ReadFile(filepath.Join(src, MetaFile))
	f.Add(meta)
	f.Add([]byte(`{"format":"biornn-network","format_version":1,"hidden":16777216,"inputs":1,"outputs":1}`))
	files, _ := os.ReadDir(src)
	f.Fuzz(func(t *testing.T, data []byte) {
		d := filepath.Join(t.TempDir(), "n")
		os.MkdirAll(d, 0o755)
		for _, e := range files {
			b, _ := os.ReadFile(filepath.Join(src, e.Name()))
			os.WriteFile(filepath.Join(d, e.Name()), b, 0o644)
		}
		os.WriteFile(filepath.Join(d, MetaFile), data, 0o644)
		Load(d)
	})
}
