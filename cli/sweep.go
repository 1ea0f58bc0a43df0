package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/report"
	"github.com/biornn/biornn/rnn/results"
	"github.com/biornn/biornn/rnn/results/recordfile"
	"github.com/biornn/biornn/rnn/savednet"
	"github.com/biornn/biornn/rnn/sweep"
	ucli "github.com/urfave/cli/v2"
)

func sweepCommand() *ucli.Command {
	var presetList []string
	for _, n := range sweep.PresetNames() {
		presetList = append(presetList, fmt.Sprintf("  %-13s %s", n, sweep.PresetHelp(n)))
	}
	return &ucli.Command{
		Name:      "sweep",
		Usage:     "run a grid of training runs (a TOML file or a preset) in parallel, resumably, in shards",
		ArgsUsage: "[CONFIG.toml]",
		Description: "Runs every combination of the grid, writing each run to the results folder as it finishes.\n" +
			"Runs already in the folder are skipped, so the same command resumes an interrupted sweep.\n" +
			"On a Slurm cluster, --slurm submits it as a job array (--tasks, --slurm-opts, --wait, --report) and\n" +
			"--status OUT shows its runs per task; running the same --slurm command again resubmits the tasks with missing runs.\n" +
			"Presets (the paper's grids; add --quick for a one-minute bio-vs-control version):\n" +
			strings.Join(presetList, "\n"),
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "preset", Usage: "a built-in grid: " + strings.Join(sweep.PresetNames(), ", ")},
			&ucli.BoolFlag{Name: "quick", Usage: "the preset's quick version: macaque, smallest task parameter, bio-random vs permute, Adam lr 1e-4, tanh, 5 seeds, 200 epochs"},
			&ucli.StringFlag{Name: "out", Value: "results", Usage: "results folder (Parquet dataset: OUT/runs, OUT/epochs)"},
			&ucli.IntFlag{Name: "workers", Usage: "runs in parallel", DefaultText: "one per core"},
			&ucli.StringFlag{Name: "shard", Usage: "run only shard i of n (i/n, 0 <= i < n; default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT)"},
			&ucli.BoolFlag{Name: "dry-run", Usage: "list the runs (and which are done) without training"},
			&ucli.BoolFlag{Name: "print-config", Usage: "print the grid (a preset or CONFIG.toml) as a sweep file to edit, and exit"},
			&ucli.StringFlag{Name: "mnist-dir", EnvVars: []string{"BIORNN_MNIST"}, Usage: "pic_latent_mem data folder (default: $BIORNN_MNIST, else mnist-latent inside, else beside, the data folder)"},
			&ucli.StringFlag{Name: "data-dir", Usage: "folder with the connectome data sets (overrides the global --data-dir)"},
			&ucli.BoolFlag{Name: "no-report", Usage: "do not print the summary table at the end"},
			&ucli.StringFlag{Name: "report", Usage: "when the sweep ends, write the report into this folder: report.md, report.csv and the plots (as 'biornn report --plots')"},
			&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no line per run"},
		}, slurmFlags()...),
		Action: sweepAction,
	}
}

// loadSweepConfig reads the config from the argument or the preset.
func loadSweepConfig(c *ucli.Context) (*sweep.Config, error) {
	preset := c.String("preset")
	switch {
	case c.NArg() > 1:
		return nil, usagef("sweep takes one CONFIG.toml (got %q); flags go before it", c.Args().Slice())
	case c.NArg() == 1 && preset != "":
		return nil, usagef("give either CONFIG.toml or --preset, not both")
	case c.NArg() == 1:
		if c.Bool("quick") {
			return nil, usagef("--quick applies to presets only; shrink your CONFIG.toml instead")
		}
		return sweep.Load(c.Args().First())
	case preset != "":
		cfg, err := sweep.Preset(preset, c.Bool("quick"))
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		return cfg, nil
	}
	return nil, usagef("sweep: expected CONFIG.toml or --preset NAME (%s)", strings.Join(sweep.PresetNames(), ", "))
}

