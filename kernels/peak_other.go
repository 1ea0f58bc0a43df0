//go:build !amd64 || purego || noasm

package kernels

func asmPeakLoops() []PeakLoop { return nil }
