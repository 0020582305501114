package devdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
)

// State describes the cluster left running by `schemactl dev start`. It is
// kept in <state dir>/dev.json.
type State struct {
	Dir     string    `json:"dir"`
	Socket  string    `json:"socket"`
	Port    int       `json:"port"`
	PID     int       `json:"pid"`
	Version string    `json:"version"`
	Started time.Time `json:"started"`
}

func statePath(opts Options) (string, error) {
	opts = opts.withDefaults()
	if opts.StateDir == "" {
		return "", errors.New("no state directory: set SCHEMACTL_STATE_DIR or HOME")
	}
	return filepath.Join(opts.StateDir, "dev.json"), nil
}

// ReadState returns the state of the background cluster, or nil when none
// was started.
func ReadState(opts Options) (*State, error) {
	p, err := statePath(opts)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	return &st, nil
}

func writeState(opts Options, st State) error {
	p, err := statePath(opts)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(st, "", "  ")
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

func removeState(opts Options) error {
	p, err := statePath(opts)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// StartDetached starts the background cluster of `schemactl dev start`, or
// returns the one already running. The server outlives this process.
func StartDetached(ctx context.Context, opts Options) (st *State, already bool, err error) {
	if c, err := AttachRunning(ctx, opts); err == nil && c != nil {
		defer c.Close()
		st, err := ReadState(opts)
		return st, true, err
	}
	opts.Detach = true
	c, err := StartLocal(ctx, opts)
	if err != nil {
		return nil, false, err
	}
	s := State{Dir: c.dir, Socket: c.sockDir, Port: c.port, PID: c.pid, Version: c.version, Started: time.Now().UTC().Truncate(time.Second)}
	if err := writeState(opts, s); err != nil {
		c.Close()
		stopPid(c.pid)
		os.RemoveAll(c.dir)
		return nil, false, err
	}
	c.mu.Lock()
	if c.admin != nil {
		c.admin.Close(context.Background())
		c.admin = nil
	}
	c.mu.Unlock()
	return &s, false, nil
}

// AttachRunning connects to the background cluster when it is up and
// healthy. It returns nil and no error when none runs; a state file left by
// a dead server is removed.
func AttachRunning(ctx context.Context, opts Options) (*Cluster, error) {
	st, err := ReadState(opts)
	if err != nil || st == nil {
		return nil, err
	}
	if alive, _ := ownerAlive(st.Dir); !alive || !processAlive(st.PID) {
		_ = removeState(opts)
		return nil, nil
	}
	c := &Cluster{dir: st.Dir, sockDir: st.Socket, port: st.Port, pid: st.PID, version: st.Version, dbs: map[string]bool{}}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, c.URL("postgres"))
	if err != nil {
		return nil, nil // not healthy: the caller starts its own
	}
	c.admin = conn
	c.setVersion()
	return c, nil
}

// StopDetached stops the background cluster and removes its directory and
// state file. It reports whether one was running.
func StopDetached(opts Options) (bool, error) {
	st, err := ReadState(opts)
	if err != nil || st == nil {
		return false, err
	}
	running := processAlive(st.PID)
	if pid := postmasterPid(filepath.Join(st.Dir, "data")); pid > 0 {
		stopPid(pid)
	}
	var errs []error
	if st.Dir != "" {
		errs = append(errs, os.RemoveAll(st.Dir))
	}
	errs = append(errs, removeState(opts))
	return running, errors.Join(errs...)
}
