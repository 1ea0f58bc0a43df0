package rnn

import (
	"fmt"
	"slices"
	"strings"
)

// Parameter groups that training may leave frozen (the train setting):
// input is W_in; recurrent is W_hh and the bias b; readout is W_out and
// b_out. Training only the readout is reservoir computing (as conn2res
// does it); the paper's freeze_layer freezes the recurrent layer.
const (
	GroupInput     = "input"
	GroupRecurrent = "recurrent"
	GroupReadout   = "readout"
)

// TrainGroups lists the groups in their canonical order.
func TrainGroups() []string { return []string{GroupRecurrent, GroupInput, GroupReadout} }

// ParseTrainGroups reads a comma-separated subset of TrainGroups ("" =
// all) and returns it in canonical order.
func ParseTrainGroups(text string) ([]string, error) {
	if strings.TrimSpace(text) == "" {
		return TrainGroups(), nil
	}
	var out []string
	for _, g := range strings.Split(text, ",") {
		g = strings.TrimSpace(g)
		if !slices.Contains(TrainGroups(), g) {
			return nil, fmt.Errorf("%q is not a parameter group (recurrent, input, readout)", g)
		}
		if slices.Contains(out, g) {
			return nil, fmt.Errorf("%q is listed twice", g)
		}
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(TrainGroups(), a) - slices.Index(TrainGroups(), b) })
	return out, nil
}

// SetTrainable says which parameter groups the optimizer updates (nil or
// every group: all). A frozen group keeps its values exactly: after each
// step its part of the parameters is restored (weight decay and momentum
// included), so the other groups train as they would with the frozen ones
// held constant (PyTorch's requires_grad = False).
func (n *Network) SetTrainable(groups []string) error {
	n.frozen = nil
	for _, g := range TrainGroups() {
		if groups != nil && !slices.Contains(groups, g) {
			n.frozen = append(n.frozen, g)
		}
	}
	for _, g := range groups {
		if !slices.Contains(TrainGroups(), g) {
			return fmt.Errorf("rnn: train: %q is not a parameter group (recurrent, input, readout)", g)
		}
	}
	return nil
}

// groupRange is a group's part of theta (and of the gradient).
func (n *Network) groupRange(g string) (lo, hi int) {
	switch g {
	case GroupInput:
		return 0, n.offVals
	case GroupRecurrent:
		return n.offVals, n.offWOut // W_hh's kept values and b
	}
	return n.offWOut, len(n.theta) // readout
}

// zeroFrozenGrad clears the frozen groups' gradient before a step, so that
// gradient clipping measures the trained groups only (as PyTorch's
// clip_grad_norm_ over the parameters that require a gradient).
func (n *Network) zeroFrozenGrad() {
	for _, g := range n.frozen {
		lo, hi := n.groupRange(g)
		clear(n.grad[lo:hi])
	}
}

// restoreFrozen puts the frozen groups' values back from before the step
// (weight decay would otherwise move them).
func (n *Network) restoreFrozen(before []float32) {
	for _, g := range n.frozen {
		lo, hi := n.groupRange(g)
		copy(n.theta[lo:hi], before[lo:hi])
	}
}
