package kernels

import (
	"fmt"
	"os"
)

// available lists the implementations this CPU can run, best first. The
// assembly implementations add themselves from build-tagged files.
var available = []*Impl{Generic}

// Names lists every implementation's name on any machine (All has those
// this one runs).
func Names() []string { return []string{"generic", "avx2", "avx512"} }

// All returns every implementation usable on this machine, best first.
func All() []*Impl { return append([]*Impl(nil), available...) }

// Get returns the implementation with the given name ("generic", "avx2", "avx512").
func Get(name string) (*Impl, error) {
	for _, im := range available {
		if im.Name == name {
			return im, nil
		}
	}
	names := make([]string, len(available))
	for i, im := range available {
		names[i] = im.Name
	}
	return nil, fmt.Errorf("kernels: implementation %q is not available on this machine (available: %v)", name, names)
}

// Default returns the implementation named by BIORNN_KERNELS, else the best one.
func Default() (*Impl, error) {
	if name := os.Getenv("BIORNN_KERNELS"); name != "" {
		return Get(name)
	}
	return available[0], nil
}
