#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/budget_state.h"
#include "engine/json_fields.h"
#include "engine/rollout_impl.h"
#include "engine/state.h"

#define STATE_FORMAT "rollsim-rollout-state"
#define STATE_VERSION 7 /* 2: the blue-green stages and mirroring; 3: aborted;
			    4: the sequential judges' counts; 5: flags;
			    6: the smoke tests' place, flags_moved;
			    7: the error and latency budgets */

#define F ENG_FIELD

static const struct eng_field rollout_fields[] = {
	ENG_FIELD_IN(struct eng_rollout, outcome, ENUM, 0, ENG_LAST_OF(ENG_OUTCOME_LIST)),
	F(struct eng_rollout, started, BOOL),
	F(struct eng_rollout, aborted, BOOL),
	F(struct eng_rollout, start_ns, I64),
	F(struct eng_rollout, decision_ns, I64),
	F(struct eng_rollout, step_index, SIZE),
	F(struct eng_rollout, pause_end_ns, I64),
	ENG_FIELD_IN(struct eng_rollout, weight_pct, DOUBLE, 0, 100),
	F(struct eng_rollout, analysing, BOOL),
	F(struct eng_rollout, held, BOOL),
	F(struct eng_rollout, next_check_ns, I64),
	F(struct eng_rollout, failures, U32),
	F(struct eng_rollout, consecutive_failures, U32),
	F(struct eng_rollout, consecutive_errors, U32),
	F(struct eng_rollout, consecutive_passes, U32),
	F(struct eng_rollout, inconclusives, U32),
	F(struct eng_rollout, last_pass_ns, I64),
	F(struct eng_rollout, step_start_ns, I64),
	F(struct eng_rollout, waiting, BOOL),
	F(struct eng_rollout, approved, BOOL),
	F(struct eng_rollout, last_change_ns, I64),
	F(struct eng_rollout, draining, BOOL),
	F(struct eng_rollout, next_drain_ns, I64),
	ENG_FIELD_IN(struct eng_rollout, bg_phase, ENUM, 0, ENG_BG_POST_PROMOTION),
	F(struct eng_rollout, bg_since_ns, I64),
	F(struct eng_rollout, bg_due_ns, I64),
	F(struct eng_rollout, bg_passes, U32),
	F(struct eng_rollout, bg_post_passed, BOOL),
	F(struct eng_rollout, bg_ready_frac, DOUBLE),
	ENG_FIELD_IN(struct eng_rollout, mirror_pct, DOUBLE, 0, 100),
	F(struct eng_rollout, flags_moved, BOOL),
	F(struct eng_rollout, smoking, BOOL),
	F(struct eng_rollout, smoke_index, SIZE),
	F(struct eng_rollout, smoke_attempt, U32),
};

static const struct eng_field event_fields[] = {
	F(struct eng_event, t_ns, I64),
	ENG_FIELD_IN(struct eng_event, rule, ENUM, 0, ENG_LAST_OF(ENG_RULE_LIST)),
	ENG_FIELD_IN(struct eng_event, result, ENUM, 0, ENG_LAST_OF(ENG_RESULT_LIST)),
	ENG_FIELD_IN(struct eng_event, action, ENUM, 0, ENG_LAST_OF(ENG_DECISION_LIST)),
	F(struct eng_event, check, STR),
	F(struct eng_event, metric, STR),
	ENG_FIELD_IN(struct eng_event, bound, ENUM, 0, ENG_LAST_OF(ENG_BOUND_LIST)),
	F(struct eng_event, observed, DOUBLE),
	F(struct eng_event, threshold, DOUBLE),
	F(struct eng_event, canary_value, DOUBLE),
	F(struct eng_event, baseline, DOUBLE),
	F(struct eng_event, samples, I64),
	F(struct eng_event, min_samples, I64),
	F(struct eng_event, failures, U32),
	F(struct eng_event, failure_limit, U32),
	F(struct eng_event, step_index, U32),
	F(struct eng_event, weight_pct, DOUBLE),
	F(struct eng_event, duration_ns, I64),
	F(struct eng_event, detail, STR),
	F(struct eng_event, flag, STR),
};

