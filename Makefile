# schemactl developer targets. `make test` is what CI runs (see .ci/run).
GO       ?= go
BIN      ?= bin/schemactl
PKGS     ?= ./...
BENCHTIME ?= 5x
FUZZTIME ?= 10s

.PHONY: build test chaos bench lint fmt create-migrations check-migrations erd render-tools clean

build:
	$(GO) build -o $(BIN) ./cmd/schemactl

test:
	$(GO) test -count=1 -timeout 15m $(PKGS)

# The long form of the chaos test: CHAOS_KILLS SIGKILLs of `migrate apply`
# on the kratos history (serial, then with 8 concurrent appliers).
CHAOS_KILLS ?= 1000
chaos:
	bash -o pipefail -c "SCHEMACTL_CHAOS_KILLS=$(CHAOS_KILLS) $(GO) test -count=1 -timeout 60m -run TestChaos -v ./cmd/schemactl/ | grep -Ev '^ *(=== RUN|--- PASS: TestChaosApplyKratos/[a-z]+/round)'"

# Every benchmark comes with a floor measured in the same run; the script
# prints each figure beside its floor and the ratio.
bench:
	BENCHTIME=$(BENCHTIME) bash scripts/bench.sh $(PKGS)

# Every fuzz target for FUZZTIME each (make fuzz FUZZTIME=1m).
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

# The bundled example (env "example" of atlas.hcl): write the migration
# that takes example/migrations to example/schema.sql, and check that the
# directory is intact, replays and is in sync.
create-migrations: build
	$(BIN) migrate diff --env example

check-migrations: build
	$(BIN) check --env example

# The ER diagram of the bundled example that the README shows: the dot of
# `schema inspect --format dot`, drawn by Graphviz (make render-tools).
erd: build
	bash -o pipefail -c '$(BIN) schema inspect --url file://example/schema.sql --format dot | dot -Tsvg > example/erd.svg.tmp'
	mv example/erd.svg.tmp example/erd.svg

# Graphviz, Chromium and the pinned Mermaid CLI of the rendering tests.
render-tools:
	bash scripts/install-render-tools.sh

clean:
	rm -rf bin .bench
