package connectome

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The picture task's stimuli: 50-dimensional latent vectors of the 10,000
// MNIST test images and their digit labels, from the paper's experiment
// repository (GitHub AlGoulas/bio_rnn_mem, latent_mnist/
// mnist_latent_output_labels.pt, a legacy-format torch.save of the tuple
// (latents float32 (10000, 50), labels int64 (10000,))). They are not built
// into the binary: FetchMNISTLatent downloads and converts them,
// ImportMNISTLatent copies or converts a local copy, ReadMNISTLatent reads
// and checks them.

// BioRNNMemCommit is the commit of the paper's experiment repository whose
// mnist_latent_output_labels.pt the pinned checksums describe.
const BioRNNMemCommit = "5fb8fddd10749470d33866cb0d64466bca2ccade"

// DefaultMNISTBaseURL is the folder FetchMNISTLatent downloads
// MNISTTorchFile from, pinned to BioRNNMemCommit.
const DefaultMNISTBaseURL = "https://raw.githubusercontent.com/AlGoulas/bio_rnn_mem/" + BioRNNMemCommit + "/latent_mnist/"

// File and folder names of the MNIST latents.
const (
	MNISTTorchFile  = "mnist_latent_output_labels.pt" // the paper's file
	MNISTLatentFile = "mnist_latent_50d.npy"          // float32 (images, MNISTLatentDim), C order
	MNISTLabelsFile = "mnist_labels.npy"              // int64 (images,), digits 0..9
	// MNISTDirName is the folder, inside (or beside) the data folder, that
	// holds MNISTLatentFile and MNISTLabelsFile.
	MNISTDirName = "mnist-latent"
	// MNISTManifest, when present in a latent folder, lists the SHA-256 of
	// the two .npy files (sha256sum's format) in place of the pinned ones:
	// the way to use one's own latent set on purpose (see ReadMNISTLatent).
	MNISTManifest = "SHA256SUMS"
)

// MNISTLatentDim is the width of a latent vector in the paper (the picture
// task's input has MNISTLatentDim+1 channels); other widths are rejected.
const MNISTLatentDim = 50

// MNISTImages is the number of images in the paper's set (the MNIST test
// set).
const MNISTImages = 10000

// Pinned SHA-256 checksums (lower-case hex) of the paper's file at
// BioRNNMemCommit and of the two .npy files converted from it (NumPy format
// 1.0, header padded to 64 bytes as numpy.save writes it).
const (
	MNISTTorchSHA256  = "2459db237e9262ed112f4c193949278375081126bfcb611f9866f8bc6ab9ce7d"
	MNISTLatentSHA256 = "ad81893f746de0eaaba501d689e28cb601478d0fd6fa8f2055b3db40f2c86aec"
	MNISTLabelsSHA256 = "996074233ccae69ee65b8551233f608adc1bce84b6b440e3531478a847958149"
)

// The checksums the code checks against: the pinned ones, replaced only by
// tests (which cannot ship the paper's file) to check fetch and import on a
// small fixture of the same structure.
var (
	pinMNISTTorch  = MNISTTorchSHA256
	pinMNISTLatent = MNISTLatentSHA256
	pinMNISTLabels = MNISTLabelsSHA256
)

// MNISTGetHint is how to get the latents, for messages about missing or
// damaged files.
const MNISTGetHint = "`biornn data fetch mnist-latent` downloads the paper's set (pinned commit, SHA-256 checked); `biornn data import DIR` copies it from a folder holding " +
	MNISTLatentFile + " and " + MNISTLabelsFile + " or " + MNISTTorchFile

// ErrNoMNISTLatent is wrapped by ImportMNISTLatent's error when the source
// holds neither the two .npy files nor the .pt file (so a caller trying
// several importers can tell "not this kind of folder" from "damaged").
var ErrNoMNISTLatent = errors.New("no MNIST latent files")

// MNISTChecksumError reports a latent file whose SHA-256 differs from the
// pinned one, or from the one listed in the folder's MNISTManifest.
type MNISTChecksumError struct {
	File             string
	Expected, Actual string
	Manifest         string // the SHA256SUMS file that gave Expected; "" = pinned
	// Loading is set when the file was being read for use (then the message
	// also says how to use one's own latent set); fetch and import install
	// the paper's set only.
	Loading bool
}

