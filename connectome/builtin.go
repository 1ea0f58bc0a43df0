package connectome

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
)

// BuiltinSource is Connectome.Source (and the runs column
// connectome_source) for a data set read from the copy built into the
// binary.
const BuiltinSource = "builtin"

// builtinFiles holds bio2art's six connectomes (MIT; see builtin/LICENSE
// and builtin/README.md), so that a binary needs no data step.
//
//go:embed builtin/*.npy builtin/*.lst builtin/LICENSE builtin/README.md
var builtinFiles embed.FS

// dataSource is where a registered data set's files are read from: a
// folder on disk or the built-in copy.
type dataSource struct {
	dir     string // the folder; "" for the built-in copy
	builtin bool
}

var builtinSource = dataSource{builtin: true}

func folderSource(dir string) dataSource { return dataSource{dir: dir} }

// name is what Connectome.Source records: the folder or BuiltinSource.
func (s dataSource) name() string {
	if s.builtin {
		return BuiltinSource
	}
	return s.dir
}

// path names a file in messages.
func (s dataSource) path(file string) string {
	if s.builtin {
		return BuiltinSource + ":" + file
	}
	return filepath.Join(s.dir, file)
}

func (s dataSource) read(file string) ([]byte, error) {
	if s.builtin {
		return fs.ReadFile(builtinFiles, "builtin/"+file)
	}
	return os.ReadFile(filepath.Join(s.dir, file))
}

func (s dataSource) exists(file string) bool {
	if s.builtin {
		st, err := fs.Stat(builtinFiles, "builtin/"+file)
		return err == nil && st.Mode().IsRegular()
	}
	return fileExists(filepath.Join(s.dir, file))
}

// readVerified reads a registered file and checks its checksum.
func (s dataSource) readVerified(f *DataFile) ([]byte, error) {
	b, err := s.read(f.Name)
	if err != nil {
		return nil, err
	}
	if err := f.verify(s.path(f.Name), b); err != nil {
		return nil, err
	}
	return b, nil
}

// Builtin reports whether the data set is built into the binary.
func (d *DataSet) Builtin() bool {
	return builtinSource.exists(d.File(KindMatrix).Name)
}

// BuiltinLicense is the licence text of the built-in data.
func BuiltinLicense() string {
	b, _ := builtinFiles.ReadFile("builtin/LICENSE")
	return string(b)
}
