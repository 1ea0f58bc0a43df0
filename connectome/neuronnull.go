package connectome

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Null models for neuron-level networks held as edge lists (NeuronNetwork).
// They never build an N x N matrix: rewiring and erdos-renyi test for
// double edges in an open-addressing hash set of edges (edgeSet).

// Neuron-level null model names (besides NullRewire, NullShuffle and
// NullErdosRenyi, which NullEdges accepts too).
const (
	NullRewireTypes = "rewire-types" // degree-preserving rewiring within cell-type blocks
	NullShuffleDale = "shuffle-dale" // weights shuffled among edges whose sources share a sign
)

// PCG streams of the neuron-level null models, distinct from those of Null
// (null.go) so that one seed gives unrelated draws for every model.
const (
	streamEdgesRewire      = 0x62696f726e6e0111
	streamEdgesRewireTypes = 0x62696f726e6e0112
	streamEdgesShuffle     = 0x62696f726e6e0113
	streamEdgesShuffleDale = 0x62696f726e6e0114
	streamEdgesErdosRenyi  = 0x62696f726e6e0115
)

// NeuronNullModels lists the models NullEdges accepts.
func NeuronNullModels() []string {
	return []string{NullRewire, NullRewireTypes, NullShuffle, NullShuffleDale, NullErdosRenyi}
}

// NullEdges returns a control network of net by model, drawn from seed; net
// is not modified. The result is a new *NeuronNetwork with the same neurons
// (Neurons, Sign, Region, Type and Excitatory copied) and its edges sorted by
// (pre, post), without duplicates. As in Null, self-loops (pre == post) of
// the input are kept with their weights and take no part in any model; an
// edge below means an edge between two different neurons. The models:
//
//   - NullRewire ("rewire"): directed degree-preserving rewiring (Maslov and
//     Sneppen 2002), as Rewire on matrices: repeatedly pick two edges a->b and
//     c->d and replace them by a->d and c->b, rejecting swaps that would make
//     a self-loop or a double edge. A weight travels with its source's edge
//     (a->d carries the weight of a->b), so every neuron keeps its in-degree,
//     out-degree and out-strength (hence, with signed weights, the sign of
//     every outgoing weight: Dale's law holds in the control), and the weight
//     multiset is kept. In-strength is not kept. It aims for
//     DefaultSwapsPerEdge x (number of edges) successful swaps and gives up
//     after 20 times as many attempts (dense networks admit few swaps).
//   - NullRewireTypes ("rewire-types"): the same, but a swap is only made
//     when type(a) == type(c) and type(b) == type(d) (net.Type; the empty
//     string is a type like any other), so the number of edges (and the
//     total weight) from every cell type to every cell type is kept as well.
//     Both edges of a swap are drawn from one (type(pre), type(post)) block,
//     the block chosen in proportion to its number of edges, so many types do
//     not lower the success rate; blocks of one edge cannot swap and the
//     target is DefaultSwapsPerEdge x (edges in blocks of two or more).
//     It needs net.Type: the neuron table's type column.
//   - NullShuffle ("shuffle"): the weights are permuted among the edges; the
//     topology (every edge, so degrees and reciprocity) and the weight
//     multiset are kept.
//   - NullShuffleDale ("shuffle-dale"): the weights are permuted among the
//     edges whose source neurons have sign +1, and separately among those
//     whose sources have sign -1 (net.Sign; every source of an edge must
//     have sign +1 or -1). With signed weights every weight keeps its sign;
//     with magnitudes each class keeps its own weight distribution.
//   - NullErdosRenyi ("erdos-renyi"): a G(n, m) graph: the same number of
//     edges placed uniformly at random on the ordered pairs of different
//     neurons (no double edges), carrying the original weights in random
//     order (the weight multiset is kept). Everything else is randomised.
//     Sign stays a property of the neuron and is copied unchanged, but a
//     weight may land on an edge whose source has the other sign: with signed
//     weights in the data Dale's law does not hold for the control (a trainer
//     that multiplies magnitudes by the source's Sign still gets it).
//
// Every model is drawn from its own PCG stream of seed and runs on one
// goroutine: the result depends on seed only (not on GOMAXPROCS). Bad input
// (a nil network, slices of mismatched lengths, neuron indices out of
// range, edges not sorted by (pre, post) or listed twice, non-finite
// weights, a missing Type or Sign for the models that need them, an unknown
// model) is an error.
func NullEdges(model string, net *NeuronNetwork, seed uint64) (*NeuronNetwork, error) {
	if !slices.Contains(NeuronNullModels(), model) {
		return nil, fmt.Errorf("connectome: NullEdges: model = %q, expected one of %s", model, strings.Join(NeuronNullModels(), ", "))
	}
	what := "connectome: neuron-level null model " + model
	if err := checkNeuronNetwork(net, what); err != nil {
		return nil, err
	}
	switch model {
	case NullRewire:
		out, _, err := rewireEdges(net, nil, DefaultSwapsPerEdge, seed, streamEdgesRewire)
		return out, err
	case NullRewireTypes:
		if len(net.Type) == 0 {
			return nil, fmt.Errorf("%s: the network has no cell types: this model needs a `type` column in the neuron table (one cell type per neuron)", what)
		}
		out, _, err := rewireEdges(net, net.Type, DefaultSwapsPerEdge, seed, streamEdgesRewireTypes)
		return out, err
	case NullShuffle:
		return shuffleEdges(net, nil, seed, streamEdgesShuffle), nil
	case NullShuffleDale:
		if len(net.Sign) == 0 {
			return nil, fmt.Errorf("%s: the network has no neuron signs: this model needs a sign (+1 or -1) per neuron, e.g. a `sign` column in the neuron table", what)
		}
		for k := range net.Pre {
			if s := net.Sign[net.Pre[k]]; s != 1 && s != -1 {
				return nil, fmt.Errorf("%s: neuron %d (source of edge %d) has sign %d, expected +1 or -1", what, net.Pre[k], k, s)
			}
		}
		return shuffleEdges(net, net.Sign, seed, streamEdgesShuffleDale), nil
	default: // NullErdosRenyi
		return erdosRenyiEdges(net, seed), nil
	}
}

