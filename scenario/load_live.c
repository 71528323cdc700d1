/* The scenario's "live" block: how rollsim live reaches the real world
 * (docs/live.md). Every problem is reported with its JSON path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/spawn.h"
#include "scenario/load.h"

#define DEFAULT_CALL_TIMEOUT_S 5.0
#define DEFAULT_PROBE_TIMEOUT_S 2.0
#define DEFAULT_PROBE_INTERVAL_S 5.0
#define DEFAULT_WEIGHT_TOTAL 100
#define DEFAULT_APPROVE_INTERVAL_S 5.0

void live_config_defaults(struct live_config *c)
{
	memset(c, 0, sizeof(*c));
	c->source = LIVE_SOURCE_HAPROXY;
	c->actuator = LIVE_ACT_HAPROXY;
	c->weight_total = DEFAULT_WEIGHT_TOTAL;
	c->call_timeout_ns = scn_s_to_ns(DEFAULT_CALL_TIMEOUT_S);
	c->on_signal = LIVE_SIGNAL_ROLLBACK;
	c->on_resume = LIVE_RESUME_CONTINUE;
	c->approve_interval_ns = scn_s_to_ns(DEFAULT_APPROVE_INTERVAL_S);
	snprintf(c->prom_version[ENG_STABLE], LIVE_NAME_MAX, "stable");
	snprintf(c->prom_version[ENG_CANARY], LIVE_NAME_MAX, "canary");
}

/* Copies obj.key (a string of 1..n-1 bytes) into buf. */
static void get_text(struct scn_reader *r, const cJSON *obj, const char *path,
		     const char *key, bool required, char *buf, size_t n)
{
	const char *str = NULL;
	char p[SCN_PATH_MAX];

	if (!scn_get_string(r, obj, path, key, required, &str) || str == NULL)
		return;
	scn_path_key(p, sizeof(p), path, key);
	if (str[0] == '\0' || strlen(str) >= n)
		scn_report(r, p, "\"%s\" has %zu bytes; expected 1..%zu", str, strlen(str), n - 1);
	else
		memcpy(buf, str, strlen(str) + 1);
}

/* A copy of str owned by s; NULL when out of memory (s->oom is set). */
static const char *own_text(struct scn_scenario *s, const char *str)
{
	size_t n = strlen(str) + 1;
	char *p = scn_own(s, malloc(n));

	if (p != NULL)
		memcpy(p, str, n);
	return p;
}

/* Checks that str's placeholders are among keys (n of them). */
static void check_placeholders(struct scn_reader *r, const char *path, const char *str,
			       const char *const *keys, size_t n)
{
	char bad[64], names[256] = "";
	int u = live_argv_unknown(str, keys, n, bad, sizeof(bad));

	if (u == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names);

		snprintf(names + len, sizeof(names) - len, "%s{%s}", i ? ", " : "", keys[i]);
	}
	scn_report(r, path, "unknown placeholder %s; expected one of %s", bad, names);
}

/* obj.key, an array of 1..LIVE_MAX_ARGS strings, into *out (copies owned
 * by s), each word's placeholders among keys. */
static void get_argv(struct scn_reader *r, const cJSON *obj, const char *path,
		     const char *key, bool required, const char *const *keys, size_t nkeys,
		     struct scn_scenario *s, struct live_argv *out)
{
	const cJSON *arr = scn_get_array(r, obj, path, key, required);
	char p[SCN_PATH_MAX], q[SCN_PATH_MAX];
	const char **words;
	size_t n, i = 0;
	const cJSON *e;

	if (arr == NULL)
		return;
	scn_path_key(p, sizeof(p), path, key);
	n = (size_t)cJSON_GetArraySize(arr);
	if (n == 0 || n > LIVE_MAX_ARGS) {
		scn_report(r, p, "%zu words; expected 1..%d (the program, then its arguments)",
			   n, LIVE_MAX_ARGS);
		return;
	}
	words = scn_own(s, calloc(n, sizeof(*words)));
	if (words == NULL)
		return;
	cJSON_ArrayForEach(e, arr) {
		scn_path_index(q, sizeof(q), p, i);
		if (!cJSON_IsString(e)) {
			scn_report(r, q, "found %s, expected a string", scn_json_type_name(e));
			return;
		}
		if (i == 0 && e->valuestring[0] == '\0') {
			scn_report(r, q, "empty; expected the program to run");
			return;
		}
		check_placeholders(r, q, e->valuestring, keys, nkeys);
		words[i] = own_text(s, e->valuestring);
		if (words[i] == NULL)
			return;
		i++;
	}
	out->argv = words;
	out->argc = n;
}

