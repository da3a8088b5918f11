package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// section is one workload's part of BENCHMARKS.md.
type section struct {
	title  string
	intro  string // markdown
	tables []table
	notes  []string // markdown bullet points
}

type table struct {
	caption string
	head    []string
	rows    [][]string
}

// panel is one bar group of the SVG chart; lower is better in every panel.
type panel struct {
	title string
	bars  []bar
}

type bar struct {
	label string
	value float64 // NaN: not measured (drawn as a note instead of a bar)
	text  string  // shown after the bar
}

func (s section) markdown(b *bytes.Buffer) {
	fmt.Fprintf(b, "## %s\n\n", s.title)
	if s.intro != "" {
		fmt.Fprintf(b, "%s\n\n", strings.TrimSpace(s.intro))
	}
	for _, t := range s.tables {
		if t.caption != "" {
			fmt.Fprintf(b, "%s\n\n", t.caption)
		}
		fmt.Fprintf(b, "| %s |\n", strings.Join(t.head, " | "))
		fmt.Fprintf(b, "|%s\n", strings.Repeat("---|", len(t.head)))
		for _, r := range t.rows {
			fmt.Fprintf(b, "| %s |\n", strings.Join(r, " | "))
		}
		b.WriteString("\n")
	}
	for _, n := range s.notes {
		fmt.Fprintf(b, "- %s\n", n)
	}
	if len(s.notes) > 0 {
		b.WriteString("\n")
	}
}

// --- numbers ---

// fmtDur prints a duration with three significant digits.
func fmtDur(d time.Duration) string {
	ns := float64(d)
	switch {
	case ns < 1e3:
		return trim(ns) + " ns"
	case ns < 1e6:
		return trim(ns/1e3) + " µs"
	case ns < 1e9:
		return trim(ns/1e6) + " ms"
	default:
		return trim(ns/1e9) + " s"
	}
}

func fmtNs(ns float64) string { return fmtDur(time.Duration(ns)) }

func trim(v float64) string {
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

func fmtBytes(b int64) string {
	switch {
	case b < 1<<10:
		return fmt.Sprintf("%d B", b)
	case b < 1<<20:
		return trim(float64(b)/(1<<10)) + " KiB"
	default:
		return trim(float64(b)/(1<<20)) + " MiB"
	}
}

// ratio renders v relative to base (strata) as "×N.N"; lower is better.
func ratio(v, base float64) string {
	if base <= 0 || math.IsNaN(v) || math.IsNaN(base) {
		return "–"
	}
	r := v / base
	if r >= 10 {
		return fmt.Sprintf("×%.0f", r)
	}
	return fmt.Sprintf("×%.2f", r)
}

// best names the lowest value's label (several when within 5%), or "–".
func best(labels []string, values []float64) string {
	lo := math.Inf(1)
	for _, v := range values {
		if !math.IsNaN(v) && v < lo {
			lo = v
		}
	}
	if math.IsInf(lo, 1) {
		return "–"
	}
	var out []string
	for i, v := range values {
		if !math.IsNaN(v) && v <= lo*1.05+1e-9 {
			out = append(out, labels[i])
		}
	}
	return strings.Join(out, " = ")
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// percentile returns the p-th percentile (0..100) of sorted samples by the
// nearest-rank method.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// histogram records latencies with 1 ns resolution up to 100 µs and 10 µs
// resolution up to 100 ms, in constant memory, plus the exact maximum.
type histogram struct {
	fine   []int64 // [ns]
	coarse []int64 // [10 µs]
	n      int64
	max    time.Duration
}

func newHistogram() *histogram {
	return &histogram{fine: make([]int64, 100_000), coarse: make([]int64, 10_000)}
}

func (h *histogram) add(d time.Duration) {
	h.n++
	h.max = max(h.max, d)
	switch {
	case d < 100_000:
		h.fine[max(d, 0)]++
	default:
		h.coarse[min(int(d/10_000), len(h.coarse)-1)]++
	}
}

func (h *histogram) percentile(p float64) time.Duration {
	want := int64(math.Ceil(p / 100 * float64(h.n)))
	var seen int64
	for i, c := range h.fine {
		if seen += c; seen >= want {
			return time.Duration(i)
		}
	}
	for i, c := range h.coarse {
		if seen += c; seen >= want {
			return min(time.Duration(i)*10_000, h.max)
		}
	}
	return h.max
}

// --- SVG ---

// svgChart draws each panel as horizontal bars on its own scale (log10
// when the values span more than 50×), with the value printed after each
// bar. It is generated with encoding/xml escaping only; no chart library.
func svgChart(title, subtitle string, panels []panel) []byte {
	const (
		width   = 960
		labelW  = 190
		barMaxW = 480
		barH    = 18
		gap     = 6
	)
	var body bytes.Buffer
	y := 60
	esc := func(s string) string {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	colors := map[string]string{"strata": "#2b6cb0", "koanf": "#dd6b20", "viper": "#38a169", "raw": "#718096"}
	color := func(label string) string {
		for k, c := range colors {
			if strings.HasPrefix(label, k) {
				return c
			}
		}
		return "#805ad5"
	}
	for _, p := range panels {
		fmt.Fprintf(&body, `<text x="10" y="%d" font-size="15" font-weight="bold">%s</text>`+"\n", y, esc(p.title))
		y += 10
		lo, hi := math.Inf(1), 0.0
		for _, b := range p.bars {
			if !math.IsNaN(b.value) && b.value > 0 {
				lo, hi = min(lo, b.value), max(hi, b.value)
			}
		}
		logScale := hi > 0 && hi/lo > 50
		scale := func(v float64) float64 {
			if math.IsNaN(v) || v <= 0 || hi <= 0 {
				return 0
			}
			if logScale {
				// map [lo/2, hi] onto (0, barMaxW]
				return barMaxW * math.Log10(v/(lo/2)) / math.Log10(hi/(lo/2))
			}
			return barMaxW * v / hi
		}
		for _, b := range p.bars {
			fmt.Fprintf(&body, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`+"\n", labelW-8, y+barH-5, esc(b.label))
			w := scale(b.value)
			if w > 0 {
				fmt.Fprintf(&body, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", labelW, y, max(w, 2), barH, color(b.label))
			}
			fmt.Fprintf(&body, `<text x="%.1f" y="%d" font-size="12">%s</text>`+"\n", float64(labelW)+max(w, 2)+6, y+barH-5, esc(b.text))
			y += barH + gap
		}
		if logScale {
			fmt.Fprintf(&body, `<text x="%d" y="%d" font-size="10" fill="#555">log scale</text>`+"\n", labelW, y+4)
			y += 10
		}
		y += 24
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">`+"\n", width, y, width, y)
	fmt.Fprintf(&out, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&out, `<text x="10" y="24" font-size="18" font-weight="bold">%s</text>`+"\n", esc(title))
	fmt.Fprintf(&out, `<text x="10" y="42" font-size="11" fill="#555">%s</text>`+"\n", esc(subtitle))
	out.Write(body.Bytes())
	out.WriteString("</svg>\n")
	return out.Bytes()
}