static const struct eng_field flag_fields[] = {
	F(struct eng_flag_state, step_index, SIZE),
	F(struct eng_flag_state, pause_end_ns, I64),
	ENG_FIELD_IN(struct eng_flag_state, pct, DOUBLE, 0, 100),
	F(struct eng_flag_state, analysing, BOOL),
	F(struct eng_flag_state, next_check_ns, I64),
	F(struct eng_flag_state, first_on_ns, I64),
	F(struct eng_flag_state, decision_ns, I64),
	ENG_FIELD_IN(struct eng_flag_state, outcome, ENUM, 0, ENG_LAST_OF(ENG_OUTCOME_LIST)),
	F(struct eng_flag_state, failures, U32),
};

/* A check's sequential judge and the counts since the analysis began. */
static const struct eng_field msprt_fields[] = {
	F(struct eng_msprt_state, p, DOUBLE),
	F(struct eng_msprt_state, looks, I64),
	F(struct eng_msprt_state, last.canary_errors, I64),
	F(struct eng_msprt_state, last.canary_requests, I64),
	F(struct eng_msprt_state, last.baseline_errors, I64),
	F(struct eng_msprt_state, last.baseline_requests, I64),
};

static const struct eng_field count_fields[] = {
	F(struct eng_error_counts, canary_errors, I64),
	F(struct eng_error_counts, canary_requests, I64),
	F(struct eng_error_counts, baseline_errors, I64),
	F(struct eng_error_counts, baseline_requests, I64),
};

static const struct eng_field trigger_fields[] = {
	F(struct eng_trigger_state, holding, BOOL),
	F(struct eng_trigger_state, since_ns, I64),
};

#define NFIELDS ENG_NFIELDS

/* Enums are saved and read through an int. */
_Static_assert(sizeof(enum eng_outcome) == sizeof(int), "enum eng_outcome is an int");
_Static_assert(sizeof(enum eng_bg_phase) == sizeof(int), "enum eng_bg_phase is an int");
_Static_assert(sizeof(enum eng_rule) == sizeof(int), "enum eng_rule is an int");
_Static_assert(sizeof(enum eng_result) == sizeof(int), "enum eng_result is an int");
_Static_assert(sizeof(enum eng_decision) == sizeof(int), "enum eng_decision is an int");
_Static_assert(sizeof(enum eng_bound) == sizeof(int), "enum eng_bound is an int");

/* Adds one check's judge state to arr as {"msprt": ..., "cumulative": ...};
 * false when out of memory (what was added belongs to arr). */
static bool add_judge(cJSON *arr, const struct eng_msprt_state *m,
		      const struct eng_error_counts *c)
{
	cJSON *x = cJSON_CreateObject();

	if (x == NULL || !cJSON_AddItemToArray(arr, x)) {
		cJSON_Delete(x);
		return false;
	}
	return eng_json_add_member(x, "msprt", eng_fields_object(msprt_fields, NFIELDS(msprt_fields), m)) &&
	       eng_json_add_member(x, "cumulative",
				   eng_fields_object(count_fields, NFIELDS(count_fields), c));
}

/* Adds n counts as an array under key; false when out of memory. */
static bool add_counts(cJSON *o, const char *key, const uint32_t *counts, size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(o, key), *x;
	char buf[16];

	for (size_t i = 0; arr != NULL && i < n; i++) {
		snprintf(buf, sizeof(buf), "%" PRIu32, counts[i]);
		x = cJSON_CreateRaw(buf);
		if (x == NULL || !cJSON_AddItemToArray(arr, x))
			return false;
	}
	return arr != NULL;
}

/* Reads the array under key of o (named path) into counts[0..n); false
 * with err unless it holds n whole numbers that fit. */
