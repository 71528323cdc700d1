#!/bin/sh
# Integration test of rollsim live against real components on loopback:
# two tools/testsvc instances (stable and canary) behind HAProxy (runtime
# API on a Unix socket, frontend on a Unix socket), and Prometheus scraping
# both. Cases: a healthy canary promoted with its weight steps seen in
# HAProxy; a canary whose error rate is raised mid-rollout rolled back with
# its HAProxy weight at 0 within one analysis interval of the rule firing;
# SIGTERM mid-rollout restoring the stable weight; kill -9 mid-rollout then
# --resume ending consistent (continue, and rollback); a dry run acting on
# nothing; a game-day fault with its undo; the notify and weight command
# hooks; a failing hook; Prometheus's error ratio and p99 for a promotion
# and a rollback; Prometheus down counting as failed checks.
#
#   sh tests/live/live.sh ROLLSIM TESTSVC FAILNET  (make live-test)
#
# FAILNET is rollsim built to fail its Nth network call (rollsim-failnet).
#
# Needs haproxy, prometheus, curl and python3 (make test-deps installs
# them); without one the script fails, it does not skip. Every server runs
# with a time limit and is killed on exit, also on failure; every wait is a
# bounded loop; the load is a bounded count of requests with --max-time.
# Prints "ok: ..." or "FAIL: ... (...)" per assertion and ends with
# "N passed, M failed"; exits 0 only when M is 0.
set -u

ROLLSIM=${1:-build/default/rollsim}
TESTSVC=${2:-build/default/tools/testsvc/testsvc}
FAILNET=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rollsim-live.XXXXXX") || exit 1
pids=
load_pid=
cleanup() {
	for p in $load_pid $pids; do
		kill -KILL "$p" 2>/dev/null
	done
	for p in $load_pid $pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

. "$HERE/../lib.sh"

for prog in haproxy prometheus curl python3; do
	if ! command -v $prog >/dev/null 2>&1; then
		bad "$prog is installed" "command -v $prog found nothing; run make test-deps"
		finish
	fi
done

# --- servers ------------------------------------------------------------
# start_svc NAME: testsvc on port 0; sets NAME_port.
start_svc() {
	"$TESTSVC" --port 0 --max-seconds 600 --seed 3 >"$tmp/$1.out" 2>"$tmp/$1.err" &
	pids="$pids $!"
	i=0
	while [ $i -lt 50 ]; do
		p=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$tmp/$1.out" 2>/dev/null)
		if [ -n "$p" ]; then
			eval "${1}_port=$p"
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	bad "testsvc $1 starts" "$(cat "$tmp/$1.err")"
	finish
}
start_svc stable
start_svc canary

# HAProxy: balance random (roundrobin in HAProxy 2.6 was seen to send
# nothing to a server whose weight was lowered from 100 after the other
# server had been at 0; docs/live.md).
stats_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/haproxy.cfg" <<EOF
global
    stats socket $tmp/admin.sock mode 600 level admin
    maxconn 512
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind unix@$tmp/fe.sock
    default_backend app
frontend stats
    bind 127.0.0.1:$stats_port
    stats enable
    stats uri /stats
backend app
    balance random
    server stable 127.0.0.1:$stable_port weight 100
    server canary 127.0.0.1:$canary_port weight 0
EOF
haproxy -f "$tmp/haproxy.cfg" -db >"$tmp/haproxy.log" 2>&1 &
pids="$pids $!"
i=0
while [ ! -S "$tmp/admin.sock" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "HAProxy starts with its runtime API socket" "$(cat "$tmp/haproxy.log")" \
	test -S "$tmp/admin.sock"

# hapi COMMAND: the runtime API's answer (python3: no socat needed).
hapi() {
	python3 "$HERE/hapi.py" "$tmp/admin.sock" "$1"
}
weight() { # weight SERVER: its current weight
	hapi "get weight app/$1" | sed -n 's/^\([0-9][0-9]*\) .*/\1/p'
}
reset_weights() {
	hapi "set weight app/stable 100" >/dev/null
	hapi "set weight app/canary 0" >/dev/null
}
control() { # control NAME QUERY: set testsvc NAME's error rate or latency
	eval "p=\$${1}_port"
	curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$p/control?$2"
}

# load: four clients of 25 requests a second each through HAProxy (four,
# so that a slow canary does not stall all of it), each at most 3000
# requests and 120 s.
load_start() {
	load_pid=
	for c in 1 2 3 4; do
		curl -s --max-time 120 --rate 25/s -o /dev/null --unix-socket "$tmp/fe.sock" \
			"http://rollsim-test/?c=$c&n=[1-3000]" &
		load_pid="$load_pid $!"
	done
}
load_stop() {
	for p in $load_pid; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	load_pid=
}

# config NAME STEPS_JSON ANALYSIS_JSON LIVE_EXTRA: writes $tmp/NAME.json
config() {
	cat >"$tmp/$1.json" <<EOF
{
  "name": "$1",
  "run": { "window_s": 1, "observe_after_s": 1 },
  "deployment": {
    "strategy": "canary",
    "steps": $2,
    "analysis": $3
  },
  "live": {
    "source": "haproxy",
    "haproxy": { "socket": "$tmp/admin.sock", "backend": "app",
                 "servers": { "stable": "stable", "canary": "canary" } },
    "timeout_s": 2$4
  }
}
EOF
}
ANALYSIS='{ "interval_s": 1, "min_requests": 10, "failure_limit": 1,
  "metrics": [ { "name": "errors", "metric": "error_rate", "max": 0.05 } ] }'
STEPS='[ { "set_weight": 25 }, { "pause": { "duration_s": 3 } },
         { "set_weight": 50 }, { "pause": { "duration_s": 3 } } ]'

