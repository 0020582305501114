package atlashcl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/schemactl/schemactl/internal/pgurl"
)

// maxStderr is how much of a failed program's stderr an error quotes
// (its end, where the cause usually is).
const maxStderr = 4000

// evalExternalSchema runs a data "external_schema" block's program: what
// it prints on stdout is SQL, a desired state.
//
//	data "external_schema" "orm" {
//	  program     = ["python3", "load_models.py"]
//	  working_dir = "models"          # optional: where it runs
//	}
//	env "dev" {
//	  src = data.external_schema.orm.url
//	}
//
// A program that fails (its exit status and stderr are reported), prints
// nothing or runs past SCHEMACTL_DATA_TIMEOUT is an error naming it; an
// error in its SQL is reported at the line and column of its output,
// named after the data source and the program.
func evalExternalSchema(ev *strictEval, b *hclsyntax.Block) (cty.Value, error) {
	a, ok := b.Body.Attributes["program"]
	if !ok {
		return cty.NilVal, ev.blockErr(b, `attribute "program" is required: program = ["python3", "load_models.py"]`)
	}
	program, err := ev.strs(a)
	if err != nil {
		return cty.NilVal, err
	}
	if len(program) == 0 || program[0] == "" {
		return cty.NilVal, ev.errAt(a.Expr.Range(), "data.external_schema: program is empty; give the command and its arguments")
	}
	dir, err := ev.attrStr(b, "working_dir", false)
	if err != nil {
		return cty.NilVal, err
	}
	name := programName(program)
	var secrets []string
	for _, p := range program {
		if pw := pgurl.Password(p); pw != "" {
			secrets = append(secrets, pw)
		}
	}
	timeout, err := ev.dataTimeout()
	if err != nil {
		return cty.NilVal, ev.blockErr(b, "%v", err)
	}
	ctx, cancel := context.WithTimeout(ev.refs.ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, program[0], program[1:]...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return cty.NilVal, pgurl.RedactError(ev.programError(ctx, b, name, timeout, err, &stderr), secrets...)
	}
	if len(bytes.TrimSpace(stdout.Bytes())) == 0 {
		return cty.NilVal, pgurl.RedactError(ev.blockErr(b, "program %s printed no SQL on stdout%s", name, stderrTail(&stderr)), secrets...)
	}
	st := &State{Parts: []StatePart{{Name: fmt.Sprintf("data.external_schema.%s (%s)", b.Labels[1], name), Bytes: stdout.Bytes()}}}
	return ev.stateURL(b, st), nil
}

// programError reports a program that failed, ran too long or could not
// start.
func (ev *strictEval) programError(ctx context.Context, b *hclsyntax.Block, name string, timeout time.Duration, err error, stderr *bytes.Buffer) error {
	var exit *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return ev.blockErr(b, "program %s did not finish within %s (SCHEMACTL_DATA_TIMEOUT) and was stopped%s", name, timeout, stderrTail(stderr))
	case errors.As(err, &exit):
		return ev.blockErr(b, "program %s failed with exit status %d%s", name, exit.ExitCode(), stderrTail(stderr))
	}
	return ev.blockErr(b, "program %s could not run: %v", name, err)
}

// programName is a program and its arguments for messages, passwords of
// URLs among them masked.
func programName(program []string) string {
	parts := make([]string, len(program))
	for i, p := range program {
		parts[i] = pgurl.Redact(p)
	}
	return strings.Join(parts, " ")
}

// stderrTail is the end of a program's stderr, for an error.
func stderrTail(b *bytes.Buffer) string {
	s := strings.TrimSpace(b.String())
	if s == "" {
		return ""
	}
	if len(s) > maxStderr {
		s = "..." + s[len(s)-maxStderr:]
	}
	return "; its stderr:\n" + s
}
