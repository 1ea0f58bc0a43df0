package connectome

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// refDir holds bio2art's reference outputs (read-only shared data).
var refDir = filepath.Join("..", "..", "shared", "bio2art-reference")

// refCase is one entry of cases.json.
type refCase struct {
	File          string `json:"file"`
	Connectome    string `json:"connectome"`
	NeuronDensity []int  `json:"neuron_density"`
	Params        struct {
		TargetSparsity          *float64 `json:"target_sparsity"`
		IntrinsicConn           *bool    `json:"intrinsic_conn"`
		TargetSparsityIntrinsic *float64 `json:"target_sparsity_intrinsic"`
		IntrinsicWei            *float64 `json:"intrinsic_wei"`
		RandPartition           *bool    `json:"rand_partition"`
		KeepDiag                *bool    `json:"keep_diag"`
	} `json:"params"`
	N                  int       `json:"n"`
	NNZ                int       `json:"nnz"`
	TotalWeight        float64   `json:"total_weight"`
	MaxBlockAbsErr     float64   `json:"max_block_abs_err_offdiag"`
	IntrinsicBlockSums []float64 `json:"intrinsic_block_sums"`
	MinPositive        float64   `json:"min_positive"`
	Negatives          int       `json:"negatives"`
	SpectralRadius     float64   `json:"spectral_radius"`
	Reciprocity        float64   `json:"reciprocity"`
}

func loadCases(t *testing.T) []refCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(refDir, "cases.json"))
	if err != nil {
		t.Skipf("cross-check against bio2art's outputs skipped: %s is missing (it lies in ../shared beside the project root): %v", refDir, err)
	}
	var cs []refCase
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	if len(cs) != 24 {
		t.Fatalf("cases.json: %d cases, expected 24", len(cs))
	}
	return cs
}

