// Command _asm generates the amd64 assembly of package kernels with avo.
//
// Run it through `go generate ./kernels` (see kernels/generate.go); the
// generated asm_amd64.s and asm_amd64.go are committed, and
// check-generated.sh verifies that they match this generator.
//
// Every kernel is emitted twice from the same Go code: once for AVX2+FMA
// (YMM, 8 lanes, masked tails through VMASKMOVPS) and once for AVX-512
// (ZMM, 16 lanes, opmask tails). Each function takes raw pointers and
// lengths already validated by its Go wrapper, keeps no pointer after it
// returns and ends with VZEROUPPER.
package main

import (
	"fmt"
	"os"
	"strconv"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// isa describes one vector instruction set the kernels are emitted for.
type isa struct {
	name string // suffix of the generated functions: "AVX2" or "AVX512"
	w    int    // float32 lanes per vector
	wide bool   // AVX-512 (ZMM registers, opmasks)
	nreg int    // vector registers available
}

var (
	avx2   = isa{name: "AVX2", w: 8, wide: false, nreg: 16}
	avx512 = isa{name: "AVX512", w: 16, wide: true, nreg: 32}
)

// kernel starts the assembly function name+s.name, called from Go with the
// signature sig and keeping no pointer it is passed (noescape). Its doc
// comment is the function name followed by doc, then the lines more.
func (s isa) kernel(name, sig, doc string, more ...string) {
	TEXT(name+s.name, NOSPLIT, sig)
	Pragma("noescape")
	Doc(append([]string{name + s.name + " " + doc}, more...)...)
}

// vb is the size of one vector in bytes.
func (s isa) vb() int { return 4 * s.w }

func (s isa) vec() VecVirtual {
	if s.wide {
		return ZMM()
	}
	return YMM()
}

func (s isa) vecs(k int) []VecVirtual {
	v := make([]VecVirtual, k)
	for i := range v {
		v[i] = s.vec()
	}
	return v
}

// tailMaskData holds 8 all-ones then 8 zero lanes: loading 8 lanes at
// offset 4*(8-r) gives an AVX2 mask whose first r lanes are set.
var tailMaskData Mem

func defineData() {
	tailMaskData = GLOBL("tailmask", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		v := uint32(0)
		if i < 8 {
			v = 0xffffffff
		}
		DATA(4*i, U32(v))
	}
}

// mask builds a tail mask selecting the first r lanes (0 <= r <= w) of a
// vector; r is clobbered. For AVX-512 it is an opmask, for AVX2 a YMM.
func (s isa) mask(r GPVirtual) Register {
	if s.wide {
		t := GP64()
		MOVQ(U32(1), t)
		SHLXQ(r, t, t)
		DECQ(t)
		k := K()
		KMOVW(t.As32(), k)
		return k
	}
	p := GP64()
	LEAQ(tailMaskData, p)
	t := GP64()
	MOVQ(U32(8), t)
	SUBQ(r, t)
	y := YMM()
	VMOVDQU(Mem{Base: p, Index: t, Scale: 4}, y)
	return y
}

// loadMasked loads the lanes selected by mask and zeroes the others; masked
// lanes are never read, so the load may run past the end of a slice.
func (s isa) loadMasked(m Mem, mask Register, dst VecVirtual) {
	if s.wide {
		VMOVUPS_Z(m, mask, dst)
	} else {
		VMASKMOVPS(m, mask, dst)
	}
}

// storeMasked writes only the lanes selected by mask.
func (s isa) storeMasked(src VecVirtual, mask Register, m Mem) {
	if s.wide {
		VMOVUPS(src, mask, m)
	} else {
		VMASKMOVPS(src, mask, m)
	}
}

// load loads the vector at m into dst, only the lanes selected by mask
// when mask is not nil (see loadMasked).
func (s isa) load(m Mem, mask Register, dst VecVirtual) {
	if mask != nil {
		s.loadMasked(m, mask, dst)
	} else {
		VMOVUPS(m, dst)
	}
}

// store writes src to m, only the lanes selected by mask when mask is not
// nil.
func (s isa) store(src VecVirtual, mask Register, m Mem) {
	if mask != nil {
		s.storeMasked(src, mask, m)
	} else {
		VMOVUPS(src, m)
	}
}

// addTo adds acc to the vector at m (acc += m; m = acc), only the lanes
// selected by mask when mask is not nil.
func (s isa) addTo(acc VecVirtual, mask Register, m Mem) {
	if mask != nil {
		t := s.vec()
		s.loadMasked(m, mask, t)
		VADDPS(t, acc, acc)
		s.storeMasked(acc, mask, m)
	} else {
		VADDPS(m, acc, acc)
		VMOVUPS(acc, m)
	}
}

// lastMask returns mask for the last of V vectors (v == V-1), else nil.
func lastMask(mask Register, v, V int) Register {
	if v == V-1 {
		return mask
	}
	return nil
}

// fmaMem computes acc += mem * b, reading only the masked lanes of mem when
// mask is not nil (tmp is a scratch register used by AVX2).
func (s isa) fmaMem(m Mem, b, acc VecVirtual, mask Register, tmp VecVirtual) {
	switch {
	case mask == nil:
		VFMADD231PS(m, b, acc)
	case s.wide:
		VFMADD231PS(m, b, mask, acc)
	default:
		VMASKMOVPS(m, mask, tmp)
		VFMADD231PS(tmp, b, acc)
	}
}

// hsum reduces v to its lane sum in the low lane of v.AsX().
func (s isa) hsum(v VecVirtual) {
	x := v.AsX()
	t := XMM()
	if s.wide {
		t2 := YMM()
		VEXTRACTF64X4(U8(1), v, t2)
		VADDPS(t2, v.AsY(), v.AsY())
	}
	VEXTRACTF128(U8(1), v.AsY(), t)
	VADDPS(t, x, x)
	VPERMILPS(U8(0x4e), x, t)
	VADDPS(t, x, x)
	VPERMILPS(U8(0xb1), x, t)
	VADDSS(t, x, x)
}

// reduce4 puts the lane sums of v0..v3 in the four lanes of v0.AsX(), in
// that order (horizontal adds; v1..v3 are clobbered).
func (s isa) reduce4(v0, v1, v2, v3 VecVirtual) {
	a := []Register{v0.AsY(), v1.AsY(), v2.AsY(), v3.AsY()}
	if s.wide {
		for c, v := range []VecVirtual{v0, v1, v2, v3} {
			t := YMM()
			VEXTRACTF64X4(U8(1), v, t)
			VADDPS(t, a[c], a[c])
		}
	}
	VHADDPS(a[1], a[0], a[0])
	VHADDPS(a[3], a[2], a[2])
	VHADDPS(a[2], a[0], a[0])
	t := XMM()
	VEXTRACTF128(U8(1), a[0], t)
	VADDPS(t, v0.AsX(), v0.AsX())
}

func zero(v []VecVirtual) {
	for _, r := range v {
		VXORPS(r, r, r)
	}
}

// ret clears the upper vector state and returns: every kernel ends so.
func ret() {
	VZEROUPPER()
	RET()
}

// retBool stores b in the first result, clears the upper vector state and returns.
func retBool(b bool) {
	t := GP64()
	if b {
		MOVQ(U32(1), t)
	} else {
		XORQ(t, t)
	}
	Store(t.As8(), ReturnIndex(0))
	ret()
}

// rowBytes returns n*4, the size in bytes of a row of n float32.
func rowBytes(n GPVirtual) GPVirtual {
	b := GP64()
	MOVQ(n, b)
	SHLQ(U8(2), b)
	return b
}

// floorBytes returns the size in bytes of the first n - n mod m float32
// (m a power of two).
func floorBytes(n GPVirtual, m int) GPVirtual {
	b := GP64()
	MOVQ(n, b)
	ANDQ(I32(-m), b)
	SHLQ(U8(2), b)
	return b
}

// The chunked kernels (SpMM, GEMM) cover the n columns of a row in two
// passes: pass 1 runs chunks of uw = U*w columns (U vectors) up to the byte
// offset fullEnd; pass 2 runs the n mod uw columns left with V = ceil(rem/w)
// vectors, the last one masked.

// pass1End returns the byte offset at which pass 1 ends and jumps to the
// label "pass2" when it is empty.
func pass1End(n GPVirtual, uw int) GPVirtual {
	fullEnd := floorBytes(n, uw)
	TESTQ(fullEnd, fullEnd)
	JZ(LabelRef("pass2"))
	return fullEnd
}

// chunkLoop runs body over the chunks of pass 1 at byte offsets off = 0,
// uw*4, ... < fullEnd (fullEnd > 0); label names the loop.
func chunkLoop(label string, uw int, fullEnd GPVirtual, body func(off GPVirtual)) {
	off := GP64()
	XORQ(off, off)
	Label(label)
	body(off)
	ADDQ(U32(uw*4), off)
	CMPQ(off, fullEnd)
	JB(LabelRef(label))
}

// pass2 emits the label "pass2" and pass 2: V in 1..maxV is dispatched to
// the code body(lbl("p2", V), V, mask) emitted for each V, where mask
// selects the lanes of the last vector. It jumps to end when done or when
// no column is left.
func pass2(s isa, uw, maxV int, end string, body func(p string, V int, mask Register)) {
	Label("pass2")
	rem := ld("n")
	ANDQ(U32(uw-1), rem)
	JZ(LabelRef(end))
	mask := s.tailMask(rem)
	s.toVecs(rem)
	jumpTable(rem, maxV, "p2", end)
	for v := 1; v <= maxV; v++ {
		p := lbl("p2", v)
		Label(p)
		body(p, v, mask)
		JMP(LabelRef(end))
	}
}

// retOrFail returns true, and false from the label "fail" emitted after it.
func retOrFail() {
	retBool(true)
	Label("fail")
	retBool(false)
}

// tailMask builds the mask of the last vector of r > 0 elements: its
// (r-1) mod w + 1 first lanes.
func (s isa) tailMask(r GPVirtual) Register {
	lanes := GP64()
	LEAQ(Mem{Base: r, Disp: -1}, lanes)
	ANDQ(U32(s.w-1), lanes)
	INCQ(lanes)
	return s.mask(lanes)
}

// toVecs turns the element count in r into the vector count ceil(r/w).
func (s isa) toVecs(r GPVirtual) {
	ADDQ(U32(s.w-1), r)
	SHRQ(U8(log2(s.w)), r)
}

// jumpTable jumps to the label lbl(p, v) where r == v, for v in 1..max, and
// to dflt otherwise.
func jumpTable(r GPVirtual, max int, p, dflt string) {
	for v := 1; v <= max; v++ {
		CMPQ(r, U32(v))
		JE(LabelRef(lbl(p, v)))
	}
	JMP(LabelRef(dflt))
}

func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// lbl makes labels unique per variant.
func lbl(parts ...any) string {
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += "_"
		}
		s += fmt.Sprint(p)
	}
	return s
}

func main() {
	ConstraintExpr("!purego,!noasm")
	defineData()
	defineTanhData()
	for _, s := range []isa{avx2, avx512} {
		genSpMM(s)
		genSDDMM(s)
		genSDDMMRegs(s)
		if s.wide {
			genSpMMSDDMM(s) // AVX2 has too few registers: its wrapper makes two calls
		}
		genSpMV(s)
		genSDDMV(s)
		genGemm(s)
		genGemmNT(s)
		genElementwise(s)
		genBiasTanh(s)
		genPeak(s)
	}
	Generate()
}

// ld loads a scalar or pointer argument into a new general register.
func ld(name string) GPVirtual {
	r := GP64()
	Load(Param(name), r)
	return r
}

// envInt reads a tuning knob from the environment (for experiments only:
// the committed assembly is generated with the defaults).
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

var labelCount int

// uniq returns a label name not used before.
func uniq(prefix string) string {
	labelCount++
	return fmt.Sprintf("%s_%d", prefix, labelCount)
}
