# Quick start: `make run` and `make test` (see README.md). Both install missing Debian
# packages first (scripts/install-deps.sh is idempotent), then configure and build.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release
BUNDLE_DIR ?= $(BUILD_DIR)/bundle
# The aarch64 device runner: its own build folder, sysroot and bundle (docs/remote.md).
AARCH64_DIR ?= build-aarch64

# The clang build of the fuzz targets and the sanitizer tests (cmake/fuzz.cmake,
# docs/reliability.md): every layer with ASan + UBSan and libFuzzer's coverage, -O1 with line
# tables, assertions on.
FUZZ_DIR ?= build-fuzz
FUZZ_CXX ?= clang++-14
FUZZ_SANITIZERS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SECONDS ?= 20

.PHONY: all deps configure build run test bundle runner-aarch64 format clean fuzz-configure fuzz test-sanitize

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

# The suite runs the aarch64 runner bundle under qemu-user, so it is built first.
test: build runner-aarch64
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# A self-contained x86-64 bundle of nnlat (its own loader, libc, every shared library and the
# OpenCL ICD loader) for a machine with no packages, e.g. a GPU machine (docs/gpu.md).
bundle: build
	./scripts/make-bundle.sh $(BUILD_DIR) $(BUNDLE_DIR) $(BUILD_DIR)/nnlat $(BUILD_DIR)/nnlat-device

# The device runner cross-built for aarch64 (phones, ARM boards) with Debian's cross toolchain
# against Debian's arm64 XNNPACK, unpacked into a private sysroot (scripts/aarch64-sysroot.sh),
# then bundled with its libraries and glibc's loader: $(AARCH64_DIR)/bundle/nnlat-device.
runner-aarch64: deps
	./scripts/aarch64-sysroot.sh $(AARCH64_DIR)/sysroot
	cmake -S . -B $(AARCH64_DIR)/build -DNNLAT_RUNNER_ONLY=ON \
	  -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/aarch64-toolchain.cmake \
	  -DNNLAT_AARCH64_SYSROOT=$(abspath $(AARCH64_DIR))/sysroot $(CMAKE_FLAGS)
	cmake --build $(AARCH64_DIR)/build -j $(JOBS) --target nnlat-device
	LOADER=/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 LOADER_EXEC=qemu-aarch64-static \
	  RESOLVE_PATH=$(abspath $(AARCH64_DIR))/sysroot/usr/lib/aarch64-linux-gnu:/usr/aarch64-linux-gnu/lib \
	  ./scripts/make-bundle.sh $(AARCH64_DIR)/build $(AARCH64_DIR)/bundle $(AARCH64_DIR)/build/nnlat-device

fuzz-configure:
	./scripts/install-deps.sh --fuzz
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) -DCMAKE_BUILD_TYPE=Fuzz \
	  -DCMAKE_CXX_FLAGS_FUZZ="-O1 -gline-tables-only $(FUZZ_SANITIZERS) -fsanitize=fuzzer-no-link" \
	  -DNNLAT_FUZZ=ON -DNNLAT_BUILD_TESTS=OFF -DNNLAT_BUILD_BENCH=OFF -DNNLAT_BUILD_PYTHON=OFF -DNNLAT_WERROR=OFF

# The libFuzzer targets: $(FUZZ_DIR)/fuzz_KIND; scripts/fuzz.sh SECONDS runs each.
fuzz: fuzz-configure
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target nnlat_fuzz_targets

# The sanitizer job of CI (.ci/run runs it after `make test`): the readers' and the store's
# unit tests under ASan + UBSan, then each fuzz target for FUZZ_SECONDS from its seed corpus,
# as many side by side as there are cores (crashes kept as regression files).
test-sanitize: fuzz
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target nnlat_sanitize_tests
	ctest --test-dir $(FUZZ_DIR) -L sanitize --output-on-failure -j $(JOBS)
	FUZZ_DIR=$(FUZZ_DIR) FUZZ_JOBS=$(JOBS) ./scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	find include src apps tests bench fuzz -name '*.hpp' -o -name '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
