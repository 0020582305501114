// Package markdown writes the pieces of GitHub-flavoured Markdown that the
// review reports are made of (escaped text, code spans, fenced blocks,
// tables, collapsible sections), so that any text from a migration renders
// as text on GitHub and GitLab.
package markdown

import (
	"html"
	"strings"
)

// Text escapes s for inline Markdown: characters that would start
// emphasis, links, code, HTML or a table cell border are backslash-escaped
// and line breaks become spaces.
func Text(s string) string {
	var b strings.Builder
	for _, r := range oneLine(s) {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#', '~', '&', '!':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Code returns s as an inline code span, whatever backticks it holds. A
// pipe is escaped so that the span may stand in a table cell.
func Code(s string) string {
	s = strings.ReplaceAll(oneLine(s), "|", `\|`)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || s == "" {
		s = " " + s + " "
	}
	return fence + s + fence
}

// Fence returns text as a fenced code block in language lang, with a
// fence longer than any run of backticks in text. The block ends with a
// newline.
func Fence(lang, text string) string {
	text = strings.TrimRight(text, "\n")
	fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	return fence + lang + "\n" + text + "\n" + fence + "\n"
}

// Details returns a collapsible section: summary is plain text (GitHub
// does not read Markdown inside the HTML tag, so it is HTML-escaped),
// body is Markdown. The blank lines around the body let GitHub and GitLab
// render it as Markdown.
func Details(summary, body string) string {
	return "<details>\n<summary>" + html.EscapeString(oneLine(summary)) + "</summary>\n\n" + strings.TrimRight(body, "\n") + "\n\n</details>\n"
}

// Table returns a table with a header row; align holds one of "l" or "r"
// per column. Cells must already be inline Markdown (Text or Code).
func Table(header []string, align string, rows [][]string) string {
	var b strings.Builder
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
	row(header)
	b.WriteString("|")
	for i := range header {
		if i < len(align) && align[i] == 'r' {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		row(r)
	}
	return b.String()
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r\n", " ")
	return strings.NewReplacer("\n", " ", "\r", " ", "\t", " ").Replace(s)
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
