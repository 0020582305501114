package schema

import (
	"fmt"
	"strings"
)

// Column details that Atlas's open-source driver does not model: the
// statistics target, the storage strategy, the compression method and
// the attribute options (n_distinct, n_distinct_inherited).

// StorageName is the SET STORAGE keyword of an attstorage value.
func StorageName(b byte) string {
	switch b {
	case 'p':
		return "PLAIN"
	case 'e':
		return "EXTERNAL"
	case 'm':
		return "MAIN"
	case 'x':
		return "EXTENDED"
	}
	return string(rune(b))
}

// StorageCode is the attstorage value of a SET STORAGE keyword (any
// case), 0 when it names none.
func StorageCode(name string) byte {
	for _, b := range []byte("pemx") {
		if strings.EqualFold(StorageName(b), name) {
			return b
		}
	}
	return 0
}

// HasOwnStorage reports whether the column's storage is not its type's.
func (col *ColumnInfo) HasOwnStorage() bool {
	return col.Storage != 0 && col.Storage != col.TypeStorage
}

// detailsDef describes the statistics target, storage and compression for
// Objects, leaving out what is the default.
func (col *ColumnInfo) detailsDef() string {
	s := ""
	if col.Statistics >= 0 {
		s += fmt.Sprintf(" STATISTICS %d", col.Statistics)
	}
	if col.HasOwnStorage() {
		s += " STORAGE " + StorageName(col.Storage)
	}
	if col.Compression != "" {
		s += " COMPRESSION " + col.Compression
	}
	if col.Options != "" {
		s += " WITH (" + col.Options + ")"
	}
	return s
}
