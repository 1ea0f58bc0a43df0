package connectome

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Null model names (see Null).
const (
	NullPermute    = "permute"
	NullRewire     = "rewire"
	NullShuffle    = "shuffle"
	NullErdosRenyi = "erdos-renyi"
)

// DefaultSwapsPerEdge is the number of successful Maslov-Sneppen swaps per
// edge that Null("rewire") aims for; 10 is enough to forget the original
// wiring while keeping the degree sequences.
const DefaultSwapsPerEdge = 10

// Separate PCG streams per null model, so one seed used for several models
// (or for the build) gives unrelated draws.
const (
	streamPermute    = 0x62696f726e6e0101
	streamRewire     = 0x62696f726e6e0102
	streamShuffle    = 0x62696f726e6e0103
	streamErdosRenyi = 0x62696f726e6e0104
)

// NullModels lists the names accepted by Null.
func NullModels() []string {
	return []string{NullPermute, NullRewire, NullShuffle, NullErdosRenyi}
}

// Null returns a randomised control network of w (a square matrix of finite
// values; W.At(i, j) = weight of edge i -> j) by model, drawn from seed.
// Every model leaves the diagonal (self-connections) untouched and works on
// the off-diagonal entries; an edge is a nonzero entry. See Permute, Rewire
// (with DefaultSwapsPerEdge), Shuffle and ErdosRenyi.
func Null(model string, w *Dense, seed uint64) (*Dense, error) {
	switch model {
	case NullPermute:
		return Permute(w, seed)
	case NullRewire:
		return Rewire(w, DefaultSwapsPerEdge, seed)
	case NullShuffle:
		return Shuffle(w, seed)
	case NullErdosRenyi:
		return ErdosRenyi(w, seed)
	}
	return nil, fmt.Errorf("connectome: Null: model = %q, expected one of %s", model, strings.Join(NullModels(), ", "))
}

// offDiag maps p in [0, n(n-1)) to the p-th off-diagonal position (i, j) in
// row-major order.
func offDiag(p, n int) (i, j int) {
	i, j = p/(n-1), p%(n-1)
	if j >= i {
		j++
	}
	return i, j
}

// Permute is the paper's control: all off-diagonal entries, zeros included,
// are randomly permuted among the off-diagonal positions. It keeps the
// multiset of off-diagonal values (so nnz and total weight) and the
// diagonal; degrees, reciprocity and everything else are randomised.
func Permute(w *Dense, seed uint64) (*Dense, error) {
	if err := checkFiniteSquare(w, "connectome: null model permute"); err != nil {
		return nil, err
	}
	n := w.Rows
	out := w.Clone()
	if n < 2 {
		return out, nil
	}
	rng := rand.New(rand.NewPCG(seed, streamPermute))
	m := n * (n - 1)
	vals := make([]float64, m)
	for p := range vals {
		i, j := offDiag(p, n)
		vals[p] = w.At(i, j)
	}
	rng.Shuffle(m, func(a, b int) { vals[a], vals[b] = vals[b], vals[a] })
	for p, v := range vals {
		i, j := offDiag(p, n)
		out.Set(i, j, v)
	}
	return out, nil
}

// edge is a directed off-diagonal edge with its weight.
type edge struct {
	from, to int
	w        float64
}

// edges lists the off-diagonal nonzero entries of w in row-major order.
func edges(w *Dense) []edge {
	var es []edge
	for i := 0; i < w.Rows; i++ {
		for j := 0; j < w.Cols; j++ {
			if i != j && w.At(i, j) != 0 {
				es = append(es, edge{i, j, w.At(i, j)})
			}
		}
	}
	return es
}

// Rewire is directed degree-preserving rewiring (Maslov and Sneppen 2002):
// repeatedly pick two edges a->b and c->d and replace them by a->d and
// c->b, each weight travelling with its source's edge (a->d keeps the weight
// of a->b), rejecting swaps that would make a self-connection or a double
// edge. It aims for swapsPerEdge x (number of edges) successful swaps and
// gives up after 20 times as many attempts (dense graphs admit few swaps; a
// complete graph none). It keeps every node's in- and out-degree, every
// node's out-strength, the weight multiset, nnz and the diagonal exactly.
// swapsPerEdge = 0 returns a copy.
func Rewire(w *Dense, swapsPerEdge int, seed uint64) (*Dense, error) {
	out, _, err := rewire(w, swapsPerEdge, seed)
	return out, err
}

