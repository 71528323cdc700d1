#include <stdlib.h>

#include "sim/event_queue.h"

struct sim_event_queue {
	struct sim_event *heap;   /* owned; heap[0] is the earliest */
	size_t n;
	size_t cap;
	uint64_t next_seq;
};

struct sim_event_queue *sim_event_queue_create(void)
{
	return calloc(1, sizeof(struct sim_event_queue));
}

void sim_event_queue_free(struct sim_event_queue *q)
{
	if (q == NULL)
		return;
	free(q->heap);
	free(q);
}

static bool before(const struct sim_event *a, const struct sim_event *b)
{
	if (a->t_ns != b->t_ns)
		return a->t_ns < b->t_ns;
	return a->seq < b->seq;
}

bool sim_event_queue_push(struct sim_event_queue *q, const struct sim_event *ev)
{
	size_t i;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;
		struct sim_event *p = realloc(q->heap, cap * sizeof(*p));

		if (p == NULL)
			return false;
		q->heap = p;
		q->cap = cap;
	}
	struct sim_event e = *ev;

	e.seq = q->next_seq++;
	for (i = q->n++; i > 0; ) {
		size_t parent = (i - 1) / 2;

		if (!before(&e, &q->heap[parent]))
			break;
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = e;
	return true;
}

bool sim_event_queue_pop(struct sim_event_queue *q, struct sim_event *out)
{
	size_t i = 0;

	if (q->n == 0)
		return false;
	*out = q->heap[0];
	struct sim_event last = q->heap[--q->n];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= q->n)
			break;
		if (c + 1 < q->n && before(&q->heap[c + 1], &q->heap[c]))
			c++;
		if (!before(&q->heap[c], &last))
			break;
		q->heap[i] = q->heap[c];
		i = c;
	}
	if (q->n > 0)
		q->heap[i] = last;
	return true;
}

const struct sim_event *sim_event_queue_peek(const struct sim_event_queue *q)
{
	return q->n ? &q->heap[0] : NULL;
}

size_t sim_event_queue_size(const struct sim_event_queue *q)
{
	return q->n;
}
