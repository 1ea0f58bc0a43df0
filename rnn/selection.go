package rnn

import (
	"fmt"
	"strings"

	"github.com/biornn/biornn/connectome"
)

// Input and output neurons. With a neuron table, input_neurons and
// output_neurons select which neurons receive the stimulus (the others'
// rows of W_in stay exactly 0) and which the readout sees (the others'
// columns of W_out stay 0): "role:sensory", "type:R1,R2,R3", "region:head"
// or "id:n1000,n1001" (several selectors separated by ';' add up).

// SelectNeurons returns, for each neuron of the table, whether sel picks it;
// an error names the selector and lists the values the table has.
func SelectNeurons(t *connectome.NeuronTable, sel string) ([]bool, error) {
	out := make([]bool, len(t.IDs))
	for _, part := range strings.Split(sel, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		field, list, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("%q: expected role:, type:, region: or id: and a comma-separated list", part)
		}
		var col []string
		switch strings.TrimSpace(field) {
		case "role":
			col = t.Role
		case "type":
			col = t.Type
		case "region":
			col = t.Region
		case "id":
			col = t.IDs
		default:
			return nil, fmt.Errorf("%q: unknown field %q (role, type, region, id)", part, field)
		}
		want := map[string]bool{}
		for _, v := range strings.Split(list, ",") {
			if v = strings.TrimSpace(v); v != "" {
				want[v] = true
			}
		}
		found := map[string]bool{}
		for k, v := range col {
			if want[v] {
				out[k], found[v] = true, true
			}
		}
		for v := range want {
			if !found[v] {
				return nil, fmt.Errorf("%q: no neuron has %s %q in %s", part, field, v, t.Path)
			}
		}
	}
	return out, nil
}

// SetIONeurons restricts the input to the neurons in (their rows of W_in;
// nil = all) and the readout to the neurons out (their columns of W_out;
// nil = all): the other weights are set to 0 and stay 0 through training.
func (n *Network) SetIONeurons(in, out []bool) error {
	if (in != nil && len(in) != n.h) || (out != nil && len(out) != n.h) {
		return fmt.Errorf("rnn: input/output neurons: expected one flag per neuron (%d)", n.h)
	}
	n.inSel, n.outSel = in, out
	n.zeroUnselected(n.theta)
	n.refresh()
	return nil
}

// zeroUnselected clears, in a vector of theta's layout, the W_in rows of
// neurons that take no input and the W_out columns of neurons not read out.
func (n *Network) zeroUnselected(v []float32) {
	if n.inSel != nil {
		for i, on := range n.inSel {
			if !on {
				clear(v[i*n.in : (i+1)*n.in])
			}
		}
	}
	if n.outSel != nil {
		wout := v[n.offWOut:n.offOut]
		for r := 0; r < n.out; r++ {
			for i, on := range n.outSel {
				if !on {
					wout[r*n.h+i] = 0
				}
			}
		}
	}
}
