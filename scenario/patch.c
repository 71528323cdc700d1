#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/json_read.h"
#include "scenario/patch.h"

/* The value as JSON, or as a string when it is not JSON. */
static cJSON *value_of(const char *text)
{
	cJSON *v = cJSON_ParseWithOpts(text, NULL, true); /* all of it, or a string */

	return v != NULL ? v : cJSON_CreateString(text);
}

/* done.key and done[i], in place. */
static void extend_key(char *done, size_t n, const char *key)
{
	char prev[SCN_PATH_MAX];

	snprintf(prev, sizeof(prev), "%s", done);
	scn_path_key(done, n, prev, key);
}

static void extend_index(char *done, size_t n, size_t i)
{
	char prev[SCN_PATH_MAX];

	snprintf(prev, sizeof(prev), "%s", done);
	scn_path_index(done, n, prev, i);
}

bool scn_patch_apply(cJSON *root, const struct scn_patch *p, char *err, size_t errlen)
{
	const char *s = p->path;
	char done[SCN_PATH_MAX] = "";
	cJSON *node = root;

	if (*s == '\0') {
		snprintf(err, errlen, "the path is empty; expected keys such as deployment.analysis.metrics[0].max");
		return false;
	}
	while (*s != '\0') {
		char key[128];
		size_t n = strcspn(s, ".[");
		cJSON *child;

		if (n == 0 || n >= sizeof(key)) {
			snprintf(err, errlen, "'%s' is not a path; expected keys joined by '.', with [N] for array items",
				 p->path);
			return false;
		}
		memcpy(key, s, n);
		key[n] = '\0';
		s += n;
		if (!cJSON_IsObject(node)) {
			snprintf(err, errlen, "%s is %s, not an object with \"%s\"", done[0] ? done : "the top",
				 scn_json_type_name(node), key);
			return false;
		}
		child = cJSON_GetObjectItemCaseSensitive(node, key);
		extend_key(done, sizeof(done), key);
		if (child == NULL && *s == '\0') { /* a new last key */
			cJSON *v = value_of(p->value);

			if (v == NULL || !cJSON_AddItemToObject(node, key, v)) {
				cJSON_Delete(v);
				snprintf(err, errlen, "out of memory");
				return false;
			}
			return true;
		}
		if (child == NULL) {
			snprintf(err, errlen, "%s: no such key", done);
			return false;
		}
		while (*s == '[') {
			char *end;
			long i = strtol(s + 1, &end, 10);

			if (!isdigit((unsigned char)s[1]) || *end != ']') {
				snprintf(err, errlen, "'%s' is not a path; expected [N] with N a whole number",
					 p->path);
				return false;
			}
			if (!cJSON_IsArray(child) || i >= cJSON_GetArraySize(child)) {
				snprintf(err, errlen, "%s[%ld]: %s", done, i,
					 cJSON_IsArray(child) ? "no such item" : "not an array");
				return false;
			}
			extend_index(done, sizeof(done), (size_t)i);
			node = child;
			child = cJSON_GetArrayItem(child, (int)i);
			s = end + 1;
		}
		if (*s == '\0') {
			cJSON *v = value_of(p->value);

			if (v == NULL) {
				snprintf(err, errlen, "out of memory");
				return false;
			}
			if (cJSON_IsArray(node))
				cJSON_ReplaceItemViaPointer(node, child, v);
			else
				cJSON_ReplaceItemInObjectCaseSensitive(node, key, v);
			return true;
		}
		if (*s != '.') {
			snprintf(err, errlen, "'%s' is not a path; expected '.' or '[' after \"%s\"", p->path, done);
			return false;
		}
		s++;
		if (*s == '\0') {
			snprintf(err, errlen, "'%s' is not a path; it ends in '.'", p->path);
			return false;
		}
		node = child;
	}
	return true;
}
