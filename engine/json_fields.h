/* Saving C structs as JSON objects and reading them back exactly, field by
 * field from a table of names, types and offsets: the shared machinery of
 * engine/state.c (the rollout) and engine/budget_state.c (an error
 * budget). Numbers are written as text that reads back to the same value
 * (%.17g for doubles); a field missing or of the wrong type is refused
 * with its JSON path. It knows nothing of what the structs mean. */
#ifndef ENG_JSON_FIELDS_H
#define ENG_JSON_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

enum eng_field_kind {
	ENG_FIELD_I64,            /* int64_t (and uint64_t counts up to 2^53) */
	ENG_FIELD_U32,            /* uint32_t */
	ENG_FIELD_SIZE,           /* size_t */
	ENG_FIELD_BOOL,           /* bool */
	ENG_FIELD_DOUBLE,         /* double; NaN as null, infinities as "inf", "-inf" */
	ENG_FIELD_ENUM,           /* an enum the size of an int */
	ENG_FIELD_STR             /* a NUL-ended char array */
};

/* One saved field: its name, type, place and (for strings) size, and
 * for numbers the range a value read back must lie in (beyond its type's
 * own: U32 0..UINT32_MAX, SIZE and ENUM 0..2^53 and INT_MAX, I64 within
 * +-2^53, which JSON numbers hold exactly). A bounded double must be a
 * number lo..hi: not NaN, not infinite. */
struct eng_field {
	const char *name;
	enum eng_field_kind kind;
	size_t offset;            /* bytes from the struct's start */
	size_t size;              /* bytes */
	bool bounded;
	double lo, hi;
};

#define ENG_FIELD(type, name, kind) \
	{ #name, ENG_FIELD_##kind, offsetof(type, name), sizeof(((type *)0)->name), false, 0, 0 }
#define ENG_FIELD_IN(type, name, kind, lo, hi) \
	{ #name, ENG_FIELD_##kind, offsetof(type, name), sizeof(((type *)0)->name), true, lo, hi }
#define ENG_NFIELDS(a) (sizeof(a) / sizeof((a)[0]))
/* The last value of an enum of an X-macro list LIST, for ENG_FIELD_IN. */
#define ENG_FIELD_ONE_(name, str) +1
#define ENG_LAST_OF(LIST) ((0 LIST(ENG_FIELD_ONE_)) - 1)

/* Adds JSON text (a number as exact text, or any value) under key; false
 * when out of memory. */
bool eng_json_add_raw(cJSON *o, const char *key, const char *text);
bool eng_json_add_count(cJSON *o, const char *key, size_t n);
bool eng_json_add_i64(cJSON *o, const char *key, int64_t v);
/* Adds item under key, taking ownership of it (NULL: out of memory before
 * the call); false when out of memory, with item freed. */
bool eng_json_add_member(cJSON *o, const char *key, cJSON *item);

/* Adds the n fields of the struct at base (borrowed) to o; false when out
 * of memory. */
bool eng_fields_save(cJSON *o, const struct eng_field *fields, size_t n, const void *base);
/* Returns an owned object of the n fields of the struct at base, free with
 * cJSON_Delete(); NULL when out of memory. */
cJSON *eng_fields_object(const struct eng_field *fields, size_t n, const void *base);
/* Adds under key an array of `count` objects of the structs at base,
 * base + stride, ...; returns it (borrowed from o), NULL when out of
 * memory. */
cJSON *eng_fields_add_array(cJSON *o, const char *key, const struct eng_field *fields,
			    size_t n, const void *base, size_t stride, size_t count);

/* Reads the n fields of object o into the struct at base. False when o is
 * not an object or a field is missing or of the wrong type, with the
 * reason in err (of errlen) naming its JSON path below `path` ("" for
 * the top). */
bool eng_fields_load(const cJSON *o, const char *path, const struct eng_field *fields,
		     size_t n, void *base, char *err, size_t errlen);
/* Reads the array under key of o, which must hold `count` objects, into
 * the structs at base, base + stride, ...; false with err as above. */
bool eng_fields_load_array(const cJSON *o, const char *path, const char *key,
			   const struct eng_field *fields, size_t n, void *base,
			   size_t stride, size_t count, char *err, size_t errlen);

/* True when j is a whole number 0..2^53 (which reads back exactly), with
 * it in *out. */
bool eng_json_whole(const cJSON *j, uint64_t *out);
/* True when the number under key of o is want; otherwise false with err:
 * the state was saved for another configuration. */
bool eng_json_count_is(const cJSON *o, const char *path, const char *key, size_t want,
		       char *err, size_t errlen);
/* Writes "path.key" (or "key" when path is "") into buf of size len. */
void eng_json_path(char *buf, size_t len, const char *path, const char *key);

#endif
