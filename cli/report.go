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
		Usage:     "summarise a results folder: medians, IQRs, bio-vs-control effect sizes and rank-sum tests; plots",
		ArgsUsage: "DIR",
		Description: "Groups runs by connectome x task x task parameter (x optimizer, lr, activation when they vary) and\n" +
			"strategy. For each group: n, median and IQR of the minimum validation loss and of the training-speed\n" +
			"epoch; for each strategy against the bio reference (bio-random if present): Cliff's delta and the\n" +
			"two-sided Mann-Whitney p-value (exact without ties for n < 50, else normal with tie correction).",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "csv", Usage: "also write the table as CSV to this file"},
			&ucli.StringFlag{Name: "markdown", Usage: "also write the table as Markdown to this file"},
			&ucli.StringFlag{Name: "plots", Usage: "write loss curves and box plots (PNG and SVG) into this folder"},
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
			rep := report.Build(runs)
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
