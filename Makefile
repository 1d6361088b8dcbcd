# larder: make test runs vet, staticcheck and the race-enabled tests; make demo
# runs the seed stories against the embedded server.
GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all test lint apicheck api-baseline bench bench-scale demo fuzz cover tidy redis

all: test

test: lint apicheck redis
	LARDER_REQUIRE_REDIS=1 $(GO) test -race -count=1 ./...

# The fan-out tests start a real redis-server on a loopback port; install it
# from Debian's package when it is missing (as root, or with sudo).
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
		echo "installing redis-server from Debian's package"; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >/dev/null 2>&1 || \
		{ $$SUDO apt-get update >/dev/null && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >/dev/null; }; }
	@command -v redis-server >/dev/null 2>&1 || { echo "redis-server could not be installed"; exit 1; }

# gofmt, vet and staticcheck, at zero findings.
lint:
	$(GO) mod download
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# API stability: apidiff compares the public API with the baseline kept in
# api/ (the API of v0.1.0; see the README's versioning policy) and fails on
# any incompatible change. api-baseline rewrites the baseline, for a release
# that changes the API on purpose.
APIDIFF ?= golang.org/x/exp/cmd/apidiff@v0.0.0-20261014143641-f0251eb4aa3e
API_BASELINE ?= api/baseline.export
MODULE := github.com/larder-go/larder
apicheck:
	@out="$$($(GO) run $(APIDIFF) -m -incompatible $(API_BASELINE) $(MODULE) 2>/dev/null)" || { $(GO) run $(APIDIFF) -m -incompatible $(API_BASELINE) $(MODULE); exit 1; }; \
	if [ -n "$$out" ]; then echo "apicheck: incompatible changes against $(API_BASELINE):"; echo "$$out"; exit 1; fi; \
	echo "apicheck: no incompatible change against $(API_BASELINE)"

api-baseline:
	$(GO) run $(APIDIFF) -m -w $(API_BASELINE) $(MODULE)

# Benchmarks: each compares larder with its baseline in the same run. The
# scale benchmarks fill stores of 1k, 100k and 1M albums (about 1 GiB and a
# minute for the 1M case); BENCHFLAGS=-short skips 1M.
BENCHFLAGS ?=
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(BENCHFLAGS) ./...

demo:
	$(GO) run ./cmd/demo

# A short fuzz of every fuzz target (FUZZTIME each).
FUZZTIME ?= 10s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./jsonapi
	$(GO) test -run '^$$' -fuzz '^FuzzPush$$' -fuzztime $(FUZZTIME) ./store
	$(GO) test -run '^$$' -fuzz '^FuzzSaveResponse$$' -fuzztime $(FUZZTIME) ./store
	$(GO) test -run '^$$' -fuzz '^FuzzDeleteResponse$$' -fuzztime $(FUZZTIME) ./store
	$(GO) test -run '^$$' -fuzz '^FuzzRelatedLink$$' -fuzztime $(FUZZTIME) ./store
	$(GO) test -run '^$$' -fuzz '^FuzzApplyDocument$$' -fuzztime $(FUZZTIME) ./store
	$(GO) test -run '^$$' -fuzz '^FuzzCodec$$' -fuzztime $(FUZZTIME) ./attr
	$(GO) test -run '^$$' -fuzz '^FuzzExactInteger$$' -fuzztime $(FUZZTIME) ./attr
	$(GO) test -run '^$$' -fuzz '^FuzzREST$$' -fuzztime $(FUZZTIME) ./serializers
	$(GO) test -run '^$$' -fuzz '^FuzzErrorHash$$' -fuzztime $(FUZZTIME) ./serializers
	$(GO) test -run '^$$' -fuzz '^FuzzEmbedded$$' -fuzztime $(FUZZTIME) ./serializers
	$(GO) test -run '^$$' -fuzz '^FuzzJSONAPISerializer$$' -fuzztime $(FUZZTIME) ./serializers
	$(GO) test -run '^$$' -fuzz '^FuzzAdapterRoute$$' -fuzztime $(FUZZTIME) ./adapters
	$(GO) test -run '^$$' -fuzz '^FuzzReaders$$' -fuzztime $(FUZZTIME) ./internal/gen
	$(GO) test -run '^$$' -fuzz '^FuzzPushDocument$$' -fuzztime $(FUZZTIME) ./store
	$(GO) test -run '^$$' -fuzz '^FuzzHandler$$' -fuzztime $(FUZZTIME) ./inspect
	$(GO) test -run '^$$' -fuzz '^FuzzReceive$$' -fuzztime $(FUZZTIME) ./fanout
	$(GO) test -run '^$$' -fuzz '^FuzzSource$$' -fuzztime $(FUZZTIME) ./stream
	$(GO) test -run '^$$' -fuzz '^FuzzParser$$' -fuzztime $(FUZZTIME) ./stream

cover:
	$(GO) test -count=1 -coverprofile=coverage.out ./...
	$(GO) tool cover -func=coverage.out | tail -1

tidy:
	$(GO) mod tidy
