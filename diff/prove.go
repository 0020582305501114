package diff

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schemactl/schemactl/schema"
)

// StmtError is a failed statement of a plan.
type StmtError struct {
	Index int // 0-based position in the plan
	Stmt  Stmt
	Err   error
}

func (e *StmtError) Error() string {
	return fmt.Sprintf("statement %d of the plan (%s) failed: %s\n  %s", e.Index+1, e.Stmt.Comment, pgMessage(e.Err), strings.ReplaceAll(e.Stmt.SQL, "\n", "\n  "))
}

func (e *StmtError) Unwrap() error { return e.Err }

// pgMessage formats a PostgreSQL error as its message and SQLSTATE.
func pgMessage(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		msg := pe.Message + " (SQLSTATE " + pe.Code + ")"
		if pe.Detail != "" {
			msg += "; " + pe.Detail
		}
		return msg
	}
	return err.Error()
}

// Apply executes the statements on the database: in one transaction when
// the plan is transactional, one by one otherwise.
func Apply(ctx context.Context, db *sql.DB, plan *Plan) error {
	return applyStmts(ctx, db, plan.Stmts, plan.Transactional, 0)
}

func applyStmts(ctx context.Context, db *sql.DB, stmts []Stmt, tx bool, offset int) error {
	if len(stmts) == 0 {
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if !tx {
		for i, s := range stmts {
			if _, err := conn.ExecContext(ctx, s.SQL); err != nil {
				return &StmtError{Index: offset + i, Stmt: s, Err: err}
			}
		}
		return nil
	}
	t, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for i, s := range stmts {
		if _, err := t.ExecContext(ctx, s.SQL); err != nil {
			_ = t.Rollback()
			return &StmtError{Index: offset + i, Stmt: s, Err: err}
		}
	}
	return t.Commit()
}

// UnprovenError is returned when a plan, applied to the starting state,
// does not give the desired state.
type UnprovenError struct {
	Differences []string
}

func (e *UnprovenError) Error() string {
	return fmt.Sprintf("the plan does not reach the desired state; %d difference(s) remain:\n  %s",
		len(e.Differences), strings.Join(e.Differences, "\n  "))
}

// Prove applies the plan to db, which must hold the starting state (it is
// changed), inspects the result within scope and compares it with want:
// object by object with PostgreSQL's canonical definitions, and with
// Atlas's differ. Differences in constraints and indexes are repaired from
// want's definitions (the statements are appended to the plan) and checked
// again; any other difference is an UnprovenError.
//
// A transactional plan that needs more locks than the dev server's lock
// table holds in one transaction (its transaction rolled back) is applied
// again statement by statement: the state it reaches is what is proven.
func Prove(ctx context.Context, db *sql.DB, plan *Plan, want *schema.State, scope schema.Scope) error {
	err := applyForProof(ctx, db, plan)
	if plan.Transactional && schema.LockTableFull(err) {
		err = applyStmts(ctx, db, plan.Stmts, false, 0)
	}
	if err != nil {
		return err
	}
	for round := 0; ; round++ {
		got, err := schema.InspectDB(ctx, db, scope)
		if err != nil {
			return fmt.Errorf("inspect the result of the plan: %w", err)
		}
		diffs, err := Differences(got, want)
		if err != nil {
			return err
		}
		if len(diffs) == 0 {
			return nil
		}
		repairs := repair(got.Catalog, want.Catalog)
		if round > 0 || len(repairs) == 0 {
			return &UnprovenError{Differences: diffs}
		}
		if err := applyStmts(ctx, db, repairs, plan.Transactional, len(plan.Stmts)); err != nil {
			return err
		}
		plan.Stmts = append(plan.Stmts, repairs...)
	}
}

// Differences lists how got differs from want: per PostgreSQL's canonical
// definitions, then per Atlas's differ.
func Differences(got, want *schema.State) ([]string, error) {
	var out []string
	for _, d := range schema.Compare(got.Catalog, want.Catalog) {
		out = append(out, d.String())
	}
	changes, err := postgres.DefaultDiff.RealmDiff(got.Realm, want.Realm)
	if err != nil {
		return nil, fmt.Errorf("compare with Atlas's differ: %w", err)
	}
	atlasSchemas := map[string]bool{}
	for _, c := range changes {
		if d := describeChange(c); d != "" {
			out = append(out, "Atlas: "+d)
		}
		if m, ok := c.(*atlas.ModifySchema); ok {
			atlasSchemas[m.S.Name] = true
		}
	}
	for _, d := range schemaCommentDifferences(got.Realm, want.Realm) {
		if !atlasSchemas[strings.TrimPrefix(strings.SplitN(d, ":", 2)[0], "schema ")] {
			out = append(out, d)
		}
	}
	// Views, functions, triggers, ... (obj_merge.go).
	out = append(out, objectDifferences(got.Realm, want.Realm, ObjectOptions{IncludePrivileges: true})...)
	return out, nil
}

// describeChange names an Atlas change for a report.
func describeChange(c atlas.Change) string {
	switch c := c.(type) {
	case *atlas.AddSchema:
		return "add schema " + c.S.Name
	case *atlas.DropSchema:
		return "drop schema " + c.S.Name
	case *atlas.ModifySchema:
		return "modify schema " + c.S.Name
	case *atlas.AddTable:
		return "add table " + c.T.Name
	case *atlas.DropTable:
		return "drop table " + c.T.Name
	case *atlas.AddObject, *atlas.DropObject, *atlas.ModifyObject:
		return "" // enums: compared on the catalog, with their values
	case *atlas.ModifyTable:
		var parts []string
		for _, x := range c.Changes {
			parts = append(parts, describeTableChange(x))
		}
		return fmt.Sprintf("modify table %s: %s", c.T.Name, strings.Join(parts, ", "))
	default:
		return fmt.Sprintf("%T", c)
	}
}

func describeTableChange(c atlas.Change) string {
	switch c := c.(type) {
	case *atlas.AddColumn:
		return "add column " + c.C.Name
	case *atlas.DropColumn:
		return "drop column " + c.C.Name
	case *atlas.ModifyColumn:
		return "modify column " + c.To.Name
	case *atlas.AddIndex:
		return "add index " + c.I.Name
	case *atlas.DropIndex:
		return "drop index " + c.I.Name
	case *atlas.ModifyIndex:
		return "modify index " + c.To.Name
	case *atlas.AddForeignKey:
		return "add foreign key " + c.F.Symbol
	case *atlas.DropForeignKey:
		return "drop foreign key " + c.F.Symbol
	case *atlas.ModifyForeignKey:
		return "modify foreign key " + c.To.Symbol
	case *atlas.AddCheck:
		return "add check " + c.C.Name
	case *atlas.DropCheck:
		return "drop check " + c.C.Name
	case *atlas.ModifyCheck:
		return "modify check " + c.To.Name
	case *atlas.AddPrimaryKey:
		return "add primary key"
	case *atlas.DropPrimaryKey:
		return "drop primary key"
	case *atlas.ModifyPrimaryKey:
		return "modify primary key"
	default:
		return fmt.Sprintf("%T", c)
	}
}

// repair returns statements that bring the constraints and indexes of got
// in line with want, from want's definitions: what Atlas's model cannot
// express (deferrable or NOT VALID constraints, MATCH FULL, ...) is
// corrected here. Foreign keys are dropped first and added last.
func repair(got, want *schema.Catalog) []Stmt {
	var dropFK, dropOther, dropIdx, addOther, addFK, addIdx, comments []Stmt
	for _, tw := range want.Tables {
		tg, ok := got.Table(tw.QName)
		if !ok {
			continue
		}
		gk := map[string]*schema.ConstraintInfo{}
		for _, k := range tg.Constraints {
			if !k.Inherited {
				gk[k.Name] = k
			}
		}
		wk := map[string]*schema.ConstraintInfo{}
		for _, k := range tw.Constraints {
			if !k.Inherited {
				wk[k.Name] = k
			}
		}
		for _, k := range tg.Constraints {
			if w, ok := wk[k.Name]; !k.Inherited && (!ok || w.Def != k.Def || w.Type != k.Type) {
				s := Stmt{SQL: fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", tw.QName, schema.QuoteIdent(k.Name)), Comment: "drop constraint " + k.Name}
				if k.Type == 'f' {
					dropFK = append(dropFK, s)
				} else {
					dropOther = append(dropOther, s)
				}
			}
		}
		for _, k := range tw.Constraints {
			g, ok := gk[k.Name]
			if k.Inherited {
				continue
			}
			if !ok || g.Def != k.Def || g.Type != k.Type {
				s := Stmt{SQL: fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", tw.QName, schema.QuoteIdent(k.Name), k.Def), Comment: "add constraint " + k.Name}
				if k.Type == 'f' {
					addFK = append(addFK, s)
				} else {
					addOther = append(addOther, s)
				}
			}
			if (!ok && k.Comment != "") || (ok && g.Comment != k.Comment) {
				comments = append(comments, commentStmt(fmt.Sprintf("CONSTRAINT %s ON %s", schema.QuoteIdent(k.Name), tw.QName), k.Comment))
			}
		}
		gi := map[string]*schema.IndexInfo{}
		for _, idx := range tg.Indexes {
			if idx.Parent == "" && idx.Constraint == "" {
				gi[idx.Name] = idx
			}
		}
		wi := map[string]*schema.IndexInfo{}
		for _, idx := range tw.Indexes {
			if idx.Parent == "" && idx.Constraint == "" {
				wi[idx.Name] = idx
			}
		}
		for name, g := range gi {
			if w, ok := wi[name]; !ok || w.Def != g.Def {
				dropIdx = append(dropIdx, Stmt{SQL: "DROP INDEX " + schema.QName{Schema: tw.Schema, Name: name}.String(), Comment: "drop index " + name})
			}
		}
		for name, w := range wi {
			if g, ok := gi[name]; !ok || w.Def != g.Def {
				addIdx = append(addIdx, Stmt{SQL: w.Def, Comment: "create index " + name})
			}
		}
	}
	var out []Stmt
	for _, g := range [][]Stmt{dropFK, dropOther, dropIdx, addOther, addIdx, addFK, comments} {
		sortStmts(g)
		out = append(out, g...)
	}
	return out
}

func sortStmts(s []Stmt) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].SQL < s[j-1].SQL; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
