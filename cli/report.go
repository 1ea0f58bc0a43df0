package cli

import (
	"fmt"

	"github.com/biornn/biornn/rnn/report"
	"github.com/biornn/biornn/rnn/results"
	"github.com/biornn/biornn/rnn/results/recordfile"
	ucli "github.com/urfave/cli/v2"
)

func reportCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "report",
		Usage:     "summarise a results folder: medians, IQRs, chance levels, effect sizes with CIs, paired or rank-sum tests with Holm adjustment; plots",
		ArgsUsage: "DIR",
		Description: "Groups runs by connectome x task x task parameter (x optimizer, lr, activation and other settings\n" +
			"when they vary) and strategy. For each group: n, the weights, the median and IQR of the minimum validation\n" +
			"loss (with the task's chance level) and of the speed epoch of the runs that learnt; for each strategy\n" +
			"against the baseline (--baseline, default bio-random): Cliff's delta with a 95% bootstrap interval and the\n" +
			"two-sided Wilcoxon signed-rank test on runs paired by seed (rank-sum when the seeds differ), Holm-adjusted\n" +
			"over every comparison; then a pooled summary per strategy.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "csv", Usage: "also write the table as CSV to this file"},
			&ucli.StringFlag{Name: "markdown", Usage: "also write the table as Markdown to this file"},
			&ucli.StringFlag{Name: "plots", Usage: "write loss curves and box plots (PNG and SVG) into this folder"},
			&ucli.StringFlag{Name: "baseline", Usage: "the strategy the others are compared with", DefaultText: "bio-random, else the first bio-* strategy"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return usagef("report: expected one results folder DIR (got %q); flags go before DIR, e.g. 'biornn report --plots plots results'", c.Args().Slice())
			}
			for _, f := range []string{"csv", "markdown", "plots"} {
				if c.IsSet(f) && c.String(f) == "" {
					return usagef(`report: --%s "": expected a file or folder name (or leave --%s out)`, f, f)
				}
			}
			if c.Args().First() == "" {
				return usagef(`report: DIR is "": expected a results folder`)
			}
			for _, f := range []string{"csv", "markdown"} {
				if err := checkOutFile(f, c.String(f)); err != nil {
					return err
				}
			}
			dir := c.Args().First()
			runs, epochs, warnings, err := results.ReadChecked(dir)
			if err != nil {
				return err
			}
			for _, w := range warnings {
				fmt.Fprintln(stderr(c), "warning:", w)
			}
			rep, err := report.BuildWith(runs, report.Options{Baseline: c.String("baseline")})
			if err != nil {
				return &UsageError{Err: fmt.Errorf("--baseline: %w", err)}
			}
			if err := rep.WriteText(stdout(c)); err != nil {
				return err
			}
			if p := c.String("csv"); p != "" {
				if err := recordfile.Write(p, rep.WriteCSV); err != nil {
					return err
				}
				fmt.Fprintf(stderr(c), "wrote %s\n", p)
			}
			if p := c.String("markdown"); p != "" {
				if err := recordfile.Write(p, rep.WriteMarkdown); err != nil {
					return err
				}
				fmt.Fprintf(stderr(c), "wrote %s\n", p)
			}
			if d := c.String("plots"); d != "" {
				files, err := rep.WritePlots(d, epochs)
				if err != nil {
					return err
				}
				fmt.Fprintf(stderr(c), "wrote %d plots into %s\n", len(files), d)
			}
			return nil
		},
	}
}
