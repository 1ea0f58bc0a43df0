package connectome

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"os"
	"unicode/utf8"
)

// A reader for PyTorch's legacy .pt format (torch.save with
// _use_new_zipfile_serialization=False, the default before PyTorch 1.6), the
// format of the paper's latent_mnist/mnist_latent_output_labels.pt. Such a
// file is five pickles (protocol 2) followed by raw storage bytes:
//
//  1. the magic number 0x1950a86a20f9469cfc6c (a LONG1),
//  2. the protocol version 1001,
//  3. sys_info: {'protocol_version': 1001, 'little_endian': True,
//     'type_sizes': {...}},
//  4. the saved object; each tensor is
//     torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
//     requires_grad, OrderedDict()) whose storage is a persistent id
//     ('storage', torch.XxxStorage, key, location, numel, None),
//  5. the list of storage keys, in the order their data follow,
//
// and then, per key, the element count as a little-endian int64 and that
// many elements in the byte order sys_info states.
//
// Nothing is executed: the unpickler below knows a handful of opcodes and a
// fixed list of globals (the tensor rebuilders, collections.OrderedDict with
// no arguments, the storage classes); every other opcode or global is an
// error. Sizes are checked against the bytes present before anything is
// allocated, so a hostile or damaged file gives an error, never a panic or a
// huge allocation. PyTorch's newer zip format is recognised and refused with
// a message saying so.

// TorchTensor is a tensor read from a .pt file: its elements in C
// (row-major) order, contiguous, little-endian, whatever the strides and
// storage offset in the file were.
type TorchTensor struct {
	// DType is the NumPy type string of the elements: "<f4" (torch.float32),
	// "<f8", "<i8" (torch.int64), "<i4", "<i2", "|i1", "|u1" or "|b1".
	DType string
	Shape []int
	Data  []byte // len = product(Shape) * element size
}

// torchMagic is the legacy format's magic number 0x1950a86a20f9469cfc6c as
// pickle's LONG1 stores it (little-endian two's complement).
var torchMagic = []byte{0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}

// torchProtocolVersion is the legacy format's version number.
const torchProtocolVersion = 1001

// maxTorchDims bounds a tensor's rank.
const maxTorchDims = 8

// torchStorageTypes maps torch's storage classes to NumPy dtypes.
var torchStorageTypes = map[string]string{
	"FloatStorage": "<f4", "DoubleStorage": "<f8",
	"LongStorage": "<i8", "IntStorage": "<i4", "ShortStorage": "<i2",
	"CharStorage": "|i1", "ByteStorage": "|u1", "BoolStorage": "|b1",
}

// Pickle opcodes used by torch.save beyond those of pickle.go.
const (
	opBinInt      = 'J'
	opBinInt1     = 'K'
	opBinInt2     = 'M'
	opLong1       = 0x8a
	opNone        = 'N'
	opNewTrue     = 0x88
	opNewFalse    = 0x89
	opEmptyTuple  = ')'
	opTuple       = 't'
	opTuple1      = 0x85
	opTuple2      = 0x86
	opTuple3      = 0x87
	opEmptyDict   = '}'
	opSetItem     = 's'
	opSetItems    = 'u'
	opGlobal      = 'c'
	opStackGlobal = 0x93
	opReduce      = 'R'
	opBinPersID   = 'Q'
)

// Values on the unpickler's stack besides int64, bool, string and
// pickleMark.
type (
	pyNone   struct{}
	pyTuple  []any
	pyBigInt []byte // a LONG1 too wide for int64, little-endian
	pyList   struct{ items []any }
	pyDict   struct {
		keys, vals []any
		ordered    bool // made by collections.OrderedDict()
	}
	pyGlobal struct{ module, name string }
)

// torchStorage is a storage named by a persistent id; data is filled in
// from the bytes after the pickles.
type torchStorage struct {
	key   string
	dtype string
	numel int64
	data  []byte
	read  bool
}

// torchTensorRef is a tensor as the pickle describes it.
type torchTensorRef struct {
	storage      *torchStorage
	offset       int64
	size, stride []int64
}

// ReadTorchTensors reads the tensors saved in a legacy-format .pt file: the
// saved object must be a tensor or a tuple or list of tensors.
func ReadTorchTensors(path string) ([]TorchTensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return DecodeTorchTensors(path, b)
}

