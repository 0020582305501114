package schema

import "sort"

// Every kind of object the catalog finds is modelled (InspectObjects); the
// catalog's Unmodelled list only holds the table properties that nothing
// plans (catalog_read.go).

func sortObjects(objs []Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		if objs[i].Kind != objs[j].Kind {
			return objs[i].Kind < objs[j].Kind
		}
		return objs[i].QualifiedName() < objs[j].QualifiedName()
	})
}
