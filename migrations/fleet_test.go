package migrations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/schemactl/schemactl/devdb"
)

// TestSchemaApplyLock checks the locks of schema-bound targets: two
// schemas of one database at once, one schema once, and either against a
// whole-database apply (schemactl's or Atlas's key).
func TestSchemaApplyLock(t *testing.T) {
	ctx := context.Background()
	url := devdb.ForTest(t)
	a, b, c := mustConnect(t, url), mustConnect(t, url), mustConnect(t, url)
	relA, err := AcquireSchemaApplyLock(ctx, a, "tenant_a", 0)
	if err != nil {
		t.Fatal(err)
	}
	relB, err := AcquireSchemaApplyLock(ctx, b, "tenant_b", 0)
	if err != nil {
		t.Fatalf("a second schema of the database waits: %v", err)
	}
	if _, err := AcquireSchemaApplyLock(ctx, c, "tenant_a", 0); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), `schema "tenant_a"`) {
		t.Fatalf("the same schema twice: %v", err)
	}
	if _, err := AcquireApplyLock(ctx, c, 0); !errors.Is(err, ErrLocked) {
		t.Fatalf("a whole-database apply while schemas are applied: %v", err)
	}
	if err := relA(ctx); err != nil {
		t.Fatal(err)
	}
	if err := relB(ctx); err != nil {
		t.Fatal(err)
	}
	relC, err := AcquireApplyLock(ctx, c, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AcquireSchemaApplyLock(ctx, a, "tenant_a", 0); !errors.Is(err, ErrLocked) {
		t.Fatalf("a schema while the whole database is applied: %v", err)
	}
	if err := relC(ctx); err != nil {
		t.Fatal(err)
	}
	// A failed attempt leaves nothing held.
	if n := queryString(t, a, `SELECT count(*)::text FROM pg_locks WHERE locktype = 'advisory'`); n != "0" {
		t.Fatalf("%s advisory locks left", n)
	}
}

// TestRunFleet checks the scheduler: the bounds (global and per server),
// the canary stage, fail-fast, the timeout and the order of the results.
func TestRunFleet(t *testing.T) {
	ctx := context.Background()
	targets := make([]FleetTarget, 12)
	for i := range targets {
		targets[i] = FleetTarget{Name: fmt.Sprintf("t%02d", i), Server: fmt.Sprintf("s%d", i%2)}
	}
	var mu sync.Mutex
	running, peak := map[string]int{}, map[string]int{}
	total, peakTotal := 0, 0
	work := func(fail map[int]bool) FleetFunc {
		return func(ctx context.Context, i int) (string, error) {
			srv := targets[i].Server
			mu.Lock()
			running[srv]++
			total++
			peak[srv], peakTotal = max(peak[srv], running[srv]), max(peakTotal, total)
			mu.Unlock()
			// Held until a peer arrives or a moment passes, so that
			// the bounds are reached.
			time.Sleep(5 * time.Millisecond)
			mu.Lock()
			running[srv]--
			total--
			mu.Unlock()
			if fail[i] {
				return "", fmt.Errorf("target %d broke", i)
			}
			if i%3 == 0 {
				return FleetCurrent, nil
			}
			return FleetApplied, nil
		}
	}
	var order []int
	res := RunFleet(ctx, targets, FleetOptions{Parallel: 3, ServerLimit: map[string]int{"s0": 1},
		Done: func(r *FleetResult) { order = append(order, r.Index) }}, work(map[int]bool{5: true}))
	if peak["s0"] > 1 || peakTotal > 3 {
		t.Errorf("peaks: %v total %d, want s0 at most 1 and at most 3 in all", peak, peakTotal)
	}
	n := FleetCounts(res)
	if n[FleetApplied] != 7 || n[FleetCurrent] != 4 || n[FleetFailed] != 1 || len(order) != 12 {
		t.Errorf("counts %v, %d done calls", n, len(order))
	}
	for i, r := range res {
		if r.Index != i || r.Target.Name != targets[i].Name {
			t.Fatalf("result %d is %+v", i, r)
		}
	}
	if res[5].Outcome != FleetFailed || res[5].Err == nil || res[5].Err.Error() != "target 5 broke" {
		t.Errorf("failed target: %+v", res[5])
	}

	// A failing canary stops the run.
	res = RunFleet(ctx, targets, FleetOptions{Parallel: 4, Canary: 3}, work(map[int]bool{1: true}))
	n = FleetCounts(res)
	if n[FleetFailed] != 1 || n[FleetSkipped] != 9 || !strings.Contains(res[11].Skipped, "canary") {
		t.Errorf("canary: %v, last %+v", n, res[11])
	}
	// A passing one lets the others run.
	res = RunFleet(ctx, targets, FleetOptions{Parallel: 4, Canary: 3}, work(nil))
	if n = FleetCounts(res); n[FleetSkipped] != 0 || n[FleetFailed] != 0 {
		t.Errorf("passing canary: %v", n)
	}
	// Fail-fast, one at a time: nothing after the failure starts.
	res = RunFleet(ctx, targets, FleetOptions{Parallel: 1, FailFast: true}, work(map[int]bool{4: true}))
	n = FleetCounts(res)
	if n[FleetSkipped] != 7 || res[5].Outcome != FleetSkipped || !strings.Contains(res[5].Skipped, "t04 failed") {
		t.Errorf("fail-fast: %v, %+v", n, res[5])
	}
	// The timeout ends a target that runs too long.
	res = RunFleet(ctx, targets[:2], FleetOptions{Parallel: 2, Timeout: 20 * time.Millisecond}, func(ctx context.Context, i int) (string, error) {
		if i == 1 {
			<-ctx.Done()
			return "", ctx.Err()
		}
		return FleetApplied, nil
	})
	if res[0].Outcome != FleetApplied || res[1].Outcome != FleetFailed || !strings.Contains(res[1].Err.Error(), "timed out after 20ms") {
		t.Errorf("timeout: %+v %+v", res[0], res[1])
	}
	// A cancelled run starts nothing more.
	cctx, cancel := context.WithCancel(ctx)
	res = RunFleet(cctx, targets, FleetOptions{Parallel: 1}, func(ctx context.Context, i int) (string, error) {
		if i == 2 {
			cancel()
		}
		return FleetApplied, nil
	})
	if n = FleetCounts(res); n[FleetApplied] != 3 || n[FleetSkipped] != 9 || !strings.Contains(res[3].Skipped, "interrupted") {
		t.Errorf("cancelled: %v %+v", n, res[3])
	}
}

// TestServerHeadroom reads the free connections of a server of its own
// (no other test connects to it meanwhile).
func TestServerHeadroom(t *testing.T) {
	ctx := context.Background()
	cl, err := devdb.StartLocal(ctx, devdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	url := cl.URL("postgres")
	conn := mustConnect(t, url)
	free, maxConns, err := ServerHeadroom(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	other := mustConnect(t, url)
	free2, _, err := ServerHeadroom(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if maxConns < 1 || free >= maxConns || free2 != free-1 {
		t.Fatalf("free %d then %d of %d", free, free2, maxConns)
	}
	CloseWait(other, 5*time.Second)
	if free3, _, _ := ServerHeadroom(ctx, conn); free3 != free {
		t.Fatalf("after CloseWait: %d free, want more than %d", free3, free2)
	}
}
