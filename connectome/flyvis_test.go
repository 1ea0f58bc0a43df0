package connectome

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFlyVisCounts(t *testing.T) {
	for _, c := range []struct{ extent, neurons, connections int }{
		{3, 2345, 63209},
		{15, 45669, 1513231},
	} {
		start := time.Now()
		net, err := FlyVis(c.extent)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("extent %d: %d neurons, %d connections, %d excitatory, built in %v", c.extent, net.Neurons, len(net.Pre), net.Excitatory, time.Since(start))
		if net.Neurons != c.neurons || len(net.Pre) != c.connections {
			t.Errorf("extent %d: %d neurons, %d connections: flyvis has %d, %d", c.extent, net.Neurons, len(net.Pre), c.neurons, c.connections)
		}
		checkFlyVisNetwork(t, net)
	}
}

func checkFlyVisNetwork(t *testing.T, net *NeuronNetwork) {
	t.Helper()
	n := net.Neurons
	if len(net.Sign) != n || len(net.Type) != n || len(net.Region) != n || len(net.Post) != len(net.Pre) || len(net.Weight) != len(net.Pre) {
		t.Fatalf("lengths: %d neurons, %d signs, %d types, %d regions, %d/%d/%d edges", n, len(net.Sign), len(net.Type), len(net.Region), len(net.Pre), len(net.Post), len(net.Weight))
	}
	for k := range net.Pre {
		if net.Pre[k] < 0 || int(net.Pre[k]) >= n || net.Post[k] < 0 || int(net.Post[k]) >= n {
			t.Fatalf("edge %d: %d -> %d out of range", k, net.Pre[k], net.Post[k])
		}
		if k > 0 && (net.Pre[k] < net.Pre[k-1] || net.Pre[k] == net.Pre[k-1] && net.Post[k] <= net.Post[k-1]) {
			t.Fatalf("edge %d (%d -> %d) after (%d -> %d): not sorted by (pre, post) or repeated", k, net.Pre[k], net.Post[k], net.Pre[k-1], net.Post[k-1])
		}
		if !(net.Weight[k] > 0) {
			t.Fatalf("edge %d: weight %v", k, net.Weight[k])
		}
	}
	exc := 0
	for i := range n {
		if net.Sign[i] == 1 {
			exc++
		} else if net.Sign[i] != -1 {
			t.Fatalf("neuron %d: sign %d", i, net.Sign[i])
		}
		if net.Region[i] != FlyVisRegion {
			t.Fatalf("neuron %d: region %q", i, net.Region[i])
		}
	}
	if exc != net.Excitatory {
		t.Errorf("Excitatory = %d, %d neurons have sign +1", net.Excitatory, exc)
	}
}

// flyvisJSON is what the tests read from the JSON themselves.
func flyvisJSON(t *testing.T) (names []string, signs map[string][]int, weighted map[string][2]float64) {
	t.Helper()
	var raw struct {
		Nodes []struct{ Name string }
		Edges []struct {
			Src, Tar string
			Alpha    int
			Offsets  [][2]json.RawMessage
		}
	}
	if err := json.Unmarshal(flyvisFile, &raw); err != nil {
		t.Fatal(err)
	}
	signs, weighted = map[string][]int{}, map[string][2]float64{}
	for _, nd := range raw.Nodes {
		names = append(names, nd.Name)
	}
	for _, e := range raw.Edges {
		if !slices.Contains(signs[e.Src], e.Alpha) {
			signs[e.Src] = append(signs[e.Src], e.Alpha)
		}
		w := weighted[e.Src]
		for _, o := range e.Offsets {
			x, _ := strconv.ParseFloat(string(o[1]), 64)
			w[(1-e.Alpha)/2] += x
		}
		weighted[e.Src] = w
	}
	return names, signs, weighted
}

