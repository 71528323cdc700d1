#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/rollout_impl.h"
#include "engine/state.h"

#define STATE_FORMAT "rollsim-rollout-state"
#define STATE_VERSION 6 /* 2: the blue-green stages and mirroring; 3: aborted;
			    4: the sequential judges' counts; 5: flags;
			    6: the smoke tests' place, flags_moved */

enum kind { K_I64, K_U32, K_SIZE, K_BOOL, K_DOUBLE, K_ENUM, K_STR };

/* One saved field: its name, type, place and (for strings) size. */
struct field {
	const char *name;
	enum kind kind;
	size_t offset;
	size_t size;
};

#define F(type, name, kind) { #name, kind, offsetof(type, name), sizeof(((type *)0)->name) }

static const struct field rollout_fields[] = {
	F(struct eng_rollout, outcome, K_ENUM),
	F(struct eng_rollout, started, K_BOOL),
	F(struct eng_rollout, aborted, K_BOOL),
	F(struct eng_rollout, start_ns, K_I64),
	F(struct eng_rollout, decision_ns, K_I64),
	F(struct eng_rollout, step_index, K_SIZE),
	F(struct eng_rollout, pause_end_ns, K_I64),
	F(struct eng_rollout, weight_pct, K_DOUBLE),
	F(struct eng_rollout, analysing, K_BOOL),
	F(struct eng_rollout, held, K_BOOL),
	F(struct eng_rollout, next_check_ns, K_I64),
	F(struct eng_rollout, failures, K_U32),
	F(struct eng_rollout, consecutive_failures, K_U32),
	F(struct eng_rollout, consecutive_errors, K_U32),
	F(struct eng_rollout, consecutive_passes, K_U32),
	F(struct eng_rollout, inconclusives, K_U32),
	F(struct eng_rollout, last_pass_ns, K_I64),
	F(struct eng_rollout, step_start_ns, K_I64),
	F(struct eng_rollout, waiting, K_BOOL),
	F(struct eng_rollout, approved, K_BOOL),
	F(struct eng_rollout, last_change_ns, K_I64),
	F(struct eng_rollout, draining, K_BOOL),
	F(struct eng_rollout, next_drain_ns, K_I64),
	F(struct eng_rollout, bg_phase, K_ENUM),
	F(struct eng_rollout, bg_since_ns, K_I64),
	F(struct eng_rollout, bg_due_ns, K_I64),
	F(struct eng_rollout, bg_passes, K_U32),
	F(struct eng_rollout, bg_post_passed, K_BOOL),
	F(struct eng_rollout, bg_ready_frac, K_DOUBLE),
	F(struct eng_rollout, mirror_pct, K_DOUBLE),
	F(struct eng_rollout, flags_moved, K_BOOL),
	F(struct eng_rollout, smoking, K_BOOL),
	F(struct eng_rollout, smoke_index, K_SIZE),
	F(struct eng_rollout, smoke_attempt, K_U32),
};

static const struct field event_fields[] = {
	F(struct eng_event, t_ns, K_I64),
	F(struct eng_event, rule, K_ENUM),
	F(struct eng_event, result, K_ENUM),
	F(struct eng_event, action, K_ENUM),
	F(struct eng_event, check, K_STR),
	F(struct eng_event, metric, K_STR),
	F(struct eng_event, bound, K_ENUM),
	F(struct eng_event, observed, K_DOUBLE),
	F(struct eng_event, threshold, K_DOUBLE),
	F(struct eng_event, canary_value, K_DOUBLE),
	F(struct eng_event, baseline, K_DOUBLE),
	F(struct eng_event, samples, K_I64),
	F(struct eng_event, min_samples, K_I64),
	F(struct eng_event, failures, K_U32),
	F(struct eng_event, failure_limit, K_U32),
	F(struct eng_event, step_index, K_U32),
	F(struct eng_event, weight_pct, K_DOUBLE),
	F(struct eng_event, duration_ns, K_I64),
	F(struct eng_event, detail, K_STR),
	F(struct eng_event, flag, K_STR),
};

