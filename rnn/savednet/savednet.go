// Package savednet owns the saved-network folder: a trained network with
// everything needed to analyse it (pandas and R read every file) and to
// continue training it bit for bit (rnn.RunOptions).
//
// The folder holds:
//
//	network.json        format, biornn version, sizes, activation, path, the
//	                    run's settings (key -> text, as the settings table
//	                    writes them), the connectome's name and SHA-256, the
//	                    optimizer's name and step, the mini-batch generator
//	connections.parquet the kept recurrent weights: pre, post (neuron
//	                    indices; W_hh[post, pre]) and weight, by post then pre
//	neurons.parquet     id (the neuron index) and region (when built from a
//	                    connectome)
//	w_in.npy b.npy w_out.npy b_out.npy   the other parameters (float32)
//	epochs.parquet      the run's epochs so far (epoch, train_loss, val_loss,
//	                    val_accuracy, seconds)
//	optimizer.npz       the optimizer's state: m_<param> and v_<param>, with
//	                    m_w_hh / v_w_hh in connections.parquet's row order
//	order.npy           the training trials' order after the last shuffle
//
// Save writes into a new folder beside the target and renames it into place,
// so a folder is complete or absent.
package savednet

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/biornn/biornn/connectome"
	"github.com/biornn/biornn/kernels"
	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results/recordfile"
	"github.com/parquet-go/parquet-go"
)

// Format and FormatVersion identify the folder's layout in network.json.
const (
	Format        = "biornn-network"
	FormatVersion = 1
	// MetaFile marks a saved network's folder.
	MetaFile = "network.json"
)

// Network is a saved network.
type Network struct {
	Version    string // the biornn version that saved it
	Spec       rnn.RunSpec
	Activation rnn.Activation
	Path       rnn.Path
	Params     rnn.Params
	Mask       []bool // Hidden*Hidden, W_hh orientation (nil in the sparse form)
	// RowPtr and ColIdx are W_hh's kept positions (CSR by row of W_hh) when
	// Params is in the sparse form (Params.Kept, WHH nil): networks above
	// connectome.DenseNeurons neurons are saved and opened that way.
	RowPtr, ColIdx []int32
	Regions        []string  // per neuron; nil when not built from a connectome
	Signs          []float32 // per neuron under Dale's law (+1, -1); nil without it

	ConnectomeName, ConnectomeSHA256, ConnectomeSource string

	// State continues training (nil: a network that was never trained).
	State *rnn.TrainState
}

type meta struct {
	Format           string            `json:"format"`
	FormatVersion    int               `json:"format_version"`
	BiornnVersion    string            `json:"biornn_version"`
	Hidden           int               `json:"hidden"`
	Inputs           int               `json:"inputs"`
	Outputs          int               `json:"outputs"`
	Connections      int               `json:"connections"`
	Activation       string            `json:"activation"`
	Path             string            `json:"path"`
	ConnectomeName   string            `json:"connectome_name,omitempty"`
	ConnectomeSHA256 string            `json:"connectome_sha256,omitempty"`
	ConnectomeSource string            `json:"connectome_source,omitempty"`
	Settings         map[string]string `json:"settings"`
	Trained          bool              `json:"trained"`
	EpochsDone       int               `json:"epochs_done"`
	Optimizer        string            `json:"optimizer,omitempty"`
	OptimizerStep    int               `json:"optimizer_step"`
	Shuffle          []byte            `json:"shuffle_state,omitempty"` // base64 in JSON
	NoiseBatches     uint64            `json:"noise_batches,omitempty"`
}

type connRow struct {
	Pre    int32   `parquet:"pre"`
	Post   int32   `parquet:"post"`
	Weight float32 `parquet:"weight"`
}

type neuronRow struct {
	ID     int32  `parquet:"id"`
	Region string `parquet:"region"`
	// Sign is the neuron's sign under Dale's law (+1, -1), 0 without it.
	Sign int8 `parquet:"sign"`
}

