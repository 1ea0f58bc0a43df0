//go:build !unix

package trainbench

// processCPUSeconds is not measured on this platform: 0 (JSON cannot hold NaN).
func processCPUSeconds() float64 { return 0 }
