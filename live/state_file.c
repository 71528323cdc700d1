#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "live/state_file.h"
#include "reports/file_out.h"

static int print_state(FILE *f, const void *ctx)
{
	const struct live_state *st = ctx;
	cJSON *o = cJSON_CreateObject();
	cJSON *ro = cJSON_Parse(st->rollout);
	bool ok = o != NULL && ro != NULL;

	ok = ok && cJSON_AddStringToObject(o, "format", LIVE_STATE_FORMAT) &&
	     cJSON_AddNumberToObject(o, "version", LIVE_STATE_VERSION) &&
	     cJSON_AddStringToObject(o, "name", st->name) &&
	     cJSON_AddStringToObject(o, "config", st->config) &&
	     cJSON_AddStringToObject(o, "phase", st->phase) &&
	     rpt_json_add_u64(o, "origin_wall_ns", (uint64_t)st->origin_wall_ns) &&
	     rpt_json_add_number(o, "t_s", st->t_s) &&
	     cJSON_AddBoolToObject(o, "dry_run", st->dry_run) &&
	     rpt_json_add_number(o, "weight_pct", st->weight_pct) &&
	     rpt_json_add_number(o, "pending_weight_pct", st->pending_weight_pct) &&
	     rpt_json_add_u64(o, "faults_started", st->faults_started) &&
	     rpt_json_add_u64(o, "faults_undone", st->faults_undone);
	if (ok) {
		cJSON_AddItemToObject(o, "rollout", ro);
		ro = NULL;
	}
	cJSON_Delete(ro);
	if (!ok) {
		cJSON_Delete(o);
		return -1;
	}
	return rpt_print_json(f, o);
}

int live_state_write(const char *path, const struct live_state *st, char *err, size_t errlen)
{
	return rpt_write_path(path, print_state, st, err, errlen);
}

/* The whole number at key (cJSON reads it as a double: above 2^53, as the
 * wall time in ns is, it comes back within 2^-52 of itself, under 1 us for
 * today's dates), or a string of digits; false when neither. */
static bool get_u64(const cJSON *o, const char *key, uint64_t *out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	char *end;

	if (cJSON_IsNumber(j) && j->valuedouble >= 0 && j->valuedouble < 9.2e18) {
		*out = (uint64_t)j->valuedouble;
		return true;
	}
	if (!cJSON_IsString(j) || j->valuestring[0] < '0' || j->valuestring[0] > '9')
		return false;
	errno = 0;
	*out = strtoull(j->valuestring, &end, 10);
	return errno == 0 && *end == '\0';
}

static bool get_number(const cJSON *o, const char *key, double *out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsNull(j)) {
		*out = NAN;
		return true;
	}
	if (!cJSON_IsNumber(j))
		return false;
	*out = j->valuedouble;
	return true;
}

static bool get_text(const cJSON *o, const char *key, char *buf, size_t n)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(j) || strlen(j->valuestring) >= n)
		return false;
	memcpy(buf, j->valuestring, strlen(j->valuestring) + 1);
	return true;
}

/* The first field of root that is missing or wrong, or NULL. */
static const char *read_fields(const cJSON *root, struct live_state *st)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, "format");
	uint64_t u;

	if (!cJSON_IsString(j) || strcmp(j->valuestring, LIVE_STATE_FORMAT) != 0)
		return "format: expected \"" LIVE_STATE_FORMAT "\"";
	j = cJSON_GetObjectItemCaseSensitive(root, "version");
	if (!cJSON_IsNumber(j) || j->valuedouble != LIVE_STATE_VERSION)
		return "version: expected 1";
	if (!get_text(root, "name", st->name, sizeof(st->name)))
		return "name: expected a string";
	if (!get_text(root, "config", st->config, sizeof(st->config)))
		return "config: expected a string";
	if (!get_text(root, "phase", st->phase, sizeof(st->phase)))
		return "phase: expected a string";
	if (!get_u64(root, "origin_wall_ns", &u) || u > INT64_MAX)
		return "origin_wall_ns: expected a whole number of ns";
	st->origin_wall_ns = (int64_t)u;
	if (!get_number(root, "t_s", &st->t_s))
		return "t_s: expected a number";
	j = cJSON_GetObjectItemCaseSensitive(root, "dry_run");
	if (!cJSON_IsBool(j))
		return "dry_run: expected true or false";
	st->dry_run = cJSON_IsTrue(j);
	if (!get_number(root, "weight_pct", &st->weight_pct))
		return "weight_pct: expected a number";
	if (!get_number(root, "pending_weight_pct", &st->pending_weight_pct))
		return "pending_weight_pct: expected a number or null";
	if (!get_u64(root, "faults_started", &st->faults_started))
		return "faults_started: expected a whole number";
	if (!get_u64(root, "faults_undone", &st->faults_undone))
		return "faults_undone: expected a whole number";
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "rollout")))
		return "rollout: expected an object";
	return NULL;
}

int live_state_read(const char *path, struct live_state *st, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	long n;
	cJSON *root;
	const char *bad;

	memset(st, 0, sizeof(*st));
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (16L << 20) &&
	    fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)n + 1)) != NULL &&
	    fread(text, 1, (size_t)n, f) == (size_t)n) {
		text[n] = '\0';
	} else {
		free(text);
		text = NULL;
	}
	fclose(f);
	if (text == NULL) {
		snprintf(err, errlen, "%s: cannot read (or over 16 MiB)", path);
		return -1;
	}
	root = cJSON_Parse(text);
	free(text);
	if (root == NULL) {
		snprintf(err, errlen, "%s: not JSON; expected a state file written by rollsim live", path);
		return -1;
	}
	bad = cJSON_IsObject(root) ? read_fields(root, st) : "expected an object";
	if (bad == NULL) {
		st->rollout = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(root, "rollout"));
		if (st->rollout == NULL)
			bad = "out of memory";
	}
	cJSON_Delete(root);
	if (bad != NULL) {
		snprintf(err, errlen, "%s: %s", path, bad);
		return -1;
	}
	return 0;
}