type epochRow struct {
	Epoch       int64   `parquet:"epoch"`
	TrainLoss   float64 `parquet:"train_loss"`
	ValLoss     float64 `parquet:"val_loss"`
	ValAccuracy float64 `parquet:"val_accuracy"`
	Seconds     float64 `parquet:"seconds"`
}

// IsSaved reports whether dir holds a saved network.
func IsSaved(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, MetaFile))
	return err == nil
}

// Save writes n into dir. An existing dir must be empty or a saved network
// (replaced); anything else is refused, so no user folder is overwritten.
func Save(dir string, n *Network) error {
	if dir == "" {
		return errors.New("savednet: no folder given")
	}
	if err := checkTarget(dir); err != nil {
		return fmt.Errorf("savednet: %w", err)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("savednet: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".biornn-network-*")
	if err != nil {
		return fmt.Errorf("savednet: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := write(tmp, n); err != nil {
		return err
	}
	// Replace: the old folder goes aside first, then the new one in.
	old := ""
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("savednet: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return fmt.Errorf("savednet: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

func write(dir string, n *Network) error {
	p := n.Params
	if err := n.checkWeights(); err != nil {
		return err
	}
	h := p.Hidden
	m := meta{Format: Format, FormatVersion: FormatVersion, BiornnVersion: n.Version,
		Hidden: h, Inputs: p.Inputs, Outputs: p.Outputs, Activation: string(n.Activation), Path: string(n.Path),
		ConnectomeName: n.ConnectomeName, ConnectomeSHA256: n.ConnectomeSHA256, ConnectomeSource: n.ConnectomeSource,
		Settings: map[string]string{}}
	for _, s := range rnn.Settings() {
		if s.Key == "init_from" || s.Key == "save_network" {
			continue // where it came from and went to, not what it is
		}
		m.Settings[s.Key] = s.Format(n.Spec)
	}
	var conns []connRow
	if n.sparse() {
		conns = make([]connRow, 0, len(n.ColIdx))
		for i := 0; i < h; i++ {
			for k := n.RowPtr[i]; k < n.RowPtr[i+1]; k++ {
				conns = append(conns, connRow{Pre: n.ColIdx[k], Post: int32(i), Weight: p.Kept[k]})
			}
		}
	} else {
		for i := 0; i < h; i++ {
			for j := 0; j < h; j++ {
				if n.Mask[i*h+j] {
					conns = append(conns, connRow{Pre: int32(j), Post: int32(i), Weight: p.WHH[i*h+j]})
				}
			}
		}
	}
	m.Connections = len(conns)
	files := map[string][]byte{
		"w_in.npy":  connectome.EncodeNPYFloat32([]int{h, p.Inputs}, p.WIn),
		"b.npy":     connectome.EncodeNPYFloat32([]int{h}, p.B),
		"w_out.npy": connectome.EncodeNPYFloat32([]int{p.Outputs, h}, p.WOut),
		"b_out.npy": connectome.EncodeNPYFloat32([]int{p.Outputs}, p.BOut),
	}
	var epochs []epochRow
	if st := n.State; st != nil {
		m.Trained = true
		m.EpochsDone = len(st.Epochs) - 1
		m.Shuffle, m.NoiseBatches = st.Shuffle, st.NoiseBatches
		for _, e := range st.Epochs {
			epochs = append(epochs, epochRow{int64(e.Epoch), e.TrainLoss, e.ValLoss, e.ValAccuracy, e.Seconds})
		}
		order := make([]int64, len(st.Order))
		for k, v := range st.Order {
			order[k] = int64(v)
		}
		files["order.npy"] = connectome.EncodeNPYInt64(order)
		if o := st.Optimizer; o.Step > 0 {
			m.Optimizer, m.OptimizerStep = string(o.Name), o.Step
			z, err := optimizerNPZ(o, n.Mask)
			if err != nil {
				return err
			}
			files["optimizer.npz"] = z
		}
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("savednet: %w", err)
		}
	}
	if err := recordfile.WriteParquet(filepath.Join(dir, "connections.parquet"), conns); err != nil {
		return fmt.Errorf("savednet: %w", err)
	}
	neurons := make([]neuronRow, h)
	for i := range neurons {
		neurons[i].ID = int32(i)
		if n.Regions != nil {
			neurons[i].Region = n.Regions[i]
		}
		if n.Signs != nil {
			neurons[i].Sign = int8(n.Signs[i])
		}
	}
	if err := recordfile.WriteParquet(filepath.Join(dir, "neurons.parquet"), neurons); err != nil {
		return fmt.Errorf("savednet: %w", err)
	}
	if err := recordfile.WriteParquet(filepath.Join(dir, "epochs.parquet"), epochs); err != nil {
		return fmt.Errorf("savednet: %w", err)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("savednet: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, MetaFile), append(b, '\n'), 0o644) // last: it marks the folder complete
}

// sparse reports whether the network is in the sparse form.
func (n *Network) sparse() bool { return n.Params.WHH == nil && n.Params.Kept != nil }

// checkWeights checks the parameters and W_hh's structure in either form.
func (n *Network) checkWeights() error {
	p := n.Params
	h := p.Hidden
	if !n.sparse() {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("savednet: %w", err)
		}
		if len(n.Mask) != h*h {
			return fmt.Errorf("savednet: mask has %d values, expected %d", len(n.Mask), h*h)
		}
		return nil
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("savednet: %w", err)
	}
	if err := rnn.CheckWiring(h, n.RowPtr, n.ColIdx, len(p.Kept)); err != nil {
		return fmt.Errorf("savednet: %w", err)
	}
	return nil
}

// Weights are a network's parameters and W_hh structure as a saved network
// holds them: dense (Params.WHH and Mask) up to connectome.DenseNeurons
// neurons, else the sparse form (Params.Kept, RowPtr and ColIdx).
func Weights(net *rnn.Network) (p rnn.Params, mask []bool, rowPtr, colIdx []int32) {
	if net.Hidden() > connectome.DenseNeurons {
		rowPtr, colIdx = net.Wiring()
		return net.SparseParams(), nil, rowPtr, colIdx
	}
	return net.Params(), net.Mask(), nil, nil
}

// optimizerNPZ stores the moments per parameter, W_hh's at the kept
// positions in connections order.
func optimizerNPZ(o rnn.OptimizerState, mask []bool) ([]byte, error) {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	add := func(name string, shape []int, v []float32) error {
		w, err := z.Create(name + ".npy")
		if err != nil {
			return err
		}
		_, err = w.Write(connectome.EncodeNPYFloat32(shape, v))
		return err
	}
	for _, arr := range []struct {
		prefix string
		p      *rnn.Params
	}{{"m_", o.M}, {"v_", o.V}} {
		p := arr.p
		if p == nil {
			continue
		}
		kept := p.Kept
		if kept == nil {
			kept = keptValues(p.WHH, mask)
		}
		for _, f := range []struct {
			name  string
			shape []int
			v     []float32
		}{
			{"w_in", []int{p.Hidden, p.Inputs}, p.WIn}, {"w_hh", []int{len(kept)}, kept},
			{"b", []int{p.Hidden}, p.B}, {"w_out", []int{p.Outputs, p.Hidden}, p.WOut}, {"b_out", []int{p.Outputs}, p.BOut},
		} {
			if err := add(arr.prefix+f.name, f.shape, f.v); err != nil {
				return nil, fmt.Errorf("savednet: optimizer state: %w", err)
			}
		}
	}
	if err := z.Close(); err != nil {
		return nil, fmt.Errorf("savednet: optimizer state: %w", err)
	}
	return buf.Bytes(), nil
}

func keptValues(whh []float32, mask []bool) []float32 {
	var out []float32
	for k, keep := range mask {
		if keep {
			out = append(out, whh[k])
		}
	}
	return out
}

// Load reads a saved network. Errors name the file and what was expected.
func Load(dir string) (*Network, error) {
	mp := filepath.Join(dir, MetaFile)
	raw, err := os.ReadFile(mp)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: not a saved network (no %s; biornn train --save-network DIR writes one)", dir, MetaFile)
		}
		return nil, err
	}
	var m meta
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", mp, err)
	}
	if m.Format != Format || m.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%s: format %q version %d, expected %q version %d", mp, m.Format, m.FormatVersion, Format, FormatVersion)
	}
	const limit = 1 << 24 // neurons
	if m.Hidden < 1 || m.Inputs < 1 || m.Outputs < 1 || m.Hidden > limit || m.Inputs > limit || m.Outputs > limit {
		return nil, fmt.Errorf("%s: sizes %d/%d/%d (hidden/inputs/outputs) are out of range", mp, m.Hidden, m.Inputs, m.Outputs)
	}
	n := &Network{Version: m.BiornnVersion, Activation: rnn.Activation(m.Activation), Path: rnn.Path(m.Path),
		ConnectomeName: m.ConnectomeName, ConnectomeSHA256: m.ConnectomeSHA256, ConnectomeSource: m.ConnectomeSource}
	for key, text := range m.Settings {
		if err := n.Spec.Set(key, text); err != nil {
			return nil, fmt.Errorf("%s: settings: %v", mp, err)
		}
	}
	h, in, out := m.Hidden, m.Inputs, m.Outputs
	// W_hh, its mask and up to two optimizer moments are held dense (H x H)
	// while the network is opened, or by connection above
	// connectome.DenseNeurons: checked against the memory budget before
	// anything that size is allocated.
	sparse := h > connectome.DenseNeurons
	need := float64(h) * float64(h) * (4 + 1 + 8)
	if sparse {
		need = float64(max(m.Connections, 0)) * (12 + 8 + 3*4)
	}
	if err := rnn.CheckMemory(fmt.Sprintf("%s: a saved network of %d neurons", dir, h), need, 0, "open it on a machine with more memory"); err != nil {
		return nil, err
	}
	p := rnn.Params{Hidden: h, Inputs: in, Outputs: out}
	for _, f := range []struct {
		name  string
		shape []int
		dst   *[]float32
	}{{"w_in", []int{h, in}, &p.WIn}, {"b", []int{h}, &p.B}, {"w_out", []int{out, h}, &p.WOut}, {"b_out", []int{out}, &p.BOut}} {
		a, err := connectome.ReadNPYND(filepath.Join(dir, f.name+".npy"))
		if err != nil {
			return nil, err
		}
		if *f.dst, err = arrayOf(a, f.shape); err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Join(dir, f.name+".npy"), err)
		}
	}
	cp := filepath.Join(dir, "connections.parquet")
	conns, err := parquet.ReadFile[connRow](cp)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", cp, err)
	}
	if len(conns) != m.Connections {
		return nil, fmt.Errorf("%s: %d connections, %s says %d", cp, len(conns), MetaFile, m.Connections)
	}
	for k, c := range conns {
		if c.Pre < 0 || int(c.Pre) >= h || c.Post < 0 || int(c.Post) >= h {
			return nil, fmt.Errorf("%s: row %d: pre %d, post %d: expected neuron indices 0..%d", cp, k, c.Pre, c.Post, h-1)
		}
	}
	if sparse {
		// Saved in CSR order (by post, then pre); anything else is refused
		// rather than sorted, so that the order of the kept values, and of
		// the optimizer's moments saved with them, is unambiguous.
		n.RowPtr = make([]int32, h+1)
		n.ColIdx = make([]int32, len(conns))
		p.Kept = make([]float32, len(conns))
		for k, c := range conns {
			if k > 0 && (c.Post < conns[k-1].Post || (c.Post == conns[k-1].Post && c.Pre <= conns[k-1].Pre)) {
				return nil, fmt.Errorf("%s: row %d: connection %d -> %d is out of order (by post, then pre) or listed twice", cp, k, c.Pre, c.Post)
			}
			n.RowPtr[c.Post+1]++
			n.ColIdx[k], p.Kept[k] = c.Pre, c.Weight
		}
		for i := 0; i < h; i++ {
			n.RowPtr[i+1] += n.RowPtr[i]
		}
	} else {
		p.WHH = make([]float32, h*h) // after the other arrays matched the sizes
		n.Mask = make([]bool, h*h)
		for k, c := range conns {
			at := int(c.Post)*h + int(c.Pre)
			if n.Mask[at] {
				return nil, fmt.Errorf("%s: row %d: connection %d -> %d is listed twice", cp, k, c.Pre, c.Post)
			}
			n.Mask[at], p.WHH[at] = true, c.Weight
		}
	}
	n.Params = p
	if err := n.checkWeights(); err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	np := filepath.Join(dir, "neurons.parquet")
	neurons, err := parquet.ReadFile[neuronRow](np)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", np, err)
	}
	if len(neurons) != h {
		return nil, fmt.Errorf("%s: %d neurons, expected %d", np, len(neurons), h)
	}
	if m.ConnectomeName != "" {
		n.Regions = make([]string, h)
		for k, r := range neurons {
			n.Regions[k] = r.Region
		}
	}
	if neurons[0].Sign != 0 {
		n.Signs = make([]float32, h)
		for k, r := range neurons {
			if r.Sign != 1 && r.Sign != -1 {
				return nil, fmt.Errorf("%s: row %d: sign %d, expected 1 or -1 (Dale's law) for every neuron", np, k, r.Sign)
			}
			n.Signs[k] = float32(r.Sign)
		}
	}
	if m.Trained {
		if n.State, err = loadState(dir, &m, n.Mask); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func loadState(dir string, m *meta, mask []bool) (*rnn.TrainState, error) {
	st := &rnn.TrainState{Shuffle: m.Shuffle, NoiseBatches: m.NoiseBatches}
	ep := filepath.Join(dir, "epochs.parquet")
	rows, err := parquet.ReadFile[epochRow](ep)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", ep, err)
	}
	for _, r := range rows {
		st.Epochs = append(st.Epochs, rnn.EpochRecord{Epoch: int(r.Epoch), TrainLoss: r.TrainLoss, ValLoss: r.ValLoss, ValAccuracy: r.ValAccuracy, Seconds: r.Seconds})
	}
	if len(st.Epochs) != m.EpochsDone+1 {
		return nil, fmt.Errorf("%s: %d epochs, %s says %d done (plus epoch 0)", ep, len(st.Epochs), MetaFile, m.EpochsDone)
	}
	op := filepath.Join(dir, "order.npy")
	a, err := connectome.ReadNPYND(op)
	if err != nil {
		return nil, err
	}
	if len(a.Shape) != 1 {
		return nil, fmt.Errorf("%s: shape %v, expected 1-D", op, a.Shape)
	}
	for _, v := range a.Data {
		st.Order = append(st.Order, int(v))
	}
	if m.OptimizerStep > 0 {
		h := m.Hidden
		zp := filepath.Join(dir, "optimizer.npz")
		arrs, err := connectome.ReadNPZ(zp)
		if err != nil {
			return nil, err
		}
		o := rnn.OptimizerState{Name: rnn.Optimizer(m.Optimizer), Step: m.OptimizerStep}
		for _, prefix := range []string{"m_", "v_"} {
			if arrs[prefix+"w_in"] == nil {
				continue
			}
			p := rnn.Params{Hidden: h, Inputs: m.Inputs, Outputs: m.Outputs}
			var kept []float32
			for _, f := range []struct {
				name  string
				shape []int
				dst   *[]float32
			}{{"w_in", []int{h, m.Inputs}, &p.WIn}, {"w_hh", []int{m.Connections}, &kept}, {"b", []int{h}, &p.B},
				{"w_out", []int{m.Outputs, h}, &p.WOut}, {"b_out", []int{m.Outputs}, &p.BOut}} {
				a := arrs[prefix+f.name]
				if a == nil {
					return nil, fmt.Errorf("%s: no array %s%s", zp, prefix, f.name)
				}
				if *f.dst, err = arrayOf(a, f.shape); err != nil {
					return nil, fmt.Errorf("%s: %s%s: %v", zp, prefix, f.name, err)
				}
			}
			if mask == nil { // the sparse form
				p.Kept = kept
			} else {
				p.WHH = make([]float32, h*h)
				k := 0
				for at, keep := range mask {
					if keep {
						p.WHH[at] = kept[k]
						k++
					}
				}
			}
			if prefix == "m_" {
				o.M = &p
			} else {
				o.V = &p
			}
		}
		st.Optimizer = o
	}
	return st, nil
}

