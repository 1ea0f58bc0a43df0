package connectome

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Array is an n-dimensional array read from a .npy file (0-, 1- or 2-D).
// Data always holds the elements in logical C (row-major) order, whatever
// the byte order of the file, so Data[i*Shape[1]+j] is element (i, j) also
// for Fortran-ordered files. Integer and bool dtypes are converted to float64
// (bool: 0 or 1).
type Array struct {
	Shape []int
	Data  []float64
	// Integer says the file's dtype was an integer or bool type.
	Integer bool
}

// Matrix returns a 2-D array as a Dense matrix (sharing no memory with a).
func (a *Array) Matrix() (*Dense, error) {
	if len(a.Shape) != 2 {
		return nil, fmt.Errorf("npy: expected a 2-D array, got %d-D with shape %s", len(a.Shape), shapeString(a.Shape))
	}
	if a.Shape[0]*a.Shape[1] != len(a.Data) {
		return nil, fmt.Errorf("npy: shape %s does not match %d elements", shapeString(a.Shape), len(a.Data))
	}
	return &Dense{Rows: a.Shape[0], Cols: a.Shape[1], Data: append([]float64(nil), a.Data...)}, nil
}

// npyMagic starts every .npy file.
const npyMagic = "\x93NUMPY"

// maxNPYDim bounds each dimension so that shapes with a zero dimension (no
// data to check against) still cannot declare absurd sizes.
const maxNPYDim = 1 << 30

// npyDtype describes a supported element type.
type npyDtype struct {
	size    int
	kind    byte // 'f' float, 'i' signed int, 'u' unsigned int, 'b' bool
	integer bool
}

// npyDtypes lists the little-endian (or byte-order-free) dtypes we read.
var npyDtypes = map[string]npyDtype{
	"<f8": {8, 'f', false}, "<f4": {4, 'f', false},
	"<i8": {8, 'i', true}, "<i4": {4, 'i', true}, "<i2": {2, 'i', true},
	"|i1": {1, 'i', true}, "<i1": {1, 'i', true},
	"<u8": {8, 'u', true}, "<u4": {4, 'u', true}, "<u2": {2, 'u', true},
	"|u1": {1, 'u', true}, "<u1": {1, 'u', true},
	"|b1": {1, 'b', true}, "<b1": {1, 'b', true},
}

// npyFile is a parsed .npy file: header fields plus the raw data bytes.
type npyFile struct {
	descr   string
	dtype   npyDtype
	fortran bool
	shape   []int
	n       int    // number of elements
	raw     []byte // exactly n*dtype.size bytes, file order
}

// ReadNPY reads a NumPy .npy file (format 1.0, 2.0 or 3.0; dtypes <f8 <f4
// <i8 <i4 <i2 i1 <u8 <u4 <u2 u1 b1; C or Fortran order; 0-, 1- or 2-D).
// Anything else is an error naming the file and what was found.
func ReadNPY(path string) (*Array, error) {
	b, err := readInput(path, MaxArrayBytes)
	if err != nil {
		return nil, err
	}
	return decodeNPY(path, b)
}

// maxNDims bounds the rank ReadNPYND accepts.
const maxNDims = 8

// ReadNPYND is ReadNPY for arrays of any rank up to 8 (e.g. the 3-D
// reference tensors of the trainer tests); Data is in logical C order.
// Connectome code should use ReadNPY, which rejects more than 2 dimensions.
func ReadNPYND(path string) (*Array, error) {
	b, err := readInput(path, MaxArrayBytes)
	if err != nil {
		return nil, err
	}
	return decodeNPYDims(path, b, maxNDims)
}

// decodeNPY parses the bytes of a 0- to 2-D .npy file; name is used in errors.
func decodeNPY(name string, b []byte) (*Array, error) {
	return decodeNPYDims(name, b, 2)
}

func decodeNPYDims(name string, b []byte, maxDims int) (*Array, error) {
	return decodeNPYBudget(name, b, maxDims, MaxArrayBytes)
}

