/* The scenario loader's parts and what they share: scenario.c reads the
 * file and its top level, load_world.c the simulated world (traffic,
 * dependencies, versions, simulated approvals and smoke results),
 * load_deployment.c the deployment policy, load_budget.c its error
 * budget, load_flags.c the feature flags. Only scenario/ includes it. */
#ifndef SCN_LOAD_H
#define SCN_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "scenario/json_read.h"
#include "scenario/scenario.h"

#define MAX_SCENARIO_BYTES (16u << 20)
#define MAX_STEPS 1000
#define MAX_CHECKS ENG_MAX_CHECKS

/* Defaults, documented in docs/scenario-format.md. */
#define DEFAULT_SEED 1
#define DEFAULT_WINDOW_S 10.0
#define DEFAULT_OBSERVE_AFTER_S 60.0
#define DEFAULT_MIN_REQUESTS 20
#define DEFAULT_CONSECUTIVE_ERRORS 4  /* Argo Rollouts' consecutiveErrorLimit */
#define DEFAULT_DEADLINE_S 3600.0
#define DEFAULT_AVAILABILITY 0.99
#define DEFAULT_LATENCY_MS 1000.0
#define DEFAULT_LATENCY_QUANTILE 0.99

extern const struct scn_range scn_positive; /* (0, 1e12] */
extern const struct scn_range scn_fraction; /* [0, 1] */

/* Seconds to whole nanoseconds, rounded. */
int64_t scn_s_to_ns(double s);
/* Whether s is a valid name: 1..SCN_NAME_MAX - 1 of [A-Za-z0-9._-], not
 * starting with a dot. */
bool scn_name_ok(const char *s);
/* Registers p (may be NULL) as owned by s; returns p, or NULL when p was
 * NULL or could not be registered (then p is freed and s->oom is set). */
void *scn_own(struct scn_scenario *s, void *p);

/* Each loads its part of the scenario at obj (borrowed) into s, reporting
 * every problem to r. */
void scn_load_traffic(struct scn_reader *r, const cJSON *obj, struct scn_scenario *s);
void scn_load_dependencies(struct scn_reader *r, const cJSON *arr, struct scn_scenario *s);
void scn_load_version(struct scn_reader *r, const cJSON *obj, const char *path,
		      bool is_stable, struct scn_scenario *s, struct sim_version_config *v);
void scn_load_approvals(struct scn_reader *r, const cJSON *arr, struct sim_config *sim);
void scn_load_smoke_results(struct scn_reader *r, const cJSON *obj, struct sim_config *sim);
void scn_load_operator(struct scn_reader *r, const cJSON *arr, struct sim_config *sim);
/* Needs the dependencies loaded first. */
void scn_load_faults(struct scn_reader *r, const cJSON *arr, struct sim_config *sim);
/* After the deployment: reports each fault starting at a step the
 * deployment does not have (beyond its steps, or a strategy without). */
void scn_check_fault_steps(struct scn_reader *r, const struct scn_scenario *s);
void scn_load_deployment(struct scn_reader *r, const cJSON *obj, double window_s,
			 struct scn_scenario *s);
/* load_budget.c: deployment.error_budget at obj (path `path`), after
 * the SLO, the run's window and the traffic. */
void scn_load_error_budget(struct scn_reader *r, const cJSON *obj, const char *path,
			   struct scn_scenario *s);
/* load_flags.c: the flags' effects (versions.stable.flags, array arr) and
 * their rollouts (deployment.flags, after the versions). */
void scn_load_flag_effects(struct scn_reader *r, const cJSON *arr, const char *path,
			   struct scn_scenario *s);
void scn_load_flags(struct scn_reader *r, const cJSON *arr, const char *path,
		    double window_s, struct scn_scenario *s);
/* load_live.c: the "live" block, after the deployment. */
void scn_load_live(struct scn_reader *r, const cJSON *obj, struct scn_scenario *s);
/* load_deployment.c: one analysis check at obj into c, its min_requests
 * defaulting to min_requests and its group looked up in sc. */
void scn_load_check(struct scn_reader *r, const cJSON *obj, const char *path,
		    uint64_t min_requests, const struct eng_scoring *sc, struct eng_check *c);

#endif