static const struct field flag_fields[] = {
	F(struct eng_flag_state, step_index, K_SIZE),
	F(struct eng_flag_state, pause_end_ns, K_I64),
	F(struct eng_flag_state, pct, K_DOUBLE),
	F(struct eng_flag_state, analysing, K_BOOL),
	F(struct eng_flag_state, next_check_ns, K_I64),
	F(struct eng_flag_state, first_on_ns, K_I64),
	F(struct eng_flag_state, decision_ns, K_I64),
	F(struct eng_flag_state, outcome, K_ENUM),
	F(struct eng_flag_state, failures, K_U32),
};

/* A check's sequential judge and the counts since the analysis began. */
static const struct field msprt_fields[] = {
	F(struct eng_msprt_state, p, K_DOUBLE),
	F(struct eng_msprt_state, looks, K_I64),
	F(struct eng_msprt_state, last.canary_errors, K_I64),
	F(struct eng_msprt_state, last.canary_requests, K_I64),
	F(struct eng_msprt_state, last.baseline_errors, K_I64),
	F(struct eng_msprt_state, last.baseline_requests, K_I64),
};

static const struct field count_fields[] = {
	F(struct eng_error_counts, canary_errors, K_I64),
	F(struct eng_error_counts, canary_requests, K_I64),
	F(struct eng_error_counts, baseline_errors, K_I64),
	F(struct eng_error_counts, baseline_requests, K_I64),
};

static const struct field trigger_fields[] = {
	F(struct eng_trigger_state, holding, K_BOOL),
	F(struct eng_trigger_state, since_ns, K_I64),
};

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* Enums are saved and read through an int. */
_Static_assert(sizeof(enum eng_outcome) == sizeof(int), "enum eng_outcome is an int");
_Static_assert(sizeof(enum eng_bg_phase) == sizeof(int), "enum eng_bg_phase is an int");
_Static_assert(sizeof(enum eng_rule) == sizeof(int), "enum eng_rule is an int");
_Static_assert(sizeof(enum eng_result) == sizeof(int), "enum eng_result is an int");
_Static_assert(sizeof(enum eng_decision) == sizeof(int), "enum eng_decision is an int");
_Static_assert(sizeof(enum eng_bound) == sizeof(int), "enum eng_bound is an int");
_Static_assert(sizeof(uint64_t) == sizeof(int64_t), "counts are saved as int64");

/* Adds a number as exact text: cJSON's own printing may round a double to
 * 15 digits; %.17g and whole-number text read back to the same value. */
static bool add_raw(cJSON *o, const char *key, const char *fmt_text)
{
	return cJSON_AddRawToObject(o, key, fmt_text) != NULL;
}

static bool save_field(cJSON *o, const struct field *f, const void *base)
{
	const char *p = (const char *)base + f->offset;
	char buf[64];
	int64_t i64;
	uint32_t u32;
	size_t sz;
	int en;
	bool b;
	double d;

	switch (f->kind) {
	case K_I64:
		memcpy(&i64, p, sizeof(i64));
		snprintf(buf, sizeof(buf), "%" PRId64, i64);
		return add_raw(o, f->name, buf);
	case K_U32:
		memcpy(&u32, p, sizeof(u32));
		snprintf(buf, sizeof(buf), "%" PRIu32, u32);
		return add_raw(o, f->name, buf);
	case K_SIZE:
		memcpy(&sz, p, sizeof(sz));
		snprintf(buf, sizeof(buf), "%zu", sz);
		return add_raw(o, f->name, buf);
	case K_ENUM:
		memcpy(&en, p, sizeof(en));
		snprintf(buf, sizeof(buf), "%d", en);
		return add_raw(o, f->name, buf);
	case K_BOOL:
		memcpy(&b, p, sizeof(b));
		return cJSON_AddBoolToObject(o, f->name, b) != NULL;
	case K_DOUBLE:
		memcpy(&d, p, sizeof(d));
		if (isnan(d))
			return cJSON_AddNullToObject(o, f->name) != NULL;
		if (isinf(d))
			return cJSON_AddStringToObject(o, f->name, d > 0 ? "inf" : "-inf") != NULL;
		snprintf(buf, sizeof(buf), "%.17g", d);
		return add_raw(o, f->name, buf);
	case K_STR:
		return cJSON_AddStringToObject(o, f->name, p) != NULL;
	}
	return false;
}

