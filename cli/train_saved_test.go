package cli

import (
	"archive/zip"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn/results"
)

// writeTaskNPZ writes a small nll task: x (n, T, 2) and integer labels y.
func writeTaskNPZ(t *testing.T, path string, n, T int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(f)
	arr := func(name, descr, shape string, data []byte) {
		w, _ := z.Create(name + ".npy")
		h := "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }"
		h += strings.Repeat(" ", 63-(10+len(h))%64) + "\n"
		w.Write(append(append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8)), h...))
		w.Write(data)
	}
	var x, y []byte
	for i := 0; i < n; i++ {
		sum := 0.0
		for s := 0; s < T; s++ {
			a, b := math.Sin(float64(i*7+s*3)), math.Cos(float64(i*5+s))
			sum += a
			x = binary.LittleEndian.AppendUint32(x, math.Float32bits(float32(a)))
			x = binary.LittleEndian.AppendUint32(x, math.Float32bits(float32(b)))
			label := uint64(0)
			if sum > 0 {
				label = 1
			}
			y = binary.LittleEndian.AppendUint64(y, label)
		}
	}
	itoa := strconv.Itoa
	arr("x", "<f4", itoa(n)+", "+itoa(T)+", 2", x)
	arr("y", "<i8", itoa(n)+", "+itoa(T), y)
	z.Close()
	f.Close()
}

// TestTrainArraysTaskSaveAndContinue: the command pair. A run on a
// user's .npz task saved after 3 epochs and continued with --init-from for
// 3 more has the summary and the final parameters of 6 uninterrupted
// epochs.
func TestTrainArraysTaskSaveAndContinue(t *testing.T) {
	dir := t.TempDir()
	task := filepath.Join(dir, "task.npz")
	writeTaskNPZ(t, task, 120, 6)
	out := filepath.Join(dir, "results")
	common := []string{"train", "-q", "--task", "arrays:" + task, "--out", out}
	whole, _, err := run(t, append(common, "--epochs", "6", "--save-network", filepath.Join(dir, "whole"))...)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, append(common, "--epochs", "3", "--save-network", filepath.Join(dir, "half"))...); err != nil {
		t.Fatal(err)
	}
	cont, _, err := run(t, "train", "-q", "--out", out, "--init-from", filepath.Join(dir, "half"), "--save-network", filepath.Join(dir, "cont"))
	if err != nil {
		t.Fatal(err)
	}
	// Same summary (min val loss, its epoch, speed epoch), another run id.
	wall := regexp.MustCompile(`, [0-9.]+ (ms|s) \(`)
	tail := func(s string) string { return wall.ReplaceAllString(s[strings.Index(s, ":"):], " (") }
	if tail(whole) != tail(cont) || whole[:20] == cont[:20] {
		t.Fatalf("continued run\n%s\ndiffers from the uninterrupted one\n%s", cont, whole)
	}
	for _, f := range []string{"w_in.npy", "w_out.npy", "b.npy", "b_out.npy", "connections.parquet"} {
		a, _ := os.ReadFile(filepath.Join(dir, "whole", f))
		b, _ := os.ReadFile(filepath.Join(dir, "cont", f))
		if len(a) == 0 || string(a) != string(b) {
			t.Errorf("%s differs between the continued and the uninterrupted network", f)
		}
	}
	runs, _, err := results.Read(out)
	if err != nil || len(runs) != 3 {
		t.Fatalf("results: %d runs, %v", len(runs), err)
	}
	// A folder that is not a saved network is refused before training.
	if _, _, err := run(t, "train", "-q", "--out", out, "--init-from", dir); err == nil || !strings.Contains(err.Error(), "not a saved network") {
		t.Fatalf("--init-from a plain folder: %v", err)
	}
}

// TestBuildSyntheticAndTrain: biornn build --synthetic writes a network
// folder that train reads as neuron-level data under Dale's law.
func TestBuildSyntheticAndTrain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	out, _ := mustRun(t, "build", "--synthetic", "sbm", "--neurons", "200", "--connections", "3000", "--excitatory", "0.75", "--seed", "2", "--out", dir)
	if !strings.Contains(out, "200 neurons (150 excitatory), 3000 connections") {
		t.Fatalf("build printed %q", out)
	}
	res := filepath.Join(t.TempDir(), "res")
	mustRun(t, "train", "-q", "--connectome", dir, "--dale", "--epochs", "2", "--trials", "50", "--out", res)
	runs, _, err := results.Read(res)
	if err != nil || len(runs) != 1 || runs[0].Neurons != 200 || runs[0].Connections != 3000 || runs[0].ExcitatoryShare != 0.75 || runs[0].Spec.Level != "neuron" {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	if _, _, err := run(t, "build", "--synthetic", "sbm", "--connections", "10", "--out", filepath.Join(t.TempDir(), "x")); err == nil || !strings.Contains(err.Error(), "--neurons") {
		t.Fatalf("without --neurons: %v", err)
	}
}

// TestCElegansImportAndTrain: data import of the cect wheel, then train
// --connectome celegans under Dale's law (glutamate excitatory, as in
// worms; cells without a fast transmitter, such as muscles, excitatory).
func TestCElegansImportAndTrain(t *testing.T) {
	whl := os.Getenv("BIORNN_CECT_WHEEL")
	if whl == "" {
		t.Skip("set BIORNN_CECT_WHEEL to cect-0.3.5-py3-none-any.whl to test the C. elegans import (CI does)")
	}
	data := t.TempDir()
	out, _ := mustRun(t, "--data-dir", data, "data", "import", whl)
	if !strings.Contains(out, "--connectome celegans") {
		t.Fatalf("import printed %q", out)
	}
	list, _ := mustRun(t, "--data-dir", data, "connectomes", "--cite")
	if !strings.Contains(list, "Whole-animal connectomes of both Caenorhabditis elegans sexes") {
		t.Fatalf("connectomes --cite lacks Cook 2019:\n%s", list)
	}
	res := filepath.Join(t.TempDir(), "res")
	mustRun(t, "--data-dir", data, "train", "-q", "--connectome", "celegans", "--dale", "--glutamate", "excitatory",
		"--unknown-transmitter", "excitatory", "--epochs", "2", "--trials", "50", "--out", res)
	runs, _, err := results.Read(res)
	if err != nil || len(runs) != 1 || runs[0].Neurons != 473 || runs[0].Spec.Level != "neuron" {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	// With the gap junctions: more connections, the same neurons.
	mustRun(t, "--data-dir", data, "train", "-q", "--connectome", "celegans", "--gap-junctions", "--epochs", "1", "--trials", "50", "--out", res)
	runs, _, err = results.Read(res)
	if err != nil || len(runs) != 2 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	chem, both := runs[0], runs[1]
	if chem.Spec.GapJunctions {
		chem, both = both, chem
	}
	if both.Neurons != 473 || both.Connections <= chem.Connections {
		t.Fatalf("with gap junctions: %d neurons, %d connections (chemical only: %d)", both.Neurons, both.Connections, chem.Connections)
	}
	t.Logf("C. elegans: %d chemical connections, %d with gap junctions", chem.Connections, both.Connections)
}