func loadMatrix(t *testing.T, path string) *Dense {
	t.Helper()
	a, err := ReadNPY(path)
	if err != nil {
		t.Fatalf("%v", err)
	}
	m, err := a.Matrix()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func loadConnectome(t *testing.T, name string) *Dense {
	t.Helper()
	return loadMatrix(t, filepath.Join(builtinDir, "C_"+name+".npy"))
}

// options turns a case's bio2art parameters into UpscaleOptions: bio2art's
// defaults overridden by the case's params.
func (rc refCase) options(regions int) UpscaleOptions {
	o := BioArtDefaults(regions)
	if rc.NeuronDensity != nil {
		o.Neurons = append([]int(nil), rc.NeuronDensity...)
	}
	p := rc.Params
	if p.TargetSparsity != nil {
		o.TargetSparsity = *p.TargetSparsity
	}
	if p.IntrinsicConn != nil {
		o.Intrinsic = *p.IntrinsicConn
	}
	if p.TargetSparsityIntrinsic != nil {
		o.IntrinsicSparsity = *p.TargetSparsityIntrinsic
	}
	if p.IntrinsicWei != nil {
		o.IntrinsicWeight = *p.IntrinsicWei
	}
	if p.RandPartition != nil {
		o.Homogeneous = !*p.RandPartition
	}
	if p.KeepDiag != nil {
		o.KeepDiag = *p.KeepDiag
	}
	return o
}

// expectedTargets is, independently of upscale.go, how many targets each
// neuron of region i must have in region j (bio2art: round half to even,
// at least one; intrinsic: without self unless keepDiag).
func expectedTargets(c *Dense, o UpscaleOptions, i, j int) int {
	nj := o.Neurons[j]
	round := func(s float64) int {
		if s == 1 {
			return nj
		}
		return max(1, int(math.RoundToEven(s*float64(nj))))
	}
	if i != j {
		if c.At(i, j) > 0 {
			return round(o.TargetSparsity)
		}
		return 0
	}
	if !o.Intrinsic {
		return 0 // no reference case has a diagonal in C
	}
	pool := nj
	if !o.KeepDiag {
		pool--
	}
	k := round(o.IntrinsicSparsity)
	return min(k, pool)
}

// checkNetwork verifies every bio2art invariant of net built from c with o.
// wantIntrinsic, when non-nil, are the reference intrinsic block sums.
// homogeneousMin, when > 0, is the reference's smallest positive weight,
// which is deterministic for homogeneous blocks. It returns the problems
// found (empty = all invariants hold).
func checkNetwork(c *Dense, o UpscaleOptions, net *Network, wantNNZ int, wantIntrinsic []float64, wantTotal float64) []string {
	var errs []string
	bad := func(f string, a ...any) {
		if len(errs) < 20 {
			errs = append(errs, fmt.Sprintf(f, a...))
		}
	}
	r := c.Rows
	n := 0
	for _, k := range o.Neurons {
		n += k
	}
	w := net.W
	if w.Rows != n || w.Cols != n || len(net.Region) != n {
		bad("size: W %dx%d, %d regions listed, expected n = %d", w.Rows, w.Cols, len(net.Region), n)
		return errs
	}
	start := make([]int, r+1)
	for i, k := range o.Neurons {
		start[i+1] = start[i] + k
		for s := start[i]; s < start[i+1]; s++ {
			if net.Region[s] != i {
				bad("Region[%d] = %d, expected %d", s, net.Region[s], i)
			}
		}
	}
	nnz := 0
	for _, v := range w.Data {
		if v != 0 {
			nnz++
		}
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			bad("weight %v: expected finite and >= 0", v)
		}
	}
	if nnz != wantNNZ {
		bad("nnz = %d, expected %d", nnz, wantNNZ)
	}
	if !o.KeepDiag {
		for s := 0; s < n; s++ {
			if w.At(s, s) != 0 {
				bad("W[%d,%d] = %v with KeepDiag off", s, s, w.At(s, s))
			}
		}
	}
	colSum := make([]float64, r)
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			colSum[j] += c.At(i, j)
		}
	}
	total := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			sum := 0.0
			var first float64
			for s := start[i]; s < start[i+1]; s++ {
				cnt := 0
				for t := start[j]; t < start[j+1]; t++ {
					v := w.At(s, t)
					if v == 0 {
						continue
					}
					cnt++
					sum += v
					if first == 0 {
						first = v
					}
					if o.Homogeneous && v != first {
						bad("block (%d,%d) not constant with Homogeneous: %v and %v", i, j, first, v)
					}
				}
				if want := expectedTargets(c, o, i, j); cnt != want {
					bad("neuron %d (region %d) has %d targets in region %d, expected %d", s, i, cnt, j, want)
				}
			}
			total += sum
			want := c.At(i, j)
			if i == j {
				want = 0
				if o.Intrinsic && expectedTargets(c, o, i, i) > 0 {
					want = o.IntrinsicWeight / (1 - o.IntrinsicWeight) * colSum[i]
				}
				if wantIntrinsic != nil && math.Abs(wantIntrinsic[i]-want) > 1e-12*math.Abs(want) {
					bad("intrinsic block %d: formula gives %v, reference %v", i, want, wantIntrinsic[i])
				}
			}
			if math.Abs(sum-want) > 1e-12*math.Abs(want) {
				bad("block (%d,%d) sums to %.17g, expected %.17g", i, j, sum, want)
			}
		}
	}
	if math.Abs(total-wantTotal) > 1e-12*math.Abs(wantTotal) {
		bad("total weight %.17g, expected %.17g", total, wantTotal)
	}
	return errs
}

// minPositive returns the smallest positive entry (+Inf if none).
func minPositive(w *Dense) float64 {
	m := math.Inf(1)
	for _, v := range w.Data {
		if v > 0 && v < m {
			m = v
		}
	}
	return m
}

