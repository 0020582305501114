package migrations

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Outcomes of a target in a fleet run.
const (
	FleetApplied = "applied" // the run changed the target (applied or set files)
	FleetCurrent = "current" // the target was already current: nothing to do
	FleetFailed  = "failed"  // the target failed (see FleetResult.Err)
	FleetSkipped = "skipped" // the target was not started (see FleetResult.Skipped)
)

// FleetTarget is one target of a fleet run.
type FleetTarget struct {
	// Name identifies the target in reports; it never holds a password.
	Name string
	// Server identifies the target's server (host and port): targets of
	// one server share its bound (FleetOptions.ServerLimit).
	Server string
}

// FleetOptions tunes RunFleet.
type FleetOptions struct {
	// Parallel bounds the targets run at once (at least 1).
	Parallel int
	// ServerLimit bounds the targets run at once on one server, by
	// FleetTarget.Server; a server not listed is bounded by Parallel only.
	ServerLimit map[string]int
	// Canary runs the first Canary targets first; if one of them fails,
	// the others are skipped.
	Canary int
	// FailFast starts no target after the first failure (the ones running
	// finish).
	FailFast bool
	// Timeout bounds each target's run (0: no bound).
	Timeout time.Duration
	// Done, when set, is called as each target ends, one call at a time,
	// skipped targets included (once the run stops).
	Done func(r *FleetResult)
}

// FleetResult is what became of one target.
type FleetResult struct {
	// Index is the target's index in the fleet.
	Index  int
	Target FleetTarget
	// Outcome is FleetApplied, FleetCurrent, FleetFailed or FleetSkipped.
	Outcome string
	// Err is the failure of a FleetFailed target.
	Err error
	// Skipped says why a FleetSkipped target was not started.
	Skipped string
	// Start and Duration bound the target's run.
	Start    time.Time
	Duration time.Duration
}

// FleetFunc runs one target: it returns FleetApplied or FleetCurrent, or
// an error for a failed target.
type FleetFunc func(ctx context.Context, index int) (outcome string, err error)

// RunFleet runs fn over targets, at most opts.Parallel at once and at most
// opts.ServerLimit[server] at once on one server, in order (a target
// whose server is busy lets the next ones pass). It returns one result per
// target, in the targets' order. A cancelled ctx starts no more targets:
// those not started are skipped.
func RunFleet(ctx context.Context, targets []FleetTarget, opts FleetOptions, fn FleetFunc) []*FleetResult {
	if opts.Parallel < 1 {
		opts.Parallel = 1
	}
	s := &fleetRun{targets: targets, opts: opts, fn: fn, results: make([]*FleetResult, len(targets)),
		busy: map[string]int{}}
	s.cond = sync.NewCond(&s.mu)
	all := make([]int, len(targets))
	for i := range all {
		all[i] = i
	}
	canary := min(max(opts.Canary, 0), len(all))
	if canary > 0 && canary < len(all) {
		s.stage(ctx, all[:canary])
		if s.failed > 0 && s.stop == "" {
			s.stop = fmt.Sprintf("a canary target failed (--canary %d)", canary)
		}
		all = all[canary:]
	}
	s.stage(ctx, all)
	return s.results
}

// fleetRun is the state of one RunFleet.
type fleetRun struct {
	targets []FleetTarget
	opts    FleetOptions
	fn      FleetFunc
	results []*FleetResult

	mu      sync.Mutex
	cond    *sync.Cond
	running int
	busy    map[string]int // running targets by server
	failed  int
	stop    string // why no more targets start ("" while they do)

	doneMu sync.Mutex
}

// stage runs the targets of indices and waits for them.
func (s *fleetRun) stage(ctx context.Context, indices []int) {
	pending := append([]int(nil), indices...)
	var wg sync.WaitGroup
	stopWatch := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stopWatch()
	s.mu.Lock()
	for len(pending) > 0 {
		if s.stop == "" && ctx.Err() != nil {
			s.stop = "interrupted: " + context.Cause(ctx).Error()
		}
		if s.stop != "" {
			break
		}
		pick := -1
		if s.running < s.opts.Parallel {
			for k, i := range pending {
				srv := s.targets[i].Server
				if lim := s.opts.ServerLimit[srv]; lim > 0 && s.busy[srv] >= lim {
					continue
				}
				pick = k
				break
			}
		}
		if pick < 0 {
			s.cond.Wait()
			continue
		}
		i := pending[pick]
		pending = append(pending[:pick], pending[pick+1:]...)
		s.running++
		s.busy[s.targets[i].Server]++
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.runOne(ctx, i)
			s.mu.Lock()
			s.running--
			s.busy[s.targets[i].Server]--
			if r.Outcome == FleetFailed {
				s.failed++
				if s.opts.FailFast && s.stop == "" {
					s.stop = fmt.Sprintf("%s failed (--fail-fast)", r.Target.Name)
				}
			}
			s.results[i] = r
			s.cond.Broadcast()
			s.mu.Unlock()
			s.done(r)
		}()
	}
	why := s.stop
	s.mu.Unlock()
	wg.Wait()
	for _, i := range pending {
		r := &FleetResult{Index: i, Target: s.targets[i], Outcome: FleetSkipped, Skipped: why}
		s.results[i] = r
		s.done(r)
	}
}

// runOne runs target i within its timeout.
func (s *fleetRun) runOne(ctx context.Context, i int) *FleetResult {
	r := &FleetResult{Index: i, Target: s.targets[i], Start: time.Now()}
	tctx, cancel := ctx, context.CancelFunc(func() {})
	if s.opts.Timeout > 0 {
		tctx, cancel = context.WithTimeout(ctx, s.opts.Timeout)
	}
	outcome, err := s.fn(tctx, i)
	if err != nil && ctx.Err() == nil && errors.Is(tctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %s: %w", s.opts.Timeout, err)
	}
	cancel()
	r.Duration = time.Since(r.Start)
	switch {
	case err != nil:
		r.Outcome, r.Err = FleetFailed, err
	case outcome == FleetApplied || outcome == FleetCurrent:
		r.Outcome = outcome
	default:
		r.Outcome, r.Err = FleetFailed, fmt.Errorf("unknown outcome %q", outcome)
	}
	return r
}

func (s *fleetRun) done(r *FleetResult) {
	if s.opts.Done == nil {
		return
	}
	s.doneMu.Lock()
	defer s.doneMu.Unlock()
	s.opts.Done(r)
}

// FleetCounts counts the results by outcome.
func FleetCounts(results []*FleetResult) map[string]int {
	n := map[string]int{}
	for _, r := range results {
		n[r.Outcome]++
	}
	return n
}

// ServerHeadroom tells how many more client connections the server of q
// accepts: max_connections less the reserved ones and the client backends
// connected now (q's own included).
func ServerHeadroom(ctx context.Context, q Querier) (free, maxConns int, err error) {
	err = q.QueryRow(ctx, `SELECT current_setting('max_connections')::int,
	current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
	  - coalesce(nullif(current_setting('reserved_connections', true), ''), '0')::int
	  - (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend')`).Scan(&maxConns, &free)
	if err != nil {
		return 0, 0, fmt.Errorf("read the connection headroom: %w", err)
	}
	return max(free, 0), maxConns, nil
}