static void get_seconds(struct scn_reader *r, const cJSON *obj, const char *path,
			const char *key, bool required, struct scn_range range, int64_t *ns)
{
	double v = (double)*ns / 1e9;

	if (scn_get_number(r, obj, path, key, required, range, &v))
		*ns = scn_s_to_ns(v);
}

static void load_haproxy(struct scn_reader *r, const cJSON *obj, struct live_config *c)
{
	static const char *const keys[] = {
		"socket", "address", "stats_url", "backend", "servers", "weight_total", NULL
	};
	static const char *const server_keys[] = { "stable", "canary", NULL };
	const char *addr = NULL;
	const cJSON *sv;
	uint64_t total = c->weight_total;

	scn_check_keys(r, obj, "live.haproxy", keys);
	get_text(r, obj, "live.haproxy", "socket", false, c->haproxy.socket,
		 sizeof(c->haproxy.socket));
	if (scn_get_string(r, obj, "live.haproxy", "address", false, &addr) && addr != NULL) {
		const char *colon = strrchr(addr, ':');
		unsigned long port = 0;
		bool digits = colon != NULL && colon[1] != '\0';

		for (const char *p = colon ? colon + 1 : ""; *p != '\0' && digits; p++) {
			digits = *p >= '0' && *p <= '9';
			port = port * 10 + (unsigned long)(*p - '0');
			if (port > 65535)
				digits = false;
		}
		if (colon == NULL || colon == addr || !digits || port == 0 ||
		    (size_t)(colon - addr) >= LIVE_NAME_MAX)
			scn_report(r, "live.haproxy.address", "\"%s\" is not HOST:PORT; expected, e.g., \"127.0.0.1:9999\"",
				   addr);
		else {
			snprintf(c->haproxy.host, sizeof(c->haproxy.host), "%.*s",
				 (int)(colon - addr), addr);
			c->haproxy.port = (uint16_t)port;
		}
	}
	get_text(r, obj, "live.haproxy", "stats_url", false, c->stats_url, sizeof(c->stats_url));
	if (c->stats_url[0] != '\0' && strncmp(c->stats_url, "http://", 7) != 0 &&
	    strncmp(c->stats_url, "https://", 8) != 0)
		scn_report(r, "live.haproxy.stats_url", "\"%s\"; expected an http:// or https:// URL of the stats page's CSV, such as \"http://127.0.0.1:8404/stats;csv\"",
			   c->stats_url);
	/* the runtime API: for the actuator, and for show stat without a
	 * stats page */
	if (c->haproxy.socket[0] != '\0' && addr != NULL)
		scn_report(r, "live.haproxy", "both \"socket\" and \"address\"; expected one of them (the runtime API)");
	else if (c->haproxy.socket[0] == '\0' && addr == NULL &&
		 (c->actuator == LIVE_ACT_HAPROXY || c->stats_url[0] == '\0'))
		scn_report(r, "live.haproxy", "expected exactly one of \"socket\" (a Unix socket path) and \"address\" (HOST:PORT) of the runtime API%s",
			   c->actuator == LIVE_ACT_HAPROXY ? ", which sets the weights"
							    : " (or \"stats_url\", the stats page's CSV)");
	get_text(r, obj, "live.haproxy", "backend", true, c->backend, sizeof(c->backend));
	sv = scn_get_object(r, obj, "live.haproxy", "servers", true);
	if (sv != NULL) {
		scn_check_keys(r, sv, "live.haproxy.servers", server_keys);
		get_text(r, sv, "live.haproxy.servers", "stable", true, c->server[ENG_STABLE],
			 LIVE_NAME_MAX);
		get_text(r, sv, "live.haproxy.servers", "canary", true, c->server[ENG_CANARY],
			 LIVE_NAME_MAX);
		if (c->server[ENG_STABLE][0] != '\0' &&
		    strcmp(c->server[ENG_STABLE], c->server[ENG_CANARY]) == 0)
			scn_report(r, "live.haproxy.servers", "both versions are server \"%s\"; expected two servers",
				   c->server[ENG_STABLE]);
	}
	if (scn_get_uint(r, obj, "live.haproxy", "weight_total", false, 1, 256, &total))
		c->weight_total = (uint32_t)total;
	c->has_haproxy = true;
}

