package migrations

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"
)

// Transaction modes of apply (--tx-mode) and of the `-- atlas:txmode`
// file directive.
const (
	TxModeFile = "file" // each file in its own transaction (the default)
	TxModeAll  = "all"  // all pending files in one transaction
	TxModeNone = "none" // no transaction: each statement commits by itself
)

// ApplyFile is one migration file as apply runs it.
type ApplyFile struct {
	// Path names the file in messages, e.g. migrations/1_init.sql.
	Path string
	// Name is the base name, VERSION[_DESCRIPTION].sql.
	Name string
	// Version and Description are the parts of Name before and after the
	// first underscore, as Atlas splits them.
	Version     string
	Description string
	// Hash is the file's entry in atlas.sum, without the "h1:" prefix.
	Hash string
	// Stmts are the file's statements in order.
	Stmts []Stmt
	// TxMode is the file's own transaction mode from its `-- atlas:txmode`
	// directive: "" (follow --tx-mode), TxModeNone or TxModeFile.
	TxMode string

	// hashTexts are the statement texts as Atlas hashes them for
	// partial_hashes: with the terminating semicolon.
	hashTexts []string
}

// NewApplyFile prepares a file for apply: path names it in messages, src
// is its content and hash its atlas.sum entry. The statements come from
// Scan; an `-- atlas:txmode` directive in the comments before the first
// statement sets the file's transaction mode, with or without the blank
// line after it that Atlas requires (directory histories written for other
// tools put it right above the first statement). psql meta-commands other
// than pg_dump's \restrict and \unrestrict lines are refused: they are
// not SQL and would be skipped silently.
func NewApplyFile(path string, src []byte, hash string) (*ApplyFile, error) {
	script, err := Scan(path, src, SplitOptions{})
	if err != nil {
		return nil, err
	}
	for _, m := range script.Meta {
		if m.Name != "restrict" && m.Name != "unrestrict" {
			return nil, fmt.Errorf("%s: psql meta-command %s is not SQL and cannot run in a migration", m.Pos, m.Text)
		}
	}
	var txMode string
	var seen *Directive
	for _, d := range script.Leading {
		if d.Name != "txmode" {
			continue
		}
		if seen != nil {
			return nil, fmt.Errorf("%s: second txmode directive (the first is at line %d)", d.Pos, seen.Pos.Line)
		}
		d := d
		seen, txMode = &d, d.Args
		switch txMode {
		case TxModeNone, TxModeFile:
		case TxModeAll:
			return nil, fmt.Errorf("%s: txmode %q is not allowed in a file directive; use %q", d.Pos, TxModeAll, TxModeFile)
		default:
			return nil, fmt.Errorf("%s: unknown txmode %q (want %q or %q)", d.Pos, txMode, TxModeNone, TxModeFile)
		}
	}
	name := filepath.Base(path)
	version, desc, _ := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
	f := &ApplyFile{
		Path:        path,
		Name:        name,
		Version:     version,
		Description: desc,
		Hash:        strings.TrimPrefix(hash, "h1:"),
		Stmts:       script.Stmts,
		TxMode:      txMode,
		hashTexts:   make([]string, len(script.Stmts)),
	}
	for i, st := range script.Stmts {
		f.hashTexts[i] = atlasStmtText(src, st, script.Delimiter != DefaultDelimiter)
	}
	return f, nil
}

// atlasStmtText returns a statement's text the way Atlas's scanner yields
// it: from its first character through its terminating semicolon, or the
// statement alone when the file ends without one. With a custom delimiter
// Atlas strips the delimiter, which leaves the statement alone too.
func atlasStmtText(src []byte, st Stmt, customDelim bool) string {
	if customDelim || st.End > len(src) {
		return st.Text
	}
	i := st.End
	for i < len(src) && isSpace(src[i]) {
		i++
	}
	if i < len(src) && src[i] == ';' {
		return string(src[st.Start : i+1])
	}
	return st.Text
}

// partialHashes returns, for each statement i, the running hash Atlas
// stores in partial_hashes once statement i has been applied: base64 of
// the SHA-256 of the texts of statements 0..i, without the "h1:" prefix.
func (f *ApplyFile) partialHashes() []string {
	h := sha256.New()
	sums := make([]string, len(f.hashTexts))
	for i, t := range f.hashTexts {
		h.Write([]byte(t))
		sums[i] = base64.StdEncoding.EncodeToString(h.Sum(nil))
	}
	return sums
}

// hashText is statement i's text as stored in error_stmt: Atlas's form,
// with its semicolon.
func (f *ApplyFile) hashText(i int) string {
	if i < 0 || i >= len(f.hashTexts) {
		return ""
	}
	return f.hashTexts[i]
}
