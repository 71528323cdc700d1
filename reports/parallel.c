/* Independent tasks spread over threads: see reports/parallel.h. */
#include <pthread.h>
#include <stdatomic.h>

#include "reports/parallel.h"

#define MAX_THREADS 64

struct pool {
	size_t n;
	atomic_size_t next;       /* the next task to take */
	rpt_task_fn task;
	void *ctx;
};

static void *take_tasks(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);

		if (i >= p->n)
			return NULL;
		p->task(i, p->ctx);
	}
}

void rpt_parallel(size_t n, unsigned threads, rpt_task_fn task, void *ctx)
{
	struct pool p = { .n = n, .task = task, .ctx = ctx };
	pthread_t tid[MAX_THREADS - 1];
	unsigned started = 0;

	atomic_init(&p.next, 0);
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	/* the caller's thread is one of them: start threads - 1 more, never
	 * more than there are tasks for */
	while (started + 1 < threads && started + 1 < n &&
	       pthread_create(&tid[started], NULL, take_tasks, &p) == 0)
		started++;
	take_tasks(&p);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}
