package rnn

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/kernels"
)

// The PyTorch reference cases: the project's small ones in
// testdata/torchref (made by testdata/torchref/make_fixtures.py) always, and
// the full ones in ../shared/torch-reference when that folder is present.
var (
	torchFixtureDir = filepath.Join("..", "testdata", "torchref")
	torchSharedDir  = filepath.Join("..", "..", "shared", "torch-reference")
	torchShared     = []string{"macaque_seqmem_tanh_adam", "marmoset_seqmem_relu_sgd", "gamanut_nback_relu_adam"}
)

type torchCase struct {
	Name      string     `json:"name"`
	Hidden    int        `json:"hidden"`
	Act       Activation `json:"act"`
	Loss      Loss       `json:"loss"`
	LossSteps []int      `json:"loss_steps"`
	Optimizer Optimizer  `json:"optimizer"`
	LR        float64    `json:"lr"`
	Steps     int        `json:"steps"`
	LossesF64 []float64  `json:"losses_f64"`
	// Optional (testdata/torchref only; zero in the shared cases).
	Momentum    float64 `json:"momentum"`
	Dampening   float64 `json:"dampening"`
	Nesterov    bool    `json:"nesterov"`
	WeightDecay float64 `json:"weight_decay"`
	ClipNorm    float64 `json:"clip_norm"`
	// The continuous-time option (testdata/torchref; 0 in older cases =
	// alpha 1) and its fixed noise (noise.npy, trial x step x neuron).
	Alpha    float64 `json:"leak_alpha"`
	NoiseStd float64 `json:"noise_std"`
	noise    []float32
	// Dale's law by projection (signs.npy: each neuron's sign).
	Dale  bool `json:"dale"`
	signs []float32

	x, y    *connectome.Array
	mask    []bool
	init    Params
	grad    Params
	final   Params
	inputs  int
	outputs int
}

func readArray(t *testing.T, dir, name string) *connectome.Array {
	t.Helper()
	a, err := connectome.ReadNPYND(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("reading the PyTorch reference: %v", err)
	}
	return a
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func readParams(t *testing.T, dir, prefix string, h, in, o int) Params {
	return Params{Hidden: h, Inputs: in, Outputs: o,
		WIn:  f32(readArray(t, dir, prefix+"W_in.npy").Data),
		WHH:  f32(readArray(t, dir, prefix+"W_hh.npy").Data),
		B:    f32(readArray(t, dir, prefix+"b.npy").Data),
		WOut: f32(readArray(t, dir, prefix+"W_out.npy").Data),
		BOut: f32(readArray(t, dir, prefix+"b_out.npy").Data),
	}
}

func loadTorchCase(t *testing.T, dir string) *torchCase {
	t.Helper()
	name := filepath.Base(dir)
	b, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		t.Fatalf("the PyTorch reference is missing: %v", err)
	}
	c := &torchCase{}
	if err := json.Unmarshal(b, c); err != nil {
		t.Fatalf("%s/case.json: %v", dir, err)
	}
	if c.Name != name || c.Hidden <= 0 || c.Steps <= 0 || len(c.LossesF64) != c.Steps {
		t.Fatalf("%s/case.json: name %q, hidden %d, steps %d, %d losses: expected the folder's name, hidden > 0 and one loss per step",
			dir, c.Name, c.Hidden, c.Steps, len(c.LossesF64))
	}
	c.x = readArray(t, dir, "x.npy")
	c.y = readArray(t, dir, "y.npy")
	win := readArray(t, dir, "init_W_in.npy")
	wout := readArray(t, dir, "init_W_out.npy")
	c.inputs, c.outputs = win.Shape[1], wout.Shape[0]
	m := readArray(t, dir, "mask.npy")
	if len(m.Data) != c.Hidden*c.Hidden {
		t.Fatalf("%s: mask has %d values, expected %d", name, len(m.Data), c.Hidden*c.Hidden)
	}
	c.mask = make([]bool, len(m.Data))
	for i, v := range m.Data {
		c.mask[i] = v != 0
	}
	if c.Alpha == 0 {
		c.Alpha = 1
	}
	if c.NoiseStd > 0 {
		c.noise = f32(readArray(t, dir, "noise.npy").Data)
	}
	if c.Dale {
		c.signs = f32(readArray(t, dir, "signs.npy").Data)
	}
	c.init = readParams(t, dir, "init_", c.Hidden, c.inputs, c.outputs)
	c.grad = readParams(t, dir, "grad_", c.Hidden, c.inputs, c.outputs)
	c.final = readParams(t, dir, "final_", c.Hidden, c.inputs, c.outputs)
	return c
}

func (c *torchCase) shape() [3]int { return [3]int{c.x.Shape[0], c.x.Shape[1], c.x.Shape[2]} }

