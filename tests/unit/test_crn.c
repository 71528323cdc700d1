/* Common random numbers through the whole loop: two runs of one scenario
 * and seed that differ only in an analysis threshold (so one rolls back and
 * the other does not) see identical arrival times for every request, and
 * identical latencies for every request both sent to the same version. */
#include <stdlib.h>

#include "engine/run.h"
#include "scenario/scenario.h"
#include "sim/sim.h"
#include "tests/unit/helpers.h"

#define MAX_REQ 400000

struct trace {
	int64_t arrival_ns[MAX_REQ];
	double latency_ms[MAX_REQ];
	signed char version[MAX_REQ]; /* -1: no response seen */
	uint64_t n;
};

static void sink(void *ctx, const struct sim_response *r)
{
	struct trace *t = ctx;

	if (r->id >= MAX_REQ)
		return;
	t->arrival_ns[r->id] = r->arrival_ns;
	t->latency_ms[r->id] = r->latency_ms;
	t->version[r->id] = (signed char)r->version;
	if (r->id + 1 > t->n)
		t->n = r->id + 1;
}

/* Runs sc with the error-rate limit set to max_error, recording every
 * response into t; returns the outcome. */
static enum eng_outcome run(struct scn_scenario *sc, double max_error, struct trace *t)
{
	struct eng_run_opts opts = { .window_ns = sc->sim.window_ns, .observe_after_ns = sc->observe_after_ns };
	struct sim_config cfg = sc->sim;
	struct eng_check *c = (struct eng_check *)&sc->rollout.analysis.checks[0];
	struct eng_record rec;
	struct eng_rollout *ro;
	struct sim *s;
	enum eng_outcome out;

	memset(t->version, -1, sizeof(t->version));
	t->n = 0;
	c->max = max_error;
	cfg.seed = 11;
	s = sim_create(&cfg);
	ro = eng_rollout_create(&sc->rollout);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ro);
	sim_set_response_sink(s, sink, t);
	struct eng_world world = { &sim_world_ops, s };

	eng_record_init(&rec);
	CU_ASSERT_EQUAL_FATAL(eng_run(ro, &world, &opts, &rec), ENG_OK);
	out = rec.outcome;
	eng_record_free(&rec);
	eng_rollout_free(ro);
	sim_free(s);
	return out;
}

static void test_threshold_changes_nothing_drawn(void)
{
	static struct trace a, b;
	struct scn_scenario *sc;
	struct scn_diag d;
	uint64_t both = 0, same_version = 0, differ = 0, lat_diff = 0, canary_b = 0;

	scn_diag_init(&d);
	CU_ASSERT_EQUAL_FATAL(scn_load_file("scenarios/canary-bad-errors.json", &d, &sc),
			      SCN_OK);
	CU_ASSERT_EQUAL_FATAL(sc->rollout.analysis.checks[0].metric, ENG_METRIC_ERROR_RATE);
	/* enough slots that no request ever waits: latency = service time */
	for (int v = 0; v < ENG_NVERSIONS; v++)
		sc->sim.version[v].concurrency = 1000;
	T_ASSERT_EQ_INT(run(sc, 0.01, &a), ENG_OUTCOME_ROLLED_BACK); /* 2% > 1% */
	T_ASSERT_EQ_INT(run(sc, 0.50, &b), ENG_OUTCOME_PROMOTED);    /* never fails */
	for (uint64_t id = 0; id < a.n && id < b.n; id++) {
		if (a.version[id] < 0 || b.version[id] < 0)
			continue; /* in flight at the end of one run */
		both++;
		differ += a.arrival_ns[id] != b.arrival_ns[id];
		canary_b += b.version[id] == ENG_CANARY;
		if (a.version[id] != b.version[id])
			continue;
		same_version++;
		lat_diff += a.latency_ms[id] != b.latency_ms[id];
	}
	/* run a lasts 20 s + 60 s at 200 rps: about 16,000 requests */
	CU_ASSERT(both > 10000);
	T_ASSERT_EQ_INT(differ, 0);
	T_ASSERT_EQ_INT(lat_diff, 0);
	/* the runs did route differently: b kept the canary, a did not */
	CU_ASSERT(canary_b > 1000);
	CU_ASSERT(same_version < both);
	scn_free(sc);
	scn_diag_free(&d);
}

int t_suite_crn(void)
{
	static const struct t_case cases[] = {
		{ "a threshold changes nothing drawn", test_threshold_changes_nothing_drawn },
		{ NULL, NULL }
	};

	return t_add_suite("crn", cases);
}