func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// TestReferenceCases checks every invariant of every bio2art reference case,
// on the reference matrix itself (which validates the checker) and on
// biornn's build with both random partitions and several seeds.
func TestReferenceCases(t *testing.T) {
	for _, rc := range loadCases(t) {
		t.Run(rc.File, func(t *testing.T) {
			c := loadConnectome(t, rc.Connectome)
			o := rc.options(c.Rows)

			ref := &Network{W: loadMatrix(t, filepath.Join(refDir, rc.File+".W.npy"))}
			reg, err := ReadNPY(filepath.Join(refDir, rc.File+".region.npy"))
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range reg.Data {
				ref.Region = append(ref.Region, int(v))
			}
			if errs := checkNetwork(c, o, ref, rc.NNZ, rc.IntrinsicBlockSums, rc.TotalWeight); len(errs) > 0 {
				t.Fatalf("the reference W fails the checker:\n%s", strings.Join(errs, "\n"))
			}
			st, err := ComputeStats(ref.W)
			if err != nil {
				t.Fatal(err)
			}
			if e := relErr(st.SpectralRadius, rc.SpectralRadius); e > 1e-6 {
				t.Errorf("reference W: spectral radius %.15g, cases.json %.15g (rel err %g)", st.SpectralRadius, rc.SpectralRadius, e)
			}
			if st.Reciprocity != rc.Reciprocity || st.NNZ != rc.NNZ {
				t.Errorf("reference W: reciprocity %v nnz %d, cases.json %v %d", st.Reciprocity, st.NNZ, rc.Reciprocity, rc.NNZ)
			}

			partitions := []string{PartitionPositive}
			if !o.Homogeneous {
				partitions = append(partitions, PartitionBio2art)
			}
			for _, part := range partitions {
				for _, seed := range []uint64{1, 2, 20211} {
					o.Partition, o.Seed = part, seed
					net, err := Upscale(c, o)
					if err != nil {
						t.Fatalf("Upscale: %v", err)
					}
					errs := checkNetwork(c, o, net, rc.NNZ, rc.IntrinsicBlockSums, rc.TotalWeight)
					if part == PartitionBio2art {
						// bio2art's own split may round a part to zero
						// or below; count such entries instead of failing
						// on them, as long as block sums hold.
						errs = dropNonPositiveComplaints(errs)
					}
					if len(errs) > 0 {
						t.Fatalf("partition %s seed %d:\n%s", part, seed, strings.Join(errs, "\n"))
					}
					if o.Homogeneous || part == PartitionPositive {
						if mp := minPositive(net.W); !(mp > 0) {
							t.Errorf("no positive weight")
						}
					}
					if o.Homogeneous {
						// Homogeneous weights are deterministic, so is
						// the smallest one.
						if e := relErr(minPositive(net.W), rc.MinPositive); e > 1e-12 {
							t.Errorf("smallest positive weight %.17g, reference %.17g", minPositive(net.W), rc.MinPositive)
						}
					}
				}
			}
			// Identity and defaults have a deterministic topology: the
			// statistics must match the reference exactly.
			if rc.NeuronDensity == nil || o.Neurons[0] == 1 {
				o.Seed = 9
				net, err := Upscale(c, o)
				if err != nil {
					t.Fatal(err)
				}
				mine, err := ComputeStats(net.W)
				if err != nil {
					t.Fatal(err)
				}
				if e := relErr(mine.SpectralRadius, rc.SpectralRadius); e > 1e-9 || mine.Reciprocity != rc.Reciprocity {
					t.Errorf("one neuron per region: radius %v reciprocity %v, reference %v %v", mine.SpectralRadius, mine.Reciprocity, rc.SpectralRadius, rc.Reciprocity)
				}
			}
		})
	}
}

// dropNonPositiveComplaints removes the checker's sign complaints and the
// count mismatches they cause, which bio2art's stick-breaking may produce.
func dropNonPositiveComplaints(errs []string) []string {
	var out []string
	for _, e := range errs {
		if strings.HasPrefix(e, "weight ") || strings.HasPrefix(e, "nnz = ") || strings.Contains(e, " targets in region ") {
			continue
		}
		out = append(out, e)
	}
	return out
}