// relNormDiff is |a-b| / |b| over whole arrays (norm-wise relative error).
func relNormDiff(a, b []float32) float64 {
	var d, r float64
	for i := range a {
		e := float64(a[i]) - float64(b[i])
		d += e * e
		r += float64(b[i]) * float64(b[i])
	}
	if r == 0 {
		return math.Sqrt(d)
	}
	return math.Sqrt(d / r)
}

func checkParams(t *testing.T, what string, got, want Params, tol float64) {
	t.Helper()
	for _, f := range []struct {
		name      string
		got, want []float32
	}{
		{"W_in", got.WIn, want.WIn}, {"W_hh", got.WHH, want.WHH}, {"b", got.B, want.B},
		{"W_out", got.WOut, want.WOut}, {"b_out", got.BOut, want.BOut},
	} {
		if e := relNormDiff(f.got, f.want); !(e <= tol) {
			t.Errorf("%s %s: relative error %.3g > %.g", what, f.name, e, tol)
		}
	}
}

func (c *torchCase) optimizer() OptimizerSpec {
	return OptimizerSpec{Name: c.Optimizer, LR: c.LR, Momentum: c.Momentum, Dampening: c.Dampening,
		Nesterov: c.Nesterov, WeightDecay: c.WeightDecay, ClipNorm: c.ClipNorm}
}

// torchFixtures lists the case folders of testdata/torchref.
func torchFixtures(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(torchFixtureDir)
	if err != nil {
		t.Fatalf("the project's PyTorch fixtures: %v", err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(torchFixtureDir, e.Name()))
		}
	}
	if len(dirs) == 0 {
		t.Fatalf("no PyTorch fixtures in %s", torchFixtureDir)
	}
	return dirs
}

// TestTorchReference reproduces every PyTorch case of testdata/torchref
// with every kernel implementation and both paths: the loss before every
// step, the gradient at the initial parameters and the parameters after the
// last step.
func TestTorchReference(t *testing.T) {
	for _, dir := range torchFixtures(t) {
		runTorchCase(t, loadTorchCase(t, dir))
	}
}

// TestTorchReferenceShared does the same for the full cases in
// ../shared/torch-reference, when that folder is present.
func TestTorchReferenceShared(t *testing.T) {
	if _, err := os.Stat(torchSharedDir); err != nil {
		t.Skipf("the full PyTorch reference %s is missing (it lies in ../shared beside the project root): cross-check skipped", torchSharedDir)
	}
	for _, name := range torchShared {
		runTorchCase(t, loadTorchCase(t, filepath.Join(torchSharedDir, name)))
	}
}

func runTorchCase(t *testing.T, c *torchCase) {
	for _, im := range kernels.All() {
		for _, path := range []Path{PathSparse, PathDense} {
			t.Run(c.Name+"/"+im.Name+"/"+string(path), func(t *testing.T) {
				n, err := NewNetwork(c.init, c.mask, c.Act, im, path)
				if err != nil {
					t.Fatal(err)
				}
				if err := n.SetDynamics(c.Alpha, 0, 0); err != nil {
					t.Fatal(err)
				}
				n.dyn.fixed = c.noise // the reference's noise at every training pass
				if c.Dale {
					if err := n.SetDale(c.signs); err != nil {
						t.Fatal(err)
					}
				}
				x, y := f32(c.x.Data), f32(c.y.Data)
				loss0, g, err := n.LossAndGradient(x, c.shape(), y, c.Loss, c.LossSteps)
				if err != nil {
					t.Fatal(err)
				}
				if e := math.Abs(loss0-c.LossesF64[0]) / c.LossesF64[0]; e > 1e-4 {
					t.Errorf("loss at the initial parameters %.9g, PyTorch %.9g (relative error %.2g)", loss0, c.LossesF64[0], e)
				}
				checkParams(t, "gradient", g, c.grad, 1e-4)
				losses, err := n.TrainArrays(x, c.shape(), y, c.Loss, c.LossSteps, c.optimizer(), c.Steps)
				if err != nil {
					t.Fatal(err)
				}
				for s, want := range c.LossesF64 {
					if e := math.Abs(losses[s]-want) / want; e > 1e-4 {
						t.Errorf("loss before step %d: %.9g, PyTorch %.9g (relative error %.2g)", s, losses[s], want, e)
					}
				}
				checkParams(t, "final parameters", n.Params(), c.final, 1e-4)
				// Masked positions exactly zero.
				p := n.Params()
				for k, keep := range c.mask {
					if !keep && p.WHH[k] != 0 {
						t.Fatalf("masked W_hh[%d] = %v after training", k, p.WHH[k])
					}
				}
			})
		}
	}
}
