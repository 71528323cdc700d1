/* A rollout: the deployment state machine. The canary strategy with
 * explicit steps (set weight, pause, wait for a passing analysis run) and a
 * background analysis whose limits roll back or hold the rollout; blue-green
 * (a preview with no user traffic, checked and analysed on mirrored
 * requests, then switched to) and blue-green whose switch goes through the
 * canary steps (engine/bluegreen.c); feature flags enabled progressively,
 * each judged and rolled back on its own (engine/flags.c). Pure: it is handed the time and the
 * observations, and answers with actions and events; no I/O, no clock. */
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

#define ENG_STRATEGY_LIST(X)                                   \
	X(ENG_STRATEGY_CANARY, "canary")                       \
	X(ENG_STRATEGY_BLUEGREEN, "bluegreen")                 \
	X(ENG_STRATEGY_BLUEGREEN_CANARY, "bluegreen_canary")   \
	X(ENG_STRATEGY_FLAGS, "flags")

enum eng_strategy {
#define ENG_STRATEGY_ENUM(name, str) name,
	ENG_STRATEGY_LIST(ENG_STRATEGY_ENUM)
#undef ENG_STRATEGY_ENUM
};

const char *eng_strategy_name(enum eng_strategy s);

/* Blue-green, as Argo Rollouts' blueGreen: the new version (the canary
 * slot; green, the preview) comes up beside the active one (stable, blue)
 * with no user traffic. Once enough of its instances are ready, the
 * analysis checks judge it on mirrored requests (pre-promotion); then,
 * after a delay or an approval, traffic switches to it at once or in
 * steps (or, for bluegreen_canary, through the canary steps). The
 * analysis goes on after the switch (post-promotion); the old version is
 * kept for the scale-down delay, and a failure before then switches back
 * at once. */
struct eng_bluegreen_config {
	double preview_ready_frac;  /* ready share of the preview's instances
				       that makes it healthy, 0..1 (> 0) */
	int64_t preview_timeout_ns; /* healthy by then after the preview came
				       up, or blocked, ns (> 0) */
	double mirror_pct;          /* user requests mirrored to the preview
				       during pre-promotion, 0..100 */
	uint32_t pre_promotion_runs; /* passing analysis runs the preview needs
					before the switch; 0: no pre-promotion analysis */
	bool auto_promotion;        /* switch without an approval */
	char promotion_gate[ENG_EVENT_NAME_MAX]; /* the approval that switches
						    when auto_promotion is off */
	int64_t auto_promotion_delay_ns; /* wait after pre-promotion, ns (>= 0) */
	double switch_step_pct;     /* weight moved per switch step, 0..100;
				       100: an instant switch */
	int64_t switch_interval_ns; /* between switch steps, ns (> 0 when gradual) */
	uint32_t post_promotion_runs; /* passing analysis runs after the switch
					 before promotion; 0: none */
	int64_t scale_down_delay_ns; /* the old version is kept this long after
					the switch, ns (>= 0) */
};

/* Argo's defaults: healthy when every instance is ready, within 10
 * minutes; no mirroring and no analysis; auto-promotion at once, gate
 * "promote"; an instant switch; the old version kept 30 s. */
void eng_bluegreen_defaults(struct eng_bluegreen_config *bg);

#define ENG_MAX_FLAG_STEPS 32
#define ENG_MAX_FLAG_CHECKS 8

/* Feature flags (engine/flags.c), as LaunchDarkly's or Unleash's
 * progressive rollouts: all traffic stays on the stable version, and each
 * flag is enabled for a growing share of its requests through its own
 * steps (set_weight is the flag's share, pause), with its own checks
 * judged on the requests with the flag on against those with it off (the
 * baseline). A flag whose check fails more often than failure_limit goes
 * back to 0% alone; one whose steps are done is enabled for all (100%). */
struct eng_flag_config {
	char name[ENG_EVENT_NAME_MAX];
	struct eng_step steps[ENG_MAX_FLAG_STEPS]; /* set_weight and pause only */
	size_t nsteps;            /* 1..ENG_MAX_FLAG_STEPS */
	struct eng_check checks[ENG_MAX_FLAG_CHECKS]; /* judged by eng_check_judge() */
	size_t nchecks;
	int64_t interval_ns;      /* between the flag's analysis runs, ns (> 0) */
	uint32_t failure_limit;   /* a check failing more often rolls the flag back */
};

struct eng_flags_config {
	struct eng_flag_config flag[ENG_MAX_FLAGS];
	size_t nflags;            /* 1..ENG_MAX_FLAGS */
};

/* How one flag's rollout stands. */
struct eng_flag_result {
	const char *name;         /* borrowed from the rollout */
	enum eng_outcome outcome; /* running, promoted (100%) or rolled_back (0%) */
	double pct;               /* enabled share last asked for, 0..100 */
	int64_t first_on_ns;      /* first above 0%; -1 never */
	int64_t decision_ns;      /* promoted or rolled back then; -1 running */
};

