package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results/recordfile"
	ucli "github.com/urfave/cli/v2"
)

// The paper's construction (Goulas et al. 2021), also rnn.Defaults'.
const (
	defNeurons           = 4
	defTargetSparsity    = 0.8
	defIntrinsicSparsity = 1.0
	defIntrinsicWeight   = 0.8
)

// constructionFlags are shared by build and train.
func constructionFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "connectome", Value: "macaque", Usage: "registry name (see 'biornn connectomes') or a matrix file (.npy, .csv, .tsv, edge list); C[i,j] = weight from region i to j"},
		&ucli.IntFlag{Name: "neurons", Value: defNeurons, Usage: "neurons per region"},
		&ucli.StringFlag{Name: "neurons-file", Usage: "neurons per region from a file (one integer per line, or .npy); overrides --neurons"},
		&ucli.StringFlag{Name: "neurons-from-density", Usage: "neurons per region from the data set's neuron densities (macaque, marmoset): rank (--neuron-scale x density rank, 1 = lowest), ratio (density/lowest density x --neuron-scale) or proportional (--neuron-scale neurons in total, shared by density); overrides --neurons, not with --neurons-file"},
		&ucli.IntFlag{Name: "neuron-scale", Usage: "scale of --neurons-from-density: neurons per rank step (rank), neurons of the lowest-density region (ratio), about the total (proportional)", DefaultText: "1 for rank and ratio; required for proportional"},
		&ucli.StringFlag{Name: "density-fill", Usage: "--neurons-from-density: give regions without a measured density (macaque: 5) the median, mean, min or max of the measured ones", DefaultText: "none: a missing density is an error"},
		&ucli.Float64Flag{Name: "target-sparsity", Value: defTargetSparsity, Usage: "share of a target region's neurons each source neuron reaches, in (0, 1]"},
		&ucli.Float64Flag{Name: "intrinsic-sparsity", Value: defIntrinsicSparsity, Usage: "target sparsity of the within-region blocks, in (0, 1]"},
		&ucli.Float64Flag{Name: "intrinsic-weight", Value: defIntrinsicWeight, Usage: "share w in (0, 1) of the weight arriving at a region that stays within it (for none use --no-intrinsic)"},
		&ucli.BoolFlag{Name: "no-intrinsic", Usage: "no within-region connections"},
		&ucli.BoolFlag{Name: "keep-diag", Usage: "keep neuron self-connections"},
		&ucli.BoolFlag{Name: "homogeneous", Usage: "equal weights within a block instead of a random positive split"},
		&ucli.StringFlag{Name: "data-dir", Usage: "folder with the connectome data sets (overrides the global --data-dir)"},
	}
}

// construction holds the parsed construction flags.
type construction struct {
	Connectome, DataDir, NeuronsFile                   string
	NeuronsFromDensity, DensityFill                    string
	Neurons, NeuronScale                               int
	TargetSparsity, IntrinsicSparsity, IntrinsicWeight float64
	NoIntrinsic, KeepDiag, Homogeneous                 bool
}

