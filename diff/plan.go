package diff

import (
	"context"
	"fmt"
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// Stmt is one statement of a plan.
type Stmt struct {
	// SQL is the statement, without the trailing semicolon.
	SQL string
	// Comment says what the statement does, in a few words.
	Comment string
	// uses are objects of package schema the statement needs that its
	// text does not name in quotes (a domain's base type, as format_type
	// writes it): they are created before it and dropped after it.
	uses []schema.PgRef
}

// Plan is an ordered list of statements that takes a database from one
// state to another.
type Plan struct {
	Stmts []Stmt
	// Transactional is false when the statements cannot share one
	// transaction (an enum value added and used in the same plan).
	Transactional bool
	// Warnings are things the user must know about the plan, e.g. that
	// a change loses data.
	Warnings []string
}

// Empty reports whether the plan has no statements.
func (p *Plan) Empty() bool { return p == nil || len(p.Stmts) == 0 }

// SQL formats the plan as a script: each statement preceded by its comment
// and terminated by a semicolon, statements separated by blank lines.
func (p *Plan) SQL() string {
	var b strings.Builder
	for i, s := range p.Stmts {
		if i > 0 {
			b.WriteString("\n")
		}
		if s.Comment != "" {
			b.WriteString("-- " + oneLine(s.Comment) + "\n")
		}
		b.WriteString(strings.TrimRight(s.SQL, "; \n\t") + ";\n")
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Options tunes Diff.
type Options struct {
	// Renames are the renames the user asked for; without one, an object
	// missing on one side and present on the other is dropped and added.
	Renames []Rename
	// Casts tells whether PostgreSQL converts one type to another in an
	// assignment (ALTER COLUMN ... TYPE without USING). When nil, every
	// type change between different base types gets a USING clause.
	Casts CastChecker
	// DevCopy marks the plan that recreates a live database on a dev
	// database for a proof (ObjectOptions.DevCopy).
	DevCopy bool
}

// CastChecker tells whether a type converts to another without USING.
type CastChecker interface {
	AssignmentCast(ctx context.Context, from, to string) (bool, error)
}

// planner accumulates the statements of a plan in phases whose order is
// fixed: schemas first, then the types and sequences tables use, objects
// that must go before Atlas's table changes, Atlas's table changes, what
// needs the tables (partitions, ownership, identity options), drops of
// types and sequences no longer used, and schema drops last.
type planner struct {
	ctx             context.Context
	from, to        *schema.State
	opts            Options
	schemas         []Stmt // CREATE SCHEMA, schema comments
	types           []Stmt // enums, domains, sequences created or altered
	pre             []Stmt // table-level work Atlas's plan relies on
	tables          []Stmt // Atlas's plan for tables
	post            []Stmt // partitions, OWNED BY, identity options, renamed constraints
	drops           []Stmt // domains, enums and sequences dropped
	dropSchema      []Stmt
	warnings        []string
	noTx            bool
	addedEnumValues []string // quoted literals of enum values added with ADD VALUE
	using           map[columnKey]string
	partitions      map[schema.QName]partitionChange
	relNames        map[string]*relNames // per schema, as partitions are created (partindexes.go)
	fkManaged       map[fkKey]bool       // foreign keys planned from the catalog (fkeys.go)
	fkAdds          []fkKey
	inherit         inheritance
	indexChanged    map[indexKey]bool // indexes Atlas's changes create, drop or recreate
}

// Diff returns the plan that takes a database in state from to state to.
// Diff takes ownership of from: renames and column recreations are
// applied to it in place.
func Diff(ctx context.Context, from, to *schema.State, opts Options) (*Plan, error) {
	p := &planner{ctx: ctx, from: from, to: to, opts: opts}
	steps := []func() error{
		p.renames,
		p.enums,
		p.domains,
		p.sequences,
		p.foreignKeysBefore,
		p.inheritBefore,
		p.columnsBefore,
		p.columnOrder,
		p.partitionsBefore,
		p.replicaBefore,
		p.atlas,
		p.partitionsAfter,
		p.sequencesAfter,
		p.identityAfter,
		p.inheritAfter,
		p.tableProperties,
		p.columnDetails,
		p.indexStatistics,
		p.replicaAfter,
		p.foreignKeysAfter,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	plan := &Plan{Transactional: true, Warnings: p.warnings}
	for _, group := range [][]Stmt{p.schemas, p.types, p.pre, p.tables, p.post, p.drops, p.dropSchema} {
		plan.Stmts = append(plan.Stmts, group...)
	}
	// Views, functions, triggers, ... ordered around those (obj_merge.go).
	stmts, err := mergeObjects(from, to, plan.Stmts, ObjectOptions{IncludePrivileges: true, DevCopy: p.opts.DevCopy})
	if err != nil {
		return nil, err
	}
	plan.Stmts = stmts
	if !p.opts.DevCopy {
		plan.Warnings = append(plan.Warnings, subscriptionWarnings(from.Realm, to.Realm)...)
	}
	if p.noTx || p.usesAddedEnumValue(plan) {
		plan.Transactional = false
	}
	return plan, nil
}

// usesAddedEnumValue reports whether a statement other than its ADD VALUE
// mentions an enum value added by the plan: PostgreSQL refuses to use such
// a value in the transaction that added it.
func (p *planner) usesAddedEnumValue(plan *Plan) bool {
	for _, v := range p.addedEnumValues {
		for _, s := range plan.Stmts {
			if strings.Contains(s.SQL, v) && !strings.Contains(s.SQL, "ADD VALUE "+v) {
				return true
			}
		}
	}
	return false
}

func (p *planner) warnf(format string, args ...any) {
	p.warnings = append(p.warnings, fmt.Sprintf(format, args...))
}
