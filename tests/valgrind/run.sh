#!/bin/sh
# rollsim under valgrind memcheck: every command that the CLI offers offline
# (run, run --fidelity window, mc with threads, sweep, replay, a bad scenario
# file, check and validate) must end with rollsim's own exit status,
# no memory error and no definite, indirect or possible leak.
#
#   sh tests/valgrind/run.sh build/default/rollsim         (make valgrind)
#
# Runs from the repository root. Needs valgrind (make valgrind installs it)
# and, for the first case, a C compiler ($CC, else cc). Each valgrind run
# has a timeout of $VG_TIMEOUT seconds (default 300; KILL 10 s after the
# TERM). Valgrind does not trace children: the gnuplot processes that mc
# and sweep spawn run natively.
# Output files go to a mktemp -d directory that is removed on exit. Prints
# "ok: ...", "FAIL: ... (...)" or "skip: ..." per case and ends with
# "N passed, M failed" (", K skipped" when K > 0); exits 0 only when M is 0.
set -u

ROLLSIM=${1:-build/default/rollsim}
case $ROLLSIM in
/*) ;;
*) ROLLSIM=$(pwd)/$ROLLSIM ;;
esac
cd "$(dirname "$0")/../.." || exit 1

VG_TIMEOUT=${VG_TIMEOUT:-300}
SUPP=tests/valgrind/rollsim.supp
VG_FLAGS="--error-exitcode=99 --leak-check=full
	--show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect,possible
	--track-fds=no -q --suppressions=$SUPP"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rollsim-valgrind.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

. tests/lib.sh

# The contents of file $1 on one line, shortened, for a FAIL message.
show() {
	if [ -s "$1" ]; then
		tr '\n' '|' <"$1" | cut -c 1-600
	else
		printf '<empty>'
	fi
}

now() {
	date +%s.%N
}

# Seconds since $1 (a now), to a tenth.
since() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'
}

# vg NAME WANT_RC PRODUCT ARGS...: runs "$ROLLSIM ARGS" under memcheck. ok
# when valgrind reported nothing (its log, kept apart from rollsim's stderr,
# is empty), rollsim exited WANT_RC and PRODUCT is a non-empty file; a
# PRODUCT of "none" asserts instead that $tmp/NAME, the case's --out, was
# not created (bad input writes nothing).
vg() {
	name=$1
	want=$2
	product=$3
	shift 3
	what="rollsim $(printf '%s ' "$*" | sed "s|$tmp|TMP|g")exits $want under memcheck, no errors or leaks"
	t0=$(now)
	# shellcheck disable=SC2086
	timeout -k 10 "$VG_TIMEOUT" valgrind $VG_FLAGS --log-file="$tmp/$name.vg" \
		"$ROLLSIM" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
	rc=$?
	t=$(since "$t0")
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		bad "$what" "timed out after $VG_TIMEOUT s"
	elif [ -s "$tmp/$name.vg" ]; then
		bad "$what" "valgrind, exit $rc after $t s: $(show "$tmp/$name.vg")"
	elif [ "$rc" -ne "$want" ]; then
		bad "$what" "exit $rc after $t s; stderr: $(show "$tmp/$name.err")"
	elif [ "$product" = none ] && [ -e "$tmp/$name" ]; then
		bad "$what" "$tmp/$name exists; expected nothing written"
	elif [ "$product" != none ] && [ ! -s "$product" ]; then
		bad "$what" "$product is missing or empty"
	else
		ok "$what ($t s)"
	fi
}

if ! command -v valgrind >/dev/null 2>&1; then
	bad "valgrind is installed" "command -v valgrind found nothing; run make valgrind"
	finish
fi
if [ ! -x "$ROLLSIM" ]; then
	bad "rollsim binary exists" "$ROLLSIM is not executable; run make valgrind"
	finish
fi

# The harness itself: a program that loses 16 bytes must make valgrind,
# with these flags, log a definite leak and exit 99. Otherwise every case
# below could pass without checking anything.
cat >"$tmp/leak.c" <<'EOF'
#include <stdlib.h>
void *volatile leak_p;
int main(void) { leak_p = malloc(16); leak_p = NULL; return 0; }
EOF
if ! ${CC:-cc} -O0 -g -o "$tmp/leak" "$tmp/leak.c" 2>"$tmp/leak.err"; then
	bad "a deliberate leak is caught" "cannot compile it: $(show "$tmp/leak.err")"
else
	# shellcheck disable=SC2086
	timeout -k 10 "$VG_TIMEOUT" valgrind $VG_FLAGS --log-file="$tmp/leak.vg" "$tmp/leak"
	rc=$?
	if [ "$rc" -eq 99 ] && grep -q 'definitely lost' "$tmp/leak.vg"; then
		ok "a deliberate 16-byte leak makes valgrind exit 99 and log it"
	else
		bad "a deliberate leak is caught" "exit $rc; log: $(show "$tmp/leak.vg")"
	fi
fi

vg default 0 "$tmp/default/summary.json" run --out "$tmp/default"
vg bluegreen 0 "$tmp/bluegreen/summary.json" \
	run scenarios/bluegreen-switch-back.json --out "$tmp/bluegreen"
vg window 0 "$tmp/window/summary.json" \
	run scenarios/canary-latency-regression.json --fidelity window --out "$tmp/window"
# Two threads, and gnuplot spawned for the plots (not traced).
vg mc 0 "$tmp/mc/summary.json" \
	mc scenarios/canary-good.json --runs 20 -j 2 --out "$tmp/mc"
vg sweep 0 "$tmp/sweep/sweep.json" \
	sweep scenarios/canary-good.json \
	--set 'deployment.analysis.metrics[0].max=0.01,0.05' --runs 10 -j 2 \
	--out "$tmp/sweep"

# Replay a recording made by a plain (not valgrind) run of the same scenario.
if "$ROLLSIM" run scenarios/canary-bad-errors.json --out "$tmp/rec" --quiet \
	>"$tmp/rec.out" 2>"$tmp/rec.err" && [ -s "$tmp/rec/timeline.csv" ]; then
	vg replay 0 "$tmp/replay/summary.json" \
		replay "$tmp/rec/timeline.csv" \
		--deploy scenarios/canary-bad-errors.json --out "$tmp/replay"
else
	bad "rollsim replay under memcheck" \
		"could not record timeline.csv: $(show "$tmp/rec.err")"
fi

# An unknown key (deployment.stepz): exit 2, every problem listed, nothing
# written, and everything the loader allocated on the way freed.
vg badinput 2 none run tests/cli/bad/unknown-key.json --out "$tmp/badinput"

# rollsim check: one single-run scenario, and the JUnit file written.
vg check 0 none check scenarios/bluegreen-switch-back.json --junit "$tmp/check.xml"

# rollsim validate: a scenario, a mix and a bad file (exit 2).
vg validate 2 none validate scenarios/canary-good.json studies/demo.json tests/cli/bad/unknown-key.json

finish
