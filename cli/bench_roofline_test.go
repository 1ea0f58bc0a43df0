package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/biornn/biornn/kernels/roofline"
	ucli "github.com/urfave/cli/v2"
)

// runBenchRoofline runs the command through a throw-away app; stdout and
// stderr are kept apart so that --json output parses.
func runBenchRoofline(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	app := &ucli.App{Name: "biornn", Writer: &out, ErrWriter: &errOut,
		Flags:    []ucli.Flag{kernelsFlag},
		Commands: []*ucli.Command{{Name: "bench", Subcommands: []*ucli.Command{benchRooflineCommand()}}}}
	err = app.Run(append([]string{"biornn", "bench", "roofline"}, args...))
	return out.String(), errOut.String(), err
}

// TestBenchRooflineQuickJSON: every kernel case comes out once per size and
// thread count (the dense path only where it exists, Adam on one thread),
// with positive finite times, rates and shares. No timing is asserted: the
// machine is shared.
func TestBenchRooflineQuickJSON(t *testing.T) {
	pq := filepath.Join(t.TempDir(), "roofline.parquet")
	out, errOut, err := runBenchRoofline(t, "--quick", "--json", "--size", "macaque,10k", "--threads", "1,2", "--out", pq)
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, out, errOut)
	}
	var recs []map[string]any
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		key := fmt.Sprintf("%v/%v/%v", r["kernel"], r["size"], r["threads"])
		if seen[key] {
			t.Errorf("%s twice", key)
		}
		seen[key] = true
		for _, f := range []string{"hidden", "nnz", "batch", "flops", "bytes", "load_bytes", "working_set",
			"bound_seconds", "fma_seconds", "seconds", "gflops", "gbs", "peak_gflops", "share", "reps"} {
			v, ok := r[f].(float64)
			if !ok || !(v > 0) || math.IsInf(v, 0) {
				t.Errorf("%s: %s = %v, want a positive finite number", key, f, r[f])
			}
		}
		for _, f := range []string{"l2_bytes", "l3_bytes", "dram_bytes", "bound_gbs"} {
			if v, ok := r[f].(float64); !ok || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s: %s = %v, want a finite number >= 0", key, f, r[f])
			}
		}
		if b := r["bound"]; b != "fma" && !slices.Contains(roofline.Levels, b.(string)) {
			t.Errorf("%s: bound %v", key, b)
		}
		if b := r["bound"]; b != "fma" && !(r["bound_gbs"].(float64) > 0) {
			t.Errorf("%s: memory bound %v without its bandwidth", key, b)
		}
		if !slices.Contains(roofline.Levels, r["level"].(string)) {
			t.Errorf("%s: level %v", key, r["level"])
		}
		if r["batch"] != 64.0 {
			t.Errorf("%s: batch %v, want the engine's chunk of 64", key, r["batch"])
		}
	}
	for _, size := range []string{"macaque", "10k"} {
		for _, th := range []int{1, 2} {
			for _, k := range roofline.Kernels {
				dense := k == "gemm" || k == "gemmnt"
				want := !(dense && size == "10k") && !(k == "adam" && th == 2)
				if key := fmt.Sprintf("%s/%s/%d", k, size, th); seen[key] != want {
					t.Errorf("%s: present %v, want %v", key, seen[key], want)
				}
			}
		}
	}
	if st, err := os.Stat(pq); err != nil || st.Size() == 0 {
		t.Fatalf("--out %s not written: %v", pq, err)
	}
}

func TestBenchRooflineTable(t *testing.T) {
	out, _, err := runBenchRoofline(t, "--quick", "--quiet", "--size", "macaque", "--threads", "1", "--kernel", "spmm,adam")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"FMA peak", "read bandwidth", "DRAM", "spmm", "adam", "share"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchRooflineBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--threads", "3"}, {"--size", "nosuch"}, {"--kernel", "nosuch"}, {"--impl", "nosuch"}, {"extra"},
	} {
		out, _, err := runBenchRoofline(t, append([]string{"--quick", "--quiet"}, args...)...)
		if err == nil || ExitCode(err) != ExitUsage {
			t.Errorf("%q: err %v (exit %d), want a usage error\n%s", args, err, ExitCode(err), out)
		}
	}
}
