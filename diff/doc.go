// Package diff computes the plan that takes a database from one schema
// state to another, and proves it on a dev database before anyone uses it.
//
// Tables, columns, keys, indexes, checks and comments are diffed and
// planned by Atlas's PostgreSQL differ and planner (postgres.DefaultDiff,
// PlanChanges); this package prepares their input and completes their
// output where Atlas's open-source driver falls short: constraint names
// that round-trip, identity sequence options, USING for type changes that
// need it, enums whose values are reordered or removed, domains, standalone
// sequences, partitions, renames the user asked for (never guessed), and
// an order of statements that PostgreSQL accepts.
//
// Prove applies a plan to a dev database that holds the starting state,
// inspects the result and compares it with the desired state object by
// object (with PostgreSQL's own canonical definitions); it repairs what
// can be repaired from those definitions and fails, naming each remaining
// difference, otherwise.
package diff
