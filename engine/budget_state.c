#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/budget_impl.h"
#include "engine/budget_state.h"
#include "engine/json_fields.h"

#define F ENG_FIELD
#define NFIELDS ENG_NFIELDS

_Static_assert(sizeof(enum eng_gate_state) == sizeof(int), "enum eng_gate_state is an int");

static const struct eng_field budget_fields[] = {
	F(struct eng_budget, fed, BOOL),
	F(struct eng_budget, last_end_ns, I64),
	F(struct eng_budget, gate, ENUM),
};

static const struct eng_field alert_fields[] = {
	F(struct eng_budget_alert_state, firing, BOOL),
	F(struct eng_budget_alert_state, firing_since_ns, I64),
};

static const struct eng_field gate_event_fields[] = {
	F(struct eng_gate_event, t_ns, I64),
	F(struct eng_gate_event, from, ENUM),
	F(struct eng_gate_event, to, ENUM),
	F(struct eng_gate_event, remaining_frac, DOUBLE),
	F(struct eng_gate_event, threshold_frac, DOUBLE),
};

/* A growing text, NUL-ended once anything is in it. */
struct text {
	char *s;                  /* owned */
	size_t len;
	size_t cap;
};

static bool append(struct text *t, const char *piece)
{
	size_t n = strlen(piece), cap = t->cap ? t->cap : 256;
	char *p;

	while (cap < t->len + n + 1)
		cap *= 2;
	if (cap != t->cap) {
		p = realloc(t->s, cap);
		if (p == NULL)
			return false;
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->len, piece, n + 1);
	t->len += n;
	return true;
}

static bool same_counts(const struct eng_budget_slot *a, const struct eng_budget_slot *b)
{
	return a->total == b->total && a->bad == b->bad;
}

/* Adds the windows under "windows", oldest first, as runs [n, total, bad]
 * of n equal consecutive windows: 30 days of 10 s windows are 259,200
 * windows, which before any traffic are a few runs, and at most one run
 * per window of traffic after. The text is built whole and added as one
 * raw value rather than as a cJSON node per number. */
static bool add_windows(cJSON *o, const struct eng_budget *b)
{
	struct text t = { NULL, 0, 0 };
	char buf[80];
	bool ok = append(&t, "[");

	for (size_t i = 0, n; ok && i < b->cap; i += n) {
		const struct eng_budget_slot *w = eng_budget_window(b, i);

		for (n = 1; i + n < b->cap && same_counts(eng_budget_window(b, i + n), w); n++)
			;
		snprintf(buf, sizeof(buf), "%s[%zu,%" PRIu64 ",%" PRIu64 "]", i > 0 ? "," : "",
			 n, w->total, w->bad);
		ok = append(&t, buf);
	}
	ok = ok && append(&t, "]") && eng_json_add_raw(o, "windows", t.s);
	free(t.s);
	return ok;
}

/* Each alert's spell, with its name to tell another configuration. */
static bool add_alerts(cJSON *o, const struct eng_budget *b)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "alerts");

	for (size_t i = 0; arr != NULL && i < b->nalerts; i++) {
		cJSON *x = cJSON_CreateObject();

		if (x == NULL || !cJSON_AddItemToArray(arr, x)) {
			cJSON_Delete(x);
			return false;
		}
		if (cJSON_AddStringToObject(x, "name", b->alerts[i].name) == NULL ||
		    !eng_fields_save(x, alert_fields, NFIELDS(alert_fields), &b->astate[i]))
			return false;
	}
	return arr != NULL;
}

cJSON *eng_budget_save(const struct eng_budget *b)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL && eng_json_add_i64(o, "window_ns", b->window_ns) &&
	    eng_json_add_count(o, "nwindows", b->cap) &&
	    eng_fields_save(o, budget_fields, NFIELDS(budget_fields), b) &&
	    add_windows(o, b) && add_alerts(o, b) &&
	    eng_fields_add_array(o, "gate_events", gate_event_fields, NFIELDS(gate_event_fields),
				 b->events, sizeof(*b->events), b->nevents) != NULL)
		return o;
	cJSON_Delete(o);
	return NULL;
}

/* What a restore reads and checks before anything of the budget changes;
 * the pointers are owned. */
struct loaded {
	struct eng_budget top;    /* a copy of the budget, for fed, last_end_ns, gate */
	struct eng_budget_slot *windows; /* cap, oldest first */
	struct eng_budget_alert_state *astate; /* nalerts */
	struct eng_gate_event *events;
	size_t nevents;
	size_t events_cap;
};

