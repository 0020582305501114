package lint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

// gitlabIssue is one entry of a GitLab code quality report.
type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

// writeGitLab writes a GitLab code quality report (a JSON array of
// issues). Errors are "major", warnings "minor". The fingerprint hashes
// the code, file, statement and message, not the line, so an issue keeps
// its identity when lines above it move.
func writeGitLab(w io.Writer, rep *Report) error {
	issues := []gitlabIssue{}
	seen := map[string]int{}
	for _, f := range rep.Findings {
		sev := "minor"
		if f.Severity == Error {
			sev = "major"
		}
		h := sha256.Sum256([]byte(f.Code + "\x00" + f.Pos.File + "\x00" + f.Stmt + "\x00" + f.Message))
		fp := hex.EncodeToString(h[:16])
		// Identical findings in one file get distinct fingerprints.
		if n := seen[fp]; n > 0 {
			h = sha256.Sum256([]byte(fmt.Sprintf("%s#%d", fp, n)))
			seen[fp] = n + 1
			fp = hex.EncodeToString(h[:16])
		} else {
			seen[fp] = 1
		}
		issues = append(issues, gitlabIssue{
			Description: f.Code + ": " + f.Message,
			CheckName:   f.Code,
			Fingerprint: fp,
			Severity:    sev,
			Location:    gitlabLocation{Path: f.Pos.File, Lines: gitlabLines{Begin: f.Pos.Line}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(issues)
}