// checkNeuronNetwork checks that net is a well-formed edge list: lengths,
// indices in range, edges strictly increasing by (pre, post), finite
// weights.
func checkNeuronNetwork(net *NeuronNetwork, what string) error {
	if net == nil {
		return fmt.Errorf("%s: the network is nil", what)
	}
	n, m := net.Neurons, len(net.Pre)
	if n < 0 || n > math.MaxInt32+1 {
		return fmt.Errorf("%s: %d neurons, expected 0..%d (int32 indices)", what, n, math.MaxInt32+1)
	}
	if len(net.Post) != m || len(net.Weight) != m {
		return fmt.Errorf("%s: pre, post and weight have %d, %d and %d entries, expected one each per edge", what, m, len(net.Post), len(net.Weight))
	}
	if m >= math.MaxInt32 {
		return fmt.Errorf("%s: %d edges, expected fewer than %d", what, m, math.MaxInt32)
	}
	for _, c := range []struct {
		name string
		len  int
	}{{"sign", len(net.Sign)}, {"region", len(net.Region)}, {"type", len(net.Type)}} {
		if c.len != 0 && c.len != n {
			return fmt.Errorf("%s: %d entries of %s for %d neurons, expected one per neuron (or none)", what, c.len, c.name, n)
		}
	}
	for k := range m {
		i, j, w := net.Pre[k], net.Post[k], net.Weight[k]
		if i < 0 || int(i) >= n || j < 0 || int(j) >= n {
			return fmt.Errorf("%s: edge %d is %d -> %d, expected neuron indices in 0..%d", what, k, i, j, n-1)
		}
		if math.IsNaN(float64(w)) || math.IsInf(float64(w), 0) {
			return fmt.Errorf("%s: edge %d (%d -> %d) has weight %v, expected a finite number", what, k, i, j, w)
		}
		if k > 0 {
			pi, pj := net.Pre[k-1], net.Post[k-1]
			if pi == i && pj == j {
				return fmt.Errorf("%s: edge %d -> %d is listed twice (edges %d and %d), expected each edge once", what, i, j, k-1, k)
			}
			if pi > i || (pi == i && pj > j) {
				return fmt.Errorf("%s: edge %d (%d -> %d) comes after %d -> %d, expected edges sorted by (pre, post)", what, k, i, j, pi, pj)
			}
		}
	}
	return nil
}

