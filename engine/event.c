#include <stdlib.h>
#include <string.h>

#include "engine/event.h"

enum eng_status eng_event_log_append(struct eng_event_log *log,
				     const struct eng_event *ev)
{
	if (log->count == log->cap) {
		size_t cap = log->cap ? log->cap * 2 : 32;
		struct eng_event *p = realloc(log->events, cap * sizeof(*p));

		if (p == NULL)
			return ENG_ENOMEM;
		log->events = p;
		log->cap = cap;
	}
	log->events[log->count++] = *ev;
	return ENG_OK;
}

void eng_copy_text(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void eng_event_log_free(struct eng_event_log *log)
{
	free(log->events);
	log->events = NULL;
	log->count = 0;
	log->cap = 0;
}

const char *eng_rule_name(enum eng_rule r)
{
	switch (r) {
#define ENG_RULE_CASE(name, str) \
	case name:               \
		return str;
		ENG_RULE_LIST(ENG_RULE_CASE)
#undef ENG_RULE_CASE
	}
	return "unknown";
}

const char *eng_result_name(enum eng_result r)
{
	switch (r) {
#define ENG_RESULT_CASE(name, str) \
	case name:                 \
		return str;
		ENG_RESULT_LIST(ENG_RESULT_CASE)
#undef ENG_RESULT_CASE
	}
	return "unknown";
}

const char *eng_decision_name(enum eng_decision d)
{
	switch (d) {
#define ENG_DECISION_CASE(name, str) \
	case name:                   \
		return str;
		ENG_DECISION_LIST(ENG_DECISION_CASE)
#undef ENG_DECISION_CASE
	}
	return "unknown";
}

const char *eng_bound_name(enum eng_bound b)
{
	switch (b) {
#define ENG_BOUND_CASE(name, str) \
	case name:                \
		return str;
		ENG_BOUND_LIST(ENG_BOUND_CASE)
#undef ENG_BOUND_CASE
	}
	return "unknown";
}
