"""Keeps docs/scenario.schema.json honest: the schema is a valid draft
2020-12 schema, every shipped scenario and example passes it, and documents
the loader rejects are rejected by it, at the JSON path expected. When a
rollsim binary is given (argv[1]), each inline document also goes through
the loader, which must agree (exit 0 for a good document, 2 and the expected
message for a bad one). A few mistakes are beyond what a JSON Schema can
say (cross references, comparisons between two values, file contents);
those documents are checked by the loader only, and the run says so.

Run through tests/schema/run.sh from the repository root. Prints "ok: ..."
or "FAIL: ... (...)" per check and ends with one line "N passed, M failed".
"""
import copy
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

SCHEMA = "docs/scenario.schema.json"
FORMAT_DOC = "docs/scenario-format.md"
BASE = "scenarios/canary-good.json"
EXAMPLE_FULL = "tests/schema/example-full.json"

passed = 0
failed = 0


def ok(what):
    global passed
    passed += 1
    print("ok: %s" % what)


def bad(what, why):
    global failed
    failed += 1
    print("FAIL: %s (%s)" % (what, why))


def no_duplicates(pairs):
    """object_pairs_hook: the loader rejects a key given twice; so do we."""
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("key %r given twice" % k)
        d[k] = v
    return d


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f, object_pairs_hook=no_duplicates)


def json_path(error_path):
    """A jsonschema error path as the loader writes it: a.b[2].c"""
    out = ""
    for p in error_path:
        if isinstance(p, int):
            out += "[%d]" % p
        else:
            out += ("." if out else "") + p
    return out


def all_errors(validator, doc):
    """Every error, with the errors inside oneOf/anyOf branches."""
    stack = list(validator.iter_errors(doc))
    seen = []
    while stack:
        e = stack.pop()
        seen.append(e)
        stack.extend(e.context)
    return seen


def short(errors):
    return "; ".join("%s: %s" % (json_path(e.absolute_path) or "(top level)",
                                 e.message[:120]) for e in errors[:4])


# --- mutations of the base document ----------------------------------------

DEL = object()


def put(doc, path, value):
    o = doc
    for k in path[:-1]:
        o = o[k]
    if value is DEL:
        del o[path[-1]]
    else:
        o[path[-1]] = value


def variant(base, *changes):
    doc = copy.deepcopy(base)
    for path, value in changes:
        put(doc, path, value)
    return doc


# Files that documents below name by a relative path; the loader reads them
# from the folder of the scenario file, where (d) writes them.
FILES = {
    "trace.csv": "t_s,rate_rps\n0,150\n60,300\n120,300\n180,100\n",
    "trace-unordered.csv": "0,150\n60,300\n30,300\n",
    "samples.csv": "latency_ms\n31.5\n28\n40.2\n35\n120\n",
}


