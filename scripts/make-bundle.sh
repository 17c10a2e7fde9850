#!/usr/bin/env bash
# Builds a self-contained bundle of nnlat (or of other binaries of the same build) that runs
# on any Linux of the same architecture with no packages installed, whatever glibc is there
# (issue 13: the GPU campaign on a data-centre machine; the nnlat-device runner bundle of the
# remote-device work reuses this recipe for aarch64).
#
#   OUT_DIR/NAME          a /bin/sh wrapper per binary: starts the bundled loader on bin/NAME
#   OUT_DIR/bin/NAME      the real binaries, unchanged
#   OUT_DIR/lib/          every shared library they need, glibc's loader and libc included,
#                         and the OpenCL ICD loader (libOpenCL.so.1)
#   OUT_DIR/README.txt    how to run it and how to point OpenCL at a vendor driver
#
# Usage: scripts/make-bundle.sh BUILD_DIR [OUT_DIR] [BINARY...]
#   OUT_DIR defaults to BUILD_DIR/bundle (emptied first); BINARY defaults to BUILD_DIR/nnlat.
#   LOADER=path overrides the dynamic loader used to resolve the libraries (default: the
#   binaries' own PT_INTERP). For another architecture's binaries (make runner-aarch64):
#   LOADER_EXEC=qemu-aarch64-static runs the loader under qemu-user (no binfmt needed) and
#   RESOLVE_PATH=DIR:DIR is where it finds their libraries (a cross sysroot is not on the
#   loader's default path).
#
# Why the loader is started explicitly instead of patching PT_INTERP or setting RPATH: the
# interpreter path must be absolute, and LD_LIBRARY_PATH would leak the bundle's libc into
# every child process (a shell, a vendor driver's helper). `ld.so --library-path` affects only
# the one program. nnlat reads no data files at run time (fusion rules and OpenCL kernels are
# compiled in) and never looks up /proc/self/exe, which would name the loader here.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [OUT_DIR] [BINARY...]" >&2
  exit 2
