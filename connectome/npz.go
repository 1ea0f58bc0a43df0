package connectome

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxNPZMembers bounds the arrays one .npz may hold.
const maxNPZMembers = 64

// ReadNPZ reads the arrays of a NumPy .npz file (numpy.savez or
// savez_compressed: a zip of .npy files), keyed by name without ".npy".
// Each array is read as ReadNPYND reads a file, and all of them together
// may hold at most MaxArrayBytes as float64; errors name the file and the
// array.
func ReadNPZ(path string) (map[string]*Array, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%s: not a .npz file (a zip of .npy arrays): %w", path, err)
	}
	defer z.Close()
	if len(z.File) > maxNPZMembers {
		return nil, fmt.Errorf("%s: npz: %d members, at most %d are read", path, len(z.File), maxNPZMembers)
	}
	out := make(map[string]*Array, len(z.File))
	budget := int64(MaxArrayBytes)
	for _, f := range z.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok || name == "" {
			return nil, fmt.Errorf("%s: npz: member %q is not a .npy array", path, clip(f.Name, 80))
		}
		where := path + ":" + clip(name, 80)
		if f.UncompressedSize64 > uint64(budget) {
			return nil, fmt.Errorf("%s: npz: %s of data; at most %s is read", where, byteSize(int64(min(f.UncompressedSize64, 1<<62))), byteSize(budget))
		}
		r, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		b, err := io.ReadAll(io.LimitReader(r, budget+1))
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if int64(len(b)) > budget {
			return nil, fmt.Errorf("%s: npz: more than %s of data", where, byteSize(budget))
		}
		a, err := decodeNPYBudget(where, b, maxNDims, budget)
		if err != nil {
			return nil, err
		}
		budget -= 8 * int64(len(a.Data))
		out[name] = a
	}
	return out, nil
}

// NPZShapes returns the shape of each array of a .npz file, reading only
// the headers (for memory estimates before the data are read).
func NPZShapes(path string) (map[string][]int, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%s: not a .npz file (a zip of .npy arrays): %w", path, err)
	}
	defer z.Close()
	out := make(map[string][]int, len(z.File))
	for _, f := range z.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok || name == "" || len(out) >= maxNPZMembers {
			continue // ReadNPZ reports these
		}
		where := path + ":" + clip(name, 80)
		r, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		head, err := io.ReadAll(io.LimitReader(r, npyHeadMax))
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		h, _, err := parseNPYHead(where, head, int64(min(f.UncompressedSize64, 1<<62)), maxNDims, MaxArrayBytes)
		if err != nil {
			return nil, err
		}
		out[name] = h.shape
	}
	return out, nil
}

// NPYShape returns the shape of a .npy file, reading only its header.
func NPYShape(path string) ([]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	head, err := io.ReadAll(io.LimitReader(f, npyHeadMax))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	h, _, err := parseNPYHead(path, head, st.Size(), maxNDims, MaxArrayBytes)
	if err != nil {
		return nil, err
	}
	return h.shape, nil
}
