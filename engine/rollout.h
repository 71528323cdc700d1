/* A rollout: the deployment state machine. Today the canary strategy with
 * explicit steps (set weight, pause, wait for a passing analysis run) and a
 * background analysis whose limits roll back or hold the rollout. Pure: it is handed the time and
 * the observations, and answers with actions and events; no I/O, no clock. */
#ifndef ENG_ROLLOUT_H
#define ENG_ROLLOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/analysis.h"
#include "engine/budget.h"
#include "engine/event.h"
#include "engine/gate.h"
#include "engine/metrics.h"
#include "engine/status.h"
#include "engine/trigger.h"

#define ENG_OUTCOME_LIST(X)                       \
	X(ENG_OUTCOME_RUNNING, "running")         \
	X(ENG_OUTCOME_PROMOTED, "promoted")       \
	X(ENG_OUTCOME_ROLLED_BACK, "rolled_back") \
	X(ENG_OUTCOME_BLOCKED, "blocked")         \
	X(ENG_OUTCOME_TIMED_OUT, "timed_out")

enum eng_outcome {
#define ENG_OUTCOME_ENUM(name, str) name,
	ENG_OUTCOME_LIST(ENG_OUTCOME_ENUM)
#undef ENG_OUTCOME_ENUM
};

const char *eng_outcome_name(enum eng_outcome o);
/* Looks up an outcome by name; false when there is none of that name. */
bool eng_outcome_parse(const char *name, enum eng_outcome *out);

enum eng_step_kind {
	ENG_STEP_SET_WEIGHT,
	ENG_STEP_PAUSE,
	ENG_STEP_ANALYSIS,        /* wait for an analysis run after the step
				     starts; go on once one passes */
	ENG_STEP_APPROVAL         /* wait until the world approves `gate` */
};

struct eng_step {
	enum eng_step_kind kind;
	double weight_pct;        /* for set_weight: canary weight, 0..100 */
	int64_t duration_ns;      /* for pause: how long, ns */
	char gate[ENG_EVENT_NAME_MAX]; /* for approval: the gate's name */
};

/* What a decision to roll back does. */
enum eng_rollback_mode {
	ENG_ROLLBACK_INSTANT = 0, /* the canary's weight to 0 at once */
	ENG_ROLLBACK_GRADUAL,     /* down by step_pct every interval: the stable
				     version takes the load back in steps */
	ENG_ROLLBACK_FREEZE       /* hold the weight and go no further, for a
				     release whose migration cannot be undone */
};

struct eng_rollback_config {
	enum eng_rollback_mode mode;
	double step_pct;          /* gradual: weight removed per step, 0..100 */
	int64_t interval_ns;      /* gradual: time between steps, ns */
};

struct eng_rollout_config {
	const struct eng_step *steps; /* borrowed; the rollout keeps a copy */
	size_t nsteps;
	struct eng_analysis_config analysis;
	const struct eng_trigger *triggers; /* borrowed; the rollout keeps a copy */
	size_t ntriggers;
	struct eng_rollback_config rollback;
	struct eng_compat_config compat; /* judged before any traffic moves */
	const struct eng_smoke_test *smoke_tests; /* borrowed; copied; in order */
	size_t nsmoke_tests;
	/* Error budget: gates the start and, with rollback_on_burn, rolls back
	 * on a page-level burn-rate alert. */
	bool has_budget;
	struct eng_budget_config budget; /* its alerts are borrowed */
	uint64_t budget_history_total; /* requests before the start, in the period */
	uint64_t budget_history_bad;   /* of which bad */
	bool critical;                 /* the release is a critical fix */
	bool rollback_on_burn;         /* a firing page alert rolls back */
	int64_t progress_deadline_ns; /* abort (timed_out) when not done by then */
};

struct eng_rollout;

/* Returns an owned rollout holding a deep copy of cfg, free with
 * eng_rollout_free(); NULL when out of memory or cfg is invalid (no steps,
 * a weight outside 0..100, a non-positive interval or deadline). */
struct eng_rollout *eng_rollout_create(const struct eng_rollout_config *cfg);
void eng_rollout_free(struct eng_rollout *ro);

/* Starts the rollout at t_ns and fills act with what the world must do. */
enum eng_status eng_rollout_start(struct eng_rollout *ro, int64_t t_ns,
				  struct eng_action *act);

/* Advances the rollout to t_ns. obs is the window that closed since the
 * last call, or NULL when no new window closed. Fills act. */
enum eng_status eng_rollout_step(struct eng_rollout *ro, int64_t t_ns,
				 const struct eng_observation *obs,
				 struct eng_action *act);

/* The smoke test the rollout waits on now and its attempt (1, 2, ...), or
 * NULL when none; borrowed until the next call on ro. */
const struct eng_smoke_test *eng_rollout_next_smoke(const struct eng_rollout *ro,
						    uint32_t *attempt);
/* Gives the result of that attempt at t_ns. Once the last test has its
 * verdict, the next eng_rollout_step() carries out the first steps. */
enum eng_status eng_rollout_smoke_result(struct eng_rollout *ro, int64_t t_ns,
					 bool passed);

/* The approval gate the rollout waits for now, or NULL; borrowed until
 * the next call on ro. */
const char *eng_rollout_waiting_gate(const struct eng_rollout *ro);
/* Tells the rollout that gate was approved at t_ns (the world's answer);
 * the waiting step ends at the next eng_rollout_step(). */
void eng_rollout_approve(struct eng_rollout *ro, const char *gate, int64_t t_ns);

/* The next time the rollout must be woken even without a new window
 * (a pause ending, the deadline); INT64_MAX when there is none. */
int64_t eng_rollout_next_wakeup_ns(const struct eng_rollout *ro);

/* True once the rollout has ended and moves no more traffic (a gradual
 * rollback is decided before it is done). */
bool eng_rollout_done(const struct eng_rollout *ro);
enum eng_outcome eng_rollout_outcome(const struct eng_rollout *ro);
/* When the final decision was taken, ns; -1 while running. */
int64_t eng_rollout_decision_ns(const struct eng_rollout *ro);
/* The canary weight the rollout last asked for, 0..100. */
double eng_rollout_weight_pct(const struct eng_rollout *ro);
/* Borrowed; valid until the next call on ro. */
const struct eng_event_log *eng_rollout_events(const struct eng_rollout *ro);
/* Moves ro's events into *out (which must hold none), leaving ro with an
 * empty log: a finished run hands its decisions over without a copy. */
void eng_rollout_take_events(struct eng_rollout *ro, struct eng_event_log *out);

#endif
