package connectome

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ptWriter builds legacy-format .pt files opcode by opcode, as torch.save
// (protocol 2, _use_new_zipfile_serialization=False) lays out the paper's
// mnist_latent_output_labels.pt: the same pickles, memo stores and storage
// records, so the reader is tested on that structure without the file.
type ptWriter struct{ bytes.Buffer }

func (w *ptWriter) op(b ...byte) { w.Write(b) }
func (w *ptWriter) put(i byte)   { w.op(opBinPut, i) }
func (w *ptWriter) str(s string) {
	w.op(opBinUnicode)
	binary.Write(w, binary.LittleEndian, uint32(len(s)))
	w.WriteString(s)
}
func (w *ptWriter) int(v int) {
	switch {
	case v >= 0 && v < 256:
		w.op(opBinInt1, byte(v))
	case v >= 0 && v < 65536:
		w.op(opBinInt2, byte(v), byte(v>>8))
	default:
		w.op(opBinInt)
		binary.Write(w, binary.LittleEndian, int32(v))
	}
}
func (w *ptWriter) global(module, name string) {
	w.op(opGlobal)
	w.WriteString(module + "\n" + name + "\n")
}

// ptTensor is one tensor for writePT: its storage (elements, storage type)
// and how the tensor views it.
type ptTensor struct {
	storageType string // "FloatStorage", "LongStorage", ...
	key         string
	raw         []byte // storage elements, little-endian
	numel       int
	offset      int
	size        []int
	stride      []int
}

// writePT writes a legacy .pt file of a tuple of tensors (one storage
// each), the layout of the paper's file when given two tensors.
func writePT(ts []ptTensor) []byte {
	var w ptWriter
	// 1. magic number, 2. protocol version, 3. sys_info.
	w.op(opProto, 2, opLong1, byte(len(torchMagic)))
	w.Write(torchMagic)
	w.op(opStop)
	w.op(opProto, 2)
	w.int(1001)
	w.op(opStop)
	w.op(opProto, 2, opEmptyDict)
	w.put(0)
	w.op(opMark)
	w.str("protocol_version")
	w.put(1)
	w.int(1001)
	w.str("little_endian")
	w.put(2)
	w.op(opNewTrue)
	w.str("type_sizes")
	w.put(3)
	w.op(opEmptyDict)
	w.put(4)
	w.op(opMark)
	w.str("short")
	w.put(5)
	w.int(2)
	w.str("int")
	w.put(6)
	w.int(4)
	w.str("long")
	w.put(7)
	w.int(4)
	w.op(opSetItems, opSetItems, opStop)
	// 4. the object: a tuple of _rebuild_tensor_v2 calls.
	w.op(opProto, 2)
	memo := byte(0)
	next := func() byte { memo++; return memo - 1 }
	rebuild, storageStr, cpu, odict := byte(255), byte(255), byte(255), byte(255)
	for _, t := range ts {
		if rebuild == 255 {
			w.global("torch._utils", "_rebuild_tensor_v2")
			rebuild = next()
			w.put(rebuild)
		} else {
			w.op(opBinGet, rebuild)
		}
		w.op(opMark, opMark)
		if storageStr == 255 {
			w.str("storage")
			storageStr = next()
			w.put(storageStr)
		} else {
			w.op(opBinGet, storageStr)
		}
		w.global("torch", t.storageType)
		w.put(next())
		w.str(t.key)
		w.put(next())
		if cpu == 255 {
			w.str("cpu")
			cpu = next()
			w.put(cpu)
		} else {
			w.op(opBinGet, cpu)
		}
		w.int(t.numel)
		w.op(opNone, opTuple)
		w.put(next())
		w.op(opBinPersID)
		w.int(t.offset)
		for _, tuple := range [][]int{t.size, t.stride} {
			if len(tuple) > 3 {
				w.op(opMark)
			}
			for _, v := range tuple {
				w.int(v)
			}
			switch len(tuple) {
			case 0:
				w.op(opEmptyTuple)
			case 1, 2, 3:
				w.op(opTuple1 + byte(len(tuple)-1))
			default:
				w.op(opTuple)
			}
			w.put(next())
		}
		w.op(opNewFalse)
		if odict == 255 {
			w.global("collections", "OrderedDict")
			odict = next()
			w.put(odict)
		} else {
			w.op(opBinGet, odict)
		}
		w.op(opEmptyTuple, opReduce)
		w.put(next())
		w.op(opTuple)
		w.put(next())
		w.op(opReduce)
		w.put(next())
	}
	switch len(ts) {
	case 1:
	case 2, 3:
		w.op(opTuple1 + byte(len(ts)-1))
		w.put(next())
	default:
		panic("writePT: 1 to 3 tensors")
	}
	w.op(opStop)
	// 5. storage keys, in the order the storage data follow (the paper's
	// file lists the second tensor's storage first).
	w.op(opProto, 2, opEmptyList)
	w.put(0)
	w.op(opMark)
	for i := len(ts) - 1; i >= 0; i-- {
		w.str(ts[i].key)
		w.put(byte(len(ts) - i))
	}
	w.op(opAppends, opStop)
	for i := len(ts) - 1; i >= 0; i-- {
		binary.Write(&w, binary.LittleEndian, int64(ts[i].numel))
		w.Write(ts[i].raw)
	}
	return w.Bytes()
}

