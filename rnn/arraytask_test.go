package rnn

import (
	"archive/zip"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// npzOf writes arrays (name -> shape, values, dtype "<f4" or "<i8") as an .npz.
type npzArray struct {
	shape []int
	v     []float64
	dtype string
}

func writeNPZ(t testing.TB, path string, arrays map[string]npzArray) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(f)
	for name, a := range arrays {
		w, _ := z.Create(name + ".npy")
		dims := ""
		for _, d := range a.shape {
			dims += fmt.Sprintf("%d, ", d)
		}
		h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", a.dtype, dims)
		h += strings.Repeat(" ", 63-(10+len(h))%64) + "\n"
		b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
		b = append(b, h...)
		for _, x := range a.v {
			if a.dtype == "<i8" {
				b = binary.LittleEndian.AppendUint64(b, uint64(int64(x)))
			} else {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(x)))
			}
		}
		w.Write(b)
	}
	z.Close()
	f.Close()
}

// labelTask: 3 inputs, label = whether the running sum of input 0 is positive.
func labelTask(n, T int) (x, y []float64) {
	r := newRand(7)
	x = make([]float64, n*T*3)
	y = make([]float64, n*T)
	for i := 0; i < n; i++ {
		sum := 0.0
		for t := 0; t < T; t++ {
			for c := 0; c < 3; c++ {
				x[(i*T+t)*3+c] = r.NormFloat64()
			}
			sum += x[(i*T+t)*3]
			if sum > 0 {
				y[i*T+t] = 1
			}
		}
	}
	return x, y
}