static cJSON *save_object(const struct field *fields, size_t n, const void *base)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; o != NULL && i < n; i++) {
		if (!save_field(o, &fields[i], base)) {
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

static bool add_count(cJSON *o, const char *key, size_t n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%zu", n);
	return add_raw(o, key, buf);
}

/* Adds one check's judge state to arr as {"msprt": ..., "cumulative": ...};
 * false when out of memory (what was added belongs to arr). */
static bool add_member(cJSON *o, const char *key, cJSON *item)
{
	if (item != NULL && cJSON_AddItemToObject(o, key, item))
		return true;
	cJSON_Delete(item);
	return false;
}

static bool add_judge(cJSON *arr, const struct eng_msprt_state *m,
		      const struct eng_error_counts *c)
{
	cJSON *x = cJSON_CreateObject();

	if (x == NULL || !cJSON_AddItemToArray(arr, x)) {
		cJSON_Delete(x);
		return false;
	}
	return add_member(x, "msprt", save_object(msprt_fields, NFIELDS(msprt_fields), m)) &&
	       add_member(x, "cumulative", save_object(count_fields, NFIELDS(count_fields), c));
}

static bool load_object(const cJSON *o, const struct field *fields, size_t n,
			void *base, char *err, size_t errlen);

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

/* The flags strategy's flags, each with its checks' failure counts. */
static bool save_flags(cJSON *root, const struct eng_rollout *ro)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "flags");

	for (size_t i = 0; arr != NULL && i < eng_rollout_nflags(ro); i++) {
		cJSON *x = save_object(flag_fields, NFIELDS(flag_fields), &ro->flag_state[i]);

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

	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != n) {
		snprintf(err, errlen, "flags: expected %zu flag states", n);
		return false;
	}
	cJSON_ArrayForEach(x, arr) {
		struct eng_flag_state *fs = &ro->flag_state[i];
		size_t nchecks = ro->flags->flag[i++].nchecks, k = 0;
		const cJSON *cf, *c;

		if (!load_object(x, flag_fields, NFIELDS(flag_fields), fs, err, errlen))
			return false;
		cf = cJSON_GetObjectItemCaseSensitive(x, "check_failures");
		if (!cJSON_IsArray(cf) || (size_t)cJSON_GetArraySize(cf) != nchecks ||
		    fs->step_index > ro->flags->flag[i - 1].nsteps) {
			snprintf(err, errlen, "flags[%zu]: expected %zu check counts and a step in range",
				 i - 1, nchecks);
			return false;
		}
		cJSON_ArrayForEach(c, cf)
			fs->check_failures[k++] = cJSON_IsNumber(c) ? (uint32_t)c->valuedouble : 0;
	}
	return true;
}