// arrayOf converts a read array of the given shape to float32.
func arrayOf(a *connectome.Array, shape []int) ([]float32, error) {
	if !slices.Equal(a.Shape, shape) {
		return nil, fmt.Errorf("shape %v, expected %v", a.Shape, shape)
	}
	out := make([]float32, len(a.Data))
	for k, v := range a.Data {
		out[k] = float32(v)
	}
	return out, nil
}

// FromRun is the network a run kept (rnn.RunOptions.Keep), to Save.
func FromRun(res *rnn.RunResult, version string) *Network {
	net := res.Net
	n := &Network{Version: version, Spec: res.Spec, Activation: res.Spec.Activation, Path: net.Path(),
		State: res.State, Signs: nilIfEmpty(net.Dale()),
		ConnectomeName: res.ConnectomeName, ConnectomeSHA256: res.ConnectomeSHA256, ConnectomeSource: res.ConnectomeSource}
	n.Params, n.Mask, n.RowPtr, n.ColIdx = Weights(net)
	n.Regions = Regions(res)
	return n
}

// Regions names each neuron's region (a neuron-level network: the neuron's
// id) in a run built from a connectome; nil otherwise.
func Regions(res *rnn.RunResult) []string {
	w := res.Wiring
	if w == nil || w.Network == nil || len(w.Network.Region) != res.Neurons {
		return nil
	}
	out := make([]string, res.Neurons)
	for i, r := range w.Network.Region {
		if r >= 0 && r < len(w.Connectome.Regions) {
			out[i] = w.Connectome.Regions[r]
		}
	}
	return out
}

