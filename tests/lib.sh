# Shared by the test scripts (sourced): the pass, fail and skip counts, one
# line per assertion, and the closing "N passed, M failed" line (with ", K
# skipped" when any was skipped).
pass=0
fail=0
skipped=0

ok() {
	pass=$((pass + 1))
	printf 'ok: %s\n' "$1"
}

bad() {
	fail=$((fail + 1))
	printf 'FAIL: %s (%s)\n' "$1" "$2"
}

# What was not checked, said and counted apart (never as passed).
skip() {
	skipped=$((skipped + 1))
	printf 'skip: %s\n' "$1"
}

# Prints the counts and exits 0 only when nothing failed.
finish() {
	if [ "$skipped" -gt 0 ]; then
		printf '%d passed, %d failed, %d skipped\n' "$pass" "$fail" "$skipped"
	else
		printf '%d passed, %d failed\n' "$pass" "$fail"
	fi
	[ "$fail" -eq 0 ]
	exit $?
}

# check DESCRIPTION DETAIL COMMAND...: ok when COMMAND succeeds, else bad
# with DETAIL.
check() {
	_d=$1
	_x=$2
	shift 2
	if "$@"; then ok "$_d"; else bad "$_d" "$_x"; fi
}
