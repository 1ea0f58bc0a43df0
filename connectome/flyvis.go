package connectome

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// The fly optic lobe as flyvis builds it (Lappalainen et al. 2024): 65
// cell types tiled on a hexagonal lattice of columns, wired by the average
// convolutional filters of fib25-fib19_v2.2.json. This file rebuilds
// flyvis 1.2.0's flyvis.connectome.ConnectomeFromAvgFilters (add_nodes,
// add_edges, fill_hull, add_conv_edges) in Go; TestFlyVisMatchesFlyvis
// compares every neuron and connection with flyvis's own code.

// FlyVisName is the built-in connectome's name.
const FlyVisName = "flyvis-optic-lobe"

// FlyVisDefaultExtent is flyvis's default lattice radius in columns: 721
// columns, close to the ~750-800 ommatidia of one fly eye.
const FlyVisDefaultExtent = 15

// FlyVisMaxExtent bounds the extent. Neurons grow as ~64*3*extent^2 and
// connections as ~6700*extent^2: extent 50 is about 490,000 neurons and 17
// million connections (~0.25 GB of edge arrays), ten times the columns of
// a real eye. int32 neuron indices would hold up to extent ~3000 (and even
// the connection count fits int32 up to ~560), so memory, not the index
// type, is the binding limit.
const FlyVisMaxExtent = 50

// FlyVisCitation is the source to cite: flyvis's paper and the EM
// reconstructions (FIB-25, FIB-19) its connectome averages.
const FlyVisCitation = `J. K. Lappalainen, F. D. Tschopp, S. Prakhya, M. McGill, A. Nern, K. Shinomiya, S. Takemura, E. Gruntman, J. H. Macke & S. C. Turaga (2024) "Connectome-constrained networks predict neural activity across the fly visual system", Nature 634:1132-1140 (doi:10.1038/s41586-024-07939-3), flyvis 1.2.0 (github.com/TuragaLab/flyvis, MIT); connectome from S. Takemura et al. (2015) "Synaptic circuits and their variations within different columns in the visual system of Drosophila", PNAS 112:13711-13716 (doi:10.1073/pnas.1509820112); S. Takemura et al. (2017) "The comprehensive connectome of a neural substrate for 'ON' motion detection in Drosophila", eLife 6:e24394 (doi:10.7554/eLife.24394); K. Shinomiya et al. (2019) "Comparisons between the ON- and OFF-edge motion pathways in the Drosophila brain", eLife 8:e40025 (doi:10.7554/eLife.40025)`

// FlyVisRegion is every flyvis neuron's Region: the JSON names no
// neuropil per cell type (its only grouping, input and output units, is
// FlyVisGraph.Role).
const FlyVisRegion = "optic-lobe"

// flyvisFile is fib25-fib19_v2.2.json from the flyvis 1.2.0 wheel, unchanged.
//
//go:embed builtin/flyvis/fib25-fib19_v2.2.json
var flyvisFile []byte

//go:embed builtin/flyvis/LICENSE
var flyvisLicense string

const (
	flyvisFileName = "fib25-fib19_v2.2.json"
	flyvisSHA256   = "bfbb0766251ff09e22723d0ebbf7b14793e70b3ae8ad0eea64eac9d28223351a"
	flyvisSynFill  = 1 // flyvis's n_syn_fill: synapses of an offset the hull fill adds
)

// FlyVisLicense is flyvis's MIT licence text (it covers the JSON).
func FlyVisLicense() string { return flyvisLicense }

// FlyVisGraph is the flyvis network with what NeuronNetwork has no room for.
type FlyVisGraph struct {
	*NeuronNetwork
	// U, V are each neuron's column in flyvis's oblique hex coordinates.
	U, V []int32
	// Role is flyvis's role of each neuron: "input" (R1-R8), "output"
	// (the JSON's output_units) or "intermediate".
	Role []string
	// EdgeSign is flyvis's sign of each connection (aligned with Pre,
	// Post). It differs from Sign[Pre] only for R8, Am, C2 and C3, whose
	// outgoing connections carry both signs in flyvis.
	EdgeSign []int8
	// CellTypes are the 65 cell types in the JSON's (and the neuron
	// table's) order; TypeSign is the per-neuron sign given to each.
	CellTypes []string
	TypeSign  []int8
}