# outcome DIR: the summary's outcome
outcome() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["outcome"])' "$1/summary.json" 2>/dev/null
}
state_field() { # state_field FILE KEY
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2" 2>/dev/null
}

# wait_weight W: waits (at most 5 s) until HAProxy's canary weight is W.
wait_weight() {
	i=0
	while [ "$(weight canary)" != "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# watch_weights: samples the canary weight every 0.2 s into $tmp/seen
# until rollsim ($1) ends (at most 60 s).
watch_weights() {
	: >"$tmp/seen"
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 300 ]; do
		weight canary >>"$tmp/seen"
		sleep 0.2
		i=$((i + 1))
	done
}

# --- 1. a healthy canary is promoted ---------------------------------------
reset_weights
control canary 'error_rate=0&latency_ms=0'
config good "$STEPS" "$ANALYSIS" ''
load_start
"$ROLLSIM" live "$tmp/good.json" --out "$tmp/good" >"$tmp/good.log" 2>&1 &
rs=$!
watch_weights $rs
wait $rs
rc=$?
load_stop
check "healthy canary: exit 0" "exit $rc: $(tail -5 "$tmp/good.log")" test "$rc" -eq 0
check "healthy canary: promoted" "outcome '$(outcome "$tmp/good")'" \
	test "$(outcome "$tmp/good")" = promoted
check "healthy canary: HAProxy showed canary weight 25 during the rollout" \
	"seen: $(sort -un "$tmp/seen" | tr '\n' ' ')" grep -qx 25 "$tmp/seen"
check "healthy canary: HAProxy showed canary weight 50 during the rollout" \
	"seen: $(sort -un "$tmp/seen" | tr '\n' ' ')" grep -qx 50 "$tmp/seen"
check "healthy canary: HAProxy ends at canary 100, stable 0" \
	"canary $(weight canary), stable $(weight stable)" \
	test "$(weight canary)/$(weight stable)" = 100/0
check "healthy canary: state phase done" "$(state_field "$tmp/good/state.json" phase)" \
	test "$(state_field "$tmp/good/state.json" phase)" = done
check "healthy canary: timeline.csv has canary rows with requests" \
	"$(head -4 "$tmp/good/timeline.csv")" \
	awk -F, '$2 == "canary" && $4 > 0 { n++ } END { exit !(n >= 3) }' "$tmp/good/timeline.csv"

# The same through HAProxy's stats page (stats_url, ";csv") instead of show
# stat: promoted, with the canary's requests counted.
reset_weights
config page "$STEPS" "$ANALYSIS" ''
sed -i "s|\"backend\": \"app\",|\"backend\": \"app\", \"stats_url\": \"http://127.0.0.1:$stats_port/stats;csv\",|" "$tmp/page.json"
load_start
"$ROLLSIM" live "$tmp/page.json" --out "$tmp/page" >"$tmp/page.log" 2>&1
rc=$?
load_stop
check "stats page as the source: exit 0, promoted" "exit $rc, outcome '$(outcome "$tmp/page")': $(tail -3 "$tmp/page.log")" \
	test "$rc/$(outcome "$tmp/page")" = 0/promoted
check "stats page as the source: canary requests counted" "$(head -3 "$tmp/page/timeline.csv")" \
	awk -F, '$2 == "canary" && $4 > 0 { n++ } END { exit !(n >= 3) }' "$tmp/page/timeline.csv"

# --- 2. errors raised mid-rollout: rolled back within one interval ----------
reset_weights
control canary 'error_rate=0'
config bad "$STEPS" "$ANALYSIS" ''
load_start
"$ROLLSIM" live "$tmp/bad.json" --out "$tmp/bad" >"$tmp/bad.log" 2>&1 &
rs=$!
sleep 1.5
control canary 'error_rate=0.6'
wait $rs
rc=$?
load_stop
control canary 'error_rate=0'
check "errors mid-rollout: exit 0" "exit $rc: $(tail -5 "$tmp/bad.log")" test "$rc" -eq 0
check "errors mid-rollout: rolled back" "outcome '$(outcome "$tmp/bad")'" \
	test "$(outcome "$tmp/bad")" = rolled_back
check "errors mid-rollout: HAProxy canary weight 0, stable 100 after" \
	"canary $(weight canary), stable $(weight stable)" \
	test "$(weight canary)/$(weight stable)" = 0/100
# the rollback decision's time and the time the weight reached 0, from the log
t_rule=$(awk '/failure_limit: rollback/ { print $1; exit }' "$tmp/bad.log")
t_zero=$(awk '/canary weight set to 0%/ { print $1; exit }' "$tmp/bad.log")
check "errors mid-rollout: weight 0 within one analysis interval (1 s) of the rule" \
	"rule at '$t_rule' s, weight 0 at '$t_zero' s" \
	awk -v a="$t_rule" -v b="$t_zero" 'BEGIN { exit !(a != "" && b != "" && b - a >= 0 && b - a < 1) }'

# --- 3. SIGTERM mid-rollout restores the stable weight ---------------------
reset_weights
LONG='[ { "set_weight": 25 }, { "pause": { "duration_s": 60 } } ]'
config term "$LONG" "$ANALYSIS" ''
load_start
"$ROLLSIM" live "$tmp/term.json" --out "$tmp/term" >"$tmp/term.log" 2>&1 &
rs=$!
wait_weight 25
check "SIGTERM: the canary reached weight 25 first" "canary $(weight canary)" \
	test "$(weight canary)" = 25
kill -TERM $rs
wait $rs
rc=$?
load_stop
check "SIGTERM: exit 143" "exit $rc: $(tail -5 "$tmp/term.log")" test "$rc" -eq 143
check "SIGTERM: HAProxy back to canary 0, stable 100" \
	"canary $(weight canary), stable $(weight stable)" \
	test "$(weight canary)/$(weight stable)" = 0/100
check "SIGTERM: state phase interrupted, weight 0" \
	"$(state_field "$tmp/term/state.json" phase) $(state_field "$tmp/term/state.json" weight_pct)" \
	test "$(state_field "$tmp/term/state.json" phase)/$(state_field "$tmp/term/state.json" weight_pct)" = interrupted/0
check "SIGTERM: events.jsonl records the operator's rollback" "$(tail -2 "$tmp/term/events.jsonl")" \
	grep -q '"rule":"operator".*"action":"rollback"' "$tmp/term/events.jsonl"

# --- 4. kill -9 mid-rollout, then --resume ----------------------------------
for mode in continue rollback; do
	reset_weights
	config "crash-$mode" "$STEPS" "$ANALYSIS" ", \"on_resume\": \"$mode\""
	load_start
	"$ROLLSIM" live "$tmp/crash-$mode.json" --out "$tmp/crash-$mode" >"$tmp/crash-$mode.log" 2>&1 &
	rs=$!
	wait_weight 25
	sleep 0.5
	kill -KILL $rs
	wait $rs 2>/dev/null
	st="$tmp/crash-$mode/state.json"
	check "kill -9 ($mode): the state says running at weight 25" \
		"$(state_field "$st" phase) $(state_field "$st" weight_pct)" \
		test "$(state_field "$st" phase)/$(state_field "$st" weight_pct)" = running/25
	check "kill -9 ($mode): no temporary state file left" "$(ls -a "$tmp/crash-$mode")" \
		test ! -e "$tmp/crash-$mode/.state.json.tmp"
	"$ROLLSIM" live "$tmp/crash-$mode.json" --resume "$st" --out "$tmp/crash-$mode" \
		>"$tmp/resume-$mode.log" 2>&1
	rc=$?
	load_stop
	check "resume ($mode): exit 0" "exit $rc: $(tail -5 "$tmp/resume-$mode.log")" test "$rc" -eq 0
	if [ $mode = continue ]; then
		want=promoted
		ws=100/0
	else
		want=rolled_back
		ws=0/100
	fi
	check "resume ($mode): $want" "outcome '$(outcome "$tmp/crash-$mode")'" \
		test "$(outcome "$tmp/crash-$mode")" = $want
	check "resume ($mode): HAProxy canary/stable $ws" \
		"canary $(weight canary), stable $(weight stable)" \
		test "$(weight canary)/$(weight stable)" = $ws
	dur=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["duration_s"])' "$tmp/crash-$mode/summary.json" 2>/dev/null)
	check "resume ($mode): the deployment's duration counts from the first start" "duration_s '$dur'" \
		awk -v d="$dur" 'BEGIN { exit !(d != "" && d + 0 >= 0.3) }'
	check "resume ($mode): state phase done, nothing pending" \
		"$(state_field "$st" phase) $(state_field "$st" pending_weight_pct)" \
		test "$(state_field "$st" phase)/$(state_field "$st" pending_weight_pct)" = done/None
