package rnn

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/biornn/biornn/connectome"
)

// loadConnectome reads spec.Connectome: a registered data set (from
// spec.DataDir, checksums verified) or a matrix file (row = source region)
// in the format spec.ConnectomeFormat says ("" = by extension).
// WireConnectome checks that it is square.
// LoadConnectomeFor reads the connectome spec names as Run does: a
// registered data set, a matrix or edge-list file, or neuron-level data
// (neuron_table, level neuron, a network folder, a neuron-level set in the
// data folder). spec must have been through Defaults.
func LoadConnectomeFor(spec RunSpec) (*connectome.Connectome, error) { return loadConnectome(spec) }

func loadConnectome(spec RunSpec) (*connectome.Connectome, error) {
	if spec.Connectome == connectome.FlyVisName && spec.NeuronTable == "" {
		c, err := connectome.FlyVisConnectome(spec.Extent)
		if err != nil {
			return nil, &Problem{Key: "extent", Value: strconv.Itoa(spec.Extent), Err: err}
		}
		return c, nil
	}
	if dir := dataSetFolder(spec); dir != "" {
		spec.Connectome = dir // a neuron-level data set in the data folder (celegans)
	}
	if spec.NeuronTable != "" || spec.Level == connectome.LevelNeuron || connectome.IsNetworkFolder(spec.Connectome) {
		return loadNeuronLevel(spec)
	}
	c, err := LoadConnectome(spec.Connectome, spec.DataDir, spec.ConnectomeFormat)
	if err != nil {
		if p, ok := AsProblem(err); ok {
			return nil, p
		}
		return nil, &Problem{Key: "connectome", Value: strconv.Quote(spec.Connectome), Err: err}
	}
	return c, nil
}

// LoadConnectome reads name as the connectome setting does: a registered
// data set (from dataDir, checksums verified) or else a matrix file read in
// format (connectome.FormatMatrix, FormatEdges, FormatAuto or "" = by
// extension). A registered data set is a matrix: with FormatEdges it is a
// *Problem on connectome_format.
func LoadConnectome(name, dataDir, format string) (*connectome.Connectome, error) {
	if _, err := connectome.Lookup(name); err == nil {
		if format == connectome.FormatEdges {
			return nil, &Problem{Key: "connectome_format", Value: strconv.Quote(format),
				Want: fmt.Sprintf("%s or %s for the registered data set %q (a matrix); %s is for edge-list files", connectome.FormatAuto, connectome.FormatMatrix, name, connectome.FormatEdges)}
		}
		return connectome.Load(name, dataDir)
	}
	if st, err := os.Stat(name); err == nil && !st.IsDir() {
		return connectome.LoadFileAs(name, format)
	}
	return connectome.Load(name, dataDir) // its error: neither a data set nor a file
}

// neuronCounts returns the neurons per region of lc from spec: NeuronsFile,
// else NeuronsFromDensity (lc's neuron densities, NaN filled by DensityFill),
// else NeuronsPerRegion for every region.
func neuronCounts(spec RunSpec, lc *connectome.Connectome) ([]int, error) {
	if lc.Level == connectome.LevelNeuron {
		return connectome.UniformNeurons(len(lc.Regions), 1), nil // each node is a neuron
	}
	regions := lc.C.Rows
	if spec.NeuronsFromDensity != "" {
		return densityCounts(spec, lc)
	}
	if spec.NeuronsFile == "" {
		return connectome.UniformNeurons(regions, spec.NeuronsPerRegion), nil
	}
	counts, err := connectome.ReadIntsFile(spec.NeuronsFile)
	if err != nil {
		return nil, &Problem{Key: "neurons_file", Err: err}
	}
	if len(counts) != regions {
		return nil, &Problem{Key: "neurons_file", Value: spec.NeuronsFile, Want: fmt.Sprintf("one count per region (%d), got %d", regions, len(counts))}
	}
	for k, v := range counts {
		if v < 1 {
			return nil, &Problem{Key: "neurons_file", Value: spec.NeuronsFile, Want: fmt.Sprintf("counts >= 1, got %d for region %d", v, k)}
		}
	}
	return counts, nil
}

