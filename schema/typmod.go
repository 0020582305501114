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

// keepRealmTypeModifiers gives the columns of a realm evaluated from HCL
// whose type was written with a precision of 6 (sql("timestamp(6)"),
// timestamptz(6), ...) that type as written: Atlas's HCL evaluation takes
// timestamp and timestamp(6) as the same type, and its planner would
// create both as timestamp. written holds, by table, the columns' types
// as the HCL wrote them.
func keepRealmTypeModifiers(r *atlas.Realm, written map[QName]map[string]string) {
	for _, s := range r.Schemas {
		for _, t := range s.Tables {
			cols := written[QName{Schema: s.Name, Name: t.Name}]
			for _, c := range t.Columns {
				typ, ok := cols[c.Name]
				if !ok {
					continue
				}
				switch c.Type.Type.(type) {
				case *atlas.TimeType, *postgres.IntervalType:
					c.Type.Type = &postgres.UserDefinedType{T: typ}
				}
			}
		}
	}
}

// hclTypeSQL turns the type expression of an HCL column block into SQL
// when it carries a precision of 6: sql("timestamp(6)") gives its string,
// timestamptz(6) and day_to_second(6) their SQL spelling. It returns ""
// for every other type.
func hclTypeSQL(raw string, str func() (string, error)) string {
	if !strings.Contains(strings.ReplaceAll(raw, " ", ""), "(6)") {
		return ""
	}
	if strings.HasPrefix(raw, "sql(") {
		s, err := str()
		if err != nil {
			return ""
		}
		return s
	}
	s := strings.ReplaceAll(strings.TrimSpace(raw), "_", " ")
	for _, f := range []string{"year", "month", "day", "hour", "minute", "second"} {
		if strings.HasPrefix(s, f) {
			return "interval " + s
		}
	}
	return s
}