done
"$ROLLSIM" live "$tmp/crash-continue.json" --resume "$tmp/crash-continue/state.json" \
	--out "$tmp/again" >"$tmp/again.log" 2>&1
rc=$?
check "resume of a finished rollout: exit 2, says nothing to resume" "exit $rc: $(cat "$tmp/again.log")" \
	sh -c "[ $rc -eq 2 ] && grep -q 'nothing to resume' '$tmp/again.log'"

# --- 5. dry run: decides, never acts ----------------------------------------
reset_weights
config dry "$STEPS" "$ANALYSIS" ",
    \"faults\": [ { \"name\": \"touch\", \"at_s\": 0.5,
      \"command\": [\"touch\", \"$tmp/dry-fault-ran\"] } ]"
load_start
"$ROLLSIM" live "$tmp/dry.json" --dry-run --out "$tmp/dry" >"$tmp/dry.log" 2>&1 &
rs=$!
watch_weights $rs
wait $rs
rc=$?
load_stop
check "dry run: exit 0" "exit $rc: $(tail -3 "$tmp/dry.log")" test "$rc" -eq 0
check "dry run: HAProxy's canary weight stayed 0 throughout" \
	"seen: $(sort -un "$tmp/seen" | tr '\n' ' ')" \
	sh -c "[ -s '$tmp/seen' ] && [ \"\$(sort -u '$tmp/seen')\" = 0 ]"
