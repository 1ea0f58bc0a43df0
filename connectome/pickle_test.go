package connectome

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestReadPickleNamesShared(t *testing.T) {
	counts := map[string]int{
		"Drosophila": 49, "Human_Betzel_Normalized": 57, "Macaque_Normalized": 29,
		"Marmoset_Normalized": 55, "Mouse_Gamanut_Normalized": 19, "Mouse_Ypma_Oh": 56,
	}
	for base, n := range counts {
		names, err := ReadPickleNames(filepath.Join(builtinDir, "Names_"+base+".lst"))
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != n {
			t.Errorf("%s: %d names, want %d", base, len(names), n)
		}
		requireShared(t) // the derived text copies
		txt, err := os.ReadFile(filepath.Join(sharedDir, "Names_"+base+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Split(strings.TrimRight(string(txt), "\n"), "\n")
		if strings.Join(names, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: pickle names differ from the .txt copy", base)
		}
	}
}

// Byte strings below were produced by CPython's pickle.dumps.
var (
	pickleProto4 = "\x80\x04\x95H\x01\x00\x00\x00\x00\x00\x00]\x94(\x8c\x02V1\x94\x8c\x05\xc3\xbcber\x94h\x01h\x01X,\x01\x00\x00" +
		strings.Repeat("a", 300) + "\x94e."
	pickleProto2 = "\x80\x02]q\x00(X\x01\x00\x00\x00aq\x01X\x01\x00\x00\x00bq\x02e."
	pickleProto0 = "(lp0\nVa\np1\naVb\np2\na."
	pickleEvil   = "\x80\x03]q\x00cposix\nsystem\nq\x01X\n\x00\x00\x00echo pwnedq\x02\x85q\x03Rq\x04a."
	pickleDict   = "\x80\x03}q\x00X\x01\x00\x00\x00aq\x01K\x01s."
	pickleInt    = "\x80\x03]q\x00(X\x01\x00\x00\x00aq\x01K\x01e."
	pickleNested = "\x80\x03]q\x00(X\x01\x00\x00\x00aq\x01]q\x02X\x01\x00\x00\x00bq\x03ae."
)

func TestDecodePickleNamesVariants(t *testing.T) {
	got, err := decodePickleNames("p4", []byte(pickleProto4))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"V1", "über", "V1", "V1", strings.Repeat("a", 300)}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("protocol 4: %q", got)
	}
	got, err = decodePickleNames("p2", []byte(pickleProto2))
	if err != nil || strings.Join(got, "|") != "a|b" {
		t.Errorf("protocol 2: %q %v", got, err)
	}
	// MARK ... LIST and single APPEND with short strings.
	got, err = decodePickleNames("list", []byte("\x80\x03(\x8c\x01xl\x8c\x01ya."))
	if err != nil || strings.Join(got, "|") != "x|y" {
		t.Errorf("LIST/APPEND: %q %v", got, err)
	}
	got, err = decodePickleNames("empty", []byte("\x80\x03]q\x00."))
	if err != nil || len(got) != 0 {
		t.Errorf("empty list: %q %v", got, err)
	}
}

func TestDecodePickleNamesErrors(t *testing.T) {
	cases := []struct{ name, b, want string }{
		{"evil", pickleEvil, "unsupported opcode 0x63"},
		{"dict", pickleDict, "unsupported opcode 0x7d"},
		{"int element", pickleInt, "unsupported opcode 0x4b"},
		{"nested list", pickleNested, "not a string"},
		{"protocol 0 text", pickleProto0, "unsupported opcode"},
		{"empty", "", "no STOP"},
		{"no stop", "\x80\x03]q\x00", "no STOP"},
		{"truncated string", "\x80\x03]X\xff\x00\x00\x00ab", "truncated"},
		{"huge string", "\x80\x03]\x8d\xff\xff\xff\xff\xff\xff\xff\xffab", "truncated"},
		{"bad utf8", "\x80\x03](X\x01\x00\x00\x00\xffe.", "UTF-8"},
		{"trailing", "\x80\x03]q\x00.junk", "after STOP"},
		{"bare string", "\x80\x03X\x01\x00\x00\x00a.", "not a list"},
		{"two items", "\x80\x03]]q\x00.", "2 stack items"},
		{"appends no mark", "\x80\x03]X\x01\x00\x00\x00ae.", "no MARK"},
		{"append to string", "\x80\x03X\x01\x00\x00\x00aX\x01\x00\x00\x00ba.", "not a list"},
		{"get list", "\x80\x03]q\x00(h\x00e.", "not a stored string"},
		{"get missing", "\x80\x03](h\x05e.", "not a stored string"},
		{"put empty", "\x80\x03q\x00", "empty stack"},
		{"protocol 9", "\x80\x09].", "protocol 9"},
		{"stop with mark", "\x80\x03(.", "not a list"},
	}
	for _, c := range cases {
		_, err := decodePickleNames("names.lst", []byte(c.b))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "names.lst") {
			t.Errorf("%s: error %q, want it to name names.lst and contain %q", c.name, err, c.want)
		}
	}
}

// FuzzReadPickleNames: junk in, an error or a list of valid strings out,
// never a panic, never anything executed.
func FuzzReadPickleNames(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join(builtinDir, "Names_Macaque_Normalized.lst")); err == nil {
		f.Add(b)
	}
	for _, s := range []string{pickleProto4, pickleProto2, pickleProto0, pickleEvil, pickleDict, pickleNested, "\x80\x03(\x8c\x01xl\x8c\x01ya."} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		names, err := decodePickleNames("fuzz.lst", b)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.lst") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		// Every name costs at least one opcode byte (memo gets may repeat one).
		if len(names) > len(b) {
			t.Fatalf("%d names from %d bytes", len(names), len(b))
		}
		for _, n := range names {
			if !utf8.ValidString(n) {
				t.Fatalf("invalid UTF-8 name %q", n)
			}
		}
	})
}
