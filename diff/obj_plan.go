package diff

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"ariga.io/atlas/sql/migrate"
	atlas "ariga.io/atlas/sql/schema"

	"github.com/schemactl/schemactl/schema"
)

// ObjectOptions tune PlanObjects.
type ObjectOptions struct {
	// IncludePrivileges plans GRANT and REVOKE statements and default
	// privileges; without it privileges are left alone.
	IncludePrivileges bool
	// DevCopy marks a plan that recreates a live database on a dev
	// database for a proof, never written nor applied elsewhere: its
	// subscriptions are created with a stand-in connection string that
	// carries the hash of theirs and connects nowhere
	// (schema.DevConnInfo).
	DevCopy bool
}

// PlanObjects returns the statements that turn the database described by
// from into the one described by to. changes are Atlas's changes between
// the two realms (tables, columns, indexes, enums, schemas); planAtlas
// turns them into statements (typically the driver's PlanChanges). The
// result merges those statements with the ones that create, replace,
// alter and drop the objects of package schema (views, functions,
// triggers, types, ...), in one order that follows the dependencies
// recorded on both sides: an object is created after what it uses and
// dropped before it; an object whose dependency is dropped or changes
// type is dropped and created again. A plan that cannot be ordered is an
// error naming the cycle.
func PlanObjects(from, to *atlas.Realm, changes []atlas.Change, planAtlas func([]atlas.Change) ([]*migrate.Change, error), opts ObjectOptions) ([]*migrate.Change, error) {
	p := newObjPlanner(from, to, opts)
	changes, err := p.filterEnumChanges(changes)
	if err != nil {
		return nil, err
	}
	var atlasPlan []*migrate.Change
	if len(changes) > 0 {
		if planAtlas == nil {
			return nil, fmt.Errorf("plan: %d Atlas changes but no Atlas planner", len(changes))
		}
		if atlasPlan, err = planAtlas(changes); err != nil {
			return nil, err
		}
	}
	return p.plan(changes, atlasPlan)
}

// objAction is what happens to one object.
type objAction struct {
	key      string
	from, to schema.PgObject
	gen      objGen
	alter    []string
	recreate bool
}

type objPlanner struct {
	from, to *atlas.Realm
	opts     ObjectOptions
	// enumRecreates are enums dropped and created again by us because
	// Atlas cannot remove or reorder their values.
	enumRecreates [][2]*atlas.EnumType
}

func newObjPlanner(from, to *atlas.Realm, opts ObjectOptions) *objPlanner {
	if from == nil {
		from = &atlas.Realm{}
	}
	if to == nil {
		to = &atlas.Realm{}
	}
	return &objPlanner{from: from, to: to, opts: opts}
}

func (p *objPlanner) objects(r *atlas.Realm) map[string]schema.PgObject {
	m := map[string]schema.PgObject{}
	for _, o := range schema.Objects(r) {
		switch o.(type) {
		case *schema.PgPrivileges, *schema.PgDefaultPrivileges:
			if !p.opts.IncludePrivileges {
				continue
			}
		}
		m[o.Ref().String()] = o
	}
	return m
}

// kindRank orders the creation of objects no dependency orders.
var kindRank = map[schema.PgKind]int{
	schema.PgKindExtension: 0, schema.PgKindDomain: 1, schema.PgKindComposite: 1, schema.PgKindRange: 1,
	schema.PgKindSequence: 2, schema.PgKindFunction: 3, schema.PgKindProcedure: 3, schema.PgKindAggregate: 4,
	schema.PgKindView: 5, schema.PgKindMatView: 6, schema.PgKindTrigger: 7, schema.PgKindEventTrigger: 7,
	schema.PgKindPolicy: 8, schema.PgKindRowSecurity: 8, schema.PgKindPrivileges: 9, schema.PgKindDefaultPrivileges: 9,
	schema.PgKindCollation: 0, schema.PgKindConversion: 4, schema.PgKindTSParser: 4, schema.PgKindTSTemplate: 4,
	schema.PgKindTSDict: 4, schema.PgKindTSConfig: 4, schema.PgKindOperator: 4, schema.PgKindOpFamily: 4,
	schema.PgKindOpClass: 4, schema.PgKindStatistics: 7,
	schema.PgKindLanguage: 3, schema.PgKindAccessMethod: 3, schema.PgKindCast: 4, schema.PgKindTransform: 4,
	schema.PgKindForeignWrapper: 4, schema.PgKindForeignServer: 5, schema.PgKindUserMapping: 6, schema.PgKindForeignTable: 6,
	schema.PgKindRule: 7, schema.PgKindPublication: 9, schema.PgKindBaseType: 1,
	schema.PgKindSubscription: 9,
}

