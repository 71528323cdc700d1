/* A Monte Carlo study's files: runs.csv (one row per run) and summary.json
 * (the confusion matrix with Wilson intervals; time to detect, time to
 * recovery and duration with bootstrap intervals; blast radius and error
 * budget consumed; per scenario and overall). Formats in docs/outputs.md.
 * Computed from the runs' summaries alone. */
#ifndef RPT_STUDY_H
#define RPT_STUDY_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "engine/record.h"
#include "reports/run_report.h"
#include "reports/run_summary.h"

/* One scenario of the study and its share of the runs. */
struct rpt_study_entry {
	const char *name;         /* borrowed */
	double weight;            /* > 0, as the mix gives it */
	double availability_frac; /* its SLO, for the budget consumed */
};

/* One run: which entry, its seed, and its summary (flags not kept). */
struct rpt_study_run {
	uint32_t entry;
	uint64_t seed;
	struct rpt_summary sum;
};

/* The canary weight of one run per window, for the fan chart. */
#define RPT_TRACK_MAX 720         /* windows kept of a run: 2 h of 10 s windows */
struct rpt_weight_track {
	double window_s;          /* length of its windows, s */
	uint32_t n;               /* windows kept */
	float weight_pct[RPT_TRACK_MAX]; /* at each window's end, 0..100 */
};

struct rpt_study {
	const char *name;         /* the study (mix or scenario), borrowed */
	uint64_t seed;            /* the study seed: run i has seed + i */
	const char *fidelity;     /* "request" or "window" */
	const struct rpt_study_entry *entries; /* borrowed, nentries */
	size_t nentries;
	const struct rpt_study_run *runs; /* borrowed, nruns, in run order */
	size_t nruns;
	unsigned bootstrap;       /* resamples per bootstrap interval */
	unsigned threads;         /* for the intervals and the plots; 0, 1: the
				   * caller's alone; the files do not depend on it */
	/* For the plots, both optional: the canary weights of the first
	 * ntracks runs (the fan chart), and one run's record with a title
	 * (its timeline). */
	const struct rpt_weight_track *tracks; /* borrowed, ntracks; NULL: none */
	size_t ntracks;
	const struct eng_record *example; /* borrowed; NULL: none */
	const char *example_title;        /* borrowed */
};

/* How a run counts against its ground truth. */
struct rpt_confusion {
	uint64_t runs;
	uint64_t true_rollbacks;      /* bad, rolled back */
	uint64_t false_rollbacks;     /* good, rolled back */
	uint64_t missed;              /* bad, promoted */
	uint64_t correct_promotions;  /* good, promoted */
	uint64_t blocked;             /* a gate refused it, good or bad */
	uint64_t other;               /* timed out, or still running at the end */
};

/* Adds sum's run to c. */
void rpt_confusion_add(struct rpt_confusion *c, const struct rpt_summary *sum);

/* The run's failed requests over what its SLO allows of its requests
 * ((1 - availability) x requests): 1 burns the budget at exactly the
 * allowed rate; NaN without requests or without an error budget. */
double rpt_budget_consumed(const struct rpt_summary *sum, double availability_frac);

/* Returns an owned JSON object of the study's summary, free with
 * cJSON_Delete(); NULL when out of memory. */
cJSON *rpt_study_json(const struct rpt_study *st);

/* Writes runs.csv (from st) and summary.json (summary, rpt_study_json's
 * object of the same st) into dir (created when needed). Borrows st and
 * summary. On RPT_EIO, err (of size errlen) says which file and why. */
enum rpt_status rpt_write_study(const char *dir, const struct rpt_study *st,
				const cJSON *summary, char *err, size_t errlen);

#endif
