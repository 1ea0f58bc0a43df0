package rnn

import (
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/biornn/biornn/connectome"
)

// ArraysTaskPrefix starts a task setting that names a user's task file:
// "arrays:FILE.npz".
const ArraysTaskPrefix = "arrays:"

// ArraysFile returns the file of an "arrays:FILE" task.
func (t Task) ArraysFile() (string, bool) {
	f, ok := strings.CutPrefix(string(t), ArraysTaskPrefix)
	return f, ok
}

// Builtin reports whether t is one of Tasks().
func (t Task) Builtin() bool {
	for _, b := range Tasks() {
		if t == b {
			return true
		}
	}
	return false
}

// LoadArraysTask reads a user's task from a NumPy .npz file (or a folder of
// .npy files with the same names) in biornn's batch-major layout:
//   - x: (trials, steps, inputs), the inputs;
//   - y: (trials, steps, outputs) targets for the "mse" loss, or (trials,
//     steps) integer class labels for "nll" (outputs = n_classes if given,
//     else the largest label + 1);
//   - loss_mask (optional): (steps,) nonzero at the steps that carry a loss
//     (default: every step), or (trials, steps) with the same row for every
//     trial;
//   - split (optional): (trials,) 0 for a training trial, 1 for a validation
//     trial (default: the first 80% train, the rest validate, as the
//     built-in tasks);
//   - n_classes (optional): a scalar, the classes of "nll".
//
// loss "" takes the loss from y (integer labels: nll, else mse); "mse" or
// "nll" must agree with y. Errors name the file and the array.
func LoadArraysTask(path string, loss Loss) (*Dataset, error) {
	arrs, err := readTaskArrays(path)
	if err != nil {
		return nil, err
	}
	bad := func(name, format string, a ...any) error {
		return fmt.Errorf("%s: %s: %s", path, name, fmt.Sprintf(format, a...))
	}
	x, y := arrs["x"], arrs["y"]
	if x == nil || y == nil {
		return nil, fmt.Errorf("%s: a task file needs arrays x (trials, steps, inputs) and y (targets); it has %s", path, keysOf(arrs))
	}
	if len(x.Shape) != 3 {
		return nil, bad("x", "shape %v: expected 3 dimensions (trials, steps, inputs), batch-major", x.Shape)
	}
	n, T, in := x.Shape[0], x.Shape[1], x.Shape[2]
	if n < 2 || T < 1 || in < 1 {
		return nil, bad("x", "shape %v: expected at least 2 trials, 1 step and 1 input", x.Shape)
	}
	if loss == "" {
		loss = LossMSE
		if y.Integer && len(y.Shape) == 2 {
			loss = LossNLL
		}
	}
	ds := &Dataset{N: n, T: T, Inputs: in, Kind: loss}
	switch loss {
	case LossMSE:
		if len(y.Shape) != 3 || y.Shape[0] != n || y.Shape[1] != T {
			return nil, bad("y", "shape %v: expected (%d, %d, outputs) mse targets for x of shape %v%s", y.Shape, n, T, x.Shape, timeMajorHint(x.Shape, y.Shape))
		}
		ds.Outputs = y.Shape[2]
	case LossNLL:
		if len(y.Shape) != 2 || y.Shape[0] != n || y.Shape[1] != T {
			return nil, bad("y", "shape %v: expected (%d, %d) class labels for x of shape %v%s", y.Shape, n, T, x.Shape, timeMajorHint(x.Shape, y.Shape))
		}
		top := -1.0
		for k, v := range y.Data {
			if v != math.Trunc(v) || v < 0 || v > 1<<24 {
				return nil, bad("y", "value %v at trial %d, step %d: expected a class label 0, 1, ...", v, k/T, k%T)
			}
			top = max(top, v)
		}
		ds.Outputs = int(top) + 1
		if c := arrs["n_classes"]; c != nil {
			if len(c.Data) != 1 || c.Data[0] < 1 || c.Data[0] != math.Trunc(c.Data[0]) || c.Data[0] > 1<<24 {
				return nil, bad("n_classes", "expected one integer >= 1")
			}
			if int(c.Data[0]) < ds.Outputs {
				return nil, bad("y", "label %d is out of range for n_classes = %d", ds.Outputs-1, int(c.Data[0]))
			}
			ds.Outputs = int(c.Data[0])
		}
		if ds.Outputs < 2 {
			return nil, bad("y", "every label is 0: nll needs at least 2 classes (give n_classes)")
		}
	default:
		return nil, &Problem{Key: "loss", Value: fmt.Sprintf("%q", loss), Want: "mse or nll"}
	}
	if ds.LossSteps, err = lossSteps(arrs["loss_mask"], n, T); err != nil {
		return nil, bad("loss_mask", "%v", err)
	}
	if ds.X, err = float32s(x.Data); err != nil {
		return nil, bad("x", "%v", err)
	}
	if ds.Y, err = float32s(y.Data); err != nil {
		return nil, bad("y", "%v", err)
	}
	if s := arrs["split"]; s != nil {
		if len(s.Shape) != 1 || s.Shape[0] != n {
			return nil, bad("split", "shape %v: expected (%d,), 0 = training and 1 = validation per trial", s.Shape, n)
		}
		ds.Validation = make([]bool, n)
		var nVal int
		for i, v := range s.Data {
			if v != 0 && v != 1 {
				return nil, bad("split", "value %v at trial %d: expected 0 (training) or 1 (validation)", v, i)
			}
			ds.Validation[i] = v == 1
			if v == 1 {
				nVal++
			}
		}
		if nVal == 0 || nVal == n {
			return nil, bad("split", "%d of %d trials validate: expected at least one training and one validation trial", nVal, n)
		}
	}
	if err := ds.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ds, nil
}

