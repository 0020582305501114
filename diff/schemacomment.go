package diff

import (
	"fmt"

	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// Atlas's differ takes the public schema's initdb comment ('standard
// public schema') as no comment: a state whose public schema has none (a
// dump of a database whose public schema was created again) gets no
// change, and the target keeps initdb's comment. schemaComments plans the
// comment of every schema both states have where Atlas's differ plans
// nothing for it, and schemaCommentDifferences reports them for a proof.

// schemaComment returns the comment of a schema, "" for none.
func schemaComment(s *atlas.Schema) string {
	for _, a := range s.Attrs {
		if c, ok := a.(*atlas.Comment); ok {
			return c.Text
		}
	}
	return ""
}

// schemaComments adds the comment changes Atlas's changes leave out.
func (p *planner) schemaComments(changes []atlas.Change) {
	planned := map[string]bool{}
	for _, c := range changes {
		if m, ok := c.(*atlas.ModifySchema); ok {
			planned[m.S.Name] = true
		}
	}
	for _, s2 := range p.to.Realm.Schemas {
		s1, ok := p.from.Realm.Schema(s2.Name)
		if !ok || planned[s2.Name] {
			continue
		}
		if c1, c2 := schemaComment(s1), schemaComment(s2); c1 != c2 {
			p.schemas = append(p.schemas, commentStmt("SCHEMA "+schema.QuoteIdent(s2.Name), c2))
		}
	}
}

// schemaCommentDifferences lists the schemas of both states whose comments
// differ.
func schemaCommentDifferences(got, want *atlas.Realm) []string {
	var out []string
	for _, s2 := range want.Schemas {
		if s1, ok := got.Schema(s2.Name); ok && schemaComment(s1) != schemaComment(s2) {
			out = append(out, fmt.Sprintf("schema %s: comment %q, want %q", s2.Name, schemaComment(s1), schemaComment(s2)))
		}
	}
	return out
}
