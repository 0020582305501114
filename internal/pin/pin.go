// Package pin finds and rewrites one value in a deploy file (YAML, JSON,
// TOML, or any text through a regular expression) without touching the
// rest of the file: the value's bytes are replaced in place, so comments,
// key order, quoting and other values stay byte for byte.
package pin

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Value is the place of a value in a file.
type Value struct {
	// Start and End delimit the bytes that hold the value, quotes left
	// out: writing replaces src[Start:End].
	Start, End int
	// Line and Col are Start's position (from 1; Col in characters).
	Line, Col int
	// Found is the value as the file holds it (unquoted, unescaped).
	Found string
	// quote is how a new value must be written between Start and End.
	quote quoting
}

// quoting says what may be written in a value's place.
type quoting int

const (
	raw         quoting = iota // any text (a regular expression's group)
	yamlPlain                  // a plain YAML scalar
	yamlDouble                 // inside "..." in YAML
	yamlSingle                 // inside '...' in YAML
	jsonString                 // inside "..." in JSON
	tomlBasic                  // inside "..." in TOML
	tomlLiteral                // inside '...' in TOML
)

// Find locates the value in src (the content of the file at path): the
// value at key, a dot-separated key path (a number indexes a list), in a
// YAML (.yaml, .yml), JSON (.json) or TOML (.toml) file, or, when pattern
// is set, the first group of the regular expression's first match in any
// file. A file with another extension is read as JSON when it starts with
// "{" and as YAML otherwise (CloudFormation's .template). Errors name the
// file and, where there is one, the line.
func Find(path string, src []byte, key, pattern string) (*Value, error) {
	if !utf8.Valid(src) {
		return nil, fmt.Errorf("%s: not UTF-8 text", path)
	}
	var (
		v   *Value
		err error
	)
	switch {
	case pattern != "":
		v, err = findPattern(src, pattern)
	case key == "":
		return nil, fmt.Errorf("%s: no key path or pattern to find the value with", path)
	default:
		segs, serr := splitKey(key)
		if serr != nil {
			return nil, fmt.Errorf("%s: %v", path, serr)
		}
		switch kind(path, src) {
		case "json":
			v, err = findJSON(src, segs)
		case "toml":
			v, err = findTOML(src, segs)
		default:
			v, err = findYAML(src, segs)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s:%w", path, err)
	}
	v.Line, v.Col = position(src, v.Start)
	return v, nil
}

// kind is the format of a keyed file: json, toml or yaml.
func kind(path string, src []byte) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return "json"
	case ".toml":
		return "toml"
	case ".yaml", ".yml":
		return "yaml"
	}
	if t := bytes.TrimLeft(src, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
		return "json"
	}
	return "yaml"
}

// splitKey splits a key path at its dots.
func splitKey(key string) ([]string, error) {
	segs := strings.Split(key, ".")
	for _, s := range segs {
		if s == "" {
			return nil, fmt.Errorf("key path %q has an empty part", key)
		}
	}
	return segs, nil
}

// located is an error at a line of the file; Find prefixes the file.
func located(line int, format string, args ...any) error {
	if line > 0 {
		return fmt.Errorf("%d: "+format, append([]any{line}, args...)...)
	}
	return fmt.Errorf(" "+format, args...)
}

// Set returns src with the value at v replaced by value, written the way
// the file holds it (a quoted value stays quoted). Everything else is
// kept byte for byte.
func Set(src []byte, v *Value, value string) ([]byte, error) {
	enc, err := encode(v.quote, value)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(src)-(v.End-v.Start)+len(enc))
	out = append(out, src[:v.Start]...)
	out = append(out, enc...)
	return append(out, src[v.End:]...), nil
}

// plainSafe matches the values that every format takes unquoted and
// unescaped: the digests of atlas.sum, with or without "h1:".
var plainSafe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9+/=:_.-]*$`)

func encode(q quoting, value string) (string, error) {
	if strings.ContainsAny(value, "\n\r") {
		return "", fmt.Errorf("value %q spans lines", value)
	}
	switch q {
	case raw, yamlPlain:
		if plainSafe.MatchString(value) {
			return value, nil
		}
		if q == yamlPlain {
			return "", fmt.Errorf("value %q cannot be written as a plain YAML scalar: quote the value in the file", value)
		}
		return value, nil
	case yamlSingle, tomlLiteral:
		if strings.Contains(value, "'") {
			return "", fmt.Errorf("value %q has a quote: use double quotes in the file", value)
		}
		return value, nil
	default: // "..." in YAML, JSON and TOML: escape the quote and backslash.
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
		return r.Replace(value), nil
	}
}

// position returns the line and column (from 1, the column in
// characters) of byte offset off.
func position(src []byte, off int) (line, col int) {
	line = 1 + bytes.Count(src[:off], []byte("\n"))
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(src[start:off])
}

// offset returns the byte offset of a line and column (from 1, the column
// in characters), or -1 when the file has no such place.
func offset(src []byte, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	for c := 1; c < col; c++ {
		if off >= len(src) || src[off] == '\n' {
			return -1
		}
		_, n := utf8.DecodeRune(src[off:])
		off += n
	}
	return off
}

func findPattern(src []byte, pattern string) (*Value, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, located(0, "pattern: %v", err)
	}
	if re.NumSubexp() < 1 {
		return nil, located(0, "pattern %q has no group: put the value in parentheses", pattern)
	}
	m := re.FindSubmatchIndex(src)
	if m == nil {
		return nil, located(0, "pattern %q matches nothing", pattern)
	}
	if m[2] < 0 {
		line, _ := position(src, m[0])
		return nil, located(line, "the first group of pattern %q takes no part in the match", pattern)
	}
	return &Value{Start: m[2], End: m[3], Found: string(src[m[2]:m[3]]), quote: raw}, nil
}

// Update sets the value in the file at path and writes the file when the
// value changes (through a temporary file and a rename, keeping the
// file's mode). It returns the value found and whether the file changed.
func Update(path, key, pattern, value string) (found string, changed bool, err error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return "", false, err
	}
	v, err := Find(path, src, key, pattern)
	if err != nil {
		return "", false, err
	}
	if v.Found == value {
		return v.Found, false, nil
	}
	out, err := Set(src, v, value)
	if err != nil {
		return "", false, fmt.Errorf("%s:%d: %w", path, v.Line, err)
	}
	if err := writeAtomic(path, out); err != nil {
		return "", false, err
	}
	return v.Found, true, nil
}

func writeAtomic(path string, b []byte) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