// DecodeTorchTensors is ReadTorchTensors on the bytes of a file; name is
// used in errors.
func DecodeTorchTensors(name string, b []byte) ([]TorchTensor, error) {
	if bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return nil, fmt.Errorf("%s: a PyTorch zip-format file (torch.save since PyTorch 1.6); only the legacy format is read (torch.save(obj, f, _use_new_zipfile_serialization=False))", name)
	}
	if len(b) < 2 || b[0] != opProto {
		return nil, fmt.Errorf("%s: not a PyTorch .pt file (it does not start with a pickle)", name)
	}
	u := &torchUnpickler{name: name, b: b, storages: map[string]*torchStorage{}}
	magic, err := u.load(false)
	if err != nil {
		return nil, err
	}
	if m, ok := magic.(pyBigInt); !ok || !bytes.Equal(m, torchMagic) {
		return nil, fmt.Errorf("%s: not a PyTorch .pt file (no legacy-format magic number)", name)
	}
	version, err := u.load(false)
	if err != nil {
		return nil, err
	}
	if v, ok := version.(int64); !ok || v != torchProtocolVersion {
		return nil, fmt.Errorf("%s: PyTorch protocol version %s, expected %d", name, pyKind(version), torchProtocolVersion)
	}
	info, err := u.load(false)
	if err != nil {
		return nil, err
	}
	if err := checkTorchSysInfo(name, info); err != nil {
		return nil, err
	}
	obj, err := u.load(true)
	if err != nil {
		return nil, err
	}
	keyList, err := u.load(false)
	if err != nil {
		return nil, err
	}
	if err := u.readStorages(keyList); err != nil {
		return nil, err
	}
	var refs []any
	switch o := obj.(type) {
	case *torchTensorRef:
		refs = []any{o}
	case pyTuple:
		refs = o
	case *pyList:
		refs = o.items
	default:
		return nil, fmt.Errorf("%s: the saved object is a %s, expected a tensor or a tuple or list of tensors", name, pyKind(obj))
	}
	out := make([]TorchTensor, len(refs))
	for i, r := range refs {
		t, ok := r.(*torchTensorRef)
		if !ok {
			return nil, fmt.Errorf("%s: saved item %d is a %s, expected a tensor", name, i, pyKind(r))
		}
		if out[i], err = t.materialize(); err != nil {
			return nil, fmt.Errorf("%s: tensor %d: %w", name, i, err)
		}
	}
	return out, nil
}

// checkTorchSysInfo checks the sys_info dict: version 1001, little-endian.
func checkTorchSysInfo(name string, info any) error {
	d, ok := info.(*pyDict)
	if !ok {
		return fmt.Errorf("%s: PyTorch sys_info is a %s, expected a dict", name, pyKind(info))
	}
	if v, _ := d.get("protocol_version").(int64); v != torchProtocolVersion {
		return fmt.Errorf("%s: PyTorch sys_info protocol_version %s, expected %d", name, pyKind(d.get("protocol_version")), torchProtocolVersion)
	}
	le, ok := d.get("little_endian").(bool)
	if !ok {
		return fmt.Errorf("%s: PyTorch sys_info has no little_endian flag", name)
	}
	if !le {
		return fmt.Errorf("%s: saved on a big-endian machine; only little-endian files are read", name)
	}
	return nil
}