func (e *MNISTChecksumError) Error() string {
	if e.Manifest != "" {
		return fmt.Sprintf("%s: SHA-256 mismatch: %s lists %s, the file has %s (the file changed after its checksum was listed)", e.File, e.Manifest, e.Expected, e.Actual)
	}
	msg := fmt.Sprintf("%s: SHA-256 mismatch: expected %s (the paper's set), got %s; corrupted or another latent set: %s", e.File, e.Expected, e.Actual, MNISTGetHint)
	if e.Loading {
		msg += fmt.Sprintf("; to use your own latent set on purpose, list its checksums in %s beside it (sha256sum %s %s > %s)", MNISTManifest, MNISTLatentFile, MNISTLabelsFile, MNISTManifest)
	}
	return msg
}

// MNISTLatent is a checked latent set as ReadMNISTLatent returns it.
type MNISTLatent struct {
	Vectors []float32 // len(Labels) x MNISTLatentDim, row-major, all finite
	Labels  []int     // digits 0..9
}

// ReadMNISTLatent reads MNISTLatentFile and MNISTLabelsFile from dir and
// checks them; every error names the file concerned.
//
// Checksums: the files must match the pinned SHA-256 of the paper's set,
// unless dir holds a MNISTManifest (SHA256SUMS, as `sha256sum
// mnist_latent_50d.npy mnist_labels.npy > SHA256SUMS` writes it), whose
// checksums are used instead. So a flipped byte in the paper's set (the
// common case, what `data fetch|import` installs) is always caught, and a
// user's own latent set (another encoder, a subset, a test fixture) is used
// only when declared deliberately, and is then protected against damage in
// the same way. Keying the check on the shape instead (enforce only for
// 10000 x 50) would reject the likeliest own set, another encoder's vectors
// of the same 10,000 test images, with no way out; keying it on the folder
// name would be invisible magic.
//
// Values: the latents must be a 2-D array of MNISTLatentDim columns, at
// least one row, every value finite as float32; the labels a 1-D array of
// one integer 0..9 per row.
func ReadMNISTLatent(dir string) (*MNISTLatent, error) {
	if dir == "" {
		return nil, fmt.Errorf("no MNIST latent folder given (the folder holding %s and %s); %s", MNISTLatentFile, MNISTLabelsFile, MNISTGetHint)
	}
	vecPath, labPath := filepath.Join(dir, MNISTLatentFile), filepath.Join(dir, MNISTLabelsFile)
	var raw [2][]byte
	for i, p := range []string{vecPath, labPath} {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s is missing (the MNIST latent folder %s must hold %s and %s): %s", p, dir, MNISTLatentFile, MNISTLabelsFile, MNISTGetHint)
		}
		if err != nil {
			return nil, err
		}
		raw[i] = b
	}
	if err := verifyMNISTFiles(dir, raw[0], raw[1]); err != nil {
		return nil, err
	}
	return decodeMNISTLatent(vecPath, raw[0], labPath, raw[1])
}

// verifyMNISTFiles checks the two files' SHA-256 against dir's manifest,
// or the pinned checksums when there is none.
func verifyMNISTFiles(dir string, vec, lab []byte) error {
	want, manifest, err := mnistExpected(dir)
	if err != nil {
		return err
	}
	if err := checkMNISTFile(dir, MNISTLatentFile, vec, want, manifest); err != nil {
		return err
	}
	return checkMNISTFile(dir, MNISTLabelsFile, lab, want, manifest)
}

// mnistExpected returns the checksums the latent files in dir must have:
// those listed in dir's MNISTManifest (then manifest is its path), else
// the pinned ones.
func mnistExpected(dir string) (want map[string]string, manifest string, err error) {
	manifest = filepath.Join(dir, MNISTManifest)
	b, err := os.ReadFile(manifest)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return map[string]string{MNISTLatentFile: pinMNISTLatent, MNISTLabelsFile: pinMNISTLabels}, "", nil
	case err != nil:
		return nil, "", err
	}
	want, err = parseSHA256Sums(manifest, b)
	return want, manifest, err
}

