#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/json_fields.h"

/* Enums are saved and read through an int, counts through an int64. */
_Static_assert(sizeof(uint64_t) == sizeof(int64_t), "counts are saved as int64");

/* Whole numbers up to 2^53 read back exactly from a double: 104 days in
 * ns, and more requests than any window holds. */
#define EXACT_MAX 9007199254740992.0

/* cJSON's own printing may round a double to 15 digits; %.17g and
 * whole-number text read back to the same value. */
bool eng_json_add_raw(cJSON *o, const char *key, const char *text)
{
	return cJSON_AddRawToObject(o, key, text) != NULL;
}

bool eng_json_add_count(cJSON *o, const char *key, size_t n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%zu", n);
	return eng_json_add_raw(o, key, buf);
}

bool eng_json_add_i64(cJSON *o, const char *key, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return eng_json_add_raw(o, key, buf);
}

bool eng_json_add_member(cJSON *o, const char *key, cJSON *item)
{
	if (item != NULL && cJSON_AddItemToObject(o, key, item))
		return true;
	cJSON_Delete(item);
	return false;
}

static bool save_field(cJSON *o, const struct eng_field *f, const void *base)
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
	case ENG_FIELD_I64:
		memcpy(&i64, p, sizeof(i64));
		return eng_json_add_i64(o, f->name, i64);
	case ENG_FIELD_U32:
		memcpy(&u32, p, sizeof(u32));
		snprintf(buf, sizeof(buf), "%" PRIu32, u32);
		return eng_json_add_raw(o, f->name, buf);
	case ENG_FIELD_SIZE:
		memcpy(&sz, p, sizeof(sz));
		return eng_json_add_count(o, f->name, sz);
	case ENG_FIELD_ENUM:
		memcpy(&en, p, sizeof(en));
		snprintf(buf, sizeof(buf), "%d", en);
		return eng_json_add_raw(o, f->name, buf);
	case ENG_FIELD_BOOL:
		memcpy(&b, p, sizeof(b));
		return cJSON_AddBoolToObject(o, f->name, b) != NULL;
	case ENG_FIELD_DOUBLE:
		memcpy(&d, p, sizeof(d));
		if (isnan(d))
			return cJSON_AddNullToObject(o, f->name) != NULL;
		if (isinf(d))
			return cJSON_AddStringToObject(o, f->name, d > 0 ? "inf" : "-inf") != NULL;
		snprintf(buf, sizeof(buf), "%.17g", d);
		return eng_json_add_raw(o, f->name, buf);
	case ENG_FIELD_STR:
		return cJSON_AddStringToObject(o, f->name, p) != NULL;
	}
	return false;
}

bool eng_fields_save(cJSON *o, const struct eng_field *fields, size_t n, const void *base)
{
	for (size_t i = 0; i < n; i++)
		if (!save_field(o, &fields[i], base))
			return false;
	return true;
}

cJSON *eng_fields_object(const struct eng_field *fields, size_t n, const void *base)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL && !eng_fields_save(o, fields, n, base)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *eng_fields_add_array(cJSON *o, const char *key, const struct eng_field *fields,
			    size_t n, const void *base, size_t stride, size_t count)
{
	cJSON *arr = cJSON_AddArrayToObject(o, key), *x;

	for (size_t i = 0; arr != NULL && i < count; i++) {
		x = eng_fields_object(fields, n, (const char *)base + i * stride);
		if (x == NULL || !cJSON_AddItemToArray(arr, x)) {
			cJSON_Delete(x);
			return NULL;
		}
	}
	return arr;
}

void eng_json_path(char *buf, size_t len, const char *path, const char *key)
{
	snprintf(buf, len, "%s%s%s", path, *path != '\0' ? "." : "", key);
}

bool eng_json_whole(const cJSON *j, uint64_t *out)
{
	if (!cJSON_IsNumber(j) || j->valuedouble != floor(j->valuedouble) ||
	    j->valuedouble < 0.0 || j->valuedouble > EXACT_MAX)
		return false;
	*out = (uint64_t)j->valuedouble;
	return true;
}

/* A whole number of either sign that reads back exactly. */
static bool whole_signed(const cJSON *j)
{
	return cJSON_IsNumber(j) && j->valuedouble == floor(j->valuedouble) &&
	       fabs(j->valuedouble) <= EXACT_MAX;
}

