package pin

import (
	"errors"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// findTOML finds the key/value whose full key (its table's, then its own,
// dotted keys and inline tables included) is segs.
func findTOML(src []byte, segs []string) (*Value, error) {
	want := strings.Join(segs, "\x00")
	p := &unstable.Parser{}
	p.Reset(src)
	var (
		table      []string
		tableLine  int
		inArray    bool
		seenKeys   []string
		parentLine int
	)
	parent := strings.Join(segs[:len(segs)-1], "\x00")
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table, inArray = tomlKey(e.Key()), e.Kind == unstable.ArrayTable
			tableLine = keyLine(p, e.Key())
			if strings.Join(table, "\x00") == parent {
				parentLine = tableLine
			}
			if inArray && strings.HasPrefix(want, strings.Join(table, "\x00")+"\x00") {
				return nil, located(tableLine, "%s is an array of tables ([[%s]]): a pin needs a key outside it", strings.Join(table, "."), strings.Join(table, "."))
			}
		case unstable.KeyValue:
			if v, err := tomlKeyValue(p, e, table, segs, want); v != nil || err != nil {
				return v, err
			}
			if strings.Join(table, "\x00") == parent {
				seenKeys = append(seenKeys, strings.Join(tomlKey(e.Key()), "."))
			}
		}
	}
	if err := p.Error(); err != nil {
		var pe *unstable.ParserError
		if errors.As(err, &pe) {
			line := highlightLine(p, pe.Highlight)
			return nil, located(line, "not valid TOML: %s", pe.Message)
		}
		return nil, located(0, "not valid TOML: %v", err)
	}
	in := strings.Join(segs[:len(segs)-1], ".")
	if in == "" {
		in = "the top level"
	}
	if len(seenKeys) > 0 {
		return nil, located(parentLine, "no key %q in %s (keys there: %s)", segs[len(segs)-1], in, strings.Join(seenKeys, ", "))
	}
	return nil, located(0, "no key %s", strings.Join(segs, "."))
}

// tomlKeyValue returns the value of key/value e (in table) when its full
// key is segs, descending into inline tables.
func tomlKeyValue(p *unstable.Parser, e *unstable.Node, table, segs []string, want string) (*Value, error) {
	full := append(append([]string{}, table...), tomlKey(e.Key())...)
	joined := strings.Join(full, "\x00")
	val := e.Value()
	line := p.Shape(val.Raw).Start.Line
	switch {
	case joined == want:
		if val.Kind != unstable.String {
			return nil, located(line, "%s is not a string value but a %s", strings.Join(segs, "."), strings.ToLower(val.Kind.String()))
		}
		r := p.Raw(val.Raw)
		q := tomlBasic
		switch {
		case strings.HasPrefix(string(r), `"""`), strings.HasPrefix(string(r), `'''`):
			return nil, located(line, "%s is a multi-line string: write it on one line", strings.Join(segs, "."))
		case r[0] == '\'':
			q = tomlLiteral
		}
		start := int(val.Raw.Offset)
		return &Value{Start: start + 1, End: start + int(val.Raw.Length) - 1, Found: string(val.Data), quote: q}, nil
	case val.Kind == unstable.InlineTable && strings.HasPrefix(want, joined+"\x00"):
		for it := val.Children(); it.Next(); {
			if v, err := tomlKeyValue(p, it.Node(), full, segs, want); v != nil || err != nil {
				return v, err
			}
		}
	}
	return nil, nil
}

// keyLine is the line of a key's first part.
func keyLine(p *unstable.Parser, it unstable.Iterator) int {
	if it.Next() {
		return p.Shape(it.Node().Raw).Start.Line
	}
	return 0
}

// tomlKey collects the parts of a (dotted) key.
func tomlKey(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

// highlightLine is the line of a parser error's highlight, 0 when it is
// not a part of the document.
func highlightLine(p *unstable.Parser, h []byte) (line int) {
	if len(h) == 0 {
		return 0
	}
	defer func() {
		if recover() != nil {
			line = 0
		}
	}()
	return p.Shape(p.Range(h)).Start.Line
}