static void load_prometheus(struct scn_reader *r, const cJSON *obj, struct scn_scenario *s,
			    struct live_config *c)
{
	static const char *const keys[] = { "url", "versions", "queries", NULL };
	static const char *const version_keys[] = { "stable", "canary", NULL };
	static const char *const ph[] = { "version", "window" };
	const cJSON *j, *q;

	scn_check_keys(r, obj, "live.prometheus", keys);
	get_text(r, obj, "live.prometheus", "url", true, c->prom_url, sizeof(c->prom_url));
	if (c->prom_url[0] != '\0' && strncmp(c->prom_url, "http://", 7) != 0 &&
	    strncmp(c->prom_url, "https://", 8) != 0)
		scn_report(r, "live.prometheus.url", "\"%s\"; expected an http:// or https:// URL",
			   c->prom_url);
	j = scn_get_object(r, obj, "live.prometheus", "versions", false);
	if (j != NULL) {
		scn_check_keys(r, j, "live.prometheus.versions", version_keys);
		get_text(r, j, "live.prometheus.versions", "stable", false,
			 c->prom_version[ENG_STABLE], LIVE_NAME_MAX);
		get_text(r, j, "live.prometheus.versions", "canary", false,
			 c->prom_version[ENG_CANARY], LIVE_NAME_MAX);
	}
	j = scn_get_object(r, obj, "live.prometheus", "queries", true);
	if (j == NULL)
		return;
	cJSON_ArrayForEach(q, j) {
		char p[SCN_PATH_MAX];
		enum replay_field f;

		scn_path_key(p, sizeof(p), "live.prometheus.queries", q->string);
		if (!replay_field_parse(q->string, &f)) {
			const char *near = replay_field_suggest(q->string, NULL);
			char names[400];

			replay_field_names(names, sizeof(names));
			if (near != NULL)
				scn_report(r, p, "unknown metric '%s'; did you mean '%s'?", q->string, near);
			else
				scn_report(r, p, "unknown metric '%s'; expected one of: %s", q->string,
					   names);
			continue;
		}
		if (!cJSON_IsString(q) || q->valuestring[0] == '\0') {
			scn_report(r, p, "found %s, expected a PromQL query (a non-empty string)",
				   cJSON_IsString(q) ? "an empty string" : scn_json_type_name(q));
			continue;
		}
		check_placeholders(r, p, q->valuestring, ph, 2);
		c->prom_query[f] = own_text(s, q->valuestring);
	}
	if (!cJSON_HasObjectItem(j, "requests"))
		scn_report(r, "live.prometheus.queries", "no \"requests\" query; expected one (the requests of a version in a window, e.g. sum(increase(http_requests_total{version=\\\"{version}\\\"}[{window}])))");
	if (!cJSON_HasObjectItem(j, "errors") && !cJSON_HasObjectItem(j, "error_rate"))
		scn_report(r, "live.prometheus.queries", "neither an \"errors\" nor an \"error_rate\" query; expected one of them");
}

static void load_probes(struct scn_reader *r, const cJSON *arr, struct live_config *c)
{
	static const char *const keys[] = {
		"name", "url", "version", "expect_status", "timeout_s", "interval_s", NULL
	};
	static const char *const versions[] = { "stable", "canary", "none", NULL };
	const cJSON *e;
	size_t i = 0;

	if ((size_t)cJSON_GetArraySize(arr) > LIVE_MAX_PROBES) {
		scn_report(r, "live.probes", "%d probes; expected at most %d",
			   cJSON_GetArraySize(arr), LIVE_MAX_PROBES);
		return;
	}
	cJSON_ArrayForEach(e, arr) {
		struct live_probe *p = &c->probes[i];
		char path[SCN_PATH_MAX];
		size_t v = 2;
		uint64_t status = 200;

		scn_path_index(path, sizeof(path), "live.probes", i);
		p->timeout_ns = scn_s_to_ns(DEFAULT_PROBE_TIMEOUT_S);
		p->interval_ns = scn_s_to_ns(DEFAULT_PROBE_INTERVAL_S);
		if (!cJSON_IsObject(e)) {
			scn_report(r, path, "found %s, expected an object", scn_json_type_name(e));
			i++;
			continue;
		}
		scn_check_keys(r, e, path, keys);
		get_text(r, e, path, "name", true, p->name, sizeof(p->name));
		get_text(r, e, path, "url", true, p->url, sizeof(p->url));
		if (p->url[0] != '\0' && strncmp(p->url, "http://", 7) != 0 &&
		    strncmp(p->url, "https://", 8) != 0) {
			char q[SCN_PATH_MAX];

			scn_path_key(q, sizeof(q), path, "url");
			scn_report(r, q, "\"%s\"; expected an http:// or https:// URL", p->url);
		}
		scn_get_choice(r, e, path, "version", false, versions, &v);
		p->version = v == 2 ? -1 : (int)v;
		if (scn_get_uint(r, e, path, "expect_status", false, 100, 599, &status))
			p->expect_status = (long)status;
		else
			p->expect_status = 200;
		get_seconds(r, e, path, "timeout_s", false, (struct scn_range){ 0.001, 600, false },
			    &p->timeout_ns);
		get_seconds(r, e, path, "interval_s", false, (struct scn_range){ 0.01, 86400, false },
			    &p->interval_ns);
		for (size_t k = 0; k < i; k++) {
			if (p->name[0] != '\0' && strcmp(c->probes[k].name, p->name) == 0) {
				char q[SCN_PATH_MAX];

				scn_path_key(q, sizeof(q), path, "name");
				scn_report(r, q, "\"%s\" is the name of live.probes[%zu] too; expected a new name",
					   p->name, k);
			}
		}
		i++;
	}
	c->nprobes = i;
}

