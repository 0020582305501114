# schemactl developer targets. `make test` is what CI runs (see .ci/run).
GO       ?= go
BIN      ?= bin/schemactl
PKGS     ?= ./...
BENCHTIME ?= 5x

.PHONY: build test bench lint fmt create-migrations check-migrations clean

build:
	$(GO) build -o $(BIN) ./cmd/schemactl

test:
	$(GO) test -count=1 -timeout 15m $(PKGS)

# Every benchmark comes with a floor measured in the same run; the script
# prints each figure beside its floor and the ratio.
bench:
	BENCHTIME=$(BENCHTIME) bash scripts/bench.sh $(PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

create-migrations: build
	@echo "create-migrations: not yet (needs schemactl migrate diff)"

check-migrations: build
	@echo "check-migrations: not yet (needs schemactl check)"

clean:
	rm -rf bin .bench
