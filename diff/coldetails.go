package diff

import (
	"fmt"
	"strings"

	"github.com/schemactl/schemactl/schema"
)

// columnDetail is what Atlas's open-source driver does not model of a
// column: its statistics target, storage, compression and options.
type columnDetail struct {
	stats       int
	storage     byte
	compression string
	options     string
}

// kept returns the table of the starting state that the plan keeps (not
// dropped, not recreated), if any.
func (p *planner) kept(q schema.QName) (*schema.TableInfo, bool) {
	t1, ok := p.from.Catalog.Table(q)
	if !ok || p.partitions[q] == partitionRecreated || p.partitions[q] == partitionDropped || p.recreated(q) {
		return nil, false
	}
	return t1, true
}

// detailBefore is what a column of the desired state has once the rest of
// the plan ran, before columnDetails: what the starting state had for a
// column kept, PostgreSQL's defaults for a new column, and for a column of
// a partition created with PARTITION OF the storage and compression its
// parent's column had when the partition was created (the statistics
// target is not copied).
func (p *planner) detailBefore(t2 *schema.TableInfo, c2 *schema.ColumnInfo) columnDetail {
	d := columnDetail{stats: -1, storage: c2.TypeStorage}
	if t1, ok := p.kept(t2.QName); ok {
		c1, ok := t1.Column(c2.Name)
		if !ok || p.columnRecreated(c1, c2) {
			return d
		}
		d.stats, d.compression, d.storage, d.options = c1.Statistics, c1.Compression, c1.Storage, c1.Options
		if c1.Type != c2.Type {
			// ALTER COLUMN ... TYPE gives the column its new type's storage.
			d.storage = c2.TypeStorage
		}
		return d
	}
	if t2.Parent != nil {
		if parent, ok := p.to.Catalog.Table(*t2.Parent); ok {
			if pc, ok := parent.Column(c2.Name); ok {
				pd := p.detailBefore(parent, pc)
				d.storage, d.compression = pd.storage, pd.compression
			}
		}
	}
	return d
}

// columnRecreated reports whether the plan drops the column and adds it
// again (a generated column whose expression changes).
func (p *planner) columnRecreated(c1, c2 *schema.ColumnInfo) bool {
	return c2.Generated != "" && c1.Generated != c2.Generated
}

// columnDetails plans statistics targets, storage, compression and
// attribute options (n_distinct). Each
// table is altered with ONLY: PostgreSQL would otherwise carry the change
// to the partitions, which are planned on their own.
func (p *planner) columnDetails() error {
	for _, t2 := range p.to.Catalog.Tables {
		var clauses []string
		for _, c2 := range t2.Columns {
			have := p.detailBefore(t2, c2)
			col := "ALTER COLUMN " + schema.QuoteIdent(c2.Name)
			if have.stats != c2.Statistics {
				clauses = append(clauses, fmt.Sprintf("%s SET STATISTICS %d", col, c2.Statistics))
			}
			if have.storage != c2.Storage && c2.Storage != 0 {
				clauses = append(clauses, col+" SET STORAGE "+schema.StorageName(c2.Storage))
			}
			if have.compression != c2.Compression {
				to := c2.Compression
				if to == "" {
					to = "DEFAULT"
				}
				clauses = append(clauses, col+" SET COMPRESSION "+to)
			}
			set, reset := optionChanges(parseOptions(have.options), parseOptions(c2.Options))
			if len(set) > 0 {
				clauses = append(clauses, col+" SET ("+strings.Join(set, ", ")+")")
			}
			if len(reset) > 0 {
				clauses = append(clauses, col+" RESET ("+strings.Join(reset, ", ")+")")
			}
		}
		if len(clauses) > 0 {
			p.post = append(p.post, Stmt{
				SQL:     fmt.Sprintf("ALTER TABLE ONLY %s\n  %s", t2.QName, strings.Join(clauses, ",\n  ")),
				Comment: fmt.Sprintf("set the statistics, storage or compression of columns of table %s", t2.Name),
			})
		}
	}
	return nil
}
