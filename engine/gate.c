#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gate.h"

bool eng_version_parse(const char *s, struct eng_version_id *out)
{
	memset(out, 0, sizeof(*out));
	if (*s == 'v')
		s++;
	for (;;) {
		unsigned long v = 0;
		const char *start = s;

		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned long)(*s - '0');
			if (v > UINT32_MAX)
				return false;
			s++;
		}
		if (s == start || out->nparts == 3)
			return false;
		out->part[out->nparts++] = (uint32_t)v;
		if (*s == '\0')
			return true;
		if (*s != '.')
			return false;
		s++;
	}
}

bool eng_version_matches(const struct eng_version_id *v,
			 const struct eng_version_id *pattern)
{
	for (uint32_t i = 0; i < pattern->nparts; i++)
		if (i >= v->nparts || v->part[i] != pattern->part[i])
			return false;
	return true;
}

int eng_version_compare(const struct eng_version_id *a,
			const struct eng_version_id *b)
{
	for (int i = 0; i < 3; i++) {
		if (a->part[i] != b->part[i])
			return a->part[i] < b->part[i] ? -1 : 1;
	}
	return 0;
}

static void format(const struct eng_version_id *v, char *buf, size_t n)
{
	snprintf(buf, n, "%u.%u.%u", v->part[0], v->part[1], v->part[2]);
}

bool eng_compat_allows(const struct eng_compat_config *c, bool freezes,
		       char *reason, size_t n)
{
	char st[40], ca[40];
	bool path_ok = false;

	if (!c->enabled)
		return true;
	format(&c->stable, st, sizeof(st));
	format(&c->canary, ca, sizeof(ca));
	if (c->npaths == 0) {
		path_ok = eng_version_compare(&c->canary, &c->stable) > 0 &&
			  c->canary.part[0] == c->stable.part[0];
	} else {
		for (size_t i = 0; i < c->npaths && !path_ok; i++)
			path_ok = eng_version_matches(&c->stable, &c->paths[i].from) &&
				  eng_version_matches(&c->canary, &c->paths[i].to);
	}
	if (!path_ok) {
		snprintf(reason, n, "%s to %s is not an allowed upgrade path%s", st, ca,
			 c->npaths == 0 ? " (without upgrade_paths: a higher version of the same major version)" : "");
		return false;
	}
	if (c->breaking_changes && !c->allow_breaking) {
		snprintf(reason, n, "%s has breaking changes and they are not allowed", ca);
		return false;
	}
	if (!c->migration_reversible && !freezes) {
		snprintf(reason, n, "%s's data migration cannot be undone, so a rollback could not restore %s: use rollback mode freeze", ca, st);
		return false;
	}
	return true;
}