char *eng_rollout_save(const struct eng_rollout *ro)
{
	cJSON *root = cJSON_CreateObject(), *arr, *x;
	char *text = NULL, buf[16];
	bool ok;

	if (root == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%d", STATE_VERSION);
	ok = cJSON_AddStringToObject(root, "format", STATE_FORMAT) &&
	     add_raw(root, "version", buf) && add_count(root, "nsteps", ro->nsteps) &&
	     add_count(root, "nchecks", ro->analysis.nchecks) &&
	     add_count(root, "ntriggers", ro->ntriggers) &&
	     add_count(root, "nsmoke", ro->nsmoke) &&
	     add_count(root, "strategy", (size_t)ro->strategy);
	x = ok ? save_object(rollout_fields, NFIELDS(rollout_fields), ro) : NULL;
	ok = x != NULL && cJSON_AddItemToObject(root, "state", x);
	arr = ok ? cJSON_AddArrayToObject(root, "check_failures") : NULL;
	for (size_t i = 0; arr != NULL && i < ro->analysis.nchecks; i++) {
		snprintf(buf, sizeof(buf), "%" PRIu32, ro->check_failures[i]);
		x = cJSON_CreateRaw(buf);
		if (x == NULL || !cJSON_AddItemToArray(arr, x))
			arr = NULL;
	}
	ok = arr != NULL;
	arr = ok ? cJSON_AddArrayToObject(root, "triggers") : NULL;
	for (size_t i = 0; arr != NULL && i < ro->ntriggers; i++) {
		x = save_object(trigger_fields, NFIELDS(trigger_fields), &ro->trigger_state[i]);
		if (x == NULL || !cJSON_AddItemToArray(arr, x))
			arr = NULL;
	}
	ok = arr != NULL;
	arr = ok ? cJSON_AddArrayToObject(root, "judges") : NULL;
	for (size_t i = 0; arr != NULL && i < ro->analysis.nchecks; i++)
		if (!add_judge(arr, &ro->msprt[i], &ro->cumulative[i]))
			arr = NULL;
	ok = arr != NULL;
	arr = ok ? cJSON_AddArrayToObject(root, "events") : NULL;
	for (size_t i = 0; arr != NULL && i < ro->log.count; i++) {
		x = save_object(event_fields, NFIELDS(event_fields), &ro->log.events[i]);
		if (x == NULL || !cJSON_AddItemToArray(arr, x))
			arr = NULL;
	}
	if (arr != NULL && save_flags(root, ro))
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

/* Reads field f of object o into base; false (with err) when it is missing
 * or of the wrong type. */
static bool load_field(const cJSON *o, const struct field *f, void *base,
		       char *err, size_t errlen)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, f->name);
	char *p = (char *)base + f->offset;
	double d;

	if (j == NULL)
		goto bad;
	switch (f->kind) {
	case K_BOOL: {
		bool b = cJSON_IsTrue(j);

		if (!cJSON_IsBool(j))
			goto bad;
		memcpy(p, &b, sizeof(b));
		return true;
	}
	case K_STR:
		if (!cJSON_IsString(j) || strlen(j->valuestring) >= f->size)
			goto bad;
		snprintf(p, f->size, "%s", j->valuestring);
		return true;
	case K_DOUBLE:
		if (cJSON_IsNull(j))
			d = NAN;
		else if (cJSON_IsString(j) && strcmp(j->valuestring, "inf") == 0)
			d = INFINITY;
		else if (cJSON_IsString(j) && strcmp(j->valuestring, "-inf") == 0)
			d = -INFINITY;
		else if (cJSON_IsNumber(j))
			d = j->valuedouble;
		else
			goto bad;
		memcpy(p, &d, sizeof(d));
		return true;
	case K_I64:
	case K_U32:
	case K_SIZE:
	case K_ENUM:
		/* whole numbers up to 2^53 read back exactly: 104 days in ns */
		if (!cJSON_IsNumber(j) || j->valuedouble != floor(j->valuedouble) ||
		    fabs(j->valuedouble) > 9007199254740992.0)
			goto bad;
		d = j->valuedouble;
		if (f->kind == K_I64) {
			int64_t v = (int64_t)d;

			memcpy(p, &v, sizeof(v));
		} else if (f->kind == K_U32) {
			uint32_t v = (uint32_t)d;

			memcpy(p, &v, sizeof(v));
		} else if (f->kind == K_SIZE) {
			size_t v = (size_t)d;

			memcpy(p, &v, sizeof(v));
		} else {
			int v = (int)d;

			memcpy(p, &v, sizeof(v));
		}
		return true;
	}
bad:
	snprintf(err, errlen, "%s: missing or of the wrong type", f->name);
	return false;
}

static bool load_object(const cJSON *o, const struct field *fields, size_t n,
			void *base, char *err, size_t errlen)
{
	if (!cJSON_IsObject(o)) {
		snprintf(err, errlen, "expected an object");
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (!load_field(o, &fields[i], base, err, errlen))
			return false;
	return true;
}

static bool count_is(const cJSON *root, const char *key, size_t want,
		     char *err, size_t errlen)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, key);

	if (cJSON_IsNumber(j) && j->valuedouble == (double)want)
		return true;
	snprintf(err, errlen, "%s: the state was saved for another configuration (expected %zu)",
		 key, want);
	return false;
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