check "dry run: logs what it would have done" "$(head -5 "$tmp/dry.log")" \
	grep -q 'dry run: would set the canary weight to 25%' "$tmp/dry.log"
check "dry run: a fault command is logged, not run" "$(grep fault "$tmp/dry.log")" \
	sh -c "[ ! -e '$tmp/dry-fault-ran' ] && grep -q 'dry run: would start fault touch' '$tmp/dry.log'"

# --- 6. a game-day fault with its undo; the notify and weight hooks ---------
reset_weights
config gameday "$STEPS" "$ANALYSIS" ",
    \"faults\": [ { \"name\": \"canary-errors\", \"at_s\": 1, \"duration_s\": 30,
      \"command\": [\"curl\", \"-s\", \"-o\", \"/dev/null\", \"http://127.0.0.1:$canary_port/control?error_rate=0.7\"],
      \"undo\": [\"curl\", \"-s\", \"-o\", \"/dev/null\", \"http://127.0.0.1:$canary_port/control?error_rate=0\"] } ],
    \"notify\": { \"command\": [\"touch\", \"$tmp/notified-{event}\"] }"
load_start
"$ROLLSIM" live "$tmp/gameday.json" --out "$tmp/gameday" >"$tmp/gameday.log" 2>&1
rc=$?
load_stop
check "game day: exit 0, rolled back" "exit $rc, outcome '$(outcome "$tmp/gameday")'" \
	test "$rc/$(outcome "$tmp/gameday")" = 0/rolled_back
