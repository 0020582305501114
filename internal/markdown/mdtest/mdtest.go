// Package mdtest renders Markdown with cmark-gfm, the reference
// implementation of GitHub-flavoured Markdown (Debian package cmark-gfm),
// and checks that a report's parts render as the HTML elements they are
// meant to be: tables, collapsible sections, code blocks.
package mdtest

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// Node is an element of the rendered HTML.
type Node struct {
	Name     string
	Attr     map[string]string
	Children []*Node
	// Text is the text directly and indirectly inside the element.
	Text string
	// Own is the text directly inside the element.
	Own string
}

// All returns the elements named name under n, in document order.
func (n *Node) All(name string) []*Node {
	var out []*Node
	var walk func(*Node)
	walk = func(m *Node) {
		for _, c := range m.Children {
			if c.Name == name {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(n)
	return out
}

// Render converts src to HTML with cmark-gfm (tables extension, raw HTML
// kept as GitHub keeps <details>) and parses it. Without cmark-gfm the
// test is skipped, except in CI (CI=true), which installs it.
func Render(t testing.TB, src string) *Node {
	t.Helper()
	bin, err := exec.LookPath("cmark-gfm")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cmark-gfm is not installed (CI installs it: apt-get install cmark-gfm)")
		}
		t.Skip("cmark-gfm is not installed (apt-get install cmark-gfm)")
	}
	cmd := exec.Command(bin, "--unsafe", "-e", "table", "-e", "strikethrough", "-e", "autolink", "-e", "tagfilter")
	cmd.Stdin = strings.NewReader(src)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("cmark-gfm: %v: %s", err, stderr.String())
	}
	root, err := parse(out.Bytes())
	if err != nil {
		t.Fatalf("the HTML cmark-gfm writes does not parse: %v\n%s", err, out.String())
	}
	return root
}

func parse(b []byte) (*Node, error) {
	dec := xml.NewDecoder(io.MultiReader(strings.NewReader("<root>"), bytes.NewReader(b), strings.NewReader("</root>")))
	dec.Strict = true
	dec.Entity = xml.HTMLEntity
	var stack []*Node
	var root *Node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &Node{Name: tk.Name.Local, Attr: map[string]string{}}
			for _, a := range tk.Attr {
				n.Attr[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			for _, n := range stack {
				n.Text += string(tk)
			}
			if len(stack) > 0 {
				stack[len(stack)-1].Own += string(tk)
			}
		}
	}
}

var (
	tableSep  = regexp.MustCompile(`(?m)^\|(?: ?-+:? ?\|)+$`)
	fenceOpen = regexp.MustCompile("^(`{3,})sql$")
	mdEscape  = regexp.MustCompile(`\\[!-/:-@\[-` + "`" + `{-~]`)
)

// CheckStructure renders src and checks that every table, <details>
// section and sql code block of the source is an element of the HTML,
// that each code block holds exactly its source text, and that no
// Markdown escape or fence is left over as text.
func CheckStructure(t testing.TB, src string) *Node {
	t.Helper()
	root := Render(t, src)
	if want, got := len(tableSep.FindAllString(src, -1)), len(root.All("table")); got != want {
		t.Errorf("%d tables rendered, the source has %d", got, want)
	}
	for _, tab := range root.All("table") {
		if len(tab.All("thead")) != 1 || len(tab.All("tbody")) > 1 {
			t.Errorf("table without its header: %q", tab.Text)
		}
		cols := len(tab.All("th"))
		for _, tr := range tab.All("tr")[1:] {
			if n := len(tr.All("td")); n != cols {
				t.Errorf("row of %d cells in a table of %d columns: %q", n, cols, tr.Text)
			}
		}
	}
	if want, got := strings.Count(src, "<details>"), len(root.All("details")); got != want {
		t.Errorf("%d <details> rendered, the source has %d", got, want)
	}
	for _, d := range root.All("details") {
		if len(d.Children) == 0 || d.Children[0].Name != "summary" {
			t.Errorf("<details> without a <summary> first: %q", d.Text)
		} else if s := d.Children[0].Text; mdEscape.MatchString(s) {
			t.Errorf("Markdown left as text in a <summary> (GitHub reads none there): %q", s)
		}
	}
	fences := sqlFences(src)
	var blocks []*Node
	for _, pre := range root.All("pre") {
		for _, c := range pre.Children {
			if c.Name == "code" && c.Attr["class"] == "language-sql" {
				blocks = append(blocks, c)
			}
		}
	}
	if len(blocks) != len(fences) {
		t.Errorf("%d sql code blocks rendered, the source has %d", len(blocks), len(fences))
	} else {
		for i, f := range fences {
			if got := strings.TrimSuffix(blocks[i].Text, "\n"); got != f {
				t.Errorf("sql block %d renders as %q, want %q", i, got, f)
			}
		}
	}
	var text strings.Builder
	var outside func(*Node)
	outside = func(n *Node) {
		text.WriteString(n.Own + "\n")
		for _, c := range n.Children {
			if c.Name != "pre" && c.Name != "code" {
				outside(c)
			}
		}
	}
	outside(root)
	for _, leftover := range []string{"```", `\_`, `\*`, `\|`, "<details>", "<summary>"} {
		if strings.Contains(text.String(), leftover) {
			t.Errorf("%q left as text in the rendered HTML", leftover)
		}
	}
	return root
}

// sqlFences returns the contents of the fenced sql blocks of src.
func sqlFences(src string) []string {
	var out []string
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		m := fenceOpen.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		j := i + 1
		for j < len(lines) && lines[j] != m[1] {
			j++
		}
		out = append(out, strings.Join(lines[i+1:j], "\n"))
		i = j
	}
	return out
}
