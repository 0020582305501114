package diff

import (
	"fmt"

	"github.com/schemactl/schemactl/internal/pgquote"
	"github.com/schemactl/schemactl/schema"
)

// objGen generates the statements of one kind of object.
type objGen interface {
	// create returns the statements that create o (with its comments).
	create(o schema.PgObject) []string
	// drop returns the statements that drop o.
	drop(o schema.PgObject) []string
	// alter returns the statements that turn from into to (nil when they
	// are equal), or recreate=true when only dropping and creating can.
	alter(from, to schema.PgObject) (stmts []string, recreate bool)
}

// genFor returns the generator of o's kind.
func genFor(o schema.PgObject) (objGen, error) {
	switch o.(type) {
	case *schema.PgView:
		return viewGen{}, nil
	case *schema.PgFunction:
		return funcGen{}, nil
	case *schema.PgTrigger:
		return triggerGen{}, nil
	case *schema.PgEventTrigger:
		return eventTriggerGen{}, nil
	case *schema.PgSequence:
		return sequenceGen{}, nil
	case *schema.PgDomain:
		return domainGen{}, nil
	case *schema.PgComposite:
		return compositeGen{}, nil
	case *schema.PgRange:
		return rangeGen{}, nil
	case *schema.PgExtension:
		return extensionGen{}, nil
	case *schema.PgPolicy:
		return policyGen{}, nil
	case *schema.PgRowSecurity:
		return rowSecurityGen{}, nil
	case *schema.PgPrivileges:
		return privilegesGen{}, nil
	case *schema.PgDefaultPrivileges:
		return defaultPrivilegesGen{}, nil
	case *schema.PgCollation:
		return collationGen{}, nil
	case *schema.PgStatistics:
		return statisticsGen{}, nil
	case *schema.PgConversion:
		return conversionGen{}, nil
	case *schema.PgTSConfig:
		return tsConfigGen{}, nil
	case *schema.PgTSDict:
		return tsDictGen{}, nil
	case *schema.PgTSParser:
		return tsParserGen{}, nil
	case *schema.PgTSTemplate:
		return tsTemplateGen{}, nil
	case *schema.PgOperator:
		return operatorGen{}, nil
	case *schema.PgOpFamily:
		return opFamilyGen{}, nil
	case *schema.PgOpClass:
		return opClassGen{}, nil
	}
	return genForMore(o)
}

// genForMore returns the generator of the foreign-data, rule, cast,
// replication and language kinds.
func genForMore(o schema.PgObject) (objGen, error) {
	switch o.(type) {
	case *schema.PgCast:
		return castGen{}, nil
	case *schema.PgRule:
		return ruleGen{}, nil
	case *schema.PgLanguage:
		return languageGen{}, nil
	case *schema.PgAccessMethod:
		return accessMethodGen{}, nil
	case *schema.PgTransform:
		return transformGen{}, nil
	case *schema.PgForeignWrapper:
		return foreignWrapperGen{}, nil
	case *schema.PgForeignServer:
		return foreignServerGen{}, nil
	case *schema.PgUserMapping:
		return userMappingGen{}, nil
	case *schema.PgForeignTable:
		return foreignTableGen{}, nil
	case *schema.PgPublication:
		return publicationGen{}, nil
	case *schema.PgBaseType:
		return baseTypeGen{}, nil
	case *schema.PgSubscription:
		return subscriptionGen{}, nil
	}
	return nil, fmt.Errorf("unsupported object: %s", o.Ref())
}

// commentOn returns the COMMENT ON statement setting (or, for "",
// removing) the comment of an object.
func commentOn(what, name, comment string) string {
	if comment == "" {
		return fmt.Sprintf("COMMENT ON %s %s IS NULL", what, name)
	}
	return fmt.Sprintf("COMMENT ON %s %s IS %s", what, name, pgquote.Literal(comment))
}

// commentIf returns the COMMENT ON statement for a non-empty comment.
func commentIf(what, name, comment string) []string {
	if comment == "" {
		return nil
	}
	return []string{commentOn(what, name, comment)}
}

// commentChange returns the COMMENT ON statement when the comment changed.
func commentChange(what, name, from, to string) []string {
	if from == to {
		return nil
	}
	return []string{commentOn(what, name, to)}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
