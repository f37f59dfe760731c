#!/usr/bin/env bash
# Files larger than memory: `vexpr eval` over a .npy file much larger than a memory limit put
# on the process (a memory cgroup: unlike RLIMIT_AS it counts resident memory, page cache
# included, and not the address space a mapping reserves).
#
# Usage: scripts/bigfile-test.sh [GIB]        (default 2: a GIB GiB input, a 256 MiB limit)
#        VEXPR_BIN=path/to/vexpr scripts/bigfile-test.sh
#
# Needs root and a cgroup memory controller (v2, or v1 as on the development machine); exits
# 2 without them. Takes 1.5 minutes for 2 GiB on the 2-core development machine under load
# (41 s writing the input and the in-memory references outside the limit, 13 s for the three
# streamed evaluations under it); `.ci/run bigfile` runs it. Checks, inside a
# cgroup limited to 256 MiB:
#   1. `r * 2 + 1` from the file into a result file, byte-identical to the in-memory result;
#   2. the full reduction `sum(r)` and `max(r)`, printed exactly as the in-memory ones;
#   3. a reduction along an axis of the same bytes seen as a matrix, identical too;
#   4. nothing in the cgroup was killed (its peak usage, page cache included, is printed);
#   5. the control: the REPL's in-memory `load` of the same file, in the same cgroup, is
#      killed (so the limit is real).
set -euo pipefail
cd "$(dirname "$0")/.."

GIB=${1:-2}
LIMIT=$((256 << 20))
BIN=${VEXPR_BIN:-target/release/vexpr}
if [[ ! -x "$BIN" ]]; then
    cargo build --release --quiet --bin vexpr
fi
BIN=$(realpath "$BIN")

# A fresh cgroup beside the others (not inside this session's own, which its owner manages).
if [[ -f /sys/fs/cgroup/cgroup.controllers ]] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
    CG=/sys/fs/cgroup/vexpr-bigfile-$$
    mkdir "$CG" || exit 2
    echo "$LIMIT" >"$CG/memory.max"
    echo 0 >"$CG/memory.swap.max" 2>/dev/null || true
    peak() { cat "$CG/memory.peak" 2>/dev/null || echo 0; }
    kills() { awk '/^oom_kill /{print $2}' "$CG/memory.events"; }
elif [[ -d /sys/fs/cgroup/memory ]]; then
    CG=/sys/fs/cgroup/memory/vexpr-bigfile-$$
    mkdir "$CG" || exit 2
    echo "$LIMIT" >"$CG/memory.limit_in_bytes"
    peak() { cat "$CG/memory.max_usage_in_bytes"; }
    kills() { awk '/^oom_kill /{print $2}' "$CG/memory.oom_control"; }
else
    echo "no cgroup memory controller here" >&2
    exit 2
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vexpr-bigfile.XXXXXX")
cleanup() {
    rm -rf "$WORK"
    rmdir "$CG" 2>/dev/null || true
}
trap cleanup EXIT

# limited CMD...: run CMD inside the cgroup.
limited() {
    bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG" "$@"
}

failures=0
check() {
    if "$@"; then echo "ok   ${CHECK}"; else echo "FAIL ${CHECK}"; failures=$((failures + 1)); fi
}

N=$((GIB * (1 << 27)))  # float64 elements in GIB GiB
ROWS=$((N / 1024))
echo "input: $N float64 ($GIB GiB), limit $((LIMIT >> 20)) MiB, $BIN"
start=$SECONDS
# The input and the in-memory references, outside the limit.
"$BIN" >/dev/null <<EOF
r = arange($N) * 0.001 - 7
save(r, "$WORK/r.npy")
save(r * 2 + 1, "$WORK/ref.npy")
sum(r)
max(r)
EOF
"$BIN" >"$WORK/ref.txt" <<EOF
r = load("$WORK/r.npy")
sum(r)
max(r)
EOF
echo "written in $((SECONDS - start)) s"

start=$SECONDS
CHECK="r * 2 + 1 into a file under the limit is byte-identical to the in-memory result"
check limited "$BIN" eval 'r * 2 + 1' r="$WORK/r.npy" -o "$WORK/out.npy"
check cmp -s "$WORK/out.npy" "$WORK/ref.npy"
rm -f "$WORK/out.npy"
CHECK="sum(r) and max(r) under the limit print as in memory"
limited "$BIN" eval 'sum(r)' r="$WORK/r.npy" | head -1 >"$WORK/got.txt"
limited "$BIN" eval 'max(r)' r="$WORK/r.npy" | head -1 >>"$WORK/got.txt"
check cmp -s "$WORK/got.txt" "$WORK/ref.txt"
echo "streamed in $((SECONDS - start)) s"

# The same bytes as a (ROWS, 1024) matrix: a reduction along each axis.
python_free_header() {
    # A .npy v1.0 header for a ($ROWS, 1024) float64 array, padded to 128 bytes like r.npy's.
    local dict="{'descr': '<f8', 'fortran_order': False, 'shape': ($ROWS, 1024), }"
    printf '\x93NUMPY\x01\x00\x76\x00%-117s\n' "$dict"
}
python_free_header >"$WORK/m.npy"
tail -c +129 "$WORK/r.npy" >>"$WORK/m.npy"
CHECK="sum(m, axis=0) and sum(m, axis=1) under the limit are identical to in memory"
"$BIN" >/dev/null <<EOF
m = load("$WORK/m.npy")
save(sum(m, axis=0), "$WORK/ref0.npy")
save(sum(m, axis=1), "$WORK/ref1.npy")
EOF
limited "$BIN" eval 'sum(m, axis=0)' m="$WORK/m.npy" -o "$WORK/got0.npy"
limited "$BIN" eval 'sum(m, axis=1)' m="$WORK/m.npy" -o "$WORK/got1.npy"
check cmp -s "$WORK/got0.npy" "$WORK/ref0.npy"
check cmp -s "$WORK/got1.npy" "$WORK/ref1.npy"

echo "peak cgroup usage (page cache included): $(($(peak) >> 20)) MiB"
CHECK="no process was killed under the limit"
check test "$(kills)" = 0

CHECK="control: the REPL's in-memory load of the file is killed under the same limit"
set +e
echo "r = load(\"$WORK/r.npy\")" | limited "$BIN" >/dev/null 2>&1
status=$?
set -e
check test "$status" -ne 0 -a "$(kills)" -gt 0

if [[ $failures -gt 0 ]]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all big-file checks passed"
