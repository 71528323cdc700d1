#include <stdlib.h>
#include <string.h>

#include "engine/record.h"

void eng_note_weight(int64_t *first_traffic_ns, int64_t *zero_ns, double weight_pct,
		     int64_t t_ns)
{
	if (weight_pct > 0.0) {
		if (*first_traffic_ns < 0)
			*first_traffic_ns = t_ns;
		*zero_ns = -1;
	} else if (*first_traffic_ns >= 0 && *zero_ns < 0) {
		*zero_ns = t_ns;
	}
}

void eng_record_init(struct eng_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->outcome = ENG_OUTCOME_RUNNING;
	rec->decision_ns = -1;
	rec->first_traffic_ns = -1;
	rec->weight_zero_ns = -1;
	for (size_t i = 0; i < ENG_MAX_FLAGS; i++) {
		rec->flags[i].decision_ns = -1;
		rec->flags[i].first_on_ns = -1;
		rec->flags[i].off_ns = -1;
	}
}

enum eng_status eng_record_add_window(struct eng_record *rec,
				      const struct eng_observation *obs)
{
	if (rec->nwindows == rec->cap) {
		size_t cap = rec->cap ? rec->cap * 2 : 64;
		struct eng_observation *p = realloc(rec->windows, cap * sizeof(*p));

		if (p == NULL)
			return ENG_ENOMEM;
		rec->windows = p;
		rec->cap = cap;
	}
	rec->windows[rec->nwindows] = *obs;
	rec->windows[rec->nwindows].latency = NULL; /* the world's, gone soon */
	rec->windows[rec->nwindows].deps = NULL;
	rec->windows[rec->nwindows++].flags = NULL;
	rec->end_ns = obs->t_ns;
	return ENG_OK;
}

void eng_record_clear(struct eng_record *rec)
{
	struct eng_observation *windows = rec->windows;
	size_t cap = rec->cap;
	struct eng_event_log events = rec->events;

	eng_record_init(rec);
	rec->windows = windows;
	rec->cap = cap;
	events.count = 0;
	rec->events = events;
}

void eng_record_free(struct eng_record *rec)
{
	free(rec->windows);
	eng_event_log_free(&rec->events);
	eng_record_init(rec);
}