// checkMNISTFile checks one file's bytes against want.
func checkMNISTFile(dir, name string, b []byte, want map[string]string, manifest string) error {
	w, ok := want[name]
	if !ok {
		return fmt.Errorf("%s does not list %s", manifest, name)
	}
	if got := sha256Hex(b); got != w {
		return &MNISTChecksumError{File: filepath.Join(dir, name), Expected: w, Actual: got, Manifest: manifest, Loading: true}
	}
	return nil
}

// parseSHA256Sums reads sha256sum output: "HEX  NAME" or "HEX *NAME" per
// line; blank lines and # comments are skipped, anything else is an error.
func parseSHA256Sums(path string, b []byte) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sum, name, ok := strings.Cut(line, " ")
		name = strings.TrimPrefix(strings.TrimLeft(name, " "), "*")
		if !ok || len(sum) != 64 || strings.Trim(strings.ToLower(sum), "0123456789abcdef") != "" || name == "" {
			return nil, fmt.Errorf("%s line %d: expected \"<64 hex digits>  <file name>\" (sha256sum's format), got %q", path, n, clip(line, 80))
		}
		out[name] = strings.ToLower(sum)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// decodeMNISTLatent parses and checks the two .npy files' bytes.
func decodeMNISTLatent(vecPath string, vecRaw []byte, labPath string, labRaw []byte) (*MNISTLatent, error) {
	vf, err := parseNPY(vecPath, vecRaw)
	if err != nil {
		return nil, err
	}
	if len(vf.shape) != 2 || vf.shape[0] < 1 || vf.shape[1] != MNISTLatentDim {
		return nil, fmt.Errorf("%s: shape %s, expected (images, %d): one %d-dimensional latent vector per row, at least one row", vecPath, shapeString(vf.shape), MNISTLatentDim, MNISTLatentDim)
	}
	if vf.dtype.kind != 'f' {
		return nil, fmt.Errorf("%s: dtype %s, expected float32 (<f4) latent vectors", vecPath, vf.descr)
	}
	rows := vf.shape[0]
	lf, err := parseNPY(labPath, labRaw)
	if err != nil {
		return nil, err
	}
	if len(lf.shape) != 1 || lf.shape[0] != rows {
		return nil, fmt.Errorf("%s: shape %s, expected (%d,): one label per row of %s", labPath, shapeString(lf.shape), rows, vecPath)
	}
	if !lf.dtype.integer || lf.dtype.kind == 'b' {
		return nil, fmt.Errorf("%s: dtype %s, expected integer digit labels (<i8)", labPath, lf.descr)
	}
	vec := vf.asC()
	m := &MNISTLatent{Vectors: make([]float32, len(vec)), Labels: make([]int, rows)}
	for k, v := range vec {
		f := float32(v)
		if math.IsNaN(v) || math.IsInf(float64(f), 0) {
			return nil, fmt.Errorf("%s: value %v at row %d, column %d: latent vectors must be finite", vecPath, v, k/MNISTLatentDim, k%MNISTLatentDim)
		}
		m.Vectors[k] = f
	}
	for i := range rows {
		l := lf.float(i)
		if l < 0 || l > 9 {
			return nil, fmt.Errorf("%s: label %v at row %d, expected a digit 0..9", labPath, l, i)
		}
		m.Labels[i] = int(l)
	}
	return m, nil
}

// asC returns the elements as float64 in C order.
func (f *npyFile) asC() []float64 {
	out := make([]float64, f.n)
	for k := range out {
		out[k] = f.float(k)
	}
	if f.fortran && len(f.shape) > 1 {
		out = fortranToC(out, f.shape)
	}
	return out
}

