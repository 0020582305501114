package erd_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/schemactl/schemactl/internal/corpus"
	"github.com/schemactl/schemactl/internal/erd"
)

// The rendering tests draw the golden files for real: dot -Tsvg, and the
// Mermaid CLI in headless Chromium. They run when the tools are installed
// (scripts/install-render-tools.sh; CI runs it) and fail in CI without
// them. Each rendered SVG is read back: every entity, column and
// relationship of the diagram must be in it.

// tool returns the path of a rendering tool, skipping the test (failing
// it in CI) when it is missing.
func tool(t *testing.T, name string, candidates ...string) string {
	t.Helper()
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed (scripts/install-render-tools.sh installs it)", name)
	}
	t.Skipf("%s is not installed (scripts/install-render-tools.sh installs it)", name)
	return ""
}

// mmdc finds the Mermaid CLI: $SCHEMACTL_MMDC, the directory
// scripts/install-render-tools.sh installs it into, or mmdc on PATH.
func mmdc(t *testing.T) string {
	t.Helper()
	var installed string
	if lock, err := os.ReadFile("../../scripts/render-tools/package-lock.json"); err == nil {
		sum := sha256.Sum256(lock)
		base := os.Getenv("SCHEMACTL_TOOLS_DIR")
		if base == "" {
			if c, err := os.UserCacheDir(); err == nil {
				base = filepath.Join(c, "schemactl")
			}
		}
		if base != "" {
			installed = filepath.Join(base, "mermaid-cli-"+hex.EncodeToString(sum[:])[:12], "node_modules", ".bin", "mmdc")
		}
	}
	return tool(t, "the Mermaid CLI (mmdc)", os.Getenv("SCHEMACTL_MMDC"), installed, "mmdc")
}

