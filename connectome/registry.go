package connectome

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// File kinds of a registered data set.
const (
	KindMatrix    = "matrix"     // C_*.npy, the region-level connectivity matrix
	KindDensity   = "density"    // ND_*.npy, neurons per mm^3 per region (NaN = not measured)
	KindNames     = "names"      // Names_*.lst, pickled list[str] of region names
	KindNamesText = "names-text" // Names_*.txt, the same names as UTF-8 text (derived, optional)
)

// DataFile is one file of a registered data set with its SHA-256 checksum.
type DataFile struct {
	Name   string // file name inside the data folder
	Kind   string // KindMatrix, KindDensity, KindNames or KindNamesText
	SHA256 string // lower-case hex
	// Optional files are not part of bio2art (so Fetch does not download
	// them); they are checked when present.
	Optional bool
}

// DataSet is a registered connectome: the six area-level connectomes that
// bio2art ships (GitHub AlGoulas/bio2art, folder bio2art/connectomes).
type DataSet struct {
	Name        string   // short name, e.g. "macaque"
	Aliases     []string // file base names that also select it
	Species     string
	Description string
	Citation    string // the source publication to cite
	DOI         string
	Orientation string // what rows and columns mean for this matrix
	Regions     int    // number of areas
	NNZ         int    // nonzero entries of C
	Files       []DataFile
}

// Density is the share of possible off-diagonal connections present.
func (d *DataSet) Density() float64 {
	if d.Regions < 2 {
		return 0
	}
	return float64(d.NNZ) / float64(d.Regions*(d.Regions-1))
}

// File returns the data set's file of the given kind, or nil.
func (d *DataSet) File(kind string) *DataFile {
	for k := range d.Files {
		if d.Files[k].Kind == kind {
			return &d.Files[k]
		}
	}
	return nil
}

// Connectome is a loaded region-level connectome.
type Connectome struct {
	Name    string
	Species string
	// Regions holds one name per row/column of C. Files without names get
	// "0", "1", ... (the 0-based indices an edge list would use).
	Regions []string
	// C[i, j] is the weight from region i (source) to region j (target).
	C *Dense
	// NeuronDensity is nil when the data set has none; NaN = not measured.
	NeuronDensity []float64
	Citation      string
	Orientation   string
	SHA256        string // of the C_ file (registered sets) or of the file read
	Source        string // the folder or file it was read from
	// Level is LevelNeuron for a neuron-level edge list (Edges is then the
	// network, C the same as a matrix up to DenseNeurons neurons, nil above;
	// Regions the neuron ids); "" = region level.
	Level string
	// Edges is the network of neuron-level data (nil at region level).
	Edges *NeuronNetwork
	// Table is the neuron table of neuron-level data (nil without one).
	Table *NeuronTable
}

// Bio2artCitation is how bio2art asks to be cited.
const Bio2artCitation = `A. Goulas, "bio2art: Convert biological neural networks to recurrent neural networks", GitHub repository AlGoulas/bio2art (2020)`

const orientationConvention = "row = source region, column = target region (bio2art's convention)"