// ConvertMNISTTorch converts the bytes of the paper's .pt file (or one of
// the same structure: a tuple of float32 (N, 50) latents and int64 (N,)
// labels, legacy torch.save format) to the two .npy files, as numpy.save
// writes them. name is used in errors. The values are checked as
// ReadMNISTLatent checks them; the checksums are not.
func ConvertMNISTTorch(name string, b []byte) (latent, labels []byte, err error) {
	ts, err := DecodeTorchTensors(name, b)
	if err != nil {
		return nil, nil, err
	}
	if len(ts) != 2 {
		return nil, nil, fmt.Errorf("%s: %d tensors, expected 2 (latent vectors, labels)", name, len(ts))
	}
	v, l := ts[0], ts[1]
	if v.DType != "<f4" || len(v.Shape) != 2 || v.Shape[1] != MNISTLatentDim || v.Shape[0] < 1 {
		return nil, nil, fmt.Errorf("%s: first tensor is %s %v, expected float32 latent vectors (images, %d)", name, torchDTypeName(v.DType), v.Shape, MNISTLatentDim)
	}
	if l.DType != "<i8" || len(l.Shape) != 1 || l.Shape[0] != v.Shape[0] {
		return nil, nil, fmt.Errorf("%s: second tensor is %s %v, expected int64 labels (%d,)", name, torchDTypeName(l.DType), l.Shape, v.Shape[0])
	}
	var vb, lb bytes.Buffer
	writeNPYHeader(&vb, v.DType, v.Shape)
	vb.Write(v.Data)
	writeNPYHeader(&lb, l.DType, l.Shape)
	lb.Write(l.Data)
	if _, err := decodeMNISTLatent(name+" (latent vectors)", vb.Bytes(), name+" (labels)", lb.Bytes()); err != nil {
		return nil, nil, err
	}
	return vb.Bytes(), lb.Bytes(), nil
}

// torchDTypeName names a NumPy type string as torch does.
func torchDTypeName(descr string) string {
	for name, d := range map[string]string{"float32": "<f4", "float64": "<f8", "int64": "<i8", "int32": "<i4", "int16": "<i2", "int8": "|i1", "uint8": "|u1", "bool": "|b1"} {
		if d == descr {
			return name
		}
	}
	return descr
}

// canonicalMNISTNPY re-encodes checked latents as numpy.save writes
// float32 and int64 arrays (the form the pinned checksums describe).
func canonicalMNISTNPY(m *MNISTLatent) (latent, labels []byte) {
	var vb, lb bytes.Buffer
	rows := len(m.Labels)
	writeNPYHeader(&vb, "<f4", []int{rows, MNISTLatentDim})
	raw := make([]byte, 4*len(m.Vectors))
	for i, v := range m.Vectors {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	vb.Write(raw)
	writeNPYHeader(&lb, "<i8", []int{rows})
	raw = make([]byte, 8*rows)
	for i, l := range m.Labels {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(l))
	}
	lb.Write(raw)
	return vb.Bytes(), lb.Bytes()
}

// checkPinnedMNIST checks converted or re-encoded .npy bytes against the
// pinned checksums; src names where they came from.
func checkPinnedMNIST(src string, vec, lab []byte) error {
	if got := sha256Hex(vec); got != pinMNISTLatent {
		return &MNISTChecksumError{File: src + " (as " + MNISTLatentFile + ")", Expected: pinMNISTLatent, Actual: got}
	}
	if got := sha256Hex(lab); got != pinMNISTLabels {
		return &MNISTChecksumError{File: src + " (as " + MNISTLabelsFile + ")", Expected: pinMNISTLabels, Actual: got}
	}
	return nil
}

// mnistPresent reports whether dir already holds the paper's set (both
// files with the pinned checksums).
func mnistPresent(dir string) bool {
	vec, err1 := os.ReadFile(filepath.Join(dir, MNISTLatentFile))
	lab, err2 := os.ReadFile(filepath.Join(dir, MNISTLabelsFile))
	return err1 == nil && err2 == nil && sha256Hex(vec) == pinMNISTLatent && sha256Hex(lab) == pinMNISTLabels
}

