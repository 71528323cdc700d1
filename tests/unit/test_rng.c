/* sim/rng: streams are distinct, reproducible and independent. */
#include <stdlib.h>

#include <gsl/gsl_statistics_double.h>

#include "sim/rng.h"
#include "tests/unit/helpers.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* 1,000 run seeds x every stream: no two streams of one run share a
 * 32-bit generator seed (they would be the same sequence), and no stream
 * has the same seed in two runs (two runs would share that purpose's
 * draws). A coincidence across both runs and purposes (run 557's arrivals
 * and run 672's flags) is harmless: no run draws both. By the birthday
 * bound the chance of any collision among one run's 18 values is 4e-8,
 * and among one stream's 1,000 values 1.2e-4; the set is fixed, so this
 * either always passes or always fails. */
static uint64_t seed_dups(uint64_t *seeds, size_t n)
{
	uint64_t dup = 0;

	qsort(seeds, n, sizeof(*seeds), cmp_u64);
	for (size_t i = 1; i < n; i++)
		dup += seeds[i] == seeds[i - 1];
	return dup;
}

static void test_stream_seeds_distinct(void)
{
	enum { RUNS = 1000 };
	uint64_t one_run[SIM_NSTREAMS], *one_stream = malloc(RUNS * sizeof(*one_stream));

	CU_ASSERT_PTR_NOT_NULL_FATAL(one_stream);
	for (uint64_t r = 0; r < RUNS; r++) {
		for (uint32_t s = 0; s < SIM_NSTREAMS; s++)
			one_run[s] = sim_stream_seed(r, s) & UINT64_C(0xffffffff);
		T_ASSERT_EQ_INT(seed_dups(one_run, SIM_NSTREAMS), 0);
	}
	for (uint32_t s = 0; s < SIM_NSTREAMS; s++) {
		for (uint64_t r = 0; r < RUNS; r++)
			one_stream[r] = sim_stream_seed(r, s) & UINT64_C(0xffffffff);
		T_ASSERT_EQ_INT(seed_dups(one_stream, RUNS), 0);
	}
	free(one_stream);
}

static void test_reproducible(void)
{
	gsl_rng *a = sim_rng_create(42, SIM_STREAM_ARRIVALS);
	gsl_rng *b = sim_rng_create(42, SIM_STREAM_ARRIVALS);
	size_t diff = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	for (int i = 0; i < 1000; i++)
		diff += gsl_rng_get(a) != gsl_rng_get(b);
	T_ASSERT_EQ_INT(diff, 0);
	gsl_rng_free(a);
	gsl_rng_free(b);
}

/* Drawing from one stream never shifts another: the arrivals stream gives
 * the same sequence whether or not routing draws are interleaved. */
static void test_draws_do_not_shift_other_streams(void)
{
	gsl_rng *alone = sim_rng_create(7, SIM_STREAM_ARRIVALS);
	gsl_rng *mixed = sim_rng_create(7, SIM_STREAM_ARRIVALS);
	gsl_rng *routing = sim_rng_create(7, SIM_STREAM_ROUTING);
	size_t diff = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(alone);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mixed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(routing);
	for (int i = 0; i < 1000; i++) {
		for (int k = 0; k < i % 3; k++)
			(void)gsl_rng_uniform(routing);
		diff += gsl_rng_uniform(alone) != gsl_rng_uniform(mixed);
	}
	T_ASSERT_EQ_INT(diff, 0);
	gsl_rng_free(alone);
	gsl_rng_free(mixed);
	gsl_rng_free(routing);
}

/* Every pair of streams of one run is uncorrelated: for n independent
 * uniforms the sample correlation is about N(0, 1/n), so |r| < 4/sqrt(n)
 * (four standard errors). */
static void test_streams_uncorrelated(void)
{
	enum { N = 100000 };
	double *x[SIM_NSTREAMS];
	double bound = 4.0 / sqrt((double)N);

	for (uint32_t s = 0; s < SIM_NSTREAMS; s++) {
		gsl_rng *r = sim_rng_create(2026, s);

		x[s] = malloc(N * sizeof(double));
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(x[s]);
		for (int i = 0; i < N; i++)
			x[s][i] = gsl_rng_uniform(r);
		gsl_rng_free(r);
	}
	for (uint32_t a = 0; a < SIM_NSTREAMS; a++)
		for (uint32_t b = a + 1; b < SIM_NSTREAMS; b++)
			T_ASSERT_NEAR(gsl_stats_correlation(x[a], 1, x[b], 1, N),
				      0.0, bound);
	for (uint32_t s = 0; s < SIM_NSTREAMS; s++)
		free(x[s]);
}

int t_suite_rng(void)
{
	static const struct t_case cases[] = {
		{ "stream seeds are distinct", test_stream_seeds_distinct },
		{ "a stream is reproducible", test_reproducible },
		{ "draws do not shift other streams", test_draws_do_not_shift_other_streams },
		{ "streams are uncorrelated", test_streams_uncorrelated },
		{ NULL, NULL }
	};

	return t_add_suite("rng", cases);
}