// taskArrayNames are the arrays a task file may hold.
var taskArrayNames = []string{"x", "y", "loss_mask", "split", "n_classes"}

// readTaskArrays reads an .npz file, or a folder of .npy files named as
// its arrays (x.npy, y.npy, ...: what R and other tools without a zip
// writer give).
func readTaskArrays(path string) (map[string]*connectome.Array, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return connectome.ReadNPZ(path)
	}
	out := map[string]*connectome.Array{}
	for _, name := range taskArrayNames {
		file := filepath.Join(path, name+".npy")
		if _, err := os.Stat(file); err != nil {
			continue
		}
		a, err := connectome.ReadNPYND(file)
		if err != nil {
			return nil, err
		}
		out[name] = a
	}
	return out, nil
}

// timeMajorHint explains a shape mismatch that looks like time-major data.
func timeMajorHint(x, y []int) string {
	if len(y) >= 2 && y[0] == x[1] && y[1] == x[0] {
		return " (y looks time-major: biornn's layout is (trials, steps, ...); transpose it, e.g. biornn.tasks.from_neurogym does)"
	}
	return ""
}

// lossSteps returns the steps a loss_mask selects (nil mask: every step).
func lossSteps(m *connectome.Array, n, T int) ([]int, error) {
	if m == nil {
		return seqIdx(T), nil
	}
	var row []float64
	switch {
	case len(m.Shape) == 1 && m.Shape[0] == T:
		row = m.Data
	case len(m.Shape) == 2 && m.Shape[0] == n && m.Shape[1] == T:
		row = m.Data[:T]
		for i := 1; i < n; i++ {
			for t := 0; t < T; t++ {
				if (m.Data[i*T+t] != 0) != (row[t] != 0) {
					return nil, fmt.Errorf("trial %d differs from trial 0 at step %d: the loss steps must be the same for every trial", i, t)
				}
			}
		}
	default:
		hint := ""
		if len(m.Shape) == 1 && m.Shape[0] == n {
			hint = " (it has one value per trial: time-major data?)"
		}
		return nil, fmt.Errorf("shape %v: expected (%d,) or (%d, %d)%s", m.Shape, T, n, T, hint)
	}
	var steps []int
	for t, v := range row {
		if math.IsNaN(v) {
			return nil, fmt.Errorf("step %d is NaN", t)
		}
		if v != 0 {
			steps = append(steps, t)
		}
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("no step carries a loss")
	}
	return steps, nil
}

// float32s converts, refusing values float32 cannot hold.
func float32s(v []float64) ([]float32, error) {
	out := make([]float32, len(v))
	for k, x := range v {
		f := float32(x)
		if math.IsNaN(x) || math.IsInf(float64(f), 0) {
			return nil, fmt.Errorf("element %d is %v, expected a finite float32", k, x)
		}
		out[k] = f
	}
	return out, nil
}

func keysOf(m map[string]*connectome.Array) string {
	if len(m) == 0 {
		return "no arrays"
	}
	return strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}

// splitTask cuts the task's trials into training and validation: the
// task's own split when it has one, else Split's.
func splitTask(ds *Dataset) (train, val *Dataset) {
	if ds.Validation == nil {
		return Split(ds)
	}
	var a, b []int
	for i, v := range ds.Validation {
		if v {
			b = append(b, i)
		} else {
			a = append(a, i)
		}
	}
	return ds.Subset(a), ds.Subset(b)
}

// arraysTaskShape reads the trials, steps, inputs and outputs of an arrays
// task from the file's headers (the memory estimate before loading).
func arraysTaskShape(path string) (trials, steps, inputs, outputs int, err error) {
	var shapes map[string][]int
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		shapes = map[string][]int{}
		for _, name := range []string{"x", "y"} {
			sh, err := connectome.NPYShape(filepath.Join(path, name+".npy"))
			if err != nil {
				return 0, 0, 0, 0, err
			}
			shapes[name] = sh
		}
	} else if shapes, err = connectome.NPZShapes(path); err != nil {
		return 0, 0, 0, 0, err
	}
	x, y := shapes["x"], shapes["y"]
	if len(x) != 3 || len(y) < 2 {
		return 0, 0, 0, 0, fmt.Errorf("%s: expected x (trials, steps, inputs) and y (targets)", path)
	}
	outputs = 2 // nll: at least two classes
	if len(y) == 3 {
		outputs = y[2]
	}
	return x[0], x[1], x[2], outputs, nil
}

// builtinLoss is a built-in task's loss.
func builtinLoss(t Task) Loss {
	if t == TaskSeqMem {
		return LossMSE
	}
	return LossNLL
}
