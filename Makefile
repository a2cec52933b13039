# The README's two commands: `make demo` and `make test`. Each installs what is
# missing (tools/install-deps.sh), configures, builds, then runs.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
FOLEY := $(BUILD_DIR)/bin/foley

.PHONY: all deps configure build binaries demo test bench fuzz clean

all: build

deps:
	@tools/install-deps.sh

configure: deps
	@cmake --preset default -B $(BUILD_DIR) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Only the four binaries a project build runs (the tests belong to `make test`).
binaries: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target foley foley-gen foley-render foley-gen-client

# Builds the demo project at the repository root (foley.toml + manifests/):
# plan, then ninja, then a summary of the cache.
demo: binaries
	$(FOLEY) build
	$(FOLEY) status
	$(FOLEY) cache stats

test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

bench: build
	@tools/bench/run-all.sh $(BUILD_DIR)

fuzz:
	@tools/install-deps.sh
	@CC=clang CXX=clang++ cmake --preset fuzz -B $(BUILD_DIR)-fuzz >/dev/null
	@cmake --build $(BUILD_DIR)-fuzz -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR) $(BUILD_DIR)-fuzz
