package capi

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSetEnv: SetEnv changes what the library reads (BIORNN_DATA when a
// connectome is loaded, BIORNN_KERNELS for the default kernels); names the
// library does not read are refused.
func TestSetEnv(t *testing.T) {
	t.Setenv("BIORNN_DATA", "") // restored after the test
	t.Setenv("BIORNN_KERNELS", "")
	if strings.Join(EnvNames, ",") != "BIORNN_DATA,BIORNN_MNIST,BIORNN_KERNELS" {
		t.Fatalf("EnvNames = %v", EnvNames)
	}
	for _, name := range []string{"BIORNN_NOPE", "PATH", ""} {
		if err := SetEnv(name, "x", false); StatusOf(err) != ErrInvalid || !strings.Contains(err.Error(), "BIORNN_DATA, BIORNN_MNIST, BIORNN_KERNELS") {
			t.Errorf("SetEnv(%q): %v, want ErrInvalid listing the names", name, err)
		}
		if _, _, err := GetEnv(name); StatusOf(err) != ErrInvalid {
			t.Errorf("GetEnv(%q): %v, want ErrInvalid", name, err)
		}
	}

	missing := filepath.Join(t.TempDir(), "no-such-folder")
	if err := SetEnv("BIORNN_DATA", missing, false); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := GetEnv("BIORNN_DATA"); v != missing || !ok || err != nil {
		t.Errorf("GetEnv(BIORNN_DATA) = %q, %v, %v; want %q", v, ok, err, missing)
	}
	if _, err := NewConnectomeNetwork("macaque", "neurons=1"); StatusOf(err) != ErrIO || !strings.Contains(err.Error(), "no-such-folder") || !strings.Contains(err.Error(), "BIORNN_DATA") {
		t.Errorf("with BIORNN_DATA=%s: %v, want ErrIO naming the folder and BIORNN_DATA", missing, err)
	}
	if err := SetEnv("BIORNN_DATA", "", true); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := GetEnv("BIORNN_DATA"); ok {
		t.Error("BIORNN_DATA still set after unset")
	}
	h, err := NewConnectomeNetwork("macaque", "neurons=1")
	if err != nil {
		t.Fatalf("after unsetting BIORNN_DATA: %v", err)
	}
	Free(h)

	if err := SetEnv("BIORNN_KERNELS", "generic", false); err != nil {
		t.Fatal(err)
	}
	if k, err := DefaultKernel(); k != "generic" || err != nil {
		t.Errorf("with BIORNN_KERNELS=generic the default kernels are %q, %v", k, err)
	}
	if err := SetEnv("BIORNN_KERNELS", "nonesuch", false); err != nil {
		t.Fatal(err)
	}
	if _, err := DefaultKernel(); err == nil || !strings.Contains(err.Error(), "nonesuch") {
		t.Errorf("with BIORNN_KERNELS=nonesuch: %v, want an error naming it", err)
	}
}