check "game day: the fault started and was undone at the end" "$(grep fault "$tmp/gameday.log")" \
	sh -c "grep -q 'fault canary-errors started' '$tmp/gameday.log' && grep -q 'fault canary-errors undone' '$tmp/gameday.log'"
curl -s --max-time 5 -o "$tmp/ctl" "http://127.0.0.1:$canary_port/control"
check "game day: the undo set the canary's error rate back to 0" "$(cat "$tmp/ctl")" \
	grep -q '"error_rate":0,' "$tmp/ctl"
check "notify command: ran for set_weight and rollback" "$(ls "$tmp" | grep notified)" \
	test -e "$tmp/notified-set_weight" -a -e "$tmp/notified-rollback"

reset_weights
cat >"$tmp/hook.json" <<EOF
{
  "name": "hook",
  "run": { "window_s": 1, "observe_after_s": 0 },
  "deployment": { "strategy": "canary",
    "steps": [ { "set_weight": 30 }, { "pause": { "duration_s": 1 } } ] },
  "live": {
    "source": "haproxy",
    "haproxy": { "socket": "$tmp/admin.sock", "backend": "app",
                 "servers": { "stable": "stable", "canary": "canary" } },
    "actuator": { "kind": "command",
                  "command": ["python3", "$HERE/hapi.py", "$tmp/admin.sock", "set weight app/canary {weight}"] }
  }
}
EOF
"$ROLLSIM" live "$tmp/hook.json" --out "$tmp/hook" >"$tmp/hook.log" 2>&1
rc=$?
check "weight hook: exit 0, promoted" "exit $rc: $(tail -3 "$tmp/hook.log")" \
	test "$rc/$(outcome "$tmp/hook")" = 0/promoted
check "weight hook: the command set HAProxy's canary weight to 100" "canary $(weight canary)" \
	test "$(weight canary)" = 100
sed 's|"python3", "[^"]*hapi.py"|"false"|' "$tmp/hook.json" >"$tmp/hookfail.json"
sed -i 's/"name": "hook"/"name": "hookfail"/' "$tmp/hookfail.json"
"$ROLLSIM" live "$tmp/hookfail.json" --out "$tmp/hookfail" >"$tmp/hookfail.log" 2>&1
rc=$?
check "failing weight hook: exit 3, says which command failed" "exit $rc: $(cat "$tmp/hookfail.log")" \
	sh -c "[ $rc -eq 3 ] && grep -q 'weight hook failed: false: exited with status 1' '$tmp/hookfail.log'"
check "failing weight hook: state phase failed" "$(state_field "$tmp/hookfail/state.json" phase)" \
	test "$(state_field "$tmp/hookfail/state.json" phase)" = failed

# --- 6b. an approval gate, approved by a command -----------------------------
reset_weights
config gate '[ { "set_weight": 25 }, { "approval": { "gate": "qa" } },
               { "set_weight": 50 }, { "pause": { "duration_s": 1 } } ]' "$ANALYSIS" ",
    \"approval\": { \"command\": [\"test\", \"-e\", \"$tmp/approve-{gate}\"], \"interval_s\": 0.5 }"
load_start
"$ROLLSIM" live "$tmp/gate.json" --out "$tmp/gate" >"$tmp/gate.log" 2>&1 &
rs=$!
wait_weight 25
sleep 2.5
w_wait=$(weight canary)
touch "$tmp/approve-qa"
wait $rs
rc=$?
load_stop
check "approval gate: held at weight 25 until approved" "canary $w_wait after 2.5 s: $(tail -3 "$tmp/gate.log")" \
	test "$w_wait" = 25
check "approval gate: approved by the command, then promoted" \
	"exit $rc, outcome '$(outcome "$tmp/gate")': $(grep -i gate "$tmp/gate.log")" \
	sh -c "[ '$rc/$(outcome "$tmp/gate")' = 0/promoted ] && grep -q 'gate qa approved' '$tmp/gate.log'"

