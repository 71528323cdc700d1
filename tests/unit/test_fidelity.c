/* Request-level and window-level fidelity agree on unsaturated scenarios:
 * over many seeds, the rollback rate, the time to detect and the canary's
 * error rate are the same within their confidence intervals. */
#include <glob.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "scenario/simulate.h"
#include "tests/unit/helpers.h"

#define RUNS 80

struct level_stats {
	double rolled_back[RUNS];  /* 1 rolled back, 0 not */
	double ttd_s[RUNS];        /* for the rolled-back runs */
	size_t nttd;
	double canary_err[RUNS];   /* canary errors / canary requests per run */
	double p99_ms[RUNS];       /* the stable version's p99, averaged over windows */
	double max_ms[RUNS];       /* and its maximum */
};

/* The stable version's p99 and maximum averaged over the run's windows of
 * 100 requests or more: the window level's order statistics against the
 * request level's histogram quantiles. (The request level also has
 * windows with a handful of requests that were in flight when the weight
 * left the stable version; their maximum is that of a few requests.) */
static void stable_latency(const struct eng_record *rec, double *p99, double *max)
{
	double s99 = 0.0, smax = 0.0;
	size_t n = 0;

	for (size_t i = 0; i < rec->nwindows; i++) {
		const struct eng_window_metrics *m = &rec->windows[i].version[ENG_STABLE];

		if (m->requests < 100)
			continue;
		s99 += m->p99_ms;
		smax += m->max_ms;
		n++;
	}
	*p99 = n ? s99 / (double)n : NAN;
	*max = n ? smax / (double)n : NAN;
}

static void run_level(const struct scn_scenario *sc, enum scn_fidelity f,
		      struct level_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < RUNS; i++) {
		struct eng_record rec;
		struct rpt_run_meta meta;
		struct rpt_summary sum;

		eng_record_init(&rec);
		CU_ASSERT_EQUAL_FATAL(scn_simulate(sc, 5000 + (uint64_t)i, f, &rec), ENG_OK);
		scn_run_meta(sc, 5000 + (uint64_t)i, &meta);
		rpt_summarize(&rec, &meta, &sum);
		out->rolled_back[i] = sum.outcome == ENG_OUTCOME_ROLLED_BACK;
		if (sum.has_ttd)
			out->ttd_s[out->nttd++] = sum.ttd_s;
		out->canary_err[i] = sum.canary_requests ?
			(double)sum.canary_failed_requests / (double)sum.canary_requests : 0.0;
		stable_latency(&rec, &out->p99_ms[i], &out->max_ms[i]);
		eng_record_free(&rec);
	}
}

/* |mean(a) - mean(b)| within the 99.9% Welch interval of the difference;
 * equal constant samples (e.g. all rolled back) agree exactly. */
static void assert_means_agree(const char *what, const double *a, size_t na,
			       const double *b, size_t nb)
{
	double ma = gsl_stats_mean(a, 1, na), mb = gsl_stats_mean(b, 1, nb);
	double va = na > 1 ? gsl_stats_variance_m(a, 1, na, ma) : 0.0;
	double vb = nb > 1 ? gsl_stats_variance_m(b, 1, nb, mb) : 0.0;
	double se = sqrt(va / na + vb / nb);
	double tol = gsl_cdf_tdist_Pinv(0.9995, (double)(na + nb - 2)) * se;

	fprintf(stderr, "\n    %s: request %.4g, window %.4g, tolerance %.3g", what,
		ma, mb, tol);
	T_ASSERT_NEAR(mb, ma, tol);
}

static void compare(const char *path, bool expect_mixed)
{
	struct scn_scenario *sc;
	struct scn_diag d;
	static struct level_stats req, win;

	scn_diag_init(&d);
	CU_ASSERT_EQUAL_FATAL(scn_load_file(path, &d, &sc), SCN_OK);
	run_level(sc, SCN_FIDELITY_REQUEST, &req);
	run_level(sc, SCN_FIDELITY_WINDOW, &win);
	assert_means_agree("rollback rate", req.rolled_back, RUNS, win.rolled_back, RUNS);
	assert_means_agree("canary error rate", req.canary_err, RUNS, win.canary_err, RUNS);
	assert_means_agree("stable p99", req.p99_ms, RUNS, win.p99_ms, RUNS);
	assert_means_agree("stable max", req.max_ms, RUNS, win.max_ms, RUNS);
	if (req.nttd > 1 && win.nttd > 1)
		assert_means_agree("time to detect", req.ttd_s, req.nttd, win.ttd_s, win.nttd);
	if (expect_mixed) {
		double r = gsl_stats_mean(req.rolled_back, 1, RUNS);

		/* the comparison means something only away from 0 and 1 */
		CU_ASSERT(r > 0.1 && r < 0.9);
	}
	scn_free(sc);
	scn_diag_free(&d);
}