// run runs a rendering command, bounded in time.
func run(t *testing.T, timeout time.Duration, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// diagrams are the golden diagrams the rendering tests draw, rebuilt.
func diagrams(t *testing.T) map[string]*erd.Diagram {
	t.Helper()
	example := build(t, load(t, "../../example/schema.sql"))
	next := build(t, load(t, "testdata/example_next.sql"))
	kinds := build(t, load(t, "testdata/kinds.sql"))
	out := map[string]*erd.Diagram{
		"example":        example,
		"example-change": erd.Compare(example, next),
		"kinds":          kinds,
		"no-change":      erd.Compare(example, example).Around(nil, 1),
	}
	if p := pagilaPath(t); p != "" {
		pagila := build(t, load(t, p))
		film, err := pagila.Lookup("film")
		if err != nil {
			t.Fatal(err)
		}
		out["pagila"] = pagila
		out["pagila-film-1"] = pagila.Around([]erd.Name{film}, 1)
	}
	return out
}

var reTag = regexp.MustCompile(`<[^>]*>`)

// svgText is the text of an SVG, tags removed and entities decoded, each
// text node on its own line.
func svgText(svg []byte) string {
	return html.UnescapeString(reTag.ReplaceAllString(string(svg), "\n"))
}

// checkText fails unless every entity title and column name of d is text
// of the SVG (in the form the renderer was given it).
func checkText(t *testing.T, name, text string, d *erd.Diagram, title func(*erd.Entity) string, column func(string) string) {
	t.Helper()
	lines := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	for _, e := range d.Entities {
		if !lines[title(e)] {
			t.Errorf("%s: entity %q is not in the SVG", name, title(e))
		}
		for _, a := range e.Attrs {
			if !lines[column(a.Name)] {
				t.Errorf("%s: column %s of %s is not in the SVG", name, column(a.Name), e.Name)
			}
		}
	}
}

func TestRenderDot(t *testing.T) {
	t.Parallel()
	dot := tool(t, "Graphviz (dot)", "dot")
	for name, d := range diagrams(t) {
		_, src := render(t, d)
		in := filepath.Join(t.TempDir(), name+".dot")
		if err := os.WriteFile(in, src, 0o644); err != nil {
			t.Fatal(err)
		}
		svg := run(t, time.Minute, dot, "-Tsvg", in)
		// Graphviz keeps each node's and edge's name as its <title>.
		var doc struct {
			Groups []struct {
				Class  string `xml:"class,attr"`
				Title  string `xml:"title"`
				Groups []struct {
					Class string `xml:"class,attr"`
					Title string `xml:"title"`
				} `xml:"g"`
			} `xml:"g"`
		}
		if err := xml.Unmarshal(svg, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		nodes, edges := map[string]bool{}, map[string]int{}
		for _, g := range doc.Groups {
			for _, c := range g.Groups {
				switch c.Class {
				case "node":
					nodes[c.Title] = true
				case "edge":
					edges[c.Title]++
				}
			}
		}
		for _, e := range d.Entities {
			if !nodes[e.Name.String()] {
				t.Errorf("%s: no node %s in the SVG", name, e.Name)
			}
		}
		// Foreign-key edges go from a row's east side to a row's west side
		// (the titles keep the compass points, not the ports).
		var fks int
		for title, n := range edges {
			if strings.HasSuffix(title, ":w") && strings.Contains(title, ":e->") {
				fks += n
			}
		}
		if fks != len(d.Relations) {
			t.Errorf("%s: %d foreign-key edges in the SVG, want %d", name, fks, len(d.Relations))
		}
		qualify := len(schemasOf(d)) > 1
		checkText(t, name, svgText(svg), d, func(e *erd.Entity) string {
			if qualify {
				return e.Name.String()
			}
			return e.Name.Name
		}, func(c string) string { return c })
	}
}

func schemasOf(d *erd.Diagram) map[string]bool {
	s := map[string]bool{}
	for _, e := range d.Entities {
		s[e.Schema] = true
	}
	return s
}

func TestRenderMermaid(t *testing.T) {
	t.Parallel()
	mmdcPath := mmdc(t)
	chromium := tool(t, "Chromium", os.Getenv("SCHEMACTL_CHROMIUM"), "chromium", "chromium-browser")
	dir := t.TempDir()
	// Puppeteer drives Debian's Chromium; as root it needs --no-sandbox.
	conf := map[string]any{"executablePath": chromium, "args": []string{"--disable-gpu"}}
	if os.Geteuid() == 0 {
		conf["args"] = []string{"--disable-gpu", "--no-sandbox"}
	}
	b, err := json.Marshal(conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "puppeteer.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	// One Markdown file holds every diagram: the CLI renders them in one
	// browser session, each to out-N.svg.
	ds := diagrams(t)
	var names []string
	for name := range ds {
		names = append(names, name)
	}
	sortStrings(names)
	var md strings.Builder
	for _, name := range names {
		m, _ := render(t, ds[name])
		fmt.Fprintf(&md, "```mermaid\n%s```\n\n", m)
	}
	if err := os.WriteFile(filepath.Join(dir, "in.md"), []byte(md.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, 5*time.Minute, mmdcPath, "-q", "-p", filepath.Join(dir, "puppeteer.json"), "-i", filepath.Join(dir, "in.md"), "-o", filepath.Join(dir, "out.md"), "-e", "svg")
	for i, name := range names {
		svg, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("out-%d.svg", i+1)))
		if err != nil {
			t.Fatal(err)
		}
		d := ds[name]
		s := string(svg)
		if !strings.Contains(s, `aria-roledescription="er"`) {
			t.Fatalf("%s: not an ER diagram:\n%.500s", name, s)
		}
		if n := strings.Count(s, `relationshipLine"`); n != len(d.Relations) {
			t.Errorf("%s: %d relationship lines, want %d", name, n, len(d.Relations))
		}
		var solid int
		for _, r := range d.Relations {
			if r.Identifying {
				solid++
			}
		}
		if n := strings.Count(s, "edge-pattern-solid relationshipLine"); n != solid {
			t.Errorf("%s: %d solid relationship lines, want %d (identifying keys)", name, n, solid)
		}
		if n := strings.Count(s, `class="node default`); n != len(d.Entities) {
			t.Errorf("%s: %d entities, want %d", name, n, len(d.Entities))
		}
		for _, ch := range []erd.Change{erd.Added, erd.Changed, erd.Dropped} {
			var want int
			for _, e := range d.Entities {
				if e.Change == ch {
					want++
				}
			}
			if n := strings.Count(s, `class="node default `+string(ch)+`"`); n != want {
				t.Errorf("%s: %d entities of class %s, want %d", name, n, ch, want)
			}
		}
		m, _ := render(t, d)
		checkText(t, name, svgText(svg), d, mermaidTitle(string(m)), mermaidColumn)
	}
}

var reAlias = regexp.MustCompile(`(?m)^    (\S+)\["([^"]*)"\] \{$`)

// mermaidTitle returns an entity's title as the Mermaid text gave it (its
// alias, else its name).
func mermaidTitle(src string) func(*erd.Entity) string {
	aliases := map[string]string{}
	for _, m := range reAlias.FindAllStringSubmatch(src, -1) {
		aliases[m[1]] = m[2]
	}
	return func(e *erd.Entity) string {
		for _, a := range aliases {
			if strings.HasPrefix(a, e.Name.Name+" (") || strings.HasPrefix(a, e.Name.String()) || a == e.Name.Name {
				return a
			}
		}
		return e.Name.Name
	}
}

// mermaidColumn is a column name as the Mermaid text writes it.
func mermaidColumn(c string) string {
	var b strings.Builder
	for _, r := range c {
		if r == ' ' || r == '"' {
			r = '_'
		}
		b.WriteRune(r)
	}
	s := b.String()
	switch strings.ToLower(s) {
	case "pk", "fk", "uk":
		s += "_"
	}
	return s
}

// pagilaPath is the pagila schema of the corpus (the test is skipped
// without it, except in CI).
func pagilaPath(t *testing.T) string { return corpus.Require(t, "pagila", "schema.sql") }

func sortStrings(s []string) { sort.Strings(s) }