// blockMinRatio is the smallest weight of a random-partition network relative
// to the mean weight of its block: ~1/(number of weights) for a flat
// Dirichlet split, astronomically small for bio2art's stick-breaking.
func blockMinRatio(net *Network) float64 {
	w := net.W
	n := w.Rows
	type key struct{ a, b int }
	sum := map[key]float64{}
	cnt := map[key]int{}
	for s := 0; s < n; s++ {
		for t := 0; t < n; t++ {
			if v := w.At(s, t); v != 0 {
				k := key{net.Region[s], net.Region[t]}
				sum[k] += v
				cnt[k]++
			}
		}
	}
	m := math.Inf(1)
	for s := 0; s < n; s++ {
		for t := 0; t < n; t++ {
			if v := w.At(s, t); v != 0 {
				k := key{net.Region[s], net.Region[t]}
				m = math.Min(m, v/(sum[k]/float64(cnt[k])))
			}
		}
	}
	return m
}

// TestPartitionBehaviour: the default ("positive") partition never gives a
// weight <= 0 or a vanishing part, while the "bio2art" partition reproduces
// the reference's behaviour (parts many orders of magnitude below the block
// mean, like bio2art's own output).
func TestPartitionBehaviour(t *testing.T) {
	if _, err := os.Stat(refDir); err != nil {
		t.Skipf("cross-check against bio2art's outputs skipped: %s is missing (it lies in ../shared beside the project root)", refDir)
	}
	for _, name := range []string{"Marmoset_Normalized", "Drosophila"} {
		c := loadConnectome(t, name)
		ref := &Network{W: loadMatrix(t, filepath.Join(refDir, "paper__"+name+".W.npy")), Region: nil}
		for s := 0; s < ref.W.Rows; s++ {
			ref.Region = append(ref.Region, s/4)
		}
		refRatio := blockMinRatio(ref)
		if refRatio > 1e-8 {
			t.Fatalf("%s: reference smallest weight / block mean = %g; expected bio2art's vanishing parts (< 1e-8)", name, refRatio)
		}
		o := PaperOptions(c.Rows)
		for seed := uint64(1); seed <= 3; seed++ {
			o.Seed = seed
			o.Partition = PartitionPositive
			pos, err := Upscale(c, o)
			if err != nil {
				t.Fatal(err)
			}
			if r := blockMinRatio(pos); !(r > 1e-7) {
				t.Errorf("%s seed %d positive partition: smallest weight / block mean = %g, expected > 1e-7", name, seed, r)
			}
			for _, v := range pos.W.Data {
				if v < 0 {
					t.Fatalf("%s: negative weight %v with the positive partition", name, v)
				}
			}
			o.Partition = PartitionBio2art
			b2a, err := Upscale(c, o)
			if err != nil {
				t.Fatal(err)
			}
			if r := blockMinRatio(b2a); !(r < 1e-8) {
				t.Errorf("%s seed %d bio2art partition: smallest weight / block mean = %g, expected bio2art's vanishing parts (< 1e-8, reference %g)", name, seed, r, refRatio)
			}
		}
	}
}

func TestStickBreakingSumsAndShrinks(t *testing.T) {
	rng := newTestRand(5)
	parts := make([]float64, 200)
	stickBreaking(rng, 3.5, parts)
	sum, small := 0.0, 0
	for _, p := range parts {
		sum += p
		if math.Abs(p) < 1e-30 {
			small++
		}
	}
	if math.Abs(sum-3.5) > 1e-12 {
		t.Errorf("parts sum to %v, expected 3.5", sum)
	}
	if small == 0 {
		t.Errorf("200-part stick-breaking has no part below 1e-30; bio2art's split shrinks geometrically")
	}
	positivePartition(rng, 3.5, parts)
	sum = 0
	for _, p := range parts {
		if !(p > 0) {
			t.Fatalf("positive partition gave %v", p)
		}
		sum += p
	}
	if math.Abs(sum-3.5) > 1e-12 {
		t.Errorf("positive parts sum to %v, expected 3.5", sum)
	}
}

