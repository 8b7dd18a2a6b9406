#!/usr/bin/env bash
# Runs SPIN on model/approval.pml (model/README.md): generates the verifier, compiles it, searches the whole state
# space and prints what each search did (states, depth, memory, time).
#
#   run_model.sh SPIN CC MODEL WORKDIR MODE EXPECT [-DNAME ...]
#     MODE    safety   : assertions and invalid end states (pan compiled -DSAFETY -DNOCLAIM), one search
#             liveness : every `ltl` formula of the model, one search each (pan -a -f -N NAME: acceptance
#                        cycles under weak fairness); one compiled verifier serves them all
#     EXPECT  pass     : fails unless every search is complete and found no error
#             REGEX    : fails unless SPIN found an error and its message matches REGEX (a mutant, or a
#                        configuration that shows a known gap); the counterexample is replayed into WORKDIR/trail.txt
#
# Exit 0 when the expectation holds, 1 otherwise. Never skips: a missing spin or compiler fails.
set -euo pipefail

if [ $# -lt 6 ]; then
    echo "usage: $0 SPIN CC MODEL WORKDIR safety|liveness pass|REGEX [-DNAME ...]" >&2
    exit 2
fi
spin=$1 cc=$2 model=$3 workdir=$4 mode=$5 expect=$6
shift 6
defines=("$@")

if ! command -v "$spin" >/dev/null 2>&1; then
    echo "FAIL: spin not found ($spin): install it with scripts/install-deps (Debian package spin)"
    exit 1
fi
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "FAIL: no C compiler ($cc) to build SPIN's verifier"
    exit 1
fi

ms_now() { echo $(($(date +%s%N) / 1000000)); }
seconds() { printf "%d.%03d s" $(($1 / 1000)) $(($1 % 1000)); }
begin_ms=$(ms_now)

rm -rf "$workdir"
mkdir -p "$workdir"
cp "$model" "$workdir/model.pml"
cd "$workdir"

# The depth bound is far above the deepest path (~330 steps); the memory bound turns a state-space explosion into
# a clear failure instead of swapping.
depth=20000
cflags=(-w -DMEMLIM=2048)
# An exhaustive search pays for -O2 (about 2x faster); one that stops at the first counterexample does not, and -O0
# compiles in a quarter of the time.
if [ "$expect" = pass ]; then cflags+=(-O2); else cflags+=(-O0); fi
pan_flags=(-m$depth)
searches=()
case "$mode" in
    safety)
        cflags+=(-DSAFETY -DNOCLAIM)
        searches=(safety)
        ;;
    liveness)
        cflags+=(-DNFAIR=3)
        pan_flags+=(-a -f)
        mapfile -t searches < <(sed -n 's/^ltl \([A-Za-z_][A-Za-z_0-9]*\).*/\1/p' model.pml)
        if [ ${#searches[@]} -eq 0 ]; then
            echo "FAIL: the model has no ltl formula"
            exit 1
        fi
        ;;
    *) echo "unknown mode $mode" >&2; exit 2 ;;
esac

echo "spin -a ${defines[*]:-} $(basename "$model")   [$mode: ${searches[*]}]"
"$spin" -a "${defines[@]}" model.pml >spin.out 2>&1 || { cat spin.out; echo "FAIL: spin -a"; exit 1; }
"$cc" "${cflags[@]}" -o pan pan.c >cc.out 2>&1 || { cat cc.out; echo "FAIL: compiling pan"; exit 1; }
echo "verifier built in $(seconds $(($(ms_now) - begin_ms)))"

# One search: its figures, and "error", "incomplete" or "ok" in $verdict.
search() {
    local name=$1 out=pan.$1.out start end errors
    local extra=()
    if [ "$mode" = liveness ]; then extra=(-N "$name"); fi
    start=$(ms_now)
    ./pan "${pan_flags[@]}" "${extra[@]}" >"$out" 2>&1 || true
    end=$(ms_now)
    echo "-- $name"
    grep -E "^(pan:|State-vector|Warning|error|.*states, stored|.*states, matched|.*transitions|.*total actual memory)" \
        "$out" | grep -vE "^pan: (rate|elapsed)" || true
    echo "search time $(seconds $((end - start)))"
    errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$out" | tail -1)
    if [ -z "$errors" ]; then
        tail -20 "$out"
        verdict=noresult
    elif [ "$errors" != 0 ]; then
        verdict=error
    elif grep -qE "max search depth too small|Search not completed|MEMLIM|[Oo]ut of memory|memory limit" "$out"; then
        verdict=incomplete
    else
        verdict=ok
    fi
}

# The trail names the claim it followed: spin -t replays that one (its -N takes a file, not a formula's name).
replay() {
    cp "pan.$1.out" pan.out
    "$spin" -t -p -g -l "${defines[@]}" model.pml >trail.txt 2>&1 || true
}

failed=""
found=""
for name in "${searches[@]}"; do
    search "$name"
    case "$verdict" in
        noresult) echo "FAIL: pan printed no result for $name"; exit 1 ;;
        incomplete)
            if [ "$expect" = pass ]; then
                echo "FAIL: the search $name was not exhaustive (depth or memory bound reached)"
                exit 1
            fi
            ;;
        error)
            failed=$name
            replay "$name"
            found=$(grep -hE "assertion violated|acceptance cycle|invalid end state" "pan.$name.out" trail.txt \
                        | head -1 || true)
            break
            ;;
    esac
done
echo "total wall time $(seconds $(($(ms_now) - begin_ms)))"

if [ "$expect" = pass ]; then
    if [ -n "$failed" ]; then
        echo "FAIL: $failed found an error: $found; the counterexample: $workdir/trail.txt"
        exit 1
    fi
    echo "PASS: errors: 0, exhaustive"
    exit 0
fi

if [ -z "$failed" ]; then
    echo "FAIL: SPIN found no counterexample, but this configuration must have one ($expect)"
    exit 1
fi
if ! grep -qE "$expect" <<<"$found"; then
    echo "FAIL: SPIN found an error, but not the expected one ($expect): $found"
    exit 1
fi
echo "PASS: caught as expected by $failed: $found (trail: $workdir/trail.txt)"