static bool load_counts(const cJSON *o, const char *path, const char *key,
			uint32_t *counts, size_t n, char *err, size_t errlen)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key), *x;
	char where[160];
	uint64_t v;
	size_t i = 0;

	eng_json_path(where, sizeof(where), path, key);
	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != n) {
		snprintf(err, errlen, "%s: expected %zu counts", where, n);
		return false;
	}
	cJSON_ArrayForEach(x, arr) {
		if (!eng_json_whole(x, &v) || v > UINT32_MAX) {
			snprintf(err, errlen, "%s[%zu]: expected a count 0..%" PRIu32, where, i,
				 UINT32_MAX);
			return false;
		}
		counts[i++] = (uint32_t)v;
	}
	return true;
}

/* The flags strategy's flags, each with its checks' failure counts. */
static bool save_flags(cJSON *root, const struct eng_rollout *ro)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "flags");

	for (size_t i = 0; arr != NULL && i < eng_rollout_nflags(ro); i++) {
		cJSON *x = eng_fields_object(flag_fields, NFIELDS(flag_fields), &ro->flag_state[i]);

		if (x == NULL || !cJSON_AddItemToArray(arr, x) ||
		    !add_counts(x, "check_failures", ro->flag_state[i].check_failures,
				ro->flags->flag[i].nchecks))
			return false;
	}
	return arr != NULL;
}

static bool load_flags(struct eng_rollout *ro, const cJSON *root, char *err, size_t errlen)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "flags"), *x;
	size_t n = eng_rollout_nflags(ro), i = 0;
	char at[32];

	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != n) {
		snprintf(err, errlen, "flags: expected %zu flag states", n);
		return false;
	}
	cJSON_ArrayForEach(x, arr) {
		struct eng_flag_state *fs = &ro->flag_state[i];
		const struct eng_flag_config *flag = &ro->flags->flag[i];

		snprintf(at, sizeof(at), "flags[%zu]", i++);
		if (!eng_fields_load(x, at, flag_fields, NFIELDS(flag_fields), fs, err, errlen) ||
		    !load_counts(x, at, "check_failures", fs->check_failures, flag->nchecks,
				 err, errlen))
			return false;
		if (fs->step_index > flag->nsteps) {
			snprintf(err, errlen, "%s.step_index: %zu is past the flag's last step",
				 at, fs->step_index);
			return false;
		}
	}
	return true;
}

/* Adds budget b (may be NULL: the rollout has none, saved as null). */
static bool add_budget(cJSON *root, const char *key, const struct eng_budget *b)
{
	if (b == NULL)
		return cJSON_AddNullToObject(root, key) != NULL;
	return eng_json_add_member(root, key, eng_budget_save(b));
}

static bool load_budget(struct eng_budget *b, const cJSON *root, const char *key,
			char *err, size_t errlen)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, key);

	if (b == NULL && cJSON_IsNull(o))
		return true;
	if (b == NULL) {
		snprintf(err, errlen, "%s: the state was saved for another configuration (expected null: this rollout has no such budget)",
			 key);
		return false;
	}
	return eng_budget_restore(b, o, key, err, errlen) == ENG_OK;
}

