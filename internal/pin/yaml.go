package pin

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// findYAML walks the first document of a YAML file along segs. Custom tags
// (CloudFormation's !Ref, !Sub, !GetAtt, ...) parse as tagged nodes; only
// the value itself must be an untagged string on one line.
func findYAML(src []byte, segs []string) (*Value, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return nil, located(0, "%v", err)
		}
		return nil, located(yamlErrLine(err), "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, located(0, "empty YAML document: no key %s", strings.Join(segs, "."))
	}
	n := doc.Content[0]
	for i, seg := range segs {
		at := strings.Join(segs[:i], ".")
		if at == "" {
			at = "the top level"
		}
		for n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			keys := make([]string, 0, len(n.Content)/2)
			for k := 0; k+1 < len(n.Content); k += 2 {
				keys = append(keys, n.Content[k].Value)
				if n.Content[k].Value == seg {
					next = n.Content[k+1]
					break
				}
			}
			if next == nil {
				return nil, located(n.Line, "no key %q under %s (keys there: %s)", seg, at, strings.Join(keys, ", "))
			}
			n = next
		case yaml.SequenceNode:
			k, err := strconv.Atoi(seg)
			if err != nil || k < 0 || k >= len(n.Content) {
				return nil, located(n.Line, "%s is a list of %d items: %q is not an index in it", at, len(n.Content), seg)
			}
			n = n.Content[k]
		default:
			return nil, located(n.Line, "%s is a value, not a mapping: no key %q under it", at, seg)
		}
	}
	key := strings.Join(segs, ".")
	switch {
	case n.Kind != yaml.ScalarNode:
		return nil, located(n.Line, "%s is not a string value but a %s", key, yamlKind(n))
	case !strings.HasPrefix(n.Tag, "!!"):
		return nil, located(n.Line, "%s is a %s expression, not a string: pin the value it refers to (e.g. Parameters.NAME.Default for !Ref NAME)", key, n.Tag)
	case n.Style&yaml.TaggedStyle != 0:
		return nil, located(n.Line, "%s carries the explicit tag %s: pin a value without one", key, n.Tag)
	case n.Anchor != "":
		return nil, located(n.Line, "%s carries the anchor &%s: pin a value without one", key, n.Anchor)
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return nil, located(n.Line, "%s is a block scalar (| or >): write it on the key's line", key)
	}
	start := offset(src, n.Line, n.Column)
	if start < 0 {
		return nil, located(n.Line, "%s: the parser's position of the value is outside the file", key)
	}
	v := &Value{Start: start, Found: n.Value}
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		end, ok := closeDouble(src, start)
		if !ok {
			return nil, located(n.Line, "%s: a double-quoted value must end on its line", key)
		}
		v.Start, v.End, v.quote = start+1, end, yamlDouble
	case n.Style&yaml.SingleQuotedStyle != 0:
		end, ok := closeSingle(src, start)
		if !ok {
			return nil, located(n.Line, "%s: a single-quoted value must end on its line", key)
		}
		v.Start, v.End, v.quote = start+1, end, yamlSingle
	case n.Value == "":
		return nil, located(n.Line, "%s has no value: write %s: \"\" first", key, segs[len(segs)-1])
	default:
		// A plain scalar is its text on one line, as the parser returns it.
		if !bytes.HasPrefix(src[start:], []byte(n.Value)) || strings.Contains(n.Value, "\n") {
			return nil, located(n.Line, "%s: a plain value must be on one line", key)
		}
		v.End, v.quote = start+len(n.Value), yamlPlain
		if n.Tag == "!!null" {
			v.Found = ""
		}
	}
	return v, nil
}

// closeDouble returns the offset of the quote closing the double-quoted
// scalar that starts at the quote at start, on the same line.
func closeDouble(src []byte, start int) (int, bool) {
	for i := start + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '"':
			return i, true
		case '\n':
			return 0, false
		}
	}
	return 0, false
}

// closeSingle is closeDouble for '...', where ” is a quote.
func closeSingle(src []byte, start int) (int, bool) {
	for i := start + 1; i < len(src); i++ {
		switch src[i] {
		case '\'':
			if i+1 < len(src) && src[i+1] == '\'' {
				i++
				continue
			}
			return i, true
		case '\n':
			return 0, false
		}
	}
	return 0, false
}

func yamlKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "node"
}

// yamlErrLine reads the line of a yaml.v3 syntax error ("yaml: line N: ...").
func yamlErrLine(err error) int {
	var line int
	if _, e := fmt.Sscanf(strings.TrimPrefix(err.Error(), "yaml: "), "line %d:", &line); e == nil {
		return line
	}
	return 0
}
