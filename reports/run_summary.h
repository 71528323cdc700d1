/* The figures of one run, computed from its record alone: outcome against
 * ground truth, time to detect, time to recovery, failed requests and
 * duration. Definitions are those of docs/metrics.md; no simulator
 * internals are consulted. */
#ifndef RPT_RUN_SUMMARY_H
#define RPT_RUN_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/metrics.h"
#include "engine/record.h"
#include "engine/rollout.h"

/* What the reports need to know about a run besides its record. */
struct rpt_run_meta {
	const char *scenario;     /* borrowed */
	uint64_t seed;
	bool canary_bad;          /* ground truth */
	struct eng_slo slo;       /* recovery is judged against it */
	bool has_expect;
	enum eng_outcome expect_outcome;
	/* Bounds the scenario expects on the time to detect and the time to
	 * recover, s (a missing min is 0, a missing max infinite); bounds
	 * need the time to exist. */
	bool expect_ttd, expect_ttr;
	double expect_ttd_min_s, expect_ttd_max_s;
	double expect_ttr_min_s, expect_ttr_max_s;
	const char *fidelity;     /* "request" or "window"; borrowed, NULL: not stated */
	bool flag_bad[ENG_MAX_FLAGS]; /* the flags strategy: ground truth per
					 flag, in the rollout's order */
	int64_t bad_from_ns;      /* the canary is bad from then on (a fault's
				     start), ns; 0: from the start */
	bool replay;              /* a replay of recorded metrics: nothing was
				     drawn (seed null), and origin_s holds */
	double origin_s;          /* a replay: the recording's time at the run's 0, s */
	bool truth_unknown;       /* ground truth not known (canary_bad null) */
};

/* One feature flag's result. Its time to detect is its rollback decision
 * minus the moment it first went above 0%, for a bad flag rolled back. */
struct rpt_flag_summary {
	const char *name;         /* borrowed from the record */
	double final_pct;         /* enabled share at the end, 0..100 */
	enum eng_outcome outcome;
	double decision_s;        /* promoted or rolled back, s; NaN if never */
	double onset_s;           /* first above 0%, s; NaN if never */
	bool bad;                 /* ground truth */
	bool has_ttd;
	double ttd_s;             /* decision minus onset, s */
};

struct rpt_summary {
	enum eng_outcome outcome;
	bool canary_bad;
	bool has_ttd;
	double ttd_s;             /* decision minus onset of badness, s */
	bool has_ttr;
	double ttr_s;             /* recovery minus onset of badness, s */
	double onset_s;           /* the bad canary first took traffic, s; NaN if never */
	double decision_s;        /* the final decision, s since start; NaN if none */
	double duration_s;        /* deployment start to final decision, s */
	uint64_t requests;        /* completed over the whole record */
	uint64_t failed_requests; /* of which failed, both versions */
	uint64_t canary_requests; /* served by the canary */
	uint64_t canary_failed_requests; /* failed on the canary */
	uint64_t mirrored_requests; /* copies mirrored to the canary: not
				       user-facing, in none of the counts above */
	double final_weight_pct;  /* canary weight at the end, 0..100 */
	uint32_t checks_passed, checks_failed, checks_inconclusive;
	struct rpt_flag_summary flags[ENG_MAX_FLAGS]; /* the flags strategy's */
	size_t nflags;
};

/* Fills out from rec (borrowed) and meta (borrowed); out borrows rec's
 * flag names. For the flags strategy the onset is the first moment a bad
 * flag went above 0%, the time to detect that of the first bad flag
 * rolled back, and recovery counts once every bad flag is back at 0%. */
void rpt_summarize(const struct eng_record *rec, const struct rpt_run_meta *meta,
		   struct rpt_summary *out);

/* True when the run's outcome is the one the scenario expects (or it
 * expects none). */
bool rpt_expectation_met(const struct rpt_summary *sum,
			 const struct rpt_run_meta *meta);

#endif
