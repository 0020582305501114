package main

import (
	"encoding/json"
	"fmt"
	"text/template"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// InspectTemplate is what a --format '{{ ... }}' template of schema
// inspect reads: as in Atlas, .Realm is the inspected realm (Atlas's own
// type: .Realm.Schemas, .Tables, .Columns, .Name, .Type.Raw, ...), the
// method MarshalHCL gives the HCL, and the functions sql and json give the
// outputs of --format sql and --format json.
type InspectTemplate struct {
	Realm *atlas.Realm
	state *schema.Loaded
	sql   func() (string, error)
}

// MarshalHCL returns the state in Atlas's HCL, as --format hcl prints it.
func (t *InspectTemplate) MarshalHCL() (string, error) {
	b, err := postgres.MarshalHCL.MarshalSpec(t.Realm)
	if err != nil {
		return "", fmt.Errorf("format as HCL: %w", err)
	}
	if b, err = schema.AddObjectsHCL(b, t.state.State); err != nil {
		return "", fmt.Errorf("format as HCL: %w", err)
	}
	return string(b), nil
}

// MarshalJSON makes {{ json . }} the document of --format json.
func (t *InspectTemplate) MarshalJSON() ([]byte, error) { return json.Marshal(t.state.Catalog) }

// inspectTemplateFuncs are the functions of schema inspect templates
// beyond the common ones: sql.
func inspectTemplateFuncs() template.FuncMap {
	return template.FuncMap{
		"sql": func(t *InspectTemplate) (string, error) { return t.sql() },
	}
}
