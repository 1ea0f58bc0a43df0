// Package recordfile writes files whole or not at all, and slices of flat
// records as Parquet files or JSON arrays. It is the one place where biornn
// makes a file appear only when complete: the results dataset, the benchmark
// records and the networks written by 'biornn build' all go through it, so a
// reader (pandas, DuckDB, a resumed sweep) never sees half a file.
package recordfile

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// TempPrefix starts the name of a file that is still being written. The
// temporary file for DIR/NAME.EXT is DIR/TempPrefix+NAME+"-"+digits+".EXT",
// in the same folder so that the final rename is atomic on POSIX systems.
// The leading dot hides it from pyarrow, which skips names starting with ".".
const TempPrefix = ".tmp-"

// Write creates path by calling write on a temporary file in the same folder
// and renaming it to path when write, the sync and the close all succeeded.
// The file is readable by everyone (0644), as files made by os.Create are.
// On any error the temporary file is removed and path is left untouched.
// Errors name path.
func Write(path string, write func(io.Writer) error) error {
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	f, err := os.CreateTemp(filepath.Dir(path), TempPrefix+strings.TrimSuffix(base, ext)+"-*"+ext)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	// CreateTemp makes the file private (0600); a finished file gets the
	// usual 0644, as os.Create under the common umask 022 gives, so that
	// collaborators and cluster jobs of the same group can read the results.
	err = f.Chmod(0o644)
	if err == nil {
		err = write(f)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// WriteParquet writes rows to path as one zstd-compressed Parquet file, one
// row per element with the columns of T's parquet tags, whole or not at all.
func WriteParquet[T any](path string, rows []T) error {
	return Write(path, func(w io.Writer) error {
		pw := parquet.NewGenericWriter[T](w, parquet.Compression(&parquet.Zstd))
		if _, err := pw.Write(rows); err != nil {
			return err
		}
		return pw.Close()
	})
}

// WriteJSON writes rows to w as one indented JSON array ("[]" for none, never
// "null", so that a reader can always iterate the result).
func WriteJSON[T any](w io.Writer, rows []T) error {
	if rows == nil {
		rows = []T{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}
