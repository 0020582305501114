package migrations

import (
	"context"
	"os/exec"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

// kratosDir copies the kratos corpus with a fresh atlas.sum.
func kratosDir(b *testing.B) string {
	b.Helper()
	dir := copyDir(b, corpusPath(b, "kratos/migrations"))
	if err := WriteSum(dir); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkHashKratos: computing atlas.sum of the 346 kratos files.
func BenchmarkHashKratos(b *testing.B) {
	dir := kratosDir(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Hash(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplayKratos: reading, checking and splitting the kratos
// directory (Open) and replaying it on a fresh database over one
// connection (Replay). Creating the database is not timed.
func BenchmarkReplayKratos(b *testing.B) {
	dir := kratosDir(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		url := devdb.ForTest(b)
		b.StartTimer()
		d, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		if err := Replay(ctx, url, d.Files...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplayKratosPsqlFloor: the same files through one psql process
// (psql -X -q -v ON_ERROR_STOP=1 -f FILE ... on one connection) on a fresh
// database of the same server.
func BenchmarkReplayKratosPsqlFloor(b *testing.B) {
	dir := kratosDir(b)
	d, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	psql, err := exec.LookPath("psql")
	if err != nil {
		b.Skip("psql not found")
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		args := []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", devdb.ForTest(b)}
		for _, f := range d.Files {
			args = append(args, "-f", f.Path)
		}
		cmd := exec.Command(psql, args...)
		b.StartTimer()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("psql: %v\n%s", err, out)
		}
	}
}
