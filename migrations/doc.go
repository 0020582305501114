// Package migrations reads and writes Atlas-compatible migration
// directories (versioned .sql files plus atlas.sum), splits PostgreSQL
// statements with their positions, replays a directory on a dev database,
// and applies pending files to a target database while keeping history in
// atlas_schema_revisions.
package migrations
