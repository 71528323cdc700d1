/* Monte Carlo studies: reports/study (confusion matrix, error budget
 * consumed, summary.json's figures against hand counts) and scenario/study
 * (largest-remainder allocation, run-to-scenario mapping, loading mixes and
 * their diagnostics, results independent of the number of threads).
 * Wilson values use z = 1.959963984540054, z^2 = 3.8414588206941254. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "reports/stats.h"
#include "reports/study.h"
#include "scenario/study.h"
#include "tests/unit/helpers.h"

/* A study of n scenarios with the given weights; only n and weight[] are
 * read by scn_study_allocate. */
static struct scn_study weighted(size_t n, const double *w)
{
	struct scn_study st;

	memset(&st, 0, sizeof(st));
	st.n = n;
	for (size_t i = 0; i < n; i++)
		st.weight[i] = w[i];
	return st;
}

/* --- scn_study_allocate, scn_study_entry_of -------------------------------- */

static void test_allocate_exact(void)
{
	struct scn_study st = weighted(4, (const double[]){ 80, 10, 5, 5 });
	size_t c[4];

	scn_study_allocate(&st, 400, c);
	T_ASSERT_EQ_INT(c[0], 320);   /* 400 x 80 / 100 */
	T_ASSERT_EQ_INT(c[1], 40);    /* 400 x 10 / 100 */
	T_ASSERT_EQ_INT(c[2], 20);    /* 400 x 5 / 100 */
	T_ASSERT_EQ_INT(c[3], 20);
	/* 24 runs: shares 19.2, 2.4, 1.2, 1.2; floors 19, 2, 1, 1 make 23; the
	 * one left goes to the largest remainder, 0.4 of scenario 1. */
	scn_study_allocate(&st, 24, c);
	T_ASSERT_EQ_INT(c[0], 19);
	T_ASSERT_EQ_INT(c[1], 3);
	T_ASSERT_EQ_INT(c[2], 1);
	T_ASSERT_EQ_INT(c[3], 1);
}

static void test_allocate_remainders(void)
{
	struct scn_study three = weighted(3, (const double[]){ 1, 1, 1 });
	struct scn_study two = weighted(2, (const double[]){ 2, 1 });
	size_t c[3];

	/* shares 10/3 each: floors 3, 3, 3 make 9; the remainders tie (1/3
	 * each), so the one left goes to the earliest */
	scn_study_allocate(&three, 10, c);
	T_ASSERT_EQ_INT(c[0], 4);
	T_ASSERT_EQ_INT(c[1], 3);
	T_ASSERT_EQ_INT(c[2], 3);
	/* shares 2/3 and 1/3: floors 0, 0; the run goes to remainder 2/3 */
	scn_study_allocate(&two, 1, c);
	T_ASSERT_EQ_INT(c[0], 1);
	T_ASSERT_EQ_INT(c[1], 0);
}

/* Whatever the rounding of nruns x 0.7 / 1.0 and the like, the counts
 * sum to nruns and each is the floor or the ceiling of its share. */
static void test_allocate_sums(void)
{
	static const double w[] = { 0.7, 0.2, 0.1 };
	struct scn_study st = weighted(3, w);

	for (size_t nruns = 1; nruns <= 50; nruns++) {
		size_t c[3], sum = 0;

		scn_study_allocate(&st, nruns, c);
		for (size_t i = 0; i < 3; i++) {
			double share = (double)nruns * w[i]; /* weights sum to 1 */

			sum += c[i];
			CU_ASSERT((double)c[i] >= share - 1.0 - 1e-9);
			CU_ASSERT((double)c[i] <= share + 1.0 + 1e-9);
		}
		T_ASSERT_EQ_INT(sum, nruns);
	}
}

static void test_entry_of(void)
{
	static const size_t counts[] = { 2, 0, 3 };

	/* runs 0, 1 are scenario 0's; scenario 1 has none; 2, 3, 4 are 2's */
	T_ASSERT_EQ_INT(scn_study_entry_of(counts, 3, 0), 0);
	T_ASSERT_EQ_INT(scn_study_entry_of(counts, 3, 1), 0);
	T_ASSERT_EQ_INT(scn_study_entry_of(counts, 3, 2), 2);
	T_ASSERT_EQ_INT(scn_study_entry_of(counts, 3, 3), 2);
	T_ASSERT_EQ_INT(scn_study_entry_of(counts, 3, 4), 2);
}

