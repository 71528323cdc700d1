/* rollsim check's verdicts: a scenario's expectations judged on the
 * summaries of its runs (one run, or many seeds with the shares judged on
 * their Wilson 95% intervals and times on bootstrap intervals, so that a
 * lucky run cannot pass a bad policy), and the JUnit XML that CI systems
 * read. Pure but for the file it writes. Formats in docs/check.md. */
#ifndef RPT_CHECK_H
#define RPT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/rollout.h"
#include "reports/run_summary.h"

struct rpt_share_spec {
	bool set;
	double min, max;          /* 0..1 */
};

/* What a scenario expects. */
struct rpt_check_spec {
	enum eng_outcome outcome;
	bool ttd, ttr;            /* bounded, s */
	double ttd_min_s, ttd_max_s, ttr_min_s, ttr_max_s;
	uint32_t runs;            /* 0: one run, judged as it is */
	struct rpt_share_spec recall, false_rollback_rate, outcome_rate;
};

#define RPT_CHECK_MAX_REASONS 8
#define RPT_CHECK_REASON_MAX 320

struct rpt_check_result {
	bool passed;
	/* what was found for each expectation, failed ones first: "outcome
	 * rolled_back, expected promoted" or "recall 1 (95% 0.981..1) >= 0.95" */
	size_t nfailed;
	size_t n;
	char reasons[RPT_CHECK_MAX_REASONS][RPT_CHECK_REASON_MAX];
};

/* Judges spec on the n summaries (borrowed; n is 1 when spec->runs is 0,
 * else spec->runs). bootstrap resamples for the times' intervals, seeded
 * with seed. Returns 0, or -1 when out of memory. */
int rpt_check_judge(const struct rpt_check_spec *spec, const struct rpt_summary *sums,
		    size_t n, unsigned bootstrap, uint64_t seed, struct rpt_check_result *out);

/* One JUnit test case. */
struct rpt_junit_case {
	const char *name;         /* the scenario, borrowed */
	const char *file;         /* its file, borrowed */
	bool skipped;
	const char *skip_reason;  /* borrowed, when skipped */
	const struct rpt_check_result *result; /* borrowed, when not skipped */
};

/* Writes the cases as JUnit XML (testsuites > testsuite "rollsim check" >
 * testcase; failure elements carry the failed reasons as their message and
 * every reason as their text) to path, atomically. Returns 0, or -1 with
 * err (errlen bytes). */
int rpt_write_junit(const char *path, const struct rpt_junit_case *cases, size_t n,
		    char *err, size_t errlen);

#endif
