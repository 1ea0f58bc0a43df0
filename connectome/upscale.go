package connectome

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// MaxNeurons bounds the size of an up-scaled network. Upscale returns a dense
// n x n float64 matrix, so 16384 neurons already take 2 GiB; larger requests
// are almost certainly a mistake (e.g. raw neuron densities used as counts).
const MaxNeurons = 1 << 14

// Partitions lists the Partition names.
func Partitions() []string { return []string{PartitionPositive, PartitionBio2art} }

// Partition names accepted by UpscaleOptions.Partition.
const (
	// PartitionPositive splits a block's weight into parts drawn from a flat
	// Dirichlet distribution (spacings of sorted uniform draws): every part
	// is strictly positive and all splits of the total are equally likely.
	PartitionPositive = "positive"
	// PartitionBio2art is bio2art's stick-breaking split: part k is uniform
	// on [0, remaining), the last part is total minus the sum of the others,
	// then the parts are shuffled. Parts shrink geometrically, so large
	// blocks get weights of ~1e-18 of the total and the last part can come
	// out zero or negative from rounding. Kept only to reproduce bio2art.
	PartitionBio2art = "bio2art"
)

// streamUpscale separates the random stream of Upscale from the other seeded
// streams of this package (PCG's second seed word), so that the same user seed
// does not give correlated draws in the build and in a null model.
const streamUpscale = 0x62696f726e6e0001

// UpscaleOptions are the parameters of bio2art's from_conn_mat (see Upscale).
// The zero value is not usable: Neurons and TargetSparsity must be set.
// BioArtDefaults and PaperOptions return complete settings.
type UpscaleOptions struct {
	// Neurons per region (len = regions), each >= 1.
	Neurons []int
	// TargetSparsity is the share of a target region's neurons that each
	// source neuron reaches, in (0, 1]. The count is round-half-to-even of
	// TargetSparsity x (neurons in the target region), at least 1, as in
	// bio2art (numpy.round).
	TargetSparsity float64
	// Intrinsic adds within-region connections.
	Intrinsic bool
	// IntrinsicSparsity is TargetSparsity for the within-region block, in
	// (0, 1]; used only when Intrinsic.
	IntrinsicSparsity float64
	// IntrinsicWeight is the intrinsic share w in [0, 1): region j's
	// intrinsic block sums to w/(1-w) x (column sum j of C), bio2art's rule
	// (so with w = 0.8 the block holds 80% of the weight arriving at j).
	// 1 is an error (bio2art divides by zero).
	IntrinsicWeight float64
	// Homogeneous gives every connection of a block the same weight
	// (bio2art rand_partition=false); otherwise each block's weight is split
	// at random (see Partition).
	Homogeneous bool
	// KeepDiag keeps neuron self-connections inside intrinsic blocks. When
	// false, W has a zero diagonal.
	KeepDiag bool
	// Partition is the random split of a block's weight when !Homogeneous:
	// "positive" (default, also for "") or "bio2art".
	Partition string
	// Seed makes the build reproducible: the same seed and options give a
	// bit-identical network on every platform.
	Seed uint64
}

// BioArtDefaults returns bio2art's from_conn_mat defaults with one neuron per
// region: target sparsity 0.2, intrinsic connections with sparsity 1 and
// weight share 0.8, homogeneous weights, self-connections kept. With one
// neuron per region this puts 4 x (column sum of C) on the diagonal.
func BioArtDefaults(regions int) UpscaleOptions {
	return UpscaleOptions{
		Neurons:           UniformNeurons(regions, 1),
		TargetSparsity:    0.2,
		Intrinsic:         true,
		IntrinsicSparsity: 1,
		IntrinsicWeight:   0.8,
		Homogeneous:       true,
		KeepDiag:          true,
		Partition:         PartitionPositive,
	}
}

// PaperOptions returns the settings of the paper's experiments (Goulas et al.
// 2021): 4 neurons per region, target sparsity 0.8, intrinsic connections with
// sparsity 1 and weight share 0.8, random partition, no self-connections.
func PaperOptions(regions int) UpscaleOptions {
	return UpscaleOptions{
		Neurons:           UniformNeurons(regions, 4),
		TargetSparsity:    0.8,
		Intrinsic:         true,
		IntrinsicSparsity: 1,
		IntrinsicWeight:   0.8,
		Partition:         PartitionPositive,
	}
}