/* --- rpt_confusion_add, rpt_budget_consumed -------------------------------- */

static struct rpt_summary summary(enum eng_outcome outcome, bool bad)
{
	struct rpt_summary s;

	memset(&s, 0, sizeof(s));
	s.outcome = outcome;
	s.canary_bad = bad;
	s.onset_s = s.decision_s = NAN;
	return s;
}

static void test_confusion_cells(void)
{
	static const struct {
		enum eng_outcome outcome;
		bool bad;
	} runs[] = {
		{ ENG_OUTCOME_ROLLED_BACK, true },  /* true rollback */
		{ ENG_OUTCOME_ROLLED_BACK, true },  /* true rollback */
		{ ENG_OUTCOME_ROLLED_BACK, false }, /* false rollback */
		{ ENG_OUTCOME_PROMOTED, true },     /* missed */
		{ ENG_OUTCOME_PROMOTED, false },    /* correct promotion */
		{ ENG_OUTCOME_PROMOTED, false },    /* correct promotion */
		{ ENG_OUTCOME_PROMOTED, false },    /* correct promotion */
		{ ENG_OUTCOME_BLOCKED, true },      /* blocked */
		{ ENG_OUTCOME_BLOCKED, false },     /* blocked */
		{ ENG_OUTCOME_TIMED_OUT, true },    /* other */
		{ ENG_OUTCOME_RUNNING, false },     /* other */
	};
	struct rpt_confusion c = { 0 };

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct rpt_summary s = summary(runs[i].outcome, runs[i].bad);

		rpt_confusion_add(&c, &s);
	}
	T_ASSERT_EQ_INT(c.runs, 11);
	T_ASSERT_EQ_INT(c.true_rollbacks, 2);
	T_ASSERT_EQ_INT(c.false_rollbacks, 1);
	T_ASSERT_EQ_INT(c.missed, 1);
	T_ASSERT_EQ_INT(c.correct_promotions, 3);
	T_ASSERT_EQ_INT(c.blocked, 2);
	T_ASSERT_EQ_INT(c.other, 2);
	/* every run lands in exactly one cell: 2 + 1 + 1 + 3 + 2 + 2 = 11 */
	T_ASSERT_EQ_INT(c.true_rollbacks + c.false_rollbacks + c.missed +
				c.correct_promotions + c.blocked + c.other,
			c.runs);
}

static void test_budget_consumed(void)
{
	struct rpt_summary s = summary(ENG_OUTCOME_PROMOTED, false);

	s.requests = 10000;
	s.failed_requests = 30;
	/* allowed (1 - 0.999) x 10000 = 10 failures; 30 / 10 = 3 */
	T_ASSERT_NEAR(rpt_budget_consumed(&s, 0.999), 3.0, 1e-9);
	/* at 0.99: 100 allowed, 30 / 100 = 0.3 */
	T_ASSERT_NEAR(rpt_budget_consumed(&s, 0.99), 0.3, 1e-12);
	CU_ASSERT(isnan(rpt_budget_consumed(&s, 1.0)));  /* no budget */
	s.requests = 0;
	s.failed_requests = 0;
	CU_ASSERT(isnan(rpt_budget_consumed(&s, 0.999))); /* no requests */
}

/* --- rpt_study_json -------------------------------------------------------- */

/* Ten runs of two scenarios:
 *   alpha (availability 0.999): 0 bad RB ttd 20, 1 bad RB ttd 50,
 *     2 good RB, 3 bad RB ttd 30, 4 bad promoted, 5 good promoted,
 *     6 bad promoted;
 *   beta (availability 0.99): 7 good promoted, 8 bad blocked, 9 good
 *     timed out.
 * Run 0 also has 2 failed of 1000 requests: budget 2 / (0.001 x 1000) = 2;
 * the others have no requests (no budget figure). duration_s = 100 + 10 i. */
static const struct rpt_study_entry json_entries[] = {
	{ "alpha", 3.0, 0.999 },
	{ "beta", 1.0, 0.99 },
};

