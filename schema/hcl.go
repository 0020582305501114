package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/schemactl/schemactl/internal/srcpos"
)

// EvalHCL reads HCL files in Atlas's schema language into one Realm: the
// files merge (a table may reference an enum of another file). Syntax
// errors name file:line:col.
func EvalHCL(paths []string) (*atlas.Realm, error) {
	p := hclparse.NewParser()
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if err := srcpos.CheckText(path, src); err != nil {
			return nil, err
		}
		if _, diags := p.ParseHCL(src, path); diags.HasErrors() {
			return nil, hclError(diags)
		}
	}
	var r atlas.Realm
	if err := postgres.EvalHCL.Eval(p, &r, nil); err != nil {
		var diags hcl.Diagnostics
		if errors.As(err, &diags) && diags.HasErrors() {
			return nil, hclError(diags)
		}
		return nil, evalError(paths, err)
	}
	return &r, nil
}

// hclError formats HCL diagnostics as file:line:col: summary: detail.
func hclError(diags hcl.Diagnostics) error {
	if err := srcpos.HCL(diags); err != nil {
		return err
	}
	return diags
}

// reRange is HCL's range form in a message: file:line,col-col: (or
// file:line,col-line,col:).
var reRange = regexp.MustCompile(`(\S+\.hcl):(\d+),(\d+)(?:-[\d,]+)?:`)

// evalError reports an evaluation error of Atlas: a position it gives in
// HCL's range form becomes file:line:col at the start of the message.
func evalError(paths []string, err error) error {
	msg := err.Error()
	if m := reRange.FindStringSubmatchIndex(msg); m != nil {
		pos := msg[m[2]:m[3]] + ":" + msg[m[4]:m[5]] + ":" + msg[m[6]:m[7]] + ":"
		return fmt.Errorf("%s %s", pos, strings.TrimSpace(msg[m[1]:]))
	}
	return fmt.Errorf("evaluate %s: %w", joinPaths(paths), err)
}

func joinPaths(paths []string) string {
	if len(paths) == 1 {
		return paths[0]
	}
	return fmt.Sprintf("%s and %d more", paths[0], len(paths)-1)
}

// applyRealm creates the realm in an empty dev database with Atlas's
// planner, so that PostgreSQL normalizes it (types, defaults, names) and
// it can be inspected like any other state.
func applyRealm(ctx context.Context, db *sql.DB, r *atlas.Realm) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	drv, err := openAtlas(conn)
	if err != nil {
		return err
	}
	current, err := drv.InspectRealm(ctx, nil)
	if err != nil {
		return err
	}
	changes, err := drv.RealmDiff(current, r)
	if err != nil {
		return err
	}
	if err := drv.ApplyChanges(ctx, changes); err != nil {
		return fmt.Errorf("create the HCL schema on the dev database: %w", err)
	}
	return nil
}

// FormatHCL returns the canonical formatting of an HCL file; a syntax
// error names file:line:col.
func FormatHCL(path string, src []byte) ([]byte, error) {
	if err := srcpos.CheckText(path, src); err != nil {
		return nil, err
	}
	if _, diags := hclparse.NewParser().ParseHCL(src, path); diags.HasErrors() {
		return nil, hclError(diags)
	}
	return hclwrite.Format(src), nil
}
