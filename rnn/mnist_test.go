package rnn

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/biornn/biornn/connectome"
)

func sha256File(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// ownLatentSet writes a small latent set of rows x cols (values from val)
// with labels, and a SHA256SUMS declaring it (a user's own set).
func ownLatentSet(t *testing.T, rows, cols int, val func(i int) float64, labels []int64) string {
	t.Helper()
	dir := t.TempDir()
	data := make([]float64, rows*cols)
	for i := range data {
		data[i] = val(i)
	}
	vp, lp := filepath.Join(dir, MNISTLatentFile), filepath.Join(dir, MNISTLabelsFile)
	if err := connectome.WriteNPY(vp, []int{rows, cols}, data); err != nil {
		t.Fatal(err)
	}
	if err := connectome.WriteNPYInt64(lp, labels); err != nil {
		t.Fatal(err)
	}
	sums := fmt.Sprintf("%s  %s\n%s  %s\n", sha256File(t, vp), MNISTLatentFile, sha256File(t, lp), MNISTLabelsFile)
	if err := os.WriteFile(filepath.Join(dir, connectome.MNISTManifest), []byte(sums), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func digits(n int) []int64 {
	l := make([]int64, n)
	for i := range l {
		l[i] = int64(i % 10)
	}
	return l
}

func TestLoadMNISTLatentOwnSet(t *testing.T) {
	const rows, dim = 20, connectome.MNISTLatentDim
	dir := ownLatentSet(t, rows, dim, func(i int) float64 { return float64(i%dim) * 0.5 }, digits(rows))
	m, err := LoadMNISTLatent(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Dim != dim || len(m.Labels) != rows || m.Labels[13] != 3 {
		t.Fatalf("Dim %d, %d labels", m.Dim, len(m.Labels))
	}
	// Min-max rescaled per row: column k of every row is k/(dim-1).
	for k := 0; k < dim; k++ {
		if got, want := m.Vectors[5*dim+k], float32(float64(k)*0.5/(float64(dim-1)*0.5)); got != want {
			t.Fatalf("row 5 column %d: %v, want %v", k, got, want)
		}
	}
	if _, err := PicLatentMem(m, 5, 2, 10, 1); err != nil {
		t.Fatal(err)
	}
}

// Damaged or ill-shaped latents are errors naming the file: before, a
// flipped byte went unnoticed, an all-NaN file trained, an Inf surfaced as
// a diverging loss, a 3-column file was accepted.
func TestLoadMNISTLatentRejects(t *testing.T) {
	const rows, dim = 20, connectome.MNISTLatentDim
	ramp := func(i int) float64 { return float64(i % 7) }
	flipped := ownLatentSet(t, rows, dim, ramp, digits(rows))
	vp := filepath.Join(flipped, MNISTLatentFile)
	b, _ := os.ReadFile(vp)
	b[len(b)-5] ^= 0x20
	os.WriteFile(vp, b, 0o644)
	for _, tc := range []struct {
		name, dir, file, want string
	}{
		{"flipped byte", flipped, MNISTLatentFile, "SHA-256 mismatch"},
		{"all NaN", ownLatentSet(t, rows, dim, func(int) float64 { return math.NaN() }, digits(rows)), MNISTLatentFile, "must be finite"},
		{"Inf", ownLatentSet(t, rows, dim, func(i int) float64 {
			if i == 333 {
				return math.Inf(1)
			}
			return ramp(i)
		}, digits(rows)), MNISTLatentFile, "value +Inf at row 6, column 33"},
		{"beyond float32", ownLatentSet(t, rows, dim, func(i int) float64 { return 1e300 }, digits(rows)), MNISTLatentFile, "must be finite"},
		{"3 columns", ownLatentSet(t, rows, 3, ramp, digits(rows)), MNISTLatentFile, "shape (20, 3), expected (images, 50)"},
		{"labels short", ownLatentSet(t, rows, dim, ramp, digits(rows-1)), MNISTLabelsFile, "shape (19,), expected (20,)"},
		{"one class", ownLatentSet(t, rows, dim, ramp, make([]int64, rows)), MNISTLabelsFile, "1 digit class"},
	} {
		_, err := LoadMNISTLatent(tc.dir)
		if err == nil || !strings.Contains(err.Error(), filepath.Join(tc.dir, tc.file)) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error naming %s with %q", tc.name, err, tc.file, tc.want)
		}
	}
}

// Without a SHA256SUMS the files must be the paper's: a copy of the shared
// set with one flipped byte names the file and both checksums.
func TestLoadMNISTLatentPinned(t *testing.T) {
	shared := filepath.Join("..", "..", "shared", "mnist-latent")
	if _, err := os.Stat(filepath.Join(shared, MNISTLatentFile)); err != nil {
		t.Skipf("no shared MNIST latents (%v)", err)
	}
	dir := t.TempDir()
	for _, name := range []string{MNISTLatentFile, MNISTLabelsFile} {
		b, err := os.ReadFile(filepath.Join(shared, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == MNISTLatentFile {
			b[4000] ^= 1
		}
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	got := sha256File(t, filepath.Join(dir, MNISTLatentFile))
	_, err := LoadMNISTLatent(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, MNISTLatentFile)) ||
		!strings.Contains(err.Error(), connectome.MNISTLatentSHA256) || !strings.Contains(err.Error(), got) {
		t.Errorf("flipped byte: %v", err)
	}
}

func TestLoadMNISTLatentMissingNamesCommands(t *testing.T) {
	for _, dir := range []string{"", t.TempDir()} {
		_, err := LoadMNISTLatent(dir)
		if err == nil || !strings.Contains(err.Error(), "biornn data fetch mnist-latent") || !strings.Contains(err.Error(), "biornn data import DIR") {
			t.Errorf("%q: %v", dir, err)
		}
	}
}
