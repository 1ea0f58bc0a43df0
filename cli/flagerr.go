package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"

	"github.com/biornn/biornn/rnn/sweep"
	ucli "github.com/urfave/cli/v2"
)

// flagError rewrites the trainer's "rnn: RunSpec.Field" in err into the flag
// of c's command that sets the field ("--connectome", "--neurons-file"), so
// that a command-line user reads the name they typed. The flag is the field
// in kebab case unless alias names it (field -> flag name). Fields without a
// flag on this command are left as they are.
func flagError(c *ucli.Context, err error, alias ...map[string]string) error {
	has := map[string]bool{}
	if c.Command != nil {
		for _, f := range c.Command.Flags {
			for _, n := range f.Names() {
				has[n] = true
			}
		}
	}
	renamed := sweep.RenameFields(err, func(field string) (string, bool) {
		name := kebab(field)
		if field == "NeuronsPerRegion" {
			name = "neurons"
		}
		for _, a := range alias {
			if n, ok := a[field]; ok {
				name = n
			}
		}
		return "--" + name, has[name]
	})
	if renamed == nil || renamed.Error() == err.Error() {
		return err // nothing renamed (comparing the errors could panic)
	}
	// "--lr = -1" reads as a command line without the " = ".
	return &flagErr{msg: flagAssignRE.ReplaceAllString(renamed.Error(), "$1 "), err: err}
}

var flagAssignRE = regexp.MustCompile(`(--[a-z0-9-]+) = `)

// flagErr is an error reworded for the command line; the original stays
// reachable for errors.Is and errors.As.
type flagErr struct {
	msg string
	err error
}

func (e *flagErr) Error() string { return e.msg }
func (e *flagErr) Unwrap() error { return e.err }

// configFlagError rewrites "pkg: Field" at the start of a benchmark
// package's error (kbench, trainbench name their Config fields) into the
// flag that sets the field, from flags (Config field -> flag name).
func configFlagError(err error, pkg string, flags map[string]string) error {
	msg := err.Error()
	rest, ok := strings.CutPrefix(msg, pkg+": ")
	if !ok {
		return err
	}
	for field, flag := range flags {
		if after, ok := strings.CutPrefix(rest, field); ok && (strings.HasPrefix(after, ":") || strings.HasPrefix(after, " =")) {
			return &flagErr{msg: "--" + flag + strings.TrimPrefix(after, " ="), err: err}
		}
	}
	return err
}

// kebab turns a Go field name into a flag name: NeuronsFile -> neurons-file,
// NBack -> n-back, MNISTDir -> mnist-dir, LR -> lr.
func kebab(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prevLower := unicode.IsLower(r[i-1])
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if prevLower || (unicode.IsUpper(r[i-1]) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
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
