package connectome

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var sharedMNIST = filepath.Join("..", "..", "shared", "mnist-latent")

// pinFixture makes the fixture's checksums the pinned ones for one test
// (the paper's file cannot be shipped) and returns its .pt and .npy bytes.
func pinFixture(t *testing.T, rows int) (pt, vec, lab []byte) {
	t.Helper()
	pt, _, _ = mnistLikePT(rows, MNISTLatentDim)
	vec, lab, err := ConvertMNISTTorch("fixture.pt", pt)
	if err != nil {
		t.Fatal(err)
	}
	old := [3]string{pinMNISTTorch, pinMNISTLatent, pinMNISTLabels}
	pinMNISTTorch, pinMNISTLatent, pinMNISTLabels = sha256Hex(pt), sha256Hex(vec), sha256Hex(lab)
	t.Cleanup(func() { pinMNISTTorch, pinMNISTLatent, pinMNISTLabels = old[0], old[1], old[2] })
	return pt, vec, lab
}

func ptServer(t *testing.T, pt []byte) (*httptest.Server, *int) {
	hits := new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*hits++
		if r.URL.Path != "/latent_mnist/"+MNISTTorchFile {
			http.NotFound(w, r)
			return
		}
		w.Write(pt)
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

func TestMNISTURL(t *testing.T) {
	want := "https://raw.githubusercontent.com/AlGoulas/bio_rnn_mem/5fb8fddd10749470d33866cb0d64466bca2ccade/latent_mnist/"
	if DefaultMNISTBaseURL != want {
		t.Errorf("DefaultMNISTBaseURL = %s, want %s", DefaultMNISTBaseURL, want)
	}
}

func TestFetchMNISTLatent(t *testing.T) {
	pt, vec, lab := pinFixture(t, 30)
	srv, hits := ptServer(t, pt)
	dir := filepath.Join(t.TempDir(), "data", MNISTDirName)
	var log bytes.Buffer
	if err := FetchMNISTLatent(context.Background(), srv.URL+"/latent_mnist", dir, &log); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{MNISTLatentFile: vec, MNISTLabelsFile: lab} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %v, equal %v", name, err, bytes.Equal(got, want))
		}
	}
	m, err := ReadMNISTLatent(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Labels) != 30 || len(m.Vectors) != 30*MNISTLatentDim || m.Labels[13] != 3 || m.Vectors[1] != 0.21875 {
		t.Errorf("read back %d labels, %d values", len(m.Labels), len(m.Vectors))
	}
	for _, s := range MNISTStatus(dir) {
		if !s.Present || s.Err != nil {
			t.Errorf("status %s: present %v, %v", s.Path, s.Present, s.Err)
		}
	}
	// Present and valid: no second download.
	if err := FetchMNISTLatent(context.Background(), srv.URL+"/latent_mnist/", dir, &log); err != nil || *hits != 1 {
		t.Errorf("second fetch: %v, %d downloads", err, *hits)
	}
	if !strings.Contains(log.String(), "already present") {
		t.Errorf("log: %s", log.String())
	}
}

// A download that does not match the pinned checksum, a server error, or
// a file that does not convert writes nothing.
func TestFetchMNISTLatentFailures(t *testing.T) {
	pt, _, _ := mnistLikePT(30, MNISTLatentDim)
	srv, _ := ptServer(t, pt) // pins unchanged: the fixture is not the paper's file
	dir := filepath.Join(t.TempDir(), MNISTDirName)
	err := FetchMNISTLatent(context.Background(), srv.URL+"/latent_mnist/", dir, nil)
	var ce *MNISTChecksumError
	if !errors.As(err, &ce) || ce.Expected != MNISTTorchSHA256 || ce.Actual != sha256Hex(pt) || !strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("unpinned download: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was created: %v", dir, err)
	}
	if err := FetchMNISTLatent(context.Background(), srv.URL+"/elsewhere/", dir, nil); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}
	// A .pt with the pinned checksum whose content is not two tensors.
	bad := writePT([]ptTensor{{storageType: "FloatStorage", key: "k", raw: f32raw(make([]float32, 50)), numel: 50, size: []int{1, 50}, stride: []int{50, 1}}})
	pinMNISTTorch = sha256Hex(bad)
	t.Cleanup(func() { pinMNISTTorch = MNISTTorchSHA256 })
	srv2, _ := ptServer(t, bad)
	if err := FetchMNISTLatent(context.Background(), srv2.URL+"/latent_mnist/", dir, nil); err == nil || !strings.Contains(err.Error(), "1 tensors, expected 2") {
		t.Errorf("one tensor: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was created: %v", dir, err)
	}
}

