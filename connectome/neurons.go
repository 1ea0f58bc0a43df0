package connectome

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Methods accepted by NeuronsFromDensity.
const (
	// DensityRank: region i gets scale x rank(density[i]) neurons, rank 1 for
	// the lowest density (bio2art scale_neuron_density, scale_type "rank").
	DensityRank = "rank"
	// DensityRatio: region i gets round(density[i]/min(density) x scale)
	// neurons, rounding half to even (bio2art scale_type "ratio").
	DensityRatio = "ratio"
	// DensityProportional: region i gets ceil(density[i]/sum(density) x
	// scale) neurons, so scale is the approximate total (bio2art
	// from_conn_mat with seed_neurons).
	DensityProportional = "proportional"
)

// DensityMethods lists the methods of NeuronsFromDensity.
func DensityMethods() []string {
	return []string{DensityRank, DensityRatio, DensityProportional}
}

// UniformNeurons returns n neurons for each of regions regions.
func UniformNeurons(regions, n int) []int {
	if regions < 0 {
		regions = 0
	}
	out := make([]int, regions)
	for i := range out {
		out[i] = n
	}
	return out
}

// NeuronsFromDensity derives neurons per region from neuron densities (e.g.
// neurons per mm^3), by method (see DensityRank, DensityRatio,
// DensityProportional). scale must be >= 1.
//
// Densities must be finite and > 0. NaN means "not measured" in the shipped
// macaque densities; it is an error here, naming the regions, because any
// count made up for them would be a silent guess. Use FillMissingDensity to
// choose a rule explicitly. (bio2art casts NaN to -9223372036854775808,
// which crashes its rank/ratio scaling and, through seed_neurons, gives the
// unmeasured regions all the neurons and the measured ones none.)
//
// Ties in "rank" share the lowest rank (1, 2, 2, 4), so equal densities get
// equal counts; bio2art raises an error on ties.
func NeuronsFromDensity(density []float64, scale int, method string) ([]int, error) {
	if len(density) == 0 {
		return nil, fmt.Errorf("connectome: NeuronsFromDensity: density is empty, expected one value per region")
	}
	if scale < 1 {
		return nil, fmt.Errorf("connectome: NeuronsFromDensity: scale = %d, expected an integer >= 1", scale)
	}
	var missing []string
	for i, d := range density {
		if math.IsNaN(d) {
			missing = append(missing, fmt.Sprint(i))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("connectome: NeuronsFromDensity: density is NaN (not measured) for regions %s; fill them explicitly (FillMissingDensity, rules %s) or give neuron counts", strings.Join(missing, ", "), strings.Join(FillRules(), ", "))
	}
	for i, d := range density {
		if math.IsInf(d, 0) || d <= 0 {
			return nil, fmt.Errorf("connectome: NeuronsFromDensity: density[%d] = %v, expected a finite value > 0", i, d)
		}
	}
	out := make([]int, len(density))
	switch method {
	case DensityRank:
		order := make([]int, len(density))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return density[order[a]] < density[order[b]] })
		rank := 0
		for pos, i := range order {
			if pos == 0 || density[i] != density[order[pos-1]] {
				rank = pos + 1
			}
			out[i] = rank * scale
		}
	case DensityRatio:
		min := density[0]
		for _, d := range density {
			min = math.Min(min, d)
		}
		for i, d := range density {
			v := math.RoundToEven(d / min * float64(scale))
			if v > MaxNeurons {
				return nil, fmt.Errorf("connectome: NeuronsFromDensity: region %d would get %g neurons (ratio %g x scale %d), more than MaxNeurons = %d", i, v, d/min, scale, MaxNeurons)
			}
			out[i] = int(v)
		}
	case DensityProportional:
		sum := 0.0
		for _, d := range density {
			sum += d
		}
		for i, d := range density {
			v := math.Ceil(d / sum * float64(scale))
			if v > MaxNeurons {
				return nil, fmt.Errorf("connectome: NeuronsFromDensity: region %d would get %g neurons, more than MaxNeurons = %d", i, v, MaxNeurons)
			}
			out[i] = int(v)
		}
	default:
		return nil, fmt.Errorf("connectome: NeuronsFromDensity: method = %q, expected one of %s", method, strings.Join(DensityMethods(), ", "))
	}
	total := 0
	for _, k := range out {
		total += k
		if total > MaxNeurons {
			return nil, fmt.Errorf("connectome: NeuronsFromDensity: %s scaling with scale %d gives more than MaxNeurons = %d neurons in total", method, scale, MaxNeurons)
		}
	}
	return out, nil
}

// FillRules lists the rules of FillMissingDensity.
func FillRules() []string { return []string{"median", "mean", "min", "max"} }

// FillMissingDensity returns a copy of density in which every NaN (a region
// without a measurement) is replaced by the median, mean, min or max of the
// measured values, and the indices that were filled. It is the explicit
// alternative to bio2art's silent NaN -> -9223372036854775808 cast. Infinite
// values are an error; with no measured value at all there is nothing to fill
// from, which is an error too.
func FillMissingDensity(density []float64, rule string) ([]float64, []int, error) {
	var measured []float64
	var missing []int
	for i, d := range density {
		switch {
		case math.IsNaN(d):
			missing = append(missing, i)
		case math.IsInf(d, 0):
			return nil, nil, fmt.Errorf("connectome: FillMissingDensity: density[%d] = %v, expected a finite value or NaN", i, d)
		default:
			measured = append(measured, d)
		}
	}
	out := append([]float64(nil), density...)
	if len(missing) == 0 {
		if !validRule(rule) {
			return nil, nil, fmt.Errorf("connectome: FillMissingDensity: rule = %q, expected one of %s", rule, strings.Join(FillRules(), ", "))
		}
		return out, nil, nil
	}
	if len(measured) == 0 {
		return nil, nil, fmt.Errorf("connectome: FillMissingDensity: every density is NaN, nothing to fill from")
	}
	sort.Float64s(measured)
	var v float64
	switch rule {
	case "median":
		m := len(measured)
		if m%2 == 1 {
			v = measured[m/2]
		} else {
			v = (measured[m/2-1] + measured[m/2]) / 2
		}
	case "mean":
		for _, d := range measured {
			v += d
		}
		v /= float64(len(measured))
	case "min":
		v = measured[0]
	case "max":
		v = measured[len(measured)-1]
	default:
		return nil, nil, fmt.Errorf("connectome: FillMissingDensity: rule = %q, expected one of %s", rule, strings.Join(FillRules(), ", "))
	}
	for _, i := range missing {
		out[i] = v
	}
	return out, missing, nil
}

func validRule(rule string) bool {
	for _, r := range FillRules() {
		if r == rule {
			return true
		}
	}
	return false
}
