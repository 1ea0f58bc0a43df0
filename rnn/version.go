package rnn

import "runtime/debug"

// BuildVersion is the biornn version to record with a run: set when not
// empty (a release build sets its package's Version variable with -ldflags
// -X), else the main module's version from the build information (a binary
// built by `go install module@version`), else "dev". The CLI and the C
// library use the same rule, so their runs record comparable versions.
func BuildVersion(set string) string {
	if set != "" {
		return set
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