// registry lists the data sets. Checksums are those of bio2art's files at
// commit e46de2b (byte-identical to the paper-era files).
var registry = []*DataSet{
	{
		Name:        "macaque",
		Aliases:     []string{"Macaque_Normalized", "C_Macaque_Normalized"},
		Species:     "macaque monkey (Macaca mulatta)",
		Description: "29 cortical areas, directed and weighted (FLNe-like fractions in (0, 0.77]), with neuron densities (NaN for 5 areas: STPr, STPc, PBr, TEpd, ProM)",
		Citation:    `N. T. Markov et al. (2014) "A weighted and directed interareal connectivity matrix for macaque cerebral cortex", Cerebral Cortex 24:17-36`,
		DOI:         "10.1093/cercor/bhs270",
		Orientation: orientationConvention + "; column sums <= 1 as for FLNe normalised per injected target area, so consistent with the convention (C[V1, V2] = 0.763)",
		Regions:     29, NNZ: 536,
		Files: []DataFile{
			{Name: "C_Macaque_Normalized.npy", Kind: KindMatrix, SHA256: "a035600c31457640b7eb625df6f8feb171a696b11c420743096cb6dfc79cc380"},
			{Name: "ND_Macaque_Normalized.npy", Kind: KindDensity, SHA256: "2e493d1ea930a99b0fd1515c69554b1526e944a276b7cd6b9793a1b8ebf78dbe"},
			{Name: "Names_Macaque_Normalized.lst", Kind: KindNames, SHA256: "9820446d064d3d6afa372d35d450419d3b0c8bfb4f7d195a28b8c32c428c0072"},
			{Name: "Names_Macaque_Normalized.txt", Kind: KindNamesText, SHA256: "31044cfb343fd1b443cc9db5cf00b8997bfb25624c79c2e7f2c19a6109bd8f1e", Optional: true},
		},
	},
	{
		Name:        "marmoset",
		Aliases:     []string{"Marmoset_Normalized", "C_Marmoset_Normalized"},
		Species:     "marmoset monkey (Callithrix jacchus)",
		Description: "55 cortical areas, directed and weighted (FLNe-like fractions in (0, 0.61]), with neuron densities",
		Citation:    `P. Majka et al. (2016) "Towards a comprehensive atlas of cortical connections in a primate brain: Mapping tracer injection studies of the common marmoset into a reference digital template", J. Comparative Neurology 524:2161-2181`,
		DOI:         "10.1002/cne.24023",
		Orientation: orientationConvention + "; column sums <= 1 as for FLNe normalised per injected target area, so consistent with the convention",
		Regions:     55, NNZ: 1862,
		Files: []DataFile{
			{Name: "C_Marmoset_Normalized.npy", Kind: KindMatrix, SHA256: "399898de2f1aadf4f16b15fc18c468ef34d37e8dfc875ad2d48858ac6b42841f"},
			{Name: "ND_Marmoset_Normalized.npy", Kind: KindDensity, SHA256: "0fb00b6bd4a3da049bd5208b869913d9f48058a8a78d48736e9d42472a0dc5ab"},
			{Name: "Names_Marmoset_Normalized.lst", Kind: KindNames, SHA256: "1f6979d831a11a05e61ba78b8334384773a787b3b7ec33641b3b0725a471f97f"},
			{Name: "Names_Marmoset_Normalized.txt", Kind: KindNamesText, SHA256: "16039b6f1a3c4433fe81f67077fee62229a02aa08c05da06d1a54db011416f9e", Optional: true},
		},
	},
	{
		Name:        "human",
		Aliases:     []string{"Human_Betzel_Normalized", "C_Human_Betzel_Normalized"},
		Species:     "human (Homo sapiens)",
		Description: "57 left-hemisphere cortical areas (ctx-lh-*), undirected (exactly symmetric) and weighted (values in (0, 0.0053])",
		Citation:    `R. F. Betzel & D. S. Bassett (2018) "Specificity and robustness of long-distance connections in weighted, interareal connectomes", PNAS 115:E4880-E4889`,
		DOI:         "10.1073/pnas.1720186115",
		Orientation: "symmetric, so orientation does not matter",
		Regions:     57, NNZ: 632,
		Files: []DataFile{
			{Name: "C_Human_Betzel_Normalized.npy", Kind: KindMatrix, SHA256: "6e1355b4cd92a3f82c65338c8e8df5203e2d7a3d29c9a33bf5470fdf733ca1ed"},
			{Name: "Names_Human_Betzel_Normalized.lst", Kind: KindNames, SHA256: "ea2c35627aa48969ce3ef31390e505df8757c143997ddaacec8d2361bc3c6bb4"},
			{Name: "Names_Human_Betzel_Normalized.txt", Kind: KindNamesText, SHA256: "9854845b7c91736fb57340d31268bc3e3281cba21eef727d39e7e3e0ba496714", Optional: true},
		},
	},
	{
		Name:        "mouse-gamanut",
		Aliases:     []string{"Mouse_Gamanut_Normalized", "C_Mouse_Gamanut_Normalized"},
		Species:     "mouse (Mus musculus)",
		Description: "19 cortical areas, directed and weighted (FLNe-like fractions in (0, 0.48])",
		Citation:    `R. Gămănuţ et al. (2018) "The mouse cortical connectome, characterized by an ultra-dense cortical graph, maintains specificity by distinct connectivity profiles", Neuron 97:698-715.e10`,
		DOI:         "10.1016/j.neuron.2017.12.037",
		Orientation: "used as stored (" + orientationConvention + "), but row sums <= 0.795 while column sums reach 2.26, which suggests rows are the injected target areas, i.e. the transpose of the convention (inferred from the sums only)",
		Regions:     19, NNZ: 329,
		Files: []DataFile{
			{Name: "C_Mouse_Gamanut_Normalized.npy", Kind: KindMatrix, SHA256: "6ef106c8f11ed51596e40aacd18986e743e772a67d7b55ab07c7e405d326069b"},
			{Name: "Names_Mouse_Gamanut_Normalized.lst", Kind: KindNames, SHA256: "7f9d814be7808f656681c986b7d3c60272e6a176cf92adc2d65a9931791ed6b9"},
			{Name: "Names_Mouse_Gamanut_Normalized.txt", Kind: KindNamesText, SHA256: "5e21c3ad38abf7e1f7bdf0886a65bac84838927af9591ab54e04b1ded0ed9f2c", Optional: true},
		},
	},
	{
		Name:        "mouse-oh",
		Aliases:     []string{"Mouse_Ypma_Oh", "C_Mouse_Ypma_Oh"},
		Species:     "mouse (Mus musculus)",
		Description: "56 regions of the whole brain (cortical and subcortical), directed and weighted (values in [0.00073, 7.0])",
		Citation:    `M. Rubinov, R. J. F. Ypma et al. (2015) "Wiring cost and topological participation of the mouse brain connectome", PNAS 112:10032-10037; S. W. Oh et al. (2014) "A mesoscale connectome of the mouse brain", Nature 508:207-214 (doi:10.1038/nature13186)`,
		DOI:         "10.1073/pnas.1420315112",
		Orientation: "used as stored (" + orientationConvention + "); not verified against the source",
		Regions:     56, NNZ: 1975,
		Files: []DataFile{
			{Name: "C_Mouse_Ypma_Oh.npy", Kind: KindMatrix, SHA256: "779deaf06102fe153f472121777846463a4a9c46754fbbacef6c9f9effa07863"},
			{Name: "Names_Mouse_Ypma_Oh.lst", Kind: KindNames, SHA256: "e56807c9d87e43103d3a0e712a0e8640988963cee6943b349458099cc9fa9947"},
			{Name: "Names_Mouse_Ypma_Oh.txt", Kind: KindNamesText, SHA256: "8b713f4f2569f7cb81badf9edea6fee59794b62b2ada42cf38e62b32f0a69000", Optional: true},
		},
	},
	{
		Name:        "drosophila",
		Aliases:     []string{"Drosophila", "C_Drosophila"},
		Species:     "fruit fly (Drosophila melanogaster)",
		Description: "49 local processing units (upper case = one hemisphere, lower case = the other), directed and weighted (values in [1, 4477]; units not stated by bio2art)",
		Citation:    `A.-S. Chiang et al. (2011) "Three-dimensional reconstruction of brain-wide wiring networks in Drosophila at single-cell resolution", Current Biology 21:1-11`,
		DOI:         "10.1016/j.cub.2010.11.056",
		Orientation: "used as stored (" + orientationConvention + "); not verified against the source",
		Regions:     49, NNZ: 1950,
		Files: []DataFile{
			{Name: "C_Drosophila.npy", Kind: KindMatrix, SHA256: "98a0348f936e12f9a73c7ff411bb19afd41ef3323347dd0cdc42cac93e752c0a"},
			{Name: "Names_Drosophila.lst", Kind: KindNames, SHA256: "008636c771e0d0877d984948a3d1d8e3696e79f563a04f7989d9aacb04da34d2"},
			{Name: "Names_Drosophila.txt", Kind: KindNamesText, SHA256: "64b860e372a4015b4fcc1bf0f807de57b1258d3cd64a86b84da779351931ab36", Optional: true},
		},
	},
}