func parseConstruction(c *ucli.Context) (construction, error) {
	k := construction{
		Connectome: c.String("connectome"), DataDir: lookupString(c, "data-dir"),
		Neurons: c.Int("neurons"), NeuronsFile: c.String("neurons-file"),
		NeuronsFromDensity: c.String("neurons-from-density"), NeuronScale: c.Int("neuron-scale"),
		DensityFill:    c.String("density-fill"),
		TargetSparsity: c.Float64("target-sparsity"), IntrinsicSparsity: c.Float64("intrinsic-sparsity"),
		IntrinsicWeight: c.Float64("intrinsic-weight"), NoIntrinsic: c.Bool("no-intrinsic"),
		KeepDiag: c.Bool("keep-diag"), Homogeneous: c.Bool("homogeneous"),
	}
	switch {
	case k.Connectome == "":
		return k, usagef("--connectome: expected a registry name or a file")
	case k.Neurons < 1:
		return k, usagef("--neurons %d: expected at least 1 neuron per region", k.Neurons)
	case k.NeuronsFromDensity != "" && !slices.Contains(connectome.DensityMethods(), k.NeuronsFromDensity):
		return k, usagef("--neurons-from-density %s: expected one of %s", k.NeuronsFromDensity, strings.Join(connectome.DensityMethods(), ", "))
	case k.NeuronsFromDensity != "" && k.NeuronsFile != "":
		return k, usagef("--neurons-from-density %s: not together with --neurons-file (give the counts one way)", k.NeuronsFromDensity)
	case k.NeuronScale < 0 || (k.NeuronScale > 0 && k.NeuronsFromDensity == ""):
		return k, usagef("--neuron-scale %d: expected an integer >= 1, and only with --neurons-from-density", k.NeuronScale)
	case k.NeuronsFromDensity == connectome.DensityProportional && k.NeuronScale == 0:
		return k, usagef("--neurons-from-density proportional needs --neuron-scale N (about N neurons in total)")
	case k.DensityFill != "" && !slices.Contains(connectome.FillRules(), k.DensityFill):
		return k, usagef("--density-fill %s: expected one of %s", k.DensityFill, strings.Join(connectome.FillRules(), ", "))
	case k.DensityFill != "" && k.NeuronsFromDensity == "":
		return k, usagef("--density-fill %s: only with --neurons-from-density", k.DensityFill)
	case !(k.TargetSparsity > 0 && k.TargetSparsity <= 1):
		return k, usagef("--target-sparsity %g: expected a value in (0, 1]", k.TargetSparsity)
	case !(k.IntrinsicSparsity > 0 && k.IntrinsicSparsity <= 1):
		return k, usagef("--intrinsic-sparsity %g: expected a value in (0, 1]", k.IntrinsicSparsity)
	case !(k.IntrinsicWeight > 0 && k.IntrinsicWeight < 1):
		return k, usagef("--intrinsic-weight %g: expected a value in (0, 1) (for no within-region weight use --no-intrinsic; 1 would put infinite weight inside regions)", k.IntrinsicWeight)
	}
	return k, nil
}

// spec returns the construction part of a RunSpec.
func (k construction) spec() rnn.RunSpec {
	return rnn.RunSpec{
		Connectome: k.Connectome, DataDir: k.DataDir, NeuronsPerRegion: k.Neurons, NeuronsFile: k.NeuronsFile,
		NeuronsFromDensity: k.NeuronsFromDensity, NeuronScale: k.NeuronScale, DensityFill: k.DensityFill,
		TargetSparsity: k.TargetSparsity, IntrinsicSparsity: k.IntrinsicSparsity, IntrinsicWeight: k.IntrinsicWeight,
		NoIntrinsic: k.NoIntrinsic, KeepDiag: k.KeepDiag, Homogeneous: k.Homogeneous,
	}
}

