// Package lint analyzes versioned migration files against a real
// PostgreSQL dev database.
//
// The directory is replayed on a fresh dev database up to the first linted
// file; each linted statement is then executed the way an apply would run
// it (inside the file's transaction unless the file says
// `-- atlas:txmode none`), and the engine records what it did: the locks
// it took (pg_locks), the relations it rewrote (relfilenode before and
// after), the settings in force (lock_timeout) and the schema changes it
// made (Atlas inspection before and after, scoped to the tables the
// statement locked). Atlas's open-source analyzers (destructive,
// data_depend, incompatible, condrop) run unchanged on those changes, and
// the package's own analyzers (codes PG1xx-PG4xx, see Checks) report lock,
// rewrite, transaction and style problems with the lock taken, what it
// blocks and a concrete fix. Statements are classified with PostgreSQL's
// own parser (libpg_query).
package lint
