"""Keeps docs/scenario.schema.json honest: the schema is a valid draft
2020-12 schema, every shipped scenario passes it, and documents the loader
rejects are rejected by it, for the reason expected. When a rollsim binary
is given (argv[1]), each inline document also goes through the loader,
which must agree (exit 0 for a good document, 2 for a bad one).

Run through tests/schema/run.sh from the repository root. Prints "ok: ..."
or "FAIL: ... (...)" per check and ends with one line "N passed, M failed".
"""
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

SCHEMA = "docs/scenario.schema.json"
BASE = "scenarios/canary-good.json"

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

    # (b) Every shipped scenario passes.
    files = sorted(glob.glob("scenarios/*.json"))
    if files:
        ok("scenarios/*.json: %d files found" % len(files))
    else:
        bad("scenarios/*.json: files found", "none")
    for f in files:
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

    try:
        base = load_json(BASE)
    except (OSError, ValueError) as e:
        bad("%s is readable" % BASE, str(e))
        return

    # Good documents beside the shipped ones: the defaults and each dist.
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
                 (["versions", "stable", "service_time"], {"dist": "exponential", "mean_ms": 30}),
                 (["versions", "canary"], {"instances": 2, "service_time": {"dist": "constant", "value_ms": 12.5}}))),
        ("fractional weight, pause 0, whole number written 4.0",
         variant(base,
                 (["deployment", "steps"], [{"set_weight": 12.5}, {"pause": {"duration_s": 0}}]),
                 (["versions", "stable", "instances"], 4.0))),
        ("check with min only; success_rate min 0.99",
         variant(base, (["deployment", "analysis", "metrics"],
                        [{"metric": "success_rate", "min": 0.99, "name": "availability"}]))),
        ("analysis with no metrics, ground truth stated",
         variant(base, (["deployment", "analysis"], {"metrics": []}),
                 (["ground_truth"], {"canary_bad": False}))),
        ("slo latency_quantile 0.5, availability 1",
         variant(base, (["slo"], {"availability": 1, "latency_quantile": 0.5}))),
    ]
    for what, doc in good:
        errs = list(v.iter_errors(doc))
        if errs:
            bad("good document passes: %s" % what, short(errs))
        else:
            ok("good document passes: %s" % what)

    # (c) Bad documents: each must fail, with an error at the path given
    # whose message contains the word given. The last field is what the
    # loader says (see scenario/scenario.c).
    S = ["deployment", "steps"]
    M = ["deployment", "analysis", "metrics"]
    cases = [
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
         variant(base, (["versions", "stable", "service_time"], {"dist": "lognormal", "median_ms": 40})),
         "versions.stable.service_time", "sigma", "versions.stable.service_time.sigma: missing"),
        ("unknown dist gamma",
         variant(base, (["versions", "stable", "service_time"], {"dist": "gamma", "mean_ms": 40})),
         "versions.stable.service_time.dist", "gamma", "service_time.dist: \"gamma\" is not known"),
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
        ("canary errors without rate",
         variant(base, (["versions", "canary"], {"errors": {"model": "bernoulli"}})),
         "versions.canary.errors", "rate", "versions.canary.errors.rate: missing"),
        ("latency_quantile 0.9",
         variant(base, (["slo", "latency_quantile"], 0.9)),
         "slo.latency_quantile", "0.9", "slo.latency_quantile: 0.9 is not kept"),
        ("instances 4.5",
         variant(base, (["versions", "stable", "instances"], 4.5)),
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
        ("rate_rps 0",
         variant(base, (["traffic", "rate_rps"], 0)),
         "traffic.rate_rps", "0", "traffic.rate_rps: 0 is out of range"),
    ]
    for what, doc, path, word, _ in cases:
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
        def loader(name, doc):
            path = os.path.join(tmp, name + ".json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f)
            try:
                p = subprocess.run([rollsim, "run", path, "--out", os.path.join(tmp, "out-" + name),
                                    "--quiet"], capture_output=True, text=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired) as e:
                return -1, str(e)
            return p.returncode, p.stderr

        for i, (what, doc) in enumerate(good):
            rc, err = loader("good%d" % i, doc)
            if rc == 0:
                ok("the loader accepts: %s" % what)
            else:
                bad("the loader accepts: %s" % what, "exit %d: %s" % (rc, err.strip()[:300]))
        for i, (what, doc, _, _, says) in enumerate(cases):
            rc, err = loader("bad%d" % i, doc)
            if rc == 2 and says in err:
                ok("the loader rejects: %s" % what)
            else:
                bad("the loader rejects: %s" % what,
                    "expected exit 2 and '%s', got exit %d: %s" % (says, rc, err.strip()[:300]))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a crash is a failure, never a silent pass
        bad("check_schema.py ran to the end", "%s: %s" % (type(e).__name__, e))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(0 if failed == 0 else 1)
