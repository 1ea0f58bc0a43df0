package rnn

import "runtime/debug"

// BuildVersion is the biornn version to record with a run: set when not
// empty (a release build sets its package's Version variable with -ldflags
// -X), else the main module's version from the build information (a binary
// built by `go install module@version`, or a build that stamped it from
// version control), else the VCS revision the binary was built from (with
// "+dirty" when the working tree had changes), else "dev" (a build with
// -buildvcs=false outside a release). The CLI and the C library use the same
// rule, so their runs record comparable versions.
func BuildVersion(set string) string {
	bi, ok := debug.ReadBuildInfo()
	return buildVersion(set, bi, ok)
}

// buildVersion is BuildVersion on given build information (ok = false:
// none is available).
func buildVersion(set string, bi *debug.BuildInfo, ok bool) string {
	if set != "" {
		return set
	}
	if !ok || bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "dev"
	}
	if modified == "true" {
		rev += "+dirty"
	}
	return rev
}