// Network is a neuron-level network built from a region-level connectome.
type Network struct {
	// W is the neuron-level weight matrix: W.At(s, t) is the weight from
	// source neuron s (row) to target neuron t (column), bio2art's
	// orientation. The recurrent matrix of an RNN stored by target is W^T.
	W *Dense
	// Region[s] is the region index (row/column of C) of neuron s. Neurons
	// of one region are contiguous and regions appear in order.
	Region []int
}

// RegionNeurons returns the neuron indices of each region.
func (n *Network) RegionNeurons() [][]int {
	max := -1
	for _, r := range n.Region {
		if r > max {
			max = r
		}
	}
	out := make([][]int, max+1)
	for s, r := range n.Region {
		out[r] = append(out[r], s)
	}
	return out
}

// validate checks C and the options and returns the total neuron count.
func (o *UpscaleOptions) validate(c *Dense) (int, error) {
	if c == nil {
		return 0, fmt.Errorf("connectome: Upscale: connectome matrix is nil")
	}
	if err := c.CheckSquare("connectome: Upscale: connectome"); err != nil {
		return 0, err
	}
	if c.Rows < 1 {
		return 0, fmt.Errorf("connectome: Upscale: connectome has no regions (0x0 matrix)")
	}
	if len(c.Data) != c.Rows*c.Cols {
		return 0, fmt.Errorf("connectome: Upscale: connectome data has %d values, expected %d for %dx%d", len(c.Data), c.Rows*c.Cols, c.Rows, c.Cols)
	}
	if err := checkNonNegative(c, "connectome: Upscale: connectome"); err != nil {
		return 0, err
	}
	r := c.Rows
	if len(o.Neurons) != r {
		return 0, fmt.Errorf("connectome: Upscale: Neurons has %d entries, expected one per region (%d)", len(o.Neurons), r)
	}
	total := 0
	for i, k := range o.Neurons {
		if k < 1 {
			return 0, fmt.Errorf("connectome: Upscale: Neurons[%d] = %d, expected >= 1", i, k)
		}
		total += k
		if total > MaxNeurons {
			return 0, fmt.Errorf("connectome: Upscale: Neurons sum to more than %d (MaxNeurons); the network would not fit a dense matrix", MaxNeurons)
		}
	}
	if !(o.TargetSparsity > 0 && o.TargetSparsity <= 1) {
		return 0, fmt.Errorf("connectome: Upscale: TargetSparsity = %v, expected a value in (0, 1]", o.TargetSparsity)
	}
	if o.Intrinsic {
		if !(o.IntrinsicSparsity > 0 && o.IntrinsicSparsity <= 1) {
			return 0, fmt.Errorf("connectome: Upscale: IntrinsicSparsity = %v, expected a value in (0, 1]", o.IntrinsicSparsity)
		}
		if o.IntrinsicWeight == 1 {
			return 0, fmt.Errorf("connectome: Upscale: IntrinsicWeight = 1 is not allowed (the intrinsic weight w/(1-w) would divide by zero); expected a value in [0, 1)")
		}
		if !(o.IntrinsicWeight >= 0 && o.IntrinsicWeight < 1) {
			return 0, fmt.Errorf("connectome: Upscale: IntrinsicWeight = %v, expected a value in [0, 1)", o.IntrinsicWeight)
		}
		for i := 0; i < r; i++ {
			if c.At(i, i) != 0 {
				return 0, fmt.Errorf("connectome: Upscale: connectome has a nonzero diagonal entry C[%d,%d] = %v while Intrinsic is on; bio2art would silently overwrite the intrinsic block with it. Zero the diagonal or turn Intrinsic off (then C[i,i] is up-scaled like any other entry)", i, i, c.At(i, i))
			}
		}
	}
	switch o.Partition {
	case "", PartitionPositive, PartitionBio2art:
	default:
		return 0, fmt.Errorf("connectome: Upscale: Partition = %q, expected %q or %q", o.Partition, PartitionPositive, PartitionBio2art)
	}
	return total, nil
}

// checkNonNegative returns an error for NaN, infinite or negative entries.
func checkNonNegative(c *Dense, what string) error {
	for k, v := range c.Data {
		i, j := k/c.Cols, k%c.Cols
		switch {
		case math.IsNaN(v):
			return fmt.Errorf("%s: entry [%d,%d] is NaN, expected a finite weight >= 0", what, i, j)
		case math.IsInf(v, 0):
			return fmt.Errorf("%s: entry [%d,%d] is %v, expected a finite weight >= 0", what, i, j, v)
		case v < 0:
			return fmt.Errorf("%s: entry [%d,%d] = %v is negative, expected a weight >= 0", what, i, j, v)
		}
	}
	return nil
}