// newNeuronNetwork returns a network with net's neurons (copied) and room
// for len(net.Pre) edges.
func newNeuronNetwork(net *NeuronNetwork) *NeuronNetwork {
	m := len(net.Pre)
	return &NeuronNetwork{
		Neurons: net.Neurons, Pre: make([]int32, m), Post: make([]int32, m), Weight: make([]float32, m),
		Sign: slices.Clone(net.Sign), Region: slices.Clone(net.Region), Type: slices.Clone(net.Type),
		Excitatory: net.Excitatory,
	}
}

// edgeKey packs an edge i -> j.
func edgeKey(i, j int32) uint64 { return uint64(uint32(i))<<32 | uint64(uint32(j)) }

// assembleEdges returns the network with net's neurons, net's self-loops
// and the m edges edge(e) (no self-loops) with weights w[e], sorted by
// (pre, post). rowStart[i] is where neuron i's edges (its self-loop
// included) start in the result (len n+1), so it must count, per neuron,
// its self-loop and its edges among edge(0..m-1).
func assembleEdges(net *NeuronNetwork, rowStart []int, m int, edge func(int) (pre, post int32), w []float32) *NeuronNetwork {
	out := newNeuronNetwork(net)
	n := net.Neurons
	next := slices.Clone(rowStart[:n])
	for i := range n {
		for k := rowStart[i]; k < rowStart[i+1]; k++ {
			out.Pre[k] = int32(i)
		}
	}
	for k, i := range net.Pre {
		if i == net.Post[k] {
			out.Post[next[i]], out.Weight[next[i]] = i, net.Weight[k]
			next[i]++
		}
	}
	for e := range m {
		i, j := edge(e)
		out.Post[next[i]], out.Weight[next[i]] = j, w[e]
		next[i]++
	}
	// Sort each row by post, the weight travelling along (post is unique
	// in a row, so sorting post<<32 | weight bits orders by post).
	var row []uint64
	for i := range n {
		lo, hi := rowStart[i], rowStart[i+1]
		if slices.IsSorted(out.Post[lo:hi]) {
			continue
		}
		row = row[:0]
		for k := lo; k < hi; k++ {
			row = append(row, uint64(uint32(out.Post[k]))<<32|uint64(math.Float32bits(out.Weight[k])))
		}
		slices.Sort(row)
		for t, v := range row {
			out.Post[lo+t], out.Weight[lo+t] = int32(v>>32), math.Float32frombits(uint32(v))
		}
	}
	return out
}

// rowStarts returns where each neuron's out-edges start in net (len n+1).
func rowStarts(net *NeuronNetwork) []int {
	start := make([]int, net.Neurons+1)
	for _, i := range net.Pre {
		start[i+1]++
	}
	for i := range net.Neurons {
		start[i+1] += start[i]
	}
	return start
}