func (p *objPlanner) plan(changes []atlas.Change, atlasPlan []*migrate.Change) ([]*migrate.Change, error) {
	ext := make([]extStmt, len(atlasPlan))
	for i, c := range atlasPlan {
		_, drop := c.Source.(*atlas.DropTable)
		ext[i] = extStmt{change: c, touches: changeRefs(c.Source), dropsTable: drop}
	}
	disturbed := atlasDisturbed(changes)
	for _, e := range p.enumRecreates {
		disturbed[enumRef(e[0]).String()] = true
	}
	return p.merge(ext, disturbed)
}

// extStmt is a statement planned elsewhere (by Atlas, or by the table
// planner of this package) with the objects it touches.
type extStmt struct {
	change     *migrate.Change
	touches    []schema.PgRef
	uses       []schema.PgRef // created before the statement, dropped after it
	dropsTable bool
}

// merge plans the objects of package schema around the statements ext
// (kept in their order). disturbed lists (by key) what ext takes away from
// under the objects: dropped tables, columns and types, retyped columns.
func (p *objPlanner) merge(ext []extStmt, disturbed map[string]bool) ([]*migrate.Change, error) {
	fromObjs, toObjs := p.objects(p.from), p.objects(p.to)
	adoptTypeFuncs(fromObjs, toObjs)
	adoptTypeFuncs(toObjs, fromObjs)
	keys := map[string]bool{}
	for k := range fromObjs {
		keys[k] = true
	}
	for k := range toObjs {
		keys[k] = true
	}
	sortedKeys := make([]string, 0, len(keys))
	for k := range keys {
		sortedKeys = append(sortedKeys, k)
	}
	sort.Strings(sortedKeys)
	var actions []*objAction
	for _, k := range sortedKeys {
		a := &objAction{key: k, from: fromObjs[k], to: toObjs[k]}
		o := a.to
		if o == nil {
			o = a.from
		}
		gen, err := genFor(o)
		if err != nil {
			return nil, err
		}
		if _, ok := gen.(subscriptionGen); ok {
			gen = subscriptionGen{dev: p.opts.DevCopy}
		}
		a.gen = gen
		if a.from != nil && a.to != nil {
			a.alter, a.recreate = gen.alter(a.from, a.to)
		}
		actions = append(actions, a)
	}
	for _, a := range actions {
		if a.to == nil || a.recreate {
			disturbed[a.key] = true
		}
	}
	isDisturbed := func(r schema.PgRef) bool {
		return disturbed[r.String()] || r.Kind == schema.PgKindColumn && disturbed[r.Owner().String()]
	}
	for changed := true; changed; {
		changed = false
		for _, a := range actions {
			if a.from == nil || a.to == nil || a.recreate {
				continue
			}
			for _, d := range a.from.Deps() {
				if isDisturbed(d) && !leftInPlace(a, d) {
					a.recreate, a.alter = true, nil
					disturbed[a.key] = true
					changed = true
					break
				}
			}
		}
	}
	touched := map[string]bool{}
	for _, e := range ext {
		for _, r := range e.touches {
			touched[r.String()] = true
		}
	}
	if err := checkSecrets(actions); err != nil {
		return nil, err
	}
	if err := checkSubscriptions(actions, p.opts.DevCopy); err != nil {
		return nil, err
	}
	if err := p.checkTableUsers(actions, isDisturbed, touched); err != nil {
		return nil, err
	}
	return p.build(actions, ext)
}

// leftInPlace tells whether the in-place change of a base type stops
// using d, a support function that ALTER TYPE ... SET replaces: a function
// dropped or created again then does not disturb the type, and is dropped
// after the type's change.
func leftInPlace(a *objAction, d schema.PgRef) bool {
	if _, ok := a.to.(*schema.PgBaseType); !ok || a.recreate || d.Kind != schema.PgKindFunction {
		return false
	}
	return !slices.Contains(a.to.Deps(), d)
}

// checkTableUsers fails when an object that a table (a column type, a
// default, a check or an index) uses must be dropped while Atlas leaves
// the table alone: the DROP would fail, and CASCADE would lose data.
func (p *objPlanner) checkTableUsers(actions []*objAction, isDisturbed func(schema.PgRef) bool, touched map[string]bool) error {
	var msgs []string
	for _, s := range p.from.Schemas {
		for _, t := range s.Tables {
			ref := schema.TableRef(s.Name, t.Name)
			if touched[ref.String()] {
				continue
			}
			for _, d := range schema.TableDeps(t) {
				if d.Kind == schema.PgKindSchema || !isDisturbed(d) {
					continue
				}
				if d.Kind == schema.PgKindColumn && d.Owner() != ref && p.columnKept(d) {
					// Another table's column can only be used by a foreign
					// key, which PostgreSQL checks again when the column
					// changes its type.
					continue
				}
				what := "drop"
				for _, a := range actions {
					if a.key == d.String() && a.to != nil {
						what = "recreate"
					}
				}
				msgs = append(msgs, fmt.Sprintf("cannot %s %s: %s uses it (column type, default, check or index); change the table first", what, d, ref))
			}
		}
	}
	if len(msgs) > 0 {
		return fmt.Errorf("plan: %s", strings.Join(msgs, "; "))
	}
	return nil
}