static void json_runs(struct rpt_study_run *r)
{
	static const struct {
		uint32_t entry;
		enum eng_outcome outcome;
		bool bad;
		double ttd_s;             /* NaN: none */
	} spec[10] = {
		{ 0, ENG_OUTCOME_ROLLED_BACK, true, 20 },
		{ 0, ENG_OUTCOME_ROLLED_BACK, true, 50 },
		{ 0, ENG_OUTCOME_ROLLED_BACK, false, NAN },
		{ 0, ENG_OUTCOME_ROLLED_BACK, true, 30 },
		{ 0, ENG_OUTCOME_PROMOTED, true, NAN },
		{ 0, ENG_OUTCOME_PROMOTED, false, NAN },
		{ 0, ENG_OUTCOME_PROMOTED, true, NAN },
		{ 1, ENG_OUTCOME_PROMOTED, false, NAN },
		{ 1, ENG_OUTCOME_BLOCKED, true, NAN },
		{ 1, ENG_OUTCOME_TIMED_OUT, false, NAN },
	};

	for (size_t i = 0; i < 10; i++) {
		r[i].entry = spec[i].entry;
		r[i].seed = 7 + i;
		r[i].sum = summary(spec[i].outcome, spec[i].bad);
		r[i].sum.has_ttd = !isnan(spec[i].ttd_s);
		r[i].sum.ttd_s = r[i].sum.has_ttd ? spec[i].ttd_s : 0.0;
		r[i].sum.duration_s = 100.0 + 10.0 * (double)i;
		r[i].sum.canary_failed_requests = spec[i].bad ? 5 : 0;
	}
	r[0].sum.requests = 1000;
	r[0].sum.failed_requests = 2;
}

