package connectome

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DataEnv is the environment variable that names the data folder.
const DataEnv = "BIORNN_DATA"

// Bio2artCommit is the bio2art commit whose files the registry's checksums
// describe (2021-11-05).
const Bio2artCommit = "e46de2b7cb9b4063cb7b3728ef9d1b709be78c79"

// DefaultBaseURL is where Fetch downloads from: the raw files of bio2art's
// public GitHub repository, folder bio2art/connectomes, pinned to a commit so
// the checksums always match.
const DefaultBaseURL = "https://raw.githubusercontent.com/AlGoulas/bio2art/" + Bio2artCommit + "/bio2art/connectomes/"

// maxDataFile bounds a downloaded file; the largest registered one is 26 kB.
const maxDataFile = 16 << 20

// ResolveDataDir returns the folder that holds connectome data: flag when
// not empty, else $BIORNN_DATA, else <user cache dir>/biornn/connectomes
// (e.g. ~/.cache/biornn/connectomes on Linux).
func ResolveDataDir(flag string) string {
	dir, _ := DataDirOrigin(flag)
	return dir
}

// DataDirOrigin is ResolveDataDir plus where the answer came from, for
// `biornn data path`: "--data-dir", "BIORNN_DATA" or "user cache".
func DataDirOrigin(flag string) (dir, origin string) {
	if flag != "" {
		return flag, "--data-dir"
	}
	if env := os.Getenv(DataEnv); env != "" {
		return env, DataEnv
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		// No HOME or XDG_CACHE_HOME: fall back to the temp folder.
		cache = os.TempDir()
	}
	return filepath.Join(cache, "biornn", "connectomes"), "user cache"
}

// FileStatus describes one registered file in a data folder.
type FileStatus struct {
	DataSet string
	File    DataFile
	Path    string
	Present bool
	Err     error // nil when present with the right checksum
}

// Status checks every registered file in dir (checksums included).
func Status(dir string) []FileStatus {
	var out []FileStatus
	for _, d := range registry {
		for _, f := range d.Files {
			s := FileStatus{DataSet: d.Name, File: f, Path: filepath.Join(dir, f.Name)}
			b, err := os.ReadFile(s.Path)
			switch {
			case errors.Is(err, os.ErrNotExist):
			case err != nil:
				s.Present, s.Err = true, err
			default:
				s.Present, s.Err = true, f.verify(s.Path, b)
			}
			out = append(out, s)
		}
	}
	return out
}

// Fetch downloads every registered bio2art file from baseURL ("" =
// DefaultBaseURL) into dir, creating it. Files already present with the
// right checksum are kept. Everything is downloaded and verified before
// anything is written, so a failed download or checksum leaves dir as it
// was; each file is written under a temporary name and renamed. progress,
// if not nil, gets one line per file.
func Fetch(ctx context.Context, baseURL, dir string, progress io.Writer) error {
	baseURL, progress = fetchDefaults(baseURL, DefaultBaseURL, progress)
	client := &http.Client{Timeout: 2 * time.Minute}
	var todo []fileData
	for _, d := range registry {
		for _, f := range d.Files {
			if f.Optional {
				continue
			}
			p := filepath.Join(dir, f.Name)
			if b, err := os.ReadFile(p); err == nil && f.verify(p, b) == nil {
				fmt.Fprintf(progress, "%-36s already present, checksum ok\n", f.Name)
				continue
			}
			url := baseURL + f.Name
			b, err := get(ctx, client, url)
			if err != nil {
				return fmt.Errorf("fetching %s: %w (nothing was written to %s)", f.Name, err, dir)
			}
			if err := f.verify(url, b); err != nil {
				return fmt.Errorf("%w (nothing was written to %s)", err, dir)
			}
			fmt.Fprintf(progress, "%-36s %6d bytes, checksum ok\n", f.Name, len(b))
			todo = append(todo, fileData{f.Name, b})
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if err := writeFiles(dir, todo); err != nil {
		return err
	}
	fmt.Fprintf(progress, "wrote %d files to %s\n", len(todo), dir)
	return nil
}

// fetchDefaults returns baseURL (def when empty) ending in "/", and
// progress (io.Discard when nil).
func fetchDefaults(baseURL, def string, progress io.Writer) (string, io.Writer) {
	if baseURL == "" {
		baseURL = def
	}
	if !strings.HasSuffix(baseURL, "/") {
		baseURL += "/"
	}
	if progress == nil {
		progress = io.Discard
	}
	return baseURL, progress
}

// get downloads url, failing on a non-200 status or an oversized body.
func get(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDataFile+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if len(b) > maxDataFile {
		return nil, fmt.Errorf("GET %s: larger than %d bytes", url, maxDataFile)
	}
	return b, nil
}

// Import validates a local folder holding bio2art's connectome files (as
// in bio2art/connectomes) and copies them into dataDir. Every required file
// must be present and every file copied must match its checksum (the
// optional Names_*.txt copies are taken when present); nothing is copied
// unless all pass. Importing a folder into itself only validates it.
func Import(srcDir, dataDir string) error {
	if st, err := os.Stat(srcDir); err != nil {
		return fmt.Errorf("import: %w", err)
	} else if !st.IsDir() {
		return fmt.Errorf("import: %s is not a folder (expected a folder like bio2art/connectomes)", srcDir)
	}
	var jobs []fileData
	var missing []string
	for _, d := range registry {
		for _, f := range d.Files {
			p := filepath.Join(srcDir, f.Name)
			b, err := os.ReadFile(p)
			if errors.Is(err, os.ErrNotExist) {
				if !f.Optional {
					missing = append(missing, f.Name)
				}
				continue
			}
			if err != nil {
				return err
			}
			if err := f.verify(p, b); err != nil {
				return fmt.Errorf("%w (nothing was imported)", err)
			}
			jobs = append(jobs, fileData{f.Name, b})
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s does not hold bio2art's connectome files: missing %s (nothing was imported; `biornn data fetch` downloads them)", srcDir, strings.Join(missing, ", "))
	}
	if same, err := sameDir(srcDir, dataDir); err == nil && same {
		return nil
	}
	return writeFiles(dataDir, jobs)
}

// fileData is a verified data file waiting to be written.
type fileData struct {
	name string
	data []byte
}

// writeFiles creates dir and writes every file into it, each under a
// temporary name then renamed (Fetch and Import verify everything first).
func writeFiles(dir string, files []fileData) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	return nil
}

// sameDir reports whether a and b are the same existing folder.
func sameDir(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}
