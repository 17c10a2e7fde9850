# Quick start: `make run` and `make test` (see README.md). Both install missing Debian
# packages first (scripts/install-deps.sh is idempotent), then configure and build.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release
BUNDLE_DIR ?= $(BUILD_DIR)/bundle

.PHONY: all deps configure build run test bundle format clean

all: build

deps:
	./scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The main job on this machine: profile, train, predict and evaluate on the local CPU
# (scripts/main-job.sh, about six minutes on 2 cores after the build).
run: build
	./scripts/main-job.sh $(BUILD_DIR)/nnlat

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# A self-contained x86-64 bundle of nnlat (its own loader, libc, every shared library and the
# OpenCL ICD loader) for a machine with no packages, e.g. a GPU machine (docs/gpu.md).
bundle: build
	./scripts/make-bundle.sh $(BUILD_DIR) $(BUNDLE_DIR) $(BUILD_DIR)/nnlat $(BUILD_DIR)/nnlat-device

format:
	find include src apps tests bench -name '*.hpp' -o -name '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