// rewireEdges is the rewire model (types == nil) or the rewire-types model;
// it also returns the number of successful swaps.
func rewireEdges(net *NeuronNetwork, types []string, swapsPerEdge int, seed, stream uint64) (*NeuronNetwork, int, error) {
	// The edges between different neurons as keys (pre<<32 | post), with
	// their weights, and the blocks of edges that may swap with each other:
	// all of them, or one block per (type(pre), type(post)).
	var keys []uint64
	var w []float32
	var blockStart, blockEnd []int // blocks of two or more edges: keys[blockStart[b]:blockEnd[b]]
	if types == nil {
		m := 0
		for k, i := range net.Pre {
			if i != net.Post[k] {
				m++
			}
		}
		keys, w = make([]uint64, 0, m), make([]float32, 0, m)
		for k, i := range net.Pre {
			if j := net.Post[k]; i != j {
				keys, w = append(keys, edgeKey(i, j)), append(w, net.Weight[k])
			}
		}
		if m >= 2 {
			blockStart, blockEnd = []int{0}, []int{m}
		}
	} else {
		keys, w, blockStart, blockEnd = typeBlocks(net, types)
	}
	out := func() *NeuronNetwork {
		return assembleEdges(net, rowStarts(net), len(keys), func(e int) (int32, int32) { return int32(keys[e] >> 32), int32(uint32(keys[e])) }, w)
	}
	swappable := 0
	for b := range blockStart {
		swappable += blockEnd[b] - blockStart[b]
	}
	if swappable < 2 || swapsPerEdge <= 0 {
		return out(), 0, nil
	}
	// cum[b] = swappable edges in blocks before b: a uniform draw u in
	// [0, swappable) is edge blockStart[b] + u - cum[b] of the block b with
	// cum[b] <= u < cum[b+1], so blocks are chosen in proportion to size.
	cum := make([]int, len(blockStart)+1)
	for b := range blockStart {
		cum[b+1] = cum[b] + blockEnd[b] - blockStart[b]
	}
	rng := rand.New(rand.NewPCG(seed, stream))
	set := newEdgeSet(len(keys))
	for _, k := range keys {
		set.add(k)
	}
	target := swapsPerEdge * swappable
	maxAttempts := 20 * target
	done, attempts := 0, 0
	// Attempts are drawn in batches, and the edges and hash slots a batch
	// will need are first read in tight loops of independent loads, so that
	// their cache and TLB misses overlap; then the attempts are made one
	// after the other on the current state (an earlier swap of the batch may
	// have changed what was read), which alone decides. This is about twice
	// as fast as making each attempt from cold memory.
	const batch = 256
	var xs, ys [batch]int32
	var kx, ky [batch]uint64
	var sink uint64
	for done < target && attempts < maxAttempts {
		nb := min(batch, maxAttempts-attempts)
		for t := range nb {
			u := rng.IntN(swappable)
			b := 0
			if len(cum) > 2 {
				b, _ = slices.BinarySearch(cum, u+1)
				b--
			}
			lo, size := blockStart[b], cum[b+1]-cum[b]
			x := u - cum[b]
			y := rng.IntN(size - 1)
			if y >= x {
				y++
			}
			xs[t], ys[t] = int32(lo+x), int32(lo+y)
		}
		for t := range nb {
			kx[t], ky[t] = keys[xs[t]], keys[ys[t]]
		}
		for t := range nb {
			ab, cd := kx[t], ky[t]
			ad, cb := ab&^0xffffffff|cd&0xffffffff, cd&^0xffffffff|ab&0xffffffff
			sink += set.slot[set.home(ad)] + set.slot[set.home(cb)] + set.slot[set.home(ab)] + set.slot[set.home(cd)]
		}
		for t := range nb {
			if done == target {
				break
			}
			attempts++
			x, y := xs[t], ys[t]
			ab, cd := keys[x], keys[y]
			a, b, c, d := ab>>32, ab&0xffffffff, cd>>32, cd&0xffffffff
			if a == c || b == d || a == d || c == b {
				continue
			}
			ad, cb := a<<32|d, c<<32|b
			if set.has(ad) || set.has(cb) {
				continue
			}
			set.remove(ab)
			set.remove(cd)
			set.add(ad)
			set.add(cb)
			keys[x], keys[y] = ad, cb
			done++
		}
	}
	edgeSetSink = sink
	set = nil
	return out(), done, nil
}

