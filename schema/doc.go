// Package schema loads a PostgreSQL schema state — plain SQL files, HCL in
// Atlas's schema language, a migration directory, or a live database — and
// describes it as an Atlas Realm (ariga.io/atlas/sql/schema) plus the
// objects that Atlas's open-source inspection does not model.
//
// Every state but a live database is loaded into a fresh dev database (see
// package devdb) and inspected there, so that PostgreSQL itself parses and
// normalizes it. The inspection has two halves: Atlas's Postgres driver
// builds the Realm, and a catalog reader (one query per object kind against
// pg_catalog) adds what Atlas leaves out (sequences, domains, partitions,
// identity options, canonical definitions used to prove plans) and lists
// every object it cannot model yet, so that nothing is dropped silently.
package schema
