# Cross build of the device runner for aarch64 (issue 14, `make runner-aarch64`): Debian's
# cross toolchain (g++-aarch64-linux-gnu) brings the C library and libstdc++; XNNPACK,
# pthreadpool, cpuinfo, fmt, the OpenCL ICD loader and the header-only packages come from the
# private sysroot that scripts/aarch64-sysroot.sh unpacks (NNLAT_AARCH64_SYSROOT). Not a full
# sysroot (no libc in it), so CMAKE_SYSROOT stays unset and the search is rooted there instead.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

if(NOT NNLAT_AARCH64_SYSROOT)
  set(NNLAT_AARCH64_SYSROOT "$ENV{NNLAT_AARCH64_SYSROOT}")
endif()
if(NOT IS_DIRECTORY "${NNLAT_AARCH64_SYSROOT}/usr/lib/aarch64-linux-gnu")
  message(FATAL_ERROR "NNLAT_AARCH64_SYSROOT ('${NNLAT_AARCH64_SYSROOT}') holds no arm64 libraries: "
                      "run scripts/aarch64-sysroot.sh DIR first (make runner-aarch64 does)")
endif()
# Try-compiles see the same variable.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES NNLAT_AARCH64_SYSROOT)

set(CMAKE_FIND_ROOT_PATH "${NNLAT_AARCH64_SYSROOT}" /usr/aarch64-linux-gnu)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config (cpuinfo) reads the sysroot's .pc files and prefixes their paths with it.
set(ENV{PKG_CONFIG_LIBDIR} "${NNLAT_AARCH64_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${NNLAT_AARCH64_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${NNLAT_AARCH64_SYSROOT}")

# The libraries' own dependencies (libXNNPACK.so needs libcpuinfo.so.0) are resolved by the
# linker from the sysroot.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,${NNLAT_AARCH64_SYSROOT}/usr/lib/aarch64-linux-gnu")
