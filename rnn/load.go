package rnn

import (
	"fmt"
	"math"
	"strconv"
	"strings"

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

// neuronCounts returns the neurons per region of lc from spec: NeuronsFile,
// else NeuronsFromDensity (lc's neuron densities, NaN filled by DensityFill),
// else NeuronsPerRegion for every region.
func neuronCounts(spec RunSpec, lc *connectome.Connectome) ([]int, error) {
	regions := lc.C.Rows
	if spec.NeuronsFromDensity != "" {
		return densityCounts(spec, lc)
	}
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

// densityCounts derives the neurons per region from lc.NeuronDensity by
// spec.NeuronsFromDensity and spec.NeuronScale, after filling unmeasured
// (NaN) regions by spec.DensityFill. Without a fill rule a NaN is an error
// naming the regions.
func densityCounts(spec RunSpec, lc *connectome.Connectome) ([]int, error) {
	method := fmt.Sprintf("rnn: RunSpec.NeuronsFromDensity = %q", spec.NeuronsFromDensity)
	d := lc.NeuronDensity
	if len(d) == 0 {
		return nil, fmt.Errorf("%s: connectome %s has no neuron densities (in the registry only macaque and marmoset have them); give the counts with RunSpec.NeuronsPerRegion or RunSpec.NeuronsFile instead", method, lc.Name)
	}
	if len(d) != lc.C.Rows {
		return nil, fmt.Errorf("%s: connectome %s has %d neuron densities for %d regions", method, lc.Name, len(d), lc.C.Rows)
	}
	if spec.DensityFill != "" {
		filled, _, err := connectome.FillMissingDensity(d, spec.DensityFill)
		if err != nil {
			return nil, fmt.Errorf("rnn: RunSpec.DensityFill = %q on %s: %w", spec.DensityFill, lc.Name, err)
		}
		d = filled
	} else {
		var missing []string
		for i, v := range d {
			if math.IsNaN(v) {
				missing = append(missing, regionName(lc, i))
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("%s: connectome %s has no measured neuron density (NaN) for %d regions (%s); choose how to fill them with RunSpec.DensityFill (%s) or give the counts another way",
				method, lc.Name, len(missing), strings.Join(missing, ", "), strings.Join(connectome.FillRules(), ", "))
		}
	}
	counts, err := connectome.NeuronsFromDensity(d, spec.NeuronScale, spec.NeuronsFromDensity)
	if err != nil {
		return nil, fmt.Errorf("%s, RunSpec.NeuronScale = %d on %s: %w", method, spec.NeuronScale, lc.Name, err)
	}
	return counts, nil
}

// regionName is "name (index)" for region i of lc, or the index alone when
// the region has no name of its own.
func regionName(lc *connectome.Connectome, i int) string {
	if i < len(lc.Regions) && lc.Regions[i] != "" && lc.Regions[i] != strconv.Itoa(i) {
		return fmt.Sprintf("%s (%d)", lc.Regions[i], i)
	}
	return strconv.Itoa(i)
}
