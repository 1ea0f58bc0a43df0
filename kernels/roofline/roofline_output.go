package roofline

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
)

// WriteMachine prints the machine's measured figures.
func WriteMachine(w io.Writer, m Machine) error {
	fmt.Fprintf(w, "machine: %s (cpuid family %#x model %#x), %d cores, L1D %d KiB, L2 %d KiB, L3 %d MiB\n",
		m.CPU, m.Family, m.Model, m.Cores, m.L1D>>10, m.L2>>10, m.L3>>20)
	fmt.Fprintf(w, "one-core FP32 FMA peak: %.1f GFLOP/s (%s loop)\n", m.PeakGFLOPS, m.PeakLoop)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "read bandwidth\tthreads\tworking set\tGB/s\tbest probe\tprobes (GB/s)\t")
	for _, b := range m.Bandwidth {
		names := make([]string, 0, len(b.Probes))
		for n := range b.Probes {
			names = append(names, n)
		}
		sort.Strings(names)
		probes := ""
		for i, n := range names {
			if i > 0 {
				probes += " "
			}
			probes += fmt.Sprintf("%s %.0f", n, b.Probes[n])
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.1f\t%s\t%s\t\n", b.Level, b.Threads, human(float64(b.Bytes)), b.GBs, b.Probe, probes)
	}
	return tw.Flush()
}

// WriteTable prints the machine and one line per record.
func WriteTable(w io.Writer, m Machine, recs []Record) error {
	if err := WriteMachine(w, m); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kernel\tsize\tthreads\tworking set\tlevel\tGFLOP/s\tGB/s\tbound\tbound us\tachieved us\tshare\t")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%.1f\t%.1f\t%s\t%.2f\t%.2f\t%.2f\t\n",
			r.Kernel, r.Size, r.Threads, human(r.WorkingSet), r.Level, r.GFLOPS, r.GBs, r.Bound,
			r.BoundSec*1e6, r.Seconds*1e6, r.Share)
	}
	return tw.Flush()
}

// human prints a byte count in KiB, MiB or GiB.
func human(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1fG", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1fM", b/(1<<20))
	default:
		return fmt.Sprintf("%.0fK", b/(1<<10))
	}
}
