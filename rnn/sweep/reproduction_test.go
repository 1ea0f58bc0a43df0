package sweep

import (
	"testing"

	"github.com/biornn/biornn/rnn"
)

// TestReproductionConfigs: the diagnostic sweeps of REPRODUCTION.md load
// and plan the runs the document reports.
func TestReproductionConfigs(t *testing.T) {
	for file, want := range map[string]int{"reproduction-radius.toml": 240, "reproduction-factors.toml": 320} {
		c, err := Load(file)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := Plan(c, rnn.Defaults)
		if err != nil {
			t.Fatal(err)
		}
		if len(plan) != want {
			t.Errorf("%s: %d runs, REPRODUCTION.md reports %d", file, len(plan), want)
		}
	}
}
