# strata — developer and CI entry points. `make help` lists them.

GO            ?= go
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The Consul binary integration tests run against; built once and cached
# outside the repository by scripts/consul.sh.
CONSUL_BIN     = $(shell scripts/consul.sh)
PKGS          := ./...
# Modules of their own (so their dependencies stay out of the library's
# go.mod); tested and vetted alongside it.
SUBMODULES    := examples/prometheus bench provider/etcd

# How long `make fuzz` runs each fuzz target, and how long it may spend
# shrinking one input. go test's default, 60s, spends most of a short run
# shrinking new inputs: FuzzYAML ran 3,200 inputs in 30s and missed a
# crasher it finds in seconds with 1s.
FUZZTIME      ?= 30s
FUZZMINIMIZETIME ?= 1s

.PHONY: help test test-short demo quickstart lint consul bench cover fuzz reliability mutate

help:
	@echo "make demo       run the demo: a service on layered config (file + Consul + env) reloading live"
	@echo "make quickstart run the quick-start HTTP service (file + env, no Consul)"
	@echo "make test       run every test with the race detector, against a real Consul, and print coverage"
	@echo "make lint       gofmt, go vet, staticcheck"
	@echo "make fuzz       run every fuzz target for FUZZTIME each (default 30s), one after another"
	@echo "make consul     build (once) and print the path of the pinned Consul binary"
	@echo "make bench      run the benchmarks against koanf and viper and regenerate BENCHMARKS.md"
	@echo "make reliability run the fault and bad-input tests and regenerate RELIABILITY.md"
	@echo "make mutate     mutation testing (gremlins) of every package that needs no Consul; slow, see MUTATION.md"

consul:
	@scripts/consul.sh

# Every package, race detector on, against real Consul agents. CI=1 turns a
# missing Consul binary into a failure instead of a skip.
test:
	@bin="$$(scripts/consul.sh)" && \
	STRATA_CONSUL_BIN="$$bin" $(GO) test -race -count=1 -timeout 25m -coverprofile=coverage.out $(PKGS) && \
	$(GO) tool cover -func=coverage.out | tail -1
	@for m in $(SUBMODULES); do (cd $$m && $(GO) test -race -count=1 ./...) || exit 1; done

test-short:
	$(GO) test -race -short -count=1 $(PKGS)

cover: test
	$(GO) tool cover -html=coverage.out -o coverage.html

lint:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)
	@for m in $(SUBMODULES); do (cd $$m && $(GO) vet ./...) || exit 1; done

demo:
	@bin="$$(scripts/consul.sh)" && STRATA_CONSUL_BIN="$$bin" $(GO) run ./examples/consul-reload -demo

quickstart:
	cd examples/quickstart && $(GO) run .

bench:
	@bin="$$(scripts/consul.sh)" && cd bench && STRATA_CONSUL_BIN="$$bin" $(GO) run ./cmd/report

# Every FuzzXxx in the repository, found by name so that a new one is never
# left out, run one after another for FUZZTIME each; the first crasher
# stops the run (go test saves it under the package's testdata/fuzz). Each
# runs from its own directory, so targets in nested modules work too.
fuzz:
	@set -e; for f in $$(git grep -l '^func Fuzz' -- '*_test.go'); do \
		d=$$(dirname $$f); \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "== $$d $$name ($(FUZZTIME))"; \
			(cd $$d && $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) .); \
		done; \
	done

# The fault and bad-input tests, timing ones several times, aggregated into
# RELIABILITY.md from what they record (internal/reliability).
reliability:
	@bin="$$(scripts/consul.sh)" && STRATA_CONSUL_BIN="$$bin" $(GO) run ./internal/reliability/cmd/report

# Mutation testing (MUTATION.md): gremlins on every package that needs no
# Consul, one package and one worker at a time, because it is slow and the
# machine is shared; not run in CI. `make mutate MUTATE_PKGS=reload` runs one.
# `--exclude-files /` keeps each run to its own package (files in
# subdirectories are other packages). STRATA_CONSUL_BIN names a binary that
# does not exist and CI is unset, so the Consul tests (root package) skip
# instead of failing or starting agents; GOFLAGS=-short shortens the rest,
# and -count=1 keeps gremlins' timed coverage run (its timeout base) out of
# the test cache.
GREMLINS      := github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
MUTATE_PKGS   ?= reload provider provider/env provider/file provider/koanflayer provider/memory provider/providertest validate decoder internal/decode internal/keys internal/fielderr .

mutate:
	@for p in $(MUTATE_PKGS); do \
		echo "== gremlins ./$$p"; \
		env -u CI STRATA_CONSUL_BIN=/nonexistent/consul GOFLAGS="-short -count=1" \
			$(GO) run $(GREMLINS) unleash --workers 1 --timeout-coefficient 15 --exclude-files / ./$$p || exit 1; \
	done