/* Reads one run [n, total, bad] into its counts. */
static bool read_run(const cJSON *run, uint64_t *n, struct eng_budget_slot *w)
{
	return cJSON_IsArray(run) && cJSON_GetArraySize(run) == 3 &&
	       eng_json_whole(cJSON_GetArrayItem(run, 0), n) &&
	       eng_json_whole(cJSON_GetArrayItem(run, 1), &w->total) &&
	       eng_json_whole(cJSON_GetArrayItem(run, 2), &w->bad) &&
	       *n >= 1 && w->bad <= w->total;
}

/* The runs must cover the budget's windows exactly, and their sums fit
 * the 64-bit sums the budget keeps. */
static enum eng_status load_windows(const struct eng_budget *b, const cJSON *o,
				    const char *path, struct loaded *l,
				    char *err, size_t errlen)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "windows"), *run;
	uint64_t n, sum = 0;
	size_t at = 0, i = 0;
	char where[160];

	eng_json_path(where, sizeof(where), path, "windows");
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errlen, "%s: expected an array of runs [windows, total, bad]", where);
		return ENG_EINVAL;
	}
	cJSON_ArrayForEach(run, arr) {
		struct eng_budget_slot w;

		if (!read_run(run, &n, &w) || n > b->cap - at) {
			snprintf(err, errlen, "%s[%zu]: expected [windows, total, bad]: whole numbers, windows from 1, bad <= total, and %zu windows in all",
				 where, i, b->cap);
			return ENG_EINVAL;
		}
		if (w.total > 0 && n > (UINT64_MAX - sum) / w.total) {
			snprintf(err, errlen, "%s[%zu]: the requests add up past 2^64", where, i);
			return ENG_EINVAL;
		}
		sum += n * w.total;
		for (uint64_t k = 0; k < n; k++)
			l->windows[at++] = w;
		i++;
	}
	if (at != b->cap) {
		snprintf(err, errlen, "%s: the runs cover %zu windows; expected %zu", where, at, b->cap);
		return ENG_EINVAL;
	}
	if (!l->top.fed && sum > 0) {
		snprintf(err, errlen, "%s: requests in a budget never fed (fed false)", where);
		return ENG_EINVAL;
	}
	return ENG_OK;
}

/* Each alert is the configured one of its place, and fires since a window
 * fed, or does not fire. */
static enum eng_status load_alerts(const struct eng_budget *b, const cJSON *o,
				   const char *path, struct loaded *l,
				   char *err, size_t errlen)
{
	const cJSON *x;
	char where[160];
	size_t i = 0;

	if (!eng_fields_load_array(o, path, "alerts", alert_fields, NFIELDS(alert_fields),
				   l->astate, sizeof(*l->astate), b->nalerts, err, errlen))
		return ENG_EINVAL;
	eng_json_path(where, sizeof(where), path, "alerts");
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "alerts")) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(x, "name");
		const struct eng_budget_alert_state *a = &l->astate[i];

		if (!cJSON_IsString(name) || strcmp(name->valuestring, b->alerts[i].name) != 0) {
			snprintf(err, errlen, "%s[%zu].name: the state was saved for another configuration (expected \"%s\")",
				 where, i, b->alerts[i].name);
			return ENG_EINVAL;
		}
		if (a->firing ? !l->top.fed || a->firing_since_ns > l->top.last_end_ns ||
				a->firing_since_ns % b->window_ns != 0 :
				a->firing_since_ns != -1) {
			snprintf(err, errlen, "%s[%zu].firing_since_ns: %" PRId64 " does not go with firing %s (-1 when not firing; else a window's end, no later than last_end_ns)",
				 where, i, a->firing_since_ns, a->firing ? "true" : "false");
			return ENG_EINVAL;
		}
		i++;
	}
	return ENG_OK;
}

/* The gate's moves: each from one state to another, the last to the gate
 * as it stands. */
