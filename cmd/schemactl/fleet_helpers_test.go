package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/devdb"
)

// fleetScale is the size of the fleet tests: 3 clusters of 20 databases
// and a database of 200 tenant schemas, or with SCHEMACTL_FLEET_FULL=1
// 3 clusters of 100 databases and 1,000 schemas.
func fleetScale() (clusters, dbs, schemas int) {
	if os.Getenv("SCHEMACTL_FLEET_FULL") == "1" {
		return 3, 100, 1000
	}
	return 3, 20, 200
}

// fleetLab is local clusters started for a test, with databases and
// tenant schemas as targets.
type fleetLab struct {
	t        testing.TB
	clusters []*devdb.Cluster
	targets  []string // URLs, in the order of the targets file
	dbURLs   [][]string
	shared   string   // the database of the tenant schemas
	schemas  []string // tenant schema names
}

// startFleetLab starts n clusters with dbs databases each, and on the
// first a database with schemas tenant schemas.
func startFleetLab(t testing.TB, n, dbs, schemas int) *fleetLab {
	t.Helper()
	ctx := context.Background()
	l := &fleetLab{t: t, clusters: make([]*devdb.Cluster, n), dbURLs: make([][]string, n)}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := devdb.StartLocal(ctx, devdb.Options{})
			if err != nil {
				errs[i] = err
				return
			}
			l.clusters[i] = c
			for range dbs {
				db, err := c.NewDatabase(ctx)
				if err != nil {
					errs[i] = err
					return
				}
				l.dbURLs[i] = append(l.dbURLs[i], db.URL)
			}
		}()
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range l.clusters {
			if c != nil {
				c.Close()
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, urls := range l.dbURLs {
		l.targets = append(l.targets, urls...)
	}
	if schemas > 0 {
		db, err := l.clusters[0].NewDatabase(ctx)
		if err != nil {
			t.Fatal(err)
		}
		l.shared = db.URL
		var b strings.Builder
		for i := range schemas {
			s := fmt.Sprintf("tenant_%04d", i)
			l.schemas = append(l.schemas, s)
			fmt.Fprintf(&b, "CREATE SCHEMA %s;\n", s)
			l.targets = append(l.targets, db.URL+"&search_path="+s)
		}
		l.exec(db.URL, b.String())
	}
	return l
}

// exec runs sql on the database of url.
func (l *fleetLab) exec(url, sql string) {
	l.t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		l.t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		l.t.Fatalf("%s: %v", sql, err)
	}
}

// targetsFile writes the targets, with a comment and a blank line.
func (l *fleetLab) targetsFile(targets []string) string {
	l.t.Helper()
	path := filepath.Join(l.t.TempDir(), "targets.txt")
	body := "# the fleet\n\n" + strings.Join(targets, "\n") + "\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		l.t.Fatal(err)
	}
	return path
}

// fleetFiles is a migration directory of n files; file 3 runs without a
// transaction, statement by statement.
func fleetFiles(n int) map[string]string {
	files := map[string]string{}
	for i := 1; i <= n; i++ {
		body := fmt.Sprintf("CREATE TABLE t%02d (id bigint PRIMARY KEY, name text NOT NULL);\nCREATE INDEX t%02d_name ON t%02d (name);\nINSERT INTO t%02d VALUES (1, 'one'), (2, 'two');\n", i, i, i, i)
		if i == 3 {
			body = "-- atlas:txmode none\n\n" + body + fmt.Sprintf("ALTER TABLE t%02d ADD COLUMN note text;\n", i)
		}
		files[fmt.Sprintf("2024010100%04d_t%02d.sql", i, i)] = body
	}
	return files
}

// revisionsOf returns the versions recorded in the history of a target
// (in the schema of its search_path, else atlas_schema_revisions), each
// with its count of rows, and whether the last one is complete.
func revisionsOf(t testing.TB, url string) map[string]int {
	t.Helper()
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	schema := "atlas_schema_revisions"
	if sp := cfg.RuntimeParams["search_path"]; sp != "" {
		schema = sp
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, fmt.Sprintf(`SELECT version, count(*) FROM %s.atlas_schema_revisions
		WHERE error IS NULL OR error = '' GROUP BY version`, pgx.Identifier{schema}.Sanitize()))
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	out := map[string]int{}
	for rows.Next() {
		var v string
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			t.Fatal(err)
		}
		out[v] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// connWatch samples pg_stat_activity on every cluster while a run goes:
// the most schemactl connections seen on one server at once.
type connWatch struct {
	stop chan struct{}
	done chan struct{}
	max  []int
}

func (l *fleetLab) watchConns() *connWatch {
	l.t.Helper()
	w := &connWatch{stop: make(chan struct{}), done: make(chan struct{}), max: make([]int, len(l.clusters))}
	conns := make([]*pgx.Conn, len(l.clusters))
	for i, c := range l.clusters {
		conn, err := pgx.Connect(context.Background(), c.URL("postgres"))
		if err != nil {
			l.t.Fatal(err)
		}
		conns[i] = conn
	}
	go func() {
		defer close(w.done)
		defer func() {
			for _, c := range conns {
				c.Close(context.Background())
			}
		}()
		for {
			for i, c := range conns {
				var n int
				if err := c.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'schemactl'`).Scan(&n); err == nil && n > w.max[i] {
					w.max[i] = n
				}
			}
			select {
			case <-w.stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return w
}

// end stops the sampling and returns the maximum per server.
func (w *connWatch) end() []int {
	close(w.stop)
	<-w.done
	return w.max
}
