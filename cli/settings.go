package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/biornn/biornn/rnn"
	ucli "github.com/urfave/cli/v2"
)

// settingFlags returns a flag for every setting keep accepts, from the
// settings table: the key in kebab case, its help, allowed values and
// default. Values are read as text and go through (*rnn.RunSpec).Set, as
// in sweep files and the C API.
func settingFlags(keep func(*rnn.Setting) bool) []ucli.Flag {
	var flags []ucli.Flag
	for _, s := range rnn.Settings() {
		if !keep(s) {
			continue
		}
		usage := s.Help + " (" + s.Allowed() + ")"
		var aliases []string
		for _, a := range s.Aliases {
			aliases = append(aliases, kebabKey(a))
		}
		var env []string
		if s.Key == "mnist_dir" {
			env = []string{"BIORNN_MNIST"}
		}
		if s.Kind() == "bool" {
			flags = append(flags, &ucli.BoolFlag{Name: s.Flag(), Aliases: aliases, Usage: s.Help})
			continue
		}
		flags = append(flags, &ucli.StringFlag{Name: s.Flag(), Aliases: aliases, Usage: usage, DefaultText: s.Default, EnvVars: env})
	}
	return flags
}

// applySettingFlags sets every setting flag given on the command line (or,
// for --data-dir and --kernels, globally) into spec.
func applySettingFlags(c *ucli.Context, spec *rnn.RunSpec, keep func(*rnn.Setting) bool) error {
	for _, s := range rnn.Settings() {
		if !keep(s) {
			continue
		}
		text, set := "", false
		for _, cc := range c.Lineage() {
			if cc.IsSet(s.Flag()) {
				text, set = cc.String(s.Flag()), true
				if s.Kind() == "bool" {
					text = fmt.Sprint(cc.Bool(s.Flag()))
				}
				break
			}
		}
		if !set {
			continue
		}
		if err := spec.Set(s.Key, text); err != nil {
			return &UsageError{Err: settingError(err)}
		}
	}
	return nil
}

// settingError names a setting by its flag: "--lr -1: expected ...".
func settingError(err error) error {
	p, ok := rnn.AsProblem(err)
	if !ok {
		return err
	}
	s, ok := rnn.LookupSetting(p.Key)
	if !ok {
		return err
	}
	return &flagErr{msg: flagProblem(s.Flag(), p), err: err}
}

// flagProblem is p as a command line reads: "--lr -1: expected ...".
func flagProblem(flag string, p *rnn.Problem) string {
	msg := "--" + flag
	if p.Value != "" {
		msg += " " + p.Value
	}
	if p.Want != "" {
		msg += ": expected " + p.Want
	}
	if p.Err != nil {
		msg += ": " + p.Err.Error()
	}
	return msg
}

// flagErr is an error reworded for the command line; the original stays
// reachable for errors.Is and errors.As.
type flagErr struct {
	msg string
	err error
}

func (e *flagErr) Error() string { return e.msg }
func (e *flagErr) Unwrap() error { return e.err }

// kebabKey is a key written as a flag name.
func kebabKey(key string) string {
	out := []byte(key)
	for i, b := range out {
		if b == '_' {
			out[i] = '-'
		}
	}
	return string(out)
}

// settingRecord is one setting as 'biornn settings --json' prints it.
type settingRecord struct {
	Key     string   `json:"key"`
	Flag    string   `json:"flag"`
	Group   string   `json:"group"`
	Type    string   `json:"type"`
	Default string   `json:"default"`
	Allowed string   `json:"allowed"`
	Values  []string `json:"values,omitempty"`
	Help    string   `json:"help"`
	Aliases []string `json:"aliases,omitempty"`
}

func settingsCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "settings",
		Usage: "list every run setting: key, group, default, allowed values, help",
		Description: "The same keys are the train flags (in kebab case), the keys of sweep files ([grid] and [fixed]),\n" +
			"the C API's options, the Python and R arguments, and the columns of the runs table.",
		Flags: []ucli.Flag{&ucli.BoolFlag{Name: "json", Usage: "print a JSON list of {key, group, default, allowed, help, ...}"}},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usagef("settings takes no arguments (got %q)", c.Args().Slice())
			}
			var recs []settingRecord
			for _, s := range rnn.Settings() {
				recs = append(recs, settingRecord{Key: s.Key, Flag: "--" + s.Flag(), Group: string(s.Group), Type: s.Kind(),
					Default: s.Default, Allowed: s.Allowed(), Values: s.Values(), Help: s.Help, Aliases: s.Aliases})
			}
			if c.Bool("json") {
				enc := json.NewEncoder(stdout(c))
				enc.SetIndent("", "  ")
				return enc.Encode(recs)
			}
			tw := tabwriter.NewWriter(stdout(c), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "key\tgroup\tdefault\tallowed\thelp")
			for _, r := range recs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Key, r.Group, r.Default, r.Allowed, r.Help)
			}
			return tw.Flush()
		},
	}
}
