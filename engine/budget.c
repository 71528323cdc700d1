#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/budget.h"
#include "engine/budget_impl.h"
#include "engine/metrics.h"

/* The Workbook's recommended alerts for a 30-day SLO (SRE Workbook,
 * "Alerting on SLOs", ch. 5, "multiwindow, multi-burn-rate alerts"): 2% of
 * the budget spent in 1 h or 5% in 6 h pages; 10% in 3 days opens a
 * ticket. A burn rate b over W spends b x W / P of the budget, so 14.4 =
 * 0.02 x 720 h / 1 h. Short windows are 1/12 of the long ones. */
static const struct eng_burn_alert default_alerts[] = {
	{ "page_1h", ENG_ALERT_PAGE, 3600 * ENG_NS_PER_S, 300 * ENG_NS_PER_S, 14.4 },
	{ "page_6h", ENG_ALERT_PAGE, 6 * 3600 * ENG_NS_PER_S, 1800 * ENG_NS_PER_S, 6.0 },
	{ "ticket_3d", ENG_ALERT_TICKET, 3 * 86400 * ENG_NS_PER_S,
	  6 * 3600 * ENG_NS_PER_S, 1.0 },
};

void eng_budget_config_init(struct eng_budget_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->slo_frac = 0.999;
	cfg->period_ns = 30 * 86400 * ENG_NS_PER_S;
	cfg->window_ns = 10 * ENG_NS_PER_S;
	cfg->alerts = default_alerts;
	cfg->nalerts = sizeof(default_alerts) / sizeof(default_alerts[0]);
	cfg->warn_below_frac = 0.25;
	cfg->freeze_below_frac = 0.10;
	cfg->critical_floor_frac = 0.05;
	cfg->unfreeze_above_frac = 0.15;
}

static bool whole_windows(int64_t span_ns, int64_t window_ns)
{
	return span_ns > 0 && span_ns % window_ns == 0;
}

static bool alert_valid(const struct eng_burn_alert *a, int64_t window_ns)
{
	if (memchr(a->name, '\0', sizeof(a->name)) == NULL)
		return false;
	if (a->severity != ENG_ALERT_PAGE && a->severity != ENG_ALERT_TICKET)
		return false;
	if (!whole_windows(a->long_ns, window_ns) ||
	    !whole_windows(a->short_ns, window_ns) || a->short_ns > a->long_ns)
		return false;
	return a->burn_rate > 0.0 && isfinite(a->burn_rate);
}

static bool thresholds_valid(const struct eng_budget_config *cfg)
{
	double crit = cfg->critical_floor_frac, freeze = cfg->freeze_below_frac;
	double warn = cfg->warn_below_frac, unfreeze = cfg->unfreeze_above_frac;

	if (!isfinite(freeze) || !isfinite(warn) || !isfinite(unfreeze) ||
	    isnan(crit) || crit == INFINITY)
		return false;
	return crit <= freeze && freeze <= warn && warn <= 1.0 &&
	       freeze <= unfreeze && unfreeze < 1.0;
}

static bool config_valid(const struct eng_budget_config *cfg)
{
	if ((unsigned)cfg->initial_gate > ENG_GATE_CLOSED)
		return false;
	if (!(cfg->slo_frac > 0.0 && cfg->slo_frac < 1.0))
		return false;
	if (cfg->window_ns <= 0 || !whole_windows(cfg->period_ns, cfg->window_ns))
		return false;
	if (cfg->nalerts > 0 && cfg->alerts == NULL)
		return false;
	for (size_t i = 0; i < cfg->nalerts; i++)
		if (!alert_valid(&cfg->alerts[i], cfg->window_ns))
			return false;
	return thresholds_valid(cfg);
}

static size_t windows_in(int64_t span_ns, int64_t window_ns)
{
	return (size_t)(span_ns / window_ns);
}

