package report

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/biornn/biornn/rnn/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// strategyColors fixes one colour per strategy so that a colour means the
// same strategy in every figure (bio strategies blue/teal, controls warm).
var strategyColors = map[string]color.RGBA{
	"bio-random":  {R: 0x1f, G: 0x4e, B: 0x9a, A: 0xff},
	"bio-rank":    {R: 0x17, G: 0x9c, B: 0xa6, A: 0xff},
	"bio-weights": {R: 0x4b, G: 0x2c, B: 0x8c, A: 0xff},
	"permute":     {R: 0xd6, G: 0x5f, B: 0x0e, A: 0xff},
	"rewire":      {R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	"shuffle":     {R: 0xc4, G: 0x1e, B: 0x3a, A: 0xff},
	"erdos-renyi": {R: 0x8c, G: 0x56, B: 0x4b, A: 0xff},
}

func strategyColor(s string) color.RGBA {
	if c, ok := strategyColors[s]; ok {
		return c
	}
	return color.RGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff}
}

func faded(c color.RGBA, alpha uint8) color.NRGBA {
	return color.NRGBA{R: c.R, G: c.G, B: c.B, A: alpha}
}

// WritePlots writes, into dir, for every condition a loss-curve figure
// (median validation loss per epoch with the interquartile band, one colour
// per strategy) and, for every connectome x task x optimizer x lr x
// activation panel, box plots of the minimum validation loss and of the speed
// epoch per task parameter and strategy. Each figure is saved as PNG and SVG.
// It returns the files written.
func (rep *Report) WritePlots(dir string, epochs []results.EpochRow) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: creating %s: %w", dir, err)
	}
	curves := map[string][]results.EpochRow{}
	for _, e := range epochs {
		curves[e.RunID] = append(curves[e.RunID], e)
	}
	var files []string
	save := func(p *plot.Plot, w, h vg.Length, base string) error {
		for _, ext := range []string{".png", ".svg"} {
			f := filepath.Join(dir, base+ext)
			if err := p.Save(w, h, f); err != nil {
				return fmt.Errorf("report: writing %s: %w", f, err)
			}
			files = append(files, f)
		}
		return nil
	}

	// Loss curves per condition.
	var conds []Condition
	byCond := map[Condition][]Row{}
	for _, r := range rep.Rows {
		if _, ok := byCond[r.Condition]; !ok {
			conds = append(conds, r.Condition)
		}
		byCond[r.Condition] = append(byCond[r.Condition], r)
	}
	for _, c := range conds {
		p, err := lossCurvePlot(c, byCond[c], curves)
		if err != nil {
			return files, err
		}
		if err := save(p, 16*vg.Centimeter, 10*vg.Centimeter, "loss_"+slug(c, false)); err != nil {
			return files, err
		}
	}

	// Box plots per panel (condition without the task parameter).
	type panel struct {
		c    Condition
		rows []Row
	}
	var panels []*panel
	byPanel := map[Condition]*panel{}
	for _, r := range rep.Rows {
		k := r.Condition
		k.Param = ""
		pn := byPanel[k]
		if pn == nil {
			pn = &panel{c: k}
			byPanel[k] = pn
			panels = append(panels, pn)
		}
		pn.rows = append(pn.rows, r)
	}
	for _, pn := range panels {
		for _, m := range []struct {
			name, label string
			vals        func(Row) []float64
		}{
			{"min_val_loss", "minimum validation loss", func(r Row) []float64 { return r.lossVals }},
			{"speed_epoch", "training-speed epoch", func(r Row) []float64 { return r.speedVals }},
		} {
			p, err := boxPlot(pn.c, pn.rows, m.label, m.vals)
			if err != nil {
				return files, err
			}
			w := vg.Length(6+2.2*float64(len(pn.rows))) * vg.Centimeter
			if err := save(p, max(w, 12*vg.Centimeter), 10*vg.Centimeter, "box_"+m.name+"_"+slug(pn.c, true)); err != nil {
				return files, err
			}
		}
	}
	return files, nil
}

// title describes a condition on one line.
func title(c Condition) string {
	parts := []string{c.Connectome, c.Task}
	if c.Param != "" {
		parts = append(parts, c.Param)
	}
	parts = append(parts, c.Optimizer, "lr "+strconv.FormatFloat(c.LR, 'g', -1, 64), c.Activation)
	if c.Other != "" {
		parts = append(parts, c.Other)
	}
	return strings.Join(parts, ", ")
}

// slug makes a file-name-safe version of a condition.
func slug(c Condition, panel bool) string {
	parts := []string{c.Connectome, c.Task}
	if !panel {
		parts = append(parts, strings.ReplaceAll(c.Param, " ", "_"))
	}
	parts = append(parts, c.Optimizer, "lr"+strconv.FormatFloat(c.LR, 'g', -1, 64), c.Activation)
	if c.Other != "" {
		parts = append(parts, strings.ReplaceAll(c.Other, " ", "_"))
	}
	s := strings.Join(parts, "_")
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_' {
			return r
		}
		if r == '=' {
			return -1
		}
		return '_'
	}, s)
}

