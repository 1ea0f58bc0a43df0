package connectome

import (
	"encoding/binary"
	"fmt"
	"os"
	"unicode/utf8"
)

// Pickle opcodes understood by decodePickleNames. bio2art's Names_*.lst files
// (protocol 3) use PROTO, EMPTY_LIST, BINPUT, MARK, BINUNICODE, APPENDS and
// STOP; the others are the obvious variants another pickler might emit for a
// plain list of strings. Everything else (in particular GLOBAL, REDUCE,
// BUILD, INST, OBJ and friends, which can run code) is rejected.
const (
	opProto           = 0x80
	opFrame           = 0x95
	opEmptyList       = ']'
	opList            = 'l'
	opMark            = '('
	opAppend          = 'a'
	opAppends         = 'e'
	opBinPut          = 'q'
	opLongBinPut      = 'r'
	opMemoize         = 0x94
	opBinGet          = 'h'
	opLongBinGet      = 'j'
	opBinUnicode      = 'X'
	opShortBinUnicode = 0x8c
	opBinUnicode8     = 0x8d
	opShortBinString  = 'U'
	opBinString       = 'T'
	opStop            = '.'
)

// pickleMark is the stack marker pushed by MARK.
type pickleMark struct{}

// ReadPickleNames reads a pickled list of strings (a bio2art Names_*.lst
// file) without executing anything: it interprets only the opcodes needed to
// build a list of str and rejects every other opcode, so an untrusted file
// can do no more than fail.
func ReadPickleNames(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodePickleNames(path, b)
}

// decodePickleNames is ReadPickleNames on bytes; name is used in errors.
func decodePickleNames(name string, b []byte) ([]string, error) {
	var stack []any
	memo := map[uint64]any{}
	pos := 0
	errAt := func(at int, format string, args ...any) error {
		return fmt.Errorf("%s: pickle at byte %d: %s", name, at, fmt.Sprintf(format, args...))
	}
	// take returns the next n bytes or an error when the file ends early.
	take := func(n uint64) ([]byte, error) {
		if n > uint64(len(b)-pos) {
			return nil, errAt(pos, "truncated: need %d bytes, %d left", n, len(b)-pos)
		}
		s := b[pos : pos+int(n)]
		pos += int(n)
		return s, nil
	}
	pushString := func(at int, s []byte) error {
		if !utf8.Valid(s) {
			return errAt(at, "string is not valid UTF-8")
		}
		stack = append(stack, string(s))
		return nil
	}
	// popToMark removes and returns the items above the topmost mark.
	popToMark := func(at int) ([]any, error) {
		for k := len(stack) - 1; k >= 0; k-- {
			if _, ok := stack[k].(pickleMark); ok {
				items := stack[k+1:]
				stack = stack[:k]
				return items, nil
			}
		}
		return nil, errAt(at, "no MARK on the stack")
	}
	appendTo := func(at int, list any, items []any) error {
		l, ok := list.(*[]string)
		if !ok {
			return errAt(at, "append target is not a list")
		}
		for _, it := range items {
			s, ok := it.(string)
			if !ok {
				return errAt(at, "list element is not a string")
			}
			*l = append(*l, s)
		}
		return nil
	}
	for pos < len(b) {
		at := pos
		op := b[pos]
		pos++
		switch op {
		case opProto:
			v, err := take(1)
			if err != nil {
				return nil, err
			}
			if v[0] > 5 {
				return nil, errAt(at, "unsupported pickle protocol %d", v[0])
			}
		case opFrame:
			if _, err := take(8); err != nil {
				return nil, err
			}
		case opEmptyList:
			stack = append(stack, &[]string{})
		case opList:
			items, err := popToMark(at)
			if err != nil {
				return nil, err
			}
			l := &[]string{}
			if err := appendTo(at, l, items); err != nil {
				return nil, err
			}
			stack = append(stack, l)
		case opMark:
			stack = append(stack, pickleMark{})
		case opAppend, opAppends:
			var items []any
			if op == opAppend {
				if len(stack) < 2 {
					return nil, errAt(at, "APPEND with too few stack items")
				}
				items = []any{stack[len(stack)-1]}
				stack = stack[:len(stack)-1]
			} else {
				var err error
				if items, err = popToMark(at); err != nil {
					return nil, err
				}
			}
			if len(stack) == 0 {
				return nil, errAt(at, "append with no list on the stack")
			}
			if err := appendTo(at, stack[len(stack)-1], items); err != nil {
				return nil, err
			}
		case opBinPut, opLongBinPut, opMemoize:
			var idx uint64
			switch op {
			case opBinPut:
				v, err := take(1)
				if err != nil {
					return nil, err
				}
				idx = uint64(v[0])
			case opLongBinPut:
				v, err := take(4)
				if err != nil {
					return nil, err
				}
				idx = uint64(binary.LittleEndian.Uint32(v))
			default:
				idx = uint64(len(memo))
			}
			if len(stack) == 0 {
				return nil, errAt(at, "memo store with an empty stack")
			}
			if _, ok := stack[len(stack)-1].(pickleMark); ok {
				return nil, errAt(at, "memo store of a MARK")
			}
			memo[idx] = stack[len(stack)-1]
		case opBinGet, opLongBinGet:
			var idx uint64
			if op == opBinGet {
				v, err := take(1)
				if err != nil {
					return nil, err
				}
				idx = uint64(v[0])
			} else {
				v, err := take(4)
				if err != nil {
					return nil, err
				}
				idx = uint64(binary.LittleEndian.Uint32(v))
			}
			s, ok := memo[idx].(string)
			if !ok {
				// Fetching a list would alias it (cycles); names never need it.
				return nil, errAt(at, "memo get %d is not a stored string", idx)
			}
			stack = append(stack, s)
		case opBinUnicode, opShortBinUnicode, opBinUnicode8, opShortBinString, opBinString:
			var n uint64
			switch op {
			case opShortBinUnicode, opShortBinString:
				v, err := take(1)
				if err != nil {
					return nil, err
				}
				n = uint64(v[0])
			case opBinUnicode, opBinString:
				v, err := take(4)
				if err != nil {
					return nil, err
				}
				n = uint64(binary.LittleEndian.Uint32(v))
				if op == opBinString && int32(n) < 0 {
					return nil, errAt(at, "negative string length")
				}
			default:
				v, err := take(8)
				if err != nil {
					return nil, err
				}
				n = binary.LittleEndian.Uint64(v)
			}
			s, err := take(n)
			if err != nil {
				return nil, err
			}
			if err := pushString(at, s); err != nil {
				return nil, err
			}
		case opStop:
			if pos != len(b) {
				return nil, errAt(pos, "%d bytes after STOP", len(b)-pos)
			}
			if len(stack) != 1 {
				return nil, errAt(at, "STOP with %d stack items, expected 1 list", len(stack))
			}
			l, ok := stack[0].(*[]string)
			if !ok {
				return nil, errAt(at, "the pickled object is not a list of strings")
			}
			return *l, nil
		default:
			return nil, errAt(at, "unsupported opcode 0x%02x (%q): only a pickled list of str is accepted", op, rune(op))
		}
	}
	return nil, fmt.Errorf("%s: pickle: truncated (no STOP opcode)", name)
}
