/* Prometheus instant-query responses (HTTP API, "Expression queries" and
 * "Expression query result formats": a vector is [{"metric": {...},
 * "value": [t, "v"]}, ...], a scalar is [t, "v"], sample values are strings
 * because of NaN and +-Inf). The JSON is parsed and described with the
 * scenario loader's helpers (scenario/json_read.h), as replay/prometheus.c
 * does, so messages read the same. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "live/prom_query.h"
#include "scenario/diag.h"
#include "scenario/json_read.h"

static void fail(struct live_prom_value *out, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets out to LIVE_PROM_ERROR with "path: message" (or the message alone),
 * cut to fit out->error. */
static void fail(struct live_prom_value *out, const char *path, const char *fmt, ...)
{
	size_t used = 0;
	va_list ap;

	out->kind = LIVE_PROM_ERROR;
	out->value = NAN;
	out->t_s = NAN;
	out->error[0] = '\0';
	if (path[0] != '\0') {
		int k = snprintf(out->error, sizeof(out->error), "%s: ", path);

		used = k < 0 ? 0 : (size_t)k;
		if (used >= sizeof(out->error))
			return;
	}
	va_start(ap, fmt);
	vsnprintf(out->error + used, sizeof(out->error) - used, fmt, ap);
	va_end(ap);
}

/* Reads the sample [t, "v"] at path into out. */
static void read_sample(const cJSON *s, const char *path, struct live_prom_value *out)
{
	const cJSON *t, *v;
	char p[SCN_PATH_MAX];
	double x;
	char *end;

	if (!cJSON_IsArray(s) || cJSON_GetArraySize(s) != 2) {
		fail(out, path, "found %s, expected a sample [time, \"value\"]",
		     cJSON_IsArray(s) ? "an array of another length" : scn_json_type_name(s));
		return;
	}
	t = cJSON_GetArrayItem(s, 0);
	v = cJSON_GetArrayItem(s, 1);
	scn_path_index(p, sizeof(p), path, 0);
	if (!cJSON_IsNumber(t)) {
		fail(out, p, "found %s, expected a number (unix s)", scn_json_type_name(t));
		return;
	}
	if (!isfinite(t->valuedouble) || fabs(t->valuedouble) > 9e9) {
		fail(out, p, "%g is not a time; expected unix s", t->valuedouble);
		return;
	}
	scn_path_index(p, sizeof(p), path, 1);
	if (!cJSON_IsString(v)) {
		fail(out, p, "found %s, expected a string", scn_json_type_name(v));
		return;
	}
	errno = 0;
	x = strtod(v->valuestring, &end);
	/* ERANGE with a small result is an underflow: the value is still right. */
	if (v->valuestring[0] == '\0' || *end != '\0' || (errno == ERANGE && fabs(x) > 1.0)) {
		fail(out, p, "\"%.40s\" is not a number; expected a number, \"NaN\", \"+Inf\" or \"-Inf\"",
		     v->valuestring);
		return;
	}
	out->t_s = t->valuedouble;
	if (isnan(x)) {
		out->kind = LIVE_PROM_NAN;
		out->value = NAN;
		return;
	}
	out->kind = LIVE_PROM_VALUE;
	out->value = x;
}

/* A vector: no element is no data, one is the sample, more is an error. */
static void read_vector(const cJSON *result, struct live_prom_value *out)
{
	int n = cJSON_GetArraySize(result);
	const cJSON *el, *value;

	if (n == 0) {
		out->kind = LIVE_PROM_NO_DATA;
		return;
	}
	if (n > 1) {
		fail(out, "data.result", "%d series; expected one: aggregate the query, e.g. sum(...)", n);
		return;
	}
	el = cJSON_GetArrayItem(result, 0);
	if (!cJSON_IsObject(el)) {
		fail(out, "data.result[0]", "found %s, expected a series object", scn_json_type_name(el));
		return;
	}
	value = cJSON_GetObjectItemCaseSensitive(el, "value");
	if (value == NULL) {
		fail(out, "data.result[0].value", "missing; expected a sample [time, \"value\"]");
		return;
	}
	read_sample(value, "data.result[0].value", out);
}

/* A string member of obj, or NULL with out failed (missing or not a string). */
static const char *get_string(const cJSON *obj, const char *path, const char *key,
			      const char *expected, struct live_prom_value *out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	char p[SCN_PATH_MAX];

	scn_path_key(p, sizeof(p), path, key);
	if (j == NULL) {
		fail(out, p, "missing; expected %s", expected);
		return NULL;
	}
	if (!cJSON_IsString(j)) {
		fail(out, p, "found %s, expected %s", scn_json_type_name(j), expected);
		return NULL;
	}
	return j->valuestring;
}

/* status "error": "errorType: error". */
static void read_error(const cJSON *root, struct live_prom_value *out)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "errorType");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");

	fail(out, "", "%.60s: %.180s", cJSON_IsString(type) ? type->valuestring : "error",
	     cJSON_IsString(err) ? err->valuestring : "no error given");
}

static void read_root(const cJSON *root, struct live_prom_value *out)
{
	const cJSON *data, *result;
	const char *status, *type;

	if (!cJSON_IsObject(root)) {
		fail(out, "(top level)", "found %s, expected a Prometheus response object",
		     scn_json_type_name(root));
		return;
	}
	status = get_string(root, "", "status", "\"success\" or \"error\"", out);
	if (status == NULL)
		return;
	if (strcmp(status, "error") == 0) {
		read_error(root, out);
		return;
	}
	if (strcmp(status, "success") != 0) {
		fail(out, "status", "\"%.40s\"; expected \"success\" or \"error\"", status);
		return;
	}
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	if (!cJSON_IsObject(data)) {
		if (data == NULL)
			fail(out, "data", "missing; expected an object");
		else
			fail(out, "data", "found %s, expected an object", scn_json_type_name(data));
		return;
	}
	type = get_string(data, "data", "resultType", "\"vector\" or \"scalar\"", out);
	if (type == NULL)
		return;
	result = cJSON_GetObjectItemCaseSensitive(data, "result");
	if (strcmp(type, "vector") == 0 && cJSON_IsArray(result))
		read_vector(result, out);
	else if (strcmp(type, "scalar") == 0 && result != NULL)
		read_sample(result, "data.result", out);
	else if (strcmp(type, "vector") == 0 || strcmp(type, "scalar") == 0)
		fail(out, "data.result", result ? "found %s, expected an array" : "missing%s; expected an array",
		     result ? scn_json_type_name(result) : "");
	else
		fail(out, "data.resultType", "\"%.40s\"; expected a vector or a scalar (an instant query; aggregate a range with e.g. max_over_time)",
		     type);
}

int live_prom_parse_instant(const char *text, size_t len, struct live_prom_value *out)
{
	struct scn_diag diag;
	struct scn_reader r = { "response", &diag };
	cJSON *root;
	int rc = 0;

	out->kind = LIVE_PROM_ERROR;
	out->value = NAN;
	out->t_s = NAN;
	out->error[0] = '\0';
	scn_diag_init(&diag);
	/* cJSON cannot tell its own allocation failure from bad JSON: that
	 * one reads as invalid JSON. */
	root = scn_parse_json(&r, text, len);
	if (root == NULL) {
		if (diag.count > 0) {
			fail(out, "", "not JSON: %s", diag.lines[0]);
		} else {
			fail(out, "", "out of memory");
			rc = -1;
		}
		goto out_free_diag;
	}
	read_root(root, out);
	cJSON_Delete(root);
out_free_diag:
	scn_diag_free(&diag);
	return rc;
}