// TestArraysTaskTrains: a user's .npz task trains through Run with its own
// split and loss mask, the loss read from y's integer dtype.
func TestArraysTaskTrains(t *testing.T) {
	n, T := 200, 8
	x, y := labelTask(n, T)
	split := make([]float64, n)
	for i := 150; i < n; i++ {
		split[i] = 1
	}
	path := filepath.Join(t.TempDir(), "task.npz")
	writeNPZ(t, path, map[string]npzArray{
		"x": {[]int{n, T, 3}, x, "<f4"}, "y": {[]int{n, T}, y, "<i8"},
		"loss_mask": {[]int{T}, []float64{0, 0, 0, 0, 1, 1, 1, 1}, "<i8"}, "split": {[]int{n}, split, "<i8"},
	})
	ds, err := LoadArraysTask(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Kind != LossNLL || ds.Outputs != 2 || len(ds.LossSteps) != 4 || ds.LossSteps[0] != 4 {
		t.Fatalf("loaded %v, %d outputs, loss steps %v", ds.Kind, ds.Outputs, ds.LossSteps)
	}
	tr, val := splitTask(ds)
	if tr.N != 150 || val.N != 50 {
		t.Fatalf("split %d/%d, expected 150/50", tr.N, val.N)
	}
	res, err := Run(context.Background(), RunSpec{Connectome: "macaque", Task: Task(ArraysTaskPrefix + path), Epochs: 40, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := res.Epochs[len(res.Epochs)-1]
	if first := res.Epochs[0]; !(last.ValLoss < first.ValLoss) || last.ValAccuracy < 0.8 {
		t.Fatalf("did not learn: val loss %v -> %v, accuracy %v", first.ValLoss, last.ValLoss, last.ValAccuracy)
	}
}

// TestArraysTaskErrors: each bad file is refused with the array named.
func TestArraysTaskErrors(t *testing.T) {
	n, T := 10, 4
	x, y := labelTask(n, T)
	yT := make([]float64, n*T)
	nanX := append([]float64(nil), x...)
	nanX[5] = math.NaN()
	dir := t.TempDir()
	for _, c := range []struct {
		name   string
		arrays map[string]npzArray
		loss   Loss
		want   string
	}{
		{"no y", map[string]npzArray{"x": {[]int{n, T, 3}, x, "<f4"}}, "", "needs arrays x"},
		{"x rank", map[string]npzArray{"x": {[]int{n, T * 3}, x, "<f4"}, "y": {[]int{n, T}, y, "<i8"}}, "", "x: shape"},
		{"time-major y", map[string]npzArray{"x": {[]int{n, T, 3}, x, "<f4"}, "y": {[]int{T, n}, yT, "<i8"}}, "", "time-major"},
		{"nan", map[string]npzArray{"x": {[]int{n, T, 3}, nanX, "<f4"}, "y": {[]int{n, T}, y, "<i8"}}, "", "x: element 5 is NaN"},
		{"label", map[string]npzArray{"x": {[]int{n, T, 3}, x, "<f4"}, "y": {[]int{n, T}, y, "<i8"}, "n_classes": {[]int{}, []float64{1}, "<i8"}}, "", "out of range"},
		{"mse shape", map[string]npzArray{"x": {[]int{n, T, 3}, x, "<f4"}, "y": {[]int{n, T}, y, "<i8"}}, LossMSE, "mse targets"},
		{"mask", map[string]npzArray{"x": {[]int{n, T, 3}, x, "<f4"}, "y": {[]int{n, T}, y, "<i8"}, "loss_mask": {[]int{n}, make([]float64, n), "<i8"}}, "", "loss_mask"},
		{"split", map[string]npzArray{"x": {[]int{n, T, 3}, x, "<f4"}, "y": {[]int{n, T}, y, "<i8"}, "split": {[]int{n}, make([]float64, n), "<i8"}}, "", "split"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".npz")
		writeNPZ(t, path, c.arrays)
		if _, err := LoadArraysTask(path, c.loss); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: expected an error naming %s and %q, got %v", c.name, path, c.want, err)
		}
	}
	if _, err := LoadArraysTask(filepath.Join(dir, "none.npz"), ""); err == nil {
		t.Error("a missing file loaded")
	}
}

// TestPredictHidden: the returned states reproduce the outputs through the
// readout, and the outputs equal Predict's.
func TestPredictHidden(t *testing.T) {
	p, mask, _, _, _, _ := randomNet(5, 9, 3, 2, 1, 1, 0.5, LossMSE)
	net, err := NewNetwork(p, mask, ActivationTanh, nil, PathSparse)
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	n, T := 70, 4 // more than one chunk
	x := make([]float32, n*T*3)
	for k := range x {
		x[k] = float32(k%7) * 0.1
	}
	out, hid, err := net.PredictHidden(x, [3]int{n, T, 3})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := net.Predict(x, [3]int{n, T, 3})
	for k := range want {
		if out[k] != want[k] {
			t.Fatalf("output %d: %v vs Predict %v", k, out[k], want[k])
		}
	}
	for i := 0; i < n; i++ {
		for s := 0; s < T; s++ {
			for r := 0; r < 2; r++ {
				y := float64(p.BOut[r])
				for j := 0; j < 9; j++ {
					y += float64(p.WOut[r*9+j]) * float64(hid[(i*T+s)*9+j])
				}
				if math.Abs(y-float64(out[(i*T+s)*2+r])) > 1e-5 {
					t.Fatalf("trial %d step %d output %d: readout of the states %v, output %v", i, s, r, y, out[(i*T+s)*2+r])
				}
			}
		}
	}
}

// FuzzLoadArraysTask: any bytes as a task file give a dataset or an error,
// never a panic.
func FuzzLoadArraysTask(f *testing.F) {
	dir := f.TempDir()
	seed := filepath.Join(dir, "seed.npz")
	n, T := 4, 3
	x, y := labelTask(n, T)
	writeNPZ(f, seed, map[string]npzArray{"x": {[]int{n, T, 3}, x, "<f4"}, "y": {[]int{n, T}, y, "<i8"},
		"loss_mask": {[]int{T}, []float64{0, 1, 1}, "<i8"}, "split": {[]int{n}, []float64{0, 0, 1, 1}, "<i8"}})
	b, err := os.ReadFile(seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "task.npz")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ds, err := LoadArraysTask(p, "")
		if err == nil {
			if verr := ds.Validate(); verr != nil {
				t.Fatalf("loaded a dataset that does not validate: %v", verr)
			}
		}
		arraysTaskShape(p) // must not panic either
	})
}