func buildCommand() *ucli.Command {
	flags := append(constructionFlags(),
		&ucli.StringFlag{Name: "null", Usage: "replace the network by a null model: " + strings.Join(connectome.NullModels(), ", ")},
		&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed of the build (and of the null model)"},
		&ucli.StringFlag{Name: "out", Usage: "write the network: .npy (matrix), .csv (matrix) or .parquet (edge list: source, target, weight, source_region, target_region)"},
		&ucli.StringFlag{Name: "regions-out", Usage: "write each neuron's region index (int64 .npy)"},
	)
	return &ucli.Command{
		Name:  "build",
		Usage: "construct a neuron-level network from a connectome (bio2art up-scaling) and print its statistics",
		Description: "Up-scales a region-level connectome to neurons as bio2art's from_conn_mat does (defaults: the paper's\n" +
			"construction, 4 neurons per region, target sparsity 0.8, intrinsic sparsity 1, intrinsic weight 0.8,\n" +
			"random positive weight split, no self-connections). The matrix is W[s,t] = weight from neuron s to t.",
		Flags: flags,
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usagef("build takes no arguments (got %q); flags go before arguments", c.Args().Slice())
			}
			k, err := parseConstruction(c)
			if err != nil {
				return err
			}
			out, regionsOut := c.String("out"), c.String("regions-out")
			if err := checkOutExt(out); err != nil {
				return err
			}
			if regionsOut != "" && !strings.EqualFold(filepath.Ext(regionsOut), ".npy") {
				return usagef("--regions-out %s: expected a .npy file", regionsOut)
			}
			if err := checkOutFile("out", out); err != nil {
				return err
			}
			if err := checkOutFile("regions-out", regionsOut); err != nil {
				return err
			}
			model := c.String("null")
			strategy := "bio-random"
			if model != "" {
				if !slices.Contains(connectome.NullModels(), model) {
					return usagef("--null %s: expected one of %s", model, strings.Join(connectome.NullModels(), ", "))
				}
				strategy = model
			}
			// The trainer's own wiring, so that 'build --seed S' is exactly the
			// network of 'train --build-seed S' (with --strategy MODEL for --null).
			seed := c.Uint64("seed")
			bs := k.spec()
			bs.Strategy, bs.BuildSeed = strategy, seed
			spec, err := rnn.Defaults(bs)
			if err != nil {
				return &UsageError{Err: flagError(c, err)}
			}
			wiring, err := rnn.BuildWiring(spec)
			if err != nil {
				return flagError(c, err)
			}
			w, region, con := wiring.Bio, wiring.Network.Region, wiring.Connectome
			st, err := connectome.ComputeStats(w)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout(c), "network from %s (%d regions)", con.Name, con.C.Rows)
			if model != "" {
				fmt.Fprintf(stdout(c), ", null model %s", model)
			}
			fmt.Fprintf(stdout(c), ", seed %d\n", seed)
			fmt.Fprintf(stdout(c), "n %d\nnnz %d\ndensity %.6g\nreciprocity %.6g\nspectral_radius %.6g\n",
				st.N, st.NNZ, st.Density, st.Reciprocity, st.SpectralRadius)
			names := con.Regions
			if len(names) != con.C.Rows {
				names = make([]string, con.C.Rows)
				for i := range names {
					names[i] = strconv.Itoa(i)
				}
			}
			if out != "" {
				if err := writeNetwork(out, w, region, names); err != nil {
					return fmt.Errorf("--out: %w", err)
				}
				fmt.Fprintf(stdout(c), "wrote %s\n", out)
			}
			if regionsOut != "" {
				reg := make([]int64, len(region))
				for i, r := range region {
					reg[i] = int64(r)
				}
				if err := connectome.WriteNPYInt64(regionsOut, reg); err != nil {
					return fmt.Errorf("--regions-out: %w", err)
				}
				fmt.Fprintf(stdout(c), "wrote %s\n", regionsOut)
			}
			return nil
		},
	}
}

func checkOutExt(out string) error {
	if out == "" {
		return nil
	}
	switch strings.ToLower(filepath.Ext(out)) {
	case ".npy", ".csv", ".parquet":
		return nil
	}
	return usagef("--out %s: expected a .npy, .csv or .parquet file name", out)
}

// edgeRow is one row of a network written as a Parquet edge list.
type edgeRow struct {
	Source       int64   `parquet:"source"`
	Target       int64   `parquet:"target"`
	Weight       float64 `parquet:"weight"`
	SourceRegion string  `parquet:"source_region"`
	TargetRegion string  `parquet:"target_region"`
}

// writeNetwork writes w by the file's extension, whole or not at all.
func writeNetwork(path string, w *connectome.Dense, region []int, names []string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npy":
		return connectome.WriteNPY(path, []int{w.Rows, w.Cols}, w.Data)
	case ".csv":
		return recordfile.Write(path, func(f io.Writer) error {
			cw := csv.NewWriter(f)
			rec := make([]string, w.Cols)
			for i := 0; i < w.Rows; i++ {
				for j := range rec {
					rec[j] = strconv.FormatFloat(w.At(i, j), 'g', -1, 64)
				}
				cw.Write(rec)
			}
			cw.Flush()
			return cw.Error()
		})
	case ".parquet":
		var rows []edgeRow
		for i := 0; i < w.Rows; i++ {
			for j := 0; j < w.Cols; j++ {
				if v := w.At(i, j); v != 0 {
					rows = append(rows, edgeRow{Source: int64(i), Target: int64(j), Weight: v,
						SourceRegion: names[region[i]], TargetRegion: names[region[j]]})
				}
			}
		}
		return recordfile.WriteParquet(path, rows)
	}
	return usagef("--out %s: expected a .npy, .csv or .parquet file name", path)
}
