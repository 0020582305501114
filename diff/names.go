package diff

import "unicode/utf8"

// maxIdentLen is PostgreSQL's NAMEDATALEN-1.
const maxIdentLen = 63

// defaultObjectName returns the name PostgreSQL picks for an implicit
// object (makeObjectName in its source): name1_name2_label, with the longer
// of name1 and name2 shortened until it fits 63 bytes. PostgreSQL appends
// a number when the name is taken, which this cannot know.
func defaultObjectName(name1, name2, label string) string {
	overhead := len(label) + 1
	if name2 != "" {
		overhead += 1
	}
	avail := maxIdentLen - overhead
	n1, n2 := len(name1), len(name2)
	for n1+n2 > avail {
		if n1 > n2 {
			n1--
		} else {
			n2--
		}
	}
	name := clipRunes(name1, n1)
	if name2 != "" {
		name += "_" + clipRunes(name2, n2)
	}
	return name + "_" + label
}

// clipRunes cuts s to at most n bytes without splitting a character.
func clipRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
