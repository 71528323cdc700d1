/* A run record: everything one run produced that reports need — every
 * window observed, every decision, the outcome and the moments that matter.
 * Plain data, filled by eng_run(); it knows nothing of the world behind it. */
#ifndef ENG_RECORD_H
#define ENG_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "engine/event.h"
#include "engine/metrics.h"
#include "engine/rollout.h"
#include "engine/status.h"

/* One feature flag's run, for the reports: the flags strategy's windows
 * keep no per-flag numbers, so the record keeps these. */
struct eng_flag_record {
	char name[ENG_EVENT_NAME_MAX];
	enum eng_outcome outcome;        /* promoted (100%), rolled_back, or the
					    rollout's when it ended first */
	int64_t decision_ns;             /* promoted or rolled back; -1 never */
	int64_t first_on_ns;             /* first above 0%; -1 never */
	int64_t off_ns;                  /* back to 0% after being on; -1 never */
	double final_pct;                /* enabled share at the end, 0..100 */
};

struct eng_record {
	struct eng_observation *windows; /* owned, in time order */
	size_t nwindows;
	size_t cap;
	struct eng_event_log events;     /* owned copy of the decisions */
	enum eng_outcome outcome;
	int64_t start_ns;                /* when the rollout started */
	int64_t decision_ns;             /* final decision; -1 when none */
	int64_t end_ns;                  /* end of the last window */
	size_t told;                     /* decisions passed to the world's notify */
	int64_t first_traffic_ns;        /* canary weight first above 0; -1 never */
	int64_t weight_zero_ns;          /* weight back to 0 after traffic; -1 never */
	double final_weight_pct;         /* canary weight at the end, 0..100 */
	struct eng_flag_record flags[ENG_MAX_FLAGS]; /* the flags strategy's */
	size_t nflags;
};

/* Notes the canary weight weight_pct set at t_ns: *first_traffic_ns is
 * the first moment it was above 0 (-1: never), *zero_ns the moment it came
 * back to 0 after that and has stayed there since (-1: not back, or never
 * above). The record keeps these; a world that needs to know which of its
 * windows a recovery reads keeps its own by the same rule. */
void eng_note_weight(int64_t *first_traffic_ns, int64_t *zero_ns, double weight_pct,
		     int64_t t_ns);

/* Zero-initialises rec for eng_run(). */
void eng_record_init(struct eng_record *rec);
/* Appends a copy of obs; ENG_ENOMEM with rec unchanged on failure. */
enum eng_status eng_record_add_window(struct eng_record *rec,
				      const struct eng_observation *obs);
/* Releases what rec owns; rec may be initialised again. */
void eng_record_free(struct eng_record *rec);
/* Empties rec for another eng_run(), as eng_record_init() leaves it, but
 * keeps the memory of its windows and events: a study's worker runs one
 * record after another without allocating for each. */
void eng_record_clear(struct eng_record *rec);

#endif