static enum eng_status load_gate_events(const cJSON *o, const char *path, struct loaded *l,
					char *err, size_t errlen)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "gate_events");
	char where[160];

	eng_json_path(where, sizeof(where), path, "gate_events");
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errlen, "%s: expected an array", where);
		return ENG_EINVAL;
	}
	l->nevents = (size_t)cJSON_GetArraySize(arr);
	l->events_cap = l->nevents > ENG_BUDGET_EVENTS_INITIAL_CAP ? l->nevents :
			ENG_BUDGET_EVENTS_INITIAL_CAP;
	l->events = calloc(l->events_cap, sizeof(*l->events));
	if (l->events == NULL) {
		snprintf(err, errlen, "out of memory");
		return ENG_ENOMEM;
	}
	if (!eng_fields_load_array(o, path, "gate_events", gate_event_fields,
				   NFIELDS(gate_event_fields), l->events, sizeof(*l->events),
				   l->nevents, err, errlen))
		return ENG_EINVAL;
	for (size_t i = 0; i < l->nevents; i++) {
		const struct eng_gate_event *ev = &l->events[i];
		enum eng_gate_state after = i + 1 < l->nevents ? l->events[i + 1].from : l->top.gate;

		if ((unsigned)ev->from > ENG_GATE_CLOSED || (unsigned)ev->to > ENG_GATE_CLOSED ||
		    ev->from == ev->to || ev->to != after) {
			snprintf(err, errlen, "%s[%zu]: expected a move between two gate states (0 open .. 3 closed), from where the one before left the gate, and the last to the gate",
				 where, i);
			return ENG_EINVAL;
		}
	}
	return ENG_OK;
}

/* Reads o into l, checking it against b; l's pointers must be NULL. */
static enum eng_status load(const struct eng_budget *b, const cJSON *o, const char *path,
			    struct loaded *l, char *err, size_t errlen)
{
	enum eng_status st;
	char where[160];

	if (!cJSON_IsObject(o)) {
		snprintf(err, errlen, "%s: missing or not an object; expected a budget's state", path);
		return ENG_EINVAL;
	}
	if (!eng_json_count_is(o, path, "window_ns", (size_t)b->window_ns, err, errlen) ||
	    !eng_json_count_is(o, path, "nwindows", b->cap, err, errlen))
		return ENG_EINVAL;
	l->top = *b;
	if (!eng_fields_load(o, path, budget_fields, NFIELDS(budget_fields), &l->top, err, errlen))
		return ENG_EINVAL;
	/* every window fed ends on one grid, that of the history's window
	 * (engine/rollout.c), and the next must follow on it */
	if (l->top.fed && l->top.last_end_ns % b->window_ns != 0) {
		eng_json_path(where, sizeof(where), path, "last_end_ns");
		snprintf(err, errlen, "%s: %" PRId64 " is not the end of a window (a multiple of window_ns %" PRId64 ")",
			 where, l->top.last_end_ns, b->window_ns);
		return ENG_EINVAL;
	}
	if ((unsigned)l->top.gate > ENG_GATE_CLOSED) {
		eng_json_path(where, sizeof(where), path, "gate");
		snprintf(err, errlen, "%s: %d is not a gate state (0 open .. 3 closed)", where,
			 (int)l->top.gate);
		return ENG_EINVAL;
	}
	l->windows = calloc(b->cap, sizeof(*l->windows));
	l->astate = calloc(b->nalerts > 0 ? b->nalerts : 1, sizeof(*l->astate));
	if (l->windows == NULL || l->astate == NULL) {
		snprintf(err, errlen, "out of memory");
		return ENG_ENOMEM;
	}
	st = load_windows(b, o, path, l, err, errlen);
	if (st == ENG_OK)
		st = load_alerts(b, o, path, l, err, errlen);
	if (st == ENG_OK)
		st = load_gate_events(o, path, l, err, errlen);
	return st;
}

enum eng_status eng_budget_restore(struct eng_budget *b, const cJSON *o, const char *path,
				   char *err, size_t errlen)
{
	struct loaded l = { .windows = NULL, .astate = NULL, .events = NULL };
	enum eng_status st = load(b, o, path, &l, err, errlen);

	if (st == ENG_OK) {
		eng_budget_set_windows(b, l.windows);
		if (b->nalerts > 0)
			memcpy(b->astate, l.astate, b->nalerts * sizeof(*b->astate));
		b->fed = l.top.fed;
		b->last_end_ns = l.top.last_end_ns;
		b->gate = l.top.gate;
		free(b->events);
		b->events = l.events;
		b->nevents = l.nevents;
		b->events_cap = l.events_cap;
		l.events = NULL;
	}
	free(l.events);
	free(l.astate);
	free(l.windows);
	return st;
}
