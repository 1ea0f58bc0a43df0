package rnn

import (
	"runtime/debug"
	"testing"
)

// TestBuildVersion: a version given wins; else the module version; else the
// VCS revision, marked +dirty for a modified tree; "dev" only when nothing
// is known (this machine builds with -buildvcs=false, so the build
// information is given here rather than read).
func TestBuildVersion(t *testing.T) {
	const rev = "0ce13bd8f1e2a3b4c5d6e7f8091a2b3c4d5e6f70"
	info := func(version string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/biornn/biornn", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	for _, c := range []struct {
		name, set string
		bi        *debug.BuildInfo
		ok        bool
		want      string
	}{
		{"release", "v1.2.0", info("(devel)", "vcs.revision", rev), true, "v1.2.0"},
		{"go install", "", info("v1.1.0"), true, "v1.1.0"},
		{"stamped pseudo-version", "", info("v0.0.0-20260101120000-0ce13bd8f1e2+dirty", "vcs.revision", rev), true, "v0.0.0-20260101120000-0ce13bd8f1e2+dirty"},
		{"clean checkout", "", info("(devel)", "vcs", "git", "vcs.revision", rev, "vcs.modified", "false"), true, rev},
		{"modified checkout", "", info("(devel)", "vcs", "git", "vcs.revision", rev, "vcs.modified", "true"), true, rev + "+dirty"},
		{"empty module version", "", info("", "vcs.revision", rev), true, rev},
		{"no vcs", "", info("(devel)", "-buildvcs", "false"), true, "dev"},
		{"no build info", "", nil, false, "dev"},
	} {
		if got := buildVersion(c.set, c.bi, c.ok); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if got := BuildVersion("x"); got != "x" {
		t.Errorf("BuildVersion(%q) = %q", "x", got)
	}
	if BuildVersion("") == "" {
		t.Error(`BuildVersion("") is empty`)
	}
}
