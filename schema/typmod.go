package schema

import (
	"strings"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
)

// keepTypeModifier keeps a type modifier Atlas's open-source driver loses:
// it takes a precision of 6 for time, timestamp and interval types as the
// default and writes `timestamp(6)` back as `timestamp`, while PostgreSQL
// (format_type) tells them apart. Such a column gets PostgreSQL's name of
// its type, which Atlas's differ compares and its planner writes as it is.
func keepTypeModifier(col *atlas.Column, ci *ColumnInfo) {
	switch col.Type.Type.(type) {
	case *atlas.TimeType, *postgres.IntervalType:
	default:
		return
	}
	if strings.Contains(ci.Type, "(6)") {
		col.Type.Type = &postgres.UserDefinedType{T: ci.Type}
		col.Type.Raw = ci.Type
	}
}