func TestImportMNISTLatent(t *testing.T) {
	pt, vec, lab := pinFixture(t, 20)
	src := t.TempDir()
	ptDir := t.TempDir()
	os.WriteFile(filepath.Join(src, MNISTLatentFile), vec, 0o644)
	os.WriteFile(filepath.Join(src, MNISTLabelsFile), lab, 0o644)
	os.WriteFile(filepath.Join(ptDir, MNISTTorchFile), pt, 0o644)
	for name, from := range map[string]string{"npy folder": src, "pt folder": ptDir, "pt file": filepath.Join(ptDir, MNISTTorchFile)} {
		dst := filepath.Join(t.TempDir(), MNISTDirName)
		if err := ImportMNISTLatent(from, dst); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := ReadMNISTLatent(dst); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Into itself: only validated.
	if err := ImportMNISTLatent(src, src); err != nil {
		t.Error(err)
	}
	// The same values saved with a header padded differently (older NumPy
	// padded to 16 bytes) import as numpy.save's form.
	oldStyle := func(descr string, shape string, data []byte) []byte {
		dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
		for (10+len(dict)+1)%16 != 0 {
			dict += " "
		}
		var b bytes.Buffer
		b.WriteString("\x93NUMPY\x01\x00")
		binary.Write(&b, binary.LittleEndian, uint16(len(dict)+1))
		b.WriteString(dict + "\n")
		b.Write(data)
		return b.Bytes()
	}
	odd := t.TempDir()
	os.WriteFile(filepath.Join(odd, MNISTLatentFile), oldStyle("<f4", "(20, 50)", vec[128:]), 0o644)
	os.WriteFile(filepath.Join(odd, MNISTLabelsFile), oldStyle("<i8", "(20,)", lab[128:]), 0o644)
	dst := t.TempDir()
	if err := ImportMNISTLatent(odd, dst); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dst, MNISTLatentFile)); !bytes.Equal(got, vec) {
		t.Error("re-encoded latents differ from numpy.save's form")
	}
}

