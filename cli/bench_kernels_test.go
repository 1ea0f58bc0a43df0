package cli

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

// runBenchKernels runs the command through a throw-away app.
func runBenchKernels(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	app := &ucli.App{Name: "biornn", Writer: &out, ErrWriter: &out,
		Commands: []*ucli.Command{{Name: "bench", Subcommands: []*ucli.Command{benchKernelsCommand()}}}}
	err := app.Run(append([]string{"biornn", "bench", "kernels"}, args...))
	return out.String(), err
}

func TestBenchKernelsJSON(t *testing.T) {
	pq := filepath.Join(t.TempDir(), "k.parquet")
	out, err := runBenchKernels(t, "--batch", "1,4", "--hidden", "20", "--density", "0.5",
		"--kernels", "generic", "--kernel", "spmm,gemm", "--target", "1ms", "--json", "--out", pq)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	recs := jsonRecords(t, out, 4) // 2 batches x 2 kernels
	for _, r := range recs {
		if r["impl"] != "generic" || r["hidden"] != 20.0 || r["density"] != 0.5 {
			t.Fatalf("record does not follow the flags: %v", r)
		}
	}
	if st, err := os.Stat(pq); err != nil || st.Size() == 0 {
		t.Fatalf("--out %s not written: %v", pq, err)
	}
}

// TestBenchKernelsFused: --kernel spmmsddmm times the fused kernel and
// counts 4 useful flops per kept weight and batch column.
func TestBenchKernelsFused(t *testing.T) {
	out, err := runBenchKernels(t, "--batch", "8", "--hidden", "24", "--density", "0.5",
		"--impl", "generic", "--kernel", "spmmsddmm", "--target", "1ms", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	r := jsonRecords(t, out, 1)[0]
	nnz, sec, gf := r["nnz"].(float64), r["seconds"].(float64), r["gflops"].(float64)
	if want := 4 * nnz * 8 / sec / 1e9; r["kernel"] != "spmmsddmm" || nnz <= 0 || math.Abs(gf-want) > 1e-9*want {
		t.Fatalf("record %v: want kernel spmmsddmm at %g GFLOP/s", r, want)
	}
	out, err = runBenchKernels(t, "--batch", "2", "--hidden", "10", "--density", "1", "--kernel", "spmmsddmm", "--impl", "generic", "--target", "1ms")
	if err != nil || !strings.Contains(out, "spmmsddmm") {
		t.Fatalf("table lacks the fused kernel: %v\n%s", err, out)
	}
}

func TestBenchKernelsTable(t *testing.T) {
	out, err := runBenchKernels(t, "--batch", "2", "--hidden", "10", "--density", "1", "--kernel", "sddmm", "--target", "1ms")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "peak") || !strings.Contains(out, "sddmm") {
		t.Fatalf("table lacks the peak or the kernel:\n%s", out)
	}
}

func TestBenchKernelsBadFlag(t *testing.T) {
	if out, err := runBenchKernels(t, "--density", "2", "--target", "1ms"); err == nil {
		t.Fatalf("density 2 accepted:\n%s", out)
	}
	if out, err := runBenchKernels(t, "--impl", "nosuch", "--target", "1ms"); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("unknown impl: err %v\n%s", err, out)
	}
}
