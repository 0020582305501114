package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/internal/pgurl"
	"github.com/schemactl/schemactl/internal/srcpos"
	"github.com/schemactl/schemactl/migrations"
)

// errorJSON is the error object that a command run with --format json
// prints on stdout when it fails: {"error": {...}}. Position fields are
// set when the error is at a place of a SQL or HCL file; sqlstate when
// PostgreSQL raised it.
type errorJSON struct {
	// Message is the error as printed on stderr (one line, no password).
	Message string `json:"message"`
	// File, Line and Col are the error's position (line and column
	// counted from 1).
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
	// SQLState is PostgreSQL's error code.
	SQLState string `json:"sqlstate,omitempty"`
}

// jsonReported marks an error that the command's JSON output on stdout
// already carries (as the "error" member of its report): run prints it on
// stderr only.
type jsonReported struct{ err error }

func (e jsonReported) Error() string { return e.err.Error() }
func (e jsonReported) Unwrap() error { return e.err }

var (
	// rePos finds the first file:line:col: of a message.
	rePos = regexp.MustCompile(`(?:^|\s)([^\s:]+):(\d+):(\d+):`)
	// reSQLState finds the SQLSTATE of a message.
	reSQLState = regexp.MustCompile(`\(SQLSTATE ([0-9A-Z]{5})\)`)
)

// newErrorJSON describes err for JSON output.
func newErrorJSON(err error) *errorJSON {
	msg := oneLine(pgurl.Redact(err.Error()))
	e := &errorJSON{Message: msg}
	var se *srcpos.Error
	var ae *migrations.StmtError
	var ee *migrations.ExecError
	var te *migrations.TxBlockError
	switch {
	case errors.As(err, &se):
		e.File, e.Line, e.Col = se.File, se.Line, se.Col
	case errors.As(err, &ae):
		e.File, e.Line, e.Col = ae.Pos.File, ae.Pos.Line, ae.Pos.Col
	case errors.As(err, &ee):
		e.File, e.Line, e.Col = ee.Pos.File, ee.Pos.Line, ee.Pos.Col
	case errors.As(err, &te):
		e.File, e.Line, e.Col = te.Pos.File, te.Pos.Line, te.Pos.Col
	default:
		if m := rePos.FindStringSubmatch(msg); m != nil {
			e.File = m[1]
			e.Line, _ = strconv.Atoi(m[2])
			e.Col, _ = strconv.Atoi(m[3])
		}
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		e.SQLState = pg.Code
	} else if m := reSQLState.FindStringSubmatch(msg); m != nil {
		e.SQLState = m[1]
	}
	return e
}

// writeErrorJSON prints {"error": {...}} for err on w.
func writeErrorJSON(w io.Writer, err error) {
	b, merr := json.MarshalIndent(struct {
		Error *errorJSON `json:"error"`
	}{newErrorJSON(err)}, "", "  ")
	if merr != nil {
		return
	}
	fmt.Fprintln(w, string(b))
}

// wantsJSON reports whether the command line runs a command that has a
// --format flag with --format json (args as flagsFirst returns them, for
// the command leaf).
func wantsJSON(leaf *cli.Command, args []string) bool {
	if leaf == nil {
		return false
	}
	has := false
	for _, f := range leaf.Flags {
		for _, n := range f.Names() {
			has = has || n == "format"
		}
	}
	if !has {
		return false
	}
	json := false
	for i, a := range args {
		switch a {
		case "--":
			return json
		case "--format", "-format":
			json = i+1 < len(args) && args[i+1] == "json"
		case "--format=json", "-format=json":
			json = true
		default:
			if len(a) > 8 && (a[:9] == "--format=" || a[:8] == "-format=") {
				json = false
			}
		}
	}
	return json
}
