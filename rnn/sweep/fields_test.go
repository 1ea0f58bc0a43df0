package sweep

import (
	"errors"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn"
)

func TestRenameFields(t *testing.T) {
	flag := func(f string) (string, bool) {
		m := map[string]string{"LR": "--lr", "ClipNorm": "--clip-norm", "Optimizer": "--optimizer", "Connectome": "--connectome"}
		n, ok := m[f]
		return n, ok
	}
	for _, c := range []struct{ in, want string }{
		{`rnn: RunSpec.Connectome = "x": unknown`, `--connectome = "x": unknown`},
		{"build: rnn: RunSpec.LR = -1: expected > 0", "build: --lr = -1: expected > 0"},
		{"diverged; lower RunSpec.LR or set RunSpec.ClipNorm", "diverged; lower --lr or set --clip-norm"},
		{"rnn: RunSpec.Optimizer/LR/ClipNorm: bad", "--optimizer/--lr/--clip-norm: bad"},
		{"rnn: RunSpec.Threads = 0: unknown field kept", "rnn: RunSpec.Threads = 0: unknown field kept"},
		{"rnn: RunSpec.LR/Threads: mixed list kept", "rnn: RunSpec.LR/Threads: mixed list kept"},
		{"rnn: RunSpec.: nothing", "rnn: RunSpec.: nothing"},
		{"no field here", "no field here"},
	} {
		base := errors.New(c.in)
		got := RenameFields(base, flag)
		if got.Error() != c.want {
			t.Errorf("RenameFields(%q) = %q, want %q", c.in, got.Error(), c.want)
		}
		if !errors.Is(got, base) {
			t.Errorf("RenameFields(%q) lost the original error", c.in)
		}
	}
	if RenameFields(nil, flag) != nil {
		t.Error("RenameFields(nil) != nil")
	}
}

func TestConfigKey(t *testing.T) {
	for f, want := range map[string]string{"LR": "grid.lr", "BatchSize": "fixed.batch_size", "NBack": "grid.n_back", "Seed": "seeds", "MNISTDir": "fixed.mnist_dir"} {
		if got, ok := configKey(f); !ok || got != want {
			t.Errorf("configKey(%s) = %q, %v; want %q", f, got, ok, want)
		}
	}
	if _, ok := configKey("Nope"); ok {
		t.Error("configKey(Nope) found a key")
	}
}

func TestOutcomeAndDescribe(t *testing.T) {
	r := &rnn.RunResult{MinValLoss: 0.125, MinValEpoch: 7, SpeedEpoch: -1, WallSeconds: 0.01234}
	if got, want := Outcome(r), "min val loss 0.125 @ epoch 7, speed epoch not reached, 0.0123 s"; got != want {
		t.Errorf("Outcome = %q, want %q", got, want)
	}
	r.SpeedEpoch, r.WallSeconds = 3, 123.4
	if got, want := Outcome(r), "min val loss 0.125 @ epoch 7, speed epoch 3, 123 s"; got != want {
		t.Errorf("Outcome = %q, want %q", got, want)
	}
	// A spec before defaults: no blanks or zeros for the settings not set.
	if got, want := (Planned{Spec: rnn.RunSpec{Connectome: "macaque", Seed: 2}}).Describe(), "macaque seed=2"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	full := rnn.RunSpec{Connectome: "human", Task: "nback_mem", NBack: 2, TrialLength: 5, Strategy: "permute",
		Optimizer: "adam", LR: 1e-4, Activation: "tanh", Seed: 1}
	if got, want := (Planned{Spec: full}).Describe(), "human nback_mem n=2 L=5 permute adam lr=0.0001 tanh seed=1"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
}

// Check builds once per connectome and reports the first failure under the
// config key.
func TestCheckOncePerConnectome(t *testing.T) {
	c, err := Parse("c.toml", []byte("repetitions = 3\n[grid]\nconnectome = [\"macaque\", \"nosuch\"]\nstrategy = [\"bio-random\", \"permute\"]"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Plan(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	var built []string
	err = Check(plan, func(s rnn.RunSpec) error {
		built = append(built, s.Connectome+"/"+s.Strategy)
		if s.Connectome == "nosuch" {
			return errors.New(`rnn: RunSpec.Connectome = "nosuch": unknown connectome`)
		}
		return nil
	})
	if len(built) != 2 || built[0] != "macaque/bio-random" || built[1] != "nosuch/bio-random" {
		t.Errorf("built %v, want one bio-random build per connectome", built)
	}
	if err == nil || !strings.Contains(err.Error(), `grid.connectome = "nosuch": unknown connectome`) {
		t.Errorf("err = %v", err)
	}
}