// decodeNPYBudget is decodeNPYDims refusing arrays of more than budget
// bytes as float64.
func decodeNPYBudget(name string, b []byte, maxDims int, budget int64) (*Array, error) {
	f, err := parseNPYBudget(name, b, maxDims, budget)
	if err != nil {
		return nil, err
	}
	out := make([]float64, f.n)
	for k := range out {
		out[k] = f.float(k)
	}
	if f.fortran && len(f.shape) > 1 {
		out = fortranToC(out, f.shape)
	}
	return &Array{Shape: append([]int{}, f.shape...), Data: out, Integer: f.dtype.integer}, nil
}

// fortranToC reorders column-major (first index fastest) data to row-major
// (last index fastest).
func fortranToC(src []float64, shape []int) []float64 {
	dst := make([]float64, len(src))
	idx := make([]int, len(shape))
	// cstride[d] is the C-order stride of dimension d.
	cstride := make([]int, len(shape))
	s := 1
	for d := len(shape) - 1; d >= 0; d-- {
		cstride[d] = s
		s *= shape[d]
	}
	for k := range src {
		c := 0
		for d, i := range idx {
			c += i * cstride[d]
		}
		dst[c] = src[k]
		// Advance the Fortran-order multi-index: first dimension fastest.
		for d := range idx {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return dst
}

// float returns element k (file order) as float64.
func (f *npyFile) float(k int) float64 {
	s := f.dtype.size
	p := f.raw[k*s : k*s+s]
	switch f.dtype.kind {
	case 'f':
		if s == 8 {
			return math.Float64frombits(binary.LittleEndian.Uint64(p))
		}
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(p)))
	case 'b':
		if p[0] != 0 {
			return 1
		}
		return 0
	case 'u':
		return float64(f.uint(p))
	default:
		return float64(f.int(p))
	}
}

// int decodes a signed little-endian integer of the file's size.
func (f *npyFile) int(p []byte) int64 {
	switch len(p) {
	case 8:
		return int64(binary.LittleEndian.Uint64(p))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(p)))
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(p)))
	default:
		return int64(int8(p[0]))
	}
}

// uint decodes an unsigned little-endian integer of the file's size.
func (f *npyFile) uint(p []byte) uint64 {
	switch len(p) {
	case 8:
		return binary.LittleEndian.Uint64(p)
	case 4:
		return uint64(binary.LittleEndian.Uint32(p))
	case 2:
		return uint64(binary.LittleEndian.Uint16(p))
	default:
		return uint64(p[0])
	}
}

// MaxArrayBytes bounds the memory one array read from a file may take as
// float64 (8 bytes per element, whatever the file's dtype), and the size of
// any connectome input file: 1 GiB, a dense matrix of 11,585 regions.
// Larger inputs are refused, from the header alone where there is one,
// before the data are read or anything of their size is allocated.
const MaxArrayBytes = 1 << 30

// npyHeadMax is how much of a file readInput reads to check an .npy header
// before reading the data.
const npyHeadMax = 1 << 16

// errNPYHeadIncomplete: the header does not end within the bytes given.
var errNPYHeadIncomplete = errors.New("npy header longer than the bytes read")

// parseNPY checks the magic, version, header and data size. It never
// allocates based on the header alone: the declared shape is checked against
// the bytes actually present and against MaxArrayBytes.
func parseNPY(name string, b []byte) (*npyFile, error) {
	return parseNPYDims(name, b, 2)
}

// parseNPYDims is parseNPY accepting up to maxDims dimensions.
func parseNPYDims(name string, b []byte, maxDims int) (*npyFile, error) {
	return parseNPYBudget(name, b, maxDims, MaxArrayBytes)
}

// parseNPYBudget is parseNPYDims with the float64 budget in bytes.
func parseNPYBudget(name string, b []byte, maxDims int, budget int64) (*npyFile, error) {
	f, off, err := parseNPYHead(name, b, int64(len(b)), maxDims, budget)
	if err != nil {
		return nil, err
	}
	f.raw = b[off:]
	return f, nil
}

