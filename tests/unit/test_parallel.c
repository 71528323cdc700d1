/* reports/parallel: every task runs exactly once, whatever the threads
 * (none, fewer than the tasks, more than the tasks, more than 64). */
#include <stdatomic.h>
#include <stdlib.h>

#include "reports/parallel.h"
#include "tests/unit/helpers.h"

struct slots {
	atomic_int *runs;         /* times task i ran */
	double *value;            /* what task i left: i x i */
};

static void square(size_t i, void *ctx)
{
	struct slots *s = ctx;

	atomic_fetch_add(&s->runs[i], 1);
	s->value[i] = (double)i * (double)i;
}

static void test_each_task_once(void)
{
	static const struct { size_t n; unsigned threads; } c[] = {
		{ 0, 1 }, { 0, 4 }, { 1, 0 }, { 1, 4 }, { 5, 1 }, { 1000, 2 }, { 1000, 7 },
		{ 3, 64 }, { 200, 500 },
	};

	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		size_t n = c[k].n;
		struct slots s = { calloc(n + 1, sizeof(*s.runs)), calloc(n + 1, sizeof(*s.value)) };
		size_t wrong = 0;

		CU_ASSERT_FATAL(s.runs != NULL && s.value != NULL);
		for (size_t i = 0; i <= n; i++)
			atomic_init(&s.runs[i], 0);
		rpt_parallel(n, c[k].threads, square, &s);
		for (size_t i = 0; i < n; i++)
			wrong += atomic_load(&s.runs[i]) != 1 || s.value[i] != (double)i * (double)i;
		T_ASSERT_EQ_INT(wrong, 0);
		T_ASSERT_EQ_INT(atomic_load(&s.runs[n]), 0); /* none past the end */
		free(s.runs);
		free(s.value);
	}
}

int t_suite_parallel(void)
{
	static const struct t_case cases[] = {
		{ "every task once, any threads", test_each_task_once },
		{ NULL, NULL }
	};

	return t_add_suite("parallel", cases);
}
