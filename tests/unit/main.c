/* The unit-test runner: every CUnit suite, in one binary. Pass suite names
 * as arguments to run only those. Exit status 0 only when every test ran and
 * passed. */
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <gsl/gsl_errno.h>

#include "tests/unit/helpers.h"

int t_add_suite(const char *name, const struct t_case *cases)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	if (s == NULL)
		return 0;
	for (size_t i = 0; cases[i].name != NULL; i++)
		if (CU_add_test(s, cases[i].name, cases[i].fn) == NULL)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	static int (*const suites[])(void) = {
		t_suite_event_queue, t_suite_rng, t_suite_histogram,
		t_suite_sim, t_suite_sim_model, t_suite_analysis, t_suite_rollout,
		t_suite_run, t_suite_run_summary, t_suite_scenario,
		t_suite_determinism,
		t_suite_alloc_fail, t_suite_fidelity, t_suite_crn, t_suite_trigger,
		t_suite_gate, t_suite_state, t_suite_budget, t_suite_judges,
		t_suite_variates, t_suite_latency_bins, t_suite_bluegreen,
		t_suite_window_world, t_suite_operator, t_suite_dependency_calls,
		t_suite_flags, t_suite_sim_flags, t_suite_faults, t_suite_replay,
		t_suite_stats, t_suite_parallel, t_suite_study, t_suite_plots, t_suite_sweep, t_suite_sweep_report,
		t_suite_haproxy_stat,
		t_suite_prom_query, t_suite_live_parts, t_suite_check,
	};
	unsigned failures;
	int ok = 1;

	gsl_set_error_handler_off();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		ok &= suites[i]();
	if (!ok) {
		fprintf(stderr, "run_tests: cannot register the suites: %s\n",
			CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			CU_pSuite s = CU_get_suite(argv[i]);

			if (s == NULL) {
				fprintf(stderr, "run_tests: no suite named '%s'\n", argv[i]);
				CU_cleanup_registry();
				return 2;
			}
			CU_basic_run_suite(s);
		}
	} else {
		CU_basic_run_tests();
	}
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	failures += CU_get_run_summary()->nSuitesFailed;
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}