struct eng_rollout_config {
	enum eng_strategy strategy;
	const struct eng_flags_config *flags; /* for the flags strategy; borrowed,
						 the rollout keeps a copy */
	struct eng_bluegreen_config bluegreen; /* for the bluegreen strategies */
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
	/* A latency budget beside it, with the same period, alerts and gate:
	 * bad requests are the successes slower than the SLO's latency, and
	 * the target is the share of requests that must be faster. */
	bool has_latency_budget;
	double latency_target_frac;    /* e.g. 0.99 for p99 under the latency, 0 < x < 1 */
	uint64_t latency_history_bad;  /* slow requests before the start, in the period */
	bool critical;                 /* the release is a critical fix */
	bool rollback_on_burn;         /* a firing page alert rolls back */
	int64_t progress_deadline_ns; /* abort (timed_out) when not done by then */
};

/* Fills q with the latency figures (ENG_Q_* bits: quantiles and mean)
 * that a rollout of cfg reads of each version's window: of the canary's,
 * those its checks and triggers judge; of the stable version's, those its
 * checks compare with the canary's and its flags' checks judge. A world
 * may leave the others out (NaN) without changing any decision. */
void eng_rollout_config_latency_reads(const struct eng_rollout_config *cfg,
				      unsigned q[ENG_NVERSIONS]);
/* Whether a rollout of cfg reads what users saw of slow successes (its
 * latency budget does); when it does not, a world may leave them out (0)
 * without changing any decision. */
bool eng_rollout_config_reads_slow(const struct eng_rollout_config *cfg);

struct eng_rollout;

/* Returns an owned rollout holding a deep copy of cfg, free with
 * eng_rollout_free(); NULL when out of memory or cfg is invalid (no steps
 * for a strategy that has them, steps for bluegreen, a weight outside
 * 0..100, a non-positive interval or deadline, a blue-green setting out
 * of its range). */
struct eng_rollout *eng_rollout_create(const struct eng_rollout_config *cfg);
void eng_rollout_free(struct eng_rollout *ro);
/* Makes ro (owned; NULL creates) a new rollout of cfg, exactly as
 * eng_rollout_create(cfg) makes one, in ro's memory and its event log's,
 * so that a runner making one rollout a run allocates little for each.
 * Returns it; NULL as eng_rollout_create() does, with ro freed. */
struct eng_rollout *eng_rollout_renew(struct eng_rollout *ro,
				      const struct eng_rollout_config *cfg);

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

/* Carries out an operator's command at t_ns and fills act. abort: a
 * running rollout, or a gradual rollback under way, sends all traffic to
 * the stable version at once and ends rolled_back (rule operator), and
 * can then be retried. retry: an aborted rollout starts again, at t_ns,
 * as a new one would (gates, smoke tests, steps from the first; analysis
 * counts and the progress deadline restart; the error budget and the
 * events go on); eng_rollout_next_smoke() then says whether smoke tests
 * are due, as after eng_rollout_start(). A command that does not apply
 * (abort of a finished rollout, retry of one not aborted) changes
 * nothing but is logged. */
enum eng_status eng_rollout_command(struct eng_rollout *ro, int64_t t_ns,
				    enum eng_command cmd, struct eng_action *act);
/* True when the last command that applied was an abort. */
bool eng_rollout_aborted(const struct eng_rollout *ro);

/* The next time the rollout must be woken even without a new window
 * (a pause ending, the deadline); INT64_MAX when there is none. */
int64_t eng_rollout_next_wakeup_ns(const struct eng_rollout *ro);

/* True once the rollout has ended and moves no more traffic (a gradual
 * rollback is decided before it is done). */
bool eng_rollout_done(const struct eng_rollout *ro);
/* When the rollout (or its last retry) started, ns; -1 before. */
int64_t eng_rollout_start_ns(const struct eng_rollout *ro);
enum eng_outcome eng_rollout_outcome(const struct eng_rollout *ro);
/* When the final decision was taken, ns; -1 while running. */
int64_t eng_rollout_decision_ns(const struct eng_rollout *ro);
/* The canary weight the rollout last asked for, 0..100. */
double eng_rollout_weight_pct(const struct eng_rollout *ro);
/* The share of user requests mirrored to the canary it last asked for,
 * 0..100. */
double eng_rollout_mirror_pct(const struct eng_rollout *ro);
/* The flags strategy's flags: how many, and flag i's standing (its name
 * borrowed until ro is freed); 0 and false for the other strategies. */
size_t eng_rollout_nflags(const struct eng_rollout *ro);
bool eng_rollout_flag(const struct eng_rollout *ro, size_t i,
		      struct eng_flag_result *out);
/* Borrowed; valid until the next call on ro. */
const struct eng_event_log *eng_rollout_events(const struct eng_rollout *ro);
/* Moves ro's events into *out (which must hold none), leaving ro with an
 * empty log: a finished run hands its decisions over without a copy. The
 * memory *out had, if any, becomes ro's empty log's, so that a record
 * and a rollout reused run after run pass one buffer to and fro instead of
 * allocating one a run. */
void eng_rollout_take_events(struct eng_rollout *ro, struct eng_event_log *out);

#endif
