package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results/recordfile"
	ucli "github.com/urfave/cli/v2"
)

// isBuild keeps the settings that decide the network's construction.
func isBuild(s *rnn.Setting) bool { return s.Build }

func buildCommand() *ucli.Command {
	flags := append(settingFlags(isBuild),
		&ucli.StringFlag{Name: "out", Usage: "write the network: .npy (matrix), .csv (matrix) or .parquet (edge list: source, target, weight, source_region, target_region); with --synthetic a network folder"},
		&ucli.StringFlag{Name: "synthetic", Usage: "instead of a connectome, draw a signed neuron-level network: sbm (stochastic blocks) or distance (a ring); --neurons N (the total), --connections M, --excitatory F, --seed S, --out DIR"},
		&ucli.IntFlag{Name: "connections", Usage: "with --synthetic: the number of connections"},
		&ucli.Float64Flag{Name: "excitatory", Value: 0.8, Usage: "with --synthetic: the share of excitatory neurons"},
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
			var bs rnn.RunSpec
			if err := applySettingFlags(c, &bs, isBuild); err != nil {
				return err
			}
			if kind := c.String("synthetic"); kind != "" {
				return buildSynthetic(c, kind, bs)
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
			// The trainer's own wiring, so that 'build' with the same settings is
			// exactly the network 'train' trains (--strategy or --null MODEL for
			// a control).
			spec, err := rnn.Defaults(bs)
			if err != nil {
				return &UsageError{Err: settingError(err)}
			}
			wiring, err := rnn.BuildWiring(spec)
			if err != nil {
				return settingError(err)
			}
			w, region, con := wiring.Bio, wiring.Network.Region, wiring.Connectome
			var st connectome.Stats
			if w == nil { // a neuron-level network above connectome.DenseNeurons: no matrix
				st = connectome.EdgeStats(wiring.Edges)
				if out != "" {
					return fmt.Errorf("--out %s: a network of %d neurons is not written as a matrix (above %d neurons); its connections are the data's own, or use a network folder", out, st.N, connectome.DenseNeurons)
				}
			} else if st, err = connectome.ComputeStats(w); err != nil {
				return err
			}
			unit := "regions"
			if con.Level == connectome.LevelNeuron {
				unit = "neurons, neuron level"
			}
			fmt.Fprintf(stdout(c), "network from %s (%d %s)", con.Name, len(con.Regions), unit)
			if spec.Strategy.IsControl() {
				fmt.Fprintf(stdout(c), ", null model %s", spec.Strategy)
			}
			fmt.Fprintf(stdout(c), ", build seed %d\n", spec.BuildSeed)
			fmt.Fprintf(stdout(c), "n %d\nnnz %d\ndensity %.6g\nreciprocity %.6g\nspectral_radius %.6g\n",
				st.N, st.NNZ, st.Density, st.Reciprocity, st.SpectralRadius)
			names := con.Regions
			if con.C != nil && len(names) != con.C.Rows {
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

// buildSynthetic draws a synthetic signed network into the folder --out.
func buildSynthetic(c *ucli.Context, kind string, bs rnn.RunSpec) error {
	out := c.String("out")
	if out == "" {
		return usagef("--synthetic: --out DIR is required (the network folder to write)")
	}
	if !c.IsSet("neurons") && !c.IsSet("neurons-per-region") {
		return usagef("--synthetic: --neurons N is required (the total number of neurons)")
	}
	seed := bs.Seed
	if seed == 0 {
		seed = 1
	}
	net, err := connectome.Synthetic(connectome.SyntheticOptions{Kind: kind, Neurons: bs.NeuronsPerRegion,
		Connections: c.Int("connections"), Excitatory: c.Float64("excitatory"), Seed: seed})
	if err != nil {
		return &UsageError{Err: err}
	}
	if err := connectome.WriteNetworkFolder(out, net); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	fmt.Fprintf(stdout(c), "synthetic %s network: %d neurons (%d excitatory), %d connections, seed %d\nwrote %s\n",
		kind, net.Neurons, net.Excitatory, len(net.Pre), seed, out)
	return nil
}