func TestUpscaleDeterminism(t *testing.T) {
	c := loadConnectome(t, "Macaque_Normalized")
	for _, part := range []string{PartitionPositive, PartitionBio2art} {
		o := PaperOptions(c.Rows)
		o.Partition = part
		o.Seed = 42
		a, err := Upscale(c, o)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Upscale(c, o)
		for k := range a.W.Data {
			if a.W.Data[k] != b.W.Data[k] {
				t.Fatalf("%s: same seed, different W at %d", part, k)
			}
		}
		o.Seed = 43
		d, _ := Upscale(c, o)
		same := true
		for k := range a.W.Data {
			if a.W.Data[k] != d.W.Data[k] {
				same = false
				break
			}
		}
		if same {
			t.Errorf("%s: seeds 42 and 43 give the same W", part)
		}
	}
	// Homogeneous builds differ by seed too (the target draws).
	o := PaperOptions(c.Rows)
	o.Homogeneous = true
	o.Seed = 1
	a, _ := Upscale(c, o)
	o.Seed = 2
	b, _ := Upscale(c, o)
	diff := 0
	for k := range a.W.Data {
		if (a.W.Data[k] == 0) != (b.W.Data[k] == 0) {
			diff++
		}
	}
	if diff == 0 {
		t.Errorf("homogeneous build: seeds 1 and 2 give the same topology")
	}
}

func TestTargetCounts(t *testing.T) {
	for _, tc := range []struct {
		s    float64
		n, k int
	}{
		{0.8, 4, 3}, {1, 7, 7}, {0.2, 1, 1}, {0.1, 4, 1}, {0.5, 5, 2} /* 2.5 -> 2 */, {0.5, 7, 4}, /* 3.5 -> 4 */
		{0.3, 10, 3}, {0.25, 2, 1}, {0.75, 2, 2} /* 1.5 -> 2 */, {0.9, 10, 9},
	} {
		if got := targetCount(tc.s, tc.n); got != tc.k {
			t.Errorf("targetCount(%v, %d) = %d, expected %d (numpy.round half to even)", tc.s, tc.n, got, tc.k)
		}
	}
	for _, tc := range []struct {
		s    float64
		n    int
		keep bool
		k    int
	}{
		{1, 4, false, 3}, {1, 4, true, 4}, {1, 1, false, 1}, {1, 1, true, 1},
		{0.9, 4, false, 3} /* 3.6 -> 4 == n -> 3 */, {0.9, 4, true, 4}, {0.5, 4, true, 2}, {0.1, 3, false, 1},
	} {
		if got := intrinsicCount(tc.s, tc.n, tc.keep); got != tc.k {
			t.Errorf("intrinsicCount(%v, %d, %v) = %d, expected %d", tc.s, tc.n, tc.keep, got, tc.k)
		}
	}
}

// TestUpscaleVariedSettings checks the invariants on settings the reference
// does not cover: unequal region sizes, intrinsic sparsity < 1, self-
// connections kept, one-neuron regions without self-connections.
func TestUpscaleVariedSettings(t *testing.T) {
	c := loadConnectome(t, "Mouse_Gamanut_Normalized")
	neurons := make([]int, c.Rows)
	for i := range neurons {
		neurons[i] = 1 + i%5
	}
	for _, o := range []UpscaleOptions{
		{Neurons: neurons, TargetSparsity: 0.5, Intrinsic: true, IntrinsicSparsity: 0.5, IntrinsicWeight: 0.3, KeepDiag: true},
		{Neurons: neurons, TargetSparsity: 0.35, Intrinsic: true, IntrinsicSparsity: 0.9, IntrinsicWeight: 0.6},
		{Neurons: neurons, TargetSparsity: 1, Intrinsic: true, IntrinsicSparsity: 1, IntrinsicWeight: 0, Homogeneous: true},
		{Neurons: neurons, TargetSparsity: 0.7, Homogeneous: true, Seed: 3},
	} {
		net, err := Upscale(c, o)
		if err != nil {
			t.Fatal(err)
		}
		wantNNZ, total := 0, 0.0
		colSum := make([]float64, c.Rows)
		for i := 0; i < c.Rows; i++ {
			for j := 0; j < c.Rows; j++ {
				colSum[j] += c.At(i, j)
				total += c.At(i, j)
			}
		}
		for i := 0; i < c.Rows; i++ {
			for j := 0; j < c.Rows; j++ {
				k := expectedTargets(c, o, i, j)
				if i == j && (o.IntrinsicWeight == 0 || colSum[i] == 0) {
					k = 0 // a zero weight makes no connection
				}
				wantNNZ += neurons[i] * k
			}
			if o.Intrinsic && expectedTargets(c, o, i, i) > 0 {
				total += o.IntrinsicWeight / (1 - o.IntrinsicWeight) * colSum[i]
			}
		}
		if o.IntrinsicWeight == 0 {
			o.Intrinsic = false // the checker then expects empty intrinsic blocks
		}
		if errs := checkNetwork(c, o, net, wantNNZ, nil, total); len(errs) > 0 {
			t.Errorf("%+v:\n%s", o, strings.Join(errs, "\n"))
		}
	}
}