func TestImportMNISTLatentFailures(t *testing.T) {
	_, vec, lab := pinFixture(t, 20)
	dst := filepath.Join(t.TempDir(), MNISTDirName)
	// Neither kind of file.
	err := ImportMNISTLatent(t.TempDir(), dst)
	if !errors.Is(err, ErrNoMNISTLatent) || !strings.Contains(err.Error(), "biornn data fetch mnist-latent") {
		t.Errorf("empty folder: %v", err)
	}
	// A flipped byte in the data.
	src := t.TempDir()
	bad := append([]byte(nil), vec...)
	bad[500] ^= 0x10
	os.WriteFile(filepath.Join(src, MNISTLatentFile), bad, 0o644)
	os.WriteFile(filepath.Join(src, MNISTLabelsFile), lab, 0o644)
	err = ImportMNISTLatent(src, dst)
	var ce *MNISTChecksumError
	if !errors.As(err, &ce) || ce.File != filepath.Join(src, MNISTLatentFile) || ce.Actual != sha256Hex(bad) || ce.Expected != pinMNISTLatent {
		t.Errorf("flipped byte: %v", err)
	}
	// Only one of the two files.
	os.Remove(filepath.Join(src, MNISTLabelsFile))
	if err := ImportMNISTLatent(src, dst); err == nil || !strings.Contains(err.Error(), MNISTLabelsFile) {
		t.Errorf("labels missing: %v", err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was created: %v", dst, err)
	}
	// A folder holding a user's own set (declared by SHA256SUMS) is not
	// overwritten.
	own := t.TempDir()
	os.WriteFile(filepath.Join(own, MNISTManifest), nil, 0o644)
	good := t.TempDir()
	os.WriteFile(filepath.Join(good, MNISTLatentFile), vec, 0o644)
	os.WriteFile(filepath.Join(good, MNISTLabelsFile), lab, 0o644)
	if err := ImportMNISTLatent(good, own); err == nil || !strings.Contains(err.Error(), MNISTManifest) {
		t.Errorf("over an own set: %v", err)
	}
}

// The shared reference copy (../shared/mnist-latent), when present, is the
// paper's set: pinned checksums, 10000 x 50, and imports unchanged.
func TestMNISTSharedFiles(t *testing.T) {
	if _, err := os.Stat(filepath.Join(sharedMNIST, MNISTLatentFile)); err != nil {
		t.Skipf("no shared MNIST latents (%v); they are an extra cross-check", err)
	}
	m, err := ReadMNISTLatent(sharedMNIST)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Labels) != MNISTImages || len(m.Vectors) != MNISTImages*MNISTLatentDim {
		t.Errorf("%d labels, %d values", len(m.Labels), len(m.Vectors))
	}
	for _, s := range MNISTStatus(sharedMNIST) {
		if !s.Present || s.Err != nil {
			t.Errorf("%s: present %v, %v", s.Path, s.Present, s.Err)
		}
	}
	dst := t.TempDir()
	if err := ImportMNISTLatent(sharedMNIST, dst); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{MNISTLatentFile, MNISTLabelsFile} {
		a, _ := os.ReadFile(filepath.Join(sharedMNIST, name))
		b, _ := os.ReadFile(filepath.Join(dst, name))
		if !bytes.Equal(a, b) {
			t.Errorf("imported %s differs from the shared one", name)
		}
	}
	// Re-encoding the checked values gives the same bytes (the form the
	// pins describe).
	v, l := canonicalMNISTNPY(m)
	if sha256Hex(v) != MNISTLatentSHA256 || sha256Hex(l) != MNISTLabelsSHA256 {
		t.Error("re-encoded shared files do not have the pinned checksums")
	}
}

// writeOwnSet writes a latent set with a SHA256SUMS listing its checksums,
// as a user declares their own set.
func writeOwnSet(t *testing.T, vecDescr string, vecShape []int, vec []byte, labShape []int, lab []int64) string {
	t.Helper()
	dir := t.TempDir()
	var vb, lb bytes.Buffer
	writeNPYHeader(&vb, vecDescr, vecShape)
	vb.Write(vec)
	writeNPYHeader(&lb, "<i8", labShape)
	lb.Write(i64raw(lab))
	os.WriteFile(filepath.Join(dir, MNISTLatentFile), vb.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, MNISTLabelsFile), lb.Bytes(), 0o644)
	sums := fmt.Sprintf("%s  %s\n%s *%s\n", sha256Hex(vb.Bytes()), MNISTLatentFile, sha256Hex(lb.Bytes()), MNISTLabelsFile)
	os.WriteFile(filepath.Join(dir, MNISTManifest), []byte(sums), 0o644)
	return dir
}

