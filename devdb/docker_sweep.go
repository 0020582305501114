package devdb

import (
	"context"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ory/dockertest/v3/docker"
)

// Labels on every dev container: who started it (host:pidns:pid:start; the
// PID namespace tells processes that share a host name but not process IDs
// apart, and the start time keeps a reused process ID from passing for the
// owner) and when it may be removed at the latest (Unix seconds).
const (
	labelOwner   = "org.schemactl.dev.owner"
	labelExpires = "org.schemactl.dev.expires"
)

func ownerLabel() string {
	host, _ := os.Hostname()
	start, _ := processStart(os.Getpid())
	return host + ":" + pidNamespace() + ":" + strconv.Itoa(os.Getpid()) + ":" + start
}

// pidNamespace identifies this process's PID namespace ("" without /proc).
func pidNamespace() string {
	ns, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return ""
	}
	return strings.Trim(strings.TrimPrefix(ns, "pid:"), "[]")
}

// sweepOrphans removes dev containers whose owner process on this machine
// has died (killed before its Close ran), and any past their expiry. It is
// best effort: a failure here never stops a new container from starting.
func sweepOrphans(ctx context.Context, client *docker.Client) {
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	list, err := client.ListContainers(docker.ListContainersOptions{Context: lctx, All: true,
		Filters: map[string][]string{"label": {labelOwner}}})
	if err != nil {
		return
	}
	host, _ := os.Hostname()
	for _, c := range list {
		if orphaned(c.Labels, host, time.Now()) {
			_ = client.RemoveContainer(docker.RemoveContainerOptions{Context: lctx, ID: c.ID, Force: true, RemoveVolumes: true})
		}
	}
}

// orphaned tells whether a dev container with these labels has outlived its
// owner: the owning process on this host is gone, or the expiry has passed.
func orphaned(labels map[string]string, host string, now time.Time) bool {
	if exp, err := strconv.ParseInt(labels[labelExpires], 10, 64); err == nil && now.Unix() > exp {
		return true
	}
	f := strings.Split(labels[labelOwner], ":")
	if len(f) != 4 || f[0] != host || f[1] == "" || f[1] != pidNamespace() {
		return false // another machine or PID namespace, or no /proc to tell
	}
	pid, err := strconv.Atoi(f[2])
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	start, err := processStart(pid)
	return err != nil || start != f[3] || !processAlive(pid)
}
