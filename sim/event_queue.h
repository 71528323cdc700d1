/* The simulator's future event list: a binary min-heap ordered by
 * (time, sequence number), so events at the same time run in the order they
 * were scheduled. Holds small fixed-size events by value; no callbacks. */
#ifndef SIM_EVENT_QUEUE_H
#define SIM_EVENT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_event {
	int64_t t_ns;             /* when it happens, ns since start */
	uint64_t seq;             /* assigned by the queue: insertion order */
	uint32_t kind;            /* what happens; meaning is the caller's */
	uint32_t arg;             /* e.g. an instance index */
	int64_t data;             /* e.g. a request's arrival time, ns */
	uint32_t flags;           /* e.g. whether the request fails */
};

struct sim_event_queue;

/* Returns an owned, empty queue, free with sim_event_queue_free(); NULL when
 * out of memory. */
struct sim_event_queue *sim_event_queue_create(void);
void sim_event_queue_free(struct sim_event_queue *q);

/* Schedules a copy of ev (its seq is overwritten). False when out of
 * memory, with the queue unchanged. */
bool sim_event_queue_push(struct sim_event_queue *q, const struct sim_event *ev);
/* Removes the earliest event into *out; false when the queue is empty. */
bool sim_event_queue_pop(struct sim_event_queue *q, struct sim_event *out);
/* The earliest event, borrowed until the next push or pop; NULL if empty. */
const struct sim_event *sim_event_queue_peek(const struct sim_event_queue *q);
size_t sim_event_queue_size(const struct sim_event_queue *q);

#endif
