#!/bin/sh
# Runs the rollsim benchmark: the simulator's speed, the same model in SimPy
# and the ratio of the two (measured in this run, one after the other, so
# they do not compete for a core), whole runs at both fidelity levels, a
# 1,000-run study simulated and then run whole with rollsim mc, then the
# peak memory of a long run.
# Prints one figure a line, `name value unit [(note)]`. A benchmark, not a
# test: it exits non-zero only when something could not run, never because
# a figure misses its target.
#
#   sh tools/bench/run.sh BUILD/tools/bench/sim_bench BUILD/rollsim
#                                                         (make bench does this)
set -u

bin=${1:?usage: run.sh SIM_BENCH_BINARY ROLLSIM_BINARY}
rollsim=${2:?usage: run.sh SIM_BENCH_BINARY ROLLSIM_BINARY}
here=$(dirname "$0")
python=/usr/bin/python3
max_memory_wall_s=60     # longest run the memory figure may take, s

# The value of figure $1 in the lines on stdin.
figure() {
	awk -v name="$1" '$1 == name { print $2; exit }'
}

speed=$("$bin" speed) || exit 1
printf '%s\n' "$speed" | grep -v '^sim_events_per_request '
sim_rps=$(printf '%s\n' "$speed" | figure sim_requests_per_s)

if [ -x "$python" ] && "$python" -c 'import simpy' 2>/dev/null; then
	simpy=$("$python" "$here/simpy_model.py") || exit 1
	printf '%s\n' "$simpy"
	simpy_rps=$(printf '%s\n' "$simpy" | figure simpy_requests_per_s)
	awk -v c="$sim_rps" -v p="$simpy_rps" 'BEGIN {
		printf "speedup_vs_simpy %.1f ratio (target >= 50)\n", c / p }'
else
	echo "simpy_requests_per_s skipped (python3-simpy3 not installed)"
	echo "speedup_vs_simpy skipped (no SimPy figure)"
fi

# Whole runs of the built-in default scenario at both fidelity levels.
"$bin" fidelity scenarios/canary-bad-errors.json || exit 1

# A 1,000-run Monte Carlo study on both cores of the default canary policy
# over 30 minutes at 200 requests/s (canary-good with 10-minute pauses):
# the simulation alone, then rollsim mc whole as a user runs it (loading,
# simulating, summary.json's bootstrap intervals, runs.csv, the plots and
# report.html, written to disk), and at window level once more without the
# plots (no gnuplot on PATH), to show what they cost.
"$bin" mc "$here/canary-30min.json" 1000 2 || exit 1
mc_tmp=$(mktemp -d "${TMPDIR:-/tmp}/rollsim-bench-mc.XXXXXX") || exit 1
# e2e LEVEL PATH: seconds for rollsim mc at fidelity LEVEL with PATH as
# given, then the mean minutes of deployment a run from its runs.csv
e2e() {
	rm -rf "$mc_tmp/out"
	t0=$(date +%s.%N)
	PATH=$2 "$rollsim" mc "$here/canary-30min.json" --runs 1000 -j 2 --fidelity "$1" \
		--out "$mc_tmp/out" --quiet 2>/dev/null || return 1
	t1=$(date +%s.%N)
	awk -F, -v a="$t0" -v b="$t1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "duration_s") c = i; next }
		{ sum += $c; n++ }
		END { if (c == 0 || n == 0) exit 1; printf "%.3f %.1f\n", b - a, sum / n / 60 }' \
		"$mc_tmp/out/runs.csv"
}
for level in request window; do
	target=40
	[ "$level" = window ] && target=1
	r=$(e2e "$level" "$PATH") || { rm -rf "$mc_tmp"; echo "bench: rollsim mc --fidelity $level failed" >&2; exit 1; }
	set -- $r
	echo "mc_1000_${level}_e2e_wall_s $1 s (target < $target s; rollsim mc -j 2, every file and plot written; $2 simulated min of deployment a run)"
done
r=$(e2e window /nonexistent) || { rm -rf "$mc_tmp"; echo "bench: rollsim mc without gnuplot failed" >&2; exit 1; }
set -- $r
echo "mc_1000_window_e2e_no_plots_wall_s $1 s (target < 1 s; the same without gnuplot on PATH: no plots; $2 simulated min a run)"
rm -rf "$mc_tmp"

# 24 simulated hours at 1,000 requests/s when they fit in the wall-time
# budget (projected from the 1 h run), else the longest of 12, 6, 3, 2 h
# that does; the 1 h figure stays beside it so growth can be seen.
one=$("$bin" memory 1) || exit 1
printf '%s\n' "$one"
wall_1h=$(printf '%s\n' "$one" | figure sim_1h_wall_s)
hours=$(awk -v w="$wall_1h" -v max="$max_memory_wall_s" 'BEGIN {
	n = split("24 12 6 3 2", h, " ")
	for (i = 1; i <= n; i++)
		if (w * h[i] <= max) { print h[i]; exit }
	print 1 }')
if [ "$hours" -gt 1 ]; then
	"$bin" memory "$hours" || exit 1
fi

# MPI (when Open MPI is installed: make deps MPI=1): the same 1,000-run study at request level,
# one thread per rank, on 1 and then 2 ranks; the speed-up is the ratio of
# the two wall times, measured one after the other in this run.
if [ -n "${ROLLSIM_MPI:-}" ] && command -v mpirun >/dev/null 2>&1; then
	mpirun_cmd="mpirun --oversubscribe"
	[ "$(id -u)" -eq 0 ] && mpirun_cmd="$mpirun_cmd --allow-run-as-root"
	mpi_tmp=$(mktemp -d "${TMPDIR:-/tmp}/rollsim-bench-mpi.XXXXXX") || exit 1
	wall() { # wall RANKS: seconds for the study on RANKS ranks
		t0=$(date +%s.%N)
		$mpirun_cmd -n "$1" "$ROLLSIM_MPI" mc "$here/canary-30min.json" --runs 1000 -j 1 \
			--out "$mpi_tmp/n$1" --quiet >/dev/null 2>&1 || return 1
		t1=$(date +%s.%N)
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
	}
	w1=$(wall 1) && w2=$(wall 2) || { rm -rf "$mpi_tmp"; echo "mpi: a study failed" >&2; exit 1; }
	if diff -r "$mpi_tmp/n1" "$mpi_tmp/n2" >/dev/null; then same=identical; else same=DIFFERENT; fi
	rm -rf "$mpi_tmp"
	echo "mpi_1rank_mc_1000_wall_s $w1 s (request level, -j 1)"
	echo "mpi_2ranks_mc_1000_wall_s $w2 s (request level, -j 1 per rank; files $same)"
	awk -v a="$w1" -v b="$w2" 'BEGIN { printf "mpi_speedup_1_to_2_ranks %.2f ratio (2 cores)\n", a / b }'
else
	echo "mpi_speedup_1_to_2_ranks skipped (Open MPI is not installed: make deps MPI=1)"
fi

printf '%s\n' "$speed" | grep '^sim_events_per_request '
