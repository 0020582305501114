// Package srcpos checks input files before they are read and formats
// every position in a source file (SQL or HCL) the same way:
// file:line:col, with line and column counted from 1.
package srcpos

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// Error is a problem at a position of a source file.
type Error struct {
	// File is the file's path as given by the caller.
	File string
	// Line and Col are the position, counted from 1.
	Line, Col int
	// Offset is the byte offset of the position from the start of the
	// file, or -1 when unknown.
	Offset int
	// Msg says what is wrong.
	Msg string
}

// Error formats the error as "file:line:col: message".
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// CheckText refuses a file that is not text: content that is not valid
// UTF-8, or that holds a NUL byte. The error names the file, the line and
// column and the byte offset of the first bad byte, and never quotes the
// bytes themselves.
func CheckText(file string, src []byte) error {
	off, bad := firstBad(src)
	if off < 0 {
		return nil
	}
	line, col := LineCol(src, off)
	msg := fmt.Sprintf("not valid UTF-8 at byte offset %d (a binary file, or a text encoding other than UTF-8?); convert the file to UTF-8 text", off)
	if bad == 0 {
		msg = fmt.Sprintf("NUL byte at byte offset %d (a binary file, or UTF-16 text?); the file must be UTF-8 text", off)
	}
	return &Error{File: file, Line: line, Col: col, Offset: off, Msg: msg}
}

// firstBad returns the offset of the first NUL byte or invalid UTF-8
// sequence of src and that byte, or -1 when src is clean text.
func firstBad(src []byte) (int, byte) {
	for i := 0; i < len(src); {
		c := src[i]
		if c == 0 {
			return i, 0
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n <= 1 {
			return i, c
		}
		i += n
	}
	return -1, 0
}

// LineCol returns the line and column of byte offset off of src, both
// counted from 1, the column in bytes (as SQL positions are counted
// throughout schemactl).
func LineCol(src []byte, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, off - start + 1
}

// HCL turns HCL error diagnostics into one error, each diagnostic as
// "file:line:col: summary: detail" (several joined by "; "). It returns
// nil when diags holds no error.
func HCL(diags hcl.Diagnostics) error {
	var first *Error
	var rest []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + strings.TrimSuffix(d.Detail, ".")
		}
		var text string
		if d.Subject == nil {
			text = msg
		} else {
			e := &Error{File: d.Subject.Filename, Line: d.Subject.Start.Line, Col: d.Subject.Start.Column, Offset: d.Subject.Start.Byte, Msg: msg}
			if first == nil {
				first = e
				continue
			}
			text = e.Error()
		}
		rest = append(rest, text)
	}
	switch {
	case first != nil && len(rest) > 0:
		// The error's position is the first diagnostic's; the others
		// follow in its message with their own positions.
		first.Msg += "; " + strings.Join(rest, "; ")
		return first
	case first != nil:
		return first
	case len(rest) > 0:
		return fmt.Errorf("%s", strings.Join(rest, "; "))
	}
	return nil
}

// Range formats the start of an HCL range as file:line:col.
func Range(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
