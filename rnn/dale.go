package rnn

import (
	"fmt"
	"math"
	"strings"
)

// Dale's law: every neuron's outgoing recurrent weights keep one sign (its
// transmitter's) for the whole of training. biornn keeps it by projection:
// the weights are the parameters themselves (W_hh[i, j] from neuron j to
// neuron i), and after every optimizer step each weight that crossed to the
// wrong sign of its presynaptic neuron j is set to 0, from where a later
// step may move it back (projected gradient descent; PyTorch does the same
// with W.copy_(s * clamp(s * W, min=0)) after opt.step()). Parameters,
// gradients and optimizer state are those of W, so a saved network
// continues exactly.

// SetDale makes the network keep Dale's law with signs[j] = +1 (excitatory)
// or -1 (inhibitory) for each neuron j (nil turns it off). The current
// weights must already respect the signs: an error lists the first neurons
// with outgoing weights of the wrong sign.
func (n *Network) SetDale(signs []float32) error {
	if signs == nil {
		n.dale = nil
		return nil
	}
	if len(signs) != n.h {
		return fmt.Errorf("rnn: dale: %d signs, expected one per neuron (%d)", len(signs), n.h)
	}
	for j, s := range signs {
		if s != 1 && s != -1 {
			return fmt.Errorf("rnn: dale: sign of neuron %d is %v, expected +1 or -1", j, s)
		}
	}
	if bad := n.daleViolations(signs, 5); len(bad) > 0 {
		return fmt.Errorf("rnn: dale: neurons %s have outgoing weights of the sign opposite to their own", strings.Join(bad, ", "))
	}
	n.dale = append([]float32(nil), signs...)
	return nil
}

// Dale returns the neurons' signs (nil when Dale's law is off).
func (n *Network) Dale() []float32 { return append([]float32(nil), n.dale...) }

// daleViolations lists up to max neurons with a weight of the wrong sign.
func (n *Network) daleViolations(signs []float32, max int) []string {
	var bad []string
	for j := 0; j < n.h && len(bad) < max; j++ {
		for k := n.rowPtrT[j]; k < n.rowPtrT[j+1]; k++ {
			if signs[j]*n.valsT[k] < 0 {
				bad = append(bad, fmt.Sprintf("%d (sign %+g, weight %g to neuron %d)", j, signs[j], n.valsT[k], n.colIdxT[k]))
				break
			}
		}
	}
	return bad
}

// projectDale sets the weights that crossed their neuron's sign to 0
// (theta's recurrent segment is in transposed order: by source neuron).
func (n *Network) projectDale() {
	if n.dale == nil {
		return
	}
	for j, s := range n.dale {
		for k := n.rowPtrT[j]; k < n.rowPtrT[j+1]; k++ {
			if s*n.valsT[k] < 0 {
				n.valsT[k] = 0
			}
		}
	}
}

// SignWeights makes the kept weights of W_hh (row-major, W_hh orientation)
// follow the signs of their presynaptic neurons: W[i, j] = signs[j] |W[i, j]|.
// It is how a network under Dale's law is initialised from any weights.
func SignWeights(whh []float32, h int, signs []float32) {
	for i := 0; i < h; i++ {
		for j := 0; j < h; j++ {
			w := &whh[i*h+j]
			*w = signs[j] * float32(math.Abs(float64(*w)))
		}
	}
}

// checkDaleDense refuses a dense W_hh (row-major, W_hh orientation) whose
// kept weights break the network's Dale signs.
func (n *Network) checkDaleDense(whh []float32) error {
	if n.dale == nil {
		return nil
	}
	h := n.h
	for j, s := range n.dale {
		for k := n.rowPtrT[j]; k < n.rowPtrT[j+1]; k++ {
			i := int(n.colIdxT[k])
			if w := whh[i*h+j]; s*w < 0 {
				return fmt.Errorf("rnn: params: w_hh[%d, %d] = %v breaks Dale's law: neuron %d has sign %+g", i, j, w, j, s)
			}
		}
	}
	return nil
}
