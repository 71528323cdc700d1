/* The rollout's state, for the files that need its inside: rollout.c,
 * which runs it, rollout_new.c, which makes, renews and frees it,
 * bluegreen.c and flags.c, which run the blue-green stages and the flags,
 * and state.c, which saves and restores it. Nothing else includes this;
 * everyone else sees struct eng_rollout as opaque. */
#ifndef ENG_ROLLOUT_IMPL_H
#define ENG_ROLLOUT_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/judges.h"
#include "engine/rollout.h"

/* The blue-green stages, in order; bluegreen_canary replaces the switch
 * with the canary steps. */
enum eng_bg_phase {
	ENG_BG_NONE = 0,          /* not begun, or the canary strategy */
	ENG_BG_PREVIEW,           /* waiting for enough ready preview instances */
	ENG_BG_PRE_PROMOTION,     /* analysing the preview on mirrored requests */
	ENG_BG_AWAIT_PROMOTION,   /* the auto-promotion delay, or an approval */
	ENG_BG_SWITCHING,         /* a gradual switch under way */
	ENG_BG_CANARY_STEPS,      /* bluegreen_canary: switching through the steps */
	ENG_BG_POST_PROMOTION     /* switched: post-promotion analysis and the
				     scale-down delay */
};

/* One flag's progress under the flags strategy (flags.c). */
struct eng_flag_state {
	size_t step_index;            /* next step to carry out */
	int64_t pause_end_ns;         /* -1 when no pause is running */
	double pct;                   /* enabled share last asked for, 0..100 */
	bool analysing;               /* the flag has been on */
	int64_t next_check_ns;        /* earliest window end for its next run */
	int64_t first_on_ns;          /* first above 0%; -1 never */
	int64_t decision_ns;          /* promoted or rolled back; -1 running */
	enum eng_outcome outcome;     /* running, promoted or rolled_back */
	uint32_t failures;            /* failed analysis runs */
	uint32_t check_failures[ENG_MAX_FLAG_CHECKS]; /* failed verdicts per check */
};

struct eng_rollout {
	enum eng_strategy strategy;
	struct eng_flags_config *flags; /* owned copy; NULL but for flags */
	struct eng_flag_state *flag_state; /* owned, one per flag; NULL but for flags */
	bool flags_moved;             /* a flag's share changed since the last action */
	struct eng_bluegreen_config bg; /* for the bluegreen strategies */
	enum eng_bg_phase bg_phase;
	int64_t bg_since_ns;          /* when the stage began */
	int64_t bg_due_ns;            /* the stage's next moment (the preview's
					 deadline, the promotion, the next switch
					 step, the scale-down delay's end); -1 none */
	uint32_t bg_passes;           /* passing analysis runs in the stage */
	bool bg_post_passed;          /* post-promotion analysis is done */
	double bg_ready_frac;         /* the preview's last ready share; NaN none */
	double mirror_pct;            /* share mirrored to the canary, 0..100 */
	struct eng_step *steps;       /* owned copy; NULL without steps */
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
	struct eng_budget *latency_budget; /* owned; NULL without a latency budget */
	bool critical;
	bool rollback_on_burn;
	bool draining;                /* a gradual rollback is under way */
	int64_t next_drain_ns;        /* its next step */
	struct eng_analysis_config analysis; /* .checks points at checks */
	int64_t progress_deadline_ns;

	enum eng_outcome outcome;
	bool started;
	bool aborted;                 /* ended by an operator's abort: may be retried */
	int64_t start_ns;
	int64_t decision_ns;          /* -1 while running */
	size_t step_index;            /* next step to carry out */
	int64_t pause_end_ns;         /* -1 when no pause is running; flags:
					 the earliest flag's pause end */
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
	void *arrays;                 /* owned: the block steps, checks (and
					 their counts), triggers (and their
					 states) and smoke point into */
	size_t arrays_size;
};

/* rollout.c, for bluegreen.c. */

/* An event of rule and action at t_ns with the rollout's counts. */
struct eng_event eng_rollout_event(const struct eng_rollout *ro, int64_t t_ns,
				   enum eng_rule rule, enum eng_decision action);
/* Ends the rollout with outcome at t_ns, moving the canary to weight_pct
 * and ending any mirroring; logs ev. */
enum eng_status eng_rollout_finish(struct eng_rollout *ro, int64_t t_ns,
				   enum eng_outcome outcome, double weight_pct,
				   struct eng_event *ev);
/* Moves the canary to weight_pct at t_ns and logs it under rule. */
enum eng_status eng_rollout_set_weight(struct eng_rollout *ro, int64_t t_ns,
				       enum eng_rule rule, double weight_pct);
/* Starts a fresh analysis at t_ns (a new analysis run, as Argo's): counts
 * back to 0, the first run judged one interval later. */
void eng_rollout_reset_analysis(struct eng_rollout *ro, int64_t t_ns);

/* Whether s is one of the blue-green strategies (with or without canary
 * steps). */
bool eng_strategy_is_bluegreen(enum eng_strategy s);
/* Whether s is a strategy at all (one of ENG_STRATEGY_LIST). */
bool eng_strategy_known(enum eng_strategy s);

/* bluegreen.c, for rollout.c. */

bool eng_bg_config_valid(const struct eng_rollout_config *cfg);
/* Runs the blue-green stages at t_ns (obs: the window that closed, or
 * NULL) until one has to wait; the canary steps are rollout.c's. */
enum eng_status eng_bg_progress(struct eng_rollout *ro, int64_t t_ns,
				const struct eng_observation *obs);
/* bluegreen_canary's last step is done: all traffic to the new version,
 * then post-promotion. */
enum eng_status eng_bg_steps_done(struct eng_rollout *ro, int64_t t_ns);
/* True while a decision to roll back must block instead: no user traffic
 * has been switched yet. */
bool eng_bg_before_switch(const struct eng_rollout *ro);
/* The approval the rollout waits on to switch, or NULL. */
const char *eng_bg_waiting_gate(const struct eng_rollout *ro);

/* flags.c, for rollout.c. */

bool eng_flags_config_valid(const struct eng_rollout_config *cfg);
/* Copies cfg's flags into ro; false when out of memory. */
bool eng_flags_init(struct eng_rollout *ro, const struct eng_rollout_config *cfg);
void eng_flags_free(struct eng_rollout *ro);
/* Every flag back to its state before the start (a retry). */
void eng_flags_reset(struct eng_rollout *ro);
/* Judges the flags due on obs (may be NULL), rolls back those over their
 * limit, carries out their steps at t_ns, and ends the rollout once every
 * flag is enabled for all or rolled back. */
enum eng_status eng_flags_progress(struct eng_rollout *ro, int64_t t_ns,
				   const struct eng_observation *obs);
/* The rollout ends with outcome for another reason (a deadline, a
 * burn-rate alert): every flag still under way goes back to 0% at t_ns
 * with that outcome. Does nothing for the other strategies. */
void eng_flags_abandon(struct eng_rollout *ro, int64_t t_ns, enum eng_outcome outcome);
/* Fills act's flag shares and says whether any moved since the last call. */
bool eng_flags_fill_action(struct eng_rollout *ro, struct eng_action *act);

#endif
