package trainbench

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/biornn/biornn/kernels"
	"github.com/biornn/biornn/rnn"
)

// BenchmarkEpoch runs b.N training epochs of each paper network, kernel set
// and path through rnn.Run, so `go test -bench Epoch -cpuprofile` profiles
// the epoch loop (the one-off build and epoch 0 are amortised over b.N).
// It reports the median ms per epoch and heap allocations per epoch.
//
//	go test ./rnn/trainbench -run '^$' -bench 'Epoch/macaque/avx512/sparse' -benchtime 200x -cpuprofile cpu.out
func BenchmarkEpoch(b *testing.B) {
	if !fileExists(filepath.Join(dataDir, PaperNetworks[0].File)) {
		b.Fatalf("connectome files not found under %s", dataDir)
	}
	cfg, err := Config{DataDir: dataDir}.withDefaults()
	if err != nil {
		b.Fatal(err)
	}
	for _, nw := range PaperNetworks {
		_, arg := connectomeArg(nw.Name, dataDir)
		for _, im := range kernels.All() {
			for _, path := range Paths {
				b.Run(nw.Name+"/"+im.Name+"/"+string(path), func(b *testing.B) {
					spec := cfg.paperSpec(arg)
					spec.Kernels, spec.Path, spec.Epochs = im.Name, path, b.N
					var secs []float64
					b.ReportAllocs()
					b.ResetTimer()
					res, err := rnn.Run(context.Background(), spec, func(e rnn.EpochRecord) {
						if e.Epoch > 0 {
							secs = append(secs, e.Seconds)
						}
					})
					b.StopTimer()
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(1e3*median(secs), "ms/epoch")
					b.ReportMetric(float64(res.Connections), "connections")
				})
			}
		}
	}
}
