package rnn

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"

	"github.com/biornn/biornn/connectome"
)

// The working-memory tasks of Goulas et al. (2021), generated from a seed
// with math/rand/v2's PCG, so a (task, parameters, seed) triple always gives
// the same trials.

// MNIST latent files read by pic_latent_mem (see connectome.ReadMNISTLatent).
const (
	MNISTLatentFile = connectome.MNISTLatentFile
	MNISTLabelsFile = connectome.MNISTLabelsFile
)

// Answer classes of the n-back tasks.
const (
	ClassFixation = 0
	ClassNoMatch  = 1
	ClassMatch    = 2
)

func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x62696f726e6e)) // stream "biornn"
}

// SeqMem makes the sequence-recall task: L values from U(0,1) shown one per
// step on input channel 1 (steps 0..L-1), the cue on channel 0 at step L, and
// the recall of the L values in order at steps L+1..2L (one output, mse).
// T = 2L+1.
func SeqMem(L, trials int, seed uint64) (*Dataset, error) {
	if L < 1 {
		return nil, fmt.Errorf("rnn: seq_mem: PatternLength = %d: expected >= 1", L)
	}
	if trials < 1 {
		return nil, fmt.Errorf("rnn: seq_mem: Trials = %d: expected >= 1", trials)
	}
	T := 2*L + 1
	d := &Dataset{N: trials, T: T, Inputs: 2, Outputs: 1, Kind: LossMSE,
		X: make([]float32, trials*T*2), Y: make([]float32, trials*T)}
	for t := L + 1; t <= 2*L; t++ {
		d.LossSteps = append(d.LossSteps, t)
	}
	r := newRand(seed)
	for i := 0; i < trials; i++ {
		x := d.X[i*T*2 : (i+1)*T*2]
		y := d.Y[i*T : (i+1)*T]
		for k := 0; k < L; k++ {
			v := float32(r.Float64())
			x[k*2+1] = v
			y[L+1+k] = v
		}
		x[L*2] = 1
	}
	return d, nil
}

// matchPlan returns, for trials trials, which ones match: exactly trials/2,
// in a random order.
func matchPlan(r *rand.Rand, trials int) []bool {
	m := make([]bool, trials)
	for i := 0; i < trials/2; i++ {
		m[i] = true
	}
	r.Shuffle(trials, func(i, j int) { m[i], m[j] = m[j], m[i] })
	return m
}

// checkNBack validates the parameters of an n-back task.
func checkNBack(task Task, L, nBack, trials int) error {
	switch {
	case L < 2:
		return fmt.Errorf("rnn: %s: TrialLength = %d: expected >= 2", task, L)
	case nBack < 1 || nBack > L-1:
		return fmt.Errorf("rnn: %s: NBack = %d: expected 1..%d (TrialLength - 1)", task, nBack, L-1)
	case trials < 2:
		return fmt.Errorf("rnn: %s: Trials = %d: expected >= 2", task, trials)
	}
	return nil
}

// NBackMem makes the numeric n-back task: L values from U(0,1) on channel 1
// at steps 0..L-1, the cue on channel 0 with the last one (step L-1), and
// the answer at step L (T = L+1, three outputs, nll): ClassMatch when the
// value at step L-1-n equals the last one (set so in matching trials),
// ClassNoMatch otherwise, ClassFixation at the other steps. Half of the trials
// (trials/2) match, in a random order.
func NBackMem(L, nBack, trials int, seed uint64) (*Dataset, error) {
	if err := checkNBack(TaskNBackMem, L, nBack, trials); err != nil {
		return nil, err
	}
	T := L + 1
	d := &Dataset{N: trials, T: T, Inputs: 2, Outputs: 3, Kind: LossNLL,
		X: make([]float32, trials*T*2), Y: make([]float32, trials*T), LossSteps: []int{L}}
	r := newRand(seed)
	match := matchPlan(r, trials)
	for i := 0; i < trials; i++ {
		x := d.X[i*T*2 : (i+1)*T*2]
		for k := 0; k < L; k++ {
			x[k*2+1] = float32(r.Float64())
		}
		last, probe := (L-1)*2+1, (L-1-nBack)*2+1
		if match[i] {
			x[probe] = x[last]
			d.Y[i*T+L] = ClassMatch
		} else {
			for x[probe] == x[last] {
				x[probe] = float32(r.Float64())
			}
			d.Y[i*T+L] = ClassNoMatch
		}
		x[(L-1)*2] = 1
	}
	return d, nil
}

// MNISTLatent holds the picture stimuli: 50-d latent vectors, each row
// min-max rescaled to [0, 1], and their digit labels.
type MNISTLatent struct {
	Dim     int
	Vectors []float32 // N x Dim
	Labels  []int
	byClass [10][]int
}

