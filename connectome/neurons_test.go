package connectome

import (
	"math"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func loadDensity(t *testing.T, name string) []float64 {
	t.Helper()
	a, err := ReadNPY(filepath.Join(builtinDir, "ND_"+name+".npy"))
	if err != nil {
		t.Fatalf("%v", err)
	}
	return a.Data
}

func TestUniformNeurons(t *testing.T) {
	if got := UniformNeurons(3, 4); !reflect.DeepEqual(got, []int{4, 4, 4}) {
		t.Errorf("UniformNeurons(3, 4) = %v", got)
	}
	if got := UniformNeurons(-1, 4); len(got) != 0 {
		t.Errorf("UniformNeurons(-1, 4) = %v, expected empty", got)
	}
}

func TestNeuronsFromDensityMethods(t *testing.T) {
	d := []float64{30, 10, 20, 10, 45}
	for _, tc := range []struct {
		method string
		scale  int
		want   []int
	}{
		{DensityRank, 1, []int{4, 1, 3, 1, 5}}, // ties share the lowest rank
		{DensityRank, 3, []int{12, 3, 9, 3, 15}},
		{DensityRatio, 1, []int{3, 1, 2, 1, 4}}, // 4.5 rounds half to even
		{DensityRatio, 2, []int{6, 2, 4, 2, 9}},
		{DensityProportional, 10, []int{3, 1, 2, 1, 4}}, // ceil(d/115*10)
	} {
		got, err := NeuronsFromDensity(d, tc.scale, tc.method)
		if err != nil {
			t.Fatalf("%s: %v", tc.method, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s scale %d: %v, expected %v", tc.method, tc.scale, got, tc.want)
		}
	}
}

func TestNeuronsFromMarmosetDensity(t *testing.T) {
	d := loadDensity(t, "Marmoset_Normalized")
	if len(d) != 55 {
		t.Fatalf("marmoset densities: %d values, expected 55", len(d))
	}
	rank, err := NeuronsFromDensity(d, 2, DensityRank)
	if err != nil {
		t.Fatal(err)
	}
	sorted := append([]int(nil), rank...)
	sort.Ints(sorted)
	for k, v := range sorted {
		if v != 2*(k+1) {
			t.Fatalf("rank counts %v are not 2 x a permutation of 1..55", rank)
		}
	}
	ratio, err := NeuronsFromDensity(d, 1, DensityRatio)
	if err != nil {
		t.Fatal(err)
	}
	lo := math.Inf(1)
	for _, v := range d {
		lo = math.Min(lo, v)
	}
	for i, v := range d {
		if want := int(math.RoundToEven(v / lo)); ratio[i] != want || ratio[i] < 1 {
			t.Errorf("ratio region %d: %d, expected %d", i, ratio[i], want)
		}
	}
	prop, err := NeuronsFromDensity(d, 500, DensityProportional)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, v := range prop {
		sum += v
	}
	if sum < 500 || sum > 500+55 {
		t.Errorf("proportional total %d, expected 500..555", sum)
	}
	// The counts are usable for a build.
	c := loadConnectome(t, "Marmoset_Normalized")
	o := PaperOptions(c.Rows)
	o.Neurons = ratio
	if _, err := Upscale(c, o); err != nil {
		t.Errorf("Upscale with ratio counts: %v", err)
	}
}

// TestMacaqueNaNDensity: the shipped macaque densities have NaN for 5 areas;
// they must be an explicit error (never bio2art's -9223372036854775808), and
// an explicit fill rule makes them usable.
func TestMacaqueNaNDensity(t *testing.T) {
	d := loadDensity(t, "Macaque_Normalized")
	for _, m := range DensityMethods() {
		_, err := NeuronsFromDensity(d, 1, m)
		if err == nil || !strings.Contains(err.Error(), "12, 14, 15, 16, 21") || !strings.Contains(err.Error(), "NaN") {
			t.Errorf("%s: err = %v, expected a NaN error naming regions 12, 14, 15, 16, 21", m, err)
		}
	}
	filled, idx, err := FillMissingDensity(d, "median")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(idx, []int{12, 14, 15, 16, 21}) {
		t.Errorf("filled indices %v", idx)
	}
	var measured []float64
	for _, v := range d {
		if !math.IsNaN(v) {
			measured = append(measured, v)
		}
	}
	sort.Float64s(measured) // 24 values: median = mean of the middle two
	med := (measured[11] + measured[12]) / 2
	for _, i := range idx {
		if filled[i] != med {
			t.Errorf("filled[%d] = %v, expected the median %v", i, filled[i], med)
		}
	}
	if !math.IsNaN(d[12]) {
		t.Errorf("FillMissingDensity modified its input")
	}
	for _, m := range DensityMethods() {
		counts, err := NeuronsFromDensity(filled, 1, m)
		if err != nil {
			t.Fatalf("%s after fill: %v", m, err)
		}
		for i, k := range counts {
			if k < 1 || k > 1000 {
				t.Errorf("%s: region %d gets %d neurons", m, i, k)
			}
		}
	}
	for _, rule := range []string{"mean", "min", "max"} {
		if _, _, err := FillMissingDensity(d, rule); err != nil {
			t.Errorf("rule %s: %v", rule, err)
		}
	}
}

func TestNeuronsFromDensityErrors(t *testing.T) {
	for _, tc := range []struct {
		d      []float64
		scale  int
		method string
		want   string
	}{
		{nil, 1, DensityRank, "empty"},
		{[]float64{1, 2}, 0, DensityRank, "scale = 0"},
		{[]float64{1, math.NaN()}, 1, DensityRatio, "regions 1"},
		{[]float64{1, math.Inf(1)}, 1, DensityRank, "density[1]"},
		{[]float64{1, 0}, 1, DensityRatio, "density[1] = 0"},
		{[]float64{-1, 2}, 1, DensityRank, "density[0] = -1"},
		{[]float64{1, 2}, 1, "log", "method"},
		{[]float64{1, 1e9}, 1, DensityRatio, "MaxNeurons"},
		{[]float64{1, 2}, MaxNeurons, DensityRank, "MaxNeurons"},
	} {
		_, err := NeuronsFromDensity(tc.d, tc.scale, tc.method)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %d %s: err = %v, expected %q", tc.d, tc.scale, tc.method, err, tc.want)
		}
	}
	if _, _, err := FillMissingDensity([]float64{math.NaN(), math.NaN()}, "median"); err == nil {
		t.Errorf("all-NaN fill: expected an error")
	}
	if _, _, err := FillMissingDensity([]float64{math.NaN(), 1}, "mode"); err == nil || !strings.Contains(err.Error(), "rule") {
		t.Errorf("unknown rule: err = %v", err)
	}
	if _, _, err := FillMissingDensity([]float64{1, 2}, "mode"); err == nil {
		t.Errorf("unknown rule without NaN: expected an error")
	}
}