// DataSets returns the registered data sets in a fixed order. The values
// are shared: do not modify them.
func DataSets() []*DataSet {
	return append([]*DataSet(nil), registry...)
}

// DataSetNames returns the short names of the registered data sets.
func DataSetNames() []string {
	out := make([]string, len(registry))
	for k, d := range registry {
		out[k] = d.Name
	}
	return out
}

// Lookup finds a data set by short name or alias (file base name), ignoring
// case and a ".npy" suffix.
func Lookup(name string) (*DataSet, error) {
	key := strings.TrimSuffix(strings.TrimSpace(name), ".npy")
	for _, d := range registry {
		if strings.EqualFold(d.Name, key) {
			return d, nil
		}
		for _, a := range d.Aliases {
			if strings.EqualFold(a, key) {
				return d, nil
			}
		}
	}
	return nil, fmt.Errorf("unknown connectome %q (known: %s)", name, strings.Join(DataSetNames(), ", "))
}

// ChecksumError reports a file whose SHA-256 differs from the registry's.
type ChecksumError struct {
	File             string
	Expected, Actual string
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("%s: SHA-256 mismatch: expected %s, got %s (corrupted or a different version; fetch it again with `biornn data fetch`)", e.File, e.Expected, e.Actual)
}

// sha256Hex returns the lower-case hex SHA-256 of b.
func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// verify checks b against the registered checksum of f.
func (f *DataFile) verify(path string, b []byte) error {
	if got := sha256Hex(b); got != f.SHA256 {
		return &ChecksumError{File: path, Expected: f.SHA256, Actual: got}
	}
	return nil
}

