package rnn

import (
	"fmt"

	"github.com/biornn/biornn/connectome"
)

// loadConnectome reads spec.Connectome: a registered data set (from
// spec.DataDir, checksums verified) or a matrix file (row = source region).
// WireConnectome checks that it is square.
func loadConnectome(spec RunSpec) (*connectome.Connectome, error) {
	c, err := connectome.Load(spec.Connectome, spec.DataDir)
	if err != nil {
		return nil, fmt.Errorf("rnn: RunSpec.Connectome = %q: %w", spec.Connectome, err)
	}
	return c, nil
}

// neuronCounts returns the neurons per region from spec (NeuronsFile or
// NeuronsPerRegion).
func neuronCounts(spec RunSpec, regions int) ([]int, error) {
	if spec.NeuronsFile == "" {
		return connectome.UniformNeurons(regions, spec.NeuronsPerRegion), nil
	}
	counts, err := connectome.ReadIntsFile(spec.NeuronsFile)
	if err != nil {
		return nil, fmt.Errorf("rnn: RunSpec.NeuronsFile: %w", err)
	}
	if len(counts) != regions {
		return nil, fmt.Errorf("rnn: RunSpec.NeuronsFile %s: %d counts, expected one per region (%d)", spec.NeuronsFile, len(counts), regions)
	}
	for k, v := range counts {
		if v < 1 {
			return nil, fmt.Errorf("rnn: RunSpec.NeuronsFile %s: count %d for region %d, expected >= 1", spec.NeuronsFile, v, k)
		}
	}
	return counts, nil
}