// FlyVis builds flyvis's optic-lobe network on a hex lattice of radius
// extent (FlyVisDefaultExtent is flyvis's default). Neurons are in flyvis's
// node order (cell types in the JSON's order, each over u, then v), so
// neuron i is row i of flyvis's nodes table. Connections are sorted by
// (pre, post) with no duplicates; Weight is flyvis's n_syn (the average
// synapse count of that offset, or 1 where flyvis's hull fill added the
// offset). Sign is per neuron, the sign of its cell type's outgoing
// synapses (by synapse-weighted majority where flyvis's edges mix signs:
// R8 -1, Am +1, C2 -1, C3 -1) and +1 for Mi11 and Tm30, which have no
// outgoing edges and no sign in the JSON; FlyVisBuild gives flyvis's sign
// of every connection. Type is the cell type, Region FlyVisRegion.
func FlyVis(extent int) (*NeuronNetwork, error) {
	g, err := FlyVisBuild(extent)
	if err != nil {
		return nil, err
	}
	return g.NeuronNetwork, nil
}

// FlyVisCoordinates returns each neuron's hex column (u, v) in FlyVis's
// neuron order.
func FlyVisCoordinates(extent int) (u, v []int32, err error) {
	if err := checkFlyVisExtent(extent); err != nil {
		return nil, nil, err
	}
	s, err := flyvisLoad()
	if err != nil {
		return nil, nil, err
	}
	nodes := s.nodes(extent)
	return nodes.u, nodes.v, nil
}

func checkFlyVisExtent(extent int) error {
	if extent < 1 || extent > FlyVisMaxExtent {
		return fmt.Errorf("%s: extent = %d: expected 1..%d columns (flyvis's default is %d)", FlyVisName, extent, FlyVisMaxExtent, FlyVisDefaultExtent)
	}
	return nil
}

// FlyVisBuild is FlyVis with coordinates, roles and per-connection signs.
func FlyVisBuild(extent int) (*FlyVisGraph, error) {
	if err := checkFlyVisExtent(extent); err != nil {
		return nil, err
	}
	s, err := flyvisLoad()
	if err != nil {
		return nil, err
	}
	nodes := s.nodes(extent)
	n := len(nodes.u)
	net := &NeuronNetwork{Neurons: n, Sign: make([]int8, n), Region: make([]string, n), Type: make([]string, n)}
	g := &FlyVisGraph{NeuronNetwork: net, U: nodes.u, V: nodes.v, Role: make([]string, n),
		CellTypes: make([]string, len(s.types)), TypeSign: make([]int8, len(s.types))}
	for t, ct := range s.types {
		g.CellTypes[t], g.TypeSign[t] = ct.name, ct.sign
		for i := nodes.first[t]; i < nodes.first[t+1]; i++ {
			net.Sign[i], net.Type[i], net.Region[i], g.Role[i] = ct.sign, ct.name, FlyVisRegion, ct.role
		}
		if ct.sign > 0 {
			net.Excitatory += int(nodes.first[t+1] - nodes.first[t])
		}
	}

	// Each source neuron's connections, in neuron order, then sorted by
	// target: the (pre, post) order without a global sort.
	total := 0
	for t, ct := range s.types {
		total += int(nodes.first[t+1]-nodes.first[t]) * ct.outOffsets
	}
	net.Pre = make([]int32, 0, total)
	net.Post = make([]int32, 0, total)
	net.Weight = make([]float32, 0, total)
	g.EdgeSign = make([]int8, 0, total)
	type out struct {
		post int32
		w    float32
		sign int8
	}
	var buf []out
	for t, ct := range s.types {
		for i := nodes.first[t]; i < nodes.first[t+1]; i++ {
			u, v := nodes.u[i], nodes.v[i]
			buf = buf[:0]
			for _, e := range ct.out {
				for _, o := range e.offsets {
					if j := nodes.at(e.tar, u+o.du, v+o.dv); j >= 0 {
						buf = append(buf, out{j, o.nSyn, e.sign})
					}
				}
			}
			slices.SortFunc(buf, func(a, b out) int { return int(a.post - b.post) })
			for _, o := range buf {
				net.Pre = append(net.Pre, i)
				net.Post = append(net.Post, o.post)
				net.Weight = append(net.Weight, o.w)
				g.EdgeSign = append(g.EdgeSign, o.sign)
			}
		}
	}
	return g, nil
}

