package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/schemactl/schemactl/internal/atlashcl"
	"github.com/schemactl/schemactl/schema"
)

// envSources reads an env's src, whose URLs may be states that data
// sources computed (data.external_schema.NAME.url and the like).
func envSources(env *atlashcl.Env, raws []string) (*schema.Source, error) {
	var states []*atlashcl.State
	for _, raw := range raws {
		if st, ok := env.State(raw); ok {
			states = append(states, st)
		}
	}
	if len(states) == 0 {
		return schema.ParseSources(raws)
	}
	if len(raws) == 1 && len(states[0].HCL) > 0 {
		return &schema.Source{Kind: schema.SourceHCL, Raw: states[0].Block, Files: states[0].HCL, Vars: states[0].Vars}, nil
	}
	out := &schema.Source{Kind: schema.SourceSQL}
	var names []string
	for _, raw := range raws {
		st, ok := env.State(raw)
		if !ok {
			names = append(names, raw)
			parts, err := urlParts(raw, "")
			if err != nil {
				return nil, err
			}
			out.Parts = append(out.Parts, parts...)
			continue
		}
		names = append(names, st.Block)
		if len(st.HCL) > 0 {
			return nil, fmt.Errorf("src: %s is HCL and cannot be combined with SQL states; give it alone", st.Block)
		}
		for _, p := range st.Parts {
			if p.URL == "" {
				out.Parts = append(out.Parts, schema.Part{Schema: p.Schema, Name: p.Name, Bytes: p.Bytes})
				continue
			}
			parts, err := urlParts(p.URL, p.Schema)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", st.Block, err)
			}
			out.Parts = append(out.Parts, parts...)
		}
	}
	out.Raw = strings.Join(names, ", ")
	return out, nil
}

// urlParts reads the SQL files of a state URL as parts bound to schema.
func urlParts(raw, schemaName string) ([]schema.Part, error) {
	src, err := schema.ParseSource(raw)
	if err != nil {
		return nil, err
	}
	if src.Kind != schema.SourceSQL {
		return nil, fmt.Errorf("state %s is %s; only SQL files combine with a data source's SQL", src.Redacted(), src.Kind)
	}
	var parts []schema.Part
	for _, f := range src.Files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		parts = append(parts, schema.Part{Schema: schemaName, Name: f, Bytes: b})
	}
	return parts, nil
}

// writableMigrationDir is migrationDir for a command that writes to the
// directory: a data "template_dir" rendering is refused, naming the
// templates to write to.
func (p *project) writableMigrationDir() (string, error) {
	dir, err := p.migrationDir()
	if err != nil || p.env == nil {
		return dir, err
	}
	if block, templates, ok := p.env.Rendering(dir); ok {
		return "", usagef("the migration directory of env %q is %s, a rendering of the templates in %s: write new migrations there (--dir file://%s)", p.env.Name, block, templates, templates)
	}
	return dir, nil
}
