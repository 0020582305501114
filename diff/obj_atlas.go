package diff

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/internal/pgquote"
	"github.com/schemactl/schemactl/schema"
)

// changeRefs names the tables, enums and schemas an Atlas change touches.
func changeRefs(c atlas.Change) []schema.PgRef {
	switch c := c.(type) {
	case *atlas.AddSchema:
		return []schema.PgRef{{Kind: schema.PgKindSchema, Name: c.S.Name}}
	case *atlas.DropSchema:
		return []schema.PgRef{{Kind: schema.PgKindSchema, Name: c.S.Name}}
	case *atlas.ModifySchema:
		return []schema.PgRef{{Kind: schema.PgKindSchema, Name: c.S.Name}}
	case *atlas.AddTable:
		return []schema.PgRef{tableRef(c.T)}
	case *atlas.DropTable:
		return []schema.PgRef{tableRef(c.T)}
	case *atlas.ModifyTable:
		return []schema.PgRef{tableRef(c.T)}
	case *atlas.RenameTable:
		return []schema.PgRef{tableRef(c.From), tableRef(c.To)}
	case *atlas.AddObject:
		if e, ok := c.O.(*atlas.EnumType); ok {
			return []schema.PgRef{enumRef(e)}
		}
	case *atlas.DropObject:
		if e, ok := c.O.(*atlas.EnumType); ok {
			return []schema.PgRef{enumRef(e)}
		}
	case *atlas.ModifyObject:
		if e, ok := c.From.(*atlas.EnumType); ok {
			return []schema.PgRef{enumRef(e)}
		}
	}
	return nil
}

// atlasDisturbed lists (by key) what Atlas's changes take away from the
// objects that use it: dropped tables, columns, enums and schemas, and
// columns whose type changes. Objects that depend on them must be dropped
// first and created again after.
func atlasDisturbed(changes []atlas.Change) map[string]bool {
	m := map[string]bool{}
	col := func(t *atlas.Table, c string) {
		m[schema.PgRef{Kind: schema.PgKindColumn, Schema: t.Schema.Name, Name: t.Name, Sub: c}.String()] = true
	}
	for _, c := range changes {
		switch c := c.(type) {
		case *atlas.DropSchema:
			m[schema.PgRef{Kind: schema.PgKindSchema, Name: c.S.Name}.String()] = true
		case *atlas.DropTable:
			m[tableRef(c.T).String()] = true
		case *atlas.RenameTable:
			m[tableRef(c.From).String()] = true
		case *atlas.DropObject:
			if e, ok := c.O.(*atlas.EnumType); ok {
				m[enumRef(e).String()] = true
			}
		case *atlas.ModifyTable:
			for _, tc := range c.Changes {
				switch tc := tc.(type) {
				case *atlas.DropColumn:
					col(c.T, tc.C.Name)
				case *atlas.RenameColumn:
					col(c.T, tc.From.Name)
				case *atlas.ModifyColumn:
					if tc.Change.Is(atlas.ChangeType) {
						col(c.T, tc.From.Name)
					}
				}
			}
		}
	}
	return m
}

func tableRef(t *atlas.Table) schema.PgRef {
	s := ""
	if t.Schema != nil {
		s = t.Schema.Name
	}
	return schema.TableRef(s, t.Name)
}

func enumRef(e *atlas.EnumType) schema.PgRef {
	s := ""
	if e.Schema != nil {
		s = e.Schema.Name
	}
	return schema.PgRef{Kind: schema.PgKindEnum, Schema: s, Name: e.T}
}

func enumSQL(e *atlas.EnumType) string {
	if e.Schema != nil {
		return pgquote.Ident(e.Schema.Name) + "." + pgquote.Ident(e.T)
	}
	return pgquote.Ident(e.T)
}

func enumCreate(e *atlas.EnumType) string {
	vals := make([]string, len(e.Values))
	for i, v := range e.Values {
		vals[i] = pgquote.Literal(v)
	}
	return "CREATE TYPE " + enumSQL(e) + " AS ENUM (" + strings.Join(vals, ", ") + ")"
}

// valuesKept tells whether to keeps every value of from in the same order
// (ALTER TYPE ... ADD VALUE can then do the change).
func valuesKept(from, to []string) bool {
	i := 0
	for _, v := range to {
		if i < len(from) && from[i] == v {
			i++
		}
	}
	return i == len(from)
}

// filterEnumChanges takes out the enum changes that ADD VALUE cannot do
// (a value removed or moved). An enum nothing uses is dropped and created
// again; for one in use the plan fails and says why.
func (p *objPlanner) filterEnumChanges(changes []atlas.Change) ([]atlas.Change, error) {
	var out []atlas.Change
	for _, c := range changes {
		m, ok := c.(*atlas.ModifyObject)
		if !ok {
			out = append(out, c)
			continue
		}
		from, ok1 := m.From.(*atlas.EnumType)
		to, ok2 := m.To.(*atlas.EnumType)
		if !ok1 || !ok2 || valuesKept(from.Values, to.Values) {
			out = append(out, c)
			continue
		}
		if users := p.enumUsers(from); len(users) > 0 {
			return nil, fmt.Errorf("%s: values (%s) cannot become (%s): PostgreSQL can add enum values but not remove or reorder them, and %s uses the type; create a new type and move the data to it by hand",
				enumRef(from), strings.Join(from.Values, ", "), strings.Join(to.Values, ", "), strings.Join(users, ", "))
		}
		p.enumRecreates = append(p.enumRecreates, [2]*atlas.EnumType{from, to})
	}
	return out, nil
}

// enumUsers lists what uses enum e in the current state.
func (p *objPlanner) enumUsers(e *atlas.EnumType) []string {
	ref := enumRef(e)
	var users []string
	for _, s := range p.from.Schemas {
		for _, t := range s.Tables {
			for _, c := range t.Columns {
				typ := c.Type.Type
				if a, ok := typ.(*postgres.ArrayType); ok {
					typ = a.Type
				}
				if u, ok := typ.(*atlas.EnumType); ok && u.T == e.T && (u.Schema == nil || e.Schema == nil || u.Schema.Name == e.Schema.Name) {
					users = append(users, schema.PgRef{Kind: schema.PgKindColumn, Schema: s.Name, Name: t.Name, Sub: c.Name}.String())
				}
			}
		}
	}
	for _, o := range schema.Objects(p.from) {
		for _, d := range o.Deps() {
			if d == ref {
				users = append(users, o.Ref().String())
			}
		}
	}
	return users
}