func TestUpscaleDiagonalInC(t *testing.T) {
	c := NewDense(2, 2)
	c.Set(0, 0, 0.5)
	c.Set(0, 1, 1)
	c.Set(1, 0, 2)
	o := UpscaleOptions{Neurons: []int{3, 2}, TargetSparsity: 1, Intrinsic: true, IntrinsicSparsity: 1, IntrinsicWeight: 0.5}
	if _, err := Upscale(c, o); err == nil || !strings.Contains(err.Error(), "diagonal") {
		t.Errorf("nonzero C diagonal with Intrinsic: err = %v, expected an error about the diagonal", err)
	}
	o.Intrinsic = false
	net, err := Upscale(c, o)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for s := 0; s < 3; s++ {
		if net.W.At(s, s) != 0 {
			t.Errorf("self-connection %d with KeepDiag off", s)
		}
		for u := 0; u < 3; u++ {
			sum += net.W.At(s, u)
		}
	}
	if math.Abs(sum-0.5) > 1e-15 {
		t.Errorf("block (0,0) sums to %v, expected C[0,0] = 0.5", sum)
	}
}

func TestUpscaleErrors(t *testing.T) {
	c := NewDense(3, 3)
	c.Set(0, 1, 1)
	c.Set(1, 2, 0.5)
	good := PaperOptions(3)
	if _, err := Upscale(c, good); err != nil {
		t.Fatalf("valid options: %v", err)
	}
	nan := c.Clone()
	nan.Set(2, 0, math.NaN())
	inf := c.Clone()
	inf.Set(2, 0, math.Inf(1))
	neg := c.Clone()
	neg.Set(2, 0, -0.1)
	mod := func(f func(*UpscaleOptions)) UpscaleOptions {
		o := PaperOptions(3)
		f(&o)
		return o
	}
	for _, tc := range []struct {
		name string
		c    *Dense
		o    UpscaleOptions
		want string
	}{
		{"nil", nil, good, "nil"},
		{"non-square", NewDense(2, 3), good, "square"},
		{"empty", NewDense(0, 0), good, "no regions"},
		{"NaN", nan, good, "NaN"},
		{"Inf", inf, good, "+Inf"},
		{"negative", neg, good, "negative"},
		{"neurons length", c, mod(func(o *UpscaleOptions) { o.Neurons = []int{1, 2} }), "Neurons has 2"},
		{"neurons zero", c, mod(func(o *UpscaleOptions) { o.Neurons[1] = 0 }), "Neurons[1] = 0"},
		{"neurons huge", c, mod(func(o *UpscaleOptions) { o.Neurons[1] = MaxNeurons }), "MaxNeurons"},
		{"sparsity 0", c, mod(func(o *UpscaleOptions) { o.TargetSparsity = 0 }), "TargetSparsity"},
		{"sparsity >1", c, mod(func(o *UpscaleOptions) { o.TargetSparsity = 1.5 }), "TargetSparsity"},
		{"sparsity NaN", c, mod(func(o *UpscaleOptions) { o.TargetSparsity = math.NaN() }), "TargetSparsity"},
		{"intrinsic sparsity", c, mod(func(o *UpscaleOptions) { o.IntrinsicSparsity = 0 }), "IntrinsicSparsity"},
		{"intrinsic weight 1", c, mod(func(o *UpscaleOptions) { o.IntrinsicWeight = 1 }), "divide by zero"},
		{"intrinsic weight >1", c, mod(func(o *UpscaleOptions) { o.IntrinsicWeight = 2 }), "IntrinsicWeight"},
		{"intrinsic weight <0", c, mod(func(o *UpscaleOptions) { o.IntrinsicWeight = -0.1 }), "IntrinsicWeight"},
		{"partition", c, mod(func(o *UpscaleOptions) { o.Partition = "dirichlet" }), "Partition"},
	} {
		_, err := Upscale(tc.c, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, expected an error containing %q", tc.name, err, tc.want)
		}
	}
	// Intrinsic settings are not checked when Intrinsic is off.
	o := PaperOptions(3)
	o.Intrinsic, o.IntrinsicWeight, o.IntrinsicSparsity = false, 1, 0
	if _, err := Upscale(c, o); err != nil {
		t.Errorf("Intrinsic off with unused IntrinsicWeight = 1: %v", err)
	}
}

