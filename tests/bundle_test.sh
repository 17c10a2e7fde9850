#!/usr/bin/env bash
# `make bundle` (scripts/make-bundle.sh), tested the way a machine with no packages would use
# it (issue 13). CTest runs it with label `bundle`:
#   tests/bundle_test.sh scripts/make-bundle.sh build/nnlat
# Checks:
#   a. every object the bundled nnlat loads resolves inside the bundle, its own loader and C
#      library included (the bundled loader's --list with --library-path = the bundle only),
#      and a control: the same check fails on a copy of the bundle missing libstdc++.so.6;
#   b. with the system's library folders hidden (a private mount namespace with an empty tmpfs
#      over /usr/lib, /usr/lib64, /usr/local/lib, ...: /lib and /lib64 are symlinks into /usr
#      on Debian 12, and a real folder is hidden too), the bundle runs `nnlat devices` and a
#      small profile from another folder;
#   c. the wrapper script runs from another folder, and NNLAT_OPENCL_LIB points OpenCL at one
#      vendor library (pocl, where installed).
# Hiding needs `unshare --mount` (root with CAP_SYS_ADMIN) or `unshare --mount
# --map-root-user` (user namespaces). Where neither is permitted (a container without those
# capabilities), (b) runs without hiding, with --inhibit-cache and no LD_LIBRARY_PATH, and
# says so: (a) still proves that nothing is taken from outside the bundle.
set -euo pipefail

MAKE_BUNDLE=$(realpath "$1")
NNLAT_BIN=$(realpath "$2")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
B=$TMP/bundle
W=$TMP/elsewhere # the "other folder" the bundle runs from
mkdir -p "$W"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

"$MAKE_BUNDLE" "$(dirname "$NNLAT_BIN")" "$B" "$NNLAT_BIN"
LOADER=$(find "$B/lib" -maxdepth 1 -name 'ld-linux-*.so.*' -printf '%f\n' | head -1)
[ -n "$LOADER" ] || fail "no ld-linux loader in $B/lib"
for f in "$LOADER" libc.so.6 libOpenCL.so.1; do
  [ -f "$B/lib/$f" ] || fail "$f missing from the bundle"
done
if ! [ -x "$B/nnlat" ] || ! [ -x "$B/bin/nnlat" ] || ! [ -f "$B/README.txt" ]; then
  fail "wrapper, bin/nnlat or README.txt missing"
fi

