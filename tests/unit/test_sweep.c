/* Threshold sweeps: scenario/patch (--set PATH=VALUE on a scenario's JSON),
 * scn_study_load_patched (patches before loading, and their diagnostics),
 * and reports/sweep (constraints, a setting's figures against hand counts,
 * the recommended setting, grid indices, grid.csv and sweep.json).
 * Wilson values use z = 1.959963984540054, z^2 = 3.8414588206941254. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "reports/stats.h"
#include "reports/sweep.h"
#include "scenario/patch.h"
#include "scenario/study.h"
#include "tests/unit/helpers.h"

/* --- scn_patch_apply ------------------------------------------------------- */

static const char patch_doc[] = "{\"a\": {\"b\": 1, \"s\": \"old\"}, "
				"\"list\": [{\"x\": 1}, {\"x\": 2, \"y\": 3}]}";

/* Applies path=value to a fresh tree of patch_doc; returns the tree (owned,
 * free with cJSON_Delete()) when it applied, else NULL with err filled. */
static cJSON *patched(const char *path, const char *value, char *err, size_t errlen)
{
	struct scn_patch p = { path, value };
	cJSON *root = cJSON_Parse(patch_doc);

	CU_ASSERT_FATAL(root != NULL);
	err[0] = '\0';
	if (!scn_patch_apply(root, &p, err, errlen)) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

static const cJSON *at(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static void test_patch_replace(void)
{
	char err[256];
	cJSON *r;
	const cJSON *a, *l1;

	/* a.b: 1 becomes 2.5; a.s is untouched */
	r = patched("a.b", "2.5", err, sizeof(err));
	CU_ASSERT_FATAL(r != NULL);
	a = at(r, "a");
	CU_ASSERT(cJSON_IsNumber(at(a, "b")));
	T_ASSERT_NEAR(cJSON_GetNumberValue(at(a, "b")), 2.5, 0);
	T_ASSERT_STR_EQ(cJSON_GetStringValue(at(a, "s")), "old");
	T_ASSERT_EQ_INT(cJSON_GetArraySize(a), 2);
	cJSON_Delete(r);

	/* list[1].x: 2 becomes 7; list[0].x stays 1, list[1].y stays 3 */
	r = patched("list[1].x", "7", err, sizeof(err));
	CU_ASSERT_FATAL(r != NULL);
	l1 = cJSON_GetArrayItem(at(r, "list"), 1);
	T_ASSERT_NEAR(cJSON_GetNumberValue(at(l1, "x")), 7, 0);
	T_ASSERT_NEAR(cJSON_GetNumberValue(at(l1, "y")), 3, 0);
	T_ASSERT_NEAR(cJSON_GetNumberValue(at(cJSON_GetArrayItem(at(r, "list"), 0), "x")), 1, 0);
	T_ASSERT_EQ_INT(cJSON_GetArraySize(at(r, "list")), 2);
	cJSON_Delete(r);

	/* the last index itself: list[0] becomes the number 9 */
	r = patched("list[0]", "9", err, sizeof(err));
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT(cJSON_IsNumber(cJSON_GetArrayItem(at(r, "list"), 0)));
	T_ASSERT_NEAR(cJSON_GetNumberValue(cJSON_GetArrayItem(at(r, "list"), 0)), 9, 0);
	T_ASSERT_EQ_INT(cJSON_GetArraySize(at(r, "list")), 2);
	cJSON_Delete(r);
}

static void test_patch_values(void)
{
	char err[256];
	cJSON *r;
	const cJSON *a, *v;

	/* a new last key, "text" is not JSON: a string, added after b and s */
	r = patched("a.new", "text", err, sizeof(err));
	CU_ASSERT_FATAL(r != NULL);
	a = at(r, "a");
	T_ASSERT_EQ_INT(cJSON_GetArraySize(a), 3);
	v = cJSON_GetArrayItem(a, 2);
	CU_ASSERT_FATAL(v != NULL);
	T_ASSERT_STR_EQ(v->string, "new");
	CU_ASSERT(cJSON_IsString(v));
	T_ASSERT_STR_EQ(cJSON_GetStringValue(v), "text");
	cJSON_Delete(r);

	/* "[1,2]" is JSON: an array of 1 and 2 */
	r = patched("a.b", "[1,2]", err, sizeof(err));
	CU_ASSERT_FATAL(r != NULL);
	v = at(at(r, "a"), "b");
	CU_ASSERT_FATAL(cJSON_IsArray(v));
	T_ASSERT_EQ_INT(cJSON_GetArraySize(v), 2);
	T_ASSERT_NEAR(cJSON_GetNumberValue(cJSON_GetArrayItem(v, 0)), 1, 0);
	T_ASSERT_NEAR(cJSON_GetNumberValue(cJSON_GetArrayItem(v, 1)), 2, 0);
	cJSON_Delete(r);

	/* "true": a boolean */
	r = patched("a.s", "true", err, sizeof(err));
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT(cJSON_IsTrue(at(at(r, "a"), "s")));
	cJSON_Delete(r);

	/* "\"7\"": a quoted string stays a string, without the quotes */
	r = patched("a.b", "\"7\"", err, sizeof(err));
	CU_ASSERT_FATAL(r != NULL);
	T_ASSERT_STR_EQ(cJSON_GetStringValue(at(at(r, "a"), "b")), "7");
	cJSON_Delete(r);
}

/* path=value does not apply; err holds want. */
static void patch_refused(const char *path, const char *want)
{
	char err[256];
	cJSON *r = patched(path, "1", err, sizeof(err));

	CU_ASSERT_PTR_NULL(r);
	cJSON_Delete(r);
	T_ASSERT_CONTAINS(err, want);
}

static void test_patch_errors(void)
{
	/* a.nokey is not in a and is not the last key */
	patch_refused("a.nokey.x", "a.nokey: no such key");
	/* list has items 0 and 1 */
	patch_refused("list[5].x", "list[5]: no such item");
	patch_refused("list[2]", "list[2]: no such item");
	/* a.b is the number 1 */
	patch_refused("a.b[0]", "a.b[0]: not an array");
	/* "a.b is a number, not an object with \"c\"" */
	patch_refused("a.b.c", "a.b is a number, not an object with \"c\"");
	/* the top of the tree */
	patch_refused("", "the path is empty");
	/* an empty key between the dots */
	patch_refused("a..b", "'a..b' is not a path");
	/* an index not a whole number, junk after ']' */
	patch_refused("list[x].x", "'list[x].x' is not a path");
	patch_refused("list[-1].x", "'list[-1].x' is not a path");
	patch_refused("list[0]x", "expected '.' or '[' after \"list[0]\"");
}

/* A VALUE that is JSON only in a prefix ("12abc", "2021-01-01") is a
 * string, not the prefix's number; a path ending in '.' ("a.",
 * "list[0].") names no key and is refused. */
static void test_patch_prefix_and_trailing_dot(void)
{
	char err[256];
	cJSON *r = patched("a.b", "12abc", err, sizeof(err));

	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT(cJSON_IsString(at(at(r, "a"), "b")));
	T_ASSERT_STR_EQ(cJSON_GetStringValue(at(at(r, "a"), "b")), "12abc");
	cJSON_Delete(r);
	r = patched("a.b", "2021-01-01", err, sizeof(err));
	CU_ASSERT_FATAL(r != NULL);
	T_ASSERT_STR_EQ(cJSON_GetStringValue(at(at(r, "a"), "b")), "2021-01-01");
	cJSON_Delete(r);
	patch_refused("a.", "'a.' is not a path");
	patch_refused("list[0].", "'list[0].' is not a path");
}

/* --- scn_study_load_patched ------------------------------------------------ */

/* Loads path with the patches; the status, *out, and diag left to the
 * caller to free. */
static enum scn_status load_patched(const char *path, const struct scn_patch *p, size_t np,
				    struct scn_diag *d, struct scn_study **out)
{
	scn_diag_init(d);
	*out = NULL;
	return scn_study_load_patched(path, NULL, 0, NULL, p, np, d, out);
}

/* Some line of d contains want. */
static void diag_has(const struct scn_diag *d, const char *want)
{
	bool found = false;

	for (size_t i = 0; i < d->count; i++)
		if (strstr(d->lines[i], want) != NULL)
			found = true;
	T_ASSERT_CONTAINS(found ? want : (d->count ? d->lines[0] : "(none)"), want);
}

static void test_load_patched_scenario(void)
{
	static const struct scn_patch p = { "deployment.analysis.metrics[0].max", "0.5" };
	struct scn_study *plain, *st;
	struct scn_diag d;

	/* unpatched: canary-good.json's error-rate check has max 0.01 and
	 * latency-p99's max 400 */
	T_ASSERT_EQ_INT(load_patched("scenarios/canary-good.json", NULL, 0, &d, &plain), SCN_OK);
	scn_diag_free(&d);
	CU_ASSERT_FATAL(plain != NULL);
	T_ASSERT_EQ_INT(plain->sc[0]->rollout.analysis.nchecks, 2);
	CU_ASSERT(plain->sc[0]->checks[0].has_max);
	T_ASSERT_NEAR(plain->sc[0]->checks[0].max, 0.01, 0);

	/* patched: check 0's max is 0.5; check 1 keeps 400 */
	T_ASSERT_EQ_INT(load_patched("scenarios/canary-good.json", &p, 1, &d, &st), SCN_OK);
	for (size_t i = 0; i < d.count; i++)
		fprintf(stderr, "%s\n", d.lines[i]);
	scn_diag_free(&d);
	CU_ASSERT_FATAL(st != NULL);
	T_ASSERT_EQ_INT(st->n, 1);
	T_ASSERT_STR_EQ(st->name, "canary-good");
	T_ASSERT_EQ_INT(st->sc[0]->rollout.analysis.nchecks, 2);
	CU_ASSERT_FATAL(st->sc[0]->rollout.analysis.checks == st->sc[0]->checks);
	T_ASSERT_NEAR(st->sc[0]->checks[0].max, 0.5, 0);
	T_ASSERT_NEAR(st->sc[0]->checks[1].max, 400, 0);
	T_ASSERT_STR_EQ(st->sc[0]->checks[0].name, "error-rate");
	/* the rest as before: the same step count and seed */
	T_ASSERT_EQ_INT(st->sc[0]->rollout.nsteps, plain->sc[0]->rollout.nsteps);
	T_ASSERT_EQ_INT(st->sc[0]->seed, plain->sc[0]->seed);
	scn_study_free(st);
	scn_study_free(plain);
}

static void test_load_patched_errors(void)
{
	static const struct scn_patch bad_path = { "deployment.nokey.x", "1" };
	static const struct scn_patch out_of_range = { "deployment.analysis.metrics[0].max", "-1" };
	struct scn_study *st;
	struct scn_diag d;

	/* a path that does not fit: "FILE: --set PATH: what" */
	T_ASSERT_EQ_INT(load_patched("scenarios/canary-good.json", &bad_path, 1, &d, &st),
			SCN_EINVAL);
	CU_ASSERT_PTR_NULL(st);
	T_ASSERT_EQ_INT(d.count, 1);
	if (d.count > 0)
		T_ASSERT_STR_EQ(d.lines[0], "scenarios/canary-good.json: --set deployment.nokey.x: "
					    "deployment.nokey: no such key");
	scn_diag_free(&d);

	/* error_rate's max is a fraction, 0..1 (docs/scenario-format.md): the
	 * loader refuses -1 as
	 * "FILE: deployment.analysis.metrics[0].max: -1 is out of range 0..1" */
	T_ASSERT_EQ_INT(load_patched("scenarios/canary-good.json", &out_of_range, 1, &d, &st),
			SCN_EINVAL);
	CU_ASSERT_PTR_NULL(st);
	CU_ASSERT(d.count > 0);
	diag_has(&d, "scenarios/canary-good.json: deployment.analysis.metrics[0]");
	diag_has(&d, "-1 is out of range");
	scn_diag_free(&d);
}

static void test_load_patched_mix(void)
{
	static const struct scn_patch p[] = {
		{ "deployment.analysis.metrics[0].max", "0.25" },
		{ "deployment.analysis.min_requests", "50" },
	};
	static const struct scn_patch bad = { "deployment.analysis.metrics[1].max", "300" };
	struct scn_study *st;
	struct scn_diag d;

	/* all four scenarios of the mix have metrics[0] (error-rate, 0.01) */
	T_ASSERT_EQ_INT(load_patched("studies/canary-mix.json", p, 2, &d, &st), SCN_OK);
	for (size_t i = 0; i < d.count; i++)
		fprintf(stderr, "%s\n", d.lines[i]);
	scn_diag_free(&d);
	CU_ASSERT_FATAL(st != NULL);
	T_ASSERT_STR_EQ(st->name, "canary-mix");
	T_ASSERT_EQ_INT(st->n, 4);
	for (size_t i = 0; i < st->n; i++) {
		T_ASSERT_NEAR(st->sc[i]->checks[0].max, 0.25, 0);
		T_ASSERT_EQ_INT(st->sc[i]->rollout.analysis.min_requests, 50);
	}
	scn_study_free(st);

	/* canary-memory-leak.json has one metric only: metrics[1] is no item
	 * there, reported with that scenario's file */
	T_ASSERT_EQ_INT(load_patched("studies/canary-mix.json", &bad, 1, &d, &st), SCN_EINVAL);
	CU_ASSERT_PTR_NULL(st);
	diag_has(&d, "canary-memory-leak.json: --set deployment.analysis.metrics[1].max: "
		     "deployment.analysis.metrics[1]: no such item");
	scn_diag_free(&d);
}

/* --- rpt_parse_constraints, rpt_parse_figure ------------------------------- */

static void test_parse_constraints(void)
{
	struct rpt_constraint c[RPT_MAX_CONSTRAINTS];
	char err[512] = "";
	enum rpt_figure f;

	T_ASSERT_EQ_INT(rpt_parse_constraints("false_rollback_rate<=0.01,recall>=0.99", c, err,
					      sizeof(err)), 2);
	T_ASSERT_EQ_INT(c[0].figure, RPT_FIG_FALSE_ROLLBACK_RATE);
	CU_ASSERT(c[0].at_most);
	T_ASSERT_NEAR(c[0].bound, 0.01, 0);
	T_ASSERT_EQ_INT(c[1].figure, RPT_FIG_RECALL);
	CU_ASSERT(!c[1].at_most);
	T_ASSERT_NEAR(c[1].bound, 0.99, 0);

	/* one term, a time figure, a negative and an exponent bound */
	T_ASSERT_EQ_INT(rpt_parse_constraints("ttd_p90<=1.5e2", c, err, sizeof(err)), 1);
	T_ASSERT_EQ_INT(c[0].figure, RPT_FIG_TTD_P90);
	T_ASSERT_NEAR(c[0].bound, 150, 0);
	/* "" has no term: 0 constraints */
	T_ASSERT_EQ_INT(rpt_parse_constraints("", c, err, sizeof(err)), 0);
	/* 8 terms is the most */
	T_ASSERT_EQ_INT(rpt_parse_constraints("recall>=0.1,recall>=0.2,recall>=0.3,recall>=0.4,"
					      "recall>=0.5,recall>=0.6,recall>=0.7,recall>=0.8",
					      c, err, sizeof(err)), 8);
	T_ASSERT_NEAR(c[7].bound, 0.8, 0);

	/* every name of the list parses to its figure and back */
	for (int k = 0; k < RPT_NFIGURES; k++) {
		CU_ASSERT(rpt_parse_figure(rpt_figure_name((enum rpt_figure)k), &f));
		T_ASSERT_EQ_INT(f, k);
	}
	CU_ASSERT(!rpt_parse_figure("speed", &f));
	CU_ASSERT(!rpt_parse_figure("", &f));
	T_ASSERT_STR_EQ(rpt_figure_name(RPT_FIG_DURATION_MEAN), "duration_mean");
	T_ASSERT_STR_EQ(rpt_figure_name(RPT_NFIGURES), "?");
}

/* text does not parse: -1, err holds want. */
static void constraints_refused(const char *text, const char *want)
{
	struct rpt_constraint c[RPT_MAX_CONSTRAINTS];
	char err[512] = "";

	T_ASSERT_EQ_INT(rpt_parse_constraints(text, c, err, sizeof(err)), -1);
	T_ASSERT_CONTAINS(err, want);
}

static void test_parse_constraints_errors(void)
{
	/* no <= or >= */
	constraints_refused("recall=0.9", "'recall=0.9': expected FIGURE<=BOUND or FIGURE>=BOUND");
	constraints_refused("recall<0.9", "'recall<0.9': expected FIGURE<=BOUND or FIGURE>=BOUND");
	/* an unknown figure: err lists the eight figures */
	constraints_refused("speed<=1", "'speed' is not a figure; expected one of: precision, recall, "
					"false_rollback_rate, ttd_median, ttd_p90, ttr_median, "
					"ttr_p90, duration_mean");
	/* bounds that are not numbers */
	constraints_refused("recall>=abc", "'recall': the bound 'abc' is not a number");
	constraints_refused("recall>=", "the bound '' is not a number");
	constraints_refused("recall>=0.9x", "the bound '0.9x' is not a number");
	constraints_refused("recall>=inf", "the bound 'inf' is not a number");
	/* an empty term */
	constraints_refused("recall>=0.9,,precision>=0.5", "joined by ','");
	constraints_refused(",recall>=0.9", "joined by ','");
	/* 9 terms, one over RPT_MAX_CONSTRAINTS = 8 */
	constraints_refused("recall>=0.1,recall>=0.2,recall>=0.3,recall>=0.4,recall>=0.5,"
			    "recall>=0.6,recall>=0.7,recall>=0.8,recall>=0.9",
			    "more than 8 terms");
}

/* --- rpt_sweep_point_of ---------------------------------------------------- */

static struct rpt_study_run run(enum eng_outcome outcome, bool bad, double ttd, double ttr,
				double dur)
{
	struct rpt_study_run r;

	memset(&r, 0, sizeof(r));
	r.sum.outcome = outcome;
	r.sum.canary_bad = bad;
	r.sum.has_ttd = !isnan(ttd);
	r.sum.ttd_s = ttd;
	r.sum.has_ttr = !isnan(ttr);
	r.sum.ttr_s = ttr;
	r.sum.onset_s = r.sum.decision_s = NAN;
	r.sum.duration_s = dur;
	return r;
}

static void same_interval(struct rpt_interval a, struct rpt_interval b)
{
	T_ASSERT_NEAR(a.est, b.est, 0);
	T_ASSERT_NEAR(a.lo, b.lo, 0);
	T_ASSERT_NEAR(a.hi, b.hi, 0);
}

static void test_point_of(void)
{
	const struct rpt_study_run runs[] = {
		run(ENG_OUTCOME_ROLLED_BACK, true, 40, 50, 100), /* true rollback */
		run(ENG_OUTCOME_ROLLED_BACK, true, 10, 20, 110), /* true rollback */
		run(ENG_OUTCOME_ROLLED_BACK, false, NAN, NAN, 120), /* false rollback */
		run(ENG_OUTCOME_ROLLED_BACK, true, 30, NAN, 130), /* true rollback, no recovery */
		run(ENG_OUTCOME_PROMOTED, true, NAN, NAN, 140),  /* missed */
		run(ENG_OUTCOME_PROMOTED, false, NAN, NAN, 150), /* correct promotion */
		run(ENG_OUTCOME_ROLLED_BACK, true, 20, 30, 160), /* true rollback */
		run(ENG_OUTCOME_BLOCKED, false, NAN, NAN, 170),  /* blocked */
		run(ENG_OUTCOME_TIMED_OUT, true, NAN, NAN, 180), /* other */
	};
	struct rpt_sweep_point p;

	CU_ASSERT_FATAL(rpt_sweep_point_of(runs, 9, &p) == 0);
	/* TR runs 0, 1, 3, 6; FR 2; missed 4; CP 5; blocked 7; other 8 */
	T_ASSERT_EQ_INT(p.c.runs, 9);
	T_ASSERT_EQ_INT(p.c.true_rollbacks, 4);
	T_ASSERT_EQ_INT(p.c.false_rollbacks, 1);
	T_ASSERT_EQ_INT(p.c.missed, 1);
	T_ASSERT_EQ_INT(p.c.correct_promotions, 1);
	T_ASSERT_EQ_INT(p.c.blocked, 1);
	T_ASSERT_EQ_INT(p.c.other, 1);

	/* precision = TR / (TR + FR) = 4 / 5 = 0.8, recall = TR / (TR +
	 * missed) = 4 / 5 = 0.8, FRR = FR / (FR + CP) = 1 / 2 = 0.5 */
	T_ASSERT_NEAR(p.precision.est, 0.8, 1e-15);
	T_ASSERT_NEAR(p.recall.est, 0.8, 1e-15);
	T_ASSERT_NEAR(p.false_rollback_rate.est, 0.5, 0);
	same_interval(p.precision, rpt_wilson(4, 5));
	same_interval(p.recall, rpt_wilson(4, 5));
	same_interval(p.false_rollback_rate, rpt_wilson(1, 2));
	/* Wilson(4, 5) by hand: n + z^2 = 8.8414588206941254; centre = (4 +
	 * 1.9207294103470627) / 8.8414588206941254 = 0.66965526057; 4 x 1 / 5
	 * + z^2 / 4 = 1.76036470517, sqrt = 1.32678736246; half =
	 * 0.22167880033 x 1.32678736246 = 0.29412063080; lo = 0.37553462976,
	 * hi = 0.96377589137 */
	T_ASSERT_NEAR(p.recall.lo, 0.37553462976, 1e-10);
	T_ASSERT_NEAR(p.recall.hi, 0.96377589137, 1e-10);
	/* Wilson(1, 2): centre = (1 + 1.92072941035) / 5.84145882069 = 0.5;
	 * 1 x 1 / 2 + z^2 / 4 = 1.46036470517, sqrt = 1.20845550401; half =
	 * 0.33552645747 x 1.20845550401 = 0.40546879427 */
	T_ASSERT_NEAR(p.false_rollback_rate.lo, 0.09453120573, 1e-10);
	T_ASSERT_NEAR(p.false_rollback_rate.hi, 0.90546879427, 1e-10);

	/* ttd of runs 0, 1, 3, 6 sorted: 10, 20, 30, 40. Type 7: median at h
	 * = 3 x 0.5 = 1.5, 20 + 0.5 x 10 = 25; p90 at h = 3 x 0.9 = 2.7, 30 +
	 * 0.7 x 10 = 37 */
	T_ASSERT_NEAR(p.ttd_median, 25, 1e-12);
	T_ASSERT_NEAR(p.ttd_p90, 37, 1e-12);
	/* ttr of runs 0, 1, 6 sorted: 20, 30, 50. median at h = 1: 30; p90
	 * at h = 2 x 0.9 = 1.8, 30 + 0.8 x 20 = 46 */
	T_ASSERT_NEAR(p.ttr_median, 30, 1e-12);
	T_ASSERT_NEAR(p.ttr_p90, 46, 1e-12);
	/* durations 100, 110, ..., 180: mean (100 + 180) / 2 = 140 */
	T_ASSERT_NEAR(p.duration_mean, 140, 1e-12);

	/* rpt_sweep_figure reads the same values */
	T_ASSERT_NEAR(rpt_sweep_figure(&p, RPT_FIG_PRECISION), 0.8, 1e-15);
	T_ASSERT_NEAR(rpt_sweep_figure(&p, RPT_FIG_RECALL), 0.8, 1e-15);
	T_ASSERT_NEAR(rpt_sweep_figure(&p, RPT_FIG_FALSE_ROLLBACK_RATE), 0.5, 0);
	T_ASSERT_NEAR(rpt_sweep_figure(&p, RPT_FIG_TTD_MEDIAN), 25, 1e-12);
	T_ASSERT_NEAR(rpt_sweep_figure(&p, RPT_FIG_TTD_P90), 37, 1e-12);
	T_ASSERT_NEAR(rpt_sweep_figure(&p, RPT_FIG_TTR_MEDIAN), 30, 1e-12);
	T_ASSERT_NEAR(rpt_sweep_figure(&p, RPT_FIG_TTR_P90), 46, 1e-12);
	T_ASSERT_NEAR(rpt_sweep_figure(&p, RPT_FIG_DURATION_MEAN), 140, 1e-12);
	CU_ASSERT(isnan(rpt_sweep_figure(&p, RPT_NFIGURES)));
}

static void test_point_of_empty(void)
{
	const struct rpt_study_run one[] = {
		run(ENG_OUTCOME_PROMOTED, false, NAN, NAN, 90), /* correct promotion */
	};
	struct rpt_sweep_point p;

	/* no run: every figure NaN, every count 0 */
	CU_ASSERT_FATAL(rpt_sweep_point_of(NULL, 0, &p) == 0);
	T_ASSERT_EQ_INT(p.c.runs, 0);
	for (int f = 0; f < RPT_NFIGURES; f++)
		CU_ASSERT(isnan(rpt_sweep_figure(&p, (enum rpt_figure)f)));
	/* one good promoted run: FRR 0 of 1; precision, recall and the times
	 * have no data; duration 90 */
	CU_ASSERT_FATAL(rpt_sweep_point_of(one, 1, &p) == 0);
	T_ASSERT_NEAR(p.false_rollback_rate.est, 0, 0);
	T_ASSERT_NEAR(p.false_rollback_rate.lo, 0, 0);
	CU_ASSERT(isnan(p.precision.est));
	CU_ASSERT(isnan(p.recall.est));
	CU_ASSERT(isnan(p.ttd_median) && isnan(p.ttd_p90));
	CU_ASSERT(isnan(p.ttr_median) && isnan(p.ttr_p90));
	T_ASSERT_NEAR(p.duration_mean, 90, 0);
}

/* --- rpt_sweep_meets, rpt_sweep_recommend ---------------------------------- */

static struct rpt_sweep_point point(double frr, double recall, double ttd_p90)
{
	struct rpt_sweep_point p;

	memset(&p, 0, sizeof(p));
	p.precision.est = p.precision.lo = p.precision.hi = NAN;
	p.false_rollback_rate.est = frr;
	p.recall.est = recall;
	p.ttd_median = p.ttr_median = p.ttr_p90 = p.duration_mean = NAN;
	p.ttd_p90 = ttd_p90;
	return p;
}

/* FRR <= 0.05, recall >= 0.9 */
static const struct rpt_constraint frr_recall[] = {
	{ RPT_FIG_FALSE_ROLLBACK_RATE, true, 0.05 },
	{ RPT_FIG_RECALL, false, 0.9 },
};

static void test_meets(void)
{
	struct rpt_sweep_point p;

	p = point(0.04, 0.95, 10);
	CU_ASSERT(rpt_sweep_meets(&p, frr_recall, 2));
	/* the bounds themselves meet: 0.05 <= 0.05, 0.9 >= 0.9 */
	p = point(0.05, 0.9, 10);
	CU_ASSERT(rpt_sweep_meets(&p, frr_recall, 2));
	/* just over, just under */
	p = point(0.0501, 0.95, 10);
	CU_ASSERT(!rpt_sweep_meets(&p, frr_recall, 2));
	p = point(0.04, 0.8999, 10);
	CU_ASSERT(!rpt_sweep_meets(&p, frr_recall, 2));
	/* a NaN figure meets neither <= nor >= */
	p = point(NAN, 0.95, 10);
	CU_ASSERT(!rpt_sweep_meets(&p, frr_recall, 2));
	p = point(0.01, NAN, 10);
	CU_ASSERT(!rpt_sweep_meets(&p, frr_recall, 2));
	CU_ASSERT(!rpt_sweep_meets(&p, frr_recall + 1, 1));
	/* no constraint: every point meets, NaN or not */
	CU_ASSERT(rpt_sweep_meets(&p, frr_recall, 0));
}

static void test_recommend(void)
{
	const struct rpt_sweep_point pts[] = {
		point(0.10, 0.95, 10), /* 0: FRR over 0.05 */
		point(0.04, 0.92, 40), /* 1: meets, ttd_p90 40 */
		point(0.05, 0.90, 30), /* 2: meets at the bounds, 30 */
		point(0.01, 0.99, 30), /* 3: meets, 30: ties 2, the earlier wins */
	};
	const struct rpt_constraint strict[] = { { RPT_FIG_RECALL, false, 0.999 } };
	const struct rpt_sweep_point nan_first[] = {
		point(0.01, 0.99, NAN), /* 0: meets, no ttd_p90 */
		point(0.01, 0.99, 50),  /* 1: meets, 50 */
		point(0.01, 0.99, NAN), /* 2: meets, no ttd_p90 */
	};

	/* meeting: 1 (40), 2 (30), 3 (30); the least is 30, at 2 and 3 */
	T_ASSERT_EQ_INT(rpt_sweep_recommend(pts, 4, frr_recall, 2, RPT_FIG_TTD_P90), 2);
	/* without point 2: 3 (30) beats 1 (40) */
	T_ASSERT_EQ_INT(rpt_sweep_recommend(pts + 3, 1, frr_recall, 2, RPT_FIG_TTD_P90), 0);
	/* no constraint: point 0's 10 is the least */
	T_ASSERT_EQ_INT(rpt_sweep_recommend(pts, 4, NULL, 0, RPT_FIG_TTD_P90), 0);
	/* minimizing FRR under the constraints: 3 (0.01) */
	T_ASSERT_EQ_INT(rpt_sweep_recommend(pts, 4, frr_recall, 2, RPT_FIG_FALSE_ROLLBACK_RATE), 3);
	/* recall >= 0.999: none meets */
	T_ASSERT_EQ_INT(rpt_sweep_recommend(pts, 4, strict, 1, RPT_FIG_TTD_P90), SIZE_MAX);
	T_ASSERT_EQ_INT(rpt_sweep_recommend(pts, 0, NULL, 0, RPT_FIG_TTD_P90), SIZE_MAX);
	/* a number beats a NaN to minimize, whichever comes first */
	T_ASSERT_EQ_INT(rpt_sweep_recommend(nan_first, 3, frr_recall, 2, RPT_FIG_TTD_P90), 1);
	/* only NaNs to minimize: the earliest meeting point */
	T_ASSERT_EQ_INT(rpt_sweep_recommend(nan_first, 1, frr_recall, 2, RPT_FIG_TTD_P90), 0);
}

/* --- rpt_sweep_indices ----------------------------------------------------- */

static const char *const two_values[] = { "0.01", "0.02" };
static const char *const three_values[] = { "1", "2", "3" };
static const struct rpt_sweep_param grid_params[] = {
	{ "deployment.analysis.metrics[0].max", two_values, 2 },
	{ "deployment.analysis.failure_limit", three_values, 3 },
};

static void test_indices(void)
{
	static const struct rpt_sweep_param three[] = {
		{ "a", two_values, 2 }, { "b", three_values, 3 }, { "c", two_values, 2 },
	};
	size_t idx[3];

	/* 2 x 3, the last fastest: point i is (i / 3, i % 3) */
	rpt_sweep_indices(grid_params, 2, 0, idx);
	T_ASSERT_EQ_INT(idx[0], 0);
	T_ASSERT_EQ_INT(idx[1], 0);
	rpt_sweep_indices(grid_params, 2, 4, idx);
	T_ASSERT_EQ_INT(idx[0], 1);
	T_ASSERT_EQ_INT(idx[1], 1);
	rpt_sweep_indices(grid_params, 2, 5, idx);
	T_ASSERT_EQ_INT(idx[0], 1);
	T_ASSERT_EQ_INT(idx[1], 2);
	rpt_sweep_indices(grid_params, 2, 2, idx);
	T_ASSERT_EQ_INT(idx[0], 0);
	T_ASSERT_EQ_INT(idx[1], 2);
	/* 2 x 3 x 2: 9 = 1 x 6 + 1 x 2 + 1 gives (1, 1, 1); 10 = 1 x 6 + 2 x 2
	 * + 0 gives (1, 2, 0) */
	rpt_sweep_indices(three, 3, 9, idx);
	T_ASSERT_EQ_INT(idx[0], 1);
	T_ASSERT_EQ_INT(idx[1], 1);
	T_ASSERT_EQ_INT(idx[2], 1);
	rpt_sweep_indices(three, 3, 10, idx);
	T_ASSERT_EQ_INT(idx[0], 1);
	T_ASSERT_EQ_INT(idx[1], 2);
	T_ASSERT_EQ_INT(idx[2], 0);
}

/* --- rpt_write_sweep ------------------------------------------------------- */

static void remove_outputs(const char *dir)
{
	static const char *const names[] = { "grid.csv", "sweep.json", ".grid.csv.tmp",
					     ".sweep.json.tmp" };
	char path[256];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	CU_ASSERT(rmdir(dir) == 0);
}

/* Counts the lines of text, and those ending in ",true" (the recommended
 * column is the last). */
static void count_lines(const char *text, size_t *lines, size_t *recommended,
			size_t *rec_row)
{
	const char *s = text;

	*lines = *recommended = 0;
	*rec_row = SIZE_MAX;
	while (*s != '\0') {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		if (len >= 5 && strncmp(s + len - 5, ",true", 5) == 0) {
			(*recommended)++;
			*rec_row = *lines;
		}
		(*lines)++;
		s += len + (nl != NULL);
	}
}

static void test_write_sweep(void)
{
	/* a 2 x 3 grid; constraints FRR <= 0.05, recall >= 0.9 */
	const struct rpt_sweep_point pts[] = {
		point(0.10, 0.95, 10), point(0.04, 0.92, 40), point(0.05, 0.90, 30),
		point(0.01, 0.99, 30), point(0.20, 0.99, 5),  point(0.01, 0.50, 5),
	};
	struct rpt_sweep sw = {
		.name = "canary-mix", .seed = 7, .runs = 100, .fidelity = "window",
		.params = grid_params, .nparams = 2, .points = pts, .npoints = 6,
		.constraints = frr_recall, .nconstraints = 2, .has_minimize = true,
		.minimize = RPT_FIG_TTD_P90, .recommended = 2,
	};
	char dir[] = "/tmp/rollsim-sweep-XXXXXX", err[512] = "";
	char *csv, *text, *end;
	size_t lines, nrec, rec_row;
	cJSON *j;
	const cJSON *rec, *vals, *req;

	/* the recommendation as rpt_sweep_recommend finds it: 2 (30, ties 3) */
	T_ASSERT_EQ_INT(rpt_sweep_recommend(pts, 6, frr_recall, 2, RPT_FIG_TTD_P90), 2);
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	T_ASSERT_EQ_INT(rpt_write_sweep(dir, &sw, err, sizeof(err)), RPT_OK);

	/* grid.csv: a header and 6 rows; row 2 (line 3) alone ends ",true",
	 * after its meets column: ",true,true" */
	csv = t_slurp(dir, "grid.csv", NULL);
	CU_ASSERT_FATAL(csv != NULL);
	count_lines(csv, &lines, &nrec, &rec_row);
	T_ASSERT_EQ_INT(lines, 7);
	T_ASSERT_EQ_INT(nrec, 1);
	T_ASSERT_EQ_INT(rec_row, 3);
	CU_ASSERT(strncmp(csv, "setting,deployment.analysis.metrics[0].max,"
			       "deployment.analysis.failure_limit,runs,", 80) == 0);
	T_ASSERT_CONTAINS(csv, ",meets,recommended\n");
	/* point 2 is (0, 2): values 0.01 and 3 */
	T_ASSERT_CONTAINS(csv, "\n2,0.01,3,");
	T_ASSERT_CONTAINS(csv, ",true,true\n");
	/* point 4 is (1, 1): 0.02 and 2; FRR 0.2 fails */
	T_ASSERT_CONTAINS(csv, "\n4,0.02,2,");
	free(csv);

	/* sweep.json */
	text = t_slurp(dir, "sweep.json", NULL);
	CU_ASSERT_FATAL(text != NULL);
	j = cJSON_Parse(text);
	free(text);
	CU_ASSERT_FATAL(j != NULL);
	T_ASSERT_STR_EQ(cJSON_GetStringValue(at(j, "study")), "canary-mix");
	T_ASSERT_NEAR(cJSON_GetNumberValue(at(j, "seed")), 7, 0);
	T_ASSERT_NEAR(cJSON_GetNumberValue(at(j, "runs_per_setting")), 100, 0);
	T_ASSERT_NEAR(cJSON_GetNumberValue(at(j, "settings")), 6, 0);
	T_ASSERT_STR_EQ(cJSON_GetStringValue(at(j, "fidelity")), "window");
	T_ASSERT_STR_EQ(cJSON_GetStringValue(at(j, "minimize")), "ttd_p90");
	req = at(j, "require");
	CU_ASSERT_FATAL(cJSON_IsArray(req));
	T_ASSERT_EQ_INT(cJSON_GetArraySize(req), 2);
	/* "false_rollback_rate<=B" with B reading back as 0.05 */
	text = cJSON_GetStringValue(cJSON_GetArrayItem(req, 0));
	T_ASSERT_CONTAINS(text, "false_rollback_rate<=");
	if (text != NULL && strncmp(text, "false_rollback_rate<=", 21) == 0)
		T_ASSERT_NEAR(strtod(text + 21, &end), 0.05, 0);
	text = cJSON_GetStringValue(cJSON_GetArrayItem(req, 1));
	T_ASSERT_CONTAINS(text, "recall>=");
	if (text != NULL && strncmp(text, "recall>=", 8) == 0)
		T_ASSERT_NEAR(strtod(text + 8, &end), 0.9, 0);
	rec = at(j, "recommended");
	CU_ASSERT_FATAL(cJSON_IsObject(rec));
	T_ASSERT_NEAR(cJSON_GetNumberValue(at(rec, "setting")), 2, 0);
	vals = at(rec, "values");
	T_ASSERT_STR_EQ(cJSON_GetStringValue(at(vals, "deployment.analysis.metrics[0].max")), "0.01");
	T_ASSERT_STR_EQ(cJSON_GetStringValue(at(vals, "deployment.analysis.failure_limit")), "3");
	T_ASSERT_NEAR(cJSON_GetNumberValue(at(rec, "ttd_p90")), 30, 0);
	T_ASSERT_NEAR(cJSON_GetNumberValue(at(rec, "false_rollback_rate")), 0.05, 0);
	T_ASSERT_NEAR(cJSON_GetNumberValue(at(rec, "recall")), 0.9, 0);
	cJSON_Delete(j);

	/* none recommended: "recommended": null, no row ends ",true" */
	sw.recommended = SIZE_MAX;
	sw.has_minimize = false;
	T_ASSERT_EQ_INT(rpt_write_sweep(dir, &sw, err, sizeof(err)), RPT_OK);
	csv = t_slurp(dir, "grid.csv", NULL);
	CU_ASSERT_FATAL(csv != NULL);
	count_lines(csv, &lines, &nrec, &rec_row);
	T_ASSERT_EQ_INT(lines, 7);
	T_ASSERT_EQ_INT(nrec, 0);
	free(csv);
	text = t_slurp(dir, "sweep.json", NULL);
	CU_ASSERT_FATAL(text != NULL);
	j = cJSON_Parse(text);
	free(text);
	CU_ASSERT_FATAL(j != NULL);
	CU_ASSERT(cJSON_IsNull(at(j, "recommended")));
	CU_ASSERT(cJSON_IsNull(at(j, "minimize")));
	cJSON_Delete(j);
	remove_outputs(dir);
}

int t_suite_sweep(void)
{
	static const struct t_case cases[] = {
		{ "patch replaces a number, an item", test_patch_replace },
		{ "patch values: new key, string, array, bool", test_patch_values },
		{ "patch errors name the part of the path", test_patch_errors },
		{ "patch: a JSON prefix is a string; a trailing '.'", test_patch_prefix_and_trailing_dot },
		{ "load patched scenario", test_load_patched_scenario },
		{ "load patched errors", test_load_patched_errors },
		{ "load patched mix", test_load_patched_mix },
		{ "parse constraints", test_parse_constraints },
		{ "parse constraints errors", test_parse_constraints_errors },
		{ "point of runs", test_point_of },
		{ "point of no runs", test_point_of_empty },
		{ "meets", test_meets },
		{ "recommend", test_recommend },
		{ "grid indices", test_indices },
		{ "write grid.csv and sweep.json", test_write_sweep },
		{ NULL, NULL },
	};

	return t_add_suite("sweep", cases);
}