// densityCounts derives the neurons per region from lc.NeuronDensity by
// spec.NeuronsFromDensity and spec.NeuronScale, after filling unmeasured
// (NaN) regions by spec.DensityFill. Without a fill rule a NaN is an error
// naming the regions.
func densityCounts(spec RunSpec, lc *connectome.Connectome) ([]int, error) {
	method := func(format string, args ...any) error {
		return &Problem{Key: "neurons_from_density", Value: strconv.Quote(spec.NeuronsFromDensity), Err: fmt.Errorf(format, args...)}
	}
	d := lc.NeuronDensity
	if len(d) == 0 {
		return nil, method("connectome %s has no neuron densities (of the built-in ones only macaque and marmoset have them); give the counts with neurons_per_region or neurons_file instead", lc.Name)
	}
	if len(d) != lc.C.Rows {
		return nil, method("connectome %s has %d neuron densities for %d regions", lc.Name, len(d), lc.C.Rows)
	}
	if spec.DensityFill != "" {
		filled, _, err := connectome.FillMissingDensity(d, spec.DensityFill)
		if err != nil {
			return nil, &Problem{Key: "density_fill", Value: strconv.Quote(spec.DensityFill), Err: fmt.Errorf("on %s: %w", lc.Name, err)}
		}
		d = filled
	} else {
		var missing []string
		for i, v := range d {
			if math.IsNaN(v) {
				missing = append(missing, regionName(lc, i))
			}
		}
		if len(missing) > 0 {
			return nil, method("connectome %s has no measured neuron density (NaN) for %d regions (%s); choose how to fill them with density_fill (%s) or give the counts another way",
				lc.Name, len(missing), strings.Join(missing, ", "), strings.Join(connectome.FillRules(), ", "))
		}
	}
	counts, err := connectome.NeuronsFromDensity(d, spec.NeuronScale, spec.NeuronsFromDensity)
	if err != nil {
		return nil, &Problem{Key: "neuron_scale", Value: strconv.Itoa(spec.NeuronScale), Err: fmt.Errorf("with neurons_from_density %q on %s: %w", spec.NeuronsFromDensity, lc.Name, err)}
	}
	return counts, nil
}

// regionName is "name (index)" for region i of lc, or the index alone when
// the region has no name of its own.
func regionName(lc *connectome.Connectome, i int) string {
	if i < len(lc.Regions) && lc.Regions[i] != "" && lc.Regions[i] != strconv.Itoa(i) {
		return fmt.Sprintf("%s (%d)", lc.Regions[i], i)
	}
	return strconv.Itoa(i)
}

// loadNeuronLevel reads a neuron-level edge list (spec.Connectome) and its
// neuron table (spec.NeuronTable, if any).
func loadNeuronLevel(spec RunSpec) (*connectome.Connectome, error) {
	edges, tablePath := spec.Connectome, spec.NeuronTable
	if connectome.IsNetworkFolder(edges) { // a network folder: biornn build --synthetic, or a saved network
		if tablePath == "" {
			if p := filepath.Join(edges, connectome.NeuronsFile); fileExists(p) {
				tablePath = p
			}
		}
		edges = filepath.Join(edges, connectome.ConnectionsFile)
	}
	var table *connectome.NeuronTable
	if tablePath != "" {
		t, err := connectome.ReadNeuronTable(tablePath)
		if err != nil {
			return nil, &Problem{Key: "neuron_table", Value: strconv.Quote(tablePath), Err: err}
		}
		table = t
	}
	c, _, err := connectome.ReadNeuronEdges(edges, table, spec.KeepDiag)
	if err != nil {
		return nil, &Problem{Key: "connectome", Value: strconv.Quote(spec.Connectome), Err: err}
	}
	if spec.GapJunctions {
		gp := filepath.Join(filepath.Dir(edges), connectome.GapJunctionsFile)
		if !fileExists(gp) || filepath.Base(edges) != connectome.ConnectionsFile {
			return nil, &Problem{Key: "gap_junctions", Value: "true", Want: "a network folder with " + connectome.GapJunctionsFile + " (biornn data import of the cect wheel writes celegans with one)"}
		}
		g, _, err := connectome.ReadNeuronEdges(gp, c.Table, spec.KeepDiag)
		if err != nil {
			return nil, &Problem{Key: "gap_junctions", Value: "true", Err: err}
		}
		if c, err = connectome.AddEdges(c, g); err != nil {
			return nil, &Problem{Key: "gap_junctions", Value: "true", Err: err}
		}
	}
	return c, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// dataSetFolder is the network folder of a neuron-level data set the data
// folder holds under spec.Connectome's name (biornn data import of the
// cect wheel writes celegans), or "".
func dataSetFolder(spec RunSpec) string {
	name := spec.Connectome
	if name == "" || strings.ContainsAny(name, `/\`) || connectome.IsNetworkFolder(name) {
		return ""
	}
	if _, err := connectome.Lookup(name); err == nil {
		return ""
	}
	dir := filepath.Join(connectome.ResolveDataDir(spec.DataDir), name)
	if connectome.IsNetworkFolder(dir) {
		return dir
	}
	return ""
}

// neuronFolder reports whether the spec's connectome is neuron-level data
// with a neuron table: a neuron_table, a network folder, or a neuron-level
// set in the data folder.
func (s RunSpec) neuronFolder() bool {
	return s.NeuronTable != "" || s.Connectome == connectome.FlyVisName || connectome.IsNetworkFolder(s.Connectome) || dataSetFolder(s) != ""
}