// columnKept reports whether column c is in the desired state.
func (p *objPlanner) columnKept(c schema.PgRef) bool {
	s, ok := p.to.Schema(c.Schema)
	if !ok {
		return false
	}
	t, ok := s.Table(c.Name)
	if !ok {
		return false
	}
	_, ok = t.Column(c.Sub)
	return ok
}

// build turns the actions and Atlas's statements into ordered changes.
func (p *objPlanner) build(actions []*objAction, ext []extStmt) ([]*migrate.Change, error) {
	g := &planGraph{}
	creates := map[string]*planNode{} // by object key: creates and alters
	drops := map[string]*planNode{}
	links := map[string]*planNode{}
	var anyFunc bool
	// The statements planned elsewhere, chained in their order.
	touches := map[string][]*planNode{}
	dropsTable := map[*planNode]bool{}
	var prev *planNode
	extNodes := make([]*planNode, len(ext))
	for i, e := range ext {
		n := g.add(atlasLabel(e.change, i), 1, i, []*migrate.Change{e.change})
		extNodes[i] = n
		g.edge(prev, n)
		prev = n
		dropsTable[n] = e.dropsTable
		for _, r := range e.touches {
			touches[r.String()] = append(touches[r.String()], n)
		}
	}
	// Enums that we drop and create again.
	for _, e := range p.enumRecreates {
		ref := enumRef(e[0]).String()
		d := g.add("drop "+ref, 0, 0, []*migrate.Change{{Cmd: "DROP TYPE " + enumSQL(e[0]), Comment: "drop " + ref, Source: &atlas.DropObject{O: e[0]}}})
		c := g.add("create "+ref, 2, 0, []*migrate.Change{{Cmd: enumCreate(e[1]), Comment: "create " + ref, Source: &atlas.AddObject{O: e[1]}}})
		g.edge(d, c)
		drops[ref], creates[ref] = d, c
		for _, n := range touches[ref] {
			g.edge(d, n)
			g.edge(n, c)
		}
	}
	for _, a := range actions {
		o := a.to
		if o == nil {
			o = a.from
		}
		rank := kindRank[o.Ref().Kind]
		if a.from != nil && (a.to == nil || a.recreate) {
			stmts := a.gen.drop(a.from)
			if len(stmts) > 0 {
				drops[a.key] = g.add("drop "+a.key, 0, 20-rank, objChanges(stmts, "drop "+a.key, &atlas.DropObject{O: a.from}))
			}
		}
		var stmts []string
		var src atlas.Change
		label := "create " + a.key
		switch {
		case a.to != nil && (a.from == nil || a.recreate):
			stmts, src = a.gen.create(a.to), &atlas.AddObject{O: a.to}
		case a.to != nil && len(a.alter) > 0:
			stmts, src, label = a.alter, &atlas.ModifyObject{From: a.from, To: a.to}, "alter "+a.key
		}
		if len(stmts) > 0 {
			prio, seq := 2, rank
			if _, created := src.(*atlas.AddObject); created && earlyKinds[o.Ref().Kind] {
				// Before Atlas's statements (seq from 0) once what they
				// need exists: a function body names them without a
				// dependency, and an index on that function (inlined
				// when the index is built) needs them already.
				prio, seq = 1, rank-1000
			}
			creates[a.key] = g.add(label, prio, seq, objChanges(stmts, label, src))
			if f, ok := a.to.(*schema.PgFunction); ok && f.Kind != 'a' {
				anyFunc = true
			}
		}
		if l, ok := a.gen.(objLinker); ok && a.to != nil {
			var from schema.PgObject
			if !a.recreate {
				from = a.from
			}
			if stmts, deps := l.link(from, a.to); len(stmts) > 0 {
				n := g.add("link "+a.key, 3, rank, objChanges(stmts, "link "+a.key, &atlas.ModifyObject{From: a.from, To: a.to}))
				links[a.key] = n
				g.edge(creates[a.key], n)
				for _, d := range deps {
					g.edge(creates[d.String()], n)
					for _, t := range touches[d.Owner().String()] {
						g.edge(t, n)
					}
				}
			}
		}
		if d, c := drops[a.key], creates[a.key]; d != nil && c != nil {
			g.edge(d, c)
		}
	}
	// Dependencies between objects, and with Atlas's statements.
	for _, a := range actions {
		if n := creates[a.key]; n != nil {
			for _, d := range withSchema(a.to) {
				g.edge(creates[d.String()], n)
				for _, t := range touches[d.Owner().String()] {
					g.edge(t, n)
				}
			}
		}
		if n := creates[a.key]; n != nil && a.from != nil && a.to != nil && !a.recreate {
			// What the object leaves in place is dropped after.
			for _, d := range a.from.Deps() {
				if leftInPlace(a, d) {
					g.edge(n, drops[d.String()])
				}
			}
		}
		if n := drops[a.key]; n != nil {
			for _, d := range withSchema(a.from) {
				g.edge(n, drops[d.String()])
				if s, ok := a.from.(*schema.PgSequence); ok && s.OwnedBy != nil && d == *s.OwnedBy {
					continue
				}
				for _, t := range touches[d.Owner().String()] {
					g.edge(n, t)
				}
			}
			// A sequence owned by a column goes with its table.
			if s, ok := a.from.(*schema.PgSequence); ok && s.OwnedBy != nil {
				for _, t := range touches[s.OwnedBy.Owner().String()] {
					if dropsTable[t] {
						n.changes[0].Cmd = "DROP SEQUENCE IF EXISTS " + s.SQLName
						g.edge(t, n)
					}
				}
			}
		}
	}
	// What a statement uses without naming it in quotes.
	for i, e := range ext {
		for _, u := range e.uses {
			g.edge(creates[u.String()], extNodes[i])
			g.edge(extNodes[i], drops[u.String()])
		}
	}
	// Tables that use objects: create those first, drop them after.
	fromTables, toTables := tablesByRef(p.from), tablesByRef(p.to)
	for key, ns := range touches {
		fromT, toT := fromTables[key], toTables[key]
		for _, n := range ns {
			if toT != nil {
				for _, d := range schema.TableDeps(toT) {
					g.edge(creates[d.String()], n)
				}
			}
			if fromT != nil {
				for _, d := range schema.TableDeps(fromT) {
					g.edge(n, drops[d.String()])
				}
			}
		}
	}
	nodes, err := g.order()
	if err != nil {
		return nil, err
	}
	var out []*migrate.Change
	if anyFunc {
		// Function bodies may name objects created later; PostgreSQL
		// checks them at run time either way.
		out = append(out, &migrate.Change{Cmd: "SET check_function_bodies = false", Comment: "function bodies are checked when they run"})
	}
	for _, n := range nodes {
		out = append(out, n.changes...)
	}
	return out, nil
}

