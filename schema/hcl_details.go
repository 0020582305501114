package schema

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// This file writes and reads, in table and column blocks, what Atlas's
// open-source HCL has no attribute for:
//
//	table "t" {
//	  unlogged         = true
//	  options          = "autovacuum_enabled=false, fillfactor=70"
//	  replica_identity = "FULL"          # NOTHING, DEFAULT, "USING INDEX t_key"
//	  cluster_on       = "t_key"         # ALTER TABLE ... CLUSTER ON
//	  index "t_key" {
//	    options    = "deduplicate_items=off, fillfactor='80'"
//	    statistics = "1=3000"            # expression column 1: SET STATISTICS
//	  }
//	  column "doc" {
//	    statistics  = 500                # SET STATISTICS
//	    storage     = "EXTERNAL"         # PLAIN, MAIN, EXTENDED
//	    compression = "lz4"              # pglz, default
//	    options     = "n_distinct=100"   # SET (...)
//	  }
//	}
//
// The attributes are taken out of the blocks before Atlas evaluates them
// and become ALTER TABLE statements run once the tables exist.

// detailAttrs are the column attributes of this file.
var detailAttrs = []string{"statistics", "storage", "compression", "options"}

// writeReplicaIdentity writes the replica_identity attribute of a table
// block when the identity is not the default.
func writeReplicaIdentity(b *hclwrite.Body, t *TableInfo) {
	if !t.HasReplicaIdentity() {
		return
	}
	if t.ReplicaIdentity == 'i' && t.ReplicaIndex == "" {
		setString(b, "replica_identity", "NOTHING") // its index was dropped: behaves as NOTHING
		return
	}
	setString(b, "replica_identity", strings.TrimPrefix(t.ReplicaIdentityClause(), "REPLICA IDENTITY "))
}

// writeColumnDetails writes a column's statistics target, storage and
// compression where they are not what the column gets without them: the
// type's defaults, or for a partition (parent non-nil) its parent's
// column's storage and compression, which PARTITION OF copies.
func writeColumnDetails(b *hclwrite.Body, c, parent *ColumnInfo) {
	if c.Statistics >= 0 {
		b.SetAttributeValue("statistics", cty.NumberIntVal(int64(c.Statistics)))
	}
	if c.HasOwnStorage() || parent != nil && parent.Storage != c.Storage {
		setString(b, "storage", StorageName(c.Storage))
	}
	switch {
	case c.Compression != "":
		setString(b, "compression", c.Compression)
	case parent != nil && parent.Compression != "":
		setString(b, "compression", "default")
	}
	if c.Options != "" {
		setString(b, "options", c.Options)
	}
}

// hasColumnDetails reports whether writeColumnDetails writes something.
func hasColumnDetails(c, parent *ColumnInfo) bool {
	return c.Statistics >= 0 || c.HasOwnStorage() || c.Compression != "" || c.Options != "" ||
		parent != nil && (parent.Storage != c.Storage || parent.Compression != "")
}

// replicaIdentitySQL reads the replica_identity attribute of a table block.
func replicaIdentitySQL(r *hclReader, q QName) []string {
	v := strings.TrimSpace(r.str("replica_identity"))
	if v == "" {
		return nil
	}
	switch up := strings.ToUpper(v); {
	case up == "FULL" || up == "NOTHING" || up == "DEFAULT":
		return []string{"ALTER TABLE " + q.String() + " REPLICA IDENTITY " + up}
	case strings.HasPrefix(up, "USING INDEX "):
		idx := strings.TrimSpace(v[len("USING INDEX "):])
		if !strings.HasPrefix(idx, `"`) {
			idx = QuoteIdent(idx)
		}
		return []string{"ALTER TABLE " + q.String() + " REPLICA IDENTITY USING INDEX " + idx}
	}
	r.fail("replica_identity: want FULL, NOTHING, DEFAULT or \"USING INDEX name\", not %q", v)
	return nil
}

// columnDetailsSQL reads the statistics, storage and compression
// attributes of a column block of table q.
func columnDetailsSQL(c *hclReader, q QName) []string {
	col := "ALTER COLUMN " + QuoteIdent(c.name())
	var clauses []string
	if c.has("statistics") {
		clauses = append(clauses, fmt.Sprintf("%s SET STATISTICS %d", col, c.number("statistics", -1)))
	}
	if c.has("storage") {
		s := c.str("storage")
		if StorageCode(s) == 0 {
			c.fail("storage: want PLAIN, EXTERNAL, MAIN or EXTENDED, not %q", s)
		} else {
			clauses = append(clauses, col+" SET STORAGE "+strings.ToUpper(s))
		}
	}
	if c.has("compression") {
		switch s := strings.ToLower(c.str("compression")); s {
		case "pglz", "lz4":
			clauses = append(clauses, col+" SET COMPRESSION "+s)
		case "default":
			clauses = append(clauses, col+" SET COMPRESSION DEFAULT")
		default:
			c.fail("compression: want pglz, lz4 or default, not %q", s)
		}
	}
	if o := c.str("options"); o != "" {
		clauses = append(clauses, col+" SET ("+o+")")
	}
	if len(clauses) == 0 {
		return nil
	}
	return []string{"ALTER TABLE ONLY " + q.String() + " " + strings.Join(clauses, ", ")}
}

// writeTableDetails adds UNLOGGED, the storage parameters, the replica identity and
// the column details of t to its table block written by Atlas, and the
// storage parameters of its indexes to their blocks.
func writeTableDetails(b *hclwrite.Body, t *TableInfo) {
	if t.Persistence == 'u' {
		b.SetAttributeValue("unlogged", cty.True)
	}
	if t.Options != "" {
		setString(b, "options", t.Options)
	}
	writeReplicaIdentity(b, t)
	if t.ClusterIndex != "" {
		setString(b, "cluster_on", t.ClusterIndex)
	}
	for _, cb := range b.Blocks() {
		if len(cb.Labels()) != 1 {
			continue
		}
		switch cb.Type() {
		case "column":
			if c, ok := t.Column(cb.Labels()[0]); ok {
				writeColumnDetails(cb.Body(), c, nil)
			}
		case "index", "primary_key":
			for _, idx := range t.Indexes {
				if idx.Name != cb.Labels()[0] {
					continue
				}
				if start, end := indexOptionsSpan(idx.Def); start >= 0 {
					setString(cb.Body(), "options", idx.Def[start:end])
				}
				if idx.Statistics != "" {
					setString(cb.Body(), "statistics", idx.Statistics)
				}
			}
		}
	}
}