// LoadMNISTLatent reads mnist_latent_50d.npy and mnist_labels.npy from dir
// with connectome.ReadMNISTLatent, which checks them (the paper's pinned
// SHA-256 unless dir declares its own set in a SHA256SUMS file; width
// connectome.MNISTLatentDim; finite values; one digit label per row) and
// names the file in every error, and, when they are missing, says how to
// get them (`biornn data fetch mnist-latent`, `biornn data import DIR`).
// Each row is then min-max rescaled to [0, 1], as the paper's code does.
func LoadMNISTLatent(dir string) (*MNISTLatent, error) {
	if dir == "" {
		return nil, errors.New("rnn: pic_latent_mem: MNISTDir is empty: expected the folder with " + MNISTLatentFile + " and " + MNISTLabelsFile + "; " + connectome.MNISTGetHint)
	}
	set, err := connectome.ReadMNISTLatent(dir)
	if err != nil {
		return nil, fmt.Errorf("rnn: pic_latent_mem: %w", err)
	}
	rows, dim := len(set.Labels), connectome.MNISTLatentDim
	m := &MNISTLatent{Dim: dim, Vectors: make([]float32, rows*dim), Labels: set.Labels}
	for i := 0; i < rows; i++ {
		row := set.Vectors[i*dim : (i+1)*dim]
		lo, hi := float64(row[0]), float64(row[0])
		for _, v := range row {
			lo, hi = min(lo, float64(v)), max(hi, float64(v))
		}
		for k, v := range row {
			if hi > lo {
				m.Vectors[i*dim+k] = float32((float64(v) - lo) / (hi - lo))
			}
		}
		m.byClass[set.Labels[i]] = append(m.byClass[set.Labels[i]], i)
	}
	classes := 0
	for _, c := range m.byClass {
		if len(c) > 0 {
			classes++
		}
	}
	if classes < 2 {
		return nil, fmt.Errorf("rnn: pic_latent_mem: %s: pictures of %d digit class(es), expected at least 2", filepath.Join(dir, MNISTLabelsFile), classes)
	}
	return m, nil
}

// PicLatentMem makes the picture n-back task on MNIST latent vectors (see
// ../shared/mnist-latent/README.md): input channel 0 is the cue, channels
// 1..Dim a picture. Pictures at steps 0..L-1, the cue alone at step L,
// nothing at step L+1 (T = L+2), where the answer is (ClassMatch or
// ClassNoMatch; ClassFixation elsewhere). The last picture is a random image
// of a random digit; in a matching trial the picture at step L-1-n is that
// very image; every other picture is of another digit class than the last
// one. Half of the trials (trials/2) match, in a random order.
func PicLatentMem(m *MNISTLatent, L, nBack, trials int, seed uint64) (*Dataset, error) {
	if err := checkNBack(TaskPicLatentMem, L, nBack, trials); err != nil {
		return nil, err
	}
	T, in, rows := L+2, m.Dim+1, len(m.Labels)
	d := &Dataset{N: trials, T: T, Inputs: in, Outputs: 3, Kind: LossNLL,
		X: make([]float32, trials*T*in), Y: make([]float32, trials*T), LossSteps: []int{L + 1}}
	r := newRand(seed)
	match := matchPlan(r, trials)
	put := func(x []float32, step, img int) {
		copy(x[step*in+1:(step+1)*in], m.Vectors[img*m.Dim:(img+1)*m.Dim])
	}
	var classes []int // the digits with pictures (LoadMNISTLatent checks there are >= 2)
	for c, pool := range m.byClass {
		if len(pool) > 0 {
			classes = append(classes, c)
		}
	}
	for i := 0; i < trials; i++ {
		x := d.X[i*T*in : (i+1)*T*in]
		// As the paper's code: the last picture's digit uniformly, then one
		// of its images; every other picture uniformly among the images of
		// the other digits.
		cls := classes[r.IntN(len(classes))]
		last := m.byClass[cls][r.IntN(len(m.byClass[cls]))]
		put(x, L-1, last)
		for k := 0; k < L-1; k++ {
			if k == L-1-nBack && match[i] {
				put(x, k, last)
				continue
			}
			img := r.IntN(rows)
			for m.Labels[img] == cls {
				img = r.IntN(rows)
			}
			put(x, k, img)
		}
		x[L*in] = 1
		if match[i] {
			d.Y[i*T+L+1] = ClassMatch
		} else {
			d.Y[i*T+L+1] = ClassNoMatch
		}
	}
	return d, nil
}

// Split cuts a dataset into its first 80% (training) and the rest
// (validation). Task trials are already in random order.
func Split(d *Dataset) (train, val *Dataset) {
	nTrain := d.N * 4 / 5
	if nTrain == d.N && d.N > 1 {
		nTrain = d.N - 1
	}
	a, b := make([]int, nTrain), make([]int, d.N-nTrain)
	for i := range a {
		a[i] = i
	}
	for i := range b {
		b[i] = nTrain + i
	}
	return d.Subset(a), d.Subset(b)
}
