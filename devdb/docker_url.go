package devdb

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// DockerImage is what a docker:// dev URL names.
type DockerImage struct {
	Repository string // e.g. "postgres" or "registry.example:5000/team/pg"
	Tag        string // e.g. "15"
	Database   string // database the server is created with ("postgres" unless named)
	// Query is the URL's query string without the '?', e.g.
	// "search_path=public". It is kept on the URLs of the databases handed
	// out, so that connection parameters apply to them.
	Query string
}

// Ref is the image reference, REPOSITORY:TAG.
func (i DockerImage) Ref() string { return i.Repository + ":" + i.Tag }

var (
	// One component of a repository path, as Docker names them.
	repoComponent = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
	// An optional registry host (with a dot, a port or "localhost"), then
	// one or more path components.
	repoPattern = regexp.MustCompile(`^(?:(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+(?::[0-9]+)?|localhost(?::[0-9]+)?|[a-zA-Z0-9-]+:[0-9]+)/)?` +
		repoComponent + `(?:/` + repoComponent + `)*$`)
	tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
)

const dockerURLForms = "want docker://postgres/15, docker://postgres/15/DATABASE or docker://IMAGE:TAG"

// ParseDockerURL reads a docker:// dev URL in one of two forms:
//
//	docker://IMAGE[/TAG[/DATABASE]]  Atlas's form for an image with a one-part
//	                                 name: docker://postgres/15/dev (tag
//	                                 "latest" when omitted)
//	docker://IMAGE:TAG               any image reference with an explicit tag:
//	                                 docker://registry.example:5000/team/pg:15
//
// A query string (docker://postgres/15/dev?search_path=public) is kept in
// DockerImage.Query.
func ParseDockerURL(raw string) (DockerImage, error) {
	bad := func(why string) (DockerImage, error) {
		return DockerImage{}, fmt.Errorf("invalid docker dev URL %q: %s (%s)", raw, why, dockerURLForms)
	}
	rest, ok := strings.CutPrefix(raw, "docker://")
	if !ok {
		return bad("it does not start with docker://")
	}
	rest, query, _ := strings.Cut(rest, "?")
	if _, err := url.ParseQuery(query); err != nil {
		return bad("bad query string: " + err.Error())
	}
	rest = strings.TrimSuffix(rest, "/")
	if rest == "" {
		return bad("no image named")
	}
	segs := strings.Split(rest, "/")
	for _, s := range segs {
		if s == "" {
			return bad("empty path element")
		}
	}
	img := DockerImage{Database: "postgres", Query: query}
	last := segs[len(segs)-1]
	switch {
	case strings.Contains(last, ":"):
		// IMAGE:TAG; the tag follows the last colon, since a registry
		// host may carry a port.
		i := strings.LastIndexByte(rest, ':')
		img.Repository, img.Tag = rest[:i], rest[i+1:]
	case strings.Contains(rest, ":"):
		return bad("an image reference needs its tag after the last path element (IMAGE:TAG), and takes no database name")
	case len(segs) == 1:
		img.Repository, img.Tag = segs[0], "latest"
	case len(segs) == 2:
		img.Repository, img.Tag = segs[0], segs[1]
	case len(segs) == 3:
		img.Repository, img.Tag = segs[0], segs[1]
		db, err := url.PathUnescape(segs[2])
		if err != nil || db == "" {
			return bad("bad database name")
		}
		img.Database = db
	default:
		return bad("too many path elements; name an image with a path as IMAGE:TAG")
	}
	if !repoPattern.MatchString(img.Repository) {
		return bad(fmt.Sprintf("bad image name %q", img.Repository))
	}
	if !tagPattern.MatchString(img.Tag) {
		return bad(fmt.Sprintf("bad image tag %q", img.Tag))
	}
	if len(img.Database) > 63 {
		return bad("database name longer than 63 bytes")
	}
	return img, nil
}
