package lint

import (
	"fmt"
	"io"
	"strings"
)

// writeGitHub writes GitHub Actions workflow commands, one per finding:
//
//	::error file=F,line=L,col=C,title=PG101 title::message%0Awhy ...%0Afix ...
//
// Property values and the message are escaped as the Actions toolkit does.
func writeGitHub(w io.Writer, rep *Report) error {
	var b strings.Builder
	for _, f := range rep.Findings {
		cmd := "warning"
		if f.Severity == Error {
			cmd = "error"
		}
		msg := f.Message
		if f.Stmt != "" {
			msg += "\n" + f.Stmt
		}
		if f.Why != "" {
			msg += "\nwhy: " + f.Why
		}
		if f.Fix != "" {
			msg += "\nfix: " + f.Fix
		}
		t := f.Code
		if s := title(f.Code); s != "" {
			t += " " + s
		}
		fmt.Fprintf(&b, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", cmd,
			ghProperty(f.Pos.File), f.Pos.Line, f.Pos.Col, ghProperty(t), ghData(msg))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