char *eng_rollout_save(const struct eng_rollout *ro)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char *text = NULL;
	bool ok;

	if (root == NULL)
		return NULL;
	ok = cJSON_AddStringToObject(root, "format", STATE_FORMAT) &&
	     eng_json_add_count(root, "version", STATE_VERSION) &&
	     eng_json_add_count(root, "nsteps", ro->nsteps) &&
	     eng_json_add_count(root, "nchecks", ro->analysis.nchecks) &&
	     eng_json_add_count(root, "ntriggers", ro->ntriggers) &&
	     eng_json_add_count(root, "nsmoke", ro->nsmoke) &&
	     eng_json_add_count(root, "strategy", (size_t)ro->strategy) &&
	     eng_json_add_member(root, "state",
				 eng_fields_object(rollout_fields, NFIELDS(rollout_fields), ro)) &&
	     add_counts(root, "check_failures", ro->check_failures, ro->analysis.nchecks) &&
	     eng_fields_add_array(root, "triggers", trigger_fields, NFIELDS(trigger_fields),
				  ro->trigger_state, sizeof(*ro->trigger_state), ro->ntriggers);
	arr = ok ? cJSON_AddArrayToObject(root, "judges") : NULL;
	for (size_t i = 0; arr != NULL && i < ro->analysis.nchecks; i++)
		if (!add_judge(arr, &ro->msprt[i], &ro->cumulative[i]))
			arr = NULL;
	ok = arr != NULL &&
	     eng_fields_add_array(root, "events", event_fields, NFIELDS(event_fields),
				  ro->log.events, sizeof(*ro->log.events), ro->log.count) &&
	     save_flags(root, ro) && add_budget(root, "budget", ro->budget) &&
	     add_budget(root, "latency_budget", ro->latency_budget);
	if (ok)
		text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (text == NULL)
		return NULL;
	/* hand out memory the caller frees with free(), whatever cJSON uses */
	char *out = malloc(strlen(text) + 1);

	if (out != NULL)
		memcpy(out, text, strlen(text) + 1);
	cJSON_free(text);
	return out;
}

/* While smoke tests run, the place is a test of the configuration and an
 * attempt it allows (1 .. retries + 1); after them, one past the last. */
static bool smoke_place_valid(const struct eng_rollout *ro)
{
	if (!ro->smoking)
		return ro->smoke_index <= ro->nsmoke;
	return ro->smoke_index < ro->nsmoke && ro->smoke_attempt >= 1 &&
	       ro->smoke_attempt - 1 <= ro->smoke[ro->smoke_index].retries;
}

/* The format, the version and the configuration the state was made for. */
static bool load_header(const struct eng_rollout *ro, const cJSON *root,
			char *err, size_t errlen)
{
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");

	if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, STATE_FORMAT) != 0) {
		snprintf(err, errlen, "format: not a rollout state (expected \"%s\")", STATE_FORMAT);
		return false;
	}
	/* each version adds what the one before lost: an older state cannot
	 * be resumed exactly, so it is refused rather than guessed at */
	if (!cJSON_IsNumber(ver) || ver->valuedouble != STATE_VERSION) {
		if (cJSON_IsNumber(ver))
			snprintf(err, errlen, "version: %g is a rollout state this rollsim does not read; expected version %d",
				 ver->valuedouble, STATE_VERSION);
		else
			snprintf(err, errlen, "version: missing or not a number; expected %d", STATE_VERSION);
		return false;
	}
	return eng_json_count_is(root, "", "nsteps", ro->nsteps, err, errlen) &&
	       eng_json_count_is(root, "", "nchecks", ro->analysis.nchecks, err, errlen) &&
	       eng_json_count_is(root, "", "ntriggers", ro->ntriggers, err, errlen) &&
	       eng_json_count_is(root, "", "nsmoke", ro->nsmoke, err, errlen) &&
	       eng_json_count_is(root, "", "strategy", (size_t)ro->strategy, err, errlen);
}

/* The rollout's own fields, and that they stand where its configuration
 * allows. */
static bool load_rollout(struct eng_rollout *ro, const cJSON *root,
			 char *err, size_t errlen)
{
	if (!eng_fields_load(cJSON_GetObjectItemCaseSensitive(root, "state"), "state",
			     rollout_fields, NFIELDS(rollout_fields), ro, err, errlen))
		return false;
	if (ro->step_index > ro->nsteps) {
		snprintf(err, errlen, "state.step_index: %zu is past the last step", ro->step_index);
		return false;
	}
	if (!smoke_place_valid(ro)) {
		snprintf(err, errlen, "state.smoke_index: test %zu, attempt %" PRIu32 " is not a smoke test and attempt of this configuration",
			 ro->smoke_index, ro->smoke_attempt);
		return false;
	}
	if ((unsigned)ro->bg_phase > ENG_BG_POST_PROMOTION ||
	    (ro->strategy == ENG_STRATEGY_CANARY && ro->bg_phase != ENG_BG_NONE)) {
		snprintf(err, errlen, "state.bg_phase: %d is not a stage of this strategy",
			 (int)ro->bg_phase);
		return false;
	}
	return true;
}