func TestReadMNISTLatentChecks(t *testing.T) {
	const rows = 6
	vec := make([]float32, rows*MNISTLatentDim)
	for i := range vec {
		vec[i] = float32(i % 7)
	}
	labs := []int64{0, 1, 2, 3, 4, 5}
	// A declared own set reads.
	dir := writeOwnSet(t, "<f4", []int{rows, MNISTLatentDim}, f32raw(vec), []int{rows}, labs)
	if m, err := ReadMNISTLatent(dir); err != nil || len(m.Labels) != rows {
		t.Fatalf("own set: %v", err)
	}
	// Without its SHA256SUMS the pinned checksums apply: an error naming
	// the file and both checksums.
	os.Remove(filepath.Join(dir, MNISTManifest))
	_, err := ReadMNISTLatent(dir)
	var ce *MNISTChecksumError
	p := filepath.Join(dir, MNISTLatentFile)
	if !errors.As(err, &ce) || ce.File != p || !strings.Contains(err.Error(), MNISTLatentSHA256) || !strings.Contains(err.Error(), ce.Actual) || !strings.Contains(err.Error(), MNISTManifest) {
		t.Errorf("undeclared own set: %v", err)
	}

	with := func(i int, v float32) []byte {
		c := append([]float32(nil), vec...)
		c[i] = v
		return f32raw(c)
	}
	for _, tc := range []struct {
		name, file, want string
		dir              string
	}{
		{"NaN", MNISTLatentFile, "must be finite", writeOwnSet(t, "<f4", []int{rows, MNISTLatentDim}, with(77, float32(math.NaN())), []int{rows}, labs)},
		{"Inf", MNISTLatentFile, "must be finite", writeOwnSet(t, "<f4", []int{rows, MNISTLatentDim}, with(3, float32(math.Inf(-1))), []int{rows}, labs)},
		{"3 columns", MNISTLatentFile, "shape (100, 3), expected (images, 50)", writeOwnSet(t, "<f4", []int{100, 3}, f32raw(vec), []int{100}, make([]int64, 100))},
		{"1-D latents", MNISTLatentFile, "expected (images, 50)", writeOwnSet(t, "<f4", []int{rows * MNISTLatentDim}, f32raw(vec), []int{rows}, labs)},
		{"integer latents", MNISTLatentFile, "expected float32", writeOwnSet(t, "<i4", []int{rows, MNISTLatentDim}, f32raw(vec), []int{rows}, labs)},
		{"labels short", MNISTLabelsFile, "shape (5,), expected (6,)", writeOwnSet(t, "<f4", []int{rows, MNISTLatentDim}, f32raw(vec), []int{5}, labs[:5])},
		{"labels long", MNISTLabelsFile, "shape (7,), expected (6,)", writeOwnSet(t, "<f4", []int{rows, MNISTLatentDim}, f32raw(vec), []int{7}, append(labs, 1))},
		{"label 10", MNISTLabelsFile, "label 10 at row 2", writeOwnSet(t, "<f4", []int{rows, MNISTLatentDim}, f32raw(vec), []int{rows}, []int64{0, 1, 10, 3, 4, 5})},
		{"label -1", MNISTLabelsFile, "label -1 at row 0", writeOwnSet(t, "<f4", []int{rows, MNISTLatentDim}, f32raw(vec), []int{rows}, []int64{-1, 1, 2, 3, 4, 5})},
	} {
		_, err := ReadMNISTLatent(tc.dir)
		if err == nil || !strings.Contains(err.Error(), filepath.Join(tc.dir, tc.file)) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error naming %s with %q", tc.name, err, tc.file, tc.want)
		}
	}

	// A flipped byte after the checksums were listed.
	dir = writeOwnSet(t, "<f4", []int{rows, MNISTLatentDim}, f32raw(vec), []int{rows}, labs)
	p = filepath.Join(dir, MNISTLabelsFile)
	b, _ := os.ReadFile(p)
	b[len(b)-3] ^= 4
	os.WriteFile(p, b, 0o644)
	if _, err := ReadMNISTLatent(dir); !errors.As(err, &ce) || ce.File != p || ce.Manifest == "" {
		t.Errorf("flipped byte under SHA256SUMS: %v", err)
	}
	st := MNISTStatus(dir)
	if st[0].Err != nil || st[1].Err == nil {
		t.Errorf("status: %v / %v", st[0].Err, st[1].Err)
	}
	// A malformed SHA256SUMS.
	os.WriteFile(filepath.Join(dir, MNISTManifest), []byte("not a checksum line\n"), 0o644)
	if _, err := ReadMNISTLatent(dir); err == nil || !strings.Contains(err.Error(), MNISTManifest+" line 1") {
		t.Errorf("bad manifest: %v", err)
	}
}

func TestReadMNISTLatentMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := ReadMNISTLatent(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, MNISTLatentFile)) ||
		!strings.Contains(err.Error(), "biornn data fetch mnist-latent") || !strings.Contains(err.Error(), "biornn data import DIR") {
		t.Errorf("missing: %v", err)
	}
	if _, err := ReadMNISTLatent(""); err == nil || !strings.Contains(err.Error(), "biornn data fetch mnist-latent") {
		t.Errorf("no folder: %v", err)
	}
	for _, s := range MNISTStatus(dir) {
		if s.Present || s.Err != nil {
			t.Errorf("status of a missing file: %+v", s)
		}
	}
}
