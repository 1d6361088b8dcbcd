# larder: make test runs vet and the race-enabled tests; make demo runs the seed
# stories against the embedded server.
GO ?= go

.PHONY: all test bench demo fuzz cover tidy

all: test

test:
	$(GO) mod download
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# Benchmarks: each compares larder with its baseline in the same run.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

demo:
	$(GO) run ./cmd/demo

# A short fuzz of every fuzz target (FUZZTIME each).
FUZZTIME ?= 10s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./jsonapi
	$(GO) test -run '^$$' -fuzz '^FuzzPush$$' -fuzztime $(FUZZTIME) ./store
	$(GO) test -run '^$$' -fuzz '^FuzzCodec$$' -fuzztime $(FUZZTIME) ./attr

cover:
	$(GO) test -count=1 -coverprofile=coverage.out ./...
	$(GO) tool cover -func=coverage.out | tail -1

tidy:
	$(GO) mod tidy