static void copy_config(struct eng_budget *b, const struct eng_budget_config *cfg)
{
	b->slo_frac = cfg->slo_frac;
	b->budget_frac = 1.0 - cfg->slo_frac;
	b->window_ns = cfg->window_ns;
	b->nalerts = cfg->nalerts;
	b->warn_below_frac = cfg->warn_below_frac;
	b->freeze_below_frac = cfg->freeze_below_frac;
	b->critical_floor_frac = cfg->critical_floor_frac;
	b->unfreeze_above_frac = cfg->unfreeze_above_frac;
	if (cfg->nalerts > 0)
		memcpy(b->alerts, cfg->alerts, cfg->nalerts * sizeof(*b->alerts));
	b->spans[0].n = windows_in(cfg->period_ns, cfg->window_ns);
	b->cap = b->spans[0].n;
	for (size_t i = 0; i < cfg->nalerts; i++) {
		b->spans[1 + 2 * i].n = windows_in(cfg->alerts[i].long_ns, cfg->window_ns);
		b->spans[2 + 2 * i].n = windows_in(cfg->alerts[i].short_ns, cfg->window_ns);
		if (b->spans[1 + 2 * i].n > b->cap)
			b->cap = b->spans[1 + 2 * i].n;
		b->astate[i].firing_since_ns = -1;
	}
}

struct eng_budget *eng_budget_create(const struct eng_budget_config *cfg)
{
	struct eng_budget *b;

	if (!config_valid(cfg))
		return NULL;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	b->nspans = 1 + 2 * cfg->nalerts;
	b->spans = calloc(b->nspans, sizeof(*b->spans));
	if (b->spans == NULL)
		goto out_free_b;
	if (cfg->nalerts > 0) {
		b->alerts = malloc(cfg->nalerts * sizeof(*b->alerts));
		if (b->alerts == NULL)
			goto out_free_spans;
		b->astate = calloc(cfg->nalerts, sizeof(*b->astate));
		if (b->astate == NULL)
			goto out_free_alerts;
	}
	copy_config(b, cfg);
	b->ring = calloc(b->cap, sizeof(*b->ring));
	if (b->ring == NULL)
		goto out_free_astate;
	b->events = malloc(ENG_BUDGET_EVENTS_INITIAL_CAP * sizeof(*b->events));
	if (b->events == NULL)
		goto out_free_ring;
	b->events_cap = ENG_BUDGET_EVENTS_INITIAL_CAP;
	b->gate = cfg->initial_gate;
	return b;

out_free_ring:
	free(b->ring);
out_free_astate:
	free(b->astate);
out_free_alerts:
	free(b->alerts);
out_free_spans:
	free(b->spans);
out_free_b:
	free(b);
	return NULL;
}

void eng_budget_free(struct eng_budget *b)
{
	if (b == NULL)
		return;
	free(b->events);
	free(b->ring);
	free(b->astate);
	free(b->alerts);
	free(b->spans);
	free(b);
}

/* Burn rate: the observed error ratio as a multiple of the one the SLO
 * allows, (bad / total) / (1 - S) (SRE Workbook, ch. 5). NaN without
 * requests: nothing to judge. */
static double burn(const struct eng_budget *b, uint64_t total, uint64_t bad)
{
	if (total == 0)
		return NAN;
	return ((double)bad / (double)total) / b->budget_frac;
}

/* Appends one window's counts. Every span of n windows drops the window
 * n back (zero before n windows have been seen) and takes the new one. */
static void push(struct eng_budget *b, uint64_t total, uint64_t bad)
{
	for (size_t i = 0; i < b->nspans; i++) {
		struct eng_budget_span *s = &b->spans[i];
		const struct eng_budget_slot *old = &b->ring[(b->head + b->cap - s->n) % b->cap];

		s->total = s->total - old->total + total;
		s->bad = s->bad - old->bad + bad;
	}
	b->ring[b->head].total = total;
	b->ring[b->head].bad = bad;
	b->head = (b->head + 1) % b->cap;
}

const struct eng_budget_slot *eng_budget_window(const struct eng_budget *b, size_t i)
{
	return &b->ring[(b->head + i) % b->cap];
}

/* Pushing the windows, oldest first, into an empty ring leaves each span
 * the sum of its last n, as feeding them one by one would. */
void eng_budget_set_windows(struct eng_budget *b, const struct eng_budget_slot *windows)
{
	memset(b->ring, 0, b->cap * sizeof(*b->ring));
	for (size_t i = 0; i < b->nspans; i++)
		b->spans[i].total = b->spans[i].bad = 0;
	b->head = 0;
	for (size_t i = 0; i < b->cap; i++)
		push(b, windows[i].total, windows[i].bad);
}

