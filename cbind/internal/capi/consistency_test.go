package capi

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/biornn/biornn/cli"
	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/sweep"
)

// badValue returns a text the settings table rejects for s, and what it
// says is expected.
func badValue(s *rnn.Setting) (text, want string, ok bool) {
	for _, c := range []string{"nonesuch", "-1", "0", "1.5", "2", "5000", "NaN", ""} {
		var spec rnn.RunSpec
		if err := spec.Set(s.Key, c); err != nil {
			p, _ := rnn.AsProblem(err)
			return c, p.Want, true
		}
	}
	return "", "", false
}

// tomlValue writes text as a TOML value: a number or boolean bare (as a
// user writes it), anything else quoted.
func tomlValue(text string) string {
	if _, err := strconv.ParseUint(text, 10, 64); err == nil {
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			return strconv.Quote(text) // TOML integers stop at 2^63-1
		}
	}
	if _, err := strconv.ParseFloat(text, 64); err == nil && text != "NaN" {
		return text
	}
	if text == "true" || text == "false" {
		return text
	}
	return strconv.Quote(text)
}

// runCLI runs the biornn command line in-process.
func runCLI(args ...string) error {
	app := cli.NewApp()
	app.Writer, app.ErrWriter = io.Discard, io.Discard
	return app.RunContext(context.Background(), append([]string{"biornn"}, args...))
}

// TestSettingsSameEverywhere: for every setting, a value out of range is
// rejected by the command line, a sweep file and the C API alike, each
// naming the setting its own way and saying the same thing is expected;
// an in-range value is accepted by all three. (The Python binding goes
// through the C API; cbind/python/tests checks it too.)
func TestSettingsSameEverywhere(t *testing.T) {
	tiny := map[string]string{"epochs": "1", "trials": "10", "batch_size": "5", "neurons_per_region": "1"}
	def, err := rnn.Defaults(rnn.RunSpec{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rnn.Settings() {
		bad, want, ok := badValue(s)
		if !ok {
			continue // any text is a value (a path, a seed that derives)
		}
		t.Run(s.Key, func(t *testing.T) {
			// Command line.
			err := runCLI("train", "--"+s.Flag()+"="+bad, "--quiet", "--out", t.TempDir())
			flagWant := want
			if s.Kind() == "bool" {
				flagWant = "invalid boolean value" // the flag parser's own words
			}
			if cli.ExitCode(err) != cli.ExitUsage || !strings.Contains(err.Error(), s.Flag()) || !strings.Contains(err.Error(), flagWant) {
				t.Errorf("CLI --%s %q: %v", s.Flag(), bad, err)
			}
			// Sweep file.
			_, err = sweep.Parse("t.toml", []byte("[fixed]\n"+s.Key+" = "+tomlValue(bad)+"\n"))
			if err == nil || !strings.Contains(err.Error(), "fixed."+s.Key) || !strings.Contains(err.Error(), want) {
				t.Errorf("sweep fixed.%s = %s: %v", s.Key, tomlValue(bad), err)
			}
			// C API.
			if s.Key != "connectome" { // the name argument there
				_, err = NewConnectomeNetwork("macaque", s.Key+"="+bad)
				if StatusOf(err) != ErrInvalid || !strings.Contains(err.Error(), `option "`+s.Key+`"`) || !strings.Contains(err.Error(), want) {
					t.Errorf("C API %s=%s: %v", s.Key, bad, err)
				}
			}

			// An in-range value is accepted by all three.
			good, ok := tiny[s.Key]
			if !ok {
				good = s.Format(def)
			}
			args := []string{"train", "--" + s.Flag() + "=" + good, "--quiet", "--out", t.TempDir()}
			for k, v := range tiny {
				if k != s.Key {
					args = append(args, "--"+strings.ReplaceAll(k, "_", "-"), v)
				}
			}
			if err := runCLI(args...); err != nil {
				t.Errorf("CLI --%s %s: %v", s.Flag(), good, err)
			}
			if _, err := sweep.Parse("t.toml", []byte("[fixed]\n"+s.Key+" = "+tomlValue(good)+"\n")); err != nil {
				t.Errorf("sweep fixed.%s = %s: %v", s.Key, good, err)
			}
			if s.Key != "connectome" {
				h, err := NewConnectomeNetwork("macaque", s.Key+"="+good)
				if err != nil {
					t.Errorf("C API %s=%s: %v", s.Key, good, err)
				}
				Free(h)
			}
		})
	}
}
