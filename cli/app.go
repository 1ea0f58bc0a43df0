// Package cli is biornn's command-line application (urfave/cli/v2). The
// binary's main (cli/biornn) only runs NewApp; keeping the app here lets the
// tests drive every command in-process with app.Run([]string{...}).
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/biornn/biornn/kernels"
	"github.com/biornn/biornn/rnn"
	ucli "github.com/urfave/cli/v2"
)

// Version is biornn's version, recorded with every run. Release builds set
// it with -ldflags "-X github.com/biornn/biornn/cli.Version=v1.2.3"; otherwise
// it comes from the module's build information.
var Version = ""

// version is the version recorded with runs: Version, else the module
// version of this build (the same rule as the C library's, see rnn.BuildVersion).
func version() string { return rnn.BuildVersion(Version) }

// Exit codes of the biornn binary.
const (
	ExitError = 1 // the command failed (bad data, failed runs, I/O errors)
	ExitUsage = 2 // the command line was wrong (unknown flag, missing argument)
)

// UsageError marks a mistake in the command line; main exits with ExitUsage.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// ExitCode returns the process exit code for an error returned by the app.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	var ec ucli.ExitCoder
	if errors.As(err, &ec) {
		// biornn itself returns no ExitCoder; urfave/cli's (exit 3 for an
		// unknown help topic, as in 'biornn help nonesuch') are command-line
		// mistakes, and the documented codes are 0, 1 and 2 only.
		if code := ec.ExitCode(); code == ExitError || code == ExitUsage {
			return code
		}
		return ExitUsage
	}
	return ExitError
}

func usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// Global flags.
var (
	dataDirFlag = &ucli.StringFlag{
		Name:    "data-dir",
		Usage:   "folder with the connectome data sets (default: $BIORNN_DATA, else the user cache folder; see 'biornn data path')",
		EnvVars: []string{"BIORNN_DATA"},
	}
	kernelsFlag = &ucli.StringFlag{
		Name:    "kernels",
		Usage:   "compute kernels: generic, avx2 or avx512 (default: $BIORNN_KERNELS, else the best this CPU runs)",
		EnvVars: []string{"BIORNN_KERNELS"},
	}
)

// NewApp returns the biornn application. stdout and stderr default to the
// process's; tests set app.Writer and app.ErrWriter.
func NewApp() *ucli.App {
	app := &ucli.App{
		Name:    "biornn",
		Usage:   "bio-instantiated recurrent neural networks: connectome-wired RNNs, trained and compared with random controls",
		Version: version(),
		Flags:   []ucli.Flag{dataDirFlag, kernelsFlag},
		Before: func(c *ucli.Context) error {
			if name := c.String("kernels"); name != "" {
				if _, err := kernels.Get(name); err != nil {
					return usagef("--kernels %s: %v", name, err)
				}
			}
			return nil
		},
		Commands: []*ucli.Command{
			settingsCommand(),
			buildCommand(),
			trainCommand(),
			sweepCommand(),
			reportCommand(),
			benchCommand(),
		},
		// Errors are returned to main (which prints them and picks the exit
		// code) instead of urfave's default os.Exit inside Run, so that tests
		// can run commands in-process.
		ExitErrHandler:       func(*ucli.Context, error) {},
		Action:               commandGroupAction,
		OnUsageError:         onUsageError,
		EnableBashCompletion: true,
		Writer:               os.Stdout,
		ErrWriter:            os.Stderr,
	}
	app.Commands = append(app.Commands, registryCommands()...)
	for _, c := range app.Commands {
		setUsageHandler(c)
	}
	return app
}

// setUsageHandler makes every usage error of c and its subcommands a
// UsageError naming the command, and gives a command group without an
// action of its own (bench, data) commandGroupAction.
func setUsageHandler(c *ucli.Command) {
	c.OnUsageError = onUsageError
	if len(c.Subcommands) > 0 && c.Action == nil {
		c.Action = commandGroupAction
	}
	for _, s := range c.Subcommands {
		setUsageHandler(s)
	}
}

// commandName is the full name of the running command, as typed:
// "biornn", "biornn train", "biornn bench kernels".
func commandName(c *ucli.Context) string {
	var names []string // innermost first; the last is the app's root command
	for _, cc := range c.Lineage() {
		if cc.Command != nil && cc.Command.Name != "" {
			names = append(names, cc.Command.Name)
		}
	}
	if n := len(names); n > 0 && names[n-1] == c.App.Name {
		names = names[:n-1]
	}
	name := "biornn"
	for i := len(names) - 1; i >= 0; i-- {
		name += " " + names[i]
	}
	return name
}

func onUsageError(c *ucli.Context, err error, _ bool) error {
	return &UsageError{Err: fmt.Errorf("%w (see '%s --help')", err, commandName(c))}
}

// commandGroupAction runs for the app and for a command group (bench,
// data) when no subcommand was named: without arguments it prints the help,
// and an argument that names no subcommand is a usage error (urfave/cli
// would answer "No help topic" with exit code 3).
func commandGroupAction(c *ucli.Context) error {
	if c.NArg() == 0 {
		if c.Command == nil || c.Command.Name == "" {
			return ucli.ShowAppHelp(c)
		}
		return ucli.ShowSubcommandHelp(c)
	}
	name := commandName(c)
	if group := strings.TrimPrefix(name, "biornn "); group != name {
		return usagef("%s: unknown command %q (see '%s --help')", group, c.Args().First(), name)
	}
	return usagef("unknown command %q (see '%s --help')", c.Args().First(), name)
}

// lookupString returns a string flag's value from the innermost command (or
// the app) where it was set, or from the environment, else "". Flags such as
// --data-dir and --kernels exist both globally and on commands; none has a
// default of its own. It never reads an unset flag: on 'bench' commands
// "kernels" is an alias of the list flag --impl, whose unset value is "[]".
func lookupString(c *ucli.Context, name string) string {
	for _, cc := range c.Lineage() {
		if cc.IsSet(name) {
			return cc.String(name)
		}
	}
	return ""
}

// rnnNames lists an enumeration's values as text.
func rnnNames[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

// typed converts a list of text into an enumeration's values (checked
// later by the package that uses them).
func typed[T ~string](in []string) []T {
	out := make([]T, len(in))
	for i, s := range in {
		out[i] = T(s)
	}
	return out
}

// splitList splits comma-separated entries of a string list flag, so that
// list flags take both --x a,b and --x a --x b.
func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, f := range strings.Split(s, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

// stdout and stderr of the running app.
func stdout(c *ucli.Context) io.Writer { return c.App.Writer }
func stderr(c *ucli.Context) io.Writer { return c.App.ErrWriter }
