package trainbench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable prints the records as an aligned text table: per-epoch
// milliseconds for paper records, and the time per unit of work for scaling
// records.
func WriteTable(w io.Writer, recs []Record) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	scaling := len(recs) > 0 && recs[0].Mode == ModeScaling
	if scaling {
		fmt.Fprintln(tw, "network\tper region\tneurons\tconnections\tdensity\timpl\tpath\tthreads\ts/epoch\tcpu s\tns/(conn*step*trial)\tcpu ns/unit\tfinal val loss\t")
	} else {
		fmt.Fprintln(tw, "network\tneurons\tconnections\timpl\tpath\tthreads\tms/epoch\tmin ms\tcpu ms\tGFLOP/s\tallocs/epoch\tfinal val loss\t")
	}
	for _, r := range recs {
		if scaling {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.4f\t%s\t%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.5f\t\n",
				r.Network, r.NeuronsPerRegion, r.Neurons, r.Connections, r.Density, r.Impl, r.Path, r.Threads,
				r.EpochSeconds, r.CPUSeconds, r.NsPerUnit, r.CPUNsPerUnit, r.FinalValLoss)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%.2f\t%.2f\t%.2f\t%.1f\t%d\t%.5f\t\n",
			r.Network, r.Neurons, r.Connections, r.Impl, r.Path, r.Threads,
			1e3*r.EpochSeconds, 1e3*r.MinSeconds, 1e3*r.CPUSeconds, r.GFLOPS, r.AllocsPerEpoch, r.FinalValLoss)
	}
	return tw.Flush()
}