func TestFlyVisTypesAndSigns(t *testing.T) {
	g, err := FlyVisBuild(3)
	if err != nil {
		t.Fatal(err)
	}
	names, signs, weighted := flyvisJSON(t)
	if len(names) != 65 || !slices.Equal(g.CellTypes, names) {
		t.Fatalf("cell types %v: the JSON has %d: %v", g.CellTypes, len(names), names)
	}
	present := map[string]int{}
	for _, ty := range g.Type {
		present[ty]++
	}
	if len(present) != 65 {
		t.Errorf("%d cell types have neurons, expected 65", len(present))
	}
	for _, want := range []string{"R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "T4a", "T4b", "T4c", "T4d", "T5a", "T5b", "T5c", "T5d"} {
		if present[want] == 0 {
			t.Errorf("no %s neurons", want)
		}
	}
	mixed := []string{}
	for k, name := range g.CellTypes {
		s := g.TypeSign[k]
		switch sg := signs[name]; len(sg) {
		case 0:
			if s != 1 || (name != "Mi11" && name != "Tm30") {
				t.Errorf("%s: no outgoing edges, sign %d", name, s)
			}
		case 1:
			if int(s) != sg[0] {
				t.Errorf("%s: sign %d, the JSON's edges have %d", name, s, sg[0])
			}
		default:
			mixed = append(mixed, name)
			w := weighted[name]
			if want := map[bool]int8{true: 1, false: -1}[w[0] >= w[1]]; s != want {
				t.Errorf("%s: sign %d, but its synapses are %.1f excitatory, %.1f inhibitory", name, s, w[0], w[1])
			}
		}
	}
	if !slices.Equal(mixed, []string{"R8", "Am", "C2", "C3"}) {
		t.Errorf("types with mixed edge signs: %v", mixed)
	}
	// Per neuron: Sign and Type follow the neuron's cell type; EdgeSign is
	// the JSON's sign of the (source, target) type pair.
	pair := map[[2]string]int8{}
	var raw struct {
		Edges []struct {
			Src, Tar string
			Alpha    int8
		}
	}
	if err := json.Unmarshal(flyvisFile, &raw); err != nil {
		t.Fatal(err)
	}
	for _, e := range raw.Edges {
		pair[[2]string{e.Src, e.Tar}] = e.Alpha
	}
	typeSign := map[string]int8{}
	for k, name := range g.CellTypes {
		typeSign[name] = g.TypeSign[k]
	}
	for i := range g.Neurons {
		if g.Sign[i] != typeSign[g.Type[i]] {
			t.Fatalf("neuron %d (%s): sign %d", i, g.Type[i], g.Sign[i])
		}
	}
	for k := range g.Pre {
		s, ok := pair[[2]string{g.Type[g.Pre[k]], g.Type[g.Post[k]]}]
		if !ok || s != g.EdgeSign[k] {
			t.Fatalf("connection %d (%s -> %s): sign %d, JSON %d (%v)", k, g.Type[g.Pre[k]], g.Type[g.Post[k]], g.EdgeSign[k], s, ok)
		}
	}
	if g.Role[0] != "input" || g.Type[0] != "R1" {
		t.Errorf("neuron 0: %s, role %s", g.Type[0], g.Role[0])
	}
}

