//go:build unix

package trainbench

import "syscall"

// processCPUSeconds returns the user+system CPU time of the whole process so
// far. On a machine shared with other work an epoch's CPU time stays close
// to what it would be alone, while its wall time grows with the load.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