// FetchMNISTLatent downloads the paper's mnist_latent_output_labels.pt from
// baseURL ("" = DefaultMNISTBaseURL, pinned to BioRNNMemCommit), checks its
// SHA-256, converts it to MNISTLatentFile and MNISTLabelsFile, checks their
// pinned SHA-256 too, and writes them into dir (creating it; for the CLI,
// filepath.Join(dataDir, MNISTDirName)). Files already present with the
// pinned checksums are kept. Nothing is written unless every check passes;
// each file is written under a temporary name and renamed. progress, if
// not nil, gets a line per step.
func FetchMNISTLatent(ctx context.Context, baseURL, dir string, progress io.Writer) error {
	baseURL, progress = fetchDefaults(baseURL, DefaultMNISTBaseURL, progress)
	if err := noManifest(dir); err != nil {
		return err
	}
	if mnistPresent(dir) {
		fmt.Fprintf(progress, "%s, %s already present in %s, checksums ok\n", MNISTLatentFile, MNISTLabelsFile, dir)
		return nil
	}
	url := baseURL + MNISTTorchFile
	b, err := get(ctx, &http.Client{Timeout: 5 * time.Minute}, url)
	if err != nil {
		return fmt.Errorf("fetching %s: %w (nothing was written to %s)", MNISTTorchFile, err, dir)
	}
	if got := sha256Hex(b); got != pinMNISTTorch {
		return fmt.Errorf("%w (nothing was written to %s)", &MNISTChecksumError{File: url, Expected: pinMNISTTorch, Actual: got}, dir)
	}
	fmt.Fprintf(progress, "%-36s %8d bytes, checksum ok\n", MNISTTorchFile, len(b))
	vec, lab, err := ConvertMNISTTorch(url, b)
	if err != nil {
		return fmt.Errorf("%w (nothing was written to %s)", err, dir)
	}
	if err := checkPinnedMNIST(url, vec, lab); err != nil {
		return fmt.Errorf("%w (nothing was written to %s)", err, dir)
	}
	if err := writeFiles(dir, []fileData{{MNISTLatentFile, vec}, {MNISTLabelsFile, lab}}); err != nil {
		return err
	}
	fmt.Fprintf(progress, "wrote %s (%d bytes) and %s (%d bytes) to %s, checksums ok\n", MNISTLatentFile, len(vec), MNISTLabelsFile, len(lab), dir)
	return nil
}

// ImportMNISTLatent copies the paper's latent set into dstDir (creating
// it; for the CLI, filepath.Join(dataDir, MNISTDirName)). src is a folder
// holding MNISTLatentFile and MNISTLabelsFile (e.g. ../shared/mnist-latent)
// or MNISTTorchFile (a checkout of bio_rnn_mem's latent_mnist), or the .pt
// file itself. The .npy files are read and checked, then written as
// numpy.save writes them (so a copy saved by another NumPy version with a
// differently padded header is accepted when its values are the paper's);
// the .pt file is converted. Either way the result must match the pinned
// checksums: this imports the paper's set only (point --mnist-dir at a
// folder to use another). Nothing is written unless every check passes.
// When src holds neither, the error wraps ErrNoMNISTLatent. Importing a
// folder into itself only validates it (rewriting the files in numpy.save's
// form if they were saved differently). A dstDir holding a MNISTManifest (a
// user's own set) is refused rather than overwritten.
func ImportMNISTLatent(src, dstDir string) error {
	st, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	var vec, lab []byte
	switch {
	case !st.IsDir():
		if vec, lab, err = importMNISTTorch(src); err != nil {
			return err
		}
	case mnistPathExists(filepath.Join(src, MNISTLatentFile)) || mnistPathExists(filepath.Join(src, MNISTLabelsFile)):
		vp, lp := filepath.Join(src, MNISTLatentFile), filepath.Join(src, MNISTLabelsFile)
		var raw [2][]byte
		for i, p := range []string{vp, lp} {
			if raw[i], err = os.ReadFile(p); err != nil {
				return fmt.Errorf("import: %w (nothing was imported; the folder must hold both %s and %s)", err, MNISTLatentFile, MNISTLabelsFile)
			}
		}
		vec, lab = raw[0], raw[1]
		if sha256Hex(vec) != pinMNISTLatent || sha256Hex(lab) != pinMNISTLabels {
			m, err := decodeMNISTLatent(vp, vec, lp, lab)
			if err != nil {
				return fmt.Errorf("%w (nothing was imported)", err)
			}
			cv, cl := canonicalMNISTNPY(m)
			if sha256Hex(cv) != pinMNISTLatent {
				return fmt.Errorf("%w (nothing was imported)", &MNISTChecksumError{File: vp, Expected: pinMNISTLatent, Actual: sha256Hex(vec)})
			}
			if sha256Hex(cl) != pinMNISTLabels {
				return fmt.Errorf("%w (nothing was imported)", &MNISTChecksumError{File: lp, Expected: pinMNISTLabels, Actual: sha256Hex(lab)})
			}
			vec, lab = cv, cl
		}
	case mnistPathExists(filepath.Join(src, MNISTTorchFile)):
		if vec, lab, err = importMNISTTorch(filepath.Join(src, MNISTTorchFile)); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s holds neither %s and %s nor %s: %w (nothing was imported; `biornn data fetch mnist-latent` downloads them)",
			src, MNISTLatentFile, MNISTLabelsFile, MNISTTorchFile, ErrNoMNISTLatent)
	}
	if same, err := sameDir(src, dstDir); err == nil && same && mnistPresent(dstDir) {
		return nil
	}
	if err := noManifest(dstDir); err != nil {
		return err
	}
	return writeFiles(dstDir, []fileData{{MNISTLatentFile, vec}, {MNISTLabelsFile, lab}})
}

