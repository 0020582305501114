package devdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"
)

// DockerImage is what a docker:// dev URL names.
type DockerImage struct {
	Repository string // e.g. "postgres"
	Tag        string // e.g. "15"
	Database   string // database the server is created with ("postgres" unless named)
}

// ParseDockerURL reads docker://postgres/15 (Atlas's form, optionally with a
// database name: docker://postgres/15/dev) and docker://IMAGE:TAG.
func ParseDockerURL(raw string) (DockerImage, error) {
	rest, ok := strings.CutPrefix(raw, "docker://")
	if !ok || rest == "" {
		return DockerImage{}, fmt.Errorf("invalid docker dev URL %q: want docker://postgres/15 or docker://IMAGE:TAG", raw)
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	img := DockerImage{Database: "postgres"}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if last := parts[len(parts)-1]; strings.Contains(last, ":") {
		i := strings.LastIndexByte(rest, ':')
		img.Repository, img.Tag = rest[:i], rest[i+1:]
		return img, nil
	}
	switch len(parts) {
	case 1:
		img.Repository, img.Tag = parts[0], "latest"
	case 2:
		img.Repository, img.Tag = parts[0], parts[1]
	case 3:
		img.Repository, img.Tag, img.Database = parts[0], parts[1], parts[2]
	default:
		return DockerImage{}, fmt.Errorf("invalid docker dev URL %q: want docker://postgres/15 or docker://IMAGE:TAG", raw)
	}
	return img, nil
}

// Docker is a PostgreSQL container started for the duration of a command;
// databases are scratch databases on it, as in remote mode.
type Docker struct {
	*Remote
	pool     *dockertest.Pool
	resource *dockertest.Resource
	image    DockerImage
}

// String describes the container.
func (d *Docker) String() string {
	return fmt.Sprintf("docker %s:%s", d.image.Repository, d.image.Tag)
}

// OpenDocker starts a container of the image a docker:// URL names (the
// image must exist locally or be pullable) and waits until it accepts
// connections. Close removes the container.
func OpenDocker(ctx context.Context, raw string) (*Docker, error) {
	img, err := ParseDockerURL(raw)
	if err != nil {
		return nil, err
	}
	pool, err := dockertest.NewPool("")
	if err == nil {
		err = pool.Client.PingWithContext(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("no Docker engine answers (%v); start one, or drop --dev-url to use the embedded local dev database", oneLine(err))
	}
	var pw [12]byte
	_, _ = rand.Read(pw[:])
	password := hex.EncodeToString(pw[:])
	res, err := pool.RunWithOptions(&dockertest.RunOptions{
		Repository: img.Repository,
		Tag:        img.Tag,
		Env:        []string{"POSTGRES_PASSWORD=" + password, "POSTGRES_DB=" + img.Database, "POSTGRES_HOST_AUTH_METHOD=scram-sha-256"},
		Labels:     map[string]string{"schemactl": "dev"},
	}, func(hc *docker.HostConfig) {
		hc.AutoRemove = true
		hc.RestartPolicy = docker.RestartPolicy{Name: "no"}
	})
	if err != nil {
		return nil, fmt.Errorf("start container %s:%s: %v", img.Repository, img.Tag, oneLine(err))
	}
	_ = res.Expire(3600) // a container orphaned by a killed process ends within the hour
	d := &Docker{pool: pool, resource: res, image: img}
	u := &url.URL{Scheme: "postgres", User: url.UserPassword("postgres", password), Host: res.GetHostPort("5432/tcp"), Path: "/" + img.Database, RawQuery: "sslmode=disable"}
	pool.MaxWait = 60 * time.Second
	var lastErr error
	deadline := time.Now().Add(pool.MaxWait)
	for time.Now().Before(deadline) {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		d.Remote, lastErr = OpenRemote(cctx, u.String())
		cancel()
		if lastErr == nil {
			return d, nil
		}
		if ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = pool.Purge(res)
	if lastErr == nil {
		lastErr = ctx.Err()
	}
	return nil, fmt.Errorf("container %s:%s did not accept connections: %w", img.Repository, img.Tag, lastErr)
}

// Close drops the scratch databases and removes the container.
func (d *Docker) Close() error {
	var errs []error
	if d.Remote != nil {
		errs = append(errs, d.Remote.Close())
	}
	if d.resource != nil {
		errs = append(errs, d.pool.Purge(d.resource))
		d.resource = nil
	}
	return errors.Join(errs...)
}

func oneLine(err error) string {
	s := strings.TrimSpace(err.Error())
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
