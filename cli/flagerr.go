package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/biornn/biornn/kernels/kbench"
	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/trainbench"
)

// benchFieldError names the flag of a benchmark Config field at fault
// (flags: field -> flag name), or of a run setting (settingError, with keys
// -> this command's flag names in keyFlags).
func benchFieldError(err error, flags map[string]string, keyFlags map[string]string) error {
	var kf *kbench.FieldError
	var tf *trainbench.FieldError
	field, cause := "", error(nil)
	switch {
	case errors.As(err, &kf):
		field, cause = kf.Field, kf.Err
	case errors.As(err, &tf):
		field, cause = tf.Field, tf.Err
	}
	if flag, ok := flags[field]; ok {
		msg := cause.Error()
		return &flagErr{msg: "--" + flag + ": " + strings.TrimPrefix(msg, "= "), err: err}
	}
	if p, ok := rnn.AsProblem(err); ok {
		if flag, ok := keyFlags[p.Key]; ok {
			return &flagErr{msg: flagProblem(flag, p), err: err}
		}
		return settingError(err)
	}
	return err
}

// checkOutFile fails early, before any work, when a file flag's folder does
// not exist or is not a folder: a benchmark or a build should not run for
// minutes and then fail to write.
func checkOutFile(flag, path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usagef("--%s %s: folder %s does not exist (create it first)", flag, path, dir)
	case err != nil:
		return fmt.Errorf("--%s %s: %w", flag, path, err)
	case !st.IsDir():
		return usagef("--%s %s: %s is not a folder", flag, path, dir)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usagef("--%s %s: is a folder, expected a file name", flag, path)
	}
	return nil
}