// importMNISTTorch converts a local .pt file and checks the result against
// the pinned .npy checksums (the .pt file's own checksum may differ, e.g.
// when it was saved again by another PyTorch version).
func importMNISTTorch(path string) (vec, lab []byte, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("import: %w", err)
	}
	if vec, lab, err = ConvertMNISTTorch(path, b); err != nil {
		return nil, nil, fmt.Errorf("%w (nothing was imported)", err)
	}
	if err := checkPinnedMNIST(path, vec, lab); err != nil {
		return nil, nil, fmt.Errorf("%w (nothing was imported)", err)
	}
	return vec, lab, nil
}

// mnistPathExists reports whether path exists (as anything).
func mnistPathExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// MNISTStatus checks the two latent files in dir for `biornn data path`:
// one FileStatus each (DataSet MNISTDirName, File.Kind KindMNISTLatent,
// File.SHA256 the pinned checksum), Err nil when present with the checksum
// ReadMNISTLatent requires (pinned, or listed in dir's MNISTManifest).
func MNISTStatus(dir string) []FileStatus {
	want, manifest, werr := mnistExpected(dir)
	var out []FileStatus
	for _, f := range []struct{ name, sum string }{{MNISTLatentFile, pinMNISTLatent}, {MNISTLabelsFile, pinMNISTLabels}} {
		s := FileStatus{DataSet: MNISTDirName, File: DataFile{Name: f.name, Kind: KindMNISTLatent, SHA256: f.sum}, Path: filepath.Join(dir, f.name)}
		b, err := os.ReadFile(s.Path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			s.Present, s.Err = true, err
		case werr != nil:
			s.Present, s.Err = true, werr
		default:
			s.Present, s.Err = true, checkMNISTFile(dir, f.name, b, want, manifest)
		}
		out = append(out, s)
	}
	return out
}

// noManifest refuses to install the paper's set over a user's own latent
// set declared by a MNISTManifest in dir.
func noManifest(dir string) error {
	if p := filepath.Join(dir, MNISTManifest); mnistPathExists(p) {
		return fmt.Errorf("%s holds %s, so it is a latent set of your own; remove that file to replace the set by the paper's, or use another folder (nothing was written)", dir, p)
	}
	return nil
}

// KindMNISTLatent is the DataFile.Kind of the MNIST latent files in
// MNISTStatus.
const KindMNISTLatent = "mnist-latent"

// MNISTEnv is the environment variable that names the MNIST latent folder.
const MNISTEnv = "BIORNN_MNIST"

// ResolveMNISTDir returns the picture task's data folder: explicit when not
// empty, else $BIORNN_MNIST, else the folder mnist-latent inside the data
// folder (ResolveDataDir(dataDir), where 'biornn data fetch mnist-latent'
// puts it), else the one beside it (as in a checkout next to a shared data
// folder holding connectomes/ and mnist-latent/); when neither holds the
// latents, the inside one, for the error that says how to get them.
func ResolveMNISTDir(explicit, dataDir string) string {
	if explicit != "" {
		return explicit
	}
	if env := os.Getenv(MNISTEnv); env != "" {
		return env
	}
	data := filepath.Clean(ResolveDataDir(dataDir))
	inside := filepath.Join(data, MNISTDirName)
	for _, d := range []string{inside, filepath.Join(filepath.Dir(data), MNISTDirName)} {
		if st, err := os.Stat(filepath.Join(d, MNISTLatentFile)); err == nil && !st.IsDir() {
			return d
		}
	}
	return inside
}