// flyvisSpec is the parsed JSON with flyvis's hull fill applied.
type flyvisSpec struct {
	types []flyvisType
}

type flyvisType struct {
	name            string
	strideU         int32 // "stride" [u, v] or "tile" n; "single" is one neuron at (0, 0)
	strideV         int32
	single          bool
	role            string
	sign            int8
	out             []flyvisEdge // edges with this type as source, in the JSON's order
	outOffsets      int          // offsets over out: an upper bound of a neuron's connections
	nOut, nPositive float64      // outgoing synapses (sum of n_syn), those with sign +1
}

type flyvisEdge struct {
	tar     int
	sign    int8
	offsets []flyvisOffset // the JSON's, then the hull fill's
}

type flyvisOffset struct {
	du, dv int32
	nSyn   float32
}

var flyvisOnce = sync.OnceValues(flyvisParse)

func flyvisLoad() (*flyvisSpec, error) { return flyvisOnce() }

func flyvisParse() (*flyvisSpec, error) {
	sum := sha256.Sum256(flyvisFile)
	if got := hex.EncodeToString(sum[:]); got != flyvisSHA256 {
		return nil, fmt.Errorf("%s: built-in %s has SHA-256 %s, expected %s", FlyVisName, flyvisFileName, got, flyvisSHA256)
	}
	var raw struct {
		Nodes []struct {
			Name    string            `json:"name"`
			Pattern []json.RawMessage `json:"pattern"`
		} `json:"nodes"`
		Edges []struct {
			Src     string               `json:"src"`
			Tar     string               `json:"tar"`
			Alpha   int                  `json:"alpha"`
			Offsets [][2]json.RawMessage `json:"offsets"`
		} `json:"edges"`
		InputUnits  []string `json:"input_units"`
		OutputUnits []string `json:"output_units"`
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: %s: "+format, append([]any{FlyVisName, flyvisFileName}, a...)...)
	}
	if err := json.Unmarshal(flyvisFile, &raw); err != nil {
		return nil, bad("%v", err)
	}
	s := &flyvisSpec{types: make([]flyvisType, len(raw.Nodes))}
	index := map[string]int{}
	for t, nd := range raw.Nodes {
		ct := flyvisType{name: nd.Name, role: "intermediate"}
		if _, dup := index[nd.Name]; dup || nd.Name == "" {
			return nil, bad("node %d: name %q is empty or repeated", t, nd.Name)
		}
		index[nd.Name] = t
		var pattern string
		if len(nd.Pattern) != 2 || json.Unmarshal(nd.Pattern[0], &pattern) != nil {
			return nil, bad("node %s: pattern: expected [kind, arguments]", nd.Name)
		}
		switch pattern {
		case "stride":
			var st [2]int32
			if err := json.Unmarshal(nd.Pattern[1], &st); err != nil {
				return nil, bad("node %s: stride: %v", nd.Name, err)
			}
			ct.strideU, ct.strideV = st[0], st[1]
		case "tile":
			var st int32
			if err := json.Unmarshal(nd.Pattern[1], &st); err != nil {
				return nil, bad("node %s: tile: %v", nd.Name, err)
			}
			ct.strideU, ct.strideV = st, st
		case "single":
			ct.single, ct.strideU, ct.strideV = true, 1, 1
		default:
			// flyvis's add_nodes silently adds no neurons for other patterns.
			return nil, bad("node %s: unknown pattern %q", nd.Name, pattern)
		}
		if ct.strideU < 1 || ct.strideV < 1 {
			return nil, bad("node %s: strides %d, %d: expected >= 1", nd.Name, ct.strideU, ct.strideV)
		}
		s.types[t] = ct
	}
	for _, list := range []struct {
		names []string
		role  string
	}{{raw.InputUnits, "input"}, {raw.OutputUnits, "output"}} {
		for _, name := range list.names {
			if t, ok := index[name]; ok {
				s.types[t].role = list.role
			}
		}
	}
	for k, e := range raw.Edges {
		src, ok1 := index[e.Src]
		tar, ok2 := index[e.Tar]
		if !ok1 || !ok2 {
			return nil, bad("edge %d (%s -> %s): unknown cell type", k, e.Src, e.Tar)
		}
		if e.Alpha != 1 && e.Alpha != -1 {
			return nil, bad("edge %s -> %s: alpha %d: expected +1 or -1", e.Src, e.Tar, e.Alpha)
		}
		edge := flyvisEdge{tar: tar, sign: int8(e.Alpha), offsets: make([]flyvisOffset, len(e.Offsets))}
		for j, o := range e.Offsets {
			var d [2]int32
			var n float64
			if err := json.Unmarshal(o[0], &d); err != nil {
				return nil, bad("edge %s -> %s: offset %d: %v", e.Src, e.Tar, j, err)
			}
			if err := json.Unmarshal(o[1], &n); err != nil || !(n >= 0) {
				return nil, bad("edge %s -> %s: offset %d: synapse count %s: expected a number >= 0", e.Src, e.Tar, j, o[1])
			}
			edge.offsets[j] = flyvisOffset{d[0], d[1], float32(n)}
		}
		if len(edge.offsets) >= 3 { // flyvis fills the hull of three or more offsets
			var err error
			if edge.offsets, err = flyvisFillHull(edge.offsets); err != nil {
				return nil, bad("edge %s -> %s: %v", e.Src, e.Tar, err)
			}
		}
		ct := &s.types[src]
		ct.out = append(ct.out, edge)
		ct.outOffsets += len(edge.offsets)
		for _, o := range edge.offsets {
			ct.nOut += float64(o.nSyn)
			if edge.sign > 0 {
				ct.nPositive += float64(o.nSyn)
			}
		}
	}
	for t := range s.types {
		ct := &s.types[t]
		ct.sign = 1 // no outgoing edges (Mi11, Tm30): the JSON gives no sign
		if ct.nOut > 0 && ct.nPositive < ct.nOut-ct.nPositive {
			ct.sign = -1
		}
	}
	return s, nil
}