static bool load_judges(struct eng_rollout *ro, const cJSON *root, char *err, size_t errlen)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "judges"), *x;
	char at[32];
	size_t i = 0;

	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != ro->analysis.nchecks) {
		snprintf(err, errlen, "judges: expected %zu states", ro->analysis.nchecks);
		return false;
	}
	cJSON_ArrayForEach(x, arr) {
		snprintf(at, sizeof(at), "judges[%zu].msprt", i);
		if (!eng_fields_load(cJSON_GetObjectItemCaseSensitive(x, "msprt"), at, msprt_fields,
				     NFIELDS(msprt_fields), &ro->msprt[i], err, errlen))
			return false;
		snprintf(at, sizeof(at), "judges[%zu].cumulative", i);
		if (!eng_fields_load(cJSON_GetObjectItemCaseSensitive(x, "cumulative"), at,
				     count_fields, NFIELDS(count_fields), &ro->cumulative[i],
				     err, errlen))
			return false;
		i++;
	}
	return true;
}

static bool load_events(struct eng_rollout *ro, const cJSON *root, char *err, size_t errlen)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "events"), *x;
	char at[32];
	size_t i = 0;

	if (!cJSON_IsArray(arr)) {
		snprintf(err, errlen, "events: expected an array");
		return false;
	}
	cJSON_ArrayForEach(x, arr) {
		struct eng_event ev;

		memset(&ev, 0, sizeof(ev));
		snprintf(at, sizeof(at), "events[%zu]", i++);
		if (!eng_fields_load(x, at, event_fields, NFIELDS(event_fields), &ev, err, errlen))
			return false;
		if (eng_event_log_append(&ro->log, &ev) != ENG_OK) {
			snprintf(err, errlen, "out of memory");
			return false;
		}
	}
	return true;
}

static bool load_state(struct eng_rollout *ro, const cJSON *root,
		       char *err, size_t errlen)
{
	return load_header(ro, root, err, errlen) && load_rollout(ro, root, err, errlen) &&
	       load_counts(root, "", "check_failures", ro->check_failures,
			   ro->analysis.nchecks, err, errlen) &&
	       eng_fields_load_array(root, "", "triggers", trigger_fields, NFIELDS(trigger_fields),
				     ro->trigger_state, sizeof(*ro->trigger_state), ro->ntriggers,
				     err, errlen) &&
	       load_judges(ro, root, err, errlen) && load_events(ro, root, err, errlen) &&
	       load_flags(ro, root, err, errlen) &&
	       load_budget(ro->budget, root, "budget", err, errlen) &&
	       load_budget(ro->latency_budget, root, "latency_budget", err, errlen);
}

struct eng_rollout *eng_rollout_restore(const struct eng_rollout_config *cfg,
					const char *text, char *err, size_t errlen)
{
	struct eng_rollout *ro = eng_rollout_create(cfg);
	cJSON *root;

	if (ro == NULL) {
		snprintf(err, errlen, "out of memory, or the configuration is not valid");
		return NULL;
	}
	root = cJSON_Parse(text);
	if (root == NULL) {
		snprintf(err, errlen, "not JSON");
		eng_rollout_free(ro);
		return NULL;
	}
	if (!load_state(ro, root, err, errlen)) {
		cJSON_Delete(root);
		eng_rollout_free(ro);
		return NULL;
	}
	cJSON_Delete(root);
	return ro;
}
