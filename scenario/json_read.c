#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scenario/json_read.h"

void scn_path_key(char *buf, size_t n, const char *parent, const char *key)
{
	if (parent[0] == '\0')
		snprintf(buf, n, "%s", key);
	else
		snprintf(buf, n, "%s.%s", parent, key);
}

void scn_path_index(char *buf, size_t n, const char *parent, size_t i)
{
	snprintf(buf, n, "%s[%zu]", parent, i);
}

void scn_report(struct scn_reader *r, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	scn_diag_addf(r->diag, "%s: %s: %s", r->source,
		      path[0] ? path : "(top level)", msg);
}

const char *scn_json_type_name(const cJSON *j)
{
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsObject(j))
		return "an object";
	if (cJSON_IsArray(j))
		return "an array";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNull(j))
		return "null";
	return "an invalid value";
}

static bool listed(const char *key, const char *const *names)
{
	for (size_t i = 0; names[i] != NULL; i++)
		if (strcmp(key, names[i]) == 0)
			return true;
	return false;
}

static void join_names(char *buf, size_t n, const char *const *names)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; names[i] != NULL && used < n; i++) {
		int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "",
				 names[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* Levenshtein distance of a and b, capped at 4 (all a suggestion needs). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], prev, tmp;

	if (la >= 64 || lb >= 64)
		return 4;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb] < 4 ? row[lb] : 4;
}

const char *scn_closest(const char *name, const char *const *names, size_t max_edits)
{
	const char *best = NULL;
	size_t best_d = max_edits + 1;

	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		size_t d = distance(name, names[i]);

		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best;
}

void scn_check_keys(struct scn_reader *r, const cJSON *obj, const char *path,
		    const char *const *allowed)
{
	char p[SCN_PATH_MAX], names[400];
	const cJSON *c, *d;

	cJSON_ArrayForEach(c, obj) {
		scn_path_key(p, sizeof(p), path, c->string);
		if (!listed(c->string, allowed)) {
			/* two edits, three for a long key: closer than chance */
			const char *near = scn_closest(c->string, allowed,
						       strlen(c->string) >= 8 ? 3 : 2);

			join_names(names, sizeof(names), allowed);
			if (near != NULL)
				scn_report(r, p, "unknown key; expected one of: %s; did you mean '%s'?",
					   names, near);
			else
				scn_report(r, p, "unknown key; expected one of: %s", names);
			continue;
		}
		for (d = obj->child; d != c; d = d->next) {
			if (strcmp(d->string, c->string) == 0) {
				scn_report(r, p, "key given twice");
				break;
			}
		}
	}
}

/* obj.key, reporting a missing required key; NULL when absent. */
static const cJSON *member(struct scn_reader *r, const cJSON *obj,
			   const char *path, const char *key, bool required,
			   const char *expected)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	char p[SCN_PATH_MAX];

	if (j == NULL && required) {
		scn_path_key(p, sizeof(p), path, key);
		scn_report(r, p, "missing; expected %s", expected);
	}
	return j;
}

static void wrong_type(struct scn_reader *r, const char *path, const char *key,
		       const cJSON *j, const char *expected)
{
	char p[SCN_PATH_MAX];

	scn_path_key(p, sizeof(p), path, key);
	scn_report(r, p, "found %s, expected %s", scn_json_type_name(j), expected);
}

const cJSON *scn_get_object(struct scn_reader *r, const cJSON *obj,
			    const char *path, const char *key, bool required)
{
	const cJSON *j = member(r, obj, path, key, required, "an object");

	if (j != NULL && !cJSON_IsObject(j)) {
		wrong_type(r, path, key, j, "an object");
		return NULL;
	}
	return j;
}

const cJSON *scn_get_array(struct scn_reader *r, const cJSON *obj,
			   const char *path, const char *key, bool required)
{
	const cJSON *j = member(r, obj, path, key, required, "an array");

	if (j != NULL && !cJSON_IsArray(j)) {
		wrong_type(r, path, key, j, "an array");
		return NULL;
	}
	return j;
}

static bool in_range(double v, struct scn_range range)
{
	if (range.lo_open ? !(v > range.lo) : !(v >= range.lo))
		return false;
	return v <= range.hi;
}

