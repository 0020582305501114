package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/template"
)

// isTemplate tells whether a --format value is a Go template
// (--format '{{ json . }}') rather than the name of a format.
func isTemplate(format string) bool { return strings.Contains(format, "{{") }

// templateFuncs are the functions every --format template may call:
// json (json VALUE [INDENT] or json VALUE PREFIX INDENT), add, sub,
// repeat, join and lower.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"json": func(v any, args ...string) (string, error) {
			var (
				b   []byte
				err error
			)
			switch len(args) {
			case 0:
				b, err = json.Marshal(v)
			case 1:
				b, err = json.MarshalIndent(v, "", args[0])
			default:
				b, err = json.MarshalIndent(v, args[0], args[1])
			}
			return string(b), err
		},
		"add":    func(a, b int) int { return a + b },
		"sub":    func(a, b int) int { return a - b },
		"repeat": strings.Repeat,
		"join":   strings.Join,
		"lower":  strings.ToLower,
	}
}

// parseTemplate parses a --format template with the common functions and
// extra ones; a template that does not parse is a usage error.
func parseTemplate(format string, extra template.FuncMap) (*template.Template, error) {
	funcs := templateFuncs()
	for k, f := range extra {
		funcs[k] = f
	}
	t, err := template.New("format").Funcs(funcs).Option("missingkey=error").Parse(format)
	if err != nil {
		return nil, usagef("--format: %v", err)
	}
	return t, nil
}

// execTemplate runs t on data and writes the result only when it
// succeeds, so that a failing template leaves no half-written output.
func execTemplate(w io.Writer, t *template.Template, data any) error {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return fmt.Errorf("--format template: %w", err)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
