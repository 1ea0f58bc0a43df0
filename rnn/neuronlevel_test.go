package rnn

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	neuronEdges = filepath.Join("..", "testdata", "neurons", "edges.csv")
	neuronTable = filepath.Join("..", "testdata", "neurons", "neurons.csv")
)

// TestDaleOverALongRun: a neuron-level network under Dale's law trains for
// 300 epochs (SGD with momentum and a large learning rate, so that steps
// push weights across zero) and no recurrent weight ever has the sign
// opposite to its presynaptic neuron's; some are held at 0 by the projection.
func TestDaleOverALongRun(t *testing.T) {
	spec := RunSpec{Connectome: neuronEdges, NeuronTable: neuronTable, Dale: true, Epochs: 300, Trials: 100,
		Optimizer: OptimizerSGD, Momentum: 0.9, LR: 0.5, ClipNorm: 1, Seed: 2}
	res, err := RunWith(context.Background(), spec, RunOptions{Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Net.Close()
	if res.Neurons != 40 || res.Connections != 260 {
		t.Fatalf("%d neurons, %d connections: expected 40 and 260 (duplicate summed, self-loop dropped)", res.Neurons, res.Connections)
	}
	if res.Spec.Level != "neuron" {
		t.Fatalf("level %q", res.Spec.Level)
	}
	signs := res.Net.Dale()
	p, mask := res.Net.Params(), res.Net.Mask()
	exc, zero := 0, 0
	for j, s := range signs {
		if s > 0 {
			exc++
		}
		for i := 0; i < 40; i++ {
			w := p.WHH[i*40+j]
			if mask[i*40+j] && s*w < 0 {
				t.Fatalf("w_hh[%d, %d] = %v against neuron %d's sign %v", i, j, w, j, s)
			}
			if mask[i*40+j] && w == 0 {
				zero++
			}
		}
	}
	// glutamate is inhibitory by default (flies): 24 excitatory of 40.
	if exc != 24 || math.Abs(res.ExcitatoryShare-0.6) > 1e-12 {
		t.Fatalf("%d excitatory neurons, share %v: expected 24, 0.6", exc, res.ExcitatoryShare)
	}
	t.Logf("%d epochs, %d of 260 weights held at 0 by the projection, val loss %.4g -> %.4g", len(res.Epochs)-1, zero,
		res.Epochs[0].ValLoss, res.Epochs[len(res.Epochs)-1].ValLoss)
	if zero == 0 || len(res.Epochs) != 301 {
		t.Fatal("the projection was not exercised over the whole run")
	}
	// Glutamate excitatory (worms): 30 of 40.
	spec.Glutamate, spec.Epochs = "excitatory", 1
	res2, err := Run(context.Background(), spec, nil)
	if err != nil || math.Abs(res2.ExcitatoryShare-0.75) > 1e-12 {
		t.Fatalf("glutamate excitatory: share %v, %v", res2.ExcitatoryShare, err)
	}
}

// TestNeuronLevelErrors: bad neuron-level input is refused naming the file,
// the line and the column.
func TestNeuronLevelErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	table := write("t.csv", "id,nt_type\na,acetylcholine\nb,gaba\nc,serotonin\n")
	for _, c := range []struct {
		name, edges string
		spec        func(*RunSpec)
		want        string
	}{
		{"missing neuron", "pre,post,syn_count\na,b,1\nb,z,2\n", nil, "line 3, column post: neuron z is not in the neuron table"},
		{"negative count", "pre,post,syn_count\na,b,1\nb,a,-2\n", nil, "line 3, column syn_count"},
		{"nan weight", "pre,post,weight\na,b,1\nb,a,NaN\n", nil, "line 3, column weight"},
		{"no columns", "from,to,w\na,b,1\n", nil, "expected columns pre, post and weight or syn_count"},
		{"unknown transmitter", "pre,post,syn_count\na,b,1\nc,a,2\n", func(s *RunSpec) { s.Dale = true }, "c (\"serotonin\")"},
		{"mixed signs", "pre,post,weight\na,b,1\na,c,-2\nb,a,1\n", func(s *RunSpec) { s.Dale, s.UnknownTransmitter = true, "excitatory" }, "neurons a have outgoing weights of both signs"},
	} {
		spec := RunSpec{Connectome: write(strings.ReplaceAll(c.name, " ", "_")+".csv", c.edges), NeuronTable: table, Epochs: 1, Trials: 20}
		if c.spec != nil {
			c.spec(&spec)
		}
		_, err := Run(context.Background(), spec, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: expected an error with %q, got %v", c.name, c.want, err)
		}
	}
	if _, err := Defaults(RunSpec{Dale: true}); err == nil || !strings.Contains(err.Error(), "neuron_table") {
		t.Errorf("dale without a neuron table: %v", err)
	}
}

// TestInputOutputNeurons: only the selected neurons take input and are read
// out, through training.
func TestInputOutputNeurons(t *testing.T) {
	spec := RunSpec{Connectome: neuronEdges, NeuronTable: neuronTable, Dale: true, Epochs: 20, Trials: 100,
		InputNeurons: "role:sensory", OutputNeurons: "role:motor; id:n1020", WeightDecay: 0.01, Seed: 4}
	res, err := RunWith(context.Background(), spec, RunOptions{Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Net.Close()
	p := res.Net.Params()
	for i := 0; i < 40; i++ {
		in := i < 6
		out := i >= 34 || i == 20
		for c := 0; c < p.Inputs; c++ {
			if w := p.WIn[i*p.Inputs+c]; (w != 0) != in {
				t.Fatalf("neuron %d: input weight %v (sensory: %v)", i, w, in)
			}
		}
		if w := p.WOut[i]; (w != 0) != out {
			t.Fatalf("neuron %d: readout weight %v (read out: %v)", i, w, out)
		}
	}
	spec.InputNeurons = "type:T9"
	if _, err := Run(context.Background(), spec, nil); err == nil || !strings.Contains(err.Error(), `no neuron has type "T9"`) {
		t.Fatalf("an unknown type: %v", err)
	}
}
