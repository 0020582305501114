package schema

import (
	"fmt"
	"strings"
)

// UnmodelledError is returned when a state holds objects (or properties)
// that schemactl detects but does not model: a plan written or applied
// from it would leave them out, and the result would not be the desired
// state. What the user leaves out of scope (--schema, --exclude), what
// belongs to an extension and what the dev baseline holds is never
// listed.
type UnmodelledError struct {
	Desired, Current []Object
}

func (e *UnmodelledError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d object(s) are not modelled by schemactl, and a plan would not hold them; exclude them (--exclude) or remove them:", len(e.Desired)+len(e.Current))
	for _, o := range e.Desired {
		fmt.Fprintf(&b, "\n  desired state: %s", o)
	}
	for _, o := range e.Current {
		fmt.Fprintf(&b, "\n  current state: %s", o)
	}
	return b.String()
}

// Reported reports whether an unmodelled object is only reported, not an
// error: grants when privileges are not planned (the user leaves them out
// by not asking for them, Scope.IncludePrivileges).
func Reported(o Object) bool { return o.Kind == KindPrivileges }

// CheckModelled returns an UnmodelledError listing the objects of the
// states (either may be nil) that schemactl does not model, leaving out
// those only Reported, which it returns.
func CheckModelled(desired, current *State) (reported []Object, err error) {
	e := &UnmodelledError{}
	seen := map[string]bool{}
	for _, o := range desired.Unmodelled() {
		seen[o.Key()] = true
		if Reported(o) {
			reported = append(reported, o)
		} else {
			e.Desired = append(e.Desired, o)
		}
	}
	for _, o := range current.Unmodelled() {
		switch {
		case Reported(o):
			if !seen[o.Key()] {
				reported = append(reported, o)
			}
		default:
			e.Current = append(e.Current, o)
		}
	}
	if len(e.Desired)+len(e.Current) > 0 {
		return reported, e
	}
	return reported, nil
}
