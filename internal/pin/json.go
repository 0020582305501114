package pin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// findJSON walks a JSON document along segs with the standard decoder's
// token stream, whose offsets give the value's place.
func findJSON(src []byte, segs []string) (*Value, error) {
	w := &jsonWalk{src: src, dec: json.NewDecoder(bytes.NewReader(src)), segs: segs}
	w.dec.UseNumber()
	v, err := w.walk(0)
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, _ := position(src, min(int(se.Offset), len(src)))
			return nil, located(line, "not valid JSON: %v", se)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, located(0, "not valid JSON: unexpected end of file")
		}
		return nil, err
	}
	return v, nil
}

type jsonWalk struct {
	src  []byte
	dec  *json.Decoder
	segs []string
}

// walk reads the value at depth (the value of segs[:depth]) and descends.
func (w *jsonWalk) walk(depth int) (*Value, error) {
	before := int(w.dec.InputOffset())
	tok, err := w.dec.Token()
	if err != nil {
		return nil, err
	}
	at := strings.Join(w.segs[:depth], ".")
	if at == "" {
		at = "the top level"
	}
	line, _ := position(w.src, w.start(before))
	if depth == len(w.segs) {
		s, ok := tok.(string)
		if !ok {
			return nil, located(line, "%s is not a string value but %s", at, jsonWhat(tok))
		}
		start := w.start(before)
		return &Value{Start: start + 1, End: int(w.dec.InputOffset()) - 1, Found: s, quote: jsonString}, nil
	}
	seg := w.segs[depth]
	switch tok {
	case json.Delim('{'):
		var keys []string
		for w.dec.More() {
			kt, err := w.dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			if k == seg {
				return w.walk(depth + 1)
			}
			keys = append(keys, k)
			if err := w.skip(); err != nil {
				return nil, err
			}
		}
		return nil, located(line, "no key %q under %s (keys there: %s)", seg, at, strings.Join(keys, ", "))
	case json.Delim('['):
		idx, err := strconv.Atoi(seg)
		for i := 0; w.dec.More(); i++ {
			if err == nil && i == idx {
				return w.walk(depth + 1)
			}
			if err := w.skip(); err != nil {
				return nil, err
			}
		}
		return nil, located(line, "%s is a list: %q is not an index in it", at, seg)
	}
	return nil, located(line, "%s is a value, not an object: no key %q under it", at, seg)
}

// start is where the token read after offset before starts: after blanks
// and the separators the decoder does not return.
func (w *jsonWalk) start(before int) int {
	i := before
	for i < len(w.src) && strings.IndexByte(" \t\r\n:,", w.src[i]) >= 0 {
		i++
	}
	return i
}

// skip reads one value, however nested.
func (w *jsonWalk) skip() error {
	depth := 0
	for {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func jsonWhat(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return "a list"
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "the number " + t.String()
	}
	return fmt.Sprintf("%v", tok)
}
