/* The error budget of one SLO: the budget left over a trailing period,
 * multiwindow multi-burn-rate alerts, and a gate that freezes releases as
 * the budget runs out. Fed windows of (total, bad) counts with their times;
 * the caller decides what is bad (a failure, or a slow request for a latency
 * SLO: one budget per SLO). No I/O, clock or randomness;
 * engine/budget_state.h saves and restores its state. */
#ifndef ENG_BUDGET_H
#define ENG_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/status.h"

#define ENG_BUDGET_NAME_MAX 48

#define ENG_ALERT_SEVERITY_LIST(X)          \
	X(ENG_ALERT_PAGE, "page")           \
	X(ENG_ALERT_TICKET, "ticket")

enum eng_alert_severity {
#define ENG_ALERT_SEVERITY_ENUM(name, str) name,
	ENG_ALERT_SEVERITY_LIST(ENG_ALERT_SEVERITY_ENUM)
#undef ENG_ALERT_SEVERITY_ENUM
};

/* One multiwindow burn-rate alert (Google SRE Workbook, "Alerting on
 * SLOs", ch. 5, "multiwindow, multi-burn-rate alerts"): it fires while the
 * burn rate is above burn_rate over both the long and the short window. */
struct eng_burn_alert {
	char name[ENG_BUDGET_NAME_MAX]; /* e.g. "page_1h" */
	enum eng_alert_severity severity;
	int64_t long_ns;          /* long window, ns; a multiple of the window */
	int64_t short_ns;         /* short window, ns; a multiple, <= long_ns */
	double burn_rate;         /* threshold, in multiples of 1 - S; > 0 */
};

/* Gate states, from most to least permissive. A critical release may start
 * in every state but closed; an ordinary one only in open and warn. */
#define ENG_GATE_STATE_LIST(X)                 \
	X(ENG_GATE_OPEN, "open")               \
	X(ENG_GATE_WARN, "warn")               \
	X(ENG_GATE_FROZEN, "frozen")           \
	X(ENG_GATE_CLOSED, "closed")

enum eng_gate_state {
#define ENG_GATE_STATE_ENUM(name, str) name,
	ENG_GATE_STATE_LIST(ENG_GATE_STATE_ENUM)
#undef ENG_GATE_STATE_ENUM
};

/* Budget remaining is 1 - bad / ((1 - S) x total) over the trailing period
 * (1 when the period holds no requests), unclamped. The gate compares it
 * with these thresholds, strictly ("below" is <, "above" is >):
 *   open or warn: below critical_floor -> closed; else below freeze_below ->
 *     frozen; else below warn_below -> warn; else open.
 *   frozen: below critical_floor -> closed; above unfreeze_above -> warn
 *     (open when not below warn_below); else stays frozen.
 *   closed: above unfreeze_above -> warn or open as above; else above
 *     freeze_below -> frozen; else stays closed.
 * So a freeze of ordinary releases lifts only above unfreeze_above, and the
 * ban on critical releases only above freeze_below. Each move is one event,
 * however many thresholds it crosses. */
struct eng_budget_config {
	double slo_frac;          /* target share of good requests, 0 < S < 1 */
	int64_t period_ns;        /* trailing SLO period, ns; a multiple of window_ns */
	int64_t window_ns;        /* length of every window fed, ns; > 0 */
	const struct eng_burn_alert *alerts; /* borrowed; the budget keeps a copy */
	size_t nalerts;
	double warn_below_frac;   /* warn below this remaining, 0..1 */
	double freeze_below_frac; /* ordinary releases stop below this, <= warn */
	double critical_floor_frac; /* critical ones stop too below this,
				     * <= freeze; -INFINITY: never */
	double unfreeze_above_frac; /* a freeze lifts above this; freeze <= it < 1 */
	enum eng_gate_state initial_gate; /* before the first window: open, or
					     frozen for a budget that was frozen
					     and may have recovered since */
};

/* A move of the gate, recorded when a window changes its state. */
struct eng_gate_event {
	int64_t t_ns;             /* end of the window that moved it, ns */
	enum eng_gate_state from;
	enum eng_gate_state to;
	double remaining_frac;    /* budget remaining after that window, unclamped */
	double threshold_frac;    /* the threshold that decided the move, 0..1 */
};