// lossCurvePlot draws the median validation loss per epoch of each strategy
// with its interquartile band.
func lossCurvePlot(c Condition, rows []Row, curves map[string][]results.EpochRow) (*plot.Plot, error) {
	p := plot.New()
	// A long rotated y label makes gonum shrink the plot area, so the
	// explanation goes into the title.
	p.Title.Text = title(c) + "\nvalidation loss: median (line) and interquartile range (band)"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "validation loss"
	p.Legend.Top = true
	minY, maxY := math.Inf(1), math.Inf(-1)
	type series struct {
		name        string
		med, q1, q3 plotter.XYs
	}
	var all []series
	for _, r := range rows {
		byEpoch := map[int64][]float64{}
		for _, id := range r.runIDs {
			for _, e := range curves[id] {
				if !math.IsNaN(e.ValLoss) && !math.IsInf(e.ValLoss, 0) {
					byEpoch[e.Epoch] = append(byEpoch[e.Epoch], e.ValLoss)
				}
			}
		}
		var eps []int64
		for e := range byEpoch {
			eps = append(eps, e)
		}
		sort.Slice(eps, func(i, j int) bool { return eps[i] < eps[j] })
		s := series{name: fmt.Sprintf("%s (n=%d)", r.Strategy, r.N)}
		for _, e := range eps {
			v := byEpoch[e]
			x := float64(e)
			s.med = append(s.med, plotter.XY{X: x, Y: Median(v)})
			s.q1 = append(s.q1, plotter.XY{X: x, Y: Quantile(v, 0.25)})
			s.q3 = append(s.q3, plotter.XY{X: x, Y: Quantile(v, 0.75)})
			minY, maxY = math.Min(minY, Quantile(v, 0.25)), math.Max(maxY, Quantile(v, 0.75))
		}
		all = append(all, s)
	}
	if minY > 0 && maxY/minY > 30 {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = inRange{plot.LogTicks{Prec: -1}}
	}
	for i, s := range all {
		if len(s.med) == 0 {
			continue
		}
		col := strategyColor(rows[i].Strategy)
		band := make(plotter.XYs, 0, 2*len(s.q1))
		band = append(band, s.q1...)
		for k := len(s.q3) - 1; k >= 0; k-- {
			band = append(band, s.q3[k])
		}
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return nil, fmt.Errorf("report: loss band of %s: %w", s.name, err)
		}
		poly.Color = faded(col, 0x40)
		poly.LineStyle.Width = 0
		line, err := plotter.NewLine(s.med)
		if err != nil {
			return nil, fmt.Errorf("report: loss curve of %s: %w", s.name, err)
		}
		line.Color = col
		line.Width = vg.Points(1.5)
		line.Dashes = plotutil.Dashes(i % 2)
		p.Add(poly, line)
		p.Legend.Add(s.name, line)
	}
	// The task's chance level, where the curves reach it, as a reference.
	if len(rows) > 0 {
		if ch := rows[0].ChanceLoss; !math.IsNaN(ch) && ch <= maxY*1.5 && minY < math.Inf(1) {
			xmax := 0.0
			for _, s := range all {
				if n := len(s.med); n > 0 {
					xmax = math.Max(xmax, s.med[n-1].X)
				}
			}
			line, err := plotter.NewLine(plotter.XYs{{X: 0, Y: ch}, {X: xmax, Y: ch}})
			if err != nil {
				return nil, fmt.Errorf("report: chance line: %w", err)
			}
			line.Color = color.Gray{Y: 0x60}
			line.Width = vg.Points(1)
			line.Dashes = []vg.Length{vg.Points(2), vg.Points(3)}
			p.Add(line)
			p.Legend.Add(fmt.Sprintf("chance (%.3g)", ch), line)
		}
	}
	p.Add(plotter.NewGrid())
	return p, nil
}

// boxPlot draws one box per (task parameter, strategy) of a panel.
func boxPlot(c Condition, rows []Row, label string, vals func(Row) []float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = strings.ToUpper(label[:1]) + label[1:] + ": " + title(c)
	p.Y.Label.Text = label
	var names []string
	for i, r := range rows {
		names = append(names, r.Param+"\n"+r.Strategy)
		v := vals(r)
		if len(v) == 0 {
			continue // nothing to draw (e.g. no run reached the speed criterion)
		}
		b, err := plotter.NewBoxPlot(vg.Points(22), float64(i), plotter.Values(v))
		if err != nil {
			return nil, fmt.Errorf("report: box plot of %s %s: %w", r.Param, r.Strategy, err)
		}
		useTableQuartiles(b)
		col := strategyColor(r.Strategy)
		b.FillColor = faded(col, 0x60)
		b.BoxStyle.Color = col
		p.Add(b)
	}
	p.NominalX(names...)
	p.Add(plotter.NewGrid())
	// Keep boxes and whiskers off the frame.
	if pad := 0.06 * (p.Y.Max - p.Y.Min); pad > 0 {
		p.Y.Min, p.Y.Max = p.Y.Min-pad, p.Y.Max+pad
	}
	return p, nil
}

// inRange drops the ticks a ticker puts outside the axis range: gonum's
// LogTicks runs to the next power of ten, and the plot reserves room for
// those invisible labels.
type inRange struct{ plot.Ticker }

func (r inRange) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range r.Ticker.Ticks(min, max) {
		if t.Value >= min && t.Value <= max {
			out = append(out, t)
		}
	}
	return out
}

// useTableQuartiles replaces gonum's quartiles (medians of the lower and
// upper halves) with the ones the tables print (type 7), so a box and its
// table row agree, and recomputes Tukey's whiskers (1.5 IQR) from them.
func useTableQuartiles(b *plotter.BoxPlot) {
	v := []float64(b.Values)
	b.Median, b.Quartile1, b.Quartile3 = Median(v), Quantile(v, 0.25), Quantile(v, 0.75)
	low := b.Quartile1 - 1.5*(b.Quartile3-b.Quartile1)
	high := b.Quartile3 + 1.5*(b.Quartile3-b.Quartile1)
	b.AdjLow, b.AdjHigh, b.Outside = math.Inf(1), math.Inf(-1), nil
	for i, x := range v {
		if x < low || x > high {
			b.Outside = append(b.Outside, i)
			continue
		}
		b.AdjLow, b.AdjHigh = math.Min(b.AdjLow, x), math.Max(b.AdjHigh, x)
	}
}