// Load returns a connectome: a registered data set by name or alias, or
// else a file (any format ReadMatrixFile reads), named after the file. A
// registered set is read from the data folder dataDir ("" = $BIORNN_DATA)
// when that folder holds it, else from the copy built into the binary;
// either way every checksum is verified and Connectome.Source says which
// (the folder, or BuiltinSource).
func Load(name, dataDir string) (*Connectome, error) {
	ds, lookupErr := Lookup(name)
	if lookupErr == nil {
		dir, err := dataFolder(dataDir)
		if err != nil {
			return nil, err
		}
		if dir != "" && ds.InDir(dir) {
			return ds.Load(dir)
		}
		return ds.LoadBuiltin()
	}
	if _, err := os.Stat(name); err == nil {
		return LoadFile(name)
	}
	return nil, fmt.Errorf("%v; %q is not an existing file either", lookupErr, name)
}

// dataFolder is the data folder a registered set is looked for in before
// the built-in copy: dataDir, else $BIORNN_DATA, else none (""). A folder
// that is named but does not exist is an error rather than a silent
// fallback, so that a typo does not go unnoticed.
func dataFolder(dataDir string) (string, error) {
	origin := "--data-dir"
	if dataDir == "" {
		dataDir, origin = os.Getenv(DataEnv), DataEnv
	}
	if dataDir == "" {
		return "", nil
	}
	st, err := os.Stat(dataDir)
	if err != nil {
		return "", fmt.Errorf("data folder %s (%s): %w", dataDir, origin, err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("data folder %s (%s) is not a folder", dataDir, origin)
	}
	return dataDir, nil
}

// InDir reports whether folder dir holds any required file of the data set
// (then Load(dir) reads it from there and reports what is missing).
func (d *DataSet) InDir(dir string) bool {
	src := folderSource(dir)
	for _, f := range d.Files {
		if !f.Optional && src.exists(f.Name) {
			return true
		}
	}
	return false
}

// Load reads the data set from folder dir, verifying the checksum of every
// file it reads. Missing files give a *MissingDataError that says how to
// get them.
func (d *DataSet) Load(dir string) (*Connectome, error) {
	return d.load(folderSource(dir))
}

// LoadBuiltin reads the copy of the data set built into the binary (see
// builtin/README.md), verifying its checksums like any other.
func (d *DataSet) LoadBuiltin() (*Connectome, error) {
	return d.load(builtinSource)
}

func (d *DataSet) load(src dataSource) (*Connectome, error) {
	if err := d.checkPresent(src); err != nil {
		return nil, err
	}
	mf := d.File(KindMatrix)
	b, err := src.readVerified(mf)
	if err != nil {
		return nil, err
	}
	mpath := src.path(mf.Name)
	a, err := decodeNPY(mpath, b)
	if err != nil {
		return nil, err
	}
	c, err := a.Matrix()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", mpath, err)
	}
	if err := checkMatrix(mpath, c); err != nil {
		return nil, err
	}
	con := &Connectome{
		Name: d.Name, Species: d.Species, C: c, Citation: d.Citation,
		Orientation: d.Orientation, SHA256: mf.SHA256, Source: src.name(),
	}
	if con.Regions, err = d.loadNames(src); err != nil {
		return nil, err
	}
	if len(con.Regions) != c.Rows {
		return nil, fmt.Errorf("%s: %d region names for a %dx%d matrix", src.path(d.File(KindNames).Name), len(con.Regions), c.Rows, c.Cols)
	}
	if f := d.File(KindDensity); f != nil {
		b, err := src.readVerified(f)
		if err != nil {
			return nil, err
		}
		p := src.path(f.Name)
		a, err := decodeNPY(p, b)
		if err != nil {
			return nil, err
		}
		if len(a.Shape) != 1 || a.Shape[0] != c.Rows {
			return nil, fmt.Errorf("%s: expected %d neuron densities, got shape %s", p, c.Rows, shapeString(a.Shape))
		}
		con.NeuronDensity = a.Data
	}
	return con, nil
}