// parseNPYHead parses the magic, version and header in b, the first bytes
// of a file of size bytes (b may be the whole file), and checks the shape
// against the size of the data and against budget (bytes as float64). It
// returns the file without its data and the offset where the data start.
// When the header does not end within b it returns errNPYHeadIncomplete.
func parseNPYHead(name string, b []byte, size int64, maxDims int, budget int64) (*npyFile, int, error) {
	if len(b) < 6 || string(b[:6]) != npyMagic {
		n := min(len(b), 6)
		return nil, 0, fmt.Errorf("%s: not a .npy file (expected magic \\x93NUMPY, found %q)", name, b[:n])
	}
	if len(b) < 10 {
		return nil, 0, fmt.Errorf("%s: npy: truncated header (file has %d bytes)", name, size)
	}
	major, minor := b[6], b[7]
	var hlen, start int64
	switch major {
	case 1:
		hlen = int64(binary.LittleEndian.Uint16(b[8:10]))
		start = 10
	case 2, 3:
		if len(b) < 12 {
			return nil, 0, fmt.Errorf("%s: npy: truncated header (file has %d bytes)", name, size)
		}
		hlen = int64(binary.LittleEndian.Uint32(b[8:12]))
		start = 12
	default:
		return nil, 0, fmt.Errorf("%s: npy: unsupported format version %d.%d (expected 1.0, 2.0 or 3.0)", name, major, minor)
	}
	if minor != 0 {
		return nil, 0, fmt.Errorf("%s: npy: unsupported format version %d.%d (expected 1.0, 2.0 or 3.0)", name, major, minor)
	}
	if start+hlen > size {
		return nil, 0, fmt.Errorf("%s: npy: header length %d exceeds file size %d", name, hlen, size)
	}
	if start+hlen > int64(len(b)) {
		return nil, 0, errNPYHeadIncomplete
	}
	off := int(start + hlen)
	header := string(b[start:off])
	fields, err := parseNPYHeader(header)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: npy header %q: %v", name, clip(strings.TrimSpace(header), 80), err)
	}
	f := &npyFile{descr: fields.descr, fortran: fields.fortran, shape: fields.shape}
	dt, ok := npyDtypes[f.descr]
	if !ok {
		return nil, 0, fmt.Errorf("%s: npy: unsupported dtype %q (%s)", name, clip(f.descr, 80), dtypeHint(f.descr))
	}
	f.dtype = dt
	if len(f.shape) > maxDims {
		if maxDims == 2 {
			return nil, 0, fmt.Errorf("%s: npy: %d-D array with shape %s; only 0-, 1- and 2-D arrays are supported here", name, len(f.shape), shapeString(f.shape))
		}
		return nil, 0, fmt.Errorf("%s: npy: %d-D array with shape %s; at most %d dimensions are supported", name, len(f.shape), shapeString(f.shape), maxDims)
	}
	dataLen := size - start - hlen
	avail := dataLen / int64(dt.size)
	var n int64 = 1
	for _, d := range f.shape {
		if d < 0 || d > maxNPYDim {
			return nil, 0, fmt.Errorf("%s: npy: invalid dimension %d in shape %s", name, d, shapeString(f.shape))
		}
		if d != 0 && n > avail/int64(d)+1 {
			// Grossly more than the file holds; avoid overflow and report.
			return nil, 0, fmt.Errorf("%s: npy: shape %s needs more data than the %d bytes present", name, shapeString(f.shape), dataLen)
		}
		n *= int64(d)
	}
	// n <= avail + maxNPYDim, so n*8 cannot overflow.
	if n*8 > budget {
		return nil, 0, fmt.Errorf("%s: npy: shape %s of %s is %d elements, %s as float64 (8 bytes each, as they are read); at most %s is read",
			name, shapeString(f.shape), f.descr, n, byteSize(n*8), byteSize(budget))
	}
	if want := n * int64(dt.size); want != dataLen {
		if want > dataLen {
			return nil, 0, fmt.Errorf("%s: npy: truncated data: shape %s of %s needs %d bytes, file has %d", name, shapeString(f.shape), f.descr, want, dataLen)
		}
		return nil, 0, fmt.Errorf("%s: npy: %d trailing bytes after the data of shape %s of %s", name, dataLen-want, shapeString(f.shape), f.descr)
	}
	f.n = int(n)
	return f, off, nil
}