func f32raw(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func i64raw(v []int64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
	}
	return b
}

// mnistLikePT is a small stand-in for the paper's file: rows latent
// vectors of width dim (float32, values >= 0 like the paper's) and rows
// int64 labels cycling through the digits.
func mnistLikePT(rows, dim int) (pt []byte, vec []float32, lab []int64) {
	vec = make([]float32, rows*dim)
	for i := range vec {
		vec[i] = float32(i%97) * 0.21875
	}
	lab = make([]int64, rows)
	for i := range lab {
		lab[i] = int64(i % 10)
	}
	pt = writePT([]ptTensor{
		{storageType: "FloatStorage", key: "140433556067424", raw: f32raw(vec), numel: rows * dim, size: []int{rows, dim}, stride: []int{dim, 1}},
		{storageType: "LongStorage", key: "140433555150256", raw: i64raw(lab), numel: rows, size: []int{rows}, stride: []int{1}},
	})
	return pt, vec, lab
}

func TestDecodeTorchTensorsFixture(t *testing.T) {
	pt, vec, lab := mnistLikePT(12, MNISTLatentDim)
	ts, err := DecodeTorchTensors("fixture.pt", pt)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 {
		t.Fatalf("%d tensors, want 2", len(ts))
	}
	if ts[0].DType != "<f4" || !equalInts(ts[0].Shape, []int{12, MNISTLatentDim}) || !bytes.Equal(ts[0].Data, f32raw(vec)) {
		t.Errorf("latents: %s %v, data equal %v", ts[0].DType, ts[0].Shape, bytes.Equal(ts[0].Data, f32raw(vec)))
	}
	if ts[1].DType != "<i8" || !equalInts(ts[1].Shape, []int{12}) || !bytes.Equal(ts[1].Data, i64raw(lab)) {
		t.Errorf("labels: %s %v", ts[1].DType, ts[1].Shape)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A transposed view with a storage offset is gathered into C order.
func TestDecodeTorchTensorsStrided(t *testing.T) {
	// Storage: 1 padding element, then a 3x2 C-order matrix m; the tensor
	// is m transposed (2x3, strides (1, 2)) starting at offset 1.
	store := []float32{-1, 0, 1, 2, 3, 4, 5}
	pt := writePT([]ptTensor{{storageType: "FloatStorage", key: "k", raw: f32raw(store), numel: 7, offset: 1, size: []int{2, 3}, stride: []int{1, 2}}})
	ts, err := DecodeTorchTensors("t.pt", pt)
	if err != nil {
		t.Fatal(err)
	}
	want := f32raw([]float32{0, 2, 4, 1, 3, 5})
	if len(ts) != 1 || !bytes.Equal(ts[0].Data, want) || !equalInts(ts[0].Shape, []int{2, 3}) {
		t.Fatalf("got %+v", ts)
	}
}

func TestDecodeTorchTensorsRejects(t *testing.T) {
	good := ptTensor{storageType: "FloatStorage", key: "k", raw: f32raw([]float32{1, 2, 3, 4, 5, 6}), numel: 6, size: []int{2, 3}, stride: []int{3, 1}}
	mod := func(f func(*ptTensor)) []byte {
		t := good
		f(&t)
		return writePT([]ptTensor{t})
	}
	for _, tc := range []struct {
		name, want string
		b          []byte
	}{
		{"beyond storage", "beyond its storage", mod(func(t *ptTensor) { t.offset = 1 })},
		{"big stride", "beyond its storage", mod(func(t *ptTensor) { t.stride = []int{4, 1} })},
		{"more elements", "more elements than its storage", mod(func(t *ptTensor) { t.size = []int{3, 3} })},
		{"negative size", "out of range", mod(func(t *ptTensor) { t.size = []int{-2, 3} })},
		{"storage too small", "truncated", mod(func(t *ptTensor) { t.numel = 7 })},
		{"count mismatch", "holds 5 elements, its tensor says 6", func() []byte {
			b := writePT([]ptTensor{good})
			b[len(b)-24-8] = 5 // the storage record's element count
			return b
		}()},
		{"truncated storage", "truncated", mod(func(t *ptTensor) { t.raw = t.raw[:20] })},
		{"trailing bytes", "unexpected bytes", append(writePT([]ptTensor{good}), 0)},
		{"unknown storage", "refusing the global torch.HalfStorage", mod(func(t *ptTensor) { t.storageType = "HalfStorage" })},
		{"zip format", "zip-format", []byte("PK\x03\x04rest")},
		{"npy file", "not a PyTorch .pt file", []byte("\x93NUMPY\x01\x00")},
		{"empty", "not a PyTorch .pt file", nil},
	} {
		_, err := DecodeTorchTensors("bad.pt", tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.pt") {
			t.Errorf("%s: got %v, want an error naming bad.pt containing %q", tc.name, err, tc.want)
		}
	}
	// A pickle that would run code: os.system via GLOBAL + REDUCE.
	var w ptWriter
	w.op(opProto, 2)
	w.global("os", "system")
	w.str("echo pwned")
	w.op(opTuple1, opReduce, opStop)
	if _, err := DecodeTorchTensors("evil.pt", w.Bytes()); err == nil || !strings.Contains(err.Error(), "refusing the global os.system") {
		t.Errorf("evil pickle: %v", err)
	}
}

// Every truncation and every single-byte change of a fixture gives an
// error or a result, never a panic.
func TestDecodeTorchTensorsDamaged(t *testing.T) {
	pt, _, _ := mnistLikePT(3, 4)
	for n := range len(pt) {
		if _, err := DecodeTorchTensors("cut.pt", pt[:n]); err == nil {
			t.Fatalf("truncated to %d bytes: no error", n)
		}
	}
	b := make([]byte, len(pt))
	for i := range pt {
		for _, x := range []byte{0x00, 0xff, pt[i] ^ 0x01, pt[i] ^ 0x80} {
			copy(b, pt)
			b[i] = x
			DecodeTorchTensors("flip.pt", b)
		}
	}
}

func FuzzDecodeTorchTensors(f *testing.F) {
	pt, _, _ := mnistLikePT(3, 4)
	f.Add(pt)
	f.Add(writePT([]ptTensor{{storageType: "LongStorage", key: "a", raw: i64raw([]int64{1, 2, 3}), numel: 3, offset: 1, size: []int{2}, stride: []int{1}}}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := DecodeTorchTensors("fuzz.pt", b)
		if err != nil {
			return
		}
		for _, x := range ts {
			n := npyDtypes[x.DType].size
			for _, d := range x.Shape {
				n *= d
			}
			if n != len(x.Data) {
				t.Fatalf("shape %v dtype %s with %d data bytes", x.Shape, x.DType, len(x.Data))
			}
		}
	})
}

// The paper's own file, when a copy is at hand: BIORNN_MNIST_PT names it
// (the file cannot be shipped with the project). It must have the pinned
// checksum and convert to exactly the shared .npy files.
func TestTorchPaperFile(t *testing.T) {
	path := os.Getenv("BIORNN_MNIST_PT")
	if path == "" {
		t.Skip("BIORNN_MNIST_PT not set (path of bio_rnn_mem's latent_mnist/mnist_latent_output_labels.pt)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := sha256Hex(b); got != MNISTTorchSHA256 {
		t.Fatalf("%s: SHA-256 %s, pinned %s", path, got, MNISTTorchSHA256)
	}
	vec, lab, err := ConvertMNISTTorch(path, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkPinnedMNIST(path, vec, lab); err != nil {
		t.Fatal(err)
	}
	shared := filepath.Join("..", "..", "shared", "mnist-latent")
	for name, got := range map[string][]byte{MNISTLatentFile: vec, MNISTLabelsFile: lab} {
		want, err := os.ReadFile(filepath.Join(shared, name))
		if err != nil {
			t.Logf("no shared copy to compare with: %v", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s converted from the .pt differs from %s", name, filepath.Join(shared, name))
		}
	}
}