/* Reads field f of object o into base; false (with err) when it is missing
 * or of the wrong type. */
static bool load_field(const cJSON *o, const char *path, const struct eng_field *f,
		       void *base, char *err, size_t errlen)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, f->name);
	char *p = (char *)base + f->offset, where[160];
	double d;

	if (j == NULL)
		goto bad;
	switch (f->kind) {
	case ENG_FIELD_BOOL: {
		bool b = cJSON_IsTrue(j);

		if (!cJSON_IsBool(j))
			goto bad;
		memcpy(p, &b, sizeof(b));
		return true;
	}
	case ENG_FIELD_STR:
		if (!cJSON_IsString(j) || strlen(j->valuestring) >= f->size)
			goto bad;
		snprintf(p, f->size, "%s", j->valuestring);
		return true;
	case ENG_FIELD_DOUBLE:
		if (f->bounded) {
			if (!cJSON_IsNumber(j) || !(j->valuedouble >= f->lo && j->valuedouble <= f->hi))
				goto out_of_range;
			d = j->valuedouble;
		} else if (cJSON_IsNull(j))
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
	case ENG_FIELD_I64:
	case ENG_FIELD_U32:
	case ENG_FIELD_SIZE:
	case ENG_FIELD_ENUM:
		if (!whole_signed(j))
			goto bad;
		d = j->valuedouble;
		if ((f->kind == ENG_FIELD_U32 && !(d >= 0.0 && d <= (double)UINT32_MAX)) ||
		    (f->kind == ENG_FIELD_SIZE && d < 0.0) ||
		    (f->kind == ENG_FIELD_ENUM && !(d >= 0.0 && d <= (double)INT_MAX)) ||
		    (f->bounded && !(d >= f->lo && d <= f->hi)))
			goto out_of_range;
		if (f->kind == ENG_FIELD_I64) {
			int64_t v = (int64_t)d;

			memcpy(p, &v, sizeof(v));
		} else if (f->kind == ENG_FIELD_U32) {
			uint32_t v = (uint32_t)d;

			memcpy(p, &v, sizeof(v));
		} else if (f->kind == ENG_FIELD_SIZE) {
			size_t v = (size_t)d;

			memcpy(p, &v, sizeof(v));
		} else {
			int v = (int)d;

			memcpy(p, &v, sizeof(v));
		}
		return true;
	}
bad:
	eng_json_path(where, sizeof(where), path, f->name);
	snprintf(err, errlen, "%s: missing or of the wrong type", where);
	return false;
out_of_range:
	eng_json_path(where, sizeof(where), path, f->name);
	if (f->bounded)
		snprintf(err, errlen, "%s: out of range; expected a number %.17g..%.17g", where,
			 f->lo, f->hi);
	else
		snprintf(err, errlen, "%s: out of range for its type", where);
	return false;
}

bool eng_fields_load(const cJSON *o, const char *path, const struct eng_field *fields,
		     size_t n, void *base, char *err, size_t errlen)
{
	if (!cJSON_IsObject(o)) {
		snprintf(err, errlen, "%s: missing or not an object", *path ? path : "(top)");
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (!load_field(o, path, &fields[i], base, err, errlen))
			return false;
	return true;
}

bool eng_fields_load_array(const cJSON *o, const char *path, const char *key,
			   const struct eng_field *fields, size_t n, void *base,
			   size_t stride, size_t count, char *err, size_t errlen)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key), *x;
	char where[160], at[176];
	size_t i = 0;

	eng_json_path(where, sizeof(where), path, key);
	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != count) {
		snprintf(err, errlen, "%s: expected an array of %zu", where, count);
		return false;
	}
	cJSON_ArrayForEach(x, arr) {
		snprintf(at, sizeof(at), "%s[%zu]", where, i);
		if (!eng_fields_load(x, at, fields, n, (char *)base + i * stride, err, errlen))
			return false;
		i++;
	}
	return true;
}

bool eng_json_count_is(const cJSON *o, const char *path, const char *key, size_t want,
		       char *err, size_t errlen)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	char where[160];

	if (cJSON_IsNumber(j) && j->valuedouble == (double)want)
		return true;
	eng_json_path(where, sizeof(where), path, key);
	snprintf(err, errlen, "%s: the state was saved for another configuration (expected %zu)",
		 where, want);
	return false;
}
