/* Decision events: every decision the engine takes, with the rule that took
 * it, the numbers it looked at and the action that followed. The audit trail
 * of a run and the input to its reports. Formatting belongs to reports/. */
#ifndef ENG_EVENT_H
#define ENG_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/status.h"

#define ENG_GATE_REASON_MAX 160

#define ENG_RULE_LIST(X)                                              \
	X(ENG_RULE_STEP, "step")                                      \
	X(ENG_RULE_ANALYSIS, "analysis")                              \
	X(ENG_RULE_FAILURE_LIMIT, "failure_limit")                    \
	X(ENG_RULE_STEPS_COMPLETE, "steps_complete")                  \
	X(ENG_RULE_PROGRESS_DEADLINE, "progress_deadline")            \
	X(ENG_RULE_CONSECUTIVE_FAILURES, "consecutive_failure_limit") \
	X(ENG_RULE_CONSECUTIVE_ERRORS, "consecutive_error_limit")     \
	X(ENG_RULE_INCONCLUSIVE_LIMIT, "inconclusive_limit")          \
	X(ENG_RULE_CONSECUTIVE_SUCCESSES, "consecutive_success_limit") \
	X(ENG_RULE_TRIGGER, "trigger")                                \
	X(ENG_RULE_GRADUAL_ROLLBACK, "gradual_rollback")              \
	X(ENG_RULE_COMPATIBILITY, "compatibility")                    \
	X(ENG_RULE_SCORE, "score")                                    \
	X(ENG_RULE_SMOKE_TEST, "smoke_test")                          \
	X(ENG_RULE_ERROR_BUDGET, "error_budget")                      \
	X(ENG_RULE_BURN_RATE, "burn_rate")                            \
	X(ENG_RULE_PREVIEW_HEALTH, "preview_health")                  \
	X(ENG_RULE_MIRROR, "mirror")                                  \
	X(ENG_RULE_PRE_PROMOTION, "pre_promotion")                    \
	X(ENG_RULE_PROMOTION, "promotion")                            \
	X(ENG_RULE_SWITCH, "switch")                                  \
	X(ENG_RULE_POST_PROMOTION, "post_promotion")                  \
	X(ENG_RULE_SCALE_DOWN_DELAY, "scale_down_delay")              \
	X(ENG_RULE_OPERATOR, "operator") /* an operator's abort or retry */ \
	X(ENG_RULE_FLAG_STEP, "flag_step")                            \
	X(ENG_RULE_FLAG_ANALYSIS, "flag_analysis")                    \
	X(ENG_RULE_FLAG_FAILURE_LIMIT, "flag_failure_limit")          \
	X(ENG_RULE_FLAG_COMPLETE, "flag_complete")                    \
	X(ENG_RULE_FLAGS_DONE, "flags_done")

enum eng_rule {
#define ENG_RULE_ENUM(name, str) name,
	ENG_RULE_LIST(ENG_RULE_ENUM)
#undef ENG_RULE_ENUM
};

#define ENG_RESULT_LIST(X)                           \
	X(ENG_RESULT_NONE, "none")                   \
	X(ENG_RESULT_PASS, "pass")                   \
	X(ENG_RESULT_FAIL, "fail")                   \
	X(ENG_RESULT_INCONCLUSIVE, "inconclusive")   \
	X(ENG_RESULT_ERROR, "error")  /* no data: not a verdict on the canary */

enum eng_result {
#define ENG_RESULT_ENUM(name, str) name,
	ENG_RESULT_LIST(ENG_RESULT_ENUM)
#undef ENG_RESULT_ENUM
};

#define ENG_DECISION_LIST(X)                      \
	X(ENG_DECIDE_CONTINUE, "continue")        \
	X(ENG_DECIDE_SET_WEIGHT, "set_weight")    \
	X(ENG_DECIDE_PAUSE, "pause")              \
	X(ENG_DECIDE_PROMOTE, "promote")          \
	X(ENG_DECIDE_ROLLBACK, "rollback")        \
	X(ENG_DECIDE_ABORT, "abort")              \
	X(ENG_DECIDE_HOLD, "hold")   /* stop progressing; wait for a human */ \
	X(ENG_DECIDE_ADVANCE, "advance") /* end the running pause early */ \
	X(ENG_DECIDE_WAIT, "wait")   /* wait for a passing analysis run */ \
	X(ENG_DECIDE_FREEZE, "freeze") /* hold instead of rolling back */ \
	X(ENG_DECIDE_AWAIT_APPROVAL, "await_approval") \
	X(ENG_DECIDE_APPROVED, "approved") \
	X(ENG_DECIDE_BLOCK, "block") \
	X(ENG_DECIDE_RETRY, "retry") \
	X(ENG_DECIDE_MIRROR, "mirror") /* set the share mirrored to the preview */ \
	X(ENG_DECIDE_SWITCH_BACK, "switch_back") /* blue-green: all traffic back
						    to the stable version at once */ \
	X(ENG_DECIDE_SET_FLAG, "set_flag") /* a flag's enabled share */ \
	X(ENG_DECIDE_ROLLBACK_FLAG, "rollback_flag") /* one flag back to 0%, alone */

