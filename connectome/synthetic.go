package connectome

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// Synthetic signed networks at any size, for tests and benchmarks of
// neuron-level training: built edge by edge (never as a dense matrix) and
// written as a network folder (connections.parquet, neurons.parquet) that
// --connectome DIR reads.

// Synthetic network kinds.
const (
	SyntheticSBM      = "sbm"      // stochastic block model: 80% of a neuron's targets in its own block
	SyntheticDistance = "distance" // neurons on a ring, targets drawn near the source
)

// SyntheticOptions describe a synthetic network.
type SyntheticOptions struct {
	Kind        string
	Neurons     int
	Connections int
	Excitatory  float64 // share of neurons with sign +1
	Seed        uint64
}

// NeuronNetwork is a neuron-level network as edges.
type NeuronNetwork struct {
	Neurons      int
	Pre, Post    []int32 // by pre, then post
	Weight       []float32
	Sign         []int8   // per neuron: +1 or -1
	Region, Type []string // per neuron
	Excitatory   int      // neurons with sign +1
}

// maxSyntheticNeurons bounds a synthetic network (int32 indices).
const maxSyntheticNeurons = 1 << 30

// Synthetic draws a network: Connections distinct edges between distinct
// neurons, weights 1 + an exponential count (synapse-count-like), and
// Excitatory of the neurons excitatory, all from Seed.
func Synthetic(o SyntheticOptions) (*NeuronNetwork, error) {
	n, m := o.Neurons, o.Connections
	switch {
	case o.Kind != SyntheticSBM && o.Kind != SyntheticDistance:
		return nil, fmt.Errorf("synthetic: kind %q: expected %s or %s", o.Kind, SyntheticSBM, SyntheticDistance)
	case n < 2 || n > maxSyntheticNeurons:
		return nil, fmt.Errorf("synthetic: neurons = %d: expected 2..%d", n, maxSyntheticNeurons)
	case m < 1 || float64(m) > float64(n)*float64(n-1)/2:
		return nil, fmt.Errorf("synthetic: connections = %d: expected 1..%d (half of all ordered pairs of %d neurons)", m, int64(n)*int64(n-1)/2, n)
	case !(o.Excitatory >= 0 && o.Excitatory <= 1):
		return nil, fmt.Errorf("synthetic: excitatory = %v: expected a share in [0, 1]", o.Excitatory)
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x73796e7468657469))
	blocks := max(1, min(n/8, 16))
	blockOf := func(i int) int { return i * blocks / n }
	draw := func() (int, int) {
		i := r.IntN(n)
		switch o.Kind {
		case SyntheticSBM:
			if r.Float64() < 0.8 {
				b := blockOf(i)
				lo, hi := (b*n+blocks-1)/blocks, ((b+1)*n+blocks-1)/blocks
				return i, lo + r.IntN(hi-lo)
			}
			return i, r.IntN(n)
		default: // distance: a ring, offsets ~ N(0, sigma) with sigma from the mean degree
			sigma := max(2, 2*float64(m)/float64(n))
			d := int(math.Round(r.NormFloat64() * sigma))
			return i, ((i+d)%n + n) % n
		}
	}
	keys := make([]uint64, 0, m+m/8)
	for len(keys) < m {
		for k := len(keys); k < m+m/8+16; k++ {
			i, j := draw()
			if i != j {
				keys = append(keys, uint64(i)<<32|uint64(j))
			}
		}
		slices.Sort(keys)
		keys = slices.Compact(keys)
	}
	// A seeded choice of m of the distinct edges, back in (pre, post) order.
	r.Shuffle(len(keys), func(a, b int) { keys[a], keys[b] = keys[b], keys[a] })
	keys = keys[:m]
	slices.Sort(keys)
	net := &NeuronNetwork{Neurons: n, Pre: make([]int32, m), Post: make([]int32, m), Weight: make([]float32, m),
		Sign: make([]int8, n), Region: make([]string, n), Type: make([]string, n)}
	for k, key := range keys {
		net.Pre[k], net.Post[k] = int32(key>>32), int32(key&0xffffffff)
		net.Weight[k] = float32(1 + math.Floor(r.ExpFloat64()*3))
	}
	exc := int(math.Round(o.Excitatory * float64(n)))
	perm := r.Perm(n)
	for k, i := range perm {
		net.Sign[i], net.Type[i] = -1, "I"
		if k < exc {
			net.Sign[i], net.Type[i] = 1, "E"
		}
	}
	for i := range net.Region {
		net.Region[i] = "block" + strconv.Itoa(blockOf(i))
	}
	net.Excitatory = exc
	return net, nil
}

// The network folder's tables.
type folderConnection struct {
	Pre    int64   `parquet:"pre"`
	Post   int64   `parquet:"post"`
	Weight float32 `parquet:"weight"`
}

type folderNeuron struct {
	ID     int64  `parquet:"id"`
	Sign   int8   `parquet:"sign"`
	Type   string `parquet:"type"`
	Region string `parquet:"region"`
}

// Network folder files.
const (
	ConnectionsFile = "connections.parquet"
	NeuronsFile     = "neurons.parquet"
)

// IsNetworkFolder reports whether dir holds a network folder.
func IsNetworkFolder(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, ConnectionsFile))
	return err == nil && st.Mode().IsRegular()
}

// WriteNetworkFolder writes net into dir (created; it must not hold a
// network already) as connections.parquet (pre, post, weight) and
// neurons.parquet (id, sign, type, region), each whole or not at all.
func WriteNetworkFolder(dir string, net *NeuronNetwork) error {
	if IsNetworkFolder(dir) {
		return fmt.Errorf("%s already holds a network (%s): choose another folder", dir, ConnectionsFile)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	conns := make([]folderConnection, len(net.Pre))
	for k := range conns {
		conns[k] = folderConnection{int64(net.Pre[k]), int64(net.Post[k]), net.Weight[k]}
	}
	neurons := make([]folderNeuron, net.Neurons)
	for i := range neurons {
		neurons[i] = folderNeuron{int64(i), net.Sign[i], net.Type[i], net.Region[i]}
	}
	// neurons first: a folder without connections.parquet is no network yet
	for _, f := range []struct {
		name string
		rows func(string) error
	}{
		{NeuronsFile, func(p string) error { return parquet.WriteFile(p, neurons, parquet.Compression(&parquet.Zstd)) }},
		{ConnectionsFile, func(p string) error { return parquet.WriteFile(p, conns, parquet.Compression(&parquet.Zstd)) }},
	} {
		tmp := filepath.Join(dir, ".tmp-"+f.name)
		if err := f.rows(tmp); err != nil {
			os.Remove(tmp)
			return err
		}
		if err := os.Rename(tmp, filepath.Join(dir, f.name)); err != nil {
			return err
		}
	}
	return nil
}