static bool load_state(struct eng_rollout *ro, const cJSON *root,
		       char *err, size_t errlen)
{
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
	const cJSON *arr, *x;
	size_t i = 0, n;

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
	if (!count_is(root, "nsteps", ro->nsteps, err, errlen) ||
	    !count_is(root, "nchecks", ro->analysis.nchecks, err, errlen) ||
	    !count_is(root, "ntriggers", ro->ntriggers, err, errlen) ||
	    !count_is(root, "nsmoke", ro->nsmoke, err, errlen) ||
	    !count_is(root, "strategy", (size_t)ro->strategy, err, errlen) ||
	    !load_object(cJSON_GetObjectItemCaseSensitive(root, "state"), rollout_fields,
			 NFIELDS(rollout_fields), ro, err, errlen))
		return false;
	if (ro->step_index > ro->nsteps) {
		snprintf(err, errlen, "step_index: %zu is past the last step", ro->step_index);
		return false;
	}
	if (!smoke_place_valid(ro)) {
		snprintf(err, errlen, "smoke_index: test %zu, attempt %" PRIu32 " is not a smoke test and attempt of this configuration",
			 ro->smoke_index, ro->smoke_attempt);
		return false;
	}
	if ((unsigned)ro->bg_phase > ENG_BG_POST_PROMOTION ||
	    (ro->strategy == ENG_STRATEGY_CANARY && ro->bg_phase != ENG_BG_NONE)) {
		snprintf(err, errlen, "bg_phase: %d is not a stage of this strategy",
			 (int)ro->bg_phase);
		return false;
	}
	arr = cJSON_GetObjectItemCaseSensitive(root, "check_failures");
	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != ro->analysis.nchecks) {
		snprintf(err, errlen, "check_failures: expected %zu counts", ro->analysis.nchecks);
		return false;
	}
	cJSON_ArrayForEach(x, arr)
		ro->check_failures[i++] = cJSON_IsNumber(x) ? (uint32_t)x->valuedouble : 0;
	arr = cJSON_GetObjectItemCaseSensitive(root, "triggers");
	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != ro->ntriggers) {
		snprintf(err, errlen, "triggers: expected %zu states", ro->ntriggers);
		return false;
	}
	i = 0;
	cJSON_ArrayForEach(x, arr)
		if (!load_object(x, trigger_fields, NFIELDS(trigger_fields),
				 &ro->trigger_state[i++], err, errlen))
			return false;
	arr = cJSON_GetObjectItemCaseSensitive(root, "judges");
	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != ro->analysis.nchecks) {
		snprintf(err, errlen, "judges: expected %zu states", ro->analysis.nchecks);
		return false;
	}
	i = 0;
	cJSON_ArrayForEach(x, arr) {
		if (!load_object(cJSON_GetObjectItemCaseSensitive(x, "msprt"), msprt_fields,
				 NFIELDS(msprt_fields), &ro->msprt[i], err, errlen) ||
		    !load_object(cJSON_GetObjectItemCaseSensitive(x, "cumulative"), count_fields,
				 NFIELDS(count_fields), &ro->cumulative[i], err, errlen))
			return false;
		i++;
	}
	arr = cJSON_GetObjectItemCaseSensitive(root, "events");
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errlen, "events: expected an array");
		return false;
	}
	n = (size_t)cJSON_GetArraySize(arr);
	cJSON_ArrayForEach(x, arr) {
		struct eng_event ev;

		memset(&ev, 0, sizeof(ev));
		if (!load_object(x, event_fields, NFIELDS(event_fields), &ev, err, errlen))
			return false;
		if (eng_event_log_append(&ro->log, &ev) != ENG_OK) {
			snprintf(err, errlen, "out of memory");
			return false;
		}
	}
	(void)n;
	return load_flags(ro, root, err, errlen);
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
