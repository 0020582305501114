package atlashcl

import (
	"os"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

func TestMain(m *testing.M) { os.Exit(devdb.Main(m)) }
