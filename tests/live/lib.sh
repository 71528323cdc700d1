# Shared by the live-mode test scripts (sourced): the pass and fail counts,
# one line per assertion, and the closing "N passed, M failed" line.
pass=0
fail=0

ok() {
	pass=$((pass + 1))
	printf 'ok: %s\n' "$1"
}

bad() {
	fail=$((fail + 1))
	printf 'FAIL: %s (%s)\n' "$1" "$2"
}

# Prints the counts and exits 0 only when nothing failed.
finish() {
	printf '%d passed, %d failed\n' "$pass" "$fail"
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
