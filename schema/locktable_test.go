package schema_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/schema"
)

// TestLoadRemoteLockTableTooSmall: a state whose load needs more locks
// than a remote dev server's lock table holds stops with one error that
// names max_locks_per_transaction and the value needed; on a server set
// to that value, the same state loads (in one transaction: on a remote
// server a load that does not fit is an error).
func TestLoadRemoteLockTableTooSmall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var b strings.Builder
	// 300 tables of 4 relations each (table, TOAST table and index,
	// primary key): 1,200 locks, for a lock table of 32 slots × 10.
	for i := range 300 {
		fmt.Fprintf(&b, "CREATE TABLE t%03d (id int PRIMARY KEY, v text);\n", i)
	}
	dir := writeFiles(t, map[string]string{"big.sql": b.String()})
	src := "file://" + filepath.Join(dir, "big.sql")
	load := func(settings map[string]string) (*schema.Loaded, error) {
		c, err := devdb.StartLocal(ctx, devdb.Options{Settings: settings})
		if err != nil {
			t.Fatalf("local server: %v", err)
		}
		t.Cleanup(func() { c.Close() })
		r, err := devdb.OpenRemote(ctx, c.URL("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		l, err := schema.Load(ctx, src, schema.LoadOptions{Dev: r})
		if err == nil {
			t.Cleanup(func() { l.Close(context.Background()) })
		}
		return l, err
	}
	_, err := load(map[string]string{"max_locks_per_transaction": "10", "max_connections": "20"})
	var lt *schema.LockTableError
	t.Log(err)
	if !errors.As(err, &lt) {
		t.Fatalf("want a LockTableError, got %v", err)
	}
	if lt.Locks != 1200 || lt.PerTx != 10 || lt.Need*lt.Slots < lt.Locks {
		t.Fatalf("locks %d, per transaction %d, slots %d, need %d", lt.Locks, lt.PerTx, lt.Slots, lt.Need)
	}
	want := fmt.Sprintf("set max_locks_per_transaction to at least %d on the dev server", lt.Need)
	if msg := err.Error(); !strings.Contains(msg, want) || !strings.Contains(msg, "big.sql") {
		t.Fatalf("error %q lacks %q or the file", msg, want)
	}
	l, err := load(map[string]string{"max_locks_per_transaction": strconv.Itoa(lt.Need), "max_connections": "20"})
	if err != nil {
		t.Fatalf("with max_locks_per_transaction = %d: %v", lt.Need, err)
	}
	if n := len(l.Catalog.Tables); n != 300 {
		t.Fatalf("%d tables loaded", n)
	}
}
