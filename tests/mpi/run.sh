#!/bin/sh
# rollsim mc and sweep shared among MPI processes give the files of one
# process, byte for byte: the MPI build run alone, and under
# mpirun --oversubscribe -n 2 (with --allow-run-as-root as root), with one
# and two threads per rank; and a rank that fails makes the whole job fail
# with a message naming it, writing nothing.
#
#   sh tests/mpi/run.sh build/default-mpi/rollsim       (make mpi-test MPI=1)
#
# Needs Open MPI's mpirun (make deps MPI=1). Prints "ok: ..." or
# "FAIL: ... (...)" per check and ends with "N passed, M failed"; exits 0
# only when M is 0.
set -u

BIN=${1:-build/default-mpi/rollsim}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rollsim-mpi.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! command -v mpirun >/dev/null 2>&1; then
	bad "mpirun is installed" "command -v mpirun found nothing; run make deps MPI=1"
	finish
fi
MPIRUN="mpirun --oversubscribe"
[ "$(id -u)" -eq 0 ] && MPIRUN="$MPIRUN --allow-run-as-root"

# same A B WHAT: every file of A and B is the same
same() {
	if diff -r "$1" "$2" >"$tmp/diff" 2>&1 && [ -n "$(ls "$1")" ]; then
		ok "$3"
	else
		bad "$3" "$(head -c 400 "$tmp/diff")"
	fi
}

# mc: a scenario and a mix, 1 and 2 threads per rank
for input in scenarios/canary-bad-errors.json studies/canary-mix.json; do
	name=$(basename "$input" .json)
	timeout 300 "$BIN" mc "$input" --runs 60 --seed 5 -j 1 --out "$tmp/one-$name" --quiet
	rc1=$?
	for j in 1 2; do
		timeout 300 $MPIRUN -n 2 "$BIN" mc "$input" --runs 60 --seed 5 -j $j \
			--out "$tmp/two-$name-$j" --quiet >"$tmp/mpi.log" 2>&1
		rc2=$?
		check "mc $name: exit 0 alone and under mpirun -n 2 (-j $j)" "$rc1 and $rc2: $(tail -3 "$tmp/mpi.log")" \
			test "$rc1/$rc2" = 0/0
		same "$tmp/one-$name" "$tmp/two-$name-$j" "mc $name: 2 ranks x $j threads write the files of one process, byte for byte"
	done
done
# an odd count: blocks of 15 and 16 runs
timeout 300 "$BIN" mc scenarios/canary-good.json --runs 31 -j 2 --out "$tmp/one-odd" --quiet
timeout 300 $MPIRUN -n 2 "$BIN" mc scenarios/canary-good.json --runs 31 -j 1 --out "$tmp/two-odd" --quiet >"$tmp/mpi.log" 2>&1
same "$tmp/one-odd" "$tmp/two-odd" "mc, 31 runs on 2 ranks: the same files"

# sweep: two settings under common random numbers
set -- --set 'deployment.analysis.metrics[0].max=0.01,0.05' --runs 30 --seed 3 --quiet
timeout 300 "$BIN" sweep scenarios/canary-good.json "$@" -j 1 --out "$tmp/one-sweep"
rc1=$?
timeout 300 $MPIRUN -n 2 "$BIN" sweep scenarios/canary-good.json "$@" -j 1 --out "$tmp/two-sweep" >"$tmp/mpi.log" 2>&1
rc2=$?
check "sweep: exit 0 alone and under mpirun -n 2" "$rc1 and $rc2: $(tail -3 "$tmp/mpi.log")" test "$rc1/$rc2" = 0/0
same "$tmp/one-sweep" "$tmp/two-sweep" "sweep: 2 ranks write the files of one process, byte for byte"

# A rank that fails: rank 1 cannot allocate the runs (its address space is
# limited to 1 GiB; 4,000,000 runs need more), rank 0 can. The job fails
# with a message naming rank 1, and nothing is written.
timeout 300 $MPIRUN -n 1 "$BIN" mc scenarios/canary-good.json --runs 4000000 --out "$tmp/fail" \
	: -n 1 sh -c "ulimit -v 1048576; exec '$BIN' mc scenarios/canary-good.json --runs 4000000 --out '$tmp/fail'" \
	>"$tmp/fail.log" 2>&1
rc=$?
check "a failing rank: the job exits non-zero" "exit $rc: $(tail -5 "$tmp/fail.log")" test "$rc" -ne 0
check "a failing rank: rank 0 says which rank failed and why" "$(tail -5 "$tmp/fail.log")" \
	grep -q 'out of memory for 4000000 runs (on rank 1 of 2)' "$tmp/fail.log"
check "a failing rank: nothing written" "$(ls "$tmp/fail" 2>&1)" test ! -e "$tmp/fail"

finish
