package devdb

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"

	"github.com/schemactl/schemactl/internal/pgurl"
)

const (
	dockerPingTimeout   = 10 * time.Second
	dockerPullTimeout   = 5 * time.Minute
	dockerStartTimeout  = 60 * time.Second
	dockerRemoveTimeout = 30 * time.Second
	// dockerLifetime bounds how long a container outlives a process that
	// was killed before it could remove it; see sweepOrphans.
	dockerLifetime = 24 * time.Hour
	pgPort         = docker.Port("5432/tcp")
)

// Docker is a PostgreSQL container started for the duration of a command;
// databases are scratch databases on it, as in remote mode.
type Docker struct {
	*Remote
	client   *docker.Client
	image    DockerImage
	password string

	mu sync.Mutex
	id string // container ID; "" once removed
}

// String describes the container.
func (d *Docker) String() string { return "docker " + d.image.Ref() }

// dockerRun is how a container is started.
type dockerRun struct {
	password string            // superuser password (POSTGRES_PASSWORD)
	args     []string          // server arguments after "postgres"
	labels   map[string]string // extra container labels
}

// OpenDocker starts a container of the image a docker:// URL names and waits
// until it accepts connections. The image must exist locally or be
// pullable. The server runs without fsync: its data is thrown away. Close
// removes the container; a container left behind by a killed process is
// removed by a later OpenDocker on the same machine.
func OpenDocker(ctx context.Context, raw string) (*Docker, error) {
	img, err := ParseDockerURL(raw)
	if err != nil {
		return nil, err
	}
	var pw [16]byte
	if _, err := rand.Read(pw[:]); err != nil {
		return nil, fmt.Errorf("generate password: %w", err)
	}
	return openDocker(ctx, img, dockerRun{
		password: hex.EncodeToString(pw[:]),
		args:     []string{"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"},
	})
}

// dockerClient connects to the engine that DOCKER_HOST names, or the local
// default socket, and checks that it answers.
func dockerClient(ctx context.Context) (*docker.Client, error) {
	pool, err := dockertest.NewPool("")
	endpoint := os.Getenv("DOCKER_HOST")
	if err == nil {
		endpoint = pool.Client.Endpoint()
		pctx, cancel := context.WithTimeout(ctx, dockerPingTimeout)
		err = pool.Client.PingWithContext(pctx)
		cancel()
	}
	if err != nil {
		return nil, fmt.Errorf("no Docker engine answers at %s (%s); start one, or leave --dev-url empty to use the local default, an embedded PostgreSQL dev database", endpoint, oneLine(err))
	}
	return pool.Client, nil
}

func openDocker(ctx context.Context, img DockerImage, run dockerRun) (*Docker, error) {
	client, err := dockerClient(ctx)
	if err != nil {
		return nil, err
	}
	sweepOrphans(ctx, client)
	pgdata, err := ensureImage(ctx, client, img)
	if err != nil {
		return nil, err
	}
	bindIP, host := publishAddress(client.Endpoint())
	labels := map[string]string{
		labelOwner:   ownerLabel(),
		labelExpires: strconv.FormatInt(time.Now().Add(dockerLifetime).Unix(), 10),
	}
	for k, v := range run.labels {
		labels[k] = v
	}
	c, err := client.CreateContainer(docker.CreateContainerOptions{
		Context: ctx,
		Config: &docker.Config{
			Image: img.Ref(),
			Env: []string{
				"POSTGRES_PASSWORD=" + run.password,
				"POSTGRES_USER=postgres",
				"POSTGRES_DB=" + img.Database,
				"POSTGRES_HOST_AUTH_METHOD=scram-sha-256",
			},
			Cmd:          append([]string{"postgres"}, run.args...),
			Labels:       labels,
			ExposedPorts: map[docker.Port]struct{}{pgPort: {}},
		},
		HostConfig: &docker.HostConfig{
			PortBindings:  map[docker.Port][]docker.PortBinding{pgPort: {{HostIP: bindIP}}},
			RestartPolicy: docker.RestartPolicy{Name: "no"},
			// Data in memory: CREATE DATABASE is ten times faster than on
			// the engine's disk. Owned by uid 999, the postgres user of
			// the official Debian-based images and of build-pg-image.sh's;
			// entrypoints that start as root chown it for other uids.
			Tmpfs: map[string]string{pgdata: "uid=999,gid=999,mode=0700"},
		},
	})
	if err != nil {
		return nil, pgurl.RedactError(fmt.Errorf("create container of %s: %s", img.Ref(), oneLine(err)), run.password)
	}
	d := &Docker{client: client, image: img, password: run.password, id: c.ID}
	if err := d.start(ctx, host); err != nil {
		_ = d.remove()
		return nil, pgurl.RedactError(err, run.password)
	}
	return d, nil
}

