package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn/trainbench"
	"github.com/parquet-go/parquet-go"
	ucli "github.com/urfave/cli/v2"
)

// benchTrainData is the data folder the tests name (the repository's
// copies of the built-in data sets).
var benchTrainData = dataFolder

// runBenchTrain runs `biornn bench train` through a throw-away app with a
// global --data-dir, as the real app has.
func runBenchTrain(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	app := &ucli.App{Name: "biornn", Writer: &out, ErrWriter: &errOut,
		Flags:    []ucli.Flag{&ucli.StringFlag{Name: "data-dir"}, &ucli.StringFlag{Name: "kernels"}},
		Commands: []*ucli.Command{{Name: "bench", Subcommands: []*ucli.Command{benchTrainCommand()}}}}
	err := app.Run(append([]string{"biornn", "--data-dir", benchTrainData, "bench", "train"}, args...))
	return out.String(), errOut.String(), err
}

func TestBenchTrainJSONAndParquet(t *testing.T) {
	pq := filepath.Join(t.TempDir(), "t.parquet")
	out, progress, err := runBenchTrain(t, "--network", "macaque", "--impl", "generic", "--path", "sparse,dense",
		"--epochs", "2", "--trials", "20", "--batch", "8", "--threads", "1", "--json", "--out", pq)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	recs := jsonRecords(t, out, 2) // sparse, dense
	for k, r := range recs {
		if r["network"] != "macaque" || r["neurons"] != 116.0 || r["impl"] != "generic" || r["path"] != []string{"sparse", "dense"}[k] ||
			r["epochs"] != 2.0 || r["batch"] != 8.0 || !(r["epoch_seconds"].(float64) > 0) {
			t.Fatalf("record %d does not follow the flags: %v", k, r)
		}
	}
	if strings.Count(progress, "ms/epoch") != 2 {
		t.Fatalf("want one progress line per record on stderr, got:\n%s", progress)
	}
	back, err := parquet.ReadFile[trainbench.Record](pq)
	if err != nil || len(back) != 2 || back[1].Path != "dense" {
		t.Fatalf("--out %s: %v, %+v", pq, err, back)
	}
}

// --cpuprofile writes a pprof CPU profile (gzip-compressed protobuf).
func TestBenchTrainCPUProfile(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "cpu.prof")
	if out, _, err := runBenchTrain(t, "--network", "macaque", "--path", "sparse", "--epochs", "2", "--trials", "40",
		"--batch", "8", "--quiet", "--cpuprofile", prof); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, err := os.ReadFile(prof)
	if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Fatalf("--cpuprofile wrote %d bytes (%v), want a gzip file", len(b), err)
	}
}

func TestBenchTrainTableAndGlobalKernels(t *testing.T) {
	out, _, err := runBenchTrain(t, "--network", "macaque", "--path", "sparse", "--epochs", "1", "--warmup", "0",
		"--trials", "10", "--batch", "4", "--quiet")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "ms/epoch") || !strings.Contains(out, "macaque") {
		t.Fatalf("no table:\n%s", out)
	}
	// The global --kernels selects the implementation when --impl is absent.
	var buf bytes.Buffer
	app := &ucli.App{Name: "biornn", Writer: &buf, ErrWriter: &buf,
		Flags:    []ucli.Flag{&ucli.StringFlag{Name: "data-dir"}, &ucli.StringFlag{Name: "kernels"}},
		Commands: []*ucli.Command{{Name: "bench", Subcommands: []*ucli.Command{benchTrainCommand()}}}}
	err = app.Run([]string{"biornn", "--data-dir", benchTrainData, "--kernels", "generic", "bench", "train",
		"--network", "macaque", "--path", "dense", "--epochs", "1", "--trials", "10", "--batch", "4", "--json", "--quiet"})
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	var recs []trainbench.Record
	if err := json.Unmarshal(buf.Bytes(), &recs); err != nil || len(recs) != 1 || recs[0].Impl != "generic" {
		t.Fatalf("global --kernels generic: %v %+v", err, recs)
	}
}

func TestBenchTrainScaling(t *testing.T) {
	out, _, err := runBenchTrain(t, "--scaling", "--network", "macaque", "--neurons-per-region", "6", "--density", "0.2",
		"--impl", "generic", "--epochs", "1", "--trials", "10", "--batch", "4", "--quiet")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "ns/(conn*step*trial)") || !strings.Contains(out, "174") {
		t.Fatalf("scaling table lacks the unit or the 174-neuron row:\n%s", out)
	}
}

func TestBenchTrainBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--impl", "nope"},
		{"--path", "diagonal"},
		{"--trials", "0"},
		{"--warmup", "-1"},
		{"--threads", "0"},
		{"extra-arg"},
	} {
		if out, _, err := runBenchTrain(t, append([]string{"--epochs", "1", "--trials", "10", "--quiet"}, args...)...); err == nil {
			t.Errorf("%v accepted:\n%s", args, out)
		}
	}
}

func TestBenchTrainTaskAndActivation(t *testing.T) {
	out, _, err := runBenchTrain(t, "--network", "human", "--impl", "generic", "--path", "sparse", "--task", "nback_mem",
		"--nback", "3", "--activation", "relu", "--epochs", "1", "--trials", "10", "--batch", "4", "--json", "--quiet")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var recs []trainbench.Record
	if err := json.Unmarshal([]byte(out), &recs); err != nil || len(recs) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	if r := recs[0]; r.Task != "nback_mem" || r.Activation != "relu" || r.Steps != 6 || r.Neurons != 228 {
		t.Fatalf("record does not follow --task/--activation: %+v", r)
	}
	if _, _, err := runBenchTrain(t, "--activation", "sigmoid", "--epochs", "1", "--quiet"); err == nil {
		t.Fatal("--activation sigmoid accepted")
	}
}

func TestBenchTrainPictures(t *testing.T) {
	needShared(t, sharedMNIST)
	out, _, err := runBenchTrain(t, "--mnist-dir", sharedMNIST, "--network", "macaque", "--impl", "generic", "--path", "dense", "--task", "pic_latent_mem",
		"--epochs", "1", "--trials", "10", "--batch", "4", "--json", "--quiet")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var recs []trainbench.Record
	if err := json.Unmarshal([]byte(out), &recs); err != nil || len(recs) != 1 || recs[0].Task != "pic_latent_mem" || recs[0].Steps != 7 {
		t.Fatalf("%v %+v", err, recs)
	}
}
