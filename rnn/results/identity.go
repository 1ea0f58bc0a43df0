package results

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/rnn"
)

// A run's identity follows the contents of its inputs, not their names.
//
// The built-in data sets, the registered ones in a data folder (checked
// against the same SHA-256) and the paper's MNIST latents (pinned SHA-256)
// are fixed by their name, so the spec alone identifies them and runs of
// them keep the ids they always had. An input given by path can change
// under the same name: a connectome file, a neurons_file, and an MNIST
// folder holding another latent set than the paper's (declared by its
// SHA256SUMS). For those, InputDigest adds the SHA-256 of each file's bytes
// to the id, so that editing such a file makes every run that reads it a
// new run (a resumed sweep trains it again, 'train' writes it under a new
// id) instead of keeping results of a network that no longer exists.

// InputDigest returns the content digest of the inputs of spec that are
// given by path ("" when there are none): one "key=sha256" entry per file,
// in a fixed order. An input that cannot be read is an error naming it.
func InputDigest(spec rnn.RunSpec) (string, error) {
	var parts []string
	if spec.Connectome != "" {
		if !connectome.BuiltinName(spec.Connectome) {
			sum, err := fileSHA256(spec.Connectome)
			if connectome.IsNetworkFolder(spec.Connectome) {
				sum, err = folderSHA256(spec.Connectome)
			}
			if err != nil {
				return "", fmt.Errorf("connectome %s: %w", spec.Connectome, err)
			}
			parts = append(parts, "connectome="+sum)
		}
	}
	if spec.NeuronTable != "" {
		sum, err := fileSHA256(spec.NeuronTable)
		if err != nil {
			return "", fmt.Errorf("neuron_table %s: %w", spec.NeuronTable, err)
		}
		parts = append(parts, "neuron_table="+sum)
	}
	if spec.NeuronsFile != "" {
		sum, err := fileSHA256(spec.NeuronsFile)
		if err != nil {
			return "", fmt.Errorf("neurons_file %s: %w", spec.NeuronsFile, err)
		}
		parts = append(parts, "neurons_file="+sum)
	}
	if file, ok := spec.Task.ArraysFile(); ok {
		sum, err := fileSHA256(file)
		if st, serr := os.Stat(file); serr == nil && st.IsDir() {
			sum, err = folderSHA256(file) // a folder of .npy arrays
		}
		if err != nil {
			return "", fmt.Errorf("task %s: %w", file, err)
		}
		parts = append(parts, "task="+sum)
	}
	if spec.InitFrom != "" {
		sum, err := folderSHA256(spec.InitFrom)
		if err != nil {
			return "", fmt.Errorf("init_from %s: %w", spec.InitFrom, err)
		}
		parts = append(parts, "init_from="+sum)
	}
	if spec.Task == rnn.TaskPicLatentMem && spec.MNISTDir != "" {
		vec, err := fileSHA256(filepath.Join(spec.MNISTDir, rnn.MNISTLatentFile))
		if err != nil {
			return "", fmt.Errorf("mnist_dir %s: %w", spec.MNISTDir, err)
		}
		lab, err := fileSHA256(filepath.Join(spec.MNISTDir, rnn.MNISTLabelsFile))
		if err != nil {
			return "", fmt.Errorf("mnist_dir %s: %w", spec.MNISTDir, err)
		}
		if vec != connectome.MNISTLatentSHA256 || lab != connectome.MNISTLabelsSHA256 {
			parts = append(parts, "mnist_latent="+vec, "mnist_labels="+lab)
		}
	}
	return strings.Join(parts, ";"), nil
}

// specJSON is the spec's canonical JSON without the Execution settings.
func specJSON(spec rnn.RunSpec) []byte {
	for _, st := range rnn.Settings() {
		if st.Execution {
			st.Clear(&spec)
		}
	}
	// json.Marshal of a struct of scalars cannot fail and emits fields in
	// declaration order, so the encoding is canonical for a given RunSpec type.
	b, err := json.Marshal(spec)
	if err != nil {
		panic(fmt.Sprintf("results: encoding RunSpec: %v", err))
	}
	return b
}

// idOf hashes the spec's JSON and, when there is one, the input digest.
func idOf(spec rnn.RunSpec, digest string) string {
	b := specJSON(spec)
	if digest != "" {
		b = append(append(b, "\ninputs "...), digest...)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// RunIDChecked is RunID that reports an input it cannot read instead of
// leaving its contents out of the id.
func RunIDChecked(spec rnn.RunSpec) (string, error) {
	d, err := InputDigest(spec)
	if err != nil {
		return "", err
	}
	return idOf(spec, d), nil
}

// PathRunID is the id that versions before content-addressed inputs gave a
// run: the spec alone, whatever its files hold. For a run without inputs
// given by path it equals RunID.
func PathRunID(spec rnn.RunSpec) string { return idOf(spec, "") }

// folderSHA256 digests the regular files of a folder (a saved network):
// the SHA-256 of "name sha256" lines in name order.
func folderSHA256(dir string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, e := range ents { // ReadDir sorts by name
		if !e.Type().IsRegular() {
			continue
		}
		sum, err := fileSHA256(filepath.Join(dir, e.Name()))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %s\n", e.Name(), sum)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// digestCache remembers file hashes by path, size and modification time, so
// that a sweep of many runs over one file reads it once.
var digestCache sync.Map // fileKey -> string

type fileKey struct {
	path  string
	size  int64
	mtime time.Time
}

// fileSHA256 is the hex SHA-256 of the file at path.
func fileSHA256(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", path)
	}
	key := fileKey{abs, st.Size(), st.ModTime()}
	if v, ok := digestCache.Load(key); ok {
		return v.(string), nil
	}
	f, err := os.Open(abs)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	digestCache.Store(key, sum)
	return sum, nil
}