/* One alert as of the last window fed. */
struct eng_burn_alert_status {
	const struct eng_burn_alert *alert; /* borrowed; valid until the budget is freed */
	size_t index;             /* position in the configured list */
	double long_burn;         /* burn rate over the long window; NaN: no requests */
	double short_burn;        /* burn rate over the short window; NaN: no requests */
	bool firing;              /* both above alert->burn_rate */
	int64_t firing_since_ns;  /* end of the first window of this spell; -1 if not firing */
};

struct eng_budget;

/* Fills cfg with the defaults: S = 0.999 over 30 days, 10 s windows, the
 * Workbook's three alerts (page 1 h / 5 min at 14.4, page 6 h / 30 min
 * at 6, ticket 3 days / 6 h at 1; alerts point at a static list), and
 * warn 0.25, freeze 0.10, critical floor 0.05, unfreeze 0.15. */
void eng_budget_config_init(struct eng_budget_config *cfg);

/* Returns an owned budget holding a copy of cfg, free with
 * eng_budget_free(); NULL when out of memory or cfg is invalid. It keeps
 * one pair of counts per window over the longest of the period and the
 * alerts' windows: memory is 16 bytes x max(P, longest window) / window_ns
 * (4 MB for 30 days of 10 s windows), whatever the length of the run. */
struct eng_budget *eng_budget_create(const struct eng_budget_config *cfg);
void eng_budget_free(struct eng_budget *b);

/* Records the window (t_end_ns - window_ns, t_end_ns] with total requests
 * of which bad were bad, then updates the alerts and the gate. Windows come
 * in order, each ending a whole number of windows after the previous one;
 * windows skipped count as windows without requests. ENG_EINVAL for a
 * window out of order or off the grid, of another length, or with
 * bad > total; ENG_ENOMEM when the gate's event log cannot grow. On error
 * nothing changes. */
enum eng_status eng_budget_feed(struct eng_budget *b, int64_t t_end_ns,
				int64_t window_ns, uint64_t total, uint64_t bad);

/* Budget remaining over the trailing period: 1 - bad / ((1 - S) x total);
 * below 0 once overspent; 1 while the period holds no requests. */
double eng_budget_remaining_frac(const struct eng_budget *b);
/* The same clamped to 0..1, for display. */
double eng_budget_remaining_clamped_frac(const struct eng_budget *b);
/* Requests and bad requests over the trailing period. */
void eng_budget_period_counts(const struct eng_budget *b, uint64_t *total,
			      uint64_t *bad);

/* Burn rate over the trailing window_ns: (bad / total) / (1 - S). Over a
 * window longer than the data seen so far, it is the rate over what has
 * been seen. NaN without requests in the window, or when window_ns is not
 * a positive multiple of the window length or reaches further back than
 * the budget keeps. */
double eng_budget_burn_rate(const struct eng_budget *b, int64_t window_ns);

size_t eng_budget_alert_count(const struct eng_budget *b);
/* Fills out with alert i (0 <= i < count) as of the last window fed. */
void eng_budget_alert_status(const struct eng_budget *b, size_t i,
			     struct eng_burn_alert_status *out);
/* Fills out[0..cap) with the alerts firing now, in configured order, and
 * returns how many fire (which may exceed cap). */
size_t eng_budget_firing(const struct eng_budget *b,
			 struct eng_burn_alert_status *out, size_t cap);

enum eng_gate_state eng_budget_gate(const struct eng_budget *b);
/* May a release start now? Ordinary: open or warn. Critical: any state
 * but closed. */
bool eng_budget_may_start(const struct eng_budget *b, bool critical);
/* The gate's moves so far, oldest first; *count is set to their number.
 * Borrowed; valid until the next feed or free. */
const struct eng_gate_event *eng_budget_gate_events(const struct eng_budget *b,
						    size_t *count);

const char *eng_gate_state_name(enum eng_gate_state s);
const char *eng_alert_severity_name(enum eng_alert_severity s);

#endif
