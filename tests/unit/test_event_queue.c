/* sim/event_queue: order by time, ties in insertion order, against a
 * reference stable sort. */
#include <stdlib.h>

#include "sim/event_queue.h"
#include "tests/unit/helpers.h"

static void test_orders_by_time(void)
{
	struct sim_event_queue *q = sim_event_queue_create();
	const int64_t times[] = { 50, 10, 40, 20, 30 };
	struct sim_event ev = { 0 }, out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	for (size_t i = 0; i < 5; i++) {
		ev.t_ns = times[i];
		ev.arg = (uint32_t)i;
		CU_ASSERT(sim_event_queue_push(q, &ev));
	}
	T_ASSERT_EQ_INT(sim_event_queue_size(q), 5);
	T_ASSERT_EQ_INT(sim_event_queue_peek(q)->t_ns, 10);
	for (int64_t want = 10; want <= 50; want += 10) {
		CU_ASSERT_FATAL(sim_event_queue_pop(q, &out));
		T_ASSERT_EQ_INT(out.t_ns, want);
	}
	CU_ASSERT_FALSE(sim_event_queue_pop(q, &out));
	CU_ASSERT_PTR_NULL(sim_event_queue_peek(q));
	sim_event_queue_free(q);
}

static void test_ties_in_insertion_order(void)
{
	struct sim_event_queue *q = sim_event_queue_create();
	struct sim_event ev = { 0 }, out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	/* 100 events at one instant, pushed after a later and an earlier one. */
	ev.t_ns = 7;
	ev.arg = 1000;
	sim_event_queue_push(q, &ev);
	ev.t_ns = 3;
	ev.arg = 2000;
	sim_event_queue_push(q, &ev);
	for (uint32_t i = 0; i < 100; i++) {
		ev.t_ns = 5;
		ev.arg = i;
		sim_event_queue_push(q, &ev);
	}
	sim_event_queue_pop(q, &out);
	T_ASSERT_EQ_INT(out.arg, 2000);
	for (uint32_t i = 0; i < 100; i++) {
		sim_event_queue_pop(q, &out);
		T_ASSERT_EQ_INT(out.t_ns, 5);
		T_ASSERT_EQ_INT(out.arg, i);
	}
	sim_event_queue_pop(q, &out);
	T_ASSERT_EQ_INT(out.arg, 1000);
	sim_event_queue_free(q);
}

struct ref {
	int64_t t;
	uint32_t id;
};

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Random pushes and pops (few distinct times, so many ties) must pop in
 * exactly the order of a stable sort by time of what was pushed. */
static void test_matches_reference_sort(void)
{
	enum { N = 20000 };
	struct sim_event_queue *q = sim_event_queue_create();
	struct ref *pending = malloc(N * sizeof(*pending));
	size_t npending = 0, mismatches = 0;
	uint32_t next_id = 0;
	uint64_t x = 12345;
	int64_t now = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pending);
	while (next_id < N || npending > 0) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		if (next_id < N && ((x >> 33) % 3 != 0 || npending == 0)) {
			struct sim_event ev = { 0 };

			/* never schedule into the past, as the simulator doesn't */
			ev.t_ns = now + (int64_t)((x >> 40) % 8);
			ev.arg = next_id;
			sim_event_queue_push(q, &ev);
			/* keep pending sorted: after every element <= (t, id) */
			struct ref r = { ev.t_ns, next_id++ };
			size_t at = npending;

			while (at > 0 && ref_cmp(&pending[at - 1], &r) > 0)
				at--;
			memmove(pending + at + 1, pending + at,
				(npending - at) * sizeof(*pending));
			pending[at] = r;
			npending++;
		} else {
			struct sim_event out;

			sim_event_queue_pop(q, &out);
			if (out.t_ns != pending[0].t || out.arg != pending[0].id)
				mismatches++;
			now = out.t_ns;
			memmove(pending, pending + 1, (npending - 1) * sizeof(*pending));
			npending--;
		}
	}
	T_ASSERT_EQ_INT(mismatches, 0);
	T_ASSERT_EQ_INT(sim_event_queue_size(q), 0);
	free(pending);
	sim_event_queue_free(q);
}

int t_suite_event_queue(void)
{
	static const struct t_case cases[] = {
		{ "orders by time", test_orders_by_time },
		{ "ties run in insertion order", test_ties_in_insertion_order },
		{ "matches a stable reference sort", test_matches_reference_sort },
		{ NULL, NULL }
	};

	return t_add_suite("event_queue", cases);
}
