package mdtest

import (
	"fmt"
	"testing"

	"github.com/schemactl/schemactl/internal/markdown"
)

// recorder keeps the errors of a check instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

type fatal struct{}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(fatal{})
}

// check runs CheckStructure and returns its errors.
func check(t *testing.T, src string) (errs []string) {
	r := &recorder{TB: t}
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(fatal); !ok {
				panic(p)
			}
		}
		errs = r.errs
	}()
	CheckStructure(r, src)
	return r.errs
}

// TestCheckStructure: the pieces of package markdown pass; a table
// swallowed by an HTML block, an unclosed fence and a stray escape fail.
func TestCheckStructure(t *testing.T) {
	good := markdown.Table([]string{"a", "b"}, "lr", [][]string{{markdown.Code("x|y"), markdown.Text("a_b *c*")}}) + "\n" +
		markdown.Details("more <stuff> `x` & a_b", markdown.Fence("sql", "SELECT '```';\nSELECT 1")) + "\n" +
		markdown.Fence("sql", "SELECT 2")
	if errs := check(t, good); len(errs) > 0 {
		t.Errorf("good source fails: %v\n%s", errs, good)
	}
	for _, bad := range []string{
		"<details>\n<summary>s</summary>\n| a |\n|---|\n| b |\n</details>\n",
		"```sql\nSELECT 1\n``\n",
		"a \\\\_b\n",
		"<details>\n<summary>a\\_b</summary>\n\nbody\n\n</details>\n",
	} {
		if errs := check(t, bad); len(errs) == 0 {
			t.Errorf("bad source passes:\n%s", bad)
		}
	}
}
