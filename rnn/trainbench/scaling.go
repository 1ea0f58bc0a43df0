package trainbench

import (
	"fmt"
	"math"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
)

// scalingSpecs returns one run per (neurons per region, target density) of
// the first configured network, with the construction's target sparsity
// chosen so that the up-scaled network keeps about the target share of the
// neurons^2 positions. The records carry the measured density; small
// networks cannot go below one target neuron per connected region pair and
// come out denser than asked.
func (c Config) scalingSpecs() ([]rnn.RunSpec, []Record, error) {
	label, arg := connectomeArg(c.Networks[0], c.DataDir)
	if !fileExists(arg) {
		return nil, nil, fmt.Errorf("trainbench: scaling mode needs the connectome file of %q to choose the sparsity: set DataDir (--data-dir or BIORNN_DATA) to the folder holding %s or pass a file path",
			c.Networks[0], fileOf(c.Networks[0]))
	}
	cm, _, err := connectome.ReadMatrixFile(arg)
	if err != nil {
		return nil, nil, fmt.Errorf("trainbench: %w", err)
	}
	if err := cm.CheckSquare("trainbench: " + arg); err != nil {
		return nil, nil, err
	}
	var specs []rnn.RunSpec
	var recs []Record
	for _, n := range c.NeuronsPerRegion {
		for _, d := range c.Densities {
			ts := sparsityFor(cm, n, d, c.IntrinsicSparsity)
			s := c.paperSpec(arg)
			s.NeuronsPerRegion, s.TargetSparsity, s.IntrinsicSparsity = n, ts, c.IntrinsicSparsity
			specs = append(specs, s)
			recs = append(recs, Record{Mode: ModeScaling, Network: label, NeuronsPerRegion: int64(n),
				TargetDensity: d, TargetSparsity: ts, IntrinsicSparsity: c.IntrinsicSparsity})
		}
	}
	return specs, recs, nil
}

func fileOf(name string) string {
	for _, n := range PaperNetworks {
		if n.Name == name {
			return n.File
		}
	}
	return name
}

// sparsityFor returns the up-scaling TargetSparsity that gives a network of
// n neurons per region about density kept positions, given the intrinsic
// sparsity. With R regions and E region-level connections (off-diagonal
// nonzeros of c), the neuron-level count is E*n*k + R*n*k' where k (>= 1)
// targets per connected region and k' within the region are what
// connectome.Upscale draws; k is solved for and returned as k/n.
func sparsityFor(c *connectome.Dense, n int, density, intrinsic float64) float64 {
	r := c.Rows
	edges := 0
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			if i != j && c.At(i, j) > 0 {
				edges++
			}
		}
	}
	h := float64(r * n)
	kIn := math.Max(1, math.Min(math.RoundToEven(intrinsic*float64(n)), float64(n-1)))
	if n == 1 {
		kIn = 0
	}
	want := density*h*h - float64(r*n)*kIn
	k := 1.0
	if edges > 0 {
		k = math.Max(1, math.Round(want/float64(edges*n)))
	}
	return math.Min(1, k/float64(n))
}
