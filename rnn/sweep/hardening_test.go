package sweep

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
)

// TestHugeGridRejected: repetitions = 10000000 is counted, not expanded:
// Plan and Runs reject it at once with the count limit and the axes, and
// memory stays small.
func TestHugeGridRejected(t *testing.T) {
	c, err := Parse("big.toml", []byte("repetitions = 10000000\n[grid]\nconnectome = [\"macaque\", \"human\"]\nstrategy = [\"bio-random\", \"permute\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, _, err = Runs(c, rnn.Defaults)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "more than 1000000 runs") ||
		!strings.Contains(err.Error(), "repetitions 10000000") || !strings.Contains(err.Error(), "grid.connectome 2") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Plan(c, nil); err == nil {
		t.Fatal("Plan accepted the huge grid")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("rejecting took %v", d)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 64<<20 {
		t.Errorf("rejecting allocated %d MB", grown>>20)
	}
	// Below the limit the count is exact and All yields lazily: the first
	// runs come without expanding the rest.
	c, _ = Parse("mid.toml", []byte("repetitions = 100000\n[grid]\nstrategy = [\"bio-random\", \"permute\"]\ntask = [\"seq_mem\", \"nback_mem\"]\npattern_length = [3]\nn_back = [2, 3]\n"))
	if n, err := c.Count(); err != nil || n != 100000*2*(1+2) {
		t.Fatalf("Count = %d, %v", n, err)
	}
	k := 0
	for i, s := range c.All() {
		if i != k || s.Seed != uint64(k/2+1) {
			t.Fatalf("run %d: index %d seed %d", k, i, s.Seed)
		}
		if k++; k == 10 {
			break
		}
	}
}

// TestSeedsAndWorkersChecked: seeds = [-1] and a negative worker count are
// errors.
func TestSeedsAndWorkersChecked(t *testing.T) {
	if _, err := Parse("s.toml", []byte("seeds = [-1]\n")); err == nil || !strings.Contains(err.Error(), "seeds[0]") {
		t.Errorf("seeds = [-1]: %v", err)
	}
	c, _ := Parse("good.toml", []byte(goodTOML))
	plan, _ := Plan(c, nil)
	_, err := Execute(context.Background(), plan, Options{Out: t.TempDir(), Workers: -1, Run: fakeRun(new(atomic.Int64), "")})
	if err == nil || !strings.Contains(err.Error(), "-1 workers") {
		t.Errorf("Workers -1: %v", err)
	}
}

// TestResumeSetsDamagedRunsAside: a truncated runs file and an empty epochs
// file are not counted as done: resume moves them aside, says so, and
// trains the runs again.
func TestResumeSetsDamagedRunsAside(t *testing.T) {
	c, _ := Parse("good.toml", []byte(goodTOML))
	plan, _ := Plan(c, nil)
	dir := t.TempDir()
	var calls atomic.Int64
	if _, err := Execute(context.Background(), plan, Options{Out: dir, Workers: 2, Run: fakeRun(&calls, "")}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, results.RunsTable, plan[0].ID+".parquet")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:len(b)-20], 0o644)
	os.WriteFile(filepath.Join(dir, results.EpochsTable, plan[1].ID+".parquet"), nil, 0o644)
	calls.Store(0)
	var log strings.Builder
	sum, err := Execute(context.Background(), plan, Options{Out: dir, Workers: 2, Run: fakeRun(&calls, ""), Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Done != 2 || sum.Skipped != len(plan)-2 || calls.Load() != 2 || len(sum.SetAside) != 4 {
		t.Fatalf("resume: %+v, %d calls", sum, calls.Load())
	}
	if !strings.Contains(log.String(), "is damaged") {
		t.Errorf("no message about the damaged runs:\n%s", log.String())
	}
	runs, _, err := results.Read(dir)
	if err != nil || len(runs) != len(plan) {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	aside, _ := filepath.Glob(filepath.Join(dir, "*", ".corrupt-*"))
	if len(aside) != 4 {
		t.Errorf("set aside: %v", aside)
	}
}

// TestWaitsForClaimedRun: a run claimed by another live process is not
// trained here; the sweep waits until the other process has written it.
func TestWaitsForClaimedRun(t *testing.T) {
	c, _ := Parse("good.toml", []byte(goodTOML))
	plan, _ := Plan(c, nil)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, results.RunsTable), 0o755)
	claim := filepath.Join(dir, results.RunsTable, ".claim-"+plan[0].ID)
	os.WriteFile(claim, []byte(`{"host":"elsewhere","pid":1,"started":"2026-01-01T00:00:00Z","token":"x"}`), 0o644)
	// The "other process" finishes the run after a while.
	go func() {
		time.Sleep(300 * time.Millisecond)
		res, _ := fakeRun(new(atomic.Int64), "")(context.Background(), plan[0].Spec, nil)
		results.Write(dir, plan[0].ID, res, "other")
		os.Remove(claim)
	}()
	var calls atomic.Int64
	sum, err := Execute(context.Background(), plan, Options{Out: dir, Workers: 2, Run: fakeRun(&calls, ""), Poll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Done != len(plan)-1 || sum.Skipped != 1 || calls.Load() != int64(len(plan)-1) {
		t.Fatalf("%+v after %d calls", sum, calls.Load())
	}
	runs, _, err := results.Read(dir)
	if err != nil || len(runs) != len(plan) {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	for _, r := range runs {
		if r.RunID == plan[0].ID && r.BiornnVersion != "other" {
			t.Error("the claimed run was trained here too")
		}
	}
}
