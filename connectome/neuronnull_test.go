package connectome

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// nullTestNet is a synthetic network with a few self-loops and, when
// types > 0, that many cell types (neuron i has type i % types).
func nullTestNet(t testing.TB, neurons, connections, types int, seed uint64) *NeuronNetwork {
	t.Helper()
	net, err := Synthetic(SyntheticOptions{Kind: SyntheticSBM, Neurons: neurons, Connections: connections, Excitatory: 0.8, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	if types > 0 {
		for i := range net.Type {
			net.Type[i] = fmt.Sprintf("t%d", i%types)
		}
	}
	// self-loops on every 50th neuron, weight 1000 + i
	var pre, post []int32
	var w []float32
	k := 0
	for i := range int32(neurons) {
		loop := i%50 == 0
		for ; k < len(net.Pre) && net.Pre[k] == i; k++ {
			if loop && net.Post[k] > i {
				pre, post, w = append(pre, i), append(post, i), append(w, 1000+float32(i))
				loop = false
			}
			pre, post, w = append(pre, i), append(post, net.Post[k]), append(w, net.Weight[k])
		}
		if loop {
			pre, post, w = append(pre, i), append(post, i), append(w, 1000+float32(i))
		}
	}
	net.Pre, net.Post, net.Weight = pre, post, w
	if err := checkNeuronNetwork(net, "test"); err != nil {
		t.Fatal(err)
	}
	return net
}

func cloneNeuronNetwork(net *NeuronNetwork) *NeuronNetwork {
	c := *net
	c.Pre, c.Post, c.Weight = slices.Clone(net.Pre), slices.Clone(net.Post), slices.Clone(net.Weight)
	c.Sign, c.Region, c.Type = slices.Clone(net.Sign), slices.Clone(net.Region), slices.Clone(net.Type)
	return &c
}

func sameNeuronNetwork(a, b *NeuronNetwork) bool {
	return a.Neurons == b.Neurons && a.Excitatory == b.Excitatory &&
		slices.Equal(a.Pre, b.Pre) && slices.Equal(a.Post, b.Post) && slices.Equal(a.Weight, b.Weight) &&
		slices.Equal(a.Sign, b.Sign) && slices.Equal(a.Region, b.Region) && slices.Equal(a.Type, b.Type)
}

// nullInvariants checks what every model keeps: a well-formed result (sorted,
// no duplicates), the same neurons, the same self-loops with their weights,
// no new self-loops, the same number of edges and the weight multiset.
func nullInvariants(t *testing.T, model string, in, out *NeuronNetwork) {
	t.Helper()
	if err := checkNeuronNetwork(out, "result"); err != nil {
		t.Fatalf("%s: %v", model, err)
	}
	if out.Neurons != in.Neurons || out.Excitatory != in.Excitatory || !slices.Equal(out.Sign, in.Sign) ||
		!slices.Equal(out.Region, in.Region) || !slices.Equal(out.Type, in.Type) {
		t.Fatalf("%s: neurons not copied", model)
	}
	if len(out.Pre) != len(in.Pre) {
		t.Fatalf("%s: %d edges, want %d", model, len(out.Pre), len(in.Pre))
	}
	loops := func(net *NeuronNetwork) map[int32]float32 {
		l := map[int32]float32{}
		for k, i := range net.Pre {
			if i == net.Post[k] {
				l[i] = net.Weight[k]
			}
		}
		return l
	}
	li, lo := loops(in), loops(out)
	if len(li) == 0 || fmt.Sprint(li) != fmt.Sprint(lo) {
		t.Fatalf("%s: self-loops %v, want %v", model, lo, li)
	}
	wi, wo := slices.Clone(in.Weight), slices.Clone(out.Weight)
	slices.Sort(wi)
	slices.Sort(wo)
	if !slices.Equal(wi, wo) {
		t.Fatalf("%s: weight multiset changed", model)
	}
}

// nullEdgeDegrees returns in-degree, out-degree and out-strength per neuron.
func nullEdgeDegrees(net *NeuronNetwork) (in, out []int, strength []float64) {
	in, out, strength = make([]int, net.Neurons), make([]int, net.Neurons), make([]float64, net.Neurons)
	for k, i := range net.Pre {
		out[i]++
		in[net.Post[k]]++
		strength[i] += float64(net.Weight[k])
	}
	return in, out, strength
}

// typePairs counts edges (and sums weights) per (type(pre), type(post)).
func typePairs(net *NeuronNetwork) map[[2]string]int {
	c := map[[2]string]int{}
	for k, i := range net.Pre {
		c[[2]string{net.Type[i], net.Type[net.Post[k]]}]++
	}
	return c
}

// movedShare is the share of in's edges that are not in out.
func movedShare(in, out *NeuronNetwork) float64 {
	has := map[uint64]bool{}
	for k, i := range out.Pre {
		has[edgeKey(i, out.Post[k])] = true
	}
	moved := 0
	for k, i := range in.Pre {
		if !has[edgeKey(i, in.Post[k])] {
			moved++
		}
	}
	return float64(moved) / float64(len(in.Pre))
}

func TestNullEdgesRewireKeepsDegrees(t *testing.T) {
	in := nullTestNet(t, 1000, 20000, 12, 1)
	orig := cloneNeuronNetwork(in)
	for _, model := range []string{NullRewire, NullRewireTypes} {
		out, err := NullEdges(model, in, 7)
		if err != nil {
			t.Fatal(err)
		}
		if !sameNeuronNetwork(in, orig) {
			t.Fatalf("%s modified its input", model)
		}
		nullInvariants(t, model, in, out)
		ii, io, is := nullEdgeDegrees(in)
		oi, oo, os := nullEdgeDegrees(out)
		if !slices.Equal(ii, oi) || !slices.Equal(io, oo) {
			t.Fatalf("%s: degrees changed", model)
		}
		for i := range is {
			if math.Abs(is[i]-os[i]) > 1e-9*math.Abs(is[i]) {
				t.Fatalf("%s: out-strength of neuron %d is %v, want %v", model, i, os[i], is[i])
			}
		}
		if s := movedShare(in, out); s < 0.7 {
			t.Fatalf("%s: only %.2f of the edges moved", model, s)
		}
		pi, po := typePairs(in), typePairs(out)
		same := fmt.Sprint(pi) == fmt.Sprint(po)
		if model == NullRewireTypes && !same {
			t.Fatalf("%s: type-pair counts changed:\n%v\nwant\n%v", model, po, pi)
		}
		if model == NullRewire && same {
			t.Fatalf("%s kept every type-pair count: not a free rewiring", model)
		}
	}
}

func TestNullEdgesRewireSuccessRate(t *testing.T) {
	// Many types (400 blocks): drawing both edges in one block keeps every
	// swap possible, so the target is reached well within the attempts.
	for _, types := range []int{0, 20} {
		in := nullTestNet(t, 1000, 20000, max(types, 1), 2)
		var ty []string
		if types > 0 {
			ty = in.Type
		}
		_, done, err := rewireEdges(in, ty, DefaultSwapsPerEdge, 3, streamEdgesRewireTypes)
		if err != nil {
			t.Fatal(err)
		}
		if want := DefaultSwapsPerEdge * (len(in.Pre) - 20); done < want*99/100 {
			t.Fatalf("types %d: %d swaps, want about %d", types, done, want)
		}
	}
}

func TestNullEdgesRewireNoSwaps(t *testing.T) {
	// A complete graph on 4 neurons admits no swap: the control is the input.
	net := &NeuronNetwork{Neurons: 4}
	for i := range int32(4) {
		for j := range int32(4) {
			if i != j {
				net.Pre, net.Post, net.Weight = append(net.Pre, i), append(net.Post, j), append(net.Weight, float32(4*i+j))
			}
		}
	}
	for _, model := range []string{NullRewire, NullShuffle} {
		out, err := NullEdges(model, net, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out.Pre, net.Pre) || !slices.Equal(out.Post, net.Post) {
			t.Fatalf("%s: topology of a complete graph changed", model)
		}
		if model == NullRewire && !slices.Equal(out.Weight, net.Weight) {
			t.Fatalf("%s: weights of a complete graph moved", model)
		}
	}
	// Fewer than two edges, or none, or no neurons.
	for _, net := range []*NeuronNetwork{{Neurons: 3, Pre: []int32{0}, Post: []int32{1}, Weight: []float32{2}}, {Neurons: 3}, {}} {
		for _, model := range []string{NullRewire, NullShuffle, NullErdosRenyi} {
			out, err := NullEdges(model, net, 1)
			if err != nil || len(out.Pre) != len(net.Pre) {
				t.Fatalf("%s on %+v: %v, %v", model, net, out, err)
			}
		}
	}
}

func TestNullEdgesShuffle(t *testing.T) {
	in := nullTestNet(t, 500, 8000, 0, 3)
	// signed weights: weight = Sign(pre) x magnitude
	for k, i := range in.Pre {
		if i != in.Post[k] {
			in.Weight[k] *= float32(in.Sign[i]) * (1 + float32(k%97)/97)
		}
	}
	for _, model := range []string{NullShuffle, NullShuffleDale} {
		out, err := NullEdges(model, in, 5)
		if err != nil {
			t.Fatal(err)
		}
		nullInvariants(t, model, in, out)
		if !slices.Equal(in.Pre, out.Pre) || !slices.Equal(in.Post, out.Post) {
			t.Fatalf("%s: topology changed", model)
		}
		moved, crossed := 0, 0
		for k, i := range in.Pre {
			if out.Weight[k] != in.Weight[k] {
				moved++
			}
			if i != in.Post[k] && (out.Weight[k] > 0) != (in.Sign[i] > 0) {
				crossed++
			}
		}
		if moved < len(in.Pre)/2 {
			t.Fatalf("%s: only %d of %d weights moved", model, moved, len(in.Pre))
		}
		if model == NullShuffleDale && crossed > 0 {
			t.Fatalf("%s: %d weights crossed sign classes", model, crossed)
		}
		if model == NullShuffle && crossed == 0 {
			t.Fatalf("%s: no weight crossed sign classes", model)
		}
	}
}

func TestNullEdgesErdosRenyi(t *testing.T) {
	in := nullTestNet(t, 600, 9000, 0, 4)
	out, err := NullEdges(NullErdosRenyi, in, 9)
	if err != nil {
		t.Fatal(err)
	}
	nullInvariants(t, NullErdosRenyi, in, out)
	if s := movedShare(in, out); s < 0.9 {
		t.Fatalf("only %.2f of the edges moved", s)
	}
	// Out-degrees are randomised: an SBM's are not Binomial, a G(n, m)'s are.
	_, io, _ := nullEdgeDegrees(in)
	_, oo, _ := nullEdgeDegrees(out)
	if slices.Equal(io, oo) {
		t.Fatal("out-degrees kept")
	}
	// Dense: 27 of the 30 ordered pairs of 6 neurons (the complement is drawn).
	dense := &NeuronNetwork{Neurons: 6}
	for i := range int32(6) {
		for j := range int32(6) {
			if i == j && i == 2 || i != j && (i+2*j)%10 != 3 {
				dense.Pre, dense.Post, dense.Weight = append(dense.Pre, i), append(dense.Post, j), append(dense.Weight, float32(len(dense.Pre)))
			}
		}
	}
	seen := map[string]bool{}
	for seed := range uint64(20) {
		out, err := NullEdges(NullErdosRenyi, dense, seed)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkNeuronNetwork(out, "result"); err != nil || len(out.Pre) != len(dense.Pre) {
			t.Fatalf("dense: %v, %d edges", err, len(out.Pre))
		}
		seen[fmt.Sprint(out.Pre, out.Post)] = true
	}
	if len(seen) < 5 {
		t.Fatalf("dense: only %d different topologies in 20 draws", len(seen))
	}
}

func TestNullEdgesDeterministic(t *testing.T) {
	in := nullTestNet(t, 400, 5000, 5, 5)
	procs := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(procs)
	for _, model := range NeuronNullModels() {
		runtime.GOMAXPROCS(procs)
		a, err := NullEdges(model, in, 11)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GOMAXPROCS(1)
		b, _ := NullEdges(model, in, 11)
		c, _ := NullEdges(model, in, 12)
		if !sameNeuronNetwork(a, b) {
			t.Fatalf("%s: seed 11 gave two different networks", model)
		}
		if sameNeuronNetwork(a, c) {
			t.Fatalf("%s: seeds 11 and 12 gave the same network", model)
		}
	}
	// Models use different streams: rewire and rewire-types with one type differ.
	one := cloneNeuronNetwork(in)
	for i := range one.Type {
		one.Type[i] = "x"
	}
	a, _ := NullEdges(NullRewire, one, 1)
	b, _ := NullEdges(NullRewireTypes, one, 1)
	if sameNeuronNetwork(a, b) {
		t.Fatal("rewire and rewire-types share a stream")
	}
}

func TestNullEdgesErrors(t *testing.T) {
	good := func() *NeuronNetwork {
		return &NeuronNetwork{Neurons: 3, Pre: []int32{0, 0, 1, 2}, Post: []int32{1, 2, 2, 0}, Weight: []float32{1, 2, 3, 4},
			Sign: []int8{1, -1, 1}, Type: []string{"a", "b", "a"}, Region: []string{"r", "r", "s"}}
	}
	for _, model := range NeuronNullModels() {
		if _, err := NullEdges(model, good(), 1); err != nil {
			t.Fatalf("%s on a good network: %v", model, err)
		}
	}
	cases := []struct {
		model, want string
		edit        func(*NeuronNetwork) *NeuronNetwork
	}{
		{"rewire-all", "expected one of", func(n *NeuronNetwork) *NeuronNetwork { return n }},
		{"", "expected one of", func(n *NeuronNetwork) *NeuronNetwork { return n }},
		{NullRewire, "nil", func(*NeuronNetwork) *NeuronNetwork { return nil }},
		{NullShuffle, "entries", func(n *NeuronNetwork) *NeuronNetwork { n.Weight = n.Weight[:3]; return n }},
		{NullShuffle, "entries", func(n *NeuronNetwork) *NeuronNetwork { n.Post = append(n.Post, 1); return n }},
		{NullRewire, "sign", func(n *NeuronNetwork) *NeuronNetwork { n.Sign = n.Sign[:2]; return n }},
		{NullRewire, "type", func(n *NeuronNetwork) *NeuronNetwork { n.Type = append(n.Type, "c"); return n }},
		{NullRewire, "region", func(n *NeuronNetwork) *NeuronNetwork { n.Region = n.Region[:1]; return n }},
		{NullErdosRenyi, "neurons", func(n *NeuronNetwork) *NeuronNetwork { n.Neurons = -1; return n }},
		{NullErdosRenyi, "indices", func(n *NeuronNetwork) *NeuronNetwork { n.Post[3] = 3; return n }},
		{NullRewire, "indices", func(n *NeuronNetwork) *NeuronNetwork { n.Pre[0] = -1; return n }},
		{NullRewire, "indices", func(n *NeuronNetwork) *NeuronNetwork {
			n.Neurons = 2
			n.Sign, n.Type, n.Region = nil, nil, nil
			return n
		}},
		{NullRewire, "sorted", func(n *NeuronNetwork) *NeuronNetwork { n.Post[0], n.Post[1] = 2, 1; return n }},
		{NullShuffle, "sorted", func(n *NeuronNetwork) *NeuronNetwork { n.Pre[3] = 0; n.Post[3] = 0; return n }},
		{NullShuffle, "twice", func(n *NeuronNetwork) *NeuronNetwork { n.Post[1] = 1; return n }},
		{NullShuffle, "finite", func(n *NeuronNetwork) *NeuronNetwork { n.Weight[2] = float32(math.NaN()); return n }},
		{NullRewire, "finite", func(n *NeuronNetwork) *NeuronNetwork { n.Weight[0] = float32(math.Inf(-1)); return n }},
		{NullRewireTypes, "`type` column", func(n *NeuronNetwork) *NeuronNetwork { n.Type = nil; return n }},
		{NullShuffleDale, "sign", func(n *NeuronNetwork) *NeuronNetwork { n.Sign = nil; return n }},
		{NullShuffleDale, "sign 0", func(n *NeuronNetwork) *NeuronNetwork { n.Sign[1] = 0; return n }},
	}
	for _, c := range cases {
		out, err := NullEdges(c.model, c.edit(good()), 1)
		if err == nil || out != nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, %v; want an error with %q", c.model, out, err, c.want)
		}
	}
}

func TestNullEdgeSet(t *testing.T) {
	// add, has and remove against a map, with few distinct keys in a small
	// table, so that long clusters form and wrap around.
	rng := rand.New(rand.NewPCG(1, 2))
	s := newEdgeSet(150)
	ref := map[uint64]bool{}
	key := func() uint64 { return edgeKey(int32(rng.IntN(25)), int32(rng.IntN(25))) }
	for range 200000 {
		k := key()
		if len(ref) < 150 && rng.IntN(2) == 0 {
			if s.add(k) == ref[k] {
				t.Fatalf("add(%x) = %v with %v in the set", k, !ref[k], ref[k])
			}
			ref[k] = true
		} else {
			s.remove(k)
			delete(ref, k)
		}
		if k := key(); s.has(k) != ref[k] {
			t.Fatalf("has(%x) = %v, want %v", k, s.has(k), ref[k])
		}
	}
	n := 0
	for _, v := range s.slot {
		if v != edgeSetEmpty {
			n++
			if !ref[v] {
				t.Fatalf("%x in the set, not in the reference", v)
			}
		}
	}
	if n != len(ref) {
		t.Fatalf("%d keys in the set, want %d", n, len(ref))
	}
}

// TestNullEdgesLarge measures rewire at 100,000 neurons and 10,000,000
// connections: BIORNN_LARGE=1 go test ./connectome/ -run TestNullEdgesLarge -v
func TestNullEdgesLarge(t *testing.T) {
	if os.Getenv("BIORNN_LARGE") != "1" {
		t.Skip("set BIORNN_LARGE=1 to run")
	}
	net, err := Synthetic(SyntheticOptions{Kind: SyntheticSBM, Neurons: 100000, Connections: 10000000, Excitatory: 0.8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	models := []string{NullRewire}
	if m := os.Getenv("BIORNN_LARGE_MODELS"); m != "" {
		models = strings.Split(m, ",")
	}
	for _, model := range models {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		out, err := NullEdges(model, net, 1)
		if err != nil {
			t.Fatal(err)
		}
		el := time.Since(start)
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		t.Logf("%s: %v, %.0f MiB allocated, %.2f of the edges moved", model, el,
			float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), movedShareSorted(net, out))
	}
}

// movedShareSorted is movedShare by merging two sorted edge lists.
func movedShareSorted(in, out *NeuronNetwork) float64 {
	kept := 0
	for a, b := 0, 0; a < len(in.Pre) && b < len(out.Pre); {
		ka, kb := edgeKey(in.Pre[a], in.Post[a]), edgeKey(out.Pre[b], out.Post[b])
		switch {
		case ka == kb:
			kept++
			a++
			b++
		case ka < kb:
			a++
		default:
			b++
		}
	}
	return 1 - float64(kept)/float64(len(in.Pre))
}

func BenchmarkNullEdgesRewire(b *testing.B) {
	net, err := Synthetic(SyntheticOptions{Kind: SyntheticSBM, Neurons: 10000, Connections: 500000, Excitatory: 0.8, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := NullEdges(NullRewire, net, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
}
