// Package jsonout writes indented JSON documents as encoding/json's
// Encoder with SetIndent writes them, byte for byte, but indents while it
// writes: the Encoder indents the whole document in memory with its
// scanner, a state machine stepped once per byte, which on an inspected
// schema of 1,500 tables (20 MB of JSON) took longer than encoding it.
package jsonout

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
)

// Encode writes v to w as JSON followed by a newline, each nesting level
// indented by indent: what json.NewEncoder(w) with SetIndent("", indent)
// writes (HTML characters escaped; no indentation when indent is "").
func Encode(w io.Writer, v any, indent string) error {
	var compact bytes.Buffer
	if err := json.NewEncoder(&compact).Encode(v); err != nil {
		return err
	}
	if indent == "" {
		_, err := w.Write(compact.Bytes())
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	indentTo(bw, compact.Bytes(), indent)
	return bw.Flush()
}

// indentTo writes src, compact JSON as encoding/json writes it (no space
// outside strings but the final newline), to w with the indentation of
// json.Indent: a newline and the indentation of its level before every
// member and element and before the closing bracket of a non-empty object
// or array, a space after every colon; {} and [] stay as they are.
// Write errors are kept by w for its Flush.
func indentTo(w *bufio.Writer, src []byte, indent string) {
	var (
		depth      int
		needIndent bool
		inString   bool
		start      int // first byte of src not written yet
	)
	newline := func(d int) {
		w.WriteByte('\n')
		for range d {
			w.WriteString(indent)
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inString {
			switch c {
			case '\\':
				i++ // the escaped byte
			case '"':
				inString = false
			}
			continue
		}
		if needIndent && c != '}' && c != ']' {
			w.Write(src[start:i])
			start = i
			needIndent = false
			depth++
			newline(depth)
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			needIndent = true
		case ',':
			w.Write(src[start : i+1])
			start = i + 1
			newline(depth)
		case ':':
			w.Write(src[start : i+1])
			start = i + 1
			w.WriteByte(' ')
		case '}', ']':
			if needIndent {
				needIndent = false
				continue
			}
			w.Write(src[start:i])
			start = i
			depth--
			newline(depth)
		}
	}
	w.Write(src[start:])
}
