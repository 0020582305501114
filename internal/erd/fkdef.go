package erd

import (
	"fmt"
	"strings"
)

// parseForeignKey reads the columns and referenced columns of a foreign
// key from its definition as pg_get_constraintdef prints it:
// FOREIGN KEY (a, "B") REFERENCES s.t(x, y) [MATCH ...] [ON ...].
func parseForeignKey(def string) (cols, refCols []string, err error) {
	p := &fkParser{s: def}
	if !p.word("FOREIGN KEY") {
		return nil, nil, fmt.Errorf("not a foreign key: %q", def)
	}
	if cols, err = p.list(); err != nil {
		return nil, nil, fmt.Errorf("%q: %w", def, err)
	}
	if !p.word("REFERENCES") {
		return nil, nil, fmt.Errorf("%q: no REFERENCES", def)
	}
	// The referenced table: identifiers and dots up to the column list.
	for p.i < len(p.s) && p.s[p.i] != '(' {
		if p.s[p.i] == '"' {
			if _, err := p.quoted(); err != nil {
				return nil, nil, fmt.Errorf("%q: %w", def, err)
			}
			continue
		}
		p.i++
	}
	if refCols, err = p.list(); err != nil {
		return nil, nil, fmt.Errorf("%q: %w", def, err)
	}
	if len(cols) != len(refCols) {
		return nil, nil, fmt.Errorf("%q: %d columns reference %d", def, len(cols), len(refCols))
	}
	return cols, refCols, nil
}

// fkActions returns what follows the referenced columns (MATCH, ON UPDATE,
// ON DELETE, DEFERRABLE, NOT VALID), for comparing two keys.
func fkActions(def string) string {
	if i := strings.LastIndex(def, ")"); i >= 0 {
		return strings.TrimSpace(def[i+1:])
	}
	return def
}

type fkParser struct {
	s string
	i int
}

func (p *fkParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *fkParser) word(w string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

// quoted reads a "quoted" identifier ("" is a quote inside).
func (p *fkParser) quoted() (string, error) {
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		if p.s[p.i] == '"' {
			if p.i+1 < len(p.s) && p.s[p.i+1] == '"' {
				b.WriteByte('"')
				p.i++
				continue
			}
			p.i++
			return b.String(), nil
		}
		b.WriteByte(p.s[p.i])
	}
	return "", fmt.Errorf("unterminated quoted identifier")
}

// list reads a parenthesized, comma-separated list of identifiers.
func (p *fkParser) list() ([]string, error) {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		return nil, fmt.Errorf("column list expected at offset %d", p.i)
	}
	p.i++
	var out []string
	for {
		p.space()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("unterminated column list")
		}
		var name string
		if p.s[p.i] == '"' {
			n, err := p.quoted()
			if err != nil {
				return nil, err
			}
			name = n
		} else {
			j := p.i
			for p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != ')' && p.s[p.i] != ' ' {
				p.i++
			}
			name = p.s[j:p.i]
		}
		if name == "" {
			return nil, fmt.Errorf("empty column name at offset %d", p.i)
		}
		out = append(out, name)
		p.space()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("unterminated column list")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ')':
			p.i++
			return out, nil
		default:
			return nil, fmt.Errorf("unexpected %q at offset %d", p.s[p.i], p.i)
		}
	}
}