func TestFlyVisLattice(t *testing.T) {
	u, v, err := FlyVisCoordinates(2)
	if err != nil {
		t.Fatal(err)
	}
	g, err := FlyVisBuild(2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(u, g.U) || !slices.Equal(v, g.V) {
		t.Fatal("FlyVisCoordinates and FlyVisBuild disagree")
	}
	// flyvis's node table at extent 2 begins R1 (-2, 0), (-2, 1), (-2, 2), (-1, -1).
	want := [][2]int32{{-2, 0}, {-2, 1}, {-2, 2}, {-1, -1}, {-1, 0}}
	for k, w := range want {
		if u[k] != w[0] || v[k] != w[1] {
			t.Fatalf("neuron %d at (%d, %d), expected %v", k, u[k], v[k], w)
		}
	}
	for i := range u {
		if max(abs32(u[i]), abs32(v[i]), abs32(u[i]+v[i])) > 2 {
			t.Fatalf("neuron %d at (%d, %d): outside the hexagon", i, u[i], v[i])
		}
	}
	// A full lattice has 3*2*3+1 = 19 columns per stride-1 type.
	if n := slices.Index(g.Type, "R2"); n != 19 {
		t.Errorf("R2 starts at %d, expected 19", n)
	}
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

func TestFlyVisDeterministic(t *testing.T) {
	a, err := FlyVisBuild(4)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FlyVisBuild(4)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Pre, b.Pre) || !slices.Equal(a.Post, b.Post) || !slices.Equal(a.Weight, b.Weight) ||
		!slices.Equal(a.Sign, b.Sign) || !slices.Equal(a.Type, b.Type) || !slices.Equal(a.EdgeSign, b.EdgeSign) ||
		!slices.Equal(a.U, b.U) || !slices.Equal(a.V, b.V) {
		t.Fatal("two builds differ")
	}
}

func TestFlyVisExtentErrors(t *testing.T) {
	for _, e := range []int{0, -1, FlyVisMaxExtent + 1, 1 << 40} {
		if _, err := FlyVis(e); err == nil || !strings.Contains(err.Error(), "extent") {
			t.Errorf("extent %d: err = %v", e, err)
		}
		if _, _, err := FlyVisCoordinates(e); err == nil {
			t.Errorf("FlyVisCoordinates(%d): no error", e)
		}
	}
	net, err := FlyVis(1)
	if err != nil || net.Neurons != 443 || len(net.Pre) != 8174 {
		t.Fatalf("extent 1: %v", err)
	}
}

func TestFlyVisHullFill(t *testing.T) {
	// A square's boundary and interior, the known points excluded.
	in := []flyvisOffset{{0, 0, 5}, {2, 0, 5}, {2, 2, 5}, {0, 2, 5}}
	out, err := flyvisFillHull(in)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, o := range out[len(in):] {
		got = append(got, fmt.Sprintf("%d,%d:%v", o.du, o.dv, o.nSyn))
	}
	// matplotlib's half-open crossing test on the counterclockwise square
	// counts (1, 1) and the left, top and right edges' midpoints, not the
	// bottom one (Path([[0,0],[2,0],[2,2],[0,2]]).contains_points with
	// matplotlib 3.10.8 gives (0,1) (0,2) (1,1) (1,2) (2,1) (2,2)).
	if want := []string{"0,1:1", "1,1:1", "1,2:1", "2,1:1"}; !slices.Equal(got, want) {
		t.Errorf("fill of a 2x2 square: %v, expected %v", got, want)
	}
	// Collinear offsets with a gap: flyvis's answer would depend on qhull's
	// joggle, so it is an error (the JSON has none).
	if _, err := flyvisFillHull([]flyvisOffset{{0, 0, 1}, {0, 2, 1}, {0, 3, 1}}); err == nil {
		t.Error("collinear offsets with a gap: no error")
	}
	if out, err := flyvisFillHull([]flyvisOffset{{0, 0, 1}, {0, 1, 1}, {0, 2, 1}}); err != nil || len(out) != 3 {
		t.Errorf("collinear offsets: %v, %v", out, err)
	}
}

func BenchmarkFlyVis15(b *testing.B) {
	if _, err := FlyVis(15); err != nil { // the JSON parsed once
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := FlyVis(15); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFlyVisMatchesFlyvis runs flyvis's own builder
// (testdata/flyvis_reference.py on the wheel $BIORNN_FLYVIS_WHEEL, with
// numpy, scipy, matplotlib and toolz) and compares every neuron (type,
// column, role) and every connection (pre, post, n_syn, sign) with FlyVis.
func TestFlyVisMatchesFlyvis(t *testing.T) {
	whl := os.Getenv("BIORNN_FLYVIS_WHEEL")
	if whl == "" {
		if os.Getenv("BIORNN_REQUIRE_FLYVIS") == "1" {
			t.Fatal("BIORNN_FLYVIS_WHEEL is not set (CI downloads the wheel)")
		}
		t.Skip("the flyvis cross-check is not run: set BIORNN_FLYVIS_WHEEL to flyvis-1.2.0-py3-none-any.whl (pip download --no-deps flyvis==1.2.0; the script needs numpy scipy matplotlib toolz)")
	}
	python := os.Getenv("BIORNN_PYTHON")
	if python == "" {
		python = "python3"
	}
	script, err := filepath.Abs(filepath.Join("testdata", "flyvis_reference.py"))
	if err != nil {
		t.Fatal(err)
	}
	extents := []int{1, 3, 15}
	if testing.Short() {
		extents = []int{1, 3}
	}
	for _, extent := range extents {
		t.Run(fmt.Sprint("extent", extent), func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(python, script, whl, strconv.Itoa(extent), dir)
			outb, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", python, script, err, outb)
			}
			t.Logf("flyvis: %s", strings.TrimSpace(string(outb)))
			if !strings.Contains(string(outb), "json-sha256 "+flyvisSHA256) {
				t.Fatalf("the wheel's %s is not the built-in one (SHA-256 %s)", flyvisFileName, flyvisSHA256)
			}
			g, err := FlyVisBuild(extent)
			if err != nil {
				t.Fatal(err)
			}
			compareFlyVisNodes(t, g, filepath.Join(dir, "nodes.csv"))
			compareFlyVisEdges(t, g, filepath.Join(dir, "edges.csv"))
		})
	}
}

func readFlyVisCSV(t *testing.T, path string, header string, row func(k int, f []string) error) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	if !sc.Scan() || sc.Text() != header {
		t.Fatalf("%s: header %q, expected %q", path, sc.Text(), header)
	}
	k := 0
	for sc.Scan() {
		if err := row(k, strings.Split(sc.Text(), ",")); err != nil {
			t.Fatalf("%s: row %d (%s): %v", path, k, sc.Text(), err)
		}
		k++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return k
}

func compareFlyVisNodes(t *testing.T, g *FlyVisGraph, path string) {
	n := readFlyVisCSV(t, path, "index,type,u,v,role", func(k int, f []string) error {
		if len(f) != 5 || f[0] != strconv.Itoa(k) {
			return fmt.Errorf("expected index %d and 5 fields", k)
		}
		if k >= g.Neurons {
			return fmt.Errorf("FlyVis has only %d neurons", g.Neurons)
		}
		got := fmt.Sprintf("%s,%d,%d,%s", g.Type[k], g.U[k], g.V[k], g.Role[k])
		if want := strings.Join(f[1:], ","); got != want {
			return fmt.Errorf("FlyVis has %s", got)
		}
		return nil
	})
	if n != g.Neurons {
		t.Fatalf("flyvis has %d neurons, FlyVis %d", n, g.Neurons)
	}
}

func compareFlyVisEdges(t *testing.T, g *FlyVisGraph, path string) {
	type edge struct {
		pre, post int32
		w         float32
		sign      int8
	}
	var ref []edge
	readFlyVisCSV(t, path, "source_index,target_index,n_syn,sign", func(k int, f []string) error {
		if len(f) != 4 {
			return fmt.Errorf("expected 4 fields")
		}
		pre, err1 := strconv.ParseInt(f[0], 10, 32)
		post, err2 := strconv.ParseInt(f[1], 10, 32)
		w, err3 := strconv.ParseFloat(f[2], 32)
		sign, err4 := strconv.ParseInt(f[3], 10, 8)
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
			return fmt.Errorf("unreadable")
		}
		ref = append(ref, edge{int32(pre), int32(post), float32(w), int8(sign)})
		return nil
	})
	// flyvis orders edges by JSON edge, offset, source; FlyVis by (pre, post).
	slices.SortFunc(ref, func(a, b edge) int {
		if a.pre != b.pre {
			return int(a.pre - b.pre)
		}
		return int(a.post - b.post)
	})
	if len(ref) != len(g.Pre) {
		t.Errorf("flyvis has %d connections, FlyVis %d", len(ref), len(g.Pre))
	}
	bad := 0
	for k := range min(len(ref), len(g.Pre)) {
		r := ref[k]
		if got := (edge{g.Pre[k], g.Post[k], g.Weight[k], g.EdgeSign[k]}); got != r {
			t.Errorf("connection %d: FlyVis %d -> %d n_syn %v sign %d (%s -> %s at (%d,%d) -> (%d,%d)), flyvis %d -> %d n_syn %v sign %d",
				k, got.pre, got.post, got.w, got.sign, g.Type[got.pre], g.Type[got.post], g.U[got.pre], g.V[got.pre], g.U[got.post], g.V[got.post], r.pre, r.post, r.w, r.sign)
			if bad++; bad >= 10 {
				t.FailNow()
			}
		}
	}
}
