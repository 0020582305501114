package lint

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/atlashcl"
	"github.com/schemactl/schemactl/migrations"
)

// Selection says which files of a directory are linted. The zero value
// lints every file.
type Selection struct {
	// Latest lints the last N files.
	Latest int
	// GitBase lints the files added or changed since the merge base of
	// HEAD and this git ref, committed or not (untracked files count as
	// added).
	GitBase string
}

// Select returns the names of the files to lint (nil for all). dirPath
// is the directory on disk, for git.
func Select(ctx context.Context, dirPath string, files []*migrations.File, sel Selection) (map[string]bool, error) {
	switch {
	case sel.Latest > 0 && sel.GitBase != "":
		return nil, fmt.Errorf("choose either the latest N files or the files changed since a git ref, not both")
	case sel.Latest > 0:
		out := map[string]bool{}
		for _, f := range files[max(0, len(files)-sel.Latest):] {
			out[f.Name] = true
		}
		return out, nil
	case sel.GitBase != "":
		return gitChanged(ctx, dirPath, files, sel.GitBase)
	}
	return nil, nil
}

// gitChanged lists the files of the directory that differ from the merge
// base of HEAD and ref.
func gitChanged(ctx context.Context, dirPath string, files []*migrations.File, ref string) (map[string]bool, error) {
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dirPath}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return string(out), nil
	}
	base, err := git("merge-base", ref, "HEAD")
	if err != nil {
		return nil, err
	}
	changed, err := git("diff", "--name-only", "--relative", "--diff-filter=ACMR", strings.TrimSpace(base), "--", ".")
	if err != nil {
		return nil, err
	}
	untracked, err := git("ls-files", "--others", "--exclude-standard", "--", ".")
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, n := range strings.Fields(changed + "\n" + untracked) {
		names[n] = true
	}
	out := map[string]bool{}
	for _, f := range files {
		if names[f.Name] {
			out[f.Name] = true
		}
	}
	return out, nil
}

// LintDir opens the migration directory at dirPath (checked against its
// atlas.sum), selects the files to lint, and lints them on a fresh
// database of the dev provider, which it drops afterwards. It is the entry
// point for commands that lint a project's directory (`migrate lint`,
// `check`).
func LintDir(ctx context.Context, dev devdb.Provider, dirPath string, sel Selection, opts Options) (*Report, error) {
	d, err := migrations.Open(dirPath)
	if err != nil {
		return nil, err
	}
	if opts.Linted == nil {
		if opts.Linted, err = Select(ctx, dirPath, d.Files, sel); err != nil {
			return nil, err
		}
	}
	if opts.Dev == nil {
		opts.Dev = dev
	}
	var rep *Report
	err = devdb.WithDatabase(ctx, dev, func(db *devdb.Database) error {
		var err error
		rep, err = Run(ctx, db.URL, d.Files, opts)
		return err
	})
	return rep, err
}

// ConfigFromHCL turns the lint blocks of atlas.hcl into a Config: an
// analyzer or check block with `error = true` makes its findings errors,
// `error = false` warnings.
func ConfigFromHCL(l *atlashcl.Lint) *Config {
	c := &Config{Severity: map[string]Severity{}}
	if l == nil {
		return c
	}
	for k, isErr := range l.Error {
		if isErr {
			c.Severity[k] = Error
		} else {
			c.Severity[k] = Warning
		}
	}
	return c
}