fi
BUILD_DIR=$1
OUT_DIR=${2:-$BUILD_DIR/bundle}
shift $(($# < 2 ? $# : 2))
if [ $# -gt 0 ]; then
  BINARIES=("$@")
else
  BINARIES=("$BUILD_DIR/nnlat")
fi

for bin in "${BINARIES[@]}"; do
  [ -x "$bin" ] || { echo "make-bundle: $bin is not an executable (build first: make build)" >&2; exit 1; }
done

# The loader every binary asks for (PT_INTERP), read from the ELF header with od: readelf
# (binutils) need not be installed where this runs.
interp_of() {
  # e_phoff (8 bytes at 32), e_phentsize (2 at 54), e_phnum (2 at 56); PT_INTERP = 3, its
  # p_offset at 8 and p_filesz at 32 inside a 64-bit program header.
  local f=$1 phoff phentsize phnum i base type off size
  read_u() { od -An -t "u$2" -j "$1" -N "$2" "$f" | tr -d ' '; }
  [ "$(od -An -c -j 4 -N 1 "$f" | tr -d ' ')" = 002 ] || { echo "make-bundle: $f is not a 64-bit ELF" >&2; return 1; }
  phoff=$(read_u 32 8)
  phentsize=$(read_u 54 2)
  phnum=$(read_u 56 2)
  for ((i = 0; i < phnum; i++)); do
    base=$((phoff + i * phentsize))
    type=$(read_u "$base" 4)
    if [ "$type" = 3 ]; then
      off=$(read_u $((base + 8)) 8)
      size=$(read_u $((base + 32)) 8)
      # The string is NUL-terminated inside p_filesz.
      dd if="$f" bs=1 skip="$off" count=$((size - 1)) status=none
      return 0
    fi
  done
  echo "make-bundle: $f has no program interpreter (a static binary needs no bundle)" >&2
  return 1
}

if [ -z "${LOADER:-}" ]; then
  LOADER=$(interp_of "${BINARIES[0]}")
  for bin in "${BINARIES[@]}"; do
    # One loader and one lib/ serve every binary of the bundle.
    [ "$(interp_of "$bin")" = "$LOADER" ] || { echo "make-bundle: $bin asks for another loader than $LOADER" >&2; exit 1; }
  done
fi
LOADER_NAME=$(basename "$LOADER")

# OUT_DIR is emptied: refuse a folder that holds something other than an earlier bundle (a
# mistyped argument such as the build folder itself).
if [ -d "$OUT_DIR" ] && [ -n "$(ls -A "$OUT_DIR")" ] &&
  ! { [ -f "$OUT_DIR/README.txt" ] && [ -d "$OUT_DIR/lib" ]; }; then
  echo "make-bundle: $OUT_DIR is not empty and holds no earlier bundle; not overwriting it" >&2
  exit 1
fi
rm -rf "$OUT_DIR"
mkdir -p "$OUT_DIR/bin" "$OUT_DIR/lib"

# The loader's own --list gives every object it maps, transitively and as it would resolve
# them (what `ldd` prints, without needing ldd, a bash script of another package). Lines:
#   libfoo.so.1 => /usr/lib/x86_64-linux-gnu/libfoo.so.1 (0x...)
#   /lib64/ld-linux-x86-64.so.2 (0x...)          the loader itself
#   linux-vdso.so.1 (0x...)                      the kernel's, nothing to copy
# Each library is copied under its needed name (the soname the binaries ask for), following
# symlinks, so the bundle holds plain files only.
copy_libs_of() {
  local bin=$1 listing line name path
  local resolve=()
  [ -z "${RESOLVE_PATH:-}" ] || resolve=(--library-path "$RESOLVE_PATH")
  # shellcheck disable=SC2086 # LOADER_EXEC is a command prefix, split on purpose
  if ! listing=$(env -u LD_LIBRARY_PATH -u LD_PRELOAD ${LOADER_EXEC:-} "$LOADER" "${resolve[@]}" --list "$bin" 2>&1); then
    echo "make-bundle: $LOADER --list $bin failed:" >&2
    echo "$listing" >&2
    return 1
  fi
  while IFS= read -r line; do
    line=${line#"${line%%[![:space:]]*}"}
    case $line in
      *"=> not found"*)
        echo "make-bundle: $bin needs ${line%% *}, which is not found here" >&2
        return 1
        ;;
      *" => "*)
        name=$(basename "${line%% => *}") # the loader lists itself by its path under qemu
        path=${line#* => }
        path=${path% (0x*}
        ;;
      /*)
        path=${line% (0x*}
        name=$(basename "$path")
        ;;
      *) continue ;; # linux-vdso.so.1, statically linked, ...
    esac
    [ -e "$OUT_DIR/lib/$name" ] || cp -L "$path" "$OUT_DIR/lib/$name"
  done <<<"$listing"
}

for bin in "${BINARIES[@]}"; do
  copy_libs_of "$bin"
  cp -L "$bin" "$OUT_DIR/bin/"
done
# The loader under its own name, whatever the binaries' lists called it.
[ -e "$OUT_DIR/lib/$LOADER_NAME" ] || cp -L "$LOADER" "$OUT_DIR/lib/$LOADER_NAME"
chmod 755 "$OUT_DIR/lib/$LOADER_NAME"

# One wrapper per binary. POSIX sh (any Linux has /bin/sh; bash need not be there).
# NNLAT_OPENCL_LIB=/path/libvendor-opencl.so points the bundled ICD loader (ocl-icd) at one
# vendor driver without registering it in /etc/OpenCL/vendors: ocl-icd loads a library given
# by path in OCL_ICD_VENDORS directly (libOpenCL(7)), so no .icd file or temp folder is needed.
# The host's ld.so.cache stays enabled: the bundle's lib/ comes first anyway, and a vendor
# driver's own dependencies (libnvidia-*) may live where only the cache knows them.
for bin in "${BINARIES[@]}"; do
  name=$(basename "$bin")
  cat >"$OUT_DIR/$name" <<EOF
#!/bin/sh
# Runs bin/$name with the bundle's own loader and libraries (scripts/make-bundle.sh).
# The bundle's folder, through symlinks where readlink exists (shell built-ins otherwise).
SELF=\$(readlink -f "\$0" 2>/dev/null) || SELF=\$0
case \$SELF in */*) DIR=\${SELF%/*} ;; *) DIR=. ;; esac
DIR=\$(cd "\$DIR" && pwd)
if [ -n "\${NNLAT_OPENCL_LIB:-}" ]; then
  OCL_ICD_VENDORS=\$NNLAT_OPENCL_LIB
  export OCL_ICD_VENDORS
fi
# --argv0 (glibc >= 2.33, the bundled loader's): the program sees the wrapper as its name.
exec "\$DIR/lib/$LOADER_NAME" --library-path "\$DIR/lib" --argv0 "\$0" "\$DIR/bin/$name" "\$@"
EOF
  chmod 755 "$OUT_DIR/$name"
done

first=$(basename "${BINARIES[0]}")
# The binaries' architecture from the ELF header's e_machine (2 bytes at 18), for the README.
case $(od -An -t u2 -j 18 -N 2 "${BINARIES[0]}" | tr -d ' ') in
  62) ARCH=x86-64 ;;
  183) ARCH=aarch64 ;;
  *) ARCH=$(uname -m) ;;
esac
cat >"$OUT_DIR/README.txt" <<EOF
Self-contained bundle of $(basename -a "${BINARIES[@]}" | tr '\n' ' ')(made by scripts/make-bundle.sh).

It carries its own dynamic loader ($LOADER_NAME), C library and every other shared
library the programs need, so it runs on any $ARCH Linux with no packages installed,
whatever C library is there (an aarch64 bundle also runs in an Android adb shell).
Copy the whole folder anywhere and run the wrappers:

  ./$first --help

(the real binaries are in bin/ and need the loader: start them through the wrappers, or as
  lib/$LOADER_NAME --library-path lib bin/$first ARGS).

OpenCL: lib/libOpenCL.so.1 is the ICD loader (ocl-icd); it finds vendor drivers through
/etc/OpenCL/vendors/*.icd. A driver that is not registered there (e.g. the NVIDIA one at
/usr/lib/libnvidia-opencl.so on a machine without the OpenCL packages):

  NNLAT_OPENCL_LIB=/usr/lib/libnvidia-opencl.so ./$first ...

or, the same by hand, a folder holding an .icd file that names the library:

  mkdir -p /tmp/icd && echo /usr/lib/libnvidia-opencl.so > /tmp/icd/nvidia.icd
  OCL_ICD_VENDORS=/tmp/icd ./$first ...

EOF
if [ -x "$OUT_DIR/nnlat" ]; then
  cat >>"$OUT_DIR/README.txt" <<EOF
The GPU campaign (scripts/gpu-campaign.sh in the source tree, bash only) runs from here:

  NNLAT_OPENCL_LIB=/usr/lib/libnvidia-opencl.so NNLAT=path/to/this/folder/nnlat bash gpu-campaign.sh
EOF
fi

echo "make-bundle: $OUT_DIR ($(find "$OUT_DIR/lib" -type f | wc -l) files in lib/, $(du -sh "$OUT_DIR" | cut -f1)); run $OUT_DIR/$first"
