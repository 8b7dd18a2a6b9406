# opsbot: the two commands of the quick start, and a few helpers.
#   make demo   install dependencies, build, run the bot against the built-in Slack simulator
#   make test   install dependencies, build, start a throwaway PostgreSQL, run the test suite
BUILD_DIR ?= build
# Debug compiles fastest on 2 cores; the benchmark gets its own optimised build (make bench).
BUILD_TYPE ?= Debug
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# ccache (when installed) shares compiled objects between checkouts in different folders.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true

.PHONY: all deps build demo test test-unit release package bench sanitize fuzz clean

all: build

deps:
	@bash scripts/install-deps

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	$(BUILD_DIR)/opsbot demo

test: build
	bash scripts/run-tests $(BUILD_DIR)

test-unit: build
	ctest --test-dir $(BUILD_DIR) -L unit -j $(JOBS) --output-on-failure

# The optimised build to run in production (build-release/opsbot) and to measure: make bench.
release: deps
	cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPSBOT_TESTS=OFF
	cmake --build build-release -j $(JOBS) --target opsbot

# The Debian package of that build: build-release/opsbot_<version>_<arch>.deb (packaging/, README "Installing the
# package"). The Maintainer field is a cached setting: cmake -B build-release -DOPSBOT_PACKAGE_MAINTAINER='Name <email>'
package: release
	cd build-release && cpack -G DEB

bench: release
	cmake --build build-release -j $(JOBS) --target ack_latency starvation storage_backends replicas
	build-release/bench/ack_latency
	build-release/bench/starvation
	bench/with-postgres build-release/bench/storage_backends
	bench/with-postgres build-release/bench/replicas

# The suite under AddressSanitizer + UndefinedBehaviorSanitizer, in its own build directory.
sanitize: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOPSBOT_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	bash scripts/run-tests build-asan

# libFuzzer on every parser of outside input (fuzz/README.md): its own build directory (build-fuzz, clang++-16),
# each harness FUZZ_SECONDS (default 60); FUZZ_MERGE=1 merges new inputs into fuzz/corpus/. make test replays the corpus.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) bash scripts/run-fuzz

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz
