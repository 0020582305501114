package atlashcl

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/zclconf/go-cty/cty"

	"github.com/schemactl/schemactl/internal/pgurl"
)

// defaultDataTimeout bounds a data source's query or program;
// SCHEMACTL_DATA_TIMEOUT (a Go duration, e.g. 30s) changes it.
const defaultDataTimeout = 2 * time.Minute

// dataTimeout is the time a data source may take.
func (ev *strictEval) dataTimeout() (time.Duration, error) {
	s, ok := ev.lookup("SCHEMACTL_DATA_TIMEOUT")
	if !ok || s == "" {
		return defaultDataTimeout, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("SCHEMACTL_DATA_TIMEOUT=%q: want a positive duration such as 30s", s)
	}
	return d, nil
}

// evalSQLData runs a data "sql" block: the query's first column, one
// value a row, as Atlas exposes it:
//
//	data "sql" "tenants" {
//	  url   = var.url
//	  query = "SELECT schema_name FROM tenants WHERE active = $1"
//	  args  = [true]
//	}
//
// data.sql.tenants.values is the list of values, .value the first one
// (null without rows) and .count the number of rows.
func evalSQLData(ev *strictEval, b *hclsyntax.Block) (cty.Value, error) {
	u, err := ev.attrStr(b, "url", true)
	if err != nil {
		return cty.NilVal, err
	}
	query, err := ev.attrStr(b, "query", true)
	if err != nil {
		return cty.NilVal, err
	}
	var args []any
	if a, ok := b.Body.Attributes["args"]; ok {
		v, err := ev.value(a.Expr)
		if err != nil {
			return cty.NilVal, err
		}
		if !v.CanIterateElements() || v.Type().IsMapType() || v.Type().IsObjectType() {
			return cty.NilVal, ev.errAt(a.Expr.Range(), "data.sql: args must be a list, got "+v.Type().FriendlyName())
		}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			switch {
			case e.IsNull():
				args = append(args, nil)
			case e.Type() == cty.String:
				args = append(args, e.AsString())
			case e.Type() == cty.Bool:
				args = append(args, e.True())
			case e.Type() == cty.Number:
				if i, acc := e.AsBigFloat().Int64(); acc == big.Exact {
					args = append(args, i)
				} else {
					f, _ := e.AsBigFloat().Float64()
					args = append(args, f)
				}
			default:
				return cty.NilVal, ev.errAt(a.Expr.Range(), "data.sql: an argument must be a string, a number or a bool, got "+e.Type().FriendlyName())
			}
		}
	}
	timeout, err := ev.dataTimeout()
	if err != nil {
		return cty.NilVal, ev.blockErr(b, "%v", err)
	}
	ctx, cancel := context.WithTimeout(ev.refs.ctx, timeout)
	defer cancel()
	values, err := queryValues(ctx, u, query, args)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("the query did not finish within %s (SCHEMACTL_DATA_TIMEOUT): %w", timeout, err)
		}
		return cty.NilVal, ev.blockErr(b, "%v", pgurl.RedactError(err, pgurl.Password(u)))
	}
	obj := map[string]cty.Value{
		"count":  cty.NumberIntVal(int64(len(values))),
		"values": cty.ListValEmpty(cty.DynamicPseudoType),
		"value":  cty.NullVal(cty.DynamicPseudoType),
	}
	if len(values) > 0 {
		obj["value"], obj["values"] = values[0], cty.ListVal(values)
	}
	return cty.ObjectVal(obj), nil
}

// queryValues runs query on the database at u and returns the first
// column of its rows. Values of different types (a UNION of text and
// numbers) are all given as strings.
func queryValues(ctx context.Context, u, query string, args []any) ([]cty.Value, error) {
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", pgurl.Redact(u), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	var values []cty.Value
	for rows.Next() {
		raw, err := rows.Values()
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", len(values)+1, err)
		}
		if len(raw) == 0 {
			return nil, fmt.Errorf("the query returns no column")
		}
		v, err := ctyOf(raw[0])
		if err != nil {
			return nil, fmt.Errorf("row %d, column %s: %w", len(values)+1, rows.FieldDescriptions()[0].Name, err)
		}
		values = append(values, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	for _, v := range values {
		if !v.Type().Equals(values[0].Type()) {
			for i, w := range values {
				values[i] = cty.StringVal(stringOf(w))
			}
			break
		}
	}
	return values, nil
}

// ctyOf converts a value pgx read.
func ctyOf(v any) (cty.Value, error) {
	switch v := v.(type) {
	case nil:
		return cty.NilVal, fmt.Errorf("the value is NULL (filter NULLs out in the query)")
	case bool:
		return cty.BoolVal(v), nil
	case string:
		return cty.StringVal(v), nil
	case []byte:
		return cty.StringVal(string(v)), nil
	case int16:
		return cty.NumberIntVal(int64(v)), nil
	case int32:
		return cty.NumberIntVal(int64(v)), nil
	case int64:
		return cty.NumberIntVal(v), nil
	case float32:
		return cty.NumberFloatVal(float64(v)), nil
	case float64:
		return cty.NumberFloatVal(v), nil
	case pgtype.Numeric:
		f, err := v.Float64Value()
		if err != nil || !f.Valid {
			return cty.NilVal, fmt.Errorf("numeric value out of range")
		}
		return cty.NumberFloatVal(f.Float64), nil
	case time.Time:
		return cty.StringVal(v.Format(time.RFC3339Nano)), nil
	}
	return cty.NilVal, fmt.Errorf("values of Go type %T are not supported: cast the column to text in the query", v)
}

// stringOf is a number, bool or string value as text.
func stringOf(v cty.Value) string {
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Bool:
		return fmt.Sprint(v.True())
	}
	return v.AsBigFloat().Text('f', -1)
}