// Open builds the trainable network of a saved one, with the kernels
// (nil = the default) and threads given, and checks that it continues with
// this biornn version (version: the running one).
func (n *Network) Open(impl *kernels.Impl, threads int) (*rnn.Network, error) {
	var net *rnn.Network
	var err error
	if n.sparse() {
		net, err = rnn.NewSparseNetwork(n.Params, n.RowPtr, n.ColIdx, n.Params.Kept, n.Activation, impl, n.Path)
	} else {
		net, err = rnn.NewNetwork(n.Params, n.Mask, n.Activation, impl, n.Path)
	}
	if err != nil {
		return nil, err
	}
	net.SetThreads(threads)
	if err := net.SetDynamics(n.Spec.Alpha(), n.Spec.NoiseStd, n.Spec.NoiseSeed); err != nil {
		net.Close()
		return nil, err
	}
	if err := net.SetDale(n.Signs); err != nil {
		net.Close()
		return nil, err
	}
	return net, nil
}

func nilIfEmpty(v []float32) []float32 {
	if len(v) == 0 {
		return nil
	}
	return v
}

// Base returns the settings of the saved network in dir as the base of a
// run that continues it: every setting as saved, but those of execution
// (threads, kernels, data folders) left for this machine to fill; the
// caller then applies the settings given for the new run.
func Base(dir string) (rnn.RunSpec, error) {
	n, err := Load(dir)
	if err != nil {
		return rnn.RunSpec{}, err
	}
	spec := n.Spec
	for _, s := range rnn.Settings() {
		if s.Execution {
			s.Clear(&spec)
		}
	}
	spec.InitFrom = dir
	return spec, nil
}

