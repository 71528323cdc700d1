/* Request-level and window-level fidelity agree on unsaturated scenarios:
 * over many seeds, the rollback rate, the time to detect and the canary's
 * error rate are the same within their confidence intervals. */
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

int t_suite_fidelity(void)
{
	static const struct t_case cases[] = {
		{ "canary-good: levels agree", test_good },
		{ "canary-bad-errors: levels agree", test_bad },
		{ "borderline canary: levels agree", test_borderline },
		{ NULL, NULL }
	};

	return t_add_suite("fidelity", cases);
}
