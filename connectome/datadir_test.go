package connectome

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// requiredFiles lists the non-optional registered file names.
func requiredFiles() []string {
	var out []string
	for _, d := range DataSets() {
		for _, f := range d.Files {
			if !f.Optional {
				out = append(out, f.Name)
			}
		}
	}
	return out
}

// serveShared serves bio2art's files (the built-in copies); corrupt names
// a file whose last byte is flipped. hits counts requests.
func serveShared(t *testing.T, corrupt string, hits *atomic.Int64) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		name := filepath.Base(r.URL.Path)
		b, err := os.ReadFile(filepath.Join(builtinDir, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if name == corrupt {
			b[len(b)-1] ^= 0xff
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestFetch(t *testing.T) {
	var hits atomic.Int64
	srv := serveShared(t, "", &hits)
	dir := filepath.Join(t.TempDir(), "cache", "connectomes")
	var log bytes.Buffer
	if err := Fetch(context.Background(), srv.URL+"/bio2art/connectomes", dir, &log); err != nil {
		t.Fatal(err)
	}
	want := requiredFiles()
	if got := listDir(t, dir); len(got) != len(want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	if int(hits.Load()) != len(want) {
		t.Errorf("%d requests for %d files", hits.Load(), len(want))
	}
	for _, s := range Status(dir) {
		if s.File.Optional {
			continue
		}
		if !s.Present || s.Err != nil {
			t.Errorf("%s: present %v, err %v", s.File.Name, s.Present, s.Err)
		}
	}
	for _, d := range DataSets() {
		if _, err := Load(d.Name, dir); err != nil {
			t.Errorf("load after fetch: %v", err)
		}
	}
	if !strings.Contains(log.String(), "C_Macaque_Normalized.npy") {
		t.Errorf("progress: %q", log.String())
	}
	// A second fetch finds everything in place and downloads nothing.
	hits.Store(0)
	if err := Fetch(context.Background(), srv.URL+"/", dir, nil); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 0 {
		t.Errorf("second fetch made %d requests", hits.Load())
	}
}

func TestFetchCorruptWritesNothing(t *testing.T) {
	var hits atomic.Int64
	srv := serveShared(t, "Names_Mouse_Ypma_Oh.lst", &hits)
	dir := t.TempDir()
	err := Fetch(context.Background(), srv.URL, dir, nil)
	if err == nil || !strings.Contains(err.Error(), "Names_Mouse_Ypma_Oh.lst") || !strings.Contains(err.Error(), "SHA-256 mismatch") {
		t.Fatalf("got %v", err)
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("files left behind: %v", got)
	}
}

func TestFetchHTTPErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "d")
	err := Fetch(context.Background(), srv.URL, dir, nil)
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Error("data folder created although nothing was fetched")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var hits atomic.Int64
	if err := Fetch(ctx, serveShared(t, "", &hits).URL, dir, nil); err == nil {
		t.Error("cancelled fetch succeeded")
	}
	if DefaultBaseURL != "https://raw.githubusercontent.com/AlGoulas/bio2art/e46de2b7cb9b4063cb7b3728ef9d1b709be78c79/bio2art/connectomes/" {
		t.Errorf("DefaultBaseURL %s", DefaultBaseURL)
	}
}

func TestImport(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "data")
	if err := Import(builtinDir, dst); err != nil {
		t.Fatal(err)
	}
	got := listDir(t, dst)
	if len(got) != len(requiredFiles()) {
		t.Errorf("imported %v", got)
	}
	for _, s := range Status(dst) {
		if s.File.Optional {
			continue
		}
		if !s.Present || s.Err != nil {
			t.Errorf("%s: present %v, err %v", s.File.Name, s.Present, s.Err)
		}
	}
	if err := Import(filepath.Join(dst, "nope"), t.TempDir()); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing source: %v", err)
	}
	if err := Import(filepath.Join(dst, "C_Drosophila.npy"), t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("file as source: %v", err)
	}
	// Importing into itself only validates.
	if err := Import(dst, dst); err != nil {
		t.Error(err)
	}

	// An incomplete folder is refused and nothing is copied.
	src := copyShared(t, "C_Drosophila.npy", "Names_Drosophila.lst")
	empty := filepath.Join(t.TempDir(), "empty")
	err := Import(src, empty)
	if err == nil || !strings.Contains(err.Error(), "C_Macaque_Normalized.npy") {
		t.Errorf("incomplete: %v", err)
	}
	if len(listDir(t, empty)) != 0 {
		t.Error("incomplete import copied files")
	}

	// A corrupted file is refused and nothing is copied.
	src = copyShared(t, requiredFiles()...)
	p := filepath.Join(src, "ND_Marmoset_Normalized.npy")
	b, _ := os.ReadFile(p)
	b[200] ^= 1
	os.WriteFile(p, b, 0o644)
	err = Import(src, empty)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("corrupt: %v", err)
	}
	if len(listDir(t, empty)) != 0 {
		t.Error("corrupt import copied files")
	}
}
