/* Dependency calls per version and window, at both fidelity levels: every
 * request of a version calls the dependencies it lists, once, and a
 * dependency's calls fail at its rate. */
#include "sim/sim.h"
#include "sim/window_world.h"
#include "tests/unit/helpers.h"
#include "tests/unit/sim_fixtures.h"

#define WINDOWS 50

/* db (2% of calls fail) called by both versions; pay (5%) by the canary
 * alone; 200 requests/s, canary weight 30%. */
static struct sim_config deps_config(void)
{
	struct sim_config c = fx_sim_config(11, 200.0, 4, 8, 20.0);

	c.ndeps = 2;
	snprintf(c.deps[0].name, sizeof(c.deps[0].name), "db");
	c.deps[0].latency.kind = SIM_DIST_CONSTANT;
	c.deps[0].latency.value_ms = 2.0;
	c.deps[0].error_frac = 0.02;
	snprintf(c.deps[1].name, sizeof(c.deps[1].name), "pay");
	c.deps[1].latency.kind = SIM_DIST_CONSTANT;
	c.deps[1].latency.value_ms = 3.0;
	c.deps[1].error_frac = 0.05;
	c.version[ENG_STABLE].dependencies = 1u << 0;
	c.version[ENG_CANARY].dependencies = (1u << 0) | (1u << 1);
	return c;
}

struct totals {
	uint64_t requests[ENG_NVERSIONS];
	uint64_t calls[ENG_NVERSIONS][2], failures[ENG_NVERSIONS][2];
};

static void run(const struct eng_world *w, struct totals *t)
{
	struct eng_action act = { .kind = ENG_ACT_SET_WEIGHT, .weight_pct = 30.0 };

	memset(t, 0, sizeof(*t));
	CU_ASSERT_EQUAL_FATAL(eng_world_apply(w, &act), ENG_OK);
	for (int k = 1; k <= WINDOWS; k++) {
		struct eng_observation o;

		CU_ASSERT_EQUAL_FATAL(eng_world_wait_until(w, k * 10 * ENG_NS_PER_S), ENG_OK);
		CU_ASSERT_EQUAL_FATAL(eng_world_observe(w, &o), ENG_OK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(o.deps);
		T_ASSERT_EQ_INT(o.deps->n, 2);
		T_ASSERT_STR_EQ(o.deps->names[1], "pay");
		T_ASSERT_EQ_INT(o.deps->calls[ENG_STABLE][1], 0); /* never calls pay */
		for (int v = 0; v < ENG_NVERSIONS; v++) {
			t->requests[v] += o.version[v].requests;
			for (int d = 0; d < 2; d++) {
				t->calls[v][d] += o.deps->calls[v][d];
				t->failures[v][d] += o.deps->failures[v][d];
			}
		}
	}
}

/* Calls: one per request of a version that lists the dependency, within
 * `slack` over the run (the request level counts a call when service
 * starts and a request when it completes: the requests in flight at the
 * end differ, a handful at 200 requests/s x 25 ms). Failures: a binomial
 * share of the calls at the dependency's rate, within 4 sd. */
static void check(const struct totals *t, uint64_t slack)
{
	for (int v = 0; v < ENG_NVERSIONS; v++) {
		CU_ASSERT(t->calls[v][0] + slack >= t->requests[v] &&
			  t->calls[v][0] <= t->requests[v] + slack);
		for (int d = 0; d < 2; d++) {
			double n = (double)t->calls[v][d], e = d == 0 ? 0.02 : 0.05;

			if (n == 0)
				continue;
			T_ASSERT_NEAR((double)t->failures[v][d] / n, e, 4 * sqrt(e * (1 - e) / n));
		}
	}
	CU_ASSERT(t->calls[ENG_CANARY][1] + slack >= t->requests[ENG_CANARY] &&
		  t->calls[ENG_CANARY][1] <= t->requests[ENG_CANARY] + slack);
	CU_ASSERT(t->requests[ENG_CANARY] > 25000); /* 200 x 0.3 x 500 s = 30,000 */
}

static void test_request_level(void)
{
	struct sim_config c = deps_config();
	struct sim *s = sim_create(&c);
	struct eng_world w = { &sim_world_ops, s };
	struct totals t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	run(&w, &t);
	check(&t, 20);
	sim_free(s);
}

static void test_window_level(void)
{
	struct sim_config c = deps_config();
	struct sim_wworld *ww = sim_wworld_create(&c, NULL);
	struct eng_world w = { &sim_window_world_ops, ww };
	struct totals t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ww);
	run(&w, &t);
	check(&t, 0);
	sim_wworld_free(ww);
}

int t_suite_dependency_calls(void)
{
	static const struct t_case cases[] = {
		{ "request level: calls and their failures", test_request_level },
		{ "window level: calls and their failures", test_window_level },
		{ NULL, NULL }
	};

	return t_add_suite("dependency_calls", cases);
}
