package devdb

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
)

// shared is the one provider that all ForTest calls of a test binary share.
// It is process-wide on purpose: many parallel tests share one cluster.
var shared struct {
	once sync.Once
	p    Provider
	err  error
}

func sharedProvider() (Provider, error) {
	shared.once.Do(func() {
		shared.p, shared.err = Open(context.Background(), os.Getenv("SCHEMACTL_TEST_DEV_URL"))
	})
	return shared.p, shared.err
}

// ForTest returns the URL of a fresh, empty database owned by the test t and
// dropped when it ends (t.Cleanup). All tests of a binary share one server:
// the cluster of `schemactl dev start` when it runs, otherwise a private
// local cluster started on first use (SCHEMACTL_TEST_DEV_URL may name a
// postgres:// or docker:// server instead). Call Main from TestMain to stop
// that private cluster when the tests end; without it, the server dies with
// the test process and its directory is swept by the next run.
func ForTest(t testing.TB) string {
	t.Helper()
	p, err := sharedProvider()
	if err != nil {
		t.Fatalf("devdb: %v", err)
	}
	db, err := p.NewDatabase(context.Background())
	if err != nil {
		t.Fatalf("devdb: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(context.Background()); err != nil {
			t.Errorf("devdb: %v", err)
		}
	})
	return db.URL
}

// ProviderForTest returns the provider behind ForTest, for code under test
// that takes more databases itself (a lint run shared between sessions).
// The caller closes the databases it gets.
func ProviderForTest(t testing.TB) Provider {
	t.Helper()
	p, err := sharedProvider()
	if err != nil {
		t.Fatalf("devdb: %v", err)
	}
	return p
}

// Main runs the tests of m and then stops the shared server of ForTest.
// Use it as: func TestMain(m *testing.M) { os.Exit(devdb.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	if shared.p != nil {
		if err := shared.p.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "devdb: %v\n", err)
		}
	}
	return code
}
