package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// float32 tanh for the forward activation, within 1.5 ulp of the correctly
// rounded result (checked against math.Tanh in kernels/elem_test.go):
//
//   - |x| < 0.625: tanh(x) = x + x^3 * P(x^2), P of degree 4 (relative
//     minimax fit, 0.77 ulp in float32 with FMA Horner evaluation);
//   - |x| >= 0.625: tanh(|x|) = 1 - 2/(exp(2|x|) + 1), with exp by a
//     Cody-Waite reduction (k = round(y/ln2), r = y - k*ln2 in two parts),
//     exp(r) = 1 + r + r^2 Q(r), Q of degree 4, and 2^k added to the exponent
//     bits; |x| is clamped to 9.1, where tanh rounds to 1 in float32;
//   - the sign is copied back, so tanh(-0) = -0; NaN takes the polynomial
//     branch and propagates.
//
// The coefficients were fitted with a reweighted least-squares (Lawson)
// minimax iteration in numpy.

// Slots of the tanh constant table, each replicated over 16 lanes.
const (
	tcAbs = iota
	tcOne
	tcTwo
	tcThr
	tcClamp
	tcLog2e
	tcLn2Hi
	tcLn2Lo
	tcP           // 5 coefficients of P, constant term first
	tcE = tcP + 5 // 5 coefficients of Q, constant term first
	tcN = tcE + 5
)

var tanhP = []float32{-0.3333328366279602, 0.13331490755081177, -0.053743500262498856, 0.020650589838624, -0.005717047955840826}

var expQ = []float32{0.4999999403953552, 0.1666652113199234, 0.04166838899254799, 0.008368708193302155, 0.0013814592966809869}

var tanhTable Mem

func defineTanhData() {
	vals := make([]uint32, tcN)
	vals[tcAbs] = 0x7fffffff
	vals[tcOne] = math.Float32bits(1)
	vals[tcTwo] = math.Float32bits(2)
	vals[tcThr] = math.Float32bits(0.625)
	vals[tcClamp] = math.Float32bits(9.1)
	vals[tcLog2e] = math.Float32bits(float32(1 / math.Ln2))
	vals[tcLn2Hi] = math.Float32bits(0.693145751953125) // ln 2 to 16 bits: k*ln2Hi is exact
	vals[tcLn2Lo] = math.Float32bits(float32(math.Ln2 - 0.693145751953125))
	for i, c := range tanhP {
		vals[tcP+i] = math.Float32bits(c)
	}
	for i, c := range expQ {
		vals[tcE+i] = math.Float32bits(c)
	}
	tanhTable = GLOBL("tanhc", RODATA|NOPTR)
	for i, v := range vals {
		for l := 0; l < 16; l++ {
			DATA(64*i+4*l, U32(v))
		}
	}
}

// tanh replaces x by tanh(x); tp holds the address of the constant table.
// Each branch runs only when some lane needs it: a vector of states of one
// neuron over 16 (AVX2: 8) trials often lies on one side of the branch
// point, and the exp branch (with a division) has 2.5 times the
// polynomial's instructions.
func (s isa) tanh(x VecVirtual, tp GPVirtual) {
	c := func(i int) Mem { return Mem{Base: tp, Disp: 64 * i} }
	a := s.vec()
	VANDPS(c(tcAbs), x, a)
	VXORPS(a, x, x) // x keeps only the sign bit

	// small: the lanes where a < 0.625 or a is NaN (predicate NGE_UQ).
	bits := GP32()
	var k Register
	var m VecVirtual
	if s.wide {
		k = K()
		VCMPPS(U8(0x19), c(tcThr), a, k)
		KMOVW(k, bits)
	} else {
		m = s.vec()
		VCMPPS(U8(0x19), c(tcThr), a, m)
		VMOVMSKPS(m, bits)
	}
	t := s.vec()
	done, large := uniq("tanh_done"), uniq("tanh_large")
	CMPL(bits, U32(1<<s.w-1))
	JNE(LabelRef(large))
	s.tanhSmall(a, t, c)
	JMP(LabelRef(done))

	Label(large)
	s.tanhLarge(a, t, c)
	TESTL(bits, bits)
	JZ(LabelRef(done))
	ts := s.vec()
	s.tanhSmall(a, ts, c)
	if s.wide {
		VMOVAPS(ts, k, t)
	} else {
		VBLENDVPS(m, ts, t, t)
	}
	Label(done)
	VORPS(t, x, x)
}

// tanhSmall sets t = a + a^3 P(a^2), tanh for small a >= 0.
func (s isa) tanhSmall(a, t VecVirtual, c func(int) Mem) {
	z := s.vec()
	VMULPS(a, a, z)
	VMOVUPS(c(tcP+4), t)
	for i := 3; i >= 0; i-- {
		VFMADD213PS(c(tcP+i), z, t)
	}
	VMULPS(a, z, z)
	VFMADD213PS(a, z, t)
}

// tanhLarge sets t = 1 - 2/(exp(2a)+1), tanh for a >= 0.625.
func (s isa) tanhLarge(a, t VecVirtual, c func(int) Mem) {
	y := s.vec()
	VMINPS(c(tcClamp), a, y)
	VADDPS(y, y, y)
	ki := s.vec()
	VMULPS(c(tcLog2e), y, ki)
	VCVTPS2DQ(ki, ki)
	q := s.vec()
	VCVTDQ2PS(ki, q)
	VFNMADD231PS(c(tcLn2Hi), q, y)
	VFNMADD231PS(c(tcLn2Lo), q, y) // y = r
	VMOVUPS(c(tcE+4), q)
	for i := 3; i >= 0; i-- {
		VFMADD213PS(c(tcE+i), y, q)
	}
	rr := s.vec()
	VMULPS(y, y, rr)
	VFMADD213PS(y, rr, q) // exp(r) - 1
	one := s.vec()
	VMOVUPS(c(tcOne), one)
	VADDPS(one, q, q)
	VPSLLD(U8(23), ki, ki)
	VPADDD(ki, q, q) // exp(2a)
	VADDPS(one, q, q)
	VMOVUPS(c(tcTwo), t)
	VDIVPS(q, t, t)
	VSUBPS(t, one, t)
}

func genBiasTanh(s isa) {
	s.kernel("biasTanh", "func(x *float32, bias *float32, rows int, n int)",
		"sets x[i,j] = tanh(x[i,j]+bias[i]) (within 1.5 ulp); rows, n > 0.")
	s.biasAct(func() func(v VecVirtual) {
		tp := GP64()
		LEAQ(tanhTable, tp)
		return func(v VecVirtual) { s.tanh(v, tp) }
	})
}
