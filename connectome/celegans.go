package connectome

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// The C. elegans hermaphrodite connectome, imported from the cect wheel
// (OpenWorm's c302 connectome toolbox, MIT): chemical synapses and gap
// junctions with synapse counts from Cook et al. 2019, and each neuron's
// transmitters from Wang et al. 2024. Not built in: `pip download --no-deps
// cect==0.3.5`, then `biornn data import cect-0.3.5-py3-none-any.whl`
// writes the network folder celegans/ into the data folder, and
// `--connectome celegans` trains on it.

// CectWheel and CectWheelSHA256 pin the wheel the importer reads.
const (
	CectWheel       = "cect-0.3.5-py3-none-any.whl"
	CectWheelSHA256 = "ea47f7a6b0d69a8d0bd3b0ade4037b7cc32d31ad0449f823d7ec153d6fd25057"
	CElegansName    = "celegans"
)

// CElegansCitation is what the imported data ask users to cite.
const CElegansCitation = `S. J. Cook et al., "Whole-animal connectomes of both Caenorhabditis elegans sexes", Nature 571:63-71 (2019); ` +
	`C. Wang et al., "A neurotransmitter atlas of C. elegans males and hermaphrodites", eLife 13, article 95402 (2024); ` +
	`the data as packaged by OpenWorm's cect 0.3.5 (MIT, github.com/openworm/ConnectomeToolbox)`

// cectData is one reader cache of the wheel: node names and named
// connection matrices (row = pre, column = post).
type cectData struct {
	Nodes       []string               `json:"nodes"`
	Connections map[string][][]float64 `json:"connections"`
}

type celegansConnection struct {
	Pre    string  `parquet:"pre"`
	Post   string  `parquet:"post"`
	Weight float32 `parquet:"weight"`
}

type celegansNeuron struct {
	ID     string `parquet:"id"`
	NTType string `parquet:"nt_type"`
}

// ImportCElegans reads the cect wheel at path (checked against its pinned
// SHA-256) and writes the network folder dataDir/celegans: connections.parquet
// (chemical synapses, Cook 2019), gap_junctions.parquet, neurons.parquet
// (nt_type from Wang 2024: acetylcholine, gaba or glutamate when a neuron
// has exactly one fast transmitter, "" otherwise), LICENSE and CITATION.
// It returns the folder.
func ImportCElegans(path, dataDir string) (string, error) {
	b, err := readInput(path, 64<<20)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != CectWheelSHA256 {
		return "", fmt.Errorf("%s: SHA-256 %s, expected %s (%s from PyPI: pip download --no-deps cect==0.3.5)", path, got, CectWheelSHA256, CectWheel)
	}
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	read := func(name string) ([]byte, error) {
		f, err := z.Open(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, name, err)
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, 64<<20))
	}
	load := func(name string) (*cectData, error) {
		raw, err := read(name)
		if err != nil {
			return nil, err
		}
		var d cectData
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, name, err)
		}
		for k, m := range d.Connections {
			if len(m) != len(d.Nodes) {
				return nil, fmt.Errorf("%s: %s: matrix %s has %d rows for %d nodes", path, name, k, len(m), len(d.Nodes))
			}
			for _, row := range m {
				if len(row) != len(d.Nodes) {
					return nil, fmt.Errorf("%s: %s: matrix %s is not square", path, name, k)
				}
			}
		}
		return &d, nil
	}
	cook, err := load("cect/cache/Cook2019HermReader.json")
	if err != nil {
		return "", err
	}
	wang, err := load("cect/cache/Wang2024HermReader.json")
	if err != nil {
		return "", err
	}
	license, err := read("cect-0.3.5.dist-info/licenses/LICENSE")
	if err != nil {
		return "", err
	}
	edges := func(m [][]float64) []celegansConnection {
		var out []celegansConnection
		for i, row := range m {
			for j, v := range row {
				if v > 0 {
					out = append(out, celegansConnection{cook.Nodes[i], cook.Nodes[j], float32(v)})
				}
			}
		}
		return out
	}
	chem, gap := edges(cook.Connections["Generic_CS"]), edges(cook.Connections["Generic_GJ"])
	if len(chem) == 0 {
		return "", fmt.Errorf("%s: no chemical synapses (Generic_CS) in Cook2019HermReader.json", path)
	}
	// A neuron's fast transmitters: the Wang 2024 matrices it has outgoing entries in.
	fast := map[string]string{"Acetylcholine": "acetylcholine", "GABA": "gaba", "Glutamate": "glutamate"}
	nts := map[string][]string{}
	for matrix, nt := range fast {
		for i, row := range wang.Connections[matrix] {
			for _, v := range row {
				if v > 0 {
					nts[wang.Nodes[i]] = append(nts[wang.Nodes[i]], nt)
					break
				}
			}
		}
	}
	neurons := make([]celegansNeuron, len(cook.Nodes))
	for k, id := range cook.Nodes {
		neurons[k].ID = id
		if t := nts[id]; len(t) == 1 {
			neurons[k].NTType = t[0]
		} else if len(t) > 1 {
			slices.Sort(t)
			neurons[k].NTType = "mixed:" + strings.Join(t, "+")
		}
	}
	dir := filepath.Join(dataDir, CElegansName)
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	zstd := parquet.Compression(&parquet.Zstd)
	if err := parquet.WriteFile(filepath.Join(tmp, NeuronsFile), neurons, zstd); err != nil {
		return "", err
	}
	if err := parquet.WriteFile(filepath.Join(tmp, "gap_junctions.parquet"), gap, zstd); err != nil {
		return "", err
	}
	if err := parquet.WriteFile(filepath.Join(tmp, ConnectionsFile), chem, zstd); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, "LICENSE"), license, 0o644); err != nil {
		return "", err
	}
	cite := "C. elegans hermaphrodite, imported from " + CectWheel + " (SHA-256 " + CectWheelSHA256 + ").\nCite: " + CElegansCitation + "\n"
	if err := os.WriteFile(filepath.Join(tmp, "CITATION"), []byte(cite), 0o644); err != nil {
		return "", err
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	return dir, nil
}