static const cJSON *at(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* o.key's number; NaN when missing or not a number. */
static double num(const cJSON *o, const char *key)
{
	const cJSON *x = at(o, key);

	return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

/* o.key.sub's number. */
static double num2(const cJSON *o, const char *key, const char *sub)
{
	return num(at(o, key), sub);
}

/* The group's six confusion counts and its runs. */
static void check_confusion(const cJSON *g, double runs, double tr, double fr,
			    double missed, double cp, double blocked, double other)
{
	const cJSON *m = at(g, "confusion");

	CU_ASSERT_FATAL(cJSON_IsObject(m));
	T_ASSERT_NEAR(num(g, "runs"), runs, 0);
	T_ASSERT_NEAR(num(m, "true_rollbacks"), tr, 0);
	T_ASSERT_NEAR(num(m, "false_rollbacks"), fr, 0);
	T_ASSERT_NEAR(num(m, "missed_bad_releases"), missed, 0);
	T_ASSERT_NEAR(num(m, "correct_promotions"), cp, 0);
	T_ASSERT_NEAR(num(m, "blocked"), blocked, 0);
	T_ASSERT_NEAR(num(m, "other"), other, 0);
}

/* g.key is the Wilson interval of k of n. */
static void check_rate(const cJSON *g, const char *key, uint64_t k, uint64_t n)
{
	struct rpt_interval w = rpt_wilson(k, n);

	T_ASSERT_NEAR(num2(g, key, "estimate"), (double)k / (double)n, 1e-12);
	T_ASSERT_NEAR(num2(g, key, "lo"), w.lo, 1e-12);
	T_ASSERT_NEAR(num2(g, key, "hi"), w.hi, 1e-12);
}

/* g.key's estimate, lo and hi are all null (n = 0). */
static void check_null_rate(const cJSON *g, const char *key)
{
	CU_ASSERT(cJSON_IsNull(at(at(g, key), "estimate")));
	CU_ASSERT(cJSON_IsNull(at(at(g, key), "lo")));
	CU_ASSERT(cJSON_IsNull(at(at(g, key), "hi")));
}

static void test_study_json(void)
{
	struct rpt_study_run runs[10];
	struct rpt_study st = { .name = "two", .seed = 42, .fidelity = "window", .entries = json_entries,
				.nentries = 2, .runs = runs, .nruns = 10, .bootstrap = 200 };
	cJSON *raw, *j;
	const cJSON *all, *per, *a, *b;
	char *text;

	json_runs(runs);
	raw = rpt_study_json(&st);
	CU_ASSERT_FATAL(raw != NULL);
	text = cJSON_Print(raw); /* raw counts become numbers once reparsed */
	cJSON_Delete(raw);
	CU_ASSERT_FATAL(text != NULL);
	j = cJSON_Parse(text);
	free(text);
	CU_ASSERT_FATAL(j != NULL);

	T_ASSERT_STR_EQ(cJSON_GetStringValue(at(j, "study")), "two");
	T_ASSERT_NEAR(num(j, "seed"), 42, 0);
	T_ASSERT_STR_EQ(cJSON_GetStringValue(at(j, "fidelity")), "window");
	T_ASSERT_NEAR(num(j, "bootstrap_resamples"), 200, 0);

	/* overall: RB of bad 0, 1, 3 = 3; RB of good 2 = 1; promoted bad 4, 6
	 * = 2; promoted good 5, 7 = 2; blocked 8; timed out 9 */
	all = at(j, "overall");
	CU_ASSERT_FATAL(cJSON_IsObject(all));
	check_confusion(all, 10, 3, 1, 2, 2, 1, 1);
	check_rate(all, "precision", 3, 4);            /* TR / (TR + FR) */
	check_rate(all, "recall", 3, 5);               /* TR / (TR + missed) */
	check_rate(all, "false_rollback_rate", 1, 3);  /* FR / (FR + CP) */
	/* recall by hand, k = 3, n = 5: n + z^2 = 8.8414588206941254;
	 * centre = (3 + 1.9207294103470627) / 8.8414588206941254 =
	 * 0.55655175352; 3 x 2 / 5 + z^2 / 4 = 2.16036470517353, sqrt =
	 * 1.46981791565; half = 1.959963984540054 / 8.8414588206941254 x
	 * 1.46981791565 = 0.22167880033 x 1.46981791565 = 0.32582747225;
	 * lo = 0.23072428128, hi = 0.88237922577 */
	T_ASSERT_NEAR(num2(all, "recall", "estimate"), 0.6, 1e-15);
	T_ASSERT_NEAR(num2(all, "recall", "lo"), 0.23072428128, 1e-10);
	T_ASSERT_NEAR(num2(all, "recall", "hi"), 0.88237922577, 1e-10);
	/* ttd of runs 0, 1, 3: sorted 20, 30, 50; type-7 median at h = 1 is
	 * 30; mean (20 + 50 + 30) / 3 = 33.333... */
	T_ASSERT_NEAR(num2(all, "ttd_s", "n"), 3, 0);
	T_ASSERT_NEAR(num(at(at(all, "ttd_s"), "median"), "estimate"), 30.0, 1e-12);
	T_ASSERT_NEAR(num(at(at(all, "ttd_s"), "mean"), "estimate"), 100.0 / 3.0, 1e-12);
	/* no run has a ttr: n = 0 and a null median */
	T_ASSERT_NEAR(num2(all, "ttr_s", "n"), 0, 0);
	CU_ASSERT(cJSON_IsNull(at(at(at(all, "ttr_s"), "median"), "estimate")));
	/* every run has a duration: 100 .. 190, mean 145 */
	T_ASSERT_NEAR(num2(all, "duration_s", "n"), 10, 0);
	T_ASSERT_NEAR(num(at(at(all, "duration_s"), "mean"), "estimate"), 145.0, 1e-12);
	/* blast radius: the 6 bad runs 0, 1, 3, 4, 6, 8, each 5 */
	T_ASSERT_NEAR(num2(all, "blast_radius_requests", "n"), 6, 0);
	T_ASSERT_NEAR(num(at(at(all, "blast_radius_requests"), "median"), "estimate"), 5.0, 1e-12);
	/* budget: only run 0 has requests, 2 / (0.001 x 1000) = 2 */
	T_ASSERT_NEAR(num2(all, "budget_consumed_frac", "n"), 1, 0);
	T_ASSERT_NEAR(num(at(at(all, "budget_consumed_frac"), "median"), "estimate"), 2.0, 1e-9);

	per = at(j, "scenarios");
	CU_ASSERT_FATAL(cJSON_IsArray(per));
	T_ASSERT_EQ_INT(cJSON_GetArraySize(per), 2);
	a = cJSON_GetArrayItem(per, 0);
	b = cJSON_GetArrayItem(per, 1);
	CU_ASSERT_FATAL(a != NULL && b != NULL);

	/* alpha, runs 0..6: TR 0, 1, 3; FR 2; missed 4, 6; CP 5 */
	T_ASSERT_STR_EQ(cJSON_GetStringValue(at(a, "scenario")), "alpha");
	T_ASSERT_NEAR(num(a, "weight"), 3.0, 0);
	check_confusion(a, 7, 3, 1, 2, 1, 0, 0);
	check_rate(a, "precision", 3, 4);
	check_rate(a, "recall", 3, 5);
	check_rate(a, "false_rollback_rate", 1, 2);
	T_ASSERT_NEAR(num2(a, "ttd_s", "n"), 3, 0);
	T_ASSERT_NEAR(num(at(at(a, "ttd_s"), "median"), "estimate"), 30.0, 1e-12);

	/* beta, runs 7..9: CP 7, blocked 8, other 9; no rollback and no bad
	 * run judged, so precision and recall have n = 0 */
	T_ASSERT_STR_EQ(cJSON_GetStringValue(at(b, "scenario")), "beta");
	T_ASSERT_NEAR(num(b, "weight"), 1.0, 0);
	check_confusion(b, 3, 0, 0, 0, 1, 1, 1);
	check_null_rate(b, "precision");
	check_null_rate(b, "recall");
	/* 0 of 1: est 0, lo 0 exactly, hi = z^2 / (1 + z^2) =
	 * 3.8414588206941254 / 4.8414588206941254 = 0.79345068562 */
	T_ASSERT_NEAR(num2(b, "false_rollback_rate", "estimate"), 0.0, 0);
	T_ASSERT_NEAR(num2(b, "false_rollback_rate", "lo"), 0.0, 0);
	T_ASSERT_NEAR(num2(b, "false_rollback_rate", "hi"), 0.79345068562, 1e-10);
	T_ASSERT_NEAR(num2(b, "ttd_s", "n"), 0, 0);
	CU_ASSERT(cJSON_IsNull(at(at(at(b, "ttd_s"), "median"), "estimate")));
	/* beta's runs have no requests: no budget figure */
	T_ASSERT_NEAR(num2(b, "budget_consumed_frac", "n"), 0, 0);
	cJSON_Delete(j);
}

/* The intervals are computed on the study's threads: the same text for
 * 1, 2, 5 and 64 of them; and the intervals have resamples to vary (the
 * overall duration's, of 10 distinct values, is not a point). */
static void test_study_json_threads(void)
{
	struct rpt_study_run runs[10];
	struct rpt_study st = { .name = "two", .seed = 42, .fidelity = "window", .entries = json_entries,
				.nentries = 2, .runs = runs, .nruns = 10, .bootstrap = 200 };
	static const unsigned threads[] = { 2, 5, 64 };
	cJSON *j;
	char *one, *other;

	json_runs(runs);
	st.threads = 1;
	j = rpt_study_json(&st);
	CU_ASSERT_FATAL(j != NULL);
	CU_ASSERT(num2(at(at(j, "overall"), "duration_s"), "median", "lo") <
		  num2(at(at(j, "overall"), "duration_s"), "median", "hi"));
	one = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	CU_ASSERT_FATAL(one != NULL);
	for (size_t i = 0; i < sizeof(threads) / sizeof(threads[0]); i++) {
		st.threads = threads[i];
		j = rpt_study_json(&st);
		CU_ASSERT_FATAL(j != NULL);
		other = cJSON_PrintUnformatted(j);
		cJSON_Delete(j);
		CU_ASSERT_FATAL(other != NULL);
		T_ASSERT_STR_EQ(other, one);
		free(other);
	}
	free(one);
}

/* --- scn_study_load, scn_study_run ----------------------------------------- */

static struct scn_study *load_ok(const char *path)
{
	struct scn_diag d;
	struct scn_study *st = NULL;
	enum scn_status s;

	scn_diag_init(&d);
	s = scn_study_load(path, NULL, 0, NULL, &d, &st);
	T_ASSERT_EQ_INT(s, SCN_OK);
	for (size_t i = 0; i < d.count; i++)
		fprintf(stderr, "%s\n", d.lines[i]);
	scn_diag_free(&d);
	return st;
}

static void test_load_scenario_file(void)
{
	struct scn_study *st = load_ok("scenarios/canary-good.json");

	CU_ASSERT_FATAL(st != NULL);
	T_ASSERT_EQ_INT(st->n, 1);
	T_ASSERT_NEAR(st->weight[0], 1.0, 0);
	T_ASSERT_STR_EQ(st->name, "canary-good");
	T_ASSERT_STR_EQ(st->sc[0]->name, "canary-good");
	scn_study_free(st);
}

static void test_load_mix(void)
{
	static const char *const names[] = { "canary-good", "canary-bad-errors",
					     "canary-latency-regression", "canary-memory-leak" };
	static const double w[] = { 80, 10, 5, 5 };
	struct scn_study *st = load_ok("studies/canary-mix.json");

	CU_ASSERT_FATAL(st != NULL);
	T_ASSERT_STR_EQ(st->name, "canary-mix");
	T_ASSERT_EQ_INT(st->n, 4);
	for (size_t i = 0; i < 4 && i < st->n; i++) {
		T_ASSERT_STR_EQ(st->sc[i]->name, names[i]);
		T_ASSERT_NEAR(st->weight[i], w[i], 0);
	}
	scn_study_free(st);
}

static bool same_double(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

static bool same_run(const struct rpt_study_run *x, const struct rpt_study_run *y)
{
	const struct rpt_summary *a = &x->sum, *b = &y->sum;

	return x->entry == y->entry && x->seed == y->seed && a->outcome == b->outcome &&
	       a->canary_bad == b->canary_bad && a->has_ttd == b->has_ttd &&
	       same_double(a->ttd_s, b->ttd_s) && a->has_ttr == b->has_ttr &&
	       same_double(a->ttr_s, b->ttr_s) && same_double(a->onset_s, b->onset_s) &&
	       same_double(a->decision_s, b->decision_s) &&
	       same_double(a->duration_s, b->duration_s) && a->requests == b->requests &&
	       a->failed_requests == b->failed_requests &&
	       a->canary_requests == b->canary_requests &&
	       a->canary_failed_requests == b->canary_failed_requests &&
	       a->mirrored_requests == b->mirrored_requests &&
	       same_double(a->final_weight_pct, b->final_weight_pct) &&
	       a->checks_passed == b->checks_passed && a->checks_failed == b->checks_failed &&
	       a->checks_inconclusive == b->checks_inconclusive && a->nflags == b->nflags;
}

/* 24 runs of the mix, once on one thread and once on two: the same runs,
 * run i with seed 5 + i and the scenario of allocate(24) = 19, 3, 1, 1. */
static void test_run_threads(void)
{
	enum { N = 24 };
	struct rpt_study_run *one = calloc(N, sizeof(*one)), *two = calloc(N, sizeof(*two));
	struct scn_study *st = load_ok("studies/canary-mix.json");
	size_t counts[SCN_STUDY_MAX], ndiff = 0;

	CU_ASSERT_FATAL(st != NULL && one != NULL && two != NULL);
	T_ASSERT_EQ_INT(scn_study_run(st, N, 1, 5, SCN_FIDELITY_WINDOW, one, NULL, NULL), ENG_OK);
	T_ASSERT_EQ_INT(scn_study_run(st, N, 2, 5, SCN_FIDELITY_WINDOW, two, NULL, NULL), ENG_OK);
	scn_study_allocate(st, N, counts);
	for (size_t i = 0; i < N; i++) {
		T_ASSERT_EQ_INT(one[i].seed, 5 + i);
		T_ASSERT_EQ_INT(one[i].entry, scn_study_entry_of(counts, st->n, i));
		/* runs 0..18 are canary-good's, 19..21 canary-bad-errors', 22
		 * canary-latency-regression's, 23 canary-memory-leak's */
		T_ASSERT_EQ_INT(one[i].entry, i < 19 ? 0 : i < 22 ? 1 : i < 23 ? 2 : 3);
		CU_ASSERT(one[i].sum.outcome != ENG_OUTCOME_RUNNING);
		if (!same_run(&one[i], &two[i])) {
			if (ndiff == 0)
				fprintf(stderr, "\n  run %zu differs between 1 and 2 threads\n", i);
			ndiff++;
		}
	}
	T_ASSERT_EQ_INT(ndiff, 0);
	/* the comparison can tell runs apart: runs 0 and 1 differ in seed */
	CU_ASSERT(!same_run(&one[0], &one[1]));
	scn_study_free(st);
	free(one);
	free(two);
}

/* --- scn_study_load's diagnostics ------------------------------------------ */

/* Writes text to a fresh file under /tmp; its name in path (size 64). */
static bool write_temp(char *path, const char *text)
{
	int fd;
	FILE *f;

	snprintf(path, 64, "/tmp/rollsim-study-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return false;
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(path);
		return false;
	}
	fputs(text, f);
	return fclose(f) == 0;
}

/* Loads a mix of the given text; expects SCN_EINVAL, no study, and some
 * diagnostic line holding `want`. */
static void mix_refused(const char *text, const char *want)
{
	struct scn_diag d;
	struct scn_study *st = (struct scn_study *)&d;
	char path[64];
	bool found = false;

	CU_ASSERT_FATAL(write_temp(path, text));
	scn_diag_init(&d);
	T_ASSERT_EQ_INT(scn_study_load(path, NULL, 0, NULL, &d, &st), SCN_EINVAL);
	CU_ASSERT_PTR_NULL(st);
	CU_ASSERT(d.count > 0);
	for (size_t i = 0; i < d.count; i++)
		if (strstr(d.lines[i], want) != NULL)
			found = true;
	T_ASSERT_CONTAINS(found ? want : (d.count ? d.lines[0] : "(none)"), want);
	scn_diag_free(&d);
	unlink(path);
}

/* The absolute path of scenarios/name, so a mix under /tmp can name it. */
static void scenario_path(char *buf, size_t n, const char *name)
{
	char cwd[1024];

	CU_ASSERT_FATAL(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(buf, n, "%s/scenarios/%s", cwd, name);
}

static void test_load_errors(void)
{
	char good[1200], missing[1200], text[4096];

	scenario_path(good, sizeof(good), "canary-good.json");
	scenario_path(missing, sizeof(missing), "no-such-scenario.json");
	/* (a) an entry without its file */
	/* "MIX: scenarios[0].file: missing; expected a string" */
	mix_refused("{\"scenarios\": [{\"weight\": 1}]}", "scenarios[0].file: missing");
	/* (b) weight 0: the range is 0 (left open) .. 1e9 */
	snprintf(text, sizeof(text), "{\"scenarios\": [{\"file\": \"%s\", \"weight\": 0}]}", good);
	/* "MIX: scenarios[0].weight: 0 is out of range: expected more than 0
	 * and at most 1e+09" */
	mix_refused(text, "scenarios[0].weight: 0 is out of range");
	/* (c) a file that does not exist */
	snprintf(text, sizeof(text), "{\"scenarios\": [{\"file\": \"%s\"}]}", missing);
	/* "MIX: scenarios[0]: \"PATH\" does not load (cannot read the
	 * scenario)", then the scenario loader's "PATH: cannot open: ..." */
	mix_refused(text, "no-such-scenario.json\" does not load");
	mix_refused(text, "no-such-scenario.json: cannot open");
	/* (d) a misspelt key */
	snprintf(text, sizeof(text), "{\"scenarios\": [{\"file\": \"%s\", \"wieght\": 2}]}", good);
	/* "MIX: scenarios[0].wieght: unknown key; expected one of: file, weight" */
	mix_refused(text, "scenarios[0].wieght: unknown key");
	/* (e) no scenario at all */
	/* "MIX: scenarios: 0 entries; expected 1 to 32" */
	mix_refused("{\"scenarios\": []}", "scenarios: 0 entries; expected 1 to 32");
	/* (f) one scenario twice: reported at the second */
	snprintf(text, sizeof(text),
		 "{\"scenarios\": [{\"file\": \"%s\"}, {\"file\": \"%s\", \"weight\": 3}]}", good, good);
	/* "MIX: scenarios[1]: scenario \"canary-good\" is already in the mix;
	 * expected each scenario once (weights say how often)" */
	mix_refused(text, "scenarios[1]: scenario \"canary-good\" is already in the mix");
}

int t_suite_study(void)
{
	static const struct t_case cases[] = {
		{ "allocate, exact shares and 24 of 80/10/5/5", test_allocate_exact },
		{ "allocate, largest remainders and ties", test_allocate_remainders },
		{ "allocate sums to nruns, 1..50", test_allocate_sums },
		{ "entry_of", test_entry_of },
		{ "confusion, every cell", test_confusion_cells },
		{ "budget consumed", test_budget_consumed },
		{ "summary.json against hand counts", test_study_json },
		{ "summary.json the same on any threads", test_study_json_threads },
		{ "load a scenario file", test_load_scenario_file },
		{ "load a mix", test_load_mix },
		{ "run, 1 and 2 threads agree", test_run_threads },
		{ "load errors", test_load_errors },
		{ NULL, NULL }
	};

	return t_add_suite("study", cases);
}
