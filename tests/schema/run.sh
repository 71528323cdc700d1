#!/bin/sh
# Schema test: docs/scenario.schema.json is a valid JSON Schema (draft
# 2020-12) that closes every object; every scenarios/*.json and
# tests/schema/*.json (tests/schema/example-full.json, the complete example
# of docs/scenario-format.md, which must show it as it is) passes it; good
# documents (each traffic profile, dist, error model, resources,
# dependencies) pass it and bad documents (unknown key, a key of another
# profile or dist, set_weight 140, gamma with scale_ms and mean_ms, ...)
# fail it at the expected JSON path. When a rollsim binary is there, the
# loader must give the same verdicts (exit 0, or exit 2 and the expected
# message); mistakes the schema cannot express (an undeclared dependency,
# memory_limit_mb not above memory_base_mb, ...) are checked by the loader
# only.
#
#   sh tests/schema/run.sh                      (from the repository root)
#   ROLLSIM=build/default/rollsim sh tests/schema/run.sh
#
# Needs /usr/bin/python3 with the Debian package python3-jsonschema. The
# checks are in tests/schema/check_schema.py. Prints "ok: ..." or
# "FAIL: ... (...)" per check ("skip: ..." for what is not checked) and ends
# with one line "N passed, M failed"; exits 0 only when M is 0.
set -u

# A relative $ROLLSIM is relative to the caller's directory; resolve it
# before moving to the repository root.
ROLLSIM=${ROLLSIM:-}
case $ROLLSIM in
/*) ;;
*/*) ROLLSIM=$(pwd)/$ROLLSIM ;;
esac
cd "$(dirname "$0")/../.." || exit 1
ROLLSIM=${ROLLSIM:-./rollsim}
if [ ! -x "$ROLLSIM" ] || [ -d "$ROLLSIM" ]; then
	ROLLSIM=
fi

PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
	printf 'FAIL: %s is there (install python3 and python3-jsonschema)\n' "$PY"
	printf '0 passed, 1 failed\n'
	exit 1
fi

exec "$PY" tests/schema/check_schema.py "$ROLLSIM"