// edgeSetSink keeps the prefetching reads of rewireEdges from being
// optimised away.
var edgeSetSink uint64

// typeBlocks returns the edges between different neurons (keys, weights)
// grouped by block (type(pre), type(post)), and the blocks of two or more
// edges as [blockStart[b], blockEnd[b]) ranges.
func typeBlocks(net *NeuronNetwork, types []string) (keys []uint64, w []float32, blockStart, blockEnd []int) {
	id := make([]int32, net.Neurons)
	ids := map[string]int32{}
	for i, t := range types {
		v, ok := ids[t]
		if !ok {
			v = int32(len(ids))
			ids[t] = v
		}
		id[i] = v
	}
	nt := len(ids)
	var edges []int32 // input indices of the edges between different neurons
	for k, i := range net.Pre {
		if i != net.Post[k] {
			edges = append(edges, int32(k))
		}
	}
	m := len(edges)
	// Two stable counting sorts: by type(post), then by type(pre).
	sorted := make([]int32, m)
	count := make([]int, nt+1)
	for _, ends := range [][]int32{net.Post, net.Pre} {
		clear(count)
		for _, k := range edges {
			count[id[ends[k]]+1]++
		}
		for t := range nt {
			count[t+1] += count[t]
		}
		for _, k := range edges {
			t := id[ends[k]]
			sorted[count[t]] = k
			count[t]++
		}
		edges, sorted = sorted, edges
	}
	keys, w = make([]uint64, m), make([]float32, m)
	for e, k := range edges {
		keys[e], w[e] = edgeKey(net.Pre[k], net.Post[k]), net.Weight[k]
	}
	block := func(e int) int64 {
		k := edges[e]
		return int64(id[net.Pre[k]])*int64(nt) + int64(id[net.Post[k]])
	}
	for lo := 0; lo < m; {
		hi := lo + 1
		for hi < m && block(hi) == block(lo) {
			hi++
		}
		if hi-lo >= 2 {
			blockStart, blockEnd = append(blockStart, lo), append(blockEnd, hi)
		}
		lo = hi
	}
	return keys, w, blockStart, blockEnd
}

// shuffleEdges permutes the weights of the edges between different neurons:
// all together (sign == nil) or within the classes of edges whose sources
// have the same sign.
func shuffleEdges(net *NeuronNetwork, sign []int8, seed, stream uint64) *NeuronNetwork {
	out := newNeuronNetwork(net)
	copy(out.Pre, net.Pre)
	copy(out.Post, net.Post)
	copy(out.Weight, net.Weight)
	rng := rand.New(rand.NewPCG(seed, stream))
	classes := []int8{0}
	if sign != nil {
		classes = []int8{1, -1}
	}
	var idx []int32
	for _, s := range classes {
		idx = idx[:0]
		for k, i := range net.Pre {
			if i != net.Post[k] && (sign == nil || sign[i] == s) {
				idx = append(idx, int32(k))
			}
		}
		rng.Shuffle(len(idx), func(a, b int) {
			ka, kb := idx[a], idx[b]
			out.Weight[ka], out.Weight[kb] = out.Weight[kb], out.Weight[ka]
		})
	}
	return out
}