enum eng_decision {
#define ENG_DECISION_ENUM(name, str) name,
	ENG_DECISION_LIST(ENG_DECISION_ENUM)
#undef ENG_DECISION_ENUM
};

/* Which limit a check compared against. The baseline bounds compare the
 * canary with the stable version in the same window. */
#define ENG_BOUND_LIST(X)                                                    \
	X(ENG_BOUND_NONE, "none")                                            \
	X(ENG_BOUND_MAX, "max")                   /* canary <= threshold */  \
	X(ENG_BOUND_MIN, "min")                   /* canary >= threshold */  \
	X(ENG_BOUND_MAX_RATIO, "max_ratio")       /* canary / stable <= t */ \
	X(ENG_BOUND_MIN_RATIO, "min_ratio")       /* canary / stable >= t */ \
	X(ENG_BOUND_MAX_INCREASE, "max_increase") /* canary - stable <= t */ \
	X(ENG_BOUND_MAX_DECREASE, "max_decrease") /* stable - canary <= t */ \
	X(ENG_BOUND_ALPHA, "alpha")               /* a test's p >= alpha */

enum eng_bound {
#define ENG_BOUND_ENUM(name, str) name,
	ENG_BOUND_LIST(ENG_BOUND_ENUM)
#undef ENG_BOUND_ENUM
};

#define ENG_EVENT_NAME_MAX 48

struct eng_event {
	int64_t t_ns;             /* when the decision was taken, ns since start */
	enum eng_rule rule;       /* which rule decided */
	enum eng_result result;   /* the check's verdict, for analysis events */
	enum eng_decision action; /* what the engine did */
	char check[ENG_EVENT_NAME_MAX];  /* analysis check name, or "" */
	char metric[ENG_EVENT_NAME_MAX]; /* metric name, or "" */
	enum eng_bound bound;     /* which side the threshold limits */
	double observed;          /* what was compared with the threshold (a value,
				     ratio or difference); NaN when none */
	double threshold;         /* limit compared against; NaN when none */
	double canary_value;      /* the canary's metric in the window; NaN when none */
	double baseline;          /* the stable version's; NaN when not compared */
	uint64_t samples;         /* requests behind the observation */
	uint64_t min_samples;     /* requests needed for a verdict */
	uint32_t failures;        /* failed checks so far, after this event */
	uint32_t failure_limit;   /* failures allowed before a rollback */
	uint32_t step_index;      /* the step in force, 0-based */
	double weight_pct;        /* canary weight after the action, 0..100 */
	int64_t duration_ns;      /* pause length, for pause events; else 0 */
	char detail[ENG_GATE_REASON_MAX]; /* a gate's reason, else "" */
	char flag[ENG_EVENT_NAME_MAX]; /* the feature flag decided on, else "";
					  weight_pct is then its enabled share */
};

/* A growing list of events. Zero-initialise before use. */
struct eng_event_log {
	struct eng_event *events; /* owned */
	size_t count;
	size_t cap;
};

/* Appends a copy of ev. Returns ENG_ENOMEM with the log unchanged on
 * failure. */
enum eng_status eng_event_log_append(struct eng_event_log *log,
				     const struct eng_event *ev);
void eng_event_log_free(struct eng_event_log *log);

/* Copies src into dst of `size` (> 0) bytes, cut short to fit and always
 * terminated: an event's names, without printf's cost on every decision. */
void eng_copy_text(char *dst, size_t size, const char *src);

const char *eng_rule_name(enum eng_rule r);
const char *eng_result_name(enum eng_result r);
const char *eng_decision_name(enum eng_decision d);
const char *eng_bound_name(enum eng_bound b);

#endif
