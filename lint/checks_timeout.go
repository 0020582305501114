package lint

var codeLockTimeout = register(Check{Code: "PG130", Analyzer: "lock_timeout", Severity: Warning,
	Title: "ACCESS EXCLUSIVE lock on an existing table without lock_timeout",
	Why:   "While the statement waits for its ACCESS EXCLUSIVE lock behind a long query, every new read and write of the table queues behind it: a short migration becomes an outage.",
	Fix:   "Start the file with SET lock_timeout = '5s' (SET LOCAL inside a transaction) and retry the migration when it times out."})

func init() {
	addCheck("lock_timeout", checkLockTimeout)
}

func checkLockTimeout(p *pass) {
	for _, r := range p.file.Stmts {
		if r.Err != nil || r.Before == nil || r.Before.lockTimeout != "0" {
			continue
		}
		if tables := p.lockedTables(r, "AccessExclusiveLock"); len(tables) > 0 {
			p.report(r, codeLockTimeout, "statement takes ACCESS EXCLUSIVE on %s with lock_timeout unset", quoteList(tables))
		}
	}
}