static void load_faults(struct scn_reader *r, const cJSON *arr, struct scn_scenario *s,
			struct live_config *c)
{
	static const char *const keys[] = { "name", "at_s", "duration_s", "command", "undo", NULL };
	static const char *const ph[] = { "name" };
	const cJSON *e;
	size_t i = 0;

	if ((size_t)cJSON_GetArraySize(arr) > LIVE_MAX_FAULTS) {
		scn_report(r, "live.faults", "%d faults; expected at most %d",
			   cJSON_GetArraySize(arr), LIVE_MAX_FAULTS);
		return;
	}
	cJSON_ArrayForEach(e, arr) {
		struct live_fault *f = &c->faults[i];
		char path[SCN_PATH_MAX];

		scn_path_index(path, sizeof(path), "live.faults", i);
		f->duration_ns = -1;
		i++;
		if (!cJSON_IsObject(e)) {
			scn_report(r, path, "found %s, expected an object", scn_json_type_name(e));
			continue;
		}
		scn_check_keys(r, e, path, keys);
		get_text(r, e, path, "name", true, f->name, sizeof(f->name));
		get_seconds(r, e, path, "at_s", true, (struct scn_range){ 0, 1e7, false }, &f->at_ns);
		get_seconds(r, e, path, "duration_s", false, (struct scn_range){ 0, 1e7, false },
			    &f->duration_ns);
		get_argv(r, e, path, "command", true, ph, 1, s, &f->start);
		get_argv(r, e, path, "undo", false, ph, 1, s, &f->undo);
	}
	c->nfaults = i;
}

static void load_actuator(struct scn_reader *r, const cJSON *obj, struct scn_scenario *s,
			  struct live_config *c)
{
	static const char *const keys[] = { "kind", "command", NULL };
	static const char *const kinds[] = { "haproxy", "command", NULL };
	static const char *const ph[] = { "weight", "stable_weight", "mirror", "name" };
	size_t k = 0;

	scn_check_keys(r, obj, "live.actuator", keys);
	if (scn_get_choice(r, obj, "live.actuator", "kind", true, kinds, &k))
		c->actuator = k == 0 ? LIVE_ACT_HAPROXY : LIVE_ACT_COMMAND;
	get_argv(r, obj, "live.actuator", "command", c->actuator == LIVE_ACT_COMMAND, ph, 4, s,
		 &c->hook);
	if (c->actuator == LIVE_ACT_HAPROXY && c->hook.argc > 0)
		scn_report(r, "live.actuator.command", "given with kind \"haproxy\"; expected it with kind \"command\" only");
}

static void load_notify(struct scn_reader *r, const cJSON *obj, struct scn_scenario *s,
			struct live_config *c)
{
	static const char *const keys[] = { "url", "command", NULL };
	static const char *const ph[] = { "event", "rule", "weight", "t_s", "name", "json" };