# --- 7. the notify webhook, health probes and smoke tests -------------------
python3 "$HERE/sink.py" "$tmp/posts" 300 >"$tmp/sink.out" 2>"$tmp/sink.err" &
pids="$pids $!"
i=0
while ! grep -q '^listening' "$tmp/sink.out" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
sink_port=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$tmp/sink.out")
# smoke EXPECT: a rollout whose critical smoke test is a probe of the
# canary's /health expecting status EXPECT
smoke() {
	cat >"$tmp/smoke-$1.json" <<EOF
{
  "name": "smoke-$1",
  "run": { "window_s": 1, "observe_after_s": 0 },
  "deployment": { "strategy": "canary",
    "smoke_tests": [ { "name": "canary-health", "critical": true } ],
    "steps": [ { "set_weight": 20 }, { "pause": { "duration_s": 2 } } ] },
  "live": {
    "source": "haproxy",
    "haproxy": { "socket": "$tmp/admin.sock", "backend": "app",
                 "servers": { "stable": "stable", "canary": "canary" } },
    "probes": [
      { "name": "canary-health", "url": "http://127.0.0.1:$canary_port/health",
        "expect_status": $1, "version": "none", "timeout_s": 1 },
      { "name": "canary-ready", "url": "http://127.0.0.1:$canary_port/health",
        "version": "canary", "interval_s": 0.5 } ],
    "notify": { "url": "http://127.0.0.1:$sink_port/events" }
  }
}
EOF
}
reset_weights
: >"$tmp/posts"
smoke 200
load_start
"$ROLLSIM" live "$tmp/smoke-200.json" --out "$tmp/smoke-200" >"$tmp/smoke-200.log" 2>&1
rc=$?
load_stop
check "smoke test passes: exit 0, promoted" "exit $rc, outcome '$(outcome "$tmp/smoke-200")': $(tail -3 "$tmp/smoke-200.log")" \
	test "$rc/$(outcome "$tmp/smoke-200")" = 0/promoted
check "smoke test passes: the probe ran" "$(grep smoke "$tmp/smoke-200.log")" \
	grep -q 'smoke test canary-health (attempt 1): passed' "$tmp/smoke-200.log"
check "readiness probe: the canary's windows have 1 of 1 ready instance" \
	"$(head -3 "$tmp/smoke-200/timeline.csv")" \
	awk -F, '$2 == "canary" { n++; if ($12 != 1) bad++ } END { exit !(n >= 1 && bad == 0) }' "$tmp/smoke-200/timeline.csv"
n_events=$(wc -l <"$tmp/smoke-200/events.jsonl")
n_posts=$(grep -c '"rollout":"smoke-200"' "$tmp/posts")
check "notify webhook: one POST per decision ($n_events)" "$n_posts POSTs: $(head -c 300 "$tmp/posts")" \
	test "$n_posts" -eq "$n_events"
check "notify webhook: a POST carries the promotion" "$(tail -c 300 "$tmp/posts")" \
	grep -q '"action":"promote".*"rollout":"smoke-200"' "$tmp/posts"

reset_weights
smoke 201
"$ROLLSIM" live "$tmp/smoke-201.json" --out "$tmp/smoke-201" >"$tmp/smoke-201.log" 2>&1
rc=$?
check "smoke test fails (status 200, expected 201): blocked, no traffic moved" \
	"exit $rc, outcome '$(outcome "$tmp/smoke-201")', canary $(weight canary): $(tail -3 "$tmp/smoke-201.log")" \
	test "$rc/$(outcome "$tmp/smoke-201")/$(weight canary)" = 0/blocked/0
check "smoke test fails: the log gives the status" "$(grep probe "$tmp/smoke-201.log")" \
	grep -q 'probe canary-health: status 200; expected 201' "$tmp/smoke-201.log"

