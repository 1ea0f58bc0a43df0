package capi

import (
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/biornn/biornn/connectome"
)

// EnvNames lists the environment variables the library reads: the data
// folder (connectome.DataEnv, read when a connectome is loaded), the MNIST
// latent folder of the picture task (connectome.MNISTEnv) and the kernel
// choice (read by kernels.Default when no kernels are named).
//
// The Go runtime copies the process environment once, when the library is
// loaded; setenv(3) or putenv(3) calls made later (also by Python's
// os.environ and R's Sys.setenv) change the C environment only, which the
// library never reads again. SetEnv is the way to reach the library's copy.
var EnvNames = []string{connectome.DataEnv, connectome.MNISTEnv, "BIORNN_KERNELS"}

// envMu serialises SetEnv: os.Setenv also calls setenv(3) in a cgo build,
// which must not run on two threads at once.
var envMu sync.Mutex

// SetEnv sets the environment variable name, one of EnvNames, for the
// library (as if the process had started with it); unset removes it. An
// empty value means the same as an unset variable to the library. Values
// are not checked here but where they are used, as at start-up (a data
// folder that does not exist is an error when a connectome is loaded).
func SetEnv(name, value string, unset bool) error {
	const where = "biornn_set_env"
	if !slices.Contains(EnvNames, name) {
		return errorf(ErrInvalid, "%s: %q is not an environment variable biornn reads (expected one of %s)", where, name, strings.Join(EnvNames, ", "))
	}
	envMu.Lock()
	defer envMu.Unlock()
	var err error
	if unset {
		err = os.Unsetenv(name)
	} else {
		err = os.Setenv(name, value)
	}
	if err != nil {
		return errorf(ErrInvalid, "%s: %s=%q: %v", where, name, value, err)
	}
	return nil
}

// GetEnv returns the library's value of the environment variable name (one
// of EnvNames) and whether it is set.
func GetEnv(name string) (string, bool, error) {
	if !slices.Contains(EnvNames, name) {
		return "", false, errorf(ErrInvalid, "biornn_get_env: %q is not an environment variable biornn reads (expected one of %s)", name, strings.Join(EnvNames, ", "))
	}
	v, ok := os.LookupEnv(name)
	return v, ok, nil
}