// targetCount is bio2art's number of targets per source neuron in a target
// region of n neurons: all of them at sparsity 1, otherwise sparsity x n
// rounded half to even (numpy.round), at least 1.
func targetCount(sparsity float64, n int) int {
	if sparsity == 1 {
		return n
	}
	x := sparsity * float64(n)
	if x < 1 {
		return 1
	}
	return int(math.RoundToEven(x))
}

// intrinsicCount is bio2art's number of within-region targets per neuron of a
// region of n neurons. Without self-connections the full count is n-1; a
// rounded count equal to n is lowered to n-1. The count is at least 1, but a
// one-neuron region without self-connections has no possible target, so the
// caller caps it by the pool size (bio2art then draws from an empty pool and
// the intrinsic weight of that region is lost, which biornn keeps).
func intrinsicCount(sparsity float64, n int, keepDiag bool) int {
	var k int
	if sparsity == 1 {
		k = n
		if !keepDiag {
			k = n - 1
		}
	} else {
		x := sparsity * float64(n)
		if x < 1 {
			k = 1
		} else {
			k = int(math.RoundToEven(x))
			if !keepDiag && k == n {
				k = n - 1
			}
		}
	}
	if k < 1 {
		k = 1
	}
	return k
}

// Upscale builds a neuron-level network from the region-level connectome c
// (c.At(i, j) = weight from region i to region j), following bio2art's
// from_conn_mat:
//
//   - region i gets opts.Neurons[i] neurons, regions in order;
//   - for each C[i,j] > 0 (i != j), every neuron of i connects to k distinct
//     random neurons of j, k = targetCount(TargetSparsity, |j|), and the
//     block's weights sum to C[i,j];
//   - with Intrinsic, every neuron of region j connects to k' random neurons
//     of j (itself excluded unless KeepDiag), and the block sums to
//     w/(1-w) x sum_k C[k,j] (the column sum, as bio2art computes it);
//   - block weights are equal (Homogeneous) or a random partition of the
//     block's total (Partition).
//
// Differences from bio2art (its defects, fixed here): the draws come from an
// explicit seed; the default partition has no zero, negative or ~1e-18 parts;
// IntrinsicWeight = 1, NaN/Inf/negative weights and a nonzero diagonal with
// Intrinsic on are errors instead of a division by zero, silently dropped
// entries and an overwritten block. With Intrinsic off a nonzero C[i,i] is
// up-scaled like any other entry, without self-connections unless KeepDiag.
// As in bio2art, a one-neuron region without self-connections has no
// possible intrinsic target, so its intrinsic weight is not placed.
func Upscale(c *Dense, opts UpscaleOptions) (*Network, error) {
	n, err := opts.validate(c)
	if err != nil {
		return nil, err
	}
	r := c.Rows
	rng := rand.New(rand.NewPCG(opts.Seed, streamUpscale))
	partition := opts.Partition
	if partition == "" {
		partition = PartitionPositive
	}

	region := make([]int, 0, n)
	start := make([]int, r+1)
	for i, k := range opts.Neurons {
		start[i+1] = start[i] + k
		for range k {
			region = append(region, i)
		}
	}
	members := func(i int) []int {
		idx := make([]int, opts.Neurons[i])
		for k := range idx {
			idx[k] = start[i] + k
		}
		return idx
	}

	// Column sums of C: bio2art's "sum_C_out" is numpy.sum(C, 0).
	colSum := make([]float64, r)
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			colSum[j] += c.At(i, j)
		}
	}

	w := NewDense(n, n)
	b := blockFiller{w: w, rng: rng, homogeneous: opts.Homogeneous, partition: partition}
	for i := 0; i < r; i++ {
		sources := members(i)
		if opts.Intrinsic {
			share := opts.IntrinsicWeight / (1 - opts.IntrinsicWeight) * colSum[i]
			k := intrinsicCount(opts.IntrinsicSparsity, len(sources), opts.KeepDiag)
			b.fill(sources, sources, k, !opts.KeepDiag, share)
		}
		for j := 0; j < r; j++ {
			cij := c.At(i, j)
			if cij <= 0 {
				continue
			}
			targets := members(j)
			k := targetCount(opts.TargetSparsity, len(targets))
			// A diagonal entry C[i,i] only gets here with Intrinsic off
			// (validate rejects it otherwise); it is up-scaled like the
			// others, without self-connections unless KeepDiag.
			b.fill(sources, targets, k, i == j && !opts.KeepDiag, cij)
		}
	}
	return &Network{W: w, Region: region}, nil
}