// readStorages reads the storage data that follow the pickles, in the
// order of the key list, and checks that the file ends there.
func (u *torchUnpickler) readStorages(keyList any) error {
	l, ok := keyList.(*pyList)
	if !ok {
		return fmt.Errorf("%s: the storage key list is a %s, expected a list", u.name, pyKind(keyList))
	}
	for _, k := range l.items {
		key, ok := k.(string)
		if !ok {
			return fmt.Errorf("%s: a storage key is a %s, expected a string", u.name, pyKind(k))
		}
		s := u.storages[key]
		if s == nil {
			return fmt.Errorf("%s: storage key %q is listed but no tensor uses it", u.name, clip(key, 40))
		}
		if s.read {
			return fmt.Errorf("%s: storage key %q is listed twice", u.name, clip(key, 40))
		}
		at := u.pos
		if len(u.b)-u.pos < 8 {
			return fmt.Errorf("%s: storage %q at byte %d: truncated (no element count)", u.name, clip(key, 40), at)
		}
		n := int64(binary.LittleEndian.Uint64(u.b[u.pos:]))
		u.pos += 8
		if n != s.numel {
			return fmt.Errorf("%s: storage %q at byte %d holds %d elements, its tensor says %d", u.name, clip(key, 40), at, n, s.numel)
		}
		size := uint64(npyDtypes[s.dtype].size)
		if hi, lo := bits.Mul64(uint64(n), size); hi != 0 || lo > uint64(len(u.b)-u.pos) {
			return fmt.Errorf("%s: storage %q at byte %d: truncated (%d elements of %d bytes, %d bytes left)", u.name, clip(key, 40), at, n, size, len(u.b)-u.pos)
		}
		nb := int(uint64(n) * size)
		s.data = u.b[u.pos : u.pos+nb]
		s.read = true
		u.pos += nb
	}
	for key, s := range u.storages {
		if !s.read {
			return fmt.Errorf("%s: storage %q is used by a tensor but not in the key list", u.name, clip(key, 40))
		}
	}
	if u.pos != len(u.b) {
		return fmt.Errorf("%s: %d unexpected bytes after the last storage (byte %d)", u.name, len(u.b)-u.pos, u.pos)
	}
	return nil
}

