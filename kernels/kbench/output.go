package kbench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable prints the records as an aligned text table.
func WriteTable(w io.Writer, peak Peak, recs []Record) error {
	fmt.Fprintf(w, "one-core FP32 peak: %.1f GFLOP/s (%s FMA loop", peak.GFLOPS, peak.Loop)
	for _, l := range peak.Loops {
		if l.Loop != peak.Loop {
			fmt.Fprintf(w, "; %s %.1f", l.Loop, l.GFLOPS)
		}
	}
	fmt.Fprintln(w, ")")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kernel\timpl\tbatch\thidden\tdensity\tnnz\tus/call\tGFLOP/s\tpeak%\t")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%g\t%d\t%.1f\t%.2f\t%.1f\t\n",
			r.Kernel, r.Impl, r.Batch, r.Hidden, r.Density, r.Nnz, r.Seconds*1e6, r.GFLOPS, 100*r.PeakFraction)
	}
	return tw.Flush()
}