// byteSize writes a size in bytes for people: "1 GiB", "3.2 GB", "512 B".
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// readInput reads a whole input file of at most limit bytes. An .npy file's
// header is checked first (shape against the data present and against
// MaxArrayBytes), so a file that is refused is not read. Files that do not
// end (a device, a pipe) are read up to the limit only.
func readInput(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	head := make([]byte, min(npyHeadMax, limit+1))
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	head = head[:n]
	if size >= 0 && bytes.HasPrefix(head, []byte(npyMagic)) {
		_, _, err := parseNPYHead(path, head, size, maxNDims, MaxArrayBytes)
		if err != nil && (err != errNPYHeadIncomplete || size > limit) {
			if err == errNPYHeadIncomplete {
				err = fmt.Errorf("%s: npy: the header does not end within its first %d bytes", path, npyHeadMax)
			}
			return nil, err
		}
	}
	tooBig := func(what string) error {
		return fmt.Errorf("%s: %s; at most %s is read", path, what, byteSize(limit))
	}
	if size > limit {
		return nil, tooBig("file of " + byteSize(size))
	}
	if int64(n) > limit {
		return nil, tooBig("more than " + byteSize(limit))
	}
	if n < len(head) {
		return head, nil
	}
	rest, err := io.ReadAll(io.LimitReader(f, limit+1-int64(n)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b := append(head, rest...)
	if int64(len(b)) > limit {
		return nil, tooBig("more than " + byteSize(limit))
	}
	return b, nil
}

// dtypeHint explains why a dtype is rejected.
func dtypeHint(d string) string {
	switch {
	case strings.HasPrefix(d, ">"):
		return "big-endian data is not supported; save with a little-endian dtype such as <f8"
	case strings.Contains(d, "O"):
		return "object arrays are not supported (they need pickle)"
	default:
		return "supported: <f8 <f4 <i8 <i4 <i2 |i1 <u8 <u4 <u2 |u1 |b1"
	}
}

// shapeString formats a shape the way NumPy prints it: (3,), (2, 4), ().
func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// npyHeader holds the three keys of a .npy header dictionary.
type npyHeader struct {
	descr   string
	fortran bool
	shape   []int
}

// parseNPYHeader parses the Python dict literal of a .npy header, e.g.
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }. It accepts only
// what NumPy writes: string keys, a string descr, True/False, a tuple of ints.
func parseNPYHeader(h string) (npyHeader, error) {
	p := &litParser{s: h}
	var out npyHeader
	seen := map[string]bool{}
	if !p.eat('{') {
		return out, fmt.Errorf("expected '{' at offset %d", p.i)
	}
	for {
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return out, err
		}
		if seen[key] {
			return out, fmt.Errorf("duplicate key %q", clip(key, 80))
		}
		seen[key] = true
		if !p.eat(':') {
			return out, fmt.Errorf("expected ':' after key %q at offset %d", clip(key, 80), p.i)
		}
		switch key {
		case "descr":
			p.skip()
			if p.i < len(p.s) && p.s[p.i] == '[' {
				return out, fmt.Errorf("structured dtypes are not supported")
			}
			if out.descr, err = p.str(); err != nil {
				return out, err
			}
		case "fortran_order":
			if out.fortran, err = p.boolean(); err != nil {
				return out, err
			}
		case "shape":
			if out.shape, err = p.intTuple(); err != nil {
				return out, err
			}
		default:
			return out, fmt.Errorf("unexpected key %q", clip(key, 80))
		}
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			break
		}
		return out, fmt.Errorf("expected ',' or '}' at offset %d", p.i)
	}
	p.skip()
	if p.i != len(p.s) {
		return out, fmt.Errorf("unexpected text after the dictionary at offset %d", p.i)
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return out, fmt.Errorf("missing key %q", k)
		}
	}
	return out, nil
}

// litParser is a tiny scanner for Python literals.
type litParser struct {
	s string
	i int
}

func (p *litParser) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *litParser) eat(c byte) bool {
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a quoted string without escapes (NumPy headers never need them).
func (p *litParser) str() (string, error) {
	p.skip()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", fmt.Errorf("expected a quoted string at offset %d", p.i)
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", fmt.Errorf("unterminated string at offset %d", p.i)
	}
	v := p.s[p.i+1 : p.i+1+end]
	if strings.IndexByte(v, '\\') >= 0 {
		return "", fmt.Errorf("escape sequences in strings are not supported (offset %d)", p.i)
	}
	p.i += end + 2
	return v, nil
}