	scn_check_keys(r, obj, "live.notify", keys);
	get_text(r, obj, "live.notify", "url", false, c->notify_url, sizeof(c->notify_url));
	if (c->notify_url[0] != '\0' && strncmp(c->notify_url, "http://", 7) != 0 &&
	    strncmp(c->notify_url, "https://", 8) != 0)
		scn_report(r, "live.notify.url", "\"%s\"; expected an http:// or https:// URL",
			   c->notify_url);
	get_argv(r, obj, "live.notify", "command", false, ph, 6, s, &c->notify_cmd);
}

/* live.approval: the command that says whether a gate is approved. */
static void load_approval(struct scn_reader *r, const cJSON *obj, struct scn_scenario *s,
			  struct live_config *c)
{
	static const char *const keys[] = { "command", "interval_s", NULL };
	static const char *const ph[] = { "gate", "name" };

	scn_check_keys(r, obj, "live.approval", keys);
	get_argv(r, obj, "live.approval", "command", true, ph, 2, s, &c->approve);
	get_seconds(r, obj, "live.approval", "interval_s", false,
		    (struct scn_range){ 0.1, 86400, false }, &c->approve_interval_ns);
}

void scn_load_live(struct scn_reader *r, const cJSON *obj, struct scn_scenario *s)
{
	static const char *const keys[] = {
		"source", "haproxy", "prometheus", "actuator", "notify", "approval", "probes",
		"faults", "timeout_s", "on_signal", "on_resume", NULL
	};
	static const char *const sources[] = { "haproxy", "prometheus", NULL };
	static const char *const on_signal[] = { "rollback", "hold", NULL };
	static const char *const on_resume[] = { "continue", "rollback", NULL };
	struct live_config *c = scn_own(s, malloc(sizeof(*c)));
	const cJSON *j;
	size_t k;

	if (c == NULL)
		return;
	live_config_defaults(c);
	s->live = c;
	scn_check_keys(r, obj, "live", keys);
	k = 0;
	if (scn_get_choice(r, obj, "live", "source", true, sources, &k))
		c->source = k == 0 ? LIVE_SOURCE_HAPROXY : LIVE_SOURCE_PROMETHEUS;
	j = scn_get_object(r, obj, "live", "actuator", false);
	if (j != NULL)
		load_actuator(r, j, s, c);
	j = scn_get_object(r, obj, "live", "haproxy",
			   c->source == LIVE_SOURCE_HAPROXY || c->actuator == LIVE_ACT_HAPROXY);
	if (j != NULL)
		load_haproxy(r, j, c);
	j = scn_get_object(r, obj, "live", "prometheus", c->source == LIVE_SOURCE_PROMETHEUS);
	if (j != NULL)
		load_prometheus(r, j, s, c);
	j = scn_get_object(r, obj, "live", "notify", false);
	if (j != NULL)
		load_notify(r, j, s, c);
	j = scn_get_object(r, obj, "live", "approval", false);
	if (j != NULL)
		load_approval(r, j, s, c);
	j = scn_get_array(r, obj, "live", "probes", false);
	if (j != NULL)
		load_probes(r, j, c);
	j = scn_get_array(r, obj, "live", "faults", false);
	if (j != NULL)
		load_faults(r, j, s, c);
	get_seconds(r, obj, "live", "timeout_s", false, (struct scn_range){ 0.001, 600, false },
		    &c->call_timeout_ns);
	k = 0;
	if (scn_get_choice(r, obj, "live", "on_signal", false, on_signal, &k))
		c->on_signal = k == 0 ? LIVE_SIGNAL_ROLLBACK : LIVE_SIGNAL_HOLD;
	k = 0;
	if (scn_get_choice(r, obj, "live", "on_resume", false, on_resume, &k))
		c->on_resume = k == 0 ? LIVE_RESUME_CONTINUE : LIVE_RESUME_ROLLBACK;

	/* what the live world cannot carry out */
	if (s->rollout.strategy == ENG_STRATEGY_FLAGS)
		scn_report(r, "deployment.strategy", "\"flags\" cannot run live: neither HAProxy's weights nor the weight hook set flags; expected canary, bluegreen or bluegreen_canary");
	for (size_t i = 0; i < s->rollout.nsmoke_tests; i++) {
		const char *name = s->rollout.smoke_tests[i].name;
		bool found = false;

		for (size_t p = 0; p < c->nprobes; p++)
			found |= strcmp(c->probes[p].name, name) == 0;
		if (!found)
			scn_report(r, "live.probes", "no probe named \"%s\", the smoke test of deployment.smoke_tests; expected a probe of that name (live, a smoke test is a probe run once)",
				   name);
	}
}