// Check fails, before any training, when dir cannot take a saved network:
// it exists and is not a saved network (or not a folder), or its parent
// cannot be created or written.
func Check(dir string) error {
	if err := checkTarget(dir); err != nil {
		return err
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	probe, err := os.MkdirTemp(parent, ".biornn-network-probe-*")
	if err != nil {
		return fmt.Errorf("%s is not writable: %w", parent, err)
	}
	return os.Remove(probe)
}

// checkTarget refuses a dir that holds anything but a saved network, or
// is a file: Save replaces only saved networks.
func checkTarget(dir string) error {
	ents, err := os.ReadDir(dir)
	switch {
	case err == nil && len(ents) > 0 && !IsSaved(dir):
		return fmt.Errorf("%s exists and is not a saved network (no %s): refusing to write into it", dir, MetaFile)
	case err == nil || errors.Is(err, fs.ErrNotExist):
		return nil
	}
	if st, serr := os.Stat(dir); serr == nil && !st.IsDir() {
		return fmt.Errorf("%s is a file, expected a folder", dir)
	}
	return err
}

// Run trains spec (through rnn.Defaults) as rnn.RunWith does with o,
// continuing the saved network spec.InitFrom when it is set (refused when
// another biornn version saved it: continuing is bit-exact only with the
// same arithmetic) and saving the trained network into spec.SaveNetwork
// when it is set. version is the running biornn's. A network it loads is
// closed unless o.Keep hands it to the caller in RunResult.Net.
func Run(ctx context.Context, spec rnn.RunSpec, version string, o rnn.RunOptions) (*rnn.RunResult, error) {
	spec, err := rnn.Defaults(spec)
	if err != nil {
		return nil, err
	}
	keep := o.Keep
	o.Keep = keep || spec.SaveNetwork != ""
	if spec.SaveNetwork != "" {
		if err := Check(spec.SaveNetwork); err != nil {
			return nil, &rnn.Problem{Key: "save_network", Value: strconv.Quote(spec.SaveNetwork), Err: err}
		}
	}
	if spec.InitFrom != "" {
		if o.Net != nil {
			return nil, &rnn.Problem{Key: "init_from", Value: strconv.Quote(spec.InitFrom), Want: "no init_from when training a network that exists (load the saved one instead)"}
		}
		saved, err := Load(spec.InitFrom)
		if err != nil {
			return nil, &rnn.Problem{Key: "init_from", Value: strconv.Quote(spec.InitFrom), Err: err}
		}
		if saved.Version != version {
			return nil, &rnn.Problem{Key: "init_from", Value: strconv.Quote(spec.InitFrom),
				Err: fmt.Errorf("saved by biornn %s, this is %s: continue it with the version that saved it (its parameters can start a new network through the bindings)", saved.Version, version)}
		}
		impl, err := kernels.Get(spec.Kernels)
		if err != nil {
			return nil, &rnn.Problem{Key: "kernels", Value: strconv.Quote(spec.Kernels), Err: err}
		}
		net, err := saved.Open(impl, max(spec.Threads, 1))
		if err != nil {
			return nil, &rnn.Problem{Key: "init_from", Value: strconv.Quote(spec.InitFrom), Err: err}
		}
		net.SetMaxMemory(spec.MaxMemory)
		if !keep {
			defer net.Close()
		}
		o.Net, o.State = net, saved.State // State nil: never trained, a fresh schedule
	}
	given := o.Net
	res, err := rnn.RunWith(ctx, spec, o)
	if err != nil {
		return res, err
	}
	if spec.SaveNetwork != "" {
		if err := Save(spec.SaveNetwork, FromRun(res, version)); err != nil {
			return res, &rnn.Problem{Key: "save_network", Value: strconv.Quote(spec.SaveNetwork), Err: err}
		}
	}
	if !keep {
		if res.Net != nil && res.Net != given {
			res.Net.Close()
		}
		res.Net, res.State = nil, nil
	}
	return res, nil
}
