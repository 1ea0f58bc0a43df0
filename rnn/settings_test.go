package rnn

import (
	"reflect"
	"strings"
	"testing"
)

// TestSettingsTable: every RunSpec field is exactly one setting, keys and
// aliases are unique snake_case, and every setting says what it is.
func TestSettingsTable(t *testing.T) {
	seen := map[string]bool{}
	fields := map[string]bool{}
	for _, s := range Settings() {
		for _, k := range append([]string{s.Key}, s.Aliases...) {
			if seen[k] {
				t.Errorf("key %q twice", k)
			}
			seen[k] = true
			if k != strings.ToLower(k) || strings.ContainsAny(k, "- ") {
				t.Errorf("key %q is not snake_case", k)
			}
		}
		if _, ok := reflect.TypeOf(RunSpec{}).FieldByName(s.Field); !ok || fields[s.Field] {
			t.Errorf("%s: field %q missing or used twice", s.Key, s.Field)
		}
		fields[s.Field] = true
		if s.Help == "" || s.Default == "" || s.Allowed() == "" {
			t.Errorf("%s: help %q, default %q, allowed %q", s.Key, s.Help, s.Default, s.Allowed())
		}
		_ = s.Kind() // panics on an unsupported type
		if s.Flag() != strings.ReplaceAll(s.Key, "_", "-") {
			t.Errorf("%s: flag %s", s.Key, s.Flag())
		}
	}
	rt := reflect.TypeOf(RunSpec{})
	for i := 0; i < rt.NumField(); i++ {
		if !fields[rt.Field(i).Name] {
			t.Errorf("RunSpec.%s is no setting", rt.Field(i).Name)
		}
	}
}

// TestSetRoundTrip: each default value, written by Format, reads back
// through Set to the same value.
func TestSetRoundTrip(t *testing.T) {
	def, err := Defaults(RunSpec{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings() {
		var got RunSpec
		if err := got.Set(s.Key, s.Format(def)); err != nil {
			t.Errorf("%s: %v", s.Key, err)
			continue
		}
		if s.Get(got) != s.Get(def) {
			t.Errorf("%s: %v read back as %v", s.Key, s.Get(def), s.Get(got))
		}
	}
}

// TestSetRejects: values out of range, of the wrong type or not in an
// enumeration are a *Problem naming the key, and leave the spec as it was.
func TestSetRejects(t *testing.T) {
	for _, c := range []struct{ key, text string }{
		{"momentum", "1.5"}, {"momentum", "-0.1"}, {"momentum", "1"},
		{"intrinsic_weight", "1.5"}, {"intrinsic_weight", "1"}, {"intrinsic_weight", "0"},
		{"target_sparsity", "0"}, {"target_sparsity", "2"}, {"intrinsic_sparsity", "-1"},
		{"weight_decay", "-1"}, {"weight_decay", "NaN"}, {"weight_decay", "Inf"},
		{"lr", "0"}, {"lr", "x"}, {"epochs", "0"}, {"epochs", "1.5"}, {"trials", "4"},
		{"seed", "-1"}, {"seed", "0"}, {"build_seed", "1e3"}, {"threads", "0"}, {"threads", "5000"},
		{"activation", "gelu"}, {"strategy", ""}, {"connectome", ""}, {"no_intrinsic", "maybe"},
		{"neurons_per_region", "0"}, {"density_fill", "mode"}, {"kernels", "cuda"},
	} {
		spec := RunSpec{Momentum: 0.5}
		before := spec
		err := spec.Set(c.key, c.text)
		p, ok := AsProblem(err)
		if !ok || p.Key != c.key || !strings.Contains(err.Error(), c.key) || p.Want == "" {
			t.Errorf("%s = %q: %v", c.key, c.text, err)
		}
		if spec != before {
			t.Errorf("%s = %q changed the spec", c.key, c.text)
		}
	}
	var spec RunSpec
	for _, c := range []struct{ key, text string }{
		{"momentum", "0.9"}, {"intrinsic_weight", "0.5"}, {"target_sparsity", "1"}, {"weight_decay", "0"},
		{"seed", "18446744073709551615"}, {"neurons", "3"}, {"null", "permute"}, {"density_fill", ""},
		{"no_intrinsic", "true"}, {"lr", "1e-4"},
	} {
		if err := spec.Set(c.key, c.text); err != nil {
			t.Errorf("%s = %q: %v", c.key, c.text, err)
		}
	}
	if spec.NeuronsPerRegion != 3 || spec.Strategy != "permute" || !spec.NoIntrinsic || spec.Seed != 1<<64-1 {
		t.Errorf("aliases or values not set: %+v", spec)
	}
	if _, ok := spec.Set("colour", "blue").(*UnknownKeyError); !ok {
		t.Error("an unknown key is not an *UnknownKeyError")
	}
}
