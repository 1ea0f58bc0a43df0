package connectome

import (
	"fmt"
	"strconv"
)

// FlyVisConnectome is the flyvis optic lobe at extent as neuron-level data:
// the network's edges (synapse counts as positive weights), neuron ids
// "0".."N-1" in flyvis's node order, and a neuron table with each neuron's
// sign (its cell type's), type, region ("optic-lobe") and role ("input" for
// R1-R8, "output" for flyvis's output units, else "intermediate").
func FlyVisConnectome(extent int) (*Connectome, error) {
	g, err := FlyVisBuild(extent)
	if err != nil {
		return nil, err
	}
	n := g.Neurons
	ids := make([]string, n)
	sign := make([]float64, n)
	for i := range ids {
		ids[i] = strconv.Itoa(i)
		sign[i] = float64(g.Sign[i])
	}
	source := fmt.Sprintf("built in: flyvis 1.2.0 %s, extent %d", flyvisFileName, extent)
	table, err := NewNeuronTable(source, ids, sign, nil, g.Type, g.Region, g.Role)
	if err != nil {
		return nil, err
	}
	table.SHA256 = flyvisSHA256
	c := &Connectome{
		Name: FlyVisName, Species: "fruit fly (Drosophila melanogaster), optic lobe", Regions: ids,
		Edges: g.NeuronNetwork, Citation: FlyVisCitation,
		Orientation: "neuron level: row = pre (source) neuron, column = post (target) neuron",
		SHA256:      flyvisSHA256, Source: source, Level: LevelNeuron, Table: table,
	}
	c.C = g.Dense()
	return c, nil
}

// NewNeuronTable makes a neuron table from columns (nil = the column is
// absent; sign 0 = none). path names it in errors.
func NewNeuronTable(path string, ids []string, sign []float64, ntType, typ, region, role []string) (*NeuronTable, error) {
	n := len(ids)
	col := func(v []string) []string {
		if v == nil {
			return make([]string, n)
		}
		return v
	}
	t := &NeuronTable{Path: path, IDs: ids, index: make(map[string]int, n), HasSign: sign != nil, HasNT: ntType != nil,
		Sign: sign, NTType: col(ntType), Type: col(typ), Region: col(region), Role: col(role)}
	if t.Sign == nil {
		t.Sign = make([]float64, n)
	}
	for _, c := range [][]string{t.NTType, t.Type, t.Region, t.Role} {
		if len(c) != n {
			return nil, fmt.Errorf("%s: neuron table columns of %d and %d rows", path, n, len(c))
		}
	}
	if len(t.Sign) != n {
		return nil, fmt.Errorf("%s: neuron table columns of %d and %d rows", path, n, len(t.Sign))
	}
	for k, id := range ids {
		if prev, dup := t.index[id]; dup {
			return nil, fmt.Errorf("%s: neuron %s is listed twice (first as neuron %d)", path, clip(id, 80), prev)
		}
		t.index[id] = k
	}
	return t, nil
}

// BuiltinName reports whether name selects a data set by name rather than
// a file: a registered region-level set or the built-in fly optic lobe.
func BuiltinName(name string) bool {
	_, err := Lookup(name)
	return err == nil || name == FlyVisName
}