// materialize gathers the tensor's elements into C order, checking that
// every element lies inside the storage.
func (t *torchTensorRef) materialize() (TorchTensor, error) {
	s := t.storage
	es := int64(npyDtypes[s.dtype].size)
	shape := make([]int, len(t.size))
	numel := int64(1)
	for d, n := range t.size {
		if n < 0 || n > maxNPYDim || t.stride[d] < 0 {
			return TorchTensor{}, fmt.Errorf("size %v or stride %v out of range", t.size, t.stride)
		}
		shape[d] = int(n)
		hi, lo := bits.Mul64(uint64(numel), uint64(n))
		if hi != 0 || lo > uint64(s.numel) {
			return TorchTensor{}, fmt.Errorf("size %v has more elements than its storage (%d); save a contiguous copy", t.size, s.numel)
		}
		numel = int64(lo)
	}
	if t.offset < 0 || t.offset > s.numel {
		return TorchTensor{}, fmt.Errorf("storage offset %d outside its storage of %d elements", t.offset, s.numel)
	}
	out := TorchTensor{DType: s.dtype, Shape: shape, Data: make([]byte, numel*es)}
	if numel == 0 {
		return out, nil
	}
	// The last element's index, offset + sum((size-1)*stride), must lie in
	// the storage; every term is bounded so the sum cannot overflow once
	// each term is checked against the storage size.
	last := t.offset
	for d, n := range t.size {
		if n > 1 && t.stride[d] > (s.numel-last)/(n-1) {
			return TorchTensor{}, fmt.Errorf("size %v, stride %v and offset %d reach beyond its storage of %d elements", t.size, t.stride, t.offset, s.numel)
		}
		last += (n - 1) * t.stride[d]
	}
	if last >= s.numel {
		return TorchTensor{}, fmt.Errorf("size %v, stride %v and offset %d reach beyond its storage of %d elements", t.size, t.stride, t.offset, s.numel)
	}
	if contiguous(t.size, t.stride) {
		copy(out.Data, s.data[t.offset*es:(t.offset+numel)*es])
		return out, nil
	}
	idx := make([]int64, len(t.size))
	for k := int64(0); k < numel; k++ {
		src := t.offset
		for d, i := range idx {
			src += i * t.stride[d]
		}
		copy(out.Data[k*es:(k+1)*es], s.data[src*es:(src+1)*es])
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < t.size[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out, nil
}

// contiguous reports whether strides are C-contiguous for size (dimensions
// of length 1 may have any stride).
func contiguous(size, stride []int64) bool {
	want := int64(1)
	for d := len(size) - 1; d >= 0; d-- {
		if size[d] != 1 && stride[d] != want {
			return false
		}
		want *= size[d]
	}
	return true
}

// torchUnpickler interprets the pickles of a legacy .pt file one after the
// other; storages collects the persistent ids of the object pickle.
type torchUnpickler struct {
	name     string
	b        []byte
	pos      int
	storages map[string]*torchStorage
}

// load interprets one pickle from u.pos up to and including its STOP and
// returns its object. Persistent ids (storages) are allowed only when
// persist is set.
func (u *torchUnpickler) load(persist bool) (any, error) {
	start := u.pos
	var stack []any
	memo := map[uint64]any{}
	errAt := func(at int, format string, args ...any) error {
		return fmt.Errorf("%s: pickle at byte %d: %s", u.name, at, fmt.Sprintf(format, args...))
	}
	take := func(n uint64) ([]byte, error) {
		if n > uint64(len(u.b)-u.pos) {
			return nil, errAt(u.pos, "truncated: need %d bytes, %d left", n, len(u.b)-u.pos)
		}
		s := u.b[u.pos : u.pos+int(n)]
		u.pos += int(n)
		return s, nil
	}
	pop := func(at int) (any, error) {
		if len(stack) == 0 {
			return nil, errAt(at, "pop from an empty stack")
		}
		v := stack[len(stack)-1]
		if _, ok := v.(pickleMark); ok {
			return nil, errAt(at, "a MARK where a value was expected")
		}
		stack = stack[:len(stack)-1]
		return v, nil
	}
	popToMark := func(at int) ([]any, error) {
		for k := len(stack) - 1; k >= 0; k-- {
			if _, ok := stack[k].(pickleMark); ok {
				items := append([]any(nil), stack[k+1:]...)
				stack = stack[:k]
				return items, nil
			}
		}
		return nil, errAt(at, "no MARK on the stack")
	}
	top := func(at int) (any, error) {
		if len(stack) == 0 {
			return nil, errAt(at, "empty stack")
		}
		if _, ok := stack[len(stack)-1].(pickleMark); ok {
			return nil, errAt(at, "a MARK where a value was expected")
		}
		return stack[len(stack)-1], nil
	}
	readUint := func(n uint64) (uint64, error) {
		v, err := take(n)
		if err != nil {
			return 0, err
		}
		var x uint64
		for i := len(v) - 1; i >= 0; i-- {
			x = x<<8 | uint64(v[i])
		}
		return x, nil
	}
	if u.pos >= len(u.b) {
		return nil, fmt.Errorf("%s: truncated: a pickle expected at byte %d", u.name, u.pos)
	}
	for u.pos < len(u.b) {
		at := u.pos
		op := u.b[u.pos]
		u.pos++
		switch op {
		case opProto:
			v, err := readUint(1)
			if err != nil {
				return nil, err
			}
			if v > 5 {
				return nil, errAt(at, "unsupported pickle protocol %d", v)
			}
		case opFrame:
			if _, err := take(8); err != nil {
				return nil, err
			}
		case opMark:
			stack = append(stack, pickleMark{})
		case opBinInt, opBinInt1, opBinInt2:
			n := map[byte]uint64{opBinInt: 4, opBinInt1: 1, opBinInt2: 2}[op]
			v, err := readUint(n)
			if err != nil {
				return nil, err
			}
			if op == opBinInt {
				stack = append(stack, int64(int32(v)))
			} else {
				stack = append(stack, int64(v))
			}
		case opLong1:
			n, err := readUint(1)
			if err != nil {
				return nil, err
			}
			v, err := take(n)
			if err != nil {
				return nil, err
			}
			if n > 8 {
				stack = append(stack, pyBigInt(v))
				break
			}
			var x uint64
			for i := len(v) - 1; i >= 0; i-- {
				x = x<<8 | uint64(v[i])
			}
			if n > 0 && n < 8 && v[n-1]&0x80 != 0 { // sign-extend
				x |= math.MaxUint64 << (8 * n)
			}
			stack = append(stack, int64(x))
		case opNone:
			stack = append(stack, pyNone{})
		case opNewTrue, opNewFalse:
			stack = append(stack, op == opNewTrue)
		case opBinUnicode, opShortBinUnicode, opBinUnicode8:
			n := map[byte]uint64{opShortBinUnicode: 1, opBinUnicode: 4, opBinUnicode8: 8}[op]
			l, err := readUint(n)
			if err != nil {
				return nil, err
			}
			s, err := take(l)
			if err != nil {
				return nil, err
			}
			if !utf8.Valid(s) {
				return nil, errAt(at, "string is not valid UTF-8")
			}
			stack = append(stack, string(s))
		case opEmptyTuple:
			stack = append(stack, pyTuple{})
		case opTuple:
			items, err := popToMark(at)
			if err != nil {
				return nil, err
			}
			stack = append(stack, pyTuple(items))
		case opTuple1, opTuple2, opTuple3:
			n := int(op-opTuple1) + 1
			t := make(pyTuple, n)
			for i := n - 1; i >= 0; i-- {
				v, err := pop(at)
				if err != nil {
					return nil, err
				}
				t[i] = v
			}
			stack = append(stack, t)
		case opEmptyList:
			stack = append(stack, &pyList{})
		case opAppend, opAppends:
			var items []any
			if op == opAppend {
				v, err := pop(at)
				if err != nil {
					return nil, err
				}
				items = []any{v}
			} else {
				var err error
				if items, err = popToMark(at); err != nil {
					return nil, err
				}
			}
			t, err := top(at)
			if err != nil {
				return nil, err
			}
			l, ok := t.(*pyList)
			if !ok {
				return nil, errAt(at, "append to a %s", pyKind(t))
			}
			l.items = append(l.items, items...)
		case opEmptyDict:
			stack = append(stack, &pyDict{})
		case opSetItem, opSetItems:
			var items []any
			if op == opSetItem {
				v, err := pop(at)
				if err != nil {
					return nil, err
				}
				k, err := pop(at)
				if err != nil {
					return nil, err
				}
				items = []any{k, v}
			} else {
				var err error
				if items, err = popToMark(at); err != nil {
					return nil, err
				}
				if len(items)%2 != 0 {
					return nil, errAt(at, "SETITEMS with an odd number of items")
				}
			}
			t, err := top(at)
			if err != nil {
				return nil, err
			}
			d, ok := t.(*pyDict)
			if !ok {
				return nil, errAt(at, "set item of a %s", pyKind(t))
			}
			for i := 0; i < len(items); i += 2 {
				switch items[i].(type) {
				case string, int64:
				default:
					return nil, errAt(at, "dict key is a %s (only str and int keys are read)", pyKind(items[i]))
				}
				d.set(items[i], items[i+1])
			}
		case opGlobal, opStackGlobal:
			var module, name string
			if op == opGlobal {
				var err error
				if module, err = u.line(at); err != nil {
					return nil, err
				}
				if name, err = u.line(at); err != nil {
					return nil, err
				}
			} else {
				n, err := pop(at)
				if err != nil {
					return nil, err
				}
				m, err := pop(at)
				if err != nil {
					return nil, err
				}
				var ok1, ok2 bool
				module, ok1 = m.(string)
				name, ok2 = n.(string)
				if !ok1 || !ok2 {
					return nil, errAt(at, "STACK_GLOBAL of a non-string")
				}
			}
			if !torchGlobalAllowed(module, name) {
				return nil, errAt(at, "refusing the global %s.%s: only tensors of plain storages are read", clip(module, 60), clip(name, 60))
			}
			stack = append(stack, pyGlobal{module, name})
		case opReduce:
			args, err := pop(at)
			if err != nil {
				return nil, err
			}
			fn, err := pop(at)
			if err != nil {
				return nil, err
			}
			v, err := u.reduce(fn, args)
			if err != nil {
				return nil, errAt(at, "%v", err)
			}
			stack = append(stack, v)
		case opBinPersID:
			if !persist {
				return nil, errAt(at, "a persistent id outside the saved object")
			}
			pid, err := pop(at)
			if err != nil {
				return nil, err
			}
			s, err := u.persistentLoad(pid)
			if err != nil {
				return nil, errAt(at, "%v", err)
			}
			stack = append(stack, s)
		case opBinPut, opLongBinPut, opMemoize:
			var idx uint64
			switch op {
			case opBinPut:
				v, err := readUint(1)
				if err != nil {
					return nil, err
				}
				idx = v
			case opLongBinPut:
				v, err := readUint(4)
				if err != nil {
					return nil, err
				}
				idx = v
			default:
				idx = uint64(len(memo))
			}
			v, err := top(at)
			if err != nil {
				return nil, err
			}
			memo[idx] = v
		case opBinGet, opLongBinGet:
			n := uint64(1)
			if op == opLongBinGet {
				n = 4
			}
			idx, err := readUint(n)
			if err != nil {
				return nil, err
			}
			v, ok := memo[idx]
			if !ok {
				return nil, errAt(at, "memo get %d of nothing stored", idx)
			}
			stack = append(stack, v)
		case opStop:
			if len(stack) != 1 {
				return nil, errAt(at, "STOP with %d stack items, expected 1", len(stack))
			}
			v, err := pop(at)
			if err != nil {
				return nil, err
			}
			return v, nil
		default:
			return nil, errAt(at, "unsupported opcode 0x%02x (%q) in a PyTorch file", op, rune(op))
		}
	}
	return nil, fmt.Errorf("%s: pickle from byte %d: truncated (no STOP opcode)", u.name, start)
}

// line reads a newline-terminated ASCII argument of GLOBAL.
func (u *torchUnpickler) line(at int) (string, error) {
	i := bytes.IndexByte(u.b[u.pos:], '\n')
	if i < 0 || i > 256 {
		return "", fmt.Errorf("%s: pickle at byte %d: GLOBAL without a short newline-terminated name", u.name, at)
	}
	s := u.b[u.pos : u.pos+i]
	u.pos += i + 1
	for _, c := range s {
		if c < 0x20 || c > 0x7e {
			return "", fmt.Errorf("%s: pickle at byte %d: GLOBAL name is not printable ASCII", u.name, at)
		}
	}
	return string(s), nil
}

// torchGlobalAllowed lists the only globals a tensor file may name.
func torchGlobalAllowed(module, name string) bool {
	switch module {
	case "torch._utils":
		return name == "_rebuild_tensor_v2" || name == "_rebuild_tensor"
	case "collections":
		return name == "OrderedDict"
	case "torch":
		_, ok := torchStorageTypes[name]
		return ok
	}
	return false
}

// reduce applies an allowed callable: an empty OrderedDict or a tensor.
func (u *torchUnpickler) reduce(fn, args any) (any, error) {
	g, ok := fn.(pyGlobal)
	if !ok {
		return nil, fmt.Errorf("REDUCE of a %s, expected a known global", pyKind(fn))
	}
	a, ok := args.(pyTuple)
	if !ok {
		return nil, fmt.Errorf("REDUCE of %s.%s with a %s, expected an argument tuple", g.module, g.name, pyKind(args))
	}
	switch {
	case g.module == "collections" && g.name == "OrderedDict":
		if len(a) != 0 {
			return nil, fmt.Errorf("OrderedDict with arguments")
		}
		return &pyDict{ordered: true}, nil
	case g.module == "torch._utils":
		// _rebuild_tensor(storage, offset, size, stride);
		// _rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
		// backward_hooks[, metadata]).
		v2 := g.name == "_rebuild_tensor_v2"
		if !v2 && len(a) != 4 || v2 && len(a) != 6 && len(a) != 7 {
			return nil, fmt.Errorf("%s with %d arguments", g.name, len(a))
		}
		t := &torchTensorRef{}
		if t.storage, ok = a[0].(*torchStorage); !ok {
			return nil, fmt.Errorf("%s of a %s, expected a storage", g.name, pyKind(a[0]))
		}
		if t.offset, ok = a[1].(int64); !ok {
			return nil, fmt.Errorf("%s: storage offset is a %s, expected an int", g.name, pyKind(a[1]))
		}
		var err error
		if t.size, err = intTuple(a[2]); err != nil {
			return nil, fmt.Errorf("%s: size: %w", g.name, err)
		}
		if t.stride, err = intTuple(a[3]); err != nil {
			return nil, fmt.Errorf("%s: stride: %w", g.name, err)
		}
		if len(t.size) != len(t.stride) {
			return nil, fmt.Errorf("%s: size %v and stride %v differ in rank", g.name, t.size, t.stride)
		}
		if v2 {
			if _, ok := a[4].(bool); !ok {
				return nil, fmt.Errorf("%s: requires_grad is a %s, expected a bool", g.name, pyKind(a[4]))
			}
			if h, ok := a[5].(*pyDict); !ok || len(h.keys) != 0 {
				return nil, fmt.Errorf("%s: backward hooks are not an empty OrderedDict", g.name)
			}
			if len(a) == 7 {
				if m, ok := a[6].(*pyDict); !ok || len(m.keys) != 0 {
					if _, none := a[6].(pyNone); !none {
						return nil, fmt.Errorf("%s: tensor metadata are not read", g.name)
					}
				}
			}
		}
		return t, nil
	}
	return nil, fmt.Errorf("refusing to call %s.%s", g.module, g.name)
}

// intTuple converts a tuple of ints (a size or stride) of rank <= 8.
func intTuple(v any) ([]int64, error) {
	t, ok := v.(pyTuple)
	if !ok {
		return nil, fmt.Errorf("a %s, expected a tuple of ints", pyKind(v))
	}
	if len(t) > maxTorchDims {
		return nil, fmt.Errorf("%d dimensions, at most %d are read", len(t), maxTorchDims)
	}
	out := make([]int64, len(t))
	for i, x := range t {
		n, ok := x.(int64)
		if !ok {
			return nil, fmt.Errorf("element %d is a %s, expected an int", i, pyKind(x))
		}
		out[i] = n
	}
	return out, nil
}

// persistentLoad resolves a storage persistent id:
// ('storage', torch.XxxStorage, key, location, numel[, None]).
func (u *torchUnpickler) persistentLoad(pid any) (*torchStorage, error) {
	t, ok := pid.(pyTuple)
	if !ok || len(t) != 5 && len(t) != 6 {
		return nil, fmt.Errorf("persistent id is a %s, expected ('storage', type, key, location, size)", pyKind(pid))
	}
	if s, _ := t[0].(string); s != "storage" {
		return nil, fmt.Errorf("persistent id of kind %s, expected 'storage'", pyKind(t[0]))
	}
	g, ok := t[1].(pyGlobal)
	dtype := torchStorageTypes[g.name]
	if !ok || g.module != "torch" || dtype == "" {
		return nil, fmt.Errorf("storage type is a %s, expected a torch storage class", pyKind(t[1]))
	}
	key, ok := t[2].(string)
	if !ok {
		return nil, fmt.Errorf("storage key is a %s, expected a string", pyKind(t[2]))
	}
	if _, ok := t[3].(string); !ok {
		return nil, fmt.Errorf("storage location is a %s, expected a string", pyKind(t[3]))
	}
	numel, ok := t[4].(int64)
	if !ok || numel < 0 {
		return nil, fmt.Errorf("storage size is %s, expected a non-negative int", pyKind(t[4]))
	}
	if len(t) == 6 {
		if _, ok := t[5].(pyNone); !ok {
			return nil, fmt.Errorf("storage views are not read")
		}
	}
	if s := u.storages[key]; s != nil {
		if s.dtype != dtype || s.numel != numel {
			return nil, fmt.Errorf("storage %q named twice with different types or sizes", clip(key, 40))
		}
		return s, nil
	}
	s := &torchStorage{key: key, dtype: dtype, numel: numel}
	u.storages[key] = s
	return s, nil
}

// get returns the value of a string key, or nil.
func (d *pyDict) get(key string) any {
	for i, k := range d.keys {
		if k == key {
			return d.vals[i]
		}
	}
	return nil
}

// set stores a value, replacing one under an equal key.
func (d *pyDict) set(key, val any) {
	for i, k := range d.keys {
		if k == key {
			d.vals[i] = val
			return
		}
	}
	d.keys = append(d.keys, key)
	d.vals = append(d.vals, val)
}

// pyKind describes a value for error messages without printing it whole.
func pyKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "missing value"
	case int64:
		return fmt.Sprintf("int %d", x)
	case bool:
		return fmt.Sprintf("bool %v", x)
	case string:
		return fmt.Sprintf("str %q", clip(x, 40))
	case pyNone:
		return "None"
	case pyTuple:
		return fmt.Sprintf("tuple of %d", len(x))
	case pyBigInt:
		return "long int"
	case *pyList:
		return fmt.Sprintf("list of %d", len(x.items))
	case *pyDict:
		return "dict"
	case pyGlobal:
		return "global " + x.module + "." + x.name
	case *torchStorage:
		return "storage"
	case *torchTensorRef:
		return "tensor"
	}
	return fmt.Sprintf("%T", v)
}