// rewire is Rewire that also returns the number of successful swaps.
func rewire(w *Dense, swapsPerEdge int, seed uint64) (*Dense, int, error) {
	if err := checkFiniteSquare(w, "connectome: null model rewire"); err != nil {
		return nil, 0, err
	}
	if swapsPerEdge < 0 {
		return nil, 0, fmt.Errorf("connectome: null model rewire: swaps per edge = %d, expected >= 0", swapsPerEdge)
	}
	n := w.Rows
	es := edges(w)
	m := len(es)
	out := w.Clone()
	if m < 2 || swapsPerEdge == 0 {
		return out, 0, nil
	}
	rng := rand.New(rand.NewPCG(seed, streamRewire))
	adj := make([]bool, n*n)
	for _, e := range es {
		adj[e.from*n+e.to] = true
	}
	target := swapsPerEdge * m
	maxAttempts := 20 * target
	done := 0
	for attempt := 0; attempt < maxAttempts && done < target; attempt++ {
		x := rng.IntN(m)
		y := rng.IntN(m - 1)
		if y >= x {
			y++
		}
		a, b := es[x].from, es[x].to
		c, d := es[y].from, es[y].to
		if a == c || b == d || a == d || c == b || adj[a*n+d] || adj[c*n+b] {
			continue
		}
		adj[a*n+b], adj[c*n+d] = false, false
		adj[a*n+d], adj[c*n+b] = true, true
		es[x].to, es[y].to = d, b
		done++
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				out.Set(i, j, 0)
			}
		}
	}
	for _, e := range es {
		out.Set(e.from, e.to, e.w)
	}
	return out, done, nil
}

// Shuffle permutes the weights among the existing off-diagonal edges: the
// topology (every edge, so degrees and reciprocity) and the weight multiset
// are kept, only which edge carries which weight changes.
func Shuffle(w *Dense, seed uint64) (*Dense, error) {
	if err := checkFiniteSquare(w, "connectome: null model shuffle"); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, streamShuffle))
	es := edges(w)
	rng.Shuffle(len(es), func(a, b int) { es[a].w, es[b].w = es[b].w, es[a].w })
	out := w.Clone()
	for _, e := range es {
		out.Set(e.from, e.to, e.w)
	}
	return out, nil
}

// ErdosRenyi returns a density-matched random graph: the same number of
// nodes, the same number of off-diagonal edges placed uniformly at random
// (a G(n, m) graph, no self-connections, no double edges), carrying the
// original off-diagonal weights in random order (a permutation, so the
// weight multiset is kept exactly). The diagonal is kept.
func ErdosRenyi(w *Dense, seed uint64) (*Dense, error) {
	if err := checkFiniteSquare(w, "connectome: null model erdos-renyi"); err != nil {
		return nil, err
	}
	n := w.Rows
	out := w.Clone()
	if n < 2 {
		return out, nil
	}
	rng := rand.New(rand.NewPCG(seed, streamErdosRenyi))
	es := edges(w)
	m := len(es)
	total := n * (n - 1)
	// Choose the m positions (or, when m > total/2, the total-m empty
	// positions) by rejection: at most half the draws are wasted.
	chosen := make([]bool, total)
	k, mark := m, true
	if m > total/2 {
		k, mark = total-m, false
		for p := range chosen {
			chosen[p] = true
		}
	}
	for placed := 0; placed < k; {
		p := rng.IntN(total)
		if chosen[p] != mark {
			chosen[p] = mark
			placed++
		}
	}
	rng.Shuffle(m, func(a, b int) { es[a].w, es[b].w = es[b].w, es[a].w })
	next := 0
	for p, c := range chosen {
		i, j := offDiag(p, n)
		if c {
			out.Set(i, j, es[next].w)
			next++
		} else {
			out.Set(i, j, 0)
		}
	}
	return out, nil
}