// erdosRenyiEdges places the edges between different neurons uniformly at
// random (G(n, m)) with the weights in random order; self-loops are kept.
func erdosRenyiEdges(net *NeuronNetwork, seed uint64) *NeuronNetwork {
	n := net.Neurons
	rng := rand.New(rand.NewPCG(seed, streamEdgesErdosRenyi))
	var w []float32
	loops := make([]int, n+1) // self-loops per neuron, then row starts
	for k, i := range net.Pre {
		if i != net.Post[k] {
			w = append(w, net.Weight[k])
		} else {
			loops[i+1]++
		}
	}
	m := len(w)
	total := int64(n) * int64(n-1)
	draw := func() uint64 {
		i := int32(rng.IntN(n))
		j := int32(rng.IntN(n - 1))
		if j >= i {
			j++
		}
		return edgeKey(i, j)
	}
	keys := make([]uint64, 0, m)
	if int64(m) <= total/2 {
		// Rejection: at most half the draws are wasted.
		set := newEdgeSet(m)
		for len(keys) < m {
			if k := draw(); set.add(k) {
				keys = append(keys, k)
			}
		}
	} else {
		// Dense: draw the total-m empty pairs, list the others (total < 2m).
		set := newEdgeSet(int(total) - m)
		for placed := int64(0); placed < total-int64(m); {
			if set.add(draw()) {
				placed++
			}
		}
		for i := range int32(n) {
			for j := range int32(n) {
				if k := edgeKey(i, j); i != j && !set.has(k) {
					keys = append(keys, k)
				}
			}
		}
	}
	rng.Shuffle(m, func(a, b int) { w[a], w[b] = w[b], w[a] })
	// Row starts from the new out-degrees plus the self-loops.
	for _, k := range keys {
		loops[k>>32+1]++
	}
	for i := range n {
		loops[i+1] += loops[i]
	}
	return assembleEdges(net, loops, m, func(e int) (int32, int32) { return int32(keys[e] >> 32), int32(uint32(keys[e])) }, w)
}

// edgeSet is a set of edges (pre<<32 | post, or other uint64 keys except
// ^0) by open addressing with linear probing, at most half full; removal
// shifts the later entries of a cluster back (no tombstones), so lookups
// stay short however many swaps are made. At 10 million edges it is 2^25
// slots, 256 MiB, against several times that for a Go map.
type edgeSet struct {
	slot  []uint64
	mask  uint64
	shift uint
}

const edgeSetEmpty = ^uint64(0)

// newEdgeSet returns an empty set for up to n keys.
func newEdgeSet(n int) *edgeSet {
	size, bits := 16, 4
	for size < 2*n {
		size, bits = size<<1, bits+1
	}
	s := &edgeSet{slot: make([]uint64, size), mask: uint64(size - 1), shift: uint(64 - bits)}
	for i := range s.slot {
		s.slot[i] = edgeSetEmpty
	}
	return s
}

// home is k's first slot (Fibonacci hashing of k with its high half
// folded in).
func (s *edgeSet) home(k uint64) uint64 {
	k ^= k >> 29
	return (k * 0x9e3779b97f4a7c15) >> s.shift
}

func (s *edgeSet) has(k uint64) bool {
	for i := s.home(k); ; i = (i + 1) & s.mask {
		switch s.slot[i] {
		case k:
			return true
		case edgeSetEmpty:
			return false
		}
	}
}

// add adds k and reports whether it was new.
func (s *edgeSet) add(k uint64) bool {
	for i := s.home(k); ; i = (i + 1) & s.mask {
		switch s.slot[i] {
		case k:
			return false
		case edgeSetEmpty:
			s.slot[i] = k
			return true
		}
	}
}

// remove removes k if present.
func (s *edgeSet) remove(k uint64) {
	i := s.home(k)
	for s.slot[i] != k {
		if s.slot[i] == edgeSetEmpty {
			return
		}
		i = (i + 1) & s.mask
	}
	// i is a hole: move back into it any later entry of the cluster whose
	// probe path passes through it (its home is no nearer to it than i).
	for j := i; ; {
		j = (j + 1) & s.mask
		e := s.slot[j]
		if e == edgeSetEmpty {
			break
		}
		if (j-s.home(e))&s.mask >= (j-i)&s.mask {
			s.slot[i] = e
			i = j
		}
	}
	s.slot[i] = edgeSetEmpty
}
