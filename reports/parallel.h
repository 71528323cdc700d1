/* Independent tasks spread over threads, for the parts of a report that
 * are many separate computations (bootstrap intervals, gnuplot runs).
 * Each task writes only what is its own (slot i of an array), so what the
 * tasks leave does not depend on the threads nor on their order. No I/O,
 * no status of its own. */
#ifndef RPT_PARALLEL_H
#define RPT_PARALLEL_H

#include <stddef.h>

/* The task: does task i of ctx. */
typedef void (*rpt_task_fn)(size_t i, void *ctx);

/* Runs task(i, ctx) once for each i in 0..n-1, on up to `threads`
 * threads (the caller's among them; 0 counts as 1, more than 64 as 64),
 * and returns when all have run. Threads take the tasks in increasing i
 * (each takes the next number not yet taken), so no task waits for one
 * after it; two may still begin in either order. A thread that cannot be
 * started leaves its share to the others, down to the caller's thread
 * alone. Borrows ctx. */
void rpt_parallel(size_t n, unsigned threads, rpt_task_fn task, void *ctx);

#endif