func sweepAction(c *ucli.Context) error {
	if err := checkSlurmOnly(c); err != nil {
		return err
	}
	if c.IsSet("status") {
		if c.String("status") == "" {
			return usagef(`sweep: --status "": expected the results folder of a sweep`)
		}
		return sweepStatus(c, c.String("status"))
	}
	cfg, err := loadSweepConfig(c)
	if err != nil {
		return err
	}
	if c.Bool("print-config") {
		text, err := cfg.TOML()
		if err != nil {
			return err
		}
		_, err = stdout(c).Write(text)
		return err
	}
	out := c.String("out")
	if out == "" {
		return usagef(`sweep: --out "": expected a results folder`)
	}
	reportDir := c.String("report")
	if c.IsSet("report") && reportDir == "" {
		return usagef(`sweep: --report "": expected a folder for the report (or leave --report out)`)
	}
	workers := c.Int("workers")
	if workers < 0 || (c.IsSet("workers") && workers == 0) {
		return usagef("sweep: --workers %d: expected 1 or more (leave it out for one per core)", workers)
	}
	// The command line's folders and kernels apply where the config sets
	// none of its own.
	for _, f := range []struct{ key, text string }{
		{"data_dir", lookupString(c, "data-dir")}, {"kernels", lookupString(c, "kernels")},
	} {
		if err := cfg.SetDefault(f.key, f.text); err != nil {
			return &UsageError{Err: settingError(err)}
		}
	}
	if cfg.Uses("task", string(rnn.TaskPicLatentMem)) {
		dataDirs := cfg.Values("data_dir")
		dataDir := ""
		if len(dataDirs) == 1 {
			dataDir = dataDirs[0]
		}
		if err := cfg.SetDefault("mnist_dir", mnistDir(c.String("mnist-dir"), dataDir)); err != nil {
			return &UsageError{Err: settingError(err)}
		}
		for _, d := range cfg.Values("mnist_dir") {
			if err := checkMNIST(d); err != nil {
				return err
			}
		}
	}
	source := "sweep preset " + c.String("preset")
	if c.NArg() == 1 {
		source = "sweep config " + c.Args().First()
	}
	// The grid is enumerated lazily: Runs checks every run once, holding
	// one id per run, and the passes below compute them again one by one.
	total, plan, err := sweep.Runs(cfg, rnn.Defaults)
	if err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	if c.Bool("slurm") {
		return sweepSlurm(c, cfg, source, total, plan)
	}
	shard, shards := 0, 1
	if s := c.String("shard"); s != "" {
		if shard, shards, err = sweep.ParseShard(s); err != nil {
			return &UsageError{Err: err}
		}
	} else if i, n, ok, err := sweep.ShardFromEnv(os.Getenv); err != nil {
		return err
	} else if ok {
		shard, shards = i, n
	}
	mine := sweep.ShardRuns(plan, shard, shards)
	nMine := (total - shard + shards - 1) / shards
	name := cfg.Name
	if name == "" {
		name = "sweep"
	}
	fmt.Fprintf(stderr(c), "%s: %s", name, nRuns(total))
	if shards > 1 {
		fmt.Fprintf(stderr(c), ", shard %d/%d: %s", shard, shards, nRuns(nMine))
	}
	fmt.Fprintf(stderr(c), ", results in %s\n", out)

	if reportDir != "" && !c.Bool("dry-run") {
		// Fail now, not after the training, when the folder cannot be made.
		if err := os.MkdirAll(reportDir, 0o755); err != nil {
			return &UsageError{Err: fmt.Errorf("--report %s: %w", reportDir, err)}
		}
	}

	if c.Bool("dry-run") {
		tw := tabwriter.NewWriter(stdout(c), 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "index\trun_id\tstatus\trun")
		for p := range mine {
			status := "todo"
			if results.Exists(out, p.ID) {
				status = "done"
				if results.Verify(out, p.ID) != nil {
					status = "damaged" // set aside and trained again by the sweep
				}
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", p.Index, p.ID, status, p.Describe())
		}
		return tw.Flush()
	}

	// Stop before training when the data cannot be read, naming the key,
	// rather than failing every run with the same message.
	if err := sweep.CheckRuns(mine, func(s rnn.RunSpec) error { _, err := rnn.BuildWiring(s); return err }); err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	run := func(ctx context.Context, spec rnn.RunSpec, onEpoch func(rnn.EpochRecord)) (*rnn.RunResult, error) {
		return savednet.Run(ctx, spec, version(), rnn.RunOptions{OnEpoch: onEpoch}) // save_network, init_from
	}
	opts := sweep.Options{Out: out, Workers: workers, Run: run, Version: version(), Total: nMine}
	if !c.Bool("quiet") {
		opts.Log = stderr(c)
	}
	sum, err := sweep.ExecuteRuns(c.Context, mine, opts)
	fmt.Fprintf(stderr(c), "%s: %s: %d new, %d already done, %d failed, %s\n",
		name, nRuns(sum.Planned), sum.Done, sum.Skipped, sum.Failed, sweep.Seconds(sum.Seconds))
	if len(sum.SetAside) > 0 {
		fmt.Fprintf(stderr(c), "%s: %d damaged files were moved aside (and their runs trained again): %s\n",
			name, len(sum.SetAside), strings.Join(sum.SetAside, ", "))
	}
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		for _, f := range sum.Failures {
			fmt.Fprintln(stderr(c), "  ", f)
		}
		return fmt.Errorf("%d of %s failed (listed above); fix the cause and run the same command again to retry them", sum.Failed, nRuns(sum.Planned))
	}
	if shards > 1 || (c.Bool("no-report") && reportDir == "") {
		return nil
	}
	runs, epochs, warnings, err := results.ReadChecked(out)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr(c), "warning:", w)
	}
	// Summarise this sweep's runs only, even if the folder holds others.
	ids := map[string]bool{}
	for p := range plan {
		ids[p.ID] = true
	}
	var these []results.RunRow
	for _, r := range runs {
		if ids[r.RunID] {
			these = append(these, r)
		}
	}
	if len(these) == 0 {
		return errors.New("sweep: no runs to summarise")
	}
	rep := report.Build(these)
	if !c.Bool("no-report") {
		fmt.Fprintln(stdout(c))
		if err := rep.WriteText(stdout(c)); err != nil {
			return err
		}
	}
	if reportDir == "" {
		return nil
	}
	var theseEpochs []results.EpochRow
	for _, e := range epochs {
		if ids[e.RunID] {
			theseEpochs = append(theseEpochs, e)
		}
	}
	return writeReportFiles(c, rep, theseEpochs, reportDir)
}

// writeReportFiles writes report.md, report.csv and the plots into dir.
func writeReportFiles(c *ucli.Context, rep *report.Report, epochs []results.EpochRow, dir string) error {
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{"report.md", rep.WriteMarkdown}, {"report.csv", rep.WriteCSV}} {
		if err := recordfile.Write(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	files, err := rep.WritePlots(dir, epochs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr(c), "wrote report.md, report.csv and %d plots into %s\n", len(files), dir)
	return nil
}

// nRuns is "1 run" or "N runs".
func nRuns(n int) string {
	if n == 1 {
		return "1 run"
	}
	return fmt.Sprintf("%d runs", n)
}