// blockFiller writes one (source region, target region) block at a time.
type blockFiller struct {
	w           *Dense
	rng         *rand.Rand
	homogeneous bool
	partition   string
	parts       []float64
	cand        []int
}

// fill connects every source to k distinct random targets (fewer if the pool
// is smaller; noSelf removes the source itself from its pool) and gives the
// block the total weight total.
func (b *blockFiller) fill(sources, targets []int, k int, noSelf bool, total float64) {
	pool := len(targets)
	if noSelf {
		pool--
	}
	if k > pool {
		k = pool
	}
	if k <= 0 || len(sources) == 0 {
		return
	}
	m := len(sources) * k
	parts := b.split(total, m)
	p := 0
	for _, s := range sources {
		b.cand = b.cand[:0]
		for _, t := range targets {
			if noSelf && t == s {
				continue
			}
			b.cand = append(b.cand, t)
		}
		// Partial Fisher-Yates: the first k candidates are a uniform
		// random k-subset.
		for x := 0; x < k; x++ {
			y := x + b.rng.IntN(len(b.cand)-x)
			b.cand[x], b.cand[y] = b.cand[y], b.cand[x]
			b.w.Set(s, b.cand[x], parts[p])
			p++
		}
	}
}

// split returns m weights summing to total (to rounding).
func (b *blockFiller) split(total float64, m int) []float64 {
	if cap(b.parts) < m {
		b.parts = make([]float64, m)
	}
	parts := b.parts[:m]
	switch {
	case b.homogeneous || total == 0:
		for k := range parts {
			parts[k] = total / float64(m)
		}
	case b.partition == PartitionBio2art:
		stickBreaking(b.rng, total, parts)
	default:
		positivePartition(b.rng, total, parts)
	}
	return parts
}

// positivePartition fills parts with total x D, D ~ Dirichlet(1,...,1): the
// spacings of m-1 sorted uniform draws on [0, 1), so all splits of the total
// are equally likely. A zero spacing (two equal draws, or a draw of exactly
// 0) is redrawn, so every part is > 0. Only exact integer-derived draws and
// +, -, x arithmetic are used (no math.Exp or math.Log, which may differ in
// the last bit between architectures), so the split is bit-identical on
// every platform. Should total be so small that a part underflows to zero,
// the split falls back to equal parts, so the number of connections never
// changes.
func positivePartition(rng *rand.Rand, total float64, parts []float64) {
	m := len(parts)
	if m == 1 {
		parts[0] = total
		return
	}
	for attempt := 0; attempt < 16; attempt++ {
		cuts := parts[:m-1]
		for k := range cuts {
			cuts[k] = rng.Float64()
		}
		sort.Float64s(cuts)
		parts[m-1] = 1 - cuts[m-2]
		for k := m - 2; k > 0; k-- {
			parts[k] = cuts[k] - cuts[k-1]
		}
		ok := true
		for k := range parts {
			parts[k] = float64(parts[k] * total)
			if !(parts[k] > 0) || math.IsInf(parts[k], 0) {
				ok = false
			}
		}
		if ok {
			return
		}
	}
	for k := range parts {
		parts[k] = total / float64(m)
	}
}

// stickBreaking is bio2art's float_partition: each part is uniform on
// [0, |remaining|), the last is total minus the sum of the others (which can
// round to zero or below), and the parts are shuffled.
func stickBreaking(rng *rand.Rand, total float64, parts []float64) {
	m := len(parts)
	rest := total
	sum := 0.0
	for k := 0; k < m-1; k++ {
		// float64() keeps the compiler from fusing the product into
		// the subtraction (FMA on arm64), for identical results everywhere.
		v := float64(rng.Float64() * math.Abs(rest))
		parts[k] = v
		rest -= v
		sum += v
	}
	parts[m-1] = total - sum
	rng.Shuffle(m, func(x, y int) { parts[x], parts[y] = parts[y], parts[x] })
}
