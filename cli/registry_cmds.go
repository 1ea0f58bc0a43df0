package cli

import (
	"fmt"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/biornn/biornn/connectome"
	ucli "github.com/urfave/cli/v2"
)

// registryCommands are the data-set commands: connectomes, connectome show
// and data fetch|import|path.
func registryCommands() []*ucli.Command {
	return []*ucli.Command{
		{
			Name:   "connectomes",
			Usage:  "list the registered connectome data sets",
			Action: listConnectomes,
		},
		{
			Name:  "connectome",
			Usage: "inspect a connectome",
			Subcommands: []*ucli.Command{{
				Name:      "show",
				Usage:     "describe a data set (registry name or file): species, citation, orientation, regions, statistics",
				ArgsUsage: "NAME|FILE",
				Flags: []ucli.Flag{
					&ucli.StringFlag{Name: "data-dir", Usage: "folder with the connectome data sets (overrides the global --data-dir)"},
				},
				Action: showConnectome,
			}},
		},
		{
			Name:  "data",
			Usage: "get the connectome data: fetch, import, path",
			Subcommands: []*ucli.Command{
				{
					Name:  "fetch",
					Usage: "download bio2art's connectome files into the data folder and verify their checksums",
					Flags: []ucli.Flag{
						&ucli.StringFlag{Name: "url", Value: connectome.DefaultBaseURL, Usage: "base URL of the files"},
						&ucli.StringFlag{Name: "data-dir", Usage: "destination (default: the data folder, see 'biornn data path')"},
					},
					Action: func(c *ucli.Context) error {
						if c.NArg() > 0 {
							return usagef("data fetch takes no arguments (got %q)", c.Args().Slice())
						}
						dir := connectome.ResolveDataDir(lookupString(c, "data-dir"))
						if err := connectome.Fetch(c.Context, c.String("url"), dir, stderr(c)); err != nil {
							return err
						}
						fmt.Fprintf(stdout(c), "connectome data ready in %s\n", dir)
						return nil
					},
				},
				{
					Name:      "import",
					Usage:     "validate a local folder of bio2art's connectome files and copy it into the data folder",
					ArgsUsage: "DIR",
					Flags: []ucli.Flag{
						&ucli.StringFlag{Name: "data-dir", Usage: "destination (default: the data folder, see 'biornn data path')"},
					},
					Action: func(c *ucli.Context) error {
						if c.NArg() != 1 {
							return usagef("data import: expected one source folder DIR (got %q)", c.Args().Slice())
						}
						dir := connectome.ResolveDataDir(lookupString(c, "data-dir"))
						if err := connectome.Import(c.Args().First(), dir); err != nil {
							return err
						}
						fmt.Fprintf(stdout(c), "imported %s into %s\n", c.Args().First(), dir)
						return nil
					},
				},
				{
					Name:  "path",
					Usage: "print the data folder, where its location comes from, and which files it holds",
					Flags: []ucli.Flag{
						&ucli.StringFlag{Name: "data-dir", Usage: "folder to check (overrides the global --data-dir)"},
					},
					Action: dataPath,
				},
			},
		},
	}
}

func listConnectomes(c *ucli.Context) error {
	tw := tabwriter.NewWriter(stdout(c), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tspecies\tregions\tdensity\tcitation")
	for _, d := range connectome.DataSets() {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.3f\t%s\n", d.Name, d.Species, d.Regions, d.Density(), shortCitation(d.Citation))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	dir, origin := connectome.DataDirOrigin(lookupString(c, "data-dir"))
	fmt.Fprintf(stdout(c), "\ndata folder: %s (from %s); 'biornn connectome show NAME' for details\n", dir, origin)
	return nil
}

// shortCitation keeps "Authors (year)" of a citation for the table.
func shortCitation(s string) string {
	if k := strings.Index(s, ")"); k > 0 {
		return s[:k+1]
	}
	return s
}

func showConnectome(c *ucli.Context) error {
	if c.NArg() != 1 {
		return usagef("connectome show: expected one NAME or FILE (got %q); known names: %s",
			c.Args().Slice(), strings.Join(connectome.DataSetNames(), ", "))
	}
	name := c.Args().First()
	con, err := connectome.Load(name, lookupString(c, "data-dir"))
	if err != nil {
		return err
	}
	st, err := connectome.ComputeStats(con.C)
	if err != nil {
		return err
	}
	w := stdout(c)
	// Key-value lines, aligned as one block.
	kv := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(kv, "name\t%s\n", con.Name)
	if ds, err := connectome.Lookup(name); err == nil {
		fmt.Fprintf(kv, "species\t%s\n", ds.Species)
		fmt.Fprintf(kv, "description\t%s\n", ds.Description)
		fmt.Fprintf(kv, "citation\t%s", ds.Citation)
		if ds.DOI != "" {
			fmt.Fprintf(kv, ", doi:%s", ds.DOI)
		}
		fmt.Fprintln(kv)
	}
	fmt.Fprintf(kv, "orientation\t%s\n", con.Orientation)
	fmt.Fprintf(kv, "source\t%s\n", con.Source)
	fmt.Fprintf(kv, "sha256\t%s\n", con.SHA256)
	fmt.Fprintf(kv, "regions\t%d\nnnz\t%d\ndensity\t%.6g\nreciprocity\t%.6g\nspectral_radius\t%.6g\n",
		st.N, st.NNZ, st.Density, st.Reciprocity, st.SpectralRadius)
	if err := kv.Flush(); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nindex\tregion\tout_degree\tin_degree\tout_strength\tin_strength\tneuron_density")
	for i, r := range con.Regions {
		nd := "-"
		if con.NeuronDensity != nil {
			if v := con.NeuronDensity[i]; math.IsNaN(v) {
				nd = "not measured"
			} else {
				nd = fmt.Sprintf("%.6g", v)
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%.4g\t%.4g\t%s\n", i, r, st.OutDegree[i], st.InDegree[i], st.OutStrength[i], st.InStrength[i], nd)
	}
	return tw.Flush()
}

func dataPath(c *ucli.Context) error {
	if c.NArg() > 0 {
		return usagef("data path takes no arguments (got %q)", c.Args().Slice())
	}
	dir, origin := connectome.DataDirOrigin(lookupString(c, "data-dir"))
	w := stdout(c)
	fmt.Fprintln(w, dir)
	fmt.Fprintf(stderr(c), "from %s (order: --data-dir, then %s, then the user cache folder)\n", origin, connectome.DataEnv)
	ok, missing, bad := 0, 0, 0
	for _, s := range connectome.Status(dir) {
		switch {
		case !s.Present && !s.File.Optional:
			missing++
		case s.Present && s.Err != nil:
			bad++
			fmt.Fprintf(stderr(c), "  %s: %v\n", s.File.Name, s.Err)
		case s.Present:
			ok++
		}
	}
	fmt.Fprintf(stderr(c), "%d files ok, %d missing, %d bad", ok, missing, bad)
	if missing > 0 || bad > 0 {
		fmt.Fprint(stderr(c), ": run 'biornn data fetch', or 'biornn data import DIR' with a local copy, or point --data-dir/BIORNN_DATA at one")
	}
	fmt.Fprintln(stderr(c))
	return nil
}