// start starts the created container and waits until its server accepts
// connections.
func (d *Docker) start(ctx context.Context, host string) error {
	ref := d.image.Ref()
	if err := d.client.StartContainerWithContext(d.id, nil, ctx); err != nil {
		return fmt.Errorf("start container of %s: %s", ref, oneLine(err))
	}
	c, err := d.client.InspectContainerWithContext(d.id, ctx)
	if err != nil {
		return fmt.Errorf("inspect container of %s: %s", ref, oneLine(err))
	}
	port := ""
	if c.NetworkSettings != nil {
		for _, b := range c.NetworkSettings.Ports[pgPort] {
			if b.HostPort != "" && !strings.Contains(b.HostIP, ":") {
				port = b.HostPort
				break
			}
		}
	}
	if port == "" {
		return fmt.Errorf("container of %s: port 5432 was not published", ref)
	}
	q, err := url.ParseQuery(d.image.Query)
	if err != nil {
		return fmt.Errorf("docker dev URL query: %w", err)
	}
	if !q.Has("sslmode") {
		q.Set("sslmode", "disable")
	}
	u := &url.URL{Scheme: "postgres", User: url.UserPassword("postgres", d.password),
		Host: net.JoinHostPort(host, port), Path: "/" + d.image.Database, RawQuery: q.Encode()}

	wctx, cancel := context.WithTimeout(ctx, dockerStartTimeout)
	defer cancel()
	for {
		cctx, ccancel := context.WithTimeout(wctx, 5*time.Second)
		r, err := OpenRemote(cctx, u.String())
		ccancel()
		if err == nil {
			d.Remote = r
			return nil
		}
		if !startingUp(err) {
			return fmt.Errorf("container of %s: %w", ref, err)
		}
		if c, ierr := d.client.InspectContainerWithContext(d.id, wctx); ierr == nil && !c.State.Running {
			return fmt.Errorf("container of %s exited with code %d before accepting connections; its last output: %s", ref, c.State.ExitCode, d.lastOutput(ctx))
		}
		select {
		case <-wctx.Done():
			if ctx.Err() != nil {
				return fmt.Errorf("container of %s: %w", ref, ctx.Err())
			}
			return fmt.Errorf("container of %s did not accept connections within %s: %w", ref, dockerStartTimeout, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// startingUp tells whether a connection error may go away once the server
// has started: no answer yet, or PostgreSQL saying it is starting. Errors
// the server gives for good (a bad password, an unknown parameter) do not.
func startingUp(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "57P03" // cannot_connect_now
	}
	return true
}

// lastOutput returns the last lines the container printed, on one line.
func (d *Docker) lastOutput(ctx context.Context) string {
	var buf bytes.Buffer
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := d.client.Logs(docker.LogsOptions{Context: lctx, Container: d.id, OutputStream: &buf,
		ErrorStream: &buf, Stdout: true, Stderr: true, Tail: "5"})
	if err != nil {
		return "(no logs: " + oneLine(err) + ")"
	}
	lines := strings.Fields(strings.ReplaceAll(strings.TrimSpace(buf.String()), "\n", " | "))
	return strings.Join(lines, " ")
}

// ensureImage pulls the image when it is not on the engine's machine, and
// returns the data directory its PGDATA names.
func ensureImage(ctx context.Context, client *docker.Client, img DockerImage) (pgdata string, err error) {
	i, err := client.InspectImage(img.Ref())
	if errors.Is(err, docker.ErrNoSuchImage) {
		if err := pullImage(ctx, client, img); err != nil {
			return "", err
		}
		i, err = client.InspectImage(img.Ref())
	}
	if err != nil {
		return "", fmt.Errorf("inspect image %s: %s", img.Ref(), oneLine(err))
	}
	pgdata = "/var/lib/postgresql/data"
	if i.Config != nil {
		for _, e := range i.Config.Env {
			if v, ok := strings.CutPrefix(e, "PGDATA="); ok && strings.HasPrefix(v, "/") {
				pgdata = v
			}
		}
	}
	return pgdata, nil
}

func pullImage(ctx context.Context, client *docker.Client, img DockerImage) error {
	pctx, cancel := context.WithTimeout(ctx, dockerPullTimeout)
	defer cancel()
	err := client.PullImage(docker.PullImageOptions{Repository: img.Repository, Tag: img.Tag,
		Context: pctx, OutputStream: io.Discard}, docker.AuthConfiguration{})
	if err != nil {
		return fmt.Errorf("image %s is not on this machine and pulling it failed (%s); pull it or build it first (scripts/build-pg-image.sh builds postgres:15 from the local PostgreSQL)", img.Ref(), oneLine(err))
	}
	return nil
}

// publishAddress returns the host address to publish the server's port on
// and the address to connect to: loopback for a local engine, the engine's
// host for one reached over TCP.
func publishAddress(endpoint string) (bindIP, host string) {
	u, err := url.Parse(endpoint)
	if err == nil && (u.Scheme == "tcp" || u.Scheme == "http" || u.Scheme == "https") {
		switch h := u.Hostname(); h {
		case "", "localhost", "127.0.0.1", "::1":
		default:
			return "", h
		}
	}
	return "127.0.0.1", "127.0.0.1"
}

// Close removes the container, and with it every database it held.
func (d *Docker) Close() error {
	if d.Remote != nil {
		d.Remote.disconnect()
	}
	return d.remove()
}

func (d *Docker) remove() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.id == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), dockerRemoveTimeout)
	defer cancel()
	err := d.client.RemoveContainer(docker.RemoveContainerOptions{Context: ctx, ID: d.id, Force: true, RemoveVolumes: true})
	var gone *docker.NoSuchContainer
	if err != nil && !errors.As(err, &gone) {
		return fmt.Errorf("remove container %.12s of %s: %s", d.id, d.image.Ref(), oneLine(err))
	}
	d.id = ""
	return nil
}

// disconnect closes the admin connection without dropping the scratch
// databases, for when the server goes away with them.
func (r *Remote) disconnect() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.admin != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = r.admin.Close(ctx)
		cancel()
		r.admin = nil
	}
	clear(r.dbs)
}

func oneLine(err error) string {
	s := strings.TrimSpace(err.Error())
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
