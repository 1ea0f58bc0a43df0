package rnn

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestSeqMem(t *testing.T) {
	for _, L := range []int{3, 5, 10} {
		d, err := SeqMem(L, 50, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		if d.T != 2*L+1 || d.Inputs != 2 || d.Outputs != 1 || d.Kind != LossMSE {
			t.Fatalf("L=%d: T=%d inputs=%d outputs=%d kind=%s", L, d.T, d.Inputs, d.Outputs, d.Kind)
		}
		if want := []int{L + 1}; d.LossSteps[0] != want[0] || len(d.LossSteps) != L || d.LossSteps[L-1] != 2*L {
			t.Fatalf("L=%d: loss steps %v", L, d.LossSteps)
		}
		T := d.T
		for i := 0; i < d.N; i++ {
			x, y := d.X[i*T*2:(i+1)*T*2], d.Y[i*T:(i+1)*T]
			for k := 0; k < L; k++ {
				if y[L+1+k] != x[k*2+1] || x[k*2] != 0 {
					t.Fatalf("L=%d trial %d: recall target %d = %v, shown %v", L, i, k, y[L+1+k], x[k*2+1])
				}
				if x[k*2+1] < 0 || x[k*2+1] >= 1 {
					t.Fatalf("value %v outside [0,1)", x[k*2+1])
				}
			}
			for s := L; s < T; s++ {
				cue := float32(0)
				if s == L {
					cue = 1
				}
				if x[s*2] != cue || x[s*2+1] != 0 {
					t.Fatalf("L=%d trial %d step %d: input %v %v", L, i, s, x[s*2], x[s*2+1])
				}
			}
		}
	}
	a, _ := SeqMem(3, 10, 5)
	b, _ := SeqMem(3, 10, 5)
	c, _ := SeqMem(3, 10, 6)
	if !slices.Equal(a.X, b.X) || slices.Equal(a.X, c.X) {
		t.Fatal("seq_mem is not a function of its seed")
	}
}

func TestNBackMem(t *testing.T) {
	for _, n := range []int{2, 3, 4} {
		const L, trials = 5, 1000
		d, err := NBackMem(L, n, trials, 3)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		T := d.T
		matches := 0
		for i := 0; i < trials; i++ {
			x, y := d.X[i*T*2:(i+1)*T*2], d.Y[i*T:(i+1)*T]
			same := x[(L-1-n)*2+1] == x[(L-1)*2+1]
			if same {
				matches++
			}
			want := float32(ClassNoMatch)
			if same {
				want = ClassMatch
			}
			if y[L] != want {
				t.Fatalf("n=%d trial %d: answer %v, expected %v", n, i, y[L], want)
			}
			for s := 0; s < L; s++ {
				if y[s] != ClassFixation {
					t.Fatalf("n=%d trial %d: target %v at step %d", n, i, y[s], s)
				}
				cue := float32(0)
				if s == L-1 {
					cue = 1
				}
				if x[s*2] != cue {
					t.Fatalf("n=%d trial %d: cue %v at step %d", n, i, x[s*2], s)
				}
			}
		}
		if matches != trials/2 {
			t.Fatalf("n=%d: %d matching trials of %d, expected half", n, matches, trials)
		}
	}
	if _, err := NBackMem(5, 5, 10, 1); err == nil || !strings.Contains(err.Error(), "NBack") {
		t.Fatalf("n = L accepted or error does not name NBack: %v", err)
	}
}

func TestPicLatentMem(t *testing.T) {
	if !haveMNIST(t) {
		t.Skip("skipped: the MNIST latents are missing (see the log line above)")
	}
	m, err := LoadMNISTLatent(sharedMNIST)
	if err != nil {
		t.Fatal(err)
	}
	const L, n, trials = 5, 2, 200
	d, err := PicLatentMem(m, L, n, trials, 9)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.T != L+2 || d.Inputs != 51 || d.Outputs != 3 || d.LossSteps[0] != L+1 {
		t.Fatalf("T=%d inputs=%d loss steps %v", d.T, d.Inputs, d.LossSteps)
	}
	// Find which image each picture is (rows are distinct vectors).
	index := map[string]int{}
	for i := range m.Labels {
		index[string(f32bytes(m.Vectors[i*50:(i+1)*50]))] = i
	}
	T, in := d.T, d.Inputs
	matches := 0
	for i := 0; i < trials; i++ {
		x, y := d.X[i*T*in:(i+1)*T*in], d.Y[i*T:(i+1)*T]
		img := func(s int) int {
			k, ok := index[string(f32bytes(x[s*in+1:(s+1)*in]))]
			if !ok {
				t.Fatalf("trial %d step %d: the picture is no MNIST latent row", i, s)
			}
			return k
		}
		last := img(L - 1)
		isMatch := y[L+1] == ClassMatch
		if isMatch {
			matches++
		} else if y[L+1] != ClassNoMatch {
			t.Fatalf("trial %d: answer %v", i, y[L+1])
		}
		for s := 0; s < L-1; s++ {
			k := img(s)
			if s == L-1-n && isMatch {
				if k != last {
					t.Fatalf("trial %d: matching picture is image %d, the last is %d", i, k, last)
				}
				continue
			}
			if m.Labels[k] == m.Labels[last] {
				t.Fatalf("trial %d step %d: digit %d, the same class as the last picture", i, s, m.Labels[k])
			}
		}
		for s := 0; s < T; s++ {
			cue := float32(0)
			if s == L {
				cue = 1
			}
			if x[s*in] != cue {
				t.Fatalf("trial %d: cue %v at step %d", i, x[s*in], s)
			}
		}
		for k := L * in; k < T*in; k++ {
			if k%in != 0 && x[k] != 0 {
				t.Fatalf("trial %d: picture values after the pictures", i)
			}
		}
	}
	if matches != trials/2 {
		t.Fatalf("%d matching trials of %d", matches, trials)
	}
	for _, v := range m.Vectors[:500] {
		if v < 0 || v > 1 {
			t.Fatalf("rescaled value %v outside [0,1]", v)
		}
	}
	if _, err := LoadMNISTLatent(t.TempDir()); err == nil || !strings.Contains(err.Error(), MNISTLatentFile) {
		t.Fatalf("a missing file gives %v", err)
	}
}

func f32bytes(v []float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		u := math.Float32bits(x)
		b = append(b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	}
	return b
}

func TestSplit(t *testing.T) {
	d, _ := SeqMem(3, 500, 1)
	tr, va := Split(d)
	if tr.N != 400 || va.N != 100 || !slices.Equal(tr.X[:14], d.X[:14]) || !slices.Equal(va.Y[:7], d.Y[400*7:401*7]) {
		t.Fatalf("split %d/%d", tr.N, va.N)
	}
}

// TestPicLatentMemSampling: as in the paper's code, the last picture's digit
// is uniform over the digits, whatever their image counts, and the other
// pictures are uniform over the images of the other digits.
func TestPicLatentMemSampling(t *testing.T) {
	const images = 100 // digit 0: 82 images; digits 1-9: 2 each
	m := &MNISTLatent{Dim: 1, Vectors: make([]float32, images), Labels: make([]int, images)}
	for i := range images {
		m.Vectors[i] = float32(i) // each picture names its image
		if i >= 82 {
			m.Labels[i] = 1 + (i-82)/2
		}
		m.byClass[m.Labels[i]] = append(m.byClass[m.Labels[i]], i)
	}
	const L, n, trials = 5, 2, 4000
	d, err := PicLatentMem(m, L, n, trials, 3)
	if err != nil {
		t.Fatal(err)
	}
	var lastDigits [10]int
	zeroOthers, others := 0, 0
	for i := range trials {
		img := func(step int) int { return int(d.X[(i*d.T+step)*d.Inputs+1]) }
		cls := m.Labels[img(L-1)]
		lastDigits[cls]++
		for k := 0; k < L-1; k++ {
			if k == L-1-n && img(k) == img(L-1) {
				continue
			}
			if cls != 0 {
				others++
				if m.Labels[img(k)] == 0 {
					zeroOthers++
				}
			}
		}
	}
	for c, got := range lastDigits {
		if got < 300 || got > 500 { // expected 400 each
			t.Errorf("last picture of digit %d in %d of %d trials, expected about %d", c, got, trials, trials/10)
		}
	}
	// Last digit != 0: the others are of digit 0 with probability 82/98.
	if share := float64(zeroOthers) / float64(others); share < 0.78 || share > 0.89 {
		t.Errorf("other pictures of digit 0: %.3f, expected about %.3f", share, 82.0/98)
	}
}
