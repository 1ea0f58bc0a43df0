package cli

import (
	"bufio"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn/results"
)

// TestFlyVisTrain: the fly optic lobe trains under Dale's law with the
// photoreceptors as inputs and T4 as outputs; the runs table holds its
// size, level, extent and excitatory share; a wrong extent names itself.
func TestFlyVisTrain(t *testing.T) {
	res := filepath.Join(t.TempDir(), "res")
	mustRun(t, "train", "-q", "--connectome", "flyvis-optic-lobe", "--extent", "3", "--dale",
		"--input-neurons", "type:R1,R2,R3,R4,R5,R6,R7,R8", "--output-neurons", "type:T4a,T4b", "--epochs", "5", "--trials", "100", "--out", res)
	runs, epochs, err := results.Read(res)
	if err != nil || len(runs) != 1 || len(epochs) != 6 {
		t.Fatalf("%d runs, %d epochs, %v", len(runs), len(epochs), err)
	}
	r := runs[0]
	g, err := connectome.FlyVisBuild(3)
	if err != nil {
		t.Fatal(err)
	}
	if r.Neurons != 2345 || r.Connections != 63209 || r.Spec.Level != "neuron" || r.Spec.Extent != 3 || !r.Spec.Dale ||
		math.Abs(r.ExcitatoryShare-float64(g.Excitatory)/2345) > 1e-12 {
		t.Fatalf("run %d neurons, %d connections, level %q, extent %d, excitatory share %v (flyvis: %d of 2345)",
			r.Neurons, r.Connections, r.Spec.Level, r.Spec.Extent, r.ExcitatoryShare, g.Excitatory)
	}
	show, _ := mustRun(t, "connectome", "show", "--extent", "3", "flyvis-optic-lobe")
	for _, want := range []string{"neurons       2345", "connections   63209", "\nT4a ", "Lappalainen"} {
		if !strings.Contains(show, want) {
			t.Fatalf("connectome show flyvis-optic-lobe lacks %q:\n%s", want, show)
		}
	}
	list, _ := mustRun(t, "connectomes", "--cite")
	if !strings.Contains(list, "flyvis-optic-lobe") || !strings.Contains(list, "Connectome-constrained networks predict neural activity") {
		t.Fatalf("connectomes --cite lacks flyvis:\n%s", list)
	}
	for _, args := range [][]string{
		{"train", "--extent", "3"},                                       // macaque has no extent
		{"train", "--connectome", "flyvis-optic-lobe", "--extent", "99"}, // beyond the bound
	} {
		if _, _, err := run(t, append(args, "-q", "--epochs", "1", "--out", t.TempDir())...); err == nil || !strings.Contains(err.Error(), "--extent") {
			t.Errorf("%v: %v, expected an error naming --extent", args, err)
		}
	}
}

// TestLargeNeuronNetwork: a synthetic network of 100,000 neurons and
// 10,000,000 connections (biornn build --synthetic) trains an epoch of
// seq_mem (L = 5, 500 trials, batch 32, Adam) within 4 GiB of peak memory,
// measured in a child process (VmHWM). The load time is logged.
func TestLargeNeuronNetwork(t *testing.T) {
	if dir := os.Getenv("BIORNN_LARGE_CHILD"); dir != "" {
		largeChild(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("100k neurons, 10M connections: about 30 s")
	}
	dir := filepath.Join(t.TempDir(), "net")
	mustRun(t, "build", "--synthetic", "sbm", "--neurons", "100000", "--connections", "10000000", "--excitatory", "0.8", "--seed", "1", "--out", dir)
	if out, _ := mustRun(t, "build", "--connectome", dir); !strings.Contains(out, "nnz 10000000") || !strings.Contains(out, "n 100000\n") {
		t.Fatalf("build --connectome of the large network printed:\n%s", out)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLargeNeuronNetwork$", "-test.v")
	cmd.Env = append(os.Environ(), "BIORNN_LARGE_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var hwm, load float64
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		for k := 0; k+1 < len(f); k++ {
			switch f[k] {
			case "peak_kib":
				hwm, _ = strconv.ParseFloat(f[k+1], 64)
			case "load_s":
				load, _ = strconv.ParseFloat(f[k+1], 64)
			}
		}
	}
	t.Logf("peak RSS %.2f GiB, load %.2f s", hwm/(1<<20), load)
	if !(hwm > 0) || hwm > 4<<20 {
		t.Fatalf("peak RSS %.0f KiB: expected <= 4 GiB\n%s", hwm, out)
	}
}

// largeChild loads the network (timed), then trains one epoch through the
// CLI and prints its peak resident memory.
func largeChild(t *testing.T, dir string) {
	t0 := time.Now()
	tab, err := connectome.ReadNeuronTable(filepath.Join(dir, connectome.NeuronsFile))
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := connectome.ReadNeuronEdges(filepath.Join(dir, connectome.ConnectionsFile), tab, false)
	if err != nil || c.Edges.Neurons != 100000 || len(c.Edges.Pre) != 10000000 {
		t.Fatalf("load: %v", err)
	}
	load := time.Since(t0).Seconds()
	c, tab = nil, nil
	mustRun(t, "train", "-q", "--connectome", dir, "--task", "seq_mem", "--pattern-length", "5", "--trials", "500",
		"--batch-size", "32", "--optimizer", "adam", "--epochs", "1", "--threads", "2", "--out", filepath.Join(t.TempDir(), "res"))
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			t.Logf("peak_kib %s load_s %.3f", f[1], load)
		}
	}
}

// TestNeuronLevelSweep: a sweep file sets the built-in fly optic lobe and
// its neuron-level controls as an axis (the built-in name is no path
// relative to the file).
func TestNeuronLevelSweep(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "fly.toml")
	os.WriteFile(file, []byte(`name = "fly"
seeds = [1]
[grid]
strategy = ["bio-random", "rewire", "rewire-types", "shuffle-dale"]
[fixed]
connectome = "flyvis-optic-lobe"
extent = 2
dale = true
input_neurons = "role:input"
epochs = 1
trials = 40
`), 0o644)
	out := filepath.Join(dir, "out")
	mustRun(t, "sweep", "--quiet", "--out", out, file)
	runs, _, err := results.Read(out)
	if err != nil || len(runs) != 4 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	for _, r := range runs {
		if r.Spec.Extent != 2 || !r.Spec.Dale || r.Connections == 0 {
			t.Fatalf("run %s: extent %d, dale %v, %d connections", r.Spec.Strategy, r.Spec.Extent, r.Spec.Dale, r.Connections)
		}
	}
}