# --- 10. the Nth network call fails, for every N -----------------------------
# A short rollout run again and again with its Nth network call (HAProxy's
# API, a probe, a webhook) failing: every run ends with exit 0 (a failed
# observation is a window without data) or 3 (a failed actuation: traffic
# sent back to stable), never a crash; HAProxy's canary weight is then the
# one the state file records, with nothing pending: never half-shifted
# without a record.
if [ -n "$FAILNET" ] && [ -x "$FAILNET" ]; then
	cat >"$tmp/net.json" <<EOF
{
  "name": "net",
  "run": { "window_s": 1, "observe_after_s": 0 },
  "deployment": { "strategy": "canary",
    "steps": [ { "set_weight": 50 }, { "pause": { "duration_s": 2 } } ],
    "analysis": { "interval_s": 1, "min_requests": 5, "failure_limit": 1,
      "metrics": [ { "name": "errors", "metric": "error_rate", "max": 0.05 } ] } },
  "live": {
    "source": "haproxy",
    "haproxy": { "socket": "$tmp/admin.sock", "backend": "app",
                 "servers": { "stable": "stable", "canary": "canary" } },
    "probes": [ { "name": "ready", "url": "http://127.0.0.1:$canary_port/health",
                  "version": "canary", "interval_s": 1 } ],
    "notify": { "url": "http://127.0.0.1:$sink_port/events" },
    "timeout_s": 2
  }
}
EOF
	load_start
	n=1
	problem=
	seen_rc=
	while [ $n -le 60 ]; do
		reset_weights
		rm -rf "$tmp/net"
		ROLLSIM_FAIL_NET=$n "$FAILNET" live "$tmp/net.json" --out "$tmp/net" >"$tmp/net.log" 2>&1
		rc=$?
		grep -q '^failnet: .*none failed' "$tmp/net.log" && break
		case $rc in
		0 | 3) seen_rc="$seen_rc $rc" ;;
		*) problem="call $n: exit $rc: $(tail -3 "$tmp/net.log")"; break ;;
		esac
		st="$tmp/net/state.json"
		w=$(state_field "$st" weight_pct)
		p=$(state_field "$st" pending_weight_pct)
		ph=$(state_field "$st" phase)
		wc=$(weight canary)
		case "$w" in *.0) w=${w%.0} ;; esac
		if [ "$p" != None ] || [ "$wc" != "$w" ]; then
			problem="call $n: HAProxy's canary weight $wc, the state's $w (pending $p, phase $ph): $(tail -3 "$tmp/net.log")"
			break
		fi
		n=$((n + 1))
	done
	load_stop
	check "each of $((n - 1)) network calls failing in turn: exit 0 or 3, HAProxy as the state records it" \
		"$problem" test -z "$problem" -a $n -gt 2
	check "a failed actuation exits 3 at least once, a failed observation 0" "exits:$seen_rc" \
		sh -c "echo '$seen_rc' | grep -q 3 && echo '$seen_rc' | grep -q 0"
else
	bad "the network-failure build is given" "usage: live.sh ROLLSIM TESTSVC FAILNET (make live-test)"
fi

# --- 8. bad configuration ---------------------------------------------------
printf '{ "deployment": { "steps": [ { "set_weight": 10 } ] }, "live": { "source": "haproxy", "probes": [ { "name": "p", "url": "ftp://x" } ] } }\n' >"$tmp/badcfg.json"
"$ROLLSIM" live "$tmp/badcfg.json" --out "$tmp/badcfg" >"$tmp/badcfg.log" 2>&1
rc=$?
check "bad live block: exit 2 with JSON paths" "exit $rc: $(cat "$tmp/badcfg.log")" \
	sh -c "[ $rc -eq 2 ] && grep -q 'live.haproxy' '$tmp/badcfg.log' && grep -q 'live.probes\[0\].url' '$tmp/badcfg.log'"
check "bad live block: nothing written" "$(ls "$tmp/badcfg" 2>&1)" test ! -e "$tmp/badcfg"

# --- 9. Prometheus: error ratio and p99 through PromQL ----------------------
prom_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: stable
    static_configs: [ { targets: ["127.0.0.1:$stable_port"] } ]
  - job_name: canary
    static_configs: [ { targets: ["127.0.0.1:$canary_port"] } ]
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
	--web.listen-address="127.0.0.1:$prom_port" >"$tmp/prometheus.log" 2>&1 &
pids="$pids $!"
i=0
while [ "$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$prom_port/-/ready")" != 200 ] &&
	[ $i -lt 150 ]; do
	sleep 0.2
	i=$((i + 1))
done
check "Prometheus starts on loopback" "$(tail -3 "$tmp/prometheus.log")" \
	test "$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$prom_port/-/ready")" = 200

