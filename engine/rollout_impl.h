/* The rollout's state, for the two files that need its inside: rollout.c,
 * which runs it, and state.c, which saves and restores it. Nothing else
 * includes this; everyone else sees struct eng_rollout as opaque. */
#ifndef ENG_ROLLOUT_IMPL_H
#define ENG_ROLLOUT_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/judges.h"
#include "engine/rollout.h"

struct eng_rollout {
	struct eng_step *steps;       /* owned copy */
	size_t nsteps;
	struct eng_check *checks;     /* owned copy */
	struct eng_trigger *triggers; /* owned copy */
	struct eng_trigger_state *trigger_state; /* owned, one per trigger */
	size_t ntriggers;
	int64_t last_change_ns;       /* the canary's weight last changed */
	struct eng_rollback_config rollback;
	struct eng_compat_config compat;
	struct eng_smoke_test *smoke;   /* owned copy */
	size_t nsmoke;
	size_t smoke_index;           /* the test being run */
	uint32_t smoke_attempt;       /* its attempt, from 1 */
	bool smoking;                 /* smoke tests under way: no traffic yet */
	struct eng_budget *budget;    /* owned; NULL without an error budget */
	bool critical;
	bool rollback_on_burn;
	bool draining;                /* a gradual rollback is under way */
	int64_t next_drain_ns;        /* its next step */
	struct eng_analysis_config analysis; /* .checks points at checks */
	int64_t progress_deadline_ns;

	enum eng_outcome outcome;
	bool started;
	int64_t start_ns;
	int64_t decision_ns;          /* -1 while running */
	size_t step_index;            /* next step to carry out */
	int64_t pause_end_ns;         /* -1 when no pause is running */
	double weight_pct;            /* canary weight last asked for */
	bool analysing;               /* the canary has taken traffic */
	bool held;                    /* waiting for a human: no more steps */
	int64_t next_check_ns;        /* earliest window end for the next run */
	uint32_t failures;            /* failed analysis runs */
	uint32_t *check_failures;     /* owned: failed verdicts per check */
	struct eng_msprt_state *msprt; /* owned: one per check (used by msprt judges) */
	struct eng_error_counts *cumulative; /* owned: counts since analysis began */
	uint32_t consecutive_failures, consecutive_errors, consecutive_passes;
	uint32_t inconclusives;       /* inconclusive runs */
	int64_t last_pass_ns;         /* the last run that passed; -1 none */
	int64_t step_start_ns;        /* when the step in force began */
	bool waiting;                 /* an analysis or approval step has begun */
	bool approved;                /* the waiting approval step's gate came */
	struct eng_event_log log;
};

#endif