func TestRegionNeurons(t *testing.T) {
	net := &Network{Region: []int{0, 0, 1, 2, 2, 2}}
	got := fmt.Sprint(net.RegionNeurons())
	if got != "[[0 1] [2] [3 4 5]]" {
		t.Errorf("RegionNeurons = %s", got)
	}
}

func newTestRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

// TestCheckerDetectsFaults makes sure checkNetwork is not vacuous: each
// single corruption of a valid network is reported.
func TestCheckerDetectsFaults(t *testing.T) {
	c := loadConnectome(t, "Macaque_Normalized")
	o := PaperOptions(c.Rows)
	o.Homogeneous = true
	net, err := Upscale(c, o)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := ComputeStats(net.W)
	if errs := checkNetwork(c, o, net, st.NNZ, nil, st.TotalWeight); len(errs) > 0 {
		t.Fatalf("valid network rejected: %v", errs)
	}
	// Find a source neuron s with an edge to t and a non-edge u in t's region.
	var s, tt, u int
	found := false
	for s = 0; s < net.W.Rows && !found; s++ {
		for tt = 0; tt < net.W.Cols && !found; tt++ {
			if net.W.At(s, tt) == 0 || net.Region[s] == net.Region[tt] {
				continue
			}
			for u = 0; u < net.W.Cols; u++ {
				if u != tt && net.Region[u] == net.Region[tt] && net.W.At(s, u) == 0 {
					found = true
					break
				}
			}
		}
	}
	if !found {
		t.Fatal("no suitable edge to corrupt")
	}
	s, tt = s-1, tt-1
	for name, corrupt := range map[string]func(w *Dense){
		"weight scaled": func(w *Dense) { w.Set(s, tt, w.At(s, tt)*1.001) },
		"edge to another region": func(w *Dense) {
			for v := 0; v < w.Cols; v++ {
				if net.Region[v] != net.Region[tt] && net.Region[v] != net.Region[s] && w.At(s, v) == 0 {
					w.Set(s, v, w.At(s, tt))
					w.Set(s, tt, 0)
					return
				}
			}
			t.Fatal("no free target in another region")
		},
		"edge added":      func(w *Dense) { w.Set(s, u, 1e-3) },
		"self-connection": func(w *Dense) { w.Set(0, 0, 1e-3) },
		"negative":        func(w *Dense) { w.Set(s, tt, -w.At(s, tt)) },
	} {
		bad := &Network{W: net.W.Clone(), Region: net.Region}
		corrupt(bad.W)
		if errs := checkNetwork(c, o, bad, st.NNZ, nil, st.TotalWeight); len(errs) == 0 {
			t.Errorf("%s: checker found nothing", name)
		}
	}
}
