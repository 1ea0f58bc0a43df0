package kbench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// WriteJSON writes the records as one JSON array.
func WriteJSON(w io.Writer, recs []Record) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if recs == nil {
		recs = []Record{}
	}
	return enc.Encode(recs)
}

// WriteParquet writes the records to path as a zstd-compressed Parquet file
// (one row per record, the columns of Record). The file is written under a
// temporary name in the same folder and renamed when complete.
func WriteParquet(path string, recs []Record) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("kbench: writing %s: %w", path, err)
	}
	tmp := f.Name()
	err = parquet.Write(f, recs, parquet.Compression(&zstd.Codec{}))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("kbench: writing %s: %w", path, err)
	}
	return nil
}

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
