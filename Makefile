# Assay: `make run` serves the API on http://127.0.0.1:8000 with demo data (docs at /docs); `make test` runs every test.
SWIFT ?= swift
CONFIG ?= debug

.PHONY: run build test release clean bench fuzz format deploy-check scale-out-test

run: build
	$(SWIFT) run --skip-build -c $(CONFIG) assay serve

build:
	@scripts/install-system-packages.sh
	@scripts/fetch-docs-assets.sh
	$(SWIFT) build -c $(CONFIG) --product assay

test:
	scripts/test.sh

release:
	$(MAKE) build CONFIG=release

clean:
	rm -rf .build

# Rewrites Sources, Tests and Package.swift in the house layout (.swift-format); `make test` lints it.
format:
	$(SWIFT) format format --in-place --parallel --recursive Sources Tests Package.swift

# Benchmarks: release build, throw-away Postgres, wrk and pgbench; results in docs/benchmarks.md.
bench:
	@BENCH_PACKAGES=1 scripts/install-system-packages.sh
	python3 bench/bench.py $(BENCH_ARGS)

# Fuzzing: schemathesis against a live in-memory server, every check, bounded examples (scripts/fuzz.sh).
fuzz:
	scripts/fuzz.sh

# The Docker stack for real (root; installs docker.io, docker-compose, debootstrap when missing; makes local images when
# no image registry is reachable): build, start from nothing, check over HTTPS, down/up, a Postgres outage. Not in CI.
deploy-check:
	python3 scripts/deploy-check.py $(DEPLOY_CHECK_ARGS)

# Three servers behind HAProxy on throw-away Postgres and Redis (also part of `make test`).
scale-out-test: build
	scripts/scale-out-test.sh .build/$(CONFIG)/assay
