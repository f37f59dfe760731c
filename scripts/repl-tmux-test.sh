#!/usr/bin/env bash
# Drive the interactive `vexpr` REPL in a real terminal (a tmux pane) and check what it shows.
#
# Usage: scripts/repl-tmux-test.sh            (builds target/debug/vexpr if missing)
#        VEXPR_BIN=path/to/vexpr scripts/repl-tmux-test.sh
#
# Checks, in order:
#   1. the banner appears (stdin is a terminal, so rustyline runs with the `vexpr> ` prompt);
#   2. an assignment (`a = arange(5)`) and an expression (`a * 2`) print NumPy's repr;
#   3. an error (`a + q`) prints the caret under `q` and the session goes on;
#   4. history recall: Up, Up, Enter re-runs `a * 2`;
#   5. Ctrl-C at the prompt drops a half-typed line without leaving the REPL;
#   6. Ctrl-C during a long `:time` cancels the evaluation and the REPL stays usable;
#   7. `:quit` ends the process with status 0 and the history file is written;
#   8. a second session recalls the first session's last line with Up (history persists);
#   9. Ctrl-D at an empty prompt ends a third session with status 0;
#  10. `vexpr eval --time` on a terminal shows a progress bar (elements, rate, run k/N) after
#      a second, and Ctrl-C ends it with "error: the evaluation was cancelled", status 130;
#  11. a long REPL evaluation shows the bar too, and erases it when the result prints.
# Exits 0 when every check passes, 1 otherwise (printing the pane), 2 if tmux is missing.
set -euo pipefail

cd "$(dirname "$0")/.."

if ! command -v tmux >/dev/null 2>&1; then
    echo "tmux is not installed (apt-get install -y tmux)" >&2
    exit 2
fi

BIN=${VEXPR_BIN:-target/debug/vexpr}
if [[ ! -x "$BIN" ]]; then
    cargo build --quiet --bin vexpr
fi
BIN=$(realpath "$BIN")

WORK=$(mktemp -d)
HISTORY="$WORK/history"
# A private tmux server: nothing here touches the user's own tmux sessions.
SOCKET="vexpr-repl-test-$$"
TMUX_CMD=(tmux -L "$SOCKET" -f /dev/null)
PANE="repl:0.0"

