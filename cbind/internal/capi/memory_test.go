package capi

import (
	"math"
	"strings"
	"testing"

	"github.com/biornn/biornn/rnn"
)

// smallArraysNetwork returns an arrays network of h neurons, one input and
// one output, every weight kept.
func smallArraysNetwork(t *testing.T, h int, opts string) Handle {
	t.Helper()
	p := rnn.Params{Hidden: h, Inputs: 1, Outputs: 1, WIn: make([]float32, h), WHH: make([]float32, h*h),
		B: make([]float32, h), WOut: make([]float32, h), BOut: []float32{0}}
	for i := range p.WIn {
		p.WIn[i], p.WOut[i] = 0.5, 0.25
		p.WHH[i*h+(i+1)%h] = 0.3
	}
	nh, err := NewArraysNetwork(p, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Free(nh) })
	return nh
}

// TestDivergedNetworkRecovers: after train_arrays with lr = 1e30 fails,
// the parameters are finite (the failed step was undone and the error says
// so), and set_param replaces one parameter, checking only that one.
func TestDivergedNetworkRecovers(t *testing.T) {
	h := smallArraysNetwork(t, 6, "")
	err := WithNetwork("t", h, func(n *Network) error {
		d := ArraysData{X: []float32{1, 0.5, -1, 0, 2, 1}, Trials: 2, T: 3, Y: []float32{0, 1, 1, 0, 1, 3}, LossSteps: []int{1, 2}}
		losses := make([]float64, 20)
		err := n.TrainArrays(d, "lr=1e30", losses)
		if StatusOf(err) != ErrInvalid || !strings.Contains(err.Error(), "parameters") {
			t.Fatalf("train_arrays lr=1e30: %v, expected an error saying what the parameters are", err)
		}
		for _, name := range ParamNames {
			r, c, err := n.ParamShape("t", name)
			if err != nil {
				return err
			}
			buf := make([]float32, r*c)
			if err := n.GetParam("t", name, buf); err != nil {
				return err
			}
			for k, v := range buf {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("%s[%d] = %v after the failed training", name, k, v)
				}
			}
		}
		whh := make([]float32, 36)
		if err := n.SetParam("t", "w_hh", whh); err != nil {
			t.Errorf("set_param w_hh after the failed training: %v", err)
		}
		bad := make([]float32, 6)
		bad[4] = float32(math.Inf(1))
		if err := n.SetParam("t", "b", bad); StatusOf(err) != ErrInvalid || !strings.Contains(err.Error(), "b[4]") {
			t.Errorf("set_param b with an Inf: %v, expected ErrInvalid naming b[4]", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSetParamChecksOnlyThatParameter: a network whose other parameters
// hold NaN (as one trained before undone steps could) still takes a
// finite parameter, and a bad one is named, not another.
func TestSetParamChecksOnlyThatParameter(t *testing.T) {
	h := smallArraysNetwork(t, 4, "")
	err := WithNetwork("t", h, func(n *Network) error {
		if err := n.SetParam("t", "w_out", []float32{1, float32(math.NaN()), 1, 1}); StatusOf(err) != ErrInvalid ||
			!strings.Contains(err.Error(), "w_out[1]") {
			t.Errorf("set_param w_out with a NaN: %v, expected ErrInvalid naming w_out[1]", err)
		}
		return n.SetParam("t", "b", []float32{0.1, 0.2, 0.3, 0.4})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMemoryBudgetCAPI: sizes that would end the host process (Python, R)
// with Go's "fatal error: out of memory" are refused with ErrInvalid and a
// message naming the setting and the estimate.
func TestMemoryBudgetCAPI(t *testing.T) {
	// biornn_train: the task data of a billion trials.
	nh, err := NewConnectomeNetwork("macaque", "neurons=1")
	if err != nil {
		t.Fatal(err)
	}
	defer Free(nh)
	for _, c := range []struct{ opts, want string }{
		{"trials=1000000000", "trials = 1000000000"},
		{"pattern_length=100000000", "pattern_length = 100000000"},
		{"task=nback_mem;trial_length=100000000", "trial_length = 100000000"},
		{"max_memory=1000", "max_memory = 1000"},
	} {
		_, err := Train(nh, "out="+t.TempDir()+";"+c.opts, nil)
		if StatusOf(err) != ErrInvalid || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "would take an estimated") {
			t.Errorf("biornn_train %s: %v, expected ErrInvalid naming %q and the estimate", c.opts, err, c.want)
		}
	}

	// biornn_network_from_arrays: the network itself over the budget.
	p := rnn.Params{Hidden: 50, Inputs: 1, Outputs: 1, WIn: make([]float32, 50), WHH: make([]float32, 2500),
		B: make([]float32, 50), WOut: make([]float32, 50), BOut: []float32{0}}
	if _, err := NewArraysNetwork(p, nil, "max_memory=10000"); StatusOf(err) != ErrInvalid || !strings.Contains(err.Error(), "50 neurons") {
		t.Errorf("from_arrays over max_memory: %v", err)
	}
	if _, err := NewArraysNetwork(p, nil, "max_memory=0"); StatusOf(err) != ErrInvalid || !strings.Contains(err.Error(), `option "max_memory"`) {
		t.Errorf("from_arrays max_memory=0: %v", err)
	}

	// biornn_train_arrays and biornn_predict: long sequences whose buffers
	// (steps x trials x neurons) exceed the budget, though x is small.
	h := smallArraysNetwork(t, 200, "max_memory=16777216")
	err = WithNetwork("t", h, func(n *Network) error {
		const T = 20000
		d := ArraysData{X: make([]float32, T), Trials: 1, T: T, Y: make([]float32, T), LossSteps: []int{T - 1}}
		err := n.TrainArrays(d, "steps=1", make([]float64, 1))
		if StatusOf(err) != ErrInvalid || !strings.Contains(err.Error(), "1 trials x 20000 steps") || !strings.Contains(err.Error(), "would take an estimated") {
			t.Errorf("train_arrays over the budget: %v", err)
		}
		d.Y = nil
		if err := n.Predict(d, make([]float32, T)); StatusOf(err) != ErrInvalid || !strings.Contains(err.Error(), "would take an estimated") {
			t.Errorf("predict over the budget: %v", err)
		}
		// A larger budget given to train_arrays applies.
		d.Y = make([]float32, T)
		if err := n.TrainArrays(d, "steps=1;max_memory=8589934592", make([]float64, 1)); err != nil {
			t.Errorf("train_arrays with max_memory = 8 GiB: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFractionalNeurons: neurons=1.5 is refused with what is expected,
// not read as 0.
func TestFractionalNeurons(t *testing.T) {
	for _, key := range []string{"neurons", "neurons_per_region"} {
		_, err := NewConnectomeNetwork("macaque", key+"=1.5")
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if StatusOf(err) != ErrInvalid || !strings.Contains(msg, `option "`+key+`" = 1.5: expected an integer >= 1`) || strings.Contains(msg, "got 0") {
			t.Errorf("%s=1.5: %v", key, err)
		}
	}
}
