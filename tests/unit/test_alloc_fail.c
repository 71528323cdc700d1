/* Fault paths: make the Nth allocation fail, for N = 1, 2, ... until a run
 * sees no failure, and check every time that the outcome is clean: an
 * out-of-memory status (never a crash or a half-made object), and nothing
 * leaked (the sanitizer build's leak checker sees to that). */
#include <stdlib.h>
#include <unistd.h>

#include "engine/record.h"
#include "reports/run_report.h"
#include "scenario/simulate.h"
#include "tools/failalloc/failalloc.h"
#include "tests/unit/helpers.h"

/* Loads and simulates the scenario, and writes its files; returns 0 on
 * success, 1 on a clean out-of-memory failure, -1 on anything else. */
static int load_and_run(const char *path, const char *dir)
{
	struct scn_scenario *sc = NULL;
	struct scn_diag d;
	struct eng_record rec;
	struct rpt_run_meta meta;
	struct rpt_summary sum;
	enum scn_status sst;
	enum eng_status est;
	enum rpt_status rst;
	char err[512];
	int rc = -1;

	scn_diag_init(&d);
	sst = scn_load_file(path, &d, &sc);
	if (sst != SCN_OK) {
		rc = sst == SCN_ENOMEM ? 1 : -1;
		if (rc < 0)
			fprintf(stderr, "\n  load: %s (%s)\n", scn_strerror(sst),
				d.count ? d.lines[0] : "");
		goto out;
	}
	eng_record_init(&rec);
	scn_run_meta(sc, 3, &meta);
	est = scn_simulate(sc, 3, SCN_FIDELITY_REQUEST, &rec);
	if (est != ENG_OK) {
		rc = est == ENG_ENOMEM ? 1 : -1;
		goto out_record;
	}
	rpt_summarize(&rec, &meta, &sum);
	rst = rpt_write_run(dir, &rec, &meta, &sum, err, sizeof(err));
	rc = rst == RPT_OK ? 0 : 1;
out_record:
	eng_record_free(&rec);
out:
	scn_free(sc);
	scn_diag_free(&d);
	return rc;
}

static void test_every_allocation_failure_is_clean(void)
{
	char dir[] = "/tmp/rollsim-oom-XXXXXX";
	size_t n, clean = 0, unclean = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	for (n = 1; n < 100000; n++) {
		int rc;

		failalloc_at(n);
		rc = load_and_run("scenarios/canary-bad-errors.json", dir);
		int hit = failalloc_failed();

		failalloc_at(0);
		if (!hit) {
			T_ASSERT_EQ_INT(rc, 0); /* no failure injected: success */
			break;
		}
		if (rc == 1)
			clean++;
		else
			unclean++;
		if (rc != 1)
			fprintf(stderr, "\n  allocation %zu failed: rc %d\n", n, rc);
	}
	T_ASSERT_EQ_INT(unclean, 0);
	CU_ASSERT(clean > 10); /* the run does allocate, and each was tried */
	CU_ASSERT(n < 100000);
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "%s/summary.json", dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/timeline.csv", dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/events.jsonl", dir);
	unlink(cmd);
	rmdir(dir);
}

int t_suite_alloc_fail(void)
{
	static const struct t_case cases[] = {
		{ "every allocation failure is clean", test_every_allocation_failure_is_clean },
		{ NULL, NULL }
	};

	return t_add_suite("alloc_fail", cases);
}