bool scn_get_number(struct scn_reader *r, const cJSON *obj, const char *path,
		    const char *key, bool required, struct scn_range range,
		    double *out)
{
	const cJSON *j = member(r, obj, path, key, required, "a number");
	char p[SCN_PATH_MAX];
	double v;

	if (j == NULL)
		return !required;
	if (!cJSON_IsNumber(j)) {
		wrong_type(r, path, key, j, "a number");
		return false;
	}
	v = j->valuedouble;
	scn_path_key(p, sizeof(p), path, key);
	if (!isfinite(v)) {
		scn_report(r, p, "the number is too large; expected %.15g..%.15g",
			   range.lo, range.hi);
		return false;
	}
	if (!in_range(v, range)) {
		if (range.lo_open)
			scn_report(r, p, "%.15g is out of range: expected more than %.15g and at most %.15g",
				   v, range.lo, range.hi);
		else
			scn_report(r, p, "%.15g is out of range %.15g..%.15g", v,
				   range.lo, range.hi);
		return false;
	}
	*out = v;
	return true;
}

bool scn_get_uint(struct scn_reader *r, const cJSON *obj, const char *path,
		  const char *key, bool required, uint64_t lo, uint64_t hi,
		  uint64_t *out)
{
	struct scn_range range = { (double)lo, (double)hi, false };
	double v = (double)*out;
	char p[SCN_PATH_MAX];

	if (!scn_get_number(r, obj, path, key, required, range, &v))
		return false;
	if (v != floor(v)) {
		scn_path_key(p, sizeof(p), path, key);
		scn_report(r, p, "%.15g is not a whole number", v);
		return false;
	}
	*out = (uint64_t)v;
	return true;
}

bool scn_get_bool(struct scn_reader *r, const cJSON *obj, const char *path,
		  const char *key, bool required, bool *out)
{
	const cJSON *j = member(r, obj, path, key, required, "true or false");

	if (j == NULL)
		return !required;
	if (!cJSON_IsBool(j)) {
		wrong_type(r, path, key, j, "true or false");
		return false;
	}
	*out = cJSON_IsTrue(j);
	return true;
}

bool scn_get_string(struct scn_reader *r, const cJSON *obj, const char *path,
		    const char *key, bool required, const char **out)
{
	const cJSON *j = member(r, obj, path, key, required, "a string");

	if (j == NULL)
		return !required;
	if (!cJSON_IsString(j)) {
		wrong_type(r, path, key, j, "a string");
		return false;
	}
	*out = j->valuestring;
	return true;
}

bool scn_get_choice(struct scn_reader *r, const cJSON *obj, const char *path,
		    const char *key, bool required, const char *const *names,
		    size_t *index)
{
	const char *s = NULL;
	char p[SCN_PATH_MAX], list[400];

	if (!scn_get_string(r, obj, path, key, required, &s))
		return false;
	if (s == NULL)
		return true;
	for (size_t i = 0; names[i] != NULL; i++) {
		if (strcmp(s, names[i]) == 0) {
			*index = i;
			return true;
		}
	}
	scn_path_key(p, sizeof(p), path, key);
	join_names(list, sizeof(list), names);
	scn_report(r, p, "\"%s\" is not known; expected one of: %s", s, list);
	return false;
}

/* Reports where the JSON text stops parsing, as line and column. */
static void report_parse_error(struct scn_reader *r, const char *text,
			       size_t len, const char *at, bool parse_failed)
{
	size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : 0;
	size_t line = 1, col = 1, last = len;
	char near[24];
	size_t k = 0;

	/* cJSON points at the last character when the text runs out; so a
	 * failure at or after the last non-blank character is an early end. */
	while (last > 0 && (text[last - 1] == ' ' || text[last - 1] == '\t' ||
			    text[last - 1] == '\n' || text[last - 1] == '\r'))
		last--;
	if (parse_failed && (last == 0 || off + 1 >= last))
		off = len; /* report the end of the text */

	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	for (size_t i = off; i < len && k < sizeof(near) - 1 && text[i] != '\n'; i++)
		near[k++] = text[i];
	near[k] = '\0';
	if (off >= len)
		scn_diag_addf(r->diag, "%s:%zu:%zu: invalid JSON: the text ends too early; expected a complete JSON object",
			      r->source, line, col);
	else
		scn_diag_addf(r->diag, "%s:%zu:%zu: invalid JSON near '%s'; expected a JSON value, ',' or a closing bracket",
			      r->source, line, col, near);
}

cJSON *scn_parse_json(struct scn_reader *r, const char *text, size_t len)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);

	if (root == NULL) {
		report_parse_error(r, text, len, end ? end : cJSON_GetErrorPtr(), true);
		return NULL;
	}
	for (const char *p = end; p && p < text + len; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\0') {
			report_parse_error(r, text, len, p, false);
			cJSON_Delete(root);
			return NULL;
		}
	}
	return root;
}