static void test_good(void)
{
	compare("scenarios/canary-good.json", false);
}

static void test_bad(void)
{
	compare("scenarios/canary-bad-errors.json", false);
}

static void test_borderline(void)
{
	compare("tests/data/canary-borderline.json", true);
}

static bool same_double(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

/* Both records made the same decisions at the same moments: every event
 * field the same. */
static void assert_same_events(const struct eng_record *a, const struct eng_record *b)
{
	CU_ASSERT_EQUAL_FATAL(a->events.count, b->events.count);
	for (size_t i = 0; i < b->events.count; i++) {
		const struct eng_event *x = &a->events.events[i], *y = &b->events.events[i];

		CU_ASSERT(x->t_ns == y->t_ns && x->rule == y->rule &&
			  x->result == y->result && x->action == y->action &&
			  x->bound == y->bound && x->samples == y->samples &&
			  x->failures == y->failures && x->weight_pct == y->weight_pct &&
			  same_double(x->observed, y->observed) &&
			  same_double(x->threshold, y->threshold) &&
			  same_double(x->canary_value, y->canary_value) &&
			  same_double(x->baseline, y->baseline) &&
			  strcmp(x->check, y->check) == 0 &&
			  strcmp(x->metric, y->metric) == 0);
	}
}

/* the full run's value, or NaN where the lean run left a quantile out */
static bool same_or_left_out(double lean, double full)
{
	return isnan(lean) || same_double(lean, full);
}

/* A version's window as a study's lean run draws it against the full
 * run's: every count and figure the same, each latency quantile and the
 * mean the same or left out (NaN), the slow successes the same or, when
 * nothing reads them, left out (0); *figures counts the quantiles and
 * means left out, *slow the windows whose slow successes were. */
static void assert_window_lean(const struct eng_window_metrics *lean,
			       const struct eng_window_metrics *full, bool slow_read,
			       size_t *figures, size_t *slow)
{
	const double *lq[4] = { &lean->p50_ms, &lean->p95_ms, &lean->p99_ms, &lean->max_ms };
	const double *fq[4] = { &full->p50_ms, &full->p95_ms, &full->p99_ms, &full->max_ms };

	CU_ASSERT_EQUAL(lean->requests, full->requests);
	CU_ASSERT_EQUAL(lean->errors, full->errors);
	CU_ASSERT_EQUAL(lean->timeouts, full->timeouts);
	CU_ASSERT_EQUAL(lean->slow, slow_read ? full->slow : 0);
	*slow += lean->slow != full->slow;
	CU_ASSERT(same_or_left_out(lean->mean_ms, full->mean_ms));
	*figures += isnan(lean->mean_ms) && !isnan(full->mean_ms);
	CU_ASSERT_EQUAL(lean->ready_instances, full->ready_instances);
	CU_ASSERT_EQUAL(lean->connections, full->connections);
	CU_ASSERT(same_double(lean->cpu_frac, full->cpu_frac));
	CU_ASSERT(same_double(lean->memory_mb, full->memory_mb));
	for (int k = 0; k < 4; k++) {
		CU_ASSERT(same_or_left_out(*lq[k], *fq[k]));
		*figures += isnan(*lq[k]) && !isnan(*fq[k]);
	}
}

/* The windows a recovery reads, those that begin once the canary's
 * weight is back at 0, up to the first that meets the SLO: the lean run
 * drew the SLO's quantile of what users saw in each that had requests.
 * Returns how many it checked. */
static size_t assert_recovery_drawn(const struct eng_record *lean,
				    const struct eng_record *full, const struct eng_slo *slo)
{
	size_t checked = 0;

	if (full->weight_zero_ns < 0)
		return 0;
	for (size_t i = 0; i < full->nwindows; i++) {
		const struct eng_observation *f = &full->windows[i];

		if (f->t_ns - f->window_ns < full->weight_zero_ns)
			continue;
		if (f->all.requests > 0) {
			CU_ASSERT(!isnan(eng_window_quantile_ms(&lean->windows[i].all,
								slo->latency_quantile)));
			checked++;
		}
		if (eng_window_within_slo(&f->all, slo))
			break;
	}
	return checked;
}

/* A study's runs leave out the latency figures (quantiles, means) and the
 * slow successes that nothing reads (SCN_DETAIL_STUDY), and what users saw
 * before a recovery could begin, and that must change nothing else: for
 * every library scenario at window level over 6 seeds, the lean run makes
 * the same decisions at the same moments (every event field), its summary
 * is the full run's, and each of its windows is the full run's but for
 * what was left out. Over the library some of each is left out (the
 * saving is real), and none where a check, a budget or the SLO reads it:
 * those would change an event or the recovery time. */
static void test_study_detail(void)
{
	glob_t g;
	size_t figures = 0, users = 0, slow = 0, runs = 0, recovery = 0;

	CU_ASSERT_EQUAL_FATAL(glob("scenarios/*.json", 0, NULL, &g), 0);
	CU_ASSERT_FATAL(g.gl_pathc >= 20);
	for (size_t f = 0; f < g.gl_pathc; f++) {
		struct scn_scenario *sc;
		struct scn_diag d;
		struct scn_runner *r;

		scn_diag_init(&d);
		CU_ASSERT_EQUAL_FATAL(scn_load_file(g.gl_pathv[f], &d, &sc), SCN_OK);
		scn_diag_free(&d);
		r = scn_runner_create(sc, SCN_FIDELITY_WINDOW, SCN_DETAIL_STUDY);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		bool slow_read = eng_rollout_config_reads_slow(&sc->rollout);

		for (uint64_t seed = 1; seed <= 6; seed++) {
			struct eng_record full, lean;
			struct rpt_run_meta meta;
			struct rpt_summary a, b;

			eng_record_init(&full);
			eng_record_init(&lean);
			CU_ASSERT_EQUAL_FATAL(scn_simulate(sc, seed, SCN_FIDELITY_WINDOW, &full), ENG_OK);
			CU_ASSERT_EQUAL_FATAL(scn_runner_run(r, seed, &lean), ENG_OK);
			assert_same_events(&lean, &full);
			CU_ASSERT_EQUAL_FATAL(lean.nwindows, full.nwindows);
			for (size_t i = 0; i < full.nwindows; i++) {
				for (int v = 0; v < ENG_NVERSIONS; v++)
					assert_window_lean(&lean.windows[i].version[v],
							   &full.windows[i].version[v], slow_read,
							   &figures, &slow);
				assert_window_lean(&lean.windows[i].all, &full.windows[i].all,
						   slow_read, &users, &slow);
			}
			recovery += assert_recovery_drawn(&lean, &full, &sc->slo);
			scn_run_meta(sc, seed, &meta);
			rpt_summarize(&full, &meta, &a);
			rpt_summarize(&lean, &meta, &b);
			CU_ASSERT(a.outcome == b.outcome && a.has_ttd == b.has_ttd &&
				  a.has_ttr == b.has_ttr && same_double(a.ttd_s, b.ttd_s) &&
				  same_double(a.ttr_s, b.ttr_s) &&
				  same_double(a.duration_s, b.duration_s) &&
				  a.failed_requests == b.failed_requests &&
				  a.canary_failed_requests == b.canary_failed_requests &&
				  a.final_weight_pct == b.final_weight_pct);
			eng_record_free(&full);
			eng_record_free(&lean);
			runs++;
		}
		scn_runner_free(r);
		scn_free(sc);
	}
	fprintf(stderr, "\n    %zu runs; left out: %zu versions' latency figures, %zu of what"
		" users saw, %zu slow counts; %zu recovery windows drawn", runs, figures, users,
		slow, recovery);
	CU_ASSERT(recovery > 0);
	CU_ASSERT(figures > 0);
	CU_ASSERT(users > 0);
	CU_ASSERT(slow > 0);
	globfree(&g);
}

/* A study's worker keeps one record for all its runs, cleared between
 * them (eng_record_clear()): a run into a record that held a longer run
 * (a good canary's half hour, then a bad one rolled back in a minute) is
 * the run into a fresh record, window for window and event for event. */
static void test_cleared_record(void)
{
	struct scn_scenario *good, *bad;
	struct scn_diag d;
	struct eng_record reused, fresh;

	scn_diag_init(&d);
	CU_ASSERT_EQUAL_FATAL(scn_load_file("scenarios/canary-good.json", &d, &good), SCN_OK);
	CU_ASSERT_EQUAL_FATAL(scn_load_file("scenarios/canary-bad-errors.json", &d, &bad), SCN_OK);
	scn_diag_free(&d);
	eng_record_init(&reused);
	eng_record_init(&fresh);
	CU_ASSERT_EQUAL_FATAL(scn_simulate(good, 3, SCN_FIDELITY_WINDOW, &reused), ENG_OK);
	size_t longer = reused.nwindows;

	eng_record_clear(&reused);
	CU_ASSERT_EQUAL_FATAL(scn_simulate(bad, 4, SCN_FIDELITY_WINDOW, &reused), ENG_OK);
	CU_ASSERT_EQUAL_FATAL(scn_simulate(bad, 4, SCN_FIDELITY_WINDOW, &fresh), ENG_OK);
	CU_ASSERT(longer > fresh.nwindows);
	CU_ASSERT_EQUAL_FATAL(reused.nwindows, fresh.nwindows);
	CU_ASSERT(memcmp(reused.windows, fresh.windows,
			 fresh.nwindows * sizeof(*fresh.windows)) == 0);
	assert_same_events(&reused, &fresh);
	CU_ASSERT(reused.outcome == fresh.outcome && reused.decision_ns == fresh.decision_ns &&
		  reused.start_ns == fresh.start_ns && reused.end_ns == fresh.end_ns &&
		  reused.first_traffic_ns == fresh.first_traffic_ns &&
		  reused.weight_zero_ns == fresh.weight_zero_ns &&
		  reused.final_weight_pct == fresh.final_weight_pct && reused.told == fresh.told);
	eng_record_free(&reused);
	eng_record_free(&fresh);
	scn_free(good);
	scn_free(bad);
}

/* A runner renews one rollout for all its runs (eng_rollout_renew()):
 * after runs of other seeds, a run is the one a fresh runner makes, at
 * both levels, for rollouts with budgets, flags, triggers, smoke tests and
 * an operator's retry. */
static void test_renewed_rollout(void)
{
	static const char *const files[] = {
		"scenarios/budget-latency-burn.json", "scenarios/flags-one-bad.json",
		"scenarios/canary-error-spike.json", "scenarios/canary-smoke-failed.json",
		"scenarios/canary-abort-retry.json", "scenarios/bluegreen-canary.json",
	};

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct scn_scenario *sc;
		struct scn_diag d;

		scn_diag_init(&d);
		CU_ASSERT_EQUAL_FATAL(scn_load_file(files[f], &d, &sc), SCN_OK);
		scn_diag_free(&d);
		CU_ASSERT_EQUAL_FATAL(scn_prepare_window(sc), SCN_OK);
		for (int level = 0; level < 2; level++) {
			enum scn_fidelity fl = level ? SCN_FIDELITY_WINDOW : SCN_FIDELITY_REQUEST;
			struct scn_runner *r = scn_runner_create(sc, fl, SCN_DETAIL_FULL);
			struct eng_record renewed, fresh;

			CU_ASSERT_PTR_NOT_NULL_FATAL(r);
			eng_record_init(&renewed);
			eng_record_init(&fresh);
			for (uint64_t seed = 1; seed <= 3; seed++) {
				eng_record_clear(&renewed);
				CU_ASSERT_EQUAL_FATAL(scn_runner_run(r, seed, &renewed), ENG_OK);
			}
			CU_ASSERT_EQUAL_FATAL(scn_simulate(sc, 3, fl, &fresh), ENG_OK);
			CU_ASSERT_EQUAL_FATAL(renewed.nwindows, fresh.nwindows);
			CU_ASSERT(memcmp(renewed.windows, fresh.windows,
					 fresh.nwindows * sizeof(*fresh.windows)) == 0);
			assert_same_events(&renewed, &fresh);
			CU_ASSERT(renewed.outcome == fresh.outcome &&
				  renewed.decision_ns == fresh.decision_ns);
			eng_record_free(&renewed);
			eng_record_free(&fresh);
			scn_runner_free(r);
		}
		scn_free(sc);
	}
}

int t_suite_fidelity(void)
{
	static const struct t_case cases[] = {
		{ "canary-good: levels agree", test_good },
		{ "canary-bad-errors: levels agree", test_bad },
		{ "borderline canary: levels agree", test_borderline },
		{ "a study's lean windows decide as the full ones", test_study_detail },
		{ "a cleared record runs as a fresh one", test_cleared_record },
		{ "a renewed rollout runs as a new one", test_renewed_rollout },
		{ NULL, NULL }
	};

	return t_add_suite("fidelity", cases);
}
