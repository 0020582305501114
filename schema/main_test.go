package schema_test

import (
	"ariga.io/atlas/sql/postgres"
	"context"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/schema"
)

func TestMain(m *testing.M) { os.Exit(devdb.Main(m)) }

// testProvider hands out the databases of devdb.ForTest (dropped when the
// test ends) as a devdb.Provider.
type testProvider struct{ t *testing.T }

func (p testProvider) NewDatabase(context.Context) (*devdb.Database, error) {
	url := devdb.ForTest(p.t)
	return &devdb.Database{URL: url, Name: pgurlDatabase(url)}, nil
}
func (testProvider) Close() error   { return nil }
func (testProvider) String() string { return "test databases" }

func pgurlDatabase(url string) string {
	u, err := neturl.Parse(url)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

func dev(t *testing.T) devdb.Provider { return testProvider{t} }

// writeFiles writes files (name → content) into a new temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// mustLoad loads a state and closes it at the end of the test.
func mustLoad(t *testing.T, url string, opts schema.LoadOptions) *schema.Loaded {
	t.Helper()
	if opts.Dev == nil {
		opts.Dev = dev(t)
	}
	l, err := schema.Load(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("load %s: %v", url, err)
	}
	t.Cleanup(func() { l.Close(context.Background()) })
	return l
}

// stateHCL returns the HCL of a loaded state: Atlas's own blocks, and
// the whole document, Atlas's blocks followed by the object blocks.
func stateHCL(t *testing.T, want *schema.Loaded) (atlasHCL, full []byte) {
	t.Helper()
	atlasHCL, err := postgres.MarshalHCL.MarshalSpec(want.Realm)
	if err != nil {
		t.Fatal(err)
	}
	full, err = schema.AddObjectsHCL(atlasHCL, want.State)
	if err != nil {
		t.Fatal(err)
	}
	return atlasHCL, full
}
