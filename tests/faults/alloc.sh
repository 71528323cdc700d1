#!/bin/sh
# Fault paths in the style of SQLite's and curl's tests: each command runs
# again and again with its Nth allocation failing, N = 1, 2, ... until a
# run makes fewer than N allocations. Every run with a failed allocation
# must exit 3 saying "out of memory" (2 when it was reading its input and
# says so), must not crash (no signal, no sanitizer report: under
# SANITIZE=address LeakSanitizer also fails a run that leaks), and must
# leave no temporary file behind; its output files are whole or absent,
# since every file is written to a temporary name and renamed. The last
# run, with no failure, must exit 0.
#
#   sh tests/faults/alloc.sh build/default/tools/failalloc/rollsim-failalloc
#                                                           (make fault-test)
#
# Prints "ok: ..." or "FAIL: ... (...)" per command (one line for all of its
# N) and ends with "N passed, M failed"; exits 0 only when M is 0.
set -u

BIN=${1:-build/default/tools/failalloc/rollsim-failalloc}
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rollsim-faults.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ ! -x "$BIN" ]; then
	bad "the fault-injection build exists" "$BIN is not executable; run make fault-test"
	finish
fi
# a leak makes LeakSanitizer exit 97 (when the build has it)
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=1"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}${LSAN_OPTIONS:+:}exitcode=97"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}halt_on_error=1:exitcode=98"

# Input for replay: a recorded timeline.
"$BIN" run scenarios/canary-bad-errors.json --out "$tmp/rec" --quiet 2>/dev/null

# sweep NAME ARGS...: runs ARGS with N = 1, 2, ... (out directory $tmp/out,
# removed before each run); one ok or FAIL line for the command.
sweep() {
	name=$1
	shift
	n=1
	problem=
	while [ $n -le 100000 ]; do
		rm -rf "$tmp/out"
		ROLLSIM_FAIL_ALLOC=$n timeout 120 "$BIN" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
		rc=$?
		if grep -q '^failalloc: .*none failed' "$tmp/stderr"; then
			[ $rc -eq 0 ] || problem="no allocation failed, yet exit $rc: $(head -c 300 "$tmp/stderr")"
			break
		fi
		if ! grep -q '^failalloc: .*the one asked for failed' "$tmp/stderr"; then
			problem="allocation $n: no failalloc report (a crash?), exit $rc: $(head -c 300 "$tmp/stderr")"
			break
		fi
		if grep -q 'Sanitizer\|runtime error' "$tmp/stderr"; then
			problem="allocation $n: $(grep -m1 'Sanitizer\|runtime error' "$tmp/stderr")"
			break
		fi
		case $rc in
		3) grep -q 'out of memory\|Cannot allocate memory' "$tmp/stderr" ||
			problem="allocation $n: exit 3 without 'out of memory': $(head -c 300 "$tmp/stderr")" ;;
		2) grep -q 'out of memory' "$tmp/stderr" ||
			problem="allocation $n: exit 2 (bad input?) instead of 3: $(head -c 300 "$tmp/stderr")" ;;
		*) problem="allocation $n: exit $rc, expected 3: $(head -c 300 "$tmp/stderr")" ;;
		esac
		[ -n "$problem" ] && break
		if [ -d "$tmp/out" ] && find "$tmp/out" -name '.*.tmp' | grep -q .; then
			problem="allocation $n: a temporary file is left: $(find "$tmp/out" -name '.*.tmp' | head -3)"
			break
		fi
		n=$((n + 1))
	done
	if [ -z "$problem" ]; then
		ok "$name: each of its $((n - 1)) allocations failing in turn ends cleanly (exit 3, out of memory, nothing half-written), then it succeeds"
	else
		bad "$name: a failing allocation ends cleanly" "$problem"
	fi
}

sweep "rollsim run" run scenarios/canary-good.json --out "$tmp/out" --quiet
sweep "rollsim run --fidelity window" run scenarios/canary-latency-regression.json \
	--fidelity window --out "$tmp/out" --quiet
sweep "rollsim run (the built-in default)" run --out "$tmp/out" --quiet
sweep "rollsim replay" replay "$tmp/rec/timeline.csv" --deploy scenarios/canary-bad-errors.json \
	--out "$tmp/out" --quiet
sweep "rollsim check --junit" check scenarios/bluegreen-switch-back.json scenarios/canary-smoke-failed.json \
	--junit "$tmp/out.xml" --quiet
sweep "rollsim validate" validate scenarios/canary-good.json studies/demo.json --quiet
# one thread: the Nth allocation is then the same one on every run (two
# threads interleave theirs)
sweep "rollsim mc" mc scenarios/canary-bad-errors.json --runs 6 -j 1 --out "$tmp/out" --quiet
sweep "rollsim sweep" sweep scenarios/canary-good.json \
	--set 'deployment.analysis.metrics[0].max=0.01,0.05' --runs 4 -j 1 --out "$tmp/out" --quiet

finish
