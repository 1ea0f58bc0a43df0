package cli

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestMemoryBudgetCLI: sizes that would end the process with Go's "fatal
// error: out of memory" are refused, naming the flag and the estimate.
func TestMemoryBudgetCLI(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--trials", "1000000000"}, "--trials 1000000000: the task data"},
		{[]string{"train", "--pattern-length", "100000000"}, "--pattern-length 100000000: the task data"},
		{[]string{"train", "--task", "nback_mem", "--trial-length", "100000000"}, "--trial-length 100000000: the task data"},
		{[]string{"train", "--max-memory", "100000"}, "max_memory = 100000"},
		{[]string{"bench", "kernels", "--hidden", "1000000000"}, "--hidden: 1000000000: the benchmark's matrices"},
		{[]string{"bench", "kernels", "--hidden", "4096", "--max-memory", "1000000"}, "--hidden: 4096: the benchmark's matrices"},
	} {
		app := NewApp()
		app.Writer, app.ErrWriter = io.Discard, io.Discard
		args := append([]string{"biornn"}, c.args...)
		if c.args[0] == "train" {
			args = append(args, "--quiet", "--out", t.TempDir())
		}
		err := app.RunContext(context.Background(), args)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "would take an estimated") {
			t.Errorf("%v: %v, expected %q and the estimate", c.args, err, c.want)
		}
	}
}

// TestBuildChecksMemory: 'biornn build' (and every other way of building a
// network) refuses a network over the memory budget before building it.
func TestBuildChecksMemory(t *testing.T) {
	_, _, err := run(t, "build", "--neurons", "1000000")
	if err == nil || !strings.Contains(err.Error(), "--neurons-per-region") || !strings.Contains(err.Error(), "memory budget") {
		t.Fatalf("build of a network over the budget: %v", err)
	}
}