cleanup() {
    "${TMUX_CMD[@]}" kill-server >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

failures=0

pane() {
    "${TMUX_CMD[@]}" capture-pane -p -J -t "$PANE" -S -200
}

# wait_for PATTERN [SECONDS]: poll the pane until grep -E finds PATTERN.
wait_for() {
    local pattern=$1 limit=${2:-10} waited=0
    while ! pane | grep -qE -- "$pattern"; do
        sleep 0.2
        waited=$((waited + 1))
        if ((waited > limit * 5)); then
            return 1
        fi
    done
}

# check NAME PATTERN [SECONDS]: record a pass or a failure.
check() {
    local name=$1 pattern=$2 limit=${3:-10}
    if wait_for "$pattern" "$limit"; then
        echo "ok   $name"
    else
        echo "FAIL $name (no match for /$pattern/)"
        failures=$((failures + 1))
    fi
}

# count PATTERN: how many pane lines match.
count() {
    pane | grep -cE -- "$1" || true
}

# check_count NAME PATTERN N: wait (up to 10 s) until at least N pane lines match.
check_count() {
    local name=$1 pattern=$2 want=$3 waited=0
    while (($(count "$pattern") < want)); do
        sleep 0.2
        waited=$((waited + 1))
        if ((waited > 50)); then
            echo "FAIL $name (fewer than $want lines match /$pattern/)"
            failures=$((failures + 1))
            return
        fi
    done
    echo "ok   $name"
}

start_session() {
    "${TMUX_CMD[@]}" new-session -d -s repl -x 120 -y 50 \
        "env VEXPR_HISTORY='$HISTORY' TERM=xterm-256color '$BIN'"
    "${TMUX_CMD[@]}" set-option -t repl remain-on-exit on >/dev/null
}

send() {
    "${TMUX_CMD[@]}" send-keys -t "$PANE" "$@"
}

# --- first session ------------------------------------------------------------------------
start_session
check "banner" "Type :help for help"

send -l 'a = arange(5)'
send Enter
send -l 'a * 2'
send Enter
check "assignment and expression" '^array\(\[0, 2, 4, 6, 8\]\)$'

send -l 'a + q'
send Enter
check "error message" 'error: unknown variable `q`'
check "caret under q" '^      \^$'

send Up Up
check "history recall shows the line" 'vexpr> a \* 2$'
send Enter
check_count "history recall re-runs it" '^array\(\[0, 2, 4, 6, 8\]\)$' 2

send -l 'partial nonsense'
send C-c
send -l '1 + 41'
send Enter
check "Ctrl-C at the prompt keeps the session" '^array\(42, dtype=int32\)$'
if pane | grep -q 'unknown variable `partial`'; then
    echo "FAIL Ctrl-C at the prompt dropped the line (it was evaluated)"
    failures=$((failures + 1))
else
    echo "ok   Ctrl-C at the prompt dropped the line"
fi

send -l 'r = random(2e7, seed=1)'
send Enter
send -l ':time sin(r) * cos(r) + exp(r)'
send Enter
sleep 1.5
send C-c
check "Ctrl-C cancels a running evaluation" 'error: the evaluation was cancelled' 20
send -l ':isa'
send Enter
check "the session goes on after cancelling" '^(baseline|avx2|avx512)$' 20

send -l ':quit'
send Enter
# remain-on-exit makes tmux print "Pane is dead (status N, ...)" when the process ends.
check ":quit exits with status 0" 'Pane is dead \(status 0,' 30
if [[ $failures -gt 0 ]]; then
    echo "--- pane of the first session ---"
    pane
fi

if [[ -f "$HISTORY" ]] && grep -qF 'a * 2' "$HISTORY"; then
    echo "ok   history file written"
else
    echo "FAIL history file $HISTORY missing or without 'a * 2'"
    failures=$((failures + 1))
fi

# --- second session: history persists --------------------------------------------------------
"${TMUX_CMD[@]}" kill-session -t repl
start_session
check "second banner" "Type :help for help"
send Up
check "Up recalls the previous session's last line" 'vexpr> :quit$'
send Enter
check "recalled :quit ends the second session" 'Pane is dead \(status 0,'

# --- third session: Ctrl-D leaves ------------------------------------------------------------
"${TMUX_CMD[@]}" kill-session -t repl
start_session
check "third banner" "Type :help for help"
send C-d
check "Ctrl-D ends the session with status 0" 'Pane is dead \(status 0,'

# --- eval on a terminal: the progress bar, and Ctrl-C -----------------------------------------
"${TMUX_CMD[@]}" kill-session -t repl
printf 'save(random(2e7, seed=1), "%s")\n' "$WORK/r.npy" | "$BIN"
"${TMUX_CMD[@]}" new-session -d -s repl -x 150 -y 50 \
    "TERM=xterm-256color '$BIN' eval --time 1000 'sin(r) * cos(r)' r='$WORK/r.npy'"
"${TMUX_CMD[@]}" set-option -t repl remain-on-exit on >/dev/null
check "eval --time shows a progress bar" '\[#*\.*\] +[0-9]+%  [0-9.]+ M / [0-9.]+ M elements  [0-9.]+ M/s  run [0-9]+/1001' 20
send C-c
check "Ctrl-C during eval --time says it was cancelled" 'error: the evaluation was cancelled' 20
check "... and exits with status 130" 'Pane is dead \(status 130,' 20

# --- a long REPL evaluation shows the bar, then the result on a clean line -------------------
"${TMUX_CMD[@]}" kill-session -t repl
start_session
check "fourth banner" "Type :help for help"
send -l 'sum(sin(random(1e8, seed=2)) > 2)'
send Enter
check "a long REPL evaluation shows a progress bar" '\[#*\.*\] +[0-9]+%  [0-9.]+ M / 100.0 M elements' 30
check "the result prints after it" '^array\(0\)$' 120
if pane | grep -qE '\[#*\.*\].*array\(0\)'; then
    echo "FAIL the bar was not erased before the result"
    failures=$((failures + 1))
else
    echo "ok   the bar is erased before the result"
fi

if [[ $failures -gt 0 ]]; then
    echo "--- pane of the last session ---"
    pane
    echo "$failures check(s) failed"
    exit 1
fi
echo "all REPL terminal checks passed"