func (p *litParser) boolean() (bool, error) {
	p.skip()
	switch {
	case strings.HasPrefix(p.s[p.i:], "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "False"):
		p.i += 5
		return false, nil
	}
	return false, fmt.Errorf("expected True or False at offset %d", p.i)
}

// intTuple reads (), (n,), (n, m) ... with an optional trailing comma and
// Python 2 style "L" suffixes.
func (p *litParser) intTuple() ([]int, error) {
	if !p.eat('(') {
		return nil, fmt.Errorf("expected '(' for the shape at offset %d", p.i)
	}
	shape := []int{}
	for {
		if p.eat(')') {
			return shape, nil
		}
		p.skip()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		if j == p.i {
			return nil, fmt.Errorf("expected a non-negative integer in the shape at offset %d", p.i)
		}
		v, err := strconv.Atoi(p.s[p.i:j])
		if err != nil {
			return nil, fmt.Errorf("shape dimension %q out of range", clip(p.s[p.i:j], 80))
		}
		p.i = j
		if p.i < len(p.s) && p.s[p.i] == 'L' {
			p.i++
		}
		shape = append(shape, v)
		if len(shape) > 32 {
			return nil, fmt.Errorf("too many dimensions in the shape")
		}
		if p.eat(',') {
			continue
		}
		if p.eat(')') {
			return shape, nil
		}
		return nil, fmt.Errorf("expected ',' or ')' in the shape at offset %d", p.i)
	}
}

// WriteNPY writes data with the given shape (0-, 1- or 2-D, C order) as a
// format 1.0 .npy file of dtype <f8. The file is written under a temporary
// name in the same folder and renamed, so readers never see half a file.
func WriteNPY(path string, shape []int, data []float64) error {
	if err := checkWriteShape(path, shape, len(data)); err != nil {
		return err
	}
	var buf bytes.Buffer
	writeNPYHeader(&buf, "<f8", shape)
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], math.Float64bits(v))
	}
	buf.Write(raw)
	return writeFileAtomic(path, buf.Bytes())
}

// WriteNPYInt64 writes data as a 1-D format 1.0 .npy file of dtype <i8
// (e.g. the region index of each neuron), atomically like WriteNPY.
func WriteNPYInt64(path string, data []int64) error {
	return writeFileAtomic(path, EncodeNPYInt64(data))
}

// EncodeNPYInt64 is data as the bytes of a 1-D .npy file of dtype <i8.
func EncodeNPYInt64(data []int64) []byte {
	var buf bytes.Buffer
	writeNPYHeader(&buf, "<i8", []int{len(data)})
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	buf.Write(raw)
	return buf.Bytes()
}

// EncodeNPYFloat32 is data (C order, len = the shape's product) as the
// bytes of a .npy file of dtype <f4 (any rank).
func EncodeNPYFloat32(shape []int, data []float32) []byte {
	var buf bytes.Buffer
	writeNPYHeader(&buf, "<f4", shape)
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	buf.Write(raw)
	return buf.Bytes()
}

func checkWriteShape(path string, shape []int, n int) error {
	if len(shape) > 2 {
		return fmt.Errorf("%s: npy: cannot write %d-D shape %s (0-, 1- or 2-D only)", path, len(shape), shapeString(shape))
	}
	want := 1
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("%s: npy: negative dimension in shape %s", path, shapeString(shape))
		}
		want *= d
	}
	if want != n {
		return fmt.Errorf("%s: npy: shape %s needs %d values, got %d", path, shapeString(shape), want, n)
	}
	return nil
}

// writeNPYHeader writes magic, version 1.0 and the header dict padded with
// spaces and a final newline so the data start at a multiple of 64 bytes,
// as NumPy does.
func writeNPYHeader(buf *bytes.Buffer, descr string, shape []int) {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shapeString(shape))
	total := 10 + len(dict) + 1
	pad := (64 - total%64) % 64
	hdr := dict + strings.Repeat(" ", pad) + "\n"
	buf.WriteString(npyMagic)
	buf.Write([]byte{1, 0})
	var l [2]byte
	binary.LittleEndian.PutUint16(l[:], uint16(len(hdr)))
	buf.Write(l[:])
	buf.WriteString(hdr)
}

// writeFileAtomic writes b to a temporary file next to path and renames it
// into place, so an interrupted write never leaves a partial file at path.
func writeFileAtomic(path string, b []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := tmp.Write(b); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// clip shortens s to at most n bytes (never splitting a UTF-8 character)
// plus "..." for error messages: input echoed in an error is clipped.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