// flyvisFillHull is flyvis's fill_hull: the offsets, then, with n_syn 1,
// every lattice point of their bounding box (u-major, as numpy's mgrid)
// that matplotlib's Path(hull).contains_points counts as inside the convex
// hull and that is not an offset already. flyvis takes the hull from
// scipy's ConvexHull with "QJ" (joggled, so that collinear points on an
// edge may or may not be vertices) and passes its vertices in
// counterclockwise order; on integer points matplotlib's crossing test is
// exact, and a collinear vertex on an edge changes the answer for no point
// but itself (an offset already), so the strict hull gives the same set,
// boundary points included. Offsets that all lie on one line have no area:
// there the fill adds the bounding box's missing points on the line, which
// in this file are none (the test checks it), so flyvis's choice for them
// never arises.
func flyvisFillHull(offsets []flyvisOffset) ([]flyvisOffset, error) {
	type pt struct{ x, y int64 }
	pts := make([]pt, len(offsets))
	known := map[pt]bool{}
	minX, maxX, minY, maxY := int64(offsets[0].du), int64(offsets[0].du), int64(offsets[0].dv), int64(offsets[0].dv)
	for k, o := range offsets {
		p := pt{int64(o.du), int64(o.dv)}
		pts[k], known[p] = p, true
		minX, maxX, minY, maxY = min(minX, p.x), max(maxX, p.x), min(minY, p.y), max(maxY, p.y)
	}
	if (maxX-minX+1)*(maxY-minY+1) > 1<<20 {
		return nil, fmt.Errorf("offsets span %dx%d columns: too wide", maxX-minX+1, maxY-minY+1)
	}
	// Andrew's monotone chain: the strict hull, counterclockwise.
	slices.SortFunc(pts, func(a, b pt) int {
		if a.x != b.x {
			return int(a.x - b.x)
		}
		return int(a.y - b.y)
	})
	pts = slices.Compact(pts)
	cross := func(o, a, b pt) int64 { return (a.x-o.x)*(b.y-o.y) - (a.y-o.y)*(b.x-o.x) }
	hull := make([]pt, 0, 2*len(pts))
	for _, p := range pts {
		for len(hull) >= 2 && cross(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	for i, lower := len(pts)-2, len(hull)+1; i >= 0; i-- {
		p := pts[i]
		for len(hull) >= lower && cross(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	hull = hull[:len(hull)-1]
	if len(hull) < 3 { // collinear: no area
		for x := minX; x <= maxX; x++ {
			for y := minY; y <= maxY; y++ {
				p := pt{x, y}
				if !known[p] && cross(hull[0], hull[len(hull)-1], p) == 0 {
					return nil, fmt.Errorf("collinear offsets with a gap at (%d, %d): flyvis's fill there depends on qhull's joggle", x, y)
				}
			}
		}
		return offsets, nil
	}
	// matplotlib's point_in_path_impl (src/_path.h): a crossing test over
	// the closed polygon, half-open in y.
	inside := func(tx, ty int64) bool {
		in := false
		for k := range hull {
			a, b := hull[k], hull[(k+1)%len(hull)]
			yflag0, yflag1 := a.y >= ty, b.y >= ty
			if yflag0 != yflag1 && ((b.y-ty)*(a.x-b.x) >= (b.x-tx)*(a.y-b.y)) == yflag1 {
				in = !in
			}
		}
		return in
	}
	out := slices.Clip(offsets)
	for x := minX; x <= maxX; x++ {
		for y := minY; y <= maxY; y++ {
			if !known[pt{x, y}] && inside(x, y) {
				out = append(out, flyvisOffset{int32(x), int32(y), flyvisSynFill})
			}
		}
	}
	return out, nil
}

// flyvisNodes is the node table at one extent.
type flyvisNodes struct {
	u, v   []int32
	first  []int32 // first[t]: the first neuron of cell type t; first[len(types)] = total
	extent int32
	grid   []int32 // per type, per column (u, v) of the lattice's bounding box: the neuron or -1
}

// nodes is flyvis's add_nodes: per cell type in order, u from -extent to
// extent, v over the hexagon's range, neurons where u and v are multiples
// of the strides (a "single" type: one neuron at (0, 0)).
func (s *flyvisSpec) nodes(extent int) *flyvisNodes {
	n := int32(extent)
	side := 2*n + 1
	cells := int(side * side)
	nd := &flyvisNodes{first: make([]int32, len(s.types)+1), extent: n, grid: make([]int32, len(s.types)*cells)}
	for k := range nd.grid {
		nd.grid[k] = -1
	}
	for t, ct := range s.types {
		nd.first[t] = int32(len(nd.u))
		r := n
		if ct.single {
			r = 0
		}
		for u := -r; u <= r; u++ {
			for v := max(-r, -r-u); v <= min(r, r-u); v++ {
				if u%ct.strideU == 0 && v%ct.strideV == 0 {
					nd.grid[t*cells+int((u+n)*side+v+n)] = int32(len(nd.u))
					nd.u = append(nd.u, u)
					nd.v = append(nd.v, v)
				}
			}
		}
	}
	nd.first[len(s.types)] = int32(len(nd.u))
	return nd
}

// at is the neuron of cell type t at column (u, v), or -1.
func (nd *flyvisNodes) at(t int, u, v int32) int32 {
	n := nd.extent
	if u < -n || u > n || v < -n || v > n {
		return -1
	}
	side := 2*n + 1
	return nd.grid[t*int(side*side)+int((u+n)*side+v+n)]
}
