package migrations

import (
	"crypto/sha256"
	"encoding/base64"
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
	// Privileged is set for a file marked `-- schemactl:privileged`: it
	// runs on ApplyOptions.Privileged.
	Privileged bool

	misplacedPrivileged *Pos // a privileged directive above a later statement

	// hashTexts are the statement texts as Atlas hashes them for
	// partial_hashes: with the terminating semicolon.
	hashTexts []string
}

// NewApplyFile prepares a parsed migration file for apply; hash is its
// atlas.sum entry ("" for a file Atlas leaves out of atlas.sum).
func NewApplyFile(f *File, hash string) *ApplyFile {
	af := &ApplyFile{
		Path:        f.Path,
		Name:        f.Name,
		Version:     f.Version,
		Description: f.Desc,
		Hash:        strings.TrimPrefix(hash, "h1:"),
		Stmts:       f.Stmts,
		hashTexts:   make([]string, len(f.Stmts)),
	}
	// Only an explicit directive overrides --tx-mode.
	if ds := f.Directive("atlas", "txmode"); len(ds) > 0 {
		af.TxMode = ds[0].Args
	}
	af.Privileged, af.misplacedPrivileged = privilegedOf(f)
	for i, st := range f.Stmts {
		af.hashTexts[i] = atlasStmtText(f.Bytes, st, f.Delimiter != DefaultDelimiter)
	}
	return af
}

// ApplyFiles prepares the files of a directory read by Open for apply.
func ApplyFiles(d *Dir) []*ApplyFile {
	out := make([]*ApplyFile, len(d.Files))
	for i, f := range d.Files {
		hash, _ := d.Sum.SumByName(f.Name) // absent only for an atlas:sum ignore file
		out[i] = NewApplyFile(f, hash)
	}
	return out
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
