// Command gen-large-schema writes the large benchmark schema of package
// bigschema: old.sql (the schema) and new.sql (its changed version) into a
// directory.
//
//	go run ./internal/bigschema/cmd/gen-large-schema -scale 1 -seed 1 -out /tmp/large
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/schemactl/schemactl/internal/bigschema"
)

func main() {
	scale := flag.Float64("scale", 1, "multiplies every object count (1: 1,500 tables)")
	seed := flag.Uint64("seed", 1, "pseudo-random seed")
	out := flag.String("out", ".", "directory to write old.sql and new.sql into")
	flag.Parse()
	if err := write(bigschema.Options{Scale: *scale, Seed: *seed}, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen-large-schema:", err)
		os.Exit(1)
	}
}

func write(o bigschema.Options, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	oldSQL, newSQL := bigschema.Generate(o)
	for name, text := range map[string]string{"old.sql": oldSQL, "new.sql": newSQL} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	c := bigschema.Count(o)
	fmt.Printf("%+v\n", c)
	return nil
}