# check_list BUNDLE LISTING_FILE: every resolved object is a file under BUNDLE/lib.
check_list() {
  local bundle=$1 listing=$2 line path bad=0 n=0
  while IFS= read -r line; do
    line=${line#"${line%%[![:space:]]*}"}
    case $line in
      *"not found"*) echo "  not found in the bundle: $line" >&2; bad=1; continue ;;
      *" => "*) path=${line#* => } ;;
      /*) path=$line ;;
      *) continue ;; # linux-vdso.so.1: the kernel's
    esac
    path=${path% (0x*}
    n=$((n + 1))
    case $path in
      "$bundle"/lib/*) ;;
      *) echo "  resolved outside the bundle: $line" >&2; bad=1 ;;
    esac
  done <"$listing"
  [ "$n" -gt 3 ] || { echo "  suspiciously short list:" >&2; cat "$listing" >&2; bad=1; }
  grep -q "libc.so.6 => $bundle/lib/libc.so.6" "$listing" || { echo "  libc not the bundle's" >&2; bad=1; }
  grep -q "=> $bundle/lib/$LOADER" "$listing" || { echo "  loader not the bundle's" >&2; bad=1; }
  return "$bad"
}
list_of() { # list_of BUNDLE: the bundled loader's view, nothing but the bundle on its path
  env -u LD_LIBRARY_PATH -u LD_PRELOAD "$1/lib/$LOADER" --inhibit-cache --library-path "$1/lib" --list \
    "$1/bin/nnlat" 2>&1 || true
}

echo "== a. every library resolves inside the bundle"
list_of "$B" >"$TMP/list.txt"
check_list "$B" "$TMP/list.txt" || { cat "$TMP/list.txt" >&2; fail "the bundle is not self-contained"; }
echo "   $(grep -c '=>' "$TMP/list.txt") objects, all in the bundle"
# The control: the check must notice a missing library (hard links: no copy of 100 MB).
cp -al "$B" "$TMP/broken"
rm "$TMP/broken/lib/libstdc++.so.6"
list_of "$TMP/broken" >"$TMP/list-broken.txt"
if check_list "$TMP/broken" "$TMP/list-broken.txt" 2>/dev/null; then
  fail "control: a bundle without libstdc++.so.6 passed the check"
fi
echo "   control: a bundle without libstdc++.so.6 fails it"

# The runs of (b), as one POSIX sh script: once the library folders are hidden, no program of
# the system starts (not even mount or grep: they need the hidden libc), so sh (already
# loaded) only runs the bundle and writes files that are checked outside afterwards. The
# mounts are done by a second bundle of this machine's `mount` (make-bundle.sh again), which
# keeps working after the first folder is hidden.
cat >"$TMP/runs.sh" <<'EOF'
# runs.sh MODE TOOLS BUNDLE LOADER WORKDIR HIDE_DIR...
mode=$1 T=$2 B=$3 LOADER=$4 W=$5
shift 5
if [ "$mode" = hidden ]; then
  for d in "$@"; do
    "$T/lib/$LOADER" --library-path "$T/lib" "$T/bin/mount" -t tmpfs -o size=1m,mode=755 nnlat-hidden "$d" ||
      { echo "mount over $d failed" >"$W/hide-error.txt"; exit 3; }
  done
  # Proof that the hiding holds: the system's libc is gone (test is a builtin).
  if [ -e /usr/lib/x86_64-linux-gnu/libc.so.6 ] || [ -e /lib/x86_64-linux-gnu/libc.so.6 ] ||
    [ -e /usr/lib/aarch64-linux-gnu/libc.so.6 ]; then
    echo "the system libc is still visible" >"$W/hide-error.txt"
    exit 3
  fi
  set -- --library-path "$B/lib"
else
  set -- --inhibit-cache --library-path "$B/lib"
fi
cd "$W" || exit 3
"$B/lib/$LOADER" "$@" --list "$B/bin/nnlat" >list.txt 2>&1
echo $? >list.rc
"$B/lib/$LOADER" "$@" "$B/bin/nnlat" devices >devices.txt 2>&1
echo $? >devices.rc
"$B/lib/$LOADER" "$@" "$B/bin/nnlat" profile networks --target local:xnnpack-t1:float --db x.db --quiet \
  --warmup 0 --min-repeats 2 --min-time 0 --max-remeasure 0 'zoo:mobilenet_v2?width=0.35&res=32' >profile.txt 2>&1
echo $? >profile.rc
EOF

# The folders to hide: every real folder behind the loader's default paths and the usual
# library roots, deepest duplicates dropped (/lib -> /usr/lib on Debian 12).
hide_dirs() {
  local d r out=()
  for d in /usr/local/lib /usr/local/lib64 /lib32 /libx32 /usr/lib32 /usr/libx32 /lib64 /usr/lib64 /lib /usr/lib; do
    [ -d "$d" ] || continue
    r=$(realpath "$d")
    case " ${out[*]} " in *" $r "*) continue ;; esac
    out+=("$r")
  done
  printf '%s\n' "${out[@]}"
}
mapfile -t HIDE < <(hide_dirs)

MODE=inhibit-cache
UNSHARE=()
"$MAKE_BUNDLE" "$TMP" "$TMP/tools" "$(command -v mount)" >/dev/null
mkdir -p "$TMP/probe"
for try in "unshare --mount --propagation private" "unshare --mount --propagation private --map-root-user"; do
  read -r -a cmd <<<"$try"
  if command -v unshare >/dev/null &&
    "${cmd[@]}" "$TMP/tools/mount" -t tmpfs -o size=1m nnlat-probe "$TMP/probe" >/dev/null 2>&1; then
    MODE=hidden
    UNSHARE=("${cmd[@]}")
    break
  fi
done

echo "== b. nnlat devices and a small profile from another folder ($MODE)"
if [ "$MODE" = hidden ]; then
  echo "   ${UNSHARE[*]}; empty tmpfs over ${HIDE[*]}"
  "${UNSHARE[@]}" /bin/sh "$TMP/runs.sh" hidden "$TMP/tools" "$B" "$LOADER" "$W" "${HIDE[@]}" ||
    fail "the hidden run could not start: $(cat "$W/hide-error.txt" 2>/dev/null)"
else
  echo "   unshare --mount is not permitted here: the system's library folders stay visible;"
  echo "   the runs use --inhibit-cache and no LD_LIBRARY_PATH, and (a) shows nothing resolves outside"
  env -u LD_LIBRARY_PATH -u LD_PRELOAD /bin/sh "$TMP/runs.sh" plain "$TMP/tools" "$B" "$LOADER" "$W"
fi
for step in list devices profile; do
  [ "$(cat "$W/$step.rc")" = 0 ] || { cat "$W/$step.txt" >&2; fail "$step exited $(cat "$W/$step.rc") ($MODE)"; }
done
check_list "$B" "$W/list.txt" || { cat "$W/list.txt" >&2; fail "the bundle is not self-contained ($MODE)"; }
grep -q 'local:xnnpack-t1:float' "$W/devices.txt" || { cat "$W/devices.txt" >&2; fail "devices lists no xnnpack-t1 target"; }
[ -s "$W/x.db" ] || { cat "$W/profile.txt" >&2; fail "profile wrote no $W/x.db"; }
echo "   devices: $(grep -c '^  local:' "$W/devices.txt") targets; profile: $(tail -1 "$W/profile.txt")"

echo "== c. the wrapper from another folder; NNLAT_OPENCL_LIB"
(cd "$W" && env -u LD_LIBRARY_PATH "$B/nnlat" devices >wrapper.txt 2>&1) || { cat "$W/wrapper.txt" >&2; fail "wrapper: devices failed"; }
grep -q 'local:xnnpack-t1:float' "$W/wrapper.txt" || fail "wrapper: no xnnpack-t1 target"
mkdir -p "$W/no-vendors"
(cd "$W" && OCL_ICD_VENDORS="$W/no-vendors" "$B/nnlat" devices >no-ocl.txt 2>&1) || fail "wrapper: devices without OpenCL failed"
grep -q 'OpenCL: no platform' "$W/no-ocl.txt" || { cat "$W/no-ocl.txt" >&2; fail "an empty OCL_ICD_VENDORS still found a platform"; }
POCL=
if [ -r /etc/OpenCL/vendors/pocl.icd ]; then
  name=$(head -1 /etc/OpenCL/vendors/pocl.icd)
  case $name in
    /*) POCL=$name ;;
    *) POCL=$(find /usr/lib /usr/lib64 /usr/local/lib -name "$name" 2>/dev/null | head -1) ;;
  esac
fi
if [ -n "$POCL" ] && [ -f "$POCL" ]; then
  (cd "$W" && OCL_ICD_VENDORS="$W/no-vendors" NNLAT_OPENCL_LIB=$POCL "$B/nnlat" devices >pocl.txt 2>&1) ||
    { cat "$W/pocl.txt" >&2; fail "wrapper: devices with NNLAT_OPENCL_LIB=$POCL failed"; }
  grep -q '^OpenCL devices:' "$W/pocl.txt" || { cat "$W/pocl.txt" >&2; fail "NNLAT_OPENCL_LIB=$POCL found no device"; }
  echo "   NNLAT_OPENCL_LIB=$POCL: $(sed -n '/^OpenCL devices:/,$p' "$W/pocl.txt" | grep -c '^  local:') OpenCL device(s)"
else
  echo "   NNLAT_OPENCL_LIB: skipped (no pocl library here)"
fi
echo "bundle test passed ($MODE)"
