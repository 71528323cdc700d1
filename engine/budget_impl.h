/* The error budget's inside, for the files that need it: budget.c, which
 * keeps it, and budget_state.c, which saves and restores it. Nothing else
 * includes this; everyone else sees struct eng_budget as opaque. */
#ifndef ENG_BUDGET_IMPL_H
#define ENG_BUDGET_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/budget.h"

#define ENG_BUDGET_EVENTS_INITIAL_CAP 8

/* Counts of one window. */
struct eng_budget_slot {
	uint64_t total;           /* requests, requests */
	uint64_t bad;             /* bad requests, <= total */
};

/* Running sums over the last n windows, kept exact in integers as windows
 * enter and leave, so a feed costs O(spans) rather than O(period). */
struct eng_budget_span {
	size_t n;                 /* windows covered */
	uint64_t total;
	uint64_t bad;
};

struct eng_budget_alert_state {
	bool firing;
	int64_t firing_since_ns;  /* end of the spell's first window; -1 when not firing */
};

struct eng_budget {
	double slo_frac;
	double budget_frac;       /* 1 - S: the share of requests that may fail */
	int64_t window_ns;
	struct eng_burn_alert *alerts; /* owned copy */
	size_t nalerts;
	double warn_below_frac;
	double freeze_below_frac;
	double critical_floor_frac;
	double unfreeze_above_frac;

	/* ring[head] is the slot the next window takes; the newest is just
	 * before it. The ring starts zeroed: time before the first window
	 * reads as windows without requests, which leaves every ratio equal
	 * to the ratio over what has been seen. */
	struct eng_budget_slot *ring; /* owned, cap slots */
	size_t cap;
	size_t head;
	bool fed;
	int64_t last_end_ns;      /* end of the newest window, when fed */

	/* spans[0] is the period; spans[1 + 2i] and spans[2 + 2i] are alert
	 * i's long and short windows. */
	struct eng_budget_span *spans; /* owned, 1 + 2 x nalerts */
	size_t nspans;
	struct eng_budget_alert_state *astate; /* owned, nalerts */

	enum eng_gate_state gate;
	struct eng_gate_event *events; /* owned */
	size_t nevents;
	size_t events_cap;
};

/* budget.c, for budget_state.c. */

/* The window i places back from the oldest the ring holds (0: the oldest,
 * cap - 1: the newest). */
const struct eng_budget_slot *eng_budget_window(const struct eng_budget *b, size_t i);
/* Replaces b's windows with windows[0..b->cap), oldest first, and sums
 * every span again from them. Alerts, gate and log are left alone. */
void eng_budget_set_windows(struct eng_budget *b, const struct eng_budget_slot *windows);

#endif
