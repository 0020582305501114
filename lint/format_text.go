package lint

import (
	"fmt"
	"io"
	"strings"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
)

// writeText writes one block per finding:
//
//	file:line:col: error PG101: message
//	    CREATE INDEX ...        (the statement's first line)
//	    why: ...
//	    fix: ...
//
// followed by a summary line.
func writeText(w io.Writer, rep *Report, opts FormatOptions) error {
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + ansiReset
	}
	var b strings.Builder
	for _, f := range rep.Findings {
		sev := paint(ansiYellow, "warning")
		if f.Severity == Error {
			sev = paint(ansiRed+ansiBold, "error")
		}
		fmt.Fprintf(&b, "%s: %s %s: %s\n", paint(ansiBold, f.Pos.String()), sev, paint(ansiBold, f.Code), f.Message)
		if f.Stmt != "" {
			fmt.Fprintf(&b, "    %s\n", paint(ansiDim, f.Stmt))
		}
		if f.Why != "" {
			fmt.Fprintf(&b, "    why: %s\n", f.Why)
		}
		if f.Fix != "" {
			fmt.Fprintf(&b, "    fix: %s\n", f.Fix)
		}
	}
	errs, warns := rep.Summary()
	if len(rep.Findings) > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s, %s in %s\n", plural(errs, "error"), plural(warns, "warning"), plural(len(rep.Files), "linted file"))
	if rep.Incomplete != "" {
		fmt.Fprintf(&b, "not analyzed: %s and later files (a statement failed on the dev database)\n", rep.Incomplete)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