def doc_json_blocks(path):
    """The ```json blocks of a markdown file, parsed; unparsable ones are None."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = []
    for block in re.findall(r"```json\n(.*?)```", text, re.S):
        try:
            out.append(json.loads(block, object_pairs_hook=no_duplicates))
        except ValueError:
            out.append(None)
    return out


def main():
    rollsim = sys.argv[1] if len(sys.argv) > 1 else ""

    try:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError
    except ImportError as e:
        bad("import jsonschema (Debian package python3-jsonschema)", str(e))
        return

    # (a) The schema itself.
    try:
        schema = load_json(SCHEMA)
    except (OSError, ValueError) as e:
        bad("%s is readable JSON" % SCHEMA, str(e))
        return
    ok("%s is readable JSON" % SCHEMA)
    want = "https://json-schema.org/draft/2020-12/schema"
    if schema.get("$schema") == want:
        ok("the schema declares draft 2020-12")
    else:
        bad("the schema declares draft 2020-12", "$schema is %r" % schema.get("$schema"))
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as e:
        bad("the schema is a valid draft 2020-12 schema", e.message)
        return
    ok("the schema is a valid draft 2020-12 schema")
    v = Draft202012Validator(schema)

    # Every object the schema defines closes its keys: a typo must never
    # pass. (Subschemas without "type": "object", such as an if/then or the
    # stable's extra rule on errors, only add conditions to such an object.)
    def open_objects(node, where):
        if isinstance(node, dict):
            # a map (named weights) closes itself with a schema for its values
            closed = node.get("additionalProperties") is False or (
                isinstance(node.get("additionalProperties"), dict) and "properties" not in node)
            if node.get("type") == "object" and not closed:
                yield where
            for k, x in node.items():
                yield from open_objects(x, where + "/" + k)
        elif isinstance(node, list):
            for i, x in enumerate(node):
                yield from open_objects(x, "%s/%d" % (where, i))
    opened = list(open_objects(schema, "#"))
    if opened:
        bad("every object in the schema has additionalProperties false", ", ".join(opened[:5]))
    else:
        ok("every object in the schema has additionalProperties false")

    # (b) Every shipped scenario and example passes.
    files = sorted(glob.glob("scenarios/*.json"))
    examples = sorted(glob.glob("tests/schema/*.json"))
    if files:
        ok("scenarios/*.json: %d files found" % len(files))
    else:
        bad("scenarios/*.json: files found", "none")
    if EXAMPLE_FULL in examples:
        ok("%s is there" % EXAMPLE_FULL)
    else:
        bad("%s is there" % EXAMPLE_FULL, "missing")
    for f in files + examples:
        try:
            doc = load_json(f)
        except (OSError, ValueError) as e:
            bad("%s is readable JSON without duplicate keys" % f, str(e))
            continue
        errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errs:
            bad("%s passes the schema" % f, short(errs))
        else:
            ok("%s passes the schema" % f)

    # The format page shows both complete examples as they are.
    try:
        blocks = doc_json_blocks(FORMAT_DOC)
    except OSError as e:
        bad("%s is readable" % FORMAT_DOC, str(e))
        blocks = []
    for f in ("scenarios/canary-bad-errors.json", EXAMPLE_FULL):
        try:
            want_doc = load_json(f)
        except (OSError, ValueError):
            continue  # reported above
        if want_doc in blocks:
            ok("%s shows %s as it is" % (FORMAT_DOC, f))
        else:
            bad("%s shows %s as it is" % (FORMAT_DOC, f), "no ```json block equals the file")

    try:
        base = load_json(BASE)
        full = load_json(EXAMPLE_FULL)
    except (OSError, ValueError) as e:
        bad("%s and %s are readable" % (BASE, EXAMPLE_FULL), str(e))
        return

    ST = ["versions", "stable"]
    CA = ["versions", "canary"]
    SVC = ST + ["service_time"]

    def svc(dist):
        return variant(base, (SVC, dist))

    db = {"name": "db", "latency": {"dist": "constant", "value_ms": 2}}
    ge = {"model": "gilbert_elliott", "good_rate": 0.001, "bad_rate": 0.2,
          "p_enter_bad": 0.001, "p_leave_bad": 0.05}

    # Good documents beside the shipped ones: the defaults, each traffic
    # profile, each dist, each error model, resources and dependencies.
    minimal = {
        "traffic": {"rate_rps": 50},
        "versions": {"stable": {"instances": 1, "concurrency": 1,
                                "service_time": {"dist": "constant", "value_ms": 0}}},
        "deployment": {"steps": [{"set_weight": 100}]},
    }
    good = [
        ("only the required keys", minimal),
        ("exponential stable, canary replacing service_time",
         variant(base,
                 (SVC, {"dist": "exponential", "mean_ms": 30}),
                 (CA, {"instances": 2, "service_time": {"dist": "constant", "value_ms": 12.5}}))),
        ("fractional weight, pause 0, whole number written 4.0",
         variant(base,
                 (["deployment", "steps"], [{"set_weight": 12.5}, {"pause": {"duration_s": 0}}]),
                 (ST + ["instances"], 4.0))),
        ("check with min only; success_rate min 0.99",
         variant(base, (["deployment", "analysis", "metrics"],
                        [{"metric": "success_rate", "min": 0.99, "name": "availability"}]))),
        ("analysis with no metrics, ground truth stated",
         variant(base, (["deployment", "analysis"], {"metrics": []}),
                 (["ground_truth"], {"canary_bad": False}))),
        ("slo latency_quantile 0.5, availability 1",
         variant(base, (["slo"], {"availability": 1, "latency_quantile": 0.5}))),
        # Traffic profiles.
        ("traffic rate_rps 0 (no requests)",
         variant(base, (["traffic", "rate_rps"], 0))),
        ("traffic profile constant, stated",
         variant(base, (["traffic"], {"profile": "constant", "rate_rps": 150}))),
        ("traffic profile step",
         variant(base, (["traffic"], {"profile": "step", "rate_rps": 100,
                                      "steps": [{"at_s": 0, "rate_rps": 120},
                                                {"at_s": 60.5, "rate_rps": 300}]}))),
        ("traffic profile ramp, start_s left out",
         variant(base, (["traffic"], {"profile": "ramp", "rate_rps": 100, "to_rps": 300,
                                      "duration_s": 120}))),
        ("traffic profile diurnal with every key",
         variant(base, (["traffic"], {"profile": "diurnal", "rate_rps": 200, "amplitude": 0.5,
                                      "period_s": 600, "phase_s": 150}))),
        ("traffic profile spike",
         variant(base, (["traffic"], {"profile": "spike", "rate_rps": 100, "to_rps": 400,
                                      "start_s": 30, "duration_s": 20}))),
        ("traffic profile trace (a CSV with a header row)",
         variant(base, (["traffic"], {"profile": "trace", "file": "trace.csv"}))),
        # Distributions.
        ("lognormal from p50_ms and p99_ms",
         svc({"dist": "lognormal", "p50_ms": 40, "p99_ms": 130})),
        ("lognormal from p90_ms and p999_ms",
         svc({"dist": "lognormal", "p90_ms": 60, "p999_ms": 300})),
        ("gamma with scale_ms",
         svc({"dist": "gamma", "shape": 2, "scale_ms": 20})),
        ("gamma with mean_ms",
         svc({"dist": "gamma", "shape": 2.5, "mean_ms": 40})),
        ("weibull",
         svc({"dist": "weibull", "shape": 1.5, "scale_ms": 45})),
        ("pareto",
         svc({"dist": "pareto", "shape": 3, "scale_ms": 25})),
        ("mixture of a lognormal, an exponential and an empirical",
         svc({"dist": "mixture", "components": [
             {"weight": 90, "dist": "lognormal", "median_ms": 35, "sigma": 0.4},
             {"weight": 9, "dist": "exponential", "mean_ms": 80},
             {"weight": 1, "dist": "empirical", "samples_ms": [400, 900]}]})),
        ("empirical with samples_ms",
         svc({"dist": "empirical", "samples_ms": [30, 35.5, 41, 0, 120]})),
        ("empirical with a file (a CSV with a header row)",
         svc({"dist": "empirical", "file": "samples.csv"})),
        # Error models and the canary's inheritance.
        ("errors model bernoulli, stated",
         variant(base, (ST + ["errors"], {"model": "bernoulli", "rate": 0.002}))),
        ("errors model gilbert_elliott; the canary changes bad_rate only",
         variant(base, (ST + ["errors"], ge), (CA, {"errors": {"bad_rate": 0.4}}))),
        ("canary errors {} (the stable's errors)",
         variant(base, (CA, {"errors": {}}))),
        ("canary errors without rate (the stable's rate)",
         variant(base, (CA, {"errors": {"model": "bernoulli"}}))),
        ("canary switching from gilbert_elliott to bernoulli",
         variant(base, (ST + ["errors"], ge), (CA, {"errors": {"model": "bernoulli", "rate": 0.01}}))),
        # Versions: queueing, timeouts, readiness, slow start, resources.
        ("queue_limit, timeout_ms, ready_after_s, slow_start on the stable",
         variant(base, (ST + ["queue_limit"], 0), (ST + ["timeout_ms"], 1500),
                 (ST + ["ready_after_s"], 0), (ST + ["slow_start"], {"multiplier": 1, "duration_s": 30}))),
        ("canary with a queue limit, a timeout and slow start",
         variant(base, (CA, {"queue_limit": 20, "timeout_ms": 800, "ready_after_s": 2,
                             "slow_start": {"multiplier": 3, "duration_s": 45}}))),
        ("resources with every key",
         variant(base, (ST + ["resources"], {
             "cpu_cores": 0.5, "cpu_ms_per_request": 2, "cpu_busy_frac": 0.3,
             "memory_base_mb": 256, "memory_per_request_mb": 1.5, "memory_leak_mb_per_s": 0,
             "memory_limit_mb": 1024, "restart_delay_s": 10}))),
        ("canary leaking memory under the stable's limit",
         variant(base, (ST + ["resources"], {"memory_base_mb": 200, "memory_limit_mb": 600}),
                 (CA, {"resources": {"memory_leak_mb_per_s": 2}}))),
        ("memory_limit_mb 0 (no limit) under a memory_base_mb",
         variant(base, (ST + ["resources"], {"memory_base_mb": 300, "memory_limit_mb": 0}))),
        # Dependencies.
        ("dependencies called by default by both versions",
         variant(base, (["dependencies"], [
             {"name": "db", "latency": {"dist": "gamma", "shape": 4, "mean_ms": 6},
              "errors": {"rate": 0.001}},
             {"name": "cache.v2", "latency": {"dist": "constant", "value_ms": 0.5}}]))),
        ("dependencies listed per version; the canary calls none",
         variant(base, (["dependencies"], [db, {"name": "auth", "latency": {"dist": "exponential", "mean_ms": 3}}]),
                 (ST + ["dependencies"], ["db", "auth"]), (CA, {"dependencies": []}))),
        ("dependencies [] at the top level",
         variant(base, (["dependencies"], []))),
        ("the complete example %s" % EXAMPLE_FULL, full),
        # Analysis: modes, limits, baseline comparisons, per-check settings.
        ("Flagger's step_weight and max_weight",
         variant(base, (["deployment", "steps"], DEL),
                 (["deployment", "step_weight"], 10), (["deployment", "max_weight"], 50))),
        ("Flagger's step_weights, and analysis steps",
         variant(base, (["deployment", "steps"], DEL),
                 (["deployment", "step_weights"], [1, 5, 10, 50]))),
        ("an analysis step",
         variant(base, (["deployment", "steps"], [{"set_weight": 10}, {"analysis": {}},
                                {"set_weight": 50}, {"analysis": {}}]))),
        ("an approval step and its approval",
         variant(base, (["deployment", "steps"], [{"set_weight": 10}, {"approval": {"gate": "qa"}},
                                                  {"set_weight": 50}, {"pause": {"duration_s": 30}}]),
                 (["approvals"], [{"gate": "qa", "at_s": 120}]))),
        ("Kayenta-style scoring with groups and a critical check",
         variant(base, (["deployment", "analysis"], {
             "scoring": {"groups": {"errors": 60, "latency": 40}, "pass_score": 90, "marginal_score": 70},
             "metrics": [{"metric": "error_rate", "max": 0.01, "group": "errors"},
                         {"metric": "p99_ms", "max": 400, "group": "latency"},
                         {"metric": "success_rate", "min": 0.9, "critical": True}]}))),
        ("smoke tests and their simulated results",
         variant(base, (["deployment", "smoke_tests"], [{"name": "login", "critical": True, "retries": 2},
                                                       {"name": "search"}]),
                 (["smoke_results"], {"login": 2, "search": 0}))),
        ("faults of every kind",
         variant(base, (["faults"], [
             {"name": "slow", "kind": "latency", "target": "canary", "delay_ms": 100, "jitter_ms": 20,
              "correlation": 0.25, "multiplier": 1.5, "probability": 0.5, "start": {"at_s": 30}, "duration_s": 60, "ramp_s": 10},
             {"kind": "errors", "error_rate": 0.2, "target": "all", "start": {"step": 2, "after_s": 5}, "duration_s": 30},
             {"kind": "abort", "start": {"on": "promotion"}, "duration_s": 10},
             {"kind": "crash", "target": "stable", "instances": {"count": 1}, "start": {"at_s": 0}, "duration_s": 20},
             {"kind": "cpu_hog", "share": 0.5, "instances": {"percent": 50}, "start": {"at_s": 5}, "duration_s": 20},
             {"kind": "dependency", "dependency": "db", "error_rate": 1, "delay_ms": 30, "start": {"on": "rollback"}, "duration_s": 60},
             {"kind": "traffic_spike", "factor": 3, "start": {"at_s": 60}, "duration_s": 30},
             {"kind": "metrics_down", "start": {"at_s": 10}, "duration_s": 20},
             {"kind": "metrics_nan", "start": {"at_s": 10}, "duration_s": 20},
             {"kind": "metrics_stale", "start": {"at_s": 10}, "duration_s": 20},
             {"kind": "metrics_lag", "lag_s": 20, "start": {"at_s": 10}, "duration_s": 20},
             {"kind": "actuation_delay", "delay_s": 15, "start": {"at_s": 10}, "duration_s": 20},
             {"kind": "actuation_fail", "start": {"at_s": 10}, "duration_s": 20},
             {"kind": "error_burst", "error_rate": 0.5, "burst_s": 2, "every_s": 10, "start": {"at_s": 10}, "duration_s": 60},
             {"kind": "crash_loop", "instances": {"count": 1}, "down_s": 5, "every_s": 20, "start": {"at_s": 10}, "duration_s": 60},
             {"kind": "memory_leak", "leak_mb_per_s": 2, "start": {"at_s": 10}, "duration_s": 60},
             {"kind": "partition", "target": "stable", "instances": {"percent": 25}, "start": {"at_s": 10}, "duration_s": 60},
             {"kind": "slow_start", "multiplier": 4, "start": {"step": 1}, "duration_s": 60}]),
             (["dependencies"], [{"name": "db", "latency": {"dist": "constant", "value_ms": 2}}]))),
        ("an operator's abort and retry",
         variant(base, (["operator"], [{"at_s": 45, "command": "abort"}, {"at_s": 120.5, "command": "retry"}]))),
        ("an error budget with a latency budget",
         variant(base, (["deployment", "error_budget"], {"latency": True, "spent_frac": 0.5}))),
        ("bounds on the times to detect and recover",
         variant(base, (["expect"], {"outcome": "rolled_back", "ttd_s": {"max": 60}, "ttr_s": {"min": 10, "max": 90}}))),
        ("an error budget frozen before",
         variant(base, (["deployment", "error_budget"], {"frozen_before": True, "spent_frac": 0.84}))),
        ("statistical judges on error rate",
         variant(base, (["deployment", "analysis", "metrics"], [
             {"metric": "error_rate", "judge": {"test": "proportions", "alpha": 0.01}},
             {"name": "errors-seq", "metric": "error_rate", "judge": {"test": "msprt", "tau": 0.02}},
             {"name": "latency-mw", "metric": "p50_ms", "judge": {"test": "mann_whitney", "alpha": 0.01,
                                                                  "effect": "median_ratio", "effect_max": 1.1}},
             {"name": "latency-cles", "metric": "p99_ms", "judge": {"test": "mann_whitney", "effect": "cles"}}]))),
        ("an error budget",
         variant(base, (["deployment", "error_budget"], {"period_s": 604800, "spent_frac": 0.5,
                                                        "critical": True, "freeze_below": 0.2,
                                                        "warn_below": 0.3, "unfreeze_above": 0.25}))),
        ("error budget alerts of both severities",
         variant(base, (["deployment", "error_budget"], {"alerts": [
             {"name": "page_fast", "severity": "page", "long_s": 600, "short_s": 60, "burn_rate": 10},
             {"name": "ticket.slow", "severity": "ticket", "long_s": 3600, "short_s": 3600, "burn_rate": 1.5},
             {"name": "page-default", "long_s": 120, "short_s": 10, "burn_rate": 99.9}]}))),
        ("an error budget without alerts",
         variant(base, (["deployment", "error_budget"], {"alerts": [], "spent_frac": 0.2}))),
        ("a compatibility gate",
         variant(base, (["deployment", "compatibility"], {
             "stable_version": "1.4.2", "canary_version": "v2.0.0",
             "upgrade_paths": [{"from": "1.4", "to": "2"}], "breaking_changes": True,
             "allow_breaking": True, "migration_reversible": True}))),
        ("a gradual rollback",
         variant(base, (["deployment", "rollback"], {"mode": "gradual", "step_pct": 25, "interval_s": 15}))),
        ("freeze instead of rollback",
         variant(base, (["deployment", "rollback"], {"mode": "freeze"}))),
        ("blue-green with every key",
         variant(base, (["deployment", "strategy"], "bluegreen"), (["deployment", "steps"], DEL),
                 (["deployment", "bluegreen"], {
                     "preview": {"ready_frac": 0.75, "timeout_s": 120},
                     "pre_promotion": {"runs": 3, "mirror_pct": 20},
                     "auto_promotion": True, "auto_promotion_delay_s": 15,
                     "promotion_gate": "go-live", "switch": {"step_pct": 25, "interval_s": 10},
                     "post_promotion": {"runs": 2}, "scale_down_delay_s": 60}))),
        ("blue-green with defaults only",
         variant(base, (["deployment", "strategy"], "bluegreen"), (["deployment", "steps"], DEL))),
        ("blue-green with canary steps, waiting for approval",
         variant(base, (["deployment", "strategy"], "bluegreen_canary"),
                 (["deployment", "bluegreen"], {"pre_promotion": {"runs": 1},
                                                "auto_promotion": False}),
                 (["approvals"], [{"gate": "promote", "at_s": 60}]))),
        ("a trigger of each kind",
         variant(base, (["deployment", "triggers"], [
             {"name": "p99-high", "kind": "threshold", "metric": "p99_ms", "max": 800,
              "for_s": 30, "cooldown_s": 20},
             {"kind": "health", "min_ready_frac": 0.75},
             {"kind": "error_spike", "factor": 5, "min_errors": 10, "min_baseline_requests": 50},
             {"kind": "dependency", "dependency": "db", "max_error_rate": 0.05, "min_calls": 100}]),
             (["dependencies"], [{"name": "db", "latency": {"dist": "constant", "value_ms": 2}}]))),
        ("flagger mode with every limit",
         variant(base, (["deployment", "analysis"], {
             "mode": "flagger", "failure_limit": 2, "consecutive_failure_limit": 2,
             "consecutive_error_limit": 0, "inconclusive_limit": 5,
             "consecutive_success_limit": 3,
             "metrics": [{"metric": "error_rate", "max": 0.05}]}))),
        ("baseline limits, per-check min_requests and no_data",
         variant(base, (["deployment", "analysis", "metrics"], [
             {"metric": "p99_ms", "baseline": {"max_ratio": 1.3, "max_increase": 50},
              "min_requests": 200, "no_data": "inconclusive"},
             {"metric": "success_rate", "baseline": {"max_decrease": 0.01}},
             {"metric": "error_rate", "max": 0.05, "baseline": {"max_ratio": 2, "min_ratio": 0}},
             {"metric": "cpu_frac", "max": 0.9}, {"metric": "timeout_rate", "max": 0.01},
             {"metric": "memory_mb", "max": 900}, {"metric": "connections", "max": 500},
             {"metric": "rejected_rate", "max": 0}, {"metric": "max_ms", "max": 5000}]))),
    ]

    # The flags strategy: the shipped form (step_pct) is checked above.
    fbase = load_json("scenarios/flags-one-bad.json")
    FL = ["deployment", "flags"]
    FE = ST + ["flags"]
    good += [
        ("flags with explicit steps and a latency effect",
         variant(fbase, (FE + [2], {"name": "dark-mode", "effect": "latency", "latency_multiplier": 1.5}),
                 (FL + [2], {"name": "dark-mode",
                             "steps": [{"set_pct": 5}, {"pause": {"duration_s": 30}}, {"set_pct": 25}],
                             "analysis": {"metrics": [{"metric": "p99_ms", "baseline": {"max_ratio": 1.2}}]}}))),
    ]

    # The live block (rollsim live, docs/live.md). rollsim live needs only
    # "deployment" beside it, but rollsim run (which loads these documents)
    # needs the world too and checks the live block all the same: each
    # document adds it to the complete base.
    LV = ["live"]
    hap = {"socket": "/run/haproxy/admin.sock", "backend": "app",
           "servers": {"stable": "app-stable", "canary": "app-canary"}}
    prom = {"url": "http://127.0.0.1:9090", "queries": {
        "requests": 'sum(increase(http_requests_total{job="app",version="{version}"}[{window}]))',
        "errors": 'sum(increase(http_requests_total{job="app",version="{version}",code=~"5.."}[{window}]))'}}
    hbase = variant(base, (LV, {"source": "haproxy", "haproxy": hap}))
    pbase = variant(base, (LV, {"source": "prometheus", "prometheus": prom,
                                "actuator": {"kind": "command", "command": ["set-weight", "{weight}"]}}))
    good += [
        ("a complete HAProxy live block",
         variant(base, (LV, {
             "source": "haproxy",
             "haproxy": dict(hap, weight_total=256),
             "actuator": {"kind": "haproxy"},
             "notify": {"url": "https://hooks.example.com/rollsim",
                        "command": ["logger", "-t", "rollsim", "{name}: {event} ({rule}) at {weight}% after {t_s} s",
                                    "{json}"]},
             "probes": [{"name": "stable-health", "url": "http://10.0.0.1:8080/healthz", "version": "stable",
                         "expect_status": 204, "timeout_s": 0.5, "interval_s": 2},
                        {"name": "canary-health", "url": "http://10.0.0.2:8080/healthz", "version": "canary"},
                        {"name": "login", "url": "https://app.example.com/login", "version": "none"}],
             "faults": [{"name": "slow-net", "at_s": 30, "duration_s": 60,
                         "command": ["tc", "qdisc", "add", "dev", "eth0", "root", "netem", "delay", "100ms"],
                         "undo": ["tc", "qdisc", "del", "dev", "eth0", "root"]},
                        {"name": "kill-canary", "at_s": 0, "command": ["chaos", "--fault", "{name}"]}],
             "timeout_s": 2.5, "on_signal": "hold", "on_resume": "rollback"}))),
        ("a Prometheus live block: PromQL with {version}, {window} and label matchers",
         variant(base, (LV, {
             "source": "prometheus",
             "prometheus": {"url": "https://prometheus.example.com:9090", "versions": {"stable": "v1", "canary": "v2"},
                            "queries": {
                                "requests": 'sum(increase(http_requests_total{job="app",version="{version}"}[{window}]))',
                                "error_rate": 'sum(rate(http_requests_total{version="{version}",code=~"5.."}[{window}])) / sum(rate(http_requests_total{version="{version}"}[{window}]))',
                                "p99_ms": '1000 * histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{version="{version}"}[{window}])))',
                                "ready_instances": 'count(up{job="app", version="{version}"} == 1)'}},
             "haproxy": {"address": "127.0.0.1:9999", "backend": "app",
                         "servers": {"stable": "v1", "canary": "v2"}}}))),
        ("a command actuator, Prometheus as the source and no haproxy block", pbase),
        ("a command actuator beside HAProxy as the source",
         variant(hbase, (LV + ["actuator"], {"kind": "command",
                                             "command": ["kubectl", "patch", "trafficsplit", "{name}",
                                                         "--canary={weight}", "--stable={stable_weight}",
                                                         "--mirror={mirror}"]}))),
        ("a smoke test run live by the probe of its name",
         variant(hbase, (["deployment", "smoke_tests"], [{"name": "login"}]), (["smoke_results"], {"login": 1}),
                 (LV + ["probes"], [{"name": "login", "url": "https://app.example.com/login"}]))),
        ("an approval gate approved by a command",
         variant(hbase, (LV + ["approval"], {"command": ["test", "-e", "/run/approve-{gate}"],
                                             "interval_s": 2}))),
        ("HAProxy's stats page as the source, a command actuator, no runtime API",
         variant(hbase, (["live", "haproxy", "socket"], DEL),
                 (["live", "haproxy", "stats_url"], "http://127.0.0.1:8404/stats;csv"),
                 (LV + ["actuator"], {"kind": "command", "command": ["set-weight", "{weight}"]}))),
    ]
    for what, doc in good:
        errs = list(v.iter_errors(doc))
        if errs:
            bad("good document passes: %s" % what, short(errs))
        else:
            ok("good document passes: %s" % what)

    # (c) Bad documents: each must fail, with an error at the path given
    # whose message contains the word given. The last field is what the
    # loader says (see scenario/). A path of None marks a mistake
    # the schema cannot express: the loader alone catches it.
    S = ["deployment", "steps"]
    M = ["deployment", "analysis", "metrics"]
    cases = [
        ("a judge on a latency metric",
         variant(base, (["deployment", "analysis", "metrics"], [{"metric": "p99_ms", "judge": {"test": "msprt"}}])),
         None, None,
         "deployment.analysis.metrics[0].judge: test msprt judges errors: it needs metric error_rate, found p99_ms"),
        ("a Mann-Whitney judge on the error rate",
         variant(base, (["deployment", "analysis", "metrics"], [{"metric": "error_rate", "judge": {"test": "mann_whitney"}}])),
         None, None,
         "deployment.analysis.metrics[0].judge: test mann_whitney judges latency: it needs metric mean_ms, p50_ms, p95_ms, p99_ms or max_ms, found error_rate"),
        ("a Mann-Whitney judge with msprt's tau",
         variant(base, (["deployment", "analysis", "metrics"], [{"metric": "p99_ms", "judge": {"test": "mann_whitney", "tau": 0.1}}])),
         "deployment.analysis.metrics[0].judge", "should not be valid",
         "deployment.analysis.metrics[0].judge.tau: unknown key"),
        ("an effect size on an error judge",
         variant(base, (["deployment", "analysis", "metrics"], [{"metric": "error_rate", "judge": {"test": "proportions", "effect": "cles"}}])),
         "deployment.analysis.metrics[0].judge", "should not be valid",
         "deployment.analysis.metrics[0].judge.effect: unknown key"),
        ("a CLES limit above 1",
         variant(base, (["deployment", "analysis", "metrics"], [{"metric": "p50_ms", "judge": {"test": "mann_whitney", "effect": "cles", "effect_max": 1.5}}])),
         None, None,
         "deployment.analysis.metrics[0].judge.effect_max: 1.5 is out of range 0..1"),
        ("an unknown judge test",
         variant(base, (["deployment", "analysis", "metrics"], [{"metric": "error_rate", "judge": {"test": "fisher"}}])),
         "deployment.analysis.metrics[0].judge.test", "fisher",
         'deployment.analysis.metrics[0].judge.test: "fisher" is not known; expected one of: proportions, msprt, mann_whitney'),
        ("an error budget that unfreezes below its freeze",
         variant(base, (["deployment", "error_budget"], {"freeze_below": 0.2, "unfreeze_above": 0.1})),
         None, None,
         "deployment.error_budget: expected critical_floor <= freeze_below <= warn_below"),
        ("an alert with an unknown key",
         variant(base, (["deployment", "error_budget"], {"alerts": [
             {"name": "a", "long_s": 600, "short_s": 60, "burn_rate": 10, "burn_rat": 10}]})),
         "deployment.error_budget.alerts[0]", "burn_rat",
         "deployment.error_budget.alerts[0].burn_rat: unknown key"),
        ("an alert of an unknown severity",
         variant(base, (["deployment", "error_budget"], {"alerts": [
             {"name": "a", "severity": "warn", "long_s": 600, "short_s": 60, "burn_rate": 10}]})),
         "deployment.error_budget.alerts[0].severity", "warn",
         'deployment.error_budget.alerts[0].severity: "warn" is not known; expected one of: page, ticket'),
        ("an alert without its burn rate",
         variant(base, (["deployment", "error_budget"], {"alerts": [
             {"name": "a", "long_s": 600, "short_s": 60}]})),
         "deployment.error_budget.alerts[0]", "burn_rate",
         "deployment.error_budget.alerts[0].burn_rate: missing; expected a number"),
        ("an alert at burn rate 0",
         variant(base, (["deployment", "error_budget"], {"alerts": [
             {"name": "a", "long_s": 600, "short_s": 60, "burn_rate": 0}]})),
         "deployment.error_budget.alerts[0].burn_rate", "minimum",
         "deployment.error_budget.alerts[0].burn_rate: 0 is out of range: expected more than 0"),
        ("an alert name with a space",
         variant(base, (["deployment", "error_budget"], {"alerts": [
             {"name": "page 1h", "long_s": 600, "short_s": 60, "burn_rate": 10}]})),
         "deployment.error_budget.alerts[0].name", "page 1h",
         'deployment.error_budget.alerts[0].name: "page 1h" is not a valid name'),
        ("nine alerts",
         variant(base, (["deployment", "error_budget"], {"alerts": [
             {"name": "a%d" % i, "long_s": 600, "short_s": 60, "burn_rate": 10} for i in range(9)]})),
         "deployment.error_budget.alerts", "too long",
         "deployment.error_budget.alerts: 9 alerts; expected 0..8"),
        ("an alert window that is not whole windows",
         variant(base, (["deployment", "error_budget"], {"alerts": [
             {"name": "a", "long_s": 605, "short_s": 60, "burn_rate": 10}]})),
         None, None,
         "deployment.error_budget.alerts[0].long_s: 605 is not a whole number of windows (run.window_s = 10)"),
        ("an alert whose short window is the longer",
         variant(base, (["deployment", "error_budget"], {"alerts": [
             {"name": "a", "long_s": 60, "short_s": 600, "burn_rate": 10}]})),
         None, None,
         "deployment.error_budget.alerts[0]: short_s 600 is longer than long_s 60; expected short_s <= long_s"),
        ("an alert that can never fire",
         variant(base, (["deployment", "error_budget"], {"alerts": [
             {"name": "a", "long_s": 600, "short_s": 60, "burn_rate": 100}]})),
         None, None,
         "deployment.error_budget.alerts[0].burn_rate: 100 can never fire: with slo.availability 0.99 the burn rate is at most 1 / (1 - 0.99) = 100"),
        ("two alerts of one name",
         variant(base, (["deployment", "error_budget"], {"alerts": [
             {"name": "a", "long_s": 600, "short_s": 60, "burn_rate": 10},
             {"name": "a", "long_s": 3600, "short_s": 300, "burn_rate": 5}]})),
         None, None,
         'deployment.error_budget.alerts[1].name: "a" is the name of deployment.error_budget.alerts[0] too; expected a new name'),
        ("a time bound without a bound",
         variant(base, (["expect"], {"outcome": "rolled_back", "ttd_s": {}})),
         "expect.ttd_s", "enough",
         'expect.ttd_s: no bound; expected "min", "max" or both'),
        ("a time bound upside down",
         variant(base, (["expect"], {"outcome": "rolled_back", "ttd_s": {"min": 60, "max": 30}})),
         None, None,
         "expect.ttd_s: min 60 is above max 30"),
        ("a fault of an unknown kind",
         variant(base, (["faults"], [{"kind": "partition_all", "start": {"at_s": 1}, "duration_s": 5}])),
         "faults[0].kind", "partition_all",
         'faults[0].kind: "partition_all" is not known; expected one of: latency, errors, abort, crash, cpu_hog, dependency, traffic_spike, metrics_down, metrics_nan, metrics_stale, metrics_lag, actuation_delay, actuation_fail, error_burst, crash_loop, memory_leak, partition, slow_start'),
        ("a burst as long as its period",
         variant(base, (["faults"], [{"kind": "error_burst", "error_rate": 1, "burst_s": 10, "every_s": 10, "start": {"at_s": 1}, "duration_s": 50}])),
         None, None,
         "faults[0]: burst_s 10 is not shorter than every_s 10"),
        ("a fault without its duration",
         variant(base, (["faults"], [{"kind": "abort", "start": {"at_s": 1}}])),
         "faults[0]", "duration_s",
         "faults[0].duration_s: missing; expected a number"),
        ("a fault starting twice",
         variant(base, (["faults"], [{"kind": "abort", "start": {"at_s": 1, "step": 2}, "duration_s": 5}])),
         "faults[0].start", "valid",
         'faults[0].start: expected one of "at_s", "step" or "on"'),
        ("a key of another fault kind",
         variant(base, (["faults"], [{"kind": "abort", "delay_ms": 5, "start": {"at_s": 1}, "duration_s": 5}])),
         None, None,
         "faults[0].delay_ms: unknown key"),
        ("a latency fault without an effect",
         variant(base, (["faults"], [{"kind": "latency", "start": {"at_s": 1}, "duration_s": 5}])),
         None, None,
         'faults[0]: no effect; expected "delay_ms", "multiplier" or both'),
        ("a jitter larger than its delay",
         variant(base, (["faults"], [{"kind": "latency", "delay_ms": 10, "jitter_ms": 20, "start": {"at_s": 1}, "duration_s": 5}])),
         None, None,
         "faults[0]: jitter_ms 20 is above delay_ms 10; expected at most the delay"),
        ("a correlation without a jitter",
         variant(base, (["faults"], [{"kind": "latency", "delay_ms": 10, "correlation": 0.5, "start": {"at_s": 1}, "duration_s": 5}])),
         None, None,
         "faults[0]: correlation 0.5 without jitter_ms; expected a jitter to correlate"),
        ("a correlation above 1",
         variant(base, (["faults"], [{"kind": "latency", "delay_ms": 10, "jitter_ms": 5, "correlation": 1.5, "start": {"at_s": 1}, "duration_s": 5}])),
         "faults[0].correlation", "maximum",
         "faults[0].correlation: 1.5 is out of range 0..1"),
        ("a ramp longer than the fault",
         variant(base, (["faults"], [{"kind": "abort", "ramp_s": 10, "start": {"at_s": 1}, "duration_s": 5}])),
         None, None,
         "faults[0]: ramp_s 10 is longer than duration_s 5; expected at most the duration"),
        ("a ramp on a crash, which acts at once",
         variant(base, (["faults"], [{"kind": "crash", "ramp_s": 5, "start": {"at_s": 1}, "duration_s": 30}])),
         None, None,
         "faults[0].ramp_s: a crash fault does not ramp (it acts on its instances at its start and end); expected ramp_s only on latency, errors, abort, error_burst, dependency or traffic_spike"),
        ("a ramp on a metrics fault, which is on or off",
         variant(base, (["faults"], [{"kind": "metrics_down", "ramp_s": 5, "start": {"at_s": 1}, "duration_s": 30}])),
         None, None,
         "faults[0].ramp_s: a metrics_down fault does not ramp (it is on or off)"),
        ("a ramp on a slow start, which fades by its own rule",
         variant(base, (["faults"], [{"kind": "slow_start", "multiplier": 3, "ramp_s": 5, "start": {"at_s": 1}, "duration_s": 30}])),
         None, None,
         "faults[0].ramp_s: a slow_start fault does not ramp (it fades over its duration)"),
        ("a fault at a step the deployment does not have (6 steps)",
         variant(base, (["faults"], [{"kind": "abort", "start": {"step": 7}, "duration_s": 30}])),
         None, None,
         "faults[0].start.step: 7 is beyond the deployment's 6 steps, so the fault would never start; expected 1..6"),
        ("a fault at a step of a strategy without steps",
         variant(base, (["deployment", "strategy"], "bluegreen"), (["deployment", "steps"], DEL),
                 (["faults"], [{"kind": "abort", "start": {"step": 1}, "duration_s": 30}])),
         None, None,
         'faults[0].start.step: the bluegreen strategy has no steps, so the fault would never start; expected "at_s" or "on"'),
        ("instances given both as a count and a percent",
         variant(base, (["faults"], [{"kind": "crash", "instances": {"count": 1, "percent": 50}, "start": {"at_s": 1}, "duration_s": 30}])),
         "faults[0].instances", "valid",
         "faults[0].instances: expected exactly one of count or percent"),
        ("a dependency fault on an undeclared dependency",
         variant(base, (["faults"], [{"kind": "dependency", "dependency": "cache", "error_rate": 1, "start": {"at_s": 1}, "duration_s": 5}])),
         None, None,
         'faults[0].dependency: "cache" is not one of the scenario\'s dependencies'),
        ("an operator command not known",
         variant(base, (["operator"], [{"at_s": 10, "command": "pause"}])),
         "operator[0].command", "pause",
         'operator[0].command: "pause" is not known; expected one of: abort, retry'),
        ("operator commands out of order",
         variant(base, (["operator"], [{"at_s": 50, "command": "abort"}, {"at_s": 50, "command": "retry"}])),
         None, None,
         "operator[1]: at_s 50 is not after the previous command's; expected commands in time order"),
        ("an operator command without a time",
         variant(base, (["operator"], [{"command": "abort"}])),
         "operator[0]", "at_s",
         "operator[0].at_s: missing; expected a number"),
        ("a smoke test without a name",
         variant(base, (["deployment", "smoke_tests"], [{"critical": True}])),
         "deployment.smoke_tests[0]", "name",
         "deployment.smoke_tests[0].name: missing; expected a string"),
        ("a smoke result that is not an attempt",
         variant(base, (["smoke_results"], {"login": "yes"})),
         "smoke_results.login", "not of type",
         "smoke_results.login: found a string, expected the attempt it passes on"),
        ("a check in an undeclared group",
         variant(base, (["deployment", "analysis"], {
             "scoring": {"groups": {"errors": 1}},
             "metrics": [{"metric": "p99_ms", "max": 400, "group": "latency"}]})),
         None, None,
         'deployment.analysis.metrics[0].group: "latency" is not a group of analysis.scoring.groups'),
        ("a scoring group weight of 0",
         variant(base, (["deployment", "analysis", "scoring"], {"groups": {"errors": 0}})),
         "deployment.analysis.scoring.groups.errors", "0",
         "deployment.analysis.scoring.groups.errors: found a number out of range, expected a weight above 0"),
        ("a version that is not MAJOR.MINOR.PATCH",
         variant(base, (["deployment", "compatibility"], {"stable_version": "1.4", "canary_version": "1.5.0"})),
         "deployment.compatibility.stable_version", "does not match",
         'deployment.compatibility.stable_version: "1.4" is not a version; expected MAJOR.MINOR.PATCH'),
        ("an approval without a gate",
         variant(base, (S + [1], {"approval": {}})),
         "deployment.steps[1]", "not valid under any",
         "deployment.steps[1].approval.gate: missing; expected a string"),
        ("an approval without at_s",
         variant(base, (["approvals"], [{"gate": "qa"}])),
         "approvals[0]", "at_s", "approvals[0].at_s: missing; expected a number"),
        ("a gradual rollback without step_pct",
         variant(base, (["deployment", "rollback"], {"mode": "gradual"})),
         "deployment.rollback", "step_pct",
         "deployment.rollback.step_pct: missing; expected a number"),
        ("step_pct with an instant rollback",
         variant(base, (["deployment", "rollback"], {"mode": "instant", "step_pct": 10})),
         "deployment.rollback", "step_pct",
         "deployment.rollback.step_pct: unknown key; expected one of: mode"),
        ("a key of another trigger kind",
         variant(base, (["deployment", "triggers"], [{"kind": "health", "min_ready_frac": 0.5, "factor": 3}])),
         "deployment.triggers[0]", "factor",
         "deployment.triggers[0].factor: unknown key; expected one of: name, kind, min_ready_frac, for_s, cooldown_s"),
        ("a threshold trigger without a limit",
         variant(base, (["deployment", "triggers"], [{"kind": "threshold", "metric": "p99_ms"}])),
         "deployment.triggers[0]", "not valid under any",
         "deployment.triggers[0]: no limit"),
        ("an unknown trigger kind",
         variant(base, (["deployment", "triggers"], [{"kind": "latency", "max": 3}])),
         "deployment.triggers[0].kind", "latency",
         'deployment.triggers[0].kind: "latency" is not known; expected one of: threshold, health, error_spike, dependency'),
        ("a dependency trigger on an undeclared dependency",
         variant(base, (["deployment", "triggers"], [{"kind": "dependency", "dependency": "cache", "max_error_rate": 0.05}])),
         None, None,
         'deployment.triggers[0].dependency: "cache" is not one of the scenario\'s dependencies'),
        ("a dependency trigger without its limit",
         variant(base, (["deployment", "triggers"], [{"kind": "dependency", "dependency": "db"}])),
         "deployment.triggers[0]", "max_error_rate",
         "deployment.triggers[0].max_error_rate: missing; expected a number"),
        ("steps and step_weights together",
         variant(base, (["deployment", "step_weights"], [1, 5])),
         "deployment", "not valid under any",
         "deployment: expected exactly one of: steps; step_weight with max_weight; step_weights"),
        ("an analysis step with a key",
         variant(base, (S + [1], {"analysis": {"duration_s": 5}})),
         "deployment.steps[1]", "not valid under any",
         "deployment.steps[1].analysis.duration_s: unknown key"),
        ("flagger mode with failure_limit 0",
         variant(base, (["deployment", "analysis", "mode"], "flagger"),
                 (["deployment", "analysis", "failure_limit"], 0)),
         "deployment.analysis.failure_limit", "0",
         "deployment.analysis.failure_limit: 0 is out of range 1..1000000"),
        ("unknown analysis mode",
         variant(base, (["deployment", "analysis", "mode"], "kayenta")),
         "deployment.analysis.mode", "kayenta",
         'deployment.analysis.mode: "kayenta" is not known; expected one of: argo, flagger'),
        ("an empty baseline",
         variant(base, (M, [{"metric": "p99_ms", "baseline": {}}])),
         "deployment.analysis.metrics[0].baseline", "enough properties",
         "deployment.analysis.metrics[0].baseline: no limit; expected max_ratio"),
        ("an unknown baseline key",
         variant(base, (M, [{"metric": "p99_ms", "baseline": {"ratio_max": 2}}])),
         "deployment.analysis.metrics[0].baseline", "ratio_max",
         "deployment.analysis.metrics[0].baseline.ratio_max: unknown key"),
        ("a fraction's max_increase above 1",
         variant(base, (M, [{"metric": "error_rate", "baseline": {"max_increase": 2}}])),
         "deployment.analysis.metrics[0].baseline.max_increase", "2",
         "deployment.analysis.metrics[0].baseline.max_increase: 2 is out of range 0..1"),
        ("unknown no_data",
         variant(base, (M, [{"metric": "p99_ms", "max": 400, "no_data": "ignore"}])),
         "deployment.analysis.metrics[0].no_data", "ignore",
         'deployment.analysis.metrics[0].no_data: "ignore" is not known; expected one of: error, inconclusive, pass, fail'),
        ("min_ratio above max_ratio",
         variant(base, (M, [{"metric": "p99_ms", "baseline": {"max_ratio": 1.2, "min_ratio": 1.5}}])),
         None, None, "deployment.analysis.metrics[0].baseline: min_ratio 1.5 is above max_ratio 1.2"),
        ("unknown key deployment.stepz",
         variant(base, (["deployment", "stepz"], [])),
         "deployment", "stepz", "deployment.stepz: unknown key"),
        ("wrong type: traffic.rate_rps a string",
         variant(base, (["traffic", "rate_rps"], "200")),
         "traffic.rate_rps", "not of type", "traffic.rate_rps: found a string"),
        ("set_weight 140",
         variant(base, (S + [2], {"set_weight": 140})),
         "deployment.steps[2].set_weight", "140", "deployment.steps[2].set_weight: 140 is out of range"),
        ("missing traffic",
         variant(base, (["traffic"], DEL)),
         "", "traffic", "traffic: missing"),
        ("unknown metric error_ratio",
         variant(base, (M + [0, "metric"], "error_ratio")),
         "deployment.analysis.metrics[0].metric", "error_ratio", "metrics[0].metric: \"error_ratio\" is not known"),
        ("lognormal without sigma",
         svc({"dist": "lognormal", "median_ms": 40}),
         "versions.stable.service_time", "sigma", "versions.stable.service_time.sigma: missing"),
        ("unknown dist gauss",
         svc({"dist": "gauss", "mean_ms": 40}),
         "versions.stable.service_time.dist", "gauss", "service_time.dist: \"gauss\" is not known"),
        ("check without max or min",
         variant(base, (M + [0], {"metric": "p99_ms"})),
         "deployment.analysis.metrics[0]", "max", "metrics[0]: no limit"),
        ("error_rate max 2 (above 1)",
         variant(base, (M + [0, "max"], 2)),
         "deployment.analysis.metrics[0].max", "2", "metrics[0].max: 2 is out of range 0..1"),
        ("step with both set_weight and pause",
         variant(base, (S + [0], {"set_weight": 10, "pause": {"duration_s": 1}})),
         "deployment.steps[0]", "", "steps[0]: expected exactly one of"),
        ("pause without duration_s",
         variant(base, (S + [1], {"pause": {}})),
         "deployment.steps[1]", "", "steps[1].pause.duration_s: missing"),
        ("latency_quantile 0.9",
         variant(base, (["slo", "latency_quantile"], 0.9)),
         "slo.latency_quantile", "0.9", "slo.latency_quantile: 0.9 is not kept"),
        ("instances 4.5",
         variant(base, (ST + ["instances"], 4.5)),
         "versions.stable.instances", "integer", "instances: 4.5 is not a whole number"),
        ("name starting with a dot",
         variant(base, (["name"], ".hidden")),
         "name", "", "name: \".hidden\" is not a valid name"),
        ("expect outcome running",
         variant(base, (["expect", "outcome"], "running")),
         "expect.outcome", "running", "expect.outcome: \"running\" is not known"),
        ("no steps",
         variant(base, (S, [])),
         "deployment.steps", "", "deployment.steps: 0 steps"),
        ("rate_rps 2000000 (above 1000000)",
         variant(base, (["traffic", "rate_rps"], 2000000)),
         "traffic.rate_rps", "2000000", "traffic.rate_rps: 2000000 is out of range 0..1000000"),
        # Traffic profiles.
        ("unknown profile sine",
         variant(base, (["traffic"], {"profile": "sine", "rate_rps": 100})),
         "traffic.profile", "sine", "traffic.profile: \"sine\" is not known"),
        ("a key of another profile: to_rps under diurnal",
         variant(base, (["traffic"], {"profile": "diurnal", "rate_rps": 100, "amplitude": 0.3,
                                      "to_rps": 200})),
         "traffic", "to_rps", "traffic.to_rps: unknown key; expected one of: profile, rate_rps, amplitude, period_s, phase_s"),
        ("a key of another profile: amplitude without a profile (constant)",
         variant(base, (["traffic", "amplitude"], 0.5)),
         "traffic", "amplitude", "traffic.amplitude: unknown key; expected one of: profile, rate_rps"),
        ("a key of another profile: rate_rps under trace",
         variant(base, (["traffic"], {"profile": "trace", "file": "trace.csv", "rate_rps": 100})),
         "traffic", "rate_rps", "traffic.rate_rps: unknown key; expected one of: profile, file"),
        ("diurnal without amplitude",
         variant(base, (["traffic"], {"profile": "diurnal", "rate_rps": 100})),
         "traffic", "amplitude", "traffic.amplitude: missing"),
        ("step without steps",
         variant(base, (["traffic"], {"profile": "step", "rate_rps": 100})),
         "traffic", "steps", "traffic.steps: missing"),
        ("ramp with duration_s 0",
         variant(base, (["traffic"], {"profile": "ramp", "rate_rps": 100, "to_rps": 200,
                                      "duration_s": 0})),
         "traffic.duration_s", "0", "traffic.duration_s: 0 is out of range: expected more than 0"),
        ("step times not growing",
         variant(base, (["traffic"], {"profile": "step", "rate_rps": 100,
                                      "steps": [{"at_s": 60, "rate_rps": 200},
                                                {"at_s": 60, "rate_rps": 300}]})),
         None, None, "traffic.steps[1]: at_s 60 does not follow 60; expected growing times"),
        ("trace file with times not growing",
         variant(base, (["traffic"], {"profile": "trace", "file": "trace-unordered.csv"})),
         None, None, "traffic: trace-unordered.csv data row 3 (a header row not counted): time 30 does not follow 60"),
        ("trace file that does not exist",
         variant(base, (["traffic"], {"profile": "trace", "file": "no-such-trace.csv"})),
         None, None, "no-such-trace.csv: cannot open"),
        # Blue-green.
        ("steps under the bluegreen strategy",
         variant(base, (["deployment", "strategy"], "bluegreen")),
         "deployment", "should not be valid",
         "deployment.steps: the bluegreen strategy switches without steps; expected no steps"),
        ("bluegreen settings with the canary strategy",
         variant(base, (["deployment", "bluegreen"], {"scale_down_delay_s": 10})),
         "deployment.strategy", "bluegreen",
         "deployment.bluegreen: only for the strategies bluegreen and bluegreen_canary; found strategy canary"),
        ("an unknown key in bluegreen",
         variant(base, (["deployment", "strategy"], "bluegreen_canary"),
                 (["deployment", "bluegreen"], {"scale_down_delay": 10})),
         "deployment.bluegreen", "scale_down_delay",
         "deployment.bluegreen.scale_down_delay: unknown key; expected one of: preview, pre_promotion, auto_promotion, auto_promotion_delay_s, promotion_gate, switch, post_promotion, scale_down_delay_s"),
        ("mirror_pct 150",
         variant(base, (["deployment", "strategy"], "bluegreen_canary"),
                 (["deployment", "bluegreen"], {"pre_promotion": {"runs": 2, "mirror_pct": 150}})),
         "deployment.bluegreen.pre_promotion.mirror_pct", "150",
         "deployment.bluegreen.pre_promotion.mirror_pct: 150 is out of range 0..100"),
        ("pre_promotion without runs",
         variant(base, (["deployment", "strategy"], "bluegreen_canary"),
                 (["deployment", "bluegreen"], {"pre_promotion": {"mirror_pct": 10}})),
         "deployment.bluegreen.pre_promotion", "runs",
         "deployment.bluegreen.pre_promotion.runs: missing"),
        ("a gradual switch without step_pct",
         variant(base, (["deployment", "strategy"], "bluegreen"), (["deployment", "steps"], DEL),
                 (["deployment", "bluegreen"], {"switch": {"interval_s": 10}})),
         "deployment.bluegreen.switch", "step_pct",
         "deployment.bluegreen.switch.step_pct: missing"),
        ("a preview ready_frac of 0",
         variant(base, (["deployment", "strategy"], "bluegreen"), (["deployment", "steps"], DEL),
                 (["deployment", "bluegreen"], {"preview": {"ready_frac": 0}})),
         "deployment.bluegreen.preview.ready_frac", "0",
         "deployment.bluegreen.preview.ready_frac: 0 is out of range"),
        ("auto_promotion_delay_s without auto-promotion",
         variant(base, (["deployment", "strategy"], "bluegreen"), (["deployment", "steps"], DEL),
                 (["deployment", "bluegreen"], {"auto_promotion": False,
                                                "auto_promotion_delay_s": 30})),
         "deployment.bluegreen", "should not be valid",
         "deployment.bluegreen: auto_promotion_delay_s needs auto_promotion true"),
        # Distributions.
        ("a key of another dist: mean_ms under lognormal",
         svc({"dist": "lognormal", "median_ms": 40, "sigma": 0.5, "mean_ms": 45}),
         "versions.stable.service_time", "mean_ms",
         "versions.stable.service_time.mean_ms: unknown key; expected one of: dist, weight, median_ms, sigma"),
        ("a key of another dist: value_ms under exponential",
         svc({"dist": "exponential", "mean_ms": 40, "value_ms": 45}),
         "versions.stable.service_time", "value_ms",
         "versions.stable.service_time.value_ms: unknown key; expected one of: dist, weight, mean_ms"),
        ("a weight outside a mixture",
         svc({"dist": "constant", "value_ms": 40, "weight": 1}),
         "versions.stable.service_time", "weight",
         "versions.stable.service_time.weight: only a mixture's component has a weight"),
        ("gamma with both scale_ms and mean_ms",
         svc({"dist": "gamma", "shape": 2, "scale_ms": 20, "mean_ms": 40}),
         "versions.stable.service_time", "valid under each",
         "versions.stable.service_time: expected exactly one of scale_ms and mean_ms"),
        ("gamma with neither scale_ms nor mean_ms",
         svc({"dist": "gamma", "shape": 2}),
         "versions.stable.service_time", "scale_ms",
         "versions.stable.service_time: expected exactly one of scale_ms and mean_ms"),
        ("gamma shape 0",
         svc({"dist": "gamma", "shape": 0, "mean_ms": 40}),
         "versions.stable.service_time.shape", "0",
         "versions.stable.service_time.shape: 0 is out of range: expected more than 0 and at most 1000"),
        ("lognormal with one quantile",
         svc({"dist": "lognormal", "p99_ms": 200}),
         "versions.stable.service_time", "p50_ms",
         "versions.stable.service_time: expected either median_ms and sigma, or exactly two of p50_ms"),
        ("lognormal with three quantiles",
         svc({"dist": "lognormal", "p50_ms": 40, "p90_ms": 80, "p99_ms": 200}),
         "versions.stable.service_time", "valid under each",
         "versions.stable.service_time: expected either median_ms and sigma, or exactly two of p50_ms"),
        ("lognormal with median_ms and sigma and a quantile",
         svc({"dist": "lognormal", "median_ms": 40, "sigma": 0.5, "p99_ms": 200}),
         "versions.stable.service_time", "p99_ms",
         "versions.stable.service_time: expected either median_ms and sigma, or exactly two of p50_ms"),
        ("lognormal quantiles not growing",
         svc({"dist": "lognormal", "p50_ms": 200, "p99_ms": 100}),
         None, None, "versions.stable.service_time: the quantiles must grow: 200 ms at p50 is not below 100 ms at p99"),
        ("a mixture nested in a mixture",
         svc({"dist": "mixture", "components": [
             {"weight": 1, "dist": "mixture",
              "components": [{"weight": 1, "dist": "constant", "value_ms": 1}]}]}),
         "versions.stable.service_time.components[0].dist", "mixture",
         "versions.stable.service_time.components[0]: a mixture's component cannot itself be a mixture"),
        ("a mixture component without a weight",
         svc({"dist": "mixture", "components": [{"dist": "constant", "value_ms": 1}]}),
         "versions.stable.service_time.components[0]", "weight",
         "versions.stable.service_time.components[0].weight: missing"),
        ("a mixture component with weight 0",
         svc({"dist": "mixture", "components": [{"weight": 0, "dist": "constant", "value_ms": 1}]}),
         "versions.stable.service_time.components[0].weight", "0",
         "versions.stable.service_time.components[0].weight: 0 is out of range: expected more than 0"),
        ("a mixture of 17 components",
         svc({"dist": "mixture", "components": [{"weight": 1, "dist": "constant", "value_ms": 1}] * 17}),
         "versions.stable.service_time.components", "long",
         "versions.stable.service_time.components: 17 components; expected 1..16"),
        ("a mixture of no components",
         svc({"dist": "mixture", "components": []}),
         "versions.stable.service_time.components", "",
         "versions.stable.service_time.components: 0 components; expected 1..16"),
        ("empirical with a negative sample",
         svc({"dist": "empirical", "samples_ms": [30, -1]}),
         "versions.stable.service_time.samples_ms[1]", "-1",
         "versions.stable.service_time.samples_ms[1]: found a negative number, expected a number of ms >= 0"),
        # A version's empirical service time that fails to load crashes
        # today's loader (derive_canary_bad reads its samples; reported),
        # so these two are checked on a dependency's latency, which reads
        # the same distribution the same way.
        ("empirical with both samples_ms and file",
         variant(base, (["dependencies"], [{"name": "db", "latency": {
             "dist": "empirical", "samples_ms": [1, 2], "file": "samples.csv"}}])),
         "dependencies[0].latency", "valid under each",
         "dependencies[0].latency: expected exactly one of samples_ms (an array of numbers) and file"),
        ("empirical with neither samples_ms nor file",
         variant(base, (["dependencies"], [{"name": "db", "latency": {"dist": "empirical"}}])),
         "dependencies[0].latency", "samples_ms",
         "dependencies[0].latency: expected exactly one of samples_ms (an array of numbers) and file"),
        # Errors.
        ("unknown error model burst",
         variant(base, (ST + ["errors"], {"model": "burst", "rate": 0.01})),
         "versions.stable.errors.model", "burst",
         "versions.stable.errors.model: \"burst\" is not known; expected one of: bernoulli, gilbert_elliott"),
        ("gilbert_elliott keys under the bernoulli model (the stable's default)",
         variant(base, (ST + ["errors"], {"good_rate": 0.01, "bad_rate": 0.5})),
         "versions.stable.errors", "good_rate",
         "versions.stable.errors.good_rate: belongs to the gilbert_elliott model"),
        ("rate and a gilbert_elliott key on a canary without a model",
         variant(base, (CA, {"errors": {"rate": 0.01, "bad_rate": 0.5}})),
         "versions.canary.errors", "not valid under any",
         "versions.canary.errors.bad_rate: belongs to the gilbert_elliott model"),
        ("a gilbert_elliott key under \"model\": \"bernoulli\" on the canary",
         variant(base, (CA, {"errors": {"model": "bernoulli", "p_enter_bad": 0.01}})),
         "versions.canary.errors", "p_enter_bad",
         "versions.canary.errors.p_enter_bad: belongs to the gilbert_elliott model"),
        ("rate under the gilbert_elliott model",
         variant(base, (ST + ["errors"], dict(ge, rate=0.01))),
         "versions.stable.errors", "rate",
         "versions.stable.errors.rate: the gilbert_elliott model takes good_rate and bad_rate instead"),
        ("canary rate when the stable's model is gilbert_elliott",
         variant(base, (ST + ["errors"], ge), (CA, {"errors": {"rate": 0.02}})),
         None, None, "versions.canary.errors.rate: the gilbert_elliott model takes good_rate and bad_rate instead"),
        ("bad_rate 1.5",
         variant(base, (ST + ["errors"], dict(ge, bad_rate=1.5))),
         "versions.stable.errors.bad_rate", "1.5", "versions.stable.errors.bad_rate: 1.5 is out of range 0..1"),
        # Versions.
        ("queue_limit 1.5",
         variant(base, (CA, {"queue_limit": 1.5})),
         "versions.canary.queue_limit", "integer", "versions.canary.queue_limit: 1.5 is not a whole number"),
        ("timeout_ms above an hour",
         variant(base, (ST + ["timeout_ms"], 4000000)),
         "versions.stable.timeout_ms", "4000000", "versions.stable.timeout_ms: 4000000 is out of range 0..3600000"),
        ("slow_start without duration_s",
         variant(base, (CA, {"slow_start": {"multiplier": 2}})),
         "versions.canary.slow_start", "duration_s", "versions.canary.slow_start.duration_s: missing"),
        ("slow_start multiplier 0.5",
         variant(base, (CA, {"slow_start": {"multiplier": 0.5, "duration_s": 10}})),
         "versions.canary.slow_start.multiplier", "0.5",
         "versions.canary.slow_start.multiplier: 0.5 is out of range 1..1000"),
        ("unknown key in resources",
         variant(base, (ST + ["resources"], {"cpu": 2})),
         "versions.stable.resources", "cpu", "versions.stable.resources.cpu: unknown key"),
        ("cpu_cores 0",
         variant(base, (ST + ["resources"], {"cpu_cores": 0})),
         "versions.stable.resources.cpu_cores", "0",
         "versions.stable.resources.cpu_cores: 0 is out of range: expected more than 0 and at most 1024"),
        ("memory_limit_mb not above memory_base_mb",
         variant(base, (ST + ["resources"], {"memory_base_mb": 512, "memory_limit_mb": 512})),
         None, None, "versions.stable.resources: memory_limit_mb 512 is not above memory_base_mb 512"),
        ("canary memory_base_mb above the stable's memory_limit_mb",
         variant(base, (ST + ["resources"], {"memory_base_mb": 256, "memory_limit_mb": 1024}),
                 (CA, {"resources": {"memory_base_mb": 2048}})),
         None, None, "versions.canary.resources: memory_limit_mb 1024 is not above memory_base_mb 2048"),
        # Dependencies.
        ("an unknown dependency name in a version's dependencies",
         variant(base, (["dependencies"], [db]), (CA, {"dependencies": ["db", "cache"]})),
         None, None, "versions.canary.dependencies[1]: \"cache\" is not a dependency declared under \"dependencies\""),
        ("a duplicate dependency name",
         variant(base, (["dependencies"], [db, copy.deepcopy(db)])),
         None, None, "dependencies[1]: name \"db\" is used twice"),
        ("a dependency name starting with a dot",
         variant(base, (["dependencies"], [dict(db, name=".db")])),
         "dependencies[0].name", ".db", "dependencies[0]: name \".db\" is not valid"),
        ("a dependency name of 32 characters",
         variant(base, (["dependencies"], [dict(db, name="d" * 32)])),
         "dependencies[0].name", "long", "dependencies[0]: name \"%s\" is not valid" % ("d" * 32)),
        ("a dependency without latency",
         variant(base, (["dependencies"], [{"name": "db"}])),
         "dependencies[0]", "latency", "dependencies[0].latency: missing; expected an object"),
        ("a dependency's errors without rate",
         variant(base, (["dependencies"], [dict(db, errors={})])),
         "dependencies[0].errors", "rate", "dependencies[0].errors.rate: missing"),
        ("a dependency's errors with a model",
         variant(base, (["dependencies"], [dict(db, errors={"model": "bernoulli", "rate": 0.1})])),
         "dependencies[0].errors", "model", "dependencies[0].errors.model: unknown key; expected one of: rate"),
        ("nine dependencies",
         variant(base, (["dependencies"], [dict(db, name="d%d" % i) for i in range(9)])),
         "dependencies", "long", "dependencies: 9 dependencies; expected at most 8"),
        ("a version's dependencies naming a number",
         variant(base, (["dependencies"], [db]), (ST + ["dependencies"], [1])),
         "versions.stable.dependencies[0]", "string",
         "versions.stable.dependencies[0]: found a number, expected a dependency's name"),
    ]
    cases += [
        ("a flag's errors effect without error_rate",
         variant(fbase, (FE + [1], {"name": "search-v2", "effect": "errors"})),
         "versions.stable.flags[1]", "error_rate", "versions.stable.flags[1].error_rate: missing"),
        ("a latency_multiplier on an errors effect",
         variant(fbase, (FE + [1, "latency_multiplier"], 1.5)),
         "versions.stable.flags[1].latency_multiplier", "False",
         "versions.stable.flags[1].latency_multiplier: unknown key"),
        ("a flag's set_pct 140",
         variant(fbase, (FL + [0], {"name": "new-checkout", "steps": [{"set_pct": 140}],
                                    "analysis": {"metrics": []}})),
         "deployment.flags[0].steps[0]", "valid", "deployment.flags[0].steps[0].set_pct: 140 is out of range 0..100"),
        ("steps beside the flags strategy",
         variant(fbase, (["deployment", "steps"], [{"set_weight": 10}])),
         "deployment", "valid", "deployment.steps: the flags strategy moves flags, not traffic"),
        ("deployment.flags under the canary strategy",
         variant(base, (["deployment", "flags"], fbase["deployment"]["flags"][:1])),
         "deployment", "valid", "deployment.flags: only for the strategy flags; found strategy canary"),
        ("a rollout of an undeclared flag",
         variant(fbase, (FL + [0, "name"], "nope")),
         None, None, "deployment.flags[0]: flag \"nope\" is not declared under versions.stable.flags"),
        ("a declared flag without a rollout",
         variant(fbase, (FL, fbase["deployment"]["flags"][:2])),
         None, None, "deployment.flags: flag \"dark-mode\" of versions.stable.flags has no rollout"),
        ("flags on the canary",
         variant(fbase, (CA, {"flags": [{"name": "x"}]})),
         None, None, "versions.canary.flags: flags belong to the version that takes the traffic"),
        ("a flag's check with the msprt judge",
         variant(fbase, (FL + [0, "analysis", "metrics"], [{"metric": "error_rate", "judge": {"test": "msprt"}}])),
         None, None, "deployment.flags[0].analysis.metrics[0]: a flag's check takes the proportions judge only; found msprt"),
    ]
    # The live block.
    LH = LV + ["haproxy"]
    LQ = LV + ["prometheus", "queries"]
    cases += [
        ("unknown key in live",
         variant(hbase, (LV + ["timeout"], 5)),
         "live", "timeout",
         "live.timeout: unknown key; expected one of: source, haproxy, prometheus, actuator, notify, approval, probes, faults, timeout_s, on_signal, on_resume"),
        ("a live block without source",
         variant(hbase, (LV + ["source"], DEL)),
         "live", "source", "live.source: missing; expected a string"),
        ("an unknown live source",
         variant(hbase, (LV + ["source"], "statsd")),
         "live.source", "statsd", 'live.source: "statsd" is not known; expected one of: haproxy, prometheus'),
        ("source haproxy without haproxy",
         variant(hbase, (LH, DEL)),
         "live", "haproxy", "live.haproxy: missing; expected an object"),
        ("the default actuator (HAProxy) without haproxy",
         variant(pbase, (LV + ["actuator"], DEL)),
         "live", "haproxy", "live.haproxy: missing; expected an object"),
        ("source prometheus without prometheus",
         variant(pbase, (LV + ["prometheus"], DEL)),
         "live", "prometheus", "live.prometheus: missing; expected an object"),
        ("both socket and address",
         variant(hbase, (LH + ["address"], "127.0.0.1:9999")),
         "live.haproxy", "should not be valid under",
         'live.haproxy: both "socket" and "address"; expected one of them (the runtime API)'),
        ("the stats page without a runtime API for the HAProxy actuator",
         variant(hbase, (LH + ["socket"], DEL), (LH + ["stats_url"], "http://127.0.0.1:8404/stats;csv")),
         "live.haproxy", "not valid under any",
         'live.haproxy: expected exactly one of "socket" (a Unix socket path) and "address" (HOST:PORT) of the runtime API, which sets the weights'),
        ("an approval without its command",
         variant(hbase, (LV + ["approval"], {"interval_s": 2})),
         "live.approval", "command", "live.approval.command: missing; expected an array"),
        ("a stats page that is not an http URL",
         variant(hbase, (LH + ["stats_url"], "ftp://127.0.0.1/stats;csv")),
         "live.haproxy.stats_url", "does not match",
         'live.haproxy.stats_url: "ftp://127.0.0.1/stats;csv"; expected an http:// or https:// URL'),
        ("neither socket nor address",
         variant(hbase, (LH + ["socket"], DEL)),
         "live.haproxy", "not valid under any",
         'live.haproxy: expected exactly one of "socket" (a Unix socket path) and "address" (HOST:PORT) of the runtime API'),
        ("an address without a port",
         variant(hbase, (LH + ["socket"], DEL), (LH + ["address"], "127.0.0.1")),
         "live.haproxy.address", "does not match",
         'live.haproxy.address: "127.0.0.1" is not HOST:PORT; expected, e.g., "127.0.0.1:9999"'),
        ("an address with port 70000",
         variant(hbase, (LH + ["socket"], DEL), (LH + ["address"], "localhost:70000")),
         "live.haproxy.address", "does not match",
         'live.haproxy.address: "localhost:70000" is not HOST:PORT; expected, e.g., "127.0.0.1:9999"'),
        ("servers without canary",
         variant(hbase, (LH + ["servers"], {"stable": "app-stable"})),
         "live.haproxy.servers", "canary", "live.haproxy.servers.canary: missing; expected a string"),
        ("weight_total 300",
         variant(hbase, (LH + ["weight_total"], 300)),
         "live.haproxy.weight_total", "300", "live.haproxy.weight_total: 300 is out of range 1..256"),
        ("a Prometheus URL that is not http(s)",
         variant(pbase, (LV + ["prometheus", "url"], "prometheus:9090")),
         "live.prometheus.url", "does not match",
         'live.prometheus.url: "prometheus:9090"; expected an http:// or https:// URL'),
        ("a queries key that is not a metric",
         variant(pbase, (LQ + ["p99"], "histogram_quantile(0.99, rate(x[{window}]))")),
         "live.prometheus.queries", "p99",
         "live.prometheus.queries.p99: unknown metric 'p99'; did you mean 'p99_ms'?"),
        ("an empty query",
         variant(pbase, (LQ + ["p99_ms"], "")),
         "live.prometheus.queries.p99_ms", "''",
         "live.prometheus.queries.p99_ms: found an empty string, expected a PromQL query (a non-empty string)"),
        ("queries without requests",
         variant(pbase, (LQ + ["requests"], DEL)),
         "live.prometheus.queries", "requests",
         'live.prometheus.queries: no "requests" query; expected one'),
        ("queries without errors or error_rate",
         variant(pbase, (LQ + ["errors"], DEL)),
         "live.prometheus.queries", "not valid under any",
         'live.prometheus.queries: neither an "errors" nor an "error_rate" query; expected one of them'),
        ("an actuator without kind",
         variant(hbase, (LV + ["actuator"], {"command": ["set-weight", "{weight}"]})),
         "live.actuator", "kind", "live.actuator.kind: missing; expected a string"),
        ("a command actuator without command",
         variant(pbase, (LV + ["actuator", "command"], DEL)),
         "live.actuator", "command", "live.actuator.command: missing; expected an array"),
        ("a command with the haproxy actuator",
         variant(hbase, (LV + ["actuator"], {"kind": "haproxy", "command": ["set-weight", "{weight}"]})),
         "live.actuator", "should not be valid",
         'live.actuator.command: given with kind "haproxy"; expected it with kind "command" only'),
        ("an argv that is an empty array",
         variant(pbase, (LV + ["actuator", "command"], [])),
         "live.actuator.command", "[]",
         "live.actuator.command: 0 words; expected 1..64 (the program, then its arguments)"),
        ("an argv of 65 words",
         variant(pbase, (LV + ["actuator", "command"], ["echo"] * 65)),
         "live.actuator.command", "long",
         "live.actuator.command: 65 words; expected 1..64 (the program, then its arguments)"),
        ("an argv whose program is empty",
         variant(hbase, (LV + ["faults"], [{"name": "f", "at_s": 1, "command": ["", "x"]}])),
         "live.faults[0].command[0]", "''",
         "live.faults[0].command[0]: empty; expected the program to run"),
        ("an argv word that is a number",
         variant(hbase, (LV + ["notify"], {"command": ["notify-send", 5]})),
         "live.notify.command[1]", "string",
         "live.notify.command[1]: found a number, expected a string"),
        ("a notify URL that is not http(s)",
         variant(hbase, (LV + ["notify"], {"url": "mailto:ops@example.com"})),
         "live.notify.url", "does not match",
         'live.notify.url: "mailto:ops@example.com"; expected an http:// or https:// URL'),
        ("a probe with version \"blue\"",
         variant(hbase, (LV + ["probes"], [{"name": "health", "url": "http://10.0.0.2/healthz", "version": "blue"}])),
         "live.probes[0].version", "blue",
         'live.probes[0].version: "blue" is not known; expected one of: stable, canary, none'),
        ("a probe without url",
         variant(hbase, (LV + ["probes"], [{"name": "health"}])),
         "live.probes[0]", "url", "live.probes[0].url: missing; expected a string"),
        ("a probe's expect_status 600",
         variant(hbase, (LV + ["probes"], [{"name": "health", "url": "http://10.0.0.2/healthz", "expect_status": 600}])),
         "live.probes[0].expect_status", "600", "live.probes[0].expect_status: 600 is out of range 100..599"),
        ("a probe's interval_s 0",
         variant(hbase, (LV + ["probes"], [{"name": "health", "url": "http://10.0.0.2/healthz", "interval_s": 0}])),
         "live.probes[0].interval_s", "0", "live.probes[0].interval_s: 0 is out of range 0.01..86400"),
        ("17 probes",
         variant(hbase, (LV + ["probes"], [{"name": "p%d" % i, "url": "http://10.0.0.2/healthz"} for i in range(17)])),
         "live.probes", "long", "live.probes: 17 probes; expected at most 16"),
        ("a live fault without at_s",
         variant(hbase, (LV + ["faults"], [{"name": "f", "command": ["chaos"]}])),
         "live.faults[0]", "at_s", "live.faults[0].at_s: missing; expected a number"),
        ("a live timeout_s 0",
         variant(hbase, (LV + ["timeout_s"], 0)),
         "live.timeout_s", "0", "live.timeout_s: 0 is out of range 0.001..600"),
        ("on_signal \"ignore\"",
         variant(hbase, (LV + ["on_signal"], "ignore")),
         "live.on_signal", "ignore", 'live.on_signal: "ignore" is not known; expected one of: rollback, hold'),
        ("on_resume \"restart\"",
         variant(hbase, (LV + ["on_resume"], "restart")),
         "live.on_resume", "restart", 'live.on_resume: "restart" is not known; expected one of: continue, rollback'),
        # What the schema cannot express: placeholders (a pattern would
        # have to tell {name} from a label matcher), names compared
        # with other names, and what the live world cannot carry out.
        ("an unknown placeholder in a query",
         variant(pbase, (LQ + ["requests"], 'sum(increase(http_requests_total{version="{versoin}"}[{window}]))')),
         None, None,
         "live.prometheus.queries.requests: unknown placeholder {versoin}; expected one of {version}, {window}"),
        ("an unknown placeholder in the weight hook",
         variant(pbase, (LV + ["actuator", "command"], ["set-weight", "{canary_weight}"])),
         None, None,
         "live.actuator.command[1]: unknown placeholder {canary_weight}; expected one of {weight}, {stable_weight}, {mirror}, {name}"),
        ("the same server for both versions",
         variant(hbase, (LH + ["servers"], {"stable": "app", "canary": "app"})),
         None, None, 'live.haproxy.servers: both versions are server "app"; expected two servers'),
        ("two probes of one name",
         variant(hbase, (LV + ["probes"], [{"name": "health", "url": "http://10.0.0.1/healthz"},
                                           {"name": "health", "url": "http://10.0.0.2/healthz"}])),
         None, None, 'live.probes[1].name: "health" is the name of live.probes[0] too; expected a new name'),
        ("a smoke test without a probe of its name",
         variant(hbase, (["deployment", "smoke_tests"], [{"name": "login"}]), (["smoke_results"], {"login": 1})),
         None, None,
         'live.probes: no probe named "login", the smoke test of deployment.smoke_tests; expected a probe of that name'),
        ("the flags strategy with a live block",
         variant(fbase, (LV, hbase["live"])),
         None, None, 'deployment.strategy: "flags" cannot run live'),
    ]
    for what, doc, path, word, _ in cases:
        if path is None:
            print("skip: the schema cannot express: %s (the loader checks it below)" % what)
            continue
        errs = all_errors(v, doc)
        if not errs:
            bad("bad document rejected: %s" % what, "the schema accepts it")
            continue
        hit = [e for e in errs if json_path(e.absolute_path) == path and word in e.message]
        if hit:
            ok("bad document rejected: %s" % what)
        else:
            bad("bad document rejected: %s" % what,
                "no error at '%s' mentioning '%s'; got: %s" % (path or "(top level)", word, short(errs)))

    # (d) The loader agrees on every inline document.
    if not rollsim:
        print("skip: the loader's verdicts (no rollsim binary; build first)")
        return
    with tempfile.TemporaryDirectory(prefix="rollsim-schema.") as tmp:
        for name, text in FILES.items():
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                f.write(text)

        def run(path, name):
            try:
                p = subprocess.run([rollsim, "run", path, "--out", os.path.join(tmp, "out-" + name),
                                    "--quiet"], capture_output=True, text=True, timeout=120)
            except (OSError, subprocess.TimeoutExpired) as e:
                return -1, str(e)
            return p.returncode, p.stderr

        def loader(name, doc):
            path = os.path.join(tmp, name + ".json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f)
            return run(path, name)

        for i, (what, doc) in enumerate(good):
            rc, err = loader("good%d" % i, doc)
            if rc == 0:
                ok("the loader accepts: %s" % what)
            else:
                bad("the loader accepts: %s" % what, "exit %d: %s" % (rc, err.strip()[:300]))
        rc, err = run(EXAMPLE_FULL, "example-full")
        if rc == 0:
            ok("rollsim run %s exits 0" % EXAMPLE_FULL)
        else:
            bad("rollsim run %s exits 0" % EXAMPLE_FULL, "exit %d: %s" % (rc, err.strip()[:300]))
        for i, (what, doc, path, _, says) in enumerate(cases):
            rc, err = loader("bad%d" % i, doc)
            only = " (loader only)" if path is None else ""
            if rc == 2 and says in err:
                ok("the loader rejects: %s%s" % (what, only))
            else:
                bad("the loader rejects: %s%s" % (what, only),
                    "expected exit 2 and '%s', got exit %d: %s" % (says, rc, err.strip()[:300]))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a crash is a failure, never a silent pass
        bad("check_schema.py ran to the end", "%s: %s" % (type(e).__name__, e))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(0 if failed == 0 else 1)
