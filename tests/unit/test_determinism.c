/* Determinism: the same scenario and seed give byte-identical output files;
 * another seed gives other files. Runs the whole path: loader, simulator,
 * engine, reports. */
#include <stdlib.h>
#include <unistd.h>

#include "reports/run_report.h"
#include "scenario/simulate.h"
#include "tests/unit/helpers.h"

static const char *const outputs[] = { "summary.json", "timeline.csv", "events.jsonl" };

/* Runs `path` with seed into dir. */
static void run_into(const char *path, uint64_t seed, const char *dir)
{
	struct scn_scenario *sc;
	struct scn_diag d;
	struct eng_record rec;
	struct rpt_run_meta meta;
	struct rpt_summary sum;
	char err[512];

	scn_diag_init(&d);
	CU_ASSERT_EQUAL_FATAL(scn_load_file(path, &d, &sc), SCN_OK);
	scn_run_meta(sc, seed, &meta);
	eng_record_init(&rec);
	CU_ASSERT_EQUAL_FATAL(scn_simulate(sc, seed, SCN_FIDELITY_REQUEST, &rec), ENG_OK);
	rpt_summarize(&rec, &meta, &sum);
	T_ASSERT_EQ_INT(rpt_write_run(dir, &rec, &meta, &sum, err, sizeof(err)), RPT_OK);
	eng_record_free(&rec);
	scn_free(sc);
	scn_diag_free(&d);
}

static int same_file(const char *a, const char *b, const char *name)
{
	size_t na, nb;
	char *x = t_slurp(a, name, &na), *y = t_slurp(b, name, &nb);
	int same = x && y && na == nb && memcmp(x, y, na) == 0;

	free(x);
	free(y);
	return same;
}

static void remove_run(const char *dir)
{
	char path[1024];

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, outputs[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void check_scenario(const char *path)
{
	char base[] = "/tmp/rollsim-det-XXXXXX";
	char a[64], b[64], c[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(base));
	snprintf(a, sizeof(a), "%s/a", base);
	snprintf(b, sizeof(b), "%s/b", base);
	snprintf(c, sizeof(c), "%s/c", base);
	run_into(path, 17, a);
	run_into(path, 17, b);
	run_into(path, 18, c);
	for (size_t i = 0; i < 3; i++) {
		int same = same_file(a, b, outputs[i]);

		if (!same)
			fprintf(stderr, "\n  %s: %s differs between two runs\n", path, outputs[i]);
		CU_ASSERT(same);
	}
	CU_ASSERT_FALSE(same_file(a, c, "timeline.csv"));
	remove_run(a);
	remove_run(b);
	remove_run(c);
	rmdir(base);
}

static void test_bad_errors_identical(void)
{
	check_scenario("scenarios/canary-bad-errors.json");
}

static void test_good_identical(void)
{
	check_scenario("scenarios/canary-good.json");
}

int t_suite_determinism(void)
{
	static const struct t_case cases[] = {
		{ "canary-bad-errors: same seed, same bytes", test_bad_errors_identical },
		{ "canary-good: same seed, same bytes", test_good_identical },
		{ NULL, NULL }
	};

	return t_add_suite("determinism", cases);
}