static void update_alerts(struct eng_budget *b, int64_t t_ns)
{
	for (size_t i = 0; i < b->nalerts; i++) {
		const struct eng_budget_span *l = &b->spans[1 + 2 * i];
		const struct eng_budget_span *sh = &b->spans[2 + 2 * i];
		double rate = b->alerts[i].burn_rate;
		/* NaN (no requests) compares false: no requests, no alert */
		bool firing = burn(b, l->total, l->bad) > rate &&
			      burn(b, sh->total, sh->bad) > rate;

		if (firing && !b->astate[i].firing)
			b->astate[i].firing_since_ns = t_ns;
		else if (!firing)
			b->astate[i].firing_since_ns = -1;
		b->astate[i].firing = firing;
	}
}

/* The unfrozen state for remaining r: warn below warn_below, else open. */
static enum eng_gate_state unfrozen(const struct eng_budget *b, double r)
{
	return r < b->warn_below_frac ? ENG_GATE_WARN : ENG_GATE_OPEN;
}

/* The gate's next state from cur at remaining r, and the threshold that
 * decided a move (the rule is spelled out in budget.h). */
static enum eng_gate_state next_gate(const struct eng_budget *b,
				     enum eng_gate_state cur, double r,
				     double *threshold)
{
	switch (cur) {
	case ENG_GATE_OPEN:
	case ENG_GATE_WARN:
		*threshold = b->critical_floor_frac;
		if (r < b->critical_floor_frac)
			return ENG_GATE_CLOSED;
		*threshold = b->freeze_below_frac;
		if (r < b->freeze_below_frac)
			return ENG_GATE_FROZEN;
		*threshold = b->warn_below_frac;
		return unfrozen(b, r);
	case ENG_GATE_FROZEN:
		*threshold = b->critical_floor_frac;
		if (r < b->critical_floor_frac)
			return ENG_GATE_CLOSED;
		*threshold = b->unfreeze_above_frac;
		return r > b->unfreeze_above_frac ? unfrozen(b, r) : ENG_GATE_FROZEN;
	case ENG_GATE_CLOSED:
		*threshold = b->unfreeze_above_frac;
		if (r > b->unfreeze_above_frac)
			return unfrozen(b, r);
		*threshold = b->freeze_below_frac;
		return r > b->freeze_below_frac ? ENG_GATE_FROZEN : ENG_GATE_CLOSED;
	}
	return cur;
}

/* Moves the gate for the window ending at t_ns. The caller has made room
 * for one event. */
static void update_gate(struct eng_budget *b, int64_t t_ns)
{
	double r = eng_budget_remaining_frac(b);
	double threshold = NAN;
	enum eng_gate_state to = next_gate(b, b->gate, r, &threshold);
	struct eng_gate_event *ev;

	if (to == b->gate)
		return;
	ev = &b->events[b->nevents++];
	ev->t_ns = t_ns;
	ev->from = b->gate;
	ev->to = to;
	ev->remaining_frac = r;
	ev->threshold_frac = threshold;
	b->gate = to;
}

/* Makes room for one more gate event; ENG_ENOMEM with nothing changed. */
static enum eng_status reserve_event(struct eng_budget *b)
{
	struct eng_gate_event *p;
	size_t cap;

	if (b->nevents < b->events_cap)
		return ENG_OK;
	cap = b->events_cap * 2;
	p = realloc(b->events, cap * sizeof(*p));
	if (p == NULL)
		return ENG_ENOMEM;
	b->events = p;
	b->events_cap = cap;
	return ENG_OK;
}

enum eng_status eng_budget_feed(struct eng_budget *b, int64_t t_end_ns,
				int64_t window_ns, uint64_t total, uint64_t bad)
{
	uint64_t skipped = 0, gap_ns;
	enum eng_status st;

	if (window_ns != b->window_ns || bad > total)
		return ENG_EINVAL;
	if (b->fed) {
		if (t_end_ns <= b->last_end_ns)
			return ENG_EINVAL;
		/* unsigned: the difference of two int64_t fits, never overflows */
		gap_ns = (uint64_t)t_end_ns - (uint64_t)b->last_end_ns;
		if (gap_ns % (uint64_t)b->window_ns != 0)
			return ENG_EINVAL;
		skipped = gap_ns / (uint64_t)b->window_ns - 1;
	}
	st = reserve_event(b);
	if (st != ENG_OK)
		return st;
	/* After cap empty windows every slot is empty: more change nothing. */
	for (uint64_t i = 0; i < skipped && i < b->cap; i++)
		push(b, 0, 0);
	push(b, total, bad);
	b->fed = true;
	b->last_end_ns = t_end_ns;
	update_alerts(b, t_end_ns);
	update_gate(b, t_end_ns);
	return ENG_OK;
}

