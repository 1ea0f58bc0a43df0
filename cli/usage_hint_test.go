package cli

import (
	"strings"
	"testing"
)

// A usage error's hint names the full command as typed, subcommands
// included ('biornn bench kernels --help', not 'biornn kernels --help').
func TestUsageHintNamesFullCommand(t *testing.T) {
	for _, c := range []struct {
		args []string
		hint string
	}{
		{[]string{"bench", "kernels", "--bogus"}, "(see 'biornn bench kernels --help')"},
		{[]string{"bench", "train", "--bogus"}, "(see 'biornn bench train --help')"},
		{[]string{"bench", "kernels", "--hidden", "x"}, "(see 'biornn bench kernels --help')"},
		{[]string{"bench", "--bogus"}, "(see 'biornn bench --help')"},
		{[]string{"data", "fetch", "--bogus"}, "(see 'biornn data fetch --help')"},
		{[]string{"connectome", "show", "--bogus"}, "(see 'biornn connectome show --help')"},
		{[]string{"train", "--bogus"}, "(see 'biornn train --help')"},
		{[]string{"--bogus"}, "(see 'biornn --help')"},
	} {
		_, _, err := run(t, c.args...)
		if err == nil || ExitCode(err) != ExitUsage || !strings.HasSuffix(err.Error(), c.hint) {
			t.Errorf("biornn %s: err %v (exit %d), want a usage error ending in %s", strings.Join(c.args, " "), err, ExitCode(err), c.hint)
		}
	}
}

// An unknown command or subcommand is a usage error (exit 2, the README's
// code for a bad command line), not urfave/cli's exit 3.
func TestUnknownCommandIsUsageError(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"nonesuch"}, `unknown command "nonesuch" (see 'biornn --help')`},
		{[]string{"--data-dir", t.TempDir(), "nonesuch"}, `unknown command "nonesuch"`},
		{[]string{"bench", "nonesuch"}, `bench: unknown command "nonesuch" (see 'biornn bench --help')`},
		{[]string{"data", "nonesuch"}, `data: unknown command "nonesuch" (see 'biornn data --help')`},
		{[]string{"help", "nonesuch"}, "nonesuch"},
		{[]string{"bench", "help", "nonesuch"}, "nonesuch"},
	} {
		_, _, err := run(t, c.args...)
		if err == nil || ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), c.want) {
			t.Errorf("biornn %s: err %v (exit %d), want exit %d and %q", strings.Join(c.args, " "), err, ExitCode(err), ExitUsage, c.want)
		}
	}
	// Without a subcommand, the app and a command group print their help.
	for _, args := range [][]string{nil, {"bench"}, {"data"}} {
		out, _, err := run(t, args...)
		if err != nil || !strings.Contains(out, "COMMANDS:") {
			t.Errorf("biornn %s: err %v, output %q; want the help", strings.Join(args, " "), err, out)
		}
	}
}
