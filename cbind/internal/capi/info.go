package capi

import (
	"strings"
	"sync"

	"github.com/biornn/biornn/kernels"
)

// ABIVersion is the C ABI version (BIORNN_ABI_VERSION in biornn.h). It changes
// only when an existing function's signature or meaning changes.
const ABIVersion = 1

// process-wide defaults set by biornn_set_kernels / biornn_set_threads and
// used by every later call that does not name its own.
var (
	defMu      sync.Mutex
	defKernels = "" // "" = kernels.Default()
	defThreads = 1
)

// KernelNames lists the kernel implementations usable on this CPU, best first.
func KernelNames() []string {
	var names []string
	for _, im := range kernels.All() {
		names = append(names, im.Name)
	}
	return names
}

// DefaultKernel returns the name of the implementation used when none is set:
// biornn_set_kernels' choice, else BIORNN_KERNELS, else the best one.
func DefaultKernel() (string, error) {
	defMu.Lock()
	name := defKernels
	defMu.Unlock()
	if name != "" {
		return name, nil
	}
	im, err := kernels.Default()
	if err != nil {
		return "", wrap(ErrInvalid, err)
	}
	return im.Name, nil
}

// SetKernels selects the kernel implementation for later calls ("" or
// "default" resets to the automatic choice).
func SetKernels(name string) error {
	name = strings.TrimSpace(name)
	if name == "default" {
		name = ""
	}
	if name != "" {
		if _, err := kernels.Get(name); err != nil {
			return errorf(ErrInvalid, "biornn_set_kernels: %v", err)
		}
	}
	defMu.Lock()
	defKernels = name
	defMu.Unlock()
	return nil
}

// SetThreads sets the worker-thread count for later training calls (>= 1).
func SetThreads(n int) error {
	if n < 1 || n > 4096 {
		return errorf(ErrInvalid, "biornn_set_threads: expected a thread count in 1..4096, got %d", n)
	}
	defMu.Lock()
	defThreads = n
	defMu.Unlock()
	return nil
}

// Threads returns the thread count set by SetThreads (1 by default).
func Threads() int {
	defMu.Lock()
	defer defMu.Unlock()
	return defThreads
}

// kernelsFor returns the implementation named by opt, else the default.
func kernelsFor(where, opt string) (*kernels.Impl, error) {
	if opt == "" {
		var err error
		if opt, err = DefaultKernel(); err != nil {
			return nil, err
		}
	}
	im, err := kernels.Get(opt)
	if err != nil {
		return nil, errorf(ErrInvalid, "%s: option \"kernels\": %v", where, err)
	}
	return im, nil
}