// checkPresent reports the required files missing from src. The pickled
// names may be replaced by their text copy.
func (d *DataSet) checkPresent(src dataSource) error {
	var missing []string
	for _, f := range d.Files {
		if f.Optional || src.exists(f.Name) {
			continue
		}
		if t := d.File(KindNamesText); f.Kind == KindNames && t != nil && src.exists(t.Name) {
			continue
		}
		missing = append(missing, f.Name)
	}
	if len(missing) > 0 {
		return &MissingDataError{Dir: src.name(), Files: missing}
	}
	return nil
}

// loadNames reads the pickled names, or the text copy when only it exists.
func (d *DataSet) loadNames(src dataSource) ([]string, error) {
	f := d.File(KindNames)
	if !src.exists(f.Name) {
		if t := d.File(KindNamesText); t != nil {
			f = t
		}
	}
	b, err := src.readVerified(f)
	if err != nil {
		return nil, err
	}
	p := src.path(f.Name)
	var names []string
	if f.Kind == KindNames {
		names, err = decodePickleNames(p, b)
	} else {
		names, err = parseNames(p, b)
	}
	if err != nil {
		return nil, err
	}
	return names, checkNames(p, names)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// LoadFile reads a connectivity matrix file as a Connectome named after the
// file (base name without extension), in the format its extension says
// (LoadFileAs with FormatAuto); SHA256 is that of the file's bytes.
func LoadFile(path string) (*Connectome, error) {
	return LoadFileAs(path, FormatAuto)
}

// LoadFileAs is LoadFile in the given format (FormatAuto, FormatMatrix or
// FormatEdges; "" = FormatAuto), as ReadMatrixFileAs reads it.
func LoadFileAs(path, format string) (*Connectome, error) {
	if err := checkFormat(format); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b, err := readInput(path, MaxArrayBytes)
	if err != nil {
		return nil, err
	}
	c, names, err := decodeMatrixFile(path, b, format)
	if err != nil {
		return nil, err
	}
	if names == nil {
		names = make([]string, c.Rows)
		for k := range names {
			names[k] = strconv.Itoa(k)
		}
	}
	base := filepath.Base(path)
	return &Connectome{
		Name:        strings.TrimSuffix(base, filepath.Ext(base)),
		Regions:     names,
		C:           c,
		Orientation: orientationConvention + " (as stored in the file)",
		SHA256:      sha256Hex(b),
		Source:      path,
	}, nil
}

// MissingDataError says which registered files are missing and how to get
// them.
type MissingDataError struct {
	Dir   string
	Files []string
}

func (e *MissingDataError) Error() string {
	files := append([]string(nil), e.Files...)
	sort.Strings(files)
	return fmt.Sprintf("connectome data not found in %s (missing %s). Get it either way: "+
		"run `biornn data fetch` to download bio2art's files into %s, "+
		"or use a local copy: point --data-dir or BIORNN_DATA at the folder holding them, "+
		"or copy it in with `biornn data import DIR`",
		e.Dir, strings.Join(files, ", "), e.Dir)
}

// IsMissingData reports whether err is (or wraps) a *MissingDataError.
func IsMissingData(err error) bool {
	var m *MissingDataError
	return errors.As(err, &m)
}
