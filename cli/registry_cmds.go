package cli

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
	ucli "github.com/urfave/cli/v2"
)

// registryCommands are the data-set commands: connectomes, connectome show
// and data fetch|import|path.
func registryCommands() []*ucli.Command {
	return []*ucli.Command{
		{
			Name:   "connectomes",
			Usage:  "list the registered connectome data sets",
			Flags:  []ucli.Flag{&ucli.BoolFlag{Name: "cite", Usage: "print each set's full citation"}},
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
					&ucli.StringFlag{Name: "format", Aliases: []string{"connectome-format"}, Usage: "how FILE is read: matrix, edges, or auto (by extension)", DefaultText: "auto"},
					&ucli.IntFlag{Name: "extent", Usage: "flyvis-optic-lobe: the lattice's radius in columns", DefaultText: "15"},
				},
				Action: showConnectome,
			}},
		},
		{
			Name:  "data",
			Usage: "get the connectome data: fetch, import, path",
			Subcommands: []*ucli.Command{
				{
					Name:      "fetch",
					Usage:     "download data that is not built in: mnist-latent (the picture task's stimuli); without an argument, bio2art's connectome files (the same bytes as the built-in ones)",
					ArgsUsage: "[mnist-latent]",
					Flags: []ucli.Flag{
						&ucli.StringFlag{Name: "url", Usage: "base URL of the files", DefaultText: "the pinned commit of the source repository"},
						&ucli.StringFlag{Name: "data-dir", Usage: "destination (default: the data folder, see 'biornn data path')"},
					},
					Action: func(c *ucli.Context) error {
						dir := connectome.ResolveDataDir(lookupString(c, "data-dir"))
						switch {
						case c.NArg() == 0:
							if err := connectome.Fetch(c.Context, c.String("url"), dir, stderr(c)); err != nil {
								return err
							}
							fmt.Fprintf(stdout(c), "connectome data ready in %s (the same data sets are built into biornn)\n", dir)
						case c.NArg() == 1 && c.Args().First() == connectome.KindMNISTLatent:
							dst := filepath.Join(dir, connectome.MNISTDirName)
							if err := connectome.FetchMNISTLatent(c.Context, c.String("url"), dst, stderr(c)); err != nil {
								return err
							}
							fmt.Fprintf(stdout(c), "MNIST latents ready in %s (train --task pic_latent_mem finds them there)\n", dst)
						default:
							return usagef("data fetch: expected no argument (connectomes) or %s (got %q)", connectome.KindMNISTLatent, c.Args().Slice())
						}
						return nil
					},
				},
				{
					Name:      "import",
					Usage:     "validate a local folder (bio2art's connectome files and/or the MNIST latents, .npy or the paper's .pt) and copy it into the data folder; or import the C. elegans connectome from the cect wheel (pip download --no-deps cect==0.3.5)",
					ArgsUsage: "DIR | cect-0.3.5-py3-none-any.whl",
					Flags: []ucli.Flag{
						&ucli.StringFlag{Name: "data-dir", Usage: "destination (default: the data folder, see 'biornn data path')"},
					},
					Action: dataImport,
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
	dir := explicitDataDir(c)
	tw := tabwriter.NewWriter(stdout(c), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tlevel\tspecies\tregions\tdensity\tsource\tcitation")
	cite := c.Bool("cite")
	for _, d := range connectome.DataSets() {
		citation := shortCitation(d.Citation)
		if cite {
			citation = d.Citation
		}
		fmt.Fprintf(tw, "%s\tregion\t%s\t%d\t%.3f\t%s\t%s\n", d.Name, d.Species, d.Regions, d.Density(), dataSource(d, dir), citation)
	}
	// Neuron-level sets imported into the data folder.
	celegans := filepath.Join(connectome.ResolveDataDir(lookupString(c, "data-dir")), connectome.CElegansName)
	status := "import: pip download --no-deps cect==0.3.5; biornn data import cect-0.3.5-py3-none-any.whl"
	if connectome.IsNetworkFolder(celegans) {
		status = celegans
	}
	citation := "S. J. Cook et al. (2019); C. Wang et al. (2024)"
	if cite {
		citation = connectome.CElegansCitation
	}
	fmt.Fprintf(tw, "%s\tneuron\t%s\t%s\t%s\t%s\t%s\n", connectome.CElegansName, "C. elegans hermaphrodite (chemical synapses)", "473 cells", "-", status, citation)
	citation = "J. K. Lappalainen et al. (2024); S. Takemura et al. (2015, 2017)"
	if cite {
		citation = connectome.FlyVisCitation
	}
	fmt.Fprintf(tw, "%s\tneuron\t%s\t%s\t%s\t%s\t%s\n", connectome.FlyVisName, "fruit fly optic lobe (flyvis: 65 cell types on a hexagonal lattice)",
		"45669 neurons (--extent 15; 3: 2345)", "-", "builtin (flyvis 1.2.0, MIT)", citation)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout(c), "\nbuiltin = compiled into biornn (bio2art's files, MIT); a data set of the same name in --data-dir or BIORNN_DATA is used instead.\n'biornn connectome show NAME' for details and the full citation.")
	return nil
}

// explicitDataDir is the data folder given by --data-dir or BIORNN_DATA,
// or "" when neither is set (the built-in data sets are used).
func explicitDataDir(c *ucli.Context) string {
	if dir := lookupString(c, "data-dir"); dir != "" {
		return dir
	}
	return os.Getenv(connectome.DataEnv)
}

// dataSource says where a registered set is read from: the folder dir when
// it holds the set, else the built-in copy.
func dataSource(d *connectome.DataSet, dir string) string {
	if dir != "" && d.InDir(dir) {
		return dir
	}
	if d.Builtin() {
		return connectome.BuiltinSource
	}
	return "missing"
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
	if neuronLevelName(c, name) {
		return showNeuronLevel(c, name)
	}
	var spec rnn.RunSpec
	if c.IsSet("format") {
		if err := spec.Set("connectome_format", c.String("format")); err != nil {
			return &UsageError{Err: settingError(err)}
		}
	}
	con, err := rnn.LoadConnectome(name, lookupString(c, "data-dir"), spec.ConnectomeFormat)
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

// dataImport copies what the source folder holds: the MNIST latents (into
// the data folder's mnist-latent), bio2art's connectome files, or both.
// Every file is checked before anything is copied.
func dataImport(c *ucli.Context) error {
	if c.NArg() != 1 {
		return usagef("data import: expected one source folder DIR (got %q)", c.Args().Slice())
	}
	src, dir := c.Args().First(), connectome.ResolveDataDir(lookupString(c, "data-dir"))
	if strings.HasPrefix(filepath.Base(src), "cect-") && strings.HasSuffix(src, ".whl") {
		out, err := connectome.ImportCElegans(src, dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout(c), "imported the C. elegans hermaphrodite connectome into %s (--connectome %s)\ncite: %s\n", out, connectome.CElegansName, connectome.CElegansCitation)
		return nil
	}
	mnistDst := filepath.Join(dir, connectome.MNISTDirName)
	mnistErr := connectome.ImportMNISTLatent(src, mnistDst)
	switch {
	case mnistErr == nil:
		fmt.Fprintf(stdout(c), "imported the MNIST latents from %s into %s\n", src, mnistDst)
	case !errors.Is(mnistErr, connectome.ErrNoMNISTLatent):
		return mnistErr // the latents are there but damaged: nothing imported
	}
	if err := connectome.Import(src, dir); err != nil {
		if mnistErr == nil {
			return nil // a folder of latents only
		}
		return fmt.Errorf("%w; nor does it hold the MNIST latents (%v)", err, mnistErr)
	}
	fmt.Fprintf(stdout(c), "imported the connectome files from %s into %s\n", src, dir)
	return nil
}

func dataPath(c *ucli.Context) error {
	if c.NArg() > 0 {
		return usagef("data path takes no arguments (got %q)", c.Args().Slice())
	}
	dir, origin := connectome.DataDirOrigin(lookupString(c, "data-dir"))
	w := stdout(c)
	fmt.Fprintln(w, dir)
	fmt.Fprintf(stderr(c), "from %s (order: --data-dir, then %s, then the user cache folder)\n", origin, connectome.DataEnv)
	var builtin []string
	for _, d := range connectome.DataSets() {
		if d.Builtin() {
			builtin = append(builtin, d.Name)
		}
	}
	fmt.Fprintf(stderr(c), "built into biornn (no data step needed): %s; files in the data folder replace them\n", strings.Join(builtin, ", "))
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
	fmt.Fprintf(stderr(c), "connectome files: %d ok, %d missing, %d bad", ok, missing, bad)
	if missing > 0 || bad > 0 {
		fmt.Fprint(stderr(c), " (not needed: the built-in copies are used; 'biornn data fetch' or 'biornn data import DIR' writes the files)")
	}
	fmt.Fprintln(stderr(c))
	mdir := filepath.Join(dir, connectome.MNISTDirName)
	mok := 0
	for _, s := range connectome.MNISTStatus(mdir) {
		switch {
		case s.Present && s.Err != nil:
			fmt.Fprintf(stderr(c), "  %s: %v\n", s.Path, s.Err)
		case s.Present:
			mok++
		}
	}
	if mok == 2 {
		fmt.Fprintf(stderr(c), "MNIST latents (pic_latent_mem): ok in %s\n", mdir)
	} else {
		fmt.Fprintf(stderr(c), "MNIST latents (pic_latent_mem): not in %s; %s\n", mdir, connectome.MNISTGetHint)
	}
	return nil
}

// neuronLevelName reports whether name is a neuron-level data set: the
// built-in fly optic lobe, a network folder, or one in the data folder
// (celegans once imported).
func neuronLevelName(c *ucli.Context, name string) bool {
	if name == connectome.FlyVisName || connectome.IsNetworkFolder(name) {
		return true
	}
	dir := filepath.Join(connectome.ResolveDataDir(lookupString(c, "data-dir")), name)
	return !strings.ContainsAny(name, `/\`) && connectome.IsNetworkFolder(dir)
}

// showNeuronLevel describes a neuron-level data set: its source, citation
// and size, the statistics of its connections and its neurons per type.
func showNeuronLevel(c *ucli.Context, name string) error {
	spec := rnn.RunSpec{Connectome: name, DataDir: lookupString(c, "data-dir")}
	if c.IsSet("extent") {
		spec.Extent = c.Int("extent")
	}
	spec, err := rnn.Defaults(spec)
	if err != nil {
		return &UsageError{Err: settingError(err)}
	}
	con, err := rnn.LoadConnectomeFor(spec)
	if err != nil {
		return settingError(err)
	}
	st := connectome.EdgeStats(con.Edges)
	kv := tabwriter.NewWriter(stdout(c), 0, 0, 2, ' ', 0)
	fmt.Fprintf(kv, "name\t%s\nlevel\tneuron\n", con.Name)
	if con.Species != "" {
		fmt.Fprintf(kv, "species\t%s\n", con.Species)
	}
	if con.Citation != "" {
		fmt.Fprintf(kv, "citation\t%s\n", con.Citation)
	}
	if spec.Extent != 0 {
		fmt.Fprintf(kv, "extent\t%d\n", spec.Extent)
	}
	fmt.Fprintf(kv, "orientation\t%s\nsource\t%s\nsha256\t%s\n", con.Orientation, con.Source, con.SHA256)
	fmt.Fprintf(kv, "neurons\t%d\nconnections\t%d\nself_loops\t%d\ndensity\t%.6g\nreciprocity\t%.6g\ntotal_weight\t%.6g\n",
		st.N, st.NNZ, st.SelfLoops, st.Density, st.Reciprocity, st.TotalWeight)
	if err := kv.Flush(); err != nil {
		return err
	}
	if con.Table == nil {
		return nil
	}
	// Neurons per type (and role, sign) in the table's order of first appearance.
	type row struct {
		typ, role    string
		count, exc   int
		out, in, syn float64
	}
	var rows []*row
	byType := map[string]*row{}
	for i, t := range con.Table.Type {
		r := byType[t]
		if r == nil {
			r = &row{typ: t, role: con.Table.Role[i]}
			byType[t] = r
			rows = append(rows, r)
		}
		r.count++
		if con.Table.Sign[i] > 0 {
			r.exc++
		}
		r.out += float64(st.OutDegree[i])
		r.in += float64(st.InDegree[i])
		r.syn += st.OutStrength[i]
	}
	tw := tabwriter.NewWriter(stdout(c), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\ntype\trole\tneurons\texcitatory\tmean out_degree\tmean in_degree\tmean out_strength")
	for _, r := range rows {
		typ := r.typ
		if typ == "" {
			typ = "-"
		}
		n := float64(r.count)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.4g\t%.4g\t%.4g\n", typ, r.role, r.count, r.exc, r.out/n, r.in/n, r.syn/n)
	}
	return tw.Flush()
}