# prom_config NAME PROM_URL
prom_config() {
	cat >"$tmp/$1.json" <<EOF
{
  "name": "$1",
  "run": { "window_s": 3, "observe_after_s": 0 },
  "deployment": {
    "strategy": "canary",
    "steps": [ { "set_weight": 50 }, { "pause": { "duration_s": 9 } } ],
    "analysis": { "interval_s": 3, "min_requests": 10, "failure_limit": 1,
      "consecutive_error_limit": 2,
      "metrics": [ { "name": "errors", "metric": "error_rate", "max": 0.05 },
                   { "name": "p99", "metric": "p99_ms", "max": 100 } ] }
  },
  "live": {
    "source": "prometheus",
    "prometheus": { "url": "$2",
      "queries": {
        "requests": "sum(increase(testsvc_requests_total{job=\"{version}\"}[{window}]))",
        "errors": "sum(increase(testsvc_requests_total{job=\"{version}\",code=\"500\"}[{window}]))",
        "p99_ms": "1000 * histogram_quantile(0.99, sum by (le) (rate(testsvc_request_duration_seconds_bucket{job=\"{version}\"}[{window}])))"
      } },
    "haproxy": { "socket": "$tmp/admin.sock", "backend": "app",
                 "servers": { "stable": "stable", "canary": "canary" } },
    "actuator": { "kind": "haproxy" },
    "timeout_s": 2
  }
}
EOF
}
for case in good errors latency; do
	reset_weights
	control canary 'error_rate=0&latency_ms=0'
	prom_config "prom-$case" "http://127.0.0.1:$prom_port"
	load_start
	"$ROLLSIM" live "$tmp/prom-$case.json" --out "$tmp/prom-$case" >"$tmp/prom-$case.log" 2>&1 &
	rs=$!
	sleep 2
	[ $case = errors ] && control canary 'error_rate=0.5'
	[ $case = latency ] && control canary 'latency_ms=150'
	wait $rs
	rc=$?
	load_stop
	control canary 'error_rate=0&latency_ms=0'
	[ $case = good ] && want=promoted || want=rolled_back
	check "Prometheus ($case): exit 0, $want" \
		"exit $rc, outcome '$(outcome "$tmp/prom-$case")': $(tail -4 "$tmp/prom-$case.log")" \
		test "$rc/$(outcome "$tmp/prom-$case")" = "0/$want"
done
check "Prometheus (errors): the error-rate check failed" "$(grep analysis "$tmp/prom-errors.log")" \
	grep -q 'errors fail' "$tmp/prom-errors.log"
check "Prometheus (latency): the p99 check failed" "$(grep analysis "$tmp/prom-latency.log")" \
	grep -q 'p99 fail' "$tmp/prom-latency.log"
check "Prometheus (good): canary p99 read from the histogram" "$(head -4 "$tmp/prom-good/timeline.csv")" \
	awk -F, '$2 == "canary" && $10 != "" { n++ } END { exit !(n >= 1) }' "$tmp/prom-good/timeline.csv"

# Prometheus down: every query fails; the windows have no data, and two in
# a row (consecutive_errors) fail the analysis.
reset_weights
dead_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prom_config prom-down "http://127.0.0.1:$dead_port"
"$ROLLSIM" live "$tmp/prom-down.json" --out "$tmp/prom-down" >"$tmp/prom-down.log" 2>&1
rc=$?
check "Prometheus down: exit 0, rolled back on consecutive errors" \
	"exit $rc, outcome '$(outcome "$tmp/prom-down")': $(tail -4 "$tmp/prom-down.log")" \
	sh -c "[ '$rc/$(outcome "$tmp/prom-down")' = 0/rolled_back ] && grep -q consecutive_error_limit '$tmp/prom-down.log'"
check "Prometheus down: the log says the source failed" "$(head -6 "$tmp/prom-down.log")" \
	grep -q 'metrics source failed (2 in a row)' "$tmp/prom-down.log"

# The same with an error budget: the budget counts windows on a grid from
# time 0, so the live windows must close on it too (they once closed on a
# grid from the first clock reading, and the first window failed the run
# with "invalid argument").
python3 - "$tmp/prom-down.json" "$tmp/prom-budget.json" <<'EOF2'
import json, sys
c = json.load(open(sys.argv[1]))
c["name"] = "prom-budget"
c["slo"] = {"availability": 0.99}
c["deployment"]["error_budget"] = {"spent_frac": 0.2}
json.dump(c, open(sys.argv[2], "w"))
EOF2
"$ROLLSIM" live "$tmp/prom-budget.json" --dry-run --out "$tmp/prom-budget" >"$tmp/prom-budget.log" 2>&1
rc=$?
check "an error budget in a live run: exit 0, rolled back on consecutive errors" \
	"exit $rc, outcome '$(outcome "$tmp/prom-budget")': $(tail -4 "$tmp/prom-budget.log")" \
	test "$rc/$(outcome "$tmp/prom-budget")" = 0/rolled_back
check "an error budget in a live run: its gate let the release start" \
	"$(head -3 "$tmp/prom-budget/events.jsonl")" \
	grep -q '"rule":"error_budget".*"action":"continue"' "$tmp/prom-budget/events.jsonl"

finish