// earlyKinds are the kinds created before the tables, as pg_dump does,
// once what they depend on exists (a configuration waits for the
// extension whose dictionary it maps to): function bodies name functions,
// text search configurations and collations as text (mb_lower(x),
// 'musicbrainz.mb_simple'::regconfig, COLLATE "musicbrainz"), so that
// PostgreSQL records no dependency of a function on them, and an index,
// check or default that calls the function (an SQL function is inlined
// when the index is built) needs them all already.
var earlyKinds = map[schema.PgKind]bool{
	schema.PgKindExtension:  true,
	schema.PgKindFunction:   true,
	schema.PgKindProcedure:  true,
	schema.PgKindCollation:  true,
	schema.PgKindTSConfig:   true,
	schema.PgKindTSDict:     true,
	schema.PgKindTSParser:   true,
	schema.PgKindTSTemplate: true,
}

// withSchema returns the dependencies of o plus its schema.
func withSchema(o schema.PgObject) []schema.PgRef {
	deps := o.Deps()
	if s := o.Ref().Schema; s != "" {
		deps = append(append([]schema.PgRef(nil), deps...), schema.PgRef{Kind: schema.PgKindSchema, Name: s})
	}
	return deps
}

// tablesByRef indexes the tables of a realm by their reference's string
// (schema.TableRef), the first one of a name winning.
func tablesByRef(r *atlas.Realm) map[string]*atlas.Table {
	m := map[string]*atlas.Table{}
	for _, s := range r.Schemas {
		for _, t := range s.Tables {
			if key := schema.TableRef(s.Name, t.Name).String(); m[key] == nil {
				m[key] = t
			}
		}
	}
	return m
}

// objChanges makes one migrate.Change per statement.
func objChanges(stmts []string, comment string, src atlas.Change) []*migrate.Change {
	out := make([]*migrate.Change, len(stmts))
	for i, s := range stmts {
		out[i] = &migrate.Change{Cmd: s, Source: src}
	}
	if len(out) > 0 {
		out[0].Comment = comment
	}
	return out
}

func atlasLabel(c *migrate.Change, i int) string {
	if c.Comment != "" {
		return c.Comment
	}
	return fmt.Sprintf("statement %d of the table plan", i+1)
}
