package capi

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/biornn/biornn/rnn"
)

// options is one parsed options string "key=value;key=value". It is the one
// way every C API call takes optional settings: a plain C string is equally
// easy to build from C, ctypes and R, and new keys never change the ABI.
//
// Getters record the first conversion error; call err() once at the end.
type options struct {
	where string // the C function, for messages
	vals  map[string]string
	first error
}

// parseOptions splits s at ';' (or newlines) into key=value pairs. Keys are
// case-sensitive snake_case; surrounding blanks are ignored; an empty s means
// no options. Unknown keys, duplicates and items without '=' are errors that
// name the key and list the known ones.
func parseOptions(where, s string, known ...string) (*options, error) {
	o := &options{where: where, vals: map[string]string{}}
	isKnown := map[string]bool{}
	for _, k := range known {
		isKnown[k] = true
	}
	items := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' })
	for _, item := range items {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return nil, errorf(ErrInvalid, "%s: options: expected key=value, got %q", where, item)
		}
		if !isKnown[k] {
			sorted := append([]string(nil), known...)
			sort.Strings(sorted)
			return nil, errorf(ErrInvalid, "%s: options: unknown key %q (known keys: %s)", where, k, strings.Join(sorted, ", "))
		}
		if _, dup := o.vals[k]; dup {
			return nil, errorf(ErrInvalid, "%s: options: key %q given twice", where, k)
		}
		o.vals[k] = v
	}
	return o, nil
}

func (o *options) has(key string) bool { _, ok := o.vals[key]; return ok }

func (o *options) fail(key, want, got string) {
	if o.first == nil {
		o.first = errorf(ErrInvalid, "%s: option %q: expected %s, got %q", o.where, key, want, got)
	}
}

func (o *options) err() error { return o.first }

func (o *options) str(key, def string) string {
	if v, ok := o.vals[key]; ok {
		return v
	}
	return def
}

// oneOf returns the value of key, which must be one of allowed.
func (o *options) oneOf(key, def string, allowed ...string) string {
	v := o.str(key, def)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	o.fail(key, "one of "+strings.Join(allowed, ", "), v)
	return def
}

// parsed returns the value of key converted by parse, def when the key is
// absent or the value does not parse (then the first failure is recorded,
// want saying what was expected).
func parsed[T any](o *options, key string, def T, want string, parse func(string) (T, bool)) T {
	v, ok := o.vals[key]
	if !ok {
		return def
	}
	x, ok := parse(v)
	if !ok {
		o.fail(key, want, v)
		return def
	}
	return x
}

func (o *options) int(key string, def int) int {
	return parsed(o, key, def, "an integer", func(v string) (int, bool) {
		n, err := strconv.Atoi(v)
		return n, err == nil
	})
}

func (o *options) float(key string, def float64) float64 {
	return parsed(o, key, def, "a finite number", func(v string) (float64, bool) {
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	})
}

func (o *options) bool(key string, def bool) bool {
	return parsed(o, key, def, "a boolean (true/false, 1/0)", func(v string) (bool, bool) {
		switch strings.ToLower(v) {
		case "1", "true", "yes", "on":
			return true, true
		case "0", "false", "no", "off":
			return false, true
		}
		return false, false
	})
}

// settingKeys lists the keys (and aliases) of the settings keep accepts.
func settingKeys(keep func(*rnn.Setting) bool) []string {
	var out []string
	for _, s := range rnn.Settings() {
		if keep(s) {
			out = append(out, s.Key)
			out = append(out, s.Aliases...)
		}
	}
	return out
}

// setInto sets every option that is a setting keep accepts into spec,
// through rnn's one text-to-value function; the other options stay for
// the caller's getters.
func (o *options) setInto(spec *rnn.RunSpec, keep func(*rnn.Setting) bool) error {
	keys := make([]string, 0, len(o.vals))
	for k := range o.vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)           // the first error is the same on every call
	given := map[string]string{} // setting key -> the option key that set it
	for _, k := range keys {
		if s, ok := rnn.LookupSetting(k); ok && keep(s) {
			if prev, dup := given[s.Key]; dup {
				return errorf(ErrInvalid, "%s: options %q and %q are the same setting; give one", o.where, prev, k)
			}
			given[s.Key] = k
			if err := spec.Set(k, o.vals[k]); err != nil {
				return specError(o.where, err)
			}
		}
	}
	return nil
}

// specError names a setting the C caller wrote as `option "key"`.
func specError(where string, err error) error {
	if p, ok := rnn.AsProblem(err); ok {
		return wrap(ErrInvalid, &renamedErr{msg: where + ": " + p.Describe(`option "`+p.Key+`"`), err: err})
	}
	return errorf(ErrInvalid, "%s: %v", where, err)
}

// renamedErr is an error whose message names the option key; the original
// stays reachable for errors.As (wrap's *fs.PathError check).
type renamedErr struct {
	msg string
	err error
}

func (e *renamedErr) Error() string { return e.msg }
func (e *renamedErr) Unwrap() error { return e.err }