/* Budget remaining = 1 - bad / ((1 - S) x total) over the period: the
 * share of the allowed failures not yet spent (SRE Workbook, ch. 2). */
double eng_budget_remaining_frac(const struct eng_budget *b)
{
	const struct eng_budget_span *p = &b->spans[0];

	if (p->total == 0)
		return 1.0;
	return 1.0 - (double)p->bad / (b->budget_frac * (double)p->total);
}

double eng_budget_remaining_clamped_frac(const struct eng_budget *b)
{
	double r = eng_budget_remaining_frac(b);

	return r < 0.0 ? 0.0 : r > 1.0 ? 1.0 : r;
}

void eng_budget_period_counts(const struct eng_budget *b, uint64_t *total,
			      uint64_t *bad)
{
	*total = b->spans[0].total;
	*bad = b->spans[0].bad;
}

double eng_budget_burn_rate(const struct eng_budget *b, int64_t window_ns)
{
	uint64_t total = 0, bad = 0;
	size_t n;

	if (!whole_windows(window_ns, b->window_ns))
		return NAN;
	n = windows_in(window_ns, b->window_ns);
	if (n > b->cap)
		return NAN;
	for (size_t i = 1; i <= n; i++) {
		const struct eng_budget_slot *s = &b->ring[(b->head + b->cap - i) % b->cap];

		total += s->total;
		bad += s->bad;
	}
	return burn(b, total, bad);
}

size_t eng_budget_alert_count(const struct eng_budget *b)
{
	return b->nalerts;
}

void eng_budget_alert_status(const struct eng_budget *b, size_t i,
			     struct eng_burn_alert_status *out)
{
	const struct eng_budget_span *l = &b->spans[1 + 2 * i];
	const struct eng_budget_span *sh = &b->spans[2 + 2 * i];

	out->alert = &b->alerts[i];
	out->index = i;
	out->long_burn = burn(b, l->total, l->bad);
	out->short_burn = burn(b, sh->total, sh->bad);
	out->firing = b->astate[i].firing;
	out->firing_since_ns = b->astate[i].firing_since_ns;
}

size_t eng_budget_firing(const struct eng_budget *b,
			 struct eng_burn_alert_status *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < b->nalerts; i++) {
		if (!b->astate[i].firing)
			continue;
		if (n < cap)
			eng_budget_alert_status(b, i, &out[n]);
		n++;
	}
	return n;
}

enum eng_gate_state eng_budget_gate(const struct eng_budget *b)
{
	return b->gate;
}

bool eng_budget_may_start(const struct eng_budget *b, bool critical)
{
	switch (b->gate) {
	case ENG_GATE_OPEN:
	case ENG_GATE_WARN:
		return true;
	case ENG_GATE_FROZEN:
		return critical;
	case ENG_GATE_CLOSED:
		return false;
	}
	return false;
}

const struct eng_gate_event *eng_budget_gate_events(const struct eng_budget *b,
						    size_t *count)
{
	*count = b->nevents;
	return b->events;
}

const char *eng_gate_state_name(enum eng_gate_state s)
{
	switch (s) {
#define ENG_GATE_STATE_CASE(name, str) \
	case name:                     \
		return str;
		ENG_GATE_STATE_LIST(ENG_GATE_STATE_CASE)
#undef ENG_GATE_STATE_CASE
	}
	return "unknown";
}

const char *eng_alert_severity_name(enum eng_alert_severity s)
{
	switch (s) {
#define ENG_ALERT_SEVERITY_CASE(name, str) \
	case name:                         \
		return str;
		ENG_ALERT_SEVERITY_LIST(ENG_ALERT_SEVERITY_CASE)
#undef ENG_ALERT_SEVERITY_CASE
	}
	return "unknown";
}
